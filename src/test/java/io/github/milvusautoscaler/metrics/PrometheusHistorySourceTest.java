package io.github.milvusautoscaler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.policy.ForecastSettings;
import io.github.milvusautoscaler.policy.SeasonalForecast;
import io.github.milvusautoscaler.testsupport.CadvisorHistory;
import io.github.milvusautoscaler.testsupport.CapturedLogs;
import io.github.milvusautoscaler.testsupport.KubeStateHistory;
import io.github.milvusautoscaler.testsupport.Poll;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The daemon's forecast history from a real Prometheus 2.42 holding two weeks of a daily cycle, backfilled
 * with promtool in the shape a default kube-prometheus-stack records (cAdvisor counters every 30 s,
 * kube-state-metrics every 2 minutes): a Helm release {@code fc} running 3 queryNodes with 1 CPU core
 * requested each, at 0.85 of it per pod from 09:00 to 17:00 UTC and 0.20 otherwise; beside it a Helm release
 * {@code fs} whose queryNode is the chart's StatefulSet (templates/querynode-statefulset.yaml), one pod
 * {@code fs-milvus-querynode-0} on the same cycle, its replicas in {@code kube_statefulset_status_replicas_ready}
 * (kube-state-metrics statefulset-metrics.md) and its pod owned by the StatefulSet itself; and a Helm release
 * {@code fr} of 3 queryNodes on the same cycle in cores whose CPU request went from 2 cores to 1 three days before
 * the end, resized in place (Kubernetes 1.33's in-place pod resize, on by default: the pod's spec resources change,
 * which kube-state-metrics reports, internal/store/pod.go).
 */
class PrometheusHistorySourceTest {

    static final Duration SCRAPE = Duration.ofSeconds(30);
    static final int PODS = 3;
    /** The history ends at the last full hour before the test starts. */
    static final Instant END = Instant.ofEpochSecond(Instant.now().getEpochSecond() / 3600 * 3600 - 3600);
    static final Instant START = END.minus(Duration.ofDays(15));
    static final String RS = "fc-milvus-querynode-6c9d7f8b5e";
    static final Target TARGET = new Target("milvus", "fc", Component.QUERY_NODE, InstallKind.HELM);
    static final Target STATEFUL = new Target("milvus", "fs", Component.QUERY_NODE, InstallKind.HELM);
    static final String STATEFUL_SET = "fs-milvus-querynode";
    static final Target RESIZED = new Target("milvus", "fr", Component.QUERY_NODE, InstallKind.HELM);
    static final String RESIZED_RS = "fr-milvus-querynode-7b8c9d6f4a";
    /** When fr's CPU request went from 2 cores to 1. */
    static final Instant CUT = END.minus(Duration.ofDays(3));
    static final PrometheusHistorySource.Reading READING = new PrometheusHistorySource.Reading(Duration.ofDays(14),
            Duration.ofMinutes(5), Duration.ofHours(1));

    private static PrometheusServer prometheus;

