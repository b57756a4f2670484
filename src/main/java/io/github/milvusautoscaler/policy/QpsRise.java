package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * How long qps has stood above the highest load of its look-back, which confirms a qps rise on a target whose cpu
 * cannot ({@link ScaleOut#corroborated}). The Milvus chart and the operator declare no CPU request by default, so the
 * cpu signal is left out there and qps is the only load a queryNode shows. qps is summed from every proxy's
 * counters, whose scrapes do not line up: around a proxy's removal or restart, or as sticky connections move back,
 * it reads a share of the load missing for a tick or two and then its true level again (130 -> 65 -> 130), or one
 * tick twice over (130 -> 195 -> 130); each read as a rise and scaled queryNodes out 2 -> 3 or 2 -> 4 on 4 of 4
 * proxy removals with cpu left out (real-install recheck 5). A return to a level the look-back has seen is no new
 * high, and a one-tick over-read does not hold for a second tick.
 *
 * <p>Example, look-back 2m: loads 130, 130, 65, 130 start no run (130 is not above the look-back's 130); 130, 195,
 * 131 is a run of 2 over a base of 130, but 131 is 0.8% above it, under {@value ScaleOut#QPS_NOISE}; 100, 110, 120
 * is a run of 2 over 100, 20% above it: a rise.
 *
 * <p>Immutable and array-backed; kept only while qps is known and cpu is not (every tick in the simulator has a
 * cpu, so none of this is built there).
 *
 * @param at   when each load in the look-back was read, oldest first
 * @param load each load (qps x ready replicas), beside {@code at}
 * @param base the highest load of the look-back before the current run began; NaN when there is no run
 * @param run  ticks in a row whose load was above {@code base}, this one included; 0 when none
 */
record QpsRise(Instant[] at, double[] load, double base, int run) {

    /** Nothing seen: a target's first tick, or a tick with cpu known or no qps. */
    static final QpsRise NONE = new QpsRise(new Instant[0], new double[0], Double.NaN, 0);

    QpsRise {
        requireNonNull(at, "at");
        requireNonNull(load, "load");
        if (at.length != load.length) {
            throw new IllegalArgumentException("at and load differ in length: " + at.length + " vs " + load.length);
        }
    }

    /**
     * This memory after a tick: the run goes on while the load stays above its base, starts when the load is above
     * every load of the look-back before it, and ends otherwise.
     *
     * @param signals  the tick's classified signals
     * @param ready    ready replicas the values were averaged over
     * @param now      the tick time
     * @param lookBack how far back a level counts as seen ({@link ScaleOut#qpsLookBack})
     */
    QpsRise next(List<Classified> signals, int ready, Instant now, Duration lookBack) {
        Classified qps = null;
        for (Classified c : signals) {
            if (c.name().equals(ScaleOut.CPU) && c.known()) {
                return NONE; // the cpu confirms or refuses a qps rise itself
            }
            if (c.name().equals(ScaleOut.QPS)) {
                qps = c;
            }
        }
        if (qps == null) {
            return NONE;
        }
        Instant cutoff = now.minus(lookBack);
        int from = 0;
        while (from < at.length && at[from].isBefore(cutoff)) {
            from++;
        }
        Instant[] keptAt = Arrays.copyOfRange(at, from, at.length);
        double[] kept = Arrays.copyOfRange(load, from, load.length);
        if (!qps.known()) {
            // A hole never lowers what was seen, and ends a run: the rise rule cannot act on the tick after one anyway
            // (the load averages start again).
            return new QpsRise(keptAt, kept, Double.NaN, 0);
        }
        double x = qps.v() * Math.max(1, ready);
        double seen = Double.NaN;
        for (double l : kept) {
            seen = Double.isNaN(seen) ? l : Math.max(seen, l);
        }
        double nextBase;
        int nextRun;
        if (run > 0 && x > base) {
            nextBase = base;
            nextRun = run + 1;
        } else if (!Double.isNaN(seen) && x > seen) {
            nextBase = seen;
            nextRun = 1;
        } else {
            nextBase = Double.NaN;
            nextRun = 0;
        }
        Instant[] nextAt = Arrays.copyOf(keptAt, keptAt.length + 1);
        double[] nextLoad = Arrays.copyOf(kept, kept.length + 1);
        nextAt[keptAt.length] = now;
        nextLoad[kept.length] = x;
        return new QpsRise(nextAt, nextLoad, nextBase, nextRun);
    }

    /**
     * Whether qps at {@code load} is a rise the look-back confirms: above the look-back's highest load for at least
     * two ticks and, on this one, by more than {@value ScaleOut#QPS_NOISE} of it.
     */
    boolean confirms(double load) {
        return run >= 2 && load >= base * (1 + ScaleOut.QPS_NOISE);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QpsRise other && Arrays.equals(at, other.at) && Arrays.equals(load, other.load)
                && Double.compare(base, other.base) == 0 && run == other.run;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(at) + Arrays.hashCode(load)) + Double.hashCode(base) * 31 + run;
    }

    @Override
    public String toString() {
        return "QpsRise[loads=" + Arrays.toString(load) + ", base=" + base + ", run=" + run + "]";
    }
}
