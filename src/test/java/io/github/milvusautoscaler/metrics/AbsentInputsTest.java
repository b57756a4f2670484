package io.github.milvusautoscaler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.SignalQuery;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.testsupport.FakeMilvusPods;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus in which kube-state-metrics went away 400 s ago in one namespace while the kubelet's cAdvisor
 * and Milvus' own series went on: an empty signal names the exporter whose series are all gone, where it said only
 * "empty result" (fault recheck F4). Past Prometheus' 5m lookback a plain selector finds nothing, as it finds nothing
 * at once when kube-state-metrics' scrape fails (Prometheus marks every series of a failed target stale,
 * scrape/scrape.go); the backfill stands for both. A namespace whose series all go on reads values.
 */
class AbsentInputsTest {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final double GIB = 1024.0 * 1024 * 1024;

    private static PrometheusServer prometheus;
    /** cpu as the config gives it, with its empty-why query (DefaultQueries' signals have none). */
    private static final SignalQuery CPU_WITH_WHY = new SignalQuery("cpu", DefaultQueries.query("cpu"), true, false,
            null, DefaultQueries.query("cpu-empty-why"));

    @BeforeAll
    static void start() throws Exception {
        Instant now = CLOCK.instant().truncatedTo(ChronoUnit.SECONDS);
        prometheus = PrometheusServer.builder()
                // "ksm-down": everything until 400 s ago, then everything but kube-state-metrics' kube_* series.
                .backfill(history("ksm-down", now.minusSeconds(900), now.minusSeconds(400), true))
                .backfill(history("ksm-down", now.minusSeconds(400), now.minusSeconds(10), false))
                .backfill(history("whole", now.minusSeconds(900), now.minusSeconds(10), true))
                // "kubelet-down": everything until 400 s ago, then everything but cAdvisor's container_* series (a
                // kubelet ServiceMonitor dropped, or its scrapes refused).
                .backfill(history("kubelet-down", now.minusSeconds(900), now.minusSeconds(400), true))
                .backfill(history("kubelet-down", now.minusSeconds(400), now.minusSeconds(10), "container_"))
                .backfill(sidecarOnly(now.minusSeconds(900), now.minusSeconds(10)))
                .start();
    }

    /**
     * One Helm release hr in {@code namespace}: two queryNodes, a proxy with 40 searches/s and a mixcoord, from
     * {@code from} to {@code to}; without kube-state-metrics' series ({@code kube_*}, its metric prefix) unless
     * {@code withKsm}.
     */
    private static String history(String namespace, Instant from, Instant to, boolean withKsm) throws Exception {
        return history(namespace, from, to, withKsm ? "" : "kube_");
    }

    /** The same history without the lines of metrics whose names start with {@code without} ("": every line). */
    private static String history(String namespace, Instant from, Instant to, String without) throws Exception {
        try (FakeMilvusPods pods = new FakeMilvusPods(CLOCK)) {
            for (String pod : List.of("hr-milvus-querynode-5d8c7f9b4d-a1b2c", "hr-milvus-querynode-5d8c7f9b4d-d3e4f")) {
                pods.start(namespace, "hr", InstallKind.HELM, "querynode", pod, 2, 8 * GIB).setCpuUtilisation(0.5)
                        .setMemoryUtilisation(0.4);
            }
            pods.start(namespace, "hr", InstallKind.HELM, "proxy", "hr-milvus-proxy-6b9d8c7f5b-p4v7w", 1, 2 * GIB)
                    .setCpuUtilisation(0.3).setRequestRate("Search", 40);
            pods.start(namespace, "hr", InstallKind.HELM, "mixcoord", "hr-milvus-mixcoord-8d6f5c9b7c-m8c2t", 1, 4 * GIB);
            String text = pods.openMetricsHistory(from, to, Duration.ofSeconds(5), Map.of("job", PrometheusServer.JOB));
            return without.isEmpty() ? text : text.lines().filter(line -> !line.startsWith(without))
                    .collect(Collectors.joining("\n", "", "\n"));
        }
    }

