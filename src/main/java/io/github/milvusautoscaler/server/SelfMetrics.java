package io.github.milvusautoscaler.server;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.DecisionSink;
import io.github.milvusautoscaler.core.MetricNames;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.engine.Engine;
import io.github.milvusautoscaler.engine.EngineListener;
import io.github.milvusautoscaler.engine.TargetView;
import io.github.milvusautoscaler.policy.ScheduledFloor;
import io.github.milvusautoscaler.policy.SignalPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The daemon's own metrics: decisions, replicas, signals next to their thresholds, tick time,
 * API errors and leadership. Per-target gauges follow the engine's views, so a target removed by
 * a reload disappears from /metrics instead of freezing at its last value.
 */
public final class SelfMetrics implements DecisionSink, EngineListener {

    private final MeterRegistry registry;
    private final Map<Meter.Id, double[]> gauges = new HashMap<>();
    private final Set<Target> known = new HashSet<>();

    public SelfMetrics(MeterRegistry registry, BooleanSupplier leader, boolean dryRun) {
        this(registry, leader, () -> dryRun);
    }

    /** With dry-run read at each scrape: a config reload may switch it while the daemon runs. */
    public SelfMetrics(MeterRegistry registry, BooleanSupplier leader, BooleanSupplier dryRun) {
        this.registry = requireNonNull(registry, "registry");
        // strongReference: Micrometer holds gauge objects weakly, and this supplier has no other owner.
        Gauge.builder(MetricNames.LEADER, leader, l -> l.getAsBoolean() ? 1 : 0).strongReference(true)
                .description(MetricNames.help(MetricNames.LEADER)).register(registry);
        Gauge.builder(MetricNames.DRY_RUN, dryRun, d -> d.getAsBoolean() ? 1 : 0).strongReference(true)
                .description(MetricNames.help(MetricNames.DRY_RUN)).register(registry);
        // Counters exist at 0 from the start, so rate() and increase() see their first event.
        for (ActuationException.Kind kind : ActuationException.Kind.values()) {
            for (String op : new String[] {"read", "write", "memory"}) {
                counter(registry, MetricNames.KUBERNETES_ERRORS, "kind", kind.name(), "operation", op);
            }
        }
        for (String result : new String[] {"ok", "failed"}) {
            counter(registry, MetricNames.CONFIG_RELOADS, "result", result);
        }
        for (String result : new String[] {"accepted", "duplicate", "resolved", "ignored"}) {
            counter(registry, MetricNames.ALERTS, "result", result);
        }
    }

    /**
     * The counter {@code name} with {@code tags}, registered with its description: {@code registry.counter(name,
     * tags)} sets none, and Prometheus' HELP line comes from the first registration of a name, wherever it is.
     */
    public static Counter counter(MeterRegistry registry, String name, String... tags) {
        return Counter.builder(name).description(MetricNames.help(name)).tags(tags).register(registry);
    }

    /** Registers a target's counters at 0 the first time it is seen: every reason, and write results. */
    private void preRegister(Target target) {
        if (!known.add(target)) {
            return;
        }
        for (Reason reason : Reason.values()) {
            counter(registry, MetricNames.DECISIONS, "target", target.id(), "action", reason.action().name(),
                    "reason", reason.name());
        }
        for (String result : new String[] {"ok", "failed", "abandoned"}) {
            counter(registry, MetricNames.WRITES, "target", target.id(), "result", result);
        }
        for (String result : new String[] {"resolved", "failed"}) {
            counter(registry, MetricNames.WRITE_CONFLICTS, "target", target.id(), "result", result);
        }
        for (String result : new String[] {"landed", "not_landed", "unknown"}) {
            counter(registry, MetricNames.AMBIGUOUS_WRITES, "target", target.id(), "result", result);
        }
    }

    @Override
    public void record(Decision d) {
        synchronized (this) {
            preRegister(d.target());
        }
        counter(registry, MetricNames.DECISIONS, "target", d.target().id(), "action", d.action().name(),
                "reason", d.reason().name()).increment();
    }

    @Override
    public void readFailed(Target target, ActuationException e) {
        counter(registry, MetricNames.KUBERNETES_ERRORS, "kind", e.kind().name(), "operation", "read").increment();
    }

    @Override
    public void writeFailed(Decision decision, ActuationException e) {
        counter(registry, MetricNames.KUBERNETES_ERRORS, "kind", e.kind().name(), "operation", "write").increment();
        counter(registry, MetricNames.WRITES, "target", decision.target().id(), "result", "failed").increment();
    }

    @Override
    public void memoryWriteFailed(Target target, ActuationException e) {
        counter(registry, MetricNames.KUBERNETES_ERRORS, "kind", e.kind().name(), "operation", "memory").increment();
    }

    @Override
    public void writeAbandoned(Decision decision, String why) {
        counter(registry, MetricNames.WRITES, "target", decision.target().id(), "result", "abandoned").increment();
    }

