package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Message;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.SignalMap;
import io.github.milvusautoscaler.core.SignalReading;
import io.github.milvusautoscaler.core.SignalState;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * The Kubernetes HorizontalPodAutoscaler controller for one HPA with one CPU Resource metric
 * ({@code target.type: Utilization}), re-implemented from kube-controller-manager's
 * {@code pkg/controller/podautoscaler} ({@code horizontal.go}, {@code replica_calculator.go}) so the
 * baselines behave as a real HPA would, not as a formula would.
 *
 * <p>Each sync (every {@code sync-period}, 15 s):
 * <ol>
 *   <li>Current replicas outside [min, max] go straight to the bound.</li>
 *   <li>Utilization is the ready pods' CPU as an integer percent of request, truncated like the
 *       controller's milli-CPU arithmetic; the target is {@code averageUtilization}, an integer
 *       percent: our CPU band's middle 57.5% rounds to 58. The CPU is what the resource metrics API
 *       serves (metrics-server, see {@link MetricsView}): the last {@code metrics-resolution} (15 s),
 *       sampled that often, not a Prometheus rate. A pod that started less than
 *       {@code cpu-initialization-period} (5 min) ago and became ready less than one metric window
 *       (that 15 s) ago counts as not ready, so a value that still reflects fewer pods does not buy
 *       a second scale-out.</li>
 *   <li>ratio = utilization / target. Within tolerance (|ratio - 1| <= 0.1) nothing changes.
 *       Otherwise desired = ceil(ratio x ready pods): 3 pods at 50% with target 30% give
 *       ceil(1.667 x 3) = 5. On a scale-up while pods are not ready, those pods count as 0% and
 *       the ratio is recomputed over all pods; if that flips the direction or lands within
 *       tolerance, nothing changes (the controller's guard against over-scaling on warming pods).</li>
 *   <li>Stabilization: the current replicas, raised to the lowest recommendation of the scale-up
 *       window (0 s by default: this one) and lowered to the highest of the scale-down window
 *       (300 s), so a proposal never moves the count the other way.</li>
 *   <li>Rate limits: each policy allows a change relative to the replicas at the start of its
 *       period, computed from the scale events of that period in both directions (current - added
 *       + deleted): Percent 100 from 10 replicas allows 20, Pods 4 allows 14, selectPolicy Max takes
 *       20. The result is clamped to [min, max].</li>
 * </ol>
 *
 * <p>Pods are tracked from the replica counts (this policy's own writes and the ready count), as
 * the simulator has no per-pod view; the CPU value is the average over all ready pods even when
 * some of them are ignored. Not modelled: missing pod metrics and multiple metrics.
 */
public final class HpaPolicy implements SimPolicy {

    /** Name of the baseline with the API server's default behavior. */
    public static final String HPA = "hpa";
    /** Name of the baseline with the Milvus operator sample's behavior. */
    public static final String HPA_MILVUS = "hpa-milvus";

    private final String name;
    private final Target target;
    private final HpaBehavior behavior;
    private final int minReplicas;
    private final int maxReplicas;
    private final int targetPercent;
    private final double tolerance;
    private final long syncMillis;
    private final long upWindowMillis;
    private final long downWindowMillis;
    private final long longestUpPeriodMillis;
    private final long longestDownPeriodMillis;
    private final long cpuInitializationMillis;
    private final long metricWindowMillis;
    private final MetricsView metricsView;

    private final List<long[]> recommendations = new ArrayList<>();
    private final List<long[]> upEvents = new ArrayList<>();
    private final List<long[]> downEvents = new ArrayList<>();
    private long lastSyncMillis = Long.MIN_VALUE;
    /** The highest recommendation of the scale-down window at the last sync, for its message. */
    private int downRecommendation;
    private HpaReason lastHold = HpaReason.NO_CHANGE;
    /** Start times of pods not yet ready, oldest first. */
    private final ArrayDeque<Long> starting = new ArrayDeque<>();
    /** (start, ready) times of pods whose CPU may still be ignored, oldest first. */
    private final ArrayDeque<long[]> freshReady = new ArrayDeque<>();
    /** Ready pods expected at the next tick if none became ready: -1 before the first tick. */
    private int expectedReady = -1;

    /**
     * @param name        the name in reports
     * @param target      the target decisions name
     * @param behavior    spec.behavior after API defaulting
     * @param minReplicas spec.minReplicas
     * @param maxReplicas spec.maxReplicas
     * @param cpuTarget   target utilization as a fraction (0.575); converted to an integer percent
     * @param flags       the controller's tolerance, sync period, default downscale stabilization
     *                    and CPU initialization period, and metrics-server's resolution: how much
     *                    time one CPU value covers (the metric window)
     */
    public HpaPolicy(String name, Target target, HpaBehavior behavior, int minReplicas, int maxReplicas,
                     double cpuTarget, SimSettings.Hpa flags) {
        this.name = requireNonNull(name, "name");
        this.target = requireNonNull(target, "target");
        this.behavior = requireNonNull(behavior, "behavior");
        requireNonNull(flags, "flags");
        if (minReplicas < 1 || maxReplicas < minReplicas) {
            throw new IllegalArgumentException("need 1 <= minReplicas (" + minReplicas + ") <= maxReplicas (" + maxReplicas + ")");
        }
        this.minReplicas = minReplicas;
        this.maxReplicas = maxReplicas;
        // 0.575 * 100 is 57.49999999999999 in binary floating point; the SRE means 57.5, which rounds to 58.
        this.targetPercent = (int) Math.round(cpuTarget * 100 + 1e-9);
        if (targetPercent < 1) {
            throw new IllegalArgumentException("HPA averageUtilization must be >= 1%, was " + cpuTarget);
        }
        this.tolerance = flags.tolerance();
        this.syncMillis = flags.syncPeriod().toMillis();
        this.upWindowMillis = behavior.scaleUp().stabilizationWindow().orElse(Duration.ZERO).toMillis();
        this.downWindowMillis = behavior.scaleDown().stabilizationWindow().orElse(flags.downscaleStabilization()).toMillis();
        this.longestUpPeriodMillis = behavior.scaleUp().longestPeriod().toMillis();
        this.longestDownPeriodMillis = behavior.scaleDown().longestPeriod().toMillis();
        this.cpuInitializationMillis = flags.cpuInitializationPeriod().toMillis();
        this.metricsView = flags.metricsView();
        this.metricWindowMillis = metricsView.window().toMillis();
    }

    /**
     * {@code hpa}: default behavior, bounds and CPU target from the simulator settings. It runs the
     * behavior path with {@link HpaBehavior#kubernetesDefault()}, as DESIGN.md specifies, not the
     * controller's legacy path for an HPA without {@code spec.behavior} (see there).
     */
    public static HpaPolicy kubernetesDefault(String name, SimContext ctx) {
        SimSettings s = ctx.settings();
        return new HpaPolicy(name, ctx.target(), HpaBehavior.kubernetesDefault(), s.bounds().minReplicas(),
                s.bounds().maxReplicas(), s.bounds().cpuTarget(), s.hpa());
    }

    /**
     * {@code hpa-milvus}: the Milvus operator sample's behavior, bounds and CPU target from the settings;
     * up 1 pod per 30 s as DESIGN.md specifies, though the operator's sample now gives queryNode 2 (see
     * {@link HpaBehavior#milvusOperatorSample()}).
     */
    public static HpaPolicy milvusOperatorSample(String name, SimContext ctx) {
        SimSettings s = ctx.settings();
        return new HpaPolicy(name, ctx.target(), HpaBehavior.milvusOperatorSample(), s.bounds().minReplicas(),
                s.bounds().maxReplicas(), s.bounds().cpuTarget(), s.hpa());
    }

    @Override
    public String name() {
        return name;
    }

    /** metrics-server at {@code sim.hpa.metrics-resolution}: what a Resource metric reads, whatever the sim's Prometheus does. */
    @Override
    public MetricsView metricsView(SimSettings settings) {
        return MetricsView.metricsServer(metricsView.interval(), settings.scrape().sampleAge());
    }

    /** The target as the HPA spec holds it: an integer percent of the CPU request. */
    public int targetPercent() {
        return targetPercent;
    }

    @Override
    public Decision tick(Observation observation, ReplicaStatus status, Instant now) {
        requireNonNull(observation, "observation");
        requireNonNull(status, "status");
        requireNonNull(now, "now");
        long t = now.toEpochMilli();
        Signal cpu = observation.signals().get(SimulatedComponent.CPU);
        // The controller compares the metric's timestamp, not its own clock, with a pod's ready time: metrics-server
        // stamps the CPU with its newest kubelet sample, which is that sample's age older than this sync.
        long metricAt = cpu != null && cpu.isKnown() ? t - cpu.newestSampleAge().toMillis() : t;
        int fresh = trackPods(status, t, metricAt);
        Verdict v = sync(cpu, status, fresh, t);
        int from = status.current();
        Message message = Message.lazy(v.message());
        if (v.to() == from) {
            lastHold = v.reason();
            return new Decision(target, now, Action.HOLD, from, from, v.reason(), message, readings(cpu), false);
        }
        storeScaleEvent(from, v.to(), t);
        trackWrite(status, v.to(), t);
        Action action = v.to() > from ? Action.SCALE_OUT : Action.SCALE_IN;
        // BELOW_MIN_REPLICAS/ABOVE_MAX_REPLICAS carry their own direction; anything else follows the sign of the change.
        HpaReason r = v.reason().action() == action ? v.reason()
                : action == Action.SCALE_OUT ? HpaReason.SCALE_UP : HpaReason.SCALE_DOWN;
        return new Decision(target, now, action, from, v.to(), r, message, readings(cpu), false);
    }

    /** What one tick settles on: the replicas to have (the current count to hold), why, and the sentence. */
    private record Verdict(HpaReason reason, int to, Supplier<String> message) {
    }

    /** The controller's sync (see the class comment), or the last verdict's reason between syncs. */
    private Verdict sync(Signal cpu, ReplicaStatus status, int fresh, long t) {
        int current = status.current();
        if (lastSyncMillis != Long.MIN_VALUE && t - lastSyncMillis < syncMillis) {
            return new Verdict(lastHold, current, () -> name + ": between syncs (every " + syncMillis / 1000 + "s)");
        }
        lastSyncMillis = t;
        if (recommendations.isEmpty()) {
            recommendations.add(new long[] {current, t});
        }
        if (current == 0) {
            return new Verdict(HpaReason.SCALING_DISABLED, current,
                    () -> name + ": scaling is disabled since the replica count of the target is zero");
        }
        if (current > maxReplicas) {
            return new Verdict(HpaReason.ABOVE_MAX_REPLICAS, maxReplicas, () -> name + ": current replicas above maxReplicas "
                    + maxReplicas + "; " + current + " -> " + maxReplicas);
        }
        if (current < minReplicas) {
            return new Verdict(HpaReason.BELOW_MIN_REPLICAS, minReplicas, () -> name + ": current replicas below minReplicas "
                    + minReplicas + "; " + current + " -> " + minReplicas);
        }
        if (cpu == null || !cpu.isKnown()) {
            return new Verdict(HpaReason.FAILED_GET_RESOURCE_METRIC, current, () -> name + ": failed to get cpu utilization ("
                    + (cpu == null ? "no cpu signal" : cpu.problem()) + "); the controller does not scale without metrics");
        }
        int ready = Math.max(0, status.ready() - fresh);
        if (ready == 0) {
            return new Verdict(HpaReason.FAILED_GET_RESOURCE_METRIC, current,
                    () -> name + ": did not receive metrics for any ready pods");
        }
        int utilization = percentOf(cpu.value().getAsDouble());
        int proposal = resourceReplicas(current, ready, utilization);
        int stabilized = stabilize(current, proposal, t);
        int desired = limitRate(current, stabilized, t);
        Supplier<String> numbers = () -> name + ": cpu " + utilization + "% of request vs target " + targetPercent
                + "% on " + ready + " ready of " + current + " pods"
                + (fresh > 0 ? " (" + fresh + " just ready, ignored)" : "") + "; recommendation " + proposal;
        if (desired != current) {
            return new Verdict(desired > current ? HpaReason.SCALE_UP : HpaReason.SCALE_DOWN, desired,
                    () -> numbers.get() + "; " + current + " -> " + desired);
        }
        if (proposal == current) {
            return new Verdict(HpaReason.NO_CHANGE, current,
                    () -> numbers.get() + "; within tolerance or no change; " + current + " replicas");
        }
        if (proposal > current) {
            return current >= maxReplicas
                    ? new Verdict(HpaReason.AT_MAX_REPLICAS, current, () -> numbers.get() + "; at maxReplicas " + maxReplicas)
                    : new Verdict(HpaReason.SCALE_UP_LIMIT, current,
                    () -> numbers.get() + "; ScaleUpLimit: no more pods this period; " + current + " replicas");
        }
        if (stabilized >= current) {
            int highest = downRecommendation;
            return new Verdict(HpaReason.SCALE_DOWN_STABILIZED, current, () -> numbers.get() + "; ScaleDownStabilized: highest"
                    + " recommendation of the last " + downWindowMillis / 1000 + "s is " + highest + "; " + current
                    + " replicas");
        }
        return current <= minReplicas
                ? new Verdict(HpaReason.AT_MIN_REPLICAS, current, () -> numbers.get() + "; at minReplicas " + minReplicas)
                : new Verdict(HpaReason.SCALE_DOWN_LIMIT, current,
                () -> numbers.get() + "; ScaleDownLimit: no fewer pods this period; " + current + " replicas");
    }

    /** CPU fraction to the controller's integer percent: 0.29 is 29, not 28.999... truncated to 28. */
    static int percentOf(double fraction) {
        return (int) Math.floor(fraction * 100 + 1e-9);
    }

    /**
     * {@code GetResourceReplicas}: the recommendation from utilization over ready pods, with the
     * not-ready pods counted as 0% on a scale-up.
     */
    int resourceReplicas(int current, int ready, int utilization) {
        double ratio = (double) utilization / targetPercent;
        int unready = Math.max(0, current - ready);
        boolean rebalanceUnready = unready > 0 && ratio > 1.0;
        if (!rebalanceUnready) {
            if (Math.abs(1.0 - ratio) <= tolerance) {
                return current;
            }
            return (int) Math.ceil(ratio * ready);
        }
        int pods = ready + unready;
        int newUtilization = (int) Math.floor((double) utilization * ready / pods + 1e-9);
        double newRatio = (double) newUtilization / targetPercent;
        if (Math.abs(1.0 - newRatio) <= tolerance || newRatio < 1.0) {
            return current;
        }
        int proposal = (int) Math.ceil(newRatio * pods);
        return proposal < current ? current : proposal;
    }

    /**
     * {@code stabilizeRecommendationWithBehaviors} as Kubernetes has it since #96671 / #98174 ("HPA
     * scales up during ScaleDown event"): the up recommendation is the min of this and the
     * recommendations of the scale-up window, the down recommendation the max over the scale-down
     * window, and the current replicas are clamped between them. So a proposal below current never
     * becomes a scale-up because the window once held a higher one (current 5, proposal 3, 7 in the
     * window: up 3, down 7, 5 stays 5), and one above current never a scale-down. This one is then
     * stored in place of one older than both windows.
     */
    int stabilize(int current, int proposal, long t) {
        long upCutoff = t - upWindowMillis;
        long downCutoff = t - downWindowMillis;
        int upRecommendation = proposal;
        int downRecommendation = proposal;
        int obsolete = -1;
        for (int i = 0; i < recommendations.size(); i++) {
            long[] r = recommendations.get(i);
            if (r[1] > upCutoff) {
                upRecommendation = Math.min(upRecommendation, (int) r[0]);
            }
            if (r[1] > downCutoff) {
                downRecommendation = Math.max(downRecommendation, (int) r[0]);
            }
            if (r[1] < upCutoff && r[1] < downCutoff) {
                obsolete = i;
            }
        }
        int recommendation = current;
        if (recommendation < upRecommendation) {
            recommendation = upRecommendation;
        }
        if (recommendation > downRecommendation) {
            recommendation = downRecommendation;
        }
        long[] entry = {proposal, t};
        if (obsolete >= 0) {
            recommendations.set(obsolete, entry);
        } else {
            recommendations.add(entry);
        }
        this.downRecommendation = downRecommendation;
        return recommendation;
    }

    /** {@code convertDesiredReplicasWithBehaviorRate}: the rate limits, then [min, max]. */
    int limitRate(int current, int desired, long t) {
        if (desired > current) {
            int limit = scaleUpLimit(current, t);
            if (limit < current) {
                limit = current;
            }
            int allowed = Math.min(maxReplicas, limit);
            return Math.min(desired, allowed);
        }
        if (desired < current) {
            int limit = scaleDownLimit(current, t);
            if (limit > current) {
                limit = current;
            }
            int allowed = Math.max(minReplicas, limit);
            return Math.max(desired, allowed);
        }
        return desired;
    }

    private int scaleUpLimit(int current, long t) {
        HpaBehavior.Rules rules = behavior.scaleUp();
        if (rules.select() == HpaBehavior.Select.DISABLED) {
            return current;
        }
        int result = rules.select() == HpaBehavior.Select.MIN ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        for (HpaBehavior.Policy p : rules.policies()) {
            int periodStart = periodStartReplicas(current, p.period().toMillis(), t);
            int proposed = p.type() == HpaBehavior.PolicyType.PODS
                    ? periodStart + p.value()
                    : (int) Math.ceil(periodStart * (1 + p.value() / 100.0));
            result = rules.select() == HpaBehavior.Select.MIN ? Math.min(result, proposed) : Math.max(result, proposed);
        }
        return result;
    }

    private int scaleDownLimit(int current, long t) {
        HpaBehavior.Rules rules = behavior.scaleDown();
        if (rules.select() == HpaBehavior.Select.DISABLED) {
            return current;
        }
        int result = rules.select() == HpaBehavior.Select.MIN ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        for (HpaBehavior.Policy p : rules.policies()) {
            int periodStart = periodStartReplicas(current, p.period().toMillis(), t);
            int proposed = p.type() == HpaBehavior.PolicyType.PODS
                    ? periodStart - p.value()
                    : (int) (periodStart * (1 - p.value() / 100.0));
            result = rules.select() == HpaBehavior.Select.MIN ? Math.max(result, proposed) : Math.min(result, proposed);
        }
        return result;
    }

    /**
     * {@code periodStartReplicas} of {@code calculateScaleUpLimitWithScalingRules} and
     * {@code calculateScaleDownLimitWithBehaviors}: {@code currentReplicas - replicasAddedInCurrentPeriod
     * + replicasDeletedInCurrentPeriod}, both directions' events inside the policy's period. 4 replicas
     * after 3 -> 5 and 5 -> 4 in the period started the period at 3: Pods 1 allows 4, not 5 - 2 + 1.
     */
    private int periodStartReplicas(int current, long periodMillis, long t) {
        return current - changeInPeriod(upEvents, periodMillis, t) + changeInPeriod(downEvents, periodMillis, t);
    }

    /** {@code getReplicasChangePerPeriod}: the replicas changed by events strictly inside the period. */
    private static int changeInPeriod(List<long[]> events, long periodMillis, long t) {
        long cutoff = t - periodMillis;
        int change = 0;
        for (long[] e : events) {
            if (e[1] > cutoff) {
                change += (int) e[0];
            }
        }
        return change;
    }

    /**
     * {@code storeScaleEvent}: the new event takes the place of the last event of its direction that is
     * older than that direction's longest policy period ({@code markScaleEventsOutdated}), else it is
     * added. Other outdated events stay, and still count against the other direction's policies while
     * inside their period, as in the controller.
     */
    private void storeScaleEvent(int from, int to, long t) {
        if (to > from) {
            store(upEvents, new long[] {to - from, t}, longestUpPeriodMillis);
        } else {
            store(downEvents, new long[] {from - to, t}, longestDownPeriodMillis);
        }
    }

    private static void store(List<long[]> events, long[] event, long longestPeriodMillis) {
        long cutoff = event[1] - longestPeriodMillis;
        int outdated = -1;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i)[1] < cutoff) {
                outdated = i;
            }
        }
        if (outdated >= 0) {
            events.set(outdated, event);
        } else {
            events.add(event);
        }
    }

    /**
     * Follows pods through the replica counts: pods this policy added start now; a rise in ready
     * pods readies the oldest starting ones. Returns how many ready pods are still too fresh to
     * count: started less than {@code cpu-initialization-period} ago and ready less than one metric
     * window ago (the controller's {@code groupPods}: unready while the metric's timestamp is before
     * the ready time + {@code metric.Window}). E.g. a pod created at 12:00 and ready at 12:04 is
     * ignored until a CPU sample taken at 12:04:15 or later (one 15 s metrics-server window after it became
     * ready; 12:04:22.5 by the clock when samples are 7.5 s old), at the latest until 12:05.
     *
     * @param t        this sync's time
     * @param metricAt the CPU sample's time ({@code t} less its age)
     */
    private int trackPods(ReplicaStatus status, long t, long metricAt) {
        if (expectedReady >= 0) {
            int newlyReady = status.ready() - expectedReady;
            for (int i = 0; i < newlyReady; i++) {
                Long start = starting.pollFirst();
                freshReady.addLast(new long[] {start == null ? Long.MIN_VALUE / 2 : start, t});
            }
            for (int i = 0; i > newlyReady && !freshReady.isEmpty(); i--) {
                freshReady.pollLast();
            }
        }
        expectedReady = status.ready();
        freshReady.removeIf(p -> t >= p[0] + cpuInitializationMillis || metricAt >= p[1] + metricWindowMillis);
        return freshReady.size();
    }

    /** Records this policy's own write: new pods start now; a scale-in removes not-ready pods first. */
    private void trackWrite(ReplicaStatus status, int to, long t) {
        int from = status.current();
        for (int i = from; i < to; i++) {
            starting.addLast(t);
        }
        int readyRemoved = 0;
        for (int i = to; i < from; i++) {
            if (!starting.isEmpty()) {
                starting.pollLast();
            } else {
                readyRemoved++;
                freshReady.pollLast();
            }
        }
        expectedReady = Math.max(0, status.ready() - readyRemoved);
    }

    private Map<String, SignalReading> readings(Signal cpu) {
        if (cpu == null || !cpu.isKnown()) {
            return SignalMap.of(SimulatedComponent.CPU, new SignalReading(OptionalDouble.empty(), SignalState.UNKNOWN));
        }
        double value = cpu.value().getAsDouble();
        double ratio = (double) percentOf(value) / targetPercent;
        SignalState state = ratio > 1 + tolerance ? SignalState.HIGH
                : ratio < 1 - tolerance ? SignalState.LOW : SignalState.IN_BAND;
        return SignalMap.of(SimulatedComponent.CPU, new SignalReading(cpu.value(), state));
    }
}
