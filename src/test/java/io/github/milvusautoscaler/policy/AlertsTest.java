package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Scene.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.milvusautoscaler.core.ActiveAlert.AlertAction;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ScaleMemory;
import io.github.milvusautoscaler.core.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The alerts rule's memory ({@link Alerts.Book}): the last alert scale-out and the alerts acted on. */
class AlertsTest {

    private static final String LATENCY = "group|MilvusSearchLatencyHigh|" + T0;
    private static final String QUEUE = "group|MilvusReadQueueBacklog|" + T0;

    private final Alerts rule = new Alerts();

    @Test
    void mergesWhatTheObjectRemembers() {
        Scene s = Scene.scene();
        s.state = Scene.alertScaleOut(s.state, T0.minus(Duration.ofMinutes(30)), Set.of(QUEUE));
        s.memory = new ScaleMemory(null, null, T0.minus(Duration.ofMinutes(10)), Set.of(LATENCY));
        Alerts.Book after = rule.observe(s.state.get(Alerts.Book.class), s.tick());
        assertEquals(new Alerts.Book(T0.minus(Duration.ofMinutes(10)), Set.of(QUEUE, LATENCY)), after);
        // An older alert scale-out on the object does not move ours back.
        s.memory = new ScaleMemory(null, null, T0.minus(Duration.ofHours(1)), Set.of());
        assertEquals(T0.minus(Duration.ofMinutes(30)), rule.observe(s.state.get(Alerts.Book.class), s.tick())
                .lastScaleOut());
    }

    @Test
    void keysOfAlertsNoLongerFiringAreForgotten() {
        Scene s = Scene.scene().alert("MilvusSearchLatencyHigh", AlertAction.SCALE_OUT);
        s.state = Scene.alertScaleOut(s.state, T0.minus(Duration.ofMinutes(1)), Set.of(LATENCY, QUEUE));
        Alerts.Book after = rule.decided(s.state.get(Alerts.Book.class), s.observed(),
                new Proposal(Stage.IN_BAND, Reason.IN_BAND, 3, "x"));
        assertEquals(new Alerts.Book(T0.minus(Duration.ofMinutes(1)), Set.of(LATENCY)), after);
    }

    @Test
    void anAlertHeldAtMaxIsConsumedOnce() {
        Scene s = Scene.scene().replicas(10, 10).alert("MilvusSearchLatencyHigh", AlertAction.SCALE_OUT);
        Proposal p = rule.decide(s.observed()).orElseThrow();
        assertEquals(Reason.AT_MAX, p.reason());
        assertEquals(Set.of(LATENCY), p.alertKeys());
        Alerts.Book after = rule.decided(s.state.get(Alerts.Book.class), s.observed(), p);
        assertEquals(Set.of(LATENCY), after.handled());
        s.state = s.state.with(after);
        assertEquals(java.util.Optional.empty(), rule.decide(s.observed()), "a handled alert does not act again");
    }

    @Test
    void aWrittenAlertScaleOutStartsTheCooldownAndRemembersItsAlerts() {
        Scene s = Scene.scene().alert("MilvusSearchLatencyHigh", AlertAction.SCALE_OUT);
        Proposal p = rule.decide(s.observed()).orElseThrow();
        assertEquals(Reason.ALERT_SCALE_OUT, p.reason());
        Alerts.Book decided = rule.decided(s.state.get(Alerts.Book.class), s.observed(), p);
        assertEquals(Set.of(), decided.handled(), "not acted on until written");
        assertEquals(new Alerts.Book(T0, Set.of(LATENCY)), rule.written(decided, s.observed(), p));
    }

    @Test
    void otherScaleOutsLeaveTheBookAlone() {
        Scene s = Scene.scene();
        Alerts.Book before = s.state.get(Alerts.Book.class);
        assertSame(before, rule.written(before, s.observed(), new Proposal(Stage.SCALE_OUT, Reason.SIGNAL_HIGH, 5, "x")));
    }

    @Test
    void retimedMovesTheAlertScaleOutOfThisTick() {
        Instant written = T0.plusMillis(2100);
        assertEquals(new Alerts.Book(written, Set.of(LATENCY)), new Alerts.Book(T0, Set.of(LATENCY)).retimed(T0, written));
    }
}
