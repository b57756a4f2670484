package io.github.milvusautoscaler.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.policy.ForecastSettings;
import io.github.milvusautoscaler.policy.Policy;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.ScheduledFloor;
import io.github.milvusautoscaler.testsupport.CapturedLogs;
import io.github.milvusautoscaler.testsupport.FakeCluster;
import io.github.milvusautoscaler.testsupport.FakeMetrics;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The log says when a scheduled floor starts, changes and ends: a window's end was said nowhere, the next step-down
 * reading SIGNALS_LOW, and a daemon started inside a window said nothing of it (recheck 101's remarks). Synthetic
 * windows on Monday 2026-01-05 UTC; cpu in band (0.55), so only the floors move the count.
 */
class ScheduledFloorLogTest {

    static final Target QN = new Target("milvus", "r", Component.QUERY_NODE, InstallKind.HELM);

    /** EngineTest's policy with a daily 09:00-11:00 UTC floor of 5 and a Monday 10:00-10:30 one of 7. */
    static Policy floored() {
        PolicySettings p = EngineTest.policy().settings();
        return new Policy(new PolicySettings(p.minReplicas(), p.maxReplicas(), p.scaleOut(), p.scaleIn(), p.signals(),
                p.alerts(), p.fallback(), ForecastSettings.OFF, List.of(
                        new ScheduledFloor(java.time.ZoneId.of("UTC"), ScheduledFloor.everyDay(), LocalTime.of(9, 0),
                                LocalTime.of(11, 0), 5),
                        new ScheduledFloor(java.time.ZoneId.of("UTC"), java.util.EnumSet.of(java.time.DayOfWeek.MONDAY),
                                LocalTime.of(10, 0), LocalTime.of(10, 30), 7))));
    }

    @Test
    void aFloorsStartChangeAndEndAreSaidOnce() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-05T08:59:30Z"));
        FakeMetrics metrics = new FakeMetrics();
        FakeCluster cluster = new FakeCluster();
        metrics.cpu.put(QN, 0.55);
        cluster.replicas.put(QN, 2);
        Engine e = new Engine(clock, metrics, cluster, d -> { }, () -> true, AlertSource.NONE, new ActionBudget(30),
                false, EngineListener.NONE);
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            // Every 15 s from 08:59:30 to 11:00:00.
            while (!clock.instant().isAfter(Instant.parse("2026-01-05T11:00:00Z"))) {
                e.tick(new EngineTarget(QN, floored()));
                clock.advance(Duration.ofSeconds(15));
            }
            String daily = "daily 09:00-11:00 UTC min-replicas 5";
            assertEquals(List.of(
                    QN + ": scheduled floor 5 from Mon 2026-01-05 09:00 UTC (" + daily + ", until Mon 11:00 UTC)",
                    QN + ": scheduled floor 7 from Mon 2026-01-05 10:00 UTC, was 5 (" + daily + ", Mon 10:00-10:30 UTC"
                            + " min-replicas 7, until Mon 10:30 UTC)",
                    QN + ": scheduled floor 5 from Mon 2026-01-05 10:30 UTC, was 7 (" + daily + ", until Mon 11:00"
                            + " UTC)",
                    QN + ": scheduled floor 5 ended Mon 2026-01-05 11:00 UTC (" + daily + "); step-downs follow the"
                            + " signals again"),
                    logs.messages().stream().filter(m -> m.contains("scheduled floor")).toList());
        }
        // A daemon started inside a window says the floor in force on its first tick.
        Engine started = new Engine(new ManualClock(Instant.parse("2026-01-05T09:30:00Z")), metrics, cluster,
                d -> { }, () -> true, AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE);
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            started.tick(new EngineTarget(QN, floored()));
            assertEquals(List.of(QN + ": scheduled floor 5 in force at Mon 2026-01-05 09:30 UTC (daily 09:00-11:00 UTC"
                    + " min-replicas 5, until Mon 11:00 UTC)"), logs.messages().stream().filter(m -> m.contains("scheduled floor")).toList());
        }
    }
}
