package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.HistorySource;
import io.github.milvusautoscaler.core.MetricsSource;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.engine.Engine;
import io.github.milvusautoscaler.engine.EngineAssembly;
import io.github.milvusautoscaler.engine.EngineTarget;
import io.github.milvusautoscaler.engine.ManualClock;
import io.github.milvusautoscaler.policy.Policy;
import io.github.milvusautoscaler.policy.PolicySettings;
import java.time.Instant;

/**
 * The real autoscaler in the simulator: the daemon's {@link Engine} and {@link Policy}, on a
 * manual clock, with the simulator's observation and replica status as its metrics source and
 * actuator. Whatever the daemon would decide on the same signals, this decides.
 */
public final class MilvusAutoscalerSimPolicy implements SimPolicy {

    /** The registry name. */
    public static final String NAME = "milvus-autoscaler";

    private final ManualClock clock = new ManualClock(Instant.EPOCH);
    private final Engine engine;
    private final EngineTarget target;
    private Observation observation;
    private ReplicaStatus status;

    /** Builds the policy from the same configuration layers a real target of this component gets. */
    public MilvusAutoscalerSimPolicy(SimContext ctx) {
        requireNonNull(ctx, "ctx");
        PolicySettings settings = ctx.policy().orElseGet(
                () -> ConfigLoader.policyFor(ctx.config(), ctx.target().component()));
        this.target = EngineAssembly.target(ctx.target(), settings);
        MetricsSource metrics = (t, at) -> observation;
        ReplicaActuator actuator = new ReplicaActuator() {
            @Override
            public ReplicaStatus read(io.github.milvusautoscaler.core.Target t) {
                return status;
            }

            @Override
            public void apply(Decision decision, ReplicaStatus basis) {
                // The simulator writes decision.to() to its component after the tick.
            }
        };
        int budget = ctx.config().getInt(ConfigLoader.ROOT + ".max-actions-per-hour");
        // The daemon's and the demo's assembly, without their sinks: the simulator scores the decisions itself.
        // The forecast's history is the trace's past (TraceHistory never answers past the tick's hour).
        HistorySource history = ctx.demand().<HistorySource>map(d -> new TraceHistory(d, ctx.settings().model()
                .capacityQps(), settings.forecast())).orElse(HistorySource.NONE);
        this.engine = EngineAssembly.of(clock, metrics, actuator, budget).history(history).build();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision tick(Observation observation, ReplicaStatus status, Instant now) {
        this.observation = requireNonNull(observation, "observation");
        this.status = requireNonNull(status, "status");
        clock.set(now);
        return engine.tick(target);
    }
}
