package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Checks;
import java.time.Duration;

/**
 * How the policy adds replicas.
 *
 * @param sustain    a signal must be HIGH this long before scaling out, unless it rises fast enough to
 *                   pass its line within this (see {@code ScaleOut.rising})
 * @param cooldown   no second scale-out this soon after one (unless panicking), nor this soon after new
 *                   replicas turn ready
 * @param maxStep    the most replicas one scale-out adds
 * @param panicAbove multiple of a signal's {@code scale-out-above} that overrides the cooldown
 *                   and the sustain window; e.g. 1.5 with cpu scale-out-above 0.75 panics above 1.125
 */
public record ScaleOutSettings(Duration sustain, Duration cooldown, int maxStep, double panicAbove) {

    public ScaleOutSettings {
        requireNonNull(sustain, "sustain");
        requireNonNull(cooldown, "cooldown");
        Checks checks = new Checks();
        checks.atLeast(maxStep, 1, "max-step");
        checks.that(panicAbove > 1.0, "panic-above", "must be > 1 (a multiple of scale-out-above, e.g. 1.5)");
        checks.done();
    }
}