    /**
     * Namespace "sidecar-only": one queryNode whose querynode container has no cAdvisor cpu series (a stand-in for
     * a series a metric relabeling drops: kube-prometheus-stack's kubelet ServiceMonitor takes user
     * cAdvisorMetricRelabelings, values.yaml kubelet.serviceMonitor) beside a sidecar that declares a cpu request and
     * is named {@code proxy} (the operator's spec.components.<c>.sidecars, deployment_updater.go updateSidecars),
     * like the queryNode with such a sidecar in recheck 72. The cpu template reads the Milvus container alone, so cpu
     * is empty; why it is empty must be asked of that container too.
     */
    private static String sidecarOnly(Instant from, Instant to) throws Exception {
        try (FakeMilvusPods pods = new FakeMilvusPods(CLOCK)) {
            pods.start("sidecar-only", "hr", InstallKind.HELM, "querynode", "hr-milvus-querynode-5d8c7f9b4d-s1d3c", 2,
                    8 * GIB).setCpuUtilisation(0.5).setMemoryUtilisation(0.4).withSidecar("proxy", 0.1, GIB, 0.05, 1e8);
            String text = pods.openMetricsHistory(from, to, Duration.ofSeconds(5), Map.of("job", PrometheusServer.JOB));
            return text.lines().filter(line -> !(line.startsWith("container_cpu_usage_seconds_total")
                    && line.contains("container=\"querynode\""))).collect(Collectors.joining("\n", "", "\n"));
        }
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    private static Target queryNode(String namespace) {
        return new Target(namespace, "hr", Component.QUERY_NODE, InstallKind.HELM);
    }

    private static PrometheusMetricsSource source() {
        return new PrometheusMetricsSource(TestEndpoints.of(prometheus.url()), DefaultQueries.schemes(),
                List.of(DefaultQueries.forTarget(queryNode("ksm-down")), DefaultQueries.forTarget(queryNode("whole"))),
                new SimpleMeterRegistry());
    }

    @Test
    void anEmptySignalNamesTheExporterWhoseSeriesAreAllGone() {
        // The premise: cAdvisor's and Milvus' series of the namespace are current, kube-state-metrics' are gone.
        assertTrue(prometheus.query("milvus_num_node{namespace=\"ksm-down\"}").contains("\"result\":[{"));
        assertTrue(prometheus.query("kube_pod_owner{namespace=\"ksm-down\"}").contains("\"result\":[]"));
        try (PrometheusMetricsSource source = source()) {
            Observation o = source.observe(queryNode("ksm-down"), CLOCK.instant());
            for (String name : List.of("cpu", "memory")) {
                Signal s = o.signals().get(name);
                assertFalse(s.isKnown(), name + " read " + s.value());
                assertTrue(s.problem().startsWith("empty result: no series of kube_pod_container_resource_"),
                        name + ": " + s.problem());
                assertTrue(s.problem().endsWith(", kube_pod_owner, kube_pod_status_ready, kube_replicaset_owner in"
                        + " namespace ksm-down now (kube-state-metrics down or not scraped; doctor names the missing"
                        + " link)"), name + ": " + s.problem());
                // cAdvisor's counters and Milvus' own series are there: not named.
                assertFalse(s.problem().contains(" container_") || s.problem().contains("milvus_"), s.problem());
            }
            Signal qps = o.signals().get("qps");
            assertFalse(qps.isKnown(), "qps read " + qps.value());
            assertTrue(qps.problem().contains("kube_pod_status_ready") && qps.problem().contains(
                    "(kube-state-metrics down or not scraped;") && !qps.problem().contains("milvus_"), qps.problem());

            // The settle query reads kube-state-metrics' spec.replicas and the owner chain too: it names the same
            // exporter, where "settle query: empty result" sent the SRE to querycoord (recheck 11).
            assertTrue(o.settleNote().startsWith("settle query: empty result: no series of kube_deployment_spec_replicas,"),
                    o.settleNote());
            assertTrue(o.settleNote().contains("(kube-state-metrics down or not scraped;") && !o.settleNote().contains(
                    "milvus_"), o.settleNote());

            Observation whole = source.observe(queryNode("whole"), CLOCK.instant());
            assertEquals(0.5, whole.signals().get("cpu").value().getAsDouble(), 0.02);
        }
    }

    /**
     * cpu-empty-why would name each ready pod as having no cAdvisor series; with cAdvisor's every series gone from the
     * namespace, the exporter is said once instead, as for kube-state-metrics above.
     */
    @Test
    void aGoneExporterIsSaidBeforeThePodsItLeavesWithoutSeries() {
        assertTrue(prometheus.query("container_cpu_usage_seconds_total{namespace=\"kubelet-down\"}")
                .contains("\"result\":[]"));
        Signal cpu = observed(CPU_WITH_WHY, queryNode("kubelet-down"));
        assertFalse(cpu.isKnown(), "cpu read " + cpu.value());
        assertEquals("empty result: no series of container_cpu_usage_seconds_total in namespace kubelet-down now"
                + " (the kubelet's cAdvisor down or not scraped; doctor names the missing link)", cpu.problem());
    }

    /**
     * cpu-empty-why, sent once for a cluster's queryNode and proxy, matched the union of their container names, so the
     * queryNode's sidecar named {@code proxy}, scraped and with a request, hid why the querynode container reads
     * nothing: "empty result" alone. Each container now counts only for its own pod's component, as in cpu.
     */
    @Test
    void whyCpuIsEmptyAsksTheMilvusContainerNotASidecarNamedLikeAnotherComponent() {
        assertTrue(prometheus.query("container_cpu_usage_seconds_total{namespace=\"sidecar-only\", container=\"proxy\"}")
                .contains("\"result\":[{"));
        Target queryNode = queryNode("sidecar-only");
        Target proxy = new Target("sidecar-only", "hr", Component.PROXY, InstallKind.HELM);
        Signal cpu = observed(CPU_WITH_WHY, queryNode, proxy);
        assertFalse(cpu.isKnown(), "cpu read " + cpu.value());
        assertEquals("empty result: pod with no cAdvisor cpu series of a container with a cpu request (its node's"
                + " kubelet /metrics/cadvisor not scraped, or the series dropped by a relabeling):"
                + " hr-milvus-querynode-5d8c7f9b4d-s1d3c", cpu.problem());
    }

    /**
     * Milvus creates its search latency histogram at a proxy's first search (ProxySQLatency, a HistogramVec in
     * milvus-io/milvus pkg/metrics/proxy_metrics.go, observed per query_type): in namespace whole the proxy is
     * scraped (milvus_num_node, milvus_proxy_req_count) and exports no latency, and the reason named a Milvus "down or
     * not scraped" (recheck 75's remark). Where milvus_num_node is gone too, Milvus is not scraped, and is said so.
     */
    @Test
    void aMilvusSeriesNotCreatedYetIsNotAMilvusNotScraped() {
        SignalQuery latency = new SignalQuery("search-latency-p99", DefaultQueries.query("search-latency-p99"), false);
        Target wholeProxy = new Target("whole", "hr", Component.PROXY, InstallKind.HELM);
        Signal p99 = observed(latency, wholeProxy);
        assertFalse(p99.isKnown(), "latency read " + p99.value());
        assertEquals("empty result: no series of milvus_proxy_sq_latency_bucket in namespace whole now, though"
                + " Milvus is scraped there (milvus_num_node): Milvus creates such a series at its first use (a"
                + " proxy's search latency at its first search, querycoord's task count at its first task), so none"
                + " yet, or a relabeling drops it", p99.problem());
        assertTrue(prometheus.query("milvus_num_node{namespace=\"gone\"}").contains("\"result\":[]"));
        Target goneProxy = new Target("gone", "hr", Component.PROXY, InstallKind.HELM);
        assertEquals("empty result: no series of milvus_proxy_sq_latency_bucket in namespace gone now (Milvus (the"
                + " chart's ServiceMonitor or the operator's PodMonitor) down or not scraped; doctor names the"
                + " missing link)", observed(latency, goneProxy).problem());
    }

    /**
     * {@code query} of {@code target} read once from this Prometheus, by a source that also reads it for
     * {@code others} (one query for a cluster's components, as the daemon sends it).
     */
    private static Signal observed(SignalQuery query, Target target, Target... others) {
        List<TargetQueries> queries = new java.util.ArrayList<>(List.of(new TargetQueries(target, List.of(query), "", "")));
        for (Target other : others) {
            queries.add(new TargetQueries(other, List.of(query), "", ""));
        }
        try (PrometheusMetricsSource source = new PrometheusMetricsSource(TestEndpoints.of(prometheus.url()),
                DefaultQueries.schemes(), queries, new SimpleMeterRegistry())) {
            return source.observe(target, CLOCK.instant()).signals().get(query.name());
        }
    }

    @Test
    void theProbeNamesOnlyMetricsWithNoSeriesInTheNamespace() {
        // The probe as Prometheus answers it: a metric with series in the namespace (a gauge, a counter) is not
        // named, one without any is.
        String probe = StaleInputs.absentProbe("whole", List.of("kube_pod_owner", "milvus_proxy_req_count",
                "milvus_never_exported")).orElseThrow();
        String body = prometheus.query(probe);
        assertTrue(body.contains("\"milvus_autoscaler_input\":\"milvus_never_exported\""), body);
        assertFalse(body.contains("\"milvus_autoscaler_input\":\"kube_pod_owner\""), body);
        assertFalse(body.contains("\"milvus_autoscaler_input\":\"milvus_proxy_req_count\""), body);
    }
}
