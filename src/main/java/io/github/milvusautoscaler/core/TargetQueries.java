package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything the metrics adapter queries for one target, after the config resolved defaults and
 * overrides ({@code TargetSettings.queries()}).
 *
 * @param target      the component of one cluster
 * @param signals     enabled signals in configuration order; the observation lists them in this order
 * @param settleQuery template that is &gt; 0 while data still moves after a step-down; empty: always QUIET
 * @param healthQuery template that is &gt; 0 while the component is unhealthy; empty: health UNKNOWN
 * @param replicaFloorQuery template of the fewest replicas the loaded in-memory replicas need; empty: no such floor
 */
public record TargetQueries(Target target, List<SignalQuery> signals, String settleQuery, String healthQuery,
                            String replicaFloorQuery) {

    public TargetQueries {
        requireNonNull(target, "target");
        signals = List.copyOf(requireNonNull(signals, "signals"));
        requireNonNull(settleQuery, "settleQuery");
        requireNonNull(healthQuery, "healthQuery");
        Set<String> names = new HashSet<>();
        for (SignalQuery signal : signals) {
            if (!names.add(signal.name())) {
                throw new IllegalArgumentException(target + ": signal " + signal.name() + " is listed twice");
            }
        }
        requireNonNull(replicaFloorQuery, "replicaFloorQuery");
        validate(target, "settle-query", settleQuery);
        validate(target, "health-query", healthQuery);
        validate(target, "replica-floor-query", replicaFloorQuery);
    }

    /** Queries with no replica-floor query. */
    public TargetQueries(Target target, List<SignalQuery> signals, String settleQuery, String healthQuery) {
        this(target, signals, settleQuery, healthQuery, "");
    }

    private static void validate(Target target, String what, String template) {
        if (template.isBlank()) {
            return;
        }
        PromqlPlaceholders.problem(template).ifPresent(p -> {
            throw new IllegalArgumentException(target + " " + what + ": " + p);
        });
    }
}
