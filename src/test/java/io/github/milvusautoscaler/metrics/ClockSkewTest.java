package io.github.milvusautoscaler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.testsupport.PrometheusServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node whose clock is off from Prometheus' reads no signal: the daemon asks every instant query at its own time, so
 * a node 10 minutes slow read the cluster of 10 minutes before and scaled out on a load long gone, and one 15 minutes
 * fast read every signal as an empty result (fault recheck F2). The clock compared is Prometheus' own, from the Date
 * header Go's net/http puts on every answer (net/http server.go writes it unless a handler sets it; Prometheus'
 * API handlers do not), which is why this runs against a real Prometheus. Within the bound, a node known to run ahead
 * asks at Prometheus' time instead of its own, so a rate's window does not end in Prometheus' future.
 */
class ClockSkewTest {

    private static PrometheusServer prometheus;
    /** Phases of the 60 s-scrape counter below: the last sample of phase k was at {@link #PHASE_END}[k]. */
    private static final int PHASES = 6;
    private static final long[] PHASE_END = new long[PHASES];

    @BeforeAll
    static void start() {
        prometheus = PrometheusServer.builder().backfill(sixtySecondScrapes()).start();
    }

    /**
     * A counter rising 60 a minute, sampled every 60 s for 10 minutes, as a target at a 60 s scrape interval leaves
     * it, in six phases whose last samples are 55, 45, .. 5 s before the start: whenever the test runs (up to 50 s after
     * the start), one phase's newest sample is 34 to 56 s old, the ages where a query asked a little in Prometheus'
     * future finds one sample in a 2m window where one asked at its own time finds two.
     */
    private static String sixtySecondScrapes() {
        long start = Instant.now().getEpochSecond();
        StringBuilder om = new StringBuilder("# TYPE scrape_phase counter\n");
        for (int k = 0; k < PHASES; k++) {
            PHASE_END[k] = start - 55 + 10L * k;
            for (int i = 10; i >= 0; i--) {
                om.append("scrape_phase_total{job=\"").append(PrometheusServer.JOB).append("\",phase=\"").append(k)
                        .append("\"} ").append(60 * (10 - i)).append(' ').append(PHASE_END[k] - 60L * i).append('\n');
            }
        }
        return om.append("# EOF\n").toString();
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

    /**
     * A skew is said even when it starts soon after the queries succeeded: it is this node's clock, not one more turn
     * of some queries failing and others not, which is said only once it lasts a minute. A wall clock stepped back a
     * minute by NTP read as such an intermittent failing and was never said (recheck 51, F3).
     */
    @Test
    void aSkewSoonAfterSuccessIsSaidAtOnce() {
        java.util.concurrent.atomic.AtomicReference<Duration> off = new java.util.concurrent.atomic.AtomicReference<>(
                Duration.ofMinutes(-10));
        Clock node = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.now().plus(off.get());
            }
        };
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                     .of(QueryClient.class);
             QueryClient client = new QueryClient(TestEndpoints.of(prometheus.url()), new SimpleMeterRegistry(), node,
                     node)) {
            assertInstanceOf(QueryResult.Failed.class, client.query("vector(1)", node.instant()));
            off.set(Duration.ZERO);
            assertInstanceOf(QueryResult.Samples.class, client.query("vector(1)", node.instant()));
            logs.clear();
            off.set(Duration.ofMinutes(-10));
            assertInstanceOf(QueryResult.Failed.class, client.query("vector(1)", node.instant()));
            assertTrue(logs.warnings().stream().anyMatch(m -> m.contains("are failing: this node's clock is 10m behind")),
                    logs.messages().toString());
        }
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

    /**
     * A node ahead of Prometheus by less than the bound asks at Prometheus' time once an answer's Date has shown the
     * lead: at a 60 s scrape, {@code irate(...[2m])} asked in Prometheus' future finds one sample and is empty, asked
     * at its time it finds two (recheck 24, F1: a node 10 s ahead read qps UNKNOWN on 92 of 172 ticks). The first
     * query, before any answer, is asked at the node's own time and shows the loss; the second no longer has it.
     */
    @Test
    void aNodeAheadWithinTheBoundAsksAtPrometheusTimeSoASixtySecondScrapesRateHasTwoSamples() {
        double now = System.currentTimeMillis() / 1000.0;
        int phase = -1;
        for (int k = 0; k < PHASES && phase < 0; k++) {
            double age = now - PHASE_END[k];
            if (age >= 34 && age <= 56) {
                phase = k;
            }
        }
        assertTrue(phase >= 0, "the test ran more than 50 s after Prometheus was started");
        // Asked L s ahead, the 2m window begins after the older sample once the newest is 60 - L s old or more;
        // L = 61 - age leaves a second's margin and stays within the 30 s bound (age >= 34: L <= 27).
        long lead = (long) Math.ceil(61 - (now - PHASE_END[phase]));
        String promql = "irate(scrape_phase_total{phase=\"" + phase + "\"}[2m])";
        Clock node = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(lead));
        try (QueryClient client = new QueryClient(TestEndpoints.of(prometheus.url()), new SimpleMeterRegistry(),
                node, node)) {
            QueryResult.Samples first = assertInstanceOf(QueryResult.Samples.class,
                    client.query(promql, node.instant()));
            assertEquals(List.of(), first.series(), "asked " + lead + " s in Prometheus' future: one sample, no rate");

            QueryResult.Samples second = assertInstanceOf(QueryResult.Samples.class,
                    client.query(promql, node.instant()));
            assertEquals(1, second.series().size(), "asked at Prometheus' time: " + second);
            assertEquals(1.0, second.series().get(0).value(), 1e-9, "60 a minute");
            // Prometheus stamps the answer with the time asked: at or before its own now, by at most a second and
            // the round trip.
            Instant asked = second.series().get(0).timestamp();
            Instant real = Instant.now();
            assertFalse(asked.isAfter(real), asked + " is after " + real);
            assertTrue(asked.isAfter(real.minusSeconds(3)), asked + " is more than 3 s before " + real);
        }
    }

    /** A node in step with Prometheus asks at its own time, to the millisecond, answer after answer. */
    @Test
    void aNodeInStepAsksAtItsOwnTime() {
        try (QueryClient client = new QueryClient(TestEndpoints.of(prometheus.url()), new SimpleMeterRegistry(),
                Clock.systemUTC(), Clock.systemUTC())) {
            for (int i = 0; i < 3; i++) {
                Instant at = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
                QueryResult.Samples answer = assertInstanceOf(QueryResult.Samples.class, client.query("vector(1)", at));
                assertEquals(at, answer.series().get(0).timestamp());
            }
        }
    }

    @Test
    void aheadIsTheLeastTheClocksCanDifferByAndOnlyWhenCertain() {
        Instant date = Instant.parse("2026-12-05T12:00:00Z");
        long d = date.toEpochMilli();
        // The Javadoc's example: 10.0 s ahead, sent at our 12:00:10.5, answered at Prometheus' 12:00:00.6 and received
        // at our 12:00:10.7: Prometheus led by between -10.7 s and -9.5 s, so we are ahead by at least 9.5 s and
        // asking 10.7 s back lands 0.7 s before Prometheus' now.
        assertEquals(10_700, QueryClient.aheadBy(date, d + 10_500, d + 10_700));
        // In step: the Date's dropped fraction makes the upper end positive, no evidence of a lead.
        assertEquals(0, QueryClient.aheadBy(date, d + 300, d + 400));
        // Up to a second ahead cannot be told from the Date's rounding: not moved.
        assertEquals(0, QueryClient.aheadBy(date, d + 1000, d + 1100));
        assertEquals(1100, QueryClient.aheadBy(date, d + 1001, d + 1100));
        // Behind Prometheus: not moved (a query at our time is already in its past).
        assertEquals(0, QueryClient.aheadBy(date, d - 20_000, d - 19_800));
        assertEquals(0, QueryClient.aheadBy(null, d + 10_500, d + 10_700), "no Date header, no evidence");
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
