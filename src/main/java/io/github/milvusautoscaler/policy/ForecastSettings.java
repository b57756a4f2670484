package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Checks;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.Forecast;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;

/**
 * How the policy uses the seasonal forecast of each load-proportional signal ({@code forecast.*}).
 *
 * @param enabled     off: no forecast is read and the policy decides on the signals alone
 * @param lead        pre-scale for the highest load forecast from now to now + lead: node start plus warm-up
 *                    (240 s in the simulator's model) and a tick, so the node serves when the rise comes
 * @param horizon     the look-ahead of a trusted forecast: a pre-scale sizes for the highest load forecast from
 *                    now to now + this, and a step-down must fit it on one node fewer; 150m keeps a node through a
 *                    dip the day comes back from (a step-down and the scale-out after it are two actions and a drain)
 * @param fill        with a trusted forecast, the fraction of {@code scale-out-above} the replicas are sized to: a
 *                    step-down needs the load (now, its average, and the forecast within the horizon) to fit one
 *                    node fewer at or below fill x scale-out-above instead of waiting for the average below
 *                    {@code scale-in-below}, and a scale-out on a HIGH signal sizes for the same level instead of
 *                    the target; e.g. 1.0 x 0.75 = 0.75, so 4.4 nodes of cpu load step 7 down to 6 (4.4/6 = 0.73)
 * @param line        with a trusted forecast, a signal is HIGH only above this multiple of {@code scale-out-above}
 *                    (1.13 x 0.75 = 0.8475), and a pre-scale keeps the forecast load under it: the forecast adds
 *                    replicas ahead of the rises it expects, so the line keeps headroom only for a surprise; 1: the
 *                    line stays where the band puts it
 * @param maxStep     most replicas one pre-scale adds (a rise seen on both the day and the week before is not a
 *                    transient, so it may add more than {@code scale-out.max-step})
 * @param minHistory  a signal whose history reaches back less than this has no forecast (UNKNOWN)
 * @param maxError    a signal whose forecast of the last two days missed by more than this fraction of its
 *                    load has no forecast: its load does not repeat by the day or the week
 * @param history     how far back the daemon reads the load history ({@code query_range}); the forecast reads
 *                    at most two weeks back
 * @param historyStep the grid step of that history
 * @param refresh     the daemon reads a target's history again when it is this old
 * @param timeZone    the zone whose wall clock and days the forecast reads: the same local time yesterday and
 *                    last week (23 or 25 hours back across a daylight-saving change)
 * @param workdays    the days of one kind; "yesterday" is the last earlier day of the same kind (with Mon-Fri,
 *                    Monday reads Friday); all seven: every day is of one kind, yesterday is yesterday
 */
