package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.metrics.PrometheusMetricsSource;
import io.github.milvusautoscaler.testsupport.FakeMilvusPod;
import io.github.milvusautoscaler.testsupport.FakeMilvusPods;
import io.github.milvusautoscaler.testsupport.Poll;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Prometheus that restarted with its data lost, as the emptyDir kube-prometheus-stack's default
 * {@code prometheus.prometheusSpec.storageSpec: {}} gives a rescheduled or evicted pod: at its first scrape, proxies
 * that have run for an hour have one sample each, so qps reads empty, as it must (no rate from one sample). Why it is
 * empty ({@code qps-empty-why}) names that Prometheus, from kube-state-metrics' {@code kube_pod_container_state_started}
 * (docs/metrics/workload/pod-metrics.md), which it reads back at its first scrape: it named every proxy "a new or
 * restarted process", none of which was (recheck 24, F2). A proxy whose container did start just now is still named as
 * new. Here the Prometheus is simply new, which its first scrapes cannot tell from one that lost its data.
 */
class LostHistoryTest {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final double GIB = 1024.0 * 1024 * 1024;
    private static final Target PROXY = new Target("milvus", "lost", Component.PROXY, InstallKind.HELM);
    private static final Target QUERY_NODE = new Target("milvus", "lost", Component.QUERY_NODE, InstallKind.HELM);

    private static FakeMilvusPods pods;
    private static PrometheusServer prometheus;
    private static FakeMilvusPod oldProxy;
    private static FakeMilvusPod queryNode;
    private static final List<FakeMilvusPod> PROXIES = new ArrayList<>();

    @BeforeAll
    static void start() {
        pods = new FakeMilvusPods(CLOCK);
        Instant anHourAgo = CLOCK.instant().minus(Duration.ofHours(1));
        oldProxy = pods.start("milvus", "lost", InstallKind.HELM, "proxy", "lost-milvus-proxy-6b9d8c7f5b-a1a1a", 1, 2 * GIB)
                .setRequestRate("Search", 40).setContainerStartedAt(anHourAgo);
        PROXIES.add(oldProxy);
        PROXIES.add(pods.start("milvus", "lost", InstallKind.HELM, "proxy", "lost-milvus-proxy-6b9d8c7f5b-b2b2b", 1,
                2 * GIB).setRequestRate("Search", 40).setContainerStartedAt(anHourAgo));
        // Started with the Prometheus: a proxy scale-out's new pod.
        PROXIES.add(pods.start("milvus", "lost", InstallKind.HELM, "proxy", "lost-milvus-proxy-6b9d8c7f5b-c3c3c", 1,
                2 * GIB).setRequestRate("Search", 40));
        queryNode = pods.start("milvus", "lost", InstallKind.HELM, "querynode", "lost-milvus-querynode-7d6c5b9f8d-q1q1q",
                2, 8 * GIB).setCpuUtilisation(0.5).setContainerStartedAt(anHourAgo);
        pods.start("milvus", "lost", InstallKind.HELM, "mixcoord", "lost-milvus-mixcoord-8d6f5c9b7c-m1m1m", 1, 4 * GIB)
                .setContainerStartedAt(anHourAgo);
        prometheus = PrometheusServer.builder().targets(pods.targets()).targetLabels(pods.targetLabels()).start();
        Poll.until("3 scrapes of every proxy", WAIT,
                () -> PROXIES.stream().mapToInt(p -> sampleTimes(searchesOf(p)).size()).min().orElse(0), n -> n >= 3);
        Poll.until("2 scrapes of the queryNode", WAIT, () -> sampleTimes(cpuOf(queryNode)).size(), n -> n >= 2);
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (pods != null) {
            pods.close();
        }
    }

    @Test
    void theFirstScrapesOfProxiesOlderThanThePrometheusNameThePrometheusNotTheProxies() {
        // Prometheus scrapes each target at its own offset within the interval: after every proxy's first scrape and
        // before any one's second, every proxy has one sample.
        double lastFirst = 0;
        double firstSecond = Double.MAX_VALUE;
        for (FakeMilvusPod proxy : PROXIES) {
            List<Double> at = sampleTimes(searchesOf(proxy));
            lastFirst = Math.max(lastFirst, at.get(0));
            firstSecond = Math.min(firstSecond, at.get(1));
        }
        assertTrue(lastFirst < firstSecond, lastFirst + " " + firstSecond);
        Instant between = Instant.ofEpochMilli(Math.round((lastFirst + firstSecond) / 2 * 1000));
        List<Double> at = sampleTimes(searchesOf(oldProxy));
        AutoscalerSettings settings = settings("proxy");
        try (PrometheusMetricsSource source = source(settings)) {
            Signal first = source.observe(PROXY, between).signals().get("qps");
            assertFalse(first.isKnown(), first::toString);
            assertEquals("empty result: proxy reported ready with no search rate yet (a new or restarted process has one"
                    + " at its next scrape; a removed one leaves at kube-state-metrics' next): lost-milvus-proxy-6b9d8c7f5b"
                    + "-c3c3c; proxy running for over 3m that this Prometheus has scraped fewer than two times in 2m (a"
                    + " Prometheus that restarted with its data lost, as on the emptyDir a kube-prometheus-stack install"
                    + " keeps by default; one that misses scrapes or scrapes every 60s or slower; or a container restart"
                    + " kube-state-metrics has not reported yet), so no search rate yet: lost-milvus-proxy-6b9d8c7f5b-a1a1a,"
                    + " lost-milvus-proxy-6b9d8c7f5b-b2b2b", first.problem());
        }
        // By every proxy's third scrape each has a rate (a source of its own: one would reuse the answer above for
        // share-window).
        try (PrometheusMetricsSource source = source(settings)) {
            Instant later = Instant.ofEpochMilli(Math.round((at.get(2) + 0.5) * 1000));
            Signal known = source.observe(PROXY, later).signals().get("qps");
            assertTrue(known.isKnown(), known::toString);
        }
    }

