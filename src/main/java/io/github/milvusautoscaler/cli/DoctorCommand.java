package io.github.milvusautoscaler.cli;

import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.LabelScheme;
import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.ContainerResource;
import io.github.milvusautoscaler.core.DeploymentNames;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaFloor;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.metrics.PrometheusMetricsSource;
import io.github.milvusautoscaler.metrics.WorkloadReplicas;
import io.github.milvusautoscaler.metrics.PrometheusMetricsSource.Count;
import io.github.milvusautoscaler.policy.SignalPolicy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code doctor --config FILE [--cluster NS/NAME]}: for each target and signal, the first missing link
 * between the cluster and a known value, with the fix in one line; run it before {@code dry-run = false}.
 *
 * <p>First, once, whether Prometheus is current (its newest scrape within {@code stale-after}). Then the links,
 * in the order a value depends on them: kube-state-metrics scraped in the namespace; the
 * component's Deployments (named by the chart's or the operator's rule) known to it; their pods found
 * through the owner chain; for cpu and memory, cAdvisor series and CPU requests or memory limits on those
 * pods; for Milvus signals, any {@code milvus_*} series of the release (the monitor exists and Prometheus
 * selects it), the install's component label on them, each metric the query names; last, the query itself
 * and whether every ready pod reports; the settle, health and replica-floor queries answer. Exit 0 when every
 * enabled signal (and settle, health and replica floor, where configured) is readable, 1 when
 * something is not (or Prometheus cannot be reached, its probe query fails, or it is not current), 2 for a bad
 * configuration.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "For each target and signal, find the first missing link to a value and name the fix.",
        footer = {"", "Exit codes: 0 every signal, settle and health query readable (or the component stopped at 0"
                + " replicas), 1 something"
                + " unreadable, Prometheus unreachable, its query failed or its newest scrape older than"
                + " stale-after, or a queryNode wanted below its replica floor, 2 bad config."})
public final class DoctorCommand implements Callable<Integer> {

    private static final Pattern MILVUS_METRIC = Pattern.compile("\\bmilvus_[a-z0-9_]+");

    /** The selector of the release's coordinator series, as the shipped templates write it. */
    private static final String QUERYCOORD = "namespace=\"{namespace}\", {instance_label}=\"{release}\","
            + " {component_label}!=\"\"";

