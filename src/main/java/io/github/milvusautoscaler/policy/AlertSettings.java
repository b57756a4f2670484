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

    /**
     * Alertmanager's default repeat_interval (4h) plus its default group_interval (5m), plus 5m: a firing alert is
     * re-sent at the first flush of its group after repeat_interval, so up to 4h05m after the last send
     * (alertmanager dispatch/dispatch.go: a group flushes every group_interval; notify/notify.go,
     * DedupStage.needsUpdate: an unchanged group is sent again once its last send is older than repeat_interval),
     * and the margin covers the webhook's retries and a tick. Exactly 4h left a gap of
     * up to 5 minutes in which a new leader stepped down under an alert still firing (alert fail-over audit L4).
     */
    public static final Duration DEFAULT_CARRY_OVER = Duration.ofHours(4).plusMinutes(10);

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
