package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a reload says it changed, in validate-config's words: "config reloaded: 5 targets" alone left an SRE who tuned
 * a running daemon to guess whether the edit took (reload audit F8, which named only targets added and removed).
 */
class SettingsTextTest {

    private static AutoscalerSettings settings(String components, String daemon) {
        return ConfigLoader.parse("milvus-autoscaler { " + daemon + """
                 clusters = [{ namespace = milvus, name = hr, install = helm, milvus-version = "2.5.6",
                  components { %s } }] }
                """.formatted(components), "autoscaler.conf");
    }

    private static List<String> changes(String before, String after) {
        return SettingsText.changes(settings(before, ""), settings(after, ""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "one duration        | queryNode { scale-in.sustain = 10m }                            | milvus/hr/queryNode: scale-in sustain 15m -> 10m",
        "two of one part     | queryNode { scale-in { sustain = 10m, cooldown = 10m } }       | milvus/hr/queryNode: scale-in sustain 15m -> 10m; scale-in cooldown 5m -> 10m",
        "replicas            | queryNode { max-replicas = 12 }                                 | milvus/hr/queryNode: replicas max 10 -> 12",
        "new-pod-grace on    | queryNode { scale-in.new-pod-grace = 1m }                       | milvus/hr/queryNode: scale-in new-pod-grace 1m",
        "size-ahead on       | queryNode { scale-out.size-ahead = 4m }                         | milvus/hr/queryNode: scale-out size-ahead 4m",
        "a band              | queryNode { signals.cpu.scale-out-above = 0.8 }                 | milvus/hr/queryNode: cpu band [0.4, 0.75] target 0.575 per-pod -> [0.4, 0.8] target 0.6 per-pod",
        "a query             | queryNode { signals.cpu.query = \"vector(0.5)\" }               | milvus/hr/queryNode: cpu query changed",
        "a signal off        | queryNode { signals.memory.enabled = false }                    | milvus/hr/queryNode: signals removed memory",
        "forecast off        | queryNode { forecast.enabled = false }                          | milvus/hr/queryNode: forecast lead 5m, horizon 150m, fill 1, line 1.13, max-step 4, min-history 2d, max-error 0.2, history 14d every 5m, refresh 1h, days in UTC (workdays daily) -> off",
    })
    void eachChangedPartIsNamedWithItsOldAndNewValue(String name, String after, String expected) {
        assertEquals(List.of(expected), changes("queryNode {}", after));
    }

    /** A part that goes is named with "-> off", not the whole line before and after. */
    @Test
    void aPartThatGoesIsNamedOff() {
        assertEquals(List.of("milvus/hr/queryNode: scale-out size-ahead 4m -> off"),
                changes("queryNode { scale-out.size-ahead = 4m }", "queryNode {}"));
    }

    @Test
    void theSameSettingsChangeNothingAndAnAddedTargetIsTheReloadLinesOwn() {
        assertEquals(List.of(), changes("queryNode {}", "queryNode {}"));
        assertEquals(List.of(), changes("queryNode {}", "queryNode {}, proxy {}"));
    }

    @Test
    void theDaemonsLiveKeysAreNamedByTheirPathAndRestartOnlyOnesAreLeftToTheirWarning() {
        AutoscalerSettings before = settings("queryNode {}", "");
        AutoscalerSettings after = settings("queryNode {}", "prometheus.timeout = 10s, alerts.step = 2,"
                + " alerts.routes = [ { match { team = db } } ], loop.interval = 30s,");
        assertEquals(List.of("daemon: prometheus.timeout 5s -> 10s; alerts.step 1 -> 2; alerts.routes changed (1 routes)"),
                SettingsText.changes(before, after));
    }
}
