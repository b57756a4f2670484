package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Forecast;
import io.github.milvusautoscaler.core.LoadHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The seasonal forecast: a signal's load over the next minutes is what it was at the same time of day
 * yesterday and at the same time of week last week, the lower of the two, so a rise is forecast only
 * when both saw it (a one-off spike yesterday is not a season, and a Sunday does not forecast Monday).
 *
 * <p>Robust to missing days: yesterday falls back to the day before, last week to the week before; a
 * window with fewer than half its points known counts as missing, never as zero. A signal has no forecast
 * (UNKNOWN) when its history reaches back less than {@code forecast.min-history}, when no lag has a known
 * window, or when it does not repeat: the forecast of the last two days of history missed the actual load
 * by more than {@code forecast.max-error} ({@link #error}). Example on a 5m grid with lead 5m at Tuesday
 * 08:55: yesterday 08:55-09:00 peaked at 5.2 nodes of load, last Tuesday at 4.8, so the forecast is 4.8.
 * Pure: the history and the time are arguments.
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
        return forecast(history, now, settings, seasonal(history, settings));
    }

    /**
     * The signals of {@code history} whose last two days the forecast met within {@code forecast.max-error}.
     * It depends on the history alone, so a caller may keep it for as long as it keeps the history.
     */
    public static Set<String> seasonal(LoadHistory history, ForecastSettings settings) {
        Set<String> out = new HashSet<>();
        for (String signal : history.signals()) {
            double e = error(history, signal);
            if (!Double.isNaN(e) && e <= settings.maxError()) {
                out.add(signal);
            }
        }
        return out;
    }

    /**
     * How far the forecast missed over the last two days of {@code history}: sum |actual - forecast| / sum
     * actual over the grid points where both are known; NaN when fewer than half a day's points are (so one
     * missing day still leaves the other to judge by).
     * Measured on the shared traces (day by day, median and 90th percentile): nyc_taxi 0.10 and 0.25,
     * twitter_volume_amzn 0.30 and 0.36, elb_request_count 0.81 and 0.88: with max-error 0.2 only the
     * taxi trace, strongly daily and weekly, is forecast.
     */
    public static double error(LoadHistory history, String signal) {
        long stepMs = history.step().toMillis();
        long points = Duration.ofDays(2).toMillis() / stepMs;
        int n = history.size(signal);
        // The last grid point at or before the end; lags in whole grid points (a lag that is not a whole number
        // of steps is read at the point before it).
        long last = Math.min(n - 1L, Math.floorDiv(Duration.between(history.start(), history.end()).toMillis(), stepMs));
        long[] daily = lagPoints(DAILY, stepMs);
        long[] weekly = lagPoints(WEEKLY, stepMs);
        double miss = 0;
        double total = 0;
        int compared = 0;
        for (long i = last; i > last - points && i >= 0; i--) {
            double actual = history.at(signal, i);
            if (Double.isNaN(actual)) {
                continue;
            }
            double d = firstKnown(history, signal, i, daily);
            double w = firstKnown(history, signal, i, weekly);
            double forecast = Double.isNaN(d) ? w : Double.isNaN(w) ? d : Math.min(d, w);
            if (Double.isNaN(forecast)) {
                continue;
            }
            miss += Math.abs(actual - forecast);
            total += actual;
            compared++;
        }
        if (compared * 4 < points) {
            return Double.NaN;
        }
        return total > 0 ? miss / total : miss > 0 ? Double.POSITIVE_INFINITY : 0;
    }

    private static long[] lagPoints(List<Duration> lags, long stepMs) {
        long[] out = new long[lags.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = lags.get(i).toMillis() / stepMs;
        }
        return out;
    }

    private static double firstKnown(LoadHistory history, String signal, long point, long[] lags) {
        for (long lag : lags) {
            double v = history.at(signal, point - lag);
            if (!Double.isNaN(v)) {
                return v;
            }
        }
        return Double.NaN;
    }

    /** The forecast of the signals in {@code seasonal} (see {@link #seasonal}) at {@code now}. */
    public static Forecast forecast(LoadHistory history, Instant now, ForecastSettings settings,
                                    Set<String> seasonal) {
        requireNonNull(history, "history");
        requireNonNull(now, "now");
        requireNonNull(settings, "settings");
        if (!settings.enabled() || history.signals().isEmpty()) {
            return Forecast.NONE;
        }
        Map<String, Double> lead = new HashMap<>();
        Map<String, Double> hold = new HashMap<>();
        for (String signal : history.signals()) {
            if (!seasonal.contains(signal)) {
                continue;
            }
            Instant oldest = history.oldest(signal);
            if (oldest == null || oldest.isAfter(now.minus(settings.minHistory()))) {
                continue;
            }
            peak(history, signal, now, now.plus(settings.lead())).ifPresent(v -> lead.put(signal, v));
            peak(history, signal, now, now.plus(settings.horizon())).ifPresent(v -> hold.put(signal, v));
        }
        return lead.isEmpty() && hold.isEmpty() ? Forecast.NONE
                : new Forecast(lead, hold, "the lower of the same time 1d and 7d ago");
    }

    /**
     * The forecast peak load of {@code signal} over [from, to]: the lower of the daily and the weekly lag
     * when both are known (a rise counts only when yesterday and last week agree on it), else the one known.
     */
    static OptionalDouble peak(LoadHistory history, String signal, Instant from, Instant to) {
        OptionalDouble daily = firstKnown(history, signal, from, to, DAILY);
        OptionalDouble weekly = firstKnown(history, signal, from, to, WEEKLY);
        if (daily.isEmpty()) {
            return weekly;
        }
        if (weekly.isEmpty()) {
            return daily;
        }
        return OptionalDouble.of(Math.min(daily.getAsDouble(), weekly.getAsDouble()));
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
