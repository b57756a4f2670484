package io.github.milvusautoscaler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.FakeMilvusPod;
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
 * A queryNode removed by a step-down whose stopping gauge Prometheus still serves after the pod is gone: a target
 * dropped from discovery keeps its last samples until the staleness marker Prometheus writes two scrape intervals
 * later (scrape/scrape.go, endOfRunStaleness), 2m at a 60s scrape, while kube-state-metrics stops listing a deleted
 * pod at its next scrape. querycoord already counts one node against spec.replicas 1, no move runs: the settle query
 * reads QUIET, where the lingering 1 held the next step-down 2m after the node had left (real-install recheck 10, F2).
 * The same gauge on a pod kube-state-metrics still lists (a node stopping) reads BUSY.
 */
class DepartedStoppingNodeTest {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final double GIB = 1024.0 * 1024 * 1024;
    private static final String GONE = "-milvus-querynode-5d8c7f9b4d-gone1";

    private static PrometheusServer prometheus;

    @BeforeAll
    static void start() throws Exception {
        Instant now = CLOCK.instant().truncatedTo(ChronoUnit.SECONDS);
        prometheus = PrometheusServer.builder()
                .backfill(history("departed", now.minusSeconds(600), now.minusSeconds(10), true))
                .backfill(history("stopping", now.minusSeconds(600), now.minusSeconds(10), false))
                .start();
    }

    /**
     * Release hr in {@code namespace} right after a step-down 2 -> 1: spec.replicas 1, querycoord (in mixcoord)
     * counting 1 node, the removed node's stopping gauge at 1; when {@code deleted}, kube-state-metrics lists that pod no
     * more (its kube_* series, by the pod label, left out of the history).
     */
    private static String history(String namespace, Instant from, Instant to, boolean deleted) throws Exception {
        try (FakeMilvusPods pods = new FakeMilvusPods(CLOCK)) {
            pods.start(namespace, "hr", InstallKind.HELM, "querynode", "hr-milvus-querynode-5d8c7f9b4d-keep1", 2, 8 * GIB)
                    .setCpuUtilisation(0.3);
            FakeMilvusPod gone = pods.start(namespace, "hr", InstallKind.HELM, "querynode", "hr" + GONE, 2, 8 * GIB)
                    .setCpuUtilisation(0.1).setStoppingBalance(true);
            pods.start(namespace, "hr", InstallKind.HELM, "mixcoord", "hr-milvus-mixcoord-8d6f5c9b7c-m8c2t", 1, 4 * GIB)
                    .setQuerycoordQueryNodes(1.0);
            pods.setSpecReplicas(namespace, "hr-milvus-querynode", 1);
            String text = pods.openMetricsHistory(from, to, Duration.ofSeconds(15), Map.of("job", PrometheusServer.JOB));
            String podLabel = "pod=\"" + gone.name() + "\"";
            return !deleted ? text : text.lines().filter(l -> !(l.startsWith("kube_") && l.contains(podLabel)))
                    .collect(Collectors.joining("\n", "", "\n"));
        }
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @Test
    void aDeletedPodsLastStoppingGaugeDoesNotHoldTheNextStepDown() {
        Target departed = new Target("departed", "hr", Component.QUERY_NODE, InstallKind.HELM);
        Target stopping = new Target("stopping", "hr", Component.QUERY_NODE, InstallKind.HELM);
        try (PrometheusMetricsSource source = new PrometheusMetricsSource(TestEndpoints.of(prometheus.url()),
                DefaultQueries.schemes(), List.of(DefaultQueries.forTarget(departed), DefaultQueries.forTarget(stopping)),
                new SimpleMeterRegistry())) {
            Observation gone = source.observe(departed, CLOCK.instant());
            assertEquals(Settle.QUIET, gone.settle(), gone.settleNote());
            Observation still = source.observe(stopping, CLOCK.instant());
            assertEquals(Settle.BUSY, still.settle(), still.settleNote());
        }
    }
}
