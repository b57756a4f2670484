package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where and how to query one Prometheus-compatible HTTP API (Prometheus, VictoriaMetrics, Thanos,
 * Mimir): the {@code milvus-autoscaler.prometheus} block, read by the config package and used as is by
 * the metrics adapter. Every rule of the block lives here, once; the config reader only attaches
 * {@code path (file:line)} to what this record refuses.
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
 * @param auth        credentials and trust (paths only)
 * @param headers     extra headers sent with every query (e.g. {@code X-Scope-OrgID}); their values are
 *                    treated as secrets and never logged
 */
public record PrometheusEndpoint(String url, Duration timeout, Duration staleAfter, int maxSeries, Duration shareWindow,
                                 RetrySettings retry, CircuitBreakerSettings breaker, PrometheusAuth auth,
                                 Map<String, String> headers) {

    /** What a URL that is not an absolute http(s) URL with a host breaks. */
    public static final String URL_RULE =
            "must be an http or https URL such as http://prometheus-operated.monitoring:9090";
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /**
     * A URI reference split into scheme, authority, path, query and fragment: the regular expression of
     * RFC 3986 appendix B, so this record reads its URL without {@code java.net} (core stays JDK value types).
     */
    private static final Pattern URI_PARTS = Pattern.compile("^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(\\?[^#]*)?(#.*)?$");
    /** A host (a name of letters, digits, '.', '-' and '_', or an IPv6 literal) and an optional port of 1 to 5 digits. */
    private static final Pattern HOST_PORT = Pattern.compile("^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+)(?::(\\d{1,5}))?$");

    /** This endpoint with another share window (0: every observation asks anew, as {@code scale}'s polls must). */
    public PrometheusEndpoint withShareWindow(Duration window) {
        return new PrometheusEndpoint(url, timeout, staleAfter, maxSeries, window, retry, breaker, auth, headers);
    }

    /** The shortest prometheus.timeout: an HTTP round trip to Prometheus and its evaluation take longer. */
    public static final Duration SHORTEST_TIMEOUT = Duration.ofMillis(100);

    public PrometheusEndpoint {
        requireNonNull(url, "url");
        requireNonNull(timeout, "timeout");
        requireNonNull(staleAfter, "staleAfter");
        requireNonNull(shareWindow, "shareWindow");
        requireNonNull(retry, "retry");
        requireNonNull(breaker, "breaker");
        requireNonNull(auth, "auth");
        requireNonNull(headers, "headers");
        Checks checks = new Checks();
        checkUrl(url, checks);
        // Not 1ms: every query then timed out against a Prometheus that was up, and the commands said it "cannot be
        // reached" (recheck 113, F3). An instant query's round trip in a cluster takes a few milliseconds to tens.
        if (checks.timeout(timeout, "timeout")) {
            checks.that(timeout.compareTo(SHORTEST_TIMEOUT) >= 0, "timeout", "must be at least 100ms: every query"
                    + " to a Prometheus that is up would time out, and every signal read UNKNOWN");
        }
        checks.positive(staleAfter, "stale-after");
        checks.atLeast(maxSeries, 1, "max-series");
        checks.that(!shareWindow.isNegative(), "share-window", "must be 0s or more");
        Map<String, String> copy = new TreeMap<>();
        headers.forEach((name, value) -> {
            requireNonNull(name, "header name");
            requireNonNull(value, "header value");
            String key = "headers." + name;
            boolean ok = checks.that(HEADER_NAME.matcher(name).matches(), key,
                    "must be under a valid HTTP header name (letters, digits, '-')")
                    && checks.that(value.indexOf('\n') < 0 && value.indexOf('\r') < 0, key, "must be one line")
                    && checks.that(value.chars().allMatch(c -> c == '\t' || c >= 0x20 && c < 0x7f), key,
                    "must be printable ASCII (the HTTP client refuses other characters in a header value)")
                    && checks.that(!(name.equalsIgnoreCase("Authorization") && auth.hasCredentials()), key,
                    "conflicts with prometheus.auth: configure one of them");
            if (ok) {
                copy.put(name, value);
            }
        });
        checks.done();
        headers = Collections.unmodifiableMap(copy);
    }

    /**
     * The rules of {@code prometheus.url}, also checked on their own by the config reader so a bad URL is
     * reported even when another key of the block already failed to read.
     */
    public static void checkUrl(String url) {
        requireNonNull(url, "url");
        Checks checks = new Checks();
        checkUrl(url, checks);
        checks.done();
    }

    /**
     * Example: {@code https://mimir.example/prometheus} passes; {@code prometheus:9090} (no scheme),
     * {@code http://u:p@p:9090} (credentials) and {@code http://p:9090/?tenant=a} (a query) do not.
     */
    private static void checkUrl(String url, Checks checks) {
        Matcher parts = URI_PARTS.matcher(url);
        boolean parsed = url.chars().noneMatch(c -> c <= ' ' || c == 0x7f) && parts.matches();
        String scheme = parsed && parts.group(1) != null ? parts.group(1).toLowerCase(Locale.ROOT) : "";
        String authority = parsed && parts.group(2) != null ? parts.group(2) : "";
        String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
        // The messages never repeat the URL: it may carry credentials.
        Matcher host = HOST_PORT.matcher(hostPort);
        boolean hostOk = host.matches();
        if (checks.that((scheme.equals("http") || scheme.equals("https")) && hostOk, "url", URL_RULE)
                && checks.that(host.group(2) == null || Integer.parseInt(host.group(2)) >= 1
                        && Integer.parseInt(host.group(2)) <= 65535, "url", "must have a port from 1 to 65535")) {
            if (checks.that(authority.indexOf('@') < 0, "url",
                    "must not contain credentials: use prometheus.auth (they would reach logs)")) {
                // The API paths are appended to the URL: a query or fragment would end up before them.
                checks.that(parts.group(4) == null && parts.group(5) == null, "url",
                        "must be the API root without ?query or #fragment (send a tenant with prometheus.headers,"
                                + " e.g. { \"X-Scope-OrgID\" = \"team-a\" })");
            }
        }
    }

    /** Header names only: values may be credentials (e.g. a tenant's key) and never reach logs. */
    @Override
    public String toString() {
        return "PrometheusEndpoint[url=" + url + ", timeout=" + timeout + ", staleAfter=" + staleAfter
                + ", maxSeries=" + maxSeries + ", shareWindow=" + shareWindow + ", retry=" + retry
                + ", breaker=" + breaker + ", auth=" + auth + ", headers=" + headers.keySet() + "]";
    }
}
