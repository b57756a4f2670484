package io.github.milvusautoscaler.metrics;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The query that tells which metrics of a namespace Prometheus has stopped receiving, so
 * {@code prometheus.stale-after} can refuse a value computed from samples that are no longer current.
 *
 * <p>Why a second query: an instant query's result carries the evaluation time, not the time of the
 * samples it was computed from (Prometheus and VictoriaMetrics alike), and a plain selector still
 * returns a sample up to the 5-minute lookback after the last scrape. So a Prometheus that stopped
 * ingesting (a restart, a remote-write backend lagging, a backfilled history that ends) answers every
 * gauge with its last value for 5 minutes, and the result itself cannot show it. The probe asks, for
 * every metric the namespace's templates read, whether it is visible now but has no sample within
 * stale-after, one series per such metric:
 * {@code label_replace(group(kube_pod_owner{namespace="milvus"}) unless on () group(count_over_time(
 * kube_pod_owner{namespace="milvus"}[120000ms])), "milvus_autoscaler_input", "kube_pod_owner", "", "") or ...}.
 * A query reading any such metric is stale. A metric with no series is left out (the query itself says what
 * its absence means), and a pod whose scrape ends gets Prometheus' staleness markers and drops out of both at
 * once. One probe per namespace and tick, shared by every query of its targets, costs one request where one
 * per query would double them; {@code count_over_time} because {@code timestamp()}, which would give the age
 * itself, takes seconds over a two-week range query (6.1 s against 0.03 s for the same series' irate on
 * Prometheus 2.42), which the forecast's history and {@code backtest} replay through.
 *
 * <p>Only metrics written as instant selectors with braces are asked ({@code up} alone is not told from a
 * function name; every default template writes braces). A range selector's own window bounds its data already:
 * {@code irate(m[2m])} is empty 2m after m's last sample.
 */
final class StaleInputs {

    /** A placeholder of a template ({@link PromqlTemplate#PLACEHOLDERS}), e.g. {@code {namespace}}. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(" + String.join("|", PromqlTemplate.PLACEHOLDERS) + ")}");

    /** The label naming each stale metric's series in the probe's answer. */
    static final String LABEL = "milvus_autoscaler_input";

    /**
     * A Milvus metric every Milvus process exports from its start (cmd/roles/roles.go registers pkg/metrics NumNodes,
     * set to 1 when the process registers), unlike the vectors Milvus creates at their first use.
     */
    static final String MILVUS_ALWAYS = "milvus_num_node";

    private StaleInputs() {
    }

    /**
     * The probe of {@code metrics} in {@code namespace} for {@code staleAfter}, empty when there is no metric:
     * each term answers 1, labelled with its metric, when the metric has series now and none has a sample
     * within {@code staleAfter}; a current metric answers nothing.
     */
    static Optional<String> probe(String namespace, Collection<String> metrics, Duration staleAfter) {
        requireNonNull(namespace, "namespace");
        requireNonNull(staleAfter, "staleAfter");
        if (metrics.isEmpty()) {
            return Optional.empty();
        }
        String ns = "{namespace=\"" + PromqlTemplate.quoted(namespace) + "\"}";
        String window = "[" + staleAfter.toMillis() + "ms]";
        List<String> each = new ArrayList<>(metrics.size());
        for (String metric : new TreeSet<>(metrics)) {
            String selector = metric + ns;
            each.add("label_replace(group(" + selector + ") unless on () group(count_over_time(" + selector + window
                    + ")), \"" + LABEL + "\", \"" + metric + "\", \"\", \"\")");
        }
        return Optional.of(String.join(" or ", each));
    }

    /**
     * The probe of which of {@code metrics} have no series at all in {@code namespace} now, empty when there is no
     * metric: each term answers 1, labelled with its metric, when the metric has no sample within Prometheus' lookback
     * and no staleness marker since ({@code absent}), e.g. {@code label_replace(absent(kube_pod_owner{namespace=
     * "milvus"}), "milvus_autoscaler_input", "kube_pod_owner", "", "")}. Asked only when a signal reads empty, so the
     * decision can say that every {@code kube_*} series of the namespace is gone (kube-state-metrics down or not
     * scraped: a failed scrape marks every series of its target stale at once) rather than only "empty result".
     */
    static Optional<String> absentProbe(String namespace, Collection<String> metrics) {
        requireNonNull(namespace, "namespace");
        if (metrics.isEmpty()) {
            return Optional.empty();
        }
        String ns = "{namespace=\"" + PromqlTemplate.quoted(namespace) + "\"}";
        List<String> each = new ArrayList<>(metrics.size());
        for (String metric : new TreeSet<>(metrics)) {
            each.add("label_replace(absent(" + metric + ns + "), \"" + LABEL + "\", \"" + metric + "\", \"\", \"\")");
        }
        return Optional.of(String.join(" or ", each));
    }

