package io.github.milvusautoscaler.engine;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Forecast;
import io.github.milvusautoscaler.core.HistorySource;
import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.policy.ForecastSettings;
import io.github.milvusautoscaler.policy.SeasonalForecast;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each target's seasonal forecast at a tick, from its load history. Which signals repeat (the forecast's
 * own error over the last day) depends on the history alone, so it is kept per target until the source
 * hands out a new history (hourly in the simulator, at each refresh in the daemon) rather than recomputed
 * every tick.
 */
final class Forecasts {

    private record Seasonal(LoadHistory history, ForecastSettings settings, Set<String> signals) {
    }

    private final HistorySource source;
    private final Map<Target, Seasonal> seasonal = new ConcurrentHashMap<>();

    Forecasts(HistorySource source) {
        this.source = requireNonNull(source, "source");
    }

    /** The forecast of {@code target} at {@code now}; none when forecasting is off or the history too short. */
    Forecast forecast(Target target, ForecastSettings settings, Instant now) {
        if (!settings.enabled()) {
            return Forecast.NONE;
        }
        LoadHistory history = source.history(target, now);
        if (history.signals().isEmpty()) {
            return Forecast.NONE;
        }
        Seasonal known = seasonal.get(target);
        if (known == null || known.history() != history || !known.settings().equals(settings)) {
            known = new Seasonal(history, settings, SeasonalForecast.seasonal(history, settings));
            seasonal.put(target, known);
        }
        return SeasonalForecast.forecast(history, now, settings, known.signals());
    }
}
