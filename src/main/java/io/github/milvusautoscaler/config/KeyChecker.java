package io.github.milvusautoscaler.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.github.milvusautoscaler.core.Component;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Refuses every key under {@code milvus-autoscaler} that reference.conf does not know, so a typo such as
 * {@code scale-in { sustian = 30m }} fails loudly instead of silently leaving the 10m default in force.
 *
 * <p>The schema is reference.conf's own tree, with these exceptions: an empty object there (such as
 * {@code headers {}} or a route's {@code match {}}) is an open map; {@code defaults.signals} accepts new
 * signal names whose inner keys follow the signal schema; {@code component-defaults} and each cluster's
 * {@code components} accept worker component names whose inner keys follow {@code defaults}; and each
 * {@code clusters} element has exactly namespace, name, install, milvus-version, fullname-override, name-override and components.
 */
final class KeyChecker {

    /** Coordinators a user may try to scale; named in the error because Milvus scales worker nodes only. */
    static final Set<String> COORDINATORS = Set.of("rootcoord", "datacoord", "querycoord", "indexcoord", "mixcoord");

    /** The keys a {@code clusters} element may have. */
    static final List<String> CLUSTER_KEYS = List.of("namespace", "name", "install", "milvus-version", "fullname-override",
            "name-override", "components");

    private static final String WORKERS = Arrays.stream(Component.values())
            .map(Component::configName).collect(Collectors.joining(", "));

    /** Expected shape of a value. */
    sealed interface Shape permits Closed, Open, ListOf, Leaf, Components {
    }

    /** An object with exactly these keys (each optional). */
    record Closed(Map<String, Shape> keys) implements Shape {
    }

    /** An object with any keys, each value of the shape the function gives for its key. */
    record Open(Function<String, Shape> valueShape) implements Shape {
    }

    /** A list whose elements all have one shape. */
    record ListOf(Shape element) implements Shape {
    }

    /** A value whose type the typed reads check. */
    enum Leaf implements Shape {
        ANY
    }

    /** Worker component names, each an object of the given shape. */
    record Components(Shape each) implements Shape {
    }

    private final Errors errors;

    KeyChecker(Errors errors) {
        this.errors = errors;
    }

    /**
     * The schema of {@code milvus-autoscaler} from reference.conf's resolved subtree, with the
     * exceptions listed on the class.
     */
    static Closed schema(ConfigObject reference) {
        Closed generic = (Closed) shapeOf(reference);
        ConfigObject defaults = (ConfigObject) reference.get("defaults");
        ConfigObject signals = (ConfigObject) defaults.get("signals");
        Map<String, Shape> signalKeys = new LinkedHashMap<>();
        for (ConfigValue signal : signals.values()) {
            for (String key : ((ConfigObject) signal).keySet()) {
                signalKeys.put(key, Leaf.ANY);
            }
        }
        Closed anySignal = new Closed(signalKeys);
        Map<String, Shape> defaultsKeys = new LinkedHashMap<>(((Closed) generic.keys().get("defaults")).keys());
        defaultsKeys.put("signals", new Open(name -> signals.containsKey(name) ? shapeOf(signals.get(name)) : anySignal));
        Closed defaultsShape = new Closed(defaultsKeys);

        Map<String, Shape> cluster = new LinkedHashMap<>();
        for (String key : CLUSTER_KEYS) {
            cluster.put(key, Leaf.ANY);
        }
        cluster.put("components", new Components(defaultsShape));

        Map<String, Shape> top = new LinkedHashMap<>(generic.keys());
        top.put("defaults", defaultsShape);
        top.put("component-defaults", new Components(defaultsShape));
        top.put("clusters", new ListOf(new Closed(cluster)));
        return new Closed(top);
    }

    private static Shape shapeOf(ConfigValue value) {
        if (value.valueType() == ConfigValueType.OBJECT) {
            ConfigObject object = (ConfigObject) value;
            if (object.isEmpty()) {
                return new Open(key -> Leaf.ANY);
            }
            Map<String, Shape> keys = new LinkedHashMap<>();
            object.forEach((k, v) -> keys.put(k, shapeOf(v)));
            return new Closed(keys);
        }
        if (value.valueType() == ConfigValueType.LIST) {
            ConfigList list = (ConfigList) value;
            if (!list.isEmpty() && list.get(0).valueType() == ConfigValueType.OBJECT) {
                return new ListOf(shapeOf(list.get(0)));
            }
        }
        return Leaf.ANY;
    }

