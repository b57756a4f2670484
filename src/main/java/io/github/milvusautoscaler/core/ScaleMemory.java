package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Set;

/**
 * The part of the policy's memory a restarted or newly elected daemon needs beyond the last
 * scale, kept as annotations on the scaled object next to the last-scale ones: without it, a
 * fresh daemon steps down 16 minutes after a roll-back where the old one would hold for 30, an
 * alert Alertmanager re-sends after a fail-over scales out a second time, and a step-down to one
 * replica that was reversed an hour ago is taken again on the recurring peak where the old daemon
 * would judge it on the highest one for {@code scale-in.peak-after-reversal}. Null instants mean
 * "none".
 *
 * @param backoffUntil      scale-in is blocked until then after a roll-back
 * @param settleWaitSince   when the current wait for the component to settle began
 * @param lastAlertScaleOut the last alert-driven scale-out (its cooldown runs from it)
 * @param handledAlerts     de-duplication keys of the alerts that scale-out acted on (keys carry the
 *                          alert's start time, so a key never matches a later firing)
 * @param steppedToOneAt    the last step-down to one replica, until a scale-out reverses it
 * @param toOneReversedAt   when the last step-down to one replica was reversed (a scale-out within 15 minutes)
 */
public record ScaleMemory(Instant backoffUntil, Instant settleWaitSince, Instant lastAlertScaleOut,
                          Set<String> handledAlerts, Instant steppedToOneAt, Instant toOneReversedAt) {

    /** Nothing remembered. */
    public static final ScaleMemory NONE = new ScaleMemory(null, null, null, Set.of(), null, null);

    public ScaleMemory {
        handledAlerts = Set.copyOf(requireNonNull(handledAlerts, "handledAlerts"));
    }

    /** A memory with no step-down to one replica remembered. */
    public ScaleMemory(Instant backoffUntil, Instant settleWaitSince, Instant lastAlertScaleOut,
                       Set<String> handledAlerts) {
        this(backoffUntil, settleWaitSince, lastAlertScaleOut, handledAlerts, null, null);
    }
}
