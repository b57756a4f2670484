package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.metrics.PrometheusMetricsSource;
import io.github.milvusautoscaler.testsupport.FakeMilvusPods;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * index-backlog on Milvus 2.3 to 2.5.4, whose datacoord writes {@code milvus_datacoord_index_task_count} only when an
 * index task is added, assigned, finished or removed, never at start (internal/datacoord/index_meta.go,
 * updateIndexTasksMetrics; reloadFromKV does not call it), and deletes a collection's series with its last index
 * (RemoveIndex). A coordinator that has run no index job since it started exports none, and the signal read UNKNOWN
 * for good, so an idle cluster's indexNodes never stepped down (real-install recheck 15, F1). Each namespace is release
 * hr (Helm, 2.5.4) with one indexNode and a datacoord, backfilled:
 * <ul>
 *   <li>{@code idle}: datacoord scraped for 70m, no such series at all: reads 0;</li>
 *   <li>{@code restarted}: the series until 20m ago, none since (datacoord restarted, no index job since; tasks it
 *       loaded would show within one build): UNKNOWN, the coordinator named;</li>
 *   <li>{@code young}: datacoord scraped for 30m only, no series: too soon to tell, UNKNOWN;</li>
 *   <li>{@code mixed}: as idle, but the coordinators run as one mixcoord, the Milvus chart's default since chart
 *       4.2.4: it exports {@code milvus_num_node{role_name="datacoord"}} (its datacoord server's Register), and reads
 *       0 the same.</li>
 * </ul>
 */
class LegacyIndexBacklogTest {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final double GIB = 1024.0 * 1024 * 1024;
    private static final String DATACOORD = "hr-milvus-datacoord-7c9d8f6b5d-d4t4c";

    @TempDir
    static Path dir;
    private static PrometheusServer prometheus;
    private static AutoscalerSettings settings;
    private static PrometheusMetricsSource source;

    @BeforeAll
    static void start() throws Exception {
        Instant now = CLOCK.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant end = now.minusSeconds(10);
        Instant restart = now.minus(Duration.ofMinutes(20));
        prometheus = PrometheusServer.builder()
                .backfill(history("idle", now.minus(Duration.ofMinutes(70)), end, false))
                .backfill(withoutIndexTasksAfter(history("restarted", now.minus(Duration.ofMinutes(70)), end, true),
                        restart))
                .backfill(history("young", now.minus(Duration.ofMinutes(30)), end, false))
                .backfill(history("mixed", now.minus(Duration.ofMinutes(70)), end, false))
                .start();
        Path config = dir.resolve("autoscaler.conf");
        StringBuilder clusters = new StringBuilder();
        for (String ns : new String[] {"idle", "restarted", "young", "mixed"}) {
            clusters.append("    { namespace = ").append(ns).append(", name = hr, install = helm,")
                    .append(" milvus-version = \"2.5.4\", components { indexNode { signals.index-backlog.enabled = true } } }\n");
        }
        Files.writeString(config, """
                milvus-autoscaler {
                  prometheus.url = "%s"
                  clusters = [
                %s  ]
                }
                """.formatted(prometheus.url(), clusters));
        settings = ConfigLoader.load(config);
        source = new PrometheusMetricsSource(settings.prometheus(), settings.labelSchemes(),
                Assembly.queries(settings.targets()), new SimpleMeterRegistry());
    }

    /** One indexNode and the datacoord of release hr in {@code namespace}; the index task series when {@code indexed}. */
    private static String history(String namespace, Instant from, Instant to, boolean indexed) throws Exception {
        try (FakeMilvusPods pods = new FakeMilvusPods(CLOCK)) {
            pods.start(namespace, "hr", InstallKind.HELM, "indexnode", "hr-milvus-indexnode-6b8d9c7f5b-i1n2d", 2, 8 * GIB)
                    .setCpuUtilisation(0.1);
            var coordinator = namespace.equals("mixed")
                    ? pods.start(namespace, "hr", InstallKind.HELM, "mixcoord", "hr-milvus-mixcoord-6c9b8d7f5c-m1n2b", 1,
                    4 * GIB)
                    : pods.start(namespace, "hr", InstallKind.HELM, "datacoord", DATACOORD, 1, 4 * GIB);
            if (indexed) {
                coordinator.setLegacyIndexTasks("finished", 12);
            }
            return pods.openMetricsHistory(from, to, Duration.ofSeconds(30), Map.of("job", PrometheusServer.JOB));
        }
    }

    /** {@code openMetrics} without the index task samples after {@code restart}, as a datacoord started then exports. */
    private static String withoutIndexTasksAfter(String openMetrics, Instant restart) {
        BigDecimal cut = BigDecimal.valueOf(restart.toEpochMilli(), 3);
        return openMetrics.lines().filter(l -> !(l.startsWith("milvus_datacoord_index_task_count")
                        && new BigDecimal(l.substring(l.lastIndexOf(' ') + 1)).compareTo(cut) > 0))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    @AfterAll
    static void stop() {
        if (source != null) {
            source.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @Test
    void aCoordinatorScrapedForAnHourWithoutIndexTasksReadsNoBacklog() {
        Signal backlog = backlog("idle");
        assertTrue(backlog.isKnown(), backlog::toString);
        assertEquals(0.0, backlog.value().getAsDouble(), 1e-9);
    }

    @Test
    void aMixcoordScrapedForAnHourWithoutIndexTasksReadsNoBacklog() {
        Signal backlog = backlog("mixed");
        assertTrue(backlog.isKnown(), backlog::toString);
        assertEquals(0.0, backlog.value().getAsDouble(), 1e-9);
    }

    @Test
    void indexTasksSeenWithinTheHourKeepItUnknownAndSayWhy() {
        Signal backlog = backlog("restarted");
        assertFalse(backlog.isKnown(), backlog::toString);
        // Said apart from a datacoord scraped for less than an hour (recheck 17, F4: one sentence read as if the hour
        // had passed).
        assertTrue(backlog.problem().contains("datacoord scraped with no milvus_datacoord_index_task_count now, though"
                + " it was exported within the hour") && backlog.problem().contains("reads 0 an hour after it was last"
                + " exported: " + DATACOORD), backlog.problem());
    }

    @Test
    void aCoordinatorScrapedForLessThanAnHourIsTooSoonToTell() {
        Signal backlog = backlog("young");
        assertFalse(backlog.isKnown(), backlog::toString);
        assertTrue(backlog.problem().contains("datacoord scraped for less than an hour, with no"
                + " milvus_datacoord_index_task_count") && backlog.problem().contains("index-backlog reads 0 once"
                + " datacoord has been scraped for an hour without it: " + DATACOORD), backlog.problem());
    }

    private static Signal backlog(String namespace) {
        Target target = settings.targets().stream().map(TargetSettings::target)
                .filter(t -> t.namespace().equals(namespace)).findFirst().orElseThrow();
        return source.observe(target, CLOCK.instant()).signals().get("index-backlog");
    }
}
