package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.DecisionSink;
import java.time.Duration;

/**
 * Counts one policy's actions as they happen: scale-outs, scale-ins, the largest step-down and
 * reversals. A reversal is an action in the opposite direction to the previous action, within
 * {@code reversal-window} (10 min) of it: out at 12:00 then in at 12:08 is one; out at 12:00 then
 * in at 12:11 is none, nor is out at 12:00 then out at 12:05.
 *
 * <p>A {@link DecisionSink}, so the demo can count the real engine's decisions the same way.
 */
public final class ScoreKeeper implements DecisionSink {

    private final String policy;
    private final long reversalWindowMillis;
    private int scaleOuts;
    private int scaleIns;
    private int reversals;
    private int largestStepDown;
    private Action lastAction;
    private long lastActionMillis;

    public ScoreKeeper(String policy, Duration reversalWindow) {
        this.policy = requireNonNull(policy, "policy");
        this.reversalWindowMillis = requireNonNull(reversalWindow, "reversalWindow").toMillis();
    }

    @Override
    public void record(Decision d) {
        requireNonNull(d, "decision");
        if (!d.isScale() || d.from() == null) {
            return;
        }
        long t = d.time().toEpochMilli();
        if (d.action() == Action.SCALE_OUT) {
            scaleOuts++;
        } else {
            scaleIns++;
            largestStepDown = Math.max(largestStepDown, d.from() - d.to());
        }
        if (lastAction != null && lastAction != d.action() && t - lastActionMillis <= reversalWindowMillis) {
            reversals++;
        }
        lastAction = d.action();
        lastActionMillis = t;
    }

    /** The scorecard from these counts and the component's totals. */
    public Scorecard scorecard(SimulatedComponent.Totals totals) {
        requireNonNull(totals, "totals");
        return new Scorecard(policy, Math.round(totals.overloadSeconds()), Math.round(totals.hotSeconds()),
                Math.round(totals.nodeSeconds()), scaleOuts, scaleIns, reversals, largestStepDown,
                totals.minReplicas(), totals.maxReplicas());
    }

    public int scaleOuts() {
        return scaleOuts;
    }

    public int scaleIns() {
        return scaleIns;
    }

    public int reversals() {
        return reversals;
    }

    public int largestStepDown() {
        return largestStepDown;
    }
}
