package io.github.milvusautoscaler.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The generated README rows say what reference.conf says for each key: a UX audit found prometheus.url's
 * default hidden behind the PromQL placeholder and the templates that include component-pods or
 * component-ready carrying that template's description instead of their own.
 */
class ConfigReferenceTest {

    private static String row(String key) {
        return Arrays.stream(ConfigReference.markdown().split("\n")).filter(l -> l.startsWith("| `" + key + "` |"))
                .findFirst().orElseThrow(() -> new AssertionError("no row for " + key));
    }

    @Test
    void aLongValueThatIsNoTemplateIsPrinted() {
        assertEquals("| `prometheus.url` | `http://prometheus-operated.monitoring:9090` | Base URL of the Prometheus HTTP API,"
                + " http or https; the default is the Service the Prometheus operator creates (prometheus-operated) in"
                + " kube-prometheus-stack's usual namespace, so set it for any other install. |", row("prometheus.url"));
    }

    @Test
    void aTemplateIncludingAnotherCarriesItsOwnComment() {
        String cpu = row("queries.cpu");
        assertTrue(cpu.contains("| `(PromQL template in reference.conf; the signals command prints it rendered)` | CPU used / CPU requested, one series per serving (ready) pod of the component."), cpu);
        assertFalse(cpu.contains("Not a signal"), cpu);
        String qps = row("queries.qps");
        assertTrue(qps.contains("| Search, HybridSearch and Query requests/s through all proxies"), qps);
        assertFalse(qps.contains("Not a signal"), qps);
    }

    @Test
    void aReferenceToATemplateShowsThePlaceholderAndTheCommentAboveItsLine() {
        assertEquals("| `component-defaults.queryNode.settle-query` | `(PromQL template in reference.conf; the signals command prints it rendered)` | queryNode: throughput,"
                + " CPU and memory all matter; stopping balance gates step-downs. |", row("component-defaults.queryNode.settle-query"));
    }
}
