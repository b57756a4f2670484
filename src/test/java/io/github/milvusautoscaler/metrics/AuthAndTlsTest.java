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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.NoDelayServerSocketFactory;
import io.github.milvusautoscaler.testsupport.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** Bearer token and basic auth from files, extra headers, a custom CA, and secrets that never leak. */
class AuthAndTlsTest {

    private static final Instant AT = Instant.parse("2025-06-01T12:00:00Z");
    private static final Target TARGET = new Target("milvus", "prod", Component.QUERY_NODE, InstallKind.OPERATOR);
    private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.token-one.sig";
    private static final String PASSWORD = "pw-Correct-Horse-9";

    private static TestCertificates certificates;

    @TempDir
    Path dir;
    private MockWebServer server;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private ListAppender<ILoggingEvent> logs;
    private Logger logger;
    private Level previousLevel;

    @BeforeAll
    static void makeCertificates() {
        certificates = TestCertificates.create();
    }

    @AfterAll
    static void dropCertificates() {
        certificates.close();
    }

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.setServerSocketFactory(new NoDelayServerSocketFactory());
        logger = (Logger) LoggerFactory.getLogger("io.github.milvusautoscaler");
        previousLevel = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void stop() {
        server.close();
        logger.detachAppender(logs);
        logger.setLevel(previousLevel);
    }

