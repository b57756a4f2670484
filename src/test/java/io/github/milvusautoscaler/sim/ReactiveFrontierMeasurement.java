package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Message;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How far an idealized reactive policy gets on a trace: lanes that see the true demand of the past
 * (no scrape interval, no rate window, no noise, no sustain) and size the replicas to its recent maximum,
 * optionally under a floor learned from the same hour of other days. README's "What the failed bar says"
 * quotes it for elb_request_count, whose cost bar the policy does not meet: if no lane here meets the
 * bar with perfect observation, a policy that reads Prometheus cannot either. Not a test.
 *
 * <p>Each lane wants {@code ceil(max demand over the last W / (u x capacity))} replicas, at least the floor:
 * it scales out to that at once (no max-step) and steps down one node when it wants fewer and its last
 * change is {@code D} old. The floor, per five-minute slot, is {@code ceil(q-quantile of the demand within
 * Wq of this time of day / capacity)} over the last 14 days ({@code past}, what a daemon could learn) or
 * over every other day of the trace, future included ({@code all}: the trace's hourly distribution
 * known in advance, though not the order of its spikes). E.g. q 0.92, Wq 1h at 17:00 on elb_request_count
 * reads the demand of 16:00-18:00 on the other days and floors at 2 when their 92nd percentile is 1.9
 * nodes.
 *
 * <pre>
 * mvn -B -q package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * mvn -B -q -o test-compile
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *      io.github.milvusautoscaler.sim.ReactiveFrontierMeasurement [trace [overload bar x hpa]]
 * </pre>
 * Defaults: elb_request_count and issue 18's 0.40x; it prints every lane sorted by node-seconds, then the cheapest
 * lane of each floor kind within the overload bar.
 * <pre>
 * </pre>
 */
public final class ReactiveFrontierMeasurement {

    private static final int DAYS = 14;
    private static final double DAY = 86_400;
    private static final double HOUR = 3_600;
    private static final double MINUTE = 60;

    private ReactiveFrontierMeasurement() {
    }

    /** Where a lane's floor comes from. */
    enum Floor {
        /** No floor: the recent maximum alone. */
        NONE,
        /** The same time of day on the last 14 days, none on the first day. */
        PAST,
        /** The same time of day on every other day of the trace, future included. */
        ALL
    }

    /** One lane's settings: look-back {@code window}, sizing {@code utilization}, step-down {@code spacing}, floor. */
    record Lane(double window, double utilization, double spacing, Floor floor, double quantile, double halfWidth) {

        String name() {
            String base = String.format(Locale.ROOT, "w%.0fm-u%.2f-d%.0fm", window / MINUTE, utilization, spacing / MINUTE);
            return floor == Floor.NONE ? base
                    : String.format(Locale.ROOT, "%s-%s-q%.2f-h%.0fm", base, floor.name().toLowerCase(Locale.ROOT),
                            quantile, halfWidth / MINUTE);
        }
    }

    /** A lane replaying {@link Lane} against the run's true demand curve. */
    static final class PastDemandPolicy implements SimPolicy {
        private final Lane lane;
        private final SimContext context;
        private final LoadTrace demand;
        private final double capacity;
        private final int min;
        private final int max;
        private final Map<Long, Integer> floors = new HashMap<>();
        private double lastChange = Double.NEGATIVE_INFINITY;

        PastDemandPolicy(Lane lane, SimContext context) {
            this.lane = requireNonNull(lane, "lane");
            this.context = requireNonNull(context, "context");
            this.demand = context.demand().orElseThrow();
            this.capacity = context.settings().model().capacityQps();
            this.min = context.settings().bounds().minReplicas();
            this.max = context.settings().bounds().maxReplicas();
        }

        @Override
        public String name() {
            return lane.name();
        }

        @Override
        public Decision tick(Observation observation, ReplicaStatus status, Instant now) {
            double t = (now.toEpochMilli() - demand.start().toEpochMilli()) / 1000.0;
            double peak = 0;
            for (double x = Math.max(0, t - lane.window()); x <= t; x += 15) {
                peak = Math.max(peak, demand.valueAt(x));
            }
            int want = Math.max(nodes(peak / lane.utilization()), floor(t));
            want = Math.max(min, Math.min(max, want));
            int from = status.current();
            int to = from;
            if (want > from) {
                to = want;
                lastChange = t;
            } else if (want < from && t - lastChange >= lane.spacing()) {
                to = from - 1;
                lastChange = t;
            }
            // The clairvoyant lanes' reasons: like them, a lane here is a measuring stick, not a policy with rules.
            ClairvoyantPolicy.ScheduleReason reason = to > from ? ClairvoyantPolicy.ScheduleReason.SCHEDULE_ADDS
                    : to < from ? ClairvoyantPolicy.ScheduleReason.SCHEDULE_REMOVES
                    : ClairvoyantPolicy.ScheduleReason.SCHEDULE_HOLDS;
            int target = to;
            return new Decision(context.target(), now, reason.action(), from, to, reason,
                    Message.lazy(() -> lane.name() + ": " + from + " -> " + target), Map.of(), false);
        }

