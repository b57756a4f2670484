package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import io.github.milvusautoscaler.core.Target;

/**
 * What a policy factory gets to build a policy for one simulation run.
 *
 * @param target   the simulated target its decisions name
 * @param settings the simulator settings (replica bounds, CPU band, HPA flags)
 * @param config   the whole resolved configuration (reference.conf under the user's file), so a
 *                 factory for the real policy can build its settings from the same source
 */
public record SimContext(Target target, SimSettings settings, Config config) {

    public SimContext {
        requireNonNull(target, "target");
        requireNonNull(settings, "settings");
        requireNonNull(config, "config");
    }
}
