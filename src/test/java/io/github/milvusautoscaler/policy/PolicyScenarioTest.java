package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Scene.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Settle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Load stories on a manual clock, one decision every 15 s, asserting each action and the holds
 * at the turning points. Settings are reference.conf's defaults (see {@link Scene}).
 */
class PolicyScenarioTest {

    private static final int TICK = 15;

    /** (seconds since T0, reason, from, to) of an action. */
    private record Act(long at, Reason reason, int from, int to) {
        static Act of(Decision d) {
            return new Act(d.time().getEpochSecond() - T0.getEpochSecond(), d.reason(), d.from(), d.to());
        }
    }

    @Test
    void riseSustainScaleOutCooldownFallStepDownSettleStepDownAgain() {
        Scene s = Scene.scene();
        List<Act> actions = new ArrayList<>();
        Map<Long, Reason> holds = new LinkedHashMap<>();
        long scaledOutAt = -1;
        long lastStepDown = -1;
        boolean firstStepDown = true;
        long busyUntil = -1;
        for (long t = 0; t <= 2700; t += TICK) {
            s.at(T0.plusSeconds(t));
            // New replicas take 2m to become ready after the scale-out.
            int ready = scaledOutAt >= 0 && t < scaledOutAt + 120 ? 3 : s.current;
            s.replicas(s.current, ready);
            if (t < 15) {
                s.inBand();
            } else if (t < 600) {
                // 0.82 on 3 ready; once 5 are ready the same load reads 0.82 x 3/5 = 0.49, in band.
                s.cpu(ready == 3 ? 0.82 : 0.49).memory(0.65).qps(100);
            } else {
                s.allLow();
            }
            s.settle = t < busyUntil ? Settle.BUSY : Settle.QUIET;
            Decision d = s.step().decision();
            if (d.isScale()) {
                actions.add(Act.of(d));
                if (d.action() == Action.SCALE_OUT) {
                    scaledOutAt = t;
                } else {
                    lastStepDown = t;
                    // Segments move for 7m after the first step-down, 2m after later ones.
                    busyUntil = t + (firstStepDown ? 420 : 120);
                    firstStepDown = false;
                }
            } else {
                holds.put(t, d.reason());
            }
        }
        assertTrue(lastStepDown > 0);
        assertEquals(List.of(
                // cpu HIGH from 15s, sustained 1m at 75s: ceil(3 x 0.82/0.575) = 5.
                new Act(75, Reason.SIGNAL_HIGH, 3, 5),
                // all LOW from 600s, sustained 10m at 1200s (delay-after-scale-out ended at 75 + 900 = 975s).
                new Act(1200, Reason.SIGNALS_LOW, 5, 4),
                // cooldown to 1500s, then settling until segments stop moving at 1200 + 420 = 1620s.
                new Act(1620, Reason.SIGNALS_LOW, 4, 3),
                // cooldown 5m: 1620 + 300 = 1920s; data quiet since 1740s.
                new Act(1920, Reason.SIGNALS_LOW, 3, 2),
                // cpu 0.20 x 2/1 = 0.40, memory 0.30 x 2 = 0.60, qps 20 x 2 = 40: all under target.
                new Act(2220, Reason.SIGNALS_LOW, 2, 1)), actions);
        assertEquals(Reason.SUSTAINING_HIGH, holds.get(30L));
        assertEquals(Reason.SCALE_OUT_COOLDOWN, holds.get(90L));
        assertEquals(Reason.IN_BAND, holds.get(300L));
        assertEquals(Reason.SUSTAINING_LOW, holds.get(900L));
        assertEquals(Reason.SCALE_IN_COOLDOWN, holds.get(1290L));
        assertEquals(Reason.SETTLING, holds.get(1560L));
        assertEquals(Reason.AT_MIN, holds.get(2400L));
    }

