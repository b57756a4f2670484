package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.github.milvusautoscaler.config.BlockReader;
import io.github.milvusautoscaler.config.InvalidConfigException;
import io.github.milvusautoscaler.core.Checks;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.SettingException;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.SignalPolicy;
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
 * @param initialReplicas replicas at the start, within the bounds; empty: sized for the first value at the CPU target
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
        Checks checks = new Checks();
        if (checks.positive(tick, "tick")) {
            checks.that(tick.toMillis() * 1_000_000 == tick.toNanos(), "tick", "must be whole milliseconds");
        }
        checks.atLeast(peakNodes, 1, "peak-nodes");
        // A start outside [min, max] is no state a policy could reach: the guards' first moves back inside would be
        // scored as decisions, and the HPA lanes took it as their max (50 replicas shown for max-replicas 10).
        if (initialReplicas.isPresent()) {
            int initial = initialReplicas.getAsInt();
            checks.that(initial >= bounds.minReplicas(), "initial-replicas", "must be >= min-replicas ("
                    + bounds.minReplicas() + ") of the simulated target");
            checks.that(initial <= bounds.maxReplicas(), "initial-replicas", "must be <= max-replicas ("
                    + bounds.maxReplicas() + ") of the simulated target");
        }
        checks.atLeast(chartPoints, 10, "chart-points");
        checks.done();
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
            Checks checks = new Checks();
            checks.that(capacityQps > 0 && Double.isFinite(capacityQps), "capacity-qps", "must be > 0");
            // At most a day each: Milvus reports a drain of minutes to an hour, and the clairvoyant lane's solver
            // holds a row per tick of the longest of them, which 100000d ran out of heap (config audit C5).
            withinADay(checks, startup, "startup");
            withinADay(checks, warmup, "warmup");
            withinADay(checks, drain, "drain");
            checks.that(rebalancePenalty >= 0 && rebalancePenalty < 1, "rebalance-penalty", "must be in [0, 1)");
            checks.that(datasetBytes >= 0, "dataset-size", "must be 0 or more bytes");
            checks.that(nodeOverheadBytes >= 0, "node-overhead", "must be 0 or more bytes");
            checks.that(memoryLimitBytes > 0, "memory-limit", "must be more than 0 bytes, such as 32GiB");
            checks.done();
        }
    }

    /** How the cpu and qps queries turn counters into rates ({@code sim.rate-function}). */
    public enum RateFunction {
        /** irate(): the slope between the newest two scrapes (the default templates). */
        IRATE,
        /** rate(): the slope over every scrape inside the rate window. */
        RATE;

        /** The function named {@code irate} or {@code rate}; anything else is refused at {@code rate-function}. */
        static RateFunction named(String name) {
            requireNonNull(name, "name");
            return switch (name) {
                case "irate" -> IRATE;
                case "rate" -> RATE;
                default -> throw new SettingException(List.of(
                        new SettingException.Problem("rate-function", "must be irate or rate")));
            };
        }
    }

    /**
     * How Prometheus sees the component.
     *
     * @param interval   scrape interval
     * @param rateWindow range of rate() or irate() for cpu and qps; needs at least two samples, so >= 2 intervals
     * @param function   irate (the newest two samples) or rate (all of them in the window)
     * @param sampleAge  how long before the first tick the newest sample was taken, Prometheus' and metrics-server's
     *                   alike, modulo each one's interval (see {@link MetricsView#sampleAge()})
     */
    public record Scrape(Duration interval, Duration rateWindow, RateFunction function, Duration sampleAge) {

        public Scrape {
            requireNonNull(interval, "interval");
            requireNonNull(rateWindow, "rateWindow");
            requireNonNull(function, "function");
            requireNonNull(sampleAge, "sampleAge");
            Checks checks = new Checks();
            boolean ok = checks.positive(interval, "scrape-interval")
                    & checks.that(interval.toNanos() % 1_000_000 == 0, "scrape-interval", "must be whole milliseconds")
                    & checks.that(rateWindow.toNanos() % 1_000_000 == 0, "rate-window", "must be whole milliseconds");
            if (checks.that(!sampleAge.isNegative() && sampleAge.compareTo(Duration.ofDays(1)) <= 0, "sample-age",
                    "must be in [0s, 1d]")) {
                checks.that(sampleAge.toNanos() % 1_000_000 == 0, "sample-age", "must be whole milliseconds");
            }
            if (ok) {
                checks.that(rateWindow.compareTo(interval.multipliedBy(2)) >= 0, "rate-window",
                        "must be at least two scrape intervals (" + Durations.setting(interval.multipliedBy(2))
                                + "): " + (function == RateFunction.IRATE ? "irate()" : "rate()") + " needs two samples");
            }
            checks.done();
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
            Checks checks = new Checks();
            checks.that(hotAbove > 0 && hotAbove <= 1, "hot-above", "must be in (0, 1]");
            notNegative(checks, reversalWindow, "reversal-window");
            checks.done();
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
     * @param metricsResolution        metrics-server's {@code --metric-resolution}: the HPA lanes read
     *                                 cpu sampled this often, over this long (see {@link MetricsView})
     */
    public record Hpa(double tolerance, Duration syncPeriod, Duration downscaleStabilization,
                      Duration cpuInitializationPeriod, Duration metricsResolution) {

        public Hpa {
            requireNonNull(syncPeriod, "syncPeriod");
            requireNonNull(downscaleStabilization, "downscaleStabilization");
            requireNonNull(cpuInitializationPeriod, "cpuInitializationPeriod");
            requireNonNull(metricsResolution, "metricsResolution");
            Checks checks = new Checks();
            checks.that(tolerance >= 0 && tolerance < 1, "tolerance", "must be in [0, 1)");
            checks.positive(syncPeriod, "sync-period");
            notNegative(checks, downscaleStabilization, "downscale-stabilization");
            notNegative(checks, cpuInitializationPeriod, "cpu-initialization-period");
            if (checks.positive(metricsResolution, "metrics-resolution")) {
                checks.that(metricsResolution.toNanos() % 1_000_000 == 0, "metrics-resolution", "must be whole milliseconds");
            }
            checks.done();
        }

        /** How the HPA lanes see their component: through metrics-server at {@code metricsResolution}. */
        public MetricsView metricsView() {
            return MetricsView.metricsServer(metricsResolution);
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
            Checks checks = new Checks();
            if (checks.atLeast(minReplicas, 1, "min-replicas")) {
                checks.that(maxReplicas >= minReplicas, "max-replicas", "must be >= min-replicas (" + minReplicas + ")");
            }
            boolean band = checks.that(cpuScaleOutAbove > 0, "signals.cpu.scale-out-above", "must be > 0");
            if (checks.that(cpuScaleInBelow >= 0, "signals.cpu.scale-in-below", "must be >= 0")) {
                band &= checks.that(cpuScaleInBelow < cpuScaleOutAbove, "signals.cpu.scale-in-below",
                        "must be < scale-out-above (" + cpuScaleOutAbove + ")");
            } else {
                band = false;
            }
            // The target defaults to the band's middle: with a broken band it is derived from values already
            // refused, and blaming it would point at a line the user never wrote (reference.conf's target = null).
            if (band) {
                checks.that(cpuTarget > 0 && cpuTarget <= 1, "signals.cpu.target", "must be in (0, 1]");
            }
            checks.done();
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
     * or empty when it does not or cannot be read; for errors that name the line an SRE must change. Keys inside
     * the {@code clusters} list count too ({@code clusters.0.components.queryNode.signals.read-queue.enabled}):
     * a signal is as often enabled on one cluster's component as in the defaults.
     */
    public static String origin(Path file, String fragment) {
        try {
            int best = firstLine(ConfigFactory.parseFile(file.toAbsolutePath().normalize().toFile()).root(), "",
                    fragment);
            return best == Integer.MAX_VALUE ? "" : file.getFileName() + ":" + best;
        } catch (ConfigException e) {
            return "";
        }
    }

    /** The first line of a leaf under {@code value} (at {@code path}) whose path contains {@code fragment}. */
    private static int firstLine(ConfigValue value, String path, String fragment) {
        int best = Integer.MAX_VALUE;
        if (value instanceof com.typesafe.config.ConfigObject object) {
            for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
                best = Math.min(best, firstLine(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(),
                        fragment));
            }
        } else if (value instanceof com.typesafe.config.ConfigList list) {
            for (int i = 0; i < list.size(); i++) {
                best = Math.min(best, firstLine(list.get(i), path + "." + i, fragment));
            }
        } else if (path.contains(fragment) && value.origin().lineNumber() > 0) {
            best = value.origin().lineNumber();
        }
        return best;
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
            // Absolute, as the config loader reads it: typesafe-config resolves a relative include against the
            // including file's parent, and a bare file name has none (it looked on the classpath, missed the
            // file and dropped the include's settings without a word).
            Config user = ConfigFactory.parseFile(file.toAbsolutePath().normalize().toFile(),
                    ConfigParseOptions.defaults().setAllowMissing(false));
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
     * Reads the sim block and the policy bounds for {@code component} through the config package's error
     * collector: every problem at once, each as {@code path = value (file:line): rule}, the rules held by
     * the records above.
     *
     * @throws InvalidConfigException listing every bad key
     */
    public static SimSettings from(Config config, Component component) {
        return from(config, component, Optional.empty());
    }

    /**
     * As {@link #from(Config, Component)}, with a configured target's own replica bounds and CPU band ({@code target},
     * its settings as {@code run} builds them) in place of the layered defaults', so the sim keys checked against the
     * bounds ({@code initial-replicas}) are checked against the ones the run uses, and refused with their line. The
     * layered defaults' bounds are not read then: a {@code component-defaults} min-replicas of 15 over defaults'
     * max-replicas 10 is no fault of a target whose cluster sets 20 (recheck 101, F1); only their CPU band is, for a
     * target whose cpu signal is off.
     *
     * @throws InvalidConfigException listing every bad key
     */
    public static SimSettings from(Config config, Component component, Optional<PolicySettings> target) {
        requireNonNull(config, "config");
        requireNonNull(component, "component");
        requireNonNull(target, "target");
        return BlockReader.read(config, "milvus-autoscaler", root -> {
            BlockReader sim = root.child("sim");
            BlockReader policy = policyBlock(root, component);
            return sim == null ? null : read(sim, policy, target);
        });
    }

    /** {@code component-defaults.<component>} over {@code defaults}, as a real target of it inherits them. */
    private static BlockReader policyBlock(BlockReader root, Component component) {
        BlockReader defaults = root.child("defaults");
        BlockReader componentDefaults = root.child("component-defaults");
        BlockReader own = componentDefaults == null ? null : componentDefaults.childIfPresent(component.configName());
        return own == null || defaults == null ? defaults : own.withFallback(defaults);
    }

    /**
     * Builds every record even when some value failed to read, with a stand-in that passes its own rule in
     * its place, so the others are still checked and every problem is reported at once; nothing built from
     * a stand-in is returned ({@link BlockReader#read} throws when any problem was recorded).
     */
    private static SimSettings read(BlockReader r, BlockReader policy, Optional<PolicySettings> target) {
        Duration tick = or(r.duration("tick"), Duration.ofSeconds(1));
        int peakNodes = or(r.integer("peak-nodes"), 1);
        Integer initial = r.isNull("initial-replicas") ? null : or(r.integer("initial-replicas"), 0);
        long seed = or(r.longInteger("seed"), 0L);
        int chartPoints = or(r.integer("chart-points"), 10);
        Model model = r.build(() -> new Model(or(r.number("capacity-qps"), 1.0), or(r.duration("startup"), Duration.ZERO),
                or(r.duration("warmup"), Duration.ZERO), or(r.duration("drain"), Duration.ZERO),
                or(r.number("rebalance-penalty"), 0.0), or(r.bytes("dataset-size"), 0L),
                or(r.bytes("node-overhead"), 0L), or(r.bytes("memory-limit"), 1L)));
        // Two keys in one rule: checked only when both were read.
        Duration interval = r.duration("scrape-interval");
        Duration sampleAge = or(r.duration("sample-age"), Duration.ZERO);
        Duration window = r.duration("rate-window");
        String function = r.string("rate-function");
        Scrape scrape = interval == null || window == null || function == null ? null
                : r.build(() -> {
                    if (window.compareTo(interval.multipliedBy(2)) < 0 && r.isDefault("rate-window")
                            && !r.isDefault("scrape-interval")) {
                        // The shipped window is not what the user changed: name the line they wrote.
                        throw new SettingException(List.of(new SettingException.Problem("scrape-interval",
                                "must be at most half of rate-window (" + Durations.setting(window) + ", its default): "
                                        + function + "() needs two samples")));
                    }
                    return new Scrape(interval, window, RateFunction.named(function), sampleAge);
                });
        Score score = r.build(() -> new Score(or(r.number("hot-above"), 1.0), or(r.duration("reversal-window"),
                Duration.ZERO)));
        BlockReader h = r.child("hpa");
        Hpa hpa = h == null ? null : h.build(() -> new Hpa(or(h.number("tolerance"), 0.0),
                or(h.duration("sync-period"), Duration.ofSeconds(1)), or(h.duration("downscale-stabilization"),
                Duration.ZERO), or(h.duration("cpu-initialization-period"), Duration.ZERO),
                or(h.duration("metrics-resolution"), Duration.ofSeconds(1))));
        Bounds bounds = bounds(policy, target);
        OptionalInt initialReplicas = initial == null ? OptionalInt.empty() : OptionalInt.of(initial);
        if (model == null || scrape == null || score == null || hpa == null || bounds == null) {
            // The whole block's own rules still run, on stand-ins that pass theirs for the parts that failed, so a bad
            // chart-points is reported beside a bad capacity-qps and not only once that is fixed (audit-input F8).
            // Without the bounds, initial-replicas has nothing to be judged against and is left to the next run.
            r.build(() -> new SimSettings(tick, peakNodes, bounds == null ? OptionalInt.empty() : initialReplicas, seed,
                    chartPoints, or(model, new Model(1.0, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0.0, 0L, 0L, 1L)),
                    or(scrape, new Scrape(Duration.ofSeconds(1), Duration.ofSeconds(2), RateFunction.IRATE, Duration.ZERO)),
                    or(score, new Score(1.0, Duration.ZERO)), or(hpa, new Hpa(0.0, Duration.ofSeconds(1), Duration.ZERO,
                    Duration.ZERO, Duration.ofSeconds(1))), or(bounds, new Bounds(1, 1, 1.0, 0.0, 0.5))));
            return null;
        }
        return r.build(() -> new SimSettings(tick, peakNodes, initialReplicas, seed, chartPoints, model, scrape, score,
                hpa, bounds));
    }

    private static <T> T or(T value, T standIn) {
        return value != null ? value : standIn;
    }

    /** The layered defaults' bounds and CPU band, or {@code target}'s, the layered band standing in for its cpu off. */
    private static Bounds bounds(BlockReader policy, Optional<PolicySettings> target) {
        var cpuPolicy = target.flatMap(t -> t.signals().stream().filter(x -> x.name().equals("cpu")).findFirst());
        if (target.isPresent() && cpuPolicy.isPresent()) {
            SignalPolicy c = cpuPolicy.get();
            return new Bounds(target.get().minReplicas(), target.get().maxReplicas(), c.scaleOutAbove(),
                    c.scaleInBelow(), c.target());
        }
        if (policy == null) {
            return null;
        }
        Integer min = target.isPresent() ? Integer.valueOf(target.get().minReplicas()) : policy.integer("min-replicas");
        Integer max = target.isPresent() ? Integer.valueOf(target.get().maxReplicas()) : policy.integer("max-replicas");
        BlockReader signals = policy.child("signals");
        BlockReader cpu = signals == null ? null : signals.child("cpu");
        if (cpu == null) {
            return null;
        }
        Double above = cpu.number("scale-out-above");
        Double below = cpu.number("scale-in-below");
        Double middle = cpu.numberOrNull("target");
        if (min == null || max == null || above == null || below == null || (middle == null && !cpu.isNull("target"))) {
            return null;
        }
        double cpuTarget = middle != null ? middle : (above + below) / 2;
        return policy.build(() -> new Bounds(min, max, above, below, cpuTarget), cpu);
    }

    private static void notNegative(Checks checks, Duration d, String key) {
        checks.that(!d.isNegative(), key, "must be 0s or more");
    }

    private static void withinADay(Checks checks, Duration d, String key) {
        checks.that(!d.isNegative() && d.compareTo(Duration.ofDays(1)) <= 0, key, "must be in [0s, 1d]");
    }
}
