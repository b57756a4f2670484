package io.github.milvusautoscaler.metrics;

import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.core.CircuitBreakerSettings;
import io.github.milvusautoscaler.core.RetrySettings;
import io.github.milvusautoscaler.core.PrometheusEndpoint;
import io.github.milvusautoscaler.core.LabelScheme;
import io.github.milvusautoscaler.core.SignalQuery;
import io.github.milvusautoscaler.core.PrometheusAuth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Settings are validated once, with messages that name the configuration key. */
class SettingsTest {

    private static final RetrySettings RETRY = new RetrySettings(3, Duration.ofMillis(200));
    private static final CircuitBreakerSettings BREAKER =
            new CircuitBreakerSettings(50, java.time.Duration.ofMinutes(1), 20, Duration.ofSeconds(30));
    private static final PrometheusAuth NONE = PrometheusAuth.none();

    private static PrometheusEndpoint endpoint(String url, Duration timeout, int maxSeries, Map<String, String> headers,
                                               PrometheusAuth auth) {
        return new PrometheusEndpoint(url, timeout, Duration.ofMinutes(2), maxSeries, Duration.ofSeconds(5),
                RETRY, BREAKER, auth, headers);
    }

    static Stream<Arguments> invalid() {
        Duration s5 = Duration.ofSeconds(5);
        return Stream.of(
                Arguments.of("ftp URL", (Supplier<Object>) () -> endpoint("ftp://p:21", s5, 10, Map.of(), NONE),
                        "url " + PrometheusEndpoint.URL_RULE),
                Arguments.of("URL with credentials", (Supplier<Object>) () -> endpoint("http://sre:hunter2@p:9090", s5, 10,
                        Map.of(), NONE), "url must not contain credentials"),
                Arguments.of("URL with a query", (Supplier<Object>) () -> endpoint("http://p:9090/?x=1", s5, 10, Map.of(),
                        NONE), "url must be the API root without ?query or #fragment"),
                Arguments.of("zero timeout", (Supplier<Object>) () -> endpoint("http://p", Duration.ZERO, 10, Map.of(), NONE),
                        "timeout must be a positive duration"),
                Arguments.of("max-series 0", (Supplier<Object>) () -> endpoint("http://p", s5, 0, Map.of(), NONE),
                        "max-series must be >= 1"),
                Arguments.of("bad header name", (Supplier<Object>) () -> endpoint("http://p", s5, 10,
                        Map.of("X Org", "a"), NONE), "headers.X Org must be under a valid HTTP header name"),
                Arguments.of("Authorization header and auth", (Supplier<Object>) () -> endpoint("http://p", s5, 10,
                        Map.of("Authorization", "x"), PrometheusAuth.of("/t", "", "", "")),
                        "headers.Authorization conflicts with prometheus.auth"),
                Arguments.of("user without password file", (Supplier<Object>) () ->
                        PrometheusAuth.of("", "sre", "", ""), "basic-username needs basic-password-file to be set as well"),
                Arguments.of("bearer and basic", (Supplier<Object>) () ->
                        PrometheusAuth.of("/t", "sre", "/p", ""), "bearer-token-file must be empty when basic-username is set"),
                Arguments.of("0 attempts", (Supplier<Object>) () -> new RetrySettings(0, Duration.ofMillis(1)),
                        "max-attempts must be >= 1"),
                Arguments.of("threshold 101%", (Supplier<Object>) () -> new CircuitBreakerSettings(101, java.time.Duration.ofMinutes(1), 20,
                        Duration.ofSeconds(1)), "failure-rate-threshold must be a percentage > 0 and <= 100"),
                Arguments.of("label name with a dot", (Supplier<Object>) () -> new LabelScheme("app.kubernetes.io/instance",
                        "component"), "instance-label must be a Prometheus label name"),
                Arguments.of("empty query", (Supplier<Object>) () -> new SignalQuery("cpu", " ", true),
                        "query must not be empty: signal cpu needs a query"),
                Arguments.of("signal listed twice", (Supplier<Object>) () -> new TargetQueries(
                        new Target("m", "p", Component.PROXY, InstallKind.HELM),
                        List.of(new SignalQuery("cpu", "up", true), new SignalQuery("cpu", "up", true)), "", ""),
                        "m/p/proxy: signal cpu is listed twice"),
                Arguments.of("bad settle placeholder", (Supplier<Object>) () -> new TargetQueries(
                        new Target("m", "p", Component.QUERY_NODE, InstallKind.HELM), List.of(), "x{a=\"{nope}\"}", ""),
                        "m/p/queryNode settle-query: unknown placeholder {nope}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void refusesBadSettingsNamingTheKey(String name, Supplier<Object> build, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertTrue(e.getMessage().startsWith(message) || e.getMessage().contains(message), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), "a credential in the URL must not be echoed");
    }

    @Test
    void headerValuesAreNotPrinted() {
        String printed = endpoint("http://p", Duration.ofSeconds(5), 10, Map.of("X-Scope-OrgID", "secret-tenant"), NONE)
                .toString();
        assertTrue(printed.contains("X-Scope-OrgID"), printed);
        assertFalse(printed.contains("secret-tenant"), printed);
    }

    @Test
    void aTargetWhoseInstallKindHasNoSchemeIsRefused() {
        Target target = new Target("m", "p", Component.PROXY, InstallKind.HELM);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PrometheusMetricsSource(
                TestEndpoints.of(URI.create("http://127.0.0.1:9")),
                Map.of(InstallKind.OPERATOR, DefaultQueries.scheme(InstallKind.OPERATOR)),
                List.of(new TargetQueries(target, List.of(), "", "")), new SimpleMeterRegistry()));
        assertEquals("m/p/proxy: no label scheme for install kind HELM", e.getMessage());
    }

    @Test
    void observingAnUnconfiguredTargetIsAProgrammingError() {
        try (PrometheusMetricsSource source = new PrometheusMetricsSource(TestEndpoints.of(URI.create("http://127.0.0.1:9")),
                DefaultQueries.schemes(), List.of(), new SimpleMeterRegistry())) {
            Target target = new Target("m", "p", Component.PROXY, InstallKind.HELM);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> source.observe(target, java.time.Instant.EPOCH));
            assertEquals("no queries are configured for target m/p/proxy", e.getMessage());
        }
    }

