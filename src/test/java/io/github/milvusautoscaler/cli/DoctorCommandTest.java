package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.metrics.PrometheusMetricsSource;
import io.github.milvusautoscaler.testsupport.FakeMilvusPod;
import io.github.milvusautoscaler.testsupport.FakeMilvusPods;
import io.github.milvusautoscaler.testsupport.Poll;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code doctor} against a real Prometheus holding one cluster per missing link, each in its own
 * namespace, shaped like a default kube-prometheus-stack (see {@link DefaultStackTest}): the line it
 * prints names the first missing link and its fix.
 */
class DoctorCommandTest {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final double GIB = 1024.0 * 1024 * 1024;

    private static FakeMilvusPods pods;
    private static PrometheusServer prometheus;
    private static Path config;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        pods = new FakeMilvusPods(CLOCK);
        // healthy: everything a default stack plus the chart's ServiceMonitor gives
        cluster("healthy", true, true, true, true, true);
        // the chart was installed with fullnameOverride, which the config does not say
        pods.start("renamed", "hr", InstallKind.HELM, "querynode", "vector-querynode", "vector-querynode-5d8c7f9b4d-a1b2c",
                2, 8 * GIB).setCpuUtilisation(0.5);
        // kubectl scale --replicas=0 on the queryNode Deployment: wanted at 0, no pods, its coordinator and proxy running
        pods.start("stopped", "hr", InstallKind.HELM, "mixcoord", "hr-milvus-mixcoord-6c9b8d7f5c-m1n2b", 1, 4 * GIB);
        pods.start("stopped", "hr", InstallKind.HELM, "proxy", "hr-milvus-proxy-7d5c9b6f8d-p1o2i", 1, 2 * GIB);
        pods.setSpecReplicas("stopped", "hr-milvus-querynode", 0);
        // the Deployment exists but has no pods (kube_deployment_spec_replicas only)
        pods.start("nopods", "other", InstallKind.HELM, "querynode", "other-q", 2, 8 * GIB);
        pods.setSpecReplicas("nopods", "hr-milvus-querynode", 2);
        cluster("nocadvisor", false, true, true, true, true);
        cluster("norequests", true, false, true, true, true);
        cluster("nomonitor", true, true, false, true, true);
        // the monitor is selected but every scrape of the Milvus pods fails: Prometheus' own up series, with the
        // Service's target labels (charts/milvus/templates/servicemonitor.yaml targetLabels), are 0; see scrapeFailures()
        cluster("scrapefail", true, true, false, true, true);
        cluster("nolabel", true, true, true, false, true);
        cluster("neversearched", true, true, true, true, false);
        // searches the proxy does not count (RESTful on a 2.6 before milvus-io/milvus#47239) reach the queryNode
        cluster("restonly", true, true, true, true, false)[0].setQueryNodeSearchRate(20);
        // the queryNode and its coordinator are scraped, the proxy is not (a monitor that selects too little)
        cluster("noproxy", true, true, true, true, false)[1].expose(true, true, false, true);
        // the proxy and the coordinator are scraped, the queryNode's own metrics are not
        cluster("noqn", true, true, true, true, false)[0].expose(true, true, false, true);
        // two queryNodes, one of which the kubelet scrape misses
        cluster("partial", true, true, true, true, true);
        pods.start("partial", "hr", InstallKind.HELM, "querynode", "hr-milvus-querynode-5d8c7f9b4d-zz9y8", 2, 8 * GIB)
                .setCpuUtilisation(0.5).expose(false, true, true, true);

        // the one queryNode runs but is not ready (kube_pod_status_ready{condition="true"} 0, kube-state-metrics
        // docs/pod-metrics.md: crash-looping, or its
        // readiness probe failing): cpu and memory average over ready pods, so they have none to read
        cluster("notready", true, true, true, true, true)[0].setReady(false);
        // kube-state-metrics does not see the proxy (a shard down, a --metric-denylist): no kube_pod_status_ready,
        // which it otherwise writes for every pod (docs/pod-metrics.md), so qps cannot tell whether it is ready
        // while a second proxy it sees serves as much: read without the first, qps would be half the load (a recheck
        // read 10.8 for 65); the queryNode counts both proxies' searches in milvus_querynode_sq_req_count
        FakeMilvusPod[] unseen = cluster("unseen", true, true, true, true, true);
        unseen[0].setQueryNodeSearchRate(80);
        unseen[1].exportReadiness(false);
        pods.start("unseen", "hr", InstallKind.HELM, "proxy", "hr-milvus-proxy-7d5c9b6f8d-s3e4n", 1, 2 * GIB)
                .setRequestRate("Search", 40);

        // both kinds: the chart's Deployment beside the StatefulSet of the same name, as milvus-helm renders them with
        // queryNode.statefulset: true (templates/querynode-deployment.yaml has no statefulset guard)
        cluster("bothkinds", true, true, true, true, true);
        pods.startStatefulSetPod("bothkinds", "hr", "querynode", 0, 2, 8 * GIB).setCpuUtilisation(0.5)
                .setMemoryUtilisation(0.4);

        // read-queue enabled on the proxy, which exports no milvus_querynode_* series (milvus-io/milvus
        // pkg/metrics/querynode_metrics.go registers them in the queryNode only)
        cluster("queueonproxy", true, true, true, true, true);

