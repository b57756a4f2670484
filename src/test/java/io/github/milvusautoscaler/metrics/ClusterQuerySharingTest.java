package io.github.milvusautoscaler.metrics;

import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.core.CircuitBreakerSettings;
import io.github.milvusautoscaler.core.RetrySettings;
import io.github.milvusautoscaler.core.PrometheusEndpoint;
import io.github.milvusautoscaler.core.SignalQuery;
import io.github.milvusautoscaler.core.PrometheusAuth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.NoDelayServerSocketFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cost grows with clusters, not pods or components: the shipped templates are sent once per cluster
 * and tick for all the components using them, and the answer is split by the component label. A fake
 * Prometheus answers the shipped cpu, memory, qps, settle and replica-floor queries for whichever components a
 * query's Deployment selector ({@code owner_name=~"..."} or {@code deployment=~"..."}) names, and counts
 * the requests.
 */
class ClusterQuerySharingTest {

    private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
    private static final Pattern DEPLOYMENTS = Pattern.compile("(?:owner_name|deployment)=~\"([a-z0-9|.\\\\-]+)\"");
    private static final Map<String, Double> CPU = Map.of("querynode", 0.7, "datanode", 0.3, "indexnode", 0.9, "proxy", 0.5);
    private static final Map<String, Double> MEMORY = Map.of("querynode", 0.55, "datanode", 0.4, "indexnode", 0.6,
            "proxy", 0.2);
    private static final Map<String, Double> QPS = Map.of("querynode", 22.5, "proxy", 45.0, "datanode", 1.0,
            "indexnode", 1.0);

    private MockWebServer server;
    /** Every query but the input-age probes, which are counted apart. */
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final List<String> probes = new CopyOnWriteArrayList<>();
    private volatile int podsPerComponent = 2;
    private volatile long delayMillis;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.setServerSocketFactory(new NoDelayServerSocketFactory());
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
                String query = PromJson.form(request).get("query");
                if (PromJson.isStaleInputsProbe(query)) {
                    probes.add(query);
                    return FailureShapesTest.json(PromJson.vector());
                }
                queries.add(query);
                return FailureShapesTest.json(answer(query, PromJson.time(request)));
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** What a Prometheus holding the pods' series would answer to the shipped templates. */
    private String answer(String query, Instant at) {
        if (query.contains("milvus_querycoord_task_num")) {
            return PromJson.vector(PromJson.series(Map.of(), "0", at));
        }
        if (query.contains("milvus_querycoord_resource_group_replica_total")) {
            // what the floor query returns (one vector element, no labels: it sums) for one collection loaded with
            // replica_number=2; ReplicaFloorTest reads the real query from querycoord's gauges
            return PromJson.vector(PromJson.series(Map.of(), "2", at));
        }
        List<String> components = components(query);
        if (components.isEmpty()) {
            return PromJson.vector();
        }
        List<PromJson.S> series = new ArrayList<>();
        for (String component : components) {
            if (query.contains("milvus_proxy_req_count")) {
                series.add(PromJson.series(Map.of("component", component), QPS.get(component).toString(), at));
                continue;
            }
            double value = query.contains("container_cpu_usage_seconds_total") ? CPU.get(component) : MEMORY.get(component);
            for (int i = 0; i < podsPerComponent; i++) {
                series.add(PromJson.series(Map.of("pod", component + "-" + i, "component", component),
                        Double.toString(value), at));
            }
        }
        return PromJson.vector(series);
    }

    /**
     * The components a query's last Deployment selector names: {@code prod-milvus-querynode} is querynode. The last,
     * as the qps template's guard selects the cluster's proxy Deployments ({proxy_deployments}) before the ready count
     * that names the components it is split by.
     */
    private static List<String> components(String query) {
        Matcher m = DEPLOYMENTS.matcher(query);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        if (last == null) {
            return List.of();
        }
        List<String> components = new ArrayList<>();
        for (String deployment : last.split("\\|")) {
            components.add(deployment.substring(deployment.lastIndexOf('-') + 1));
        }
        return components;
    }

