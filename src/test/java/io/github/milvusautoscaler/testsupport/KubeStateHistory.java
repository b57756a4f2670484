package io.github.milvusautoscaler.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * kube-state-metrics gauges as OpenMetrics lines for {@code promtool tsdb create-blocks-from openmetrics}:
 * the labels kube-state-metrics gives (docs/metrics/workload/{pod,replicaset,deployment}-metrics.md) plus the
 * {@code job} and {@code namespace} the kube-prometheus-stack's ServiceMonitor attaches, one sample every
 * 2 minutes (its default scrape interval is 30 s; a gauge that never changes needs no more for a backfill).
 */
public final class KubeStateHistory {

    private KubeStateHistory() {
    }

    /**
     * Appends {@code count} constant series of {@code name} from {@code from} to {@code end}, series
     * {@code p} labelled by {@code labels.apply(p)}, e.g. {@code kube_pod_owner{pod="q-0",...} 1}.
     */
    public static void gauge(StringBuilder out, String name, IntFunction<String> labels, int count, Instant from,
                             Instant end, double value) {
        gauge(out, name, labels, count, from, end, (p, t) -> value);
    }

    /** The same with series {@code p}'s value at {@code t} given by {@code value.apply(p, t)}. */
    public static void gauge(StringBuilder out, String name, IntFunction<String> labels, int count, Instant from,
                             Instant end, BiFunction<Integer, Instant, Double> value) {
        for (int p = 0; p < count; p++) {
            String series = name + "{" + labels.apply(p) + ",job=\"kube-state-metrics\",namespace=\"milvus\"} ";
            for (Instant t = from; !t.isAfter(end); t = t.plus(Duration.ofMinutes(2))) {
                out.append(series).append(value.apply(p, t)).append(' ').append(t.getEpochSecond()).append('\n');
            }
        }
    }
}