    @Test
    void sendsTheBearerTokenAndReReadsItWhenTheProjectedFileRotates() throws Exception {
        server.start();
        Path token = write("token", TOKEN + "\n");
        enqueueValues(2);
        try (PrometheusMetricsSource source = source(auth(token.toString(), "", "", ""), Map.of())) {
            assertTrue(source.observe(TARGET, AT).signals().get("cpu").isKnown());
            // Kubernetes swaps the file behind a symlink; here: a new file moved over the old one.
            Path next = write("token.next", "rotated-token-two\n");
            Files.setLastModifiedTime(next, FileTime.from(Instant.now().plusSeconds(5)));
            Files.move(next, token, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertTrue(source.observe(TARGET, AT.plusSeconds(15)).signals().get("cpu").isKnown());
        }
        assertEquals("Bearer " + TOKEN, server.takeRequest().getHeaders().get("Authorization"));
        assertEquals("Bearer rotated-token-two", server.takeRequest().getHeaders().get("Authorization"));
    }

    @Test
    void sendsBasicAuthWithThePasswordFromAFileAndTheExtraHeaders() throws Exception {
        server.start();
        Path password = write("password", PASSWORD);
        enqueueValues(1);
        try (PrometheusMetricsSource source = source(auth("", "sre", password.toString(), ""),
                Map.of("X-Scope-OrgID", "team-a"))) {
            assertTrue(source.observe(TARGET, AT).signals().get("cpu").isKnown());
        }
        RecordedRequest request = server.takeRequest();
        String expected = "Basic " + Base64.getEncoder().encodeToString(("sre:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertEquals(expected, request.getHeaders().get("Authorization"));
        assertEquals("team-a", request.getHeaders().get("X-Scope-OrgID"));
    }

    static Stream<Arguments> echoes() {
        String basic = Base64.getEncoder().encodeToString(("sre:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        return Stream.of(
                Arguments.of("401 echoing the bearer token", "bearer", 401, "{\"error\":\"invalid token " + TOKEN + "\"}", TOKEN),
                Arguments.of("503 echoing the bearer token, retried", "bearer", 503, "upstream rejected Bearer " + TOKEN, TOKEN),
                // A proxy that logs the header base64-encoded (secrets recheck 28, F3).
                Arguments.of("401 echoing the bearer token encoded", "bearer", 401, "token " + Base64.getEncoder()
                        .encodeToString(TOKEN.getBytes(StandardCharsets.UTF_8)) + " refused", Base64.getEncoder()
                        .encodeToString(TOKEN.getBytes(StandardCharsets.UTF_8))),
                // URL-safe without padding, which differs when the length is not a multiple of 3 (recheck 29, N1).
                Arguments.of("401 echoing the bearer header url-safe", "bearer", 401, "header " + Base64.getUrlEncoder()
                        .withoutPadding().encodeToString(("Bearer " + TOKEN).getBytes(StandardCharsets.UTF_8)),
                        Base64.getUrlEncoder().withoutPadding().encodeToString(("Bearer " + TOKEN)
                                .getBytes(StandardCharsets.UTF_8))),
                Arguments.of("403 echoing the basic password", "basic", 403, "bad password " + PASSWORD, PASSWORD),
                Arguments.of("403 echoing the encoded basic credentials", "basic", 403, "Authorization: Basic " + basic, basic),
                Arguments.of("400 echoing a tenant header value", "header", 400,
                        "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"unknown org tenant-secret-77\"}",
                        "tenant-secret-77"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("echoes")
    void aFailingRequestsReasonAndLogsNeverContainTheSecret(String name, String kind, int code, String body, String secret)
            throws Exception {
        server.start();
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse.Builder().code(code).body(body).build());
        }
        Path token = write("token", TOKEN);
        Path password = write("password", PASSWORD);
        PrometheusAuth auth = switch (kind) {
            case "bearer" -> auth(token.toString(), "", "", "");
            case "basic" -> auth("", "sre", password.toString(), "");
            default -> auth("", "", "", "");
        };
        Map<String, String> headers = kind.equals("header") ? Map.of("X-Scope-OrgID", "tenant-secret-77") : Map.of();
        try (PrometheusMetricsSource source = source(auth, headers)) {
            Signal signal = source.observe(TARGET, AT).signals().get("cpu");

            assertFalse(signal.isKnown());
            assertTrue(signal.problem().contains("prometheus HTTP " + code), signal.problem());
            assertFalse(signal.problem().contains(secret), () -> name + ": reason leaks the secret: " + signal.problem());
        }
        String logged = logs.list.stream().map(e -> e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy())))
                .collect(Collectors.joining("\n"));
        assertFalse(logs.list.isEmpty(), "the failure is logged");
        assertFalse(logged.contains(secret), () -> name + ": logs leak the secret:\n" + logged);
    }

    @Test
    void aMissingTokenFileIsUnknownWithoutSendingARequest() throws Exception {
        server.start();
        Path missing = dir.resolve("no-such-token");
        try (PrometheusMetricsSource source = source(auth(missing.toString(), "", "", ""), Map.of())) {
            Signal signal = source.observe(TARGET, AT).signals().get("cpu");

            assertFalse(signal.isKnown());
            assertEquals("cannot read bearer token file " + missing
                    + " (prometheus.auth.bearer-token-file): no such file (NoSuchFileException)", signal.problem());
            assertEquals(0, server.getRequestCount());
        }
    }

    @Test
    void trustsAServerSignedByTheConfiguredCa() throws Exception {
        server.useHttps(certificates.serverSocketFactory());
        server.start();
        enqueueValues(1);
        try (PrometheusMetricsSource source = source(auth("", "", "", certificates.caPem().toString()), Map.of())) {
            Signal signal = source.observe(TARGET, AT).signals().get("cpu");

            assertTrue(signal.isKnown(), signal::problem);
            assertTrue(server.url("/").isHttps());
        }
    }

    @Test
    void refusesTheSameServerWithoutTheCaAndDoesNotRetryACertificateProblem() throws Exception {
        server.useHttps(certificates.serverSocketFactory());
        server.start();
        enqueueValues(1);
        try (PrometheusMetricsSource source = source(auth("", "", "", ""), Map.of())) {
            Signal signal = source.observe(TARGET, AT).signals().get("cpu");

            assertFalse(signal.isKnown());
            assertTrue(signal.problem().startsWith("prometheus TLS failure: SSLHandshakeException"), signal.problem());
            // The JDK's words name no setting; the fix does (recheck 77's remark).
            assertTrue(signal.problem().contains(" (the server's certificate is signed by no CA this JVM trusts: set"
                    + " prometheus.auth.ca-file to the PEM of the CA that signed it)"), signal.problem());
            // 3 attempts are allowed, but a certificate problem does not heal within one query
            assertEquals(1.0, meters.get(MetricNames.RETRY_CALLS).tag("kind", "failed_without_retry").functionCounter()
                    .count());
        }
    }

    @Test
    void aRotatedCaFileIsTrustedWithoutARestartAndABadRotationKeepsTheCasReadBefore() throws Exception {
        try (TestCertificates other = TestCertificates.create()) {
            server.useHttps(certificates.serverSocketFactory());
            server.start();
            // A new connection, so a new handshake, for every query.
            for (int i = 0; i < 3; i++) {
                server.enqueue(new MockResponse.Builder(FailureShapesTest.json(vector(pod("qn-0", "0.5", AT))))
                        .setHeader("Connection", "close").build());
            }
            Path ca = dir.resolve("ca.pem");
            Files.copy(other.caPem(), ca);
            try (PrometheusMetricsSource source = source(auth("", "", "", ca.toString()), Map.of())) {
                Signal before = source.observe(TARGET, AT).signals().get("cpu");
                assertFalse(before.isKnown(), "another CA's file does not trust this server");
                assertTrue(before.problem().startsWith("prometheus TLS failure"), before.problem());
                assertTrue(before.problem().contains("(the server's certificate is signed by none of the CAs in"
                        + " prometheus.auth.ca-file)"), before.problem());

                rotate(ca, Files.readString(certificates.caPem()));
                Signal after = source.observe(TARGET, AT.plusSeconds(15)).signals().get("cpu");
                assertTrue(after.isKnown(), "the rotated CA is trusted without a restart: " + after.problem());

                rotate(ca, "not a certificate");
                Signal kept = source.observe(TARGET, AT.plusSeconds(30)).signals().get("cpu");
                assertTrue(kept.isKnown(), "a bad rotation keeps the CAs read before: " + kept.problem());
                assertTrue(source.observe(TARGET, AT.plusSeconds(45)).signals().get("cpu").isKnown());
                assertEquals(1, logs.list.stream().filter(e -> e.getLevel() == Level.WARN
                        && e.getFormattedMessage().contains("keeping the CAs read before")).count(), "said once");
            }
            assertEquals(3, server.getRequestCount(), "the untrusted handshake sent no request");
        }
    }

    @Test
    void aCaFileWithoutCertificatesIsRefusedAtStartNamingTheFile() throws Exception {
        Path notPem = write("ca.pem", "not a certificate");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> source(auth("", "", "", notPem.toString()), Map.of()).close());
        assertTrue(e.getMessage().startsWith("prometheus.auth.ca-file " + notPem), e.getMessage());
    }

    private PrometheusAuth auth(String token, String user, String password, String ca) {
        return PrometheusAuth.of(token, user, password, ca);
    }

    private PrometheusMetricsSource source(PrometheusAuth auth, Map<String, String> headers) {
        URI url = server.getStarted() ? URI.create(server.url("/").toString()) : URI.create("http://127.0.0.1:9");
        PrometheusEndpoint endpoint = new PrometheusEndpoint(url.toString(), Duration.ofSeconds(3), Duration.ofMinutes(2), 1000,
                Duration.ZERO, new RetrySettings(3, Duration.ofMillis(10)),
                new CircuitBreakerSettings(50, java.time.Duration.ofMinutes(1), 100, Duration.ofSeconds(30)), auth, headers);
        return new PrometheusMetricsSource(endpoint, DefaultQueries.schemes(),
                List.of(new TargetQueries(TARGET, List.of(new SignalQuery("cpu", "up", true)), "", "")), meters);
    }

    private void enqueueValues(int n) {
        for (int i = 0; i < n; i++) {
            server.enqueue(FailureShapesTest.json(vector(pod("qn-0", "0.5", AT.plusSeconds(15L * i)))));
        }
    }

    /** As a Secret volume rotates: a new file, newer than the old, moved over it in one step. */
    private void rotate(Path file, String content) throws IOException {
        Path next = write(file.getFileName() + ".next", content);
        Files.setLastModifiedTime(next, FileTime.from(Files.getLastModifiedTime(file).toInstant().plusSeconds(5)));
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }
}
