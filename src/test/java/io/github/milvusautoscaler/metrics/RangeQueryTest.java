package io.github.milvusautoscaler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.PrometheusEndpoint;
import io.github.milvusautoscaler.testsupport.NoDelayServerSocketFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Range queries (backtest, the load history) wait outside any tick, so they are not held to the instant queries'
 * {@code prometheus.timeout}, and a history that cannot be read stops asking (backtest recheck 2, L1: a Prometheus
 * answering each range in 6 s failed every one at the 5 s timeout, one query text after another, for 91 s).
 */
class RangeQueryTest {

    private static final Instant FROM = Instant.parse("2026-11-20T00:00:00Z");
    /** A range answer with no series, in the shape of Prometheus' HTTP API docs ("Range queries": resultType matrix). */
    private static final String EMPTY_MATRIX = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}";

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

    /** TestEndpoints' settings with a 300 ms timeout. */
    private PrometheusEndpoint endpoint() {
        PrometheusEndpoint e = TestEndpoints.of(server.url("/").uri());
        return new PrometheusEndpoint(e.url(), Duration.ofMillis(300), e.staleAfter(), e.maxSeries(), e.shareWindow(),
                e.retry(), e.breaker(), e.auth(), e.headers());
    }

    @Test
    void aRangeQueryWaitsLongerThanAnInstantQuery() {
        MockResponse slow = new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                .headersDelay(800, TimeUnit.MILLISECONDS).body(EMPTY_MATRIX).build();
        server.enqueue(slow);
        server.enqueue(slow);
        try (QueryClient client = new QueryClient(endpoint(), new SimpleMeterRegistry(), Clock.systemUTC())) {
            QueryResult range = client.queryRange("up", FROM, FROM.plusSeconds(600), Duration.ofSeconds(15));
            assertInstanceOf(QueryResult.Samples.class, range, range.toString());
            QueryResult.Failed instant = assertInstanceOf(QueryResult.Failed.class, client.query("up", FROM));
            assertEquals(FailureKind.TIMEOUT, instant.kind());
            assertEquals("prometheus timeout after 300ms", instant.reason());
        }
    }

    @Test
    void aHistoryThatCannotBeReadStopsAskingAtItsFirstFailedRange() {
        for (int i = 0; i < 10; i++) {
            server.enqueue(FailureShapesTest.status(503, ""));
        }
        try (QueryClient client = new QueryClient(TestEndpoints.of(server.url("/").uri()), new SimpleMeterRegistry(),
                Clock.systemUTC())) {
            RangeCache cache = new RangeCache(client, FROM, FROM.plusSeconds(3600), Duration.ofSeconds(15), 100,
                    q -> { });
            QueryResult.Failed first = assertInstanceOf(QueryResult.Failed.class, cache.query("up", FROM));
            assertTrue(first.reason().startsWith("prometheus HTTP 503 (2 attempts) (range 2026-11-20T00:00:00Z .. "),
                    first.reason());
            int asked = server.getRequestCount();
            assertEquals(2, asked, "TestEndpoints' two attempts");
            QueryResult.Failed second = assertInstanceOf(QueryResult.Failed.class, cache.query("sum(up)", FROM));
            assertEquals("not asked: an earlier range query failed (" + first.reason() + ")", second.reason());
            assertEquals(asked, server.getRequestCount(), "nothing sent for the second query text");
        }
    }
}
