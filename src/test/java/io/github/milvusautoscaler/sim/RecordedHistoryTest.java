package io.github.milvusautoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A replay's load history: each tick sees the recording up to its last whole hour, over the look-back only. */
class RecordedHistoryTest {

    static final Instant START = Instant.parse("2026-01-05T00:00:00Z");
    static final Duration STEP = Duration.ofMinutes(5);
    static final Target T = new Target("milvus", "m", Component.QUERY_NODE, InstallKind.OPERATOR);

    /** Three days on the 5m grid, each point's load its own index, so a point tells where it came from. */
    static LoadHistory threeDays() {
        double[] v = new double[3 * 288 + 1];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return new LoadHistory(START, STEP, START.plus(Duration.ofDays(3)), Map.of("cpu", v));
    }

    @Test
    void aTickSeesTheLookBackUpToItsLastWholeHourAndNothingAfter() {
        RecordedHistory source = new RecordedHistory(Map.of(T, threeDays()), Map.of(T, Duration.ofDays(1)));
        Instant tick = START.plus(Duration.ofDays(2)).plus(Duration.ofMinutes(10 * 60 + 40));
        LoadHistory h = source.history(T, tick);
        Instant hour = START.plus(Duration.ofDays(2)).plus(Duration.ofHours(10));
        assertEquals(hour, h.end());
        // Day 1 10:00 (point 288 + 120 = 408) to day 2 10:00 (point 696): one day, both ends on the grid.
        assertEquals(hour.minus(Duration.ofDays(1)), h.start());
        assertEquals(289, h.size("cpu"));
        assertEquals(408.0, h.at("cpu", 0));
        assertEquals(696.0, h.at("cpu", 288));
        // 10:05 is the future of a 10:40 tick's history: not known.
        assertTrue(h.max("cpu", hour, hour.plus(STEP)).isEmpty());
        assertEquals(696.0, h.max("cpu", hour.minus(STEP), hour).getAsDouble());
        // The same hour hands out the same window; the next hour a new one.
        assertSame(h, source.history(T, tick.plus(Duration.ofMinutes(15))));
        assertEquals(hour.plus(Duration.ofHours(1)), source.history(T, tick.plus(Duration.ofMinutes(20))).end());
    }

    @Test
    void aLookBackBeforeTheRecordingStartsAtTheRecordingAndAnUnrecordedTargetHasNone() {
        RecordedHistory source = new RecordedHistory(Map.of(T, threeDays()), Map.of(T, Duration.ofDays(14)));
        LoadHistory h = source.history(T, START.plus(Duration.ofHours(6)).plusSeconds(1));
        assertEquals(START, h.start());
        assertEquals(6 * 12 + 1, h.size("cpu"));
        Target other = new Target("milvus", "other", Component.QUERY_NODE, InstallKind.OPERATOR);
        assertSame(LoadHistory.NONE, source.history(other, START.plus(Duration.ofDays(1))));
    }
}
