package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.HistorySource;
import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The simulator's load history for the seasonal forecast: the trace's own past, as the daemon would read
 * it from Prometheus, never its future. The demand is sampled on a 5m grid (like a {@code query_range} at
 * step 5m) and given as the load of each load-proportional signal the simulated component reports: cpu
 * load = demand / capacity-qps (nodes of load at 100% CPU), qps load = demand (requests/s over all
 * replicas). E.g. 460 qps with 200 qps per node is 2.3 nodes of cpu load.
 *
 * <p>Each answer covers the last {@code range} (two weeks, as the daemon reads) up to the hour the tick
 * is in, rebuilt once per simulated hour, so a 215-day trace copies 5,160 two-week windows, not one per
 * tick. The forecast reads at most 12h ahead of a day ago, so ending at the hour never hides what it needs.
 */
final class TraceHistory implements HistorySource {

    static final Duration STEP = Duration.ofMinutes(5);
    static final Duration RANGE = Duration.ofDays(15);

    private final Instant start;
    private final LoadHistory all;
    private Instant builtFor;
    private LoadHistory built = LoadHistory.NONE;

    TraceHistory(LoadTrace demand, double capacityQps) {
        requireNonNull(demand, "demand");
        this.start = demand.start();
        int n = (int) (demand.durationSeconds() / STEP.toSeconds()) + 1;
        double[] cpu = new double[n];
        double[] qps = new double[n];
        for (int i = 0; i < n; i++) {
            double v = demand.valueAt(i * (double) STEP.toSeconds());
            qps[i] = v;
            cpu[i] = v / capacityQps;
        }
        Map<String, double[]> loads = new LinkedHashMap<>();
        loads.put("cpu", cpu);
        loads.put("qps", qps);
        this.all = new LoadHistory(start, STEP, start.plus(STEP.multipliedBy(n - 1L)), loads);
    }

    @Override
    public LoadHistory history(Target target, Instant now) {
        long hours = Math.floorDiv(Duration.between(start, now).toSeconds(), 3600);
        Instant end = start.plusSeconds(Math.max(0, hours) * 3600);
        if (!end.equals(builtFor)) {
            built = all.until(end, RANGE);
            builtFor = end;
        }
        return built;
    }
}
