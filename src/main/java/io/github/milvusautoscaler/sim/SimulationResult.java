package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * What one run produced.
 *
 * @param trace            trace name
 * @param simulatedSeconds seconds of simulated time scored (the trace's span after compression)
 * @param results          one scorecard per policy, in the order the policies were given
 * @param chart            downsampled series for chart.svg
 * @param clairvoyant      the clairvoyant node-seconds on the same trace and model; empty when not computed
 * @param worstDay         the day with the most overload (else the most hot ticks, else the peak), at full
 *                         resolution, for chart-worst-day.svg (a trace of a day or less: the whole trace); empty
 *                         when not computed, or when the trace is a day or less and {@code chart} marks every action
 */
public record SimulationResult(String trace, long simulatedSeconds, List<Scorecard> results, ChartSeries chart,
                               Optional<ClairvoyantBound> clairvoyant, Optional<ChartSeries> worstDay) {

    public SimulationResult {
        requireNonNull(trace, "trace");
        results = List.copyOf(requireNonNull(results, "results"));
        requireNonNull(chart, "chart");
        requireNonNull(clairvoyant, "clairvoyant");
        requireNonNull(worstDay, "worstDay");
    }

    /** A result with the clairvoyant bound and without the worst-day series. */
    public SimulationResult(String trace, long simulatedSeconds, List<Scorecard> results, ChartSeries chart,
                            Optional<ClairvoyantBound> clairvoyant) {
        this(trace, simulatedSeconds, results, chart, clairvoyant, Optional.empty());
    }

    /** A result without the clairvoyant bound. */
    public SimulationResult(String trace, long simulatedSeconds, List<Scorecard> results, ChartSeries chart) {
        this(trace, simulatedSeconds, results, chart, Optional.empty());
    }

    /** The scorecard of {@code policy}. */
    public Scorecard result(String policy) {
        for (Scorecard s : results) {
            if (s.policy().equals(policy)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no result for policy '" + policy + "'");
    }
}
