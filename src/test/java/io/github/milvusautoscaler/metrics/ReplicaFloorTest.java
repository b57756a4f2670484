package io.github.milvusautoscaler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.ReplicaFloor;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.FakeMilvusPods;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shipped {@code queries.querynode-replica-floor} against a real Prometheus: the fewest queryNodes the loaded
 * in-memory replicas need, from querycoord's {@code milvus_querycoord_resource_group_replica_total{rg}} (each group's
 * replicas summed over its collections) and {@code milvus_querycoord_collection_num} (milvus-io/milvus
 * pkg/metrics/querycoord_metrics.go). Milvus serves each replica of a collection from nodes of its own ("query nodes
 * num should be greater or equal to replica_number", its resource group guide), and a group's nodes serve only the
 * replicas loaded there: with one group some collection has ceil(replicas / collections) or more, with two or more
 * each group's total is read; a group's replicas are its most over the last 2m while the collection count held still
 * (querycoordv2 ReleaseCollectionJob removes the replicas before it counts the collection out).
 */
class ReplicaFloorTest {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final double GIB = 1024.0 * 1024 * 1024;

    private static PrometheusServer prometheus;

    @BeforeAll
    static void start() throws Exception {
        Instant now = CLOCK.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant from = now.minusSeconds(300);
        Instant to = now.minusSeconds(10);
        PrometheusServer.Builder builder = PrometheusServer.builder();
        List<String> histories = new ArrayList<>();
        // Nothing loaded: collection_num 0 from querycoord's start, no group gauge yet.
        histories.add(history("none", InstallKind.HELM, 0, Map.of(), true, from, to));
        // One collection with replica_number=2 and one with 2 (4 in the default group over 2): 2 nodes at least.
        histories.add(history("two", InstallKind.HELM, 2, Map.of("__default_resource_group", 4), true, from, to));
        // The same on an operator install, whose monitor labels the series app_kubernetes_io_component.
        histories.add(history("operator", InstallKind.OPERATOR, 2, Map.of("__default_resource_group", 4), true, from,
                to));
        // 2 collections, one loaded with 2 replicas in the default group, one with 2 in rg_hot: the groups' nodes are
        // apart, so 2 + 2 = 4 (recheck 62, F1: a per-group ceil(2/2) read 1 + 1 = 2).
        histories.add(history("groups", InstallKind.HELM, 2, Map.of("__default_resource_group", 2, "rg_hot", 2), true,
                from, to));
        // 3 collections: A with 2 in the default group, B and C with 1 each in rg_hot. Each group's total, 2 + 2 = 4,
        // never reads low; Milvus needs 2 + 1 = 3.
        histories.add(history("sharedgroup", InstallKind.HELM, 3, Map.of("__default_resource_group", 2, "rg_hot", 2),
                true, from, to));
        // Two groups just after querycoord restarted (no collection counted yet): the totals need no count.
        histories.add(history("groupsrecovering", InstallKind.HELM, 0, Map.of("__default_resource_group", 2,
                "rg_hot", 2), true, from, to));
        // 3 replicas over 2 collections, one loaded with 2 and one with 1: ceil(1.5) = 2 nodes at least.
        histories.add(history("uneven", InstallKind.HELM, 2, Map.of("__default_resource_group", 3), true, from, to));
        // 3 replicas over 3 collections: possibly one each, 1 node.
        histories.add(history("spread", InstallKind.HELM, 3, Map.of("__default_resource_group", 3), true, from, to));
        // Collections loaded on a Milvus that exports no group gauge: the replicas cannot be seen, so no floor.
        histories.add(history("older", InstallKind.HELM, 2, Map.of(), true, from, to));
        // Replicas with no collection counted: the first collection still loading (its replica is put before
        // querycoord counts it as loaded), or querycoord just restarted (it recovers the replicas at once, sets
        // collection_num to 0 and counts each collection again once its observer sees it loaded: querycoordv2
        // server.go, "We really update the metric after observers think the collection loaded"). No bound can be
        // read: UNKNOWN, which holds a step-down until the count catches up.
        histories.add(history("recovering", InstallKind.HELM, 0, Map.of("__default_resource_group", 4), true, from,
                to));
        // Part way through that recovery, 1 of the 2 collections counted again: 4 over 1 reads 4, high, so it holds.
        histories.add(history("halfcounted", InstallKind.HELM, 1, Map.of("__default_resource_group", 4), true, from,
                to));
        // One of two collections loaded with 3 replicas each being released 30 s ago: querycoord removed its replicas
        // (6 -> 3) at once and counts the collection out only once the nodes let go of it (querycoordv2
        // ReleaseCollectionJob: replicas removed, waitCollectionReleased, then collection_num lowered). 3 over 2
        // would read 2 where the collection still loaded needs 3; the replicas' most over the last 2m reads 6 over 2.
        histories.add(history("releasing", InstallKind.HELM, 2, Map.of("__default_resource_group", 6), true, from,
                to.minusSeconds(30)));
        histories.add(history("releasing", InstallKind.HELM, 2, Map.of("__default_resource_group", 3), true,
                to.minusSeconds(29), to));
        // The same release once querycoord has counted the collection out (2 -> 1): the replicas now, 3 over 1.
        histories.add(history("released1", InstallKind.HELM, 2, Map.of("__default_resource_group", 6), true, from,
                to.minusSeconds(30)));
        histories.add(history("released1", InstallKind.HELM, 1, Map.of("__default_resource_group", 3), true,
                to.minusSeconds(29), to));
        // Every collection released: the group gauge stays at 0 and collection_num is 0 again.
        histories.add(history("released", InstallKind.HELM, 0, Map.of("__default_resource_group", 0), true, from, to));
        // The coordinator is not scraped: the floor cannot be read.
        histories.add(history("nocoord", InstallKind.HELM, 0, Map.of(), false, from, to));
        for (String h : histories) {
            builder.backfill(h);
        }
        prometheus = builder.start();
    }

    /** Release hr in {@code namespace}: two queryNodes and, when {@code coordinator}, a mixcoord reporting the loads. */
    private static String history(String namespace, InstallKind install, int collections,
                                  Map<String, Integer> replicasPerGroup, boolean coordinator, Instant from, Instant to)
            throws Exception {
        try (FakeMilvusPods pods = new FakeMilvusPods(CLOCK)) {
            String prefix = install == InstallKind.HELM ? "hr-milvus-querynode-5d8c7f9b4d-" : "hr-milvus-querynode-0-6b8c9d7f5d-";
            pods.start(namespace, "hr", install, "querynode", prefix + "a1b2c", 2, 8 * GIB).setCpuUtilisation(0.3);
            pods.start(namespace, "hr", install, "querynode", prefix + "d3e4f", 2, 8 * GIB).setCpuUtilisation(0.3);
            if (coordinator) {
                pods.start(namespace, "hr", install, "mixcoord", "hr-milvus-mixcoord-8d6f5c9b7c-m8c2t", 1, 4 * GIB)
                        .setLoadedReplicas(collections, replicasPerGroup);
            }
            return pods.openMetricsHistory(from, to, Duration.ofSeconds(15), Map.of("job", PrometheusServer.JOB));
        }
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({"none, 0", "two, 2", "operator, 2", "groups, 4", "sharedgroup, 4", "groupsrecovering, 4", "releasing, 3", "released1, 3", "uneven, 2", "spread, 1", "older, 0", "recovering, -1", "halfcounted, 4",
            "released, 0", "nocoord, -1"})
    void theFloorIsWhatTheLoadedReplicasNeed(String namespace, int expected) {
        InstallKind install = namespace.equals("operator") ? InstallKind.OPERATOR : InstallKind.HELM;
        Target target = new Target(namespace, "hr", Component.QUERY_NODE, install);
        try (PrometheusMetricsSource source = new PrometheusMetricsSource(TestEndpoints.of(prometheus.url()),
                DefaultQueries.schemes(), List.of(DefaultQueries.forTarget(target)), new SimpleMeterRegistry())) {
            ReplicaFloor floor = source.observe(target, CLOCK.instant()).replicaFloor();
            if (expected < 0) {
                assertFalse(floor.known(), floor.toString());
                assertTrue(floor.note().startsWith("replica floor query: empty result"), floor.note());
            } else {
                assertEquals(expected, floor.nodes(), floor.note());
                assertEquals("replica floor query reads " + expected, floor.note());
            }
        }
    }
}
