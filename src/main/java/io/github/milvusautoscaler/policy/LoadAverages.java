package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Two exponential averages per signal of its load, value x ready replicas: a long one over about
 * {@code scale-in.sustain} that scale-in judges "low" on, and a short one over about
 * {@code scale-out.sustain} that tells how fast a signal rises.
 *
 * <p>Load rather than value, so a step-down does not read as a change: cpu 0.30 on 3 ready is
 * load 0.90, and still 0.90 when it reads 0.45 on 2. Each average moves toward the newest load by
 * 1 - e^(-2 x elapsed / window), which gives the same mean age as a plain average over the window:
 * a 15 s tick moves a 10m average 1 - e^(-30/600) = 4.9% of the way. Immutable; arrays, not maps,
 * because this is rebuilt on every tick of every target.
 */
public final class LoadAverages {

    /** No averages: before the first tick, and after any UNKNOWN signal. */
    static final LoadAverages NONE = new LoadAverages(new String[0], new double[0], new double[0]);

    private final String[] names;
    private final double[] longTerm;
    private final double[] shortTerm;

    private LoadAverages(String[] names, double[] longTerm, double[] shortTerm) {
        this.names = names;
        this.longTerm = longTerm;
        this.shortTerm = shortTerm;
    }

    /**
     * The averages after one more tick of known signals.
     *
     * @param signals      every configured signal, all known
     * @param ready        ready replicas the values were averaged over
     * @param elapsed      time since the previous tick; ignored when starting afresh
     * @param longWindow   the long average's window ({@code scale-in.sustain})
     * @param shortWindow  the short average's window ({@code scale-out.sustain})
     */
    LoadAverages next(List<Classified> signals, int ready, Duration elapsed, Duration longWindow,
                      Duration shortWindow) {
        requireNonNull(signals, "signals");
        int n = signals.size();
        boolean same = n == names.length;
        for (int i = 0; same && i < n; i++) {
            same = signals.get(i).name().equals(names[i]);
        }
        String[] keys = same ? names : new String[n];
        double[] lt = new double[n];
        double[] st = new double[n];
        double wl = same ? weight(elapsed, longWindow) : 1;
        double ws = same ? weight(elapsed, shortWindow) : 1;
        for (int i = 0; i < n; i++) {
            Classified c = signals.get(i);
            double x = c.v() * Math.max(1, ready);
            if (!same) {
                keys[i] = c.name();
            }
            lt[i] = same ? longTerm[i] + wl * (x - longTerm[i]) : x;
            st[i] = same ? shortTerm[i] + ws * (x - shortTerm[i]) : x;
        }
        return new LoadAverages(keys, lt, st);
    }

    private static double weight(Duration elapsed, Duration window) {
        return 1 - Math.exp(-elapsed.toMillis() * 2.0 / Math.max(1, window.toMillis()));
    }

    /** The long average of a signal's load, or NaN when it is not averaged. */
    public double longTerm(String signal) {
        int i = indexOf(signal);
        return i < 0 ? Double.NaN : longTerm[i];
    }

    /** The short average of a signal's load, or NaN when it is not averaged. */
    public double shortTerm(String signal) {
        int i = indexOf(signal);
        return i < 0 ? Double.NaN : shortTerm[i];
    }

    private int indexOf(String signal) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(signal)) {
                return i;
            }
        }
        return -1;
    }

    /** Averages as given, one long and one short load per signal name: for tests and restored state. */
    static LoadAverages of(String[] names, double[] longTerm, double[] shortTerm) {
        if (names.length != longTerm.length || names.length != shortTerm.length) {
            throw new IllegalArgumentException("one long and one short average per name");
        }
        return new LoadAverages(names.clone(), longTerm.clone(), shortTerm.clone());
    }

    @Override
    public String toString() {
        return "LoadAverages" + Arrays.toString(names) + " long " + Arrays.toString(longTerm) + " short "
                + Arrays.toString(shortTerm);
    }
}
