package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
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
 *
 * <p>The averages cover one unbroken stretch of ticks on which every signal was known: it began
 * at {@link #since()} (null for {@link #NONE}) and its last tick was at {@link #at()}. An UNKNOWN
 * signal ends the stretch, so scale-in never rests on data with holes in it.
 */
public final class LoadAverages {

    /** No averages: before the first tick, and after any UNKNOWN signal. */
    static final LoadAverages NONE = new LoadAverages(null, null, 0, new String[0], new double[0], new double[0]);

    private final Instant since;
    private final Instant at;
    private final int ready;
    private final String[] names;
    private final double[] longTerm;
    private final double[] shortTerm;

    private LoadAverages(Instant since, Instant at, int ready, String[] names, double[] longTerm, double[] shortTerm) {
        this.since = since;
        this.at = at;
        this.ready = ready;
        this.names = names;
        this.longTerm = longTerm;
        this.shortTerm = shortTerm;
    }

    /** When the stretch of known signals these averages cover began; null when there is none. */
    Instant since() {
        return since;
    }

    /** The time of the stretch's last tick; null when there is none. */
    Instant at() {
        return at;
    }

    /** The ready replicas at the stretch's last tick ({@link #at()}); 0 when there is none. */
    int ready() {
        return ready;
    }

    /**
     * The averages after a tick at {@code now}: moved on when every signal is known and the stretch
     * goes on, started afresh at the new values when the stretch begins now, {@link #NONE} when a
     * signal is UNKNOWN.
     *
     * @param allKnown     whether every configured signal is known this tick
     * @param signals      every configured signal
     * @param ready        ready replicas the values were averaged over
     * @param longWindow   the long average's window ({@code scale-in.sustain})
     * @param shortWindow  the short average's window ({@code scale-out.sustain})
     */
    LoadAverages advance(boolean allKnown, List<Classified> signals, int ready, Instant now, Duration longWindow,
                         Duration shortWindow) {
        if (!allKnown) {
            return NONE;
        }
        // A signal that starts or stops applying changes the set: the stretch starts again with it, so a sustain
        // is never met by averages younger than the stretch they claim.
        boolean continuing = since != null && at != null && !now.isBefore(at) && sameNames(signals);
        LoadAverages before = continuing ? this : NONE;
        Duration elapsed = continuing ? Duration.between(at, now) : Duration.ZERO;
        return before.next(signals, ready, elapsed, longWindow, shortWindow, continuing ? since : now, now);
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
    private LoadAverages next(List<Classified> signals, int ready, Duration elapsed, Duration longWindow,
                              Duration shortWindow, Instant stretchSince, Instant now) {
        requireNonNull(signals, "signals");
        int n = signals.size();
        boolean same = sameNames(signals);
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
        return new LoadAverages(stretchSince, now, Math.max(1, ready), keys, lt, st);
    }

    private boolean sameNames(List<Classified> signals) {
        if (signals.size() != names.length) {
            return false;
        }
        for (int i = 0; i < names.length; i++) {
            if (!signals.get(i).name().equals(names[i])) {
                return false;
            }
        }
        return true;
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

    /**
     * Averages as given, over a stretch from {@code since} to {@code at}, one long and one short load
     * per signal name: for tests.
     */
    static LoadAverages of(Instant since, Instant at, String[] names, double[] longTerm, double[] shortTerm) {
        requireNonNull(since, "since");
        requireNonNull(at, "at");
        if (names.length != longTerm.length || names.length != shortTerm.length) {
            throw new IllegalArgumentException("one long and one short average per name");
        }
        return new LoadAverages(since, at, 1, names.clone(), longTerm.clone(), shortTerm.clone());
    }

    @Override
    public String toString() {
        return "LoadAverages since " + since + " at " + at + " " + Arrays.toString(names) + " long " + Arrays.toString(longTerm) + " short "
                + Arrays.toString(shortTerm);
    }
}
