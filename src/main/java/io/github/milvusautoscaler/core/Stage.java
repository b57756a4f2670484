package io.github.milvusautoscaler.core;

/**
 * Which part of the autoscaler decided: one of the policy's rules, in pipeline order, or a
 * producer outside the rules. Every {@link Reason} declares its stage, so a decision's stage
 * follows from its reason and each reason belongs to exactly one rule (README, "The policy").
 */
public enum Stage {
    /** Paused, rollout in progress, replicas outside [min, max]. */
    GUARDS(true),
    /** A step-down within its verify window that harmed the service is put back. */
    VERIFY_STEP_DOWN(true),
    /** A firing scale-out alert adds replicas at once. */
    ALERTS(true),
    /** A {@code scheduled} floor is on: move up to it, and no step-down below it. */
    SCHEDULED_FLOOR(true),
    /** Every signal UNKNOWN: hold, or the configured fallback. */
    UNKNOWN_DATA(true),
    /** A HIGH or fast-rising signal scales out, within sustain, cooldown and max-replicas. */
    SCALE_OUT(true),
    /** The seasonal forecast: scale out ahead of a forecast rise, hold a step-down a forecast rise would undo. */
    FORECAST(true),
    /** A step-down must also fit the recent peak of each signal's load. */
    RECENT_PEAK(true),
    /** Averages LOW for the sustain and the component settled: remove one node. */
    STEP_DOWN(true),
    /** Nothing asked for a change. */
    IN_BAND(true),
    /**
     * The global {@code max-actions-per-hour} budget, kept by the engine across targets and applied
     * to whatever a rule settled on: not a rule.
     */
    BUDGET(false),
    /** The engine itself, e.g. the owning object could not be read: the policy never ran. */
    ENGINE(false),
    /** A person's explicit command (the {@code scale} command), not the policy. */
    MANUAL(false),
    /** A simulator baseline (the HPA lanes), not this autoscaler's policy. */
    BASELINE(false);

    private final boolean rule;

    Stage(boolean rule) {
        this.rule = rule;
    }

    /** True for the rules of the policy's pipeline; false for reasons produced outside it. */
    public boolean isRule() {
        return rule;
    }
}
