package io.github.milvusautoscaler.metrics;

import io.github.milvusautoscaler.core.CircuitBreakerSettings;
import io.github.milvusautoscaler.core.RetrySettings;
import io.github.milvusautoscaler.core.PrometheusEndpoint;
import io.github.milvusautoscaler.core.PrometheusAuth;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** Endpoint settings for tests: short budgets so failure cases finish fast. */
final class TestEndpoints {

    private TestEndpoints() {
    }

    /** 3 s per query, 2 attempts 20 ms apart, stale after 2m, breaker 50% of 20 opening for 500 ms. */
    static PrometheusEndpoint of(URI url) {
        return new PrometheusEndpoint(url.toString(), Duration.ofSeconds(3), Duration.ofMinutes(2), 1000, Duration.ZERO,
                new RetrySettings(2, Duration.ofMillis(20)),
                new CircuitBreakerSettings(50, java.time.Duration.ofMinutes(1), 20, Duration.ofMillis(500)),
                PrometheusAuth.none(), Map.of());
    }
}
