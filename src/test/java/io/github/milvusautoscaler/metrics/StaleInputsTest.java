package io.github.milvusautoscaler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.FakeMilvusPods;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus whose series of one cluster stopped arriving 150 s ago: past {@code stale-after} (2m) but
 * inside Prometheus' own 5m lookback, where every gauge still answers its last value and an instant result is
 * stamped with the evaluation time, so only the {@link StaleInputs} probe tells. That cluster reads UNKNOWN on every
 * signal and settle, qps included (its fallback reads the gauge milvus_num_node, which still answers); a cluster
 * whose series end 20 s ago reads values. The same, replayed: a step 150 s after the end of a history is UNKNOWN,
 * one 30 s after it is not, as a backtest reads it.
 *
 * <p>What stops the series in a real cluster: Prometheus restarting (no staleness markers for the gap), a
 * remote-write backend (Thanos receive, Mimir, VictoriaMetrics) lagging, or a backfilled history that ends.
 */
class StaleInputsTest {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final double GIB = 1024.0 * 1024 * 1024;

    private static PrometheusServer prometheus;
    /** The stopped cluster's last sample. */
    private static Instant stoppedAt;

    @BeforeAll
    static void start() throws Exception {
        Instant now = CLOCK.instant().truncatedTo(ChronoUnit.SECONDS);
        stoppedAt = now.minusSeconds(150);
        prometheus = PrometheusServer.builder()
                .backfill(history("stopped", now.minusSeconds(600), stoppedAt))
                .backfill(history("current", now.minusSeconds(600), now.minusSeconds(20)))
                .backfill(withADeletionThatEnded(history("ended", now.minusSeconds(600), now.minusSeconds(20)),
                        now.minusSeconds(300), stoppedAt))
                // A Prometheus that restarted: nothing scraped from 95 s to 45 s before now, the queryNodes' cpu at
                // 1.5 before the gap and 0.5 after it.
                .backfill(history("restarted", now.minusSeconds(600), now.minusSeconds(95), 1.5))
                .backfill(history("restarted", now.minusSeconds(45), now.minusSeconds(20), 0.5))
                .start();
    }

    /**
     * {@code history} with a third queryNode pod's kube_pod_deletion_timestamp from {@code from} to {@code to}, then
     * nothing: the pod's deletion ended while Prometheus was away, so no staleness marker ends the series (a backfill
     * writes none either), and Prometheus serves its last sample for its 5m lookback (recheck 115, F2). Labels as
     * kube-state-metrics gives them (docs/metrics/workload/pod-metrics.md: namespace, pod, uid).
     */
    private static String withADeletionThatEnded(String history, Instant from, Instant to) {
        StringBuilder series = new StringBuilder("# TYPE kube_pod_deletion_timestamp gauge\n");
        for (Instant t = from; !t.isAfter(to); t = t.plusSeconds(5)) {
            series.append("kube_pod_deletion_timestamp{job=\"").append(PrometheusServer.JOB).append("\",namespace=\"ended\","
                    + "pod=\"hr-milvus-querynode-5d8c7f9b4d-z9y8x\",uid=\"6f1c2d3e-0000-4000-8000-00000000a1b2\"} ")
                    .append(from.getEpochSecond()).append(' ').append(t.getEpochSecond()).append('\n');
        }
        return history.replace("# EOF\n", series + "# EOF\n");
    }

    /** One Helm release hr in {@code namespace}: two queryNodes, a proxy with 40 searches/s, a mixcoord. */
    private static String history(String namespace, Instant from, Instant to) throws Exception {
        return history(namespace, from, to, 0.5);
    }

