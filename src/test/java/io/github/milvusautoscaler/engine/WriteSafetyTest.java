package io.github.milvusautoscaler.engine;

import static io.github.milvusautoscaler.engine.EngineTest.A;
import static io.github.milvusautoscaler.engine.EngineTest.T0;
import static io.github.milvusautoscaler.engine.EngineTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.MetricsSource;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.FakeCluster;
import io.github.milvusautoscaler.testsupport.FakeMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What the engine guarantees about writes under faults: no write without leadership at the moment
 * of writing, no write from a tick older than the renew deadline, a global budget that concurrent
 * targets cannot overrun, and no target coming back after a reload removed it.
 */
class WriteSafetyTest {

    final ManualClock clock = new ManualClock(T0);
    final FakeCluster cluster = new FakeCluster();
    final FakeMetrics metrics = new FakeMetrics();
    final List<Decision> recorded = new CopyOnWriteArrayList<>();

    @Test
    void leadershipLostDuringTheTickStopsTheWrite() {
        AtomicBoolean leading = new AtomicBoolean(true);
        // Prometheus answers slowly; while it does, the Lease passes to the other replica.
        MetricsSource slow = (target, at) -> {
            clock.advance(Duration.ofSeconds(4));
            leading.set(false);
            return metrics.observe(target, at);
        };
        metrics.cpu.put(A, 0.82);
        Engine e = new Engine(clock, slow, cluster, recorded::add, leading::get, AlertSource.NONE,
                new ActionBudget(30), false, EngineListener.NONE);
        Decision d = e.tick(new EngineTarget(A, policy()));
        assertTrue(cluster.writes.isEmpty(), "a replica that lost the Lease mid-tick wrote: " + cluster.writes);
        assertEquals(Reason.SIGNAL_HIGH, d.reason(), "the decision is still recorded, as not written");
        assertFalse(d.written());
        assertEquals(null, e.views().get(A).state().lastScaleOut(), "no action remembered that was not written");
    }

