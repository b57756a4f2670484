package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;

/**
 * qps on a queryNode whose pods declare no CPU request or memory limit, the default of the Milvus chart
 * (zilliztech/milvus-helm charts/milvus/values.yaml {@code resources: {}}) and of the operator: cpu and memory are left
 * out, and qps is the only load the policy sees. The proxies' sum misreads around a proxy event for a tick or two;
 * the shapes and numbers are the ones the real-install recheck 5 read from a real Prometheus (2 queryNodes at 130
 * per queryNode, 30s scrape, 15 s ticks): a removal read 65 for one tick and then 130 (recheck 5), or 195 for one
 * or two ticks (recheck 6: two, 4 of 4 removals). Each of them scaled queryNodes out (2 -> 3 on the dip, 2 -> 4 on
 * the 195) while the rule {@link QpsRise} did not exist; every "no scale-out" below fails without it. Scene's qps
 * band: line 150, target 115.
 */
class QpsWithoutCpuStoryTest {

    /** 15 s ticks on 2 ready queryNodes: 30 minutes at 130 per queryNode, then {@code perTick}, then 130 for 10m. */
    private static List<Decision> after(double... perTick) {
        double[] steady = DoubleStream.generate(() -> 130).limit(120).toArray();
        double[] settle = DoubleStream.generate(() -> 130).limit(40).toArray();
        return run(DoubleStream.concat(DoubleStream.concat(DoubleStream.of(steady), DoubleStream.of(perTick)),
                DoubleStream.of(settle)).toArray());
    }

    private static List<Decision> run(double... perTick) {
        return run(Duration.ofSeconds(15), perTick);
    }

    /** {@code perTick} on 2 ready queryNodes, one tick every {@code period}, cpu and memory left out. */
    private static List<Decision> run(Duration period, double... perTick) {
        return run(period, false, perTick);
    }

    /**
     * qps per queryNode from {@code values}, one tick every {@code period}, starting on 2 ready queryNodes, cpu and
     * memory left out; {@code total}: each value is the cluster's searches/s, which a scale-out spreads over more
     * queryNodes, else each is per queryNode whatever their number.
     */
    private static List<Decision> run(Duration period, boolean total, double... values) {
        Scene s = Scene.scene().replicas(2, 2);
        List<Decision> out = new ArrayList<>();
        for (double value : values) {
            s.ready = s.current;
            s.qps(total ? value / s.ready : value);
            s.signals.put("cpu", Signal.notApplicable("cpu", "queryNode's 2 pods declare no CPU request"));
            s.signals.put("memory", Signal.notApplicable("memory", "queryNode's 2 pods declare no memory limit"));
            Decision d = s.step().decision();
            out.add(d);
            s.current = d.to();
            s.plus(period);
        }
        return out;
    }

    private static void assertNoScaleOut(List<Decision> decisions) {
        for (Decision d : decisions) {
            assertTrue(d.to() <= d.from(), () -> d.time() + " " + d.reason() + ": " + d.message().text());
        }
    }

    @Test
    void aOneTickDipAndItsReturnIsNoRise() {
        // A proxy removed: the others' rates show its share a scrape later. The return to 130 projects to
        // 130 + 2.2 x (130 - 104.6) = 186 > 150 (the short average took the 65): SCALE_OUT 2 -> 3 before the rule.
        assertNoScaleOut(after(65));
    }

    @Test
    void aDipOfAWholeMinuteAndItsReturnIsNoRise() {
        // At a 60s scrape the dip lasts up to four ticks; the 2m look-back still holds the 130 before it.
        assertNoScaleOut(after(65, 65, 65, 65));
    }

    @Test
    void aDoubleCountOfAScrapeIntervalIsNoRise() {
        // A removed proxy's last rate counted beside the load it left on the others: 195 for two ticks, 15 s of run,
        // under the 30 s hold.
        assertNoScaleOut(after(195, 195));
    }

    @Test
    void aOneTickDoubleCountOnASlowlyRisingLoadIsNoRise() {
        // A genuine drift of +0.1% a tick (125 -> 128 over 6m) is a new high on every tick; a one-tick 192 on it (a
        // removed proxy counted twice) scaled out 2 -> 4 three times when any new high opened the run its 30 s counts
        // from (real-install recheck 7, "above the last 2m's highest 126 for 2m").
        double[] load = new double[170];
        for (int i = 0; i < load.length; i++) {
            load[i] = 125 * (1 + 0.001 * Math.max(0, i - 120));
        }
        load[145] = 192;
        assertNoScaleOut(run(load));
    }

