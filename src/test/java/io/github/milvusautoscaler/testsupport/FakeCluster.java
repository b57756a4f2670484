package io.github.milvusautoscaler.testsupport;

import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.MetricsSource;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cluster of targets with replica counts, versions, and scripted failures, for the engine's tests of what it
 * decides and writes, not of how a cluster answers: every replica is ready at once, nothing rolls out or is
 * paused, no last scale is remembered, and any decision is written as given. It models no real object; the
 * shapes a real API server, operator and chart produce are played by {@link FakeKubernetesApi} (sources there),
 * which the actuator tests and the closed-loop and scale tests run against.
 */
public final class FakeCluster implements ReplicaActuator {
    public final Map<Target, Integer> replicas = new ConcurrentHashMap<>();
    public final Map<Target, Integer> version = new ConcurrentHashMap<>();
    public final List<String> writes = new ArrayList<>();
    public final Map<Target, ActuationException> failRead = new HashMap<>();
    public ActuationException failNextWrite;
    public Runnable beforeWrite = () -> { };
    /** The last-scale annotations each target's object carries (none unless a test puts one). */
    public final Map<Target, io.github.milvusautoscaler.core.LastScale> lastScale = new ConcurrentHashMap<>();
    /**
     * Each target's object's metadata.uid, "" (unknown) unless a test sets one: the API server gives every object a
     * uid at creation and a recreated one a new uid (apimachinery ObjectMeta.uid, "unique in time and space"), which
     * FakeKubernetesApi plays for the actuators.
     */
    public final Map<Target, String> uid = new ConcurrentHashMap<>();
    /** What each target's pod template declares (the CPU request, the memory limit); unknown when absent. */
    public final Map<Target, io.github.milvusautoscaler.core.TemplateResources> resources = new ConcurrentHashMap<>();

    @Override
    public ReplicaStatus read(Target target) {
        ActuationException e = failRead.get(target);
        if (e != null) {
            throw e;
        }
        int n = replicas.getOrDefault(target, 3);
        return new ReplicaStatus(n, n, false, Optional.empty(), Optional.ofNullable(lastScale.get(target)),
                String.valueOf(version.getOrDefault(target, 1)), io.github.milvusautoscaler.core.ScaleMemory.NONE, "",
                uid.getOrDefault(target, "")).withResources(resources.getOrDefault(target,
                io.github.milvusautoscaler.core.TemplateResources.UNKNOWN));
    }

    @Override
    public synchronized void apply(Decision decision, ReplicaStatus basis) {
        beforeWrite.run();
        if (failNextWrite != null) {
            ActuationException e = failNextWrite;
            failNextWrite = null;
            throw e;
        }
        if (!basis.resourceVersion().equals(String.valueOf(version.getOrDefault(decision.target(), 1)))) {
            throw new ActuationException(ActuationException.Kind.CONFLICT, "stale resourceVersion");
        }
        writes.add(decision.target().name() + ":" + decision.from() + "->" + decision.to());
        replicas.put(decision.target(), decision.to());
        version.put(decision.target(), version.getOrDefault(decision.target(), 1) + 1);
    }

    /**
     * While true, every write goes unanswered (UNAVAILABLE, as a timeout) without landing, and its id is kept in
     * {@link #unanswered}: the API server that applies it later ({@link #landsLate}) is a lost answer or an abandoned
     * retry that landed after its tick stopped waiting.
     */
    public volatile boolean answerNoWrite;
    public final List<String> unanswered = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void apply(Decision decision, ReplicaStatus basis, io.github.milvusautoscaler.core.WriteContext context) {
        if (answerNoWrite) {
            if (!unanswered.contains(context.id())) {
                unanswered.add(context.id());
            }
            throw new ActuationException(ActuationException.Kind.UNAVAILABLE, "timeout: no answer");
        }
        context.guard().check();
        apply(decision, basis);
    }

    /** The last unanswered write lands now: count {@code n}, and its id on the object's last-scale annotations. */
    public void landsLate(Target t, int n, io.github.milvusautoscaler.core.Direction direction, java.time.Instant at) {
        annotatedWrite(t, n, new io.github.milvusautoscaler.core.LastScale(at, direction, "SIGNAL_HIGH",
                unanswered.get(unanswered.size() - 1)));
    }

    /** Another install of milvus-autoscaler scales {@code t} to {@code n}: its write id on the object, one we never sent. */
    public void anotherInstallWrites(Target t, int n, java.time.Instant at, String id) {
        annotatedWrite(t, n, new io.github.milvusautoscaler.core.LastScale(at, io.github.milvusautoscaler.core.Direction.UP,
                "PANIC", id));
    }

    /**
     * The scale command moves {@code t} to {@code n} between two of the daemon's ticks: its own write id, with the reason
     * it writes, MANUAL_SCALE (ScaleCommand's writes), and its pause set and lifted before the daemon read either.
     */
    public void scaleCommandWrites(Target t, int n, java.time.Instant at, String id) {
        annotatedWrite(t, n, new io.github.milvusautoscaler.core.LastScale(at, io.github.milvusautoscaler.core.Direction.UP,
                "MANUAL_SCALE", id));
    }

    /** A write that carries last-scale annotations, as the actuators write them with the count: new count, new version. */
    private void annotatedWrite(Target t, int n, io.github.milvusautoscaler.core.LastScale annotations) {
        personScales(t, n);
        lastScale.put(t, annotations);
    }

    /** A person's kubectl scale: new count, new version. */
    public void personScales(Target t, int n) {
        replicas.put(t, n);
        version.put(t, version.getOrDefault(t, 1) + 1);
    }
}
