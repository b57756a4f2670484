package io.github.milvusautoscaler.engine;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.TargetState;
import java.time.Duration;
import java.time.Instant;

/**
 * What the engine knows of one target after its last tick: what status, metrics and the
 * dashboard show. Fields are null until the first tick has produced them.
 *
 * @param target       the target
 * @param settings     its policy settings (thresholds for the status page and gauges)
 * @param status       the last replica status read, or null if it could not be read
 * @param observation  the last observation, or null
 * @param decision     the last decision, or null before the first tick
 * @param state        the policy state after the last tick
 * @param problem      the last error reading or writing the target; empty when none
 * @param leader       whether this daemon was leader at the last tick
 * @param tickDuration how long the last tick took
 * @param rolloutReadsSameSince when this daemon first read the target's rollout as it reads now; null when no rollout
 *                     is in progress. It counts from this process's first tick on it, so a restart starts it again.
 */
public record TargetView(Target target, PolicySettings settings, ReplicaStatus status, Observation observation,
                         Decision decision, TargetState state, String problem, boolean leader, Duration tickDuration,
                         Instant rolloutReadsSameSince) {

    /** As recorded, or null when the last status read shows no rollout (or none could be read this tick). */
    @Override
    public Instant rolloutReadsSameSince() {
        return status != null && status.rollout() ? rolloutReadsSameSince : null;
    }

    public TargetView {
        requireNonNull(target, "target");
        requireNonNull(settings, "settings");
        requireNonNull(state, "state");
        requireNonNull(problem, "problem");
        requireNonNull(tickDuration, "tickDuration");
    }

    /**
     * True when the rollout has read the same for {@link Engine#ROLLOUT_UNMOVED} (10m) or more at {@code now}, as the
     * WARN says it: a hand-over whose new pod never turns ready holds every decision, and Kubernetes, with the month's
     * progress deadline the operator gives it, never calls it stalled (recheck 37, R2: only the log said so).
     */
    public boolean rolloutUnmoved(Instant now) {
        return rolloutReadsSameSince() != null
                && Duration.between(rolloutReadsSameSince, now).compareTo(Engine.ROLLOUT_UNMOVED) >= 0;
    }

    /**
     * Scale-out cooldown left at {@code now}, from the last scale-out or from new replicas turning ready since,
     * whichever ends later (the policy holds a scale-out for both); zero when none runs.
     */
    public Duration scaleOutCooldownLeft(Instant now) {
        return max(left(state.lastScaleOut(), settings.scaleOut().cooldown(), now),
                left(state.readyRoseAt(), settings.scaleOut().cooldown(), now));
    }

    /** Step-down cooldown left at {@code now}: the longer of the step-down cooldown and the delay after a scale-out. */
    public Duration scaleInCooldownLeft(Instant now) {
        return cooldownLeft(now).compareTo(delayLeft(now)) >= 0 ? cooldownLeft(now) : delayLeft(now);
    }

    /**
     * Which wait {@link #scaleInCooldownLeft} is at {@code now}: "delay-after-scale-out" when the delay after a
     * scale-out ends later than the step-down cooldown, else "scale-in cooldown" (recheck 10: a 3m delay after a
     * scale-out showed as "scale-in cooldown 2m42s" where the cooldown was 2m); "none" when neither runs.
     */
    public String scaleInWaitName(Instant now) {
        if (cooldownLeft(now).isZero() && delayLeft(now).isZero()) {
            return "none"; // "scale-in cooldown" at 0 s read as the wait of a target that never stepped down
        }
        return cooldownLeft(now).compareTo(delayLeft(now)) >= 0 ? "scale-in cooldown" : "delay-after-scale-out";
    }

    /** The scale-in cooldown left, from the last step-down, its own or a count someone else lowered. */
    private Duration cooldownLeft(Instant now) {
        return max(left(state.lastScaleIn(), settings.scaleIn().cooldown(), now),
                left(state.lastOutsideMove(false), settings.scaleIn().cooldown(), now));
    }

    /** The delay after a scale-out left, from the last rise, its own or a count someone else raised. */
    private Duration delayLeft(Instant now) {
        return max(left(state.lastScaleOut(), settings.scaleIn().delayAfterScaleOut(), now),
                left(state.lastOutsideMove(true), settings.scaleIn().delayAfterScaleOut(), now));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * The sustain the last decision waits out at {@code now}, by name: "scale-in sustain" while it sustains a LOW
     * (SUSTAINING_LOW), "scale-out sustain" while it sustains a HIGH (SUSTAINING_HIGH), with the time left; the status
     * page's waits showed none while the message said "over 44s of 1m sustain" (recheck 60, F5). Empty otherwise.
     */
    public java.util.Optional<java.util.Map.Entry<String, Duration>> sustainLeft(Instant now) {
        if (decision == null) {
            return java.util.Optional.empty();
        }
        if (decision.reason() == io.github.milvusautoscaler.core.Reason.SUSTAINING_LOW && state.lowStretchSince() != null) {
            return java.util.Optional.of(java.util.Map.entry("scale-in sustain",
                    left(state.lowStretchSince(), settings.scaleIn().sustain(), now)));
        }
        if (decision.reason() == io.github.milvusautoscaler.core.Reason.SUSTAINING_HIGH && state.highSince() != null) {
            return java.util.Optional.of(java.util.Map.entry("scale-out sustain",
                    left(state.highSince(), settings.scaleOut().sustain(), now)));
        }
        return java.util.Optional.empty();
    }

    /** Most the settle wait can still last at {@code now}; zero when not waiting. */
    public Duration settleTimeLeft(Instant now) {
        return left(state.settleWaitSince(), settings.scaleIn().settleTimeout(), now);
    }

    /**
     * Why {@code signal} has no forecast at {@code now}, in the words {@code signals} prints ("its history reaches back
     * 30h, less than forecast.min-history (2d)"); empty when it has one, when forecasting is off, before the first
     * observation, and for a signal the load history does not hold (memory: not a load per replica, never forecast,
     * where it read "no history of it could be read" beside cpu's reason; recheck 21).
     */
    public java.util.Optional<String> forecastUnknown(String signal, Instant now) {
        if (observation == null || !settings.forecast().enabled()
                || observation.forecast().leadPeak(signal).isPresent()) {
            return java.util.Optional.empty();
        }
        io.github.milvusautoscaler.core.LoadHistory history = observation.forecast().history();
        if (history != io.github.milvusautoscaler.core.LoadHistory.NONE && !history.signals().contains(signal)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(io.github.milvusautoscaler.policy.SeasonalForecast.whyNone(history, signal, now,
                settings.forecast()).orElse("no forecast within forecast.lead"));
    }

    private static Duration left(Instant since, Duration window, Instant now) {
        if (since == null) {
            return Duration.ZERO;
        }
        Duration d = Duration.between(now, since.plus(window));
        return d.isNegative() ? Duration.ZERO : d;
    }
}
