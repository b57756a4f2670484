package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.engine.EngineTarget;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What each target's signals measure, as the engine compares it across a reload: the query as sent, so a label scheme
 * fixed in the config (the template unchanged) starts the scale-in sustain again (reload recheck F1: a component-label
 * fixed from one that read 0 kept the sustain of zeros, and the target stepped down 2 -> 1 on in-band readings).
 */
class EngineTargetsTest {

    private static Map<String, String> measures(String labelSchemes) {
        AutoscalerSettings s = ConfigLoader.parse("milvus-autoscaler { " + labelSchemes + """
                 clusters = [{ namespace = milvus, name = op, install = operator, milvus-version = "2.5.6",
                  components { queryNode {} } }] }
                """, "autoscaler.conf");
        EngineTarget t = Assembly.engineTargets(s.labelSchemes(), s.targets()).get(0);
        return t.measures();
    }

    @Test
    void aLabelSchemeFixedInTheConfigChangesWhatTheSignalsMeasure() {
        Map<String, String> wrong = measures("label-schemes.operator.component-label = component,");
        Map<String, String> fixed = measures("");
        assertEquals(fixed, measures(""), "the same config measures the same");
        assertNotEquals(wrong.get("cpu"), fixed.get("cpu"));
        // The operator PodMonitor's label (milvus-operator pkg/controllers/podmonitor.go, PodTargetLabels), rendered.
        assertTrue(fixed.get("cpu").contains("app_kubernetes_io_component"), fixed.get("cpu"));
        assertTrue(!fixed.get("cpu").contains("{component_label}"), "rendered, not the template: " + fixed.get("cpu"));
    }
}
