package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.KubernetesSettings;
import io.github.milvusautoscaler.core.LabelScheme;
import io.github.milvusautoscaler.core.PrometheusEndpoint;
import io.github.milvusautoscaler.core.ServerSettings;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole validated configuration of the daemon: built once by {@link ConfigLoader}, immutable
 * afterwards, so no component re-reads or re-checks HOCON at run time.
 *
 * @param prometheus        where signals come from
 * @param kubernetes        how to reach the API server, leader election
 * @param loopInterval      time between two ticks of one target
 * @param loopJitter        each target's first tick is delayed by up to this much (0: none)
 * @param configReloadInterval how often the config file is checked for changes
 * @param dryRun            decide and log, write nothing
 * @param maxActionsPerHour global budget of scale actions across all targets
 * @param decisionLogPath   JSON Lines file for every decision; empty: none; {@code -}: standard output
 * @param decisionLogEveryHold true: every HOLD is a line; false ({@code decision-log.holds = changes}): a HOLD
 *                          only when it differs from the target's line before (action, reason, from, to)
 * @param server            the HTTP server
 * @param alerts            the Alertmanager webhook and its routes
 * @param labelSchemes      label names per install kind, for the query placeholders
 * @param queryTemplates    PromQL templates by name ({@code milvus-autoscaler.queries}), in reference.conf order
 * @param targets           every target, in file order (clusters, then components as written)
 * @param resolved          the whole resolved {@code milvus-autoscaler} subtree, for blocks other packages
 *                          read themselves (the simulator's {@code sim})
 */
public record AutoscalerSettings(PrometheusEndpoint prometheus, KubernetesSettings kubernetes, Duration loopInterval,
                                 Duration loopJitter, Duration configReloadInterval, boolean dryRun,
                                 int maxActionsPerHour, String decisionLogPath, boolean decisionLogEveryHold,
                                 ServerSettings server, AlertsSettings alerts, Map<InstallKind, LabelScheme> labelSchemes,
                                 Map<String, String> queryTemplates, List<TargetSettings> targets, Config resolved) {

    public AutoscalerSettings {
        requireNonNull(prometheus, "prometheus");
        requireNonNull(kubernetes, "kubernetes");
        requireNonNull(loopInterval, "loopInterval");
        requireNonNull(loopJitter, "loopJitter");
        requireNonNull(configReloadInterval, "configReloadInterval");
        requireNonNull(decisionLogPath, "decisionLogPath");
        requireNonNull(server, "server");
        requireNonNull(alerts, "alerts");
        labelSchemes = Collections.unmodifiableMap(new EnumMap<>(requireNonNull(labelSchemes, "labelSchemes")));
        queryTemplates = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(queryTemplates, "queryTemplates")));
        targets = List.copyOf(requireNonNull(targets, "targets"));
        requireNonNull(resolved, "resolved");
        for (InstallKind kind : InstallKind.values()) {
            if (!labelSchemes.containsKey(kind)) {
                throw new IllegalArgumentException("no label scheme for " + kind);
            }
        }
    }

    /**
     * The line that refuses the value at {@code key} (under {@code milvus-autoscaler}, e.g.
     * {@code prometheus.auth.ca-file}) for a reason only an adapter can check, such as a file that cannot be read
     * here: {@code path = value (file:line): rule}, located and shown as the loader's own errors are.
     */
    public ConfigError refusal(String key, String rule) {
        requireNonNull(key, "key");
        requireNonNull(rule, "rule");
        ConfigValue value = resolved.getValue(key);
        String path = ConfigLoader.ROOT + "." + key;
        return new ConfigError(path, Errors.render(path, value), Origins.file(value.origin()),
                Origins.line(value.origin()), rule);
    }

    /**
     * Advice on settings that are valid but most likely not meant, said by validate-config and at the daemon's start
     * and reload: {@link #budgetAdvice()}, then a {@code prometheus.timeout} not below {@code loop.interval}.
     * Recheck 113 ran {@code timeout = 1h} with a 15s loop unsaid: a Prometheus that hangs then holds a target's tick
     * for the hour and every tick due meanwhile is skipped, where DESIGN.md's default (5s of 15s, a third) costs one
     * tick at most.
     */
    public java.util.List<String> advice() {
        java.util.List<String> advice = new java.util.ArrayList<>();
        budgetAdvice().ifPresent(advice::add);
        if (prometheus.timeout().compareTo(loopInterval) >= 0) {
            advice.add("prometheus.timeout " + Durations.setting(prometheus.timeout()) + " is not below loop.interval "
                    + Durations.setting(loopInterval) + ": a Prometheus that stops answering holds each target's tick"
                    + " that long, and the ticks due meanwhile are skipped (the default, 5s of 15s, costs one tick at"
                    + " most)");
        }
        return java.util.List.copyOf(advice);
    }

    /**
     * Advice when {@code max-actions-per-hour}, the one budget every target shares, is smaller than the number of
     * targets: fewer than one scale action an hour each, so a rise of load across the fleet (the same morning ramp on
     * every cluster of a region) holds most targets' scale-outs as BUDGET_EXHAUSTED while their components overload.
     * Recheck 105's fleet, 25 Helm clusters with 4 targets each, ran 100 targets on the default 30; a queryNode going
     * from 2 to 10 replicas at the default max-step 2 alone writes 4 scale-outs. Not an error: a small budget is a
     * choice an SRE may make on purpose.
     */
    java.util.Optional<String> budgetAdvice() {
        if (maxActionsPerHour >= targets.size()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("max-actions-per-hour " + maxActionsPerHour + " is shared by all "
                + targets.size() + " targets, fewer than one scale action an hour each: a rise of load across the"
                + " fleet (a morning ramp on every cluster) holds most targets' scale-outs as BUDGET_EXHAUSTED while"
                + " their components overload; size it to what such a ramp writes (a target going from 2 to 10"
                + " replicas at max-step 2 writes 4 scale-outs: " + 4 * targets.size() + " for " + targets.size()
                + " such targets)");
    }

    /** The label scheme of one install kind. */
    public LabelScheme labelScheme(InstallKind kind) {
        return labelSchemes.get(kind);
    }
}
