package io.github.milvusautoscaler.engine;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.DecisionSink;
import io.github.milvusautoscaler.core.LeaderGate;
import io.github.milvusautoscaler.core.MetricsSource;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.policy.Outcome;
import io.github.milvusautoscaler.policy.TargetState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One tick of one target: read the replica status, observe, decide, write if leader and the
 * count changes, record. The only holder of a {@link Clock}; the policy gets {@code now} as an
 * argument. Ticks of different targets may run concurrently; one target's ticks must not.
 */
public final class Engine {

    private final Clock clock;
    private final MetricsSource metrics;
    private final ReplicaActuator actuator;
    private final DecisionSink sink;
    private final LeaderGate leader;
    private final AlertSource alerts;
    private final ActionBudget budget;
    private final boolean dryRun;
    private final EngineListener listener;
    private final Map<Target, TargetView> views = new ConcurrentHashMap<>();

    public Engine(Clock clock, MetricsSource metrics, ReplicaActuator actuator, DecisionSink sink, LeaderGate leader,
                  AlertSource alerts, ActionBudget budget, boolean dryRun, EngineListener listener) {
        this.clock = requireNonNull(clock, "clock");
        this.metrics = requireNonNull(metrics, "metrics");
        this.actuator = requireNonNull(actuator, "actuator");
        this.sink = requireNonNull(sink, "sink");
        this.leader = requireNonNull(leader, "leader");
        this.alerts = requireNonNull(alerts, "alerts");
        this.budget = requireNonNull(budget, "budget");
        this.dryRun = dryRun;
        this.listener = requireNonNull(listener, "listener");
    }

    /** Runs one tick for {@code target} and returns its decision (exactly one per tick, HOLD included). */
    public Decision tick(EngineTarget target) {
        Instant started = clock.instant();
        Target t = target.target();
        TargetView before = views.get(t);
        TargetState state = before == null ? TargetState.initial() : before.state();
        boolean isLeader = leader.isLeader();

        Decision decision;
        ReplicaStatus status = null;
        Observation observation = null;
        String problem = "";
        try {
            status = actuator.read(t);
            observation = metrics.observe(t, started).withAlerts(alerts.firing(t, started));
            Outcome outcome = target.policy().decide(observation, status, state, budget.view(started), started);
            decision = outcome.decision();
            state = outcome.next();
            if (decision.isScale()) {
                if (dryRun) {
                    decision = decision.asDryRun();
                } else if (!isLeader) {
                    // A follower shows what it would do but remembers no action it did not write:
                    // the leader's writes reach it through the last-scale annotations.
                    state = outcome.unapplied();
                } else {
                    Written w = write(target, outcome, status, started);
                    decision = w.decision;
                    state = w.state;
                    status = w.status;
                    problem = w.problem;
                }
            }
        } catch (ActuationException e) {
            listener.readFailed(t, e);
            problem = e.getMessage();
            decision = new Decision(t, started, Action.HOLD, null, null, Reason.TARGET_UNAVAILABLE,
                    t.component() + " target unavailable (" + e.kind().name().toLowerCase(java.util.Locale.ROOT) + "): "
                            + e.getMessage(), Map.of(), dryRun);
        }
        sink.record(decision);
        Duration took = Duration.between(started, clock.instant());
        views.put(t, new TargetView(t, target.policy().settings(), status, observation, decision, state, problem,
                isLeader, took));
        listener.tickFinished(t, took);
        return decision;
    }

    private record Written(Decision decision, TargetState state, ReplicaStatus status, String problem) {
    }

    /**
     * Writes a scale carrying the resourceVersion it read. On a 409 the object changed under us
     * (a person's kubectl scale, an operator): re-read and re-decide once rather than overwrite.
     */
    private Written write(EngineTarget target, Outcome outcome, ReplicaStatus status, Instant now) {
        Decision decision = outcome.decision();
        try {
            actuator.apply(decision, status);
            budget.record(now);
            listener.writeSucceeded(decision);
            return new Written(decision, outcome.next(), status, "");
        } catch (ActuationException e) {
            if (e.kind() == ActuationException.Kind.CONFLICT) {
                ReplicaStatus fresh = actuator.read(target.target());
                Observation obs = metrics.observe(target.target(), now).withAlerts(alerts.firing(target.target(), now));
                Outcome again = target.policy().decide(obs, fresh, outcome.unapplied(), budget.view(now), now);
                if (!again.decision().isScale()) {
                    return new Written(again.decision(), again.next(), fresh, "");
                }
                try {
                    actuator.apply(again.decision(), fresh);
                    budget.record(now);
                    listener.writeSucceeded(again.decision());
                    return new Written(again.decision(), again.next(), fresh, "");
                } catch (ActuationException second) {
                    listener.writeFailed(again.decision(), second);
                    return new Written(again.decision(), again.unapplied(), fresh, second.getMessage());
                }
            }
            listener.writeFailed(decision, e);
            return new Written(decision, outcome.unapplied(), status, e.getMessage());
        }
    }

    /** The latest view of every target ticked so far. */
    public Map<Target, TargetView> views() {
        return Map.copyOf(views);
    }

    /** Drops a target removed by a config reload. */
    public void forget(Target target) {
        views.remove(target);
    }

    public boolean dryRun() {
        return dryRun;
    }

    public boolean isLeader() {
        return leader.isLeader();
    }

    public Clock clock() {
        return clock;
    }
}
