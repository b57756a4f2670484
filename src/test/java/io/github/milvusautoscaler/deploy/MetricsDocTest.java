package io.github.milvusautoscaler.deploy;

import io.github.milvusautoscaler.core.LabelScheme;
import io.github.milvusautoscaler.core.SignalQuery;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.metrics.PromqlTemplate;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/metrics.md stays true to the code it describes: every default query is documented, its rendered
 * example is what the cpu template renders today, and its configuration example loads.
 */
class MetricsDocTest {

    private static final Path DOC = Repo.ROOT.resolve("docs/metrics.md");

    @Test
    void everyDefaultQueryIsDocumented() {
        String doc = Repo.read(DOC);
        AutoscalerSettings settings = ConfigLoader.parse("milvus-autoscaler {}", "empty.conf");
        assertFalse(settings.queryTemplates().isEmpty());
        List<String> missing = settings.queryTemplates().keySet().stream()
                .filter(name -> !doc.contains("`queries." + name + "`")).toList();
        assertEquals(List.of(), missing, "templates of milvus-autoscaler.queries that docs/metrics.md does not name");
    }

    /** Every metric the daemon exports about itself has its row in docs/metrics.md, so an SRE can look it up. */
    @Test
    void everyOwnMetricIsDocumented() {
        String doc = Repo.read(DOC);
        List<String> missing = MetricCatalog.exportedNames().stream()
                .filter(name -> name.startsWith("milvus_autoscaler_"))
                .map(name -> name.replaceAll("_(count|sum|max)$", ""))
                .distinct()
                .filter(name -> !doc.contains("| `" + name + "` |"))
                .toList();
        assertEquals(List.of(), missing, "metrics the daemon exports that docs/metrics.md has no row for");
    }

    /** The rendered example's numerator (everything before the division) is the cpu template rendered now. */
    @Test
    void renderedCpuExampleIsWhatTheTemplateRenders() {
        String doc = Repo.read(DOC);
        int section = doc.indexOf("### A rendered example");
        assertTrue(section > 0, "docs/metrics.md has a rendered example");
        int start = doc.indexOf("```promql\n", section) + "```promql\n".length();
        String example = doc.substring(start, doc.indexOf("```", start));

        AutoscalerSettings settings = ConfigLoader.parse("milvus-autoscaler {}", "empty.conf");
        var loaded = settings.labelScheme(InstallKind.OPERATOR);
        String rendered = PromqlTemplate.render(settings.queryTemplates().get("cpu"),
                new Target("milvus", "prod", Component.QUERY_NODE, InstallKind.OPERATOR),
                new LabelScheme(loaded.instanceLabel(), loaded.componentLabel()));
        assertEquals(numerator(rendered), numerator(example), "the numerator of docs/metrics.md's cpu example");
    }

    /** The configuration example loads, and its own per-pod signal joins the owner chain, not kube_pod_labels. */
    @Test
    void overridingExampleLoads() {
        String doc = Repo.read(DOC);
        int start = doc.indexOf("```hocon\n") + "```hocon\n".length();
        assertTrue(start > "```hocon\n".length() - 1, "docs/metrics.md has a HOCON example");
        AutoscalerSettings settings = ConfigLoader.parse(doc.substring(start, doc.indexOf("```", start)), "metrics.md");
        TargetSettings queryNode = settings.targets().get(0);
        SignalQuery disk = queryNode.signals().stream().filter(s -> s.name().equals("disk-used")).findFirst().orElseThrow();
        assertTrue(disk.template().contains("kube_replicaset_owner"), disk.template());
        assertFalse(disk.template().contains("kube_pod_labels"), disk.template());
    }

    private static String numerator(String promql) {
        int division = promql.indexOf("\n/\n");
        assertTrue(division > 0, "a division on a line of its own: " + promql);
        return promql.substring(0, division).replaceAll("\\s+", " ").strip();
    }
}
