package io.github.milvusautoscaler.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.github.milvusautoscaler.core.SettingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One configuration object seen through its inheritance layers, most specific first (a cluster's
 * {@code components.queryNode}, then {@code component-defaults.queryNode}, then {@code defaults}), with
 * typed reads that record a located error instead of throwing.
 *
 * <p>Reading through the layers rather than through one merged {@code Config} is what lets an error name
 * the key where the SRE actually set the value ({@code clusters[0].components.queryNode.max-replicas})
 * rather than where it was inherited from. The semantics are HOCON's {@code withFallback}: the first
 * layer that has a key wins; objects merge; a non-object hides the objects of lower layers.
 */
final class Node {

    /** One layer: the object at this node in that layer, and its full key path for messages. */
    record Layer(ConfigObject object, String path) {
    }

    static final String MUST_BE_OBJECT = "must be an object { ... }";
    static final String MUST_BE_LIST = "must be a list [ ... ]";
    static final String MUST_BE_SET = "must be set";
    private static final Pattern DIGITS_ONLY = Pattern.compile("\\s*[-+]?[0-9.]+\\s*");
    /** The longest duration typesafe-config can read; a longer one is capped to it. */
    private static final Duration SATURATED = Duration.ofNanos(Long.MAX_VALUE);

    private final List<Layer> layers;
    private final Errors errors;

