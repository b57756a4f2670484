package io.github.milvusautoscaler.metrics;

import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.core.CircuitBreakerSettings;
import io.github.milvusautoscaler.core.RetrySettings;
import io.github.milvusautoscaler.core.PrometheusEndpoint;
import io.github.milvusautoscaler.core.SignalQuery;
import static io.github.milvusautoscaler.metrics.PromJson.pod;
import static io.github.milvusautoscaler.metrics.PromJson.scalar;
import static io.github.milvusautoscaler.metrics.PromJson.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.PrometheusAuth;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.NoDelayServerSocketFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way a query can fail gives an UNKNOWN signal with a short reason, never a number: one
 * mockwebserver case per failure shape, with the requests it may cost (retries only for transport
 * errors and 5xx) and the meters it must move.
 */
class FailureShapesTest {

    private static final Instant AT = Instant.parse("2025-06-01T12:00:00Z");
    private static final Target TARGET = new Target("milvus", "prod", Component.QUERY_NODE, InstallKind.OPERATOR);

    private MockWebServer server;
    private SimpleMeterRegistry meters;
    /** The input-age probes received; each is answered by {@link #probe}, not from the queue. */
    private final List<String> probes = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** How a probe is answered, from its query and time: by default nothing stale. */
    private volatile java.util.function.BiFunction<String, Instant, MockResponse> probe =
            (query, at) -> json(PromJson.vector());

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.setServerSocketFactory(new NoDelayServerSocketFactory());
        // Scripted answers in order, as MockWebServer's queue gives them; the probe a non-empty answer brings
        // ({@link StaleInputs}) is answered apart, so each case scripts only the query it is about.
        server.setDispatcher(new QueueDispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                String query = PromJson.form(request).getOrDefault("query", "");
                if (PromJson.isStaleInputsProbe(query)) {
                    probes.add(query);
                    return probe.apply(query, PromJson.time(request));
                }
                return super.dispatch(request);
            }
        });
        server.start();
        meters = new SimpleMeterRegistry();
    }

    /** Requests sent for the signal itself, the input-age probes left out. */
    private int queriesSent() {
        return server.getRequestCount() - probes.size();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body(body).build();
    }

    static MockResponse status(int code, String body) {
        return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
    }

    static Stream<Arguments> failures() {
        MockResponse dropped = new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
        return Stream.of(
                Arguments.of("empty result", List.of(json(vector())), true, "empty result", FailureKind.EMPTY, 1),
                Arguments.of("NaN from 0/0", List.of(json(vector(pod("qn-0", "NaN", AT)))), true,
                        "value NaN for pod qn-0 (0/0 in the query: a request or limit of 0?)", FailureKind.NOT_FINITE, 1),
                Arguments.of("+Inf from x/0", List.of(json(vector(pod("qn-0", "0.5", AT), pod("qn-1", "+Inf", AT)))), true,
                        "value +Inf for pod qn-1 (a division by zero in the query: a request or limit of 0?)", FailureKind.NOT_FINITE, 1),
                Arguments.of("-Inf", List.of(json(scalar("-Inf", AT))), false, "value -Inf (a division by zero in the query: 0 ready replicas of the component?)", FailureKind.NOT_FINITE, 1),
                Arguments.of("4 series > max-series 3",
                        List.of(json(vector(pod("a", "1", AT), pod("b", "1", AT), pod("c", "1", AT), pod("d", "1", AT)))),
                        true, "more than 3 series", FailureKind.TOO_MANY_SERIES, 1),
                Arguments.of("sample 3m old > stale-after 2m", List.of(json(vector(pod("qn-0", "0.5", AT.minusSeconds(180))))),
                        true, "newest sample 3m old > stale-after 2m", FailureKind.STALE, 1),
                Arguments.of("HTTP 400 bad query: not retried", List.of(status(400,
                        "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:5: parse error: unexpected }\"}")),
                        true, "prometheus HTTP 400: bad_data: 1:5: parse error", FailureKind.HTTP_4XX, 1),
                Arguments.of("HTTP 503 twice: retried once, then given up", List.of(status(503,
                        "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"too many queries\"}"),
                        status(503, "")), true, "prometheus HTTP 503 (2 attempts)", FailureKind.HTTP_5XX, 2),
                Arguments.of("bad JSON: truncated body", List.of(json("{\"status\":\"success\",\"data\":{\"resultType\":\"vec")),
                        true, "bad JSON from prometheus", FailureKind.BAD_RESPONSE, 1),
                Arguments.of("HTML login page with 200", List.of(new MockResponse.Builder().code(200)
                        .setHeader("Content-Type", "text/html").body("<html>login</html>").build()),
                        true, "prometheus answered something that is not JSON (HTTP 200, text/html): is prometheus.url"
                                + " the API root?", FailureKind.BAD_RESPONSE, 1),
                // A proxy's page labelled JSON, or no label at all: said as plainly, without Gson's advice to lenience.
                Arguments.of("HTML labelled application/json", List.of(json("<html>Grafana</html>")), true,
                        "prometheus answered something that is not JSON (HTTP 200, application/json): is prometheus.url"
                                + " the API root?", FailureKind.BAD_RESPONSE, 1),
                // Recheck 97's proxy: JSON throughout, one sample an object where [time, "value"] belongs.
                Arguments.of("a sample that is not [time, value]", List.of(json("{\"status\":\"success\",\"data\":"
                        + "{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"pod\":\"p\"},\"value\":{\"oops\":1}}]}}")),
                        true, "bad JSON from prometheus at $.data.result[0].value", FailureKind.BAD_RESPONSE, 1),
                Arguments.of("text without a Content-Type", List.of(new MockResponse.Builder().code(200)
                        .body("Prometheus is Ready.").build()), true,
                        "prometheus answered something that is not JSON (HTTP 200, no Content-Type)",
                        FailureKind.BAD_RESPONSE, 1),
                Arguments.of("status error in a 200 body", List.of(json(
                        "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"many-to-many matching not allowed\"}")),
                        true, "prometheus error execution: many-to-many", FailureKind.QUERY_ERROR, 1),
                Arguments.of("range vector (matrix)", List.of(json("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
                        + "\"result\":[{\"metric\":{},\"values\":[[1,\"1\"]]}]}}")),
                        true, "result type matrix", FailureKind.RESULT_TYPE, 1),
                Arguments.of("string result", List.of(json("{\"status\":\"success\",\"data\":{\"resultType\":\"string\","
                        + "\"result\":[1748779200,\"hello\"]}}")), false, "result type string", FailureKind.RESULT_TYPE, 1),
                Arguments.of("scalar for a per-pod signal", List.of(json(scalar("0.5", AT))), true,
                        "scalar result for a per-pod signal", FailureKind.AMBIGUOUS, 1),
                Arguments.of("two series for one pod", List.of(json(vector(pod("qn-0", "0.5", AT), pod("qn-0", "0.7", AT)))),
                        true, "several series for pod qn-0", FailureKind.AMBIGUOUS, 1),
                Arguments.of("two series for a cluster value", List.of(json(vector(pod("a", "1", AT), pod("b", "2", AT)))),
                        false, "2 series where one value was expected", FailureKind.AMBIGUOUS, 1),
                Arguments.of("connection dropped twice: retried, then given up", List.of(dropped, dropped), true,
                        "prometheus unreachable", FailureKind.TRANSPORT, 2),
                Arguments.of("302 to a login page: not followed", List.of(new MockResponse.Builder().code(302)
                        .setHeader("Location", "/login").build()), true, "prometheus HTTP 302 redirect, not followed",
                        FailureKind.HTTP_OTHER, 1),
                Arguments.of("401 without credentials", List.of(status(401, "Unauthorized")), true, "prometheus HTTP 401",
                        FailureKind.HTTP_4XX, 1),
                // A load cannot be negative (seen: -5 stepped a target down 4 -> 3 -> 2 -> 1 in 19 s).
                Arguments.of("negative per-pod load", List.of(json(vector(pod("qn-0", "0.5", AT), pod("qn-1", "-5", AT)))),
                        true, "value -5.000 for pod qn-1 is negative", FailureKind.IMPOSSIBLE, 1),
                Arguments.of("negative cluster value", List.of(json(scalar("-0.25", AT))), false,
                        "value -0.2500 is negative", FailureKind.IMPOSSIBLE, 1),
                // Each value finite, the sum not: 1.5e308 + 1.5e308 = +Inf (this threw in Signal.known every tick).
                Arguments.of("per-pod values whose sum overflows", List.of(json(vector(pod("qn-0", "1.5e308", AT),
                        pod("qn-1", "1.5e308", AT)))), true, "overflow when averaged", FailureKind.IMPOSSIBLE, 1),
                // Thanos with a store down answers 200 with a warning: a cluster sum would under-read.
                Arguments.of("Thanos partial response for a cluster value", List.of(json(withField(vector(pod("q", "40", AT)),
                        "\"warnings\":[\"No StoreAPIs matched for this query\"]"))), false,
                        "partial response (warning: No StoreAPIs matched", FailureKind.PARTIAL, 1),
                Arguments.of("VictoriaMetrics isPartial for a cluster value", List.of(json(withField(scalar("40", AT),
                        "\"isPartial\":true"))), false, "partial response (isPartial: true", FailureKind.PARTIAL, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void everyFailureShapeIsUnknownWithAReason(String name, List<MockResponse> responses, boolean perPod, String reason,
                                              FailureKind kind, int requests) {
        responses.forEach(server::enqueue);
        try (PrometheusMetricsSource source = source(endpoint(Duration.ofSeconds(3), 3), perPod)) {
            Signal signal = source.observe(TARGET, AT).signals().get("s");

            assertFalse(signal.isKnown(), () -> name + " must not give a value, gave " + signal.value());
            assertTrue(signal.problem().contains(reason), () -> name + ": reason was '" + signal.problem() + "'");
            assertEquals(requests, queriesSent(), name + ": requests sent");
            assertEquals(1.0, meters.counter(MetricNames.SIGNAL_UNKNOWN, MetricNames.TAG_SIGNAL, "s",
                    MetricNames.TAG_KIND, kind.tag()).count(), name + ": unknown counted by kind");
        }
    }

    @Test
    void brokenJsonIsNamedByItsPathWithoutGsonsAdvice() {
        server.enqueue(json("{\"status\": tru}"));
        try (PrometheusMetricsSource source = source(endpoint(Duration.ofSeconds(3), 3), true)) {
            Signal signal = source.observe(TARGET, AT).signals().get("s");
            assertEquals("bad JSON from prometheus at $.status: malformed JSON at line 1 column 12", signal.problem());
        }
    }

    @Test
    void everySignalUnknownCounterExistsAtZeroBeforeTheFirstFailure() {
        try (PrometheusMetricsSource source = source(endpoint(Duration.ofSeconds(3), 3), true)) {
            var counters = meters.find(MetricNames.SIGNAL_UNKNOWN).counters();
            // One series per (signal, kind), so rate() reads 0 instead of nothing until something fails.
            assertEquals(FailureKind.values().length, counters.size(), "one counter per failure kind of signal s");
            for (FailureKind kind : FailureKind.values()) {
                assertEquals(0.0, meters.get(MetricNames.SIGNAL_UNKNOWN).tag(MetricNames.TAG_SIGNAL, "s")
                        .tag(MetricNames.TAG_KIND, kind.tag()).counter().count(), kind.tag());
            }
            server.enqueue(json(vector()));
            source.observe(TARGET, AT);
            assertEquals(1.0, meters.find(MetricNames.SIGNAL_UNKNOWN).counters().stream()
                    .mapToDouble(io.micrometer.core.instrument.Counter::count).sum(), "only the empty result counted");
        }
    }

    @Test
    void aSlowResponseTimesOutWithinTheQueryBudgetAndIsNotRetriedPastIt() {
        server.enqueue(new MockResponse.Builder(json(vector(pod("qn-0", "0.5", AT))))
                .headersDelay(3, TimeUnit.SECONDS).build());
        long start = System.nanoTime();
        try (PrometheusMetricsSource source = source(endpoint(Duration.ofMillis(400), 1000), true)) {
            Signal signal = source.observe(TARGET, AT).signals().get("s");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;

            assertFalse(signal.isKnown());
            assertEquals("prometheus timeout after 400ms", signal.problem());
            assertEquals(1, queriesSent(), "the budget was spent: no second attempt");
            assertTrue(elapsedMs < 2500, "waited " + elapsedMs + " ms for a 400 ms budget");
            assertEquals(1.0, meters.counter(MetricNames.QUERY_ERRORS, MetricNames.TAG_KIND, "timeout").count());
        }
    }

    static Stream<Arguments> values() {
        return Stream.of(
                // (0.5 + 0.7 + 0.9) / 3 = 0.7, 3 pods, newest sample 10 s before the evaluation time
                Arguments.of("per-pod mean over the pods that report", true,
                        vector(pod("a", "0.5", AT.minusSeconds(30)), pod("b", "0.7", AT.minusSeconds(10)),
                                pod("c", "0.9", AT.minusSeconds(20))), 0.7, 3, Duration.ofSeconds(10)),
                Arguments.of("a cluster value from a one-series vector", false,
                        vector(PromJson.series(Map.of(), "42.5", AT)), 42.5, 0, Duration.ZERO),
                Arguments.of("a cluster value from a scalar", false, scalar("7", AT.minusMillis(1500)), 7.0, 0,
                        Duration.ofMillis(1500)),
                Arguments.of("a real zero is a value, not a failure", false, scalar("0", AT), 0.0, 0, Duration.ZERO));
    }

    /** {@code body} with {@code field} added to the envelope, as Thanos ({@code warnings}) and VictoriaMetrics do. */
    static String withField(String body, String field) {
        return body.replaceFirst("^\\{", "{" + field + ",");
    }

    @Test
    void aPartialAnswerStillGivesPerPodValuesFromThePodsThatAnswered() {
        server.enqueue(json(withField(vector(pod("a", "0.4", AT), pod("b", "0.6", AT)), "\"isPartial\":true")));
        try (PrometheusMetricsSource source = source(endpoint(Duration.ofSeconds(3), 1000), true)) {
            Signal signal = source.observe(TARGET, AT).signals().get("s");
            // (0.4 + 0.6) / 2 from the 2 pods that answered; the policy compares 2 with the ready count.
            assertEquals(0.5, signal.value().getAsDouble(), 1e-9);
            assertEquals(2, signal.podsReporting());
        }
    }

    @Test
    void prometheusOwnQueryAnnotationsAreNotPartialAnswers() {
        // Prometheus >= 2.45 annotates rate() of milvus_proxy_req_count (no _total suffix) on every query.
        server.enqueue(json(withField(scalar("42", AT), "\"warnings\":[\"PromQL info: metric might not be a counter,"
                + " name does not end in _total/_sum/_count/_bucket: milvus_proxy_req_count\"]")));
        try (PrometheusMetricsSource source = source(endpoint(Duration.ofSeconds(3), 1000), false)) {
            Signal signal = source.observe(TARGET, AT).signals().get("s");
            assertTrue(signal.isKnown(), signal::problem);
            assertEquals(42, signal.value().getAsDouble(), 1e-9);
        }
    }

    @Test
    void aSignalThatMayBeNegativeKeepsItsNegativeValue() {
        server.enqueue(json(scalar("-3", AT)));
        TargetQueries queries = new TargetQueries(TARGET, List.of(new SignalQuery("trend", "up", false, true)), "", "");
        try (PrometheusMetricsSource source = new PrometheusMetricsSource(endpoint(Duration.ofSeconds(3), 1000),
                DefaultQueries.schemes(), List.of(queries), meters)) {
            assertEquals(-3, source.observe(TARGET, AT).signals().get("trend").value().getAsDouble(), 1e-9);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void readsValuesPodsAndSampleAge(String name, boolean perPod, String body, double value, int pods, Duration age) {
        server.enqueue(json(body));
        try (PrometheusMetricsSource source = source(endpoint(Duration.ofSeconds(3), 1000), perPod)) {
            Signal signal = source.observe(TARGET, AT).signals().get("s");

            assertTrue(signal.isKnown(), signal::problem);
            assertEquals(value, signal.value().getAsDouble(), 1e-9);
            assertEquals(pods, signal.podsReporting());
            assertEquals(age, signal.newestSampleAge());
        }
    }

    /**
     * Prometheus stamps an instant result with the evaluation time, and serves a gauge's last sample for 5 minutes
     * after its scrapes stop, so the probe tells: {@code up} visible but with no sample within stale-after makes the
     * value stale, named by the metric.
     */
    @Test
    void aValueReadingAMetricPrometheusStoppedReceivingIsStale() {
        Signal signal = withProbe((query, at) -> json(PromJson.vector(PromJson.series(Map.of(StaleInputs.LABEL, "up"), "1",
                at))));
        assertFalse(signal.isKnown(), () -> "a value from a stopped input: " + signal.value());
        assertEquals("no sample of up within stale-after 2m (Prometheus still serves the last one, up to its 5m"
                + " lookback)", signal.problem());
        assertEquals(List.of("label_replace(group(up{namespace=\"milvus\"}) unless on () group(count_over_time("
                + "up{namespace=\"milvus\"}[120000ms])), \"milvus_autoscaler_input\", \"up\", \"\", \"\")"), probes);
        assertEquals(1.0, meters.counter(MetricNames.SIGNAL_UNKNOWN, MetricNames.TAG_SIGNAL, "s",
                MetricNames.TAG_KIND, FailureKind.STALE.tag()).count());
    }

    /** A stale metric the query does not read leaves its value alone. */
    @Test
    void aStaleMetricTheQueryDoesNotReadLeavesItsValue() {
        Signal signal = withProbe((query, at) -> json(PromJson.vector(PromJson.series(Map.of(StaleInputs.LABEL,
                "kube_pod_owner"), "1", at))));
        assertTrue(signal.isKnown(), signal::problem);
        assertEquals(0.5, signal.value().getAsDouble(), 1e-9);
    }

    /** Without the probe there is no telling a live value from a 5-minute-old one: UNKNOWN, with the probe's failure. */
    @Test
    void aProbeThatFailsLeavesTheValueUnknown() {
        Signal signal = withProbe((query, at) -> status(503, ""));
        assertFalse(signal.isKnown(), () -> "a value that may be 5 minutes old: " + signal.value());
        assertTrue(signal.problem().startsWith("whether its inputs are current cannot be read: prometheus HTTP 503"),
                signal::problem);
        assertEquals(2, probes.size(), "retried as any query");
    }

    /** Signal s of one queryNode pod at 0.5, with the input probe answered by {@code answer}. */
    private Signal withProbe(java.util.function.BiFunction<String, Instant, MockResponse> answer) {
        probe = answer;
        server.enqueue(json(vector(pod("qn-0", "0.5", AT))));
        try (PrometheusMetricsSource source = source(endpoint(Duration.ofSeconds(3), 3), true)) {
            return source.observe(TARGET, AT).signals().get("s");
        }
    }

    @Test
    void sendsAnInstantQueryAtTheEvaluationTime() throws Exception {
        server.enqueue(json(vector(pod("a", "1", AT))));
        try (PrometheusMetricsSource source = source(endpoint(Duration.ofSeconds(3), 1000), true)) {
            source.observe(TARGET, AT.plusMillis(250));
        }
        var request = server.takeRequest();
        String form = java.net.URLDecoder.decode(request.getBody().utf8(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("POST", request.getMethod());
        assertEquals("/api/v1/query", request.getUrl().encodedPath());
        // 2025-06-01T12:00:00.250Z = 1748779200.250 s
        assertTrue(form.contains("time=1748779200.250"), form);
        assertTrue(form.contains("query=up{pod=~\".+\"}"), form);
        // the remaining budget travels along, so the server can give up when we do
        assertTrue(form.matches(".*timeout=\\d+ms.*"), form);
        // VictoriaMetrics would evaluate an instant within its 30 s latency offset 30 s back (and stamp it now)
        assertEquals("1", PromJson.form(request).get("nocache"), form);
    }

    /**
     * A range chunk the server answered partially (VictoriaMetrics' isPartial with a vmstorage node down) replays
     * as partial at every step in it, as the live query would read: a cluster value from it is UNKNOWN, so a
     * backtest or the forecast's history never takes a load that is missing a third of its series for a whole one.
     */
    @Test
    void aPartialRangeAnswerReplaysAsPartialAtEveryStep() throws Exception {
        Instant from = AT;
        Instant to = AT.plusSeconds(60);
        try (PrometheusMetricsSource source = replayingOneSeries(true, from, Duration.ofSeconds(30), Duration.ZERO)) {
            for (Instant at : List.of(from, from.plusSeconds(30), to)) {
                Signal signal = source.observe(TARGET, at).signals().get("s");
                assertFalse(signal.isKnown(), () -> at + " read " + signal.value());
                assertTrue(signal.problem().contains("isPartial"), signal::problem);
            }
        }
        assertEquals("/api/v1/query_range", server.takeRequest().getUrl().encodedPath());
    }

    /**
     * A replay's steps each read their own instant however close they are: share-window (5s by default) lets
     * targets of one live tick share an answer, and in a replay with --step 4s it handed every other step the
     * previous step's value (backtest audit B1).
     */
    @Test
    void aReplayStepShorterThanTheShareWindowReadsItsOwnInstant() throws Exception {
        Instant from = AT;
        try (PrometheusMetricsSource source = replayingOneSeries(false, from, Duration.ofSeconds(1),
                Duration.ofSeconds(5))) {
            for (int i = 0; i <= 2; i++) {
                Signal signal = source.observe(TARGET, from.plusSeconds(i)).signals().get("s");
                assertEquals(40.0 + i, signal.value().orElseThrow(), 0.0, "step " + i);
            }
        }
    }

    private PrometheusEndpoint endpoint(Duration timeout, int maxSeries) {
        return endpoint(timeout, maxSeries, Duration.ZERO);
    }

    /**
     * A replaying source of signal {@code s} over three steps from {@code from}, whose one range answer (scripted
     * here, partial or not) reads 40, 41 and 42.
     */
    private PrometheusMetricsSource replayingOneSeries(boolean partial, Instant from, Duration step, Duration shareWindow) {
        Instant to = from.plus(step.multipliedBy(2));
        server.enqueue(json("{" + (partial ? "\"isPartial\":true," : "") + "\"status\":\"success\",\"data\":"
                + "{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[" + PromJson.ts(from)
                + ",\"40\"],[" + PromJson.ts(from.plus(step)) + ",\"41\"],[" + PromJson.ts(to) + ",\"42\"]]}]}}"));
        TargetQueries queries = new TargetQueries(TARGET, List.of(new SignalQuery("s", "sum(up)", false)), "", "");
        return PrometheusMetricsSource.replaying(endpoint(Duration.ofSeconds(3), 1000, shareWindow),
                DefaultQueries.schemes(), List.of(queries), new SimpleMeterRegistry(), from, to, step, 100, text -> { });
    }

    private PrometheusEndpoint endpoint(Duration timeout, int maxSeries, Duration shareWindow) {
        return new PrometheusEndpoint(server.url("/").toString(), timeout, Duration.ofMinutes(2), maxSeries,
                shareWindow, new RetrySettings(2, Duration.ofMillis(10)),
                new CircuitBreakerSettings(50, java.time.Duration.ofMinutes(1), 100, Duration.ofSeconds(30)),
                PrometheusAuth.none(), Map.of());
    }

    /**
     * An empty signal with an empty-why query (qps-empty-why in reference.conf) asks it and names its pods per reason,
     * three at most; a known signal does not ask. The why query here stands for the real one (the same
     * labels: pod and why); DefaultStackTest reads the real one from a real Prometheus.
     */
    @Test
    void anEmptySignalNamesThePodsItsEmptyWhyQueryFinds() {
        String why = "label_replace(up{job=\"why\"}, \"why\", \"w\", \"\", \"\")";
        TargetQueries queries = new TargetQueries(TARGET, List.of(new SignalQuery("s", "up{pod=~\".+\"}", false, false,
                null, why)), "", "");
        String late = "proxy reported ready with no search rate yet";
        String unseen = "proxy with no readiness from kube-state-metrics for 5m";
        server.enqueue(json(vector()));
        server.enqueue(json(vector(whyPod("p-4", late), whyPod("p-2", late), whyPod("p-3", late), whyPod("p-1", late),
                whyPod("p-9", unseen))));
        server.enqueue(json(scalar("40", AT)));
        try (PrometheusMetricsSource source = new PrometheusMetricsSource(endpoint(Duration.ofSeconds(3), 10),
                DefaultQueries.schemes(), List.of(queries), meters)) {
            Signal empty = source.observe(TARGET, AT).signals().get("s");
            // Reasons in the order of their text, pods in theirs.
            assertEquals("empty result: " + late + ": p-1, p-2, p-3 and 1 more; " + unseen + ": p-9", empty.problem());
            assertEquals(2, queriesSent(), "the signal, then why it is empty");
            Signal known = source.observe(TARGET, AT.plusSeconds(15)).signals().get("s");
            assertEquals(40.0, known.value().orElseThrow());
            assertEquals(3, queriesSent(), "a known signal asks nothing more");
        }
    }

    private static PromJson.S whyPod(String pod, String why) {
        return PromJson.series(Map.of("pod", pod, "why", why), "1", AT);
    }

    private PrometheusMetricsSource source(PrometheusEndpoint endpoint, boolean perPod) {
        TargetQueries queries = new TargetQueries(TARGET, List.of(new SignalQuery("s", "up{pod=~\".+\"}", perPod)), "", "");
        return new PrometheusMetricsSource(endpoint, DefaultQueries.schemes(), List.of(queries), meters);
    }
}
