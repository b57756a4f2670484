package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.metrics.PrometheusMetricsSource;
import io.github.milvusautoscaler.testsupport.FakeMilvusPod;
import io.github.milvusautoscaler.testsupport.FakeMilvusPods;
import io.github.milvusautoscaler.testsupport.Poll;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A queryNode whose node's kubelet stops answering: Prometheus marks its cAdvisor series stale at the next scrape
 * (prometheus.io docs, querying/basics "Staleness"; cAdvisor's own timestamps get the marker from Prometheus 2.48 with
 * track_timestamps_staleness, which a current kube-prometheus-stack sets), while kube-state-metrics still reports the
 * pod ready until the node controller's node-monitor-grace-period (40 s) has passed. cpu kept the pod's last rate,
 * since a range selector keeps the samples before a marker, and averaged it with the live pods, where memory, a plain
 * selector, read it gone (recheck 58, F1). Now both read it as a pod not reporting: fewer pods than ready, which the
 * policy reads UNKNOWN.
 */
class StoppedKubeletTest {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final double GIB = 1024.0 * 1024 * 1024;
    private static final Target QUERY_NODE = new Target("milvus", "lone", Component.QUERY_NODE, InstallKind.HELM);

    private static FakeMilvusPods pods;
    private static PrometheusServer prometheus;
    private static FakeMilvusPod cut;

    @BeforeAll
    static void start() {
        pods = new FakeMilvusPods(CLOCK);
        pods.start("milvus", "lone", InstallKind.HELM, "querynode", "lone-milvus-querynode-7d6c5b9f8d-a1a1a", 2, 8 * GIB)
                .setCpuUtilisation(0.4).setMemoryUtilisation(0.4).cadvisorStaleness();
        cut = pods.start("milvus", "lone", InstallKind.HELM, "querynode", "lone-milvus-querynode-7d6c5b9f8d-b2b2b", 2,
                8 * GIB).setCpuUtilisation(0.8).setMemoryUtilisation(0.6).cadvisorStaleness();
        prometheus = PrometheusServer.builder().targets(pods.targets()).targetLabels(pods.targetLabels()).start();
        Poll.until("a cpu rate of both queryNodes", WAIT,
                () -> prometheus.query("count(irate(container_cpu_usage_seconds_total{namespace=\"milvus\","
                        + " container=\"querynode\"}[2m]))"), body -> body.contains("\"2\"]"));
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (pods != null) {
            pods.close();
        }
    }

    @Test
    void aPodWhoseCadvisorSeriesWentStaleNoLongerReportsCpu() {
        AutoscalerSettings settings = ConfigLoader.parse("""
                milvus-autoscaler {
                  prometheus.url = "%s"
                  clusters = [
                    { namespace = milvus, name = lone, install = helm, milvus-version = "2.5.6", components { queryNode {} } }
                  ]
                }
                """.formatted(prometheus.url()), "lone.conf");
        try (PrometheusMetricsSource source = source(settings)) {
            Observation both = source.observe(QUERY_NODE, CLOCK.instant());
            assertEquals(2, both.signals().get("cpu").podsReporting(), both.signals().toString());
            // (0.4 + 0.8) / 2.
            assertEquals(0.6, both.signals().get("cpu").value().getAsDouble(), 0.05);
        }
        // The kubelet's scrape of the pod's node ends: its cAdvisor series leave, and Prometheus marks them stale at
        // its next scrape; kube-state-metrics still reports the pod ready.
        cut.expose(false, true, true, true);
        Poll.until("the pod's working set marked stale", WAIT, () -> prometheus.query(
                "container_memory_working_set_bytes{pod=\"" + cut.name() + "\"}"), body -> body.contains("\"result\":[]"));
        assertTrue(prometheus.query("irate(container_cpu_usage_seconds_total{pod=\"" + cut.name()
                + "\", container=\"querynode\"}[2m])").contains("\"value\""), "the premise: the range still holds a rate");
        try (PrometheusMetricsSource source = source(settings)) {
            Observation one = source.observe(QUERY_NODE, CLOCK.instant());
            assertEquals(1, one.signals().get("memory").podsReporting(), one.signals().toString());
            assertEquals(1, one.signals().get("cpu").podsReporting(), one.signals().toString());
            assertEquals(0.4, one.signals().get("cpu").value().getAsDouble(), 0.05);
        }
    }

    private static PrometheusMetricsSource source(AutoscalerSettings settings) {
        return new PrometheusMetricsSource(settings.prometheus(), settings.labelSchemes(),
                Assembly.queries(settings.targets()), new SimpleMeterRegistry());
    }
}
