package io.github.milvusautoscaler.sim;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaStatus;
import java.time.Instant;

/**
 * A scaling policy the simulator can run tick by tick against its own simulated component: the
 * HPA baselines here, and the real policy through an adapter the cli wires in. One instance per
 * run; it may keep state between ticks.
 */
public interface SimPolicy {

    /** The name reports and file names use ({@code hpa}, {@code hpa-milvus}, {@code milvus-autoscaler}). */
    String name();

    /**
     * Decides one tick. The decision's {@code from}/{@code to} are replica counts, its action,
     * reason and message explain them; the simulator writes {@code to} to the component.
     *
     * @param observation the signals at {@code now} as this policy's {@link #metricsView} shows them
     * @param status      current and ready replicas (and the last scale written)
     * @param now         simulated time of the tick
     */
    Decision tick(Observation observation, ReplicaStatus status, Instant now);

    /**
     * Which metrics API this policy reads, so the simulator builds its component with that view:
     * Prometheus as the sim block's scrape keys set it up, unless the policy reads another API (the
     * HPA baselines read metrics-server's, see {@link MetricsView}).
     */
    default MetricsView metricsView(SimSettings settings) {
        return MetricsView.prometheus(settings.scrape());
    }
}
