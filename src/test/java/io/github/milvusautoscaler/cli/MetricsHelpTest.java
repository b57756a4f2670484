package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.deploy.MetricCatalog;
import io.github.milvusautoscaler.deploy.Tools;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code milvus_autoscaler_*} family a running daemon exports says what it counts in its {@code # HELP}
 * line: a scrape read with {@code curl} or in Prometheus' metric explorer is the first place an SRE looks, and
 * an empty HELP (Micrometer's {@code registry.counter(name, tags)} sets none) said nothing.
 */
class MetricsHelpTest {

    private static final Pattern HELP = Pattern.compile("^# HELP (milvus_autoscaler_\\w+) ?(.*)$");

    @TempDir
    Path dir;

    @Test
    void everyOwnMetricOfARunningDaemonHasAHelpLineAndTheScrapePassesPromtool() throws Exception {
        try (FakeKubernetesApi kube = HotReloadTest.withDeployments("a")) {
            Path file = dir.resolve("autoscaler.conf");
            Files.writeString(file, """
                    milvus-autoscaler {
                      prometheus { url = "http://127.0.0.1:1", timeout = 1s, retry.max-attempts = 1 }
                      kubernetes { kubeconfig = "%s", leader-election.enabled = false, events = false }
                      loop { interval = 500ms, jitter = 0s }
                      prometheus.share-window = 0s
                      server { port = 0, bind-address = "127.0.0.1" }
                      clusters = [ %s ]
                    }
                    """.formatted(kube.writeKubeconfig(dir.resolve("kubeconfig")), HotReloadTest.cluster("a")));
            try (Daemon daemon = Daemon.start(file, ConfigLoader.load(file), Clock.systemUTC())) {
                Poll.until("target a ticks", Duration.ofSeconds(30), () -> daemon.engine().views().keySet(),
                        k -> k.contains(HotReloadTest.A));
                String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + daemon.port() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Map<String, String> help = new TreeMap<>();
                scrape.lines().map(HELP::matcher).filter(Matcher::matches)
                        .forEach(m -> help.put(m.group(1), m.group(2).strip()));
                // Every family the catalog knows is there, so none escapes the check by not being exported yet.
                TreeSet<String> expected = new TreeSet<>(MetricCatalog.exportedNames().stream()
                        .filter(n -> n.startsWith("milvus_autoscaler_")).map(MetricsHelpTest::family).toList());
                assertEquals(expected, new TreeSet<>(help.keySet().stream().map(MetricsHelpTest::family).toList()),
                        "families exported");
                Map<String, String> empty = new TreeMap<>(help);
                empty.values().removeIf(text -> !text.isEmpty());
                assertEquals(Map.of(), empty, "families without a description");
                help.forEach((name, text) -> assertTrue(!text.contains("\n"), name));
                // The whole scrape, JVM and process meters included, passes Prometheus' own lint: Micrometer's
                // process_cpu_time_ns_total and system_cpu_count did not (observability audit L4).
                Tools.Result lint = Tools.run(dir, List.of(Tools.promtool().toString(), "check", "metrics"), scrape);
                assertEquals("", lint.output().strip(), "promtool check metrics on the daemon's scrape");
                assertEquals(0, lint.exitCode(), "promtool check metrics' exit code");
                assertTrue(scrape.contains("\nprocess_cpu_seconds_total "), "the JVM's CPU time, in seconds");
                assertTrue(scrape.contains("\nsystem_cpus "), "the processors the JVM has");
            }
        }
    }

    /** The family of an exported sample name: timers export _seconds_count, _sum and _max under two families. */
    private static String family(String name) {
        return name.replaceAll("_(count|sum|bucket)$", "");
    }
}
