package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * When Prometheus queries stop being tried: once {@code failureRateThreshold} percent of the last
 * {@code windowSize} queries failed (50% of 20 = 10 failures), queries fail fast for {@code openFor},
 * so a down Prometheus does not stall every tick for the full timeout.
 *
 * @param failureRateThreshold percentage in (0, 100] that opens the breaker (resilience4j takes a float)
 * @param windowSize           number of recent queries the rate is computed over
 * @param openFor              how long the open breaker fails fast before a trial query
 */
public record CircuitBreakerSettings(float failureRateThreshold, int windowSize, Duration openFor) {

    public CircuitBreakerSettings {
        requireNonNull(openFor, "openFor");
        if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
            throw new IllegalArgumentException("failure-rate-threshold must be in (0, 100]");
        }
        if (windowSize < 1) {
            throw new IllegalArgumentException("window-size must be >= 1");
        }
    }
}