    @Override
    public void writeConflict(Target target, boolean resolved) {
        counter(registry, MetricNames.WRITE_CONFLICTS, "target", target.id(), "result", resolved ? "resolved" : "failed")
                .increment();
    }

    @Override
    public void ambiguousWrite(Target target, String result) {
        counter(registry, MetricNames.AMBIGUOUS_WRITES, "target", target.id(), "result", result).increment();
    }

    @Override
    public void tickFinished(Target target, Duration took) {
        Timer.builder(MetricNames.TICK).description(MetricNames.help(MetricNames.TICK)).tag("target", target.id())
                .register(registry).record(took);
    }

    /** A removed target's meters leave /metrics, counters and tick timer too, not only its gauges. */
    @Override
    public synchronized void forgotten(Target target) {
        known.remove(target);
        String id = target.id();
        registry.getMeters().stream().filter(m -> id.equals(m.getId().getTag("target"))).toList()
                .forEach(registry::remove);
        gauges.keySet().removeIf(m -> id.equals(m.getTag("target")));
    }

    @Override
    public void writeSucceeded(Decision decision) {
        counter(registry, MetricNames.WRITES, "target", decision.target().id(), "result", "ok").increment();
    }

    /** Brings per-target gauges in line with the engine's views; called before each scrape. */
    public synchronized void refresh(Engine engine) {
        Set<Meter.Id> seen = new HashSet<>();
        for (TargetView v : engine.views().values()) {
            String id = v.target().id();
            Integer current = v.status() != null ? v.status().current() : null;
            Integer ready = v.status() != null ? v.status().ready() : null;
            Integer desired = v.decision() != null ? v.decision().to() : null;
            set(seen, MetricNames.REPLICAS, Tags.of("target", id, "kind", "current"), current);
            set(seen, MetricNames.REPLICAS, Tags.of("target", id, "kind", "ready"), ready);
            set(seen, MetricNames.REPLICAS, Tags.of("target", id, "kind", "desired"), desired);
            set(seen, MetricNames.ALERTS_FIRING, Tags.of("target", id),
                    v.observation() == null ? null : v.observation().alerts().size());
            set(seen, MetricNames.REPLICAS, Tags.of("target", id, "kind", "min"), v.settings().minReplicas());
            set(seen, MetricNames.REPLICAS, Tags.of("target", id, "kind", "max"), v.settings().maxReplicas());
            if (!v.settings().scheduled().isEmpty()) {
                // The scheduled floor in force, as the policy runs it (clamped to max); 0 while no window is on.
                set(seen, MetricNames.REPLICAS, Tags.of("target", id, "kind", "scheduled_floor"), ScheduledFloor
                        .inForce(v.settings().scheduled(), engine.clock().instant())
                        .map(f -> f.replicasUnder(v.settings().maxReplicas())).orElse(0));
            }
            for (SignalPolicy band : v.settings().signals()) {
                Double value = null;
                if (v.observation() != null) {
                    Signal s = v.observation().signals().get(band.name());
                    if (s != null && s.isKnown()) {
                        value = s.value().getAsDouble();
                    }
                }
                set(seen, MetricNames.SIGNAL_VALUE, Tags.of("target", id, "signal", band.name()), value);
                set(seen, MetricNames.SIGNAL_THRESHOLD,
                        Tags.of("target", id, "signal", band.name(), "bound", "scale_out_above"), band.scaleOutAbove());
                set(seen, MetricNames.SIGNAL_THRESHOLD,
                        Tags.of("target", id, "signal", band.name(), "bound", "scale_in_below"), band.scaleInBelow());
                // The level the policy read HIGH above at the last tick: scale_out_above, or forecast.line x that
                // while the signal has a trusted forecast; the dashboard's threshold panel draws it with the others.
                set(seen, MetricNames.SIGNAL_THRESHOLD, Tags.of("target", id, "signal", band.name(), "bound", "line"),
                        v.observation() == null ? band.scaleOutAbove()
                                : v.settings().forecast().lineFor(band, v.observation().forecast()));
            }
        }
        gauges.keySet().removeIf(idKey -> {
            if (!seen.contains(idKey)) {
                registry.remove(idKey);
                return true;
            }
            return false;
        });
    }

    /** Sets a gauge; a null value (unknown) is exported as NaN, never as a number. */
    private void set(Set<Meter.Id> seen, String name, Tags tags, Number value) {
        double v = value == null ? Double.NaN : value.doubleValue();
        Meter.Id key = new Meter.Id(name, tags, null, null, Meter.Type.GAUGE);
        double[] holder = gauges.get(key);
        if (holder == null) {
            double[] h = new double[] {v};
            Gauge g = Gauge.builder(name, h, a -> a[0]).tags(tags).description(MetricNames.help(name)).register(registry);
            gauges.put(g.getId(), h);
            seen.add(g.getId());
            return;
        }
        holder[0] = v;
        seen.add(key);
    }
}
