package io.github.milvusautoscaler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The metrics a query reads, and the probe asking which of them Prometheus has stopped receiving. */
class StaleInputsProbeTest {

    @Test
    void findsTheMetricOfEverySelectorWithBraces() {
        String promql = "sum(irate(milvus_proxy_req_count{namespace=\"m\", function_name=~\"Search|Query\"}[2m]))"
                + " / on () group_right count(kube_pod_status_ready{namespace=\"m\", condition=\"true\"} == 1)"
                + " + (sum(milvus_querycoord_task_num{namespace=\"m\"} offset 2m) or vector(0))";
        // milvus_proxy_req_count is read through a 2m range only, which ends its data by itself.
        assertEquals(Set.of("kube_pod_status_ready", "milvus_querycoord_task_num"), StaleInputs.metrics(promql));
        assertEquals(Set.of("milvus_proxy_req_count"), StaleInputs.metrics("rate(milvus_proxy_req_count{a=\"1\"}[2m])"
                + " + milvus_proxy_req_count{a=\"1\"}"));
    }

    @Test
    void bracesInsideStringsAndCommentsAreNotSelectors() {
        // A regex with a repetition, a label value holding "}" and a comment naming a metric.
        String promql = "# not_a_metric{x=\"1\"}\nmax(my_metric{pod=~\"qn-[0-9]{2}\", note=\"a}b{c\"})"
                + " and on () other{le='{'}";
        assertEquals(List.of("my_metric{pod=~\"qn-[0-9]{2}\", note=\"a}b{c\"}", "other{le='{'}"),
                StaleInputs.selectors(promql));
        assertEquals(Set.of("my_metric", "other"), StaleInputs.metrics(promql));
    }

    @Test
    void aNamelessSelectorOrABareNameIsNotCounted() {
        // {__name__=...} names no one metric; "up" alone is not told from a function without a parser.
        assertEquals(Set.of(), StaleInputs.metrics("count({__name__=~\"milvus_.+\", namespace=\"m\"}) + up"));
    }

    @Test
    void readsTheMetricsOfATemplateWithPlaceholdersInsideItsSelectors() {
        // {instance_label} and {component_label} sit inside the braces before rendering: the name is still found.
        String template = DefaultQueries.query("read-queue");
        // (Its pods' readiness and deletion from kube-state-metrics leave out the queryNodes that do not serve; the
        // deletion's series exist only for a pod being deleted, and are not probed.)
        assertEquals(Set.of("milvus_querynode_read_task_ready_len", "kube_pod_status_ready"),
                StaleInputs.metrics(template));
        assertEquals(Set.of("milvus_querynode_read_task_ready_len", "kube_pod_status_ready",
                "kube_pod_deletion_timestamp"), StaleInputs.named(template));
        // qps: the proxies' counter also through the plain selector that tells live series from ended ones, their
        // pods' readiness and the fallback's gauge milvus_num_node; the queryNodes' counter only through irate.
        Set<String> qps = StaleInputs.metrics(DefaultQueries.query("qps"));
        assertTrue(qps.containsAll(Set.of("milvus_num_node", "kube_pod_status_ready", "milvus_proxy_req_count")),
                qps.toString());
        assertTrue(!qps.contains("milvus_querynode_sq_req_count"), qps.toString());
    }

    /**
     * A metric only some pods have for a while is not probed (recheck 115, F2: a pod deleted while Prometheus was away
     * left its kube_pod_deletion_timestamp series unmarked, and the namespace read UNKNOWN for 3 minutes), which is safe
     * only while every query reading it reads, as an instant selector, a kube-state-metrics series every pod has: that
     * one's freshness says whether kube-state-metrics is still scraped. Checked on every default template.
     */
    @Test
    void everyDefaultQueryReadingAMetricOfSomePodsAlsoProbesOneOfEveryPod() {
        int reading = 0;
        for (String name : DefaultQueries.ROOT.getConfig("queries").root().keySet()) {
            String template = DefaultQueries.query(name);
            if (StaleInputs.named(template).stream().noneMatch(StaleInputs.SOME_PODS_FOR_A_WHILE::contains)) {
                continue;
            }
            reading++;
            Set<String> probed = StaleInputs.metrics(template);
            assertTrue(probed.stream().noneMatch(StaleInputs.SOME_PODS_FOR_A_WHILE::contains), name + ": " + probed);
            assertTrue(probed.contains("kube_pod_status_ready") || probed.contains("kube_pod_owner"),
                    name + " probes no kube-state-metrics series of every pod: " + probed);
        }
        assertTrue(reading >= 3, "the templates that leave out pods being deleted: " + reading);
    }

    @Test
    void theProbeAsksEachMetricInTheNamespaceOverStaleAfter() {
        assertEquals(Optional.empty(), StaleInputs.probe("milvus", Set.of(), Duration.ofMinutes(2)));
        assertEquals(Optional.of("label_replace(group(a{namespace=\"ns\\\"x\"}) unless on () group(count_over_time("
                        + "a{namespace=\"ns\\\"x\"}[90000ms])), \"milvus_autoscaler_input\", \"a\", \"\", \"\") or"
                        + " label_replace(group(b{namespace=\"ns\\\"x\"}) unless on () group(count_over_time("
                        + "b{namespace=\"ns\\\"x\"}[90000ms])), \"milvus_autoscaler_input\", \"b\", \"\", \"\")"),
                StaleInputs.probe("ns\"x", List.of("b", "a"), Duration.ofSeconds(90)));
    }

    @Test
    void namedReadsRangeSelectorsTooAndTheAbsentProbeAsksEachMetricInTheNamespace() {
        assertEquals(Set.of("container_cpu_usage_seconds_total", "kube_pod_owner"), StaleInputs.named(
                "sum(irate(container_cpu_usage_seconds_total{namespace=\"m\"}[2m])) * on (pod) group_left"
                        + " kube_pod_owner{namespace=\"m\"}"));
        assertEquals(Optional.empty(), StaleInputs.absentProbe("milvus", Set.of()));
        assertEquals(Optional.of("label_replace(absent(a{namespace=\"m\"}), \"milvus_autoscaler_input\", \"a\", \"\","
                        + " \"\") or label_replace(absent(b{namespace=\"m\"}), \"milvus_autoscaler_input\", \"b\", \"\","
                        + " \"\")"), StaleInputs.absentProbe("m", List.of("b", "a")));
        assertEquals("kube-state-metrics", StaleInputs.exporterOf("kube_pod_owner"));
        assertEquals("the kubelet's cAdvisor", StaleInputs.exporterOf("container_memory_working_set_bytes"));
        assertEquals("", StaleInputs.exporterOf("up"));
    }
}
