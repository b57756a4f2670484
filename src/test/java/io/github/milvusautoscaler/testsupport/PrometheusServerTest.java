package io.github.milvusautoscaler.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.InstallKind;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The parts of {@link PrometheusServer} the metrics tests do not use, checked once so later tests
 * (alerts, closed loop) can rely on them: rule files evaluate, the Alertmanager is configured, and a
 * restart keeps port and data.
 */
class PrometheusServerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void evaluatesRuleFilesKnowsItsAlertmanagerAndRestartsOnTheSamePortAndData() {
        try (FakeMilvusPods pods = new FakeMilvusPods(Clock.systemUTC())) {
            pods.start("milvus", "prod", InstallKind.HELM, "querynode", "prod-querynode-0", 2, 1e9).setReadQueue(12);
            String rules = """
                    groups:
                      - name: test
                        rules:
                          - record: test:read_queue:max
                            expr: max(milvus_querynode_read_task_ready_len)
                          - alert: ReadQueueHigh
                            expr: test:read_queue:max > 10
                    """;
            try (PrometheusServer prometheus = PrometheusServer.builder().targets(pods.targets()).ruleFile(rules)
                    .alertmanager(URI.create("http://127.0.0.1:9")).start()) {
                int port = prometheus.port();
                // 12 queued reads: the recording rule reads 12 and the alert (no "for") fires
                Poll.until("the recording rule", WAIT, () -> prometheus.query("test:read_queue:max"),
                        body -> body.contains("\"12\"]"));
                Poll.until("the alert firing", WAIT, () -> prometheus.query("ALERTS{alertname=\"ReadQueueHigh\"}"),
                        body -> body.contains("\"alertstate\":\"firing\""));
                assertTrue(prometheus.get("/api/v1/alertmanagers").contains("127.0.0.1:9"));

                prometheus.stop();
                assertFalse(prometheus.isRunning());
                prometheus.start();
                assertEquals(port, prometheus.port());
                // the series recorded before the restart are still there
                assertTrue(prometheus.query("count_over_time(test:read_queue:max[5m])").contains("\"result\":[{"));
            }
        }
    }

    /**
     * A server whose port was taken between finding it free and binding it says so as {@link ServerProcess.PortTaken},
     * which a first start answers with another port (the final CI run of one session lost PrometheusHistorySourceTest
     * to a port an outgoing connection took during its minute of backfill).
     */
    @Test
    void aPortTakenBeforeTheServerBindsItIsToldApart() throws Exception {
        ServerProcess.requireBinary(java.nio.file.Path.of("/usr/bin/prometheus"));
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("port-taken-");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            java.nio.file.Path config = dir.resolve("prometheus.yml");
            java.nio.file.Files.writeString(config, "global: {scrape_interval: 1s}\n");
            ServerProcess process = new ServerProcess("prometheus", java.nio.file.Path.of("/usr/bin/prometheus"),
                    dir.resolve("prometheus.log"));
            ServerProcess.PortTaken e = assertThrows(ServerProcess.PortTaken.class, () -> process.start(
                    java.util.List.of("--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                            "--web.listen-address=127.0.0.1:" + taken.getLocalPort()),
                    URI.create("http://127.0.0.1:" + taken.getLocalPort() + "/-/ready")));
            assertTrue(e.getMessage().contains("address already in use"), e.getMessage());
            process.stop();
        } finally {
            ServerProcess.deleteTree(dir);
        }
    }
}
