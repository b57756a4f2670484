package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.HistorySource;
import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.policy.ForecastSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The simulator's load history for the seasonal forecast: the trace's own past, as the daemon would read
 * it from Prometheus, never its future. The demand is sampled on the {@code forecast.history-step} grid (like a
 * {@code query_range} at that step; each sample the load over the step it starts, which a trace holds) and given
 * as the load of each load-proportional signal the simulated component reports: cpu load = demand / capacity-qps
 * (nodes of load at 100% CPU), qps load = demand (requests/s over all replicas). E.g. 460 qps with 200 qps per
 * node is 2.3 nodes of cpu load.
 *
 * <p>Each answer covers the last {@code forecast.history} up to the last {@code forecast.refresh} boundary
 * since the trace began, rebuilt once per refresh as the daemon reads it again, so a 215-day trace at the shipped
 * 14d, 5m and 1h copies 5,160 two-week windows, not one per tick, and a setting that would keep the daemon from
 * forecasting (a history shorter than min-history) keeps the simulated one from it too (time audit M4).
 */
final class TraceHistory implements HistorySource {

    private final Instant start;
    private final LoadHistory all;
    private final Duration range;
    private final Duration refresh;
    private Instant builtFor;
    private LoadHistory built = LoadHistory.NONE;

    TraceHistory(LoadTrace demand, double capacityQps, ForecastSettings forecast) {
        requireNonNull(demand, "demand");
        requireNonNull(forecast, "forecast");
        this.start = demand.start();
        this.range = forecast.history();
        this.refresh = forecast.refresh();
        Duration step = forecast.historyStep();
        int n = (int) (demand.durationSeconds() / step.toSeconds()) + 1;
        double[] cpu = new double[n];
        double[] qps = new double[n];
        for (int i = 0; i < n; i++) {
            double v = demand.valueAt(i * (double) step.toSeconds());
            qps[i] = v;
            cpu[i] = v / capacityQps;
        }
        Map<String, double[]> loads = new LinkedHashMap<>();
        loads.put("cpu", cpu);
        loads.put("qps", qps);
        this.all = new LoadHistory(start, step, start.plus(step.multipliedBy(n - 1L)), loads);
    }

    @Override
    public LoadHistory history(Target target, Instant now) {
        long reads = Math.floorDiv(Duration.between(start, now).toMillis(), refresh.toMillis());
        Instant end = start.plus(refresh.multipliedBy(Math.max(0, reads)));
        if (!end.equals(builtFor)) {
            built = all.until(end, range);
            builtFor = end;
        }
        return built;
    }
}