    @Test
    void aReturnThatOvershootsBySearchNoiseIsNoRise() {
        // 133, 134, 135 stand above the look-back's 130 for 30 s, but 135 is 3.8% above it, under the 5% noise.
        assertNoScaleOut(after(65, 133, 134, 135));
    }

    /** 30 minutes at 100 per queryNode, then {@code rise(i)} at the i-th tick of the rise, for 5 minutes. */
    private static List<Decision> rise(java.util.function.IntToDoubleFunction rise) {
        double[] load = new double[140];
        for (int i = 0; i < load.length; i++) {
            load[i] = i < 120 ? 100 : rise.applyAsDouble(i - 120);
        }
        return run(load);
    }

    private static Decision firstScaleOut(List<Decision> d) {
        return d.stream().filter(x -> x.to() > x.from()).findFirst().orElseThrow();
    }

    @Test
    void aStepConfirmsItselfOnItsThirdTick() {
        // 100 -> 140 and staying. The step's first tick heads for 193 > 150 and its second for 172, but a 195 looks the
        // same for up to a scrape interval; its third, 140 heading for 160 (the short average 131 per queryNode), has
        // read as rising, 40% above the look-back's 100, for 30 s: SIGNAL_RISING 30 s after the step, where a cpu
        // rising with it would have confirmed it on the first tick. The sustain rule alone would never act: 140 is
        // under the line.
        Decision first = firstScaleOut(rise(i -> 140));
        assertEquals(Reason.SIGNAL_RISING, first.reason(), first.message().text());
        assertEquals(Scene.T0.plus(Duration.ofSeconds(15L * 122)), first.time(), first.message().text());
        assertEquals(3, first.to());
        assertTrue(first.message().text().contains("rising and 5% or more above its last 2m for 30s (no cpu to confirm"
                + " it)"), first.message().text());
    }

    @Test
    void aDoubleCountOnThePlateauAGenuineStepLeftIsNoRise() {
        // 200 searches/s on 2 queryNodes, a genuine step to 340 (2 -> 3 once it holds), then 4 minutes on, past the
        // cooldown, a removed proxy counted twice: 510 for one tick and then two (170 per queryNode on 3 for 113).
        // The step's run stays open while the load stays up, and a hold counted from the run passed the 170 at once:
        // SCALE_OUT 3 -> 5 (real-install recheck 8, twice); counted on the ticks that read as rising, it does not.
        for (int ticks : new int[] {1, 2}) {
            double[] load = new double[200];
            for (int i = 0; i < load.length; i++) {
                load[i] = i < 120 ? 200 : 340;
            }
            for (int i = 0; i < ticks; i++) {
                load[136 + i] = 510;
            }
            List<Decision> d = run(Duration.ofSeconds(15), true, load);
            List<Decision> outs = d.stream().filter(x -> x.to() > x.from()).toList();
            assertEquals(1, outs.size(), () -> ticks + " tick(s): " + outs);
            assertEquals(Scene.T0.plus(Duration.ofSeconds(15L * 122)), outs.get(0).time(), "the step: 2 -> 3 at its third"
                    + " tick");
            assertEquals(3, outs.get(0).to());
        }
    }

    @Test
    void aStepStillConfirmsWhenTheTicksComeAFewMillisecondsEarly() {
        // The daemon stamps a tick with the clock when it runs: 14.998 s apart, the step's third tick is 29.996 s after
        // its first, which missed a 30 s hold exactly, and by the fourth the step no longer read as rising: no early
        // scale-out on 3 of 8 steps (recheck 7).
        double[] load = new double[140];
        for (int i = 0; i < load.length; i++) {
            load[i] = i < 120 ? 100 : 140;
        }
        Decision first = firstScaleOut(run(Duration.ofMillis(14_998), load));
        assertEquals(Reason.SIGNAL_RISING, first.reason(), first.message().text());
        assertEquals(Scene.T0.plus(Duration.ofMillis(14_998L * 122)), first.time(), first.message().text());
    }

    @Test
    void aRampWaitsForItsRiseToHoldThirtySeconds() {
        // 100 then +10 a tick: 110 and 120 head for 123 and 141, under the line; 130 on the ramp's third tick is the
        // first to head past it (156), which a cpu rising with it would confirm at once; with none, the rise must read
        // as rising for 30 s: 150 on the fifth tick, 30 s later. The sustain rule alone would wait for 150 plus 1m.
        Decision first = firstScaleOut(rise(i -> 110 + 10 * i));
        assertEquals(Reason.SIGNAL_RISING, first.reason(), first.message().text());
        assertEquals(Scene.T0.plus(Duration.ofSeconds(15L * 124)), first.time(), first.message().text());
        assertTrue(first.message().text().contains("rising and 5% or more above its last 2m for 30s"),
                first.message().text());
    }
}
