package io.github.milvusautoscaler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.testsupport.PrometheusServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node whose clock is off from Prometheus' reads no signal: the daemon asks every instant query at its own time, so
 * a node 10 minutes slow read the cluster of 10 minutes before and scaled out on a load long gone, and one 15 minutes
 * fast read every signal as an empty result (fault recheck F2). The clock compared is Prometheus' own, from the Date
 * header Go's net/http puts on every answer (net/http server.go writes it unless a handler sets it; Prometheus'
 * API handlers do not), which is why this runs against a real Prometheus.
 */
class ClockSkewTest {

    private static PrometheusServer prometheus;

    @BeforeAll
    static void start() {
        prometheus = PrometheusServer.builder().start();
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    /** vector(1) asked at the (possibly skewed) node's own time, as the daemon asks every query. */
    private static QueryResult askAt(Duration nodeOff) {
        Clock node = Clock.offset(Clock.systemUTC(), nodeOff);
        try (QueryClient client = new QueryClient(TestEndpoints.of(prometheus.url()), new SimpleMeterRegistry(),
                node, node)) {
            return client.query("vector(1)", node.instant());
        }
    }

    @Test
    void aNodeTenMinutesSlowReadsNothingAndSaysHowFarBehindItIs() {
        QueryResult.Failed failed = assertInstanceOf(QueryResult.Failed.class, askAt(Duration.ofMinutes(-10)));
        assertEquals(FailureKind.CLOCK_SKEW, failed.kind());
        assertTrue(failed.reason().startsWith("this node's clock is 10m behind Prometheus' (the Date of its answer): a"
                + " query at this node's time reads the cluster as it was 10m ago, so none is used until the two agree"
                + " within 30s (a quarter of prometheus.stale-after)"), failed.reason());
    }

    @Test
    void aNodeFifteenMinutesFastReadsNothingAndSaysItIsAhead() {
        QueryResult.Failed failed = assertInstanceOf(QueryResult.Failed.class, askAt(Duration.ofMinutes(15)));
        assertEquals(FailureKind.CLOCK_SKEW, failed.kind());
        assertTrue(failed.reason().startsWith("this node's clock is 15m ahead of Prometheus'"), failed.reason());
        assertTrue(failed.reason().contains("reads a time not scraped yet"), failed.reason());
    }

    @Test
    void aNodeWithinAQuarterOfStaleAfterReadsAsUsual() {
        // TestEndpoints' stale-after is 2m: 20 s either way is inside the 30 s bound, the second's rounding of the
        // Date header and the answer's time included.
        for (Duration off : new Duration[] {Duration.ZERO, Duration.ofSeconds(20), Duration.ofSeconds(-20)}) {
            QueryResult result = askAt(off);
            assertInstanceOf(QueryResult.Samples.class, result, off + ": " + result);
        }
    }

    @Test
    void theBoundCountsTheDateHeadersWholeSecondAndTheAnswersTime() {
        Instant date = Instant.parse("2026-12-05T12:00:00Z");
        long sent = date.toEpochMilli() - 30_500;
        // Prometheus' clock was in [12:00:00, 12:00:01) while ours went from sent to sent + 400 ms: it led by
        // between 30.1 s and 31.5 s, and 30.1 s is beyond 30 s.
        assertEquals(FailureKind.CLOCK_SKEW, QueryClient.skew(date, sent, sent + 400, Duration.ofSeconds(30)).kind());
        // An answer that took 2 s: the lead may have been as little as 28.5 s, which is no evidence of a skew.
        assertNull(QueryClient.skew(date, sent, sent + 2000, Duration.ofSeconds(30)));
        // Ahead: ours 31 s past Prometheus' plus the second the header drops is at most -30 s only with no delay.
        assertNull(QueryClient.skew(date, date.toEpochMilli() + 31_000, date.toEpochMilli() + 31_000,
                Duration.ofSeconds(30)));
        assertEquals(FailureKind.CLOCK_SKEW, QueryClient.skew(date, date.toEpochMilli() + 31_100,
                date.toEpochMilli() + 31_200, Duration.ofSeconds(30)).kind());
        assertNull(QueryClient.skew(null, sent, sent, Duration.ofSeconds(30)), "no Date header, no evidence");
    }
}
