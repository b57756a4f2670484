package io.github.milvusautoscaler.metrics;

import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.FakeMilvusPod;
import io.github.milvusautoscaler.testsupport.FakeMilvusPods;
import io.github.milvusautoscaler.testsupport.Poll;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measurement, not a test (surefire does not run it): one tick of 100 clusters x 4 components
 * (queryNode, dataNode, indexNode, proxy; 2 pods each, plus a coordinator; half operator, half Helm)
 * against a real Prometheus holding their series, with the shipped default signals. Prints wall time
 * and HTTP requests per tick, cluster-wide (this adapter) and one source per target (no sharing).
 *
 * <p>Run: {@code mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt} then
 * {@code java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.github.milvusautoscaler.metrics.ClusterTickMeasurement}.
 */
public final class ClusterTickMeasurement {

    private static final int CLUSTERS = 100;
    private static final int PODS_PER_COMPONENT = 2;
    private static final int TICKS = 5;

    private ClusterTickMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        Clock clock = Clock.systemUTC();
        List<Target> targets = new ArrayList<>();
        try (FakeMilvusPods pods = new FakeMilvusPods(clock)) {
            List<String> endpoints = new ArrayList<>();
            List<FakeMilvusPod> batch = new ArrayList<>();
            for (int c = 0; c < CLUSTERS; c++) {
                InstallKind install = c % 2 == 0 ? InstallKind.OPERATOR : InstallKind.HELM;
                String ns = "milvus-" + c;
                String release = "r" + c;
                for (Component component : List.of(Component.QUERY_NODE, Component.DATA_NODE, Component.INDEX_NODE,
                        Component.PROXY)) {
                    targets.add(new Target(ns, release, component, install));
                    for (int p = 0; p < PODS_PER_COMPONENT; p++) {
                        FakeMilvusPod pod = pods.create(ns, release, install, component.labelValue(),
                                release + "-" + component.labelValue() + "-" + p, 2, 8 * TwoClusters.GIB)
                                .setCpuUtilisation(0.5 + 0.01 * p).setMemoryUtilisation(0.4);
                        if (component == Component.PROXY) {
                            pod.setRequestRate("Search", 20).setRequestRate("Query", 5).setSearchLatencyMillis(30);
                        }
                        batch.add(pod);
                    }
                }
                batch.add(pods.create(ns, release, install, "mixcoord", release + "-mixcoord-0", 1, 4 * TwoClusters.GIB));
                if (batch.size() >= 225) {
                    endpoints.add(pods.startSharedEndpoint(batch));
                    batch = new ArrayList<>();
                }
            }
            if (!batch.isEmpty()) {
                endpoints.add(pods.startSharedEndpoint(batch));
            }
            // The shared endpoints serve the pods; pods.targets() adds the kube-state-metrics endpoint with the
            // Deployment-level series (kube_replicaset_owner, ...), without which every signal reads empty.
            List<String> scraped = pods.targets();
            try (PrometheusServer prometheus = PrometheusServer.builder().scrapeInterval(Duration.ofSeconds(5))
                    .targets(scraped).start()) {
                String ready = "\"" + scraped.size() + "\"]";
                Poll.until("3 scrapes of every endpoint", Duration.ofSeconds(90),
                        () -> prometheus.query("count(count_over_time(up{job=\"milvus\"}[1m]) >= 3)"),
                        body -> body.contains(ready));
                String series = prometheus.get("/api/v1/status/tsdb");
                System.out.printf(Locale.ROOT, "%d clusters x 4 components, %d pods, %d scrape endpoints; head series: %s%n",
                        CLUSTERS, pods.pods().size(), scraped.size(),
                        series.replaceAll(".*\"numSeries\":([0-9]+).*", "$1"));

                List<TargetQueries> queries = targets.stream().map(DefaultQueries::forTarget).toList();
                int reads = queries.stream().mapToInt(q -> q.signals().size() + (q.settleQuery().isBlank() ? 0 : 1)).sum();
                System.out.printf(Locale.ROOT, "%d targets, %d signal/settle reads per tick%n", targets.size(), reads);

                try (PrometheusMetricsSource shared = new PrometheusMetricsSource(TestEndpoints.of(prometheus.url()),
                        DefaultQueries.schemes(), queries, new SimpleMeterRegistry())) {
                    measure("cluster-wide queries, 1 thread ", clock, targets, List.of(shared), 1, shared::requestsSent);
                    measure("cluster-wide queries, 4 threads", clock, targets, List.of(shared), 4, shared::requestsSent);
                }
                List<PrometheusMetricsSource> perTarget = new ArrayList<>();
                for (TargetQueries q : queries) {
                    perTarget.add(new PrometheusMetricsSource(TestEndpoints.of(prometheus.url()), DefaultQueries.schemes(),
                            List.of(q), new SimpleMeterRegistry()));
                }
                measure("one source per target, 1 thread", clock, targets, perTarget, 1,
                        () -> perTarget.stream().mapToLong(PrometheusMetricsSource::requestsSent).sum());
                perTarget.forEach(PrometheusMetricsSource::close);
            }
        }
    }

    private static void measure(String label, Clock clock, List<Target> targets, List<PrometheusMetricsSource> sources,
                                int threads, java.util.function.LongSupplier requests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            tick(clock.instant(), targets, sources, pool); // warm-up: JIT, connections
            long[] millis = new long[TICKS];
            long sentBefore = requests.getAsLong();
            int unknown = 0;
            for (int t = 0; t < TICKS; t++) {
                long start = System.nanoTime();
                List<Observation> observations = tick(clock.instant(), targets, sources, pool);
                millis[t] = (System.nanoTime() - start) / 1_000_000;
                for (Observation o : observations) {
                    unknown += (int) o.signals().values().stream().filter(s -> !s.isKnown()).count();
                }
            }
            long perTick = (requests.getAsLong() - sentBefore) / TICKS;
            Arrays.sort(millis);
            System.out.printf(Locale.ROOT, "%s: %d HTTP queries per tick; wall time per tick min %d ms, median %d ms,"
                    + " max %d ms (%d ticks); unknown signals: %d%n", label, perTick, millis[0], millis[TICKS / 2],
                    millis[TICKS - 1], TICKS, unknown);
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Observation> tick(Instant at, List<Target> targets, List<PrometheusMetricsSource> sources,
                                          ExecutorService pool) throws Exception {
        List<Future<Observation>> futures = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Target target = targets.get(i);
            PrometheusMetricsSource source = sources.size() == 1 ? sources.get(0) : sources.get(i);
            futures.add(pool.submit(() -> source.observe(target, at)));
        }
        List<Observation> observations = new ArrayList<>();
        for (Future<Observation> f : futures) {
            observations.add(f.get());
        }
        Signal sample = observations.get(0).signals().get("cpu");
        if (!sample.isKnown()) {
            System.out.println("  (first target's cpu unknown: " + sample.problem() + ")");
        }
        return observations;
    }
}
