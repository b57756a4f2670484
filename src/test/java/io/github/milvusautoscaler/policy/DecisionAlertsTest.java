package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.milvusautoscaler.core.ActiveAlert.AlertAction;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Reason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A decision names the alerts that drove or held it ({@link Decision#alerts()}), so a log pipeline finds what an alert
 * did without parsing the message; every other decision names none. The scale-out alerts are the shipped rules'
 * (deploy/prometheus/milvus-autoscaler.rules.yaml); no shipped rule only blocks scale-in, so MyCompactionBacklog
 * stands for an SRE's own rule labelled {@code autoscaler_action: block-scale-in}.
 */
class DecisionAlertsTest {

    private static final Duration M1 = Duration.ofMinutes(1);

    private static Decision decide(Scene s) {
        return s.decide().decision();
    }

    /** Two alerts firing, one of them twice (two label sets): each named once, in the order they arrived. */
    @Test
    void anAlertScaleOutNamesItsAlerts() {
        Scene s = Scene.scene().alert("MilvusSearchLatencyHigh", AlertAction.SCALE_OUT)
                .alert("MilvusQueryQueueBacklog", AlertAction.SCALE_OUT);
        s.alerts.add(new io.github.milvusautoscaler.core.ActiveAlert("other|MilvusSearchLatencyHigh|" + Scene.T0,
                "MilvusSearchLatencyHigh", AlertAction.SCALE_OUT, Scene.T0));
        Decision d = decide(s);
        assertEquals(Reason.ALERT_SCALE_OUT, d.reason(), d.message().text());
        assertEquals(List.of("MilvusSearchLatencyHigh", "MilvusQueryQueueBacklog"), d.alerts());
    }

    @Test
    void anAlertHeldByItsCooldownIsNamed() {
        Scene s = Scene.scene().alert("MilvusQueryQueueBacklog", AlertAction.SCALE_OUT);
        s.state = Scene.alertScaleOut(s.state, s.now.minus(M1), Set.of());
        Decision d = decide(s);
        assertEquals(Reason.ALERT_COOLDOWN, d.reason(), d.message().text());
        assertEquals(List.of("MilvusQueryQueueBacklog"), d.alerts());
    }

    @Test
    void anAlertHeldAtMaxReplicasIsNamed() {
        Scene s = Scene.scene().replicas(10, 10).alert("MilvusSearchLatencyHigh", AlertAction.SCALE_OUT);
        Decision d = decide(s);
        assertEquals(Reason.AT_MAX, d.reason(), d.message().text());
        assertEquals(List.of("MilvusSearchLatencyHigh"), d.alerts());
    }

    @Test
    void anAlertHeldByTheActionBudgetIsNamed() {
        Scene s = Scene.scene().alert("MilvusSearchLatencyHigh", AlertAction.SCALE_OUT);
        s.budget = new Budget(30, 30);
        Decision d = decide(s);
        assertEquals(Reason.BUDGET_EXHAUSTED, d.reason(), d.message().text());
        assertEquals(List.of("MilvusSearchLatencyHigh"), d.alerts());
    }

    @Test
    void aScaleInAnAlertBlocksNamesIt() {
        Scene s = Scene.scene();
        s.allLow();
        s.alert("MyCompactionBacklog", AlertAction.BLOCK_SCALE_IN);
        s.state = s.steadyFor(Duration.ofHours(1));
        Decision d = decide(s);
        assertEquals(Reason.ALERT_BLOCKS_SCALE_IN, d.reason(), d.message().text());
        assertEquals(List.of("MyCompactionBacklog"), d.alerts());
    }

    /** A scale-out the signals earned names no alert, though one blocking scale-in fires beside it. */
    @Test
    void aSignalScaleOutNamesNone() {
        Scene s = Scene.scene().alert("MyCompactionBacklog", AlertAction.BLOCK_SCALE_IN);
        s.cpu(0.82);
        s.state = Scene.highSince(s.state, Map.of("cpu", s.now.minus(M1)));
        Decision d = decide(s);
        assertEquals(Reason.SIGNAL_HIGH, d.reason(), d.message().text());
        assertEquals(List.of(), d.alerts());
    }
}
