package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Scene.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.ActiveAlert.AlertAction;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaFloor;
import io.github.milvusautoscaler.core.Settle;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * One named case per way the pipeline can decide, each with the arithmetic that leads to the
 * expected replica count. Defaults are those of {@link Scene} (reference.conf's).
 */
class PolicyReasonTest {

    /** A Helm release's queryNode, whose rollout is a Kubernetes rolling update. */
    static final io.github.milvusautoscaler.core.Target HELM = new io.github.milvusautoscaler.core.Target("milvus",
            "my-release", io.github.milvusautoscaler.core.Component.QUERY_NODE,
            io.github.milvusautoscaler.core.InstallKind.HELM);

    private static final Duration M1 = Duration.ofMinutes(1);

    /** A state whose timers say cpu has been HIGH since {@code ago} before now. */
    private static TargetState highFor(Scene s, Duration ago) {
        return Scene.highSince(s.state, Map.of("cpu", s.now.minus(ago)));
    }

    /**
     * 2 replicas LOW for the sustain, with the shipped look-back (120m, 5 of six 20m spans) and hold after a
     * reversal (1h): cpu 0.45 per pod (0.9 nodes) in one span, 0.20 (0.4 nodes) in the other five.
     */
    private static Scene onTwoWithOneBurst(Scene s) {
        s.current = 2;
        s.ready = 2;
        s.allLow();
        s.state = lowFor(s, Duration.ofMinutes(10));
        ScaleInSettings shipped = ShippedPeakLookBackStoryTest.shipped();
        return s.peakWindow(shipped.peakWindow(), shipped.peakRecurrence()).peakAfterReversal(shipped.peakAfterReversal())
                .peakedIn("cpu", 0.20, 0.20, 0.20, 0.20, 0.45, 0.20);
    }

    /** A state in which every signal has been known, at its current value, since {@code ago} before now. */
    private static TargetState lowFor(Scene s, Duration ago) {
        return s.steadyFor(ago);
    }

    private static Arguments c(String name, Reason reason, int to, Consumer<Scene> setup) {
        return Arguments.of(name, reason, to, setup);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // --- guards ---
                c("paused object holds even when cpu is high", Reason.PAUSED, 3, s -> {
                    s.paused = true;
                    s.cpu(0.95);
                }),
                c("rollout holds", Reason.ROLLOUT, 3, s -> s.rollout = true),
                // A Helm release's rolling update (Kubernetes scales a Deployment mid-rollout, "Proportional scaling"):
                // cpu 1.2 past the panic line 0.75 x 1.5 = 1.125 still scales out, ceil(3 x 1.2/0.575) = 7, max-step 2.
                c("a Helm rollout lets a scale-out past the panic line through", Reason.PANIC, 5, s -> {
                    s.target = HELM;
                    s.rollout = true;
                    s.cpu(1.2);
                    s.state = highFor(s, Duration.ofSeconds(15));
                }),
                // below the panic line (cpu 0.9 HIGH for 5m) the rollout holds it, as it holds a step-down.
                c("a Helm rollout holds a scale-out below the panic line", Reason.ROLLOUT, 3, s -> {
                    s.target = HELM;
                    s.rollout = true;
                    s.cpu(0.9);
                    s.state = highFor(s, Duration.ofMinutes(5));
                }),
                // the operator's hand-over applies no count before every pod of both Deployments is ready: held.
                c("an operator rollout holds even past the panic line", Reason.ROLLOUT, 3, s -> {
                    s.rollout = true;
                    s.cpu(1.2);
                    s.state = highFor(s, Duration.ofSeconds(15));
                }),
                // A maintenance stop (every worker at 0, coordinators too) is not undone, even under load or an
                // alert: min-replicas 1 would have started workers whose coordinators are stopped.
                c("a component stopped at zero stays stopped", Reason.SCALED_TO_ZERO, 0, s -> {
                    s.replicas(0, 0);
                    s.cpu(0.95);
                }),
                // min 2, current 1: up to the floor at once.
                c("below min moves to min", Reason.BELOW_MIN, 2, s -> {
                    s.min = 2;
                    s.replicas(1, 1);
                }),
                // max 10, current 12: down one step, 12 -> 11.
                c("above max steps down by one", Reason.ABOVE_MAX, 11, s -> s.replicas(12, 12)),
                c("above max waits for the step-down cooldown", Reason.SCALE_IN_COOLDOWN, 12, s -> {
                    s.replicas(12, 12);
                    s.state = Scene.steppedDown(s.state, s.now.minus(M1), true);
                    s.cpu(0.55);
                }),

                // --- missing data ---
                c("all unknown holds", Reason.ALL_SIGNALS_UNKNOWN, 3, Scene::allUnknown),
                // unknown since 10m ago >= fallback.after 10m, mode scale-out, fallback 5 > current 3.
                c("all unknown past fallback.after scales out to fallback.replicas", Reason.FALLBACK_SCALE_OUT, 5, s -> {
                    s.allUnknown();
                    s.fallback = new FallbackSettings(Duration.ofMinutes(10), FallbackSettings.Mode.SCALE_OUT, 5);
                    s.state = Scene.unknownSince(s.state, s.now.minus(Duration.ofMinutes(10)));
                }),
                c("fallback never scales in: 3 already above fallback 2", Reason.ALL_SIGNALS_UNKNOWN, 3, s -> {
                    s.allUnknown();
                    s.fallback = new FallbackSettings(Duration.ofMinutes(10), FallbackSettings.Mode.SCALE_OUT, 2);
                    s.state = Scene.unknownSince(s.state, s.now.minus(Duration.ofMinutes(30)));
                }),
                c("some low, one unknown: never scale in on partial data", Reason.PARTIAL_DATA, 3, s -> {
                    s.allLow();
                    s.unknown("memory", "empty result");
                    s.state = lowFor(s, Duration.ofHours(1));
                }),
                // 2 of 3 ready pods report cpu: the third pod's load is invisible, so cpu is UNKNOWN.
                c("fewer pods reporting than ready makes the signal unknown", Reason.PARTIAL_DATA, 3, s -> {
                    s.allLow();
                    s.signals.put("cpu", io.github.milvusautoscaler.core.Signal.known("cpu", 0.2, 2, Duration.ZERO));
                    s.state = lowFor(s, Duration.ofHours(1));
                }),

                // --- scale-out ---
                // cpu 0.82 HIGH for 30s < sustain 1m.
                c("high but not sustained holds", Reason.SUSTAINING_HIGH, 3, s -> {
                    s.cpu(0.82);
                    s.state = highFor(s, Duration.ofSeconds(30));
                }),
                // ceil(3 x 0.82/0.575) = ceil(4.28) = 5; +2 <= max-step 2.
                c("high for sustain scales out proportionally", Reason.SIGNAL_HIGH, 5, s -> {
                    s.cpu(0.82);
                    s.state = highFor(s, M1);
                }),
                // ceil(3 x 0.76/0.575) = ceil(3.97) = 4.
                c("barely high adds one", Reason.SIGNAL_HIGH, 4, s -> {
                    s.cpu(0.76);
                    s.state = highFor(s, M1);
                }),
                // ceil(3 x 1.10/0.575) = ceil(5.74) = 6, capped at 3 + max-step 2 = 5.
                c("step capped by max-step", Reason.SIGNAL_HIGH, 5, s -> {
                    s.cpu(1.10);
                    s.state = highFor(s, M1);
                }),
                // qps 300/115 = 2.61 beats cpu: ceil(3 x 2.61) = 8, capped at 3 + 2 = 5.
                c("the highest ratio sizes the step", Reason.SIGNAL_HIGH, 5, s -> {
                    s.qps(300);
                    s.state = Scene.highSince(s.state, Map.of("qps", s.now.minus(M1)));
                }),
                // ceil(9 x 0.82/0.575) = 13, capped by max-step at 11, clamped to max 10.
                c("clamped to max", Reason.SIGNAL_HIGH, 10, s -> {
                    s.replicas(9, 9);
                    s.cpu(0.82);
                    s.state = highFor(s, M1);
                }),
                c("at max holds", Reason.AT_MAX, 10, s -> {
                    s.replicas(10, 10);
                    s.cpu(0.9);
                    s.state = highFor(s, M1);
                }),
                // last scale-out 1m ago < cooldown 3m; 0.9 < panic line 1.5 x 0.75 = 1.125.
                c("cooldown holds a second scale-out", Reason.SCALE_OUT_COOLDOWN, 3, s -> {
                    s.cpu(0.9);
                    s.state = Scene.lastScaleOut(highFor(s, Duration.ofMinutes(2)), s.now.minus(M1));
                }),
                // 1.2 > 1.125 panic line: ignores cooldown; ceil(3 x 1.2/0.575) = 7, capped at 5.
                c("panic overrides the cooldown", Reason.PANIC, 5, s -> {
                    s.cpu(1.2);
                    s.state = Scene.lastScaleOut(highFor(s, Duration.ofSeconds(15)), s.now.minus(M1));
                }),
                // 5 requested, 3 ready: cpu 0.82 x 3/5 = 0.49 <= 0.75 once all serve, wait for them.
                c("pending replicas already cover the need", Reason.AWAITING_READY, 5, s -> {
                    s.replicas(5, 3);
                    s.cpu(0.82);
                    s.state = highFor(s, Duration.ofMinutes(5));
                }),
                // 0.95 x 3/4 = 0.71 <= 0.75 with all 4 serving, though ceil(3 x 0.95/0.575) = 5 > 4: still waits.
                c("pending replicas bring it under the line: no piling on", Reason.AWAITING_READY, 4, s -> {
                    s.replicas(4, 3);
                    s.cpu(0.95);
                    s.state = highFor(s, Duration.ofMinutes(5));
                }),
                // 4 requested, none ready (two new pods beside two restarting): cpu 1.4 is of the pods Prometheus last
                // saw ready, above the panic line 1.125; sized on the 4 requested it read 4 x 1.4/0.575 = 10 and
                // piled 4 -> 6 onto pods still starting (soak recheck 20, F1). It waits.
                c("panic waits while no requested replica is ready", Reason.AWAITING_READY, 4, s -> {
                    s.replicas(4, 0);
                    s.cpu(1.4);
                    s.state = Scene.lastScaleOut(highFor(s, Duration.ofMinutes(1)), s.now.minus(Duration.ofSeconds(15)));
                }),
                // The tick after 3 -> 4: cpu 0.76 of the 3 ready, HIGH for 15 s of the 1m sustain, 0.76 x 3/4 = 0.57
                // <= 0.75 once the fourth serves; it read SUSTAINING_HIGH, a sustain toward a scale-out that cannot
                // come (recheck 104, F1).
                c("a sustain under starting replicas that cover it is a wait for them", Reason.AWAITING_READY, 4, s -> {
                    s.replicas(4, 3);
                    s.cpu(0.76);
                    s.state = highFor(s, Duration.ofSeconds(15));
                }),
                // The same sustain at 4 of 4 ready is one.
                c("a sustain with every replica ready", Reason.SUSTAINING_HIGH, 4, s -> {
                    s.replicas(4, 4);
                    s.cpu(0.76);
                    s.state = highFor(s, Duration.ofSeconds(15));
                }),
                // 1.1 x 3/4 = 0.83 > 0.75 even with all 4 serving: ceil(3 x 1.1/0.575) = 6, 4 -> 6.
                c("pending replicas still leave it high: scale out more", Reason.SIGNAL_HIGH, 6, s -> {
                    s.replicas(4, 3);
                    s.cpu(1.1);
                    s.state = highFor(s, Duration.ofMinutes(5));
                }),
                // 5 ready since this tick (3 before): cpu still averages the 3 over its rate window; the
                // 3m cooldown runs from now although the last scale-out was 5m ago.
                c("new replicas just ready: cooldown until the signals show them", Reason.SCALE_OUT_COOLDOWN, 5, s -> {
                    s.replicas(5, 5);
                    s.cpu(0.82);
                    s.state = Scene.ready(Scene.lastScaleOut(highFor(s, Duration.ofMinutes(5)),
                            s.now.minus(Duration.ofMinutes(5))), 3, null);
                }),
                // 1.2 > panic line 1.125, but 2 of 5 became ready 1m ago: the value describes the 3.
                c("panic waits for newly ready replicas too", Reason.SCALE_OUT_COOLDOWN, 5, s -> {
                    s.replicas(5, 5);
                    s.cpu(1.2);
                    s.state = Scene.ready(Scene.lastScaleOut(highFor(s, Duration.ofMinutes(5)),
                            s.now.minus(Duration.ofMinutes(5))), 5, s.now.minus(M1));
                }),
                // cpu 0.66 > target 0.575, short average 0.60: heading for 0.66 + 1.1 x 2 x 0.06 = 0.79 > 0.75
                // within 1.1 x 1m, and 0.13 >= (0.75 - 0.575)/2 = 0.0875: ceil(3 x 0.66/0.575) = 4.
                c("rising fast toward the line scales out without the sustain", Reason.SIGNAL_RISING, 4, s -> {
                    s.cpu(0.66);
                    s.state = s.average(s.steadyFor(Duration.ofMinutes(30)), "cpu", 0.66, 0.60);
                }),
                // cpu 0.74 over a short average of 0.73: heading for 0.762 > 0.75, but 0.022 < 0.0875.
                c("slow drift toward the line is no rise", Reason.IN_BAND, 3, s -> {
                    s.cpu(0.74);
                    s.state = s.average(s.steadyFor(Duration.ofMinutes(30)), "cpu", 0.74, 0.73);
                }),
                // cpu 0.66 over a short average of 0.618: one sustain ahead it would reach 0.66 + 2 x 0.042 = 0.744,
                // not past the line; 1.1 sustains ahead 0.66 + 0.0924 = 0.752 > 0.75 with 0.0924 >= 0.0875: rising,
                // ceil(3 x 0.66/0.575) = 4 (the rate signal lags the load, so the rise began before it shows).
                c("a rise that passes the line just past one sustain scales out", Reason.SIGNAL_RISING, 4, s -> {
                    s.cpu(0.66);
                    s.state = s.average(s.steadyFor(Duration.ofMinutes(30)), "cpu", 0.66, 0.618);
                }),
                // the rise of the previous case, 2m after a step-down (verify window 5m): expected, not load.
                c("a rise inside the verify window of a step-down is not acted on", Reason.IN_BAND, 3, s -> {
                    s.cpu(0.66);
                    s.state = Scene.steppedDown(s.average(s.steadyFor(Duration.ofMinutes(30)), "cpu", 0.66, 0.60),
                            s.now.minus(Duration.ofMinutes(2)), true);
                }),
                // cpu 0.78 HIGH for 15s over a short average of 0.70: 0.78 + 1.1 x 2 x 0.08 = 0.96 > 0.75, and
                // 0.18 >= 0.0875: no need to sustain; ceil(3 x 0.78/0.575) = 5.
                c("high and rising needs no sustain", Reason.SIGNAL_RISING, 5, s -> {
                    s.cpu(0.78);
                    s.state = Scene.highSince(s.average(s.steadyFor(Duration.ofMinutes(30)), "cpu", 0.78, 0.70),
                            Map.of("cpu", s.now.minusSeconds(15)));
                }),
                // qps 140 > target 115 over a short average of 120: heading for 140 + 1.1 x 2 x 20 = 184 > 150 with
                // 44 >= 17.5, but cpu 0.55 stands at its own short average: the proxies' counters moved, not the load
                // (around a proxy's restart, replacement or removal qps reads a share missing or twice for a scrape;
                // real-install rechecks 3 and 4 saw each scale queryNodes out).
                c("a qps rise the cpu does not show is no rise", Reason.IN_BAND, 3, s -> {
                    s.qps(140);
                    s.state = s.average(s.steadyFor(Duration.ofMinutes(30)), "qps", 140, 120);
                    s.state = Scene.qpsSeen(s.state, 120, s.ready, Duration.ofSeconds(15), s.now); // 140 is a new high
                }),
                // The same with cpu 0.5501 over 0.55: above its average, but by 0.02%, less than a flat cpu moves (5%)
                // and than a quarter of qps' +16.7% (recheck 5: +0.00018 let an artifact through).
                c("a qps rise the cpu shows only as noise is no rise", Reason.IN_BAND, 3, s -> {
                    s.qps(140).cpu(0.5501);
                    s.state = s.average(s.average(s.steadyFor(Duration.ofMinutes(30)), "qps", 140, 120), "cpu", 0.55,
                            0.55);
                    s.state = Scene.qpsSeen(s.state, 120, s.ready, Duration.ofSeconds(15), s.now);
                }),
                // A flat cpu's swing: qps 140 over 125 (+12%, heading for 140 + 2.2 x 15 = 173 > 150) with cpu 0.572
                // over 0.55 (+4%, recheck 6's cAdvisor noise): above a quarter of +12%, under the 5% floor.
                c("a qps rise the cpu shows only as its usual swing is no rise", Reason.IN_BAND, 3, s -> {
                    s.qps(140).cpu(0.572);
                    s.state = s.average(s.average(s.steadyFor(Duration.ofMinutes(30)), "qps", 140, 125), "cpu", 0.55,
                            0.55);
                    s.state = Scene.qpsSeen(s.state, 125, s.ready, Duration.ofSeconds(15), s.now);
                }),
                // qps +16.7% (140 over 120) with cpu 0.55 over 0.50 (+10% >= 5% and >= 16.7% / 4): load arriving,
                // ceil(3 x 140/115) = 4.
                c("a qps rise the cpu shows too scales out", Reason.SIGNAL_RISING, 4, s -> {
                    s.qps(140);
                    s.state = s.average(s.average(s.steadyFor(Duration.ofMinutes(30)), "qps", 140, 120), "cpu", 0.55,
                            0.50);
                    s.state = Scene.qpsSeen(s.state, 120, s.ready, Duration.ofSeconds(15), s.now);
                }),
                // The same with qps at 140 a minute ago, within the 2m look-back: the return from a dip, which reads as
                // rising for two or three ticks while cAdvisor's cpu swings past 5% often enough (recheck 6: 1 in 16).
                c("a qps return to a level seen within its look-back is no rise, whatever the cpu", Reason.IN_BAND, 3,
                        s -> {
                    s.qps(140);
                    s.state = s.average(s.average(s.steadyFor(Duration.ofMinutes(30)), "qps", 140, 120), "cpu", 0.55,
                            0.50);
                    s.state = Scene.qpsSeen(s.state, 140, s.ready, Duration.ofMinutes(1), s.now);
                }),

                // --- scale-in ---
                // known and LOW for 3m < sustain 10m.
                c("low but not sustained holds", Reason.SUSTAINING_LOW, 3, s -> {
                    s.allLow();
                    s.state = lowFor(s, Duration.ofMinutes(3));
                }),
                // cpu 0.20 x 3/2 = 0.30 <= 0.575; memory 0.30 x 1.5 = 0.45 <= 0.65; qps 20 x 1.5 = 30 <= 105.
                c("low for sustain steps down by exactly one", Reason.SIGNALS_LOW, 2, s -> {
                    s.allLow();
                    s.state = lowFor(s, Duration.ofMinutes(10));
                }),
                // cpu 0.39 x 3/2 = 0.585 > target 0.575.
                c("step-down that would overload holds", Reason.SCALE_IN_WOULD_OVERLOAD, 3, s -> {
                    s.allLow();
                    s.cpu(0.39);
                    s.state = lowFor(s, Duration.ofMinutes(10));
                }),
                // memory averages 0.30 (LOW; 0.30 x 3/2 = 0.45 fits) but one pod holds 0.60 of its limit: it could
                // reach 0.60 x 3/2 = 0.90 > 0.80 as the removed node's load moves onto it (recheck 65, F1: a step
                // on the average put such a pod past its limit).
                c("a step-down that could push the fullest pod past its memory limit holds",
                        Reason.SCALE_IN_WOULD_OVERLOAD, 3, s -> {
                    s.allLow().perPod("memory", 0.30, "my-release-milvus-querynode-0", 0.60);
                    s.state = lowFor(s, Duration.ofMinutes(10));
                }),
                // 0.53 x 3/2 = 0.795 <= 0.80: the fullest pod fits, the step goes ahead.
                c("a fullest pod that fits one node fewer lets the step-down go", Reason.SIGNALS_LOW, 2, s -> {
                    s.allLow().perPod("memory", 0.30, "my-release-milvus-querynode-0", 0.53);
                    s.state = lowFor(s, Duration.ofMinutes(10));
                }),
                // cpu's fullest pod at 0.90 is served slower, not killed: the average decides (0.20 x 3/2 = 0.30).
                c("an uneven cpu is left to its average", Reason.SIGNALS_LOW, 2, s -> {
                    s.allLow().perPod("cpu", 0.20, "my-release-milvus-querynode-0", 0.90);
                    s.state = lowFor(s, Duration.ofMinutes(10));
                }),
                // now 0.20, but the 10m average 0.39 projects to 0.39 x 3/2 = 0.585 > 0.575.
                c("a low value over a higher average holds", Reason.SCALE_IN_WOULD_OVERLOAD, 3, s -> {
                    s.allLow();
                    s.state = s.average(lowFor(s, Duration.ofMinutes(10)), "cpu", 0.39, 0.20);
                }),
                // 5 ready, cpu 0.42 now (in band) after a noisy 10m averaging 0.30 (LOW): projections
                // 0.42 x 5/4 = 0.525 <= 0.575, memory 0.30 x 5/4 = 0.375 <= 0.65, qps 60 x 5/4 = 75 <= 115.
                c("noisy but low on average steps down", Reason.SIGNALS_LOW, 4, s -> {
                    s.replicas(5, 5);
                    s.allLow().cpu(0.42).qps(60);
                    s.state = s.average(lowFor(s, Duration.ofMinutes(30)), "cpu", 0.30, 0.40);
                }),
                // every value LOW now, but cpu averaged 0.45 over the last 10m: not low enough.
                c("low now but not on average is in band", Reason.IN_BAND, 3, s -> {
                    s.allLow();
                    s.state = s.average(lowFor(s, Duration.ofMinutes(30)), "cpu", 0.45, 0.20);
                }),
                // cpu 0.38 x 3/2 = 0.57 <= 0.575: allowed.
                c("projection just under target is allowed", Reason.SIGNALS_LOW, 2, s -> {
                    s.allLow();
                    s.cpu(0.38);
                    s.state = lowFor(s, Duration.ofMinutes(10));
                }),
                // --- recent peak (scale-in.peak-window 60m, recurrence 3) ---
                // Low for the sustain, but cpu reached 0.60 on 3 (1.8 nodes of load) in 3 of the last six 10m
                // spans: 1.8 / 2 = 0.90 > 0.75 on one node fewer.
                c("a step-down that a recurring peak would overload holds", Reason.PEAK_WOULD_OVERLOAD, 3, s -> {
                    s.allLow();
                    s.state = lowFor(s, Duration.ofMinutes(10));
                    s.peakWindow(Duration.ofMinutes(60), 3).peakedIn("cpu", 0.60, 3);
                }),
                // The same peak in only 2 of 6 spans is not recurring: 3 -> 2.
                c("a peak reached in fewer spans than the recurrence does not hold", Reason.SIGNALS_LOW, 2, s -> {
                    s.allLow();
                    s.state = lowFor(s, Duration.ofMinutes(10));
                    s.peakWindow(Duration.ofMinutes(60), 3).peakedIn("cpu", 0.20, 0.20, 0.20, 0.20, 0.60, 0.60);
                }),
                // cpu 0.45 on 3 = 1.35 nodes in 3 spans: 1.35 / 2 = 0.675 <= 0.75 fits: 3 -> 2.
                c("a recurring peak that fits one node fewer steps down", Reason.SIGNALS_LOW, 2, s -> {
                    s.allLow();
                    s.state = lowFor(s, Duration.ofMinutes(10));
                    s.peakWindow(Duration.ofMinutes(60), 3).peakedIn("cpu", 0.45, 3);
                }),
                // As reference.conf ships it (120m, 5 of six 20m spans): 1.8 nodes in 4 of 6 spans is a burst, not a
                // level: 3 -> 2 (60m with recurrence 3, the first default, held it).
                c("with the shipped look-back a peak in four of six spans does not hold", Reason.SIGNALS_LOW, 2, s -> {
                    s.allLow();
                    s.state = lowFor(s, Duration.ofMinutes(10));
                    ScaleInSettings shipped = ShippedPeakLookBackStoryTest.shipped();
                    s.peakWindow(shipped.peakWindow(), shipped.peakRecurrence())
                            .peakedIn("cpu", 0.20, 0.20, 0.60, 0.60, 0.60, 0.60);
                }),
                // ... and in 5 of 6 spans it holds: 1.8 / 2 = 0.90 > 0.75.
                c("with the shipped look-back a peak in five of six spans holds", Reason.PEAK_WOULD_OVERLOAD, 3, s -> {
                    s.allLow();
                    s.state = lowFor(s, Duration.ofMinutes(10));
                    ScaleInSettings shipped = ShippedPeakLookBackStoryTest.shipped();
                    s.peakWindow(shipped.peakWindow(), shipped.peakRecurrence()).peakedIn("cpu", 0.60, 5);
                }),
                // --- after a reversed step-down to one replica (scale-in.peak-after-reversal 1h) ---
                // On 2: cpu reached 0.45 (0.9 nodes) in one of the six 20m spans, 0.20 (0.4 nodes) in the others. The
                // recurring peak, 0.4 on one node, fits; 20m after a reversed step-down to one the highest decides:
                // 0.9 / 1 = 0.90 > 0.75.
                c("after a reversed step-down to one the highest peak holds the step to one", Reason.PEAK_WOULD_OVERLOAD,
                        2, s -> onTwoWithOneBurst(s).reversedToOne(Duration.ofMinutes(20))),
                // The same an hour and a minute after the reversal: the recurring peak decides again, 2 -> 1.
                c("an hour after the reversal the recurring peak decides again", Reason.SIGNALS_LOW, 1,
                        s -> onTwoWithOneBurst(s).reversedToOne(Duration.ofMinutes(61))),
                // Without a reversal the burst in one span does not hold: 2 -> 1.
                c("without a reversal one burst does not hold the step to one", Reason.SIGNALS_LOW, 1,
                        PolicyReasonTest::onTwoWithOneBurst),
                // On 3 the step goes to 2, not to one replica: the reversal does not make it strict (1.35 / 2 would
                // hold it), 3 -> 2 on the recurring 0.6 nodes.
                c("a reversal does not hold a step-down to two", Reason.SIGNALS_LOW, 2, s -> {
                    s.allLow();
                    s.state = lowFor(s, Duration.ofMinutes(10));
                    ScaleInSettings shipped = ShippedPeakLookBackStoryTest.shipped();
                    s.peakWindow(shipped.peakWindow(), shipped.peakRecurrence())
                            .peakAfterReversal(shipped.peakAfterReversal())
                            .peakedIn("cpu", 0.20, 0.20, 0.20, 0.20, 0.45, 0.20).reversedToOne(Duration.ofMinutes(20));
                }),

                // --- forecast (lead 5m, horizon 150m, fill 1.0, line 1.13, forecast max-step 4) ---
                // With a trusted cpu forecast the cpu line is 1.13 x 0.75 = 0.8475 (qps 1.13 x 150 = 169.5).
                // cpu load forecast 2.6 nodes within 5m on 3 replicas: ceil(2.6 / 0.8475) = ceil(3.07) = 4 -> 3 -> 4.
                c("a forecast rise pre-scales", Reason.PRESCALE_FORECAST, 4, s -> {
                    s.inBand().cpu(0.50);
                    s.forecast(Map.of("cpu", 2.6), Map.of("cpu", 2.6));
                }),
                // 2.6 within the lead triggers it; 4.5 within the horizon sizes it: ceil(4.5 / 0.8475) = 6, 3 -> 6.
                c("a pre-scale sizes for the horizon's peak", Reason.PRESCALE_FORECAST, 6, s -> {
                    s.inBand().cpu(0.50);
                    s.forecast(Map.of("cpu", 2.6), Map.of("cpu", 4.5));
                }),
                // 4.9 nodes forecast: ceil(5.78) = 6, 3 more than scale-out.max-step 2 but within forecast.max-step 4.
                c("a pre-scale may add more than scale-out.max-step", Reason.PRESCALE_FORECAST, 6, s -> {
                    s.inBand().cpu(0.50);
                    s.forecast(Map.of("cpu", 4.9), Map.of("cpu", 4.9));
                }),
                // 6.4 nodes forecast: ceil(7.55) = 8, at most forecast.max-step 4 more: 3 -> 7.
                c("pre-scaling adds at most forecast.max-step", Reason.PRESCALE_FORECAST, 7, s -> {
                    s.inBand().cpu(0.50);
                    s.forecast(Map.of("cpu", 6.4), Map.of("cpu", 6.4));
                }),
                // cpu 0.82 for the sustain on 3 is above scale-out-above 0.75 but under the forecast line 0.8475, and
                // the 2.4 nodes forecast need ceil(2.4 / 0.8475) = 3: the replicas hold what the day expects.
                c("a trusted forecast moves the line: 0.82 holds in the band", Reason.IN_BAND, 3, s -> {
                    s.inBand().cpu(0.82);
                    s.state = highFor(s, M1);
                    s.forecast(Map.of("cpu", 2.4), Map.of("cpu", 2.4));
                }),
                // The line moves per signal: qps 160 on 3 has no forecast (only cpu has), so its line stays 150 and
                // 160 sustained is HIGH: ceil(3 x 160/115) = ceil(4.17) = 5, 3 -> 5 with max-step 2.
                c("a signal without a forecast keeps its line", Reason.SIGNAL_HIGH, 5, s -> {
                    s.inBand().qps(160);
                    s.state = Scene.highSince(s.state, Map.of("qps", s.now.minus(M1)));
                    s.forecast(Map.of("cpu", 1.5), Map.of("cpu", 1.5));
                }),
                // forecast.line = 1: the line stays at 0.75, so the same 0.82 for the sustain is HIGH, sized for
                // the fill level with the forecast: ceil(max(2.46, 2.4) / 0.75) = 4, 3 -> 4.
                c("forecast.line 1 keeps the band's line", Reason.SIGNAL_HIGH, 4, s -> {
                    s.inBand().cpu(0.82);
                    s.state = highFor(s, M1);
                    s.forecast(Map.of("cpu", 2.4), Map.of("cpu", 2.4)).forecastLine(1.0);
                }),
                // In the band (cpu 0.50, qps 100) on 4, memory low: with both forecasts trusted, 0.50 x 4/3 = 0.667
                // <= 0.75 (fill 1.0 x 0.75) and 100 x 4/3 = 133 <= 150, and the horizon's 1.9 / 3 = 0.63 fits: 4 -> 3.
                c("a trusted forecast steps down in the band to the fill level", Reason.SIGNALS_LOW, 3, s -> {
                    s.replicas(4, 4).cpu(0.50).memory(0.30).qps(100);
                    s.state = lowFor(s, Duration.ofMinutes(10));
                    s.forecast(Map.of("cpu", 1.9, "qps", 380.0), Map.of("cpu", 1.9, "qps", 380.0));
                }),
                // The same loads without a forecast stay in the band (0.50 is not below 0.40).
                c("without a forecast the same loads hold in the band", Reason.IN_BAND, 4, s -> {
                    s.replicas(4, 4).cpu(0.50).memory(0.30).qps(100);
                    s.state = lowFor(s, Duration.ofMinutes(10));
                }),
                // cpu 0.57 x 4/3 = 0.76 > 0.75: a forecast-sized step-down still needs the fit at the fill level,
                // not at the forecast line (0.76 <= 0.8475 would fit that).
                c("a trusted forecast steps down only to the fill level", Reason.IN_BAND, 4, s -> {
                    s.replicas(4, 4).cpu(0.57).memory(0.30).qps(100);
                    s.state = lowFor(s, Duration.ofMinutes(10));
                    s.forecast(Map.of("cpu", 1.9, "qps", 380.0), Map.of("cpu", 1.9, "qps", 380.0));
                }),
                // The load fits now, but 2.4 nodes within the horizon would put 3 at 0.80 > 0.75 (under the 0.8475
                // forecast line, so it is the fill that holds): the node stays through the dip.
                c("a step-down the horizon's forecast would not fit at the fill level holds",
                        Reason.FORECAST_HOLDS_SCALE_IN, 4, s -> {
                    s.replicas(4, 4).cpu(0.50).memory(0.30).qps(100);
                    s.state = lowFor(s, Duration.ofMinutes(10));
                    s.forecast(Map.of("cpu", 1.9, "qps", 380.0), Map.of("cpu", 2.4, "qps", 380.0));
                }),
                // cpu 0.70 over a short average of 0.60 on 3 heads for 0.70 + 1.1 x 2 x 0.10 = 0.92 > 0.8475 (the
                // forecast line), a rise of 0.22 >= (0.8475 - 0.575) / 2 = 0.136: rising. But the trusted forecast
                // within the horizon is 2.5 nodes: ceil(max(2.1, 2.5) / 0.8475) = ceil(2.95) = 3 replicas already hold
                // it under the forecast line, as a pre-scale would have sized them, so no scale-out.
                c("a rise the replicas already hold under the forecast line is no scale-out", Reason.IN_BAND, 3, s -> {
                    s.cpu(0.70);
                    s.state = s.average(s.steadyFor(Duration.ofMinutes(30)), "cpu", 0.70, 0.60);
                    s.forecast(Map.of("cpu", 2.2), Map.of("cpu", 2.5));
                }),
                // The same rise with 2.6 nodes forecast: ceil(2.6 / 0.8475) = 4 > 3, sized for the fill level
                // ceil(2.6 / 0.75) = 4, so 3 -> 4 on the rise.
                c("a rise the forecast says outgrows the replicas scales out", Reason.SIGNAL_RISING, 4, s -> {
                    s.cpu(0.70);
                    s.state = s.average(s.steadyFor(Duration.ofMinutes(30)), "cpu", 0.70, 0.60);
                    s.forecast(Map.of("cpu", 2.2), Map.of("cpu", 2.6));
                }),
                // cpu 0.88 HIGH (above the 0.8475 forecast line) for the sustain on 3: the load now (2.64) and the
                // 2.5 forecast within the horizon size for the fill level: ceil(2.64 / 0.75) = 4, so 3 -> 4 (for the
                // target it would be ceil(3 x 0.88 / 0.575) = 5).
                c("a HIGH signal with a trusted forecast sizes for the fill level", Reason.SIGNAL_HIGH, 4, s -> {
                    s.inBand().cpu(0.88);
                    s.state = highFor(s, M1);
                    s.forecast(Map.of("cpu", 2.0), Map.of("cpu", 2.5));
                }),
                // Low for the sustain, but 1.6 nodes forecast within 150m: 1.6 / 2 = 0.80 > 0.75 on one fewer.
                c("a step-down whose drain overlaps a forecast rise holds", Reason.FORECAST_HOLDS_SCALE_IN, 3, s -> {
                    s.allLow();
                    s.state = lowFor(s, Duration.ofMinutes(10));
                    s.forecast(Map.of("cpu", 0.6), Map.of("cpu", 1.6));
                }),
                // A forecast far below the current load never scales in: low for 5m of a 10m sustain holds.
                c("a forecast never scales in by itself", Reason.SUSTAINING_LOW, 3, s -> {
                    s.allLow();
                    s.state = lowFor(s, Duration.ofMinutes(5));
                    s.forecast(Map.of("cpu", 0.1, "qps", 1.0), Map.of("cpu", 0.1, "qps", 1.0));
                }),

                // --- scheduled floors ---
                // Mon 2026-01-05 10:00 UTC is 11:00 in Berlin, inside Mon-Fri 08:00-20:00 at 5: 3 -> 5.
                c("below a scheduled floor moves up to it", Reason.SCHEDULED_FLOOR, 5, s -> {
                    s.scheduled.add(new ScheduledFloor(java.time.ZoneId.of("Europe/Berlin"),
                            java.util.EnumSet.range(java.time.DayOfWeek.MONDAY, java.time.DayOfWeek.FRIDAY),
                            java.time.LocalTime.of(8, 0), java.time.LocalTime.of(20, 0), 5));
                }),
                c("a scheduled floor moves up even with every signal unknown", Reason.SCHEDULED_FLOOR, 5, s -> {
                    s.allUnknown();
                    s.scheduled.add(new ScheduledFloor(java.time.ZoneId.of("UTC"), ScheduledFloor.everyDay(),
                            java.time.LocalTime.of(9, 0), java.time.LocalTime.of(11, 0), 5));
                }),
                c("low at the scheduled floor holds", Reason.AT_SCHEDULED_FLOOR, 3, s -> {
                    s.allLow();
                    s.state = lowFor(s, Duration.ofMinutes(10));
                    s.scheduled.add(new ScheduledFloor(java.time.ZoneId.of("UTC"), ScheduledFloor.everyDay(),
                            java.time.LocalTime.of(9, 0), java.time.LocalTime.of(11, 0), 3));
                }),
                // Low for 2m of the 10m sustain: the floor holds from the first low tick, not SUSTAINING_LOW toward a
                // step-down the window never allows (backtest recheck F3).
                c("low inside a scheduled window holds at the floor while sustaining", Reason.AT_SCHEDULED_FLOOR, 3,
                        s -> {
                    s.allLow();
                    s.state = lowFor(s, Duration.ofMinutes(2));
                    s.scheduled.add(new ScheduledFloor(java.time.ZoneId.of("UTC"), ScheduledFloor.everyDay(),
                            java.time.LocalTime.of(9, 0), java.time.LocalTime.of(11, 0), 3));
                }),
                // The window ended at 10:00 (exclusive): the step-down goes ahead, 3 -> 2.
                c("after the scheduled window steps down again", Reason.SIGNALS_LOW, 2, s -> {
                    s.allLow();
                    s.state = lowFor(s, Duration.ofMinutes(10));
                    s.scheduled.add(new ScheduledFloor(java.time.ZoneId.of("UTC"), ScheduledFloor.everyDay(),
                            java.time.LocalTime.of(8, 0), java.time.LocalTime.of(10, 0), 3));
                }),
                // A rollout past its progress deadline (a new image that cannot be pulled): no step-down, which could
                // take a serving pod of the old template, but scale-out still acts (upgrade recheck 22, F1).
                c("a stalled rollout holds a step-down", Reason.ROLLOUT_STALLED, 3, s -> {
                    s.allLow();
                    s.state = lowFor(s, Duration.ofMinutes(20));
                    s.stalled = "deployment milvus/r-milvus-querynode is rolling out a new template (1 of 4 pods"
                            + " updated), past its progress deadline (Progressing: ProgressDeadlineExceeded)";
                }),
                // cpu 0.9 HIGH for 5m on 3 ready: ceil(3 x 0.9/0.575) = 5, as without the rollout.
                c("a stalled rollout still scales out", Reason.SIGNAL_HIGH, 5, s -> {
                    s.cpu(0.9);
                    s.state = highFor(s, Duration.ofMinutes(5));
                    s.stalled = "deployment milvus/r-milvus-querynode is rolling out a new template (1 of 4 pods"
                            + " updated), paused (spec.paused: kubectl rollout resume goes on)";
                }),
                // 7 requested, 5 ready behind a stalled rollout: the 2 run a template that never comes up, so no
                // wait for them (recheck 25, N1): ceil(5 x 0.93/0.575) = 9, +2 at most: 7 -> 9.
                c("not-ready pods of a stalled rollout are not waited for", Reason.SIGNAL_HIGH, 9, s -> {
                    s.replicas(7, 5);
                    s.cpu(0.93);
                    s.state = highFor(s, Duration.ofMinutes(5));
                    s.stalled = "deployment milvus/r-milvus-querynode is rolling out a new template (4 of 9 pods"
                            + " updated), past its progress deadline (Progressing: ProgressDeadlineExceeded)";
                }),
                c("at min holds", Reason.AT_MIN, 1, s -> {
                    s.replicas(1, 1);
                    s.allLow();
                    s.state = lowFor(s, Duration.ofHours(1));
                }),
                // 2 queryNodes, a collection loaded with 2 in-memory replicas (the floor query reads 2): 2 -> 1 would
                // leave one replica with no node (Milvus: query nodes >= replica_number), so it holds above min 1.
                c("the loaded replicas' floor holds a step-down", Reason.REPLICA_FLOOR, 2, s -> {
                    s.replicas(2, 2);
                    s.allLow();
                    s.replicaFloor = ReplicaFloor.read(2);
                    s.state = lowFor(s, Duration.ofHours(1));
                }),
                // 3 queryNodes above that floor of 2: the step to 2 keeps a node per replica; cpu 0.2 x 3/2 = 0.3 ok.
                c("a step-down that keeps the replicas' floor goes ahead", Reason.SIGNALS_LOW, 2, s -> {
                    s.allLow();
                    s.replicaFloor = ReplicaFloor.read(2);
                    s.state = lowFor(s, Duration.ofHours(1));
                }),
                // the floor query fails: never step down past a floor that cannot be read.
                c("an unread replica floor holds a step-down", Reason.REPLICA_FLOOR, 3, s -> {
                    s.allLow();
                    s.replicaFloor = ReplicaFloor.unknown("empty result");
                    s.state = lowFor(s, Duration.ofHours(1));
                }),
                // above max-replicas 10 the guards step toward it through the step-down gate, which the floor holds too.
                c("the replicas' floor holds the step toward max-replicas", Reason.REPLICA_FLOOR, 12, s -> {
                    s.replicas(12, 12);
                    s.replicaFloor = ReplicaFloor.read(12);
                }),
                // scaled out 10m ago < delay-after-scale-out 15m.
                c("no step-down soon after a scale-out", Reason.SCALE_IN_DELAY_AFTER_SCALE_OUT, 3, s -> {
                    s.allLow();
                    s.state = Scene.lastScaleOut(lowFor(s, Duration.ofMinutes(10)), s.now.minus(Duration.ofMinutes(10)));
                }),
                // stepped down 2m ago < cooldown 5m.
                c("step-down cooldown", Reason.SCALE_IN_COOLDOWN, 3, s -> {
                    s.allLow();
                    // Its verification is over (the window of a step-down 2m ago would run 3m more: not so here).
                    s.state = Scene.steppedDown(lowFor(s, Duration.ofMinutes(20)), s.now.minus(Duration.ofMinutes(2)),
                            false);
                }),
                c("data still moving after the last step-down", Reason.SETTLING, 3, s -> {
                    s.allLow();
                    s.settle = Settle.BUSY;
                    s.state = lowFor(s, Duration.ofMinutes(20));
                }),
                c("unknown settle query counts as moving", Reason.SETTLING, 3, s -> {
                    s.allLow();
                    s.settle = Settle.UNKNOWN;
                    s.state = lowFor(s, Duration.ofMinutes(20));
                }),
                c("not every replica ready", Reason.SETTLING, 4, s -> {
                    s.replicas(4, 3);
                    s.allLow();
                    s.state = lowFor(s, Duration.ofMinutes(20));
                }),
                // waiting on settle since 30m ago >= settle-timeout 30m: still held, reported apart.
                c("data still moving past settle-timeout", Reason.SETTLE_TIMEOUT, 3, s -> {
                    s.allLow();
                    s.settle = Settle.BUSY;
                    s.state = Scene.settleWaitSince(lowFor(s, Duration.ofMinutes(40)), s.now.minus(Duration.ofMinutes(30)));
                }),
                // an unreadable settle query never lets a step-down through, however long it lasts
                c("unknown settle past settle-timeout", Reason.SETTLE_TIMEOUT, 3, s -> {
                    s.allLow();
                    s.settle = Settle.UNKNOWN;
                    s.state = Scene.settleWaitSince(lowFor(s, Duration.ofMinutes(90)), s.now.minus(Duration.ofMinutes(80)));
                }),
                // one of 4 not ready for 30m (no node, a quota) with no data moving: not coming, so it holds the
                // step-down no longer; sized as if a ready one went: cpu 0.2 x 3/2 = 0.3 ok.
                c("a replica unready past settle-timeout, no data moving", Reason.SIGNALS_LOW, 3, s -> {
                    s.replicas(4, 3);
                    s.allLow();
                    s.state = Scene.settleWaitSince(lowFor(s, Duration.ofMinutes(40)), s.now.minus(Duration.ofMinutes(30)));
                }),
                // the same with data moving: the unready replica may be a stopping queryNode; still held.
                c("a replica unready past settle-timeout, data moving", Reason.SETTLE_TIMEOUT, 4, s -> {
                    s.replicas(4, 3);
                    s.allLow();
                    s.settle = Settle.BUSY;
                    s.state = Scene.settleWaitSince(lowFor(s, Duration.ofMinutes(40)), s.now.minus(Duration.ofMinutes(30)));
                }),
                // settled again after a long wait: the step-down proceeds; cpu 0.2 x 3/2 = 0.3 ok.
                c("settled after a long wait", Reason.SIGNALS_LOW, 2, s -> {
                    s.allLow();
                    s.state = Scene.settleWaitSince(lowFor(s, Duration.ofMinutes(40)), s.now.minus(Duration.ofMinutes(30)));
                }),
                c("back-off after a roll-back", Reason.SCALE_IN_BACKOFF, 3, s -> {
                    s.allLow();
                    // rolled back 20m ago: back-off 30m runs 10m more.
                    s.state = Scene.rolledBack(lowFor(s, Duration.ofMinutes(20)), s.now.minus(Duration.ofMinutes(20)));
                }),

                // --- verification of the last step-down ---
                // stepped down 2m ago, verify window 5m, cpu now HIGH: 3 -> 4.
                c("high within the verify window rolls back", Reason.STEP_DOWN_ROLLBACK, 4, s -> {
                    s.cpu(0.8);
                    s.state = Scene.steppedDown(s.state, s.now.minus(Duration.ofMinutes(2)), true);
                }),
                c("failing health within the verify window rolls back", Reason.STEP_DOWN_ROLLBACK, 4, s -> {
                    s.health = Health.FAILING;
                    s.state = Scene.steppedDown(s.state, s.now.minus(Duration.ofMinutes(2)), true);
                }),
                // window ended 1m ago but the health query has not been readable since: never "healthy", so the
                // step is unverified and no further step-down happens (signals low for 20m, cooldown long over).
                c("unreadable health after the verify window holds scale-in", Reason.STEP_DOWN_UNVERIFIED, 3, s -> {
                    s.allLow();
                    s.health = Health.UNKNOWN;
                    s.state = Scene.steppedDown(lowFor(s, Duration.ofMinutes(20)), s.now.minus(Duration.ofMinutes(6)), true);
                }),
                // ... and a HIGH signal then still rolls the unverified step-down back: the window is extended.
                c("high while health stays unreadable past the window rolls back", Reason.STEP_DOWN_ROLLBACK, 4, s -> {
                    s.cpu(0.8);
                    s.health = Health.UNKNOWN;
                    s.state = Scene.steppedDown(s.state, s.now.minus(Duration.ofMinutes(6)), true);
                }),
                // no health query at all: the window ends on time and the next step-down may follow.
                c("no health query: verification rests on the signals", Reason.SIGNALS_LOW, 2, s -> {
                    s.allLow();
                    s.health = Health.NONE;
                    s.state = Scene.steppedDown(lowFor(s, Duration.ofMinutes(20)), s.now.minus(Duration.ofMinutes(6)), true);
                }),
                c("high after the verify window is an ordinary scale-out decision", Reason.SUSTAINING_HIGH, 3, s -> {
                    s.cpu(0.8);
                    s.state = Scene.steppedDown(s.state, s.now.minus(Duration.ofMinutes(6)), true);
                }),

                // --- alerts ---
                c("firing alert scales out by alerts.step", Reason.ALERT_SCALE_OUT, 4, s ->
                        s.alert("MilvusSearchLatencyHigh", AlertAction.SCALE_OUT)),
                c("second alert within the alert cooldown holds", Reason.ALERT_COOLDOWN, 3, s -> {
                    s.alert("MilvusReadQueueBacklog", AlertAction.SCALE_OUT);
                    s.state = Scene.alertScaleOut(s.state, s.now.minus(M1), Set.of());
                }),
                c("alert at max holds", Reason.AT_MAX, 10, s -> {
                    s.replicas(10, 10);
                    s.alert("MilvusSearchLatencyHigh", AlertAction.SCALE_OUT);
                }),
                c("firing alert blocks scale-in", Reason.ALERT_BLOCKS_SCALE_IN, 3, s -> {
                    s.allLow();
                    s.alert("MilvusSearchLatencyHigh", AlertAction.BLOCK_SCALE_IN);
                    s.state = lowFor(s, Duration.ofHours(1));
                }),

                // --- limits ---
                c("budget exhausted holds an action", Reason.BUDGET_EXHAUSTED, 3, s -> {
                    s.cpu(0.82);
                    s.state = highFor(s, M1);
                    s.budget = new Budget(30, 30);
                }),
                c("budget never holds a roll-back", Reason.STEP_DOWN_ROLLBACK, 4, s -> {
                    s.cpu(0.8);
                    s.budget = new Budget(30, 30);
                    s.state = Scene.steppedDown(s.state, s.now.minus(M1), true);
                }),
                c("nothing to do", Reason.IN_BAND, 3, Scene::inBand));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(String name, Reason reason, int to, Consumer<Scene> setup) {
        Scene s = Scene.scene();
        setup.accept(s);
        Decision d = s.decide().decision();
        assertEquals(reason, d.reason(), d.message().text());
        assertEquals(reason.action(), d.action());
        assertEquals(to, d.to(), d.message().text());
        assertEquals(s.current, d.from());
        assertTrue(d.message().text().matches(".*\\d.*"), "message names the numbers: " + d.message().text());
    }

    /** The sizing names the ready count it multiplies when that is not the requested count the line starts with. */
    @Test
    void sizingNamesTheReadyCountItUses() {
        Scene s = Scene.scene();
        s.replicas(4, 3);
        s.cpu(1.1);
        s.state = highFor(s, Duration.ofMinutes(5));
        String text = s.decide().decision().message().text();
        assertTrue(text.contains("4 -> 6 (ceil(3 ready x 1.10/0.575) = 6"), text);

        Scene all = Scene.scene();
        all.cpu(0.82);
        all.state = highFor(all, Duration.ofMinutes(5));
        String allReady = all.decide().decision().message().text();
        assertTrue(allReady.contains("3 -> 5 (ceil(3 x 0.82/0.575) = 5"), allReady);
    }

    /**
     * On a large fleet a scale-out may add max-step-share of the replicas: 40 at cpu 0.9 want ceil(40 x 0.9/0.575)
     * = 63, and +2 would take ten steps; a quarter of 40 is +10. Up to 8 replicas the cap is max-step's 2.
     */
    @Test
    void aLargeFleetStepsByAShareOfItsReplicas() {
        Scene big = Scene.scene();
        big.max = 100;
        big.scaleOut = new ScaleOutSettings(Duration.ofMinutes(1), Duration.ofMinutes(3), 2, 1.5, 0.25);
        big.replicas(40, 40);
        big.cpu(0.9);
        big.state = highFor(big, Duration.ofMinutes(5));
        Decision d = big.decide().decision();
        assertEquals(50, d.to(), d.message().text());
        assertTrue(d.message().text().endsWith("= 63, max-step 10 (max-step-share 0.25 of 40))"), d.message().text());

        Scene small = Scene.scene();
        small.scaleOut = big.scaleOut;
        small.replicas(8, 8);
        small.cpu(0.9);
        small.state = highFor(small, Duration.ofMinutes(5));
        assertEquals(10, small.decide().decision().to(), "ceil(8 x 0.25) = 2 = max-step: +2");
        assertEquals(2, big.scaleOut.stepCap(8));
        assertEquals(3, big.scaleOut.stepCap(9));
        assertEquals(2, new ScaleOutSettings(Duration.ofMinutes(1), Duration.ofMinutes(3), 2, 1.5).stepCap(40),
                "no share: max-step alone");
    }

    /**
     * A scale-out past replicas still starting says why it did not wait for them: the load is past the line even once
     * they serve (recheck 60, R4: a PANIC 6 -> 8 with 2 starting read as skipping the wait). cpu 1.50 on 4 ready of
     * 6: 1.50 x 4/6 = 1.00 > 0.75.
     */
    @Test
    void aScaleOutPastStartingReplicasSaysTheyWouldNotBeEnough() {
        Scene s = Scene.scene();
        s.replicas(6, 4);
        s.cpu(1.5);
        s.state = highFor(s, Duration.ofSeconds(15));
        Decision out = s.decide().decision();
        assertEquals(Reason.PANIC, out.reason(), out.message().text());
        assertTrue(out.message().text().contains("; 2 of 6 still starting, and cpu 1.50 x 4/6 = 1.00 > 0.75 even once"
                + " they serve; 6 -> 8"), out.message().text());
    }

    /**
     * A floor above the count running is no need a serving Milvus has (querycoord counting a loading collection's
     * replicas before it, or recounting after a restart): said so, where "need 5 queryNodes" on 3 serving sent the
     * reader to add nodes (recheck 62, F3).
     */
    @Test
    void aFloorAboveTheCountRunningIsNotSaidAsANeed() {
        Scene s = Scene.scene();
        s.allLow();
        s.replicaFloor = ReplicaFloor.read(5);
        s.state = lowFor(s, Duration.ofHours(1));
        Decision out = s.decide().decision();
        assertEquals(Reason.REPLICA_FLOOR, out.reason(), out.message().text());
        assertEquals("replica floor query reads 5, above the 3 queryNodes running: querycoord is still counting a"
                + " collection it loads (or, after a restart, each it recovers), or a replica has no node; no step-down"
                + " 3 -> 2; holding at 3", out.message().text());
    }

    /** A scale-out a Helm rollout lets through says it goes ahead mid-rollout, and why (recheck 61, F1). */
    @Test
    void aScaleOutThroughARolloutSaysSo() {
        Scene s = Scene.scene();
        s.target = HELM;
        s.rollout = true;
        s.cpu(1.2);
        Decision out = s.decide().decision();
        assertEquals(Reason.PANIC, out.reason(), out.message().text());
        assertTrue(out.message().text().endsWith(" (while a rollout is in progress: past the panic line a scale-out goes"
                + " ahead, as Kubernetes scales a Deployment mid-rollout; the rest waits for its end)"),
                out.message().text());
    }

    /** A step of 2147483647 ("no limit") overflowed current + step to a negative count: every scale-out threw. */
    @Test
    void theLargestStepsSaturateAtMaxReplicas() {
        Scene panic = Scene.scene();
        panic.scaleOut = new ScaleOutSettings(Duration.ofMinutes(1), Duration.ofMinutes(3), Integer.MAX_VALUE, 1.5);
        panic.cpu(1.2);
        Decision out = panic.decide().decision();
        assertEquals(Reason.PANIC, out.reason(), out.message().text());
        assertEquals(7, out.to(), "ceil(3 x 1.2/0.575) = 7: " + out.message().text());

        Scene alert = Scene.scene();
        alert.alertSettings = new AlertSettings(Integer.MAX_VALUE, Duration.ofMinutes(5));
        alert.alert("MilvusSearchLatencyHigh", io.github.milvusautoscaler.core.ActiveAlert.AlertAction.SCALE_OUT);
        Decision byAlert = alert.decide().decision();
        assertEquals(Reason.ALERT_SCALE_OUT, byAlert.reason(), byAlert.message().text());
        assertEquals(10, byAlert.to(), "clamped at max-replicas: " + byAlert.message().text());
    }

    @Test
    void everyPolicyReasonHasACase() {
        Set<Reason> covered = cases().map(a -> (Reason) a.get()[1]).collect(Collectors.toSet());
        Set<Reason> missing = EnumSet.allOf(Reason.class);
        missing.removeAll(covered);
        // TARGET_UNAVAILABLE is the engine's: the policy never sees a target it could not read.
        // MANUAL_SCALE is the scale command's.
        assertEquals(EnumSet.of(Reason.TARGET_UNAVAILABLE, Reason.MANUAL_SCALE), missing);
    }

    @Test
    void restartKeepsTheCooldownFromTheAnnotation() {
        // A new daemon (initial state) reads last-scale UP 1m ago from the object: cooldown 3m still runs.
        Scene s = Scene.scene().cpu(0.9);
        s.lastScale(T0.minus(M1), Direction.UP);
        s.state = highFor(s, Duration.ofMinutes(2));
        assertEquals(Reason.SCALE_OUT_COOLDOWN, s.decide().decision().reason());
    }
}
