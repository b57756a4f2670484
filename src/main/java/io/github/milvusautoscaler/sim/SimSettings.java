package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.github.milvusautoscaler.core.Component;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything the simulator needs, read once from the {@code milvus-autoscaler.sim} block of
 * reference.conf (layered under an optional user file) and validated: an immutable record so a
 * run cannot change its model halfway.
 *
 * <p>The replica bounds and the CPU band come from {@code milvus-autoscaler.defaults} (with the
 * component's {@code component-defaults} layer), so the baselines and the real policy are held to
 * the same [min, max] and the HPA targets the middle of the same CPU band: [0.40, 0.75] gives 0.575.
 *
 * @param tick            time between two policy ticks
 * @param peakNodes       nodes the trace's peak needs at 100% CPU
 * @param initialReplicas replicas at the start; empty: sized for the first value at the CPU target
 * @param seed            seed of the synthetic scenarios
 * @param chartPoints     points per series in chart.svg
 * @param model           the simulated component
 * @param scrape          how Prometheus sees it
 * @param score           scorecard thresholds
 * @param hpa             the HPA controller's flags for the baselines
 * @param bounds          replica bounds and the CPU band from the policy defaults
 */
public record SimSettings(Duration tick, int peakNodes, OptionalInt initialReplicas, long seed, int chartPoints,
                          Model model, Scrape scrape, Score score, Hpa hpa, Bounds bounds) {

    /** Config path of the simulator block. */
    public static final String PATH = "milvus-autoscaler.sim";

    public SimSettings {
        requireNonNull(tick, "tick");
        requireNonNull(initialReplicas, "initialReplicas");
        requireNonNull(model, "model");
        requireNonNull(scrape, "scrape");
        requireNonNull(score, "score");
        requireNonNull(hpa, "hpa");
        requireNonNull(bounds, "bounds");
        requirePositive("tick", tick);
        if (tick.toMillis() * 1_000_000 != tick.toNanos()) {
            throw new IllegalArgumentException("sim.tick must be whole milliseconds, was " + tick);
        }
        if (peakNodes < 1) {
            throw new IllegalArgumentException("peak nodes must be >= 1, was " + peakNodes);
        }
        if (initialReplicas.isPresent() && initialReplicas.getAsInt() < 0) {
            throw new IllegalArgumentException("sim.initial-replicas must be >= 0, was " + initialReplicas.getAsInt());
        }
        if (chartPoints < 10) {
            throw new IllegalArgumentException("sim.chart-points must be >= 10, was " + chartPoints);
        }
    }

    /**
     * The simulated Milvus worker component.
     *
     * @param capacityQps       searches/s one ready node serves at 100% CPU
     * @param startup           pending time of a new node
     * @param warmup            segment loading time after startup, serving nothing
     * @param drain             how long capacity is reduced after a step-down (stopping balance)
     * @param rebalancePenalty  fraction of ready capacity lost during a drain, in [0, 1)
     * @param datasetBytes      loaded data spread over the ready nodes
     * @param nodeOverheadBytes memory of a node with no data
     * @param memoryLimitBytes  container memory limit per node
     */
    public record Model(double capacityQps, Duration startup, Duration warmup, Duration drain, double rebalancePenalty,
                        long datasetBytes, long nodeOverheadBytes, long memoryLimitBytes) {

        public Model {
            requireNonNull(startup, "startup");
            requireNonNull(warmup, "warmup");
            requireNonNull(drain, "drain");
            if (!(capacityQps > 0) || !Double.isFinite(capacityQps)) {
                throw new IllegalArgumentException("sim.capacity-qps must be > 0, was " + capacityQps);
            }
            requireNotNegative("startup", startup);
            requireNotNegative("warmup", warmup);
            requireNotNegative("drain", drain);
            if (!(rebalancePenalty >= 0 && rebalancePenalty < 1)) {
                throw new IllegalArgumentException("sim.rebalance-penalty must be in [0, 1), was " + rebalancePenalty);
            }
            if (datasetBytes < 0 || nodeOverheadBytes < 0) {
                throw new IllegalArgumentException("sim.dataset-size and sim.node-overhead must be >= 0");
            }
            if (memoryLimitBytes <= 0) {
                throw new IllegalArgumentException("sim.memory-limit must be > 0, was " + memoryLimitBytes);
            }
        }
    }

    /**
     * How Prometheus sees the component.
     *
     * @param interval   scrape interval
     * @param rateWindow window of rate() for cpu and qps; needs at least two samples, so >= 2 intervals
     */
    public record Scrape(Duration interval, Duration rateWindow) {

        public Scrape {
            requireNonNull(interval, "interval");
            requireNonNull(rateWindow, "rateWindow");
            requirePositive("scrape-interval", interval);
            if (interval.toNanos() % 1_000_000 != 0 || rateWindow.toNanos() % 1_000_000 != 0) {
                throw new IllegalArgumentException("sim.scrape-interval and sim.rate-window must be whole milliseconds");
            }
            if (rateWindow.compareTo(interval.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("sim.rate-window (" + rateWindow + ") must be at least two scrape"
                        + " intervals (" + interval.multipliedBy(2) + "): rate() needs two samples");
            }
        }
    }

    /**
     * Scorecard thresholds.
     *
     * @param hotAbove       utilization above this counts as hot
     * @param reversalWindow an opposite action within this long of the previous one is a reversal
     */
    public record Score(double hotAbove, Duration reversalWindow) {

        public Score {
            requireNonNull(reversalWindow, "reversalWindow");
            if (!(hotAbove > 0 && hotAbove <= 1)) {
                throw new IllegalArgumentException("sim.hot-above must be in (0, 1], was " + hotAbove);
            }
            requireNotNegative("reversal-window", reversalWindow);
        }
    }

    /**
     * The kube-controller-manager flags the HPA baselines run with.
     *
     * @param tolerance                no change while |usage/target - 1| is at most this
     * @param syncPeriod               how often the controller reconciles
     * @param downscaleStabilization   scale-down window when the behavior sets none
     * @param cpuInitializationPeriod  after a pod starts, its CPU is ignored until one metric window
     *                                 has passed since it became ready, for at most this long
     */
    public record Hpa(double tolerance, Duration syncPeriod, Duration downscaleStabilization,
                      Duration cpuInitializationPeriod) {

        public Hpa {
            requireNonNull(syncPeriod, "syncPeriod");
            requireNonNull(downscaleStabilization, "downscaleStabilization");
            requireNonNull(cpuInitializationPeriod, "cpuInitializationPeriod");
            requireNotNegative("hpa.cpu-initialization-period", cpuInitializationPeriod);
            if (!(tolerance >= 0 && tolerance < 1)) {
                throw new IllegalArgumentException("sim.hpa.tolerance must be in [0, 1), was " + tolerance);
            }
            requirePositive("hpa.sync-period", syncPeriod);
            requireNotNegative("hpa.downscale-stabilization", downscaleStabilization);
        }
    }

    /**
     * Replica bounds and CPU band shared with the real policy.
     *
     * @param minReplicas     floor
     * @param maxReplicas     ceiling
     * @param cpuScaleOutAbove the CPU band's upper edge
     * @param cpuScaleInBelow  the CPU band's lower edge
     * @param cpuTarget        what scale-outs size for: the band's middle unless configured
     */
    public record Bounds(int minReplicas, int maxReplicas, double cpuScaleOutAbove, double cpuScaleInBelow,
                         double cpuTarget) {

        public Bounds {
            if (minReplicas < 1 || maxReplicas < minReplicas) {
                throw new IllegalArgumentException("need 1 <= min-replicas (" + minReplicas + ") <= max-replicas ("
                        + maxReplicas + ")");
            }
            if (!(cpuTarget > 0 && cpuTarget <= 1)) {
                throw new IllegalArgumentException("cpu target must be in (0, 1], was " + cpuTarget);
            }
        }
    }

    /** A copy with another peak-nodes (simulate --peak-nodes). */
    public SimSettings withPeakNodes(int nodes) {
        return new SimSettings(tick, nodes, initialReplicas, seed, chartPoints, model, scrape, score, hpa, bounds);
    }

    /** A copy with another scenario seed (simulate --seed). */
    public SimSettings withSeed(long newSeed) {
        return new SimSettings(tick, peakNodes, initialReplicas, newSeed, chartPoints, model, scrape, score, hpa, bounds);
    }

    /** A copy with another model, for tests and tuning. */
    public SimSettings withModel(Model newModel) {
        return new SimSettings(tick, peakNodes, initialReplicas, seed, chartPoints, newModel, scrape, score, hpa, bounds);
    }

    /** A copy with another scrape setup. */
    public SimSettings withScrape(Scrape newScrape) {
        return new SimSettings(tick, peakNodes, initialReplicas, seed, chartPoints, model, newScrape, score, hpa, bounds);
    }

    /** A copy with a fixed number of initial replicas. */
    public SimSettings withInitialReplicas(int replicas) {
        return new SimSettings(tick, peakNodes, OptionalInt.of(replicas), seed, chartPoints, model, scrape, score, hpa,
                bounds);
    }

    /** A copy with other replica bounds and CPU band. */
    public SimSettings withBounds(Bounds newBounds) {
        return new SimSettings(tick, peakNodes, initialReplicas, seed, chartPoints, model, scrape, score, hpa, newBounds);
    }

    /** A copy with another tick. */
    public SimSettings withTick(Duration newTick) {
        return new SimSettings(newTick, peakNodes, initialReplicas, seed, chartPoints, model, scrape, score, hpa, bounds);
    }

    /** The defaults of reference.conf for a queryNode. */
    public static SimSettings defaults() {
        return from(loadConfig(Optional.empty()), Component.QUERY_NODE);
    }

    /**
     * Where {@code file} first sets a key whose path contains {@code fragment} ({@code autoscaler.conf:12}),
     * or empty when it does not or cannot be read; for errors that name the line an SRE must change.
     */
    public static String origin(Path file, String fragment) {
        try {
            Config user = ConfigFactory.parseFile(file.toFile());
            int best = Integer.MAX_VALUE;
            for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
                if (e.getKey().contains(fragment) && e.getValue().origin().lineNumber() > 0) {
                    best = Math.min(best, e.getValue().origin().lineNumber());
                }
            }
            return best == Integer.MAX_VALUE ? "" : file.getFileName() + ":" + best;
        } catch (ConfigException e) {
            return "";
        }
    }

    /**
     * reference.conf with an optional user file layered on top, resolved. Why not the config
     * package's loader: the simulator must stay usable on its own, and it only reads the sim block,
     * the defaults' bounds and the CPU band.
     *
     * @throws ConfigException with the file and line when the user file is missing or malformed
     */
    public static Config loadConfig(Optional<Path> userFile) {
        requireNonNull(userFile, "userFile");
        Config reference = ConfigFactory.parseResources(SimSettings.class.getClassLoader(), "reference.conf");
        Config layered = reference;
        if (userFile.isPresent()) {
            Path file = userFile.get();
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new ConfigException.Generic("cannot read config file " + file + ": not a readable file");
            }
            Config user = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            List<ConfigException.ValidationProblem> unknown = new ArrayList<>();
            if (user.hasPath(PATH)) {
                Set<String> known = leafPaths(reference.getConfig(PATH));
                for (Map.Entry<String, ConfigValue> e : user.getConfig(PATH).entrySet()) {
                    if (!known.contains(e.getKey())) {
                        unknown.add(new ConfigException.ValidationProblem(PATH + "." + e.getKey(), e.getValue().origin(),
                                "unknown key (a typo?); known keys: " + String.join(", ", new TreeSet<>(known))));
                    }
                }
            }
            if (!unknown.isEmpty()) {
                throw new ConfigException.ValidationFailed(unknown);
            }
            layered = user.withFallback(reference);
        }
        return layered.resolve();
    }

    private static Set<String> leafPaths(Config c) {
        Set<String> keys = new TreeSet<>();
        // entrySet() skips null values, so initial-replicas = null needs root().keySet() too.
        for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
            keys.add(e.getKey());
        }
        for (String k : c.root().keySet()) {
            if (c.root().get(k).valueType() != ConfigValueType.OBJECT) {
                keys.add(k);
            }
        }
        return keys;
    }

    /**
     * Reads and validates the sim block and the policy bounds for {@code component}, collecting
     * every problem with its config path and file line.
     *
     * @throws ConfigException.ValidationFailed listing every bad key
     */
    public static SimSettings from(Config config, Component component) {
        requireNonNull(config, "config");
        requireNonNull(component, "component");
        Reader r = new Reader(config.getConfig(PATH), PATH);
        Config defaults = config.getConfig("milvus-autoscaler.defaults");
        String layer = "milvus-autoscaler.component-defaults." + component.configName();
        Config policy = config.hasPath(layer) ? config.getConfig(layer).withFallback(defaults) : defaults;
        Reader p = new Reader(policy, "milvus-autoscaler.defaults");

        Duration tick = r.duration("tick");
        int peakNodes = r.intAtLeast("peak-nodes", 1);
        OptionalInt initial = r.optionalIntAtLeast("initial-replicas", 0);
        long seed = r.longValue("seed");
        int chartPoints = r.intAtLeast("chart-points", 10);
        double capacity = r.doubleIn("capacity-qps", 0, Double.MAX_VALUE, false);
        Duration startup = r.duration("startup");
        Duration warmup = r.duration("warmup");
        Duration drain = r.duration("drain");
        double penalty = r.doubleIn("rebalance-penalty", 0, 1, true);
        long dataset = r.bytes("dataset-size");
        long overhead = r.bytes("node-overhead");
        long limit = r.bytes("memory-limit");
        Duration interval = r.duration("scrape-interval");
        Duration window = r.duration("rate-window");
        double hot = r.doubleIn("hot-above", 0, false, 1, true);
        Duration reversal = r.duration("reversal-window");
        double tolerance = r.doubleIn("hpa.tolerance", 0, 1, true);
        Duration sync = r.duration("hpa.sync-period");
        Duration stabilization = r.duration("hpa.downscale-stabilization");
        Duration cpuInitialization = r.duration("hpa.cpu-initialization-period");
        int min = p.intAtLeast("min-replicas", 1);
        int max = p.intAtLeast("max-replicas", 1);
        double above = p.doubleIn("signals.cpu.scale-out-above", 0, Double.MAX_VALUE, false);
        double below = p.doubleIn("signals.cpu.scale-in-below", 0, Double.MAX_VALUE, true);
        Double target = p.optionalDouble("signals.cpu.target");
        r.problems.addAll(p.problems);
        if (r.problems.isEmpty()) {
            if (min > max) {
                r.problem(policy, "milvus-autoscaler.defaults.max-replicas", "max-replicas", "must be >= min-replicas (" + min + ")");
            }
            if (!(below < above)) {
                r.problem(policy, "milvus-autoscaler.defaults.signals.cpu.scale-in-below", "signals.cpu.scale-in-below",
                        "must be < scale-out-above (" + above + ")");
            }
            if (window.compareTo(interval.multipliedBy(2)) < 0) {
                r.problem(r.config, PATH + ".rate-window", "rate-window",
                        "must be at least two scrape intervals (" + interval.multipliedBy(2) + "): rate() needs two samples");
            }
        }
        if (!r.problems.isEmpty()) {
            throw new ConfigException.ValidationFailed(r.problems);
        }
        double cpuTarget = target != null ? target : (above + below) / 2;
        try {
            return new SimSettings(tick, peakNodes, initial, seed, chartPoints,
                    new Model(capacity, startup, warmup, drain, penalty, dataset, overhead, limit),
                    new Scrape(interval, window), new Score(hot, reversal),
                    new Hpa(tolerance, sync, stabilization, cpuInitialization), new Bounds(min, max, above, below, cpuTarget));
        } catch (IllegalArgumentException e) {
            throw new ConfigException.BadValue(config.getConfig(PATH).origin(), PATH, e.getMessage());
        }
    }

    private static void requirePositive(String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("sim." + key + " must be > 0, was " + d);
        }
    }

    private static void requireNotNegative(String key, Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("sim." + key + " must be >= 0, was " + d);
        }
    }

    /** Reads typed values, collecting problems instead of stopping at the first. */
    private static final class Reader {
        final Config config;
        final String prefix;
        final List<ConfigException.ValidationProblem> problems = new ArrayList<>();

        Reader(Config config, String prefix) {
            this.config = config;
            this.prefix = prefix;
        }

        void problem(Config c, String fullPath, String key, String message) {
            problems.add(new ConfigException.ValidationProblem(fullPath,
                    c.hasPath(key) ? c.getValue(key).origin() : c.origin(), message));
        }

        private void bad(String key, String message) {
            problem(config, prefix + "." + key, key, message);
        }

        Duration duration(String key) {
            try {
                Duration d = config.getDuration(key);
                if (d.isNegative()) {
                    bad(key, "must be >= 0, was " + d);
                    return Duration.ZERO;
                }
                return d;
            } catch (ConfigException e) {
                bad(key, e.getMessage());
                return Duration.ofSeconds(1);
            }
        }

        int intAtLeast(String key, int least) {
            try {
                int v = config.getInt(key);
                if (v < least) {
                    bad(key, "must be >= " + least + ", was " + v);
                    return least;
                }
                return v;
            } catch (ConfigException e) {
                bad(key, e.getMessage());
                return least;
            }
        }

        OptionalInt optionalIntAtLeast(String key, int least) {
            if (config.hasPathOrNull(key) && config.getIsNull(key)) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(intAtLeast(key, least));
        }

        long longValue(String key) {
            try {
                return config.getLong(key);
            } catch (ConfigException e) {
                bad(key, e.getMessage());
                return 0;
            }
        }

        long bytes(String key) {
            try {
                long v = config.getBytes(key);
                if (v < 0) {
                    bad(key, "must be >= 0, was " + v);
                    return 0;
                }
                return v;
            } catch (ConfigException e) {
                bad(key, e.getMessage());
                return 1;
            }
        }

        double doubleIn(String key, double low, double high, boolean lowInclusive) {
            return doubleIn(key, low, lowInclusive, high, false);
        }

        double doubleIn(String key, double low, boolean lowInclusive, double high, boolean highInclusive) {
            try {
                double v = config.getDouble(key);
                boolean ok = (lowInclusive ? v >= low : v > low) && (highInclusive ? v <= high : v < high)
                        && Double.isFinite(v);
                if (!ok) {
                    String range = high == Double.MAX_VALUE ? (lowInclusive ? ">= " : "> ") + low
                            : "in " + (lowInclusive ? "[" : "(") + low + ", " + high + (highInclusive ? "]" : ")");
                    bad(key, "must be " + range + ", was " + v);
                    return low + (high - low) / 2;
                }
                return v;
            } catch (ConfigException e) {
                bad(key, e.getMessage());
                return low + 0.5;
            }
        }

        Double optionalDouble(String key) {
            if (!config.hasPathOrNull(key) || config.getIsNull(key)) {
                return null;
            }
            try {
                return config.getDouble(key);
            } catch (ConfigException e) {
                bad(key, e.getMessage());
                return null;
            }
        }
    }
}
