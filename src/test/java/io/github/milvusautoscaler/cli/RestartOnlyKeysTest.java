package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which keys of an edited file wait for a restart, compared with what runs: the whole alerts block was named though
 * alerts.step applied at once and routes did not (reload audit F2), and a revert to what runs still warned (F4).
 */
class RestartOnlyKeysTest {

    private static final String RUNNING = "milvus-autoscaler { alerts.step = 1, loop.interval = 15s }";

    private static AutoscalerSettings settings(String hocon) {
        return ConfigLoader.parse(hocon, "autoscaler.conf");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "the same file                   | milvus-autoscaler { alerts.step = 1, loop.interval = 15s }                                       | ",
        "alerts.step applies now         | milvus-autoscaler { alerts.step = 3, loop.interval = 15s }                                       | ",
        "alerts.routes apply now         | milvus-autoscaler { alerts.step = 1, loop.interval = 15s, alerts.routes = [ { match { team = db } } ] } | ",
        "loop.interval waits             | milvus-autoscaler { alerts.step = 1, loop.interval = 30s }                                       | loop.interval",
        "the book's limits wait          | milvus-autoscaler { alerts.step = 1, loop.interval = 15s, alerts.max-held = 10, alerts.forget-after = 13h } | alerts.max-held,alerts.forget-after",
        "the server's port, by its key   | milvus-autoscaler { alerts.step = 1, loop.interval = 15s, server.port = 8089 }                  | server.port",
        "a nested kubernetes key         | milvus-autoscaler { alerts.step = 1, loop.interval = 15s, kubernetes.leader-election.lease-duration = 30s, kubernetes.retry.max-attempts = 5 } | kubernetes.retry.max-attempts,kubernetes.leader-election.lease-duration",
        "max-actions and the log wait    | milvus-autoscaler { alerts.step = 1, loop.interval = 15s, max-actions-per-hour = 5, decision-log.path = \"-\" } | max-actions-per-hour,decision-log.path",
    })
    void keysThatWaitForARestartAreNamedEachByItsPath(String name, String next, String pending) {
        List<String> expected = pending == null ? List.of() : List.of(pending.split(","));
        assertEquals(expected, Daemon.restartOnly(settings(RUNNING), settings(next)));
    }

    /** Every key the WARN can name for server and kubernetes is one reference.conf documents. */
    @org.junit.jupiter.api.Test
    void theKeysNamedForServerAndKubernetesAreTheDocumentedOnes() {
        com.typesafe.config.Config reference = com.typesafe.config.ConfigFactory.parseResources("reference.conf")
                .getConfig("milvus-autoscaler");
        List<String> keys = new java.util.ArrayList<>();
        collect(keys, "server", io.github.milvusautoscaler.core.ServerSettings.class);
        collect(keys, "kubernetes", io.github.milvusautoscaler.core.KubernetesSettings.class);
        assertEquals(20, keys.size(), keys.toString());
        for (String key : keys) {
            org.junit.jupiter.api.Assertions.assertTrue(reference.hasPath(key), key + " is not in reference.conf");
        }
    }

    private static void collect(List<String> keys, String prefix, Class<?> record) {
        for (java.lang.reflect.RecordComponent c : record.getRecordComponents()) {
            String key = Daemon.configKey(prefix, c);
            if (c.getType().isRecord()) {
                collect(keys, key, c.getType());
            } else {
                keys.add(key);
            }
        }
    }
}
