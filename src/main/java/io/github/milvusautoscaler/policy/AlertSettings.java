package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a firing alert routed to a target changes its decisions.
 *
 * @param step     replicas added once per alert
 * @param cooldown no second alert-driven scale-out of the same target this soon
 */
public record AlertSettings(int step, Duration cooldown) {

    public AlertSettings {
        requireNonNull(cooldown, "cooldown");
        if (step < 1) {
            throw new IllegalArgumentException("alerts step must be >= 1");
        }
    }
}
