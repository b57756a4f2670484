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

    /**
     * @param oldest per seasonal signal, in the order of {@code signals}, its history's oldest known sample
     *               (null when none): it too depends on the history alone, and each tick asks it
     */
    private record Seasonal(LoadHistory history, ForecastSettings settings, Set<String> signals, Instant[] oldest) {

        static Seasonal of(LoadHistory history, ForecastSettings settings) {
            Set<String> signals = SeasonalForecast.seasonal(history, settings);
            Instant[] oldest = new Instant[signals.size()];
            int i = 0;
            for (String signal : signals) {
                oldest[i++] = history.oldest(signal);
            }
            return new Seasonal(history, settings, signals, oldest);
        }
    }

    /** The last forecast of a target and the grid points its windows covered: ticks between two points share it. */
    private record Last(Seasonal seasonal, long firstPoint, long lastPoint, long oldEnough, Forecast forecast) {
    }

    private final HistorySource source;
    private final Map<Target, Seasonal> seasonal = new ConcurrentHashMap<>();
    private final Map<Target, Last> last = new ConcurrentHashMap<>();

    Forecasts(HistorySource source) {
        this.source = requireNonNull(source, "source");
    }

    /** Drops what is kept for a removed target: a whole two weeks of history each. */
    void forget(Target target) {
        seasonal.remove(target);
        last.remove(target);
    }

    /** Keeps what was read for {@code from} under {@code to}, the same object renamed by a reload (Engine#renamed). */
    void renamed(Target from, Target to) {
        Seasonal s = seasonal.remove(from);
        if (s != null) {
            seasonal.put(to, s);
        }
        Last l = last.remove(from);
        if (l != null) {
            last.put(to, l);
        }
    }

    /**
     * The forecast of {@code target} at {@code now}; none when forecasting is off or the history too short. With
     * forecasting off the history the source has (the peak look-back alone, see Assembly#historySource) still
     * rides along, so a daemon that has just started recalls the recent peaks it did not see (RecentPeak).
     */
    Forecast forecast(Target target, ForecastSettings settings, Instant now) {
        LoadHistory history = source.history(target, now);
        if (history.signals().isEmpty()) {
            return Forecast.NONE;
        }
        if (!settings.enabled()) {
            return Forecast.NONE.withHistory(history);
        }
        Seasonal known = seasonal.get(target);
        if (known == null || known.history() != history || !known.settings().equals(settings)) {
            known = Seasonal.of(history, settings);
            seasonal.put(target, known);
        }
        // The windows [now, now + lead] and [now, now + hold] read the grid points from ceil(now / step) on, up
        // to floor((now + horizon) / step); with whole-step horizons both change only when now crosses a point,
        // so the 20 ticks of 15 s between two 5m points share one forecast (a sixth of nyc_taxi's run time).
        long stepMs = history.step().toMillis();
        long sinceStart = now.toEpochMilli() - history.start().toEpochMilli();
        long first = -Math.floorDiv(-sinceStart, stepMs);
        long lastPoint = Math.floorDiv(sinceStart, stepMs);
        boolean wholeSteps = settings.lead().toMillis() % stepMs == 0 && settings.horizon().toMillis() % stepMs == 0;
        long oldEnough = 0;
        Instant since = now.minus(settings.minHistory());
        Instant[] oldest = known.oldest();
        for (int bit = 0; bit < oldest.length; bit++) {
            if (oldest[bit] != null && !oldest[bit].isAfter(since)) {
                oldEnough |= 1L << Math.min(63, bit);
            }
        }
        Last before = last.get(target);
        if (wholeSteps && before != null && before.seasonal() == known && before.firstPoint() == first
                && before.lastPoint() == lastPoint && before.oldEnough() == oldEnough) {
            return before.forecast();
        }
        // The history rides along even when no signal's forecast is trusted: a daemon that has just started reads
        // the recent peaks it did not see from it (RecentPeak).
        Forecast f = SeasonalForecast.forecast(history, now, settings, known.signals()).withHistory(history);
        last.put(target, new Last(known, first, lastPoint, oldEnough, f));
        return f;
    }
}
