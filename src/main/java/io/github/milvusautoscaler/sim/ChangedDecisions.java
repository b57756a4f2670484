package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.DecisionReason;
import io.github.milvusautoscaler.core.DecisionSink;

/**
 * Passes on every action and every HOLD whose reason differs from the previous decision's; drops
 * repeated HOLDs. Why: a simulated year is over a million ticks per policy, and logging every
 * HOLD would write hundreds of megabytes that say "IN_BAND" again; a reader still sees every
 * change of state, and a HOLD's reason holds until the next logged line.
 */
public final class ChangedDecisions implements DecisionSink {

    private final DecisionSink delegate;
    private DecisionReason previous;
    private long passed;
    private long dropped;

    public ChangedDecisions(DecisionSink delegate) {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    @Override
    public void record(Decision decision) {
        requireNonNull(decision, "decision");
        DecisionReason reason = decision.reason();
        if (decision.isScale() || reason != previous) {
            delegate.record(decision);
            passed++;
        } else {
            dropped++;
        }
        previous = reason;
    }

    /** Decisions passed on. */
    public long passed() {
        return passed;
    }

    /** Repeated HOLDs dropped. */
    public long dropped() {
        return dropped;
    }
}