    private Node(List<Layer> layers, Errors errors) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a node needs at least one layer");
        }
        this.layers = List.copyOf(layers);
        this.errors = errors;
    }

    /** A node with a single layer. */
    static Node of(ConfigObject object, String path, Errors errors) {
        return new Node(List.of(new Layer(object, path)), errors);
    }

    /** This node with a less specific layer added below the existing ones. */
    Node withFallback(ConfigObject object, String path) {
        List<Layer> more = new ArrayList<>(layers);
        more.add(new Layer(object, path));
        return new Node(more, errors);
    }

    /** This node with another node's layers added below the existing ones. */
    Node withFallback(Node lower) {
        List<Layer> more = new ArrayList<>(layers);
        more.addAll(lower.layers);
        return new Node(more, errors);
    }

    /** Full key path of the most specific layer, e.g. {@code milvus-autoscaler.clusters[0].components.queryNode}. */
    String path() {
        return layers.get(0).path();
    }

    /** Where the most specific layer's object starts: the line for errors about its missing keys. */
    ConfigOrigin origin() {
        return layers.get(0).object().origin();
    }

    /** The most specific layer's object as written, for errors about the object itself. */
    ConfigObject object() {
        return layers.get(0).object();
    }

    /** Every key set in any layer, most specific layer's keys first. */
    Set<String> keys() {
        Set<String> keys = new LinkedHashSet<>();
        for (Layer layer : layers) {
            keys.addAll(layer.object().keySet());
        }
        return keys;
    }

    /** True when some layer sets {@code key} (to anything, null included). */
    boolean has(String key) {
        return find(key) != null;
    }

    /** The winning value of {@code key} and where it was set, or null when no layer sets it. */
    Field<ConfigValue> find(String key) {
        for (int i = 0; i < layers.size(); i++) {
            ConfigValue value = layers.get(i).object().get(key);
            if (value != null) {
                return new Field<>(value, layers.get(i).path() + "." + key, value, i);
            }
        }
        return null;
    }

    /** Index of the most specific layer that sets {@code key}, or -1; used to order user-added entries. */
    int layerOf(String key) {
        Field<ConfigValue> found = find(key);
        return found == null ? -1 : found.layer();
    }

    /** The layers' objects at {@code key}, from the least specific one that has it, as HOCON would merge them. */
    List<Layer> layersOf(String key) {
        List<Layer> found = new ArrayList<>();
        for (Layer layer : layers) {
            ConfigValue value = layer.object().get(key);
            if (value == null) {
                continue;
            }
            if (value.valueType() != ConfigValueType.OBJECT) {
                break;
            }
            found.add(new Layer((ConfigObject) value, layer.path() + "." + key));
        }
        return found;
    }

    /** The object at {@code key} through all layers; records an error and returns null when missing or not an object. */
    Node child(String key) {
        Field<ConfigValue> winner = find(key);
        if (winner == null) {
            errors.missing(path() + "." + key, origin(), MUST_BE_SET);
            return null;
        }
        return childOf(winner, key);
    }

    /** Like {@link #child} but a key no layer sets is not an error: returns null. */
    Node childIfPresent(String key) {
        Field<ConfigValue> winner = find(key);
        return winner == null ? null : childOf(winner, key);
    }

    private Node childOf(Field<ConfigValue> winner, String key) {
        if (winner.raw().valueType() != ConfigValueType.OBJECT) {
            errors.add(winner, MUST_BE_OBJECT);
            return null;
        }
        return new Node(layersOf(key), errors);
    }

    /** The elements of the list at {@code key} (single layer: lists replace, never merge); null on error. */
    List<Field<ConfigValue>> list(String key) {
        Field<ConfigValue> winner = find(key);
        if (winner == null) {
            errors.missing(path() + "." + key, origin(), MUST_BE_SET);
            return null;
        }
        if (winner.raw().valueType() != ConfigValueType.LIST) {
            errors.add(winner, MUST_BE_LIST);
            return null;
        }
        List<Field<ConfigValue>> elements = new ArrayList<>();
        ConfigList list = (ConfigList) winner.raw();
        for (int i = 0; i < list.size(); i++) {
            elements.add(new Field<>(list.get(i), winner.path() + "[" + i + "]", list.get(i), winner.layer()));
        }
        return elements;
    }

    /** A whole number, e.g. {@code 10} or {@code "10"}; {@code 2.5} is refused rather than truncated to 2. */
    Field<Integer> integer(String key) {
        return read(key, "must be a whole number", v -> {
            double d = number(v);
            if (d != Math.rint(d)) {
                throw new IllegalArgumentException();
            }
            if (d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
                // Whole, only too large: "must be a whole number" misled (config audit L3).
                throw new OtherRule("must be a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
            }
            return (int) d;
        });
    }

    /** A whole number in the range of a long, e.g. a seed; {@code 2.5} is refused rather than truncated. */
    Field<Long> longInteger(String key) {
        return read(key, "must be a whole number", v -> {
            if (v.valueType() == ConfigValueType.NUMBER && v.unwrapped() instanceof Number n
                    && !(n instanceof Double) && !(n instanceof Float)) {
                return n.longValue();
            }
            double d = number(v);
            if (d != Math.rint(d) || Math.abs(d) > 9.007199254740992E15) {
                throw new IllegalArgumentException();
            }
            return (long) d;
        });
    }

    /** A finite number. */
    Field<Double> number(String key) {
        return read(key, "must be a number", Node::number);
    }

    /** A finite number, or null where the key is explicitly {@code null}; missing is still an error. */
    Field<Double> numberOrNull(String key) {
        Field<ConfigValue> found = find(key);
        if (found != null && found.raw().valueType() == ConfigValueType.NULL) {
            return new Field<>(null, found.path(), found.raw(), found.layer());
        }
        return number(key);
    }

    /** {@code true}/{@code false} (HOCON also reads yes/no/on/off). */
    Field<Boolean> bool(String key) {
        return read(key, "must be true or false", v -> {
            if (v.valueType() != ConfigValueType.BOOLEAN && v.valueType() != ConfigValueType.STRING) {
                throw new IllegalArgumentException();
            }
            return v.atKey("v").getBoolean("v");
        });
    }

    /** A string; numbers and booleans are read as written ({@code milvus-version = 2.10} is "2.10"). */
    Field<String> string(String key) {
        return read(key, "must be a string", v -> {
            if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
                throw new IllegalArgumentException();
            }
            return v.atKey("v").getString("v");
        });
    }

    /**
     * A duration with a unit, e.g. {@code 30s} or {@code 5m}. A bare number is refused: HOCON would read
     * {@code timeout = 5} as 5 milliseconds, which is never what an SRE meant.
     */
    Field<Duration> duration(String key) {
        return read(key, "must be a duration with a unit, such as 30s or 5m", v -> {
            if (v.valueType() != ConfigValueType.STRING || DIGITS_ONLY.matcher((String) v.unwrapped()).matches()) {
                throw new IllegalArgumentException();
            }
            Duration d = v.atKey("v").getDuration("v");
            if (d.equals(SATURATED) || d.equals(SATURATED.negated().minusNanos(1))) {
                // typesafe-config counts nanoseconds in a long and caps what overflows: 100000000d read as 106751d
                // and was echoed as "9223372036854ms", not what was written (recheck 31, F4).
                throw new OtherRule("must be at most 106751d (292 years): a longer duration cannot be held");
            }
            return d;
        });
    }

    /** A duration that must be > 0. */
    Field<Duration> positiveDuration(String key) {
        Field<Duration> d = duration(key);
        String rule = d == null ? null : io.github.milvusautoscaler.core.Checks.positiveRule(d.value());
        if (rule != null) {
            errors.add(d, rule);
            return null;
        }
        return d;
    }

    /** A size in bytes, e.g. {@code 1MiB} or {@code 65536}. */
    Field<Long> bytes(String key) {
        return read(key, "must be a size such as 1MiB or 512KiB", v -> {
            if (v.valueType() != ConfigValueType.STRING && v.valueType() != ConfigValueType.NUMBER) {
                throw new IllegalArgumentException();
            }
            if (v.valueType() == ConfigValueType.NUMBER && ((Number) v.unwrapped()).doubleValue() < 0
                    || v.valueType() == ConfigValueType.STRING && ((String) v.unwrapped()).strip().startsWith("-")) {
                // typesafe-config refuses a negative size before a record's own rule could say so (config audit L4).
                throw new OtherRule("must be 0 or more bytes, such as 1MiB");
            }
            return v.atKey("v").getBytes("v");
        });
    }

    /**
     * Builds a settings record from values already read at this node. The record holds its own rules: what
     * its constructor refuses ({@link SettingException}, each problem naming its key relative to this
     * node) is recorded at the field of that key, with the field's path and file:line, else at the key
     * found in this node's layers, else at this node itself.
     *
     * @param fields the fields the values came from, matched to a problem's key by their path's end
     *               ({@code timeout} matches {@code milvus-autoscaler.prometheus.timeout})
     * @return the record, or null when it refused a value (the errors are recorded)
     */
    <T> T build(Supplier<T> constructor, Field<?>... fields) {
        try {
            return constructor.get();
        } catch (SettingException e) {
            for (SettingException.Problem problem : e.problems()) {
                Field<?> field = fieldOf(problem.key(), fields);
                if (field != null) {
                    errors.add(field, problem.rule());
                } else {
                    errors.add(path() + "." + problem.key(), object(), problem.rule());
                }
            }
            return null;
        }
    }

    private Field<?> fieldOf(String key, Field<?>[] fields) {
        for (Field<?> field : fields) {
            if (field != null && (field.path().equals(path() + "." + key) || field.path().endsWith("." + key))) {
                return field;
            }
        }
        return key.contains(".") ? null : find(key);
    }

    private static double number(ConfigValue v) {
        double d;
        if (v.valueType() == ConfigValueType.NUMBER) {
            d = ((Number) v.unwrapped()).doubleValue();
        } else if (v.valueType() == ConfigValueType.STRING) {
            d = Double.parseDouble(((String) v.unwrapped()).trim());
        } else {
            throw new IllegalArgumentException();
        }
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException();
        }
        return d;
    }

    private <T> Field<T> read(String key, String rule, Function<ConfigValue, T> convert) {
        Field<ConfigValue> found = find(key);
        if (found == null) {
            errors.missing(path() + "." + key, origin(), MUST_BE_SET);
            return null;
        }
        if (found.raw().valueType() == ConfigValueType.NULL) {
            errors.add(found, MUST_BE_SET);
            return null;
        }
        try {
            return new Field<>(convert.apply(found.raw()), found.path(), found.raw(), found.layer());
        } catch (IllegalArgumentException | ConfigException e) {
            errors.add(found, e instanceof OtherRule other ? other.getMessage() : rule);
            return null;
        }
    }

    /** A converter's refusal that names a rule more precise than the reader's usual one. */
    private static final class OtherRule extends IllegalArgumentException {
        OtherRule(String rule) {
            super(rule);
        }
    }
}
