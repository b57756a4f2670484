package io.github.milvusautoscaler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The qps template's "no search served" branch against a real Prometheus 2.42, on a Helm install whose proxy and
 * queryNode have served no search (so only milvus_num_node is exported, cmd/roles/roles.go): it reads 0 while both
 * are scraped, and nothing (UNKNOWN) right after a gap in the scrapes. A gauge stays visible for the 5m lookback
 * after its last sample, so the first scrape after an hour-long gap (or a Prometheus restart) made the branch read
 * 0, a known LOW, while the counters' irate had no two samples to say otherwise (backtest audit M1).
 */
class QpsAfterAGapTest {

    static final Target QN = new Target("milvus", "prod", Component.QUERY_NODE, InstallKind.HELM);
    /**
     * Scrapes every 30s (the prometheus-operator's default scrape interval; the chart's ServiceMonitor passes
     * metrics.serviceMonitor.interval) for 30 minutes, then none for an hour.
     */
    static final Instant START = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.MINUTES);
    static final Instant GAP = START.plus(Duration.ofMinutes(30));
    static final Instant BACK = GAP.plus(Duration.ofHours(1));

    static PrometheusServer prometheus;

    @BeforeAll
    static void start() {
        StringBuilder om = new StringBuilder("# TYPE milvus_num_node gauge\n");
        for (String role : new String[] {"proxy", "querynode"}) {
            // pkg/metrics/metrics.go NumNodes: labels node_id and role_name ("proxy", "querynode"); milvus-helm's
            // templates/servicemonitor.yaml adds its targetLabels app.kubernetes.io/name, .../instance and component.
            String series = "milvus_num_node{namespace=\"milvus\",app_kubernetes_io_name=\"milvus\","
                    + "app_kubernetes_io_instance=\"prod\",component=\"" + role + "\",role_name=\"" + role
                    + "\",node_id=\"1\",job=\"milvus\"} 1 ";
            for (Instant t = START; t.isBefore(GAP); t = t.plusSeconds(30)) {
                om.append(series).append(t.getEpochSecond()).append('\n');
            }
            // The first scrape after the gap, then the scrapes go on.
            for (Instant t = BACK; !t.isAfter(BACK.plus(Duration.ofMinutes(5))); t = t.plusSeconds(30)) {
                om.append(series).append(t.getEpochSecond()).append('\n');
            }
        }
        prometheus = PrometheusServer.builder().backfill(om.append("# EOF\n").toString()).start();
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @Test
    void readsZeroWhileScrapedAndNothingOnTheFirstScrapeAfterAGap() {
        String served = numerator();
        assertEquals("0", value(served, GAP.minus(Duration.ofMinutes(5))), "scraped, no search served: 0");
        assertEquals(0, result(served, BACK.plusSeconds(10)).size(),
                "one scrape after the gap: irate has nothing to read, so neither does the branch");
        assertEquals("0", value(served, BACK.plus(Duration.ofMinutes(2))), "two scrapes in the window again: 0");
    }

    /** The requests/s through all proxies, before the division by the component's ready replicas. */
    private static String numerator() {
        String rendered = PromqlTemplate.render(DefaultQueries.query("qps"), QN, DefaultQueries.scheme(InstallKind.HELM));
        int division = rendered.indexOf("/ on () group_right");
        assertTrue(division > 0, rendered);
        return rendered.substring(0, division);
    }

    private static JsonArray result(String promql, Instant at) {
        String body = prometheus.get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&time=" + at.getEpochSecond());
        return JsonParser.parseString(body).getAsJsonObject().getAsJsonObject("data").getAsJsonArray("result");
    }

    private static String value(String promql, Instant at) {
        JsonArray r = result(promql, at);
        assertEquals(1, r.size(), promql + " at " + at + ": " + r);
        return r.get(0).getAsJsonObject().getAsJsonArray("value").get(1).getAsString();
    }
}
