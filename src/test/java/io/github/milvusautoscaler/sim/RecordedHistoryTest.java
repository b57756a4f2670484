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

    /**
     * A point is the load over the step it starts (PrometheusHistorySource reads it at the step's end), so a daemon
     * reading at 10:00 knows the step 09:55-10:00 and nothing after: a 10:40 tick sees up to 09:55.
     */
    @Test
    void aTickSeesTheLookBackUpToItsLastWholeHourAndNothingAfter() {
        RecordedHistory source = new RecordedHistory(Map.of(T, threeDays()), Map.of(T, Duration.ofDays(1)));
        Instant tick = START.plus(Duration.ofDays(2)).plus(Duration.ofMinutes(10 * 60 + 40));
        LoadHistory h = source.history(T, tick);
        Instant hour = START.plus(Duration.ofDays(2)).plus(Duration.ofHours(10));
        Instant lastStep = hour.minus(STEP);
        assertEquals(lastStep, h.end());
        // Day 1 09:55 (point 288 + 119 = 407) to day 2 09:55 (point 695): one day, both ends on the grid.
        assertEquals(lastStep.minus(Duration.ofDays(1)), h.start());
        assertEquals(289, h.size("cpu"));
        assertEquals(407.0, h.at("cpu", 0));
        assertEquals(695.0, h.at("cpu", 288));
        // The step from 10:00 ends at 10:05, after the read: not known.
        assertTrue(h.max("cpu", hour, hour).isEmpty());
        assertEquals(695.0, h.max("cpu", lastStep.minus(STEP), lastStep).getAsDouble());
        // The same hour hands out the same window; the next hour a new one.
        assertSame(h, source.history(T, tick.plus(Duration.ofMinutes(15))));
        assertEquals(lastStep.plus(Duration.ofHours(1)), source.history(T, tick.plus(Duration.ofMinutes(20))).end());
    }

    /**
     * A recording across a cut of the CPU request from 2 cores to 1 at day 2 00:00, the same 0.85 cores a pod
     * throughout (cpu 0.425 of 2 cores, then 0.85 of 1): a tick on day 1 sees its window in its own 2-core request
     * (0.425 x 4 = 1.70, as the signals it replays beside), a tick on day 2 sees day 1 in the 1-core request (1.70 x
     * 2/1 = 3.40). In the recording's last request throughout, day 1's forecast was twice the load its replayed signals
     * read, and a raise missed its pre-scale (recheck 79, F2).
     */
    @Test
    void eachWindowIsInTheRequestOfItsOwnLastPoint() {
        int points = 3 * 288 + 1;
        double[] load = new double[points];
        double[] request = new double[points];
        for (int i = 0; i < points; i++) {
            boolean cut = i >= 2 * 288;
            request[i] = cut ? 1.0 : 2.0;
            load[i] = (cut ? 0.85 : 0.425) * 4;
        }
        LoadHistory recording = new LoadHistory(START, STEP, START.plus(Duration.ofDays(3)), Map.of("cpu", load),
                Map.of("cpu", request));
        RecordedHistory source = new RecordedHistory(Map.of(T, recording), Map.of(T, Duration.ofDays(1)));
        LoadHistory dayOne = source.history(T, START.plus(Duration.ofHours(36)));
        assertEquals(1.70, dayOne.at("cpu", 10), 1e-9);
        LoadHistory dayTwo = source.history(T, START.plus(Duration.ofHours(60)));
        assertEquals(3.40, dayTwo.at("cpu", 10), 1e-9, "day 1 in the 1-core request");
        assertEquals(3.40, dayTwo.at("cpu", dayTwo.size("cpu") - 1), 1e-9);
    }

    /**
     * The request a replayed tick declares (what the daemon reads from the pod template) is the one recorded at the
     * last point read by then: a cut from 2 cores to 1 whose rollout served both at point 1 (1.5 per pod) reads 2.0
     * before that point's step ends, 1.5 once it has, 1.0 after, and the hour's window, put in its last point's
     * 1.5, reads 3.40 x 1/1.5 = 2.27 nodes where the engine puts it back in 1 core (x 1.5/1 = 3.40; recheck 81, F4).
     */
    @Test
    void aTickDeclaresTheRequestOfTheLastPointReadByThen() {
        Instant cut = START.plus(Duration.ofHours(12));
        int at = 144;
        double[] load = new double[at + 12];
        double[] request = new double[load.length];
        for (int i = 0; i < load.length; i++) {
            request[i] = i < at ? 2.0 : i == at ? 1.5 : 1.0;
            load[i] = 3.40 / request[i];
        }
        request[at + 3] = Double.NaN; // a kube-state-metrics gap: the point before it answers
        LoadHistory recording = new LoadHistory(START, STEP, START.plus(STEP.multipliedBy(load.length)),
                Map.of("cpu", load), Map.of("cpu", request));
        RecordedHistory source = new RecordedHistory(Map.of(T, recording), Map.of(T, Duration.ofDays(1)));
        assertEquals(2.0, cpu(source, cut.plus(STEP).minusSeconds(1)), "the mixed step not read yet");
        assertEquals(1.5, cpu(source, cut.plus(STEP)));
        assertEquals(1.0, cpu(source, cut.plus(STEP.multipliedBy(3))));
        assertEquals(1.0, cpu(source, cut.plus(STEP.multipliedBy(4))), "the gap reads the point before it");
        assertTrue(source.declared(T, START.plus(STEP).minusSeconds(1)).cpuRequestCores().isEmpty(),
                "before any point is read");
        assertTrue(source.declared(T, cut).memoryLimitBytes().isEmpty());
        Target other = new Target("milvus", "other", Component.QUERY_NODE, InstallKind.OPERATOR);
        assertTrue(source.declared(other, cut).cpuRequestCores().isEmpty());
        // The window of the hour read at 13:00 ends in the mixed step (1.5): in it, then back in the template's 1 core.
        LoadHistory window = new RecordedHistory(Map.of(T, new LoadHistory(START, STEP, START.plus(STEP.multipliedBy(
                at + 1)), Map.of("cpu", java.util.Arrays.copyOf(load, at + 1)), Map.of("cpu",
                java.util.Arrays.copyOf(request, at + 1)))), Map.of(T, Duration.ofDays(1)))
                .history(T, cut.plus(Duration.ofMinutes(10)).plus(Duration.ofHours(1)));
        assertEquals(3.40 / 1.5, window.at("cpu", 0), 1e-9);
        assertEquals(3.40, window.inUnitsOf("cpu", 1.0).at("cpu", 0), 1e-9);
    }

    private static double cpu(RecordedHistory source, Instant at) {
        return source.declared(T, at).cpuRequestCores().orElseThrow();
    }

    @Test
    void aLookBackBeforeTheRecordingStartsAtTheRecordingAndAnUnrecordedTargetHasNone() {
        RecordedHistory source = new RecordedHistory(Map.of(T, threeDays()), Map.of(T, Duration.ofDays(14)));
        LoadHistory h = source.history(T, START.plus(Duration.ofHours(6)).plusSeconds(1));
        assertEquals(START, h.start());
        // 00:00 to 05:55, the step read at 06:00.
        assertEquals(6 * 12, h.size("cpu"));
        Target other = new Target("milvus", "other", Component.QUERY_NODE, InstallKind.OPERATOR);
        assertSame(LoadHistory.NONE, source.history(other, START.plus(Duration.ofDays(1))));
    }
}
