package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * The cheapest replica schedule on the simulator's own model for a policy that knows the whole
 * demand curve in advance: the bound every real policy reads against ("1.26x clairvoyant"). Found
 * exactly by dynamic programming on the tick grid, not by search, in one pass over the ticks.
 *
 * <p>The model is {@link SimulatedComponent}'s, with its settings: a replica written at tick k
 * costs from k on and serves from k + startup + warm-up (240 s = 16 ticks of 15 s); a step-down
 * removes a starting node if there is one, else a ready node, and then capacity is
 * {@code (1 - rebalance-penalty)} x ready x {@code capacity-qps} until {@code drain} (600 s = 40
 * ticks) after the last step-down; replicas stay in [min, max]; step-downs are one node per tick.
 * Scrape and rate-window lag do not matter: the clairvoyant sees the true demand.
 *
 * <p>Goal {@link Goal#NO_OVERLOAD}: demand never above ready capacity; {@link Goal#NO_HOT}:
 * never above {@code hot-above} x ready capacity (the scorecard's hot seconds). The checks are
 * the simulator's own floating-point expressions on the largest demand inside each tick (demand
 * is linear between trace points, so that is at the tick's ends or a trace point inside it).
 *
 * <p>Why a small state space is enough (each point makes the DP smaller, none loses the optimum):
 * <ul>
 *   <li>Starting a node and removing it before it is ready never helps (it served nothing and
 *       cost something), so an optimal schedule steps down only with no node starting. Then the
 *       schedule is fully described by the ready count R(t): a rise of R at tick t is a node
 *       written at t - L (L = lead in ticks), and every such node costs exactly L ticks before it
 *       serves. Node-seconds = sum of R x tick length + L x tick per node started.</li>
 *   <li>What the past leaves behind is then R and the ticks s since the last step-down: drain is
 *       active while s &lt; D (drain ticks), and a rise at t needs s &gt;= L + 1 (its node was
 *       written after the step-down, and nothing may be starting when a step-down happens). From
 *       S = max(D, L + 1) on, s no longer matters ("settled").</li>
 *   <li>A state with a longer s dominates one with the same R and a shorter s (less drain, rises
 *       allowed sooner), so per R only a settled cost and a short list of recent step-downs that
 *       are strictly cheaper than every older one are kept; in practice 1-3 per R.</li>
 *   <li>No count above the fewest replicas that serve the trace's peak within the goal helps (it costs more, and
 *       stepping back down starts a drain), so R stops one above that: max-replicas 1000 costs what 10 does.</li>
 * </ul>
 * With replicas [1, 10] and S = 40 that is at most 10 x 41 = 410 states per tick, but usually
 * about 15 alive: nyc_taxi's 1.24 million ticks take about 0.2-0.3 s per goal on the build machine, and
 * 3-3.6 s at a peak of 80 nodes (max-replicas 100).
 *
 * <p>Where no schedule can meet the goal at some tick (demand above max-replicas' capacity, or a
 * rise in the first L ticks, before any node written at time zero can be ready, above what the
 * initial replicas serve), the bound is defined as: at such a tick the schedule must run the most
 * capacity reachable then (max-replicas, or the initial replicas in the first L ticks), undrained;
 * at every other tick it meets the goal; among those, the fewest node-seconds. That minimises the
 * demand left unserved tick by tick first, then cost. {@link #clippedTicks()} counts such ticks.
 *
 * <p>Exact when startup + warm-up and drain are whole ticks (the defaults: 16 and 40); otherwise
 * the DP treats a node as ready and a drain as over at the next tick boundary, which the
 * simulator then beats by part of a tick, so the schedule still meets the goal and its cost may
 * exceed the optimum by up to about one node-tick per scale action (a node written a tick later, a
 * step-down made a tick sooner): with startup 50 s and drain 590 s, 0.8% on elb_request_count.
 */
public final class ClairvoyantSchedule {

    /** What the schedule must never allow. */
    public enum Goal {
        /** Demand never above ready capacity (zero overload seconds). */
        NO_OVERLOAD,
        /** Demand never above hot-above x ready capacity (zero hot seconds). */
        NO_HOT
    }

    private final Goal goal;
    private final double nodeSeconds;
    private final long clippedTicks;
    private final int initialReplicas;
    private final int[] replicas;

    private ClairvoyantSchedule(Goal goal, double nodeSeconds, long clippedTicks, int initialReplicas, int[] replicas) {
        this.goal = goal;
        this.nodeSeconds = nodeSeconds;
        this.clippedTicks = clippedTicks;
        this.initialReplicas = initialReplicas;
        this.replicas = replicas;
    }

    /**
     * The optimum and, when {@code withSchedule}, the replica count to write at every tick.
     *
     * @param demand          requests/s over time (rescaled and compressed, as the simulation runs it)
     * @param settings        model, tick, bounds and hot threshold
     * @param initialReplicas ready replicas at time zero (none starting, no drain)
     * @param goal            no overload or no hot seconds
     * @param withSchedule    false computes the cost only (less memory, no allocation per step)
     */
    public static ClairvoyantSchedule solve(LoadTrace demand, SimSettings settings, int initialReplicas, Goal goal,
                                            boolean withSchedule) {
        requireNonNull(demand, "demand");
        requireNonNull(settings, "settings");
        requireNonNull(goal, "goal");
        if (initialReplicas < 0) {
            throw new IllegalArgumentException("initial replicas must be >= 0, was " + initialReplicas);
        }
        return new Solver(demand, settings, initialReplicas, goal, withSchedule).run();
    }

    public Goal goal() {
        return goal;
    }

    /** Node-seconds of the optimal schedule from time zero to the trace's end (as the scorecard counts them). */
    public double nodeSeconds() {
        return nodeSeconds;
    }

    /** Ticks where the goal cannot be met by any schedule (see the class comment); 0 when it is met everywhere. */
    public long clippedTicks() {
        return clippedTicks;
    }

    /** Replicas at time zero, before the first tick's write. */
    public int initialReplicas() {
        return initialReplicas;
    }

    /** True when the per-tick schedule was kept ({@code withSchedule}). */
    public boolean hasSchedule() {
        return replicas != null;
    }

    /** Ticks covered by the schedule. */
    public int ticks() {
        requireSchedule();
        return replicas.length;
    }

    /**
     * Replicas (ready plus starting) to have after the write at tick {@code k}.
     *
     * @throws IllegalStateException when solved without the schedule
     */
    public int replicasAt(int k) {
        requireSchedule();
        return replicas[k];
    }

    private void requireSchedule() {
        if (replicas == null) {
            throw new IllegalStateException("this clairvoyant schedule was solved for its cost only");
        }
    }

    /** One change of the ready count: +n nodes turning ready, or -1 for a step-down, at a tick. */
    private static final class Step {
        final int tick;
        final int delta;
        final Step prev;

        Step(int tick, int delta, Step prev) {
            this.tick = tick;
            this.delta = delta;
            this.prev = prev;
        }
    }

    /** The DP; one instance per solve. R is stored as index r = R - lo. */
    private static final class Solver {
        private final boolean keep;
        private final double[] traceT;
        private final double[] traceV;
        private final int last;
        private final long tickMillis;
        private final long endMillis;
        private final int ticks;
        private final int lead;
        private final int drain;
        private final int settle;
        private final int r0;
        private final int lo;
        private final int hi;
        private final int minR;
        private final int maxR;
        private final double startCost;
        private final double[] level;
        private final double[] drainedLevel;
        private final Goal goal;

        private final double[] setV;
        private final Step[] setP;
        private final int[][] listU;
        private final double[][] listV;
        private final Step[][] listP;
        private final int[] listN;
        private final double[] decV;
        private final Step[] decP;
        /** Per ready count, where {@link #rises} reads its list. */
        private final int[] pos;
        private int cursor;

        Solver(LoadTrace demand, SimSettings settings, int initialReplicas, Goal goal, boolean keep) {
            this.keep = keep;
            this.goal = goal;
            this.traceT = new double[demand.size()];
            this.traceV = new double[demand.size()];
            for (int i = 0; i < traceT.length; i++) {
                traceT[i] = demand.offset(i);
                traceV[i] = demand.value(i);
            }
            this.last = traceT.length - 1;
            this.tickMillis = settings.tick().toMillis();
            // As SimulationRun: the scored span ends at the trace's last point, the last tick may be partial.
            this.endMillis = Math.round(demand.durationSeconds() * 1000);
            long t = Math.max(1, (endMillis + tickMillis - 1) / tickMillis);
            if (t > Integer.MAX_VALUE - 1) {
                throw new IllegalArgumentException("too many ticks for the clairvoyant schedule: " + t);
            }
            this.ticks = (int) t;
            SimSettings.Model m = settings.model();
            long leadMillis = m.startup().toMillis() + m.warmup().toMillis();
            this.lead = (int) ((leadMillis + tickMillis - 1) / tickMillis);
            this.drain = (int) ((m.drain().toMillis() + tickMillis - 1) / tickMillis);
            this.settle = Math.max(drain, lead + 1);
            this.startCost = lead * (tickMillis / 1000.0);
            this.r0 = initialReplicas;
            this.minR = settings.bounds().minReplicas();
            this.maxR = settings.bounds().maxReplicas();
            this.lo = Math.min(minR, initialReplicas);
            double hot = settings.score().hotAbove();
            // No replica above what the trace's peak needs ever helps: a schedule there costs more, and stepping back
            // down starts a drain; so the states stop one above the fewest replicas that serve the peak within the
            // goal (demand is linear between trace points, so its peak is a point). max-replicas 1000 on a trace that
            // needs 8 then costs what max-replicas 10 does, not a hundred times more (nyc_taxi: 237 s against 11 s).
            double peak = 0;
            for (double v : traceV) {
                peak = Math.max(peak, v);
            }
            int needed = maxR;
            for (int r = Math.max(lo, 1); r <= maxR; r++) {
                double full = r * m.capacityQps();
                if ((goal == Goal.NO_HOT ? hot * full : full) >= peak) {
                    needed = r;
                    break;
                }
            }
            this.hi = Math.max(Math.max(Math.min(maxR, needed + 1), initialReplicas), minR);
            int n = hi - lo + 1;
            this.level = new double[n];
            this.drainedLevel = new double[n];
            for (int r = 0; r < n; r++) {
                // The simulator's expressions, operation for operation, so "fits" means the same to both.
                double full = (lo + r) * m.capacityQps();
                double drained = full * (1 - m.rebalancePenalty());
                level[r] = goal == Goal.NO_HOT ? hot * full : full;
                drainedLevel[r] = goal == Goal.NO_HOT ? hot * drained : drained;
            }
            this.setV = new double[n];
            this.setP = new Step[n];
            this.listU = new int[n][settle + 2];
            this.listV = new double[n][settle + 2];
            this.listP = new Step[n][settle + 2];
            this.listN = new int[n];
            this.decV = new double[n];
            this.decP = new Step[n];
            this.pos = new int[n];
        }

        ClairvoyantSchedule run() {
            int n = hi - lo + 1;
            Arrays.fill(setV, Double.POSITIVE_INFINITY);
            setV[r0 - lo] = 0;
            long clipped = 0;
            for (int t = 0; t < ticks; t++) {
                ageOut(t);
                // Step-downs at t come from the states before t's rises: a node turning ready at t and a
                // node removed at t would be a node that never served.
                for (int r = 0; r < n; r++) {
                    decV[r] = Double.POSITIVE_INFINITY;
                }
                for (int r = 1; r < n; r++) {
                    if (lo + r - 1 >= minR) {
                        decV[r - 1] = best(r);
                        decP[r - 1] = bestStep(r);
                    }
                }
                if (t >= lead) {
                    rises(t);
                }
                for (int r = 0; r < n; r++) {
                    if (decV[r] < Double.POSITIVE_INFINITY) {
                        offer(r, t, t, decV[r], decP[r], -1);
                    }
                }
                double d = maxDemand(t);
                int rMax = (t < lead ? r0 : hi) - lo;
                int need = 0;
                while (need <= rMax && !(d <= level[need])) {
                    need++;
                }
                int needDrained;
                if (need > rMax) {
                    clipped++;
                    need = rMax;
                    needDrained = Integer.MAX_VALUE;
                } else {
                    needDrained = need;
                    while (needDrained <= rMax && !(d <= drainedLevel[needDrained])) {
                        needDrained++;
                    }
                }
                double length = (Math.min((t + 1) * tickMillis, endMillis) - t * tickMillis) / 1000.0;
                boolean alive = false;
                for (int r = 0; r < n; r++) {
                    if (r < need) {
                        setV[r] = Double.POSITIVE_INFINITY;
                        setP[r] = null;
                        listN[r] = 0;
                        continue;
                    }
                    if (r < needDrained && drain > 0) {
                        while (listN[r] > 0 && listU[r][listN[r] - 1] > t - drain) {
                            listN[r]--;
                            listP[r][listN[r]] = null;
                        }
                    }
                    double cost = (lo + r) * length;
                    if (setV[r] < Double.POSITIVE_INFINITY) {
                        setV[r] += cost;
                        alive = true;
                    }
                    for (int k = 0; k < listN[r]; k++) {
                        listV[r][k] += cost;
                        alive = true;
                    }
                }
                if (!alive) {
                    throw new IllegalStateException("clairvoyant schedule: no state survives tick " + t);
                }
            }
            int bestR = -1;
            double bestV = Double.POSITIVE_INFINITY;
            for (int r = 0; r < n; r++) {
                double v = best(r);
                if (v < bestV) {
                    bestV = v;
                    bestR = r;
                }
            }
            int[] schedule = keep ? schedule(bestStep(bestR)) : null;
            return new ClairvoyantSchedule(goal, bestV, clipped, r0, schedule);
        }

        /** Recent step-downs old enough to be past drain and lockout join the settled state. */
        private void ageOut(int t) {
            for (int r = 0; r < listN.length; r++) {
                while (listN[r] > 0 && listU[r][0] <= t - settle) {
                    // The list is strictly cheaper than the settled state, so its oldest entry replaces it.
                    setV[r] = listV[r][0];
                    setP[r] = listP[r][0];
                    removeAt(r, 0);
                }
            }
        }

        /** Rises at tick t (nodes written at t - lead), from every state whose last step-down is at least lead + 1 ticks old. */
        private void rises(int t) {
            int n = listN.length;
            int top = Math.min(maxR, hi) - lo;
            // Settled sources: best(R') = min over R < R' of setV[R] + (R' - R) x startCost, as a running minimum.
            double carry = Double.POSITIVE_INFINITY;
            int carryR = -1;
            Step carryP = null;
            for (int r = 0; r < n; r++) {
                if (carryR >= 0 && r <= top) {
                    double v = carry + r * startCost;
                    if (v < setV[r]) {
                        offer(r, Integer.MIN_VALUE, t, v, carryP, r - carryR);
                    }
                }
                if (setV[r] < Double.POSITIVE_INFINITY && setV[r] - r * startCost < carry) {
                    carry = setV[r] - r * startCost;
                    carryR = r;
                    carryP = setP[r];
                }
            }
            // Recent sources keep their step-down time u, so the same running minimum runs once per u, oldest first:
            // a state (R', u) is offered only the cheapest rise from some (R < R', u), where offering every rise
            // from every source cost 6-17 s per goal at peak 80 (clairvoyant audit L3). Offers add and drop entries
            // of the lists being read, so each list is re-read at the u in hand: pos[r] is the first entry not older.
            Arrays.fill(pos, 0);
            int newest = t - lead - 1;
            int u = Integer.MIN_VALUE;
            while (true) {
                int next = Integer.MAX_VALUE;
                for (int r = 0; r < n; r++) {
                    while (pos[r] < listN[r] && listU[r][pos[r]] <= u) {
                        pos[r]++;
                    }
                    if (pos[r] < listN[r] && listU[r][pos[r]] <= newest) {
                        next = Math.min(next, listU[r][pos[r]]);
                    }
                }
                if (next == Integer.MAX_VALUE) {
                    return;
                }
                u = next;
                carry = Double.POSITIVE_INFINITY;
                carryR = -1;
                carryP = null;
                for (int r = 0; r < n; r++) {
                    if (carryR >= 0 && r <= top) {
                        offer(r, u, t, carry + r * startCost, carryP, r - carryR);
                    }
                    int k = pos[r];
                    while (k < listN[r] && listU[r][k] < u) {
                        k++;
                    }
                    if (k < listN[r] && listU[r][k] == u && listV[r][k] - r * startCost < carry) {
                        carry = listV[r][k] - r * startCost;
                        carryR = r;
                        carryP = listP[r][k];
                    }
                }
            }
        }

        /**
         * Adds state (r, last step-down at u) with cost v unless a state with the same r, an older
         * (or no) step-down and no higher cost exists; drops the states it dominates.
         * {@code u == Integer.MIN_VALUE} is the settled state.
         */
        private void offer(int r, int u, int t, double v, Step prev, int delta) {
            if (u == Integer.MIN_VALUE) {
                if (!(v < setV[r])) {
                    return;
                }
                setV[r] = v;
                setP[r] = keep ? new Step(t, delta, prev) : null;
                int drop = 0;
                while (drop < listN[r] && listV[r][drop] >= v) {
                    drop++;
                }
                for (int k = 0; k < drop; k++) {
                    removeAt(r, 0);
                }
                return;
            }
            int i = 0;
            while (i < listN[r] && listU[r][i] < u) {
                i++;
            }
            double older = i > 0 ? listV[r][i - 1] : setV[r];
            if (!(v < older)) {
                return;
            }
            if (i < listN[r] && listU[r][i] == u) {
                if (!(v < listV[r][i])) {
                    return;
                }
            } else {
                insertAt(r, i);
                listU[r][i] = u;
            }
            listV[r][i] = v;
            listP[r][i] = keep ? new Step(t, delta, prev) : null;
            while (i + 1 < listN[r] && listV[r][i + 1] >= v) {
                removeAt(r, i + 1);
            }
        }

        private void insertAt(int r, int i) {
            int n = listN[r];
            System.arraycopy(listU[r], i, listU[r], i + 1, n - i);
            System.arraycopy(listV[r], i, listV[r], i + 1, n - i);
            System.arraycopy(listP[r], i, listP[r], i + 1, n - i);
            listN[r] = n + 1;
        }

        private void removeAt(int r, int i) {
            int n = listN[r];
            System.arraycopy(listU[r], i + 1, listU[r], i, n - i - 1);
            System.arraycopy(listV[r], i + 1, listV[r], i, n - i - 1);
            System.arraycopy(listP[r], i + 1, listP[r], i, n - i - 1);
            listP[r][n - 1] = null;
            listN[r] = n - 1;
        }

        /** The cheapest state with ready count index r: the newest recent entry, else the settled one. */
        private double best(int r) {
            return listN[r] > 0 ? listV[r][listN[r] - 1] : setV[r];
        }

        private Step bestStep(int r) {
            return listN[r] > 0 ? listP[r][listN[r] - 1] : setP[r];
        }

        /**
         * The largest demand inside tick t: at its start, at each trace point inside and at its end,
         * each computed both as the point's value and as the simulator interpolates it from the left.
         */
        private double maxDemand(int t) {
            double a = t * tickMillis / 1000.0;
            double b = Math.min((t + 1) * tickMillis, endMillis) / 1000.0;
            while (cursor < last && traceT[cursor + 1] <= a) {
                cursor++;
            }
            double d = demandOn(cursor, a);
            int j = cursor;
            while (j < last && traceT[j + 1] <= b) {
                d = Math.max(d, demandOn(j, traceT[j + 1]));
                d = Math.max(d, traceV[j + 1]);
                j++;
            }
            return Math.max(d, demandOn(j, b));
        }

        /** The simulator's interpolation on the segment starting at point j. */
        private double demandOn(int j, double s) {
            if (s <= traceT[0]) {
                return traceV[0];
            }
            if (j >= last) {
                return traceV[last];
            }
            double t0 = traceT[j];
            double t1 = traceT[j + 1];
            return traceV[j] + (s - t0) / (t1 - t0) * (traceV[j + 1] - traceV[j]);
        }

        /** Replicas to write at each tick: ready count plus the nodes that turn ready within the next L ticks. */
        private int[] schedule(Step end) {
            int[] delta = new int[ticks + 1];
            for (Step s = end; s != null; s = s.prev) {
                delta[s.tick] += s.delta;
            }
            int[] rises = new int[ticks + lead + 1];
            for (int t = 0; t < ticks; t++) {
                rises[t] = Math.max(0, delta[t]);
            }
            int[] out = new int[ticks];
            int ready = r0;
            int starting = 0;
            for (int k = 1; k <= lead && k < ticks; k++) {
                starting += rises[k];
            }
            for (int t = 0; t < ticks; t++) {
                ready += delta[t];
                if (t > 0 && lead > 0) {
                    // Window (t, t + L]: drop t's rises (now ready), add t + L's.
                    starting -= rises[t];
                    if (t + lead < ticks) {
                        starting += rises[t + lead];
                    }
                }
                if (delta[t] < 0 && starting > 0) {
                    throw new IllegalStateException("clairvoyant schedule steps down at tick " + t + " while "
                            + starting + " nodes are starting");
                }
                out[t] = ready + starting;
            }
            return out;
        }
    }
}
