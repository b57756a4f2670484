package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable map from signal name to value that keeps configuration order: what an
 * {@link Observation} and a {@link Decision} carry. Why not an unmodifiable copy of a
 * LinkedHashMap: every target gets an observation and a decision every tick, each copying its map
 * to stay immutable, and the simulator's million ticks a policy spent a sixth of their time in
 * those copies. {@link #copyOf} of a SignalMap is the map itself, and a lookup among a target's
 * handful of signals is a scan of a few names.
 *
 * <p>Neither names nor values may be null, and a name appears once.
 *
 * @param <V> what each signal maps to: a {@link Signal} or a {@link SignalReading}
 */
public final class SignalMap<V> extends AbstractMap<String, V> {

    private static final SignalMap<?> EMPTY = new SignalMap<>(new String[0], new Object[0]);

    private final String[] names;
    private final Object[] values;

    private SignalMap(String[] names, Object[] values) {
        this.names = names;
        this.values = values;
    }

    /** The entries of {@code map} in its iteration order; {@code map} itself when it already is a SignalMap. */
    @SuppressWarnings("unchecked")
    public static <V> SignalMap<V> copyOf(Map<String, ? extends V> map) {
        requireNonNull(map, "map");
        if (map instanceof SignalMap<?> s) {
            return (SignalMap<V>) s;
        }
        Builder<V> b = new Builder<>(map.size());
        for (Map.Entry<String, ? extends V> e : map.entrySet()) {
            b.put(e.getKey(), e.getValue());
        }
        return b.build();
    }

    /** The empty map. */
    @SuppressWarnings("unchecked")
    public static <V> SignalMap<V> of() {
        return (SignalMap<V>) EMPTY;
    }

    /** A map of one signal. */
    public static <V> SignalMap<V> of(String name, V value) {
        return checked(new String[] {name}, new Object[] {value});
    }

    /** A map of three signals, in this order: what the simulator observes every tick. */
    public static <V> SignalMap<V> of(String name1, V value1, String name2, V value2, String name3, V value3) {
        return checked(new String[] {name1, name2, name3}, new Object[] {value1, value2, value3});
    }

    private static <V> SignalMap<V> checked(String[] names, Object[] values) {
        for (int i = 0; i < names.length; i++) {
            String name = requireNonNull(names[i], "signal name");
            if (values[i] == null) {
                throw new NullPointerException("value of signal " + name);
            }
            for (int j = 0; j < i; j++) {
                if (names[j].equals(name)) {
                    throw new IllegalArgumentException("signal " + name + " given twice");
                }
            }
        }
        return new SignalMap<>(names, values);
    }

    /** A builder expecting about {@code expected} signals. */
    public static <V> Builder<V> builder(int expected) {
        return new Builder<>(expected);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object name) {
        int i = indexOf(name);
        return i < 0 ? null : (V) values[i];
    }

    @Override
    public boolean containsKey(Object name) {
        return indexOf(name) >= 0;
    }

    @Override
    public int size() {
        return names.length;
    }

    @Override
    public Set<Entry<String, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, V>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < names.length;
                    }

                    @Override
                    @SuppressWarnings("unchecked")
                    public Entry<String, V> next() {
                        if (next >= names.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return Map.entry(names[i], (V) values[i]);
                    }
                };
            }

            @Override
            public int size() {
                return names.length;
            }
        };
    }

    private int indexOf(Object name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Collects signals in the order they are put. Not thread-safe; build once. */
    public static final class Builder<V> {
        private String[] names;
        private Object[] values;
        private int size;
        private boolean built;

        private Builder(int expected) {
            int capacity = Math.max(1, expected);
            this.names = new String[capacity];
            this.values = new Object[capacity];
        }

        /**
         * Adds one signal after those already put.
         *
         * @throws IllegalArgumentException when {@code name} was already put
         */
        public Builder<V> put(String name, V value) {
            if (built) {
                throw new IllegalStateException("this builder already built its map");
            }
            requireNonNull(name, "signal name");
            if (value == null) {
                throw new NullPointerException("value of signal " + name);
            }
            for (int i = 0; i < size; i++) {
                if (names[i].equals(name)) {
                    throw new IllegalArgumentException("signal " + name + " given twice");
                }
            }
            if (size == names.length) {
                names = Arrays.copyOf(names, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            names[size] = name;
            values[size] = value;
            size++;
            return this;
        }

        /** The map of everything put so far; the builder takes no more signals after. */
        public SignalMap<V> build() {
            built = true;
            if (size == 0) {
                return of();
            }
            return new SignalMap<>(size == names.length ? names : Arrays.copyOf(names, size),
                    size == values.length ? values : Arrays.copyOf(values, size));
        }
    }
}
