package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.ScaleMemory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * The policy's memory of one target between ticks: sustain timers, load averages, the last
 * actions, the step-down being verified, back-off and alert bookkeeping. The engine keeps it and
 * passes it back; nothing is hidden in the policy. Null instants mean "not running".
 *
 * <p>What must survive a restart (last scale time and direction; back-off, settle-wait start and
 * handled alerts as {@link ScaleMemory}) is also written as annotations on the scaled object and
 * merged back in from {@code ReplicaStatus.lastScale()} and {@code ReplicaStatus.memory()} each tick.
 *
 * @param highSince          per signal, when its current unbroken HIGH stretch began
 * @param knownSince         when the current stretch of "every signal known" began: the stretch the
 *                           load averages cover; null while any signal is UNKNOWN
 * @param averages           per signal, averages of its load over that stretch ({@link LoadAverages})
 * @param lastTick           time of the previous tick, to weigh the next value of the averages
 * @param unknownSince       when the current stretch of "every signal UNKNOWN" began
 * @param settleWaitSince    when the current wait for the component to settle began
 * @param lastScaleOut       time of the last scale-out (any reason)
 * @param lastScaleIn        time of the last step-down
 * @param verifyUntil        end of the verify window of the last step-down, while it runs
 * @param backoffUntil       scale-in is blocked until then after a roll-back
 * @param lastAlertScaleOut  time of the last alert-driven scale-out
 * @param handledAlerts      de-duplication keys of firing alerts already acted on
 * @param lastReady          ready replicas seen at the previous tick; -1 before the first
 * @param readyRoseAt        when the ready count last rose: until the signals' rate windows have
 *                           moved past it they still describe the smaller set of serving replicas
 */
