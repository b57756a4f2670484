package io.github.milvusautoscaler.sim;

import static io.github.milvusautoscaler.sim.SimTestSupport.TARGET;
import static io.github.milvusautoscaler.sim.SimTestSupport.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HPA baselines against the Kubernetes documentation's examples and the controller's rules. */
class HpaPolicyTest {

    private static final SimSettings.Hpa FLAGS = new SimSettings.Hpa(0.1, Duration.ofSeconds(15), Duration.ofMinutes(5),
            Duration.ofMinutes(5), Duration.ofSeconds(15));

    private static HpaPolicy hpa(double target, int min, int max) {
        return new HpaPolicy("hpa", TARGET, HpaBehavior.kubernetesDefault(), min, max, target, FLAGS);
    }

    private static HpaPolicy hpaMilvus(double target, int min, int max) {
        return new HpaPolicy("hpa-milvus", TARGET, HpaBehavior.milvusOperatorSample(), min, max, target, FLAGS);
    }

    private static Observation cpu(double seconds, double value, int pods) {
        return new Observation(TARGET, at(seconds), Map.of("cpu", Signal.known("cpu", value, pods, Duration.ZERO)),
                Settle.QUIET, Health.OK, List.of());
    }

    private static Decision tick(HpaPolicy p, double seconds, int current, int ready, double cpu) {
        return p.tick(cpu(seconds, cpu, ready), ReplicaStatus.of(current, ready), at(seconds));
    }

    /**
     * Ticks {@code p} every 15 s from 0 to {@code until}, its replicas (all ready) following its own decisions
     * from {@code replicas}, at {@code cpu(t)}; the last decision.
     */
    private static Decision play(HpaPolicy p, int replicas, double until, DoubleUnaryOperator cpu) {
        Decision d = null;
        for (double s = 0; s <= until; s += 15) {
            d = tick(p, s, replicas, replicas, cpu.applyAsDouble(s));
            replicas = d.to();
        }
        return d;
    }

