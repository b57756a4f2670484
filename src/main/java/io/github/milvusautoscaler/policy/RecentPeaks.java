package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The highest load (value x ready replicas) of each signal over about the last
 * {@code scale-in.peak-window}, so a step-down can be judged on the recent peak and not only on the
 * sustained average: a 10m average of 0.9 nodes of load hides the 1.9 nodes a spike 20 minutes ago needed.
 *
 * <p>The window is cut into {@value #BUCKETS} buckets on the absolute time grid; each keeps the highest
 * load seen in it, and the peak is the highest of the buckets that lie within the window. A 30m window has
 * 5m buckets, so the peak covers the last 25 to 30 minutes. An UNKNOWN value adds nothing and removes
 * nothing: a hole in the data never lowers the peak. Immutable and array-backed, since it is rebuilt on
 * every tick of every target.
 */
public final class RecentPeaks {

    /** Buckets per window: enough that the window's edge is within a sixth of it. */
    public static final int BUCKETS = 6;

    /** No peaks: before the first tick. */
    static final RecentPeaks NONE = new RecentPeaks(new String[0], new double[0][], Long.MIN_VALUE, 1);

    private final String[] names;
    /** Per signal, the highest load per bucket; index (bucket number mod BUCKETS); NaN when none seen. */
    private final double[][] maxima;
    /** Number of the newest bucket: epoch millis / bucket millis. */
    private final long newest;
    private final long bucketMillis;

    private RecentPeaks(String[] names, double[][] maxima, long newest, long bucketMillis) {
        this.names = names;
        this.maxima = maxima;
        this.newest = newest;
        this.bucketMillis = bucketMillis;
    }

    /**
     * The peaks after one more tick.
     *
     * @param signals every configured signal; only known ones add their load
     * @param ready   ready replicas the values were averaged over
     * @param now     the tick time
     * @param window  {@code scale-in.peak-window}; zero keeps no peaks
     */
    RecentPeaks next(List<Classified> signals, int ready, Instant now, Duration window) {
        return next(signals, ready, now, window, java.util.Set.of());
    }

    /** As above, the signals named in {@code skipped} adding nothing this tick, as if unknown. */
    RecentPeaks next(List<Classified> signals, int ready, Instant now, Duration window, java.util.Set<String> skipped) {
        requireNonNull(signals, "signals");
        requireNonNull(skipped, "skipped");
        requireNonNull(now, "now");
        requireNonNull(window, "window");
        if (window.isZero() || window.isNegative()) {
            return NONE;
        }
        long bucket = Math.max(1, window.toMillis() / BUCKETS);
        long number = Math.floorDiv(now.toEpochMilli(), bucket);
        boolean sameGrid = bucket == bucketMillis && names.length == signals.size();
        for (int i = 0; sameGrid && i < names.length; i++) {
            sameGrid = names[i].equals(signals.get(i).name());
        }
        int n = signals.size();
        if (sameGrid && number == newest && nothingHigher(signals, ready, number, skipped)) {
            // Most ticks add nothing above their bucket's maximum: keep this object, so the state is unchanged.
            return this;
        }
        String[] keys = sameGrid ? names : new String[n];
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            Classified c = signals.get(i);
            if (!sameGrid) {
                keys[i] = c.name();
            }
            double[] row = sameGrid ? maxima[i].clone() : emptyRow();
            if (sameGrid && number != newest) {
                // Clear the buckets passed since the newest one (all of them after a long gap or a clock step back).
                long gap = number - newest;
                if (gap < 0 || gap >= BUCKETS) {
                    Arrays.fill(row, Double.NaN);
                } else {
                    for (long b = newest + 1; b <= number; b++) {
                        row[(int) Math.floorMod(b, (long) BUCKETS)] = Double.NaN;
                    }
                }
            }
            if (c.known() && !skipped.contains(c.name())) {
                int slot = (int) Math.floorMod(number, (long) BUCKETS);
                double load = c.v() * Math.max(1, ready);
                row[slot] = Double.isNaN(row[slot]) ? load : Math.max(row[slot], load);
            }
            out[i] = row;
        }
        return new RecentPeaks(keys, out, number, bucket);
    }

    /**
     * These peaks with {@code load} of {@code signal} recalled for the span holding {@code at}: a span's maximum
     * only rises, as with a value seen. For a daemon that has just started, from the load history it did not see
     * itself; the same object when nothing rises (the span already holds as much, the signal is not tracked, or
     * the span is outside the window).
     */
    RecentPeaks recalled(String signal, Instant at, double load) {
        long number = Math.floorDiv(at.toEpochMilli(), bucketMillis);
        if (Double.isNaN(load) || number > newest || number <= newest - BUCKETS) {
            return this;
        }
        int slot = (int) Math.floorMod(number, (long) BUCKETS);
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(signal)) {
                if (!Double.isNaN(maxima[i][slot]) && maxima[i][slot] >= load) {
                    return this;
                }
                double[][] out = maxima.clone();
                out[i] = maxima[i].clone();
                out[i][slot] = load;
                return new RecentPeaks(names, out, newest, bucketMillis);
            }
        }
        return this;
    }

    /**
     * These peaks with every load of {@code signal} multiplied by {@code factor}: loads read as fractions of a
     * resource the pod template has since changed, put in the new template's units (0.5 after a memory limit went
     * from 4Gi to 8Gi: a peak of 2.10 nodes is 8.4 GiB, 1.05 of the new nodes). The same object when the signal is
     * not tracked.
     */
    RecentPeaks rescaled(String signal, double factor) {
        if (!(factor > 0) || !Double.isFinite(factor)) {
            throw new IllegalArgumentException("a rescale factor must be positive and finite: " + factor);
        }
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(signal)) {
                double[][] out = maxima.clone();
                out[i] = maxima[i].clone();
                for (int b = 0; b < out[i].length; b++) {
                    out[i][b] *= factor; // NaN, no load seen, stays NaN
                }
                return new RecentPeaks(names, out, newest, bucketMillis);
            }
        }
        return this;
    }

    /** The length of one span, the window over {@value #BUCKETS}; 1 ms before the first tick. */
    Duration span() {
        return Duration.ofMillis(bucketMillis);
    }

    private boolean nothingHigher(List<Classified> signals, int ready, long number, java.util.Set<String> skipped) {
        int slot = (int) Math.floorMod(number, (long) BUCKETS);
        for (int i = 0; i < names.length; i++) {
            Classified c = signals.get(i);
            if (c.known() && !skipped.contains(c.name())) {
                double held = maxima[i][slot];
                if (Double.isNaN(held) || c.v() * Math.max(1, ready) > held) {
                    return false;
                }
            }
        }
        return true;
    }

    private static double[] emptyRow() {
        double[] row = new double[BUCKETS];
        Arrays.fill(row, Double.NaN);
        return row;
    }

    /**
     * The load of a signal reached in at least {@code recurrence} of the window's buckets: the highest with
     * 1, the third highest bucket maximum with 3, so a lone 5-minute spike an hour ago is not a peak the next
     * step-down must fit but a level hit in three of the last six 10-minute spans is. With fewer spans seen
     * than {@code recurrence} (a target's first minutes, a restart) the highest seen; NaN when none.
     */
    public double peak(String signal, int recurrence) {
        if (recurrence < 1) {
            throw new IllegalArgumentException("recurrence must be >= 1, was " + recurrence);
        }
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(signal)) {
                double[] seen = Arrays.stream(maxima[i]).filter(x -> !Double.isNaN(x)).sorted().toArray();
                if (seen.length == 0) {
                    return Double.NaN;
                }
                // Fewer spans seen than the recurrence (the first minutes of a target, or after a restart): judge on
                // the highest seen, never on nothing.
                return seen.length < recurrence ? seen[seen.length - 1] : seen[seen.length - recurrence];
            }
        }
        return Double.NaN;
    }

    /** How many of the window's spans saw a value of {@code signal}: below the recurrence, {@link #peak} is the highest. */
    public int spansSeen(String signal) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(signal)) {
                return (int) Arrays.stream(maxima[i]).filter(x -> !Double.isNaN(x)).count();
            }
        }
        return 0;
    }

    /** The highest load of a signal within the window, or NaN when none was seen. */
    public double peak(String signal) {
        return peak(signal, 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecentPeaks p && newest == p.newest && bucketMillis == p.bucketMillis
                && Arrays.equals(names, p.names) && Arrays.deepEquals(maxima, p.maxima);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(names) * 31 + Long.hashCode(newest);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("RecentPeaks[");
        for (int i = 0; i < names.length; i++) {
            b.append(i == 0 ? "" : ", ").append(names[i]).append('=').append(peak(names[i]));
        }
        return b.append(']').toString();
    }
}
