package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.policy.PolicySettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One trace, one model, N policies: each policy drives its own {@link SimulatedComponent} through
 * the same demand, tick by tick, and gets a {@link Scorecard}. Built once, run any number of times
 * (each run builds fresh policies and components).
 *
 * <pre>{@code
 * SimulationResult r = Simulation.builder()
 *         .trace(TraceRegistry.resolve("nyc_taxi", 1))
 *         .settings(SimSettings.defaults())
 *         .policies(SimPolicies.builtIn(), List.of("hpa", "hpa-milvus"))
 *         .build()
 *         .run(RunListener.NONE);
 * }</pre>
 */
public final class Simulation {

    private final LoadTrace demand;
    private final SimSettings settings;
    private final Config config;
    private final Optional<PolicySettings> policySettings;
    private final Target target;
    private final Map<String, Function<SimContext, SimPolicy>> policies;
    private final int initialReplicas;

    /** The most ticks one run keeps (a few bytes each per lane): 40 times nyc_taxi's 215 days at 15s. */
    public static final long MAX_TICKS = 50_000_000L;

    private Simulation(Builder b) {
        this.settings = requireNonNull(b.settings, "settings");
        this.demand = demand(requireNonNull(b.trace, "trace"), settings, b.compress);
        long ticks = SimulationRun.ticks(demand, settings.tick());
        if (demand.durationSeconds() * 1000 < 2.0 * settings.tick().toMillis()) {
            // A trace compressed to nothing ran with exit 0, an empty scorecard and a chart of one point (audit-input F4).
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "%s spans %ss%s, less than two"
                    + " ticks of sim.tick %s: nothing to simulate; lower --compress or sim.tick, or give a longer trace",
                    demand.name(), new java.math.BigDecimal(demand.durationSeconds()).round(new java.math.MathContext(3))
                            .stripTrailingZeros().toPlainString(),
                    b.compress == 1 ? "" : " after --compress "
                            + java.math.BigDecimal.valueOf(b.compress).stripTrailingZeros().toPlainString(),
                    Durations.setting(settings.tick())));
        }
        if (ticks > MAX_TICKS) {
            // Refused before anything is allocated: sim.tick = 1ms over a 14-day trace asked for 1.2e9 ticks and
            // ran out of memory 25 s in.
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "%s at sim.tick %s is %,d ticks;"
                    + " at most %,d fit in memory (nyc_taxi's 215 days at 15s are 1,238,280): raise sim.tick or"
                    + " --compress", demand.name(), Durations.setting(settings.tick()), ticks,
                    MAX_TICKS));
        }
        this.config = b.config != null ? b.config : SimSettings.loadConfig(Optional.empty());
        this.policySettings = b.policySettings;
        this.target = b.target != null ? b.target : defaultTarget(demand.name(), b.component);
        if (b.policies.isEmpty()) {
            throw new IllegalArgumentException("a simulation needs at least one policy");
        }
        this.policies = new LinkedHashMap<>(b.policies);
        this.initialReplicas = initialReplicas(demand, settings);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The demand curve a raw trace becomes: rescaled so its peak needs {@code settings.peakNodes()}
     * nodes at 100%, then compressed (see {@link LoadTrace#rescaled} and {@link LoadTrace#compressed}).
     */
    public static LoadTrace demand(LoadTrace raw, SimSettings settings, double compress) {
        return raw.rescaled(settings.peakNodes(), settings.model().capacityQps()).compressed(compress);
    }

    /**
     * Replicas at time zero: {@code sim.initial-replicas}, or enough to serve the first value at
     * the CPU target, clamped to [min, max]: 442.6 qps / (200 x 0.575) = 3.85, so 4.
     */
    public static int initialReplicas(LoadTrace demand, SimSettings settings) {
        if (settings.initialReplicas().isPresent()) {
            return settings.initialReplicas().getAsInt();
        }
        double perNode = settings.model().capacityQps() * settings.bounds().cpuTarget();
        int needed = (int) Math.ceil(demand.value(0) / perNode - 1e-9);
        return Math.max(settings.bounds().minReplicas(), Math.min(settings.bounds().maxReplicas(), needed));
    }

    /** {@code sim/<trace>/<component>}, operator install: what simulated decisions name. */
    public static Target defaultTarget(String traceName, Component component) {
        String name = traceName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        return new Target("sim", name.isEmpty() ? "trace" : name, requireNonNull(component, "component"),
                InstallKind.OPERATOR);
    }

    /** The demand curve in requests/s (rescaled and compressed). */
    public LoadTrace demand() {
        return demand;
    }

    /**
     * The load history the milvus-autoscaler policy's seasonal forecast reads here: the demand's own past,
     * never its future ({@link TraceHistory}). The demo's live engine reads the same, so what it prints is
     * what the scorecard scores.
     */
    public io.github.milvusautoscaler.core.HistorySource forecastHistory() {
        return new TraceHistory(demand, settings.model().capacityQps(), policySettings.orElseGet(
                () -> io.github.milvusautoscaler.config.ConfigLoader.policyFor(config, target.component())).forecast());
    }

    public SimSettings settings() {
        return settings;
    }

    public Target target() {
        return target;
    }

    /** Policy names in run order. */
    public List<String> policyNames() {
        return List.copyOf(policies.keySet());
    }

    /** Replicas every component starts with. */
    public int initialReplicas() {
        return initialReplicas;
    }

    /**
     * A fresh component on this simulation's demand, target and initial replicas, seen through
     * Prometheus, for driving the real engine by hand (the demo): it is the engine's
     * {@code MetricsSource} and {@code ReplicaActuator}; count the engine's decisions with a
     * {@link ScoreKeeper} and score with {@code keeper.scorecard(component.totals())} after
     * {@code component.advanceTo(demand().end())}.
     */
    public SimulatedComponent newComponent() {
        return new SimulatedComponent(target, settings, demand, initialReplicas);
    }

    /** {@link #newComponent()} seen through the metrics API {@code policy} reads (metrics-server for the HPA baselines). */
    public SimulatedComponent newComponent(SimPolicy policy) {
        requireNonNull(policy, "policy");
        return new SimulatedComponent(target, settings, demand, initialReplicas,
                requireNonNull(policy.metricsView(settings), "metrics view of " + policy.name()));
    }

    /** A new run, positioned before the first tick, for stepping. */
    public SimulationRun start() {
        SimContext context = new SimContext(target, settings, config, Optional.of(demand), policySettings);
        List<SimulationRun.Lane> lanes = new ArrayList<>();
        for (Map.Entry<String, Function<SimContext, SimPolicy>> e : policies.entrySet()) {
            SimPolicy policy = requireNonNull(e.getValue().apply(context), "factory of " + e.getKey() + " returned null");
            if (!policy.name().equals(e.getKey())) {
                throw new IllegalStateException("factory for '" + e.getKey() + "' built a policy named '" + policy.name() + "'");
            }
            lanes.add(new SimulationRun.Lane(policy, newComponent(policy),
                    new ScoreKeeper(policy.name(), settings.score().reversalWindow())));
        }
        return new SimulationRun(demand, settings, lanes, initialReplicas);
    }

    /**
     * Runs every tick, lanes in parallel on {@link SimulationRun#defaultThreads()} threads, and
     * returns the scorecards and chart series.
     */
    public SimulationResult run(RunListener listener) {
        return run(listener, SimulationRun.defaultThreads());
    }

    /** Runs every tick with the lanes on up to {@code threads} threads; the results are the same for any count. */
    public SimulationResult run(RunListener listener, int threads) {
        requireNonNull(listener, "listener");
        SimulationRun run = start();
        run.runToEnd(listener, threads);
        return run.result();
    }

    /** Builds a {@link Simulation}; trace, settings and at least one policy are required. */
    public static final class Builder {
        private LoadTrace trace;
        private double compress = 1;
        private SimSettings settings;
        private Config config;
        private Component component = Component.QUERY_NODE;
        private Target target;
        private Optional<PolicySettings> policySettings = Optional.empty();
        private final Map<String, Function<SimContext, SimPolicy>> policies = new LinkedHashMap<>();

        private Builder() {
        }

        /** The raw trace; it is rescaled to {@code settings.peakNodes()} and compressed at build time. */
        public Builder trace(LoadTrace raw) {
            this.trace = requireNonNull(raw, "trace");
            return this;
        }

        /** Time compression: 2 plays the trace twice as fast (default 1). */
        public Builder compress(double factor) {
            this.compress = factor;
            return this;
        }

        public Builder settings(SimSettings s) {
            this.settings = requireNonNull(s, "settings");
            return this;
        }

        /** The resolved configuration factories may read; default: reference.conf alone. */
        public Builder config(Config c) {
            this.config = requireNonNull(c, "config");
            return this;
        }

        /** The component simulated (default queryNode); names the default target. */
        public Builder component(Component c) {
            this.component = requireNonNull(c, "component");
            return this;
        }

        /** The policy a configured target gets from {@code run} (simulate --target); default: the layered defaults. */
        public Builder policySettings(PolicySettings p) {
            this.policySettings = Optional.of(requireNonNull(p, "policySettings"));
            return this;
        }

        /** Overrides the default target {@code sim/<trace>/<component>}. */
        public Builder target(Target t) {
            this.target = requireNonNull(t, "target");
            return this;
        }

        /** Adds one policy under {@code name}; its factory runs once per run. */
        public Builder policy(String name, Function<SimContext, SimPolicy> factory) {
            requireNonNull(name, "name");
            requireNonNull(factory, "factory");
            if (policies.putIfAbsent(name, factory) != null) {
                throw new IllegalArgumentException("policy '" + name + "' given twice");
            }
            return this;
        }

        /**
         * Adds the named policies from {@code registry}, in order.
         *
         * @throws IllegalArgumentException naming the first unknown policy and the known ones
         */
        public Builder policies(SimPolicies registry, List<String> names) {
            requireNonNull(registry, "registry");
            registry.requireKnown(requireNonNull(names, "names"));
            for (String n : names) {
                policy(n, registry.factory(n));
            }
            return this;
        }

        public Simulation build() {
            return new Simulation(this);
        }
    }
}
