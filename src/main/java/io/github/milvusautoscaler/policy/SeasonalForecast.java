package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Forecast;
import io.github.milvusautoscaler.core.LoadHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The seasonal forecast: a signal's load over the next minutes is what it was at the same time of day
 * yesterday and at the same time of week last week, whichever was higher, so a weekday's morning ramp
 * is met on Monday (last Monday) and on Tuesday (yesterday) alike.
 *
 * <p>Robust to missing days: yesterday falls back to the day before, last week to the week before; a
 * window with fewer than half its points known counts as missing, never as zero. A signal whose history
 * reaches back less than {@code forecast.min-history}, or with no known window at any of those lags, has
 * no forecast (UNKNOWN). Example on a 5m grid with lead 5m at Tuesday 08:55: yesterday 08:55-09:00 peaked
 * at 5.2 nodes of load, last Tuesday at 4.8, so the lead forecast is 5.2; with Monday missing it reads
 * Sunday (2 days back) instead. Pure: the history and the time are arguments.
 */
public final class SeasonalForecast {

    /** Daily lags in order of preference: yesterday, else the day before. */
    static final List<Duration> DAILY = List.of(Duration.ofDays(1), Duration.ofDays(2));
    /** Weekly lags in order of preference: last week, else the week before. */
    static final List<Duration> WEEKLY = List.of(Duration.ofDays(7), Duration.ofDays(14));

    private SeasonalForecast() {
    }

    /** The forecast of every signal in {@code history} at {@code now}; {@link Forecast#NONE} when off. */
    public static Forecast forecast(LoadHistory history, Instant now, ForecastSettings settings) {
        requireNonNull(history, "history");
        requireNonNull(now, "now");
        requireNonNull(settings, "settings");
        if (!settings.enabled() || history.signals().isEmpty()) {
            return Forecast.NONE;
        }
        Map<String, Double> lead = new HashMap<>();
        Map<String, Double> hold = new HashMap<>();
        for (String signal : history.signals()) {
            Instant oldest = history.oldest(signal);
            if (oldest == null || oldest.isAfter(now.minus(settings.minHistory()))) {
                continue;
            }
            peak(history, signal, now, now.plus(settings.lead())).ifPresent(v -> lead.put(signal, v));
            peak(history, signal, now, now.plus(settings.holdHorizon())).ifPresent(v -> hold.put(signal, v));
        }
        return lead.isEmpty() && hold.isEmpty() ? Forecast.NONE
                : new Forecast(lead, hold, "same time 1d and 7d ago");
    }

    /** The forecast peak load of {@code signal} over [from, to]: the higher of the daily and weekly lag. */
    static OptionalDouble peak(LoadHistory history, String signal, Instant from, Instant to) {
        OptionalDouble daily = firstKnown(history, signal, from, to, DAILY);
        OptionalDouble weekly = firstKnown(history, signal, from, to, WEEKLY);
        if (daily.isEmpty()) {
            return weekly;
        }
        if (weekly.isEmpty()) {
            return daily;
        }
        return OptionalDouble.of(Math.max(daily.getAsDouble(), weekly.getAsDouble()));
    }

    private static OptionalDouble firstKnown(LoadHistory history, String signal, Instant from, Instant to,
                                             List<Duration> lags) {
        for (Duration lag : lags) {
            OptionalDouble v = history.max(signal, from.minus(lag), to.minus(lag));
            if (v.isPresent()) {
                return v;
            }
        }
        return OptionalDouble.empty();
    }
}
