package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.TemplateResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * A memory limit raised under a recent peak (recheck 65, F3): 3 queryNodes hold 8.4 GiB, 2.8 GiB each, 0.70 of a
 * 4Gi limit (in band) for two hours; then the chart's {@code queryNode.resources.limits.memory} goes to 8Gi and the
 * same 2.8 GiB reads 0.35 (LOW). The peak load kept is 0.70 x 3 = 2.10 nodes of 4Gi, which is 8.4 GiB: 1.05 nodes
 * of 8Gi. Read in the old units it holds 3 -> 2 while the old peak is in 5 of the look-back's 6 spans (2.10/2 =
 * 1.05 > 0.80, where 8.4 GiB on two 8Gi nodes is 0.53), with the shipped 120m and 5 until 12:20, 20 minutes after
 * the raise and 13 past the sustain; put in the new template's units it fits (1.05/2 = 0.53 <= 0.80), and the
 * step-down waits only for the scale-in sustain (the 10m average below 0.50 at 12:07). A limit cut the other way doubles the peaks: a step-down the old
 * units would allow holds. 15 s ticks; cpu and qps low throughout.
 */
class ResizedPeaksStoryTest {

    private static final double GI = 1L << 30;

    /** Every decision of the story; {@code templateKnown} false: an owner that gives no template (a replay). */
    static List<Decision> raise(boolean templateKnown) {
        Scene s = Scene.scene().allLow();
        s.peakWindow(Duration.ofMinutes(120), 5);
        List<Decision> out = new ArrayList<>();
        for (int tick = 0; tick < 4 * 150; tick++) {
            int minute = tick / 4;
            boolean raised = minute >= 120;
            s.ready = s.current;
            if (templateKnown) {
                s.resources = new TemplateResources(OptionalDouble.of(1), OptionalDouble.of((raised ? 8 : 4) * GI));
            }
            s.allLow().memory(raised ? 0.35 : 0.70);
            out.add(s.step().decision());
            s.plus(Duration.ofSeconds(15));
        }
        return out;
    }

    @Test
    void aRaisedLimitPutsTheKeptPeaksInItsUnitsAndTheStepDownWaitsOnlyForTheSustain() {
        List<Decision> d = raise(true);
        Decision first = d.stream().filter(x -> x.reason() == Reason.SIGNALS_LOW).findFirst().orElseThrow();
        // The raise is seen at 12:00; the 10m average of memory falls below 0.50 at 12:07, and nothing else waits.
        assertEquals(Scene.T0.plus(Duration.ofMinutes(127)), first.time(), first.message().text());
        assertEquals(2, first.to());
        assertTrue(first.message().text().contains("memory 1.05/2 = 0.53 <= 0.80"), first.message().text());
        assertTrue(first.message().text().contains("(memory peaks before the memory limit went 4Gi -> 8Gi per pod at"
                + " 2026-01-05T12:00:00Z counted x 0.50)"), first.message().text());
    }

    @Test
    void withoutTheTemplateTheOldUnitsHoldTheStepDown() {
        List<Decision> d = raise(false);
        Decision held = d.stream().filter(x -> x.reason() == Reason.PEAK_WOULD_OVERLOAD).findFirst().orElseThrow();
        assertEquals(Scene.T0.plus(Duration.ofMinutes(127)), held.time(), held.message().text());
        assertTrue(held.message().text().contains("memory peak load 2.10"), held.message().text());
        assertTrue(held.message().text().contains("2.10/2 = 1.05 > 0.80"), held.message().text());
        assertTrue(d.stream().noneMatch(x -> x.reason() == Reason.SIGNALS_LOW
                        && x.time().isBefore(Scene.T0.plus(Duration.ofMinutes(140)))),
                () -> "held until the old peak is in fewer than 5 of the 6 spans (12:20): " + d.stream()
                        .filter(x -> x.reason() == Reason.SIGNALS_LOW).findFirst().orElseThrow());
    }

    /**
     * The other way: 1.05 nodes of memory load kept under an 8Gi limit (0.35 on 3), then a cut to 4Gi (the same
     * bytes read 0.70, in band, so no sustain runs); the kept peak is now 2.10 nodes of the new limit, and the hold
     * message names the cut. Read in the old units 1.05/2 = 0.53 would fit.
     */
    @Test
    void aCutLimitDoublesTheKeptPeaksAndTheHoldSaysWhy() {
        Scene s = Scene.scene().allLow();
        s.peakWindow(Duration.ofMinutes(120), 1);
        for (int tick = 0; tick < 8; tick++) {
            s.resources = new TemplateResources(OptionalDouble.of(1), OptionalDouble.of(8 * GI));
            s.allLow().memory(0.35);
            s.state = s.observed().state();
            s.plus(Duration.ofSeconds(15));
        }
        assertEquals(1.05, s.state.get(RecentPeak.Peaks.class).peaks().peak("memory"), 1e-9);
        s.resources = new TemplateResources(OptionalDouble.of(1), OptionalDouble.of(4 * GI));
        s.allLow().memory(0.30);
        s.state = s.observed().state();
        assertEquals(2.10, s.state.get(RecentPeak.Peaks.class).peaks().peak("memory"), 1e-9, "in 4Gi units");
        RecentPeak.Peaks peaks = s.state.get(RecentPeak.Peaks.class);
        assertEquals("memory peaks before the memory limit went 8Gi -> 4Gi per pod at 2026-01-05T10:02:00Z counted"
                + " x 2.00", peaks.resized().text());
        // A tick whose owner says nothing of the template (an operator hand-over) keeps the last known: no rescale.
        s.resources = TemplateResources.UNKNOWN;
        s.plus(Duration.ofSeconds(15));
        s.state = s.observed().state();
        assertEquals(2.10, s.state.get(RecentPeak.Peaks.class).peaks().peak("memory"), 1e-9);
        s.resources = new TemplateResources(OptionalDouble.of(1), OptionalDouble.of(4 * GI));
        s.plus(Duration.ofSeconds(15));
        s.state = s.observed().state();
        assertEquals(2.10, s.state.get(RecentPeak.Peaks.class).peaks().peak("memory"), 1e-9, "the same 4Gi again");
    }
}
