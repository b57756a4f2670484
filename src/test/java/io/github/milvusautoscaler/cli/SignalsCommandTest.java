package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Signal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code signals} when Prometheus is away: exit 1 with the reason. (The live case is in ClosedLoopTest.) */
class SignalsCommandTest {

    @Test
    void eachValueSaysWhoReportedIt() {
        assertEquals("3 pods reporting", SignalsCommand.reporting(Signal.known("cpu", 0.5, 3, Duration.ZERO)));
        assertEquals("1 pod reporting", SignalsCommand.reporting(Signal.known("cpu", 0.5, 1, Duration.ZERO)));
        // The fullest pod beside an average of several (recheck 65, F2); one pod is its own average.
        assertEquals("4 pods reporting, fullest rel-milvus-querynode-0 0.930", SignalsCommand.reporting(Signal.knownPerPod(
                "memory", 0.48, 4, Duration.ZERO, new Signal.PodValue("rel-milvus-querynode-0", 0.93))));
        assertEquals("1 pod reporting", SignalsCommand.reporting(Signal.knownPerPod("memory", 0.93, 1, Duration.ZERO,
                new Signal.PodValue("rel-milvus-querynode-0", 0.93))));
        // qps and index-backlog are one value over the cluster: no pod reports them ("0 pods reporting" before)
        assertEquals("one cluster value", SignalsCommand.reporting(Signal.known("qps", 12, 0, Duration.ZERO)));
        assertEquals("empty result", SignalsCommand.reporting(Signal.unknown("qps", "empty result")));
        assertEquals("not in the answer", SignalsCommand.reporting(null));
    }

    @Test
    void unreachablePrometheusExitsOneWithTheReason(@TempDir Path dir) throws Exception {
        StringWriter err = new StringWriter();
        assertEquals(1, signalsOnce(dir, "http://127.0.0.1:1", "2s", err));
        assertTrue(err.toString().contains("Prometheus at http://127.0.0.1:1 cannot be reached"), err.toString());
    }

