package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * When Prometheus queries stop being tried: once {@code failureRateThreshold} percent of the queries of the last
 * {@code window} failed (transport, timeout, 5xx) and the window holds at least {@code minimumQueries}, queries fail
 * fast as UNKNOWN for {@code openFor}, so a down Prometheus does not stall every tick for the full timeout. The
 * {@code prometheus.circuit-breaker} block.
 *
 * <p>The window is a time, not a count, so that each tenant's share of the queries judged is its share of the fleet:
 * the last 20 queries of a 15 s tick are a burst of a few clusters' ticks, and one namespace of four answering 503
 * (its 4 targets' queries together in the burst) was 50% of them and opened the breaker for every target for 42 s
 * (recheck 47, F2). A minute holds four ticks of every target: there it is about 25%.
 *
 * @param failureRateThreshold percentage in (0, 100] that opens the breaker; a float end to end, as
 *                             resilience4j takes it (0.4 stays 0.4%)
 * @param window               how far back the failure rate looks, whole seconds from 1s to 10m (resilience4j
 *                             keeps one bucket per second of it)
 * @param minimumQueries       the fewest queries the window must hold before the breaker judges it, 1 to 1000
 * @param openFor              how long the open breaker fails fast before a trial query, at least 1ms
 */
public record CircuitBreakerSettings(float failureRateThreshold, Duration window, int minimumQueries,
                                     Duration openFor) {

    /** The longest window: resilience4j allocates one bucket per second of it up front. */
    public static final Duration MAX_WINDOW = Duration.ofMinutes(10);
    /** The most queries the window may be asked to hold before it judges. */
    public static final int MAX_MINIMUM_QUERIES = 1000;

    public CircuitBreakerSettings {
        requireNonNull(window, "window");
        requireNonNull(openFor, "openFor");
        Checks checks = new Checks();
        checks.that(failureRateThreshold > 0 && failureRateThreshold <= 100, "failure-rate-threshold",
                "must be a percentage > 0 and <= 100");
        checks.that(window.toSeconds() >= 1 && window.compareTo(MAX_WINDOW) <= 0 && window.toNanosPart() == 0,
                "window", "must be whole seconds from 1s to 10m (one bucket per second is held in memory), such as 1m");
        checks.that(minimumQueries >= 1 && minimumQueries <= MAX_MINIMUM_QUERIES, "minimum-queries",
                "must be from 1 to " + MAX_MINIMUM_QUERIES + " queries, such as 10");
        checks.that(openFor.toMillis() >= 1, "open-for", "must be at least 1ms, such as 30s");
        checks.done();
    }
}
