package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Decision;

/**
 * What one {@link Policy#decide} returns: the decision and the state for the next tick.
 *
 * @param decision   the decision, HOLD included
 * @param next       the next state if the decision's write happened (or was a HOLD)
 * @param unapplied  the next state if the write failed: timers advance but no action is
 *                   remembered, so cooldowns do not start for a scale that never happened
 */
public record Outcome(Decision decision, TargetState next, TargetState unapplied) {

    public Outcome {
        requireNonNull(decision, "decision");
        requireNonNull(next, "next");
        requireNonNull(unapplied, "unapplied");
    }
}
