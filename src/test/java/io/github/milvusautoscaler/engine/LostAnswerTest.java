package io.github.milvusautoscaler.engine;

import io.github.milvusautoscaler.core.KubernetesSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.actuate.ApiClients;
import io.github.milvusautoscaler.actuate.RoutingActuator;
import io.github.milvusautoscaler.actuate.ScaleAnnotations;
import io.github.milvusautoscaler.actuate.ScaledObjects;
import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import io.github.milvusautoscaler.testsupport.FakeMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine and the real actuator on the fake API server with answers lost after the server
 * applied the PATCH (500, or every retry failing too), and with leadership lost between retries:
 * each decision is written at most once and recorded exactly once (decision, metric, budget).
 */
class LostAnswerTest {

    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    static final String NS = "milvus";
    static final Target QN = new Target(NS, "my-release", Component.QUERY_NODE, InstallKind.OPERATOR);
    static final ActiveAlert ALERT = new ActiveAlert("group/fp1/2026-01-05T09:59:00Z", "MilvusSearchLatencyHigh",
            ActiveAlert.AlertAction.SCALE_OUT, Instant.parse("2026-01-05T09:59:00Z"));

    final FakeKubernetesApi fake = FakeKubernetesApi.start();
    final ManualClock clock = new ManualClock(T0);
    final FakeMetrics metrics = new FakeMetrics();
    final List<Decision> recorded = new CopyOnWriteArrayList<>();
    final AtomicInteger writesOk = new AtomicInteger();
    final List<String> ambiguous = new CopyOnWriteArrayList<>();
    final List<String> abandoned = new CopyOnWriteArrayList<>();
    final List<Integer> landedReplicas = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        fake.close();
    }

    /** An operator install with queryNode at {@code replicas}, all ready. */
    void seed(int replicas) {
        fake.putOperatorQueryNode("milvus", "my-release", replicas, replicas);
        fake.onQueryNodeReplicasWritten(landedReplicas::add);
    }

    ReplicaActuator actuator() {
        KubernetesSettings options = io.github.milvusautoscaler.testsupport.Kube.settings("", Duration.ofSeconds(2), 3, Duration.ofMillis(1), false);
        return RoutingActuator.forCluster(ApiClients.forBaseUrl(fake.url(), options), options,
                new ScaledObjects(options));
    }

    Engine engine(io.github.milvusautoscaler.core.LeaderGate gate, AlertSource alerts, ActionBudget budget) {
        return new Engine(clock, metrics, actuator(), recorded::add, gate, alerts, budget, false,
                new EngineListener() {
                    @Override
                    public void writeSucceeded(Decision decision) {
                        writesOk.incrementAndGet();
                    }

                    @Override
                    public void ambiguousWrite(Target target, String result) {
                        ambiguous.add(result);
                    }

                    @Override
                    public void writeAbandoned(Decision decision, String why) {
                        abandoned.add(why);
                    }
                });
    }

    /**
     * Ticks every 15 s until a step-down waits for the component to settle (SETTLING), the tick its settle wait starts
     * and is patched onto the object: a queryNode LOW for the scale-in sustain with one replica of 3 not ready.
     */
    private Decision tickUntilSettling(Engine e) {
        for (int i = 0; i < 60; i++) {
            Decision d = e.tick(new EngineTarget(QN, EngineTest.policy()));
            if (d.reason() == Reason.SETTLING) {
                return d;
            }
            clock.advance(Duration.ofSeconds(15));
        }
        throw new AssertionError("no SETTLING in 15 minutes: " + recorded.get(recorded.size() - 1));
    }

    /**
     * A patch of the memory annotations alone that the server applied and answered 500: the retry meets its own change
     * as a 409, and the object read back holds the memory, so it is kept, not "could not keep back-off ..." (recheck
     * 17, F3: a false WARN each time). Here the settle wait of a queryNode with one replica of 3 not ready starts,
     * once its cpu has been LOW for the 10m scale-in sustain and a step-down waits for it to settle.
     */
    @Test
    void aMemoryPatchWhoseAnswerWasLostIsKeptNotWarnedAbout() {
        fake.putOperatorQueryNode("milvus", "my-release", 3, 2);
        metrics.cpu.put(QN, 0.10);
        fake.applyThenFail("PATCH", Kind.MILVUSES.path(NS, "my-release"), 500, 1);
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport
                .CapturedLogs.of(Engine.class)) {
            Engine e = engine(() -> true, AlertSource.NONE, new ActionBudget(30));
            Decision d = tickUntilSettling(e);
            assertFalse(d.isScale(), d.toString());
            String annotations = fake.get(Kind.MILVUSES, NS, "my-release").orElseThrow().getAsJsonObject("metadata")
                    .toString();
            assertTrue(annotations.contains("settle-wait-since"), "the patch landed: " + annotations);
            assertEquals(List.of(), logs.warnings());
            assertTrue(logs.messages().stream().anyMatch(m -> m.startsWith("milvus/my-release/queryNode: back-off,"
                    + " settle wait and handled alerts are on the object, though the patch's answer was")),
                    logs.messages().toString());
        }
    }

    /**
     * A memory patch the API refuses counts in {@code kubernetes_errors_total{operation="memory"}}: it was in a WARN
     * only, so a Role or admission policy refusing annotation-only patches showed in no metric while every fail-over
     * lost the back-off, settle wait and handled alerts (recheck 33, F1). A replica write's count stays apart.
     */
    @Test
    void aRefusedMemoryPatchIsCountedAsAMemoryError() {
        fake.putOperatorQueryNode("milvus", "my-release", 3, 2);
        metrics.cpu.put(QN, 0.10);
        fake.fail("PATCH", Kind.MILVUSES.path(NS, "my-release"), 403, 1);
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        Engine e = new Engine(clock, metrics, actuator(), recorded::add, () -> true, AlertSource.NONE,
                new ActionBudget(30), false, new io.github.milvusautoscaler.server.SelfMetrics(registry, () -> true,
                false));
        tickUntilSettling(e);
        assertFalse(fake.get(Kind.MILVUSES, NS, "my-release").orElseThrow().getAsJsonObject("metadata").toString()
                .contains("settle-wait-since"), "the patch was refused");
        java.util.function.BiFunction<String, String, Double> errors = (kind, operation) -> registry
                .get(io.github.milvusautoscaler.core.MetricNames.KUBERNETES_ERRORS).tags("kind", kind, "operation",
                        operation).counter().count();
        assertEquals(1.0, errors.apply("FORBIDDEN", "memory"));
        assertEquals(0.0, errors.apply("FORBIDDEN", "write"));
    }

    /**
     * Two components of one operator Milvus keep their memory in the same tick: the other's patch lands between this
     * one's read and its patch, which meets a 409 (the object's resourceVersion moved). This component's keys are its
     * own, so they are kept against the object read again, without a WARN (soak recheck 20, F6: four of them).
     */
    @Test
    void aMemoryPatchThatMeetsAnotherComponentsWriteIsKeptOnARead() {
        fake.putOperatorQueryNode("milvus", "my-release", 3, 2);
        metrics.cpu.put(QN, 0.10);
        java.util.concurrent.atomic.AtomicBoolean other = new java.util.concurrent.atomic.AtomicBoolean();
        fake.onRequest(q -> {
            if (q.method().equals("PATCH") && q.body().contains("settle-wait-since") && other.compareAndSet(false, true)) {
                fake.merge(Kind.MILVUSES, NS, "my-release", "{\"metadata\": {\"annotations\": {"
                        + "\"milvus-autoscaler.io/dataNode.settle-wait-since\": \"2026-01-05T09:59:50Z\"}}}");
            }
        });
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport
                .CapturedLogs.of(Engine.class)) {
            Engine e = engine(() -> true, AlertSource.NONE, new ActionBudget(30));
            tickUntilSettling(e);
            String annotations = fake.get(Kind.MILVUSES, NS, "my-release").orElseThrow().getAsJsonObject("metadata")
                    .toString();
            assertTrue(other.get(), "the other component wrote in between");
            assertTrue(annotations.contains("queryNode.settle-wait-since") && annotations.contains(
                    "dataNode.settle-wait-since"), "both kept: " + annotations);
            assertEquals(List.of(), logs.warnings());
        }
    }

    /**
     * One firing alert with alerts.step 1 on 2 replicas; the server applies 2 -> 3 and answers 500.
     * Before: the retry got 409, the engine re-read 3, re-decided and wrote 3 -> 4. Now: the re-read
     * shows our write id, the write counts once and nothing more is written.
     */
    @Test
    void alertScaleOutWhoseAnswerWasLostAddsOneReplicaOnce() {
        seed(2);
        metrics.cpu.put(QN, 0.60);
        fake.applyThenFail("PATCH", Kind.MILVUSES.path(NS, "my-release"), 500, 1);
        ActionBudget budget = new ActionBudget(30);
        Engine e = engine(() -> true, (t, now) -> List.of(ALERT), budget);
        Decision d = e.tick(new EngineTarget(QN, EngineTest.policy()));

        assertEquals(List.of(3), landedReplicas, "replicas written to the Milvus resource");
        assertEquals(Reason.ALERT_SCALE_OUT, d.reason());
        assertEquals(3, d.to());
        assertTrue(d.written(), "the write landed and is recorded as written");
        assertEquals(1, writesOk.get(), "scale_writes_total{result=ok} counts it once");
        assertEquals(1, budget.view(clock.instant()).usedLastHour(), "charged to the budget once");
        assertEquals(List.of("landed"), ambiguous);
        assertEquals(1, recorded.size());

        // The alert is still firing next tick: it was handled, so no second step.
        clock.advance(Duration.ofSeconds(15));
        assertEquals(Reason.IN_BAND, e.tick(new EngineTarget(QN, EngineTest.policy())).reason());
        assertEquals(List.of(3), landedReplicas);
    }

    /**
     * Every attempt's answer is lost (the first applies; the retries, carrying the old
     * resourceVersion, are rejected but answered 500 too): the engine sees UNAVAILABLE, re-reads,
     * finds its write id and records the write once instead of hiding it.
     */
    @Test
    void writeLandedButEveryAnswerLostIsStillRecordedOnce() {
        seed(3);
        metrics.cpu.put(QN, 0.82);
        fake.applyThenFail("PATCH", Kind.MILVUSES.path(NS, "my-release"), 500, -1);
        Engine e = engine(() -> true, AlertSource.NONE, new ActionBudget(30));
        Decision d = e.tick(new EngineTarget(QN, EngineTest.policy()));

        assertEquals(List.of(5), landedReplicas);
        assertTrue(d.written());
        assertEquals(1, writesOk.get());
        assertEquals(List.of("landed"), ambiguous);
        assertEquals("", e.views().get(QN).problem());
        assertEquals(3, fake.requests("PATCH", Kind.MILVUSES.path(NS, "my-release")).size(), "three attempts");
    }

    /**
     * The first attempt fails with a 500 that was not applied; during the back-off the Lease is
     * lost. Before: the retry was sent anyway and landed while another replica led. Now: the retry
     * is not sent, and the decision is recorded as not written.
     */
    @Test
    void leadershipLostBetweenRetriesStopsTheRetry() {
        seed(3);
        metrics.cpu.put(QN, 0.82);
        AtomicBoolean leading = new AtomicBoolean(true);
        fake.onRequest(r -> {
            if (r.method().equals("PATCH")) {
                leading.set(false);
            }
        });
        fake.fail("PATCH", Kind.MILVUSES.path(NS, "my-release"), 500, 1);
        Engine e = engine(leading::get, AlertSource.NONE, new ActionBudget(30));
        Decision d = e.tick(new EngineTarget(QN, EngineTest.policy()));

        assertEquals(1, fake.requests("PATCH", Kind.MILVUSES.path(NS, "my-release")).size(), "no retry without the Lease");
        assertEquals(List.of(), landedReplicas);
        assertFalse(d.written());
        assertEquals(1, abandoned.size());
        assertEquals(List.of("not_landed"), ambiguous, "re-read after the abandoned retry: not ours");
    }

    /**
     * An alert scale-out decided during a stop's drain is not written (no write starts after SIGTERM), but the alert
     * is kept on the object as a pending scale-out, so the next leader makes it; the memory write, annotations only,
     * still goes while the Lease is held (concurrency audit N1: it was stopped too, and the alert was lost).
     */
    @Test
    void anAlertScaleOutDuringAStopIsLeftOnTheObjectForTheNextLeader() {
        seed(2);
        metrics.cpu.put(QN, 0.60);
        Engine e = engine(leadingWithDeadline(), (t, now) -> List.of(ALERT), new ActionBudget(30));
        e.stopWriting();
        Decision d = e.tick(new EngineTarget(QN, EngineTest.policy()));
        assertEquals(Reason.ALERT_SCALE_OUT, d.reason());
        assertFalse(d.written());
        assertEquals(List.of(), landedReplicas);
        com.google.gson.JsonObject annotations = fake.get(Kind.MILVUSES, NS, "my-release").orElseThrow()
                .getAsJsonObject("metadata").getAsJsonObject("annotations");
        assertTrue(annotations != null && annotations.toString().contains(ALERT.key()), "the pending alert is on the object: " + annotations);
    }

    /**
     * A tick slowed by its queries keeps its memory on the object too: it reads the object again first, as a scale
     * write does, where the memory write was abandoned every tick while Prometheus stayed slow (concurrency audit N3).
     */
    @Test
    void aTickSlowedByItsQueriesStillKeepsItsMemoryOnTheObject() {
        seed(2);
        metrics.cpu.put(QN, 0.60);
        // An alert that only blocks scale-in: the tick holds, and its one write is the memory (blocking-alerts).
        ActiveAlert blocking = new ActiveAlert("group/fp2/2026-01-05T09:59:00Z", "MilvusQueryQueueBacklog",
                ActiveAlert.AlertAction.BLOCK_SCALE_IN, Instant.parse("2026-01-05T09:59:00Z"));
        Engine e = new Engine(clock, queriesTaking(Duration.ofMillis(10_500)), actuator(), recorded::add,
                leadingWithDeadline(), (t, now) -> List.of(blocking), new ActionBudget(30), false, EngineListener.NONE);
        Decision d = e.tick(new EngineTarget(QN, EngineTest.policy()));
        assertFalse(d.isScale(), d.toString());
        com.google.gson.JsonObject annotations = fake.get(Kind.MILVUSES, NS, "my-release").orElseThrow()
                .getAsJsonObject("metadata").getAsJsonObject("annotations");
        assertTrue(annotations != null && annotations.toString().contains(blocking.key()), "the alert is kept on the object: " + annotations);
    }

    /** The fake metrics, each observation taking {@code took} on the test's clock: Prometheus slow but answering. */
    io.github.milvusautoscaler.core.MetricsSource queriesTaking(Duration took) {
        return (t, at) -> {
            clock.advance(took);
            return metrics.observe(t, at);
        };
    }

    /** A leader gate that always leads, with the default renew deadline (10 s) as its write deadline and no term. */
    static io.github.milvusautoscaler.core.LeaderGate leadingWithDeadline() {
        return leading(() -> io.github.milvusautoscaler.core.LeaderGate.NO_TERM);
    }

    /** A gate that leads, with a renew deadline of 10 s and a term of leadership the test can move. */
    static io.github.milvusautoscaler.core.LeaderGate leadingInTerm(java.util.concurrent.atomic.AtomicLong term) {
        return leading(term::get);
    }

    private static io.github.milvusautoscaler.core.LeaderGate leading(java.util.function.LongSupplier term) {
        return new io.github.milvusautoscaler.core.LeaderGate() {
            @Override
            public boolean isLeader() {
                return true;
            }

            @Override
            public Duration writeDeadline() {
                return Duration.ofSeconds(10);
            }

            @Override
            public long term() {
                return term.getAsLong();
            }
        };
    }

    /**
     * A tick whose Prometheus queries took longer than the renew deadline (10 s: each in time, together slow) reads
     * the object again and writes from that read. It used to abandon the write, every tick, for as long as
     * Prometheus stayed slow: alert scale-outs too, which need no Prometheus data (concurrency audit F4).
     */
    @Test
    void aTickSlowedByItsQueriesReadsTheObjectAgainAndWrites() {
        seed(3);
        metrics.cpu.put(QN, 0.82);
        io.github.milvusautoscaler.core.MetricsSource slow = queriesTaking(Duration.ofMillis(10_500));
        Engine e = new Engine(clock, slow, actuator(), recorded::add, leadingWithDeadline(), AlertSource.NONE,
                new ActionBudget(30), false, EngineListener.NONE);
        Decision d = e.tick(new EngineTarget(QN, EngineTest.policy()));
        assertEquals(Reason.SIGNAL_HIGH, d.reason());
        assertTrue(d.written(), d.toString());
        assertEquals(List.of(d.to()), landedReplicas, "written once");
        String object = Kind.MILVUSES.path(NS, "my-release");
        assertEquals(2, fake.requests("GET", object).size(), "read at the tick's start and again before writing");
        assertEquals(1, fake.requests("PATCH", object).size());
    }

    /**
     * A write whose object read is older than the renew deadline when its attempt would go (here the read before
     * writing itself took 10.5 s: a replica frozen or starved mid-tick) is abandoned even though the gate still says
     * leader: what it decided on predates the last renewal it can vouch for.
     */
    @Test
    void aWriteFromAReadOlderThanTheRenewDeadlineIsAbandoned() {
        seed(3);
        metrics.cpu.put(QN, 0.82);
        io.github.milvusautoscaler.core.MetricsSource slow = queriesTaking(Duration.ofMillis(10_500));
        ReplicaActuator real = actuator();
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        ReplicaActuator slowSecondRead = new ReplicaActuator() {
            @Override
            public io.github.milvusautoscaler.core.ReplicaStatus read(Target target) {
                io.github.milvusautoscaler.core.ReplicaStatus status = real.read(target);
                if (reads.incrementAndGet() == 2) {
                    clock.advance(Duration.ofMillis(10_500));
                }
                return status;
            }

            @Override
            public void apply(Decision decision, io.github.milvusautoscaler.core.ReplicaStatus basis) {
                real.apply(decision, basis);
            }

            @Override
            public void apply(Decision decision, io.github.milvusautoscaler.core.ReplicaStatus basis,
                              io.github.milvusautoscaler.core.WriteContext context) {
                real.apply(decision, basis, context);
            }
        };
        Engine e = new Engine(clock, slow, slowSecondRead, recorded::add, leadingWithDeadline(), AlertSource.NONE,
                new ActionBudget(30), false, EngineListener.NONE);
        Decision d = e.tick(new EngineTarget(QN, EngineTest.policy()));
        assertEquals(Reason.SIGNAL_HIGH, d.reason());
        assertFalse(d.written());
        assertTrue(fake.requests("PATCH", "/").isEmpty(), "nothing sent");
        assertEquals(2, reads.get(), "one read before writing, not a loop of them");
        assertTrue(e.views().get(QN).problem().contains("renew deadline"), e.views().get(QN).problem());
    }

    /**
     * A gate that keeps a term (the Lease's, LeaderElection) lets a write go from an object read longer than the renew
     * deadline ago while the term holds: this replica led throughout, and the resourceVersion guards the object. With
     * the read-age rule alone, a Kubernetes API answering each call in 4-6 s abandoned every scale-out, PANIC ones
     * included, while the replica held the Lease (recheck 46, F1). A term that moved since the read abandons it.
     */
    @Test
    void withinOneTermAWriteGoesFromAnOldReadAndAMovedTermAbandonsIt() {
        seed(3);
        metrics.cpu.put(QN, 0.82);
        java.util.concurrent.atomic.AtomicLong term = new java.util.concurrent.atomic.AtomicLong(7);
        Engine e = new Engine(clock, queriesTaking(Duration.ofMillis(10_500)), actuator(), recorded::add,
                leadingInTerm(term), AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE);
        Decision d = e.tick(new EngineTarget(QN, EngineTest.policy()));
        assertEquals(Reason.SIGNAL_HIGH, d.reason());
        assertTrue(d.written(), d.toString());
        String object = Kind.MILVUSES.path(NS, "my-release");
        assertEquals(1, fake.requests("GET", object).size(), "no second read: the term vouches for the first");
        assertEquals(1, fake.requests("PATCH", object).size());

        seed(3);
        fake.clearRequests();
        io.github.milvusautoscaler.core.MetricsSource lapsing = (t, at) -> {
            term.incrementAndGet(); // the Lease was lost and taken again while the queries ran
            return metrics.observe(t, at);
        };
        Engine f = new Engine(clock, lapsing, actuator(), recorded::add, leadingInTerm(term), AlertSource.NONE,
                new ActionBudget(30), false, EngineListener.NONE);
        Decision g = f.tick(new EngineTarget(QN, EngineTest.policy()));
        assertEquals(Reason.SIGNAL_HIGH, g.reason());
        assertFalse(g.written(), g.toString());
        assertTrue(fake.requests("PATCH", "/").isEmpty(), "nothing sent");
        assertTrue(f.views().get(QN).problem().contains("leadership lapsed since the object was read"),
                f.views().get(QN).problem());
    }

    /**
     * After {@link Engine#stopWriting()} (the first step of SIGTERM) no write attempt starts, though the replica still
     * leads and decides: the Lease is released after the drain, and a write begun during it would be on its way when
     * the follower takes over.
     */
    @Test
    void aStoppingEngineStartsNoWrite() {
        seed(3);
        metrics.cpu.put(QN, 0.82);
        Engine e = new Engine(clock, metrics, actuator(), recorded::add, leadingWithDeadline(), AlertSource.NONE,
                new ActionBudget(30), false, EngineListener.NONE);
        e.stopWriting();
        Decision d = e.tick(new EngineTarget(QN, EngineTest.policy()));
        assertEquals(Reason.SIGNAL_HIGH, d.reason(), "still decided and recorded");
        assertFalse(d.written());
        assertTrue(fake.requests("PATCH", "/").isEmpty(), "nothing sent");
        assertTrue(e.views().get(QN).problem().contains("stopping"), e.views().get(QN).problem());
        assertEquals(List.of(d), recorded);
    }

    /** The landed write's annotations carry its id and the write time, which is when cooldowns start. */
    @Test
    void annotationsCarryWriteIdAndWriteTime() {
        seed(3);
        metrics.cpu.put(QN, 0.82);
        io.github.milvusautoscaler.core.MetricsSource slow = (t, at) -> {
            clock.advance(Duration.ofMillis(2100));
            return metrics.observe(t, at);
        };
        Engine e = new Engine(clock, slow, actuator(), recorded::add, () -> true, AlertSource.NONE,
                new ActionBudget(30), false, EngineListener.NONE);
        e.tick(new EngineTarget(QN, EngineTest.policy()));
        var annotations = fake.get(Kind.MILVUSES, NS, "my-release").orElseThrow().getAsJsonObject("metadata")
                .getAsJsonObject("annotations");
        assertEquals("2026-01-05T10:00:02.100Z", annotations.get(ScaleAnnotations.componentKey(Component.QUERY_NODE, "last-scale-time")).getAsString(),
                "the write time, 2.1 s after the tick began");
        assertFalse(annotations.get(ScaleAnnotations.componentKey(Component.QUERY_NODE, "last-scale-id")).getAsString().isBlank());
        assertEquals(Instant.parse("2026-01-05T10:00:02.100Z"), e.views().get(QN).state().lastScaleOut(),
                "cooldown runs from the write");
    }
}
