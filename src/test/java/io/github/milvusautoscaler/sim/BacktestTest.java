package io.github.milvusautoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The replay's two adjustments of recorded signals to the policy's replicas, with the arithmetic, and the pod
 * template a replay declares from what the history recorded.
 */
class BacktestTest {

    private static final Target QN = new Target("m", "wk", Component.QUERY_NODE, InstallKind.HELM);
    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");

    private static Observation recorded() {
        Map<String, Signal> signals = new LinkedHashMap<>();
        signals.put("cpu", Signal.known("cpu", 0.6, 4, Duration.ZERO));       // per pod, all 4 report
        signals.put("qps", Signal.known("qps", 120, 0, Duration.ZERO));       // per ready replica, cluster value
        signals.put("memory", Signal.known("memory", 0.5, 3, Duration.ZERO)); // one of 4 pods missing
        signals.put("search-latency-p99", Signal.known("search-latency-p99", 80, 0, Duration.ZERO));
        return new Observation(QN, T, signals, Settle.QUIET, Health.UNKNOWN, List.of());
    }

    /**
     * A recording whose CPU request was cut from 2 cores to 1 at 08:30 on the replayed day (a helm upgrade): the
     * window the replay hands 08:55 was read at 08:00, in 2 cores, and the tick declares the 1 core recorded since,
     * as the daemon reads it from the pod template. Two weeks of 4.0 nodes of 2 cores by day (8 cores) are 8.0 nodes
     * of 1: ceil(8.0 / 0.8475) = 10, 4 -> 8 (forecast max-step 4); in the window's 2 cores it pre-scaled 4 -> 5, and
     * the morning ran hot (recheck 81, F4).
     */
    @Test
    void aReplayPutsTheForecastInTheRequestRecordedAtEachTick() {
        Instant day15 = io.github.milvusautoscaler.engine.ForecastStoryTest.START.plus(Duration.ofDays(14));
        Instant recordedTo = day15.plus(Duration.ofHours(10));
        io.github.milvusautoscaler.core.LoadHistory cycle =
                io.github.milvusautoscaler.engine.ForecastStoryTest.history(recordedTo, 15);
        double[] loads = new double[cycle.size("cpu")];
        double[] request = new double[loads.length];
        Instant cut = day15.plus(Duration.ofMinutes(8 * 60 + 30));
        for (int i = 0; i < loads.length; i++) {
            Instant at = cycle.start().plus(cycle.step().multipliedBy(i));
            request[i] = at.isBefore(cut) ? 2.0 : 1.0;
            loads[i] = io.github.milvusautoscaler.engine.ForecastStoryTest.cycle(at) * 2.0 / request[i];
        }
        io.github.milvusautoscaler.core.LoadHistory recording = new io.github.milvusautoscaler.core.LoadHistory(
                cycle.start(), cycle.step(), recordedTo, Map.of("cpu", loads), Map.of("cpu", request));
        RecordedHistory load = new RecordedHistory(Map.of(QN, recording), Map.of(QN, Duration.ofDays(14)));
        // Tonight's 2 cores on 4 pods of 1 core: cpu 0.50, in band, as recorded. The request per serving pod read at
        // the tick itself: none here (the recorded points answer), 1 core below.
        java.util.concurrent.atomic.AtomicReference<Double> serving = new java.util.concurrent.atomic.AtomicReference<>();
        Backtest.History live = new Backtest.History() {
            @Override
            public Observation observe(Target target, Instant at) {
                return new Observation(target, at, Map.of("cpu", Signal.known("cpu", 0.5, 4, Duration.ZERO)),
                        Settle.QUIET, Health.NONE, List.of());
            }

            @Override
            public OptionalInt specReplicas(Target target, Instant at) {
                return OptionalInt.of(4);
            }

            @Override
            public OptionalInt readyReplicas(Target target, Instant at) {
                return OptionalInt.of(4);
            }

            @Override
            public java.util.OptionalDouble servingAmount(Target target,
                                                          io.github.milvusautoscaler.core.ContainerResource resource,
                                                          Instant at) {
                Double cores = serving.get();
                return cores == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(cores);
            }
        };
        io.github.milvusautoscaler.core.Decision first = firstScale(live, load, day15);
        assertEquals(io.github.milvusautoscaler.core.Reason.PRESCALE_FORECAST, first.reason(), first.message().text());
        assertEquals(8, first.to(), first.message().text());
        org.junit.jupiter.api.Assertions.assertTrue(first.message().text().contains(
                "x 2.00 for the pod template's 1 core"), first.message().text());

        // A cut whose first point in the new request is not read yet (the recording's 08:30 point says 2 cores until
        // 08:35): the request read at the tick answers, as the daemon's read of kube-state-metrics does, where the
        // replay lagged a history step at a change (recheck 83, F3).
        for (int i = 0; i < loads.length; i++) {
            Instant at = cycle.start().plus(cycle.step().multipliedBy(i));
            request[i] = 2.0;
            loads[i] = io.github.milvusautoscaler.engine.ForecastStoryTest.cycle(at);
        }
        serving.set(1.0);
        RecordedHistory inTwo = new RecordedHistory(Map.of(QN, new io.github.milvusautoscaler.core.LoadHistory(
                cycle.start(), cycle.step(), recordedTo, Map.of("cpu", loads), Map.of("cpu", request))),
                Map.of(QN, Duration.ofDays(14)));
        io.github.milvusautoscaler.core.Decision read = firstScale(live, inTwo, day15);
        assertEquals(8, read.to(), read.message().text());
        org.junit.jupiter.api.Assertions.assertTrue(read.message().text().contains(
                "x 2.00 for the serving pods' 1 core"), read.message().text());
    }

