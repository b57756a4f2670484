package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.github.milvusautoscaler.engine.ManualClock;
import java.time.Instant;
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
        // A Prometheus that accepts connections (the kernel's backlog) and never answers: the first tick waits
        // out a 500 ms timeout per query, and the loop, timed on the daemon's manual clock, comes due three more times in it.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             FakeKubernetesApi kube = FakeKubernetesApi.start()) {
            kube.put(FakeKubernetesApi.Kind.DEPLOYMENTS, ClosedLoopTest.deployment(2).replace(ClosedLoopTest.RELEASE, "a"));
            Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
            Path file = Files.writeString(dir.resolve("autoscaler.conf"), """
                    milvus-autoscaler {
                      prometheus { url = "http://127.0.0.1:%d", timeout = 500ms, retry.max-attempts = 1 }
                      kubernetes { kubeconfig = "%s", leader-election.enabled = false, events = false }
                      loop { interval = 15s, jitter = 0s }
                      server { port = 0, bind-address = "127.0.0.1" }
                      alerts.enabled = false
                      clusters = [ { namespace = milvus, name = a, install = helm, milvus-version = "2.5",
                                     components { queryNode {} } } ]
                    }
                    """.formatted(silent.getLocalPort(), kubeconfig));
            ManualClock clock = new ManualClock(Instant.parse("2025-06-01T12:00:00Z"));
            try (Daemon daemon = Daemon.start(file, ConfigLoader.load(file), clock)) {
                // The first tick started at the start (delay 0) and hangs on the silent Prometheus.
                for (int i = 0; i < 3; i++) {
                    clock.advance(Duration.ofSeconds(15));
                }
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
                }, v -> v >= 0);
                assertEquals(3.0, skipped, "each of the 3 ticks due while the first hung was skipped");
            }
        }
    }
}