    /** Checks {@code value} at {@code path} against {@code shape}, recording every unknown key found. */
    void check(ConfigValue value, Shape shape, String path) {
        if (value.valueType() == ConfigValueType.NULL || shape == Leaf.ANY) {
            return;
        }
        if (shape instanceof ListOf listOf) {
            if (value.valueType() != ConfigValueType.LIST) {
                errors.add(path, value, Node.MUST_BE_LIST);
                return;
            }
            ConfigList list = (ConfigList) value;
            for (int i = 0; i < list.size(); i++) {
                check(list.get(i), listOf.element(), path + "[" + i + "]");
            }
            return;
        }
        if (value.valueType() != ConfigValueType.OBJECT) {
            errors.add(path, value, Node.MUST_BE_OBJECT);
            return;
        }
        ConfigObject object = (ConfigObject) value;
        for (String key : new TreeSet<>(object.keySet())) {
            ConfigValue child = object.get(key);
            String childPath = path.isEmpty() ? key : path + "." + key;
            if (shape instanceof Closed closed) {
                Shape known = closed.keys().get(key);
                if (known == null) {
                    errors.add(childPath, child, unknownKey(key, closed.keys().keySet()));
                } else {
                    check(child, known, childPath);
                }
            } else if (shape instanceof Open open) {
                check(child, open.valueShape().apply(key), childPath);
            } else if (shape instanceof Components components) {
                checkComponent(key, child, components.each(), childPath);
            }
        }
    }

    private void checkComponent(String name, ConfigValue value, Shape each, String path) {
        if (COORDINATORS.contains(name.toLowerCase(Locale.ROOT))) {
            errors.add(path, value, "must be a worker component (" + WORKERS
                    + "): Milvus scales worker nodes only, never coordinators");
        } else if (Arrays.stream(Component.values()).noneMatch(c -> c.configName().equals(name))) {
            List<String> names = Arrays.stream(Component.values()).map(Component::configName).toList();
            String suggestion = suggest(name, names);
            errors.add(path, value, suggestion != null
                    ? "must be a worker component (did you mean " + suggestion + "?)"
                    : "must be a worker component: one of " + WORKERS);
        } else {
            check(value, each, path);
        }
    }

    /** The rule for a key the schema does not know, naming the closest known key when one is near. */
    static String unknownKey(String key, Set<String> known) {
        if (known.contains(key + "-file")) {
            // bearer-token for bearer-token-file: the secret itself was most likely written here.
            return "must be a known key (did you mean " + key + "-file? it names a file holding the secret, which"
                    + " is never written in the config)";
        }
        if (key.equals("window-size") && known.contains("minimum-queries")) {
            // The circuit breaker's count window, replaced (recheck 47, F2): the error says by what.
            return "must be a known key: the circuit breaker's window-size (a count of queries) is replaced by window"
                    + " (a time, such as 1m) and minimum-queries (such as 10), so that one namespace's failing queries"
                    + " cannot fill the window";
        }
        String suggestion = suggest(key, known);
        if (suggestion != null) {
            return "must be a known key (did you mean " + suggestion + "?)";
        }
        return "must be a known key: one of " + String.join(", ", new TreeSet<>(known));
    }

    /**
     * The known name closest to a typo: same letters ignoring case and dashes ({@code maxReplicas} ->
     * {@code max-replicas}), else within 2 edits ({@code sustian} -> {@code sustain}); null when none is near.
     */
    static String suggest(String typo, java.util.Collection<String> known) {
        String norm = normalize(typo);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : new TreeSet<>(known)) {
            if (normalize(candidate).equals(norm)) {
                return candidate;
            }
            int d = distance(typo.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return bestDistance <= 2 ? best : null;
    }

    private static String normalize(String s) {
        return s.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
