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
 * @param maxStep    the most replicas one scale-out adds, unless {@code maxStepShare} of the current replicas is more
 * @param panicAbove multiple of a signal's {@code scale-out-above} that overrides the cooldown
 *                   and the sustain window; e.g. 1.5 with cpu scale-out-above 0.75 panics above 1.125
 * @param maxStepShare the share of the current replicas one scale-out may add when that is more than
 *                   {@code maxStep}, as the HPA's Percent policy stands beside its Pods one (selectPolicy Max):
 *                   0.25 on 68 replicas allows +17; 0 leaves {@code maxStep} alone
 * @param sizeAhead  how long a new replica takes to serve (pod start plus segment load): a scale-out is also sized so
 *                   that each signal's load, projected this far ahead at its recent rate of rise, stays under its
 *                   line once the new replicas serve; zero: sized on the load now alone
 */
public record ScaleOutSettings(Duration sustain, Duration cooldown, int maxStep, double panicAbove,
                               double maxStepShare, Duration sizeAhead) {

    /** The longest {@code size-ahead}. */
    public static final Duration MAX_SIZE_AHEAD = Duration.ofHours(1);

    public ScaleOutSettings {
        requireNonNull(sustain, "sustain");
        requireNonNull(cooldown, "cooldown");
        requireNonNull(sizeAhead, "sizeAhead");
        Checks checks = new Checks();
        checks.atLeast(maxStep, 1, "max-step");
        checks.that(panicAbove > 1.0, "panic-above", "must be > 1 (a multiple of scale-out-above, e.g. 1.5)");
        checks.that(maxStepShare >= 0 && maxStepShare <= 10, "max-step-share",
                "must be from 0 to 10 (a share of the current replicas, such as 0.25; 0 leaves max-step alone)");
        checks.that(!sizeAhead.isNegative() && sizeAhead.compareTo(MAX_SIZE_AHEAD) <= 0, "size-ahead",
                "must be from 0s (off) to 1h");
        checks.done();
    }

    /** Settings with max-step alone bounding a step (no share of the current replicas), sized on the load now. */
    public ScaleOutSettings(Duration sustain, Duration cooldown, int maxStep, double panicAbove) {
        this(sustain, cooldown, maxStep, panicAbove, 0, Duration.ZERO);
    }

    /** Settings sized on the load now (no size-ahead). */
    public ScaleOutSettings(Duration sustain, Duration cooldown, int maxStep, double panicAbove, double maxStepShare) {
        this(sustain, cooldown, maxStep, panicAbove, maxStepShare, Duration.ZERO);
    }

    /**
     * The most replicas one scale-out adds to {@code current}: max(max-step, ceil(current x max-step-share)).
     * With 2 and 0.25: +2 up to 8 replicas, +17 at 68.
     */
    public int stepCap(int current) {
        // 1e-9: ceil(8 x 0.25) must be 2, not 3 from a representation error.
        return (int) Math.max(maxStep, Math.min(Integer.MAX_VALUE, Math.ceil(current * maxStepShare - 1e-9)));
    }
}
