package io.github.milvusautoscaler.sim;

import static io.github.milvusautoscaler.sim.SimTestSupport.TARGET;
import static io.github.milvusautoscaler.sim.SimTestSupport.at;
import static io.github.milvusautoscaler.sim.SimTestSupport.flat;
import static io.github.milvusautoscaler.sim.SimTestSupport.scale;
import static io.github.milvusautoscaler.sim.SimTestSupport.trace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The model with reference.conf defaults: 200 qps per node, startup 60 s, warmup 3 min, drain
 * 10 min at -10%, 16 GiB dataset, 2 GiB overhead, 32 GiB limit, scrape 30 s, cpu and qps by irate().
 */
class SimulatedComponentTest {

    private static final SimSettings DEFAULTS = SimSettings.defaults();

    private static SimulatedComponent component(LoadTrace demand, int replicas) {
        return new SimulatedComponent(TARGET, DEFAULTS, demand, replicas);
    }

    private static void apply(SimulatedComponent c, double seconds, int from, int to) {
        c.advanceTo(at(seconds));
        ReplicaStatus basis = c.read(TARGET);
        c.apply(scale(seconds, from, to), basis);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // Scale-out 2 -> 3 at t=60: pending for startup (60 s), warming for warmup (180 s), ready at 60+240 = 300.
        "just written,           0,   3, 1, 0, 2",
        "still pending at 59 s,  59,  3, 1, 0, 2",
        "warming from 60 s,      60,  3, 0, 1, 2",
        "still warming at 239 s, 239, 3, 0, 1, 2",
        "ready at 240 s,         240, 3, 0, 0, 3",
    })
    void newNodeIsPendingThenWarmingThenReady(String name, double afterScaleOut, int replicas, int pending, int warming,
                                              int ready) {
        SimulatedComponent c = component(flat(300, 3600), 2);
        apply(c, 60, 2, 3);
        c.advanceTo(at(60 + afterScaleOut));
        assertEquals(replicas, c.replicas(), "replicas");
        assertEquals(pending, c.pending(), "pending");
        assertEquals(warming, c.warming(), "warming");
        assertEquals(ready, c.ready(), "ready");
        // Capacity follows ready nodes only: 2 x 200 until the third is ready.
        assertEquals(ready * 200.0, c.capacityQps(), 1e-9);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // 6 ready, one removed at t=100: 5 x 200 x (1 - 0.1) = 900 until 100 + 600 = 700, then 5 x 200 = 1000.
        "right after the step-down, 100, 900,  true",
        "one second before the end, 699, 900,  true",
        "drain over,                700, 1000, false",
    })
    void stepDownCostsRebalancePenaltyForDrain(String name, double seconds, double capacity, boolean draining) {
        SimulatedComponent c = component(flat(500, 3600), 6);
        apply(c, 100, 6, 5);
        c.advanceTo(at(seconds));
        assertEquals(5, c.ready());
        assertEquals(capacity, c.capacityQps(), 1e-9);
        assertEquals(draining, c.draining());
    }

    @ParameterizedTest(name = "settle at {0} s is {1}")
    @CsvSource({
        // Drain from 100 s to 700 s; settle is the newest scrape (every 30 s): 690 is busy, 720 quiet.
        "90,  QUIET",
        "120, BUSY",
        "690, BUSY",
        "700, BUSY",
        "720, QUIET",
    })
    void settleIsBusyWhileTheNewestScrapeSawADrain(double seconds, Settle settle) {
        SimulatedComponent c = component(flat(500, 3600), 6);
        apply(c, 100, 6, 5);
        assertEquals(settle, c.observe(TARGET, at(seconds)).settle());
    }

    @Test
    void stepDownRemovesAWarmingNodeFirstWithoutDrain() {
        SimulatedComponent c = component(flat(300, 3600), 2);
        apply(c, 0, 2, 3);
        apply(c, 60, 3, 2);
        assertEquals(2, c.ready());
        assertEquals(2, c.replicas());
        assertFalse(c.draining(), "removing a node that held no segments moves nothing");
        assertEquals(400.0, c.capacityQps(), 1e-9);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // cpu = min(demand, capacity) / capacity; qps = demand / ready; memory = (16 GiB / ready + 2 GiB) / 32 GiB.
        "600 qps on 4 nodes,   600,  4, 0.75, 150, 0.1875, OK",
        "300 qps on 2 nodes,   300,  2, 0.75, 150, 0.3125, OK",
        "200 qps on 1 node,    200,  1, 1.0,  200, 0.5625, OK",
        "1000 qps on 4 nodes,  1000, 4, 1.0,  250, 0.1875, FAILING",
        "100 qps on 10 nodes,  100, 10, 0.05, 10,  0.1125, OK",
    })
    void signalsFollowTheFormulas(String name, double demand, int nodes, double cpu, double qps, double memory,
                                  Health health) {
        SimulatedComponent c = component(flat(demand, 3600), nodes);
        Observation o = c.observe(TARGET, at(600));
        assertEquals(cpu, value(o, "cpu"), 1e-9);
        assertEquals(qps, value(o, "qps"), 1e-9);
        assertEquals(memory, value(o, "memory"), 1e-9);
        assertEquals(health, o.health());
        assertEquals(nodes, o.signals().get("cpu").podsReporting());
        assertEquals(0, o.signals().get("qps").podsReporting(), "qps is one cluster value");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // Demand steps 400 -> 800 qps between 600 and 601 s on 4 nodes (800 capacity): true cpu 0.5 -> 1.0.
        // irate() at t (the default templates) is the slope between the newest two scrapes, every 30 s, here
        // with the scrapes on the ticks (sample-age 0s).
        "before the step: 570..600,                               600, 0.5,     0",
        "at 620 the newest scrape is 600 (20 s old): 570..600,    620, 0.5,     20",
        "30 s after: 1 s at 0.75 + 29 s at 1.0 over 30 s,         630, 0.99167, 0",
        "60 s after: 630..660,                                    660, 1.0,     0",
    })
    void irateShowsTheNewestTwoScrapes(String name, double seconds, double cpu, long ageSeconds) {
        assertTheStepReads(new MetricsView(MetricsView.Source.PROMETHEUS_IRATE, Duration.ofSeconds(30),
                Duration.ofSeconds(30)), seconds, cpu, ageSeconds);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // The same step at the default sim.sample-age 7.5s: the scrapes land 7.5 s before the ticks (at 592.5,
        // 622.5, ...), so alternate ticks see them 7.5 s and 22.5 s old, 15 s on average, as on independent clocks.
        "before the step: 562.5..592.5,                                  600, 0.5,     7.5",
        "a tick later the same scrape (22.5 s old),                     615, 0.5,     22.5",
        "592.5..622.5: 7.5 s at 0.5 + 1 s at 0.75 + 21.5 s at 1.0 = 26 / 30, 630, 0.86667, 7.5",
        "622.5..652.5,                                                    660, 1.0,     7.5",
    })
    void theDefaultSampleAgePutsTheScrapesBeforeTheTicks(String name, double seconds, double cpu, double ageSeconds) {
        assertEquals(Duration.ofMillis(7500), DEFAULTS.scrape().sampleAge());
        assertTheStepReads(MetricsView.prometheus(DEFAULTS.scrape()), seconds, cpu, ageSeconds);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // metrics-server at the default sample age: samples at 592.5, 607.5, 622.5, ..., 7.5 s old at every sync.
        "592.5..607.5: 7.5 s at 0.5 + 1 s at 0.75 + 6.5 s at 1.0 = 11 / 15, 615, 0.73333, 7.5",
        "607.5..622.5,                                                    630, 1.0,     7.5",
    })
    void theDefaultSampleAgeIsEverySyncsForMetricsServer(String name, double seconds, double cpu, double ageSeconds) {
        assertTheStepReads(MetricsView.metricsServer(Duration.ofSeconds(15), DEFAULTS.scrape().sampleAge()), seconds, cpu,
                ageSeconds);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // The same step through a template written with rate(...[2m]) (sim.rate-function = rate): rate() at t
        // uses the scrapes in (t - 120, t], every 30 s: the slope from the first to the last.
        "before the step: scrapes 510..600,              600, 0.5,    0",
        "30 s after: 60 s at 0.5 + 1 s at 0.75 + 29 s at 1.0 over 90 s, 630, 0.66389, 0",
        "at 700 the newest scrape is 690 (10 s old): 600..690 = 89.75 / 90, 700, 0.99722, 10",
        "full window after the step: 660..750,          750, 1.0,    0",
    })
    void rateLagsTheLoadByMostOfItsWindow(String name, double seconds, double cpu, long ageSeconds) {
        assertTheStepReads(new MetricsView(MetricsView.Source.PROMETHEUS_RATE, Duration.ofSeconds(30),
                Duration.ofMinutes(2)), seconds, cpu, ageSeconds);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // The same step seen through metrics-server (the HPA lanes' view): a sample every 15 s, cpu over
        // the 15 s ending at the newest sample, which is at most 15 s old.
        "before the step: 585..600,                              600, 0.5,     0",
        "15 s after: 1 s at 0.75 + 14 s at 1.0 over 15 s,        615, 0.98333, 0",
        "at 620 the newest sample is 615 (5 s old): 600..615,    620, 0.98333, 5",
        "30 s after: 615..630,                                   630, 1.0,     0",
    })
    void metricsServerShowsTheLast15Seconds(String name, double seconds, double cpu, long ageSeconds) {
        assertTheStepReads(MetricsView.metricsServer(Duration.ofSeconds(15)), seconds, cpu, ageSeconds);
    }

    /** The 400 -> 800 qps step at 600 s on 4 nodes, read through {@code view} at {@code seconds}: cpu and its age. */
    private static void assertTheStepReads(MetricsView view, double seconds, double cpu, double ageSeconds) {
        SimulatedComponent c = new SimulatedComponent(TARGET, DEFAULTS, trace(0, 400, 600, 400, 601, 800, 3600, 800), 4,
                view);
        Observation o = c.observe(TARGET, at(seconds));
        assertEquals(cpu, value(o, "cpu"), 1e-4);
        assertEquals(Duration.ofMillis(Math.round(ageSeconds * 1000)), o.signals().get("cpu").newestSampleAge());
    }

    @Test
    void qpsIsTheRateOfDemandPerReadyReplica() {
        // At 630 the newest scrape is 622.5 (the default sample age, 7.5 s): irate over 592.5..622.5 =
        // (7.5 s x 400 + 1 s x 600 + 21.5 s x 800) / 30 s / 4 ready = 20,800 / 30 / 4 = 173.33.
        SimulatedComponent c = component(trace(0, 400, 600, 400, 601, 800, 3600, 800), 4);
        assertEquals(173.33, value(c.observe(TARGET, at(630)), "qps"), 0.01);
    }

    @Test
    void overloadAndHotSecondsComeFromExactCrossings() {
        // Demand ramps 0 -> 1000 qps over 1000 s on 4 nodes (800 qps): above 800 for the last 200 s,
        // above 0.85 x 800 = 680 for the last 320 s; 4 nodes x 1000 s = 4000 node-seconds.
        SimulatedComponent c = component(trace(0, 0, 1000, 1000), 4);
        c.advanceTo(at(1000));
        SimulatedComponent.Totals t = c.totals();
        assertEquals(200, t.overloadSeconds(), 1e-6);
        assertEquals(320, t.hotSeconds(), 1e-6);
        assertEquals(4000, t.nodeSeconds(), 1e-6);
        assertEquals(1000, t.scoredSeconds(), 1e-9);
    }

    @Test
    void nodeSecondsCountPendingAndWarmingNodes() {
        // 2 nodes for 100 s, then 4 written (2 still starting) for 100 s: 200 + 400 = 600.
        SimulatedComponent c = component(flat(100, 3600), 2);
        apply(c, 100, 2, 4);
        c.advanceTo(at(200));
        assertEquals(600, c.totals().nodeSeconds(), 1e-6);
        assertEquals(2, c.totals().minReplicas());
        assertEquals(4, c.totals().maxReplicas());
    }

    @Test
    void noReadyPodsMakeEverySignalUnknownNeverZero() {
        SimulatedComponent c = component(flat(100, 3600), 0);
        Observation o = c.observe(TARGET, at(60));
        for (Signal s : o.signals().values()) {
            assertFalse(s.isKnown(), s.name() + " must be UNKNOWN with no ready pods");
            assertTrue(s.problem().contains("no ready"), s.problem());
        }
        assertEquals(Health.FAILING, o.health(), "100 qps against no capacity is an overload");
    }

    @Test
    void aWriteBasedOnAStaleReadIsAConflict() {
        SimulatedComponent c = component(flat(100, 3600), 2);
        ReplicaStatus stale = c.read(TARGET);
        c.apply(scale(0, 2, 3), stale);
        ActuationException e = assertThrows(ActuationException.class, () -> c.apply(scale(15, 3, 4), stale));
        assertEquals(ActuationException.Kind.CONFLICT, e.kind());
    }

    @Test
    void readReportsTheLastScaleLikeTheAnnotations() {
        SimulatedComponent c = component(flat(100, 3600), 2);
        apply(c, 30, 2, 3);
        ReplicaStatus s = c.read(TARGET);
        assertEquals(3, s.current());
        assertEquals(2, s.ready());
        assertEquals(Direction.UP, s.lastScale().orElseThrow().direction());
        assertEquals(at(30), s.lastScale().orElseThrow().time());
    }

    @Test
    void holdWritesNothing() {
        SimulatedComponent c = component(flat(100, 3600), 2);
        ReplicaStatus before = c.read(TARGET);
        c.apply(SimTestSupport.hold(0, 2), before);
        assertEquals(before, c.read(TARGET));
    }

    private static double value(Observation o, String signal) {
        Signal s = o.signals().get(signal);
        assertTrue(s.isKnown(), signal + " unknown: " + s.problem());
        return s.value().getAsDouble();
    }
}
