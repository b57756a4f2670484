package io.github.milvusautoscaler.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
}
