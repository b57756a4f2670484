package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Decision;
import java.time.Instant;

/**
 * One policy's simulated component right after one tick, for callers that step a run (the demo).
 *
 * @param policy      policy name
 * @param time        simulated time of the tick
 * @param decision    what the policy decided this tick
 * @param replicas    replicas after applying it (pending and warming included)
 * @param ready       ready replicas
 * @param pending     nodes not started yet
 * @param warming     nodes loading segments
 * @param demandQps   demand in requests/s
 * @param capacityQps what the ready nodes serve, drain penalty included
 */
public record PolicyState(String policy, Instant time, Decision decision, int replicas, int ready, int pending,
                          int warming, double demandQps, double capacityQps) {

    public PolicyState {
        requireNonNull(policy, "policy");
        requireNonNull(time, "time");
        requireNonNull(decision, "decision");
    }
}
