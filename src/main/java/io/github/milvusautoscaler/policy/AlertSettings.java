package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a firing alert routed to a target changes its decisions.
 *
 * @param step      replicas added once per alert
 * @param cooldown  no second alert-driven scale-out of the same target this soon
 * @param carryOver how long an alert this target scaled out for (kept on the scaled object) still blocks
 *                  scale-in when no daemon has seen it firing or resolved since, e.g. after a fail-over
 *                  before Alertmanager re-sends it
 */
public record AlertSettings(int step, Duration cooldown, Duration carryOver) {

    /** Alertmanager's default repeat_interval: a firing alert is re-sent within it. */
    public static final Duration DEFAULT_CARRY_OVER = Duration.ofHours(4);

    public AlertSettings {
        requireNonNull(cooldown, "cooldown");
        requireNonNull(carryOver, "carryOver");
        if (step < 1) {
            throw new IllegalArgumentException("alerts step must be >= 1");
        }
    }

    /** With the default carry-over. */
    public AlertSettings(int step, Duration cooldown) {
        this(step, cooldown, DEFAULT_CARRY_OVER);
    }
}
