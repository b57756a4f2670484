package io.github.milvusautoscaler.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.HistorySource;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.LeaderGate;
import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.policy.AlertSettings;
import io.github.milvusautoscaler.policy.FallbackSettings;
import io.github.milvusautoscaler.policy.ForecastSettings;
import io.github.milvusautoscaler.policy.Policy;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.ScaleInSettings;
import io.github.milvusautoscaler.policy.ScaleOutSettings;
import io.github.milvusautoscaler.policy.SignalPolicy;
import io.github.milvusautoscaler.testsupport.FakeCluster;
import io.github.milvusautoscaler.testsupport.FakeMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A daemon that restarts or takes over judges its first step-downs on the recent peaks the one before it saw, as
 * the load history recorded them, not only on the minutes it has watched itself. Until 10:00 the component ran
 * 1.2 nodes of load on 2 replicas (cpu 0.60, in band) for two hours; at 10:00 the load falls to 0.5 nodes (cpu
 * 0.25, LOW) and a fresh daemon starts. The one that watched those hours holds the step to one replica: the load of
 * 1.2 nodes, reached in five of the six 20-minute spans of the 120m look-back, would run one node at 1.20 > 0.75.
 */
class RestartPeaksStoryTest {

    static final Instant START = Instant.parse("2026-01-05T10:00:00Z");
    static final Target T = new Target("milvus", "m", Component.QUERY_NODE, InstallKind.OPERATOR);

    /** Step-downs after 5m of LOW, the shipped look-back (120m, recurrence 5); forecasting on. */
    static Policy policy() {
        return policy(ForecastSettings.on(Duration.ofMinutes(5), Duration.ofMinutes(150), Duration.ofDays(2), 0.2));
    }

    static Policy policy(ForecastSettings forecast) {
        return new Policy(new PolicySettings(1, 10,
                new ScaleOutSettings(Duration.ofMinutes(1), Duration.ofMinutes(3), 2, 1.5),
                new ScaleInSettings(Duration.ofMinutes(5), Duration.ZERO, Duration.ZERO, Duration.ofMinutes(5),
                        Duration.ofMinutes(30), Duration.ofMinutes(30), Duration.ofMinutes(120), 5, Duration.ofHours(1)),
                List.of(SignalPolicy.band("cpu", 0.75, 0.40)), new AlertSettings(1, Duration.ofMinutes(5)),
                new FallbackSettings(Duration.ofMinutes(10), FallbackSettings.Mode.HOLD, 2),
                forecast, List.of()));
    }

    /** Three hours of cpu load on a 5m grid up to 10:00, 1.2 nodes each point: too short to forecast from (2d). */
    static LoadHistory threeHours() {
        double[] load = new double[37];
        Arrays.fill(load, 1.2);
        return new LoadHistory(START.minus(Duration.ofHours(3)), Duration.ofMinutes(5), START, Map.of("cpu", load));
    }

    /**
     * A daemon watching from {@code from} to 10:25 with 2 replicas: 1.2 nodes of load before 10:00 (cpu 0.60 per
     * pod), 0.5 from 10:00 (cpu 0.25; 0.50 on one node fits the 0.575 target); every decision from 10:00 on.
     */
    static List<Decision> daemon(HistorySource history, Instant from) {
        return daemon(history, from, policy());
    }

    static List<Decision> daemon(HistorySource history, Instant from, Policy policy) {
        ManualClock clock = new ManualClock(from);
        FakeCluster cluster = new FakeCluster();
        cluster.replicas.put(T, 2);
        FakeMetrics metrics = new FakeMetrics();
        List<Decision> out = new ArrayList<>();
        Engine engine = new Engine(clock, metrics, cluster, d -> {
            if (!d.time().isBefore(START)) {
                out.add(d);
            }
        }, LeaderGate.always(), AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE, history);
        EngineTarget target = new EngineTarget(T, policy);
        for (Instant t = from; !t.isAfter(START.plus(Duration.ofMinutes(25))); t = t.plusSeconds(15)) {
            clock.set(t);
            metrics.cpu.put(T, (t.isBefore(START) ? 1.2 : 0.5) / cluster.replicas.get(T));
            engine.tick(target);
        }
        return out;
    }

    @Test
    void aFreshDaemonDecidesAsTheOneThatWatchedTheLastTwoHours() {
        LoadHistory recorded = threeHours();
        List<Decision> fresh = daemon((t, now) -> recorded, START);
        List<Decision> watching = daemon(HistorySource.NONE, START.minus(Duration.ofHours(2)));
        // Held once 5m of LOW would step down: 1.2 nodes in five of the six spans (four recalled from the history, as
        // the daemon before it saw them) on one node. At 10:20 the window holds 1.2 in only four spans: both step down.
        Decision held = fresh.stream().filter(x -> x.reason() == Reason.PEAK_WOULD_OVERLOAD).findFirst().orElseThrow();
        assertEquals(START.plus(Duration.ofMinutes(5)), held.time());
        assertTrue(held.message().text().contains("peak load 1.20 (value x ready, reached in 5 of the last 6 20m spans)"
                + " would put 1 at 1.20/1 = 1.20 > 0.75; no step-down 2 -> 1"), held.message().text());
        // The same step-downs, the same minute. (The fresh daemon's averages start at 10:00, so it reads LOW a little
        // sooner than the one whose 5m average still held the 1.2; both are then held by the peak.)
        assertEquals(scales(watching), scales(fresh));
        assertEquals(List.of(START.plus(Duration.ofMinutes(20)) + " 2 -> 1"), scales(fresh));
        assertTrue(watching.stream().anyMatch(x -> x.time().equals(START.plus(Duration.ofMinutes(10)))
                && x.reason() == Reason.PEAK_WOULD_OVERLOAD), "the daemon that watched holds on the same peak");
    }

    /** With forecasting off the history (then only the peak look-back) still reaches the recent peaks. */
    @Test
    void withForecastingOffItRecallsThePeaksAllTheSame() {
        LoadHistory recorded = threeHours();
        List<Decision> fresh = daemon((t, now) -> recorded, START, policy(ForecastSettings.OFF));
        Decision held = fresh.stream().filter(x -> x.reason() == Reason.PEAK_WOULD_OVERLOAD).findFirst().orElseThrow();
        assertEquals(START.plus(Duration.ofMinutes(5)), held.time());
        assertEquals(List.of(START.plus(Duration.ofMinutes(20)) + " 2 -> 1"), scales(fresh));
    }

    @Test
    void withoutTheHistoryItStepsDownOnTheMinutesItHasWatched() {
        Decision down = daemon(HistorySource.NONE, START).stream().filter(Decision::isScale).findFirst().orElseThrow();
        assertEquals(Reason.SIGNALS_LOW, down.reason(), down.message().text());
        assertEquals(START.plus(Duration.ofMinutes(5)), down.time());
        assertEquals(1, down.to());
    }

    private static List<String> scales(List<Decision> decisions) {
        return decisions.stream().filter(Decision::isScale).map(d -> d.time() + " " + d.from() + " -> " + d.to()).toList();
    }
}
