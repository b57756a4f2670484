package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How often an idempotent request (a Prometheus query, a Kubernetes API call) is retried for transport
 * errors, timeouts and 5xx before the tick gives up on it; never for 4xx or bad data, which would fail the
 * same way again. The wait doubles each attempt: 3 attempts from 200ms wait 200ms then 400ms (600ms at
 * most on top of the requests). The {@code retry} block of {@code prometheus} and {@code kubernetes}.
 *
 * @param maxAttempts    attempts in total, the first included (>= 1; 1 = no retry)
 * @param initialBackoff wait before the first retry, at least 1ms (resilience4j's smallest interval)
 */
public record RetrySettings(int maxAttempts, Duration initialBackoff) {

    public RetrySettings {
        requireNonNull(initialBackoff, "initialBackoff");
        Checks checks = new Checks();
        checks.atLeast(maxAttempts, 1, "max-attempts");
        checks.that(initialBackoff.toMillis() >= 1, "initial-backoff", "must be at least 1ms, such as 200ms");
        checks.done();
    }
}
