package io.github.milvusautoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.policy.ForecastSettings;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * The simulator's forecast history is read as the daemon would read it with the same settings: over
 * {@code forecast.history}, on the {@code history-step} grid, again every {@code refresh}. It used 14d, 5m and 1h
 * whatever the configuration said, so a simulation pre-scaled where the daemon never could (time audit M4).
 */
class TraceHistoryTest {

    /** Ten days rising by 1 qps a second from 0, so a sample's value is its own second since the start. */
    static final LoadTrace RISING = SimTestSupport.trace(0, 0, 10 * 86_400, 10 * 86_400);

    static ForecastSettings reading(Duration history, Duration step, Duration refresh) {
        return new ForecastSettings(true, Duration.ofMinutes(5), Duration.ofMinutes(150), 1.0, 1.13, 4,
                Duration.ofDays(2), 0.2, history, step, refresh, ZoneOffset.UTC, EnumSet.allOf(DayOfWeek.class));
    }

    @Test
    void theHistoryIsReadOverHistoryOnItsStepAgainEveryRefresh() {
        // 3 days at 1h, read every 6h; capacity 200 qps a node, so cpu load = qps / 200.
        TraceHistory source = new TraceHistory(RISING, 200, reading(Duration.ofDays(3), Duration.ofHours(1),
                Duration.ofHours(6)));
        Instant tick = SimTestSupport.T0.plus(Duration.ofDays(5)).plus(Duration.ofHours(8));
        LoadHistory h = source.history(SimTestSupport.TARGET, tick);
        // Read at day 5 06:00 (the last 6h boundary), back to day 2 06:00: 73 hourly points.
        Instant read = SimTestSupport.T0.plus(Duration.ofDays(5)).plus(Duration.ofHours(6));
        assertEquals(read, h.end());
        assertEquals(read.minus(Duration.ofDays(3)), h.start());
        assertEquals(Duration.ofHours(1), h.step());
        assertEquals(3 * 24 + 1, h.size("qps"));
        double secondsAtStart = Duration.between(SimTestSupport.T0, h.start()).toSeconds();
        assertEquals(secondsAtStart, h.at("qps", 0), 1e-6);
        assertEquals((secondsAtStart + 3600) / 200, h.at("cpu", 1), 1e-6);
        // Until the next 6h boundary the same read; at it, a new one.
        assertSame(h, source.history(SimTestSupport.TARGET, read.plus(Duration.ofHours(5)).plusSeconds(3599)));
        assertEquals(read.plus(Duration.ofHours(6)), source.history(SimTestSupport.TARGET,
                read.plus(Duration.ofHours(6))).end());
    }
}
