package io.github.milvusautoscaler.metrics;

import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.core.CircuitBreakerSettings;
import io.github.milvusautoscaler.core.RetrySettings;
import io.github.milvusautoscaler.core.PrometheusEndpoint;
import io.github.milvusautoscaler.core.SignalQuery;
import io.github.milvusautoscaler.core.PrometheusAuth;
import static io.github.milvusautoscaler.metrics.PromJson.pod;
import static io.github.milvusautoscaler.metrics.PromJson.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.NoDelayServerSocketFactory;
import io.github.milvusautoscaler.engine.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retry with back-off for transport errors and 5xx, and the endpoint's circuit breaker, with their meters. */
class ResilienceTest {

    private static final Instant AT = Instant.parse("2025-06-01T12:00:00Z");
    private static final Target TARGET = new Target("milvus", "prod", Component.PROXY, InstallKind.HELM);

    private MockWebServer server;
    private SimpleMeterRegistry meters;
    /** The breaker's clock: open-for passes when the test says so. */
    private final ManualClock clock = new ManualClock(AT);

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.setServerSocketFactory(new NoDelayServerSocketFactory());
        server.start();
        meters = new SimpleMeterRegistry();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void retriesA503AndADroppedConnectionThenReadsTheValue() {
        server.enqueue(FailureShapesTest.status(503, ""));
        server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
        server.enqueue(FailureShapesTest.json(vector(pod("p-0", "0.42", AT))));
        try (PrometheusMetricsSource source = source(3, 100, Duration.ofSeconds(30))) {
            Signal signal = source.observe(TARGET, AT).signals().get("cpu");

            assertTrue(signal.isKnown(), signal::problem);
            assertEquals(0.42, signal.value().getAsDouble(), 1e-9);
            assertEquals(3, server.getRequestCount());
            assertEquals(1.0, meters.get(MetricNames.RETRY_CALLS).tag("kind", "successful_with_retry").functionCounter()
                    .count());
            assertEquals(1, meters.get(MetricNames.QUERY_DURATION).tag(MetricNames.TAG_OUTCOME, "success").timer().count());
        }
    }