    @Test
    void threePodsAtFiftyPercentWithTargetThirtyGoToFive() {
        // Kubernetes docs: desired = ceil(3 x 50 / 30) = ceil(5.0) = 5; the default behavior allows up to 7.
        Decision d = tick(hpa(0.30, 1, 10), 0, 3, 3, 0.50);
        assertEquals(Action.SCALE_OUT, d.action());
        assertEquals(5, d.to());
        assertEquals(HpaReason.SCALE_UP, d.reason());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // Target 50%, 4 ready pods. Tolerance 0.1: no change while |util/50 - 1| <= 0.1.
        "54% is within tolerance (1.08),                 0.54, HOLD,      4, NO_CHANGE",
        "45% is within tolerance (0.90),                 0.45, HOLD,      4, NO_CHANGE",
        "56% is outside: ceil(1.12 x 4) = 5,             0.56, SCALE_OUT, 5, SCALE_UP",
        "40% is outside but ceil(0.8 x 4) = 4,           0.40, HOLD,      4, NO_CHANGE",
        "30%: ceil(0.6 x 4) = 3 but the window holds 4,  0.30, HOLD,      4, SCALE_DOWN_STABILIZED",
        "a fraction 0.999 is 99% (integer percent): 8,   0.999, SCALE_OUT, 8, SCALE_UP",
    })
    void toleranceAndRatio(String name, double cpu, Action action, int to, HpaReason reason) {
        Decision d = tick(hpa(0.50, 1, 10), 0, 4, 4, cpu);
        assertEquals(action, d.action());
        assertEquals(to, d.to());
        assertEquals(reason, d.reason());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // 1000% of request vs target 50%: ratio 20, so the rate limits always bind, even after the
        // pods added in the last minute are ignored as too fresh. Default scale-up: max(100%, 4 pods)
        // per 15 s; the event at t is no longer inside (t+15-15, t+15], so each sync starts a new period.
        "t=0:  10 wants 200; Percent 100 -> 20 and Pods 4 -> 14; Max 20 |  0 | 10 | 20",
        "t=15: Percent 100 of 20 -> 40                                  | 15 | 20 | 40",
        "t=30: Percent 100 of 40 -> 80                                  | 30 | 40 | 80",
        "t=45: 160 allowed but capped at maxReplicas 100                | 45 | 80 | 100",
    })
    void defaultBehaviorLimitsScaleUpPerPeriod(String name, double t, int current, int expected) {
        HpaPolicy p = hpa(0.50, 1, 100);
        // Replay the earlier syncs so the policy holds the same scale events the controller would.
        double[] times = {0, 15, 30, 45};
        int[] currents = {10, 20, 40, 80};
        Decision last = null;
        for (int i = 0; i < times.length && times[i] <= t; i++) {
            last = tick(p, times[i], currents[i], currents[i], 10.0);
        }
        assertEquals(current, last.from());
        assertEquals(expected, last.to());
    }

    @Test
    void podsPolicyWinsForSmallCounts() {
        // 2 pods at 250% vs 50%: desired 10; Percent 100 allows 4, Pods 4 allows 6; selectPolicy Max: 6.
        assertEquals(6, tick(hpa(0.50, 1, 10), 0, 2, 2, 2.5).to());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // Target 50%, default behavior (300 s scale-down window, max of the window's recommendations).
        "t=100: recommends 4; window max 5 (t=0)              | 100 | 5 | 0.40  | HOLD     | 5",
        "t=200: recommends 3; window max 5 (t=0)              | 200 | 5 | 0.30  | HOLD     | 5",
        "t=300: t=0 left the window; max(4 3 3) = 4          | 300 | 5 | 0.30  | SCALE_IN | 4",
        "t=400: 37% of 4 recommends 3; max of (100 400] is 3 | 400 | 4 | 0.375 | SCALE_IN | 3",
    })
    void scaleDownStabilizationKeepsTheMaxOfTheLast300s(String name, double t, int current, double cpu,
                                                         Action action, int to) {
        HpaPolicy p = hpa(0.50, 1, 10);
        double[][] history = {{0, 5, 0.50}, {100, 5, 0.40}, {200, 5, 0.30}, {300, 5, 0.30}, {400, 4, 0.375}};
        Decision last = null;
        for (double[] h : history) {
            if (h[0] > t) {
                break;
            }
            last = tick(p, h[0], (int) h[1], (int) h[1], h[2]);
        }
        assertEquals(current, last.from());
        assertEquals(action, last.action());
        assertEquals(to, last.to());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // 100% vs target 25% wants 4x; Milvus sample: 1 pod per 30 s. An event at t counts
        // while it is inside (now - 30 s, now], so every other 15 s sync adds one.
        "t=0:  2 -> 3,                           0,  2, SCALE_OUT, 3",
        "t=15: the t=0 pod uses the 30 s budget, 15, 3, HOLD,      3",
        "t=30: t=0 left the period: 3 -> 4,      30, 3, SCALE_OUT, 4",
        "t=45: hold,                             45, 4, HOLD,      4",
        "t=60: 4 -> 5,                           60, 4, SCALE_OUT, 5",
    })
    void milvusBehaviorAddsOnePodPer30s(String name, double t, int current, Action action, int to) {
        HpaPolicy p = hpaMilvus(0.25, 1, 10);
        double[] times = {0, 15, 30, 45, 60};
        int[] currents = {2, 3, 3, 4, 4};
        Decision last = null;
        for (int i = 0; i < times.length && times[i] <= t; i++) {
            last = tick(p, times[i], currents[i], currents[i], 1.0);
        }
        assertEquals(current, last.from());
        assertEquals(action, last.action());
        assertEquals(to, last.to());
        if (action == Action.HOLD) {
            assertEquals(HpaReason.SCALE_UP_LIMIT, last.reason());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // Milvus sample (1 pod per 30 s up; 300 s window down), target 50%. t=0: 2 pods at 100% propose 4,
        // the rate limit allows 3. From t=15 the cpu is 20%: 20% of 3 proposes ceil(0.4 x 3) = 2, below current,
        // while the 300 s window still holds the 4 of t=0. Kubernetes clamps current between the up
        // recommendation (min over the 0 s up window: 2) and the down one (max over 300 s: 4): 3 stays 3
        // (kubernetes pkg/controller/podautoscaler/horizontal.go stabilizeRecommendationWithBehaviors, since
        // kubernetes/kubernetes #96671 and #98174).
        // Taking the window's max for a down proposal gave 4 > 3, a scale-up at 20% cpu once the rate allowed it.
        "t=0:   100% on 2 proposes 4; 1 pod per 30 s: 2 -> 3                   |   0 | 2 | SCALE_OUT | 3 | SCALE_UP",
        "t=15:  20% on 3 proposes 2; clamp(3, 2, 4) = 3: hold                  |  15 | 3 | HOLD      | 3 | SCALE_DOWN_STABILIZED",
        "t=30:  the rate would allow 4 now; still 3, never up on a down proposal |  30 | 3 | HOLD      | 3 | SCALE_DOWN_STABILIZED",
        "t=285: the 4 of t=0 is still in (-15, 285]: hold                       | 285 | 3 | HOLD      | 3 | SCALE_DOWN_STABILIZED",
        "t=300: it left the window; max of (0, 300] is 2: 3 -> 2                | 300 | 3 | SCALE_IN  | 2 | SCALE_DOWN",
    })
    void aProposalBelowCurrentNeverScalesUpOnTheWindowsHigherRecommendation(String name, double t, int current,
                                                                            Action action, int to, HpaReason reason) {
        Decision d = play(hpaMilvus(0.50, 1, 10), 2, t, s -> s == 0 ? 1.0 : 0.20);
        assertDecision(d, current, action, to, reason);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // Milvus sample, target 50%. 4 pods at 20% from t=0; the 300 s window holds 4 until t=300, then
        // 1 pod per 60 s: 4 -> 3. At t=315 the cpu is 100%: 3 pods propose 6, 1 pod per 30 s. The period
        // (285, 315] started at current - added + deleted = 3 - 0 + 1 = 4 replicas, so Pods 1 allows 5
        // (counting only the added ones: 3 - 0 = 3, allowing 4; horizontal.go calculateScaleUpLimitWithScalingRules).
        "t=300: 4 -> 3 (1 pod per 60 s)                                      | 300 | 4 | SCALE_IN  | 3 | SCALE_DOWN",
        "t=315: period start 3 - 0 + 1 = 4; Pods 1 allows 5: 3 -> 5           | 315 | 3 | SCALE_OUT | 5 | SCALE_UP",
        "t=330: period (300, 330] start 5 - 2 + 0 = 3 allows 4 < 5: hold      | 330 | 5 | HOLD      | 5 | SCALE_UP_LIMIT",
    })
    void aScaleUpsPeriodStartsAtCurrentMinusAddedPlusDeleted(String name, double t, int current, Action action, int to,
                                                             HpaReason reason) {
        Decision d = play(hpaMilvus(0.50, 1, 10), 4, t, s -> s < 315 ? 0.20 : 1.0);
        assertDecision(d, current, action, to, reason);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // Up 1 pod per 15 s; down without a stabilization window, 1 pod per 60 s; target 50%. t=0: 3 pods at
        // 100% -> 4. t=15: 10% proposes 1; the down period (-45, 15] started at current - added + deleted =
        // 4 - 1 + 0 = 3 replicas, so Pods 1 allows 2 (counting only the deleted ones: 4 + 0 = 4, allowing 3;
        // horizontal.go calculateScaleDownLimitWithBehaviors).
        "t=0:  3 -> 4 (1 pod per 15 s)                                   |  0 | 3 | SCALE_OUT | 4 | SCALE_UP",
        "t=15: period start 4 - 1 + 0 = 3; Pods 1 allows 2: 4 -> 2        | 15 | 4 | SCALE_IN  | 2 | SCALE_DOWN",
        "t=30: period (-30, 30] start 2 - 1 + 2 = 3 allows 2: at 2, hold  | 30 | 2 | HOLD      | 2 | SCALE_DOWN_LIMIT",
    })
    void aScaleDownsPeriodStartsAtCurrentMinusAddedPlusDeleted(String name, double t, int current, Action action, int to,
                                                               HpaReason reason) {
        HpaBehavior behavior = new HpaBehavior(
                new HpaBehavior.Rules(Optional.of(Duration.ZERO), HpaBehavior.Select.MAX, List.of(
                        new HpaBehavior.Policy(HpaBehavior.PolicyType.PODS, 1, Duration.ofSeconds(15)))),
                new HpaBehavior.Rules(Optional.of(Duration.ZERO), HpaBehavior.Select.MAX, List.of(
                        new HpaBehavior.Policy(HpaBehavior.PolicyType.PODS, 1, Duration.ofSeconds(60)))));
        Decision d = play(new HpaPolicy("hpa", TARGET, behavior, 1, 10, 0.50, FLAGS), 3, t, s -> s == 0 ? 1.0 : 0.10);
        assertDecision(d, current, action, to, reason);
    }

    @Test
    void milvusBehaviorRemovesOnePodPer60sAfterTheWindow() {
        // 6 pods at 10% vs 50%: recommends ceil(0.2 x 6) = 2; 300 s window from t=0, then 1 pod per 60 s.
        HpaPolicy p = hpaMilvus(0.50, 1, 10);
        int current = 6;
        int firstDown = -1;
        StringBuilder steps = new StringBuilder();
        for (int t = 0; t <= 480; t += 15) {
            Decision d = tick(p, t, current, current, 0.10);
            if (d.action() == Action.SCALE_IN) {
                assertEquals(current - 1, d.to(), "one pod at a time");
                firstDown = firstDown < 0 ? t : firstDown;
                steps.append(t).append(':').append(d.to()).append(' ');
                current = d.to();
            }
        }
        // t=300 drops the t=0 recommendation of 6: 6 -> 5; then 60 s apart.
        assertEquals("300:5 360:4 420:3 480:2 ", steps.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // Not-ready pods count as 0% on a scale-up, and the ratio is recomputed over all pods.
        "4 ready at 90%: ceil(1.8 x 4) = 8,                             4, 4, 0.90, 8",
        "2 of 4 ready at 90%: 90 x 2 / 4 = 45% is within tolerance: hold, 4, 2, 0.90, 4",
        "3 of 4 ready at 100%: 100 x 3 / 4 = 75%; ratio 1.5: ceil(6) = 6, 4, 3, 1.00, 6",
    })
    void notReadyPodsCountAsIdleOnScaleUp(String name, int current, int ready, double cpu, int to) {
        assertEquals(to, tick(hpa(0.50, 1, 10), 0, current, ready, cpu).to());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "12 above max 10 goes straight to 10, 12, 10, SCALE_IN,  ABOVE_MAX_REPLICAS",
        "1 below min 2 goes to 2,              1,  2, SCALE_OUT, BELOW_MIN_REPLICAS",
    })
    void outsideBoundsGoesToTheBound(String name, int current, int to, Action action, HpaReason reason) {
        Decision d = tick(hpa(0.50, 2, 10), 0, current, current, 0.5);
        assertEquals(to, d.to());
        assertEquals(action, d.action());
        assertEquals(reason, d.reason());
    }

    @Test
    void unknownCpuHoldsLikeAControllerWithoutMetrics() {
        HpaPolicy p = hpa(0.50, 1, 10);
        Observation o = new Observation(TARGET, at(0), Map.of("cpu", Signal.unknown("cpu", "empty result")),
                Settle.QUIET, Health.OK, List.of());
        Decision d = p.tick(o, ReplicaStatus.of(4, 4), at(0));
        assertEquals(Action.HOLD, d.action());
        assertEquals(HpaReason.FAILED_GET_RESOURCE_METRIC, d.reason());
        assertEquals(4, d.to());
    }

    @Test
    void decidesOnlyOncePerSyncPeriod() {
        // Ticks every 5 s, sync every 15 s: 0 and 15 decide, 5 and 10 hold.
        HpaPolicy p = hpa(0.50, 1, 100);
        assertEquals(Action.SCALE_OUT, tick(p, 0, 2, 2, 2.0).action());
        assertEquals(Action.HOLD, tick(p, 5, 4, 4, 2.0).action());
        assertEquals(Action.HOLD, tick(p, 10, 4, 4, 2.0).action());
        assertEquals(Action.SCALE_OUT, tick(p, 15, 4, 4, 2.0).action());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // The hpa lane as simulate builds it (reference.conf: target 58%, metrics-resolution 15s,
        // cpu-initialization-period 5m). t=0: 2 pods at 100% -> ceil(100/58 x 2) = 4; the 2 new pods start
        // at 0 and are ready from t=240. A pod ready less than one metric window (metrics-server's 15 s)
        // ago, within 5 min of its start, is ignored: the value still covers time it did not serve.
        "t=240: ready 0 s ago, ignored: 100% on 2 of 4 counts 0% for the others: 50%, ratio 0.86 < 1: hold | 240 | 1.0 | HOLD      | 4",
        "t=255: one 15 s window after ready, they count: 100% on 4 -> ceil(1.72 x 4) = 7                 | 255 | 1.0 | SCALE_OUT | 7",
        "t=255: 60% on 4 is within tolerance of 58%: hold                                                 | 255 | 0.6 | HOLD      | 4",
    })
    void podsJustReadyAreIgnoredForOneMetricsServerWindow(String name, double t, double cpu, Action action, int to) {
        SimContext ctx = new SimContext(TARGET, SimSettings.defaults(), SimSettings.loadConfig(Optional.empty()));
        HpaPolicy p = HpaPolicy.kubernetesDefault("hpa", ctx);
        assertEquals(4, tick(p, 0, 2, 2, 1.0).to());
        for (int s = 15; s < 240; s += 15) {
            assertEquals(Action.HOLD, tick(p, s, 4, 2, 1.0).action(), "2 pods still starting at " + s);
        }
        Decision d = null;
        for (double s = 240; s <= t; s += 15) {
            d = tick(p, s, 4, 4, s == t ? cpu : 1.0);
        }
        assertEquals(action, d.action(), d.message().text());
        assertEquals(to, d.to());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // The same start with CPU samples 7.5 s old at every sync (sim.sample-age): the controller's groupPods
        // compares the metric's timestamp, not its own clock, with ready + window (kubernetes
        // pkg/controller/podautoscaler/replica_calculator.go: metric.Timestamp.Before(LastTransitionTime +
        // metric.Window)), so pods seen ready at 240 count once a sample taken at 255 or later is read: at 270.
        "t=255: the sample is from 247.5, before 240 + 15: still ignored: hold | 255 | HOLD      | 4",
        "t=270: the sample is from 262.5: they count: 100% on 4 -> 7          | 270 | SCALE_OUT | 7",
    })
    void podsJustReadyCountFromTheFirstSampleTakenOneWindowAfter(String name, double t, Action action, int to) {
        SimContext ctx = new SimContext(TARGET, SimSettings.defaults(), SimSettings.loadConfig(Optional.empty()));
        HpaPolicy p = HpaPolicy.kubernetesDefault("hpa", ctx);
        Duration age = Duration.ofMillis(7500);
        assertEquals(4, p.tick(aged(0, 1.0, 2, age), ReplicaStatus.of(2, 2), at(0)).to());
        for (int s = 15; s < 240; s += 15) {
            p.tick(aged(s, 1.0, 2, age), ReplicaStatus.of(4, 2), at(s));
        }
        Decision d = null;
        for (double s = 240; s <= t; s += 15) {
            d = p.tick(aged(s, 1.0, 4, age), ReplicaStatus.of(4, 4), at(s));
        }
        assertEquals(action, d.action(), d.message().text());
        assertEquals(to, d.to());
    }

    private static Observation aged(double seconds, double value, int pods, Duration age) {
        return new Observation(TARGET, at(seconds), Map.of("cpu", Signal.known("cpu", value, pods, age)),
                Settle.QUIET, Health.OK, List.of());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // metrics-resolution 30s: the metric window is 30 s, so pods ready at 240 count from 270.
        "t=255: ready 15 s ago < 30 s: still ignored: 50% on 4: hold       | 255 | 1.0 | HOLD      | 4",
        "t=270: ready 30 s ago: they count: 100% of 4 vs 50% -> 8          | 270 | 1.0 | SCALE_OUT | 8",
    })
    void theMetricWindowIsTheMetricsResolution(String name, double t, double cpu, Action action, int to) {
        HpaPolicy p = new HpaPolicy("hpa", TARGET, HpaBehavior.kubernetesDefault(), 1, 10, 0.50,
                new SimSettings.Hpa(0.1, Duration.ofSeconds(15), Duration.ofMinutes(5), Duration.ofMinutes(5),
                        Duration.ofSeconds(30)));
        assertEquals(4, tick(p, 0, 2, 2, 1.0).to());
        for (int s = 15; s < 240; s += 15) {
            tick(p, s, 4, 2, 1.0);
        }
        Decision d = null;
        for (double s = 240; s <= t; s += 15) {
            d = tick(p, s, 4, 4, 1.0);
        }
        assertEquals(action, d.action(), d.message().text());
        assertEquals(to, d.to());
    }

    @Test
    void theBaselinesReadMetricsServerNotPrometheus() {
        SimContext ctx = new SimContext(TARGET, SimSettings.defaults(), SimSettings.loadConfig(Optional.empty()));
        // at the simulator's sample age (sim.sample-age 7.5s), as the milvus-autoscaler lane's scrapes
        MetricsView metricsServer = new MetricsView(MetricsView.Source.METRICS_SERVER, Duration.ofSeconds(15),
                Duration.ofSeconds(15), Duration.ofMillis(7500));
        assertEquals(metricsServer, HpaPolicy.kubernetesDefault("hpa", ctx).metricsView(ctx.settings()));
        assertEquals(metricsServer, HpaPolicy.milvusOperatorSample("hpa-milvus", ctx).metricsView(ctx.settings()));
    }

    @Test
    void baselinesTargetTheMiddleOfTheCpuBandAsAnIntegerPercent() {
        // reference.conf cpu band [0.40, 0.75]: middle 0.575 = 57.5%, an HPA spec holds 58.
        SimContext ctx = new SimContext(TARGET, SimSettings.defaults(), SimSettings.loadConfig(Optional.empty()));
        assertEquals(58, HpaPolicy.kubernetesDefault("hpa", ctx).targetPercent());
        assertEquals(58, HpaPolicy.milvusOperatorSample("hpa-milvus", ctx).targetPercent());
    }

    @ParameterizedTest(name = "{0} -> {1}%")
    @CsvSource({"0.29, 29", "0.575, 57", "0.999, 99", "1.0, 100", "0.0, 0"})
    void utilizationIsTruncatedToAnIntegerPercent(double fraction, int percent) {
        assertEquals(percent, HpaPolicy.percentOf(fraction));
    }

    @Test
    void speaksItsOwnVocabularyNeverThePolicys() {
        // A day of cpu swinging 10%..140% about every 2 hours, with a zero-replica and an unknown tick:
        // every decision reads as the baseline's, in HpaReason, and names no rule of the policy.
        HpaPolicy p = hpa(0.50, 1, 10);
        java.util.Set<HpaReason> seen = java.util.EnumSet.noneOf(HpaReason.class);
        int current = 4;
        for (int s = 0; s < 86_400; s += 15) {
            double cpu = 0.1 + 1.3 * (0.5 + 0.5 * Math.sin(s / 1200.0));
            Decision d = s == 600 ? p.tick(new Observation(TARGET, at(s), Map.of(), Settle.QUIET, Health.OK, List.of()),
                    ReplicaStatus.of(current, current), at(s))
                    : tick(p, s, s == 1200 ? 0 : current, s == 1200 ? 0 : current, cpu);
            assertEquals(io.github.milvusautoscaler.core.Stage.BASELINE, d.stage(), d.message().text());
            seen.add((HpaReason) d.reason());
            current = s == 1200 ? current : d.to();
        }
        assertTrue(seen.containsAll(java.util.EnumSet.of(HpaReason.SCALE_UP, HpaReason.SCALE_DOWN,
                HpaReason.NO_CHANGE, HpaReason.SCALE_DOWN_STABILIZED, HpaReason.FAILED_GET_RESOURCE_METRIC,
                HpaReason.SCALING_DISABLED)), seen.toString());
    }

    /** The decision went from {@code current} to {@code to} with {@code action} for {@code reason}. */
    private static void assertDecision(Decision d, int current, Action action, int to, HpaReason reason) {
        assertEquals(current, d.from(), d.message().text());
        assertEquals(action, d.action(), d.message().text());
        assertEquals(to, d.to(), d.message().text());
        assertEquals(reason, d.reason(), d.message().text());
    }
}