    private static List<Target> cluster(String name) {
        return List.of(new Target("milvus", name, Component.QUERY_NODE, InstallKind.HELM),
                new Target("milvus", name, Component.DATA_NODE, InstallKind.HELM),
                new Target("milvus", name, Component.INDEX_NODE, InstallKind.HELM),
                new Target("milvus", name, Component.PROXY, InstallKind.HELM));
    }

    private PrometheusMetricsSource source(List<Target> targets, Duration shareWindow) {
        PrometheusEndpoint endpoint = new PrometheusEndpoint(server.url("/").toString(), Duration.ofSeconds(3),
                Duration.ofMinutes(2), 1000, shareWindow, new RetrySettings(1, Duration.ofMillis(10)),
                new CircuitBreakerSettings(50, java.time.Duration.ofMinutes(1), 100, Duration.ofSeconds(30)),
                PrometheusAuth.none(), Map.of());
        return new PrometheusMetricsSource(endpoint, DefaultQueries.schemes(),
                targets.stream().map(DefaultQueries::forTarget).toList(), new SimpleMeterRegistry());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // queryNode cpu+memory+qps+settle+replica floor, dataNode cpu+memory, indexNode cpu+memory, proxy
            // cpu+qps: 11 reads per cluster, served by 5 queries (cpu, memory, qps, settle, replica floor)
            "1 cluster of 4 components with 2 pods each,   1, 2,  5",
            "1 cluster of 4 components with 50 pods each,  1, 50, 5",
            "3 clusters of 4 components with 2 pods each,  3, 2,  15"})
    void oneQueryPerSignalPerClusterPerTick(String name, int clusters, int pods, int expectedPerTick) {
        podsPerComponent = pods;
        List<Target> targets = new ArrayList<>();
        for (int c = 0; c < clusters; c++) {
            targets.addAll(cluster("prod-" + c));
        }
        try (PrometheusMetricsSource source = source(targets, Duration.ZERO)) {
            for (int tick = 1; tick <= 2; tick++) {
                Instant at = T0.plusSeconds(15L * tick);
                List<Observation> observations = targets.stream().map(t -> source.observe(t, at)).toList();

                assertEquals(expectedPerTick * tick, queries.size(), name + ", after tick " + tick);
                // and one input-age probe per namespace and tick (every cluster here is in namespace milvus)
                assertEquals(tick, probes.size(), name + ", probes after tick " + tick);
                for (Observation o : observations) {
                    String component = o.target().component().labelValue();
                    assertEquals(CPU.get(component), o.signals().get("cpu").value().getAsDouble(), 1e-9);
                    assertEquals(pods, o.signals().get("cpu").podsReporting());
                    if (o.signals().containsKey("memory")) {
                        assertEquals(MEMORY.get(component), o.signals().get("memory").value().getAsDouble(), 1e-9);
                    }
                    if (o.signals().containsKey("qps")) {
                        assertEquals(QPS.get(component), o.signals().get("qps").value().getAsDouble(), 1e-9);
                    }
                }
                assertEquals(Settle.QUIET, observations.get(0).settle());
                assertEquals(2, observations.get(0).replicaFloor().nodes());
            }
        }
        assertTrue(queries.stream().anyMatch(q -> q.contains("container_cpu_usage_seconds_total")
                        && components(q).equals(List.of("datanode", "indexnode", "proxy", "querynode"))),
                "cpu for all four components in one query");
        assertTrue(queries.stream().anyMatch(q -> q.contains("container_memory_working_set_bytes")
                        && components(q).equals(List.of("datanode", "indexnode", "querynode"))),
                "memory for the three components that use it (proxy has memory off)");
        assertTrue(queries.stream().anyMatch(q -> q.contains("milvus_proxy_req_count")
                        && components(q).equals(List.of("proxy", "querynode"))),
                "qps for queryNode and proxy (off for dataNode and indexNode)");
    }

    @Test
    void targetsTickingWithinTheShareWindowShareOneAnswer() {
        List<Target> targets = cluster("prod");
        try (PrometheusMetricsSource source = source(targets, Duration.ofSeconds(5))) {
            // Ticks jittered by up to 4 s: all within 5 s of the first, so still 5 queries.
            source.observe(targets.get(0), T0);
            source.observe(targets.get(1), T0.plusSeconds(2));
            source.observe(targets.get(3), T0.plusSeconds(4));
            assertEquals(5, queries.size());
            assertEquals(1, probes.size());
            // indexNode 6 s after the first: its cpu and memory are asked again, and the age of their inputs.
            Observation late = source.observe(targets.get(2), T0.plusSeconds(6));
            assertEquals(7, queries.size());
            assertEquals(2, probes.size());
            assertEquals(0.9, late.signals().get("cpu").value().getAsDouble(), 1e-9);
        }
    }

    @Test
    void concurrentObservationsOfOneClusterWaitForOneRequest() throws Exception {
        delayMillis = 100;
        List<Target> targets = cluster("prod");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (PrometheusMetricsSource source = source(targets, Duration.ZERO)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Observation>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Target target = targets.get(i % 4);
                futures.add(pool.submit(() -> {
                    go.await();
                    return source.observe(target, T0);
                }));
            }
            go.countDown();
            for (Future<Observation> f : futures) {
                assertTrue(f.get(10, TimeUnit.SECONDS).signals().get("cpu").isKnown());
            }
            // 8 observations of 4 targets at one instant: still cpu, memory, qps, settle, replica floor once each,
            // one probe.
            assertEquals(5, queries.size());
            assertEquals(1, probes.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTemplateWithoutTheComponentLabelInItsResultFallsBackToOneQueryPerComponent() {
        // The result is grouped by pod only, so a cluster-wide answer cannot be split by component.
        String template = "avg by (pod) (my_load{namespace=\"{namespace}\", component=~\"{component}\"})";
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String query = PromJson.form(request).get("query");
                Instant at = PromJson.time(request);
                if (PromJson.isStaleInputsProbe(query)) {
                    probes.add(query);
                    return FailureShapesTest.json(PromJson.vector());
                }
                queries.add(query);
                if (query.contains("querynode|proxy")) {
                    return FailureShapesTest.json(PromJson.vector(PromJson.pod("x-0", "1", at)));
                }
                String value = query.contains("\"querynode\"") ? "0.25" : "0.75";
                return FailureShapesTest.json(PromJson.vector(PromJson.pod("p-0", value, at), PromJson.pod("p-1", value, at)));
            }
        });
        List<Target> targets = List.of(new Target("milvus", "prod", Component.QUERY_NODE, InstallKind.HELM),
                new Target("milvus", "prod", Component.PROXY, InstallKind.HELM));
        PrometheusEndpoint endpoint = new PrometheusEndpoint(server.url("/").toString(), Duration.ofSeconds(3),
                Duration.ofMinutes(2), 1000, Duration.ZERO, new RetrySettings(1, Duration.ofMillis(10)),
                new CircuitBreakerSettings(50, java.time.Duration.ofMinutes(1), 100, Duration.ofSeconds(30)),
                PrometheusAuth.none(), Map.of());
        try (PrometheusMetricsSource source = new PrometheusMetricsSource(endpoint, DefaultQueries.schemes(),
                targets.stream().map(t -> new TargetQueries(t, List.of(new SignalQuery("load", template, true)), "", ""))
                        .toList(), new SimpleMeterRegistry())) {
            Observation qn = source.observe(targets.get(0), T0);
            Observation proxy = source.observe(targets.get(1), T0);
            // tick 1: the cluster-wide try, then one query per component
            assertEquals(3, queries.size());
            assertEquals(0.25, qn.signals().get("load").value().getAsDouble(), 1e-9);
            assertEquals(0.75, proxy.signals().get("load").value().getAsDouble(), 1e-9);

            source.observe(targets.get(0), T0.plusSeconds(15));
            source.observe(targets.get(1), T0.plusSeconds(15));
            // tick 2: straight to one query per component
            assertEquals(5, queries.size());
        }
    }
}
