package io.github.milvusautoscaler.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.AlertRoute;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.server.HttpApi;
import io.github.milvusautoscaler.testsupport.AlertmanagerServer;
import io.github.milvusautoscaler.testsupport.HttpLimits;
import io.github.milvusautoscaler.testsupport.Poll;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full alert book against a real Alertmanager 0.25: the endpoint answers 503, which Alertmanager's webhook
 * notifier retries within the notification (it retries 5xx only: notify/util.go Retrier.Check, no RetryCodes for
 * webhooks; after a 429 the alert waits for the group's next flush, group_interval, 5m by default), so once room
 * comes back the alert arrives at once.
 */
class AlertmanagerRetryTest {

    private static final String TOKEN = "retry-test-token";
    private static final Target QUERY_NODE = new Target("milvus", "my-release", Component.QUERY_NODE,
            InstallKind.OPERATOR);
    private static final Target DATA_NODE = new Target("milvus", "my-release", Component.DATA_NODE,
            InstallKind.OPERATOR);

    @TempDir
    Path dir;

    @Test
    void aFullBooksAnswerIsRetriedUntilThereIsRoom() throws Exception {
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n");
        Clock clock = Clock.systemUTC();
        Map<String, Integer> dropped = new ConcurrentHashMap<>();
        // Room for one alert, held by a firing queryNode alert.
        AlertBook book = new AlertBook(List.of(new AlertRoute(Map.of(), Map.of(), "namespace",
                "app_kubernetes_io_instance", "component", ActiveAlert.AlertAction.SCALE_OUT)), Duration.ofHours(6),
                new AlertBook.Caps(1, 1 << 20), (reason, n) -> dropped.merge(reason, n, Integer::sum));
        book.setTargets(List.of(QUERY_NODE, DATA_NODE));
        book.receive(WebhookPayload.parse(payload("firing", "0001-01-01T00:00:00Z")), clock.instant(), new HashSet<>());
        assertEquals(1, book.held());

        try (HttpApi api = new HttpApi(HttpLimits.reference(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> { }, () -> "{}", Map.of("/api/v1/alerts", new AlertsHandler(new TokenFile(tokenFile),
                1024 * 1024, book, () -> true, clock, t -> { }, o -> { }, status -> { })));
             // group_interval 1h: the group's next flush (which re-sends any failed notification) is far away, so
             // only the notifier's own retries of this notification can deliver it in time.
             AlertmanagerServer alertmanager = AlertmanagerServer.start(
                     URI.create("http://127.0.0.1:" + api.port() + "/api/v1/alerts"), tokenFile, Duration.ofHours(1))) {
            HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(alertmanager.url() + "/api/v2/alerts"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            [{"labels": {"alertname": "MilvusIndexBacklog", "namespace": "milvus",
                              "app_kubernetes_io_instance": "my-release", "component": "datanode",
                              "autoscaler_action": "scale-out"}, "annotations": {}}]""")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, posted.statusCode(), posted.body());

            Poll.until("the full book refused Alertmanager's first notification", Duration.ofSeconds(10),
                    () -> dropped.getOrDefault("refused_full", 0), n -> n >= 1);
            assertTrue(book.firing(DATA_NODE, clock.instant()).isEmpty());
            // The queryNode alert resolves: its tombstone is the first thing dropped when room is needed.
            book.receive(WebhookPayload.parse(payload("resolved", clock.instant().toString())), clock.instant(),
                    new HashSet<>());

            Poll.until("Alertmanager's retry of the same notification accepted", Duration.ofSeconds(15),
                    () -> book.firing(DATA_NODE, clock.instant()).size(), n -> n == 1);
        }
    }

    /** The queryNode alert that fills the book, firing or resolved. */
    private static String payload(String status, String endsAt) {
        return """
                {"version":"4","groupKey":"{}:{alertname=\\"MilvusSearchLatencyHigh\\"}","status":"%s",
                 "receiver":"milvus-autoscaler","truncatedAlerts":0,"alerts":[{"status":"%s","labels":{
                 "alertname":"MilvusSearchLatencyHigh","namespace":"milvus","app_kubernetes_io_instance":"my-release",
                 "component":"querynode"},"annotations":{},"startsAt":"2026-01-05T09:59:00Z","endsAt":"%s",
                 "fingerprint":"qn1"}]}""".formatted(status, status, endsAt);
    }
}