        private int nodes(double qps) {
            return (int) Math.ceil(qps / capacity - 1e-9);
        }

        private int floor(double t) {
            if (lane.floor() == Floor.NONE) {
                return 0;
            }
            return floors.computeIfAbsent((long) (t / 300), slot -> {
                // PAST reads the days before this one up to now; ALL every other day, the future's too.
                double latest = lane.floor() == Floor.PAST ? t : demand.durationSeconds();
                List<Double> seen = new ArrayList<>();
                for (int k = -DAYS; k <= DAYS; k++) {
                    if (k == 0 || lane.floor() == Floor.PAST && k < 0) {
                        continue;
                    }
                    double then = t - k * DAY;
                    for (double x = then - lane.halfWidth(); x <= then + lane.halfWidth(); x += MINUTE) {
                        if (x >= 0 && x <= latest) {
                            seen.add(demand.valueAt(x));
                        }
                    }
                }
                if (seen.isEmpty()) {
                    return 0;
                }
                seen.sort(Comparator.naturalOrder());
                return nodes(seen.get((int) Math.floor(lane.quantile() * (seen.size() - 1))));
            });
        }
    }

    static List<Lane> grid() {
        List<Lane> lanes = new ArrayList<>();
        for (double w : new double[] {15, 30, 60}) {
            for (double u : new double[] {0.8, 0.9, 1.0}) {
                lanes.add(new Lane(w * MINUTE, u, 10 * MINUTE, Floor.NONE, 0, 0));
            }
        }
        for (Floor f : new Floor[] {Floor.PAST, Floor.ALL}) {
            for (double q : new double[] {0.90, 0.91, 0.92, 0.93, 0.94}) {
                for (double w : new double[] {10, 15, 20}) {
                    for (double u : new double[] {1.0, 1.05, 1.1, 1.2}) {
                        lanes.add(new Lane(w * MINUTE, u, 10 * MINUTE, f, q, HOUR));
                    }
                }
            }
        }
        return lanes;
    }

    public static void main(String[] args) {
        String trace = args.length > 0 ? args[0] : "elb_request_count";
        double overloadBar = args.length > 1 ? Double.parseDouble(args[1]) : 0.40;
        var config = SimSettings.loadConfig(Optional.empty());
        SimSettings settings = SimSettings.from(config, Component.QUERY_NODE);
        Simulation.Builder b = Simulation.builder().trace(TraceRegistry.resolve(trace, settings.seed()))
                .settings(settings).config(config)
                .policies(SimPolicies.builtIn(), List.of(MilvusAutoscalerSimPolicy.NAME, HpaPolicy.HPA,
                        ClairvoyantPolicy.CLAIRVOYANT_NO_HOT));
        List<Lane> lanes = grid();
        for (Lane lane : lanes) {
            b.policy(lane.name(), ctx -> new PastDemandPolicy(lane, ctx));
        }
        long begun = System.nanoTime();
        SimulationResult r = b.build().run(RunListener.NONE);
        double bound = r.result(ClairvoyantPolicy.CLAIRVOYANT_NO_HOT).nodeSeconds();
        double hpaOverload = r.result(HpaPolicy.HPA).overloadSeconds();
        System.out.printf(Locale.ROOT, "%s: %d lanes in %.1f s; zero-hot bound %,.0f node-seconds, hpa overload %,.0f s%n",
                trace, lanes.size() + 3, (System.nanoTime() - begun) / 1e9, bound, hpaOverload);
        System.out.printf(Locale.ROOT, "%-40s %14s %8s %10s %8s %8s%n", "lane", "node-seconds", "x bound",
                "overload", "x hpa", "actions");
        r.results().stream().sorted(Comparator.comparingLong(Scorecard::nodeSeconds)).forEach(s ->
                System.out.printf(Locale.ROOT, "%-40s %,14d %7.3fx %,10d %7.3fx %8d%n", s.policy(), s.nodeSeconds(),
                        s.nodeSeconds() / bound, s.overloadSeconds(), s.overloadSeconds() / hpaOverload, s.actions()));
        for (Floor f : Floor.values()) {
            String kind = f == Floor.NONE ? "d10m" : "-" + f.name().toLowerCase(Locale.ROOT) + "-";
            r.results().stream().filter(s -> s.policy().startsWith("w") && (f == Floor.NONE
                            ? s.policy().endsWith(kind) : s.policy().contains(kind)))
                    .filter(s -> s.overloadSeconds() <= overloadBar * hpaOverload)
                    .min(Comparator.comparingLong(Scorecard::nodeSeconds))
                    .ifPresentOrElse(s -> System.out.printf(Locale.ROOT,
                                    "floor %s: cheapest within %.2fx hpa's overload: %s, %.3fx the bound, %.3fx hpa%n",
                                    f, overloadBar, s.policy(), s.nodeSeconds() / bound, s.overloadSeconds() / hpaOverload),
                            () -> System.out.printf(Locale.ROOT, "floor %s: no lane within %.2fx hpa's overload%n", f,
                                    overloadBar));
        }
    }
}
