package io.github.milvusautoscaler.actuate;

import static io.github.milvusautoscaler.actuate.ActuateFixtures.NS;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.RELEASE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A throttled API server is waited for as long as it asks. kube-apiserver's max-in-flight and priority-and-fairness
 * filters answer 429 in plain text with {@code Retry-After: 1} (k8s.io/apiserver pkg/server/filters/maxinflight.go);
 * retried after the 200 ms and 400 ms back-off, all three attempts fell inside that one second.
 */
class ThrottlingTest {

    private static final String DEPLOYMENT = FakeKubernetesApi.Kind.DEPLOYMENTS.path(NS, RELEASE + "-milvus-querynode");

    private FakeKubernetesApi fake;
    private final List<Long> waits = new CopyOnWriteArrayList<>();
    private KubernetesRequests requests;

    @BeforeEach
    void start() throws IOException {
        fake = FakeKubernetesApi.start();
        ActuateFixtures.seedHelm(fake, 2, 2);
        requests = new KubernetesRequests(ActuateFixtures.client(fake), 3, Duration.ofMillis(200), waits::add);
    }

    @AfterEach
    void stop() throws IOException {
        fake.close();
    }

    @Test
    void a429IsRetriedAfterItsRetryAfterNotTheBackOff() {
        fake.fail("GET", DEPLOYMENT, 429, 2);
        assertEquals(2, requests.get(ApiResource.DEPLOYMENTS, NS, RELEASE + "-milvus-querynode")
                .getAsJsonObject("spec").get("replicas").getAsInt());
        assertEquals(List.of(1000L, 1000L), waits, "Retry-After: 1, twice; the back-off (200, 400 ms) is shorter");
        assertEquals(3, fake.requests("GET", DEPLOYMENT).size());
    }

    @Test
    void otherTransientFailuresKeepTheBackOff() {
        fake.fail("GET", DEPLOYMENT, 503, 2);
        requests.get(ApiResource.DEPLOYMENTS, NS, RELEASE + "-milvus-querynode");
        assertEquals(List.of(200L, 400L), waits);
    }

    @Test
    void aThrottledRequestThatNeverGetsThroughSaysSoInPlainWords() {
        fake.fail("GET", DEPLOYMENT, 429, -1);
        ActuationException e = assertThrows(ActuationException.class,
                () -> requests.get(ApiResource.DEPLOYMENTS, NS, RELEASE + "-milvus-querynode"));
        assertEquals(ActuationException.Kind.UNAVAILABLE, e.kind());
        // The plain-text body, not a Status, is what the message quotes, after what a 429 is (upgrade recheck 22: it
        // read as one more outage).
        assertTrue(e.getMessage().contains("HTTP 429 (throttled by the API server's priority and fairness; each try"
                + " waited its Retry-After, up to 5s): Too many requests, please try again later."), e.getMessage());
        assertEquals(List.of(1000L, 1000L), waits);
    }
}
