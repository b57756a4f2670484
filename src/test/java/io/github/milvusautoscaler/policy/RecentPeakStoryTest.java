package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A scripted hour and a half of recurring spikes, 15 s ticks: cpu 0.20 per pod on 3 replicas with a
 * one-minute spike to 0.55 (1.65 nodes of load, in band and below the target, so no scale-out) every 10
 * minutes, then quiet. The averages are LOW all along (about 0.25 < 0.40) and the current value projects to
 * 0.30 on 2, so without a peak look-back the policy steps down to 1 into the spikes; with it, it keeps the
 * second node while the spikes recur (1.10 nodes on 1 = 1.10 > 0.75) and lets it go once they have left the
 * look-back.
 */
class RecentPeakStoryTest {

    /** Runs the story; returns every decision. */
    static List<Decision> run(Duration peakWindow) {
        Scene s = Scene.scene().allLow();
        if (!peakWindow.isZero()) {
            s.peakWindow(peakWindow, 3);
        }
        List<Decision> out = new ArrayList<>();
        for (int tick = 0; tick < 4 * 150; tick++) {
            int minute = tick / 4;
            boolean spike = minute < 90 && minute % 10 == 5;
            s.ready = s.current;
            s.allLow().cpu(spike ? 0.55 : 0.20);
            Decision d = s.step().decision();

            out.add(d);
            s.plus(Duration.ofSeconds(15));
        }
        return out;
    }

    @Test
    void withoutAPeakLookBackItStepsDownToOneIntoTheSpikes() {
        List<Decision> d = run(Duration.ZERO);
        // 3 -> 2 and then 2 -> 1 while the spikes still recur: the next spike is 1.10 nodes on 1 replica.
        Decision toOne = d.stream().filter(x -> x.reason() == Reason.SIGNALS_LOW && x.to() == 1).findFirst()
                .orElseThrow();
        assertTrue(toOne.time().isBefore(Scene.T0.plus(Duration.ofMinutes(90))), toOne.time().toString());
    }

    @Test
    void withTheDefaultLookBackItKeepsTheNodeTheSpikesNeedUntilTheyHaveStopped() {
        List<Decision> d = run(Duration.ofMinutes(60));
        // From 10:10 (the sustain) to 10:20 only two spans are seen: judged on the higher, 1.65 nodes on 2 holds.
        Decision first = d.stream().filter(x -> x.reason() == Reason.PEAK_WOULD_OVERLOAD).findFirst().orElseThrow();
        assertEquals(Scene.T0.plus(Duration.ofMinutes(10)), first.time());
        assertTrue(first.message().text().contains("1.65/2 = 0.83 > 0.75"), first.message().text());
        // At 10:20 the spikes have been seen in only 2 of the 3 spans (minutes 5 and 15): 3 -> 2 goes ahead.
        Decision toTwo = d.stream().filter(x -> x.reason() == Reason.SIGNALS_LOW).findFirst().orElseThrow();
        assertEquals(3, toTwo.from());
        assertEquals(Scene.T0.plus(Duration.ofMinutes(20)), toTwo.time());
        // From then on 0.55 on 2 = 1.10 nodes recurs in every span: 2 -> 1 would put 1.10 on 1 > 0.75, so it holds.
        Decision held = d.stream().filter(x -> x.reason() == Reason.PEAK_WOULD_OVERLOAD && x.from() == 2).findFirst()
                .orElseThrow();
        assertTrue(held.message().text().contains("cpu peak load 1.10"), held.message().text());
        assertTrue(held.message().text().contains("1.10/1 = 1.10 > 0.75"), held.message().text());
        // The last spike is at minute 85 (span 8); fewer than 3 of the six spans hold one from span 12 on: 12:00.
        Decision toOne = d.stream().filter(x -> x.reason() == Reason.SIGNALS_LOW && x.to() == 1).findFirst()
                .orElseThrow();
        assertEquals(Scene.T0.plus(Duration.ofMinutes(120)), toOne.time());
        // Each step-down says how the peak that held it fits now (recheck 60, F4: a step-down 15 s after the hold it
        // had refused read as a contradiction): at 10:20 the spikes' 1.65 is in 2 spans, fewer than 3, so cpu's peak
        // is the steady 0.20 x 3 = 0.60; at 12:00 the spikes have left the window: 0.20 x 2 = 0.40 on 1.
        assertTrue(toTwo.message().text().contains("; recent peaks fit: cpu 0.60/2 = 0.30 <= 0.75, memory 0.90/2 ="
                + " 0.45 <= 0.80"), toTwo.message().text());
        assertTrue(toOne.message().text().contains("; recent peaks fit: cpu 0.40/1 = 0.40 <= 0.75, memory 0.60/1 = 0.60"
                + " <= 0.80"), toOne.message().text());
    }

    /**
     * qps is the cluster's search rate divided in its query by kube-state-metrics' ready count, which moves a scrape
     * after the API's: on 2 -> 4 the first reads are still 200/s over 2 = 100 per node, times the API's 4 = a load of
     * 400 nobody carried (recheck 10: a step-down held by "qps peak load 800" on a cluster that never saw 400/s).
     * Those reads skip the peaks for settle-read-after (1m); cpu, read per pod, is not skipped. The shape: reference.conf's
     * qps template divides by queries.component-ready, kube_deployment_status_replicas_ready (kube-state-metrics
     * docs/workload/deployment-metrics.md), which Prometheus has only as of its last scrape of kube-state-metrics (30s
     * on kube-prometheus-stack), while the daemon's ready count is the Deployment's status read from the API.
     */
    @Test
    void aClusterSignalReadOverALaggingReadyCountDoesNotSetAPeak() {
        Scene s = Scene.scene().allLow();
        s.peakWindow(Duration.ofMinutes(60), 1);
        ScaleInSettings in = s.scaleIn;
        s.scaleIn = new ScaleInSettings(in.sustain(), in.cooldown(), in.delayAfterScaleOut(), in.verifyWindow(),
                in.backoff(), in.settleTimeout(), in.peakWindow(), in.peakRecurrence(), in.peakAfterReversal(),
                Duration.ofMinutes(1));
        s.replicas(2, 2).qps(100).cpu(0.30);
        for (int i = 0; i < 4; i++) {
            s.step();
            s.plus(Duration.ofSeconds(15));
        }
        assertEquals(200, s.state.get(RecentPeak.Peaks.class).peaks().peak("qps"), 1e-9);
        s.replicas(4, 4).qps(100).cpu(0.30);
        s.step();
        s.plus(Duration.ofSeconds(15));
        s.replicas(4, 4).qps(50).cpu(0.30);
        s.step();
        s.plus(Duration.ofSeconds(15));
        assertEquals(200, s.state.get(RecentPeak.Peaks.class).peaks().peak("qps"), 1e-9,
                "the read over the old count set no peak of 400");
        assertEquals(1.20, s.state.get(RecentPeak.Peaks.class).peaks().peak("cpu"), 1e-9, "cpu per pod: 0.30 x 4");
        // Past settle-read-after (1m after the change) the counts agree again and a real rise counts: 75 x 4.
        for (int i = 0; i < 4; i++) {
            s.replicas(4, 4).qps(75).cpu(0.30);
            s.step();
            s.plus(Duration.ofSeconds(15));
        }
        assertEquals(300, s.state.get(RecentPeak.Peaks.class).peaks().peak("qps"), 1e-9);
    }
}
