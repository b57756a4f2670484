package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Checks;
import java.time.Duration;

/**
 * How the policy uses the seasonal forecast of each load-proportional signal ({@code forecast.*}).
 *
 * @param enabled     off: no forecast is read and the policy decides on the signals alone
 * @param lead        pre-scale for the highest load forecast from now to now + lead: node start plus warm-up
 *                    (240 s in the simulator's model) and a tick, so the node serves when the rise comes
 * @param holdHorizon a step-down is held when the load forecast from now to now + this would not fit one node
 *                    fewer: the drain of the removed node (600 s) plus the lead to put it back
 * @param minHistory  a signal whose history reaches back less than this has no forecast (UNKNOWN)
 * @param maxError    a signal whose forecast of the last two days missed by more than this fraction of its
 *                    load has no forecast: its load does not repeat by the day or the week
 * @param history     how far back the daemon reads the load history ({@code query_range}); the forecast reads
 *                    at most two weeks back
 * @param historyStep the grid step of that history
 * @param refresh     the daemon reads a target's history again when it is this old
 */
public record ForecastSettings(boolean enabled, Duration lead, Duration holdHorizon, Duration minHistory,
                               double maxError, Duration history, Duration historyStep, Duration refresh) {

    /** Forecasting on with the given lead, hold horizon, min-history and max-error, history read as shipped. */
    public static ForecastSettings on(Duration lead, Duration holdHorizon, Duration minHistory, double maxError) {
        return new ForecastSettings(true, lead, holdHorizon, minHistory, maxError, OFF.history(), OFF.historyStep(),
                OFF.refresh());
    }

    /** Forecasting off. */
    public static final ForecastSettings OFF = new ForecastSettings(false, Duration.ofMinutes(5),
            Duration.ofMinutes(15), Duration.ofDays(2), 0.2, Duration.ofDays(14), Duration.ofMinutes(5),
            Duration.ofHours(1));

    public ForecastSettings {
        requireNonNull(lead, "lead");
        requireNonNull(holdHorizon, "holdHorizon");
        requireNonNull(minHistory, "minHistory");
        requireNonNull(history, "history");
        requireNonNull(historyStep, "historyStep");
        requireNonNull(refresh, "refresh");
        Checks checks = new Checks();
        checks.positive(minHistory, "min-history");
        checks.positive(history, "history");
        checks.positive(historyStep, "history-step");
        checks.positive(refresh, "refresh");
        checks.that(maxError >= 0 && Double.isFinite(maxError), "max-error",
                "must be >= 0 (a fraction of the load, such as 0.2)");
        horizon(checks, lead, "lead");
        horizon(checks, holdHorizon, "hold-horizon");
        checks.done();
    }

    /** A look-ahead above 0 and at most 12h: the forecast reads the same time yesterday, so more would read beyond now. */
    private static void horizon(Checks checks, Duration d, String key) {
        checks.positive(d, key);
        checks.that(d.compareTo(Duration.ofHours(12)) <= 0, key,
                "must be <= 12h (the forecast reads the same time yesterday)");
    }
}
