package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.metrics.PrometheusMetricsSource;
import io.github.milvusautoscaler.testsupport.VictoriaMetricsServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * VictoriaMetrics without -vmalert.proxyURL answers the rules API with no group at all (the real binary, Debian's
 * victoria-metrics: {"status":"success","data":{"groups":[]}}). doctor reads that as saying nothing and falls back to
 * Prometheus' own gauge, rather than reporting that no rule group is loaded.
 */
class VictoriaMetricsRulesTest {

    @Test
    void anEmptyRulesAnswerIsNoVerdictOnTheLoadedGroups(@TempDir Path dir) throws Exception {
        try (VictoriaMetricsServer vm = VictoriaMetricsServer.start(Duration.ofSeconds(1), List.of())) {
            Path config = Files.writeString(dir.resolve("vm.conf"), """
                    milvus-autoscaler {
                      prometheus.url = "%s"
                      clusters = [{ namespace = milvus, name = prod, install = helm, milvus-version = "2.5.6",
                                    components { proxy {} } }]
                    }
                    """.formatted(vm.url()));
            AutoscalerSettings settings = ConfigLoader.load(config);
            try (PrometheusMetricsSource source = new PrometheusMetricsSource(settings.prometheus(),
                    settings.labelSchemes(), List.of(), new SimpleMeterRegistry())) {
                PrometheusMetricsSource.RuleGroups groups = source.ruleGroups();
                assertEquals(Optional.empty(), groups.failure());
                assertEquals(Map.of(), groups.groups());
            }
            StringWriter out = new StringWriter();
            new CommandLine(new DoctorCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(new StringWriter()))
                    .execute("--config", config.toString());
            String line = out.toString().lines().filter(l -> l.contains("alert-rules")).findFirst().orElseThrow();
            assertTrue(line.strip().startsWith("note alert-rules          cannot tell whether Prometheus loaded the rule"
                    + " groups milvus-autoscaling and milvus-autoscaler: its rules API (/api/v1/rules) answered "
                    + DoctorCommand.NO_GROUPS), line);
        }
    }
}