    /**
     * cpu is an irate, which needs two samples (prometheus.io docs, querying/functions: "based on the last two data
     * points"): between a queryNode's first and second cAdvisor scrape it reads empty, which said "empty result" and no
     * cause (recheck 48, F4). {@code cpu-empty-why} names the pod and why; one scrape later cpu is a number.
     */
    @Test
    void cpuBeforeAPodsSecondScrapeSaysItHasOneSample() {
        List<Double> at = sampleTimes(cpuOf(queryNode));
        // After kube-state-metrics' first scrape too, which names the pod: it is a target of its own, scraped at its
        // own offset, and a midpoint before it read a plain "empty result" (a CI run, 1 of 4). Every series the
        // serving-pods query joins counts: the ReplicaSet's owner comes from a target of its own, and a moment after
        // the pod's owner but before it read "empty result" too (1 of 8 runs).
        double ksmFirst = 0;
        for (String series : List.of("kube_pod_owner{pod=\"" + queryNode.name() + "\"}", "kube_replicaset_owner",
                "kube_pod_status_ready{pod=\"" + queryNode.name() + "\"}",
                "kube_pod_container_resource_requests{pod=\"" + queryNode.name() + "\"}")) {
            ksmFirst = Math.max(ksmFirst, sampleTimes(series).stream().mapToDouble(Double::doubleValue).min()
                    .orElse(Double.MAX_VALUE));
        }
        double mid = (at.get(0) + at.get(1)) / 2;
        double when = ksmFirst < at.get(1) - 0.2 ? Math.max(mid, Math.min(ksmFirst + 0.1, at.get(1) - 0.1)) : mid;
        Instant between = Instant.ofEpochMilli(Math.round(when * 1000));
        AutoscalerSettings settings = settings("queryNode");
        try (PrometheusMetricsSource source = source(settings)) {
            Signal first = source.observe(QUERY_NODE, between).signals().get("cpu");
            assertFalse(first.isKnown(), first::toString);
            assertEquals("empty result: pod with fewer than two cAdvisor cpu samples in 2m (a rate needs two: the pod,"
                    + " or this Prometheus, started within the last scrape interval, or its scrapes fail):"
                    + " lost-milvus-querynode-7d6c5b9f8d-q1q1q", first.problem());
        }
        try (PrometheusMetricsSource source = source(settings)) {
            Instant second = Instant.ofEpochMilli(Math.round((at.get(1) + 0.2) * 1000));
            Signal known = source.observe(QUERY_NODE, second).signals().get("cpu");
            assertTrue(known.isKnown(), known::toString);
        }
    }

    /** The release lost in namespace milvus with {@code component} as its one target, read from this Prometheus. */
    private static AutoscalerSettings settings(String component) {
        return ConfigLoader.parse("""
                milvus-autoscaler {
                  prometheus.url = "%s"
                  clusters = [
                    { namespace = milvus, name = lost, install = helm, milvus-version = "2.5.6", components { %s {} } }
                  ]
                }
                """.formatted(prometheus.url(), component), "lost.conf");
    }

    private static PrometheusMetricsSource source(AutoscalerSettings settings) {
        return new PrometheusMetricsSource(settings.prometheus(), settings.labelSchemes(),
                Assembly.queries(settings.targets()), new SimpleMeterRegistry());
    }

    private static String searchesOf(FakeMilvusPod proxy) {
        return "milvus_proxy_req_count{pod=\"" + proxy.name() + "\", function_name=\"Search\", status=\"total\"}";
    }

    private static String cpuOf(FakeMilvusPod pod) {
        // The pod's own container, not the pod-level cgroup (container="") or the pause container.
        return "container_cpu_usage_seconds_total{pod=\"" + pod.name() + "\", container!~\"|POD\"}";
    }

    /** Times of the series' samples in the last minute, in seconds since the epoch. */
    private static List<Double> sampleTimes(String series) {
        String body = prometheus.query(series + "[1m]");
        Matcher m = Pattern.compile("\\[([0-9.]+),\"[0-9.e+]+\"\\]").matcher(body);
        List<Double> times = new ArrayList<>();
        while (m.find()) {
            times.add(Double.parseDouble(m.group(1)));
        }
        return times;
    }
}