        // the queryNodes' own metrics are not scraped (the coordinator's and proxy's are): the read queue, which
        // every queryNode exports from start-up (milvus internal/querynodev2/tasks/concurrent_safe_scheduler.go
        // sets it at the top of every scheduler loop), is missing
        pods.start("unscraped", "hr", InstallKind.HELM, "querynode", "hr-milvus-querynode-5d8c7f9b4d-u1n2s", 2, 8 * GIB)
                .setCpuUtilisation(0.5).setMemoryUtilisation(0.4).expose(true, true, false, true);
        pods.start("unscraped", "hr", InstallKind.HELM, "mixcoord", "hr-milvus-mixcoord-6c9b8d7f5c-m1n2b", 1, 4 * GIB);
        pods.start("unscraped", "hr", InstallKind.HELM, "proxy", "hr-milvus-proxy-7d5c9b6f8d-p1o2i", 1, 2 * GIB)
                .setRequestRate("Search", 40);

        // the chart's queryNode.statefulset: a StatefulSet hr-milvus-querynode (templates/querynode-statefulset.yaml)
        pods.startStatefulSetPod("stateful", "hr", "querynode", 0, 2, 8 * GIB).setCpuUtilisation(0.5)
                .setMemoryUtilisation(0.4);
        pods.start("stateful", "hr", InstallKind.HELM, "mixcoord", "hr-milvus-mixcoord-6c9b8d7f5c-m1n2b", 1, 4 * GIB);
        pods.start("stateful", "hr", InstallKind.HELM, "proxy", "hr-milvus-proxy-7d5c9b6f8d-p1o2i", 1, 2 * GIB)
                .setRequestRate("Search", 40);

        // upgraded: a release moved from Milvus 2.5 to 2.6 under a config that still names indexNode. The chart's 2.6
        // templates render a streamingNode and no indexNode (milvus-helm charts/milvus/README.md: "indexNode has been
        // removed"; templates/streamingnode-deployment.yaml names it <fullname>-streamingnode), so helm upgrade
        // deleted hr-milvus-indexnode
        for (String c : new String[] {"streamingnode", "datanode", "querynode", "mixcoord", "proxy"}) {
            pods.start("upgraded", "hr", InstallKind.HELM, c, "hr-milvus-" + c + "-5d8c7f9b4d-u" + c.length(), 1, 4 * GIB)
                    .setCpuUtilisation(0.3);
        }
        // the same, on a release still at 2.5 whose indexNode the config names wrong (no streamingNode: no evidence)
        cluster("noindexnode", true, true, true, true, true);

        // In-memory replicas (milvus pkg/metrics/querycoord_metrics.go: collection_num, resource_group_replica_total
        // per rg, the replicas of every collection loaded in the group summed). replicas: 4 over 2 collections in the
        // default group on 2 queryNodes, under the default min-replicas 1; replicasok: 3 over 3, one each; groups: 2
        // collections, 2 replicas in the default group and 2 in rg_hot (whose nodes serve only its own), on 4.
        cluster("replicas", true, true, true, true, true)[2].setLoadedReplicas(2, Map.of("__default_resource_group", 4));
        pods.start("replicas", "hr", InstallKind.HELM, "querynode", "hr-milvus-querynode-5d8c7f9b4d-r2p2l", 2, 8 * GIB)
                .setCpuUtilisation(0.5).setMemoryUtilisation(0.4);
        // groupsrecovering: querycoord just restarted with 2 + 2 replicas recovered in two groups, no collection
        // counted again yet, on 4 queryNodes
        cluster("groupsrecovering", true, true, true, true, true)[2].setLoadedReplicas(0, Map.of(
                "__default_resource_group", 2, "rg_hot", 2));
        for (String pod : new String[] {"h2b3c", "h3d4e", "h4f5g"}) {
            pods.start("groupsrecovering", "hr", InstallKind.HELM, "querynode", "hr-milvus-querynode-5d8c7f9b4d-" + pod,
                    2, 8 * GIB).setCpuUtilisation(0.5).setMemoryUtilisation(0.4);
        }
        // belowfloor: one collection loaded with 2 replicas on the 1 queryNode left (scale --force-range to 1)
        cluster("belowfloor", true, true, true, true, true)[2].setLoadedReplicas(1, Map.of("__default_resource_group",
                2));
        cluster("replicasok", true, true, true, true, true)[2].setLoadedReplicas(3, Map.of("__default_resource_group", 3));
        cluster("groups", true, true, true, true, true)[2].setLoadedReplicas(2, Map.of("__default_resource_group", 2,
                "rg_hot", 2));
        for (String pod : new String[] {"g2b3c", "g3d4e", "g4f5g"}) {
            pods.start("groups", "hr", InstallKind.HELM, "querynode", "hr-milvus-querynode-5d8c7f9b4d-" + pod, 2, 8 * GIB)
                    .setCpuUtilisation(0.5).setMemoryUtilisation(0.4);
        }
        // older: 2 collections loaded on a Milvus that exports no group gauge (the replicas cannot be seen)
        cluster("older", true, true, true, true, true)[2].setLoadedReplicas(2, Map.of());
        // recovering: querycoord just restarted, its 4 replicas recovered and no collection counted again yet
        // (querycoordv2 server.go sets collection_num to 0 and counts each once its observer sees it loaded)
        cluster("recovering", true, true, true, true, true)[2].setLoadedReplicas(0, Map.of("__default_resource_group",
                4));

