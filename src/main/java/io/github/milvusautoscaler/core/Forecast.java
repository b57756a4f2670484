package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * The seasonal forecast of a target's load-proportional signals at one tick: for each signal with
 * enough history, the highest load (value x replicas) expected within the pre-scale lead and within
 * the forecast horizon (what a pre-scale sizes for and a step-down must fit). A signal without an entry has no forecast (UNKNOWN): too little history,
 * or forecasting off, and the policy then decides exactly as it would without forecasts.
 *
 * @param lead    per signal, the highest forecast load from now to now + {@code forecast.lead}
 * @param horizon per signal, the highest forecast load from now to now + {@code forecast.horizon}
 * @param basis   how the numbers were found, for messages ("same time 1d and 7d ago")
 * @param history the load history the forecast was made from, whether or not any signal's forecast is trusted: a
 *                daemon that has just started reads the recent peaks it did not see from it
 *                ({@link LoadHistory#NONE} when there is none)
 */
public record Forecast(Map<String, Double> lead, Map<String, Double> horizon, String basis, LoadHistory history) {

    /** No forecast for any signal. */
    public static final Forecast NONE = new Forecast(Map.of(), Map.of(), "");

    public Forecast {
        lead = Map.copyOf(requireNonNull(lead, "lead"));
        horizon = Map.copyOf(requireNonNull(horizon, "horizon"));
        requireNonNull(basis, "basis");
        requireNonNull(history, "history");
    }

    /** A forecast without its history. */
    public Forecast(Map<String, Double> lead, Map<String, Double> horizon, String basis) {
        this(lead, horizon, basis, LoadHistory.NONE);
    }

    /** This forecast with the history it came from. */
    public Forecast withHistory(LoadHistory from) {
        return new Forecast(lead, horizon, basis, from);
    }

    /** The forecast peak load of {@code signal} within the lead, or empty when UNKNOWN. */
    public OptionalDouble leadPeak(String signal) {
        Double v = lead.get(signal);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** The forecast peak load of {@code signal} within the horizon, or empty when UNKNOWN. */
    public OptionalDouble horizonPeak(String signal) {
        Double v = horizon.get(signal);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    public boolean isEmpty() {
        return lead.isEmpty() && horizon.isEmpty();
    }
}
