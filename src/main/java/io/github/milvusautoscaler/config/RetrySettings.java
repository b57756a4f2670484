package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How often an idempotent request is retried before the tick gives up on it; the wait doubles each
 * attempt, e.g. 3 attempts from 200ms wait 200ms then 400ms (600ms at most on top of the requests).
 *
 * @param maxAttempts    attempts in total, the first included (>= 1)
 * @param initialBackoff wait before the first retry
 */
public record RetrySettings(int maxAttempts, Duration initialBackoff) {

    public RetrySettings {
        requireNonNull(initialBackoff, "initialBackoff");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("retry max-attempts must be >= 1");
        }
    }
}
