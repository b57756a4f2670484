package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * When Prometheus queries stop being tried: once {@code failureRateThreshold} percent of the last
 * {@code windowSize} queries failed (transport, timeout, 5xx; 50% of 20 = 10 failures), queries fail fast
 * as UNKNOWN for {@code openFor}, so a down Prometheus does not stall every tick for the full timeout.
 * The {@code prometheus.circuit-breaker} block.
 *
 * @param failureRateThreshold percentage in (0, 100] that opens the breaker; a float end to end, as
 *                             resilience4j takes it (0.4 stays 0.4%)
 * @param windowSize           number of recent queries the rate is computed over; the breaker judges
 *                             only once this many were made
 * @param openFor              how long the open breaker fails fast before a trial query, at least 1ms
 */
public record CircuitBreakerSettings(float failureRateThreshold, int windowSize, Duration openFor) {

    /** The most queries the window may hold: ten times resilience4j's default, a few hundred KiB of slots. */
    public static final int MAX_WINDOW_SIZE = 1000;

    public CircuitBreakerSettings {
        requireNonNull(openFor, "openFor");
        Checks checks = new Checks();
        checks.that(failureRateThreshold > 0 && failureRateThreshold <= 100, "failure-rate-threshold",
                "must be a percentage > 0 and <= 100");
        // resilience4j allocates one slot object per call of the window up front: 1,000,000 exhausted the
        // deployment's 128 MiB heap. Its default is 100.
        checks.that(windowSize >= 1 && windowSize <= MAX_WINDOW_SIZE, "window-size",
                "must be from 1 to " + MAX_WINDOW_SIZE + " queries (each is a slot held in memory), such as 20");
        checks.that(openFor.toMillis() >= 1, "open-for", "must be at least 1ms, such as 30s");
        checks.done();
    }
}
