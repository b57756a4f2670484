package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Set;

/**
 * The part of the policy's memory a restarted or newly elected daemon needs beyond the last
 * scale, kept as annotations on the scaled object next to the last-scale ones: without it, a
 * fresh daemon steps down 16 minutes after a roll-back where the old one would hold for 30, and
 * an alert Alertmanager re-sends after a fail-over scales out a second time. Null instants mean
 * "none".
 *
 * @param backoffUntil      scale-in is blocked until then after a roll-back
 * @param settleWaitSince   when the current wait for the component to settle began
 * @param lastAlertScaleOut the last alert-driven scale-out (its cooldown runs from it)
 * @param handledAlerts     de-duplication keys of the alerts that scale-out acted on (keys carry the
 *                          alert's start time, so a key never matches a later firing)
 */
public record ScaleMemory(Instant backoffUntil, Instant settleWaitSince, Instant lastAlertScaleOut,
                          Set<String> handledAlerts) {

    /** Nothing remembered. */
    public static final ScaleMemory NONE = new ScaleMemory(null, null, null, Set.of());

    public ScaleMemory {
        handledAlerts = Set.copyOf(requireNonNull(handledAlerts, "handledAlerts"));
    }
}
