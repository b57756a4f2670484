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

    /**
     * The next state of a dry run: its action remembered as {@link #next} remembers it (the cooldowns a written one
     * would start), but the count the next tick expects is still the one read, as nothing changed it. Expecting the
     * rehearsed count, a dry-run daemon read each step-down it did not write as a count raised outside it, and held
     * its next for delay-after-scale-out (recheck 21, N-F1).
     */
    public TargetState rehearsed() {
        ScaleOut.Timers acted = next.get(ScaleOut.Timers.class);
        ScaleOut.Timers read = unapplied.get(ScaleOut.Timers.class);
        ScaleOut.Timers rehearsed = acted.withOutside(read.outside());
        return rehearsed == acted ? next : next.with(rehearsed);
    }
}
