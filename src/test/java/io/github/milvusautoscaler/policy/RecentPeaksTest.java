package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.SignalState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The recent-peak memory: highest load per bucket, forgotten as buckets leave the window, holes ignored. */
class RecentPeaksTest {

    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    static final Duration WINDOW = Duration.ofMinutes(30);
    static final SignalPolicy CPU = SignalPolicy.band("cpu", 0.75, 0.40);

    static List<Classified> cpu(double v) {
        return List.of(new Classified(CPU, OptionalDouble.of(v), SignalState.IN_BAND, "", CPU.scaleOutAbove()));
    }

    static List<Classified> unknown() {
        return List.of(new Classified(CPU, OptionalDouble.empty(), SignalState.UNKNOWN, "empty result", CPU.scaleOutAbove()));
    }

    @Test
    void keepsTheHighestLoadOfTheWindowThenForgetsIt() {
        RecentPeaks p = RecentPeaks.NONE;
        // A spike of cpu 0.95 on 2 ready = 1.9 nodes of load at 10:00, then 0.3 on 2 (0.6) every 15 s.
        p = p.next(cpu(0.95), 2, T0, WINDOW);
        for (int s = 15; s <= 25 * 60; s += 15) {
            p = p.next(cpu(0.30), 2, T0.plusSeconds(s), WINDOW);
        }
        assertEquals(1.9, p.peak("cpu"), 1e-9, "25 minutes later the spike is still within the window");
        // 5m buckets: the 10:00-10:05 bucket is dropped when the 10:30 bucket starts.
        for (int s = 25 * 60 + 15; s <= 30 * 60; s += 15) {
            p = p.next(cpu(0.30), 2, T0.plusSeconds(s), WINDOW);
        }
        assertEquals(0.6, p.peak("cpu"), 1e-9, "at 10:30 the 10:00 bucket left the window");
    }

    @Test
    void anUnknownValueNeitherAddsNorLowersThePeak() {
        RecentPeaks p = RecentPeaks.NONE.next(cpu(0.9), 3, T0, WINDOW);
        p = p.next(unknown(), 3, T0.plusSeconds(15), WINDOW);
        assertEquals(2.7, p.peak("cpu"), 1e-9);
        assertTrue(Double.isNaN(RecentPeaks.NONE.next(unknown(), 3, T0, WINDOW).peak("cpu")));
    }

    @Test
    void aLongGapForgetsEverythingAndAZeroWindowKeepsNothing() {
        RecentPeaks p = RecentPeaks.NONE.next(cpu(0.9), 3, T0, WINDOW);
        p = p.next(cpu(0.1), 3, T0.plus(Duration.ofHours(2)), WINDOW);
        assertEquals(0.3, p.peak("cpu"), 1e-9);
        assertTrue(Double.isNaN(RecentPeaks.NONE.next(cpu(0.9), 3, T0, Duration.ZERO).peak("cpu")));
    }

    @Test
    void aRecurringPeakNeedsThatManyBucketsAtOrAboveIt() {
        // 60m window, six 10m buckets: one spike of 3.0 and two buckets reaching 1.5, the rest 0.5.
        Duration hour = Duration.ofMinutes(60);
        double[] perBucket = {3.0, 0.5, 1.5, 0.5, 1.5, 0.5};
        RecentPeaks p = RecentPeaks.NONE;
        for (int b = 0; b < 6; b++) {
            p = p.next(cpu(perBucket[b]), 1, T0.plus(Duration.ofMinutes(10L * b + 1)), hour);
        }
        assertEquals(3.0, p.peak("cpu", 1), 1e-9, "the highest");
        assertEquals(1.5, p.peak("cpu", 2), 1e-9);
        assertEquals(1.5, p.peak("cpu", 3), 1e-9, "reached in three buckets: 3.0, 1.5, 1.5");
        assertEquals(0.5, p.peak("cpu", 4), 1e-9);
        assertEquals(0.9, RecentPeaks.NONE.next(cpu(0.9), 1, T0, hour).peak("cpu", 3), 1e-9,
                "one bucket seen: its maximum, not nothing (a restarted daemon does not step down blind)");
        RecentPeaks two = RecentPeaks.NONE.next(cpu(1.6), 1, T0, hour).next(cpu(0.2), 1, T0.plus(Duration.ofMinutes(11)),
                hour);
        assertEquals(1.6, two.peak("cpu", 3), 1e-9, "two buckets seen, recurrence 3: the higher of the two");
    }

    /**
     * A span's maximum recalled from the load history only rises, only within the window, only for a tracked signal,
     * and the object stays the same when nothing rises (so the state does not change on every tick).
     * Window 30m: spans of 5m; at 10:00 the window's spans are 09:35 to 10:00.
     */
    @Test
    void aRecalledLoadRaisesItsSpanWithinTheWindowOnly() {
        RecentPeaks p = RecentPeaks.NONE.next(cpu(0.2), 3, T0, WINDOW);
        assertEquals(Duration.ofMinutes(5), p.span());
        RecentPeaks recalled = p.recalled("cpu", T0.minus(Duration.ofMinutes(20)), 1.5);
        assertEquals(1.5, recalled.peak("cpu"), 1e-9);
        // Two spans with data (09:40 at 1.5, 10:00 at 0.6): the recurring peak of 2 is 0.6.
        assertEquals(0.6, recalled.peak("cpu", 2), 1e-9);
        assertSame(recalled, recalled.recalled("cpu", T0.minus(Duration.ofMinutes(20)), 1.0), "never lowers");
        assertSame(p, p.recalled("cpu", T0.minus(Duration.ofMinutes(30)), 9.0), "outside the window");
        assertSame(p, p.recalled("cpu", T0.plus(Duration.ofMinutes(5)), 9.0), "a span not reached yet");
        assertSame(p, p.recalled("memory", T0.minus(Duration.ofMinutes(5)), 9.0), "not a tracked signal");
        assertSame(p, p.recalled("cpu", T0.minus(Duration.ofMinutes(5)), Double.NaN), "no sample");
        assertEquals(0.6, p.peak("cpu"), 1e-9, "the original is unchanged");
    }
}
