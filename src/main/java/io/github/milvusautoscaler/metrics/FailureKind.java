package io.github.milvusautoscaler.metrics;

import java.util.Locale;

/**
 * Why a query or a signal has no value; the lower-case name is the {@code kind} tag of
 * {@link MetricNames#QUERY_ERRORS} and {@link MetricNames#SIGNAL_UNKNOWN}.
 */
public enum FailureKind {
    /** The query did not finish within {@code prometheus.timeout}, retries included. */
    TIMEOUT,
    /** Connection refused, reset or dropped, DNS or TLS failure. */
    TRANSPORT,
    /** HTTP 5xx after every retry. */
    HTTP_5XX,
    /** HTTP 4xx: a bad query or missing permission; never retried. */
    HTTP_4XX,
    /** Any other unexpected HTTP status, e.g. a redirect to a login page. */
    HTTP_OTHER,
    /** The body is not the Prometheus JSON envelope. */
    BAD_RESPONSE,
    /** The server answered {@code "status": "error"}. */
    QUERY_ERROR,
    /** More series than {@code prometheus.max-series}. */
    TOO_MANY_SERIES,
    /** A range vector or string where an instant vector or scalar was expected. */
    RESULT_TYPE,
    /** The endpoint's circuit breaker is open; no request was sent. */
    CIRCUIT_OPEN,
    /** The bearer-token or password file could not be read. */
    AUTH_FILE,
    /**
     * This node's clock and Prometheus' differ by more than a quarter of {@code prometheus.stale-after}, so an
     * instant query at this node's time would read the cluster as it was then, or before it was scraped.
     */
    CLOCK_SKEW,
    /** The query returned no series for this target. */
    EMPTY,
    /** A value was NaN or infinite. */
    NOT_FINITE,
    /** Every sample was older than {@code prometheus.stale-after}. */
    STALE,
    /** The series do not have the shape the signal needs (duplicate pods, several series for one value). */
    AMBIGUOUS,
    /** A value the signal cannot take: negative for a load, or a per-pod mean that overflows. */
    IMPOSSIBLE,
    /** The answer may miss data (a store that did not answer) and a cluster value would under-read. */
    PARTIAL;

    /** The tag value, e.g. {@code http_5xx}. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
