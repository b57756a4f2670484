package io.github.milvusautoscaler.testsupport;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * cAdvisor's CPU counter of queryNode containers as OpenMetrics lines for {@code promtool tsdb
 * create-blocks-from openmetrics}: {@code container_cpu_usage_seconds_total} with the labels the kubelet's
 * cAdvisor endpoint gives a container ({@code container}, {@code cpu="total"}, {@code id}, {@code image},
 * {@code name}, {@code namespace}, {@code pod}; see FakeMilvusPod#cadvisor), {@code metrics_path} and
 * the {@code job="kubelet"} the kube-prometheus-stack's kubelet ServiceMonitor attaches
 * (prometheus-community/helm-charts {@code charts/kube-prometheus-stack/values.yaml},
 * {@code kubelet.serviceMonitor.cAdvisor}), as {@link FakeMilvusPod} serves them live. Untyped, as promtool takes a counter; one running sum per pod, so a week costs one pass.
 */
public final class CadvisorHistory {

    private CadvisorHistory() {
    }

    /**
     * Appends one counter series per pod from {@code from} to {@code end} every {@code scrape}, pod {@code p}
     * named {@code pod.apply(p)}, rising by {@code coresPerPod} x the scrape interval between samples and
     * starting at 1,000,000 core-seconds (a container that has run a while); a time {@code scraped} rejects
     * has no sample (a gap), though the counter goes on rising through it.
     */
    public static void queryNodeCpu(StringBuilder out, IntFunction<String> pod, int pods, Instant from, Instant end,
                                    Duration scrape, ToDoubleFunction<Instant> coresPerPod, Predicate<Instant> scraped) {
        StringBuilder[] series = new StringBuilder[pods];
        for (int p = 0; p < pods; p++) {
            series[p] = new StringBuilder();
        }
        double value = 1_000_000;
        for (Instant t = from; !t.isAfter(end); t = t.plus(scrape)) {
            if (scraped.test(t)) {
                for (int p = 0; p < pods; p++) {
                    series[p].append("container_cpu_usage_seconds_total{container=\"querynode\",cpu=\"total\",id=\"/kubepods.slice/pod")
                            .append(p).append(".slice/cri-containerd-").append(p).append(".scope\",image=\"milvusdb/milvus:v2.5.6\","
                            + "job=\"kubelet\",metrics_path=\"/metrics/cadvisor\",name=\"").append(p)
                            .append("\",namespace=\"milvus\",pod=\"").append(pod.apply(p)).append("\"} ")
                            .append(BigDecimal.valueOf(value).toPlainString()).append(' ').append(t.getEpochSecond())
                            .append('\n');
                }
            }
            value += coresPerPod.applyAsDouble(t) * scrape.toSeconds();
        }
        for (StringBuilder s : series) {
            out.append(s);
        }
    }
}
