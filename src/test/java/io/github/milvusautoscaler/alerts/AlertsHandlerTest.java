package io.github.milvusautoscaler.alerts;

import io.github.milvusautoscaler.core.AlertRoute;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.CapturedLogs;
import io.github.milvusautoscaler.engine.ManualClock;
import io.github.milvusautoscaler.server.HttpApi;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The webhook endpoint on a real HTTP server: script requests, check status, body and the alert book. */
class AlertsHandlerTest {

    static final String TOKEN = "s3cret-token";
    static final Target QN = new Target("milvus", "my-release", Component.QUERY_NODE, InstallKind.OPERATOR);
    static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newHttpClient();
    final ManualClock clock = new ManualClock(NOW);
    final AtomicBoolean leader = new AtomicBoolean(true);
    final List<Target> ticked = new CopyOnWriteArrayList<>();
    final Map<String, Integer> dropped = new java.util.concurrent.ConcurrentHashMap<>();
    final List<Integer> refused = new CopyOnWriteArrayList<>();
    AlertBook book;
    HttpApi api;
    Path tokenFile;

    @BeforeEach
    void start() throws Exception {
        tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n");
        book = new AlertBook(List.of(new AlertRoute(Map.of(), Map.of(), "namespace", "app_kubernetes_io_instance", "component", ActiveAlert.AlertAction.SCALE_OUT)), Duration.ofHours(6),
                new AlertBook.Caps(2, 1 << 20), (reason, n) -> dropped.merge(reason, n, Integer::sum));
        book.setTargets(List.of(QN));
        api = new HttpApi(io.github.milvusautoscaler.testsupport.HttpLimits.reference(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> { }, () -> "{}",
                Map.of("/api/v1/alerts", new AlertsHandler(new TokenFile(tokenFile), 1024 * 1024, book, leader::get,
                        clock, ticked::add, o -> { }, refused::add)));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    static String payload(String status, String alertStatus, String component, String fingerprint, String startsAt) {
        return """
                {"version":"4","groupKey":"{}:{alertname=\\"MilvusSearchLatencyHigh\\"}","status":"%s","receiver":"milvus-autoscaler",
                 "truncatedAlerts":0,"alerts":[{"status":"%s","labels":{"alertname":"MilvusSearchLatencyHigh","namespace":"milvus",
                 "app_kubernetes_io_instance":"my-release","component":"%s"},"annotations":{"summary":"p99 high"},
                 "startsAt":"%s","endsAt":"0001-01-01T00:00:00Z","fingerprint":"%s"}]}"""
                .formatted(status, alertStatus, component, startsAt, fingerprint);
    }

    static String firing() {
        return payload("firing", "firing", "querynode", "abc123", "2026-01-05T09:59:00Z");
    }

    HttpResponse<String> post(String body, String auth, String type) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/api/v1/alerts"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (type != null) {
            b.header("Content-Type", type);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String body) throws Exception {
        return post(body, "Bearer " + TOKEN, "application/json");
    }

    static Stream<Arguments> badRequests() {
        String bearer = "Bearer " + TOKEN;
        String json = "application/json";
        return Stream.of(
                Arguments.of("missing token", firing(), null, json, 401, "Authorization"),
                Arguments.of("wrong token", firing(), "Bearer nope", json, 401, "Authorization"),
                Arguments.of("basic instead of bearer", firing(), "Basic " + TOKEN, json, 401, "Authorization"),
                Arguments.of("form content type", firing(), bearer, "application/x-www-form-urlencoded", 415, "Content-Type"),
                Arguments.of("malformed JSON", "{\"version\":", bearer, json, 400, "$"),
                Arguments.of("not an object", "[]", bearer, json, 400, "$"),
                Arguments.of("wrong version", firing().replace("\"version\":\"4\"", "\"version\":\"3\""), bearer, json, 400,
                        "version"),
                Arguments.of("missing groupKey", firing().replaceFirst("\"groupKey\":\"[^\"]*(\\\\\"[^\"]*)*\",", ""), bearer,
                        json, 400, "groupKey"),
                Arguments.of("missing fingerprint", firing().replace(",\"fingerprint\":\"abc123\"", ""), bearer, json, 400,
                        "alerts[0].fingerprint"),
                Arguments.of("bad startsAt", firing().replace("2026-01-05T09:59:00Z", "yesterday"), bearer, json, 400,
                        "alerts[0].startsAt"),
                Arguments.of("bad alert status", firing().replace("\"status\":\"firing\",\"labels\"", "\"status\":\"on\",\"labels\""),
                        bearer, json, 400, "alerts[0].status"),
                Arguments.of("label not a string", firing().replace("\"component\":\"querynode\"", "\"component\":7"), bearer,
                        json, 400, "alerts[0].labels.component"));
    }

    @ParameterizedTest(name = "{0} -> {4}")
    @MethodSource("badRequests")
    void badInputGetsAClear4xxAndChangesNothing(String name, String body, String auth, String type, int status,
                                                  String field) throws Exception {
        HttpResponse<String> r = post(body, auth, type);
        assertEquals(status, r.statusCode(), r.body());
        JsonObject err = JsonParser.parseString(r.body()).getAsJsonObject();
        assertEquals(field, err.get("field").getAsString(), r.body());
        assertTrue(book.firing(QN, NOW).isEmpty(), "nothing was applied");
        assertTrue(ticked.isEmpty());
        assertFalse(r.body().contains(TOKEN), "the token never appears in a response");
        assertEquals(List.of(status), refused, "every refusal is counted, by status");
    }

    /**
     * Alertmanager sends {@code authorization.type} as written (prometheus/common config/http_config.go trims it and
     * defaults it to Bearer), so {@code type: bearer} arrives as "bearer &lt;token&gt;"; the scheme is case-insensitive
     * (RFC 7235 section 2.1). Refused with a 401, which Alertmanager does not retry, every alert was lost.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"bearer", "BEARER", "Bearer"})
    void theAuthSchemeIsCaseInsensitive(String scheme) throws Exception {
        HttpResponse<String> r = post(firing(), scheme + " " + TOKEN, "application/json");
        assertEquals(200, r.statusCode(), r.body());
    }

    /**
     * Alertmanager retries 5xx only (notify/util.go Retrier.Check), so a 401 from a token that differs between the
     * two Secrets loses every alert for good; before, nothing on this side showed it. Each refusal is counted, and
     * logged once a minute per status with what to fix, never with the token presented.
     */
    @Test
    void aRefusedWebhookIsCountedAndLoggedOnceAMinuteWithoutTheToken() throws Exception {
        try (CapturedLogs seen = CapturedLogs.of(AlertsHandler.class)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(401, post(firing(), "Bearer stale-token-from-the-old-secret", "application/json").statusCode());
            }
            assertEquals(List.of(401, 401, 401), refused);
            List<String> lines = seen.messages();
            assertEquals(1, lines.size(), "one line a minute, not one per retry: " + lines);
            assertTrue(lines.get(0).contains("401") && lines.get(0).contains("credentials_file")
                    && lines.get(0).contains("alerts.bearer-token-file"), lines.get(0));
            assertFalse(lines.get(0).contains("stale-token-from-the-old-secret"), "the presented token is never logged");

            clock.advance(Duration.ofMinutes(1));
            assertEquals(401, post(firing(), null, "application/json").statusCode());
            assertEquals(2, seen.events().size(), "logged again a minute later");
            leader.set(false);
            assertEquals(503, post(firing()).statusCode());
            assertEquals(List.of(401, 401, 401, 401, 503), refused, "a follower's 503 is counted too");
            assertEquals(2, seen.events().size(), "but not logged: the retry finds the leader");
        }
    }

