package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How long qps has stood clearly above the highest load of its look-back, by more than {@value ScaleOut#QPS_NOISE}
 * on every tick: a qps rise counts only from there, and on a target whose cpu cannot confirm it only after a while
 * ({@link ScaleOut#corroborated}). The Milvus chart and the operator declare no CPU request by default, so the cpu
 * signal is left out there and qps is the only load a queryNode shows. qps is summed from every proxy's counters,
 * whose scrapes do not line up: around a proxy's removal or restart, or as sticky connections move back, it reads a
 * share of the load missing for a tick or two and then its true level again (130 -> 65 -> 130), or one tick twice
 * over (130 -> 195 -> 130); each read as a rise and scaled queryNodes out 2 -> 3 or 2 -> 4 on 4 of 4 proxy removals
 * with cpu left out (real-install recheck 5). The 195 lasts until the removed proxy's own scrape or
 * kube-state-metrics shows it gone, up to one scrape interval: two 15 s ticks at a 30s scrape (recheck 6, 4 of 4
 * removals). A return to a level the look-back has seen is no new high, and an over-read does not hold for longer
 * than a scrape interval ({@link ScaleOut#qpsHold}). The margin holds on every tick of the run, not only its last: a
 * run opened by noise (+0.002%) or by a slow genuine drift stayed open for minutes, and a one-tick 192 inside it
 * passed the hold at once (real-install recheck 7: 2 -> 4, five times). And the hold counts the ticks on which qps
 * read as rising, not the run: a genuine step keeps its run open for as long as the load stays up, and a one-tick 170
 * on the new plateau four minutes later passed a hold counted from the step (recheck 8: 3 -> 5, twice).
 *
 * <p>Example, look-back 2m, 15 s ticks: loads 130, 130, 65, 130 start no run (130 is not above the look-back's 130);
 * 130, 195, 131 ends its run at 131, 0.8% above its base of 130; 130, 132, 133 starts none (1.5% and 2.3%, under
 * 5%); 100, 110, 120, 130 is a run over 100 from 110 (+10%); it is a rise once it has read as rising on every tick
 * for 30 s ({@link #rose}).
 *
 * <p>Immutable and array-backed: rebuilt on every tick of a target with qps, about eight loads at 15 s ticks.
 *
 * @param at    when each load in the look-back was read, oldest first
 * @param load  each load (qps x ready replicas), beside {@code at}
 * @param base  the highest load of the look-back before the current run began; NaN when there is no run
 * @param since the first tick of the run: every tick since has read a load more than {@value ScaleOut#QPS_NOISE}
 *              above {@code base}; null when there is no run
 * @param risingSince the first of the ticks in a row, up to the last one decided, on which qps read as rising
 *              within its run ({@link ScaleOut#rising}); null when the last one did not
 */
record QpsRise(Instant[] at, double[] load, double base, Instant since, Instant risingSince) {

    /** Nothing seen: a target's first tick, or one without qps. */
    static final QpsRise NONE = new QpsRise(new Instant[0], new double[0], Double.NaN, null, null);

    QpsRise {
        requireNonNull(at, "at");
        requireNonNull(load, "load");
        if (at.length != load.length) {
            throw new IllegalArgumentException("at and load differ in length: " + at.length + " vs " + load.length);
        }
    }

    /**
     * This memory after a tick: the run goes on while the load stays more than {@value ScaleOut#QPS_NOISE} above its
     * base, starts when it is that far above every load of the look-back before it, and ends otherwise.
     *
     * @param signals  the tick's classified signals
     * @param ready    ready replicas the values were averaged over
     * @param now      the tick time
     * @param lookBack how far back a level counts as seen ({@link ScaleOut#qpsLookBack})
     */
    QpsRise next(List<Classified> signals, int ready, Instant now, Duration lookBack) {
        Classified qps = null;
        for (Classified c : signals) {
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
            return new QpsRise(keptAt, kept, Double.NaN, null, null);
        }
        double x = qps.v() * Math.max(1, ready);
        double seen = Double.NaN;
        for (double l : kept) {
            seen = Double.isNaN(seen) ? l : Math.max(seen, l);
        }
        double nextBase;
        Instant nextSince;
        if (since != null && clearlyAbove(x, base)) {
            nextBase = base;
            nextSince = since;
        } else if (!Double.isNaN(seen) && clearlyAbove(x, seen)) {
            nextBase = seen;
            nextSince = now;
        } else {
            nextBase = Double.NaN;
            nextSince = null;
        }
        Instant[] nextAt = Arrays.copyOf(keptAt, keptAt.length + 1);
        double[] nextLoad = Arrays.copyOf(kept, kept.length + 1);
        nextAt[keptAt.length] = now;
        nextLoad[kept.length] = x;
        return new QpsRise(nextAt, nextLoad, nextBase, nextSince, risingSince);
    }

    private static boolean clearlyAbove(double load, double level) {
        return load >= level * (1 + ScaleOut.QPS_NOISE);
    }

    /** This memory after a tick on which qps did or did not read as rising within its run. */
    QpsRise rose(boolean rising, Instant now) {
        Instant next = !rising ? null : risingSince != null ? risingSince : now;
        return Objects.equals(next, risingSince) ? this : new QpsRise(at, load, base, since, next);
    }

    /**
     * Whether qps, rising on this tick, has read as rising on every tick for at least {@code hold} up to {@code now},
     * less {@link Tick#SLACK}: the daemon stamps a tick with the clock when it runs, so two periods of 15 s can
     * measure 29.998 s, which cost a genuine step its early scale-out on 3 of 8 steps (recheck 7: by the fourth tick
     * the step no longer read as rising).
     */
    boolean held(Instant now, Duration hold) {
        return risingSince != null && !now.isBefore(risingSince.plus(hold).minus(Tick.SLACK));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QpsRise other && Arrays.equals(at, other.at) && Arrays.equals(load, other.load)
                && Double.compare(base, other.base) == 0 && Objects.equals(since, other.since)
                && Objects.equals(risingSince, other.risingSince);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(at), Arrays.hashCode(load), base, since, risingSince);
    }

    @Override
    public String toString() {
        return "QpsRise[loads=" + Arrays.toString(load) + ", base=" + base + ", since=" + since + ", risingSince="
                + risingSince + "]";
    }
}
