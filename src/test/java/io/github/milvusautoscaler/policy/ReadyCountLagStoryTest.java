package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A queryNode container restart, as recheck 96 saw it live (F1): qps is the searches over the component's ready
 * replicas as kube-state-metrics reports them ({@code queries.component-ready}: kube_deployment_status_replicas_ready),
 * which lags the Deployment's own status by up to a scrape (30 s under kube-prometheus-stack). The restarted pod is
 * ready again in the object while kube-state-metrics still counts 2, so qps read 303 / 2 = 151.5 > 150 on 3 ready
 * replicas, past the scale-out sustain it held through as AWAITING_READY (151.5 x 2/3 = 101 once it serves), and scaled
 * 3 -> 4 on it; the next scrape read 101. qps is now divided by the object's ready count (Signal#valueOver). cpu and memory are left out (the chart's {@code resources: {}}), so qps is
 * the only load the policy sees. Scene's qps band: line 150, target 115; scale-out sustain 1m.
 */
class ReadyCountLagStoryTest {

    /** One 15 s tick: {@code ready} in the object, qps = 303/s over {@code counted} ready as kube-state-metrics says. */
    private static Decision tick(Scene s, int ready, int counted) {
        return tick(s, 303, ready, counted);
    }

    /**
     * One 15 s tick of {@code searches}/s: {@code ready} in the object, qps = searches over the {@code counted} ready
     * kube-state-metrics reports; cpu and memory left out (the chart's {@code resources: {}}).
     */
    private static Decision tick(Scene s, double searches, int ready, int counted) {
        s.ready = ready;
        s.signals.put("qps", Signal.known("qps", searches / counted, 0, Duration.ofSeconds(10))
                .withReadyDividedBy(counted));
        s.signals.put("cpu", Signal.notApplicable("cpu", "queryNode's pods declare no CPU request"));
        s.signals.put("memory", Signal.notApplicable("memory", "queryNode's pods declare no memory limit"));
        Decision d = s.step().decision();
        s.plus(Duration.ofSeconds(15));
        return d;
    }

    @Test
    void aRestartedPodReadyBeforeKubeStateMetricsSaysSoScalesNothing() {
        Scene s = Scene.scene().replicas(3, 3);
        List<Decision> decisions = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            decisions.add(tick(s, 3, 3)); // 101 each: in band
        }
        // The container restarts: unready 90 s, past the 1m sustain; kube-state-metrics sees it a tick later.
        decisions.add(tick(s, 2, 3));
        for (int i = 0; i < 6; i++) {
            decisions.add(tick(s, 2, 2));
        }
        Decision held = decisions.get(decisions.size() - 1);
        assertEquals(Reason.AWAITING_READY, held.reason(), held.message().text());
        // Ready again in the object; kube-state-metrics still says 2 for two ticks.
        Decision back = tick(s, 3, 2);
        decisions.add(back);
        decisions.add(tick(s, 3, 2));
        for (int i = 0; i < 4; i++) {
            decisions.add(tick(s, 3, 3));
        }
        for (Decision d : decisions) {
            assertTrue(d.to() == 3, () -> d.time() + " " + d.action() + " " + d.reason() + ": " + d.message().text());
        }
        // 303 searches/s over the 3 ready, not over the 2 kube-state-metrics still counts: 101, in band.
        assertEquals(Reason.IN_BAND, back.reason(), back.message().text());
        assertTrue(back.message().text().contains("qps 101"), back.message().text());
        assertEquals(Reason.IN_BAND, decisions.get(decisions.size() - 1).reason());
    }

    /**
     * A rise through a readiness blip (recheck 98, F1): 620 searches/s on 4 queryNodes, 155 each, past the 150 line;
     * one goes unready for a tick and back, kube-state-metrics a tick behind each time. Divided by the object's ready
     * count each tick reads the load as it is (620 / 3 = 207 while one is out, under the 225 panic line, then 155), so
     * the scale-out sustain that began at the first tick goes on and it scales out once 1m has passed, where reading
     * those ticks UNKNOWN started the sustain again at each.
     */
    @Test
    void aRiseThroughAReadinessBlipScalesOutOnTime() {
        Scene s = Scene.scene().replicas(4, 4);
        int[][] readyThenCounted = {{4, 4}, {4, 4}, {3, 4}, {4, 3}, {4, 4}, {4, 4}};
        Decision d = null;
        int at = 0;
        for (int[] rc : readyThenCounted) {
            d = tick(s, 620, rc[0], rc[1]);
            if (d.isScale()) {
                break;
            }
            at += 15;
        }
        assertEquals(Action.SCALE_OUT, d.action(), d.reason() + ": " + d.message().text());
        assertEquals(60, at, "at the sustain's end: " + d.message().text());
    }

    /** Load that is there whatever the count: 3 ready by both, 460/s is 153 each, and it scales out. */
    @Test
    void aRiseSeenByBothCountsStillScalesOut() {
        Scene s = Scene.scene().replicas(3, 3);
        Decision d = null;
        for (int i = 0; i < 6 && (d == null || !d.isScale()); i++) {
            d = tick(s, 460, 3, 3);
        }
        assertEquals(Reason.SIGNAL_HIGH, d.reason(), d.message().text());
        assertEquals(4, d.to(), d.message().text()); // ceil(3 x 153.33/115) = ceil(4.00) = 4
    }
}
