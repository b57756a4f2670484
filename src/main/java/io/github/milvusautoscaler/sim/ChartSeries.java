package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Time series for the chart, downsampled to a fixed number of buckets so a 1.2-million-tick run
 * draws as ~2000 points: per bucket the mean and the peak demand (so a 5-minute burst in a
 * 40-minute bucket stays visible), each policy's mean ready capacity, and each policy's largest
 * replica count (the max, so a short scale-out is not averaged away); per policy and bucket also the
 * share of ticks overloaded (demand above ready capacity) and hot, and the scale actions, so a chart can
 * shade when each policy hurt and mark when it acted.
 */
public final class ChartSeries {

    private final Instant start;
    private final List<String> policies;
    private final double[] seconds;
    private final double[] demand;
    private final double[] demandPeak;
    private final double[][] capacity;
    private final int[][] replicas;
    private final int[][] overloadTicks;
    private final int[][] hotTicks;
    private final int[][] ups;
    private final int[][] downs;
    private final int[] counts;
    private int used;

    /**
     * @param start    wall time of second zero
     * @param policies policy names, one series each
     * @param buckets  number of points
     */
    public ChartSeries(Instant start, List<String> policies, int buckets) {
        this.start = requireNonNull(start, "start");
        this.policies = List.copyOf(requireNonNull(policies, "policies"));
        if (buckets < 1) {
            throw new IllegalArgumentException("buckets must be >= 1");
        }
        this.seconds = new double[buckets];
        this.demand = new double[buckets];
        this.demandPeak = new double[buckets];
        this.capacity = new double[this.policies.size()][buckets];
        this.replicas = new int[this.policies.size()][buckets];
        this.overloadTicks = new int[this.policies.size()][buckets];
        this.hotTicks = new int[this.policies.size()][buckets];
        this.ups = new int[this.policies.size()][buckets];
        this.downs = new int[this.policies.size()][buckets];
        this.counts = new int[buckets];
        Arrays.fill(seconds, Double.NaN);
    }

    /** Adds one tick's demand at second {@code t} to bucket {@code b}. */
    void addDemand(int b, double t, double demandQps) {
        if (Double.isNaN(seconds[b])) {
            seconds[b] = t;
        }
        demand[b] += demandQps;
        demandPeak[b] = Math.max(demandPeak[b], demandQps);
        counts[b]++;
        used = Math.max(used, b + 1);
    }

    /** Adds policy {@code lane}'s state at one tick to bucket {@code b}. */
    void addLane(int lane, int b, double capacityQps, int replicaCount) {
        addLane(lane, b, capacityQps, replicaCount, false, false, 0);
    }

    /**
     * Adds policy {@code lane}'s state at one tick to bucket {@code b}: whether demand exceeded its ready
     * capacity, whether it ran hot, and the sign of the scale action it took (+1, -1, 0).
     */
    void addLane(int lane, int b, double capacityQps, int replicaCount, boolean overloaded, boolean hot, int change) {
        capacity[lane][b] += capacityQps;
        replicas[lane][b] = Math.max(replicas[lane][b], replicaCount);
        if (overloaded) {
            overloadTicks[lane][b]++;
        }
        if (hot) {
            hotTicks[lane][b]++;
        }
        if (change > 0) {
            ups[lane][b]++;
        } else if (change < 0) {
            downs[lane][b]++;
        }
    }

    public Instant start() {
        return start;
    }

    public List<String> policies() {
        return policies;
    }

    /** Buckets that received data. */
    public int size() {
        return used;
    }

    /** Seconds since start of bucket {@code i}'s first tick. */
    public double seconds(int i) {
        return seconds[i];
    }

    /** Ticks in every bucket: the run's, or the window's it was drawn from. */
    public long ticks() {
        long all = 0;
        for (int i = 0; i < used; i++) {
            all += counts[i];
        }
        return all;
    }

    /** Ticks that fell in bucket {@code i}. */
    public int ticks(int i) {
        return counts[i];
    }

    /** Mean demand in requests/s in bucket {@code i}. */
    public double demand(int i) {
        return counts[i] == 0 ? 0 : demand[i] / counts[i];
    }

    /** Highest demand at a tick in requests/s in bucket {@code i}. */
    public double demandPeak(int i) {
        return demandPeak[i];
    }

    /** Mean ready capacity in requests/s of policy {@code lane} in bucket {@code i}. */
    public double capacity(int lane, int i) {
        return counts[i] == 0 ? 0 : capacity[lane][i] / counts[i];
    }

    /** Most replicas of policy {@code lane} in bucket {@code i}. */
    public int replicas(int lane, int i) {
        return replicas[lane][i];
    }

    /** Share of bucket {@code i}'s ticks in which policy {@code lane} was overloaded, 0 to 1. */
    public double overloadShare(int lane, int i) {
        return counts[i] == 0 ? 0 : (double) overloadTicks[lane][i] / counts[i];
    }

    /** Share of bucket {@code i}'s ticks in which policy {@code lane} ran hot, 0 to 1. */
    public double hotShare(int lane, int i) {
        return counts[i] == 0 ? 0 : (double) hotTicks[lane][i] / counts[i];
    }

    /** Share of all ticks in which policy {@code lane} was overloaded, 0 to 1. */
    public double overloadShare(int lane) {
        return share(overloadTicks[lane]);
    }

    /** Share of all ticks in which policy {@code lane} ran hot, 0 to 1. */
    public double hotShare(int lane) {
        return share(hotTicks[lane]);
    }

    private double share(int[] ticks) {
        long of = 0;
        long all = 0;
        for (int i = 0; i < counts.length; i++) {
            of += ticks[i];
            all += counts[i];
        }
        return all == 0 ? 0 : (double) of / all;
    }

    /** Scale-outs of policy {@code lane} in bucket {@code i}. */
    public int scaleOuts(int lane, int i) {
        return ups[lane][i];
    }

    /** Step-downs of policy {@code lane} in bucket {@code i}. */
    public int stepDowns(int lane, int i) {
        return downs[lane][i];
    }
}
