package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The past load of a target's load-proportional signals on a fixed time grid, which the seasonal
 * forecast reads "same time yesterday and last week" from.
 *
 * <p>Load is value x ready replicas (cpu 0.6 on 3 ready is 1.8 nodes of load), so the history does not
 * change meaning when the replica count changed. Sample {@code i} of a signal is its load over the step that
 * starts at {@code start + i x step} (the daemon's is read at the step's end, a trace's is its value at the
 * start, which a trace holds for the step); NaN marks a step with no sample (a gap, a missing day), which is
 * never filled in. Immutable: the arrays are copied in and never handed out.
 *
 * @param start first grid point
 * @param step  grid spacing, > 0
 * @param end   the time the history was read up to; nothing after it is known
 * @param loads   per signal name, the load at each grid point (NaN: no sample)
 * @param amounts per signal that is a fraction of a container resource, that resource's amount per pod at each grid
 *                point (cpu: the CPU request in cores; NaN: not read), so the loads can be put in the amount of any
 *                point ({@link #inUnitsOfItsLast}); empty for a history whose loads are in one unit already
 * @param readIn  per signal whose loads {@link #inUnitsOfItsLast} put in one unit from points read in another amount,
 *                the amount each point was read in (NaN: not read), so a forecast can say its history was read across
 *                a request change ({@link #readAcross}); empty otherwise
 */
public record LoadHistory(Instant start, Duration step, Instant end, Map<String, double[]> loads,
                          Map<String, double[]> amounts, Map<String, double[]> readIn) {

    /** No history at all: a target never read, or a source that has nothing. */
    public static final LoadHistory NONE = new LoadHistory(Instant.EPOCH, Duration.ofMinutes(5), Instant.EPOCH, Map.of());

    public LoadHistory {
        requireNonNull(start, "start");
        requireNonNull(step, "step");
        requireNonNull(end, "end");
        requireNonNull(loads, "loads");
        requireNonNull(amounts, "amounts");
        requireNonNull(readIn, "readIn");
        if (step.isZero() || step.isNegative()) {
            throw new IllegalArgumentException("step must be > 0, was " + step);
        }
        loads = copied(loads, "loads of ");
        amounts = copied(amounts, "amounts of ");
        readIn = copied(readIn, "read-in amounts of ");
        for (Map<String, double[]> of : List.of(amounts, readIn)) {
            for (Map.Entry<String, double[]> a : of.entrySet()) {
                double[] l = loads.get(a.getKey());
                if (l == null || l.length != a.getValue().length) {
                    throw new IllegalArgumentException("amounts of " + a.getKey() + " do not match its loads");
                }
            }
        }
    }

    /** A history whose loads were not put in another unit than they were read in. */
    public LoadHistory(Instant start, Duration step, Instant end, Map<String, double[]> loads,
                       Map<String, double[]> amounts) {
        this(start, step, end, loads, amounts, Map.of());
    }

    /** A history whose loads are in one unit. */
    public LoadHistory(Instant start, Duration step, Instant end, Map<String, double[]> loads) {
        this(start, step, end, loads, Map.of());
    }

    private static Map<String, double[]> copied(Map<String, double[]> arrays, String what) {
        Map<String, double[]> copy = new LinkedHashMap<>();
        arrays.forEach((k, v) -> copy.put(requireNonNull(k, "signal"), requireNonNull(v, what + k).clone()));
        return java.util.Collections.unmodifiableMap(copy);
    }

    /**
     * This history with each signal that has amounts put in the amount of its last point where it was read: x amount
     * then / amount now. cpu is a fraction of the CPU request of its own time, so 0.425 of a 2-core request on 4 pods
     * (1.7 nodes of load) before a cut to 1 core reads 1.7 x 2/1 = 3.4 nodes of 1 core, the 3.4 cores the pods used;
     * read as is it was half the load a forecast then prepared for. A known load whose amount was not read becomes a
     * gap, never a load in a unit it may not be in; with no amount read at all the load is left as read. A replay
     * puts each window it hands a tick in that window's last point, the day's own request, not the recording's.
     */
    public LoadHistory inUnitsOfItsLast() {
        if (amounts.isEmpty()) {
            return this;
        }
        Map<String, double[]> converted = new LinkedHashMap<>(loads);
        Map<String, double[]> units = new LinkedHashMap<>();
        Map<String, double[]> read = new LinkedHashMap<>(readIn);
        amounts.forEach((signal, amount) -> {
            double[] load = loads.get(signal).clone();
            inUnitsOfTheLast(load, amount);
            converted.put(signal, load);
            double now = last(amount);
            double[] was = loads.get(signal);
            for (int i = 0; i < amount.length; i++) {
                if (!Double.isNaN(was[i]) && !Double.isNaN(amount[i]) && amount[i] != now) {
                    read.put(signal, amount);
                    break;
                }
            }
            // Every point is now a fraction of the last amount, which unit() tells whoever compares it with a load
            // read under another request (Forecast#inUnitsOf); unread, it stays unread.
            double[] unit = new double[amount.length];
            Arrays.fill(unit, last(amount));
            units.put(signal, unit);
        });
        return new LoadHistory(start, step, end, converted, units, read);
    }

    /**
     * Where {@code signal}'s loads were read in another amount per pod than its last point's and put in that
     * ({@link #inUnitsOfItsLast}): the other amounts in the order first read, and the last point read in one of them.
     * Empty when every known load was read in the last amount (or the signal has none). A forecast says so: its number
     * was right, converted at the read, and status said nothing of it (recheck 90, F5).
     *
     * @param amounts the amounts per pod other than the last, in the order first read
     * @param until   the time of the last known load read in one of them
     */
    public record ReadAcross(List<Double> amounts, Instant until) {
    }

    /** See {@link ReadAcross}. */
    public Optional<ReadAcross> readAcross(String signal) {
        double[] read = readIn.get(requireNonNull(signal, "signal"));
        double[] load = loads.get(signal);
        if (read == null) {
            return Optional.empty();
        }
        double now = last(read);
        List<Double> others = new java.util.ArrayList<>();
        int lastOther = -1;
        for (int i = 0; i < read.length; i++) {
            if (!Double.isNaN(load[i]) && !Double.isNaN(read[i]) && read[i] != now) {
                if (!others.contains(read[i])) {
                    others.add(read[i]);
                }
                lastOther = i;
            }
        }
        return lastOther < 0 ? Optional.empty()
                : Optional.of(new ReadAcross(List.copyOf(others), start.plus(step.multipliedBy(lastOther))));
    }

    /**
     * The amount per pod that {@code signal}'s loads are a fraction of, once in one unit ({@link #inUnitsOfItsLast}):
     * its last point's CPU request in cores; empty for a signal without amounts (qps, a trace) or whose amount was
     * never read.
     */
    public OptionalDouble unit(String signal) {
        double[] amount = amounts.get(signal);
        double last = amount == null ? Double.NaN : last(amount);
        return Double.isNaN(last) ? OptionalDouble.empty() : OptionalDouble.of(last);
    }

    /**
     * This history with {@code signal}'s loads put in {@code amount} per pod, from its {@link #unit}: x unit / amount.
     * 1.7 nodes of load of a 2-core request is 3.4 nodes of 1 core. Unchanged when the signal has no unit.
     */
    public LoadHistory inUnitsOf(String signal, double amount) {
        if (!(amount > 0 && Double.isFinite(amount))) {
            throw new IllegalArgumentException("an amount per pod must be positive and finite: " + amount);
        }
        OptionalDouble unit = unit(signal);
        if (unit.isEmpty() || unit.getAsDouble() == amount) {
            return this;
        }
        double factor = unit.getAsDouble() / amount;
        Map<String, double[]> converted = new LinkedHashMap<>(loads);
        double[] load = loads.get(signal).clone();
        for (int i = 0; i < load.length; i++) {
            load[i] *= factor;
        }
        converted.put(signal, load);
        Map<String, double[]> units = new LinkedHashMap<>(amounts);
        double[] unitNow = new double[load.length];
        Arrays.fill(unitNow, amount);
        units.put(signal, unitNow);
        return new LoadHistory(start, step, end, converted, units, readIn);
    }

    /**
     * The amount per pod {@code signal}'s load was a fraction of at its last point read by {@code at} (each point is
     * read at its step's end; an unread amount is skipped): 2.0 for a 2-core request until the cut's first point in a
     * new request is read. Empty for a signal without amounts, or none read by then.
     */
    public OptionalDouble amountAt(String signal, Instant at) {
        double[] amount = amounts.get(requireNonNull(signal, "signal"));
        if (amount == null) {
            return OptionalDouble.empty();
        }
        long read = Math.floorDiv(Duration.between(start, requireNonNull(at, "at")).toMillis(), step.toMillis()) - 1;
        for (long i = Math.min(read, amount.length - 1L); i >= 0; i--) {
            if (!Double.isNaN(amount[(int) i])) {
                return OptionalDouble.of(amount[(int) i]);
            }
        }
        return OptionalDouble.empty();
    }

    private static double last(double[] amount) {
        for (int i = amount.length - 1; i >= 0; i--) {
            if (!Double.isNaN(amount[i])) {
                return amount[i];
            }
        }
        return Double.NaN;
    }

    /** {@code load} put in {@code amount}'s last known value, in place ({@link #inUnitsOfItsLast}). */
    public static void inUnitsOfTheLast(double[] load, double[] amount) {
        double now = last(amount);
        if (Double.isNaN(now)) {
            return;
        }
        for (int i = 0; i < load.length; i++) {
            if (!Double.isNaN(load[i])) {
                load[i] = Double.isNaN(amount[i]) ? Double.NaN : load[i] * amount[i] / now;
            }
        }
    }

    /** The signals with a history. */
    public Set<String> signals() {
        return loads.keySet();
    }

    /** Grid points of {@code signal}'s history; 0 when it has none. */
    public int size(String signal) {
        double[] v = loads.get(signal);
        return v == null ? 0 : v.length;
    }

    /** The load of {@code signal} at grid point {@code index}; NaN for a gap or outside the history. */
    public double at(String signal, long index) {
        double[] v = loads.get(signal);
        return v == null || index < 0 || index >= v.length ? Double.NaN : v[(int) index];
    }

    /** The time of the oldest known sample of {@code signal}, or null when it has none. */
    public Instant oldest(String signal) {
        double[] v = loads.get(signal);
        if (v == null) {
            return null;
        }
        for (int i = 0; i < v.length; i++) {
            if (!Double.isNaN(v[i])) {
                return start.plus(step.multipliedBy(i));
            }
        }
        return null;
    }

    /**
     * The highest load of {@code signal} at the grid points in [from, to], or empty when fewer than half
     * of those points have a sample (a missing day is no evidence of a quiet day), when the range reaches
     * past {@link #end()}, or when the signal has no history. From a 5m grid, [09:00, 09:15] reads the
     * four points 09:00, 09:05, 09:10, 09:15 and needs two of them.
     */
    public OptionalDouble max(String signal, Instant from, Instant to) {
        return max(signal, from, to, false);
    }

    /**
     * The highest load of {@code signal} at the grid points in [from, to] when every one of them has a sample,
     * else empty: one missing point in a short window may be the very rise it is read for (a 5m window is two
     * points, and the known one before the rise would read as a quiet day).
     */
    public OptionalDouble maxOfComplete(String signal, Instant from, Instant to) {
        return max(signal, from, to, true);
    }

    private OptionalDouble max(String signal, Instant from, Instant to, boolean complete) {
        double[] v = loads.get(signal);
        if (v == null || to.isAfter(end) || to.isBefore(from)) {
            return OptionalDouble.empty();
        }
        long stepMs = step.toMillis();
        long first = ceilDiv(Duration.between(start, from).toMillis(), stepMs);
        long last = Math.floorDiv(Duration.between(start, to).toMillis(), stepMs);
        if (last < first) {
            // A range shorter than one step: read the grid point just before it.
            first = last;
        }
        long points = last - first + 1;
        int seen = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (long i = Math.max(0, first); i <= Math.min(v.length - 1L, last); i++) {
            if (!Double.isNaN(v[(int) i])) {
                seen++;
                max = Math.max(max, v[(int) i]);
            }
        }
        boolean enough = complete ? seen == points : seen * 2 >= points;
        return enough && seen > 0 ? OptionalDouble.of(max) : OptionalDouble.empty();
    }

    /**
     * What this history held when read at {@code end} over the last {@code range}: its grid points from
     * {@code end - range} (or its start) up to {@code end}, nothing after. A replay hands each tick the part
     * of a recorded history it could have read then, never its future; e.g. a 15-day recording read until
     * day 9 at 12:00 over 14d keeps day 1 (from its start) to day 9 12:00.
     */
    public LoadHistory until(Instant end, Duration range) {
        requireNonNull(end, "end");
        requireNonNull(range, "range");
        long stepMs = step.toMillis();
        Instant from = end.minus(range).isBefore(start) ? start : end.minus(range);
        long first = Math.floorDiv(Duration.between(start, from).toMillis(), stepMs);
        Map<String, double[]> out = new LinkedHashMap<>();
        Map<String, double[]> outAmounts = new LinkedHashMap<>();
        Map<String, double[]> outReadIn = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : loads.entrySet()) {
            long last = Math.min(e.getValue().length - 1L, Math.floorDiv(Duration.between(start, end).toMillis(), stepMs));
            if (last >= first) {
                out.put(e.getKey(), Arrays.copyOfRange(e.getValue(), (int) first, (int) last + 1));
                double[] amount = amounts.get(e.getKey());
                if (amount != null) {
                    outAmounts.put(e.getKey(), Arrays.copyOfRange(amount, (int) first, (int) last + 1));
                }
                double[] read = readIn.get(e.getKey());
                if (read != null) {
                    outReadIn.put(e.getKey(), Arrays.copyOfRange(read, (int) first, (int) last + 1));
                }
            }
        }
        return new LoadHistory(start.plus(step.multipliedBy(first)), step, end, out, outAmounts, outReadIn);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LoadHistory h) || !start.equals(h.start) || !step.equals(h.step) || !end.equals(h.end)
                || !loads.keySet().equals(h.loads.keySet())) {
            return false;
        }
        for (Map.Entry<String, double[]> e : loads.entrySet()) {
            if (!Arrays.equals(e.getValue(), h.loads.get(e.getKey()))) {
                return false;
            }
        }
        if (!amounts.keySet().equals(h.amounts.keySet())) {
            return false;
        }
        for (Map.Entry<String, double[]> e : amounts.entrySet()) {
            if (!Arrays.equals(e.getValue(), h.amounts.get(e.getKey()))) {
                return false;
            }
        }
        if (!readIn.keySet().equals(h.readIn.keySet())) {
            return false;
        }
        for (Map.Entry<String, double[]> e : readIn.entrySet()) {
            if (!Arrays.equals(e.getValue(), h.readIn.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return start.hashCode() * 31 + end.hashCode();
    }

    @Override
    public String toString() {
        return "LoadHistory[" + start + " .. " + end + " every " + step + ", " + loads.keySet() + "]";
    }
}