    /** A refused payload's field is named once in the log line (it said "version: version: must be 4"). */
    @Test
    void aRefusedPayloadsLogLineNamesItsFieldOnce() throws Exception {
        try (CapturedLogs seen = CapturedLogs.of(AlertsHandler.class)) {
            assertEquals(400, post(firing().replace("\"version\":\"4\"", "\"version\":\"3\"")).statusCode());
            String line = seen.messages().get(0);
            assertTrue(line.startsWith("alerts webhook refused (400 version: "), line);
            assertFalse(line.contains("version: version:"), line);
        }
    }

    /**
     * With the receiver's {@code max_alerts} Alertmanager sends the first alerts of a group and the count it left
     * out as {@code truncatedAlerts} (notify/webhook/webhook.go truncateAlerts); those never arrive later either.
     */
    @Test
    void alertsAlertmanagerLeftOutAreCountedAsDropped() throws Exception {
        try (CapturedLogs said = CapturedLogs.of(AlertBook.class)) {
            assertEquals(200, post(firing().replace("\"truncatedAlerts\":0", "\"truncatedAlerts\":3")).statusCode());
            // Alertmanager re-sends the group at each flush: the WARN is said once per group every 10m (audit-alerts L4).
            post(firing().replace("\"truncatedAlerts\":0", "\"truncatedAlerts\":3"));
            assertEquals(1, said.warnings().size(), said.warnings().toString());
            clock.advance(Duration.ofMinutes(10));
            post(firing().replace("\"truncatedAlerts\":0", "\"truncatedAlerts\":3"));
            assertEquals(2, said.warnings().size(), said.warnings().toString());
        }
        assertEquals(9, dropped.get("truncated"), "each notification's truncatedAlerts is counted");
        dropped.clear();
        assertEquals(200, post(firing().replace("\"truncatedAlerts\":0", "\"truncatedAlerts\":3")).statusCode());
        assertEquals(3, dropped.get("truncated"));
        assertEquals(1, book.firing(QN, NOW).size(), "the alert that was sent is still taken");
        assertEquals(200, post(payload("firing", "firing", "querynode", "def456", "2026-01-05T09:59:30Z")).statusCode());
        assertEquals(3, dropped.get("truncated"), "truncatedAlerts 0 drops nothing");

        HttpResponse<String> bad = post(firing().replace("\"truncatedAlerts\":0", "\"truncatedAlerts\":-1"));
        assertEquals(400, bad.statusCode());
        assertEquals("truncatedAlerts", JsonParser.parseString(bad.body()).getAsJsonObject().get("field").getAsString());
    }

