package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * The policy's memory of one target between ticks: sustain timers, the last actions, the
 * step-down being verified, back-off and alert bookkeeping. The engine keeps it and passes it
 * back; nothing is hidden in the policy. Null instants mean "not running".
 *
 * <p>What must survive a restart (last scale time and direction) is also written as annotations
 * on the scaled object and merged back in from {@code ReplicaStatus.lastScale()} each tick.
 *
 * @param highSince          per signal, when its current unbroken HIGH stretch began
 * @param lowSince           when the current stretch of "every signal LOW" began
 * @param unknownSince       when the current stretch of "every signal UNKNOWN" began
 * @param settleWaitSince    when the current wait for the component to settle began
 * @param lastScaleOut       time of the last scale-out (any reason)
 * @param lastScaleIn        time of the last step-down
 * @param verifyUntil        end of the verify window of the last step-down, while it runs
 * @param backoffUntil       scale-in is blocked until then after a roll-back
 * @param lastAlertScaleOut  time of the last alert-driven scale-out
 * @param handledAlerts      de-duplication keys of firing alerts already acted on
 */
public record TargetState(Map<String, Instant> highSince, Instant lowSince, Instant unknownSince,
                          Instant settleWaitSince, Instant lastScaleOut, Instant lastScaleIn, Instant verifyUntil,
                          Instant backoffUntil, Instant lastAlertScaleOut, Set<String> handledAlerts) {

    public TargetState {
        highSince = Map.copyOf(requireNonNull(highSince, "highSince"));
        handledAlerts = Set.copyOf(requireNonNull(handledAlerts, "handledAlerts"));
    }

    /** The state of a target never seen before. */
    public static TargetState initial() {
        return new TargetState(Map.of(), null, null, null, null, null, null, null, null, Set.of());
    }

    TargetState withTimers(Map<String, Instant> high, Instant low, Instant unknown) {
        return new TargetState(high, low, unknown, settleWaitSince, lastScaleOut, lastScaleIn, verifyUntil,
                backoffUntil, lastAlertScaleOut, handledAlerts);
    }

    TargetState withSettleWaitSince(Instant since) {
        return new TargetState(highSince, lowSince, unknownSince, since, lastScaleOut, lastScaleIn, verifyUntil,
                backoffUntil, lastAlertScaleOut, handledAlerts);
    }

    TargetState withLastScaleOut(Instant at) {
        return new TargetState(highSince, lowSince, unknownSince, settleWaitSince, at, lastScaleIn, verifyUntil,
                backoffUntil, lastAlertScaleOut, handledAlerts);
    }

    TargetState withLastScaleIn(Instant at, Instant verifyEnd) {
        return new TargetState(highSince, lowSince, unknownSince, settleWaitSince, lastScaleOut, at, verifyEnd,
                backoffUntil, lastAlertScaleOut, handledAlerts);
    }

    TargetState withVerifyUntil(Instant until) {
        return new TargetState(highSince, lowSince, unknownSince, settleWaitSince, lastScaleOut, lastScaleIn, until,
                backoffUntil, lastAlertScaleOut, handledAlerts);
    }

    TargetState withBackoffUntil(Instant until) {
        return new TargetState(highSince, lowSince, unknownSince, settleWaitSince, lastScaleOut, lastScaleIn,
                verifyUntil, until, lastAlertScaleOut, handledAlerts);
    }

    TargetState withAlerts(Instant lastAlert, Set<String> handled) {
        return new TargetState(highSince, lowSince, unknownSince, settleWaitSince, lastScaleOut, lastScaleIn,
                verifyUntil, backoffUntil, lastAlert, handled);
    }
}
