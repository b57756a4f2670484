package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.SignalState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The run of qps ticks above the look-back's highest load, tick by tick ({@link QpsRise#next}). */
class QpsRiseTest {

    private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    private static final Duration LOOK_BACK = Duration.ofMinutes(2);
    private static final Duration HOLD = Duration.ofSeconds(30);
    private static final SignalPolicy QPS = SignalPolicy.band("qps", 150, 80);
    private static final SignalPolicy CPU = SignalPolicy.band("cpu", 0.75, 0.40);

    private static Classified known(SignalPolicy band, double v) {
        return new Classified(band, OptionalDouble.of(v), band.state(v, band.scaleOutAbove()), "", band.scaleOutAbove());
    }

    private static Classified unknown(SignalPolicy band) {
        return new Classified(band, OptionalDouble.empty(), SignalState.UNKNOWN, "empty result", band.scaleOutAbove());
    }

    /** Per-queryNode qps on 2 ready, one tick every 15 s from T0. */
    private static QpsRise feed(double... perPod) {
        QpsRise r = QpsRise.NONE;
        for (int i = 0; i < perPod.length; i++) {
            List<Classified> signals = Double.isNaN(perPod[i]) ? List.of(unknown(QPS)) : List.of(known(QPS, perPod[i]));
            r = r.next(signals, 2, tick(i), LOOK_BACK);
        }
        return r;
    }

    /** The time of the i-th tick. */
    private static Instant tick(int i) {
        return T0.plusSeconds(15L * i);
    }

    @Test
    void aRunStartsClearlyAboveEverythingSeenAndKeepsItsBase() {
        QpsRise r = feed(100, 100, 110, 120, 130);
        assertEquals(tick(2), r.since()); // 110 x 2 is 10% above the look-back's 200
        assertEquals(200, r.base()); // 100 per pod on 2: the look-back's highest load before the run
        assertFalse(r.held(tick(4), HOLD)); // a run that never read as rising holds nothing
    }

    @Test
    void theHoldCountsTheTicksThatReadAsRising() {
        QpsRise r = feed(100, 100, 110, 120, 130).rose(true, tick(2)).rose(true, tick(3));
        assertEquals(tick(2), r.risingSince());
        assertTrue(r.held(tick(4), HOLD)); // rising on tick 2, tick 3 and this one: 30 s
        assertFalse(r.held(tick(3), HOLD)); // 15 s: a double count looks the same
        // The daemon stamps ticks with the clock: two 15 s periods measured 29.998 s are the 30 s hold.
        assertTrue(r.held(tick(4).minusMillis(2), HOLD));
        // A tick that does not read as rising ends the streak; the run goes on.
        QpsRise broken = r.rose(false, tick(4));
        assertNull(broken.risingSince());
        assertEquals(tick(2), broken.since());
        assertSame(r, r.rose(true, tick(4)), "a streak that goes on is the same memory");
    }

    @Test
    void noiseAboveWhatWasSeenStartsNoRun() {
        assertNull(feed(130, 132, 133).since()); // 1.5% and 2.3% above the look-back's highest: under 5%
        // A slow drift, +0.1% a tick: every tick a new high, none clearly above the look-back (recheck 7's drift).
        double[] drift = new double[12];
        for (int i = 0; i < drift.length; i++) {
            drift[i] = 125 * (1 + 0.001 * i);
        }
        assertNull(feed(drift).since());
    }

    @Test
    void aRunEndsWhenTheLoadFallsBackWithinTheMargin() {
        // 195 opens a run over 130; 131 is 0.8% above that base, so the run ends and a later 195 starts afresh.
        assertNull(feed(130, 195, 131).since());
        assertEquals(tick(3), feed(130, 195, 131, 205).since());
        assertEquals(tick(1), feed(130, 195, 140).since()); // 140 is 7.7% above 130: the run goes on
    }

    @Test
    void aReturnToASeenLevelStartsNoRun() {
        assertNull(feed(130, 65, 130).since());
        assertEquals(Double.NaN, feed(130, 65, 130).base());
    }

    @Test
    void aLevelOlderThanTheLookBackIsForgotten() {
        // 130 at T0, then 65 for 2m: at T0 + 2m15s the 130 is out of the look-back and a return to it is a new high.
        double[] ticks = new double[11];
        java.util.Arrays.fill(ticks, 65);
        ticks[0] = 130;
        ticks[10] = 130;
        assertEquals(tick(10), feed(ticks).since());
        double[] exactly = java.util.Arrays.copyOf(ticks, 9);
        exactly[8] = 130; // at T0 + 2m, the look-back's edge: the first 130 is still seen
        assertNull(feed(exactly).since());
    }

    @Test
    void aHoleEndsTheRunButNeverLowersWhatWasSeen() {
        assertNull(feed(100, 120, Double.NaN).since());
        // The 120 before the hole is still seen: 115 after it starts no run, 130 starts one.
        assertNull(feed(100, 120, Double.NaN, 115).since());
        assertEquals(tick(3), feed(100, 120, Double.NaN, 130).since());
    }

    @Test
    void noQpsKeepsNothing() {
        QpsRise r = feed(100, 110, 120);
        assertSame(QpsRise.NONE, r.next(List.of(known(CPU, 0.5)), 2, tick(3), LOOK_BACK));
        // Whatever the cpu, the run goes on: a return from a dip is no rise with or without one.
        assertEquals(tick(1), r.next(List.of(known(CPU, 0.5), known(QPS, 130)), 2, tick(3), LOOK_BACK).since());
    }
}
