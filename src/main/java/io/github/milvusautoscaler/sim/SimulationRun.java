package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Target;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A simulation in progress: ticks at 0, tick, 2 x tick, ... before the trace's end, then the
 * components run on to the end so the last partial tick is scored. At each tick, for each policy
 * in turn: advance its component, observe, read, decide, apply, count.
 *
 * <p>Not thread-safe: one caller steps it (a parallel {@link #runToEnd} uses its own threads inside).
 */
public final class SimulationRun {

    /** How often {@link RunListener#progress} is called, in ticks. */
    private static final int PROGRESS_EVERY = 8192;

    record Lane(SimPolicy policy, SimulatedComponent component, ScoreKeeper keeper) {
    }

    private final LoadTrace demand;
    private final List<Lane> lanes;
    private final Target target;
    private final Instant origin;
    private final long tickMillis;
    private final long totalTicks;
    private final long endMillis;
    /** Points of the worst-day chart. */
    static final int WORST_DAY_POINTS = 288;

    private final ChartSeries chart;
    private final TickLog log;
    private final List<String> names;
    private final int buckets;
    private final SimSettings settings;
    private final int initialReplicas;
    private long next;
    private boolean finished;
    private ClairvoyantBound bound;

    SimulationRun(LoadTrace demand, SimSettings settings, List<Lane> lanes, int initialReplicas) {
        this.demand = demand;
        this.settings = settings;
        this.initialReplicas = initialReplicas;
        this.lanes = List.copyOf(lanes);
        this.target = lanes.get(0).component().target();
        this.origin = demand.start();
        this.tickMillis = settings.tick().toMillis();
        this.endMillis = Math.round(demand.durationSeconds() * 1000);
        this.totalTicks = ticks(demand, settings.tick());
        List<String> policyNames = new ArrayList<>();
        for (Lane l : lanes) {
            policyNames.add(l.policy().name());
        }
        this.names = List.copyOf(policyNames);
        this.buckets = (int) Math.min(settings.chartPoints(), totalTicks);
        this.chart = new ChartSeries(origin, names, buckets);
        this.log = new TickLog(totalTicks, lanes.size());
    }

    /** The ticks a run of {@code demand} at {@code tick} takes: ceil(duration / tick), at least 1. */
    static long ticks(LoadTrace demand, java.time.Duration tick) {
        long tickMillis = Math.max(1, tick.toMillis());
        return Math.max(1, (Math.round(demand.durationSeconds() * 1000) + tickMillis - 1) / tickMillis);
    }

    /** True while ticks remain. */
    public boolean hasNext() {
        return next < totalTicks;
    }

    /** Ticks done so far. */
    public long ticksDone() {
        return next;
    }

    /** All ticks of the run. */
    public long totalTicks() {
        return totalTicks;
    }

    /** Simulated time of the next tick. */
    public Instant nextTime() {
        return origin.plusMillis(next * tickMillis);
    }

    /** The target every decision names. */
    public Target target() {
        return target;
    }

    /** Runs one tick for every policy and returns each one's state after it. */
    public List<PolicyState> step() {
        return step(RunListener.NONE);
    }

    /** Runs one tick, telling {@code listener} each decision, and returns each policy's state after it. */
    public List<PolicyState> step(RunListener listener) {
        requireNonNull(listener, "listener");
        Decision[] decisions = tick(listener);
        Instant now = origin.plusMillis((next - 1) * tickMillis);
        List<PolicyState> states = new ArrayList<>(lanes.size());
        for (int i = 0; i < lanes.size(); i++) {
            SimulatedComponent c = lanes.get(i).component();
            states.add(new PolicyState(lanes.get(i).policy().name(), now, decisions[i], c.replicas(), c.ready(),
                    c.pending(), c.warming(), c.demandQps(), c.capacityQps()));
        }
        return states;
    }

    /**
     * Lane threads for a run on this machine: one fewer than the processors, at least one. The
     * spare processor is for the JIT compiler, busy for most of a run: on 2 cores the three-policy
     * nyc_taxi year took 6.6 s with the lanes in turn on one thread and 7.8 s with two lane threads
     * competing with it (median of 4 runs each).
     */
    public static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    }

    /**
     * Runs every remaining tick, the policies' lanes on up to {@code threads} threads: lanes share
     * nothing but the read-only demand curve, so results are identical however many run at once.
     * {@link RunListener#decision} comes from several threads, one per policy, when more than one
     * runs.
     */
    public void runToEnd(RunListener listener, int threads) {
        requireNonNull(listener, "listener");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        int n = Math.min(threads, lanes.size());
        long from = next;
        if (n <= 1) {
            for (int i = 0; i < lanes.size(); i++) {
                runLane(i, from, listener);
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
                Thread t = new Thread(r, "simulation-lane");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < lanes.size(); i++) {
                    int lane = i;
                    futures.add(pool.submit(() -> runLane(lane, from, listener)));
                }
                for (Future<?> f : futures) {
                    await(f);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        next = totalTicks;
        listener.progress(next, totalTicks);
    }

    private static void await(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while simulating", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Ticks lane {@code i} from tick {@code from} to the end; lane 0 reports progress and the chart's demand. */
    private void runLane(int i, long from, RunListener listener) {
        Lane lane = lanes.get(i);
        for (long k = from; k < totalTicks; k++) {
            tickLane(i, lane, k, listener);
            if (i == 0 && (k + 1) % PROGRESS_EVERY == 0) {
                listener.progress(k + 1, totalTicks);
            }
        }
    }

    private Decision[] tick(RunListener listener) {
        if (!hasNext()) {
            throw new IllegalStateException("the run is over: all " + totalTicks + " ticks are done");
        }
        long k = next++;
        Decision[] decisions = new Decision[lanes.size()];
        for (int i = 0; i < lanes.size(); i++) {
            decisions[i] = tickLane(i, lanes.get(i), k, listener);
        }
        return decisions;
    }

    private Decision tickLane(int i, Lane lane, long k, RunListener listener) {
        long atMillis = k * tickMillis;
        Instant now = origin.plusMillis(atMillis);
        int bucket = (int) (k * buckets / totalTicks);
        SimulatedComponent c = lane.component();
        Observation observation = c.observe(target, now);
        ReplicaStatus status = c.read(target);
        Decision d = requireNonNull(lane.policy().tick(observation, status, now),
                () -> lane.policy().name() + " returned no decision");
        c.apply(d, status);
        int change = 0;
        if (d.isScale() && !d.dryRun()) {
            // Applied to the simulated component: the same "written" the daemon's log carries.
            d = d.asWritten();
            change = Integer.signum(d.to() - d.from());
        }
        lane.keeper().record(d);
        listener.decision(lane.policy().name(), d);
        double demandQps = c.demandQps();
        double capacityQps = c.capacityQps();
        if (i == 0) {
            chart.addDemand(bucket, atMillis / 1000.0, demandQps);
            log.demand(k, demandQps);
        }
        // As the scorecard sees a tick: demand above ready capacity, or utilization above hot-above.
        boolean overloaded = demandQps > capacityQps;
        boolean hot = capacityQps > 0 ? demandQps / capacityQps > settings.score().hotAbove() : demandQps > 0;
        chart.addLane(i, bucket, capacityQps, c.replicas(), overloaded, hot, change);
        log.lane(i, k, capacityQps, c.replicas(), overloaded, hot, change);
        return d;
    }

    /** The simulated component of {@code policy}, e.g. to show its state. */
    public SimulatedComponent component(String policy) {
        for (Lane l : lanes) {
            if (l.policy().name().equals(policy)) {
                return l.component();
            }
        }
        throw new IllegalArgumentException("no policy '" + policy + "' in this run");
    }

    /**
     * Runs the components on to the trace's end (once) and returns the scorecards with the
     * clairvoyant bound (solved once, 0.1-0.3 s for nyc_taxi, or taken from the clairvoyant lanes); call after
     * the last tick.
     *
     * @throws IllegalStateException when ticks remain
     */
    public SimulationResult result() {
        if (hasNext()) {
            throw new IllegalStateException((totalTicks - next) + " ticks remain; step to the end first");
        }
        if (!finished) {
            Instant end = origin.plusMillis(endMillis);
            for (Lane l : lanes) {
                l.component().advanceTo(end);
            }
            finished = true;
        }
        List<Scorecard> cards = new ArrayList<>();
        for (Lane l : lanes) {
            cards.add(l.keeper().scorecard(l.component().totals()));
        }
        if (bound == null) {
            List<ClairvoyantSchedule> solved = new ArrayList<>();
            for (Lane l : lanes) {
                if (l.policy() instanceof ClairvoyantPolicy c) {
                    c.solvedOn(demand, settings).ifPresent(solved::add);
                }
            }
            bound = ClairvoyantBound.of(demand, settings, initialReplicas, solved);
        }
        long ticksPerDay = 86_400_000L / tickMillis;
        boolean[] judged = new boolean[lanes.size()];
        for (int i = 0; i < judged.length; i++) {
            judged[i] = !(lanes.get(i).policy() instanceof ClairvoyantPolicy);
        }
        if (totalTicks <= ticksPerDay && SvgChart.marksActions(buckets)) {
            // A day or less at a point a tick or so: chart.svg marks every action, and a "worst day" chart would
            // draw the same trace again under a title it does not earn (recheck 92's remark: a 5-minute trace).
            return new SimulationResult(demand.name(), endMillis / 1000, cards, chart, Optional.of(bound),
                    Optional.empty());
        }
        long worst = log.worstDayStart(ticksPerDay, judged);
        // 5-minute points: a day's 288 leave ~3 px each, room for every scale action's mark. A trace of less than a
        // day, drawn whole, has as many as its span holds: a 3-hour trace's 288 were 2-3 ticks of 15 s each under a
        // title that said 5 minutes (recheck 97, F1); its 36 are 20 ticks each.
        long fiveMinutes = Math.max(1, Math.min(ticksPerDay, totalTicks) * tickMillis / 300_000);
        ChartSeries worstDay = log.window(origin, tickMillis, names, worst, worst + ticksPerDay,
                (int) Math.min(Math.min(settings.chartPoints(), WORST_DAY_POINTS), fiveMinutes));
        return new SimulationResult(demand.name(), endMillis / 1000, cards, chart, Optional.of(bound),
                Optional.of(worstDay));
    }
}
