package io.github.milvusautoscaler.core;

/**
 * Why a decision is what it is. Every HOLD and every action carries exactly one reason, so
 * metrics, status and Kubernetes Events can count and explain them. Each reason names the one
 * {@link Stage} that gives it (a rule of the policy, or the engine), so a decision's stage follows
 * from its reason.
 */
public enum Reason implements DecisionReason {
    // Guards
    /** {@code milvus-autoscaler.io/paused: "true"} on the object. HOLD. */
    PAUSED(Action.HOLD, Stage.GUARDS),
    /**
     * The component is at 0 replicas: someone stopped it (the operator's {@code Stopped} state, every component at
     * {@code replicas: 0}; {@code kubectl scale --replicas=0}), and min-replicas is at least 1, so it is not ours to
     * start. Kubernetes' HPA does the same (ScalingDisabled: "scaling is disabled since the replica count of the
     * target is zero"). HOLD.
     */
    SCALED_TO_ZERO(Action.HOLD, Stage.GUARDS),
    /** A rollout is in progress; writing now would fight it. HOLD. */
    ROLLOUT(Action.HOLD, Stage.GUARDS),
    /** Current replicas below {@code min-replicas}: move up to it. SCALE_OUT. */
    BELOW_MIN(Action.SCALE_OUT, Stage.GUARDS),
    /** Current replicas above {@code max-replicas}: step down by one toward it. SCALE_IN. */
    ABOVE_MAX(Action.SCALE_IN, Stage.GUARDS),

    // Scheduled floor
    /** A {@code scheduled} window's min-replicas is above the current count: move up to it. SCALE_OUT. */
    SCHEDULED_FLOOR(Action.SCALE_OUT, Stage.SCHEDULED_FLOOR),
    /** A step-down would go below the floor of a {@code scheduled} window that is on. HOLD. */
    AT_SCHEDULED_FLOOR(Action.HOLD, Stage.SCHEDULED_FLOOR),

    // Unknown data
    /** Every signal is UNKNOWN: hold rather than guess. HOLD. */
    ALL_SIGNALS_UNKNOWN(Action.HOLD, Stage.UNKNOWN_DATA),
    /** Every signal has been UNKNOWN for {@code fallback.after} and fallback says scale out. SCALE_OUT. */
    FALLBACK_SCALE_OUT(Action.SCALE_OUT, Stage.UNKNOWN_DATA),

    // Step-down verification
    /** A step-down was followed by a HIGH signal or failing health within the verify window. SCALE_OUT. */
    STEP_DOWN_ROLLBACK(Action.SCALE_OUT, Stage.VERIFY_STEP_DOWN),

    // Alerts
    /** A firing alert routed to this target asks for more replicas. SCALE_OUT. */
    ALERT_SCALE_OUT(Action.SCALE_OUT, Stage.ALERTS),
    /** A new alert asked for a scale-out within the alert cooldown. HOLD. */
    ALERT_COOLDOWN(Action.HOLD, Stage.ALERTS),
    /** A firing alert forbids scale-in (given by the step-down rule, which the alert blocks). HOLD. */
    ALERT_BLOCKS_SCALE_IN(Action.HOLD, Stage.STEP_DOWN),

    // Scale-out
    /** A known signal has been HIGH for {@code scale-out.sustain}. SCALE_OUT. */
    SIGNAL_HIGH(Action.SCALE_OUT, Stage.SCALE_OUT),
    /**
     * A signal above its target rises fast enough to pass its threshold within {@code scale-out.sustain}:
     * scale out now rather than wait for it, since rate-based signals lag the load. SCALE_OUT.
     */
    SIGNAL_RISING(Action.SCALE_OUT, Stage.SCALE_OUT),
    /** A signal is above {@code panic-above} x its threshold: scale out despite the cooldown. SCALE_OUT. */
    PANIC(Action.SCALE_OUT, Stage.SCALE_OUT),
    /** A signal is HIGH but not yet for {@code scale-out.sustain}. HOLD. */
    SUSTAINING_HIGH(Action.HOLD, Stage.SCALE_OUT),
    /**
     * Scale-out wanted but the last one, or new replicas turning ready (whose load the rate-based
     * signals do not show yet), was within {@code scale-out.cooldown}. HOLD.
     */
    SCALE_OUT_COOLDOWN(Action.HOLD, Stage.SCALE_OUT),
    /** Scale-out wanted but already at {@code max-replicas}. HOLD. */
    AT_MAX(Action.HOLD, Stage.SCALE_OUT),
    /** Replicas are still starting, and once ready they would bring every signal under its line. HOLD. */
    AWAITING_READY(Action.HOLD, Stage.SCALE_OUT),

    // Forecast
    /** The seasonal forecast's load within {@code forecast.lead} needs more replicas than run: add them now. SCALE_OUT. */
    PRESCALE_FORECAST(Action.SCALE_OUT, Stage.FORECAST),
    /** A step-down the load forecast within {@code forecast.horizon} would not fit at {@code forecast.fill} of the line. HOLD. */
    FORECAST_HOLDS_SCALE_IN(Action.HOLD, Stage.FORECAST),

    // Recent peak
    /** A step-down would not fit the recent peak of a signal's load ({@code scale-in.peak-window}). HOLD. */
    PEAK_WOULD_OVERLOAD(Action.HOLD, Stage.RECENT_PEAK),

