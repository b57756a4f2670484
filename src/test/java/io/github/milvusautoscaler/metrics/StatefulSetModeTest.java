package io.github.milvusautoscaler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.SignalQuery;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.testsupport.FakeMilvusPods;
import io.github.milvusautoscaler.testsupport.Poll;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A Helm release with {@code queryNode.statefulset: true} and {@code indexNode.statefulset: true}: the chart makes
 * StatefulSets named as the Deployments would be (milvus-helm templates/querynode-statefulset.yaml,
 * indexnode-statefulset.yaml), so kube-state-metrics names them in {@code kube_pod_owner{owner_kind="StatefulSet"}}
 * and exports {@code kube_statefulset_replicas} / {@code kube_statefulset_status_replicas_ready} instead of the
 * Deployment series. The shipped templates read them through a real Prometheus as they read Deployments. Beside
 * it, an operator install with {@code queryNode.statefulSet.enabled}: one StatefulSet {@code <name>-milvus-querynode}
 * (milvus-operator pkg/controllers/statefulset.go), no -0/-1.
 *
 * <pre>
 * gamma (helm, ns milvus-c)
 *   querynode StatefulSet x2 (gamma-milvus-querynode-0, -1): cpu 0.5 / 0.3 of 2 cores, mem 0.4 / 0.2 of 8 GiB
 *   indexnode StatefulSet x1: cpu 0.6 of 4 cores
 *   proxy Deployment x1: Search 10/s, Query 2/s
 *   mixcoord Deployment x1 (querycoord counts the two queryNodes)
 * delta (operator, ns milvus-d)
 *   querynode StatefulSet x3 (delta-milvus-querynode-0..2): cpu 0.9 / 0.6 / 0.3 of 1 core
 *   proxy Deployment x1: Search 30/s; mixcoord x1
 * </pre>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatefulSetModeTest {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final double GIB = 1024.0 * 1024 * 1024;
    private static final Target QUERY_NODE = new Target("milvus-c", "gamma", Component.QUERY_NODE, InstallKind.HELM);
    private static final Target INDEX_NODE = new Target("milvus-c", "gamma", Component.INDEX_NODE, InstallKind.HELM);
    private static final Target PROXY = new Target("milvus-c", "gamma", Component.PROXY, InstallKind.HELM);
    private static final Target OPERATOR_QUERY_NODE = new Target("milvus-d", "delta", Component.QUERY_NODE,
            InstallKind.OPERATOR);

    private static FakeMilvusPods pods;
    private static PrometheusServer prometheus;
    private static PrometheusMetricsSource source;

    @BeforeAll
    static void start() {
        pods = new FakeMilvusPods(CLOCK);
        pods.startStatefulSetPod("milvus-c", "gamma", "querynode", 0, 2, 8 * GIB)
                .setCpuUtilisation(0.5).setMemoryUtilisation(0.4);
        pods.startStatefulSetPod("milvus-c", "gamma", "querynode", 1, 2, 8 * GIB)
                .setCpuUtilisation(0.3).setMemoryUtilisation(0.2);
        pods.startStatefulSetPod("milvus-c", "gamma", "indexnode", 0, 4, 8 * GIB)
                .setCpuUtilisation(0.6).setMemoryUtilisation(0.1);
        pods.start("milvus-c", "gamma", InstallKind.HELM, "proxy", "gamma-milvus-proxy-5c-p1", 1, 2 * GIB)
                .setCpuUtilisation(0.2).setMemoryUtilisation(0.2)
                .setRequestRate("Search", 10).setRequestRate("Query", 2);
        pods.start("milvus-c", "gamma", InstallKind.HELM, "mixcoord", "gamma-milvus-mixcoord-4e-m1", 1, 4 * GIB)
                .setCpuUtilisation(0.1).setMemoryUtilisation(0.2);
        for (int ordinal = 0; ordinal < 3; ordinal++) {
            pods.startStatefulSetPod("milvus-d", "delta", InstallKind.OPERATOR, "querynode", ordinal, 1, 4 * GIB)
                    .setCpuUtilisation(0.9 - 0.3 * ordinal).setMemoryUtilisation(0.5);
        }
        pods.start("milvus-d", "delta", InstallKind.OPERATOR, "proxy", "delta-milvus-proxy-6f-p1", 1, 2 * GIB)
                .setCpuUtilisation(0.2).setMemoryUtilisation(0.2).setRequestRate("Search", 30);
        pods.start("milvus-d", "delta", InstallKind.OPERATOR, "mixcoord", "delta-milvus-mixcoord-4e-m1", 1, 4 * GIB);
        prometheus = PrometheusServer.builder()
                .targets(pods.targets())
                .backfill(pods.openMetricsHistory(CLOCK.instant().minus(Duration.ofMinutes(3)), CLOCK.instant(),
                        Duration.ofSeconds(1), Map.of("job", PrometheusServer.JOB)))
                .start();
        List<SignalQuery> signals = List.of(DefaultQueries.signal("cpu"), DefaultQueries.signal("memory"),
                DefaultQueries.signal("qps"));
        source = new PrometheusMetricsSource(TestEndpoints.of(prometheus.url()), DefaultQueries.schemes(), List.of(
                new TargetQueries(QUERY_NODE, signals, DefaultQueries.query("querynode-settle"), ""),
                new TargetQueries(INDEX_NODE, signals, "", ""),
                new TargetQueries(PROXY, signals, "", ""),
                new TargetQueries(OPERATOR_QUERY_NODE, signals, DefaultQueries.query("querynode-settle"), "")),
                new SimpleMeterRegistry());
        Poll.until("3 live scrapes of every pod", WAIT,
                () -> prometheus.query("count(count_over_time(up{job=\"milvus\"}[30s]) >= 3)"),
                body -> body.contains("\"" + pods.targets().size() + "\"]"));
    }

    @AfterAll
    static void stop() {
        if (source != null) {
            source.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (pods != null) {
            pods.close();
        }
    }

    @Order(1)
    @Test
    void theStatefulSetsPodsAndReadyReplicasAreFound() {
        Observation queryNode = source.observe(QUERY_NODE, CLOCK.instant());
        // cpu (0.5 + 0.3) / 2, memory (0.4 + 0.2) / 2, qps (Search 10 + Query 2) / 2 ready queryNodes
        assertSignal(queryNode.signals().get("cpu"), 0.4, 2);
        assertSignal(queryNode.signals().get("memory"), 0.3, 2);
        assertSignal(queryNode.signals().get("qps"), 6.0, 0);
        assertSignal(source.observe(INDEX_NODE, CLOCK.instant()).signals().get("cpu"), 0.6, 1);
        // A Deployment of the same release is read as before beside them.
        assertSignal(source.observe(PROXY, CLOCK.instant()).signals().get("qps"), 12.0, 0);
        assertEquals(Settle.QUIET, queryNode.settle(), "querycoord's 2 queryNodes = the StatefulSet's 2 replicas");
    }

    @Order(1)
    @Test
    void theOperatorsStatefulSetIsReadToo() {
        Observation queryNode = source.observe(OPERATOR_QUERY_NODE, CLOCK.instant());
        // cpu (0.9 + 0.6 + 0.3) / 3, qps Search 30 / 3 ready queryNodes
        assertSignal(queryNode.signals().get("cpu"), 0.6, 3);
        assertSignal(queryNode.signals().get("qps"), 10.0, 0);
        assertEquals(Settle.QUIET, queryNode.settle(), "querycoord's 3 queryNodes = the StatefulSet's 3 replicas");
    }

    /** A step-down writes the StatefulSet's spec.replicas first; the removed node counts until it has left. */
    @Order(2)
    @Test
    void settleIsBusyWhileTheStatefulSetsRemovedNodeIsStillRegistered() {
        pods.setSpecReplicas("milvus-c", "gamma-milvus-querynode", 1);
        Poll.until("settle BUSY while querycoord still counts 2 and kube_statefulset_replicas says 1", WAIT,
                () -> source.observe(QUERY_NODE, CLOCK.instant()).settle(), s -> s == Settle.BUSY);
        pods.setSpecReplicas("milvus-c", "gamma-milvus-querynode", null);
        Poll.until("settle QUIET once they agree again", WAIT,
                () -> source.observe(QUERY_NODE, CLOCK.instant()).settle(), s -> s == Settle.QUIET);
    }

    private static void assertSignal(Signal signal, double expected, int podsReporting) {
        assertTrue(signal.isKnown(), () -> String.valueOf(signal.problem()));
        assertEquals(expected, signal.value().getAsDouble(), 0.05 * expected);
        assertEquals(podsReporting, signal.podsReporting());
    }
}