    @Test
    void stepDownRolledBackWhenLoadReturnsThenBackedOff() {
        Scene s = Scene.scene().replicas(4, 4).allLow();
        s.state = s.state.withTimers(Map.of(), T0.minus(Duration.ofMinutes(20)), null);
        Decision first = s.step().decision();
        assertEquals(Reason.SIGNALS_LOW, first.reason());
        assertEquals(3, first.to());

        // 2m later a queryNode reports failing health, still inside the 5m verify window: back to 4.
        s.replicas(3, 3).plus(Duration.ofMinutes(2));
        s.health = Health.FAILING;
        Decision rollback = s.step().decision();
        assertEquals(Reason.STEP_DOWN_ROLLBACK, rollback.reason());
        assertEquals(4, rollback.to());

        // Load is low again and healthy 20m later, yet the 30m back-off holds scale-in.
        s.health = Health.OK;
        s.replicas(4, 4).allLow().plus(Duration.ofMinutes(20));
        assertEquals(Reason.SCALE_IN_BACKOFF, s.step().decision().reason());

        // Past the back-off (30m) the step-down happens again.
        s.plus(Duration.ofMinutes(11));
        assertEquals(Reason.SIGNALS_LOW, s.step().decision().reason());
    }

    @Test
    void prometheusOutageHoldsAndRestartsTheScaleInTimer() {
        Scene s = Scene.scene().replicas(4, 4).allLow();
        // LOW for 9m, then Prometheus goes away for 2m.
        for (int t = 0; t <= 540; t += TICK) {
            s.at(T0.plusSeconds(t));
            assertEquals(Action.HOLD, s.step().decision().action());
        }
        for (int t = 555; t <= 675; t += TICK) {
            s.at(T0.plusSeconds(t)).allUnknown();
            Decision d = s.step().decision();
            assertEquals(Reason.ALL_SIGNALS_UNKNOWN, d.reason());
            assertTrue(d.message().contains("prometheus timeout"), d.message());
        }
        // Back at 690s: the 10m scale-in wait starts again, so no step-down before 690 + 600 = 1290s.
        for (int t = 690; t < 1290; t += TICK) {
            s.at(T0.plusSeconds(t)).allLow();
            assertEquals(Reason.SUSTAINING_LOW, s.step().decision().reason(), "at " + t);
        }
        s.at(T0.plusSeconds(1290));
        assertEquals(Reason.SIGNALS_LOW, s.step().decision().reason());
    }

    @Test
    void oneAlertActsOnceAndBlocksScaleInUntilResolved() {
        Scene s = Scene.scene().replicas(3, 3);
        s.alert("MilvusSearchLatencyHigh", io.github.milvusautoscaler.core.ActiveAlert.AlertAction.SCALE_OUT);
        assertEquals(Reason.ALERT_SCALE_OUT, s.step().decision().reason());
        assertEquals(4, s.current);
        // Re-sent by Alertmanager 10m later (same key): no second scale-out, and low load cannot scale in.
        s.replicas(4, 4).allLow().plus(Duration.ofMinutes(10));
        s.state = s.state.withTimers(Map.of(), T0.minus(Duration.ofHours(1)), null);
        assertEquals(Reason.ALERT_BLOCKS_SCALE_IN, s.step().decision().reason());
        s.plus(Duration.ofMinutes(10));
        assertEquals(Reason.ALERT_BLOCKS_SCALE_IN, s.step().decision().reason());
        // Resolved: scale-in possible again (delay after the alert scale-out, 15m, has passed).
        s.alerts.clear();
        s.plus(Duration.ofMinutes(1));
        assertEquals(Reason.SIGNALS_LOW, s.step().decision().reason());
        assertTrue(s.state.handledAlerts().isEmpty(), "keys of resolved alerts are forgotten");
    }

    @Test
    void failedWriteStartsNoCooldown() {
        Scene s = Scene.scene().cpu(0.82);
        s.state = s.state.withTimers(Map.of("cpu", T0.minus(Duration.ofMinutes(1))), null, null);
        Outcome o = s.decide();
        assertEquals(Reason.SIGNAL_HIGH, o.decision().reason());
        assertEquals(T0, o.next().lastScaleOut());
        assertEquals(null, o.unapplied().lastScaleOut());
        // The next tick after a failed write tries again instead of waiting out a cooldown.
        s.state = o.unapplied();
        s.plus(Duration.ofSeconds(15));
        assertEquals(Reason.SIGNAL_HIGH, s.decide().decision().reason());
    }
}
