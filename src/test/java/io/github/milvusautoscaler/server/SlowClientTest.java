package io.github.milvusautoscaler.server;

import io.github.milvusautoscaler.core.ServerSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile and slow clients on a real socket: they must not starve the health endpoints, and the
 * server must cut them off after its read deadlines.
 */
class SlowClientTest {

    static final ServerSettings LIMITS = new ServerSettings(0, "127.0.0.1", Duration.ofSeconds(2), Duration.ofSeconds(3),
            64, 16, 16384, 65536);

    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final List<Socket> slow = new ArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);
    HttpApi api;

    @AfterEach
    void stop() throws IOException {
        release.countDown();
        for (Socket s : slow) {
            s.close();
        }
        if (api != null) {
            api.close();
        }
    }

    HttpApi start(Map<String, com.sun.net.httpserver.HttpHandler> extra) {
        api = new HttpApi(LIMITS, registry, () -> { }, () -> "{}", extra);
        api.markReady();
        return api;
    }

    /** Opens a connection from {@code from} and sends {@code text}, then nothing more. */
    Socket stall(String from, String text) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(new InetSocketAddress("127.0.0.1", api.port()), 2000);
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        slow.add(s);
        return s;
    }

    /** A complete GET on a fresh connection from {@code from}; returns the status line, with a 3 s read limit. */
    String get(String from, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress("127.0.0.1", api.port()), 2000);
            s.setSoTimeout(3000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return all.isEmpty() ? "" : all.substring(0, all.indexOf('\r'));
        }
    }

    static final String HEADERS_NO_END = "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n";
    static final String UNFINISHED_BODY = "POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: 1000\r\n\r\n{\"version\":";

    @Test
    void fourConnectionsStuckInTheirHeadersDoNotStopHealthOrMetrics() throws Exception {
        start(Map.of());
        for (int i = 0; i < 4; i++) {
            stall("127.0.0.1", HEADERS_NO_END);
        }
        long t0 = System.nanoTime();
        assertEquals("HTTP/1.1 200 OK", get("127.0.0.1", "/healthz"));
        assertEquals("HTTP/1.1 200 OK", get("127.0.0.1", "/readyz"));
        assertEquals("HTTP/1.1 200 OK", get("127.0.0.1", "/metrics"));
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "answered at once");
    }

    @Test
    void twelveUnfinishedBodiesDoNotStopHealthOrTheWebhook() throws Exception {
        start(Map.of("/api/v1/alerts", ex -> {
            ex.getRequestBody().readAllBytes();
            HttpApi.send(ex, 200, "application/json", "{}");
        }));
        for (int i = 0; i < 12; i++) {
            stall("127.0.0.1", UNFINISHED_BODY);
        }
        assertEquals("HTTP/1.1 200 OK", get("127.0.0.1", "/healthz"));
        assertEquals("HTTP/1.1 200 OK", get("127.0.0.1", "/metrics"));
        try (Socket s = new Socket("127.0.0.1", api.port())) {
            s.setSoTimeout(3000);
            s.getOutputStream().write(("POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 200 OK"), answer);
        }
    }

    @Test
    void stalledHeadersAndBodiesAreCutOffAtTheirDeadlines() throws Exception {
        start(Map.of("/api/v1/alerts", ex -> {
            ex.getRequestBody().readAllBytes();
            HttpApi.send(ex, 200, "application/json", "{}");
        }));
        Socket headers = stall("127.0.0.1", HEADERS_NO_END);
        Socket body = stall("127.0.0.1", UNFINISHED_BODY);
        for (Socket s : List.of(headers, body)) {
            s.setSoTimeout(8000);
            long t0 = System.nanoTime();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            // Header deadline 2 s, request deadline 3 s after the headers: closed by the server, never left open.
            assertTrue(ms < 6000, "closed after " + ms + " ms");
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 408"), answer);
        }
    }

    @Test
    void fiftySlowClientsHoldingConnectionsDoNotSlowTheHealthProbe() throws Exception {
        start(Map.of());
        // 50 clients from 50 addresses (one connection each: under both caps), all holding their connection.
        for (int i = 1; i <= 50; i++) {
            stall("127.0.1." + i, HEADERS_NO_END);
        }
        long[] ms = new long[20];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            assertEquals("HTTP/1.1 200 OK", get("127.0.0.2", "/healthz"));
            ms[i] = (System.nanoTime() - t0) / 1_000;
        }
        java.util.Arrays.sort(ms);
        System.out.printf("/healthz while 50 slow clients hold connections: median %.2f ms, worst %.2f ms of %d%n",
                ms[ms.length / 2] / 1e3, ms[ms.length - 1] / 1e3, ms.length);
        assertTrue(ms[ms.length - 1] < 500_000, "worst " + ms[ms.length - 1] / 1000 + " ms");
        assertEquals(0.0, rejected("max_connections") + rejected("max_connections_per_client"), "all 50 were held");
    }

    @Test
    void oneAddressFloodingIsCappedAndAProbeFromAnotherStillAnswers() throws Exception {
        start(Map.of());
        for (int i = 0; i < 50; i++) {
            try {
                stall("127.0.0.1", HEADERS_NO_END);
            } catch (IOException refused) {
                // Past the per-client cap the server answers 503 and closes: that is the point.
            }
        }
        // The flooding address got 16 connections (server.max-connections-per-client); the other 34 were refused.
        double refused = io.github.milvusautoscaler.testsupport.Poll.until("34 refusals counted", Duration.ofSeconds(2),
                () -> rejected("max_connections_per_client"), n -> n >= 34);
        assertEquals(34.0, refused);
        assertEquals("HTTP/1.1 200 OK", get("127.0.0.2", "/healthz"));
    }

    @Test
    void pastTheOverallCapANewConnectionGets503AtOnce() throws Exception {
        api = new HttpApi(new ServerSettings(0, "127.0.0.1", Duration.ofSeconds(2), Duration.ofSeconds(3), 4, 4,
                16384, 65536), registry, () -> { }, () -> "{}", Map.of());
        for (int i = 1; i <= 4; i++) {
            stall("127.0.2." + i, HEADERS_NO_END);
        }
        // The acceptor takes connections in order, so the fifth is counted against the four before it.
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
            s.connect(new InetSocketAddress("127.0.0.1", api.port()), 2000);
            s.setSoTimeout(3000);
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
            assertTrue(answer.contains("server.max-connections = 4"), answer);
        }
        assertEquals(1.0, rejected("max_connections"));
    }

    /** Headers over server.max-header-bytes (16384 here) get 431 and count with the other refusals. */
    @Test
    void headersOverTheLimitGet431AndAreCounted() throws Exception {
        start(Map.of());
        assertEquals(0.0, rejected("header_too_large"), "registered at zero before the first refusal");
        Socket s = stall("127.0.0.1", "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
        s.setSoTimeout(3000);
        String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
        assertEquals(1.0, rejected("header_too_large"));
        assertEquals("HTTP/1.1 200 OK", get("127.0.0.1", "/healthz"), "the server goes on");
    }

    double rejected(String reason) {
        return registry.counter("milvus_autoscaler_http_rejected", "reason", reason).count();
    }
}
