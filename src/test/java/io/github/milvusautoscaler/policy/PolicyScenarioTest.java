package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Scene.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.DecisionReason;
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
    private record Act(long at, DecisionReason reason, int from, int to) {
        static Act of(Decision d) {
            return new Act(d.time().getEpochSecond() - T0.getEpochSecond(), d.reason(), d.from(), d.to());
        }
    }

    /**
     * The simulator's queryNode as the signals show it: cpu = load / ready, qps = 200 x load /
     * ready, memory = (16 GiB / ready + 2 GiB) / 32 GiB = 0.5 / ready + 0.0625.
     */
    private static void observe(Scene s, double load) {
        int r = Math.max(1, s.ready);
        s.cpu(load / r).qps(200 * load / r).memory(0.5 / r + 0.0625);
    }

    @Test
    void riseScaleOutOnceWaitForReadyFallStepDownSettleStepDownAgain() {
        Scene s = Scene.scene();
        List<Act> actions = new ArrayList<>();
        Map<Long, DecisionReason> holds = new LinkedHashMap<>();
        long scaledOutAt = -1;
        long lastStepDown = -1;
        boolean firstStepDown = true;
        long busyUntil = -1;
        for (long t = 0; t <= 3600; t += TICK) {
            s.at(T0.plusSeconds(t));
            // New replicas serve 4m after the scale-out (start, then load segments).
            int ready = scaledOutAt >= 0 && t < scaledOutAt + 240 ? 3 : s.current;
            s.replicas(s.current, ready);
            // Load 1.65 nodes (cpu 0.55 on 3); from 15s a rate over 2m shows a step to 2.46 as a
            // 2m ramp; from 600s it falls to 0.6 nodes, which a 2m rate also shows as a ramp.
            double load = t < 15 ? 1.65 : t < 135 ? 1.65 + (2.46 - 1.65) * (t - 15) / 120.0
                    : t < 600 ? 2.46 : t < 720 ? 2.46 - (2.46 - 0.5) * (t - 600) / 120.0 : 0.5;
            observe(s, load);
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
                // cpu climbs 0.09/min through the target: at 75s it reads 2.055/3 = 0.685 over a 1m
                // average about 0.045 lower, heading for 0.685 + 0.09 > 0.75 with 0.09 >= 0.0875:
                // rising, ceil(3 x 0.685/0.575) = 4, without waiting for a sustained HIGH.
                new Act(75, Reason.SIGNAL_RISING, 3, 4),
                // The 10m averages are LOW soon after the fall at 600-720s; delay-after-scale-out
                // holds until 75 + 900 = 975s. cpu reads 0.125 but still averages about 0.30 (the
                // higher of the two counts): 0.30 x 4/3 = 0.40 <= 0.575.
                new Act(975, Reason.SIGNALS_LOW, 4, 3),
                // cooldown to 1275s, then settling until segments stop moving at 975 + 420 = 1395s.
                new Act(1395, Reason.SIGNALS_LOW, 3, 2),
                // cooldown to 1695s; then memory's 10m average, which still remembers 3 and 4 replicas
                // (memory x ready = 0.5 + 0.0625 x ready), projects 0.3268 x 2 = 0.654 > 0.65 until 1740s.
                new Act(1740, Reason.SIGNALS_LOW, 2, 1)), actions);
        assertEquals(Reason.SCALE_OUT_COOLDOWN, holds.get(90L));
        // HIGH since 105s (load 2.25 = 0.75 x 3), not yet for the 1m sustain, but the 4th is starting and 0.8 x 3/4
        // fits once it serves: a wait for it, not a sustain toward another scale-out (recheck 104, F1).
        assertEquals(Reason.AWAITING_READY, holds.get(150L));
        // Cooldown over at 255s: 0.82 x 3/4 = 0.615 <= 0.75 once the 4th serves, so no second scale-out.
        assertEquals(Reason.AWAITING_READY, holds.get(255L));
        // Ready at 75 + 240 = 315s: 2.46 / 4 = 0.615, in band.
        assertEquals(Reason.IN_BAND, holds.get(315L));
        assertEquals(Reason.SCALE_IN_DELAY_AFTER_SCALE_OUT, holds.get(900L));
        assertEquals(Reason.SCALE_IN_COOLDOWN, holds.get(1200L));
        assertEquals(Reason.SETTLING, holds.get(1320L));
        assertEquals(Reason.SCALE_IN_WOULD_OVERLOAD, holds.get(1710L));
        // One replica: memory (0.5 + 0.0625) = 0.5625 is in band, nothing to do at min-replicas.
        assertEquals(Reason.IN_BAND, holds.get(3600L));
    }

    @Test
    void stepDownRolledBackWhenLoadReturnsThenBackedOff() {
        Scene s = Scene.scene().replicas(4, 4).allLow();
        s.state = s.steadyFor(Duration.ofMinutes(20));
        Decision first = s.step().decision();
        assertEquals(Reason.SIGNALS_LOW, first.reason());
        assertEquals(3, first.to());

        // 2m later a queryNode reports failing health, still inside the 5m verify window: back to 4. The 3 left report
        // (the removed one no longer counted beside them).
        s.replicas(3, 3).allLow().plus(Duration.ofMinutes(2));
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
            assertTrue(d.message().text().contains("prometheus timeout"), d.message().text());
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
        s.state = s.knownSince(s.state, T0.minus(Duration.ofHours(1)));
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
        s.state = Scene.highSince(s.state, Map.of("cpu", T0.minus(Duration.ofMinutes(1))));
        Outcome o = s.decide();
        assertEquals(Reason.SIGNAL_HIGH, o.decision().reason());
        assertEquals(T0, o.next().lastScaleOut());
        assertEquals(null, o.unapplied().lastScaleOut());
        // The next tick after a failed write tries again instead of waiting out a cooldown.
        s.state = o.unapplied();
        s.plus(Duration.ofSeconds(15));
        assertEquals(Reason.SIGNAL_HIGH, s.decide().decision().reason());
    }

    /**
     * The operator's queryNode blue/green hand-over moves pods one at a time, so the ready count goes 3 -> 4 -> 3 as a
     * new group's pod turns ready and an old one goes (milvus-operator deploy_ctrl_util.go, the hand-over README cites;
     * a Deployment rollout's surge pod does the same: kubernetes.io Deployment docs, maxSurge). No more
     * replicas serve after it than before, so the scale-out waits for nothing once the rollout hold ends: cpu 1.27, above
     * the panic line (1.5 x 0.75 = 1.125), scaled out at once. It waited the whole 3m cooldown after the last surge pod
     * turned ready, "4 ready since 0s ago, the signals still average the replicas before" (recheck 55, F2).
     */
    @Test
    void aHandOverThatEndsWithAsManyReadyWaitsForNoReadyRise() {
        Scene s = Scene.scene();
        Map<Long, DecisionReason> reasons = new LinkedHashMap<>();
        for (long t = 0; t <= 90; t += TICK) {
            s.at(T0.plusSeconds(t));
            s.rollout = t < 90;
            s.replicas(3, t >= 45 && t < 75 ? 4 : 3);
            s.cpu(1.27);
            reasons.put(t, s.step().decision().reason());
        }
        assertEquals(Reason.ROLLOUT, reasons.get(60L));
        // ceil(3 x 1.27 / 0.575) = 7, at most max-step 2 more: 5.
        assertEquals(Reason.SIGNAL_HIGH, reasons.get(90L), reasons.toString());
        assertEquals(5, s.current);
    }

    /**
     * A rise that added replicas still waits: 3 ready of 5 (someone scaled 3 -> 5) become 4 and 5, and one crashing
     * back to 4 leaves more serving than before the rise, which the signals have not yet averaged over. Nothing is
     * written (each tick keeps the state as if its decision were not), so only the ready rise holds.
     */
    @Test
    void aRiseThatAddedReplicasStillWaitsThoughOneFallsBack() {
        Scene s = Scene.scene();
        Map<Long, DecisionReason> reasons = new LinkedHashMap<>();
        String last = "";
        for (long t = 0; t <= 90; t += TICK) {
            s.at(T0.plusSeconds(t));
            s.replicas(5, t < 45 ? 3 : t < 60 ? 4 : t < 75 ? 5 : 4);
            s.cpu(1.27);
            Outcome o = s.decide();
            s.state = o.unapplied();
            reasons.put(t, o.decision().reason());
            last = o.decision().message().text();
        }
        assertEquals(Reason.SCALE_OUT_COOLDOWN, reasons.get(45L), reasons.toString());
        assertEquals(Reason.SCALE_OUT_COOLDOWN, reasons.get(75L), reasons.toString());
        assertEquals(Reason.SCALE_OUT_COOLDOWN, reasons.get(90L), reasons.toString());
        // The hold dates the rise from where it began and says the count now: "4 ready since 30s ago" read as if the
        // crash had been the rise (recheck 57).
        assertTrue(last.contains("ready rose from 3 30s ago (4 now), and the load may not have spread onto the new ones yet;"
                + " scale-out cooldown 2m30s left of 3m"), last);
    }

    /**
     * A drained node's queryNode comes back (kubectl drain evicts it, and its ReplicaSet creates a replacement:
     * kubernetes.io "Safely Drain a Node"): 3 ready of 3 requested, 2 while its replacement starts (a load of 2 nodes
     * reads cpu 1.0 on 2, held as replicas starting), 3 again at 60s. That brings back a replica that served before and
     * adds none, so the load rising at 90s scales out at once. It was held for the 3m cooldown after new replicas, 45s
     * past its sustain in a recheck (recheck 58, F2).
     */
    @Test
    void aReplacementThatComesBackWaitsForNoReadyRise() {
        Scene s = Scene.scene();
        Map<Long, DecisionReason> reasons = new LinkedHashMap<>();
        for (long t = 0; t <= 90; t += TICK) {
            s.at(T0.plusSeconds(t));
            int ready = t > 0 && t < 60 ? 2 : 3;
            s.replicas(3, ready);
            s.cpu(t >= 90 ? 0.9 : 2.0 / ready);
            reasons.put(t, s.step().decision().reason());
        }
        assertEquals(Reason.IN_BAND, reasons.get(75L), reasons.toString());
        assertEquals(Reason.SIGNAL_RISING, reasons.get(90L), reasons.toString());
        assertTrue(s.current > 3, reasons.toString());
    }
}