    @Test
    void wrongMethodIs405() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + api.port() + "/api/v1/alerts")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, r.statusCode());
        assertEquals("POST", r.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void oversizedBodyIs413FromContentLengthAndFromAChunkedStream() throws Exception {
        String big = "{\"pad\":\"" + "x".repeat(1024 * 1024 + 10) + "\"}";
        assertEquals(413, post(big).statusCode());
        HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + api.port() + "/api/v1/alerts"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, chunked.statusCode());
        assertTrue(book.firing(QN, NOW).isEmpty());
    }

    /** Each 401 says which: no header, a header of another scheme (named by its scheme alone), a wrong token. */
    @Test
    void a401SaysWhetherTheTokenIsMissingNotBearerOrWrong() throws Exception {
        // A header without a scheme is the credential itself: naming its first word sent the token back (recheck 84,
        // F2), so only a registered scheme is named.
        for (String[] c : new String[][] {{null, "missing bearer token"}, {"Basic " + TOKEN, "not a bearer token"
                + " (scheme Basic)"}, {"Bearer nope", "wrong bearer token"}, {TOKEN, "not a bearer token"},
                {"Bearer", "empty bearer token"}, {"x" + TOKEN + " y", "not a bearer token"}}) {
            HttpResponse<String> r = post(firing(), c[0], "application/json");
            assertEquals(c[1], JsonParser.parseString(r.body()).getAsJsonObject().get("error").getAsString(), r.body());
            assertFalse(r.body().contains(TOKEN), r.body());
        }
    }

    /**
     * A body declared longer than 4 x max-body is refused at once, unread: a client that declared a terabyte and sent
     * two bytes held the handler until the request deadline and got a 503 the refused counter did not count (recheck
     * 82, F3). Raw, as only a broken or hostile client sends it.
     */
    @Test
    void aBodyDeclaredFarOverTheLimitIs413AtOnceUnread() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("POST /api/v1/alerts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + TOKEN + "\r\nContent-Type: application/json\r\nContent-Length: 999999999999\r\n\r\n{}")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            assertEquals("HTTP/1.1 413 Content Too Large", status);
        }
        assertTrue(refused.contains(413), refused.toString());
    }

    @Test
    void noTokenConfiguredMeansTheEndpointIsOff() throws Exception {
        api.close();
        api = new HttpApi(io.github.milvusautoscaler.testsupport.HttpLimits.reference(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> { }, () -> "{}",
                Map.of("/api/v1/alerts", new AlertsHandler(null, 1024, book, leader::get, clock, ticked::add, o -> { },
                        refused::add)));
        assertEquals(404, post(firing()).statusCode());
    }

    /**
     * Alertmanager writes times as Go's time.Time marshals them: RFC 3339 with nanoseconds and the time's own zone
     * offset, which need not be Z. A start written with an offset is the same instant as its UTC form, so the same
     * alert: a duplicate, not a second scale-out.
     */
    @Test
    void aStartTimeWithAnOffsetIsTheSameInstantAndTheSameAlert() throws Exception {
        assertEquals(200, post(payload("firing", "firing", "querynode", "abc123", "2026-01-05T11:59:00.123456789+02:00"))
                .statusCode());
        assertEquals(Instant.parse("2026-01-05T09:59:00.123456789Z"), book.firing(QN, NOW).get(0).startsAt());
        HttpResponse<String> utc = post(payload("firing", "firing", "querynode", "abc123", "2026-01-05T09:59:00.123456789Z"));
        assertEquals(1, JsonParser.parseString(utc.body()).getAsJsonObject().get("duplicate").getAsInt(), utc.body());
        assertEquals(List.of(QN), ticked, "acted on once");
    }

    @Test
    void firingAlertIsAcceptedOnceThenDuplicatesAndResolvedLiftsIt() throws Exception {
        HttpResponse<String> first = post(firing());
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(1, JsonParser.parseString(first.body()).getAsJsonObject().get("accepted").getAsInt());
        assertEquals(List.of(QN), ticked, "the target ticks at once");
        List<ActiveAlert> firing = book.firing(QN, NOW);
        assertEquals(1, firing.size());
        assertEquals("MilvusSearchLatencyHigh", firing.get(0).name());
        assertEquals(ActiveAlert.AlertAction.SCALE_OUT, firing.get(0).action());

        // The HA twin and the repeat_interval re-send carry the same key: counted, not acted on again.
        HttpResponse<String> again = post(firing());
        assertEquals(1, JsonParser.parseString(again.body()).getAsJsonObject().get("duplicate").getAsInt());
        assertEquals(1, ticked.size());
        assertEquals(firing, book.firing(QN, NOW));

        HttpResponse<String> resolved = post(payload("resolved", "resolved", "querynode", "abc123",
                "2026-01-05T09:59:00Z"));
        assertEquals(1, JsonParser.parseString(resolved.body()).getAsJsonObject().get("resolved").getAsInt());
        assertTrue(book.firing(QN, NOW).isEmpty());

        // Firing again later is a new alert (new start time): acted on again.
        post(payload("firing", "firing", "querynode", "abc123", "2026-01-05T11:00:00Z"));
        assertEquals(2, ticked.size());
    }

    /**
     * The reason is in the 200 answer, which Alertmanager drops (it logs "Notify success"), so it is logged too: once
     * per alert name and reason every 10m, however often Alertmanager re-sends the group (audit-alerts M1).
     */
    @Test
    void alertForAnUnknownTargetIsAcceptedAndIgnoredWithTheReason() throws Exception {
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs =
                     io.github.milvusautoscaler.testsupport.CapturedLogs.of(AlertsHandler.class)) {
            HttpResponse<String> r = post(payload("firing", "firing", "datanode", "f1", "2026-01-05T09:59:00Z"));
            assertEquals(200, r.statusCode());
            JsonObject body = JsonParser.parseString(r.body()).getAsJsonObject();
            assertEquals(1, body.get("ignored").getAsInt());
            assertTrue(body.getAsJsonArray("alerts").get(0).getAsJsonObject().get("reason").getAsString()
                    .contains("no configured target milvus/my-release/dataNode"), r.body());
            assertTrue(ticked.isEmpty());
            assertEquals(List.of("alert MilvusSearchLatencyHigh ignored: no configured target milvus/my-release/dataNode"
                    + " (read from labels namespace, app_kubernetes_io_instance, component); labels {alertname="
                    + "MilvusSearchLatencyHigh, app_kubernetes_io_instance=my-release, component=datanode,"
                    + " namespace=milvus} (alerts.routes pick a target from them; said once per 10m for this alert and"
                    + " reason)"), logs.warnings());
            post(payload("firing", "firing", "datanode", "f1", "2026-01-05T09:59:00Z"));
            clock.advance(Duration.ofMinutes(9));
            post(payload("firing", "firing", "datanode", "f1", "2026-01-05T09:59:00Z"));
            assertEquals(1, logs.warnings().size(), "a re-send within 10m is not said again: " + logs.warnings());
            clock.advance(Duration.ofMinutes(1));
            post(payload("firing", "firing", "datanode", "f1", "2026-01-05T09:59:00Z"));
            assertEquals(2, logs.warnings().size(), logs.warnings().toString());
        }
    }

    /**
     * An alert taken for the first time and its resolution are each one INFO line with the target, a re-send none:
     * the decisions said what an alert did, but when it came and went was said nowhere (recheck 70).
     */
    @Test
    void aNewAlertAndItsResolutionAreSaidOnceEach() throws Exception {
        try (CapturedLogs logs = CapturedLogs.of(AlertsHandler.class)) {
            post(payload("firing", "firing", "querynode", "f1", "2026-01-05T09:59:00Z"));
            post(payload("firing", "firing", "querynode", "f1", "2026-01-05T09:59:00Z"));
            post(payload("resolved", "resolved", "querynode", "f1", "2026-01-05T09:59:00Z"));
            assertEquals(List.of("alert MilvusSearchLatencyHigh firing for milvus/my-release/queryNode: scale-out",
                    "alert MilvusSearchLatencyHigh resolved for milvus/my-release/queryNode"), logs.messages());
            assertTrue(logs.events().stream().allMatch(e -> e.getKeyValuePairs().stream()
                    .anyMatch(kv -> kv.key.equals("target") && kv.value.equals("milvus/my-release/queryNode"))));
        }
    }

    @Test
    void followerAnswers503SoAlertmanagerRetriesTheLeader() throws Exception {
        leader.set(false);
        HttpResponse<String> r = post(firing());
        assertEquals(503, r.statusCode());
        assertTrue(book.firing(QN, NOW).isEmpty());
    }

    @Test
    void rotatedTokenIsReadWithoutARestart() throws Exception {
        assertEquals(200, post(firing()).statusCode());
        Files.writeString(tokenFile, "rotated-token");
        Files.setLastModifiedTime(tokenFile, java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(5)));
        assertEquals(401, post(firing()).statusCode());
        assertEquals(200, post(firing(), "Bearer rotated-token", "application/json").statusCode());

        // Put back with the old modification time (cp -p, rsync -t, a restore): a new file, read anew (reload audit F10).
        var kept = Files.getLastModifiedTime(tokenFile);
        Path next = tokenFile.resolveSibling("token.next");
        Files.writeString(next, "restored-token-of-another-length\n");
        Files.setLastModifiedTime(next, kept);
        Files.move(next, tokenFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(kept, Files.getLastModifiedTime(tokenFile));
        assertEquals(401, post(firing(), "Bearer rotated-token", "application/json").statusCode());
        assertEquals(200, post(firing(), "Bearer restored-token-of-another-length", "application/json").statusCode());

        // cp -p over the same file: same inode, same length, the old time set back; only its ctime moved (reload
        // recheck F10; stat(2): st_ctime changes on every write and on utimensat, and no call sets it back). The
        // kernel stamps ctime at its tick (a few ms), so the write is repeated until it moved.
        var before = Files.getAttribute(tokenFile, "unix:ctime");
        var time = Files.getLastModifiedTime(tokenFile);
        Object inode = Files.readAttributes(tokenFile, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        String sameLength = "restored-token-of-another-lengtX\n";
        do {
            Files.writeString(tokenFile, sameLength);
            Files.setLastModifiedTime(tokenFile, time);
        } while (Files.getAttribute(tokenFile, "unix:ctime").equals(before));
        assertEquals(inode, Files.readAttributes(tokenFile, java.nio.file.attribute.BasicFileAttributes.class).fileKey());
        assertEquals(time, Files.getLastModifiedTime(tokenFile));
        assertEquals(401, post(firing(), "Bearer restored-token-of-another-length", "application/json").statusCode());
        assertEquals(200, post(firing(), "Bearer restored-token-of-another-lengtX", "application/json").statusCode());
    }

    /**
     * The shipped Secret template's placeholder is public: a token file still holding it is refused like an
     * unreadable one (500, nothing applied), so no one scales the cluster with a string from the repository (SRE
     * audit M1).
     */
    @Test
    void theTemplatesPlaceholderTokenIsRefused() throws Exception {
        String placeholder = "REPLACE-WITH-THE-OUTPUT-OF-openssl-rand-hex-32";
        assertTrue(Files.readString(Path.of("deploy/base/alerts-token-secret.template.yaml")).contains(placeholder));
        Files.writeString(tokenFile, placeholder + "\n");
        Files.setLastModifiedTime(tokenFile, java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(5)));
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(AlertsHandler.class)) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = post(firing(), "Bearer " + placeholder, "application/json");
                assertEquals(500, r.statusCode(), r.body());
            }
            // Alertmanager retries a 5xx: one ERROR a minute, not one per retry (recheck 77, F5).
            assertEquals(1, logs.errors().size(), logs.errors().toString());
        }
        assertTrue(book.firing(QN, NOW).isEmpty());
        assertTrue(new TokenFile(tokenFile).unreadable().orElseThrow().contains("holds the placeholder of"
                + " deploy/base/alerts-token-secret.template.yaml"));
    }

    @Test
    void anAlertNotResentWithinForgetAfterIsDropped() throws Exception {
        post(firing());
        assertEquals(1, book.firing(QN, NOW.plus(Duration.ofHours(5))).size());
        assertTrue(book.firing(QN, NOW.plus(Duration.ofHours(6))).isEmpty());
    }

    /**
     * A full book answers 503: Alertmanager's webhook notifier retries 5xx only (prometheus/alertmanager
     * notify/util.go, Retrier.Check; the webhook sets no RetryCodes), so after a 429 the alert would wait for
     * the group's next flush (AlertmanagerRetryTest shows it with a real Alertmanager). A payload larger than the whole book gets 413, which no retry could fix.
     */
    @Test
    void aFullBookAnswers503AndAPayloadLargerThanTheBook413AndNeitherChangesAnything() throws Exception {
        // The book here holds 2 alerts.
        assertEquals(200, post(payload("firing", "firing", "querynode", "f1", "2026-01-05T09:59:00Z")).statusCode());
        assertEquals(200, post(payload("firing", "firing", "querynode", "f2", "2026-01-05T09:59:00Z")).statusCode());
        HttpResponse<String> full = post(payload("firing", "firing", "querynode", "f3", "2026-01-05T09:59:00Z"));
        assertEquals(503, full.statusCode(), full.body());
        assertEquals("alerts", JsonParser.parseString(full.body()).getAsJsonObject().get("field").getAsString());
        assertTrue(full.body().contains("alerts.max-held = 2"), full.body());
        assertEquals("60", full.headers().firstValue("Retry-After").orElse(""));
        assertEquals(2, book.firing(QN, NOW).size());
        assertEquals(2, ticked.size(), "the refused alert did not tick the target");

        String three = firing().replace("\"alerts\":[", "\"alerts\":[" + alert("g1") + "," + alert("g2") + ","
                + alert("g3") + ",");
        HttpResponse<String> tooMany = post(three);
        assertEquals(413, tooMany.statusCode(), tooMany.body());
        assertEquals(2, book.held());
        assertEquals(Map.of("refused_full", 1, "refused_too_many", 4), dropped);
    }

    static String alert(String fingerprint) {
        return """
                {"status":"firing","labels":{"alertname":"MilvusSearchLatencyHigh","namespace":"milvus",
                 "app_kubernetes_io_instance":"my-release","component":"querynode"},"annotations":{},
                 "startsAt":"2026-01-05T09:59:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"%s"}"""
                .formatted(fingerprint);
    }
}