    /** The first scale of a replay of {@code day15} 08:45-08:56 every 15 s, the forecast's policy on cpu alone. */
    private static io.github.milvusautoscaler.core.Decision firstScale(Backtest.History live, RecordedHistory load,
                                                                      Instant day15) {
        List<io.github.milvusautoscaler.core.Decision> decisions = new java.util.ArrayList<>();
        Backtest.run(List.of(new io.github.milvusautoscaler.engine.EngineTarget(QN,
                        io.github.milvusautoscaler.engine.ForecastStoryTest.policy(
                                io.github.milvusautoscaler.engine.ForecastStoryTest.ON))), live,
                new Backtest.Settings(day15.plus(Duration.ofMinutes(8 * 60 + 45)), day15.plus(Duration.ofMinutes(
                        8 * 60 + 56)), Duration.ofSeconds(15), false, 30), decisions::add, load);
        return decisions.stream().filter(io.github.milvusautoscaler.core.Decision::isScale).findFirst().orElseThrow();
    }

    @Test
    void rescalingReDividesSharesByThePolicysReplicasAndLeavesLatencyAlone() {
        Observation o = Backtest.rescaled(recorded(), OptionalInt.of(4), 3);
        // cpu 0.6 over 4 replicas is 2.4 cores of load: 0.8 over 3; qps 120 x 4 / 3 = 160.
        assertEquals(0.8, o.signals().get("cpu").value().getAsDouble(), 1e-12);
        assertEquals(3, o.signals().get("cpu").podsReporting());
        assertEquals(160, o.signals().get("qps").value().getAsDouble(), 1e-9);
        // memory is mostly a share of the segments the replicas split, as the policy's step-down projects it:
        // 0.5 x 4 / 3; a latency is a latency: as recorded.
        assertEquals(0.5 * 4 / 3, o.signals().get("memory").value().getAsDouble(), 1e-12);
        assertEquals(80, o.signals().get("search-latency-p99").value().getAsDouble(), 1e-12);
    }

    @Test
    void withoutTheRecordedReadyCountALoadCannotBeRescaledAndIsUnknown() {
        Observation o = Backtest.rescaled(recorded(), OptionalInt.empty(), 3);
        assertFalse(o.signals().get("cpu").isKnown());
        assertFalse(o.signals().get("qps").isKnown());
        assertFalse(o.signals().get("memory").isKnown());
    }

    @Test
    void podsReportingFollowThePolicysReplicasKeepingTheMissingOnesMissing() {
        Observation o = Backtest.reporting(recorded(), OptionalInt.of(4), 6);
        assertEquals(6, o.signals().get("cpu").podsReporting(), "4 of 4 report: 6 of 6");
        assertEquals(5, o.signals().get("memory").podsReporting(), "3 of 4 report: 5 of 6");
        assertEquals(0.6, o.signals().get("cpu").value().getAsDouble(), 1e-12, "values as recorded");
        assertEquals(0, o.signals().get("qps").podsReporting(), "a cluster value stays one");
    }
}
