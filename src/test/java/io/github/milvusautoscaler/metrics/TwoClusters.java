package io.github.milvusautoscaler.metrics;

import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.core.SignalQuery;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.FakeMilvusPod;
import io.github.milvusautoscaler.testsupport.FakeMilvusPods;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Two simulated Milvus clusters, one per label scheme, with values chosen so every default query has
 * an exact expected answer:
 *
 * <pre>
 * alpha (operator, ns milvus-a)              beta (helm, ns milvus-b)
 *   querynode x2: cpu 0.8 / 0.6 of 2 cores     querynode x2: cpu 0.4 / 0.2 of 4 cores
 *     (Deployment -0; -1 idle at 0 replicas)
 *                 mem 0.6 / 0.5 of 8 GiB                     mem 0.7 / 0.3 of 16 GiB
 *                 read queue 4 / 2                           read queue 0 / 10
 *   proxy:  cpu 0.5, mem 0.3;                  proxy x2: cpu 0.9 / 0.7, mem 0.5 / 0.5;
 *           Search 30/s, Query 10/s,                     Search 12/s + 8/s, Query 4/s on one,
 *           HybridSearch 5/s, Insert 100/s,              every search 20 ms
 *           every search 100 ms
 *   datanode: cpu 0.3, mem 0.4                 datanode: cpu 0.25, mem 0.2
 *   mixcoord: index jobs Init 3, InProgress 1,  mixcoord: index jobs all 0, Finished 7
 *             Finished 50 (not backlog)              streamingnode x1 (Milvus 2.6: querycoord counts its
 *                                                      embedded queryNode, so querynode_num is 3)
 * </pre>
 */
final class TwoClusters implements AutoCloseable {

    static final double GIB = 1024.0 * 1024 * 1024;

    final FakeMilvusPods pods;
    final Target alphaQueryNode = new Target("milvus-a", "alpha", Component.QUERY_NODE, InstallKind.OPERATOR);
    final Target alphaProxy = new Target("milvus-a", "alpha", Component.PROXY, InstallKind.OPERATOR);
    final Target alphaDataNode = new Target("milvus-a", "alpha", Component.DATA_NODE, InstallKind.OPERATOR);
    final Target betaQueryNode = new Target("milvus-b", "beta", Component.QUERY_NODE, InstallKind.HELM);
    final Target betaProxy = new Target("milvus-b", "beta", Component.PROXY, InstallKind.HELM);
    final Target betaDataNode = new Target("milvus-b", "beta", Component.DATA_NODE, InstallKind.HELM);
    final FakeMilvusPod alphaQn0;
    final FakeMilvusPod alphaQn1;
    final FakeMilvusPod alphaCoord;
    final FakeMilvusPod betaQn0;
    final FakeMilvusPod betaCoord;
    final FakeMilvusPod betaStreamingNode;

