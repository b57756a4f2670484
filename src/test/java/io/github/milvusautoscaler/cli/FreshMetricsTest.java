package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.metrics.PrometheusMetricsSource;
import io.github.milvusautoscaler.testsupport.NoDelayServerSocketFactory;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * {@code scale} polls one target every --poll-interval (2 s, say) and must read Prometheus at every poll; the
 * daemon's source shares an answer within share-window (5 s) between targets of a cluster, which handed scale's
 * polls answers up to 5 s old (daemon e2e audit F6).
 */
class FreshMetricsTest {

    @Test
    void scalesSourceAsksAtEveryPollTheDaemonsSharesWithinTheWindow() throws Exception {
        AtomicInteger queries = new AtomicInteger();
        try (MockWebServer prometheus = new MockWebServer()) {
            prometheus.setServerSocketFactory(new NoDelayServerSocketFactory());
            prometheus.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    queries.incrementAndGet();
                    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                            .body("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}").build();
                }
            });
            prometheus.start();
            AutoscalerSettings settings = ConfigLoader.parse("""
                    milvus-autoscaler {
                      prometheus { url = "%s", share-window = 5s }
                      clusters = [{ namespace = milvus, name = prod, install = helm, milvus-version = "2.5.6",
                                    components { proxy {} } }]
                    }
                    """.formatted(prometheus.url("/")), "fresh.conf");
            ConfigAndCluster.Selected selected = new ConfigAndCluster.Selected(settings, settings.targets());
            Instant t0 = Instant.parse("2026-12-03T10:00:00Z");

            int[] shared = asked(selected.metrics(settings.targets()), selected, t0, queries);
            int[] fresh = asked(selected.freshMetrics(settings.targets()), selected, t0, queries);
            // The daemon's: the second observation, 2 s later, asks nothing. scale's: as many as the first.
            assertEquals(0, shared[1], "the daemon's source shares within share-window");
            assertEquals(fresh[0], fresh[1], "scale's source asks at every poll");
            assertEquals(shared[0], fresh[0]);
            assertTrue(fresh[0] > 0, "the first observation asks");
        }
    }

    /** Queries sent for each of two observations 2 s apart. */
    private static int[] asked(PrometheusMetricsSource source, ConfigAndCluster.Selected selected, Instant t0,
                             AtomicInteger queries) {
        try (source) {
            var target = selected.targets().get(0).target();
            source.observe(target, t0);
            int first = queries.get();
            source.observe(target, t0.plusSeconds(2));
            int second = queries.get() - first;
            queries.set(0);
            return new int[] {first, second};
        }
    }
}
