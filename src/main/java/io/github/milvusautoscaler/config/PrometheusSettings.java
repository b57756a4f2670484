package io.github.milvusautoscaler.config;

import io.github.milvusautoscaler.core.PrometheusAuth;
import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where signals come from and how hard to try: the {@code milvus-autoscaler.prometheus} block, for
 * any server speaking the Prometheus HTTP API (Prometheus, VictoriaMetrics, Thanos, Mimir).
 *
 * @param url            base URL of the HTTP API, http or https, without credentials
 * @param timeout        time limit for one query, retries included
 * @param staleAfter     a sample older than this is UNKNOWN, never a value
 * @param maxSeries      a result with more series than this is UNKNOWN (a template matching far too much)
 * @param shareWindow    targets of one cluster observed this close together share one query per signal
 * @param retry          retries for transport errors and 5xx
 * @param circuitBreaker when to stop trying for a while
 * @param auth           where credentials live (paths only)
 * @param headers        extra headers for every query, by name (e.g. {@code X-Scope-OrgID} for Mimir tenants)
 */
public record PrometheusSettings(URI url, Duration timeout, Duration staleAfter, int maxSeries, Duration shareWindow,
                                 RetrySettings retry,
                                 CircuitBreakerSettings circuitBreaker, PrometheusAuth auth,
                                 Map<String, String> headers) {

    public PrometheusSettings {
        requireNonNull(url, "url");
        requireNonNull(timeout, "timeout");
        requireNonNull(staleAfter, "staleAfter");
        requireNonNull(shareWindow, "shareWindow");
        requireNonNull(retry, "retry");
        requireNonNull(circuitBreaker, "circuitBreaker");
        requireNonNull(auth, "auth");
        headers = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(headers, "headers")));
        if (maxSeries < 1) {
            throw new IllegalArgumentException("max-series must be >= 1");
        }
    }

    /** Header names only: values may be credentials (e.g. a tenant's key) and never reach logs. */
    @Override
    public String toString() {
        return "PrometheusSettings[url=" + url + ", timeout=" + timeout + ", staleAfter=" + staleAfter + ", maxSeries="
                + maxSeries + ", shareWindow=" + shareWindow + ", retry=" + retry + ", circuitBreaker=" + circuitBreaker + ", auth=" + auth
                + ", headers=" + headers.keySet() + "]";
    }
}
