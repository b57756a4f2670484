package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the policy removes replicas: always one at a time, then waits and checks.
 *
 * @param sustain            every signal must be known this long, and its average over it LOW, before a
 *                           step-down
 * @param cooldown           minimum time between two step-downs
 * @param delayAfterScaleOut no step-down this soon after a scale-out
 * @param verifyWindow       after a step-down, a HIGH signal or failing health this soon rolls it back
 * @param backoff            after a roll-back, no step-down for this long
 * @param settleTimeout      the longest a step-down waits for the component to settle
 */
public record ScaleInSettings(Duration sustain, Duration cooldown, Duration delayAfterScaleOut,
                              Duration verifyWindow, Duration backoff, Duration settleTimeout) {

    public ScaleInSettings {
        requireNonNull(sustain, "sustain");
        requireNonNull(cooldown, "cooldown");
        requireNonNull(delayAfterScaleOut, "delayAfterScaleOut");
        requireNonNull(verifyWindow, "verifyWindow");
        requireNonNull(backoff, "backoff");
        requireNonNull(settleTimeout, "settleTimeout");
    }
}
