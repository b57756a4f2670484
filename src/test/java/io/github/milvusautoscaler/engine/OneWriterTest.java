package io.github.milvusautoscaler.engine;

import io.github.milvusautoscaler.core.KubernetesSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.github.milvusautoscaler.actuate.ApiClients;
import io.github.milvusautoscaler.actuate.LeaderElection;
import io.github.milvusautoscaler.actuate.RoutingActuator;
import io.github.milvusautoscaler.actuate.ScaledObjects;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.LeaderElectionSettings;
import io.github.milvusautoscaler.core.MetricsSource;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.WriteContext;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.policy.AlertSettings;
import io.github.milvusautoscaler.policy.FallbackSettings;
import io.github.milvusautoscaler.policy.Policy;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.ScaleInSettings;
import io.github.milvusautoscaler.policy.ScaleOutSettings;
import io.github.milvusautoscaler.policy.SignalPolicy;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import io.github.milvusautoscaler.testsupport.FakeMetrics;
import io.github.milvusautoscaler.testsupport.Poll;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two in-process daemons (engine, real actuator, real leader election) share one Lease on the
 * fake API server and both want to scale out at every tick. The leader is frozen at the start of a
 * tick for longer than the lease (its Lease requests hang, as when its pod is paused), the other takes
 * over and writes, then the frozen one resumes with its decision in hand. Every write that lands
 * must come from the replica the Lease names at that moment.
 */
class OneWriterTest {

    static final String NS = "milvus";
    static final Target QN = new Target(NS, "my-release", Component.QUERY_NODE, InstallKind.OPERATOR);
    static final Duration LEASE = Duration.ofSeconds(2);
    static final Duration RENEW = Duration.ofMillis(1500);
    static final Duration RETRY = Duration.ofMillis(300);

    /** One step per tick, no cooldown: each tick of the leader writes. */
    static Policy eager() {
        return new Policy(new PolicySettings(1, 10_000,
                new ScaleOutSettings(Duration.ZERO, Duration.ZERO, 1, 1.5),
                new ScaleInSettings(Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofMinutes(15),
                        Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofMinutes(30)),
                List.of(SignalPolicy.band("cpu", 0.75, 0.40)), new AlertSettings(1, Duration.ofMinutes(5)),
                new FallbackSettings(Duration.ofMinutes(10), FallbackSettings.Mode.HOLD, 2)));
    }

    /** What happened on the server, in the order the fake applied it. */
    record Event(String kind, String who) {
    }

