package io.github.milvusautoscaler.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.engine.ActionBudget;
import io.github.milvusautoscaler.engine.AlertSource;
import io.github.milvusautoscaler.engine.Engine;
import io.github.milvusautoscaler.engine.EngineTarget;
import io.github.milvusautoscaler.core.LeaderGate;
import io.github.milvusautoscaler.engine.ManualClock;
import io.github.milvusautoscaler.policy.AlertSettings;
import io.github.milvusautoscaler.policy.FallbackSettings;
import io.github.milvusautoscaler.policy.Policy;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.ScaleInSettings;
import io.github.milvusautoscaler.policy.ScaleOutSettings;
import io.github.milvusautoscaler.policy.SignalPolicy;
import io.github.milvusautoscaler.testsupport.FakeCluster;
import io.github.milvusautoscaler.testsupport.FakeMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpApiTest {

    static final Target A = new Target("milvus", "a", Component.QUERY_NODE, InstallKind.OPERATOR);
    static final Target B = new Target("milvus", "b", Component.PROXY, InstallKind.HELM);

    final HttpClient http = HttpClient.newHttpClient();
    final FakeMetrics metrics = new FakeMetrics();
    final FakeCluster cluster = new FakeCluster();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Engine engine;
    SelfMetrics self;
    HttpApi api;

    static Policy policy() {
        return new Policy(new PolicySettings(2, 8,
                new ScaleOutSettings(Duration.ZERO, Duration.ofMinutes(3), 2, 1.5),
                new ScaleInSettings(Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofMinutes(15),
                        Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofMinutes(30)),
                List.of(SignalPolicy.band("cpu", 0.75, 0.40)), new AlertSettings(1, Duration.ofMinutes(5)),
                new FallbackSettings(Duration.ofMinutes(10), FallbackSettings.Mode.HOLD, 2)));
    }

    private ManualClock clock;

    @BeforeEach
    void start() {
        self = new SelfMetrics(registry, () -> true, false);
        clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
        engine = new Engine(clock, metrics, cluster, self,
                LeaderGate.always(), AlertSource.NONE, new ActionBudget(30), false, self);
        api = new HttpApi(io.github.milvusautoscaler.testsupport.HttpLimits.reference(), registry, () -> self.refresh(engine), HttpApi.statusOf(engine), Map.of());
    }

    @AfterEach
    void stop() {
        api.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readyOnlyAfterMarkedAndHealthyAlways() throws Exception {
        assertEquals(200, get("/healthz").statusCode());
        assertEquals(503, get("/readyz").statusCode());
        api.markReady();
        assertEquals(200, get("/readyz").statusCode());
        assertEquals(404, get("/healthz/extra").statusCode());
    }

    /**
     * The read-only endpoints answer GET and HEAD; another method gets 405 naming the ones allowed, where a POST of
     * /metrics or a DELETE of /api/v1/status answered 200 (observability audit L11).
     */
    @Test
    void readOnlyEndpointsRefuseOtherMethods() throws Exception {
        api.markReady();
        for (String path : List.of("/metrics", "/api/v1/status", "/healthz", "/readyz")) {
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                    + path)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode(), path);
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""), path);
            assertEquals(200, get(path).statusCode(), path);
        }
    }

    /**
     * The series one target adds, as docs/metrics.md and README's capacity table count them, are what a scrape shows:
     * both said 70 with 39 reasons after AWAITING_READY made 40 (recheck 109, F5). The target here has one signal,
     * cpu; the docs count three, each adding its value and three thresholds (4 series), and the load history reader
     * (not part of this test) adds history_reads_total's two results.
     */
    @Test
    void theSeriesATargetAddsAreWhatTheDocsCount() throws Exception {
        engine.tick(new EngineTarget(A, policy()));
        self.refresh(engine);
        long oneSignal = get("/metrics").body().lines()
                .filter(l -> !l.startsWith("#") && l.contains("target=\"milvus/a/queryNode\"")).count();
        long threeSignals = oneSignal + 2 * 4 + 2;
        int reasons = io.github.milvusautoscaler.core.Reason.values().length;
        java.util.regex.Matcher doc = java.util.regex.Pattern.compile("A target adds (\\d+) series with three signals"
                + " \\((\\d+) of them `decisions_total` reasons").matcher(java.nio.file.Files.readString(
                java.nio.file.Path.of("docs/metrics.md")));
        assertTrue(doc.find(), "docs/metrics.md counts a target's series");
        assertEquals(threeSignals + " series, " + reasons + " reasons", doc.group(1) + " series, " + doc.group(2)
                + " reasons", "docs/metrics.md");
        java.util.regex.Matcher readme = java.util.regex.Pattern.compile("\\| (\\d+) with three signals: (\\d+)"
                + " `decisions_total` reasons").matcher(java.nio.file.Files.readString(java.nio.file.Path.of(
                "README.md")));
        assertTrue(readme.find(), "README's capacity table counts a target's series");
        assertEquals(threeSignals + " series, " + reasons + " reasons", readme.group(1) + " series, " + readme.group(2)
                + " reasons", "README.md");
    }

    @Test
    void metricsShowDecisionsReplicasAndSignalsBesideTheirThresholds() throws Exception {
        metrics.cpu.put(A, 0.82);
        engine.tick(new EngineTarget(A, policy()));
        engine.tick(new EngineTarget(B, policy()));
        // Micrometer holds gauge objects weakly: the leader gauge must survive a collection.
        System.gc();
        String body = get("/metrics").body();
        assertTrue(body.contains("milvus_autoscaler_decisions_total{action=\"SCALE_OUT\",reason=\"SIGNAL_HIGH\","
                + "target=\"milvus/a/queryNode\",} 1.0"), body);
        assertTrue(body.contains("milvus_autoscaler_replicas{kind=\"desired\",target=\"milvus/a/queryNode\",} 5.0"), body);
        assertTrue(body.contains("milvus_autoscaler_signal_value{signal=\"cpu\",target=\"milvus/a/queryNode\",} 0.82"), body);
        assertTrue(body.contains("milvus_autoscaler_signal_threshold{bound=\"scale_out_above\",signal=\"cpu\","
                + "target=\"milvus/a/queryNode\",} 0.75"), body);
        // Without a forecast the line is scale_out_above itself.
        assertTrue(body.contains("milvus_autoscaler_signal_threshold{bound=\"line\",signal=\"cpu\","
                + "target=\"milvus/a/queryNode\",} 0.75"), body);
        // B's cpu is unknown: exported as NaN, never as a number.
        assertTrue(body.contains("milvus_autoscaler_signal_value{signal=\"cpu\",target=\"milvus/b/proxy\",} NaN"), body);
        assertTrue(body.contains("milvus_autoscaler_leader 1.0"), body);
        assertTrue(body.contains("milvus_autoscaler_scale_writes_total{result=\"ok\",target=\"milvus/a/queryNode\",} 1.0"),
                body);

        engine.forget(B);
        assertTrue(!get("/metrics").body().contains("milvus/b/proxy\",} NaN"), "removed target's gauges go away");
    }

    @Test
    void statusNamesSignalsStatesThresholdsAndTheLastDecision() throws Exception {
        metrics.cpu.put(A, 0.82);
        engine.tick(new EngineTarget(A, policy()));
        JsonObject status = JsonParser.parseString(get("/api/v1/status").body()).getAsJsonObject();
        assertEquals("leader", status.get("role").getAsString());
        JsonObject a = status.getAsJsonArray("targets").get(0).getAsJsonObject();
        assertEquals("milvus/a/queryNode", a.get("target").getAsString());
        assertEquals("operator", a.get("install").getAsString());
        assertEquals(5, a.getAsJsonObject("replicas").get("desired").getAsInt());
        JsonObject cpu = a.getAsJsonArray("signals").get(0).getAsJsonObject();
        assertEquals("HIGH", cpu.get("state").getAsString());
        assertEquals(0.75, cpu.get("scaleOutAbove").getAsDouble());
        assertEquals("SIGNAL_HIGH", a.getAsJsonObject("lastDecision").get("reason").getAsString());
        assertEquals("SCALE_OUT", a.getAsJsonObject("lastDecision").get("stage").getAsString(),
                "the status names the rule that decided");
        // Just scaled out: the 3m cooldown is running in full, and the 15m delay before any step-down.
        assertEquals(180, a.getAsJsonObject("waits").get("scaleOutCooldownSeconds").getAsLong());
        assertEquals(900, a.getAsJsonObject("waits").get("scaleInCooldownSeconds").getAsLong());
        assertEquals("delay-after-scale-out", a.getAsJsonObject("waits").get("scaleInWait").getAsString());
    }

    /**
     * A count lowered by hand runs the scale-in cooldown as the policy counts it, and with no wait the name says none
     * (recheck 17, F5: every target read "scale-in cooldown" at 0 s, one that never stepped down included).
     */
    @Test
    void statusWaitsCountACountLoweredByHandAndNameNoWaitAsNone() throws Exception {
        metrics.cpu.put(A, 0.60);
        engine.tick(new EngineTarget(A, policy()));
        JsonObject waits = waits();
        assertEquals(0, waits.get("scaleInCooldownSeconds").getAsLong());
        assertEquals("none", waits.get("scaleInWait").getAsString());
        cluster.personScales(A, 2);
        engine.tick(new EngineTarget(A, policy()));
        waits = waits();
        assertEquals(300, waits.get("scaleInCooldownSeconds").getAsLong());
        assertEquals("scale-in cooldown", waits.get("scaleInWait").getAsString());
    }

    /**
     * The scale-out cooldown the status shows runs from new replicas turning ready too, as the policy's hold does:
     * a scale-out 3 -> 5 at 10:00 whose replicas the 10:02 tick reads ready holds a second one to 10:05, and the
     * status read 60 s (from the write) while that hold said 3m were left (recheck 60, F1).
     */
    @Test
    void statusScaleOutCooldownCountsFromNewReplicasTurningReady() throws Exception {
        metrics.cpu.put(A, 0.82);
        engine.tick(new EngineTarget(A, policy()));
        assertEquals(5, cluster.replicas.get(A));
        assertEquals(180, waits().get("scaleOutCooldownSeconds").getAsLong());
        clock.advance(Duration.ofMinutes(2));
        engine.tick(new EngineTarget(A, policy()));
        assertEquals(180, waits().get("scaleOutCooldownSeconds").getAsLong(), "3m from the 10:02 tick that read 5 ready");
    }

    /**
     * The sustain a hold waits out is a wait like the cooldowns: "over 44s of 1m sustain" in the message, and the
     * waits showed none (recheck 60, F5). cpu 0.30, LOW, at 10:00 and 10:04: 6m of the 10m scale-in sustain left.
     */
    @Test
    void statusWaitsNameTheSustainAHoldWaitsOut() throws Exception {
        metrics.cpu.put(A, 0.30);
        engine.tick(new EngineTarget(A, policy()));
        clock.advance(Duration.ofMinutes(4));
        engine.tick(new EngineTarget(A, policy()));
        JsonObject waits = waits();
        assertEquals("scale-in sustain", waits.get("sustainWait").getAsString(), waits.toString());
        assertEquals(360, waits.get("sustainSeconds").getAsLong());
        // 0.74: the average over the stretch, (0.30 + 0.30 + 0.74) / 3 = 0.45, is in band: no sustain runs.
        metrics.cpu.put(A, 0.74);
        engine.tick(new EngineTarget(A, policy()));
        assertTrue(waits().get("sustainWait").isJsonNull(), "in band: no sustain " + waits());
    }

    private JsonObject waits() throws Exception {
        return JsonParser.parseString(get("/api/v1/status").body()).getAsJsonObject().getAsJsonArray("targets").get(0)
                .getAsJsonObject().getAsJsonObject("waits");
    }

    @Test
    void portInUseIsNamed() {
        HttpApi.PortInUseException thrown = assertThrows(HttpApi.PortInUseException.class,
                () -> new HttpApi(io.github.milvusautoscaler.testsupport.HttpLimits.reference().withPort(api.port()), registry, () -> { }, () -> "{}", Map.of()));
        assertTrue(thrown.getMessage().contains(String.valueOf(api.port())), thrown.getMessage());
    }

}
