package io.github.milvusautoscaler.metrics;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.PrometheusAuth;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where and how to query one Prometheus-compatible HTTP API (Prometheus, VictoriaMetrics, Thanos,
 * Mimir): built once from {@code milvus-autoscaler.prometheus} by the CLI, validated here, immutable.
 *
 * <p>The metrics package does not read configuration itself, so it stays testable with plain values.
 *
 * @param url         base URL of the API, e.g. {@code http://prometheus-operated.monitoring:9090} or
 *                    {@code https://mimir.example/prometheus}; {@code /api/v1/query} is appended
 * @param timeout     time limit for one query, retries included
 * @param staleAfter  a sample older than this at the evaluation time is not a value
 * @param maxSeries   a query returning more series than this is UNKNOWN (a template matching far too much)
 * @param shareWindow targets of one cluster observed within this of each other share one query per
 *                    signal: with {@code loop.jitter = 2s} their ticks are up to 2 s apart, so a 5 s
 *                    window turns 4 components x 3 signals = 12 queries into 3; keep it below
 *                    {@code loop.interval}; zero shares only identical evaluation times
 * @param retry       retries for transport errors and 5xx
 * @param breaker     the circuit breaker of this endpoint
 * @param auth        credentials and trust
 * @param headers     extra headers sent with every query (e.g. {@code X-Scope-OrgID}); their values are
 *                    treated as secrets and never logged
 */
public record PrometheusEndpoint(URI url, Duration timeout, Duration staleAfter, int maxSeries, Duration shareWindow,
                                 RetrySettings retry, BreakerSettings breaker, PrometheusAuth auth,
                                 Map<String, String> headers) {

    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    public PrometheusEndpoint {
        requireNonNull(url, "url");
        requireNonNull(timeout, "timeout");
        requireNonNull(staleAfter, "staleAfter");
        requireNonNull(shareWindow, "shareWindow");
        requireNonNull(retry, "retry");
        requireNonNull(breaker, "breaker");
        requireNonNull(auth, "auth");
        requireNonNull(headers, "headers");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("prometheus.url must be http or https, was " + url.getScheme());
        }
        if (url.getHost() == null || url.getHost().isBlank()) {
            throw new IllegalArgumentException("prometheus.url has no host: " + url);
        }
        if (url.getUserInfo() != null) {
            // Checked before the URL is ever printed: the message must not repeat the credentials.
            throw new IllegalArgumentException("prometheus.url must not carry credentials (they would leak into logs);"
                    + " use prometheus.auth.basic-username and basic-password-file");
        }
        if (url.getQuery() != null || url.getFragment() != null) {
            throw new IllegalArgumentException("prometheus.url must be the API root without ?query or #fragment: " + url);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("prometheus.timeout must be > 0, was " + timeout);
        }
        if (staleAfter.isNegative() || staleAfter.isZero()) {
            throw new IllegalArgumentException("prometheus.stale-after must be > 0, was " + staleAfter);
        }
        if (maxSeries < 1) {
            throw new IllegalArgumentException("prometheus.max-series must be >= 1, was " + maxSeries);
        }
        if (shareWindow.isNegative()) {
            throw new IllegalArgumentException("prometheus.share-window must be >= 0, was " + shareWindow);
        }
        Map<String, String> copy = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            requireNonNull(name, "header name");
            requireNonNull(value, "header value");
            if (!HEADER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("prometheus.headers: '" + name + "' is not a valid HTTP header name");
            }
            if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("prometheus.headers." + name + " must be one line");
            }
            if (name.equalsIgnoreCase("Authorization") && auth.hasCredentials()) {
                throw new IllegalArgumentException("prometheus.headers.Authorization conflicts with prometheus.auth;"
                        + " configure one of them");
            }
            copy.put(name, value);
        });
        headers = Collections.unmodifiableMap(copy);
    }

    /** Header names only: values may be credentials. */
    @Override
    public String toString() {
        return "PrometheusEndpoint[url=" + url + ", timeout=" + timeout + ", staleAfter=" + staleAfter
                + ", maxSeries=" + maxSeries + ", shareWindow=" + shareWindow + ", retry=" + retry
                + ", breaker=" + breaker + ", auth=" + auth + ", headers=" + headers.keySet() + "]";
    }

    /**
     * Retries of one query for transport errors and 5xx (queries are idempotent); never for 4xx or
     * bad data, which would fail the same way again.
     *
     * @param maxAttempts    attempts in total, 1 = no retry
     * @param initialBackoff wait before the first retry; doubles each time: 200ms gives waits of
     *                       200ms and 400ms for 3 attempts
     */
    public record RetrySettings(int maxAttempts, Duration initialBackoff) {

        public RetrySettings {
            requireNonNull(initialBackoff, "initialBackoff");
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("prometheus.retry.max-attempts must be >= 1, was " + maxAttempts);
            }
            if (initialBackoff.toMillis() < 1) {
                throw new IllegalArgumentException("prometheus.retry.initial-backoff must be >= 1ms, was " + initialBackoff);
            }
        }
    }

    /**
     * The circuit breaker of one endpoint: when too many recent queries failed (transport, timeout,
     * 5xx), queries fail fast as UNKNOWN instead of piling up behind a sick server.
     *
     * @param failureRateThreshold percentage in (0, 100] of failed queries in the window that opens it:
     *                             50 with a window of 20 opens after 10 of the last 20 failed
     * @param windowSize           number of recent queries the rate is computed over; the breaker
     *                             judges only once this many were made
     * @param openFor              how long it stays open before one trial query is let through
     */
    public record BreakerSettings(float failureRateThreshold, int windowSize, Duration openFor) {

        public BreakerSettings {
            requireNonNull(openFor, "openFor");
            if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
                throw new IllegalArgumentException("prometheus.circuit-breaker.failure-rate-threshold must be in (0, 100],"
                        + " was " + failureRateThreshold);
            }
            if (windowSize < 1) {
                throw new IllegalArgumentException("prometheus.circuit-breaker.window-size must be >= 1, was " + windowSize);
            }
            if (openFor.toMillis() < 1) {
                throw new IllegalArgumentException("prometheus.circuit-breaker.open-for must be >= 1ms, was " + openFor);
            }
        }
    }

}
