package io.github.milvusautoscaler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.Poll;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import io.github.milvusautoscaler.testsupport.VictoriaMetricsServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same shipped queries against VictoriaMetrics and Prometheus, both scraping the same simulated
 * pods with the same history: every target's observation must agree (known or not, value within 2%,
 * pods reporting, settle). VictoriaMetrics' rate() and histogram_quantile() differ from Prometheus' in
 * extrapolation details, which linear counters and full windows make irrelevant.
 */
class VictoriaMetricsIntegrationTest {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static TwoClusters clusters;
    private static PrometheusServer prometheus;
    private static VictoriaMetricsServer victoria;
    private static PrometheusMetricsSource fromPrometheus;
    private static PrometheusMetricsSource fromVictoria;

    @BeforeAll
    static void startBoth() {
        clusters = new TwoClusters(CLOCK);
        Instant now = CLOCK.instant();
        prometheus = PrometheusServer.builder().targets(clusters.pods.targets())
                .backfill(clusters.openMetricsHistory(now)).start();
        victoria = VictoriaMetricsServer.start(Duration.ofSeconds(1), clusters.pods.targets());
        victoria.importPrometheusText(clusters.prometheusTextHistory(now));
        fromPrometheus = new PrometheusMetricsSource(TestEndpoints.of(prometheus.url()), DefaultQueries.schemes(),
                clusters.queries(), new SimpleMeterRegistry());
        fromVictoria = new PrometheusMetricsSource(TestEndpoints.of(victoria.url()), DefaultQueries.schemes(),
                clusters.queries(), new SimpleMeterRegistry());
        // At least 3 live scrapes of every pod in both: Prometheus extrapolates a rate only half a scrape
        // interval past its last sample, so an instant between the backfill and the first live scrape
        // would under-read by the gap (about 5% here) while VictoriaMetrics would not.
        String scraped = "count(count_over_time(up{job=\"milvus\"}[30s]) >= 3)";
        String pods = "\"" + clusters.pods.targets().size() + "\"]";
        Poll.until("Prometheus scraping every pod", WAIT, () -> prometheus.query(scraped), body -> body.contains(pods));
        Poll.until("VictoriaMetrics scraping every pod", WAIT, () -> victoria.query(scraped), body -> body.contains(pods));
    }

    @AfterAll
    static void stopBoth() {
        for (AutoCloseable c : new AutoCloseable[] {fromPrometheus, fromVictoria, prometheus, victoria, clusters}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // keep closing the others
                }
            }
        }
    }

    static Stream<Arguments> targets() {
        return Stream.of("alphaQueryNode", "alphaProxy", "alphaDataNode", "betaQueryNode", "betaProxy", "betaDataNode")
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void victoriaMetricsObservesWhatPrometheusObserves(String field) throws Exception {
        Target target = (Target) TwoClusters.class.getDeclaredField(field).get(clusters);
        // Two seconds back, past VictoriaMetrics' 1 s latency offset, so both have the samples before it.
        Instant at = CLOCK.instant().minusSeconds(2);

        Observation p = fromPrometheus.observe(target, at);
        Observation v = fromVictoria.observe(target, at);

        assertEquals(p.settle(), v.settle(), "settle");
        assertEquals(p.signals().keySet(), v.signals().keySet());
        for (String name : p.signals().keySet()) {
            Signal ps = p.signals().get(name);
            Signal vs = v.signals().get(name);
            assertTrue(ps.isKnown(), () -> "Prometheus " + name + ": " + ps.problem());
            assertTrue(vs.isKnown(), () -> "VictoriaMetrics " + name + ": " + vs.problem());
            double expected = ps.value().getAsDouble();
            assertEquals(expected, vs.value().getAsDouble(), Math.max(0.02 * Math.abs(expected), 1e-9),
                    () -> field + " " + name);
            assertEquals(ps.podsReporting(), vs.podsReporting(), () -> field + " " + name + " pods reporting");
        }
    }
}
