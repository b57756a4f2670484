package io.github.milvusautoscaler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.CircuitBreakerSettings;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.PrometheusAuth;
import io.github.milvusautoscaler.core.PrometheusEndpoint;
import io.github.milvusautoscaler.core.RetrySettings;
import io.github.milvusautoscaler.core.SignalQuery;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.testsupport.NoDelayServerSocketFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules API reader doctor uses ({@code GET /api/v1/rules}): the groups and their rule counts from Prometheus'
 * answer, with the configured credentials and headers; any other answer a reason, never a guess. (A real
 * Prometheus's answer is read in DoctorCommandTest.)
 */
class RuleGroupsTest {

    private static final Target TARGET = new Target("milvus", "prod", Component.PROXY, InstallKind.HELM);

    private MockWebServer server;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.setServerSocketFactory(new NoDelayServerSocketFactory());
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /**
     * The shape of Prometheus' web/api/v1 rulesResponse: data.groups[] with name, file and rules. One group in two
     * files (a PrometheusRule applied twice) counts its rules once, as the larger file has them.
     */
    @Test
    void readsEachGroupsRulesWithTheConfiguredHeaders() throws Exception {
        server.enqueue(FailureShapesTest.json("""
                {"status":"success","data":{"groups":[
                  {"name":"milvus-autoscaling","file":"/etc/prometheus/rules/a.yaml","interval":30,
                   "rules":[{"name":"A","type":"alerting"},{"name":"B","type":"alerting"}]},
                  {"name":"milvus-autoscaling","file":"/etc/prometheus/rules/b.yaml","interval":30,
                   "rules":[{"name":"A","type":"alerting"},{"name":"B","type":"alerting"}]},
                  {"name":"node-exporter","file":"/etc/prometheus/rules/c.yaml","interval":30,
                   "rules":[{"record":"x","type":"recording"}]}]}}"""));
        try (PrometheusMetricsSource source = source()) {
            PrometheusMetricsSource.RuleGroups groups = source.ruleGroups();
            assertEquals(Optional.empty(), groups.failure());
            assertEquals(Map.of("milvus-autoscaling", 2, "node-exporter", 1), groups.groups());
        }
        RecordedRequest request = server.takeRequest();
        assertEquals("GET", request.getMethod());
        assertEquals("/api/v1/rules", request.getUrl().encodedPath());
        assertEquals("team-a", request.getHeaders().get("X-Scope-OrgID"));
    }

    /**
     * An error answer, a proxy that does not pass the path, a login page: each a reason. (VictoriaMetrics without
     * vmalert answers 200 with no group, which doctor reads as saying nothing: VictoriaMetricsRulesTest.)
     */
    @Test
    void anythingElseIsAReason() {
        server.enqueue(FailureShapesTest.status(400, "{\"status\":\"error\",\"errorType\":\"bad_data\","
                + "\"error\":\"unknown type\"}"));
        server.enqueue(new MockResponse.Builder().code(404).body("404 page not found").build());
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/html")
                .body("<html>sign in</html>").build());
        try (PrometheusMetricsSource source = source()) {
            assertEquals(Optional.of("HTTP 400: bad_data: unknown type"), source.ruleGroups().failure());
            assertEquals(Optional.of("HTTP 404: 404 page not found"), source.ruleGroups().failure());
            PrometheusMetricsSource.RuleGroups page = source.ruleGroups();
            assertTrue(page.failure().orElseThrow().startsWith("not the rules API's JSON"), page.failure()::get);
            assertEquals(Map.of(), page.groups());
        }
    }

    private PrometheusMetricsSource source() {
        PrometheusEndpoint endpoint = new PrometheusEndpoint(server.url("/").toString(), Duration.ofSeconds(3),
                Duration.ofMinutes(2), 1000, Duration.ZERO, new RetrySettings(1, Duration.ofMillis(10)),
                new CircuitBreakerSettings(50, java.time.Duration.ofMinutes(1), 20, Duration.ofSeconds(30)), PrometheusAuth.none(),
                Map.of("X-Scope-OrgID", "team-a"));
        return new PrometheusMetricsSource(endpoint, DefaultQueries.schemes(),
                List.of(new TargetQueries(TARGET, List.of(new SignalQuery("cpu", "up", true)), "", "")),
                new SimpleMeterRegistry());
    }
}
