package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.LastScale;
import io.github.milvusautoscaler.core.MetricsSource;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.SignalMap;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A simulated Milvus worker component (a queryNode by default) that plays both
 * {@link MetricsSource} and {@link ReplicaActuator}, so the real engine and policy, or a baseline,
 * can drive it exactly as they drive a cluster. Time only moves when a caller advances it.
 *
 * <p>The model, with the reference.conf defaults:
 * <ul>
 *   <li>Each ready node serves {@code capacity-qps} (200/s); ready capacity = ready x 200.</li>
 *   <li>A new node is pending for {@code startup} (60 s), then loads segments for {@code warmup}
 *       (3 min) serving nothing, then is ready: a scale-out at 12:00 adds capacity at 12:04.</li>
 *   <li>A step-down removes a not-yet-ready node if there is one (as a ReplicaSet does), else a
 *       ready node, whose load moves to the others while capacity drops by
 *       {@code rebalance-penalty} (10%) for {@code drain} (10 min): after removing one of 6 ready
 *       nodes the 5 left serve 5 x 200 x 0.9 = 900/s until the drain ends.</li>
 *   <li>Served = min(demand, capacity); cpu = served / capacity: 600/s on 4 ready nodes is
 *       600 / 800 = 0.75.</li>
 *   <li>memory = (dataset / ready + overhead) / limit: (16 GiB / 4 + 2 GiB) / 32 GiB = 0.1875.</li>
 *   <li>qps = demand per ready replica: 600/s on 4 ready nodes is 150.</li>
 * </ul>
 *
 * <p>Signals are what Prometheus would return, not the truth: every {@code scrape-interval}
 * (30 s) the component records cumulative counters (requests, cpu-busy seconds) and gauges; cpu
 * and qps are irate(), the slope between the two newest samples (the default templates), or with
 * {@code sim.rate-function = rate} rate() over {@code rate-window} (2 min), the slope between the
 * first and last samples inside (at - 2m, at]; memory, settle and health are the newest sample. A
 * load step therefore shows up fully within 30-60 s through irate(), only after 2-2.5 min through
 * rate().
 * A component built with {@link MetricsView#metricsServer} is seen as the HPA controller sees it
 * instead: sampled every {@code sim.hpa.metrics-resolution} (15 s), cpu over the last 15 s ending at
 * the newest sample, so a load step shows up fully within 15-30 s.
 *
 * <p>Integration between events is exact: demand is linear between trace points and capacity
 * constant between readiness, drain and scrape events, so overload and hot seconds come from the
 * crossing points, not from sampling. Before the trace starts the component runs for one window
 * and one sample at the first value, so the first tick sees a full window as a long-running
 * Prometheus (or metrics-server) would; that warm-up is not scored.
 */
public final class SimulatedComponent implements MetricsSource, ReplicaActuator {

    /** Signal names, in the order observations list them. */
    public static final String CPU = "cpu";
    public static final String MEMORY = "memory";
    public static final String QPS = "qps";

    private final Target target;
    private final Instant origin;
    private final long originMillis;
    private final double[] traceT;
    private final double[] traceV;
    private final double capacityQps;
    private final double startupSeconds;
    private final double warmupSeconds;
    private final double drainSeconds;
    private final double penalty;
    private final double hotAbove;
    private final double datasetBytes;
    private final double overheadBytes;
    private final double limitBytes;
    private final long intervalMillis;
    private final long windowMillis;
    /** Ending at the newest sample: samples between the two a value spans (window / interval); rate(): 0, the window decides. */
    private final long spanSamples;
    private final double intervalSeconds;
    /** Samples land at n x interval + phase: {@link MetricsView#sampleAge()} before the ticks on the simulator's grid. */
    private final long phaseMillis;
    private final double phaseSeconds;

    private double now;
    private int cursor;
    private int ready;
    private double[] startingReadyAt = new double[16];
    private int startingHead;
    private int startingSize;
    private double drainUntil = Double.NEGATIVE_INFINITY;

    private double cumulativeRequests;
    private double cumulativeBusy;

    private final int ring;
    private final double[] sampleRequests;
    private final double[] sampleBusy;
    private final int[] sampleReady;
    private final boolean[] sampleDraining;
    private final boolean[] sampleOverloaded;
    private long firstScrape;
    private long lastScrape;
    private long nextScrape;

    private double overloadSeconds;
    private double hotSeconds;
    private double nodeSeconds;
    private int minReplicas;
    private int maxReplicas;

    private long version = 1;
    private String versionText = "1";
    private LastScale lastScale;

    /**
     * A component seen through Prometheus as the sim block's scrape keys set it up.
     *
     * @param target          the target this component answers for
     * @param settings        model, scrape and scorecard settings
     * @param demand          demand in requests/s over time (already rescaled); its start is time zero
     * @param initialReplicas ready replicas at the start
     */
    public SimulatedComponent(Target target, SimSettings settings, LoadTrace demand, int initialReplicas) {
        this(target, settings, demand, initialReplicas, MetricsView.prometheus(requireNonNull(settings, "settings").scrape()));
    }

    /**
     * A component seen through {@code view}: Prometheus, or metrics-server for the HPA lanes.
     *
     * @param target          the target this component answers for
     * @param settings        model and scorecard settings
     * @param demand          demand in requests/s over time (already rescaled); its start is time zero
     * @param initialReplicas ready replicas at the start
     * @param view            how often it is sampled and what span a cpu or qps value covers
     */
    public SimulatedComponent(Target target, SimSettings settings, LoadTrace demand, int initialReplicas,
                              MetricsView view) {
        this.target = requireNonNull(target, "target");
        requireNonNull(settings, "settings");
        requireNonNull(view, "view");
        requireNonNull(demand, "demand");
        if (initialReplicas < 0) {
            throw new IllegalArgumentException("initial replicas must be >= 0, was " + initialReplicas);
        }
        SimSettings.Model m = settings.model();
        this.origin = demand.start();
        this.originMillis = origin.toEpochMilli();
        this.traceT = new double[demand.size()];
        this.traceV = new double[demand.size()];
        for (int i = 0; i < traceT.length; i++) {
            traceT[i] = demand.offset(i);
            traceV[i] = demand.value(i);
        }
        this.capacityQps = m.capacityQps();
        this.startupSeconds = m.startup().toMillis() / 1000.0;
        this.warmupSeconds = m.warmup().toMillis() / 1000.0;
        this.drainSeconds = m.drain().toMillis() / 1000.0;
        this.penalty = m.rebalancePenalty();
        this.hotAbove = settings.score().hotAbove();
        this.datasetBytes = m.datasetBytes();
        this.overheadBytes = m.nodeOverheadBytes();
        this.limitBytes = m.memoryLimitBytes();
        this.intervalMillis = view.interval().toMillis();
        this.windowMillis = view.window().toMillis();
        this.spanSamples = view.endsAtNewestSample() ? windowMillis / intervalMillis : 0;
        this.intervalSeconds = intervalMillis / 1000.0;
        this.phaseMillis = Math.floorMod(-view.sampleAge().toMillis(), intervalMillis);
        this.phaseSeconds = phaseMillis / 1000.0;
        this.ring = (int) (windowMillis / intervalMillis) + 64;
        this.sampleRequests = new double[ring];
        this.sampleBusy = new double[ring];
        this.sampleReady = new int[ring];
        this.sampleDraining = new boolean[ring];
        this.sampleOverloaded = new boolean[ring];
        this.ready = initialReplicas;
        this.minReplicas = initialReplicas;
        this.maxReplicas = initialReplicas;
        // Start one window plus one sample before time zero so the first tick sees a full window.
        long warmupScrapes = (windowMillis + intervalMillis - 1) / intervalMillis + 1;
        this.firstScrape = -warmupScrapes;
        this.now = firstScrape * intervalSeconds + phaseSeconds;
        this.nextScrape = firstScrape;
        scrape();
    }

    @Override
    public Observation observe(Target observed, Instant at) {
        checkTarget(observed);
        requireNonNull(at, "at");
        long atMillis = at.toEpochMilli() - originMillis;
        advanceToSeconds(atMillis / 1000.0);
        long newest = Math.min(lastScrape, Math.floorDiv(atMillis - phaseMillis, intervalMillis));
        // rate(): the samples inside (at - window, at]. irate() and metrics-server: the window ending at the newest sample.
        long oldest = Math.max(firstScrape, Math.max(lastScrape - ring + 1, spanSamples > 0 ? newest - spanSamples
                : Math.floorDiv(atMillis - phaseMillis - windowMillis, intervalMillis) + 1));
        if (newest < oldest) {
            String problem = "no sample in the last " + Duration.ofMillis(windowMillis).toSeconds() + "s";
            return new Observation(target, at, SignalMap.of(CPU, Signal.unknown(CPU, problem), MEMORY,
                    Signal.unknown(MEMORY, problem), QPS, Signal.unknown(QPS, problem)), Settle.UNKNOWN,
                    Health.UNKNOWN, List.of());
        }
        int n = slot(newest);
        int readyThen = sampleReady[n];
        Duration age = Duration.ofMillis(atMillis - newest * intervalMillis - phaseMillis);
        Signal cpu;
        Signal memory;
        Signal qps;
        if (readyThen == 0) {
            String problem = "no ready " + target.component() + " pods";
            cpu = Signal.unknown(CPU, problem);
            memory = Signal.unknown(MEMORY, problem);
            qps = Signal.unknown(QPS, problem);
        } else if (newest > oldest) {
            int o = slot(oldest);
            double span = (newest - oldest) * intervalSeconds;
            cpu = Signal.known(CPU, (sampleBusy[n] - sampleBusy[o]) / span, readyThen, age);
            memory = Signal.known(MEMORY, memoryFraction(readyThen), readyThen, age);
            // Divided by the ready count of the scrape, as the qps template divides by kube-state-metrics' ready count
            // (queries.component-ready: kube_deployment_status_replicas_ready, read when kube-state-metrics is
            // scraped), which lags the Deployment's own status.readyReplicas by up to a scrape.
            qps = Signal.known(QPS, (sampleRequests[n] - sampleRequests[o]) / span / readyThen, 0, age)
                    .withReadyDividedBy(readyThen);
        } else {
            String problem = "rate() needs two samples in the last " + windowMillis / 1000 + "s, found one";
            cpu = Signal.unknown(CPU, problem);
            memory = Signal.known(MEMORY, memoryFraction(readyThen), readyThen, age);
            qps = Signal.unknown(QPS, problem);
        }
        Settle settle = sampleDraining[n] ? Settle.BUSY : Settle.QUIET;
        Health health = sampleOverloaded[n] ? Health.FAILING : Health.OK;
        return new Observation(target, at, SignalMap.of(CPU, cpu, MEMORY, memory, QPS, qps), settle, health,
                List.of());
    }

    @Override
    public ReplicaStatus read(Target read) {
        checkTarget(read);
        return new ReplicaStatus(replicas(), ready, false, false, Optional.ofNullable(lastScale), versionText);
    }

    /**
     * Sets the replica count to {@code decision.to()} at the decision's time: new nodes start
     * pending, removed nodes go not-ready first, else a ready node whose removal starts a drain.
     * HOLD and unknown counts write nothing.
     *
     * @throws ActuationException CONFLICT when {@code basis} was read before another write
     */
    @Override
    public void apply(Decision decision, ReplicaStatus basis) {
        requireNonNull(decision, "decision");
        requireNonNull(basis, "basis");
        checkTarget(decision.target());
        if (decision.action() == Action.HOLD || decision.to() == null) {
            return;
        }
        if (!basis.resourceVersion().equals(versionText)) {
            throw new ActuationException(ActuationException.Kind.CONFLICT, target + " changed since it was read (version "
                    + basis.resourceVersion() + ", now " + versionText + ")");
        }
        int to = decision.to();
        if (to < 0) {
            throw new IllegalArgumentException("cannot scale " + target + " to " + to + " replicas");
        }
        advanceTo(decision.time());
        setReplicas(to);
        version++;
        versionText = Long.toString(version);
        lastScale = new LastScale(decision.time(), decision.action() == Action.SCALE_OUT ? Direction.UP : Direction.DOWN,
                decision.reason().name());
    }

    /** Moves simulated time forward to {@code at}; earlier times are ignored (time never goes back). */
    public void advanceTo(Instant at) {
        requireNonNull(at, "at");
        advanceToSeconds((at.toEpochMilli() - originMillis) / 1000.0);
    }

    private void setReplicas(int to) {
        int current = replicas();
        for (int i = current; i < to; i++) {
            double readyAt = now + startupSeconds + warmupSeconds;
            if (readyAt <= now) {
                ready++;
            } else {
                pushStarting(readyAt);
            }
        }
        for (int i = to; i < current; i++) {
            if (startingSize > 0) {
                startingSize--;
            } else if (ready > 0) {
                ready--;
                if (drainSeconds > 0) {
                    drainUntil = Math.max(drainUntil, now + drainSeconds);
                }
            }
        }
        if (now >= 0) {
            minReplicas = Math.min(minReplicas, to);
            maxReplicas = Math.max(maxReplicas, to);
        }
    }

    private void advanceToSeconds(double until) {
        while (now < until) {
            double b = until;
            double scrapeAt = nextScrape * intervalSeconds + phaseSeconds;
            if (scrapeAt < b) {
                b = scrapeAt;
            }
            if (cursor + 1 < traceT.length && traceT[cursor + 1] < b) {
                b = traceT[cursor + 1];
            }
            if (startingSize > 0 && startingReadyAt[startingHead] < b) {
                b = startingReadyAt[startingHead];
            }
            if (drainUntil > now && drainUntil < b) {
                b = drainUntil;
            }
            if (now < 0 && b > 0) {
                b = 0;
            }
            integrate(b);
            now = b;
            while (startingSize > 0 && startingReadyAt[startingHead] <= now) {
                startingHead = (startingHead + 1) % startingReadyAt.length;
                startingSize--;
                ready++;
            }
            while (cursor + 1 < traceT.length && traceT[cursor + 1] <= now) {
                cursor++;
            }
            if (scrapeAt <= now) {
                scrape();
            }
        }
    }

    private void integrate(double to) {
        double length = to - now;
        if (length <= 0) {
            return;
        }
        double d0 = demandAt(now);
        double d1 = demandAt(to);
        double capacity = capacityAt(now);
        double requests = (d0 + d1) / 2 * length;
        cumulativeRequests += requests;
        if (capacity > 0) {
            double served = requests - areaAbove(d0, d1, length, capacity);
            cumulativeBusy += served / capacity;
        }
        if (now >= 0) {
            overloadSeconds += timeAbove(d0, d1, length, capacity);
            hotSeconds += timeAbove(d0, d1, length, hotAbove * capacity);
            nodeSeconds += (double) replicas() * length;
        }
    }

    /** Seconds of a linear segment from d0 to d1 over {@code length} that lie strictly above {@code level}. */
    static double timeAbove(double d0, double d1, double length, double level) {
        boolean above0 = d0 > level;
        boolean above1 = d1 > level;
        if (above0 && above1) {
            return length;
        }
        if (!above0 && !above1) {
            return 0;
        }
        return above0 ? length * (d0 - level) / (d0 - d1) : length * (d1 - level) / (d1 - d0);
    }

    /** Integral of max(d - level, 0) over a linear segment: the requests that found no capacity. */
    static double areaAbove(double d0, double d1, double length, double level) {
        double e0 = d0 - level;
        double e1 = d1 - level;
        if (e0 >= 0 && e1 >= 0) {
            return (e0 + e1) / 2 * length;
        }
        if (e0 <= 0 && e1 <= 0) {
            return 0;
        }
        double high = Math.max(e0, e1);
        double part = timeAbove(d0, d1, length, level);
        return high * part / 2;
    }

    private void scrape() {
        int s = slot(nextScrape);
        sampleRequests[s] = cumulativeRequests;
        sampleBusy[s] = cumulativeBusy;
        sampleReady[s] = ready;
        sampleDraining[s] = now < drainUntil;
        sampleOverloaded[s] = demandAt(now) > capacityAt(now);
        lastScrape = nextScrape;
        nextScrape++;
    }

    private int slot(long scrape) {
        return (int) Math.floorMod(scrape, (long) ring);
    }

    private double demandAt(double s) {
        if (s <= traceT[0]) {
            return traceV[0];
        }
        int last = traceT.length - 1;
        if (cursor >= last) {
            return traceV[last];
        }
        double t0 = traceT[cursor];
        double t1 = traceT[cursor + 1];
        return traceV[cursor] + (s - t0) / (t1 - t0) * (traceV[cursor + 1] - traceV[cursor]);
    }

    private double capacityAt(double s) {
        double full = ready * capacityQps;
        return s < drainUntil ? full * (1 - penalty) : full;
    }

    private double memoryFraction(int readyNodes) {
        return (datasetBytes / readyNodes + overheadBytes) / limitBytes;
    }

    private void pushStarting(double readyAt) {
        if (startingSize == startingReadyAt.length) {
            double[] bigger = new double[startingSize * 2];
            for (int i = 0; i < startingSize; i++) {
                bigger[i] = startingReadyAt[(startingHead + i) % startingReadyAt.length];
            }
            startingReadyAt = bigger;
            startingHead = 0;
        }
        startingReadyAt[(startingHead + startingSize) % startingReadyAt.length] = readyAt;
        startingSize++;
    }

    private void checkTarget(Target t) {
        requireNonNull(t, "target");
        if (t != target && !t.equals(target)) {
            throw new IllegalArgumentException("this simulated component is " + target + ", not " + t);
        }
    }

    /** The target this component answers for. */
    public Target target() {
        return target;
    }

    /** Wall time of simulated second zero: the trace's first point. */
    public Instant origin() {
        return origin;
    }

    /** Current simulated time. */
    public Instant time() {
        return origin.plusNanos(Math.round(now * 1e9));
    }

    /** Replicas as written: ready plus pending and warming nodes (what is paid for). */
    public int replicas() {
        return ready + startingSize;
    }

    /** Ready nodes. */
    public int ready() {
        return ready;
    }

    /** Nodes still pending (not yet started). */
    public int pending() {
        int n = 0;
        for (int i = 0; i < startingSize; i++) {
            if (startingReadyAt[(startingHead + i) % startingReadyAt.length] - warmupSeconds > now) {
                n++;
            }
        }
        return n;
    }

    /** Nodes started but still loading segments. */
    public int warming() {
        return startingSize - pending();
    }

    /** True while a step-down's segments are still moving. */
    public boolean draining() {
        return now < drainUntil;
    }

    /** Demand in requests/s right now. */
    public double demandQps() {
        return demandAt(now);
    }

    /** What the ready nodes can serve right now, drain penalty included. */
    public double capacityQps() {
        return capacityAt(now);
    }

    /** The scored totals from time zero to now. */
    public Totals totals() {
        return new Totals(Math.max(0, now), overloadSeconds, hotSeconds, nodeSeconds, minReplicas, maxReplicas);
    }

    /**
     * What the component went through from time zero (the trace start) to now.
     *
     * @param scoredSeconds   seconds covered
     * @param overloadSeconds seconds with demand above ready capacity
     * @param hotSeconds      seconds with demand above {@code hot-above} x ready capacity
     * @param nodeSeconds     replicas (pending and warming included) integrated over time: the cost
     * @param minReplicas     fewest replicas written
     * @param maxReplicas     most replicas written
     */
    public record Totals(double scoredSeconds, double overloadSeconds, double hotSeconds, double nodeSeconds,
                         int minReplicas, int maxReplicas) {
    }
}
