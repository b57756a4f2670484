package io.github.milvusautoscaler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.SignalQuery;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.testsupport.Poll;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import io.github.milvusautoscaler.testsupport.VictoriaMetricsServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
        // Two seconds back, so both have scraped the samples before it.
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

    /**
     * Imports {@code vm_probe} (a test series, no Milvus metric: the point is VictoriaMetrics' evaluation time) at 1
     * from {@code from} until 15 s ago and at 2 since, one sample a second: a
     * step 15 s old that VictoriaMetrics' default 30 s latency offset would hide from a query at now.
     */
    private static Instant importProbe(Instant from) {
        Instant now = CLOCK.instant();
        StringBuilder lines = new StringBuilder();
        for (Instant t = from; !t.isAfter(now); t = t.plusSeconds(1)) {
            lines.append("vm_probe{job=\"probe\"} ").append(t.isBefore(now.minusSeconds(15)) ? 1 : 2).append(' ')
                    .append(t.toEpochMilli()).append('\n');
        }
        victoria.importPrometheusText(lines.toString());
        return now;
    }

    private static TargetQueries probe() {
        return new TargetQueries(clusters.alphaQueryNode, List.of(new SignalQuery("probe", "max(vm_probe)", false)), "", "");
    }

    /**
     * VictoriaMetrics evaluates an instant within -search.latencyOffset (30 s by default) of now 30 s back and stamps
     * the answer with the time asked (app/vmselect/prometheus/prometheus.go), unless the query says nocache=1:
     * without it the 15 s old step to 2 reads 1, and stale-after cannot tell.
     */
    /**
     * backtest notes a VictoriaMetrics endpoint, whose range queries look back less than its instant queries: it tells
     * one by its build info, answered without a version (checked against the Debian victoria-metrics here), where
     * Prometheus names its version.
     */
    @Test
    void victoriaMetricsIsToldFromPrometheusByItsBuildInfo() {
        assertTrue(fromVictoria.buildInfoWithoutVersion());
        assertFalse(fromPrometheus.buildInfoWithoutVersion());
    }

    @Test
    void aFreshValueIsReadAtOnceDespiteTheLatencyOffset() {
        Instant now = importProbe(CLOCK.instant().minusSeconds(120));
        try (PrometheusMetricsSource source = new PrometheusMetricsSource(TestEndpoints.of(victoria.url()),
                DefaultQueries.schemes(), List.of(probe()), new SimpleMeterRegistry())) {
            Signal s = source.observe(clusters.alphaQueryNode, now).signals().get("probe");
            assertTrue(s.isKnown(), s::problem);
            assertEquals(2.0, s.value().getAsDouble());
        }
    }

    /**
     * With its cache on, VictoriaMetrics moves a range query's start onto the step grid when it asks for 50 steps or
     * more (app/vmselect/promql/eval.go AdjustStartEnd), so a backtest from {@code -7d} (now minus 7 days, with its
     * milliseconds) got every step at other timestamps than it asked for and read nothing; nocache=1 keeps the start.
     */
    @Test
    void aRangeFromAnOffGridStartReplaysEveryStep() {
        Instant now = importProbe(CLOCK.instant().minusSeconds(300));
        Instant from = now.minusSeconds(240).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusMillis(742);
        Instant to = from.plusSeconds(120);
        try (PrometheusMetricsSource source = PrometheusMetricsSource.replaying(TestEndpoints.of(victoria.url()),
                DefaultQueries.schemes(), List.of(probe()), new SimpleMeterRegistry(), from, to, Duration.ofSeconds(1),
                PrometheusMetricsSource.MAX_POINTS_PER_RANGE_QUERY, text -> { })) {
            for (int k : new int[] {0, 1, 60, 120}) {
                Instant at = from.plusSeconds(k);
                Signal s = source.observe(clusters.alphaQueryNode, at).signals().get("probe");
                assertTrue(s.isKnown(), () -> at + ": " + s.problem());
                assertEquals(1.0, s.value().getAsDouble(), () -> at.toString());
            }
        }
    }
}
