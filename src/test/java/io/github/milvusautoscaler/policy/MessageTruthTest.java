package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Reason;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Decision messages that said false things, from the message audit (/work/notes/audit-messages.md), each with the
 * whole message now written. Bands as Scene's: cpu [0.40, 0.75] target 0.575, qps [80, 150] target 115; 3 replicas,
 * max 10; scale-out sustain 1m, cooldown 3m, max-step 2, panic above 1.5 x the line.
 */
class MessageTruthTest {

    /**
     * H3: a forecast is read from the history, so the signal it sizes by may be UNKNOWN on this tick's instant
     * query. The pre-scale is made, and its message says "now unknown" where reading the value threw (the
     * decision then reached no log, Event or status). 5.0 nodes of cpu load forecast within 5m: the unknown cpu's
     * line is its band's 0.75, ceil(5.0/0.75) = 7 > 3; the horizon's 6.0 gives ceil(6.0/0.75) = 8, at most forecast
     * max-step 4 more: 3 -> 7.
     */
    @Test
    void aPreScaleSizedByASignalUnknownNowSaysSo() {
        Scene s = Scene.scene().unknown("cpu", "empty result").forecast(Map.of("cpu", 5.0), Map.of("cpu", 6.0));
        Decision d = s.decide().decision();
        assertEquals(Reason.PRESCALE_FORECAST, d.reason(), d.message().text());
        assertEquals(7, d.to());
        assertEquals("queryNode cpu load forecast to reach 5.00 within 5m (the lower of the same time 1d and 7d ago),"
                + " now unknown (empty result): ceil(5.00/0.75) = 7 > 3; 3 -> 7 for cpu's 6.00 within 2h30m"
                + " (ceil(6.00/0.75) = 8, forecast max-step 4)", d.message().text());
    }

    /**
     * M3: qps has been HIGH for 2m (past the 1m sustain) and cpu jumps past its panic line this tick, outside any
     * cooldown. The reason is SIGNAL_HIGH, earned by qps, so qps leads the sentence; it said "cpu 1.30 > 0.75 for
     * 0s". Sized by the furthest above its target, cpu: ceil(3 x 1.30/0.575) = 7, +2 at most: 3 -> 5.
     */
    @Test
    void aSustainedScaleOutNamesTheSignalThatWasSustained() {
        Scene s = Scene.scene().cpu(1.30).qps(160);
        s.state = Scene.highSince(s.state, Map.of("qps", s.now.minus(Duration.ofMinutes(2)), "cpu", s.now));
        Decision d = s.decide().decision();
        assertEquals(Reason.SIGNAL_HIGH, d.reason(), d.message().text());
        assertEquals(5, d.to());
        assertEquals("queryNode qps 160 > 150 for 2m; 3 -> 5 (ceil(3 x cpu 1.30/0.575) = 7, max-step 2)",
                d.message().text());
    }

    /**
     * M1 and L3: the formula's divisor in full and its value as precise as its result needs; a step cut by
     * max-replicas says so. cpu 0.82 on 9 of max 10: ceil(9 x 0.82/0.575) = 13, +2 capped at 11, then 10.
     */
    @Test
    void aScaleOutCutByMaxReplicasSaysSoAndItsCeilHoldsAsPrinted() {
        Scene s = Scene.scene().replicas(9, 9).cpu(0.82);
        s.state = Scene.highSince(s.state, Map.of("cpu", s.now.minus(Duration.ofMinutes(2))));
        Decision d = s.decide().decision();
        assertEquals(Reason.SIGNAL_HIGH, d.reason(), d.message().text());
        assertEquals(10, d.to());
        assertEquals("queryNode cpu 0.82 > 0.75 for 2m; 9 -> 10 (ceil(9 x 0.82/0.575) = 13, max-step 2,"
                + " max-replicas 10)", d.message().text());
    }

    /**
     * H2: with fewer spans seen than peak-recurrence (a start, a restart, a gap) the peak is the highest seen, and the
     * message says so instead of "reached in 5 of the last 6 20m spans". Shipped look-back (120m, 5 of six 20m
     * spans); all LOW for the sustain; cpu 0.60 per pod on 3 (1.8 nodes) in the one span seen before this one, 0.20
     * in this: 1.8 / 2 = 0.90 > 0.75 holds.
     */
    @Test
    void aPeakFromFewerSpansThanTheRecurrenceIsNotCalledARecurrence() {
        Scene s = Scene.scene().allLow();
        s.state = s.steadyFor(Duration.ofMinutes(20));
        ScaleInSettings shipped = ShippedPeakLookBackStoryTest.shipped();
        s.peakWindow(shipped.peakWindow(), shipped.peakRecurrence()).peakedIn("cpu", 0.60, 0.20);
        Decision d = s.decide().decision();
        assertEquals(Reason.PEAK_WOULD_OVERLOAD, d.reason(), d.message().text());
        assertEquals("queryNode cpu peak load 1.80 (value x ready, the highest of the 2 20m spans seen, fewer than"
                + " peak-recurrence 5) would put 2 at 1.80/2 = 0.90 > 0.75; no step-down 3 -> 2; holding at 3",
                d.message().text());
        // Five spans seen at 1.8: the recurrence, as before.
        Scene five = Scene.scene().allLow();
        five.state = five.steadyFor(Duration.ofMinutes(20));
        five.peakWindow(shipped.peakWindow(), shipped.peakRecurrence()).peakedIn("cpu", 0.60, 5);
        String text = five.decide().decision().message().text();
        assertTrue(text.contains("(value x ready, reached in 5 of the last 6 20m spans)"), text);
    }
}