    /**
     * The fix for a health query that reads nothing. The usual cause is a query on a series that exists only once
     * something fails (Milvus makes {@code milvus_proxy_req_count{status="fail"}} at a proxy's first failed
     * request), which is empty on every healthy cluster and so holds every step-down after the first.
     */
    static final String HEALTH_UNKNOWN = "the health query returns nothing (UNKNOWN), so every step-down after the"
            + " first waits for it (STEP_DOWN_UNVERIFIED): it must read 0 while healthy; a series Milvus makes only at"
            + " the first failure (status=\"fail\") needs `or 0 * <the same of status=\"total\">` (docs/metrics.md,"
            + " Overriding queries); paste it from `signals` into Prometheus";

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigAndCluster selection;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<ConfigAndCluster.Selected> selected = selection.load("doctor", err);
        if (selected.isEmpty()) {
            return Main.EXIT_USAGE;
        }
        if (ConfigAndCluster.nothingTo("doctor", "check", selected.get(), out)) {
            return Main.EXIT_OK;
        }
        AutoscalerSettings s = selected.get().settings();
        List<TargetSettings> targets = selected.get().targets();
        Map<InstallKind, LabelScheme> schemes = s.labelSchemes();
        try (PrometheusMetricsSource source = selected.get().metrics(s.targets())) {
            Instant now = Instant.now();
            source.leftOutSaidByTheReport();
            if (selected.get().prometheusFails("doctor", source, now, err)) {
                return Main.EXIT_FAILURE;
            }
            int broken = 0;
            int stopped = 0;
            int belowFloor = 0;
            out.println("prometheus");
            Freshness fresh = freshness(source.count(NEWEST_SCRAPE_AGE, now), s.prometheus().staleAfter());
            out.println("  " + fresh.line());
            for (TargetSettings t : targets) {
                Diagnosis d = new Diagnosis(source, t, s.queryTemplates(), schemes.get(t.target().install()), now);
                List<String> lines = d.run();
                out.printf("%s (%s, %s)%n", t.target().id(), t.target().install().name().toLowerCase(Locale.ROOT),
                        workloads(source, t.target(), now));
                for (String line : lines) {
                    out.println("  " + line);
                }
                // What validate-config warns about (a signal on a component that does not export it): said beside the
                // FIX it explains, where doctor gave only "empty result" (recheck 38, R1). Leaves the exit code alone.
                t.advice().ifPresent(advice -> out.printf(Locale.ROOT, "  note %-20s %s%n", "config", advice));
                broken += d.broken;
                stopped += d.stopped ? 1 : 0;
                belowFloor += d.belowFloor ? 1 : 0;
            }
            out.println("self-monitoring");
            out.println("  " + selfScrape(source.count(SELF_SCRAPE, now)));
            PrometheusMetricsSource.RuleGroups api = source.ruleGroups();
            // VictoriaMetrics without -vmalert.proxyURL answers the rules API with no group at all (checked against
            // the Debian victoria-metrics here: {"status":"success","data":{"groups":[]}}), which says nothing about
            // what is loaded where: then the gauge decides, as when the API fails.
            out.println("  " + (api.failure().isEmpty() && !api.groups().isEmpty() ? alertRules(api.groups())
                    : alertRules(source.count(ALL_GROUPS, now), source.count(ruleGroup(SCALING_GROUP), now),
                    source.count(ruleGroup(SELF_GROUP), now), api.failure().orElse(NO_GROUPS))));
            String stops = stopped + " target(s) stopped at 0 replicas, with nothing to read until scaled up";
            String summary;
            if (fresh.stale()) {
                summary = "Prometheus is not current (freshness), so " + broken + " signal(s) cannot be read; fix that"
                        + " first";
            } else if (broken > 0) {
                summary = broken + " signal(s) cannot be read; fix the first line marked FIX of each"
                        + (stopped > 0 ? " (" + stops + ")" : "");
            } else {
                summary = stopped > 0 ? "nothing to fix; " + stops : "every enabled signal is readable";
            }
            if (belowFloor > 0) {
                // A count below the floor is read, not unreadable: said apart (recheck 63, F2).
                summary += "; " + belowFloor + " queryNode target(s) wanted below the replica floor; see the line"
                        + " marked FIX replica-floor";
            }
            out.println("doctor: " + summary);
            out.flush();
            return broken == 0 && belowFloor == 0 && !fresh.stale() ? Main.EXIT_OK : Main.EXIT_FAILURE;
        }
    }

    /**
     * What the component runs as, for a target's header: its StatefulSet when kube-state-metrics knows that and none
     * of the Deployments (the chart's {@code queryNode.statefulset}, the operator's {@code statefulSet.enabled}),
     * else the Deployments the queries select (the operator's {@code -0} and {@code -1} included).
     */
    static String workloads(PrometheusMetricsSource source, Target target, Instant at) {
        String statefulSet = DeploymentNames.statefulSet(target, target.component().labelValue());
        Count sets = source.count(source.render(target, "count(kube_statefulset_replicas{namespace=\"{namespace}\","
                + " statefulset=~\"{statefulsets}\"})"), at);
        Count deployments = source.count(source.render(target, "count(kube_deployment_spec_replicas{namespace="
                + "\"{namespace}\", deployment=~\"{deployments}\"})"), at);
        if (sets.failure().isEmpty() && sets.series() > 0 && deployments.failure().isEmpty()
                && deployments.series() == 0) {
            return "StatefulSet " + statefulSet;
        }
        return "Deployments " + String.join(", ", source.deployments(target));
    }

    /**
     * Seconds since the newest scrape Prometheus holds, at the evaluation time: every scrape of every target writes
     * {@code up} (Prometheus scrape/scrape.go, also vmagent's and a Prometheus agent's remote write), so its newest
     * sample tells whether Prometheus ingests at all, which no signal query can (an instant result is stamped with
     * the evaluation time, and a gauge is served up to the 5m lookback after its scrapes stop). kube-state-metrics'
     * {@code kube_deployment_spec_replicas}, which every target needs, stands in where {@code up} is not kept (a
     * history written by remote write or backfill without it).
     */
    static final String NEWEST_SCRAPE_AGE = "time() - max(timestamp(up) or timestamp(kube_deployment_spec_replicas))";

    /** The freshness line, and whether it is something to fix. */
    record Freshness(String line, boolean stale) {
    }

    /**
     * Whether Prometheus is current, said once before every target: when it stopped ingesting (restarting, out of
     * disk, a lagging remote-write backend, a replayed history that ends, or this machine's clock ahead of
     * Prometheus'), every signal below reads UNKNOWN through the stale-input check, cpu and qps as empty rates, and
     * this line names the one cause. A newest scrape of 150 s against stale-after 2m is stale; 12 s is not. No
     * {@code up} at all (nothing scraped within the lookback, e.g. a history only backfilled) is a note: the
     * target lines say what is missing.
     */
    static Freshness freshness(Count age, Duration staleAfter) {
        String label = "freshness";
        if (age.failure().isPresent()) {
            return new Freshness(String.format(Locale.ROOT, "note %-20s %s cannot be read: %s", label, NEWEST_SCRAPE_AGE,
                    age.failure().get()), false);
        }
        if (age.series() == 0) {
            return new Freshness(String.format(Locale.ROOT, "note %-20s Prometheus holds no sample of up or"
                    + " kube_deployment_spec_replicas within its lookback: if it scrapes anything, it has stopped"
                    + " ingesting", label), false);
        }
        Duration newest = Duration.ofSeconds(Math.max(0, Math.round(age.sum())));
        if (newest.compareTo(staleAfter) > 0) {
            return new Freshness(String.format(Locale.ROOT, "FIX  %-20s Prometheus' newest sample of up and"
                    + " kube_deployment_spec_replicas is %s old, past"
                    + " stale-after %s: it is not ingesting now (restarting, out of disk, a remote-write backend lagging,"
                    + " or a history that ends), or this machine's clock is ahead of Prometheus'; every signal reads"
                    + " UNKNOWN until it catches up", label, Durations.human(newest), Durations.human(staleAfter)),
                    true);
        }
        return new Freshness(String.format(Locale.ROOT, "ok   %-20s newest scrape %s old (stale-after %s)", label,
                Durations.human(newest), Durations.human(staleAfter)), false);
    }

    /** The daemon's own scrape: its job is the Service's name, which the shipped alerts and dashboard select. */
    static final String SELF_SCRAPE = "up{job=\"milvus-autoscaler\"}";

    /**
     * Whether Prometheus scrapes the daemon itself, as a line that never changes the exit code: doctor may run
     * before the daemon is installed. A ServiceMonitor kube-prometheus-stack does not select (its label
     * {@code release} must be the stack's Helm release name: templates/prometheus/prometheus.yaml renders
     * serviceMonitorSelector and ruleSelector as {@code release: <release>}) leaves the daemon unwatched, and the
     * PrometheusRule with it: no self-alert fires, MilvusAutoscalerDown included. VictoriaMetrics' operator converts
     * ServiceMonitors and PrometheusRules to its own objects by default (docs.victoriametrics.com,
     * operator/integrations/prometheus: "It converts all existing Prometheus ServiceMonitor, ..."), selected by
     * vmagent whatever their labels in victoria-metrics-k8s-stack, so there the advice is the converted object
     * (recheck 89's remark: doctor gave kube-prometheus-stack's advice only).
     */
    static String selfScrape(Count c) {
        if (c.failure().isPresent()) {
            return String.format(Locale.ROOT, "note %-20s %s cannot be read: %s", "self-scrape", SELF_SCRAPE,
                    c.failure().get());
        }
        if (c.series() == 0) {
            return String.format(Locale.ROOT, "note %-20s Prometheus scrapes no milvus-autoscaler (%s is empty). If the"
                    + " daemon runs, its ServiceMonitor is not selected: kube-prometheus-stack selects release: <its Helm"
                    + " release name>, and the shipped files say release: kube-prometheus-stack; change it there and in"
                    + " prometheus-rules.yaml (deploy/README.md), or no self-alert fires, MilvusAutoscalerDown included."
                    + " With VictoriaMetrics' operator the label does not matter: it converts a ServiceMonitor to a"
                    + " VMServiceScrape unless its Prometheus converter is off; look for that VMServiceScrape",
                    "self-scrape", SELF_SCRAPE);
        }
        return String.format(Locale.ROOT, "ok   %-20s %d replica(s) scraped, %.0f up", "self-scrape", c.series(),
                c.sum());
    }

    /** Prometheus' own gauge of the rules in each loaded group, labelled {@code rule_group="<file>;<group>"}. */
    static final String RULE_GROUPS = "prometheus_rule_group_rules";
    /** What an empty rules API answer is said as: no group, which VictoriaMetrics answers without vmalert. */
    static final String NO_GROUPS = "no rule group (VictoriaMetrics answers so without -vmalert.proxyURL)";
    /** Every loaded group once, however many Prometheus replicas report it. */
    static final String ALL_GROUPS = "count by (rule_group) (" + RULE_GROUPS + ")";
    /** The shipped group of alerts that scale through the webhook (deploy/prometheus/milvus-autoscaler.rules.yaml). */
    static final String SCALING_GROUP = "milvus-autoscaling";
    /** The shipped group of alerts about the autoscaler itself. */
    static final String SELF_GROUP = "milvus-autoscaler";

    /**
     * One group's rule counts, one series per rule file that holds it: {@code max by (rule_group)} keeps a group
     * that two Prometheus replicas (or a re-scrape) both report once. The file part is the operator's generated
     * path ({@code /etc/prometheus/rules/<prometheus>-rulefiles-0/<namespace>-<PrometheusRule>-<uid>.yaml}), so only
     * the group name after the {@code ;} (Prometheus rules/group.go {@code GroupKey}) is matched.
     */
    static String ruleGroup(String group) {
        return "max by (rule_group) (" + RULE_GROUPS + "{rule_group=~\".+;" + group + "\"})";
    }

    /**
     * Whether Prometheus loaded the shipped rule groups, as a line that never changes the exit code (like the
     * self-scrape). A PrometheusRule kube-prometheus-stack does not select (its ruleSelector is {@code release:
     * <release>}) loads nothing, and then no alert scales a component and no self-alert fires, while every
     * signal still reads. This is the fallback for a server whose rules API ({@link #alertRules(Map)}) does not
     * answer: Prometheus reports its groups in {@code prometheus_rule_group_rules} (rules/manager.go) only where it
     * scrapes itself, which kube-prometheus-stack does by default ({@code prometheus.serviceMonitor.selfMonitor:
     * true}); without either doctor cannot tell, and says so.
     *
     * @param any      every group Prometheus reports ({@link #ALL_GROUPS}): none means it is not scraped, not
     *                 that nothing loaded
     * @param scaling  the group {@value #SCALING_GROUP}
     * @param self     the group {@value #SELF_GROUP}
     * @param rulesApi what the rules API answered instead of the groups
     */
    static String alertRules(Count any, Count scaling, Count self, String rulesApi) {
        String label = "alert-rules";
        for (Count c : List.of(any, scaling, self)) {
            if (c.failure().isPresent()) {
                return String.format(Locale.ROOT, "note %-20s %s cannot be read: %s", label, RULE_GROUPS, c.failure().get());
            }
        }
        if (any.series() == 0) {
            return String.format(Locale.ROOT, "note %-20s cannot tell whether Prometheus loaded the rule groups %s and %s:"
                    + " its rules API (/api/v1/rules) answered %s, and %s has no group (it loaded none, or it does not"
                    + " scrape itself); look for them under Status > Rules", label, SCALING_GROUP, SELF_GROUP, rulesApi,
                    RULE_GROUPS);
        }
        return loaded(any.series(), scaling.series() == 0 ? null : (int) Math.round(scaling.sum() / scaling.series()),
                self.series() == 0 ? null : (int) Math.round(self.sum() / self.series()));
    }

    /**
     * The alert-rules line from the rules API's answer ({@code GET /api/v1/rules}: every group Prometheus evaluates,
     * whether or not it scrapes itself), group name to rule count.
     */
    static String alertRules(Map<String, Integer> groups) {
        return loaded(groups.size(), groups.get(SCALING_GROUP), groups.get(SELF_GROUP));
    }

    /**
     * The alert-rules line once the groups are known.
     *
     * @param any     how many rule groups Prometheus evaluates
     * @param scaling rules of {@value #SCALING_GROUP}, null when not loaded
     * @param self    rules of {@value #SELF_GROUP}, null when not loaded
     */
    private static String loaded(int any, Integer scaling, Integer self) {
        String label = "alert-rules";
        List<String> missing = new ArrayList<>();
        if (scaling == null) {
            missing.add(SCALING_GROUP + " (no alert scales a component: search latency, read queue, index backlog)");
        }
        if (self == null) {
            missing.add(SELF_GROUP + " (no alert about the autoscaler fires, MilvusAutoscalerDown included)");
        }
        if (missing.isEmpty()) {
            return String.format(Locale.ROOT, "ok   %-20s rule groups %s (%d rules) and %s (%d rules) loaded", label,
                    SCALING_GROUP, scaling, SELF_GROUP, self);
        }
        return String.format(Locale.ROOT, "note %-20s Prometheus evaluates %d rule group(s) but not %s. If"
                + " deploy/prometheus-rules.yaml is applied, it is not selected: kube-prometheus-stack loads PrometheusRules"
                + " labelled release: <its Helm release name>, and the shipped file says release: kube-prometheus-stack;"
                + " change it there (deploy/README.md)", label, any, String.join(" nor ", missing));
    }

    /** The checks of one target, each a question put to Prometheus. */
    private static final class Diagnosis {
        private final PrometheusMetricsSource source;
        private final TargetSettings settings;
        private final Target target;
        private final Map<String, String> templates;
        private final LabelScheme scheme;
        private final Instant at;
        private int broken;
        private boolean stopped;
        /** Fewer queryNodes wanted than the replica floor reads ({@link #replicaFloor}). */
        private boolean belowFloor;

        Diagnosis(PrometheusMetricsSource source, TargetSettings settings, Map<String, String> templates,
                  LabelScheme scheme, Instant at) {
            this.source = source;
            this.settings = settings;
            this.target = settings.target();
            this.templates = templates;
            this.scheme = scheme;
            this.at = at;
        }

        List<String> run() {
            // A component its Deployments (or StatefulSet) want at 0 replicas was stopped on purpose: no pod has a
            // signal to read, which is no fault to fix, and the daemon leaves it there (SCALED_TO_ZERO).
            Count wanted = source.count(source.render(target, "sum(" + WorkloadReplicas.SPEC + ")"), at);
            if (wanted.failure().isEmpty() && wanted.series() > 0 && wanted.sum() == 0) {
                stopped = true;
                return List.of(String.format(Locale.ROOT, "stop %-20s %s", "replicas", target.component()
                        + " is wanted at 0 replicas (stopped): no pod to read a signal from; the daemon leaves it"
                        + " stopped (SCALED_TO_ZERO) until someone scales it up"));
            }
            List<String> lines = new ArrayList<>();
            bothKinds().ifPresent(fix -> {
                broken++;
                lines.add(String.format(Locale.ROOT, "FIX  %-20s %s", "workload", fix));
            });
            Optional<String> common = commonLink();
            Observation o = source.observe(target, at);
            Map<String, String> rendered = source.renderedQueries(target);
            for (SignalPolicy band : settings.policy().signals()) {
                String name = band.name();
                Signal signal = o.signals().get(name);
                String query = rendered.get(name);
                Optional<String> fix = signal != null && signal.isKnown() ? tooFewPods(name, signal, query)
                        : signal != null && !signal.applicable()
                        ? Optional.of("left out of decisions: " + signal.problem())
                        : firstMissing(name, query, common, signal);
                if (fix.isPresent()) {
                    broken++;
                    lines.add(String.format(Locale.ROOT, "FIX  %-20s %s", name, fix.get()));
                } else {
                    lines.add(String.format(Locale.ROOT, "ok   %-20s %s%s", name, fmt(signal.value().getAsDouble()),
                            signal.podsReporting() > 0 ? " (" + signal.podsReporting() + (signal.podsReporting() == 1 ? " pod)" : " pods)") : ""));
                }
            }
            if (rendered.containsKey("settle-query")) {
                if (o.settle() == Settle.UNKNOWN) {
                    broken++;
                    lines.add(String.format(Locale.ROOT, "FIX  %-20s %s", "settle",
                            firstMissing("settle", rendered.get("settle-query"), common, null)
                                    .orElse("the settle query returns nothing; paste it from `signals` into Prometheus")));
                } else {
                    lines.add(String.format(Locale.ROOT, "ok   %-20s %s (%s)", "settle", o.settle(), o.settleNote()));
                }
            }
            if (rendered.containsKey("health-query")) {
                if (o.health() == Health.UNKNOWN) {
                    broken++;
                    lines.add(String.format(Locale.ROOT, "FIX  %-20s %s", "health", HEALTH_UNKNOWN));
                } else {
                    lines.add(String.format(Locale.ROOT, "ok   %-20s %s%s", "health", o.health(),
                            o.health() == Health.FAILING ? " (a step-down now would be rolled back)" : ""));
                }
            }
            if (rendered.containsKey("replica-floor-query")) {
                lines.add(replicaFloor(o.replicaFloor(), rendered.get("replica-floor-query"), common));
            }
            return lines;
        }

        /**
         * What the replica floor reads, and for the default queryNode query what it counts: Milvus serves each replica
         * of a collection from queryNodes of its own ("make sure that query nodes num should be greater or equal to
         * replica_number", its resource group guide, adminGuide/resource_group.md), so the daemon holds a step-down
         * below the floor (REPLICA_FLOOR) whatever min-replicas says. The counts behind it are querycoord's
         * ({@code milvus_querycoord_resource_group_replica_total{rg}}, each group's replicas summed over its
         * collections, and {@code milvus_querycoord_collection_num}); a Milvus without the group gauge reads 0, said
         * in a note, since the daemon then cannot see the replicas. A floor that cannot be read holds every step-down:
         * a FIX.
         */
        private String replicaFloor(ReplicaFloor floor, String query, Optional<String> common) {
            String label = "replica-floor";
            boolean counted = query.contains("milvus_querycoord_resource_group_replica_total");
            if (!floor.known() && counted) {
                Count collections = source.count(source.render(target, "max(milvus_querycoord_collection_num{"
                        + QUERYCOORD + "})"), at);
                Count replicas = source.count(source.render(target, "sum(milvus_querycoord_resource_group_replica_total{"
                        + QUERYCOORD + "})"), at);
                if (collections.series() > 0 && collections.sum() == 0 && replicas.sum() > 0) {
                    // Not a link to fix: querycoord counts a collection once loaded, after its replicas.
                    return String.format(Locale.ROOT, "note %-20s unknown: querycoord holds %d in-memory replicas but"
                            + " counts no loaded collection yet (milvus_querycoord_collection_num 0): a collection's"
                            + " first load, or querycoord recovering after a restart (it counts each collection again"
                            + " once it sees it loaded); until it does, every step-down holds (REPLICA_FLOOR)", label,
                            Math.round(replicas.sum()));
                }
            }
            if (!floor.known()) {
                broken++;
                // The default query reads empty only without querycoord's collection count: found as a signal's
                // missing link is (the monitor, the component label, the metric).
                String why = (counted ? firstMissing(label, source.render(target, "max(milvus_querycoord_collection_num{"
                        + QUERYCOORD + "})"), common, null) : common)
                        .orElse("the replica floor query reads nothing usable (" + floor.note() + "); paste it from"
                        + " `signals` into Prometheus");
                return String.format(Locale.ROOT, "FIX  %-20s %s; until it reads, every step-down holds"
                        + " (REPLICA_FLOOR)", label, why);
            }
            Count wanted = source.count(source.render(target, "sum(" + WorkloadReplicas.SPEC + ")"), at);
            if (wanted.failure().isEmpty() && wanted.series() > 0 && wanted.sum() < floor.nodes()) {
                // Said nowhere else: a run below its floor (scale --force-range, kubectl scale) left a replica with no
                // node, and the daemon only holds step-downs there (recheck 62, F5). Read, so not "cannot be read".
                belowFloor = true;
                return String.format(Locale.ROOT, "FIX  %-20s %d (%s), above the %d queryNodes wanted: querycoord may"
                        + " still be counting a collection it loads, or each it recovers after a restart (look again in"
                        + " a minute); else a replica has no node: scale queryNode to %d (the daemon holds step-downs"
                        + " below the floor but does not scale up to it)", label, floor.nodes(), floor.note(),
                        Math.round(wanted.sum()), floor.nodes());
            }
            int min = settings.policy().minReplicas();
            String above = floor.nodes() > min ? "; no step-down below it, above min-replicas " + min : "";
            if (!counted) {
                return String.format(Locale.ROOT, "ok   %-20s %d (%s)%s", label, floor.nodes(), floor.note(), above);
            }
            Count loaded = source.count(source.render(target, "max(milvus_querycoord_collection_num{" + QUERYCOORD
                    + "})"), at);
            int c = loaded.failure().isPresent() ? -1 : (int) Math.round(loaded.sum());
            if (c == 0 && floor.nodes() == 0) {
                return String.format(Locale.ROOT, "ok   %-20s 0: no collection loaded"
                        + " (milvus_querycoord_collection_num 0)", label);
            }
            String perGroup = "max by (rg) (milvus_querycoord_resource_group_replica_total{" + QUERYCOORD + "})";
            Count replicas = source.count(source.render(target, "sum(" + perGroup + ")"), at);
            if (c > 0 && replicas.failure().isEmpty() && replicas.series() == 0) {
                return String.format(Locale.ROOT, "note %-20s 0: %d collection%s loaded, but querycoord exports no"
                        + " milvus_querycoord_resource_group_replica_total (a Milvus release without it), so the daemon"
                        + " cannot see their in-memory replicas: keep min-replicas at or above the largest"
                        + " replica_number a collection is loaded with (Milvus needs a queryNode for each replica)",
                        label, c, c == 1 ? " is" : "s are");
            }
            if (c < 0 || replicas.failure().isPresent()) {
                return String.format(Locale.ROOT, "ok   %-20s %d (%s)%s", label, floor.nodes(), floor.note(), above);
            }
            Count groups = source.count(source.render(target, "count(" + perGroup + " > 0)"), at);
            int n = (int) Math.round(replicas.sum());
            int inGroups = groups.failure().isPresent() || groups.series() == 0 ? 1 : (int) Math.round(groups.sum());
            // Two groups or more read their totals with no collection count (querycoord recovering after a restart
            // counts none yet): not "of 0 loaded collections".
            String collections = c > 0 ? " of " + c + " loaded collection" + (c == 1 ? "" : "s")
                    : " (querycoord counts no loaded collection yet: a first load, or its recovery after a restart)";
            return String.format(Locale.ROOT, "ok   %-20s %d: %d in-memory replica%s%s%s"
                    + " (milvus_querycoord_resource_group_replica_total, milvus_querycoord_collection_num), and Milvus"
                    + " serves each replica of a collection from queryNodes of its own%s", label, floor.nodes(), n,
                    n == 1 ? "" : "s", collections, inGroups > 1 ? " in " + inGroups + " resource groups" : "", above);
        }

        /**
         * A Helm component that kube-state-metrics shows as both a Deployment and a StatefulSet of its name: the
         * chart renders the Deployment whatever {@code queryNode.statefulset} says, and the daemon holds such a target
         * (TARGET_UNAVAILABLE) where doctor said every signal was readable (recheck 42, R1). Empty otherwise.
         */
        private Optional<String> bothKinds() {
            if (target.install() != io.github.milvusautoscaler.core.InstallKind.HELM) {
                return Optional.empty();
            }
            String name = DeploymentNames.statefulSet(target, target.component().labelValue());
            if (count("kube_statefulset_replicas{namespace=\"{namespace}\", statefulset=\"" + name + "\"}") == 0
                    || count("kube_deployment_spec_replicas{namespace=\"{namespace}\", deployment=\"" + name + "\"}")
                    == 0) {
                return Optional.empty();
            }
            return Optional.of("both a Deployment and a StatefulSet named " + name + " run, and the pods of both serve:"
                    + " the daemon writes neither (TARGET_UNAVAILABLE) until one is deleted (the chart renders the"
                    + " Deployment whether or not " + target.component().configName() + ".statefulset is set):"
                    + " kubectl -n " + target.namespace() + " delete the one not meant");
        }

        /** The links every signal of the target needs: kube-state-metrics, the Deployments, their pods. */
        private Optional<String> commonLink() {
            String ns = target.namespace();
            if (count("kube_deployment_spec_replicas{namespace=\"{namespace}\"}") == 0) {
                // Seen within the last day: kube-state-metrics went away (a restart, an eviction, its scrape failing,
                // which marks every series stale at once), not a link never made (real-install recheck 10, F3).
                if (count("max_over_time(kube_deployment_spec_replicas{namespace=\"{namespace}\"}[1d])") > 0) {
                    return Optional.of("no kube_deployment_spec_replicas in namespace " + ns + " now, though there was"
                            + " within the last day: kube-state-metrics is down or restarting, or its scrape fails (kubectl"
                            + " get pods -A -l app.kubernetes.io/name=kube-state-metrics; up{job=\"kube-state-metrics\"})");
                }
                return Optional.of("no kube_deployment_spec_replicas in namespace " + ns + ": kube-state-metrics is"
                        + " not scraped by this Prometheus, or the namespace is wrong");
            }
            if (count(WorkloadReplicas.SPEC) == 0) {
                String missing = "none of the Deployments " + String.join(", ", source.deployments(target))
                        + " (nor the component's StatefulSet) exists in " + ns;
                Optional<String> upgraded = versionMoved();
                if (upgraded.isPresent()) {
                    return Optional.of(missing + ": " + upgraded.get());
                }
                return Optional.of(missing + ": check the cluster's name and install kind"
                        + (target.install() == InstallKind.HELM
                        ? " (a release installed with fullnameOverride needs fullname-override = \"...\", one with"
                        + " nameOverride name-override = \"...\")" : "")
                        + (target.component() == Component.INDEX_NODE ? "; or the release runs Milvus 2.6, which has"
                        + " no indexNode (its dataNodes build the indexes)" : "")
                        + (target.component() == Component.STREAMING_NODE ? "; or the release runs Milvus before 2.6,"
                        + " which has no streamingNode" : ""));
            }
            String pods = templates.get("component-pods");
            if (pods != null && count(pods) == 0) {
                return Optional.of("no pods of " + String.join(", ", source.deployments(target)) + " through"
                        + " kube_pod_owner and kube_replicaset_owner (or kube_pod_owner's StatefulSet): the component"
                        + " has no running pods, or"
                        + " kube-state-metrics does not export those series");
            }
            return Optional.empty();
        }

        /**
         * For an indexNode with no workload, that the release now runs Milvus 2.6, when its streamingNode Deployment
         * (2.6 and later only) exists: after an upgrade from 2.5 the chart and the operator delete indexNode's
         * Deployments (milvus-helm charts/milvus/README.md: "indexNode has been removed"; milvus-operator
         * deployments.go cleanupIndexNodeIfNeeded), and doctor sent the SRE to look for a fullnameOverride
         * (recheck 55, F1). Empty for any other component, or with no such evidence.
         */
        private Optional<String> versionMoved() {
            if (target.component() != Component.INDEX_NODE
                    || count("kube_deployment_spec_replicas{namespace=\"{namespace}\","
                    + " deployment=~\"{streamingnode_deployments}\"}") == 0) {
                return Optional.empty();
            }
            return Optional.of("the release runs Milvus 2.6 or later (its streamingNode Deployment "
                    + String.join(" or ", DeploymentNames.streamingNodes(target)) + " exists), which has no indexNode:"
                    + " its dataNodes build the indexes, so remove indexNode from the config, set the cluster's"
                    + " milvus-version to the release's, and scale dataNode with signals.index-backlog.enabled = true");
        }

        private Optional<String> firstMissing(String name, String query, Optional<String> common, Signal signal) {
            if (common.isPresent()) {
                return common;
            }
            String pods = templates.getOrDefault("component-pods", "");
            if (query.contains("container_cpu_usage_seconds_total") || query.contains("container_memory_working_set_bytes")) {
                String cadvisor = query.contains("container_cpu_usage_seconds_total")
                        ? "container_cpu_usage_seconds_total" : "container_memory_working_set_bytes";
                if (!pods.isEmpty() && count(cadvisor + "{namespace=\"{namespace}\", container=~\"{component}\"}"
                        + " * on (namespace, pod) group_left () " + pods) == 0) {
                    return Optional.of("no cAdvisor series (" + cadvisor + ") for these pods: scrape the kubelet's"
                            + " /metrics/cadvisor (kube-prometheus-stack: kubelet.serviceMonitor.cAdvisor = true)");
                }
                ContainerResource resource = cadvisor.startsWith("container_cpu") ? ContainerResource.CPU_REQUEST
                        : ContainerResource.MEMORY_LIMIT;
                if (!pods.isEmpty() && count(resource.selector() + " * on (namespace, pod) group_left () " + pods) == 0) {
                    return Optional.of("no " + resource.what() + " on these pods: set resources." + resource.key()
                            + " for " + target.component().configName() + " in " + ContainerResource.writtenIn(target)
                            + " (" + ContainerResource.resourcesPath(target) + ")");
                }
                String serving = templates.getOrDefault("serving-pods", "");
                if (!pods.isEmpty() && !serving.isEmpty() && count(serving) == 0) {
                    return Optional.of("no pod of " + String.join(", ", source.deployments(target)) + " is ready"
                            + " (kube_pod_status_ready{condition=\"true\"} is 0 for each): " + name + " averages over"
                            + " ready pods only; `kubectl -n " + target.namespace() + " describe pod` says why they"
                            + " are not");
                }
            }
            Set<String> metrics = new LinkedHashSet<>();
            Matcher m = MILVUS_METRIC.matcher(query);
            while (m.find()) {
                metrics.add(m.group());
            }
            if (!metrics.isEmpty()) {
                String release = "namespace=\"{namespace}\", {instance_label}=\"{release}\"";
                if (count("{__name__=~\"milvus_.+\", " + release + "}") == 0) {
                    // A monitor that is selected but cannot scrape leaves up == 0 with the target's labels (its
                    // Service's or pod's) and no milvus_* series: adding a second monitor would not help, and once
                    // the scrape works it would count every series twice.
                    int failing = count("up{" + release + "} == 0");
                    if (failing > 0 && count("up{" + release + "} == 1") == 0) {
                        return Optional.of("Prometheus has " + failing + " Milvus scrape target(s) of " + target.clusterId()
                                + " and every scrape fails (up == 0): the monitor is selected, the scrape is refused;"
                                + " Status > Targets in Prometheus shows why (a NetworkPolicy that keeps Prometheus off"
                                + " the metrics port 9091, a service mesh's strict mTLS, a wrong port)");
                    }
                    return Optional.of("no milvus_* series for " + target.clusterId() + ": " + (target.install() == InstallKind.HELM
                            ? "the chart's ServiceMonitor is off (set metrics.serviceMonitor.enabled = true), or your"
                            + " Prometheus does not select it: add label release=<your kube-prometheus-stack release>"
                            + " (metrics.serviceMonitor.additionalLabels), or apply deploy/monitoring/servicemonitor-helm.yaml"
                            + " (for a release that sets the chart's nameOverride, change its selector's"
                            + " app.kubernetes.io/name: milvus to that name, which the chart's Services carry)"
                            : "the operator creates no monitor your Prometheus selects: apply"
                            + " deploy/monitoring/podmonitor-operator.yaml with label release=<your kube-prometheus-stack release>"));
                }
                if (count("{__name__=~\"milvus_.+\", " + release + ", {component_label}!=\"\"}") == 0) {
                    // The series may carry the other install kind's label: then the config names the wrong one, not
                    // the monitor (recheck 10: a component-label set to the chart's on an operator install was blamed
                    // on the operator's PodMonitor, which copies app.kubernetes.io/component).
                    // The labels the shipped label-schemes name (reference.conf), one per install kind.
                    String kind = target.install().name().toLowerCase(java.util.Locale.ROOT);
                    var shipped = io.github.milvusautoscaler.config.ConfigLoader.defaults();
                    for (InstallKind k : InstallKind.values()) {
                        String other = shipped.labelScheme(k).componentLabel();
                        if (!other.equals(scheme.componentLabel())
                                && count("{__name__=~\"milvus_.+\", " + release + ", " + other + "!=\"\"}") > 0) {
                            return Optional.of("milvus_* series of " + target.clusterId() + " have no "
                                    + scheme.componentLabel() + " label but carry " + other + ": set label-schemes."
                                    + kind + ".component-label = " + other + " (the " + kind + " default is "
                                    + shipped.labelScheme(target.install()).componentLabel() + ")");
                        }
                    }
                    return Optional.of("milvus_* series of " + target.clusterId() + " have no " + scheme.componentLabel()
                            + " label: the monitor must copy it (" + (target.install() == InstallKind.HELM
                            ? "ServiceMonitor targetLabels: [component]" : "PodMonitor podTargetLabels:"
                            + " [app.kubernetes.io/component]") + ")");
                }
                if (query.contains("milvus_proxy_req_count")) {
                    Optional<String> unseen = proxiesWithoutReadiness(release);
                    if (unseen.isPresent()) {
                        return unseen;
                    }
                }
                for (String metric : metrics) {
                    if (count(metric + "{" + release + ", {component_label}!=\"\"}") == 0) {
                        if (metric.equals("milvus_proxy_req_count")) {
                            Optional<String> why = noProxyReads(release);
                            if (why.isPresent()) {
                                return why;
                            }
                        }
                        return Optional.of("no " + metric + " for " + target.clusterId() + ": " + hint(metric));
                    }
                }
            }
            if (signal != null && !signal.isKnown()) {
                return Optional.of("the query returns: " + signal.problem());
            }
            return Optional.of("signal " + name + " is not read; see `signals` for its PromQL");
        }

        /**
         * Why the proxies show no read counter, told by the facts the qps template falls back on: no proxy, or no
         * queryNode, is scraped ({@code milvus_num_node} with its role, which every registered node exports), or the
         * queryNodes serve searches the proxies did not count ({@code milvus_querynode_sq_req_count} growing:
         * Milvus 2.6 before milvus-io/milvus#47239 counts no RESTful request). Empty when neither holds.
         */
        private Optional<String> noProxyReads(String release) {
            if (count("milvus_num_node{" + release + ", {component_label}!=\"\", role_name=\"proxy\"}") == 0) {
                return Optional.of("no proxy of " + target.clusterId() + " is scraped (no milvus_num_node{role_name=\"proxy\"}):"
                        + " the monitor must select the proxy pods too, so that qps can tell no searches from no data");
            }
            if (count("milvus_num_node{" + release + ", {component_label}!=\"\", role_name=\"querynode\"}") == 0) {
                return Optional.of("no queryNode of " + target.clusterId() + " is scraped (no milvus_num_node{role_name="
                        + "\"querynode\"}): the monitor must select the queryNode pods too, so that qps can tell no"
                        + " searches from no data");
            }
            if (count("sum(irate(milvus_querynode_sq_req_count{" + release + ", {component_label}!=\"\"}[2m])) > 0") > 0) {
                return Optional.of("the queryNodes of " + target.clusterId() + " serve searches the proxies do not count in"
                        + " milvus_proxy_req_count: Milvus 2.6 before milvus-io/milvus#47239 counts no RESTful request;"
                        + " set signals.qps.enabled = false for this cluster until it runs a fixed release");
            }
            return Optional.empty();
        }

        /**
         * Proxy pods that serve reads but of which kube-state-metrics has exported no readiness within 5m: qps counts a
         * proxy only while ready and reads UNKNOWN rather than count such a pod as 0. KSM writes kube_pod_status_ready
         * for every pod it sees (docs/pod-metrics.md), so one missing means a KSM that does not see the pod; one seen
         * within 5m is a deleted pod whose series Prometheus still keeps, which is no fault; a pod scraped before
         * kube-state-metrics first listed it (seconds after a scale-out) is none either, and the message says to look
         * again a minute on (it said "for 5m" of a proxy 15 s old: recheck 48, F3). Empty when none.
         */
        private Optional<String> proxiesWithoutReadiness(String release) {
            List<String> unseen = source.labelValues(source.render(target, "max by (namespace, pod)"
                    + " (milvus_proxy_req_count{" + release + ", {component_label}!=\"\","
                    + " function_name=~\"Search|HybridSearch|Query\"})"
                    + " unless on (namespace, pod) max_over_time(kube_pod_status_ready{namespace=\"{namespace}\","
                    + " condition=\"true\"}[5m])"), "pod", at);
            return unseen.isEmpty() ? Optional.empty() : Optional.of(unseen.size() + " proxy pod(s) of "
                    + target.clusterId() + " serve reads but kube-state-metrics has exported no kube_pod_status_ready"
                    + " for them within the last 5m (" + String.join(", ", unseen.subList(0, Math.min(3, unseen.size())))
                    + (unseen.size() > 3 ? ", ..." : "") + "), so qps cannot tell whether they are ready and reads"
                    + " UNKNOWN. A pod started since kube-state-metrics' last scrape reads so until its next one (a"
                    + " proxy scale-out's new pods, for a scrape interval): if doctor says it again a minute on, check"
                    + " that kube-state-metrics sees every pod (a shard that is down with --total-shards, a --namespaces"
                    + " or --metric-denylist that leaves them out)");
        }

        /** A per-pod signal known from fewer pods than are ready would be UNKNOWN to the policy. */
        private Optional<String> tooFewPods(String name, Signal signal, String query) {
            if (signal.podsReporting() == 0) {
                return Optional.empty();
            }
            Count ready = source.count(source.render(target, WorkloadReplicas.READY), at);
            int readyPods = (int) Math.round(ready.sum());
            if (ready.failure().isEmpty() && ready.series() > 0 && signal.podsReporting() < readyPods) {
                return Optional.of("only " + signal.podsReporting() + " of " + readyPods + " ready pods report " + name
                        + ": the missing pods lack series (cAdvisor, requests/limits, or their own metrics). A pod ready"
                        + " since the last scrape or two reads so until a rate has two samples (a scale-out's new pods,"
                        + " for up to two scrape intervals): if doctor says it again a minute on, look at those series");
            }
            return Optional.empty();
        }

        /**
         * How many series {@code template} selects for the target, counted by Prometheus ({@code count(...)}),
         * so a broad selector such as every {@code milvus_*} series of a release stays one short answer;
         * 0 when it selects nothing or cannot be read.
         */
        private int count(String template) {
            Count c = source.count(source.render(target, "count(" + template + ")"), at);
            return c.failure().isPresent() || c.series() == 0 ? 0 : (int) c.sum();
        }

        private static String hint(String metric) {
            return switch (metric) {
                case "milvus_proxy_sq_latency_bucket" ->
                        "Milvus creates it at the first search or query through the proxies; until then the signal is"
                                + " UNKNOWN";
                case "milvus_proxy_req_count" ->
                        "Milvus creates it at the first search or query through the proxies' gRPC API; until then"
                                + " qps reads 0 while the proxies are scraped and the queryNodes serve no search, else"
                                + " UNKNOWN (Milvus 2.6 before milvus-io/milvus#47239 does not count RESTful requests in"
                                + " milvus_proxy_req_count: a cluster searched only over REST reads UNKNOWN)";
                case "milvus_datacoord_index_task_count" ->
                        "Milvus before 2.5.5 exports it from datacoord's first index job after it starts (and drops a"
                                + " collection's with its last index): with datacoord scraped, index-backlog reads 0"
                                + " once an hour has passed without it";
                case "milvus_datacoord_task_count" ->
                        "exported from Milvus 2.5.5: set milvus-version to the running release (2.5.4 and older use"
                                + " milvus_datacoord_index_task_count)";
                case "milvus_querycoord_querynode_num", "milvus_querycoord_collection_num" ->
                        "the coordinator (mixcoord or querycoord) pods must be scraped too";
                case "milvus_querycoord_task_num" ->
                        "querycoord creates it at its first segment or channel task; if querycoord_querynode_num is"
                                + " there, the coordinator is scraped and no task has run yet";
                case "milvus_querynode_read_task_ready_len" ->
                        "every queryNode exports it from start-up (its read scheduler sets it, 0 when idle): the"
                                + " queryNode pods are not scraped or lack the component label";
                default -> "this Milvus release does not export it, or its pods are not scraped";
            };
        }

        private static String fmt(double v) {
            return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
        }
    }
}
