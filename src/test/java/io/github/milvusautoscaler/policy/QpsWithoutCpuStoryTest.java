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
        Scene s = Scene.scene().replicas(2, 2);
        List<Decision> out = new ArrayList<>();
        for (double qps : perTick) {
            s.ready = s.current;
            s.qps(qps);
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
        // stood above the look-back's 100 for 30 s at 40% above it: SIGNAL_RISING 30 s after the step, where a cpu
        // rising with it would have confirmed it on the first tick. The sustain rule alone would never act: 140 is
        // under the line.
        Decision first = firstScaleOut(rise(i -> 140));
        assertEquals(Reason.SIGNAL_RISING, first.reason(), first.message().text());
        assertEquals(Scene.T0.plus(Duration.ofSeconds(15L * 122)), first.time(), first.message().text());
        assertEquals(3, first.to());
        assertTrue(first.message().text().contains("5% or more above 100 (the highest of the 2m before it rose) for 30s"
                + " (no cpu to confirm it)"), first.message().text());
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
    void aRampCostsNothing() {
        // 100 then +10 a tick: 110 and 120 head for 123 and 141, under the line; 130 on the ramp's third tick is the
        // first to head past it (156), and by then it has stood above the look-back's 100 for 30 s. The sustain rule
        // alone would wait for 150 (the fifth tick) plus 1m.
        Decision first = firstScaleOut(rise(i -> 110 + 10 * i));
        assertEquals(Reason.SIGNAL_RISING, first.reason(), first.message().text());
        assertEquals(Scene.T0.plus(Duration.ofSeconds(15L * 122)), first.time(), first.message().text());
        assertTrue(first.message().text().contains("5% or more above 100 (the highest of the 2m before it rose) for 30s"),
                first.message().text());
    }
}
