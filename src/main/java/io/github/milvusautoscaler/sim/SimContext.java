package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.core.Target;
import java.util.Optional;

/**
 * What a policy factory gets to build a policy for one simulation run.
 *
 * @param target   the simulated target its decisions name
 * @param settings the simulator settings (replica bounds, CPU band, HPA flags)
 * @param config   the whole resolved configuration (reference.conf under the user's file), so a
 *                 factory for the real policy can build its settings from the same source
 * @param demand   the run's demand curve (rescaled and compressed): only the clairvoyant lanes read
 *                 it, real policies see the load through their observations alone; empty when a
 *                 policy is built outside a {@link Simulation}
 * @param policy   the settings {@code run} gives a configured target ({@code simulate --target}, cluster and
 *                 component overrides included); empty: {@code defaults} and {@code component-defaults}
 */
public record SimContext(Target target, SimSettings settings, Config config, Optional<LoadTrace> demand,
                         Optional<PolicySettings> policy) {

    public SimContext {
        requireNonNull(target, "target");
        requireNonNull(settings, "settings");
        requireNonNull(config, "config");
        requireNonNull(demand, "demand");
        requireNonNull(policy, "policy");
    }

    /** A context with the demand curve and the layered defaults' policy. */
    public SimContext(Target target, SimSettings settings, Config config, Optional<LoadTrace> demand) {
        this(target, settings, config, demand, Optional.empty());
    }

    /** A context without the demand curve, for policies that do not look ahead. */
    public SimContext(Target target, SimSettings settings, Config config) {
        this(target, settings, config, Optional.empty());
    }
}