public record TargetState(Map<String, Instant> highSince, Instant knownSince, LoadAverages averages,
                          Instant lastTick, Instant unknownSince, Instant settleWaitSince, Instant lastScaleOut,
                          Instant lastScaleIn, Instant verifyUntil, Instant backoffUntil, Instant lastAlertScaleOut,
                          Set<String> handledAlerts, int lastReady, Instant readyRoseAt) {

    public TargetState {
        highSince = Map.copyOf(requireNonNull(highSince, "highSince"));
        requireNonNull(averages, "averages");
        handledAlerts = Set.copyOf(requireNonNull(handledAlerts, "handledAlerts"));
    }

    /** The state of a target never seen before. */
    public static TargetState initial() {
        return new TargetState(Map.of(), null, LoadAverages.NONE, null, null, null, null, null, null, null, null,
                Set.of(), -1, null);
    }

    /**
     * The state with the actions remembered at the tick time {@code tick} moved to the time the
     * write was sent, {@code written}: cooldowns, the verify window and back-off run from the write.
     * A tick that spent 2.1 s on queries and wrote at 10:00:02.1 under a 6 s step-down cooldown may
     * step down again from 10:00:08.1, not from 10:00:06.
     */
    public TargetState retimed(Instant tick, Instant written) {
        if (tick.equals(written)) {
            return this;
        }
        Duration shift = Duration.between(tick, written);
        boolean out = tick.equals(lastScaleOut);
        boolean in = tick.equals(lastScaleIn);
        return new TargetState(highSince, knownSince, averages, lastTick, unknownSince, settleWaitSince,
                out ? written : lastScaleOut, in ? written : lastScaleIn,
                in && verifyUntil != null ? verifyUntil.plus(shift) : verifyUntil,
                out && backoffUntil != null && backoffUntil.isAfter(tick) ? backoffUntil.plus(shift) : backoffUntil,
                tick.equals(lastAlertScaleOut) ? written : lastAlertScaleOut, handledAlerts, lastReady, readyRoseAt);
    }

    /**
     * Merges what the object remembers ({@link ScaleMemory}, written by this or another daemon) into
     * the state: the later back-off and alert scale-out, the earlier settle-wait start, the union of
     * handled alerts. A daemon that restarts or takes over thus holds as the one before it would.
     */
    TargetState withMemory(ScaleMemory m) {
        if (m.equals(ScaleMemory.NONE)) {
            return this;
        }
        Instant backoff = later(backoffUntil, m.backoffUntil());
        Instant alert = later(lastAlertScaleOut, m.lastAlertScaleOut());
        Instant settle = settleWaitSince == null ? m.settleWaitSince() : m.settleWaitSince() == null
                ? settleWaitSince : (m.settleWaitSince().isBefore(settleWaitSince) ? m.settleWaitSince() : settleWaitSince);
        Set<String> handled = handledAlerts.containsAll(m.handledAlerts()) ? handledAlerts
                : java.util.stream.Stream.concat(handledAlerts.stream(), m.handledAlerts().stream())
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        return new TargetState(highSince, knownSince, averages, lastTick, unknownSince, settle, lastScaleOut,
                lastScaleIn, verifyUntil, backoff, alert, handled, lastReady, readyRoseAt);
    }

    /** The part of this state kept on the scaled object, with {@code handled} as the alerts to remember. */
    public ScaleMemory memory(Set<String> handled) {
        return new ScaleMemory(backoffUntil, settleWaitSince, lastAlertScaleOut, handled);
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }

    TargetState withTimers(Map<String, Instant> high, Instant known, Instant unknown) {
        return new TargetState(high, known, averages, lastTick, unknown, settleWaitSince, lastScaleOut, lastScaleIn,
                verifyUntil, backoffUntil, lastAlertScaleOut, handledAlerts, lastReady, readyRoseAt);
    }

    TargetState withTimers(Map<String, Instant> high, Instant known, Instant unknown, LoadAverages next, Instant tick) {
        return new TargetState(high, known, next, tick, unknown, settleWaitSince, lastScaleOut, lastScaleIn,
                verifyUntil, backoffUntil, lastAlertScaleOut, handledAlerts, lastReady, readyRoseAt);
    }

    TargetState withSettleWaitSince(Instant since) {
        return new TargetState(highSince, knownSince, averages, lastTick, unknownSince, since, lastScaleOut,
                lastScaleIn, verifyUntil, backoffUntil, lastAlertScaleOut, handledAlerts, lastReady, readyRoseAt);
    }

    TargetState withLastScaleOut(Instant at) {
        return new TargetState(highSince, knownSince, averages, lastTick, unknownSince, settleWaitSince, at,
                lastScaleIn, verifyUntil, backoffUntil, lastAlertScaleOut, handledAlerts, lastReady, readyRoseAt);
    }

    TargetState withLastScaleIn(Instant at, Instant verifyEnd) {
        return new TargetState(highSince, knownSince, averages, lastTick, unknownSince, settleWaitSince,
                lastScaleOut, at, verifyEnd, backoffUntil, lastAlertScaleOut, handledAlerts, lastReady, readyRoseAt);
    }

    TargetState withVerifyUntil(Instant until) {
        return new TargetState(highSince, knownSince, averages, lastTick, unknownSince, settleWaitSince, lastScaleOut,
                lastScaleIn, until, backoffUntil, lastAlertScaleOut, handledAlerts, lastReady, readyRoseAt);
    }

    TargetState withBackoffUntil(Instant until) {
        return new TargetState(highSince, knownSince, averages, lastTick, unknownSince, settleWaitSince, lastScaleOut,
                lastScaleIn, verifyUntil, until, lastAlertScaleOut, handledAlerts, lastReady, readyRoseAt);
    }

    TargetState withAlerts(Instant lastAlert, Set<String> handled) {
        return new TargetState(highSince, knownSince, averages, lastTick, unknownSince, settleWaitSince, lastScaleOut,
                lastScaleIn, verifyUntil, backoffUntil, lastAlert, handled, lastReady, readyRoseAt);
    }

    TargetState withReady(int ready, Instant roseAt) {
        return new TargetState(highSince, knownSince, averages, lastTick, unknownSince, settleWaitSince, lastScaleOut,
                lastScaleIn, verifyUntil, backoffUntil, lastAlertScaleOut, handledAlerts, ready, roseAt);
    }
}
