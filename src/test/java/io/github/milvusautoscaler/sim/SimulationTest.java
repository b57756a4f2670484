package io.github.milvusautoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimulationTest {

    private static final SimSettings DEFAULTS = SimSettings.defaults();

    private static Simulation.Builder step() {
        return Simulation.builder().trace(Scenarios.generate("step", 1)).settings(DEFAULTS)
                .policies(SimPolicies.builtIn(), List.of("hpa", "hpa-milvus"));
    }

    @Test
    void everyPolicyGetsItsOwnComponentAndAScorecard() {
        SimulationResult r = step().build().run(RunListener.NONE);
        assertEquals("step", r.trace());
        assertEquals(6 * 3600, r.simulatedSeconds());
        assertEquals(List.of("hpa", "hpa-milvus"), r.results().stream().map(Scorecard::policy).toList());
        for (Scorecard s : r.results()) {
            // The step from 0.3 to 1.0 of peak needs scale-outs, the step back scale-ins.
            assertTrue(s.scaleOuts() > 0 && s.scaleIns() > 0, s.toString());
            assertTrue(s.minReplicas() >= 1 && s.maxReplicas() <= 10, s.toString());
            // Cost: at least the min replica for 6 h, at most max replicas for 6 h.
            assertTrue(s.nodeSeconds() >= 6 * 3600 && s.nodeSeconds() <= 10 * 6 * 3600, s.toString());
        }
        assertEquals(1, r.result("hpa-milvus").largestStepDown(), "the Milvus sample removes one pod per minute");
    }

    @Test
    void parallelAndSequentialRunsAgree() {
        Simulation sim = step().build();
        // Two policies on two threads, whatever this machine's default.
        assertEquals(sim.run(RunListener.NONE, 1).results(), sim.run(RunListener.NONE, 2).results());
    }

    @Test
    void steppingGivesEachPolicysStateAndTheSameResult() {
        Simulation sim = step().build();
        SimulationRun run = sim.start();
        List<PolicyState> first = run.step();
        assertEquals(2, first.size());
        PolicyState hpa = first.get(0);
        assertEquals("hpa", hpa.policy());
        assertEquals(Scenarios.START, hpa.time());
        assertEquals(sim.initialReplicas(), hpa.decision().from());
        assertTrue(hpa.demandQps() > 0 && hpa.capacityQps() > 0);
        while (run.hasNext()) {
            run.step();
        }
        assertEquals(sim.run(RunListener.NONE).results(), run.result().results());
        assertThrows(IllegalStateException.class, run::step);
    }

    @Test
    void listenerHearsEveryDecisionOfEveryPolicy() {
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        List<Long> progress = new ArrayList<>();
        Simulation sim = step().build();
        sim.run(new RunListener() {
            @Override
            public void decision(String policy, Decision d) {
                counts.computeIfAbsent(policy, p -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public synchronized void progress(long done, long total) {
                progress.add(done);
            }
        });
        // 6 h / 15 s = 1440 ticks per policy.
        assertEquals(1440, counts.get("hpa").get());
        assertEquals(1440, counts.get("hpa-milvus").get());
        assertEquals(1440L, progress.get(progress.size() - 1));
    }

    @Test
    void initialReplicasServeTheFirstValueAtTheCpuTarget() {
        // nyc_taxi's first value 442.64 qps / (200 x 0.575) = 3.85 -> 4.
        Simulation sim = Simulation.builder().trace(TraceRegistry.bundled("nyc_taxi")).settings(DEFAULTS)
                .policies(SimPolicies.builtIn(), List.of("hpa")).build();
        assertEquals(4, sim.initialReplicas());
        assertEquals(3, Simulation.builder().trace(TraceRegistry.bundled("nyc_taxi")).settings(DEFAULTS.withInitialReplicas(3))
                .policies(SimPolicies.builtIn(), List.of("hpa")).build().initialReplicas());
    }

    @Test
    void aRegisteredPolicyRunsBesideTheBaselines() {
        // A policy that never scales: the shape the lead's adapter plugs in through register().
        SimPolicies registry = SimPolicies.builtIn().register("never", ctx -> holding(ctx, "never", o -> Map.of()));
        SimulationResult r = Simulation.builder().trace(Scenarios.generate("step", 1)).settings(DEFAULTS)
                .policies(registry, List.of("never", "hpa")).build().run(RunListener.NONE);
        Scorecard never = r.result("never");
        assertEquals(0, never.actions());
        // Sized for 0.3 of peak at the CPU target, it cannot serve the 2-hour step to 1.0 (8 nodes' worth).
        assertTrue(never.overloadSeconds() > 3600, never.toString());
        assertTrue(r.result("hpa").overloadSeconds() < never.overloadSeconds());
    }

    /** A policy of a test's own that never scales, its decisions carrying the readings {@code readings} picks. */
    private static SimPolicy holding(SimContext ctx, String name,
            java.util.function.Function<io.github.milvusautoscaler.core.Observation,
                    Map<String, io.github.milvusautoscaler.core.SignalReading>> readings) {
        return new SimPolicy() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Decision tick(io.github.milvusautoscaler.core.Observation o,
                                 io.github.milvusautoscaler.core.ReplicaStatus s, java.time.Instant now) {
                return new Decision(ctx.target(), now, Action.HOLD, s.current(), s.current(), Reason.IN_BAND, name,
                        readings.apply(o), false);
            }
        };
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // Demand 800 qps, then 1600 from 601 s (peak 1600 = 8 nodes x 200: no rescaling); 7 replicas to start
        // (800 / 115 = 6.96), capacity 1400: cpu 800/1400 = 0.5714, then 1.0. At 615 the 15 s since 600 hold
        // 1 s of ramp (served 1,175 of capacity 1,400: 0.8393 busy s) + 14 s at 1.0: 14.8393 / 15 = 0.9893.
        "hpa reads metrics-server: at 600 the 15 s before the step          | hpa        | 600 | 0.57143",
        "hpa reads metrics-server: at 615 the 15 s after it                 | hpa        | 615 | 0.98929",
        "hpa-milvus reads the same                                           | hpa-milvus | 615 | 0.98929",
        "a policy of its own reads Prometheus' irate(): at 615 the scrapes 570 and 600 | recorder | 615 | 0.57143",
        "at 630 the scrapes 600 and 630: (0.8393 + 29 x 1.0) / 30                      | recorder | 630 | 0.99464",
    })
    void theHpaLanesReadMetricsServerTheOthersPrometheus(String name, String policy, double seconds, double cpu) {
        SimPolicies registry = SimPolicies.builtIn().register("recorder", ctx -> holding(ctx, "recorder",
                o -> Map.of("cpu", new io.github.milvusautoscaler.core.SignalReading(o.signals().get("cpu").value(),
                        io.github.milvusautoscaler.core.SignalState.IN_BAND))));
        LoadTrace step = SimTestSupport.trace(0, 800, 600, 800, 601, 1600, 3600, 1600);
        Map<String, Double> seen = new ConcurrentHashMap<>();
        // Samples on the ticks (sim.sample-age 0s), so each view's window is the hand-checked one above.
        SimSettings onTheTicks = DEFAULTS.withScrape(new SimSettings.Scrape(DEFAULTS.scrape().interval(),
                DEFAULTS.scrape().rateWindow(), DEFAULTS.scrape().function(), java.time.Duration.ZERO));
        Simulation sim = Simulation.builder().trace(step).settings(onTheTicks)
                .policies(registry, List.of("hpa", "hpa-milvus", "recorder")).build();
        assertEquals(7, sim.initialReplicas());
        sim.run(new RunListener() {
            @Override
            public void decision(String p, Decision d) {
                if (d.time().equals(SimTestSupport.at(seconds))) {
                    seen.put(p, d.signals().get("cpu").value().getAsDouble());
                }
            }
        }, 1);
        assertEquals(cpu, seen.get(policy), 1e-4);
    }

    @Test
    void unknownPoliciesAreRefusedWithTheKnownNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SimPolicies.builtIn().requireKnown(List.of("hpa", "keda")));
        assertEquals("unknown policy 'keda'; known policies: milvus-autoscaler, hpa, hpa-milvus, clairvoyant, clairvoyant-no-hot", e.getMessage());
        assertFalse(SimPolicies.builtIn().contains("keda"));
        assertThrows(IllegalArgumentException.class, () -> SimPolicies.builtIn().register("hpa", ctx -> null));
    }

    @Test
    void aHandDrivenComponentScoresLikeTheRunner() {
        // The demo's path: drive a component tick by tick (here with hpa), count with a ScoreKeeper.
        Simulation sim = Simulation.builder().trace(Scenarios.generate("step", 1)).settings(DEFAULTS)
                .policies(SimPolicies.builtIn(), List.of("hpa")).build();
        SimPolicy hpa = SimPolicies.builtIn().create("hpa", new SimContext(sim.target(), DEFAULTS,
                SimSettings.loadConfig(java.util.Optional.empty())));
        SimulatedComponent c = sim.newComponent(hpa);
        ScoreKeeper keeper = new ScoreKeeper("hpa", DEFAULTS.score().reversalWindow());
        for (java.time.Instant t = sim.demand().start(); t.isBefore(sim.demand().end()); t = t.plus(DEFAULTS.tick())) {
            var observation = c.observe(sim.target(), t);
            var status = c.read(sim.target());
            Decision d = hpa.tick(observation, status, t);
            c.apply(d, status);
            keeper.record(d);
        }
        c.advanceTo(sim.demand().end());
        assertEquals(sim.run(RunListener.NONE).result("hpa"), keeper.scorecard(c.totals()));
    }
}
