package io.github.milvusautoscaler.cli;

import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.engine.EngineTarget;
import io.github.milvusautoscaler.policy.Policy;
import java.util.List;

/** Builds what the commands run from validated settings records; the adapters take those records as they are. */
final class Assembly {

    private Assembly() {
    }

    /** What the metrics adapter queries, one entry per target, in the settings' order. */
    static List<TargetQueries> queries(List<TargetSettings> targets) {
        return targets.stream().map(TargetSettings::queries).toList();
    }

    /** One engine loop per target, each with the policy its settings describe. */
    static List<EngineTarget> engineTargets(List<TargetSettings> targets) {
        return targets.stream().map(t -> new EngineTarget(t.target(), new Policy(t.policy()))).toList();
    }
}