public record ForecastSettings(boolean enabled, Duration lead, Duration horizon, double fill, double line,
                               int maxStep, Duration minHistory, double maxError, Duration history,
                               Duration historyStep, Duration refresh, ZoneId timeZone, Set<DayOfWeek> workdays) {

    /**
     * Forecasting on with the given lead, horizon, min-history and max-error; fill, max-step and the history
     * read as shipped.
     */
    public static ForecastSettings on(Duration lead, Duration horizon, Duration minHistory, double maxError) {
        return new ForecastSettings(true, lead, horizon, OFF.fill(), OFF.line(), OFF.maxStep(), minHistory, maxError,
                OFF.history(), OFF.historyStep(), OFF.refresh(), OFF.timeZone(), OFF.workdays());
    }

    /** The most grid points a signal's history may hold (history / history-step + 1). */
    public static final long MAX_HISTORY_POINTS = 100_000;

    /** A local day across a daylight-saving change in spring. */
    public static final Duration SHORTEST_DAY = Duration.ofHours(23);

    /** Forecasting off. */
    public static final ForecastSettings OFF = new ForecastSettings(false, Duration.ofMinutes(5),
            Duration.ofMinutes(150), 1.0, 1.13, 4, Duration.ofDays(2), 0.2, Duration.ofDays(14), Duration.ofMinutes(5),
            Duration.ofHours(1), ZoneOffset.UTC, EnumSet.allOf(DayOfWeek.class));

    /** These settings reading days in {@code zone} with {@code workdays} as one kind of day. */
    public ForecastSettings withDays(ZoneId zone, Set<DayOfWeek> days) {
        return new ForecastSettings(enabled, lead, horizon, fill, line, maxStep, minHistory, maxError, history,
                historyStep, refresh, zone, days);
    }

    public ForecastSettings {
        requireNonNull(lead, "lead");
        requireNonNull(horizon, "horizon");
        requireNonNull(minHistory, "minHistory");
        requireNonNull(history, "history");
        requireNonNull(historyStep, "historyStep");
        requireNonNull(refresh, "refresh");
        requireNonNull(timeZone, "timeZone");
        workdays = Set.copyOf(requireNonNull(workdays, "workdays"));
        Checks checks = new Checks();
        checks.that(!workdays.isEmpty(), "workdays", "must be days such as Mon-Fri, Sat,Sun or daily");
        // Prometheus' range-query step and the history's grid count whole seconds: 500ms divided by zero, and
        // 1500ms read as 1s, a grid other than the one written.
        boolean step = checks.positive(historyStep, "history-step") && checks.that(historyStep.toSeconds() >= 1
                && historyStep.toMillis() % 1000 == 0, "history-step", "must be whole seconds, at least 1s, such as 5m");
        boolean reach = checks.positive(history, "history");
        if (checks.positive(minHistory, "min-history") && reach) {
            checks.that(history.compareTo(minHistory) >= 0, "history", "must be at least min-history ("
                    + Durations.setting(minHistory) + "): a shorter history never reaches back far enough, so no signal"
                    + " would ever have a forecast");
        }
        if (step && reach) {
            // 400d at 1s is 34.6 million points a signal: the read ran the daemon's 128Mi heap out of memory and
            // was started again every tick (time audit M5); 14d at 15s is 80,641.
            checks.that(history.toSeconds() / historyStep.toSeconds() + 1 <= MAX_HISTORY_POINTS, "history",
                    "must be at most " + MAX_HISTORY_POINTS + " points of history-step (" + Durations.setting(historyStep)
                    + "), such as 14d at 5m (4,033 points)");
        }
        if (checks.positive(refresh, "refresh")) {
            // Read longer ago than this, yesterday's window is past the history's end: the forecast has none then
            // (SeasonalForecast), and a longer refresh would leave it without one for part of every day.
            checks.that(refresh.plus(horizon).compareTo(SHORTEST_DAY) < 0, "refresh",
                    "must be below 23h (the shortest local day) less horizon (" + Durations.setting(horizon) + "), so the"
                    + " history always holds the same time yesterday; the shipped 1h reads it again every hour");
        }
        checks.that(maxError >= 0 && Double.isFinite(maxError), "max-error",
                "must be >= 0 (a fraction of the load, such as 0.2)");
        checks.that(fill > 0 && fill <= 1, "fill",
                "must be > 0 and <= 1 (a fraction of scale-out-above, such as 0.9)");
        checks.that(line >= 1 && line <= 2, "line",
                "must be >= 1 and <= 2 (a multiple of scale-out-above, such as 1.13; 1 keeps the band's line)");
        checks.atLeast(maxStep, 1, "max-step");
        horizon(checks, lead, "lead");
        horizon(checks, horizon, "horizon");
        checks.done();
    }

    /**
     * The level above which {@code band}'s value reads HIGH this tick: {@code line} x scale-out-above while the
     * signal has a trusted forecast (0.75 x 1.13 = 0.8475 for cpu), scale-out-above otherwise, so a signal
     * without a forecast, or with forecasting off, keeps its band's line exactly.
     */
    public double lineFor(SignalPolicy band, Forecast forecast) {
        if (!enabled || line == 1 || forecast.leadPeak(band.name()).isEmpty()) {
            return band.scaleOutAbove();
        }
        // Rounded to nine decimals: 1.13 x 0.75 is 0.8474999999999999 in binary, and a value of exactly 0.8475
        // must read as on the line (in the band), as it would written into scale-out-above.
        return Math.round(line * band.scaleOutAbove() * 1e9) / 1e9;
    }

    /** A look-ahead above 0 and at most 12h: the forecast reads the same time yesterday, so more would read beyond now. */
    private static void horizon(Checks checks, Duration d, String key) {
        checks.positive(d, key);
        checks.that(d.compareTo(Duration.ofHours(12)) <= 0, key,
                "must be <= 12h (the forecast reads the same time yesterday)");
    }
}
