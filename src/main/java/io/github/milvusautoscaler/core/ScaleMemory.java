package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
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
 * @param blockingAlerts    keys of the firing alerts not in {@code handledAlerts} (those that only block scale-in,
 *                          {@code autoscaler_action: block-scale-in}, and scale-out ones not acted on yet), as the
 *                          leader that received them last saw them: Alertmanager sends to the leader alone, so a new
 *                          leader would otherwise step down under them until they are re-sent
 *                          ({@code repeat_interval}, 4h by default)
 * @param lastAlertBlock    when the newest of {@code blockingAlerts} was first seen (the carry-over runs from it);
 *                          null when there is none
 * @param pendingScaleOuts  the keys of {@code blockingAlerts} that ask for a scale-out this target has not made yet
 *                          (it came in the alert cooldown): a new leader makes it when the cooldown ends, as the
 *                          old one would have, instead of only holding until Alertmanager re-sends the alert
 */
public record ScaleMemory(Instant backoffUntil, Instant settleWaitSince, Instant lastAlertScaleOut,
                          Set<String> handledAlerts, Instant steppedToOneAt, Instant toOneReversedAt,
                          Set<String> blockingAlerts, Instant lastAlertBlock, Set<String> pendingScaleOuts) {

    /** Alert keys kept on the object at most, per set (an annotation value is small; keys are ~100 bytes). */
    public static final int MAX_ALERT_KEYS = 50;

    /** Nothing remembered. */
    public static final ScaleMemory NONE = new ScaleMemory(null, null, null, Set.of(), null, null);

    public ScaleMemory {
        handledAlerts = Set.copyOf(requireNonNull(handledAlerts, "handledAlerts"));
        blockingAlerts = Set.copyOf(requireNonNull(blockingAlerts, "blockingAlerts"));
        // Only a blocking key can be pending: one the target scaled out for is handled, one resolved is gone.
        Set<String> blocking = blockingAlerts;
        pendingScaleOuts = requireNonNull(pendingScaleOuts, "pendingScaleOuts").stream().filter(blocking::contains)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** A memory with no blocking alerts remembered. */
    public ScaleMemory(Instant backoffUntil, Instant settleWaitSince, Instant lastAlertScaleOut,
                       Set<String> handledAlerts, Instant steppedToOneAt, Instant toOneReversedAt) {
        this(backoffUntil, settleWaitSince, lastAlertScaleOut, handledAlerts, steppedToOneAt, toOneReversedAt,
                Set.of(), null, Set.of());
    }

    /**
     * This memory with {@code keys} as the blocking alerts, the newest first seen {@code at}, of which
     * {@code pending} still ask for a scale-out.
     */
    /** This memory with scale-in blocked until {@code until}: what a roll-back leaves for whoever decides next. */
    public ScaleMemory withBackoffUntil(Instant until) {
        return new ScaleMemory(until, settleWaitSince, lastAlertScaleOut, handledAlerts, steppedToOneAt, toOneReversedAt,
                blockingAlerts, lastAlertBlock, pendingScaleOuts);
    }

    public ScaleMemory withBlocking(Set<String> keys, Set<String> pending, Instant at) {
        return new ScaleMemory(backoffUntil, settleWaitSince, lastAlertScaleOut, handledAlerts, steppedToOneAt,
                toOneReversedAt, keys, keys.isEmpty() ? null : at, pending);
    }

    /**
     * True while the alerts this target scaled out for still block scale-in at {@code now}: some are kept and the
     * scale-out was less than {@code carryOver} ago.
     */
    public boolean handledBlockAt(Instant now, Duration carryOver) {
        return !handledAlerts.isEmpty() && within(lastAlertScaleOut, now, carryOver);
    }

    /**
     * True while the blocking alerts still block at {@code now}: some are kept, and the newest was first seen less
     * than {@code carryOver} ago.
     */
    public boolean blockingAt(Instant now, Duration carryOver) {
        return !blockingAlerts.isEmpty() && within(lastAlertBlock, now, carryOver);
    }

    private static boolean within(Instant since, Instant now, Duration carryOver) {
        return since != null && now.isBefore(since.plus(carryOver));
    }

    /** A memory with no step-down to one replica remembered. */
    public ScaleMemory(Instant backoffUntil, Instant settleWaitSince, Instant lastAlertScaleOut,
                       Set<String> handledAlerts) {
        this(backoffUntil, settleWaitSince, lastAlertScaleOut, handledAlerts, null, null);
    }
}