        Instant now = CLOCK.instant();
        // The shipped rule file loaded, and Prometheus scraping itself as kube-prometheus-stack's does
        // (prometheus.serviceMonitor.selfMonitor: true), so doctor can read prometheus_rule_group_rules.
        prometheus = PrometheusServer.builder().targets(pods.targets())
                .ruleFile(Files.readString(Path.of("deploy/prometheus/milvus-autoscaler.rules.yaml")))
                .backfill(pods.openMetricsHistory(now.minus(Duration.ofMinutes(3)), now, Duration.ofSeconds(1),
                        Map.of("job", PrometheusServer.JOB)))
                .backfill(scrapeFailures(now.minus(Duration.ofMinutes(3)), now))
                .backfill(ksmGone(now))
                .start();
        List<String> scraped = new ArrayList<>(pods.targets());
        scraped.add("127.0.0.1:" + prometheus.port());
        prometheus.setTargets(scraped);
        StringBuilder clusters = new StringBuilder();
        for (String ns : new String[] {"empty", "healthy", "renamed", "nopods", "nocadvisor", "norequests", "nomonitor", "scrapefail",
                "nolabel", "neversearched", "restonly", "noproxy", "noqn", "partial", "stateful", "unscraped", "stopped", "notready", "unseen", "ksmgone", "queueonproxy", "bothkinds",
                "upgraded", "noindexnode", "replicas", "replicasok", "groups", "older", "recovering", "belowfloor", "groupsrecovering"}) {
            clusters.append("    { namespace = ").append(ns).append(", name = hr, install = helm,")
                    .append(" milvus-version = \"2.5.6\", components { ")
                    .append(ns.equals("upgraded") || ns.equals("noindexnode") ? "indexNode {" : "queryNode {")
                    .append(ns.equals("unscraped") ? " signals.read-queue.enabled = true" : "").append(" }")
                    .append(ns.equals("queueonproxy") ? ", proxy { signals.read-queue.enabled = true }" : "")
                    .append(" } }\n");
        }
        config = dir.resolve("autoscaler.conf");
        Files.writeString(config, """
                milvus-autoscaler {
                  prometheus.url = "%s"
                  clusters = [
                %s  ]
                }
                """.formatted(prometheus.url(), clusters));
        Poll.until("3 live scrapes of every endpoint", Duration.ofSeconds(40),
                () -> prometheus.query("count(count_over_time(up{job=\"milvus\"}[30s]) >= 3)"),
                body -> body.contains("\"" + scraped.size() + "\"]"));
    }

    /**
     * The up series Prometheus writes for the three Milvus scrape targets of scrapefail/hr when each scrape fails:
     * 0, with the job and the target labels the chart's ServiceMonitor gives (namespace, service, pod, endpoint,
     * app_kubernetes_io_instance, component), every 15 s up to {@code to}. Prometheus writes up for every target,
     * scraped or not, with the target's labels only; prometheus-operator's ServiceMonitor relabeling
     * (pkg/prometheus/promcfg.go) names the job after the Service and the endpoint after the port (metrics), and
     * targetLabels copies app.kubernetes.io/instance and component (charts/milvus/templates/servicemonitor.yaml).
     */
    private static String scrapeFailures(Instant from, Instant to) {
        StringBuilder out = new StringBuilder("# TYPE up gauge\n");
        for (String[] t : new String[][] {{"querynode", "hr-milvus-querynode-5d8c7f9b4d-q1w2e", "10.1.0.11"},
                {"mixcoord", "hr-milvus-mixcoord-6c9b8d7f5c-m1n2b", "10.1.0.12"},
                {"proxy", "hr-milvus-proxy-7d5c9b6f8d-p1o2i", "10.1.0.13"}}) {
            String series = "up{app_kubernetes_io_instance=\"hr\",app_kubernetes_io_name=\"milvus\",component=\"" + t[0]
                    + "\",endpoint=\"metrics\",instance=\"" + t[2] + ":9091\",job=\"hr-milvus-" + t[0]
                    + "\",namespace=\"scrapefail\",pod=\"" + t[1] + "\",service=\"hr-milvus-" + t[0] + "\"}";
            for (Instant at = from; !at.isAfter(to); at = at.plusSeconds(15)) {
                out.append(series).append(" 0 ").append(at.getEpochSecond()).append('\n');
            }
        }
        return out.append("# EOF\n").toString();
    }

    /** A Helm release hr in namespace {@code ns}: one queryNode, its mixcoord, and a proxy; returns the queryNode and the proxy. */
    private static FakeMilvusPod[] cluster(String ns, boolean cadvisor, boolean resources, boolean monitor, boolean label,
                                         boolean searched) {
        FakeMilvusPod queryNode = pods.start(ns, "hr", InstallKind.HELM, "querynode", "hr-milvus-querynode-5d8c7f9b4d-q1w2e",
                2, 8 * GIB).setCpuUtilisation(0.5).setMemoryUtilisation(0.4).expose(cadvisor, resources, monitor, label);
        FakeMilvusPod coordinator = pods.start(ns, "hr", InstallKind.HELM, "mixcoord",
                "hr-milvus-mixcoord-6c9b8d7f5c-m1n2b", 1, 4 * GIB).expose(true, true, monitor, label);
        var proxy = pods.start(ns, "hr", InstallKind.HELM, "proxy", "hr-milvus-proxy-7d5c9b6f8d-p1o2i", 1, 2 * GIB)
                .expose(true, true, monitor, label);
        if (searched) {
            proxy.setRequestRate("Search", 40);
        }
        return new FakeMilvusPod[] {queryNode, proxy, coordinator};
    }

    /**
     * Namespace ksmgone: a healthy release whose kube-state-metrics series end 10 minutes ago while the history of
     * everything else ends there too (this Prometheus holds no live target for it): past the 5m lookback nothing of it
     * answers now, but the last hour does, as after kube-state-metrics went away (its failed scrape marks every series
     * stale at once, Prometheus scrape/scrape.go).
     */
    private static String ksmGone(Instant now) throws Exception {
        try (FakeMilvusPods gone = new FakeMilvusPods(CLOCK)) {
            gone.start("ksmgone", "hr", InstallKind.HELM, "querynode", "hr-milvus-querynode-5d8c7f9b4d-k1s2m", 2, 8 * GIB)
                    .setCpuUtilisation(0.5);
            return gone.openMetricsHistory(now.minus(Duration.ofMinutes(40)), now.minus(Duration.ofMinutes(10)),
                    Duration.ofSeconds(15), Map.of("job", PrometheusServer.JOB));
        }
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {prometheus, pods}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // keep closing the others
                }
            }
        }
    }

    static Stream<Arguments> links() {
        return Stream.of(
                Arguments.of("empty", "cpu", "kube-state-metrics is not scraped"),
                Arguments.of("ksmgone", "cpu", "no kube_deployment_spec_replicas in namespace ksmgone now, though there"
                        + " was within the last day: kube-state-metrics is down or restarting, or its scrape fails"),
                Arguments.of("renamed", "cpu", "none of the Deployments hr-milvus-querynode (nor the component's StatefulSet) exists in renamed"),
                Arguments.of("renamed", "cpu", "fullname-override"),
                // indexNode gone after an upgrade to 2.6: the streamingNode says which Milvus runs (recheck 55, F1)
                Arguments.of("upgraded", "cpu", "none of the Deployments hr-milvus-indexnode (nor the component's"
                        + " StatefulSet) exists in upgraded: the release runs Milvus 2.6 or later (its streamingNode"
                        + " Deployment hr-milvus-streamingnode exists), which has no indexNode: its dataNodes build the"
                        + " indexes, so remove indexNode from the config, set the cluster's milvus-version to the"
                        + " release's, and scale dataNode with signals.index-backlog.enabled = true"),
                Arguments.of("noindexnode", "cpu", "check the cluster's name and install kind (a release installed"
                        + " with fullnameOverride needs fullname-override = \"...\", one with nameOverride name-override"
                        + " = \"...\"); or the release runs Milvus 2.6, which has no indexNode (its dataNodes build the"
                        + " indexes)"),
                Arguments.of("nopods", "cpu", "no pods of hr-milvus-querynode"),
                Arguments.of("nocadvisor", "cpu", "no cAdvisor series (container_cpu_usage_seconds_total)"),
                Arguments.of("nocadvisor", "memory", "kubelet.serviceMonitor.cAdvisor"),
                // pods that declare no request or limit at all (the chart's resources: {}): the signal is left out
                Arguments.of("norequests", "cpu", "left out of decisions: queryNode's 1 pod declares no CPU request"
                        + " on its querynode container (set queryNode.resources.requests.cpu in the chart values)"),
                Arguments.of("norequests", "memory", "left out of decisions: queryNode's 1 pod declares no memory"
                        + " limit on its querynode container (set queryNode.resources.limits.memory in the chart values)"),
                Arguments.of("nomonitor", "qps", "the chart's ServiceMonitor is off"),
                Arguments.of("nomonitor", "qps", "add label release="),
                // milvus-helm's _helpers.tpl: the Services' app.kubernetes.io/name is the nameOverride when set, so the
                // shipped monitor's selector (app.kubernetes.io/name: milvus) selects nothing for such a release.
                Arguments.of("nomonitor", "qps", "for a release that sets the chart's nameOverride, change its selector's"
                        + " app.kubernetes.io/name: milvus to that name"),
                Arguments.of("nomonitor", "settle", "no milvus_* series for nomonitor/hr"),
                // the floor's counts are querycoord's: unread, it holds every step-down
                Arguments.of("nomonitor", "replica-floor", "no milvus_* series for nomonitor/hr"),
                Arguments.of("nomonitor", "replica-floor", "; until it reads, every step-down holds (REPLICA_FLOOR)"),
                // a queryNode count below its replicas' floor: a replica may have no node (recheck 62, F5)
                Arguments.of("belowfloor", "replica-floor", "2 (replica floor query reads 2), above the 1 queryNodes"
                        + " wanted: querycoord may still be counting a collection it loads, or each it recovers after a"
                        + " restart (look again in a minute); else a replica has no node: scale queryNode to 2"),
                // selected but failing: the fix is the scrape, not a second monitor (which would count series twice)
                Arguments.of("scrapefail", "qps", "Prometheus has 3 Milvus scrape target(s) of scrapefail/hr and every"
                        + " scrape fails (up == 0)"),
                Arguments.of("scrapefail", "settle", "Status > Targets in Prometheus shows why"),
                Arguments.of("nolabel", "qps", "have no component label"),
                Arguments.of("restonly", "qps", "the queryNodes of restonly/hr serve searches the proxies do not count"),
                Arguments.of("restonly", "qps", "set signals.qps.enabled = false for this cluster"),
                Arguments.of("noproxy", "qps", "no proxy of noproxy/hr is scraped (no milvus_num_node{role_name=\"proxy\"})"),
                Arguments.of("noqn", "qps", "no queryNode of noqn/hr is scraped (no milvus_num_node{role_name=\"querynode\"})"),
                Arguments.of("partial", "cpu", "only 1 of 2 ready pods report cpu"),
                // a scale-out's new pod reads so for a scrape or two: look again, not a fault yet (recheck 75's remark)
                Arguments.of("partial", "cpu", "A pod ready since the last scrape or two reads so until a rate has two"
                        + " samples (a scale-out's new pods, for up to two scrape intervals): if doctor says it again a"
                        + " minute on, look at those series"),
                Arguments.of("unscraped", "read-queue", "the queryNode pods are not scraped"),
                Arguments.of("notready", "cpu", "no pod of hr-milvus-querynode is ready"
                        + " (kube_pod_status_ready{condition=\"true\"} is 0 for each): cpu averages over ready pods only"),
                Arguments.of("notready", "memory", "kubectl -n notready describe pod"),
                Arguments.of("unseen", "qps", "1 proxy pod(s) of unseen/hr serve reads but kube-state-metrics has exported"
                        + " no kube_pod_status_ready for them within the last 5m (hr-milvus-proxy-7d5c9b6f8d-p1o2i)"),
                Arguments.of("unseen", "qps", "A pod started since kube-state-metrics' last scrape reads so until its"
                        + " next one (a proxy scale-out's new pods, for a scrape interval): if doctor says it again a"
                        + " minute on, check that kube-state-metrics sees every pod"));
    }

    /**
     * The series carry the chart's component label (charts/milvus/templates/servicemonitor.yaml, targetLabels:
     * component) but the config names the operator's (milvus-operator pkg/controllers/podmonitor.go,
     * app.kubernetes.io/component): the fix is the config key, not the monitor, which the message blamed (recheck 10).
     */
    @Test
    void aComponentLabelTheSeriesDoNotCarryNamesTheOneTheyDo(@TempDir Path dir) throws Exception {
        Path wrong = Files.writeString(dir.resolve("wrong-label.conf"), Files.readString(config).replace(
                "milvus-autoscaler {", "milvus-autoscaler {\n  label-schemes.helm.component-label ="
                + " app_kubernetes_io_component"));
        Result r = doctor(wrong, new String[] {"--cluster", "healthy/hr"});
        assertEquals(1, r.code, r.out);
        assertTrue(r.out.contains("milvus_* series of healthy/hr have no app_kubernetes_io_component label but carry"
                + " component: set label-schemes.helm.component-label = component (the helm default is component)"),
                r.out);
    }

    /**
     * A Helm release running queryNode as both a Deployment and a StatefulSet of one name: the daemon holds it, and
     * doctor says so first, where it printed every check ok (recheck 42, R1); the StatefulSet-only release does not.
     */
    @Test
    void bothADeploymentAndAStatefulSetOfOneNameIsAFix() {
        Result r = doctor("--cluster", "bothkinds/hr");
        assertEquals(1, r.code, r.out);
        assertTrue(r.out.contains("FIX  workload             both a Deployment and a StatefulSet named"
                + " hr-milvus-querynode run, and the pods of both serve: the daemon writes neither (TARGET_UNAVAILABLE)"
                + " until one is deleted"), r.out);
        assertFalse(doctor("--cluster", "stateful/hr").out.contains("FIX  workload"));
    }

    /**
     * read-queue on a proxy reads empty: the FIX line says so, and a note under the target says why, as validate-config
     * warns it (recheck 38, R1: doctor gave only "empty result").
     */
    @Test
    void aSignalOnAComponentThatDoesNotExportItIsExplainedInANote() {
        Result r = doctor("--cluster", "queueonproxy/hr");
        assertEquals(1, r.code, r.out);
        String proxy = r.out.substring(r.out.indexOf("queueonproxy/hr/proxy"));
        assertTrue(proxy.contains("FIX  read-queue"), proxy);
        assertTrue(proxy.contains("note config               read-queue is enabled on proxy, but its query reads"
                + " milvus_querynode_read_task_ready_len, which only queryNodes export"), proxy);
        assertFalse(r.out.substring(0, r.out.indexOf("queueonproxy/hr/proxy")).contains("note config"), r.out);
    }

    /** A component stopped at 0 replicas is no fault: one line says so, nothing to fix, exit 0. */
    @Test
    void aStoppedComponentIsNoFaultToFix() {
        Result r = doctor("--cluster", "stopped/hr");
        assertEquals(0, r.code, r.out);
        assertTrue(r.out.contains("stop replicas             queryNode is wanted at 0 replicas (stopped): no pod to read a"
                + " signal from; the daemon leaves it stopped (SCALED_TO_ZERO) until someone scales it up"), r.out);
        assertFalse(r.out.contains("FIX"), r.out);
        assertTrue(r.out.contains("doctor: nothing to fix; 1 target(s) stopped at 0 replicas, with nothing to read until"
                + " scaled up"), r.out);
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @MethodSource("links")
    void namesTheFirstMissingLinkAndItsFix(String ns, String signal, String fix) {
        Result r = doctor("--cluster", ns + "/hr");
        assertEquals(1, r.code, r.out);
        String line = r.out.lines().filter(l -> l.trim().startsWith("FIX") && l.trim().substring(3).trim()
                .startsWith(signal + " ")).findFirst().orElseThrow(() -> new AssertionError("no FIX line for "
                + signal + ":\n" + r.out));
        assertTrue(line.contains(fix), line);
    }

    /**
     * healthy: Deployments; stateful: queryNode as the chart's StatefulSet, its pods found through kube_pod_owner's
     * StatefulSet and its replicas in kube_statefulset_*; neversearched: a proxy scraped but never searched since
     * it started, whose qps reads 0 (no series of milvus_proxy_req_count, none missing).
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"healthy", "stateful", "neversearched"})
    void aHealthyClusterIsAllOkAndExitsZero(String ns) {
        Result r = doctor("--cluster", ns + "/hr");
        assertEquals(0, r.code, r.out);
        assertTrue(r.out.contains("ok   cpu"), r.out);
        assertTrue(r.out.contains("ok   qps"), r.out);
        assertTrue(r.out.contains("ok   settle"), r.out);
        assertTrue(r.out.contains("every enabled signal is readable"), r.out);
        assertTrue(r.out.startsWith("prometheus\n  ok   freshness            newest scrape "), r.out);
        // This Prometheus scrapes the fake Milvus pods only: the daemon's own scrape is missing, said in a note that
        // leaves the exit code alone (doctor may run before the daemon is installed).
        assertTrue(r.out.contains("note self-scrape          Prometheus scrapes no milvus-autoscaler"
                + " (up{job=\"milvus-autoscaler\"} is empty)"), r.out);
        // It loaded the shipped rules, read from its own prometheus_rule_group_rules (the counts are the file's).
        assertTrue(r.out.contains("ok   alert-rules          rule groups milvus-autoscaling (" + rules("milvus-autoscaling")
                + " rules) and milvus-autoscaler (" + rules("milvus-autoscaler") + " rules) loaded"), r.out);
    }

    /**
     * The replica floor the daemon holds step-downs at, and what querycoord counts behind it: Milvus serves each
     * replica of a collection from nodes of its own ("query nodes num should be greater or equal to replica_number",
     * its resource group guide). 4 replicas over 2 collections put one collection at 2 or more.
     */
    @Test
    void theReplicaFloorLineSaysWhatTheLoadedReplicasNeed() {
        Result r = doctor("--cluster", "replicas/hr");
        assertEquals(0, r.code, r.out);
        assertTrue(r.out.contains("ok   replica-floor        2: 4 in-memory replicas of 2 loaded collections"
                + " (milvus_querycoord_resource_group_replica_total, milvus_querycoord_collection_num), and Milvus"
                + " serves each replica of a collection from queryNodes of its own; no step-down below it, above"
                + " min-replicas 1"), r.out);

        // A group's nodes serve only its replicas: 2 in the default group and 2 in rg_hot, each group's total.
        Result groups = doctor("--cluster", "groups/hr");
        assertTrue(groups.out.contains("ok   replica-floor        4: 4 in-memory replicas of 2 loaded collections in 2"
                + " resource groups"), groups.out);

        // 3 replicas over 3 collections: possibly one each, which min-replicas 1 keeps.
        Result ok = doctor("--cluster", "replicasok/hr");
        assertTrue(ok.out.contains("ok   replica-floor        1: 3 in-memory replicas of 3 loaded collections"
                + " (milvus_querycoord_resource_group_replica_total, milvus_querycoord_collection_num), and Milvus"
                + " serves each replica of a collection from queryNodes of its own\n"), ok.out);

        // Collections loaded on a Milvus without the group gauge: the floor reads 0, and the note says what to keep.
        Result older = doctor("--cluster", "older/hr");
        assertEquals(0, older.code, older.out);
        assertTrue(older.out.contains("note replica-floor        0: 2 collections are loaded, but querycoord exports no"
                + " milvus_querycoord_resource_group_replica_total (a Milvus release without it), so the daemon cannot"
                + " see their in-memory replicas: keep min-replicas at or above the largest replica_number a collection"
                + " is loaded with"), older.out);

        // Replicas and no collection counted yet: the floor reads UNKNOWN, said as what it is, no link to fix.
        Result recovering = doctor("--cluster", "recovering/hr");
        assertEquals(0, recovering.code, recovering.out);
        assertTrue(recovering.out.contains("note replica-floor        unknown: querycoord holds 4 in-memory replicas but"
                + " counts no loaded collection yet (milvus_querycoord_collection_num 0): a collection's first load, or"
                + " querycoord recovering after a restart"), recovering.out);

        // Fewer queryNodes wanted than the floor: read, so the summary says that, not "cannot be read" (recheck 63).
        Result below = doctor("--cluster", "belowfloor/hr");
        assertEquals(1, below.code, below.out);
        assertTrue(below.out.endsWith("doctor: every enabled signal is readable; 1 queryNode target(s) wanted below the"
                + " replica floor; see the line marked FIX replica-floor\n"), below.out);

        // Two groups read their totals while querycoord counts no collection yet: said so, not "0 loaded".
        Result groupsRecovering = doctor("--cluster", "groupsrecovering/hr");
        assertTrue(groupsRecovering.out.contains("ok   replica-floor        4: 4 in-memory replicas (querycoord counts no"
                + " loaded collection yet: a first load, or its recovery after a restart) in 2 resource groups"),
                groupsRecovering.out);

        // Nothing loaded: querycoord's collection_num reads 0 from its start, and no group gauge exists yet.
        Result none = doctor("--cluster", "healthy/hr");
        assertTrue(none.out.contains("ok   replica-floor        0: no collection loaded (milvus_querycoord_collection_num"
                + " 0)"), none.out);
    }

    /** The header names what the component runs as: the chart's queryNode.statefulset is a StatefulSet. */
    @Test
    void theHeaderNamesTheStatefulSetOrTheDeployments() {
        assertTrue(doctor("--cluster", "stateful/hr").out.contains("stateful/hr/queryNode (helm, StatefulSet"
                + " hr-milvus-querynode)\n"));
        assertTrue(doctor("--cluster", "healthy/hr").out.contains("healthy/hr/queryNode (helm, Deployments"
                + " hr-milvus-querynode)\n"));
    }

    /** The rules of one group of the shipped rule file, counted from the file itself. */
    @SuppressWarnings("unchecked")
    private static int rules(String group) {
        try {
            Map<String, Object> file = new org.yaml.snakeyaml.Yaml().load(
                    Files.readString(Path.of("deploy/prometheus/milvus-autoscaler.rules.yaml")));
            return ((List<Map<String, Object>>) file.get("groups")).stream().filter(g -> group.equals(g.get("name")))
                    .mapToInt(g -> ((List<?>) g.get("rules")).size()).sum();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The alert-rules line for each answer Prometheus can give: its rules API first, else its own gauge. */
    @Test
    void theAlertRulesLineSaysWhichGroupIsMissing() {
        // From the rules API: every group Prometheus evaluates, whether or not it scrapes itself.
        assertEquals("ok   alert-rules          rule groups milvus-autoscaling (4 rules) and milvus-autoscaler (8 rules)"
                + " loaded", DoctorCommand.alertRules(Map.of("milvus-autoscaling", 4, "milvus-autoscaler", 8, "k8s", 30)));
        String noScalingApi = DoctorCommand.alertRules(Map.of("milvus-autoscaler", 8, "k8s", 30));
        assertTrue(noScalingApi.startsWith("note alert-rules          Prometheus evaluates 2 rule group(s) but not"
                + " milvus-autoscaling (no alert scales a component"), noScalingApi);
        assertTrue(DoctorCommand.alertRules(Map.of()).startsWith("note alert-rules          Prometheus evaluates 0 rule"
                + " group(s) but not milvus-autoscaling"));
        // From prometheus_rule_group_rules, where the rules API does not answer.
        PrometheusMetricsSource.Count none = new PrometheusMetricsSource.Count(0, 0, Optional.empty());
        PrometheusMetricsSource.Count twelve = new PrometheusMetricsSource.Count(12, 12, Optional.empty());
        PrometheusMetricsSource.Count scaling = new PrometheusMetricsSource.Count(1, 4, Optional.empty());
        PrometheusMetricsSource.Count self = new PrometheusMetricsSource.Count(1, 8, Optional.empty());
        String api = "HTTP 404: 404 page not found";
        assertEquals("ok   alert-rules          rule groups milvus-autoscaling (4 rules) and milvus-autoscaler (8 rules)"
                + " loaded", DoctorCommand.alertRules(twelve, scaling, self, api));
        // Two files both holding the group (two PrometheusRules applied): still 4 rules a group.
        assertTrue(DoctorCommand.alertRules(twelve, new PrometheusMetricsSource.Count(2, 8, Optional.empty()), self, api)
                .contains("milvus-autoscaling (4 rules)"));
        String noScaling = DoctorCommand.alertRules(twelve, none, self, api);
        assertTrue(noScaling.startsWith("note alert-rules          Prometheus evaluates 12 rule group(s) but not"
                + " milvus-autoscaling (no alert scales a component"), noScaling);
        assertTrue(noScaling.contains("release: <its Helm release name>"), noScaling);
        String neither = DoctorCommand.alertRules(twelve, none, none, api);
        assertTrue(neither.contains("not milvus-autoscaling (no alert scales a component: search latency, read queue,"
                + " index backlog) nor milvus-autoscaler (no alert about the autoscaler fires, MilvusAutoscalerDown"
                + " included)"), neither);
        // Neither the rules API nor the gauge: doctor cannot tell, and says what each answered.
        assertEquals("note alert-rules          cannot tell whether Prometheus loaded the rule groups milvus-autoscaling"
                + " and milvus-autoscaler: its rules API (/api/v1/rules) answered HTTP 404: 404 page not found, and"
                + " prometheus_rule_group_rules has no group (it loaded none, or it does not scrape itself); look for"
                + " them under Status > Rules",
                DoctorCommand.alertRules(none, none, none, api));
        assertEquals("note alert-rules          prometheus_rule_group_rules cannot be read: timeout",
                DoctorCommand.alertRules(twelve, new PrometheusMetricsSource.Count(0, 0, Optional.of("timeout")), self,
                        api));
    }

    /** A real Prometheus's rules API gives the shipped groups with the file's rule counts. */
    @Test
    void theRulesApiOfARealPrometheusGivesTheShippedGroups() throws Exception {
        try (PrometheusMetricsSource source = new PrometheusMetricsSource(
                io.github.milvusautoscaler.config.ConfigLoader.load(config).prometheus(),
                io.github.milvusautoscaler.config.ConfigLoader.load(config).labelSchemes(), List.of(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
            PrometheusMetricsSource.RuleGroups groups = source.ruleGroups();
            assertEquals(Optional.empty(), groups.failure());
            assertEquals(Map.of("milvus-autoscaling", rules("milvus-autoscaling"), "milvus-autoscaler",
                    rules("milvus-autoscaler")), groups.groups());
        }
    }

    /** The group names doctor looks for are the shipped file's. */
    @Test
    void theGroupNamesAreTheShippedOnes() throws Exception {
        String file = Files.readString(Path.of("deploy/prometheus/milvus-autoscaler.rules.yaml"));
        assertTrue(file.contains("  - name: " + DoctorCommand.SCALING_GROUP + "\n"), DoctorCommand.SCALING_GROUP);
        assertTrue(file.contains("  - name: " + DoctorCommand.SELF_GROUP + "\n"), DoctorCommand.SELF_GROUP);
    }

    /**
     * The freshness query reads the newest sample's own time, not the evaluation time Prometheus stamps a result
     * with: asked now it answers a second or two (scrapes every second), asked 150 s ahead about 150 s, which is what a
     * Prometheus that stopped ingesting 150 s ago answers now. A query without timestamp() on the selectors reads 0
     * both times.
     */
    @Test
    void theFreshnessQueryReadsTheAgeOfTheNewestSample() {
        long now = Instant.now().getEpochSecond();
        double atNow = ageAt(now);
        double ahead = ageAt(now + 150);
        assertTrue(atNow >= 0 && atNow < 15, "age now " + atNow);
        assertTrue(ahead >= 140 && ahead < 165, "age 150 s ahead " + ahead);
    }

    private static double ageAt(long epochSecond) {
        String body = prometheus.get("/api/v1/query?time=" + epochSecond + "&query="
                + java.net.URLEncoder.encode(DoctorCommand.NEWEST_SCRAPE_AGE, java.nio.charset.StandardCharsets.UTF_8));
        com.google.gson.JsonArray result = com.google.gson.JsonParser.parseString(body).getAsJsonObject()
                .getAsJsonObject("data").getAsJsonArray("result");
        assertEquals(1, result.size(), body);
        return Double.parseDouble(result.get(0).getAsJsonObject().getAsJsonArray("value").get(1).getAsString());
    }

    /** The freshness line for each answer: current, past stale-after (a FIX that changes the exit), none, failed. */
    @Test
    void theFreshnessLineSaysWhetherPrometheusIsCurrent() {
        Duration staleAfter = Duration.ofMinutes(2);
        DoctorCommand.Freshness fresh = DoctorCommand.freshness(
                new PrometheusMetricsSource.Count(1, 12.4, Optional.empty()), staleAfter);
        assertEquals("ok   freshness            newest scrape 12s old (stale-after 2m)", fresh.line());
        assertFalse(fresh.stale());
        // exactly stale-after is still current, as the stale-input check's window includes its start
        assertFalse(DoctorCommand.freshness(new PrometheusMetricsSource.Count(1, 120, Optional.empty()), staleAfter)
                .stale());
        DoctorCommand.Freshness stalled = DoctorCommand.freshness(
                new PrometheusMetricsSource.Count(1, 150, Optional.empty()), staleAfter);
        assertTrue(stalled.stale());
        assertTrue(stalled.line().startsWith("FIX  freshness            Prometheus' newest sample of up and"
                + " kube_deployment_spec_replicas is 2m30s old, past stale-after 2m: it is not ingesting now"),
                stalled.line());
        DoctorCommand.Freshness none = DoctorCommand.freshness(
                new PrometheusMetricsSource.Count(0, 0, Optional.empty()), staleAfter);
        assertFalse(none.stale());
        assertTrue(none.line().startsWith("note freshness            Prometheus holds no sample of up or"
                + " kube_deployment_spec_replicas within its lookback"), none.line());
        assertEquals("note freshness            " + DoctorCommand.NEWEST_SCRAPE_AGE + " cannot be read: timeout",
                DoctorCommand.freshness(new PrometheusMetricsSource.Count(0, 0, Optional.of("timeout")), staleAfter)
                        .line());
    }

    /** The self-scrape line for each answer Prometheus can give. */
    @Test
    void theSelfScrapeLineSaysWhatPrometheusAnswered() {
        assertEquals("ok   self-scrape          2 replica(s) scraped, 1 up",
                DoctorCommand.selfScrape(new PrometheusMetricsSource.Count(2, 1, Optional.empty())));
        String none = DoctorCommand.selfScrape(new PrometheusMetricsSource.Count(0, 0, Optional.empty()));
        assertTrue(none.contains("release: <its Helm release name>"), none);
        // VictoriaMetrics' operator converts the ServiceMonitor whatever its labels (recheck 89's remark).
        assertTrue(none.endsWith("With VictoriaMetrics' operator the label does not matter: it converts a ServiceMonitor"
                + " to a VMServiceScrape unless its Prometheus converter is off; look for that VMServiceScrape"), none);
        assertEquals("note self-scrape          up{job=\"milvus-autoscaler\"} cannot be read: timeout",
                DoctorCommand.selfScrape(new PrometheusMetricsSource.Count(0, 0, Optional.of("timeout"))));
    }

    /**
     * A health query that reads nothing while the cluster is healthy is a fix to make: the daemon would hold every
     * step-down after the first for it. The one config/autoscaler.conf shipped before (README audit H1) asked for
     * the rate of {@code status="fail"} searches, a series Milvus makes only at a proxy's first failure; the shipped
     * one reads 0 there. The healthy cluster's proxy serves 40 searches/s and has failed none.
     */
    @Test
    void aHealthQueryEmptyOnAHealthyClusterIsAFix(@TempDir Path dir) throws Exception {
        String shipped = ConfigLoader.load(Path.of("config/autoscaler.conf")).targets().stream()
                .map(TargetSettings::healthQuery).filter(q -> !q.isBlank()).findFirst().orElseThrow();
        String before = "sum(rate(milvus_proxy_req_count{namespace=\"{namespace}\", {instance_label}=\"{release}\","
                + " function_name=\"Search\", status=\"fail\"}[2m])) > 1";
        Result empty = doctor(withHealthQuery(dir.resolve("before.conf"), before), new String[] {"--cluster", "healthy/hr"});
        assertEquals(1, empty.code, empty.out);
        assertTrue(empty.out.contains("FIX  health               " + DoctorCommand.HEALTH_UNKNOWN), empty.out);
        Result ok = doctor(withHealthQuery(dir.resolve("shipped.conf"), shipped), new String[] {"--cluster", "healthy/hr"});
        assertEquals(0, ok.code, ok.out);
        assertTrue(ok.out.contains("ok   health               OK\n"), ok.out);
    }

    private static Path withHealthQuery(Path file, String query) throws Exception {
        Files.writeString(file, """
                milvus-autoscaler {
                  prometheus.url = "%s"
                  clusters = [{ namespace = healthy, name = hr, install = helm, milvus-version = "2.5.6",
                    components { queryNode { health-query = \"\"\"%s\"\"\" } } }]
                }
                """.formatted(prometheus.url(), query));
        return file;
    }

    @Test
    void aBadConfigExitsTwo(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "milvus-autoscaler.loop.interval = banana\n");
        assertEquals(2, doctor(bad, new String[0]).code);
    }

    private static Result doctor(String... args) {
        return doctor(config, args);
    }

    private static Result doctor(Path file, String[] args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new DoctorCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = file.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        int code = cli.execute(all);
        return new Result(code, out + err.toString());
    }

    private record Result(int code, String out) {
    }
}
