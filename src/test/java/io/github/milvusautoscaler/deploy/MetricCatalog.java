package io.github.milvusautoscaler.deploy;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.metrics.FailureKind;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The Prometheus names the daemon exports, as dashboards and alert rules must spell them: every
 * constant of core.MetricNames and metrics.MetricNames registered in a real
 * {@link PrometheusMeterRegistry} as the meter type the daemon uses (counters gain {@code _total},
 * timers {@code _seconds_count}, {@code _seconds_sum} and {@code _seconds_max}), plus resilience4j's
 * circuit-breaker meters bound the way the Prometheus adapter binds them. Also the values some labels
 * can take, from the enums that produce them, so a query filtering on a misspelt reason (which
 * would silently select nothing) fails a test.
 */
public final class MetricCatalog {

    private enum Type { COUNTER, GAUGE, TIMER }

    /**
     * The meter type of every metric-name constant. A constant missing here fails
     * {@link #exportedNames()}, so a new metric cannot be left out of the check.
     */
    private static final Map<String, Type> TYPES = new LinkedHashMap<>();

    static {
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.DECISIONS, Type.COUNTER);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.REPLICAS, Type.GAUGE);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.SIGNAL_VALUE, Type.GAUGE);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.SIGNAL_THRESHOLD, Type.GAUGE);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.TICK, Type.TIMER);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.KUBERNETES_ERRORS, Type.COUNTER);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.WRITES, Type.COUNTER);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.WRITE_CONFLICTS, Type.COUNTER);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.AMBIGUOUS_WRITES, Type.COUNTER);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.KUBERNETES_REACHABLE, Type.GAUGE);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.LEADER, Type.GAUGE);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.DRY_RUN, Type.GAUGE);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.CONFIG_RELOADS, Type.COUNTER);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.CONFIG_REFUSED, Type.GAUGE);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.ALERTS, Type.COUNTER);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.ALERTS_FIRING, Type.GAUGE);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.ALERT_WEBHOOKS_REFUSED, Type.COUNTER);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.HTTP_REJECTED, Type.COUNTER);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.ALERTS_DROPPED, Type.COUNTER);
        TYPES.put(io.github.milvusautoscaler.core.MetricNames.TICKS_SKIPPED, Type.COUNTER);
        TYPES.put(io.github.milvusautoscaler.metrics.MetricNames.QUERY_ERRORS, Type.COUNTER);
        TYPES.put(io.github.milvusautoscaler.metrics.MetricNames.QUERY_DURATION, Type.TIMER);
        TYPES.put(io.github.milvusautoscaler.metrics.MetricNames.SIGNAL_UNKNOWN, Type.COUNTER);
        TYPES.put(io.github.milvusautoscaler.metrics.MetricNames.HISTORY_READS, Type.COUNTER);
    }

    /** Constants of metrics.MetricNames that are not meter names of ours (tags, prefixes, resilience4j's own). */
    private static final Set<String> NOT_OURS = Set.of("TAG_KIND", "TAG_OUTCOME", "TAG_SIGNAL", "TAG_RESULT",
            "RESILIENCE_NAME_PREFIX", "BREAKER_STATE", "BREAKER_CALLS", "RETRY_CALLS", "PREFIX");

    private static final Pattern EXPORTED_LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

    private MetricCatalog() {
    }

    /**
     * Every Prometheus metric name the daemon's own meters and its circuit breaker export, e.g.
     * {@code milvus_autoscaler_decisions_total}, {@code milvus_autoscaler_tick_seconds_max},
     * {@code resilience4j_circuitbreaker_state}.
     *
     * @throws IllegalStateException when a metric-name constant has no known meter type
     */
    public static Set<String> exportedNames() {
        Set<String> constants = new TreeSet<>();
        constants.addAll(constants(io.github.milvusautoscaler.core.MetricNames.class));
        constants.addAll(constants(io.github.milvusautoscaler.metrics.MetricNames.class));
        constants.removeAll(TYPES.keySet());
        if (!constants.isEmpty()) {
            throw new IllegalStateException("metric names without a meter type in MetricCatalog.TYPES: " + constants);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TYPES.forEach((name, type) -> {
            switch (type) {
                case COUNTER -> Counter.builder(name).register(registry).increment();
                case GAUGE -> Gauge.builder(name, () -> 1).register(registry);
                case TIMER -> Timer.builder(name).register(registry).record(java.time.Duration.ofMillis(3));
            }
        });
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
        breakers.circuitBreaker(io.github.milvusautoscaler.metrics.MetricNames.RESILIENCE_NAME_PREFIX + "127.0.0.1:9090");
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
        Set<String> names = new TreeSet<>();
        for (String line : registry.scrape().split("\n")) {
            Matcher m = EXPORTED_LINE.matcher(line);
            if (!line.startsWith("#") && m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /**
     * The values a label of a metric can take, for the labels whose values come from an enum or a
     * fixed set: keys are {@code metric/label}, e.g. {@code milvus_autoscaler_decisions_total/reason}.
     */
    public static Map<String, Set<String>> labelValues() {
        Map<String, Set<String>> values = new LinkedHashMap<>();
        Set<String> reasons = Arrays.stream(Reason.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
        Set<String> actions = Arrays.stream(Action.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
        Set<String> failures = Arrays.stream(FailureKind.values()).map(FailureKind::tag).collect(Collectors.toCollection(TreeSet::new));
        Set<String> apiErrors = Arrays.stream(ActuationException.Kind.values()).map(Enum::name)
                .collect(Collectors.toCollection(TreeSet::new));
        values.put("milvus_autoscaler_decisions_total/reason", reasons);
        values.put("milvus_autoscaler_decisions_total/action", actions);
        values.put("milvus_autoscaler_replicas/kind", Set.of("current", "desired", "ready", "min", "max",
                "scheduled_floor"));
        values.put("milvus_autoscaler_signal_threshold/bound", Set.of("scale_out_above", "scale_in_below", "line"));
        // As server.SelfMetrics registers them for every target: abandoned was missing here (recheck 109's fixes).
        values.put("milvus_autoscaler_scale_writes_total/result", Set.of("ok", "failed", "abandoned"));
        values.put("milvus_autoscaler_kubernetes_errors_total/kind", apiErrors);
        values.put("milvus_autoscaler_kubernetes_errors_total/operation", Set.of("read", "write", "memory"));
        values.put("milvus_autoscaler_prometheus_query_errors_total/kind", failures);
        values.put("milvus_autoscaler_signal_unknown_total/kind", failures);
        values.put("milvus_autoscaler_prometheus_query_seconds_count/outcome", Set.of("success", "error"));
        values.put("milvus_autoscaler_prometheus_query_seconds_sum/outcome", Set.of("success", "error"));
        values.put("milvus_autoscaler_prometheus_query_seconds_max/outcome", Set.of("success", "error"));
        values.put("milvus_autoscaler_config_reloads_total/result", Set.of("ok", "failed"));
        values.put("milvus_autoscaler_history_reads_total/result", Set.of("ok", "failed"));
        values.put("milvus_autoscaler_alerts_total/result", Set.of("accepted", "duplicate", "ignored", "resolved"));
        values.put("milvus_autoscaler_http_rejected_total/reason", Set.of("max_connections", "max_connections_per_client",
                "header_timeout", "header_too_large", "request_timeout", "handler_timeout"));
        values.put("milvus_autoscaler_alerts_dropped_total/reason", Set.of("resolved_evicted", "expired", "refused_full",
                "refused_too_many", "truncated"));
        // AlertsHandler's statuses: 400 malformed, 401 token, 404 off, 405 method, 413 size, 415 type, 503 follower or full.
        values.put("milvus_autoscaler_alert_webhooks_refused_total/status", Set.of("400", "401", "404", "405", "413", "415",
                "503"));
        values.put("resilience4j_circuitbreaker_state/state", Arrays.stream(CircuitBreaker.State.values())
                .map(s -> s.name().toLowerCase(Locale.ROOT)).collect(Collectors.toCollection(TreeSet::new)));
        return values;
    }

    private static Set<String> constants(Class<?> holder) {
        Set<String> names = new TreeSet<>();
        for (Field f : holder.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isStatic(mod) && Modifier.isPublic(mod) && f.getType() == String.class
                    && !NOT_OURS.contains(f.getName())) {
                try {
                    names.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return names;
    }
}