    /**
     * Who exports {@code metric}, by its name's prefix as a default install names them, for a reason that says where
     * to look: kube-state-metrics ({@code kube_}), the kubelet's cAdvisor ({@code container_}), Milvus itself
     * ({@code milvus_}); empty for any other name.
     */
    static String exporterOf(String metric) {
        if (metric.startsWith("kube_")) {
            return "kube-state-metrics";
        }
        if (metric.startsWith("container_")) {
            return "the kubelet's cAdvisor";
        }
        if (isMilvus(metric)) {
            return "Milvus (the chart's ServiceMonitor or the operator's PodMonitor)";
        }
        return "";
    }

    /** Whether Milvus itself exports {@code metric} ({@code milvus_}, pkg/metrics' namespace). */
    static boolean isMilvus(String metric) {
        return metric.startsWith("milvus_");
    }

    /**
     * Every metric name {@code promql} (or a template) reads through a selector with braces, instant or range, e.g.
     * {@code [container_cpu_usage_seconds_total, kube_pod_owner]}; name-less selectors are left out.
     */
    static Set<String> named(String promql) {
        return names(promql, false);
    }

    /**
     * The metric names {@code promql} (or a template) reads through instant selectors with braces, e.g.
     * {@code [kube_pod_owner, kube_pod_container_resource_requests]}; name-less selectors are left out, and so are
     * range selectors ({@code rate(m{...}[2m])}): their own window already ends their data within it, and they are
     * the costly ones (cAdvisor's per-container counters), and so are the metrics only some pods have for a while
     * ({@link #SOME_PODS_FOR_A_WHILE}).
     */
    static Set<String> metrics(String promql) {
        Set<String> out = names(promql, true);
        out.removeAll(SOME_PODS_FOR_A_WHILE);
        return out;
    }

    /**
     * Metrics a series of which exists only while a pod is in some state, so that all of them may end at once:
     * kube-state-metrics exports {@code kube_pod_deletion_timestamp} only for a pod being deleted (docs/metrics/workload/
     * pod-metrics.md, "Pods in Terminating state"). A pod whose deletion ended while Prometheus was away leaves its
     * series with no staleness marker, served for the 5-minute lookback: the probe read it as kube-state-metrics
     * stopped, and every signal of the namespace was UNKNOWN for 3 minutes after Prometheus came back, its other
     * series all current (recheck 115, F2). Not probed: every default query reading it also reads an instant
     * kube-state-metrics series every pod has (kube_pod_status_ready), whose freshness says the exporter's.
     */
    static final Set<String> SOME_PODS_FOR_A_WHILE = Set.of("kube_pod_deletion_timestamp");

    /** The metric names of {@code promql}'s selectors with braces; with {@code instantOnly}, of its instant ones. */
    private static Set<String> names(String promql, boolean instantOnly) {
        // A template's placeholders ({instance_label}="{release}") stand for a plain name or value: read as one.
        String text = PLACEHOLDER.matcher(requireNonNull(promql, "promql")).replaceAll("_");
        Set<String> out = new TreeSet<>();
        for (String selector : selectors(text)) {
            int brace = selector.indexOf('{');
            if (brace > 0 && (!instantOnly || instantUse(text, selector))) {
                out.add(selector.substring(0, brace));
            }
        }
        return out;
    }

    /** True when {@code selector} appears in {@code promql} at least once not followed by a range {@code [...]}. */
    private static boolean instantUse(String promql, String selector) {
        int from = 0;
        int at;
        while ((at = promql.indexOf(selector, from)) >= 0) {
            int next = at + selector.length();
            while (next < promql.length() && Character.isWhitespace(promql.charAt(next))) {
                next++;
            }
            if (next >= promql.length() || promql.charAt(next) != '[') {
                return true;
            }
            from = at + 1;
        }
        return false;
    }

    /**
     * Each distinct selector {@code name{matchers}} (or {@code {matchers}}) of {@code promql}, in order of
     * first use. Braces inside quoted strings (a regex {@code "a{2}"}) and comments are skipped.
     */
    static List<String> selectors(String promql) {
        requireNonNull(promql, "promql");
        Set<String> out = new LinkedHashSet<>();
        int i = 0;
        int n = promql.length();
        while (i < n) {
            char c = promql.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = afterString(promql, i);
            } else if (c == '#') {
                int eol = promql.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (c == '{') {
                int start = i;
                while (start > 0 && isNameChar(promql.charAt(start - 1))) {
                    start--;
                }
                int end = closing(promql, i);
                if (end < 0) {
                    break; // not valid PromQL; the query itself will fail and say so
                }
                out.add(promql.substring(start, end + 1));
                i = end + 1;
            } else {
                i++;
            }
        }
        return List.copyOf(out);
    }

    /** The index of the {@code }} closing the selector opened at {@code open}, or -1. */
    private static int closing(String s, int open) {
        int i = open + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = afterString(s, i);
            } else if (c == '}') {
                return i;
            } else {
                i++;
            }
        }
        return -1;
    }

    /** The index just after the string literal starting at {@code quote}; backticks have no escapes. */
    private static int afterString(String s, int quote) {
        char q = s.charAt(quote);
        int i = quote + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\' && q != '`') {
                i += 2;
            } else if (c == q) {
                return i + 1;
            } else {
                i++;
            }
        }
        return s.length();
    }

    private static boolean isNameChar(char c) {
        return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
