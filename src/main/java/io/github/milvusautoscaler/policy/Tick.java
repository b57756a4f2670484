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

    /** True while {@code since + window} is still ahead of now. */
    boolean within(Instant since, Duration window) {
        return since != null && now.isBefore(since.plus(window));
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