    /**
     * A Prometheus that takes the connection and never answers times the probe out: the line names prometheus.timeout,
     * which is this side's limit (recheck 113, F3: "cannot be reached: prometheus timeout after 1ms" alone sent the
     * reader to look for a Prometheus that was up). The socket is never accepted: the kernel completes the handshake
     * into its backlog, so the request is sent and its answer never comes.
     */
    @Test
    void aTimedOutPrometheusNamesTheTimeoutSetting(@TempDir Path dir) throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            StringWriter err = new StringWriter();
            assertEquals(1, signalsOnce(dir, "http://127.0.0.1:" + silent.getLocalPort(), "300ms", err));
            assertTrue(err.toString().contains("cannot be reached: prometheus timeout after 300ms (prometheus.timeout is"
                    + " 300ms: raise it if Prometheus is up but slow)"), err.toString());
        }
    }

    /** The exit code of signals on one operator queryNode read from {@code url} in one attempt within {@code timeout}. */
    private static int signalsOnce(Path dir, String url, String timeout, StringWriter err) throws Exception {
        Path conf = dir.resolve("a.conf");
        Files.writeString(conf, """
                milvus-autoscaler {
                  prometheus { url = "%s", timeout = %s, retry.max-attempts = 1 }
                  clusters = [{ namespace = milvus, name = prod, install = operator, milvus-version = "2.5",
                                components { queryNode {} } }]
                }
                """.formatted(url, timeout));
        return new CommandLine(new SignalsCommand()).setErr(new PrintWriter(err)).execute("--config", conf.toString());
    }

    private static String config(Path dir, String prometheus) throws Exception {
        return config(dir, prometheus, "");
    }

    private static String config(Path dir, String prometheus, String more) throws Exception {
        return config(dir, prometheus, more, "queryNode {}");
    }

    private static String config(Path dir, String prometheus, String more, String components) throws Exception {
        Path conf = dir.resolve("a.conf");
        Files.writeString(conf, """
                milvus-autoscaler {
                  prometheus { %s, timeout = 2s, retry.max-attempts = 1 }
                  %s
                  clusters = [{ namespace = milvus, name = prod, install = operator, milvus-version = "2.5",
                                components { %s } }]
                }
                """.formatted(prometheus, more, components));
        return conf.toString();
    }

    private static String signals(String conf, int expectedExit) {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new SignalsCommand()).setErr(new PrintWriter(err)).execute("--config", conf);
        assertEquals(expectedExit, exit, err.toString());
        return err.toString();
    }

    /** A Prometheus that answered is not "unreachable": the words must send the reader to the credentials. */
    @Test
    void aPrometheusThatAnswers401IsAFailedQueryNotAnUnreachableOne(@TempDir Path dir) throws Exception {
        try (mockwebserver3.MockWebServer server = new mockwebserver3.MockWebServer()) {
            server.enqueue(new mockwebserver3.MockResponse.Builder().code(401).body("unauthorized").build());
            server.start();
            String url = server.url("/").toString().replaceAll("/$", "");
            String err = signals(config(dir, "url = \"" + url + "\""), 1);
            assertEquals("signals: Prometheus at " + url + ": query failed: prometheus HTTP 401: unauthorized; no"
                    + " credentials were sent: a Prometheus behind an auth proxy needs prometheus.auth"
                    + " (bearer-token-file, or basic-username and basic-password-file)", err.strip());
        }
    }

    /**
     * A 401 comes from no target and no query: the line says which credentials went, by their file, never the secret
     * (recheck 16, finding 4: it named neither, where the README promised the target and the query).
     */
    @Test
    void a401SaysWhichCredentialsWereSentNeverTheSecret(@TempDir Path dir) throws Exception {
        Path token = dir.resolve("prom-token");
        java.nio.file.Files.writeString(token, "TOKEN-4011-SECRET\n");
        try (mockwebserver3.MockWebServer server = new mockwebserver3.MockWebServer()) {
            server.enqueue(new mockwebserver3.MockResponse.Builder().code(401).body("unauthorized").build());
            server.start();
            String url = server.url("/").toString().replaceAll("/$", "");
            String err = signals(config(dir, "url = \"" + url + "\", auth.bearer-token-file = \"" + token + "\""), 1);
            assertEquals("signals: Prometheus at " + url + ": query failed: prometheus HTTP 401: unauthorized; sent the"
                    + " token in prometheus.auth.bearer-token-file (" + token + "): check that Prometheus, or the proxy"
                    + " in front of it, accepts it", err.strip());
            assertEquals("Bearer TOKEN-4011-SECRET", server.takeRequest().getHeaders().get("Authorization"));
        }
    }

    @Test
    void aPageThatIsNotJsonIsNamedSoWithoutGsonsAdvice(@TempDir Path dir) throws Exception {
        try (mockwebserver3.MockWebServer server = new mockwebserver3.MockWebServer()) {
            server.enqueue(new mockwebserver3.MockResponse.Builder().code(200)
                    .setHeader("Content-Type", "application/json").body("<html>Grafana</html>").build());
            server.start();
            String url = server.url("/").toString().replaceAll("/$", "");
            String err = signals(config(dir, "url = \"" + url + "\""), 1);
            assertEquals("signals: Prometheus at " + url + ": query failed: prometheus answered something that is not"
                    + " JSON (HTTP 200, application/json): is prometheus.url the API root?", err.strip());
        }
    }

    @Test
    void aMissingTokenFileNamesItsConfigKey(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("token");
        String err = signals(config(dir, "url = \"http://127.0.0.1:1\", auth.bearer-token-file = \"" + missing + "\""), 1);
        assertEquals("signals: Prometheus at http://127.0.0.1:1: query failed: cannot read bearer token file " + missing
                + " (prometheus.auth.bearer-token-file): no such file (NoSuchFileException)", err.strip());
    }

    // ---- a query that fails among queries that answer (README: exit 1 "a query failed") ----

    private static final String EMPTY = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";

    /** Output, error and exit code of one signals run. */
    private record Run(int exit, String out, String err) {
        String all() {
            return "exit " + exit + "\n" + out + "\n" + err;
        }
    }

    /**
     * signals against a fake Prometheus that answers the probe (vector(1)) and then each query as {@code answer}
     * says (null: an empty vector, which is an answer); every query text it was sent is added to {@code sent}.
     */
    private static Run signalsAgainst(Path dir, Function<String, MockResponse> answer, List<String> sent)
            throws Exception {
        // forecast off: the fake answers instant queries only, and the forecast is not what is tested here.
        return signalsAgainst(dir, answer, sent, "defaults.forecast.enabled = false");
    }

    private static Run signalsAgainst(Path dir, Function<String, MockResponse> answer, List<String> sent,
                                      String forecast) throws Exception {
        return signalsAgainst(dir, answer, sent, forecast, "queryNode {}");
    }

    /** As above, with the cluster's {@code components} block and more arguments after {@code --config FILE}. */
    private static Run signalsAgainst(Path dir, Function<String, MockResponse> answer, List<String> sent,
                                      String forecast, String components, String... args) throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    if (request.getTarget() != null && request.getTarget().contains("query_range")) {
                        // Prometheus' answer to a range query it has no time for (HTTP API: 503 on timeout).
                        return new MockResponse.Builder().code(503).setHeader("Content-Type", "application/json")
                                .body("{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"query timed out"
                                        + " in expression evaluation\"}").build();
                    }
                    String body = request.getBody() == null ? "" : request.getBody().utf8();
                    String query = java.net.URLDecoder.decode(body.replaceAll("^.*?query=|&.*$", ""),
                            java.nio.charset.StandardCharsets.UTF_8);
                    sent.add(query);
                    if (query.equals("vector(1)")) {
                        return json("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
                                + "\"value\":[" + System.currentTimeMillis() / 1000 + ",\"1\"]}]}}");
                    }
                    MockResponse r = answer.apply(query);
                    return r != null ? r : json(EMPTY);
                }
            });
            server.start();
            String url = server.url("/").toString().replaceAll("/$", "");
            String conf = config(dir, "url = \"" + url + "\"", forecast, components);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            List<String> argv = new java.util.ArrayList<>(List.of("--config", conf));
            argv.addAll(List.of(args));
            int exit = new CommandLine(new SignalsCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                    .execute(argv.toArray(String[]::new));
            return new Run(exit, out.toString(), err.toString());
        }
    }

    /**
     * signals reads the load history afresh; when that read fails it says so, and that a running daemon keeps its last
     * good read, rather than "no history of it could be read" (which a running daemon that kept one would not say).
     */
    @Test
    void aFailedHistoryReadIsSaidAsSuch(@TempDir Path dir) throws Exception {
        Run r;
        // Said once, in the forecast line: not also as the daemon's WARN "keeping the one read before (none), trying
        // again in 5m", which means nothing in a one-shot command (recheck 111, F4).
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(io.github.milvusautoscaler.metrics.PrometheusHistorySource.class)) {
            r = signalsAgainst(dir, q -> null, new CopyOnWriteArrayList<>(), "defaults.forecast.enabled = true");
            assertEquals(List.of(), logs.warnings());
        }
        assertTrue(r.out().contains("forecast unknown here: the history read failed (") && r.out().contains("a running"
                + " daemon keeps deciding on its last good read (its /api/v1/status historyEnd says how old)"), r.all());
        assertFalse(r.out().contains("no history of it read yet") || r.out().contains("holds no sample of it yet"),
                r.all());
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body(body).build();
    }

    /**
     * A query Prometheus refuses or cannot answer (the SRE's own typo, an error page) exits 1 naming the target,
     * the signal and the reason, though the probe and the other queries answered; the table is still printed.
     */
    @ParameterizedTest(name = "{0} answers {1}")
    @CsvSource(delimiter = '|', value = {
            "container_cpu_usage_seconds_total | 400 | cpu          | prometheus HTTP 400",
            "container_cpu_usage_seconds_total | 503 | cpu          | prometheus HTTP 503",
            "milvus_querycoord_task_num        | 200 | settle-query | not JSON"})
    void aQueryThatFailsExitsOneNamingItsSignal(String metric, int code, String name, String reason,
                                                @TempDir Path dir) throws Exception {
        Run r = signalsAgainst(dir, q -> !q.contains(metric) ? null
                : new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json")
                        .body(code == 400 ? "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error:"
                                + " unclosed left parenthesis\"}" : "<html>bad gateway</html>").build(),
                new CopyOnWriteArrayList<>());
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().startsWith("signals: milvus/prod/queryNode " + name + ": query failed: "), r.all());
        assertTrue(r.err().contains(reason), r.all());
        assertEquals(1, r.err().strip().lines().count(), "only the failed query is named: " + r.all());
        assertTrue(r.out().contains("milvus/prod/queryNode (operator)"), "the table is still printed: " + r.all());
    }

    /**
     * --target reads one target, named as scale, pause and simulate name it (the TargetBlind runbook named it for
     * signals, which had only --cluster: recheck 108, F1); a target the config does not have exits 2 listing those
     * it has, before any query.
     */
    @Test
    void targetReadsOneTargetAndAnUnknownOneIsAUsageError(@TempDir Path dir) throws Exception {
        List<String> sent = new CopyOnWriteArrayList<>();
        Run r = signalsAgainst(dir, q -> null, sent, "defaults.forecast.enabled = false", "queryNode {}, proxy {}",
                "--target", "milvus/prod/proxy");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("milvus/prod/proxy"), r.all());
        assertFalse(r.out().contains("milvus/prod/queryNode"), r.all());

        Run unknown = signalsAgainst(dir, q -> null, sent, "defaults.forecast.enabled = false",
                "queryNode {}, proxy {}", "--target", "milvus/prod/dataNode");
        assertEquals(2, unknown.exit(), unknown.all());
        assertEquals("signals: no target milvus/prod/dataNode; configured: [milvus/prod/proxy, milvus/prod/queryNode]",
                unknown.err().strip());
    }

    /**
     * Answers without a value are the daemon's UNKNOWN, not failed queries: empty results everywhere (no pods
     * yet) exit 0 with nothing on stderr.
     */
    @Test
    void emptyResultsAreAnsweredQueriesAndExitZero(@TempDir Path dir) throws Exception {
        Run r = signalsAgainst(dir, q -> null, new CopyOnWriteArrayList<>());
        assertEquals(0, r.exit(), r.all());
        assertEquals("", r.err().strip(), r.all());
        assertTrue(r.out().contains("UNKNOWN"), r.all());
        // The settle row carries the state the header gives and why it is unknown, beside its query.
        assertTrue(r.out().contains("settle UNKNOWN"), r.all());
        assertTrue(r.out().contains("\n  settle-query         UNKNOWN (settle query: empty result)\n    clamp_min("),
                r.all());
    }

    /**
     * A per-pod value read from fewer pods than kube-state-metrics reports ready is UNKNOWN to the daemon (PARTIAL_DATA
     * holds), so signals says UNKNOWN and why, not a value in band (recheck 67, F2: "memory 0.677 IN_BAND (3 pods
     * reporting)" beside the daemon's hold). Memory from 3 queryNodes, 4 ready (kube_deployment_status_replicas_ready).
     */
    @Test
    void aPerPodValueFromFewerPodsThanReadyIsUnknown(@TempDir Path dir) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        String pods = java.util.stream.IntStream.range(0, 3).mapToObj(i -> "{\"metric\":{\"pod\":\"prod-milvus-querynode-0-"
                + i + "\",\"app_kubernetes_io_component\":\"querynode\"},\"value\":[" + now + ",\"0.6\"]}")
                .collect(java.util.stream.Collectors.joining(","));
        Run r = signalsAgainst(dir, q -> q.contains("container_memory_working_set_bytes") && q.startsWith("sum by (pod")
                ? json("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + pods + "]}}")
                : q.startsWith("sum by (app_kubernetes_io_component) (") && q.contains("kube_deployment_status_replicas_ready")
                && !q.contains("milvus_")
                ? json("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
                        + "{\"app_kubernetes_io_component\":\"querynode\"},\"value\":[" + now + ",\"4\"]}]}}")
                : null, new CopyOnWriteArrayList<>());
        assertEquals(0, r.exit(), r.all());
        String memory = r.out().lines().filter(l -> l.strip().startsWith("memory")).findFirst().orElseThrow();
        assertTrue(memory.contains("unknown   UNKNOWN") && memory.contains("(only 3 of 4 ready pods reporting (the daemon"
                + " reads it UNKNOWN))"), r.all());
    }

    /**
     * A cpu the policy leaves out (its pods declare no CPU request: cpu reads empty, cpu-undeclared finds two
     * such pods) is N/A, not a failure: exit 0, and a known or N/A signal's query is not asked a second time.
     */
    @Test
    void aSignalLeftOutOfDecisionsIsNotAFailure(@TempDir Path dir) throws Exception {
        List<String> sent = new CopyOnWriteArrayList<>();
        // cpu-undeclared is the query that takes away the components whose pods declare a request
        String undeclared = "unless on (app_kubernetes_io_component)";
        Run r = signalsAgainst(dir, q -> q.contains(undeclared) && q.contains("resource=\"cpu\"")
                ? json("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
                        + "{\"app_kubernetes_io_component\":\"querynode\"},\"value\":[" + System.currentTimeMillis() / 1000
                        + ",\"2\"]}]}}")
                : null, sent);
        assertEquals(0, r.exit(), r.all());
        assertEquals("", r.err().strip(), r.all());
        assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith("cpu") && l.contains("N/A")), r.all());
        // (The probes asking which inputs have no series at all, or none within stale-after, name the metric too;
        // they are other queries.)
        assertEquals(1, sent.stream().filter(q -> q.contains("container_cpu_usage_seconds_total")
                && !q.contains(undeclared) && !q.startsWith("label_replace(absent(")
                && !q.startsWith("label_replace(group(")).count(),
                "the N/A cpu's query was answered once: " + sent);
    }
}
