package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

/**
 * One policy's result on one trace: what it cost, how often the service suffered, and how much
 * it churned. Seconds are whole seconds, rounded.
 *
 * @param policy          policy name
 * @param overloadSeconds seconds with demand above ready capacity (the SLO breach)
 * @param hotSeconds      seconds with utilization above {@code hot-above} (0.85)
 * @param nodeSeconds     replicas, pending and warming included, integrated over time (the bill)
 * @param scaleOuts       scale-out actions
 * @param scaleIns        scale-in actions
 * @param reversals       actions opposite to the previous action within {@code reversal-window} of it
 * @param largestStepDown most replicas removed by one action
 * @param minReplicas     fewest replicas at any time
 * @param maxReplicas     most replicas at any time
 */
public record Scorecard(String policy, long overloadSeconds, long hotSeconds, long nodeSeconds, int scaleOuts,
                        int scaleIns, int reversals, int largestStepDown, int minReplicas, int maxReplicas) {

    public Scorecard {
        requireNonNull(policy, "policy");
    }

    /** Scale actions of either direction: each one moves segments in Milvus. */
    public int actions() {
        return scaleOuts + scaleIns;
    }
}