    @Test
    void circuitBreakerOpensAfterTheWindowFailsThenFailsFastAndClosesWhenPrometheusIsBack() {
        AtomicBoolean healthy = new AtomicBoolean(false);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return healthy.get() ? FailureShapesTest.json(vector(pod("p-0", "0.3", PromJson.time(request))))
                        : FailureShapesTest.status(500, "");
            }
        });
        // at least 4 queries in the 1m window, threshold 50%, no retries: 4 failed queries (100% >= 50%) open it. open-for is 30 s, as
        // shipped: the breaker times it on the manual clock, so the test moves the clock instead of waiting.
        try (PrometheusMetricsSource source = source(1, 4, Duration.ofSeconds(30))) {
            failedWith(source, 4, "prometheus HTTP 500");
            Signal fast = source.observe(TARGET, tick()).signals().get("cpu");

            assertFalse(fast.isKnown());
            assertTrue(fast.problem().startsWith("prometheus circuit breaker open (100% of the 4 queries of the last 1m"
                            + " failed); next try within 30s"),
                    fast.problem());
            assertEquals(4, server.getRequestCount(), "an open breaker sends nothing");
            assertEquals(1.0, gauge("open"));
            assertEquals(1.0, meters.counter(MetricNames.QUERY_ERRORS, MetricNames.TAG_KIND, "circuit_open").count());

            healthy.set(true);
            // 1 s short of open-for, still open: nothing is sent.
            clock.advance(Duration.ofSeconds(29));
            assertFalse(source.observe(TARGET, tick()).signals().get("cpu").isKnown());
            assertEquals(4, server.getRequestCount(), "still open 29 s into a 30 s open-for");
            // Past open-for (resilience4j lets the trial through once the clock is after the wait) one trial
            // query goes through and closes it.
            clock.advance(Duration.ofSeconds(2));
            Signal back = source.observe(TARGET, tick()).signals().get("cpu");
            assertTrue(back.isKnown(), back.problem());
            assertEquals(0.3, back.value().getAsDouble(), 1e-9);
            assertEquals(1.0, gauge("closed"));
        }
    }

    /**
     * The failure rate is over the queries of the last minute, not the last few: 12 that succeeded, then 5 of one
     * failing namespace in a burst, is 29% of the minute and leaves the breaker closed, where a window of the last 4
     * queries (100% failed) opened it for every target: one namespace of four answering 503 did so for 42 s (recheck
     * 47, F2). Once the successes have left the window (past 1m), the same failures open it.
     */
    @Test
    void theFailureRateIsOverTheWindowsTimeNotItsLastQueries() throws Exception {
        AtomicBoolean healthy = answeringUnless503();
        try (PrometheusMetricsSource source = source(1, 4, Duration.ofSeconds(30))) {
            answered(source, 12);
            clock.advance(Duration.ofSeconds(30));
            healthy.set(false);
            failedWith(source, 5, "prometheus HTTP 503");
            assertEquals(1.0, gauge("closed"), "5 failed of the minute's 17 queries is 29%, under 50%");
            assertEquals(17, server.getRequestCount());
            // 31 s on, the 12 successes are more than a minute old: the 5 failures and 1 more are the window.
            clock.advance(Duration.ofSeconds(31));
            assertEquals("prometheus HTTP 503", source.observe(TARGET, tick()).signals().get("cpu").problem());
            assertEquals(1.0, gauge("open"));
            assertTrue(source.observe(TARGET, tick()).signals().get("cpu").problem().startsWith(
                    "prometheus circuit breaker open (100% of the 6 queries of the last 1m failed)"));
        }
    }

    /**
     * A Prometheus back from an outage does not open the breaker as the window's older successes leave it: 10 answered
     * at 0 s, 8 failed at 20 s (44%, closed), 4 answered at 21 s; at 61 s the 10 have left the minute and the window
     * would read 8 of 13 failed (62%) on the next success, which opened it 12 s after a real recovery and blinded 100
     * targets for 30 s more (recheck 105, F1). Answered minimum-queries (4) in a row, the outage is over.
     */
    @Test
    void aPrometheusBackFromAnOutageDoesNotOpenTheBreakerLater() {
        AtomicBoolean healthy = answeringUnless503();
        try (PrometheusMetricsSource source = source(1, 4, Duration.ofSeconds(30))) {
            answered(source, 10);
            clock.advance(Duration.ofSeconds(20));
            healthy.set(false);
            failedWith(source, 8, "prometheus HTTP 503");
            assertEquals(1.0, gauge("closed"), "8 of 18 is 44%");
            clock.advance(Duration.ofSeconds(1));
            healthy.set(true);
            answered(source, 4);
            clock.advance(Duration.ofSeconds(40));
            Signal later = source.observe(TARGET, tick()).signals().get("cpu");
            assertTrue(later.isKnown(), later.problem());
            assertEquals(1.0, gauge("closed"));
            assertEquals(23, server.getRequestCount());
        }
    }

    /**
     * Failures among answers, as one namespace of three answering 503 gives them (recheck 117: its tick's 7 queries
     * failing between the others' answers), are its share of the minute's window: a run of answers does not clear
     * them, as it clears an outage's. Here 11 answered then 6 failed, three times over within the minute (35%, 21%,
     * 35% of the window): clearing the window after each 10th answer in a row left 1 answer and 6 failures, and 3
     * answers later 6 of 10 (60%) opened the breaker on a Prometheus answering most queries.
     */
    @Test
    void oneTenantsFailuresAmongAnswersAreNotClearedAndDoNotOpenTheBreaker() {
        java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return requests.getAndIncrement() % 17 < 11
                        ? FailureShapesTest.json(vector(pod("p-0", "0.3", PromJson.time(request))))
                        : FailureShapesTest.status(503, "");
            }
        });
        try (PrometheusMetricsSource source = source(1, 10, Duration.ofSeconds(30))) {
            for (int cycle = 0; cycle < 3; cycle++) {
                answered(source, 11);
                failedWith(source, 6, "prometheus HTTP 503");
                assertEquals(1.0, gauge("closed"), "cycle " + cycle);
            }
            assertEquals(51, server.getRequestCount(), "no query turned away");
        }
    }

    /**
     * Half-open, one trial query is let through and the others are turned away: their problem says so, where it read
     * "circuit breaker open (-1% of the last 20 queries failed)", resilience4j's rate of a window with too few calls
     * (recheck 21, N-F3). The trial here is held 1 s by the server while a second query asks.
     */
    @Test
    void queriesTurnedAwayWhileATrialIsInFlightSaySo() throws Exception {
        java.util.concurrent.CountDownLatch trialArrived = new java.util.concurrent.CountDownLatch(1);
        AtomicBoolean failing = new AtomicBoolean(true);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (failing.get()) {
                    return FailureShapesTest.status(500, "");
                }
                trialArrived.countDown();
                Thread.sleep(1000);
                return FailureShapesTest.json(vector(pod("p-0", "0.3", PromJson.time(request))));
            }
        });
        try (PrometheusMetricsSource source = source(1, 4, Duration.ofSeconds(30))) {
            for (int i = 0; i < 4; i++) {
                source.observe(TARGET, tick());
            }
            failing.set(false);
            clock.advance(Duration.ofSeconds(31));
            Instant at = tick();
            java.util.concurrent.CompletableFuture<Signal> trial = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> source.observe(TARGET, at).signals().get("cpu"));
            assertTrue(trialArrived.await(10, java.util.concurrent.TimeUnit.SECONDS), "the trial reached the server");
            // Another instant: a query of the same one would share the trial's answer (prometheus.share-window).
            String turnedAway = source.observe(TARGET, tick()).signals().get("cpu").problem();
            assertEquals("prometheus circuit breaker half-open: a trial query is on its way after 30s open; the others"
                    + " wait for its answer", turnedAway);
            assertTrue(trial.get(10, java.util.concurrent.TimeUnit.SECONDS).isKnown(), "the trial itself reads");
        }
    }

    /**
     * A trial query that fails opens the breaker again on the half-open window's one query: its rate then judged one
     * query, "100% of the 1 queries of the last 1m failed", which read as one query having opened it while the
     * minimum is 4 (recheck 60, R1). With fewer queries than the minimum, the failed trial is said.
     */
    @Test
    void aFailedTrialIsNotSaidAsOneQueryOpeningTheBreaker() {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return FailureShapesTest.status(500, "");
            }
        });
        try (PrometheusMetricsSource source = source(1, 4, Duration.ofSeconds(30))) {
            for (int i = 0; i < 4; i++) {
                source.observe(TARGET, tick());
            }
            clock.advance(Duration.ofSeconds(31));
            assertEquals("prometheus HTTP 500", source.observe(TARGET, tick()).signals().get("cpu").problem(),
                    "the trial is sent, and fails");
            String again = source.observe(TARGET, tick()).signals().get("cpu").problem();
            assertEquals("prometheus circuit breaker open (its trial query after 30s open failed); next try within 30s",
                    again);
            assertEquals(5, server.getRequestCount(), "4 queries and the trial");
        }
    }

    /**
     * The breaker's opening is said as what it means and its closing as news (recheck 91, F3: the library's own "State
     * transition from CLOSED to OPEN" said nothing of the consequence); its probing in between is not said.
     */
    @Test
    void theBreakersOpeningSaysWhatItMeans() {
        AtomicBoolean healthy = failingWith(500);
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs =
                     io.github.milvusautoscaler.testsupport.CapturedLogs.of(QueryClient.class);
             PrometheusMetricsSource source = source(1, 4, Duration.ofSeconds(30))) {
            for (int i = 0; i < 4; i++) {
                source.observe(TARGET, tick());
            }
            String name = "prometheus-" + server.getHostName() + ":" + server.getPort();
            List<String> opened = logs.warnings().stream().filter(m -> m.contains("circuit breaker")).toList();
            assertEquals(List.of("Prometheus circuit breaker " + name + " opened (State transition from CLOSED to OPEN):"
                    + " queries fail at once for 30s, every signal read from it UNKNOWN (\"circuit breaker open\"), then"
                    + " one trial query; the cause is in the \"are failing\" line"), opened);
            healthy.set(true);
            clock.advance(Duration.ofSeconds(31));
            assertTrue(source.observe(TARGET, tick()).signals().get("cpu").isKnown());
            assertTrue(logs.messages().contains("Prometheus circuit breaker " + name + " closed (State transition from"
                    + " HALF_OPEN to CLOSED): queries go to Prometheus again"), logs.messages().toString());
            assertEquals(1, logs.warnings().stream().filter(m -> m.contains("circuit breaker")).count(),
                    logs.warnings().toString());
            // Prometheus is every target's: these lines carry no target field in the JSON log, whichever tick's
            // query saw it (recheck 91, F2).
            assertEquals(logs.messages().stream().filter(m -> m.contains("circuit breaker")
                    || m.contains("are failing") || m.contains("succeed again")).toList(), logs.daemonWide());
            assertEquals(4, logs.daemonWide().size(), logs.messages().toString());
        }
    }

    /**
     * An outage soon after an earlier one is said at the latest when the breaker opens, and not by a query the open
     * breaker turned away: within 5m of the last recovery a failing is said only once it lasts a minute, and that
     * minute ran out while the breaker stood open past the end of the outage, so "are failing since ..." came 13 s
     * after Prometheus was back, the breaker's own line having pointed at an "are failing" line no one wrote (recheck
     * 107, F2). Here: answered, failing 10 s later (under 5m: debug), 4 failures open the breaker and say it, and once
     * Prometheus is back its recovery is said.
     */
    @Test
    void aFailingSoonAfterAnotherIsSaidWhenTheBreakerOpensNotAfterItIsOver() {
        AtomicBoolean healthy = failingWith(503);
        healthy.set(true);
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs =
                     io.github.milvusautoscaler.testsupport.CapturedLogs.of(QueryClient.class);
             PrometheusMetricsSource source = source(1, 4, Duration.ofSeconds(30))) {
            healthy.set(false);
            source.observe(TARGET, tick());
            healthy.set(true);
            assertTrue(source.observe(TARGET, tick()).signals().get("cpu").isKnown());
            logs.clear();
            clock.advance(Duration.ofSeconds(10));
            healthy.set(false);
            for (int i = 0; i < 4; i++) {
                source.observe(TARGET, tick());
            }
            List<String> failing = logs.warnings().stream().filter(m -> m.startsWith("Prometheus queries to") && m.contains(" are failing")).toList();
            assertEquals(1, failing.size(), logs.messages().toString());
            assertTrue(failing.get(0).startsWith("Prometheus queries to " + server.getHostName() + ":"
                    + server.getPort() + " are failing since 2025-06-01T12:00:10Z: prometheus HTTP 503"), failing.get(0));
            // Open past its minute: turned-away queries say nothing more.
            clock.advance(Duration.ofSeconds(29));
            source.observe(TARGET, tick());
            clock.advance(Duration.ofSeconds(40));
            healthy.set(true);
            assertTrue(source.observe(TARGET, tick()).signals().get("cpu").isKnown());
            assertEquals(1, logs.warnings().stream().filter(m -> m.startsWith("Prometheus queries to") && m.contains(" are failing")).count(),
                    logs.warnings().toString());
            assertTrue(logs.messages().stream().anyMatch(m -> m.contains("succeed again")), logs.messages().toString());
        }
    }

    @Test
    void aBadQueryDoesNotOpenTheBreaker() {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return FailureShapesTest.status(400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"x\"}");
            }
        });
        try (PrometheusMetricsSource source = source(3, 4, Duration.ofSeconds(30))) {
            for (int i = 0; i < 8; i++) {
                source.observe(TARGET, tick());
            }
            // 8 queries, 1 request each (4xx is never retried), breaker still closed.
            assertEquals(8, server.getRequestCount());
            assertEquals(1.0, gauge("closed"));
        }
    }

    /** Prometheus answering {@code status} until the returned flag is set, then a cpu of 0.42 on one pod. */
    /** A Prometheus answering 0.3 at each query's own time while the flag returned is true (as it starts), else 503. */
    private AtomicBoolean answeringUnless503() {
        AtomicBoolean healthy = new AtomicBoolean(true);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return healthy.get() ? FailureShapesTest.json(vector(pod("p-0", "0.3", PromJson.time(request))))
                        : FailureShapesTest.status(503, "");
            }
        });
        return healthy;
    }

    private AtomicBoolean failingWith(int status) {
        AtomicBoolean healthy = new AtomicBoolean(false);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return healthy.get() ? FailureShapesTest.json(vector(pod("p-0", "0.42", AT)))
                        : FailureShapesTest.status(status, "");
            }
        });
        return healthy;
    }

    /** A new evaluation time per observation: observations at one instant share one answer. */
    private Instant tick() {
        ticks++;
        return AT.plusSeconds(15L * ticks);
    }

    private int ticks;

    private double gauge(String state) {
        return meters.get(MetricNames.BREAKER_STATE).tag("state", state).gauge().value();
    }

    /**
     * Two clients of one endpoint (the tick's and the load-history refresh's, or one a reload built) failing together
     * say "are failing" once between them, as the line promises, and "succeed again" once.
     */
    @Test
    void anEndpointThatFailsIsSaidOnceWhateverNumberOfClientsUseIt() {
        AtomicBoolean healthy = failingWith(503);
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs =
                     io.github.milvusautoscaler.testsupport.CapturedLogs.of(QueryClient.class);
             PrometheusMetricsSource ticks = source(1, 100, Duration.ofSeconds(30));
             PrometheusMetricsSource history = source(1, 100, Duration.ofSeconds(30))) {
            for (int i = 0; i < 3; i++) {
                ticks.observe(TARGET, AT.plusSeconds(i));
                history.observe(TARGET, AT.plusSeconds(i));
            }
            healthy.set(true);
            ticks.observe(TARGET, AT.plusSeconds(10));
            history.observe(TARGET, AT.plusSeconds(10));
            List<String> said = logs.messages();
            assertEquals(1, said.stream().filter(m -> m.contains("are failing")).count(), said.toString());
            assertEquals(1, said.stream().filter(m -> m.contains("succeed again")).count(), said.toString());
        }
    }

    /**
     * A command's probe that fails is said by the command, in one line of its own ("signals: Prometheus at ... cannot
     * be reached: ..."): the client does not log it as well, which printed the same cause twice (closing note
     * residual); a tick's query that fails afterwards is still said, once.
     */
    @Test
    void aFailedProbeIsLeftToItsCallerToSay() {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return FailureShapesTest.status(503, "");
            }
        });
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs =
                     io.github.milvusautoscaler.testsupport.CapturedLogs.of(QueryClient.class);
             PrometheusMetricsSource source = source(1, 100, Duration.ofSeconds(30))) {
            assertTrue(source.probe(AT).orElseThrow().reason().contains("503"));
            assertEquals(List.of(), logs.warnings());
            source.observe(TARGET, AT.plusSeconds(15));
            assertEquals(1, logs.warnings().stream().filter(m -> m.contains("are failing")).count(),
                    logs.warnings().toString());
        }
    }

    /**
     * Refused credentials (401) are the endpoint's failure, not a query's: every query gets them, so the status says
     * since when and what was sent, an episode is said once (a success ends it), and the same credentials are not
     * retried. A 400, a query Prometheus cannot parse, leaves the endpoint healthy. Read as a wrong query, a 401 was
     * said once per query text for the process's life and the status showed nothing (secrets recheck 28, F2).
     */
    @Test
    void refusedCredentialsAreTheEndpointFailingEachEpisodeSaidOnce() {
        java.util.concurrent.atomic.AtomicInteger code = new java.util.concurrent.atomic.AtomicInteger(401);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return code.get() == 200 ? FailureShapesTest.json(vector(pod("p-0", "0.42", AT)))
                        : FailureShapesTest.status(code.get(), "{\"status\":\"error\",\"error\":\"refused\"}");
            }
        });
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs =
                     io.github.milvusautoscaler.testsupport.CapturedLogs.of(QueryClient.class);
             PrometheusMetricsSource source = source(3, 100, Duration.ofSeconds(30))) {
            source.observe(TARGET, AT);
            assertEquals(1, server.getRequestCount(), "the same credentials get the same answer: not retried");
            QueriesFailing failing = source.failing().orElseThrow();
            assertTrue(failing.cause().startsWith("prometheus HTTP 401") && failing.cause().endsWith("no credentials"
                    + " were sent: a Prometheus behind an auth proxy needs prometheus.auth (bearer-token-file, or"
                    + " basic-username and basic-password-file)"), failing.cause());

            code.set(200);
            source.observe(TARGET, AT.plusSeconds(15));
            assertTrue(source.failing().isEmpty());
            // Failing and succeeding by turns within 5 minutes (one tenant's queries failing in a fleet) is one WARN
            // and one INFO, not a pair a tick naming neither target nor query (recheck 46, F4); the status follows
            // every turn.
            for (int turn = 0; turn < 6; turn++) {
                clock.advance(Duration.ofSeconds(15));
                code.set(turn % 2 == 0 ? 401 : 200);
                source.observe(TARGET, AT.plusSeconds(30 + 15 * turn));
                assertEquals(turn % 2 == 0, source.failing().isPresent(), "turn " + turn);
            }
            assertEquals(1, logs.warnings().stream().filter(m -> m.contains("are failing")).count(),
                    logs.warnings().toString());
            assertEquals(1, logs.messages().stream().filter(m -> m.contains("succeed again")).count(),
                    logs.messages().toString());
            // An episode that lasts a minute is no longer the intermittent kind: said, with since when.
            code.set(401);
            clock.advance(Duration.ofSeconds(15));
            source.observe(TARGET, AT.plusSeconds(150));
            clock.advance(Duration.ofSeconds(60));
            source.observe(TARGET, AT.plusSeconds(210));
            assertEquals(2, logs.warnings().stream().filter(m -> m.contains("are failing")).count(),
                    logs.warnings().toString());
            assertTrue(logs.warnings().get(logs.warnings().size() - 1).startsWith("Prometheus queries to localhost:"
                    + server.getPort() + " are failing since "), logs.warnings().toString());
            code.set(200);
            clock.advance(Duration.ofSeconds(15));
            source.observe(TARGET, AT.plusSeconds(225));
            assertTrue(logs.messages().get(logs.messages().size() - 1).startsWith("Prometheus queries to localhost:"
                    + server.getPort() + " succeed again (before this spell, since the last such line, they failed and"
                    + " succeeded again 3 times, said at debug"),
                    logs.messages().toString());

            code.set(400);
            source.observe(TARGET, AT.plusSeconds(240));
            assertTrue(source.failing().isEmpty(), "a query Prometheus refuses is the query's failure");
            assertEquals(1, logs.warnings().stream().filter(m -> m.startsWith("Prometheus query failed (http_4xx)"))
                    .count(), logs.warnings().toString());
        }
    }

    private PrometheusMetricsSource source(int attempts, int minimumQueries, Duration openFor) {
        PrometheusEndpoint endpoint = new PrometheusEndpoint(server.url("/").toString(), Duration.ofSeconds(3),
                Duration.ofMinutes(2), 1000, Duration.ZERO, new RetrySettings(attempts, Duration.ofMillis(10)),
                new CircuitBreakerSettings(50, Duration.ofMinutes(1), minimumQueries, openFor), PrometheusAuth.none(), Map.of());
        return new PrometheusMetricsSource(endpoint, DefaultQueries.schemes(),
                List.of(new TargetQueries(TARGET, List.of(new SignalQuery("cpu", "up", true)), "", "")), meters, clock);
    }

    /** {@code n} ticks whose cpu query Prometheus answered: each reads a value. */
    private void answered(PrometheusMetricsSource source, int n) {
        for (int i = 0; i < n; i++) {
            assertTrue(source.observe(TARGET, tick()).signals().get("cpu").isKnown());
        }
    }

    /** {@code n} ticks whose cpu query failed with {@code problem}, each said as such. */
    private void failedWith(PrometheusMetricsSource source, int n, String problem) {
        for (int i = 0; i < n; i++) {
            assertEquals(problem, source.observe(TARGET, tick()).signals().get("cpu").problem());
        }
    }
}
