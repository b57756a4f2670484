package io.github.milvusautoscaler.engine;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.policy.Policy;

/** A target the engine runs a loop for, with the policy built from its settings. */
public record EngineTarget(Target target, Policy policy) {

    public EngineTarget {
        requireNonNull(target, "target");
        requireNonNull(policy, "policy");
    }
}
