package io.github.milvusautoscaler.engine;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.DecisionSink;
import io.github.milvusautoscaler.core.HistorySource;
import io.github.milvusautoscaler.core.LeaderGate;
import io.github.milvusautoscaler.core.MetricsSource;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.SignalQuery;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.policy.Policy;
import io.github.milvusautoscaler.policy.PolicySettings;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine with its policy and sinks, assembled one way for the daemon ({@code run}), the demo and
 * the simulator's real-policy lane, so the three cannot drift apart (a sink forgotten in one, a budget
 * read differently in another). What differs is only what is passed in: the clock (the system's or a
 * manual one), the metrics source and actuator (Prometheus and Kubernetes, or a simulated component),
 * the sinks, the leader gate and the alert source.
 *
 * <p>Defaults: always leader, no alerts, no sinks, writing (not dry-run).
 */
public final class EngineAssembly {

    private final Clock clock;
    private final MetricsSource metrics;
    private final ReplicaActuator actuator;
    private final int maxActionsPerHour;
    private final List<DecisionSink> sinks = new ArrayList<>();
    private final List<EngineListener> listeners = new ArrayList<>();
    private LeaderGate leader = LeaderGate.always();
    private AlertSource alerts = AlertSource.NONE;
    private boolean dryRun;
    private HistorySource history = HistorySource.NONE;

    private EngineAssembly(Clock clock, MetricsSource metrics, ReplicaActuator actuator, int maxActionsPerHour) {
        this.clock = requireNonNull(clock, "clock");
        this.metrics = requireNonNull(metrics, "metrics");
        this.actuator = requireNonNull(actuator, "actuator");
        this.maxActionsPerHour = maxActionsPerHour;
    }

    /**
     * An engine on {@code clock} reading {@code metrics} and writing through {@code actuator}.
     *
     * @param maxActionsPerHour the global budget ({@code max-actions-per-hour}) across every target
     */
    public static EngineAssembly of(Clock clock, MetricsSource metrics, ReplicaActuator actuator, int maxActionsPerHour) {
        return new EngineAssembly(clock, metrics, actuator, maxActionsPerHour);
    }

    /** One loop target with the policy its settings describe. */
    public static EngineTarget target(Target target, PolicySettings policy) {
        return new EngineTarget(target, new Policy(policy));
    }

    /** As {@link #target(Target, PolicySettings)}, knowing what its signals measure ({@link EngineTarget#measures}). */
    public static EngineTarget target(Target target, PolicySettings policy, java.util.List<SignalQuery> signals) {
        return new EngineTarget(target, new Policy(policy), EngineTarget.measures(signals));
    }

    /** As above, each signal's template as {@code render} sends it for this target. */
    public static EngineTarget target(Target target, PolicySettings policy, java.util.List<SignalQuery> signals,
                                      java.util.function.UnaryOperator<String> render) {
        return new EngineTarget(target, new Policy(policy), EngineTarget.measures(signals, render));
    }

    /** Adds a sink that sees every decision, after the ones added before it. */
    public EngineAssembly sink(DecisionSink sink) {
        sinks.add(requireNonNull(sink, "sink"));
        return this;
    }

    /** Adds a listener of reads and writes. */
    public EngineAssembly listener(EngineListener listener) {
        listeners.add(requireNonNull(listener, "listener"));
        return this;
    }

    /** Only while {@code gate} says so does the engine write. */
    public EngineAssembly leader(LeaderGate gate) {
        this.leader = requireNonNull(gate, "gate");
        return this;
    }

    /** Where firing and resolved alerts come from. */
    public EngineAssembly alerts(AlertSource source) {
        this.alerts = requireNonNull(source, "source");
        return this;
    }

    /** Where each target's load history for the seasonal forecast comes from; none by default. */
    public EngineAssembly history(HistorySource source) {
        this.history = requireNonNull(source, "source");
        return this;
    }

    /** Decide and log, write nothing. */
    public EngineAssembly dryRun(boolean on) {
        this.dryRun = on;
        return this;
    }

    /** The engine; one sink or listener that throws never keeps the others from their decision. */
    public Engine build() {
        return new Engine(clock, metrics, actuator, Sinks.all(sinks), leader, alerts, new ActionBudget(maxActionsPerHour),
                dryRun, listeners.isEmpty() ? EngineListener.NONE : Sinks.listeners(listeners), history);
    }
}