    // Step-down (its gate also holds the guards' step toward max-replicas)
    /** Every signal known for {@code scale-in.sustain} and its average over it LOW: remove one node. SCALE_IN. */
    SIGNALS_LOW(Action.SCALE_IN, Stage.STEP_DOWN),
    /** Every signal's average is LOW, but the signals have been known for less than {@code scale-in.sustain}. HOLD. */
    SUSTAINING_LOW(Action.HOLD, Stage.STEP_DOWN),
    /** Some signals are LOW but at least one is UNKNOWN: never scale in on partial data. HOLD. */
    PARTIAL_DATA(Action.HOLD, Stage.STEP_DOWN),
    /** Removing one node would push a signal past its target. HOLD. */
    SCALE_IN_WOULD_OVERLOAD(Action.HOLD, Stage.STEP_DOWN),
    /** Within {@code scale-in.delay-after-scale-out} of a scale-out. HOLD. */
    SCALE_IN_DELAY_AFTER_SCALE_OUT(Action.HOLD, Stage.STEP_DOWN),
    /** Within {@code scale-in.cooldown} of the last step-down. HOLD. */
    SCALE_IN_COOLDOWN(Action.HOLD, Stage.STEP_DOWN),
    /** The last step-down has not settled (replicas not ready or data still moving). HOLD. */
    SETTLING(Action.HOLD, Stage.STEP_DOWN),
    /**
     * Still not settled after {@code scale-in.settle-timeout}: a node that does not finish handing off, a
     * replica that never turns ready, or a settle query that stays UNKNOWN. Still a HOLD (never step down
     * while data is known to move or cannot be read), reported apart so it can be alerted on.
     */
    SETTLE_TIMEOUT(Action.HOLD, Stage.STEP_DOWN),
    /**
     * The last step-down's verify window has ended but the health query could not be read since: the step
     * is not verified, so no further step-down until the health query answers. HOLD.
     */
    STEP_DOWN_UNVERIFIED(Action.HOLD, Stage.STEP_DOWN),
    /** Scale-in is blocked for {@code scale-in.backoff} after a rolled-back step-down. HOLD. */
    SCALE_IN_BACKOFF(Action.HOLD, Stage.STEP_DOWN),
    /**
     * A rollout that does not progress (past its deadline, paused, or held by a StatefulSet's partition or OnDelete
     * strategy): scale-out still acts, as Kubernetes scales a Deployment mid-rollout and the HPA would, but no
     * step-down, which could remove a serving pod of the old template while the new one does not serve. HOLD.
     */
    ROLLOUT_STALLED(Action.HOLD, Stage.STEP_DOWN),
    /** Scale-in wanted but already at {@code min-replicas}. HOLD. */
    AT_MIN(Action.HOLD, Stage.STEP_DOWN),
    /**
     * A step-down would leave fewer replicas than the {@code replica-floor-query} reads (for queryNode, the fewest
     * nodes its loaded in-memory replicas need: Milvus serves each replica of a collection from nodes of its own), or
     * that query cannot be read. HOLD.
     */
    REPLICA_FLOOR(Action.HOLD, Stage.STEP_DOWN),

    // Outside the rules: the global budget (applied by the policy to what a rule settled on)
    /** The global {@code max-actions-per-hour} budget is spent. HOLD. */
    BUDGET_EXHAUSTED(Action.HOLD, Stage.BUDGET),

    // In band
    /**
     * No rule asked for a change: every signal inside its band, or none above its line while a step-down is not
     * yet considered (an average not below scale-in-below, an unknown signal beside an in-band one); the message
     * says which. HOLD.
     */
    IN_BAND(Action.HOLD, Stage.IN_BAND),

    // Engine
    /** The owning object could not be read (missing, forbidden, API error): nothing is known. HOLD. */
    TARGET_UNAVAILABLE(Action.HOLD, Stage.ENGINE),

    // Commands
    /**
     * A person asked for this count with the {@code scale} command, not a policy rule: the command writes it
     * with the last-scale annotations and Events so the daemon's cooldowns see the manual change. Either
     * direction (SCALE_OUT or SCALE_IN, see {@link #allows}); {@link #action()} names SCALE_IN, the step-down
     * Milvus documents doing by hand.
     */
    MANUAL_SCALE(Action.SCALE_IN, Stage.MANUAL);

    private final Action action;
    private final Stage stage;

    Reason(Action action, Stage stage) {
        this.action = action;
        this.stage = stage;
    }

    @Override
    public Stage stage() {
        return stage;
    }

    @Override
    public Action action() {
        return action;
    }

    /** True when a decision with this reason may carry {@code a}: {@link #action()}, or either scale for MANUAL_SCALE. */
    @Override
    public boolean allows(Action a) {
        return this == MANUAL_SCALE ? a != Action.HOLD : action == a;
    }

    @Override
    public boolean blocksAction() {
        return switch (this) {
            case PAUSED, SCALED_TO_ZERO, ROLLOUT, ALERT_COOLDOWN, ALERT_BLOCKS_SCALE_IN, SCALE_OUT_COOLDOWN, AT_MAX,
                    PARTIAL_DATA, SCALE_IN_WOULD_OVERLOAD, PEAK_WOULD_OVERLOAD, FORECAST_HOLDS_SCALE_IN, SCALE_IN_DELAY_AFTER_SCALE_OUT,
                    SCALE_IN_COOLDOWN, SETTLING,
                    SETTLE_TIMEOUT, STEP_DOWN_UNVERIFIED, SCALE_IN_BACKOFF, ROLLOUT_STALLED, BUDGET_EXHAUSTED -> true;
            default -> false;
        };
    }
}
