package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon whose API server goes away: /api/v1/status says the API server is unreachable, since
 * when and why, and the gauge drops to 0; it comes back when the server answers. The Lease's
 * namespace comes from the kubeconfig's current context when nothing else names one.
 */
class UnreachableApiServerTest {

    @TempDir
    Path dir;

    static JsonObject status(Daemon d) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + d.port() + "/api/v1/status")).build(), HttpResponse.BodyHandlers.ofString());
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    static double reachable(Daemon d) {
        var g = d.registry().find("milvus_autoscaler_kubernetes_reachable").gauge();
        return g == null ? Double.NaN : g.value();
    }

    @Test
    void statusAndGaugeSayTheApiServerIsUnreachableAndLeaseNamespaceComesFromTheContext() throws Exception {
        FakeKubernetesApi kube = FakeKubernetesApi.start();
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: fake, cluster: {server: %s}}]
                contexts: [{name: fake, context: {cluster: fake, user: tester, namespace: milvus-autoscaler}}]
                current-context: fake
                users: [{name: tester, user: {token: fake-api-token}}]
                """.formatted(kube.url()));
        Path conf = dir.resolve("autoscaler.conf");
        Files.writeString(conf, """
                milvus-autoscaler {
                  prometheus { url = "http://127.0.0.1:1", timeout = 1s, retry.max-attempts = 1 }
                  kubernetes { kubeconfig = "%s", events = false, request-timeout = 1s,
                               leader-election { identity = daemon-1, lease-duration = 4s, renew-deadline = 3s,
                                                 retry-period = 500ms } }
                  loop { interval = 500ms, jitter = 0s }
                  prometheus.share-window = 0s
                  server { port = 0, bind-address = "127.0.0.1" }
                  alerts.enabled = false
                  clusters = [ { namespace = milvus, name = a, install = helm, milvus-version = "2.5",
                                 components { queryNode {} } } ]
                }
                """.formatted(kubeconfig));
        try (Daemon d = Daemon.start(conf, ConfigLoader.load(conf), Clock.systemUTC())) {
            // The context's namespace is the one the shipped RBAC grants Leases in (deploy/base/rbac.yaml);
            // LeaderElectionTest shows the fallback with a namespace of its own.
            Poll.until("the Lease is taken in the context's namespace", Duration.ofSeconds(15),
                    () -> kube.get(FakeKubernetesApi.Kind.LEASES, "milvus-autoscaler", "milvus-autoscaler").isPresent(),
                    x -> x);
            assertEquals(1.0, reachable(d));
            assertTrue(status(d).getAsJsonObject("kubernetes").get("reachable").getAsBoolean());

            kube.close();
            JsonObject k = Poll.until("status says unreachable", Duration.ofSeconds(15),
                    () -> {
                        try {
                            return status(d).getAsJsonObject("kubernetes");
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, o -> !o.get("reachable").getAsBoolean());
            assertTrue(k.get("cause").getAsString().contains("Exception"), k.toString());
            assertTrue(k.has("unreachableSince"), k.toString());
            assertTrue(!k.toString().contains("fake-api-token"));
            assertEquals(0.0, reachable(d));
        }
    }
}
