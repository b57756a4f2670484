package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.Poll;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tick that outlasts the loop interval makes the next one skip, and /metrics counts it. */
class SkippedTicksTest {

    @TempDir
    Path dir;

    @Test
    void ticksSkippedBehindASlowPrometheusAreExported() throws Exception {
        // A Prometheus that accepts connections (the kernel's backlog) and never answers: each query waits
        // out its 2 s timeout, so ticks every 200 ms overrun.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             FakeKubernetesApi kube = FakeKubernetesApi.start()) {
            kube.put(FakeKubernetesApi.Kind.DEPLOYMENTS, ClosedLoopTest.deployment(2).replace(ClosedLoopTest.RELEASE, "a"));
            Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
            Path file = Files.writeString(dir.resolve("autoscaler.conf"), """
                    milvus-autoscaler {
                      prometheus { url = "http://127.0.0.1:%d", timeout = 2s, retry.max-attempts = 1 }
                      kubernetes { kubeconfig = "%s", leader-election.enabled = false, events = false }
                      loop { interval = 200ms, jitter = 0s }
                      server { port = 0, bind-address = "127.0.0.1" }
                      alerts.enabled = false
                      clusters = [ { namespace = milvus, name = a, install = helm, milvus-version = "2.5",
                                     components { queryNode {} } } ]
                    }
                    """.formatted(silent.getLocalPort(), kubeconfig));
            try (Daemon daemon = Daemon.start(file, ConfigLoader.load(file), Clock.systemUTC())) {
                HttpClient http = HttpClient.newHttpClient();
                Pattern line = Pattern.compile("(?m)^milvus_autoscaler_ticks_skipped_total (\\S+)$");
                double skipped = Poll.until("skipped ticks exported", Duration.ofSeconds(20), () -> {
                    try {
                        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port()
                                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                        Matcher m = line.matcher(body);
                        return m.find() ? Double.parseDouble(m.group(1)) : -1.0;
                    } catch (Exception e) {
                        return -1.0;
                    }
                }, v -> v >= 3);
                assertTrue(skipped >= 3, "skipped " + skipped);
            }
        }
    }
}