    @BeforeAll
    static void start() {
        prometheus = PrometheusServer.builder().retention(Duration.ofDays(30)).backfill(history()).start();
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    static double load(Instant t) {
        int hour = (int) ((t.getEpochSecond() % 86_400) / 3600);
        return hour >= 9 && hour < 17 ? 0.85 : 0.20;
    }

    static String history() {
        StringBuilder out = new StringBuilder(32 << 20);
        // pods 0..2 are fc's, pod 3 is fs's StatefulSet pod, pods 4..6 are fr's
        CadvisorHistory.queryNodeCpu(out, PrometheusHistorySourceTest::pod, 2 * PODS + 1, START, END, SCRAPE,
                PrometheusHistorySourceTest::load, t -> true);
        gauge(out, "kube_pod_owner", p -> "owner_is_controller=\"true\",owner_kind=\""
                + (p == PODS ? "StatefulSet\",owner_name=\"" + STATEFUL_SET
                : "ReplicaSet\",owner_name=\"" + (p < PODS ? RS : RESIZED_RS)) + "\",pod=\"" + pod(p) + "\"",
                2 * PODS + 1, 1);
        KubeStateHistory.gauge(out, "kube_pod_container_resource_requests", p -> "container=\"querynode\",pod=\""
                + pod(p) + "\",resource=\"cpu\",unit=\"core\"", 2 * PODS + 1, START, END,
                (p, t) -> p > PODS && t.isBefore(CUT) ? 2.0 : 1.0);
        gauge(out, "kube_replicaset_owner", p -> "owner_is_controller=\"true\",owner_kind=\"Deployment\","
                + "owner_name=\"" + (p == 0 ? "fc" : "fr") + "-milvus-querynode\",replicaset=\""
                + (p == 0 ? RS : RESIZED_RS) + "\"", 2, 1);
        gauge(out, "kube_deployment_status_replicas_ready", p -> "deployment=\"" + (p == 0 ? "fc" : "fr")
                + "-milvus-querynode\"", 2, PODS);
        gauge(out, "kube_statefulset_status_replicas_ready", p -> "statefulset=\"" + STATEFUL_SET + "\"", 1, 1);
        return out.append("# EOF\n").toString();
    }

    private static void gauge(StringBuilder out, String name, java.util.function.IntFunction<String> labels, int count,
                              double value) {
        KubeStateHistory.gauge(out, name, labels, count, START, END, value);
    }

    static String pod(int p) {
        return p < PODS ? RS + "-f" + p + "k2q" : p == PODS ? STATEFUL_SET + "-0" : RESIZED_RS + "-f" + p + "k2q";
    }

    static PrometheusHistorySource source() {
        return new PrometheusHistorySource(TestEndpoints.of(prometheus.url()), DefaultQueries.schemes(),
                List.of(new TargetQueries(TARGET, List.of(DefaultQueries.signal("cpu")), "", ""),
                        new TargetQueries(STATEFUL, List.of(DefaultQueries.signal("cpu")), "", "")),
                Map.of(TARGET, READING, STATEFUL, READING));
    }

    /**
     * fr's queryNodes use 0.85 cores each by day throughout, read as 0.425 of their 2-core request before the cut and
     * 0.85 of 1 core after: the history puts each point in the request of its last (queries.cpu-request), so the days
     * before the cut read 0.425 x 3 x 2/1 = 2.55 nodes of 1 core, as those after; read as is they were 1.275, and the
     * forecast of a day a week after such a cut prepared for half its load. Before the cut is also fc's reading.
     */
    @Test
    void aCutCpuRequestPutsTheDaysBeforeItInTheNewRequest() {
        try (PrometheusHistorySource source = new PrometheusHistorySource(TestEndpoints.of(prometheus.url()),
                DefaultQueries.schemes(), List.of(new TargetQueries(RESIZED, List.of(cpuAsConfigured()), "", "")),
                Map.of(RESIZED, READING))) {
            LoadHistory h = source.refresh(RESIZED, END);
            Instant before = CUT.minus(Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                    .plus(Duration.ofHours(12));
            Instant after = CUT.plus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                    .plus(Duration.ofHours(12));
            assertEquals(2.55, h.max("cpu", before, before).getAsDouble(), 0.02);
            assertEquals(2.55, h.max("cpu", after, after).getAsDouble(), 0.02);
            // At night 0.20 cores a pod: 0.10 of 2 cores x 3 x 2/1 = 0.60.
            assertEquals(0.60, h.max("cpu", before.plus(Duration.ofHours(12)), before.plus(Duration.ofHours(12)))
                    .getAsDouble(), 0.02);
        }
    }

    /** cpu as the config reader builds it from reference.conf: its undeclared, per-pod and empty-why queries. */
    static io.github.milvusautoscaler.core.SignalQuery cpuAsConfigured() {
        return new io.github.milvusautoscaler.core.SignalQuery("cpu", DefaultQueries.query("cpu"), true, false,
                new io.github.milvusautoscaler.core.DeclaredResource(DefaultQueries.query("cpu-undeclared"),
                        io.github.milvusautoscaler.core.ContainerResource.CPU_REQUEST, DefaultQueries.query("cpu-request")),
                DefaultQueries.query("cpu-empty-why"));
    }

    /** A point whose amount is unknown is a gap; with none known the load is left as read. */
    @Test
    void aLoadIsPutInTheLastKnownAmountOrLeftAsReadWithNone() {
        double[] load = {1.0, 2.0, Double.NaN, 3.0, 4.0};
        LoadHistory.inUnitsOfTheLast(load, new double[] {2.0, Double.NaN, 1.0, 1.0, Double.NaN});
        assertEquals(java.util.Arrays.toString(new double[] {2.0, Double.NaN, Double.NaN, 3.0, Double.NaN}),
                java.util.Arrays.toString(load));
        double[] asRead = {1.0, 2.0};
        LoadHistory.inUnitsOfTheLast(asRead, new double[] {Double.NaN, Double.NaN});
        assertEquals(java.util.Arrays.toString(new double[] {1.0, 2.0}), java.util.Arrays.toString(asRead));
    }

    /**
     * A history put in one unit says which (its last point's request), so a forecast can be put in the pod
     * template's request of now; a signal without amounts (qps) or whose amount was never read says none, and
     * putting it in another request is no change (Forecast#inUnitsOf).
     */
    @Test
    void aHistoryInOneUnitSaysWhichAndPutsItselfInAnother() {
        Instant start = Instant.parse("2026-12-01T00:00:00Z");
        LoadHistory read = new LoadHistory(start, Duration.ofMinutes(5), start.plus(Duration.ofMinutes(20)),
                Map.of("cpu", new double[] {1.7, 1.7, 3.4, 3.4}, "qps", new double[] {100, 100, 100, 100},
                        "memory-free", new double[] {1, 1, 1, 1}),
                Map.of("cpu", new double[] {2.0, 2.0, 1.0, Double.NaN},
                        "memory-free", new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN}));
        LoadHistory one = read.inUnitsOfItsLast();
        assertEquals(1.0, one.unit("cpu").getAsDouble());
        assertTrue(one.unit("qps").isEmpty());
        assertTrue(one.unit("memory-free").isEmpty());
        assertSame(one, one.inUnitsOf("qps", 4.0));
        assertSame(one, one.inUnitsOf("cpu", 1.0));
        assertEquals(one, one.inUnitsOfItsLast(), "in one unit already");
        // 3.4 nodes of 1 core are 1.7 nodes of 2, the point whose request was not read still a gap.
        LoadHistory inTwo = one.inUnitsOf("cpu", 2.0);
        assertEquals(2.0, inTwo.unit("cpu").getAsDouble());
        assertEquals(java.util.Arrays.toString(new double[] {1.7, 1.7, 1.7, Double.NaN}),
                java.util.Arrays.toString(new double[] {inTwo.at("cpu", 0), inTwo.at("cpu", 1), inTwo.at("cpu", 2),
                        inTwo.at("cpu", 3)}));
        assertEquals(100, inTwo.at("qps", 0));
        assertThrows(IllegalArgumentException.class, () -> one.inUnitsOf("cpu", 0));
    }

    /** The chart's StatefulSet mode: its pods and ready replicas are read as the Deployment's are. */
    @Test
    void aStatefulSetsHistoryIsReadToo() {
        try (PrometheusHistorySource source = source()) {
            LoadHistory h = source.refresh(STATEFUL, END);
            Instant noon = END.minus(Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                    .plus(Duration.ofHours(12));
            // cpu 0.85 on 1 ready = 0.85 nodes of load by day, 0.20 at night
            assertEquals(0.85, h.max("cpu", noon, noon).getAsDouble(), 0.01);
            assertEquals(0.20, h.max("cpu", noon.plus(Duration.ofHours(12)), noon.plus(Duration.ofHours(12)))
                    .getAsDouble(), 0.01);
        }
    }

    /**
     * A range that is no whole number of steps (a backtest's: the forecast's 14 days plus its span, here 16m15s) still
     * reads every point on the clock's 5-minute grid, the daemon's: from end - range they sat 3m45s off it, and the
     * replay's pre-scale moved with them (real-install recheck 18, F1: 04:33:45 where the daemon's was at 04:30:07).
     */
    @Test
    void aRangeOfNoWholeStepsStillReadsOnTheClocksGrid() {
        PrometheusHistorySource.Reading uneven = new PrometheusHistorySource.Reading(
                Duration.ofDays(14).plus(Duration.ofMinutes(16)).plusSeconds(15), Duration.ofMinutes(5), Duration.ofHours(1));
        try (PrometheusHistorySource source = new PrometheusHistorySource(TestEndpoints.of(prometheus.url()),
                DefaultQueries.schemes(), List.of(new TargetQueries(TARGET, List.of(DefaultQueries.signal("cpu")), "", "")),
                Map.of(TARGET, uneven))) {
            LoadHistory h = source.refresh(TARGET, END.plusSeconds(135));
            assertEquals(0, h.start().getEpochSecond() % 300, "starts on the 5-minute grid: " + h.start());
            assertEquals(0, h.end().getEpochSecond() % 300, "ends on it: " + h.end());
            // 14d20m of 5-minute steps, one point more: the range rounded up to whole steps, nothing dropped.
            assertEquals(14 * 288 + 4 + 1, h.loads().get("cpu").length);
        }
    }

    @Test
    void readsTwoWeeksOfLoadAndTheForecastPreScalesForTheMorning() {
        try (PrometheusHistorySource source = source()) {
            LoadHistory h = source.refresh(TARGET, END);
            // Each point is the load over the step it starts, read at that step's end: the last is END - 5m.
            assertEquals(END.minus(Duration.ofMinutes(5)), h.end());
            assertEquals(END.minus(Duration.ofDays(14)).minus(Duration.ofMinutes(5)), h.start());
            // cpu 0.85 per pod on 3 ready = 2.55 nodes of load by day, 0.20 x 3 = 0.60 at night.
            Instant noon = END.minus(Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                    .plus(Duration.ofHours(12));
            Instant night = noon.plus(Duration.ofHours(12));
            assertEquals(2.55, h.max("cpu", noon, noon).getAsDouble(), 0.01);
            assertEquals(0.60, h.max("cpu", night, night).getAsDouble(), 0.01);
            // The day repeats: the forecast's own error over the last two days is near 0.
            assertTrue(SeasonalForecast.error(h, "cpu", ForecastSettings.OFF) < 0.05, "error " + SeasonalForecast.error(h, "cpu", ForecastSettings.OFF));
            // Read at 09:00, irate() still sees the night's scrapes, at 09:05 the day's: the read at 09:05 is the
            // step from 09:00. So at 08:55 the 5m lead window [08:55, 09:00] reaches yesterday's and last week's
            // 09:00 step: 2.55 nodes, a lead ahead of the rise (read as the load at 09:05, it was found only at
            // 09:00, when the rise came; time audit M1).
            Instant morning = END.minus(Duration.ofHours(23)).truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                    .plus(Duration.ofHours(9));
            if (morning.isBefore(END.minus(Duration.ofHours(23)))) {
                morning = morning.plus(Duration.ofDays(1));
            }
            ForecastSettings on = ForecastSettings.on(Duration.ofMinutes(5), Duration.ofMinutes(15),
                    Duration.ofDays(2), 0.2);
            assertEquals(2.55, SeasonalForecast.forecast(h, morning.minus(Duration.ofMinutes(5)), on).leadPeak("cpu")
                    .getAsDouble(), 0.01);
            assertEquals(0.60, SeasonalForecast.forecast(h, morning.minus(Duration.ofMinutes(10)), on)
                    .leadPeak("cpu").getAsDouble(), 0.01);
        }
    }

    @Test
    void aTickNeverWaitsAndTheHistoryIsReadAgainEveryRefreshPeriod() {
        try (PrometheusHistorySource source = source()) {
            // The first tick finds nothing cached: no history (so no forecast) while the read runs behind it.
            assertSame(LoadHistory.NONE, source.history(TARGET, END));
            LoadHistory first = Poll.until("the first history", Duration.ofSeconds(60),
                    () -> source.history(TARGET, END), h -> h != LoadHistory.NONE);
            assertEquals(END.minus(Duration.ofMinutes(5)), first.end());
            // 30 minutes on: still within the 1h refresh period, the same history, no read.
            assertSame(first, source.history(TARGET, END.plus(Duration.ofMinutes(30))));
            // An hour on: read again; meanwhile the ticks keep the one before.
            Instant later = END.plus(Duration.ofMinutes(61));
            LoadHistory second = Poll.until("the refreshed history", Duration.ofSeconds(60),
                    () -> source.history(TARGET, later), h -> h != first);
            assertNotSame(first, second);
            assertEquals(END.plus(Duration.ofHours(1)).minus(Duration.ofMinutes(5)), second.end());
        }
    }

    /**
     * A config reload builds a new source: a target read exactly as before keeps its history (no gap in its
     * forecast, no burst of two-week reads), one whose reading changed is read afresh (concurrency audit F6).
     */
    @Test
    void aReloadKeepsTheHistoryOfATargetReadAsBefore() {
        try (PrometheusHistorySource before = source()) {
            LoadHistory h = before.refresh(TARGET, END);
            before.refresh(STATEFUL, END);
            PrometheusHistorySource.Reading longer = new PrometheusHistorySource.Reading(Duration.ofDays(21),
                    Duration.ofMinutes(5), Duration.ofHours(1));
            try (PrometheusHistorySource after = new PrometheusHistorySource(TestEndpoints.of(prometheus.url()),
                    DefaultQueries.schemes(),
                    List.of(new TargetQueries(TARGET, List.of(DefaultQueries.signal("cpu")), "", ""),
                            new TargetQueries(STATEFUL, List.of(DefaultQueries.signal("cpu")), "", "")),
                    Map.of(TARGET, READING, STATEFUL, longer))) {
                after.keepFrom(before);
                assertSame(h, after.history(TARGET, END.plus(Duration.ofMinutes(1))), "kept, not read again");
                assertSame(LoadHistory.NONE, after.history(STATEFUL, END.plus(Duration.ofMinutes(1))),
                        "a target whose reading changed starts afresh");
            }
        }
    }

    /**
     * Prometheus going away (a restart, an upgrade, a range query timing out) between two reads: the history read
     * before is kept, the failure is said, and the read is tried again 5 minutes on, not an hour. A failed query is a
     * typed result, not an exception, and the failed read used to replace the history with an all-NaN one for the
     * hour: no pre-scale, and a trusted signal's raised line back at scale-out-above (time audit H1).
     */
    @Test
    void aFailedReadKeepsTheHistoryBeforeAndIsTriedAgainFiveMinutesOn() throws Exception {
        try (mockwebserver3.MockWebServer front = new mockwebserver3.MockWebServer();
             CapturedLogs logs = CapturedLogs.of(PrometheusHistorySource.class)) {
            SwitchedPrometheus prometheusBehind = new SwitchedPrometheus();
            front.setDispatcher(prometheusBehind);
            front.start();
            io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            PrometheusHistorySource source = new PrometheusHistorySource(TestEndpoints.of(front.url("/").uri()),
                    DefaultQueries.schemes(), List.of(new TargetQueries(TARGET, List.of(DefaultQueries.signal("cpu")),
                    "", "")), Map.of(TARGET, READING), meters);
            try (source) {
                assertEquals(0.0, reads(meters, "failed"), "both results are there from the start, at 0");
                LoadHistory read = source.refresh(TARGET, END);
                assertTrue(read.oldest("cpu") != null, "the first read has load");
                assertEquals(1.0, reads(meters, "ok"));

                prometheusBehind.down = true;
                Instant hourOn = END.plus(Duration.ofHours(1));
                assertSame(read, source.refresh(TARGET, hourOn), "kept, not replaced by gaps");
                assertSame(read, source.history(TARGET, hourOn.plus(Duration.ofMinutes(4))), "no read before 5m");
                assertEquals(1, logs.warnings().size(), logs.messages().toString());
                assertTrue(logs.warnings().get(0).contains("could not be read") && logs.warnings().get(0)
                        .contains("trying again in 5m"), logs.warnings().get(0));
                // Forecast audit F2: a failed read was a WARN line and nothing else on /metrics.
                assertEquals(1.0, reads(meters, "failed"));

                prometheusBehind.down = false;
                Instant retry = hourOn.plus(Duration.ofMinutes(5));
                LoadHistory again = Poll.until("the history read again", Duration.ofSeconds(60),
                        () -> source.history(TARGET, retry), h -> h != read);
                assertEquals(retry.truncatedTo(java.time.temporal.ChronoUnit.MINUTES).minus(Duration.ofMinutes(5)),
                        again.end());
                assertEquals(2.0, reads(meters, "ok"));
                assertTrue(logs.messages().stream().anyMatch(m -> m.startsWith("milvus/fc/queryNode: load history read"
                        + " again")), "the recovery is said where the failure was: " + logs.messages());
            }
        }
    }

    private static double reads(io.micrometer.core.instrument.MeterRegistry meters, String result) {
        return meters.get(MetricNames.HISTORY_READS).tags("target", TARGET.id(), MetricNames.TAG_RESULT, result)
                .counter().count();
    }

    /**
     * Forecast audit F1: a history read asks only for the load-proportional signals (and the ready count), so a
     * failing memory, settle or health query neither costs Prometheus two weeks of samples nor throws the read away.
     * Live, the memory-limit probe alone answered 422 and every hourly read was discarded.
     */
    @Test
    void aHistoryReadRunsOnlyTheLoadQueries() throws Exception {
        try (mockwebserver3.MockWebServer front = new mockwebserver3.MockWebServer()) {
            SwitchedPrometheus prometheusBehind = new SwitchedPrometheus();
            prometheusBehind.refuse = "memory|milvus_querycoord|status=\"fail\"";
            front.setDispatcher(prometheusBehind);
            front.start();
            TargetQueries all = new TargetQueries(TARGET, List.of(DefaultQueries.signal("cpu"),
                    DefaultQueries.signal("memory")), DefaultQueries.query("querynode-settle"),
                    "sum(rate(milvus_proxy_req_count{status=\"fail\"}[2m]))");
            try (PrometheusHistorySource source = new PrometheusHistorySource(TestEndpoints.of(front.url("/").uri()),
                    DefaultQueries.schemes(), List.of(all), Map.of(TARGET, READING))) {
                LoadHistory read = source.refresh(TARGET, END);
                assertTrue(read.oldest("cpu") != null, "the read is kept: " + prometheusBehind.asked);
                assertTrue(prometheusBehind.asked.stream().noneMatch(q -> q.matches("(?s).*(" + prometheusBehind.refuse
                        + ").*")), "asked only for load: " + prometheusBehind.asked);
                assertTrue(prometheusBehind.asked.stream().anyMatch(q -> q.contains("container_cpu_usage_seconds_total")),
                        prometheusBehind.asked.toString());
            }
        }
    }

    /** The test's Prometheus behind a switch: forwarded while up, 503 while down. */
    private static final class SwitchedPrometheus extends mockwebserver3.Dispatcher {
        volatile boolean down;
        /**
         * A regular expression: a query matching it is answered 422 with an error body, as Prometheus' HTTP API
         * answers an expression it cannot execute (docs/querying/api.md, "Format overview": 422 Unprocessable
         * Entity), e.g. one over {@code --query.max-samples}.
         */
        volatile String refuse;
        /** Every query text asked, decoded. */
        final List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final okhttp3.OkHttpClient client = new okhttp3.OkHttpClient();

        @Override
        public mockwebserver3.MockResponse dispatch(mockwebserver3.RecordedRequest request) {
            if (down) {
                return new mockwebserver3.MockResponse.Builder().code(503).body("Service Unavailable").build();
            }
            String form = "POST".equals(request.getMethod()) ? request.getBody().utf8()
                    : java.util.Objects.requireNonNullElse(request.getUrl().encodedQuery(), "");
            String query = okhttp3.HttpUrl.get("http://x/?" + form).queryParameter("query");
            if (query != null) {
                asked.add(query);
                if (refuse != null && query.matches("(?s).*(" + refuse + ").*")) {
                    return new mockwebserver3.MockResponse.Builder().code(422).setHeader("Content-Type",
                            "application/json").body("{\"status\":\"error\",\"errorType\":\"execution\","
                            + "\"error\":\"refused by the test\"}").build();
                }
            }
            okhttp3.HttpUrl url = okhttp3.HttpUrl.get(prometheus.url()).newBuilder()
                    .encodedPath(request.getUrl().encodedPath()).encodedQuery(request.getUrl().encodedQuery()).build();
            okhttp3.Request.Builder forward = new okhttp3.Request.Builder().url(url);
            if ("POST".equals(request.getMethod())) {
                forward.post(okhttp3.RequestBody.create(request.getBody().toByteArray(),
                        okhttp3.MediaType.get("application/x-www-form-urlencoded")));
            }
            try (okhttp3.Response answer = client.newCall(forward.build()).execute()) {
                return new mockwebserver3.MockResponse.Builder().code(answer.code())
                        .setHeader("Content-Type", answer.header("Content-Type", "application/json"))
                        .body(answer.body().string()).build();
            } catch (java.io.IOException e) {
                return new mockwebserver3.MockResponse.Builder().code(502).body(e.toString()).build();
            }
        }
    }

    @Test
    void theSignalsCommandShowsTheForecastNextToTheValue(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path config = dir.resolve("autoscaler.conf");
        java.nio.file.Files.writeString(config, """
                milvus-autoscaler {
                  prometheus { url = "%s", timeout = 30s }
                  clusters = [{ namespace = milvus, name = fc, install = helm, milvus-version = "2.5.6",
                    components { queryNode {
                      settle-query = ""
                      signals { memory.enabled = false, qps.enabled = false }
                    } } }]
                }
                """.formatted(prometheus.url()));
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = new picocli.CommandLine(new io.github.milvusautoscaler.cli.SignalsCommand())
                .setOut(new java.io.PrintWriter(out, true)).setErr(new java.io.PrintWriter(err, true))
                .execute("--config", config.toString());
        assertEquals(0, code, err.toString() + out);
        // The live value has gone stale (the history ends an hour ago), the forecast has not: 3 pods at 0.85 by
        // day (2.55 nodes of load) or 0.20 by night (0.600), whichever the time of this run reads a day ago.
        assertTrue(out.toString().lines().anyMatch(l -> l.matches(
                "\\s+forecast within 5m: load (2\\.55|0\\.600) \\(the lower of the same time 1d and 7d ago\\).*")),
                out.toString());
        // With that trusted forecast the policy reads cpu HIGH only above 1.13 x 0.75 = 0.8475, and signals says so.
        assertTrue(out.toString().contains("band [0.400, 0.750] target 0.575, HIGH above 0.848 with the trusted forecast"
                + " (forecast.line 1.13)"), out.toString());
    }
}