    @Test
    void aFrozenLeaderThatResumesNeverWritesDuringTheOthersTenure() throws Exception {
        List<Event> history = new CopyOnWriteArrayList<>();
        ThreadLocal<String> caller = new ThreadLocal<>();
        AtomicBoolean frozenA = new AtomicBoolean();
        AtomicInteger abandonedA = new AtomicInteger();
        try (FakeKubernetesApi fake = FakeKubernetesApi.start()) {
            fake.putOperatorQueryNode("milvus", "my-release", 2, 2);
            fake.onRequest(r -> {
                String who = r.userAgent().endsWith("daemon-a") ? "a" : r.userAgent().endsWith("daemon-b") ? "b" : "?";
                caller.set(who);
                // A frozen pod: its Lease requests hang until it thaws, so it cannot renew.
                while (who.equals("a") && frozenA.get() && r.path().contains("/leases")) {
                    Thread.onSpinWait();
                }
            });
            fake.onChange(c -> {
                if (c.kind() == Kind.LEASES && c.after() != null) {
                    JsonObject spec = c.after().getAsJsonObject("spec");
                    String holder = spec != null && spec.has("holderIdentity") && !spec.get("holderIdentity").isJsonNull()
                            ? spec.get("holderIdentity").getAsString() : "";
                    history.add(new Event("lease", holder));
                } else if (c.kind() == Kind.MILVUSES && c.after() != null) {
                    history.add(new Event("write", caller.get()));
                }
            });

            FakeMetrics metrics = new FakeMetrics();
            // Far above the line: with 2 ready, even 2000 requested replicas would still run hot, so every
            // tick of the leader adds one (the new pods never become ready here).
            metrics.cpu.put(QN, 1000.0);
            AtomicInteger ticksA = new AtomicInteger();
            AtomicBoolean freezeNextTick = new AtomicBoolean();
            AtomicInteger thawedAtTick = new AtomicInteger(Integer.MAX_VALUE);
            // Frozen at the start of a tick, after the old engine read its leadership and before it read the
            // object, for 1.75 lease durations; it then reads a fresh object and decides as if nothing happened.
            Runnable freezeA = () -> {
                ticksA.incrementAndGet();
                if (freezeNextTick.compareAndSet(true, false)) {
                    frozenA.set(true);
                    long until = System.nanoTime() + LEASE.multipliedBy(7).dividedBy(4).toNanos();
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    frozenA.set(false);
                    thawedAtTick.set(ticksA.get());
                }
            };

            List<AutoCloseable> closing = new ArrayList<>();
            try {
                LeaderElection a = daemon("a", fake, metrics, freezeA, abandonedA, closing);
                Poll.until("a leads", Duration.ofSeconds(10), a::isLeader, x -> x);
                LeaderElection b = daemon("b", fake, metrics, () -> { }, new AtomicInteger(), closing);
                Poll.until("b follows a", Duration.ofSeconds(10), () -> b.observedLeader().orElse(""), "a"::equals);
                // Armed once a has written: on a loaded machine a's first tick could come after b followed, and
                // freezing that tick left a with no write of its own to check (CI, "a wrote 0").
                Poll.until("a wrote", Duration.ofSeconds(10), () -> history.stream()
                        .anyMatch(e -> e.kind().equals("write") && e.who().equals("a")), x -> x);
                freezeNextTick.set(true);
                Poll.until("b took over and wrote", Duration.ofSeconds(15), () -> history.stream()
                        .anyMatch(e -> e.kind().equals("write") && e.who().equals("b")) ? "" : history + " b leads="
                        + b.isLeader() + " ticksA=" + ticksA.get(), String::isEmpty);
                Poll.until("a thawed and ticked on", Duration.ofSeconds(10), () -> ticksA.get() > thawedAtTick.get() + 3,
                        x -> x);
                assertFalse(a.isLeader());
                assertTrue(b.isLeader());
            } finally {
                for (int i = closing.size() - 1; i >= 0; i--) {
                    closing.get(i).close();
                }
            }
        }

        String holder = "";
        int writesA = 0;
        int writesB = 0;
        for (Event e : history) {
            if (e.kind().equals("lease")) {
                holder = e.who();
            } else {
                assertEquals(holder, e.who(), "a write by " + e.who() + " while the Lease named '" + holder + "': "
                        + history);
                writesA += e.who().equals("a") ? 1 : 0;
                writesB += e.who().equals("b") ? 1 : 0;
            }
        }
        assertTrue(writesA > 0 && writesB > 0, "both led in turn: a wrote " + writesA + ", b wrote " + writesB);
        assertEquals(1, abandonedA.get(), "a gave up the write of the tick it was frozen in");
    }

    private static LeaderElection daemon(String name, FakeKubernetesApi fake, MetricsSource metrics,
                                         Runnable beforeRead, AtomicInteger abandoned, List<AutoCloseable> closing) {
        KubernetesSettings options = io.github.milvusautoscaler.testsupport.Kube.settings("", Duration.ofSeconds(5), 3, Duration.ofMillis(20), false);
        ApiClient client = ApiClients.forBaseUrl(fake.url(), options);
        client.setUserAgent("milvus-autoscaler/test daemon-" + name);
        LeaderElection election = LeaderElection.create(client, new LeaderElectionSettings(true, "milvus-autoscaler",
                "milvus-autoscaler", name, LEASE, RENEW, RETRY), System::nanoTime);
        ReplicaActuator real = RoutingActuator.forCluster(client, options, new ScaledObjects(options));
        ReplicaActuator pausing = new ReplicaActuator() {
            @Override
            public ReplicaStatus read(Target target) {
                beforeRead.run();
                return real.read(target);
            }

            @Override
            public void apply(Decision decision, ReplicaStatus basis) {
                real.apply(decision, basis);
            }

            @Override
            public void apply(Decision decision, ReplicaStatus basis, WriteContext context) {
                real.apply(decision, basis, context);
            }
        };
        Engine engine = new Engine(Clock.systemUTC(), metrics, pausing, (Decision d) -> { }, election, AlertSource.NONE, new ActionBudget(100_000),
                false, new EngineListener() {
                    @Override
                    public void writeAbandoned(Decision decision, String why) {
                        abandoned.incrementAndGet();
                    }
                });
        Scheduler scheduler = new Scheduler(engine, Duration.ofMillis(100), Duration.ZERO, 1);
        closing.add(election);
        closing.add(scheduler);
        election.start();
        scheduler.update(List.of(new EngineTarget(QN, eager())));
        return election;
    }
}