    TwoClusters(Clock clock) {
        pods = new FakeMilvusPods(clock);
        alphaQn0 = pods.start("milvus-a", "alpha", InstallKind.OPERATOR, "querynode", "alpha-milvus-querynode-0-a1", 2, 8 * GIB)
                .setCpuUtilisation(0.8).setMemoryUtilisation(0.6).setReadQueue(4);
        // A sidecar that happens to be named like another component of the cluster (an egress or auth proxy named
        // "proxy", 8Gi limit, 0.5 GiB used): alpha's components are read in one query whose container matcher is
        // their union, so only the container named after the pod's own component counts: 0.5, not
        // (4 + 0.5) / (8 + 8) = 0.28 (recheck 72, F1).
        alphaQn1 = pods.start("milvus-a", "alpha", InstallKind.OPERATOR, "querynode", "alpha-milvus-querynode-0-a2", 2, 8 * GIB)
                .withSidecar("proxy", 0.1, 8 * GIB, 0.05, 0.5 * GIB)
                .setCpuUtilisation(0.6).setMemoryUtilisation(0.5).setReadQueue(2);
        // The proxy carries an Istio sidecar with Istio's default proxy resources (global.proxy.resources: requests
        // cpu 100m, limits memory 1024Mi), busy at its request and at 0.9 of its limit: cpu and memory read the
        // proxy container alone (0.5, 0.3), where summed with the sidecar they read (0.5 + 0.1) / 1.1 = 0.55 and
        // (0.6 + 0.9) / 3 = 0.50 (recheck 69: a sidecar's limit hid a full Milvus container).
        pods.start("milvus-a", "alpha", InstallKind.OPERATOR, "proxy", "alpha-milvus-proxy-p1", 1, 2 * GIB)
                .withSidecar("istio-proxy", 0.1, 1 * GIB, 0.1, 0.9 * GIB)
                .setCpuUtilisation(0.5).setMemoryUtilisation(0.3)
                .setRequestRate("Search", 30).setRequestRate("Query", 10).setRequestRate("HybridSearch", 5)
                .setRequestRate("Insert", 100).setSearchLatencyMillis(100);
        pods.start("milvus-a", "alpha", InstallKind.OPERATOR, "datanode", "alpha-milvus-datanode-d1", 1, 4 * GIB)
                .setCpuUtilisation(0.3).setMemoryUtilisation(0.4);
        // The operator also creates queryNode's idle group at 0 replicas (milvus-operator deploy_ctrl.go
        // HandleCreate: CreateDeploy(..., 1) with replicas 0): kube-state-metrics exports it with no pods.
        pods.setSpecReplicas("milvus-a", "alpha-milvus-querynode-1", 0);
        alphaCoord = pods.start("milvus-a", "alpha", InstallKind.OPERATOR, "mixcoord", "alpha-milvus-mixcoord-m1", 1, 4 * GIB)
                .setCpuUtilisation(0.1).setMemoryUtilisation(0.2)
                .setIndexTasks("JobStateInit", 3).setIndexTasks("JobStateInProgress", 1).setIndexTasks("JobStateFinished", 50);

        betaQn0 = pods.start("milvus-b", "beta", InstallKind.HELM, "querynode", "beta-milvus-querynode-7f-b1", 4, 16 * GIB)
                .setCpuUtilisation(0.4).setMemoryUtilisation(0.7).setReadQueue(0);
        pods.start("milvus-b", "beta", InstallKind.HELM, "querynode", "beta-milvus-querynode-7f-b2", 4, 16 * GIB)
                .setCpuUtilisation(0.2).setMemoryUtilisation(0.3).setReadQueue(10);
        pods.start("milvus-b", "beta", InstallKind.HELM, "proxy", "beta-milvus-proxy-5c-p1", 2, 2 * GIB)
                .setCpuUtilisation(0.9).setMemoryUtilisation(0.5)
                .setRequestRate("Search", 12).setRequestRate("Query", 4).setSearchLatencyMillis(20);
        pods.start("milvus-b", "beta", InstallKind.HELM, "proxy", "beta-milvus-proxy-5c-p2", 2, 2 * GIB)
                .setCpuUtilisation(0.7).setMemoryUtilisation(0.5)
                .setRequestRate("Search", 8).setSearchLatencyMillis(20);
        pods.start("milvus-b", "beta", InstallKind.HELM, "datanode", "beta-milvus-datanode-9d-d1", 1, 4 * GIB)
                .setCpuUtilisation(0.25).setMemoryUtilisation(0.2);
        betaCoord = pods.start("milvus-b", "beta", InstallKind.HELM, "mixcoord", "beta-milvus-mixcoord-4e-m1", 1, 4 * GIB)
                .setCpuUtilisation(0.1).setMemoryUtilisation(0.2).setIndexTasks("JobStateFinished", 7);
        // The chart's streamingnode-deployment.yaml (streaming.enabled, Milvus 2.6): Deployment beta-milvus-streamingnode.
        betaStreamingNode = pods.start("milvus-b", "beta", InstallKind.HELM, "streamingnode",
                "beta-milvus-streamingnode-6b-s1", 2, 8 * GIB).setCpuUtilisation(0.3).setMemoryUtilisation(0.4);
    }

    List<Target> targets() {
        return List.of(alphaQueryNode, alphaProxy, alphaDataNode, betaQueryNode, betaProxy, betaDataNode);
    }

    /**
     * Every shipped signal on every target (more than the defaults enable), so each template is checked
     * in both label schemes, plus the queryNode settle query. The read queue only on queryNodes: it is a
     * queryNode gauge, and each target reads its own component's pods.
     */
    List<TargetQueries> queries() {
        List<SignalQuery> all = List.of(DefaultQueries.signal("cpu"), DefaultQueries.signal("memory"),
                DefaultQueries.signal("qps"), DefaultQueries.signal("index-backlog"),
                DefaultQueries.signal("search-latency-p99"));
        List<SignalQuery> queryNode = new java.util.ArrayList<>(all);
        queryNode.add(3, DefaultQueries.signal("read-queue"));
        String settle = DefaultQueries.query("querynode-settle");
        return targets().stream().map(t -> t.component() == Component.QUERY_NODE
                ? new TargetQueries(t, queryNode, settle, "") : new TargetQueries(t, all, "", "")).toList();
    }

    /** Three minutes of 1 s history ending now, for promtool. */
    String openMetricsHistory(Instant now) {
        return pods.openMetricsHistory(now.minus(Duration.ofMinutes(3)), now, Duration.ofSeconds(1),
                Map.of("job", PrometheusServer.JOB));
    }

    /** The same history as Prometheus text with millisecond timestamps, for VictoriaMetrics. */
    String prometheusTextHistory(Instant now) {
        return pods.prometheusTextHistory(now.minus(Duration.ofMinutes(3)), now, Duration.ofSeconds(1),
                Map.of("job", PrometheusServer.JOB));
    }

    @Override
    public void close() {
        pods.close();
    }
}
