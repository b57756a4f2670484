package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.metrics.PrometheusHistorySource;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What the daemon reads of each target's load history: two weeks for a target that forecasts, only the peak
 * look-back (scale-in.peak-window) for one with forecasting off, so a restarted daemon recalls the recent peaks
 * either way (RestartPeaksStoryTest), and nothing when the look-back is off too.
 */
class HistoryReadingTest {

    @Test
    void aTargetWithForecastingOffReadsOnlyItsPeakLookBack() {
        AutoscalerSettings s = ConfigLoader.parse("""
                milvus-autoscaler.clusters = [{ namespace = milvus, name = m, install = helm, milvus-version = "2.5.6",
                  components {
                    queryNode {}
                    proxy { forecast.enabled = false }
                    dataNode { forecast.enabled = false, scale-in.peak-window = 0s }
                  } }]
                """, "autoscaler.conf");
        try (PrometheusHistorySource history = Assembly.historySource(s, s.targets(), Duration.ZERO)) {
            assertEquals(Optional.of(new PrometheusHistorySource.Reading(Duration.ofDays(14), Duration.ofMinutes(5),
                    Duration.ofHours(1))), history.reading(target(s, Component.QUERY_NODE)));
            // 120m at 5m, read again as often: 25 points, not two weeks
            assertEquals(Optional.of(new PrometheusHistorySource.Reading(Duration.ofMinutes(120), Duration.ofMinutes(5),
                    Duration.ofMinutes(120))), history.reading(target(s, Component.PROXY)));
            assertEquals(Optional.empty(), history.reading(target(s, Component.DATA_NODE)));
        }
    }

    private static io.github.milvusautoscaler.core.Target target(AutoscalerSettings s, Component c) {
        return s.targets().stream().map(TargetSettings::target).filter(t -> t.component() == c).findFirst().orElseThrow();
    }
}
