package io.github.milvusautoscaler.config;

import io.github.milvusautoscaler.core.SignalQuery;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.policy.PolicySettings;
import java.util.List;

/**
 * Everything known about one target after inheritance ({@code defaults} -> {@code component-defaults.<component>}
 * -> the cluster's {@code components.<component>}): its policy and the PromQL behind it.
 *
 * @param target        the component of one cluster
 * @param milvusVersion the cluster's {@code milvus-version} as written, e.g. {@code "2.5"}
 * @param policy        bands, windows and limits; {@code policy.signals()} lists the enabled signals in
 *                      the same order as {@code signals}
 * @param signals       the query template of every enabled signal, in configuration order
 * @param settleQuery   PromQL that is > 0 while data still moves after a step-down; empty: none
 * @param healthQuery   PromQL that is > 0 while the component is unhealthy; empty: none
 * @param replicaFloorQuery PromQL of the fewest replicas the loaded in-memory replicas need; empty: none
 */
public record TargetSettings(Target target, String milvusVersion, PolicySettings policy, List<SignalQuery> signals,
                             String settleQuery, String healthQuery, String replicaFloorQuery) {

    public TargetSettings {
        requireNonNull(target, "target");
        requireNonNull(milvusVersion, "milvusVersion");
        requireNonNull(policy, "policy");
        signals = List.copyOf(requireNonNull(signals, "signals"));
        requireNonNull(settleQuery, "settleQuery");
        requireNonNull(healthQuery, "healthQuery");
        requireNonNull(replicaFloorQuery, "replicaFloorQuery");
        List<String> policyNames = policy.signals().stream().map(s -> s.name()).toList();
        List<String> queryNames = signals.stream().map(SignalQuery::name).toList();
        if (!policyNames.equals(queryNames)) {
            throw new IllegalArgumentException("policy signals " + policyNames + " and queries " + queryNames + " differ");
        }
    }

    /**
     * A setup this config accepts that most likely scales by work the component does not do, or empty: today
     * index-backlog on dataNode before Milvus 2.6, whose indexes index nodes build (2.6 merged indexNode into
     * dataNode), so a backlog would add data nodes that build none; index-backlog's default query (datacoord's index
     * tasks) on a queryNode, proxy or streamingNode, which build no index in any version (a 2.6 streamingNode scaled
     * out 2 -> 4 on a backlog of 20, recheck 48, F1); read-queue's default query on a component that is
     * not a queryNode, where it reads empty and holds every step-down; and a forecast or scheduled time zone that is a
     * fixed offset other than UTC. Said by validate-config and logged by the daemon, not refused: a custom query may
     * mean something else by the same name, and an offset may be meant.
     */
    public java.util.Optional<String> advice() {
        List<String> advice = new java.util.ArrayList<>();
        boolean before26 = MilvusVersion.parse(milvusVersion).map(v -> !v.isAtLeast(2, 6)).orElse(false);
        if (target.component() == io.github.milvusautoscaler.core.Component.DATA_NODE && before26
                && signal("index-backlog") != null) {
            advice.add("index-backlog is enabled on dataNode for milvus-version " + milvusVersion
                    + ", but before 2.6 index nodes build the indexes: a backlog would add data nodes that build none;"
                    + " enable it on indexNode instead");
        }
        SignalQuery readQueue = signal("read-queue");
        io.github.milvusautoscaler.core.Component c = target.component();
        if (c == io.github.milvusautoscaler.core.Component.STREAMING_NODE && settleQuery.isBlank()
                && policy.minReplicas() < policy.maxReplicas()) {
            // A 2.6 streamingNode owns WAL channels and runs an embedded queryNode with segments and delegators;
            // removing one moves both, and no shipped query tells when that is done (recheck 48, F2).
            advice.add("streamingNode steps down with no settle query: the next step waits only for ready replicas,"
                    + " while the removed node's WAL channels and its embedded queryNode's segments still move; set"
                    + " settle-query, or min-replicas = max-replicas to keep its count");
        }
        SignalQuery backlog = signal("index-backlog");
        if (backlog != null && backlog.template().contains("milvus_datacoord_")
                && c != io.github.milvusautoscaler.core.Component.DATA_NODE
                && c != io.github.milvusautoscaler.core.Component.INDEX_NODE) {
            // datacoord hands index builds to index nodes before 2.6 and to data nodes from 2.6, which merged
            // indexNode into dataNode (DESIGN.md, "what real clusters expose"); no other worker takes one.
            advice.add("index-backlog is enabled on " + c.configName() + ", but its query reads datacoord's index"
                    + " tasks, which " + c.configName() + " does not run: a backlog would add " + c.configName()
                    + " replicas that build none; enable it on " + (before26 ? "indexNode" : MilvusVersion.parse(
                    milvusVersion).isPresent() ? "dataNode" : "indexNode (before Milvus 2.6) or dataNode (from 2.6)")
                    + " instead");
        }
        if (readQueue != null && readQueue.template().contains("milvus_querynode_read_task_ready_len")
                && c != io.github.milvusautoscaler.core.Component.QUERY_NODE
                && c != io.github.milvusautoscaler.core.Component.STREAMING_NODE) {
            // A 2.6 streamingNode runs a queryNode inside it, so it is left out here; the other three export no
            // querynode series (milvus-io/milvus pkg/metrics/querynode_metrics.go registers them in the queryNode's
            // process only), and doctor only said "empty result" (recheck 38, R1).
            advice.add("read-queue is enabled on " + c.configName() + ", but its query reads"
                    + " milvus_querynode_read_task_ready_len, which only queryNodes export (and from 2.6 a"
                    + " streamingNode's embedded one): it reads empty (UNKNOWN) on "
                    + c.configName() + ", which holds every step-down; enable it on queryNode only");
        }
        for (io.github.milvusautoscaler.policy.ScheduledFloor w : policy.scheduled()) {
            if (w.minReplicas() <= policy.minReplicas()) {
                // Accepted, as a floor is no error, but one that can never act was said nowhere (recheck 44, R6).
                advice.add("scheduled window " + w.describe() + " has min-replicas " + w.minReplicas() + ", not above"
                        + " the target's min-replicas " + policy.minReplicas() + ": it never raises the count");
            }
        }
        io.github.milvusautoscaler.policy.FallbackSettings fallback = policy.fallback();
        if (fallback.mode() == io.github.milvusautoscaler.policy.FallbackSettings.Mode.SCALE_OUT
                && fallback.replicas() <= policy.minReplicas()) {
            // Accepted, as the scheduled floor's like is, but a fallback that can never add a replica while every
            // signal is UNKNOWN was said nowhere (recheck 113).
            advice.add("fallback.mode = scale-out moves up to fallback.replicas " + fallback.replicas() + ", not above"
                    + " the target's min-replicas " + policy.minReplicas() + ": it never raises the count");
        }
        java.time.Duration peakWindow = policy.scaleIn().peakWindow();
        java.time.Duration step = policy.forecast().historyStep();
        if (!peakWindow.isZero() && peakWindow.compareTo(step.multipliedBy(6)) < 0) {
            // Accepted (a short look-back is a choice), but what it costs after a restart was said only in the README
            // (recheck 82's remark).
            advice.add("scale-in.peak-window " + io.github.milvusautoscaler.core.Durations.setting(peakWindow)
                    + " is under six forecast.history-step (" + io.github.milvusautoscaler.core.Durations.setting(
                    step.multipliedBy(6)) + " at " + io.github.milvusautoscaler.core.Durations.setting(step)
                    + "): a restarted or new leader recalls little or none of the peaks the one before saw, and judges"
                    + " its first step-downs on the spans it has seen itself");
        }
        java.util.Set<java.time.ZoneId> zones = new java.util.LinkedHashSet<>();
        if (policy.forecast().enabled()) {
            zones.add(policy.forecast().timeZone());
        }
        policy.scheduled().forEach(w -> zones.add(w.zone()));
        zones.stream().map(TargetSettings::fixedOffset).flatMap(java.util.Optional::stream).forEach(advice::add);
        return advice.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(String.join("; ", advice));
    }

    /**
     * Says what a fixed offset other than UTC means, or empty: {@code Etc/GMT+2} is UTC-02:00 (the POSIX sign is
     * west-positive), and {@code +01:00} written for Berlin keeps winter time all summer (time audit L5).
     */
    static java.util.Optional<String> fixedOffset(java.time.ZoneId zone) {
        java.time.zone.ZoneRules rules = zone.getRules();
        if (!rules.isFixedOffset() || rules.getOffset(java.time.Instant.EPOCH).getTotalSeconds() == 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("time zone " + zone.getId() + " is a fixed offset, UTC"
                + rules.getOffset(java.time.Instant.EPOCH).getId() + ", with no daylight saving" + (zone.getId()
                .startsWith("Etc/GMT") ? " (Etc/GMT+N is N hours west of Greenwich)" : "")
                + "; for a place's clock name the place, such as Europe/Berlin");
    }

    /** True when step-downs wait for a settle query (not only for ready replicas). */
    public boolean hasSettleQuery() {
        return !settleQuery.isBlank();
    }

    /** True when step-downs keep a queryNode for each loaded in-memory replica ({@code replica-floor-query}). */
    public boolean hasReplicaFloorQuery() {
        return !replicaFloorQuery.isBlank();
    }

    /** True when step-downs are verified by a health query. */
    public boolean hasHealthQuery() {
        return !healthQuery.isBlank();
    }

    /** What the metrics adapter queries for this target. */
    public TargetQueries queries() {
        return new TargetQueries(target, signals, settleQuery, healthQuery, replicaFloorQuery);
    }

    /** The query of one enabled signal, or null when it is not enabled for this target. */
    public SignalQuery signal(String name) {
        for (SignalQuery q : signals) {
            if (q.name().equals(name)) {
                return q;
            }
        }
        return null;
    }

    /** These settings for {@code other}, the same target under another id ({@link Target#withNameShared}). */
    public TargetSettings withTarget(Target other) {
        return new TargetSettings(other, milvusVersion, policy, signals, settleQuery, healthQuery, replicaFloorQuery);
    }
}
