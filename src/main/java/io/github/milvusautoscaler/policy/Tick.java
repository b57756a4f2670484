package io.github.milvusautoscaler.policy;

import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.SignalState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Everything one pass through the pipeline reads: settings, observation, replica status, the
 * state (after {@link Rule#observe}, so timers and averages include this tick), the classified
 * signals, the budget and the time.
 */
record Tick(PolicySettings settings, Observation observation, ReplicaStatus status, TargetState state,
            List<Classified> signals, Budget budget, Instant now) {

    /** The memory of type {@code type} (each rule's own, readable by every rule). */
    <M extends Memory> M memory(Class<M> type) {
        return state.get(type);
    }

    int current() {
        return status.current();
    }

    int ready() {
        return status.ready();
    }

    String component() {
        return observation.target().component().configName();
    }

    boolean any(SignalState s) {
        for (Classified c : signals) {
            if (c.state() == s) {
                return true;
            }
        }
        return false;
    }

    /** True when there are signals and every one is in state {@code s}. */
    boolean all(SignalState s) {
        for (Classified c : signals) {
            if (c.state() != s) {
                return false;
            }
        }
        return !signals.isEmpty();
    }

    /**
     * "3 -> 2", the step-down a hold holds: from the replicas, not from the ready count a pod stuck not ready for
     * the settle timeout leaves lower (message audit M2: "no step-down 3 -> 2; holding at 4").
     */
    String stepDown() {
        return status.current() + " -> " + (status.current() - 1);
    }

    /** " ready" after a count of ready replicas while some replica is not, so it is not read as the replica count. */
    String readyNote() {
        return ready() < status.current() ? " ready" : "";
    }

    /**
     * The configured signals left out because they do not apply to the target, each with why: "; cpu left out:
     * queryNode's 3 pods declare no CPU request (set ...)"; empty when every signal applies. Said where it changes
     * what happens: a step-down decided without them, a hold because nothing else is known.
     */
    String leftOut() {
        StringBuilder b = null;
        for (SignalPolicy band : settings.signals()) {
            Signal s = observation.signals().get(band.name());
            if (s != null && !s.applicable()) {
                b = b == null ? new StringBuilder(160) : b.append(';');
                b.append(' ').append(band.name()).append(" left out: ").append(s.problem());
            }
        }
        return b == null ? "" : ";" + b;
    }

    /**
     * How far short of its end a wait may be at the tick that ends it. A live tick is stamped when it runs (a few ms
     * after its period) and its write goes 0.1-1.5 s after that, and cooldowns run from the write; so a wait that is a
     * whole number of periods (every default: 15m sustain, 5m cooldown at a 15s loop) was a hair short at the tick
     * that should end it ("no step-down for 91ms more") and held a whole period more: the daemon acted a tick after
     * backtest, whose writes go at the tick, on every cooldown and sustain, and the two paths parted within the first
     * few actions (recheck 49, F1). Below any period over 2 s (loop.jitter, 2s by default, must be shorter than the
     * period), so no wait ends a period early there; a write more than this after
     * its tick (a slow API server) still costs one period.
     */
    static final Duration SLACK = Duration.ofSeconds(2);

    /** True while {@code since + window} is still ahead of now by more than {@link #SLACK}. */
    boolean within(Instant since, Duration window) {
        return since != null && before(since.plus(window));
    }

    /** True while {@code until} is still ahead of now by more than {@link #SLACK}. */
    boolean before(Instant until) {
        return now.isBefore(until.minus(SLACK));
    }

    /** Time left of {@code window} started at {@code since}. */
    Duration left(Instant since, Duration window) {
        return Duration.between(now, since.plus(window));
    }

    /**
     * {@code c}'s highest load forecast within {@code forecast.horizon}; empty when forecasting is off or the
     * signal has no trusted forecast (too little history, no season), so a caller decides as without one.
     */
    OptionalDouble horizonLoad(Classified c) {
        return settings.forecast().enabled() ? observation.forecast().horizonPeak(c.name()) : OptionalDouble.empty();
    }

    /**
     * The level a trusted forecast sizes {@code c} for: {@code forecast.fill} x scale-out-above (0.9 x 0.75 = 0.675).
     */
    double fillLine(Classified c) {
        return settings.forecast().fill() * c.band().scaleOutAbove();
    }

    /** " (forecast line 1.13 x 0.75 = 0.8475)" while a trusted forecast has moved {@code c}'s line; empty otherwise. */
    String lineNote(Classified c) {
        return c.forecastLineNote(settings.forecast().line());
    }

    int clamp(int replicas) {
        return Math.max(settings.minReplicas(), Math.min(settings.maxReplicas(), replicas));
    }
}
