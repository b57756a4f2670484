package io.github.milvusautoscaler.core;

/**
 * Why a decision is what it is, as a {@link Decision} carries it: a name for logs, metrics and
 * Events, the one action it allows, and the stage that gives it. The autoscaler's own vocabulary is
 * {@link Reason}; the simulator's HPA baselines have theirs ({@code sim.HpaReason}), so a baseline's
 * decision never reads as one of this policy's rules.
 */
public interface DecisionReason {

    /** The name written to logs, metrics and annotations, e.g. {@code SIGNAL_HIGH}. */
    String name();

    /** The action a decision with this reason carries. */
    Action action();

    /** True when a decision with this reason may carry {@code a}: its {@link #action()} unless it says otherwise. */
    default boolean allows(Action a) {
        return action() == a;
    }

    /** The rule (or producer outside the rules) that gives this reason. */
    Stage stage();

    /** True for HOLD reasons that stopped an action the signals asked for (counted as "blocked"). */
    boolean blocksAction();
}
