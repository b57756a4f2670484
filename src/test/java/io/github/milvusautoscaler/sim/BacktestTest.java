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

/** The replay's two adjustments of recorded signals to the policy's replicas, with the arithmetic. */
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