    /** As {@link #history(String, Instant, Instant)}, the queryNodes' cpu at {@code cpu} of their request. */
    private static String history(String namespace, Instant from, Instant to, double cpu) throws Exception {
        try (FakeMilvusPods pods = new FakeMilvusPods(CLOCK)) {
            for (String pod : List.of("hr-milvus-querynode-5d8c7f9b4d-a1b2c", "hr-milvus-querynode-5d8c7f9b4d-d3e4f")) {
                pods.start(namespace, "hr", InstallKind.HELM, "querynode", pod, 2, 8 * GIB).setCpuUtilisation(cpu)
                        .setMemoryUtilisation(0.4).setReadQueue(3);
            }
            pods.start(namespace, "hr", InstallKind.HELM, "proxy", "hr-milvus-proxy-6b9d8c7f5b-p4v7w", 1, 2 * GIB)
                    .setCpuUtilisation(0.3).setRequestRate("Search", 40);
            pods.start(namespace, "hr", InstallKind.HELM, "mixcoord", "hr-milvus-mixcoord-8d6f5c9b7c-m8c2t", 1, 4 * GIB);
            return pods.openMetricsHistory(from, to, Duration.ofSeconds(5), Map.of("job", PrometheusServer.JOB));
        }
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    private static List<Target> targets(String namespace) {
        return List.of(new Target(namespace, "hr", Component.QUERY_NODE, InstallKind.HELM),
                new Target(namespace, "hr", Component.PROXY, InstallKind.HELM));
    }

    private static PrometheusMetricsSource live() {
        List<Target> all = new java.util.ArrayList<>(targets("stopped"));
        all.addAll(targets("current"));
        return new PrometheusMetricsSource(TestEndpoints.of(prometheus.url()), DefaultQueries.schemes(),
                all.stream().map(DefaultQueries::forTarget).toList(), new SimpleMeterRegistry());
    }

    @Test
    void aClusterWhoseSeriesStoppedPastStaleAfterReadsUnknownEverywhere() {
        // The premise: plain Prometheus still answers the stopped cluster's gauges, stamped now.
        String body = prometheus.query("milvus_num_node{namespace=\"stopped\"}");
        assertTrue(body.contains("\"result\":[{"), "Prometheus serves the last sample within its lookback: " + body);
        try (PrometheusMetricsSource source = live()) {
            Instant now = CLOCK.instant();
            for (Target t : targets("stopped")) {
                Observation o = source.observe(t, now);
                assertFalse(o.signals().isEmpty(), t.toString());
                // cpu's irate has no two samples in its 2m window any more (empty), nor has qps' fallback, which
                // asks for two samples of milvus_num_node in that window (it read 0 from the last samples before);
                // the gauges are stale by the probe.
                o.signals().forEach((name, s) -> {
                    assertFalse(s.isKnown(), () -> t + " " + name + " read " + s.value() + " from series 150 s old");
                    if (!name.equals("cpu") && !name.equals("qps")) {
                        assertTrue(s.problem().matches("no sample of [a-z_]+ within stale-after 2m .*"),
                                () -> t + " " + name + ": " + s.problem());
                    }
                });
                if (t.component() == Component.QUERY_NODE) {
                    assertEquals(Settle.UNKNOWN, o.settle(), "settle from 150 s old series");
                }
            }
            for (Target t : targets("current")) {
                Observation o = source.observe(t, now);
                o.signals().forEach((name, s) -> assertTrue(s.isKnown(), () -> t + " " + name + ": " + s.problem()));
                if (t.component() == Component.QUERY_NODE) {
                    assertEquals(0.5, o.signals().get("cpu").value().getAsDouble(), 0.02);
                    assertEquals(Settle.QUIET, o.settle());
                }
            }
        }
    }

    /**
     * kube_pod_deletion_timestamp exists only for a pod being deleted, so its one series ending with no staleness
     * marker is a deletion that ended while Prometheus was away, not kube-state-metrics stopping: the namespace's
     * signals are read, where every one was UNKNOWN for 3 minutes (recheck 115, F2).
     */
    @Test
    void aPodsDeletionThatEndedUnmarkedBlindsNothing() {
        String body = prometheus.query("kube_pod_deletion_timestamp{namespace=\"ended\"}");
        assertTrue(body.contains("z9y8x"), "Prometheus serves the ended deletion within its lookback: " + body);
        try (PrometheusMetricsSource source = new PrometheusMetricsSource(TestEndpoints.of(prometheus.url()),
                DefaultQueries.schemes(), targets("ended").stream().map(DefaultQueries::forTarget).toList(),
                new SimpleMeterRegistry())) {
            for (Target t : targets("ended")) {
                Observation o = source.observe(t, CLOCK.instant());
                o.signals().forEach((name, s) -> assertTrue(s.isKnown(), () -> t + " " + name + ": " + s.problem()));
            }
        }
    }

    /**
     * Prometheus back from an outage still serves what it scraped before it, up to the outage's length old and within
     * stale-after (prometheus.io docs, querying/basics "Staleness": a sample is returned up to 5m after it unless a
     * staleness marker ends it, and a Prometheus that was down wrote none for the time it was down): read as now, a cpu rate 68 s old made a PANIC scale-out on load that had gone (recheck 115, F1). In
     * front of the real Prometheus, a proxy answers 503 to every query for 40 s of the source's clock, then passes
     * them on. "restarted" has nothing scraped from 95 s to 45 s before now, its cpu 1.5 before and 0.5 after; the
     * clock's outage runs from 90 s to 50 s before now. Right after it, restarted's inputs (last scraped before the
     * last unanswered query) read as stale and its signals UNKNOWN, saying why; 25 s later, scraped since, they read
     * 0.5, never the 1.5 from before. "current", scraped all through (a network cut between the daemon and a
     * Prometheus that kept scraping), is read at once (recheck 116, F3: it waited another scrape interval).
     */
    @Test
    void afterAnOutageWhatPrometheusScrapedBeforeItIsNotReadAsNow() throws Exception {
        Instant back = CLOCK.instant().truncatedTo(ChronoUnit.SECONDS).minusSeconds(50);
        io.github.milvusautoscaler.engine.ManualClock clock = new io.github.milvusautoscaler.engine.ManualClock(
                back.minusSeconds(40));
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
        okhttp3.OkHttpClient http = new okhttp3.OkHttpClient();
        try (mockwebserver3.MockWebServer proxy = new mockwebserver3.MockWebServer()) {
            proxy.setDispatcher(new mockwebserver3.Dispatcher() {
                @Override
                public mockwebserver3.MockResponse dispatch(mockwebserver3.RecordedRequest request) {
                    if (down.get()) {
                        return FailureShapesTest.status(503, "");
                    }
                    okhttp3.Request.Builder upstream = new okhttp3.Request.Builder().url(prometheus.url().toString()
                            .replaceAll("/+$", "") + request.getTarget());
                    if (request.getMethod().equals("POST")) {
                        upstream.post(okhttp3.RequestBody.create(request.getBody().utf8(),
                                okhttp3.MediaType.get(request.getHeaders().get("Content-Type"))));
                    }
                    try (okhttp3.Response answer = http.newCall(upstream.build()).execute()) {
                        return FailureShapesTest.status(answer.code(), answer.body().string());
                    } catch (java.io.IOException e) {
                        return FailureShapesTest.status(502, e.toString());
                    }
                }
            });
            proxy.start();
            Target restarted = targets("restarted").get(0);
            Target current = targets("current").get(0);
            try (PrometheusMetricsSource source = new PrometheusMetricsSource(TestEndpoints.of(proxy.url("/").uri()),
                    DefaultQueries.schemes(), List.of(DefaultQueries.forTarget(restarted),
                    DefaultQueries.forTarget(current)), new SimpleMeterRegistry(), clock)) {
                assertFalse(source.observe(restarted, clock.instant()).signals().get("cpu").isKnown(), "down");
                clock.advance(Duration.ofSeconds(40));
                down.set(false);
                Signal cpu = source.observe(restarted, clock.instant()).signals().get("cpu");
                assertFalse(cpu.isKnown(), () -> "read as now the samples from before the outage: " + cpu.value());
                assertTrue(cpu.problem().matches("no sample of [a-z_]+ since the last query Prometheus did not answer,"
                        + " 40s ago, in an outage of 15s or more \\(its samples from before are not now\\)"),
                        cpu.problem());
                Observation through = source.observe(current, clock.instant());
                through.signals().forEach((name, s) -> assertTrue(s.isKnown(), () -> name + ": " + s.problem()));
                clock.advance(Duration.ofSeconds(25));
                Observation later = source.observe(restarted, clock.instant());
                later.signals().forEach((name, s) -> assertTrue(s.isKnown(), () -> name + ": " + s.problem()));
                assertEquals(0.5, later.signals().get("cpu").value().getAsDouble(), 0.02);
            }
        }
    }

    @Test
    void aReplayReadsUnknownPastStaleAfterAfterTheHistoryEnds() {
        Instant from = stoppedAt.minusSeconds(60);
        Duration step = Duration.ofSeconds(30);
        Instant to = stoppedAt.plusSeconds(150);
        List<Target> stopped = targets("stopped");
        try (PrometheusMetricsSource source = PrometheusMetricsSource.replaying(TestEndpoints.of(prometheus.url()),
                DefaultQueries.schemes(), stopped.stream().map(DefaultQueries::forTarget).toList(),
                new SimpleMeterRegistry(), from, to, step, 100, text -> { })) {
            Target queryNode = stopped.get(0);
            Signal within = source.observe(queryNode, stoppedAt.plusSeconds(30)).signals().get("cpu");
            assertTrue(within.isKnown(), within::problem);
            assertEquals(0.5, within.value().getAsDouble(), 0.02);
            Signal past = source.observe(queryNode, to).signals().get("memory");
            assertFalse(past.isKnown(), () -> "150 s after the history ended: " + past.value());
            assertEquals("no sample of container_memory_working_set_bytes within stale-after 2m (Prometheus still"
                    + " serves the last one, up to its 5m lookback)", past.problem());
        }
    }
}