    /**
     * Eight targets decide at once against a budget of 3: each sees 0 used. Every tick is held at
     * its write until all eight have either reached their write or finished, so the check and the
     * count cannot happen one after the other by luck. Before the budget was reserved before the
     * write, all eight wrote.
     */
    @Test
    void concurrentTargetsCannotOverrunTheBudget() throws Exception {
        int targets = 8;
        int limit = 3;
        for (int round = 0; round < 20; round++) {
            FakeCluster c = new FakeCluster();
            Set<Target> arrived = ConcurrentHashMap.newKeySet();
            List<Target> all = new ArrayList<>();
            for (int i = 0; i < targets; i++) {
                Target t = new Target("milvus", "t" + i, Component.QUERY_NODE, InstallKind.OPERATOR);
                all.add(t);
                metrics.cpu.put(t, 0.82);
            }
            io.github.milvusautoscaler.core.ReplicaActuator gated = new io.github.milvusautoscaler.core.ReplicaActuator() {
                @Override
                public io.github.milvusautoscaler.core.ReplicaStatus read(Target target) {
                    return c.read(target);
                }

                @Override
                public void apply(Decision decision, io.github.milvusautoscaler.core.ReplicaStatus basis) {
                    arrived.add(decision.target());
                    awaitAll(arrived, targets);
                    c.apply(decision, basis);
                }
            };
            Engine e = new Engine(clock, metrics, gated, d -> {
                if (!d.written()) {
                    arrived.add(d.target());
                }
            }, () -> true, AlertSource.NONE, new ActionBudget(limit), false, EngineListener.NONE);
            ExecutorService pool = Executors.newFixedThreadPool(targets);
            try {
                List<Future<Decision>> ticks = new ArrayList<>();
                for (Target t : all) {
                    ticks.add(pool.submit(() -> e.tick(new EngineTarget(t, policy()))));
                }
                long budgetHeld = 0;
                for (Future<Decision> f : ticks) {
                    budgetHeld += f.get(10, TimeUnit.SECONDS).reason() == Reason.BUDGET_EXHAUSTED ? 1 : 0;
                }
                assertEquals(limit, c.writes.size(), "round " + round + ": writes past max-actions-per-hour " + limit
                        + ": " + c.writes);
                assertEquals(targets - limit, budgetHeld);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static void awaitAll(Set<Target> arrived, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (arrived.size() < n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /**
     * A reload removes a target while its tick waits on a slow Prometheus: the tick must finish
     * before the removal returns, so it cannot put the target back into status and /metrics.
     * 200 rounds with a 5 ms tick, bounded to a few seconds.
     */
    @Test
    void removedTargetNeverComesBackAsAGhost() throws Exception {
        int ghosts = 0;
        long started = System.nanoTime();
        for (int round = 0; round < 200; round++) {
            CountDownLatch inTick = new CountDownLatch(1);
            MetricsSource slow = (target, at) -> {
                inTick.countDown();
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                return metrics.observe(target, at);
            };
            Set<Target> finishedAfterRemoval = ConcurrentHashMap.newKeySet();
            AtomicBoolean removed = new AtomicBoolean();
            Engine e = new Engine(java.time.Clock.systemUTC(), slow, cluster, d -> { }, () -> true, AlertSource.NONE,
                    new ActionBudget(30), false, new EngineListener() {
                @Override
                public void tickFinished(Target target, Duration took) {
                    if (removed.get()) {
                        finishedAfterRemoval.add(target);
                    }
                }
            });
            try (Scheduler s = new Scheduler(e, Duration.ofHours(1), Duration.ZERO, 1)) {
                s.update(List.of(new EngineTarget(A, policy())));
                assertTrue(inTick.await(5, TimeUnit.SECONDS));
                s.update(List.of());
                removed.set(true);
                s.close(Duration.ofSeconds(5));
                if (e.views().containsKey(A) || !finishedAfterRemoval.isEmpty()) {
                    ghosts++;
                }
            }
        }
        assertEquals(0, ghosts, "rounds in which a removed target came back");
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(30));
    }

    /**
     * A target removed while its tick hangs past the removal's wait, then added again by the next reload: the new loop
     * starts no tick while the old one runs (one target's ticks never overlap), and the old tick's end leaves the new
     * loop's view in place. The two ran at once, and the old end erased the new state (concurrency audit F5).
     */
    @Test
    void aTargetAddedAgainWhileItsRemovedTickStillRunsWaitsForItAndKeepsItsView() throws Exception {
        java.util.concurrent.CountDownLatch inFirst = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger ticks = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger concurrent = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger mostAtOnce = new java.util.concurrent.atomic.AtomicInteger();
        MetricsSource hanging = (target, at) -> {
            mostAtOnce.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            try {
                if (ticks.incrementAndGet() == 1) {
                    inFirst.countDown();
                    release.await(10, TimeUnit.SECONDS);
                }
                return metrics.observe(target, at);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return metrics.observe(target, at);
            } finally {
                concurrent.decrementAndGet();
            }
        };
        Engine e = new Engine(java.time.Clock.systemUTC(), hanging, cluster, recorded::add, () -> true,
                AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE);
        try (Scheduler s = new Scheduler(e, Duration.ofMillis(50), Duration.ZERO, 1, Duration.ofMillis(100))) {
            s.update(List.of(new EngineTarget(A, policy())));
            assertTrue(inFirst.await(5, TimeUnit.SECONDS));
            s.update(List.of()); // gives up waiting after 100 ms: the tick still hangs
            s.update(List.of(new EngineTarget(A, policy())));
            // The new loop's ticks come due and are skipped (counted as overruns) while the old tick hangs.
            io.github.milvusautoscaler.testsupport.Poll.until("the new loop's ticks are skipped", Duration.ofSeconds(5),
                    s::overruns, n -> n >= 3);
            assertEquals(1, ticks.get(), "no tick of the new loop while the removed one still runs");
            release.countDown();
            io.github.milvusautoscaler.testsupport.Poll.until("the new loop ticks", Duration.ofSeconds(5), ticks::get,
                    n -> n >= 3);
            assertEquals(1, mostAtOnce.get(), "one target's ticks never overlap");
            io.github.milvusautoscaler.testsupport.Poll.until("the new loop's view stays", Duration.ofSeconds(5),
                    () -> e.views().containsKey(A), v -> v);
        }
    }
}