    @Test
    void renderedQueriesShowWhatAnSreWouldPasteIntoPrometheus() {
        Target target = new Target("milvus", "prod", Component.QUERY_NODE, InstallKind.OPERATOR);
        try (PrometheusMetricsSource source = new PrometheusMetricsSource(TestEndpoints.of(URI.create("http://127.0.0.1:9")),
                DefaultQueries.schemes(), List.of(DefaultQueries.forTarget(target)), new SimpleMeterRegistry())) {
            Map<String, String> rendered = source.renderedQueries(target);

            assertEquals(List.of("cpu", "memory", "qps", "settle-query", "replica-floor-query"),
                    List.copyOf(rendered.keySet()));
            // The operator's PodMonitor labels: app_kubernetes_io_instance and app_kubernetes_io_component.
            assertTrue(rendered.get("replica-floor-query").contains("milvus_querycoord_resource_group_replica_total{"
                    + "namespace=\"milvus\", app_kubernetes_io_instance=\"prod\", app_kubernetes_io_component!=\"\"}"),
                    rendered.get("replica-floor-query"));
            // The operator's Deployments of queryNode, found through kube-state-metrics' owner chain.
            assertTrue(rendered.get("cpu").contains(
                    "owner_name=~\"prod-milvus-querynode-0|prod-milvus-querynode-1\""),
                    rendered.get("cpu"));
            assertTrue(rendered.get("cpu").contains("\"app_kubernetes_io_component\", \"$1\", \"owner_name\""),
                    rendered.get("cpu"));
            assertFalse(rendered.values().stream().anyMatch(q -> q.contains("{")
                    && q.matches("(?s).*\\{[a-z_]+}.*")), "no placeholder left");
        }
    }
}
