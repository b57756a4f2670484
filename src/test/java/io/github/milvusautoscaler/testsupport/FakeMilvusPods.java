package io.github.milvusautoscaler.testsupport;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpServer;
import io.github.milvusautoscaler.core.InstallKind;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of {@link FakeMilvusPod}s served over HTTP the way Prometheus scrapes them: each pod on its
 * own {@code /metrics} endpoint (JDK HttpServer on a free loopback port, exposition written by the
 * Prometheus simpleclient's {@link TextFormat} from a {@link CollectorRegistry}), or many pods behind
 * one shared endpoint for large measurements. It also writes the pods' history as OpenMetrics (for
 * {@code promtool} backfill) or Prometheus text with timestamps (for VictoriaMetrics' import), with
 * the same values the live endpoints continue from.
 */
public final class FakeMilvusPods implements AutoCloseable {

    private final Clock clock;
    private final Map<FakeMilvusPod, HttpServer> podEndpoints = new LinkedHashMap<>();
    private final List<FakeMilvusPod> sharedPods = new ArrayList<>();
    private final List<HttpServer> sharedEndpoints = new ArrayList<>();

    public FakeMilvusPods(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /** Creates a pod and serves it on its own endpoint; {@link #targets()} includes it from now on. */
    public synchronized FakeMilvusPod start(String namespace, String release, InstallKind install, String component,
                                            String podName, double cpuRequestCores, double memoryLimitBytes) {
        FakeMilvusPod pod = new FakeMilvusPod(namespace, release, install, component, podName, cpuRequestCores,
                memoryLimitBytes, clock);
        podEndpoints.put(pod, serve(List.of(pod)));
        return pod;
    }

    /** As {@link #start(String, String, InstallKind, String, String, double, double)} for a worker component. */
    public FakeMilvusPod start(String namespace, String release, InstallKind install,
                               io.github.milvusautoscaler.core.Component component, String podName,
                               double cpuRequestCores, double memoryLimitBytes) {
        return start(namespace, release, install, component.labelValue(), podName, cpuRequestCores, memoryLimitBytes);
    }

    /** Creates a pod without an endpoint, to be served by {@link #startSharedEndpoint}. */
    public FakeMilvusPod create(String namespace, String release, InstallKind install, String component,
                                String podName, double cpuRequestCores, double memoryLimitBytes) {
        return new FakeMilvusPod(namespace, release, install, component, podName, cpuRequestCores, memoryLimitBytes,
                clock);
    }

    /** Serves all {@code pods} on one endpoint (like one kube-state-metrics for many pods); returns host:port. */
    public synchronized String startSharedEndpoint(Collection<FakeMilvusPod> pods) {
        HttpServer server = serve(List.copyOf(pods));
        sharedEndpoints.add(server);
        sharedPods.addAll(pods);
        return hostPort(server);
    }

    /** Stops the pod's endpoint: after the next target update Prometheus stops scraping it (its series go stale). */
    public synchronized void stop(FakeMilvusPod pod) {
        HttpServer server = podEndpoints.remove(pod);
        if (server != null) {
            server.stop(0);
        }
    }

    /** host:port of every endpoint now serving, for file_sd. */
    public synchronized List<String> targets() {
        List<String> targets = new ArrayList<>();
        podEndpoints.values().forEach(s -> targets.add(hostPort(s)));
        sharedEndpoints.forEach(s -> targets.add(hostPort(s)));
        return targets;
    }

    /** Every pod now served. */
    public synchronized List<FakeMilvusPod> pods() {
        List<FakeMilvusPod> pods = new ArrayList<>(podEndpoints.keySet());
        pods.addAll(sharedPods);
        return pods;
    }

    /**
     * The served pods' samples every {@code step} in [{@code from}, {@code to}) as OpenMetrics text ending in
     * {@code # EOF}, each series carrying {@code extraLabels} too (the scrape job's {@code job} label).
     * Values follow the current settings, so call it after setting the pods up and before they change.
     */
    public String openMetricsHistory(Instant from, Instant to, Duration step, Map<String, String> extraLabels) {
        return history(from, to, step, extraLabels, true) + "# EOF\n";
    }

    /** As {@link #openMetricsHistory}, as Prometheus text lines with millisecond timestamps (VictoriaMetrics import). */
    public String prometheusTextHistory(Instant from, Instant to, Duration step, Map<String, String> extraLabels) {
        return history(from, to, step, extraLabels, false);
    }

    private String history(Instant from, Instant to, Duration step, Map<String, String> extraLabels, boolean seconds) {
        // One block of lines per series, in time order, series grouped by metric name.
        Map<String, StringBuilder> bySeries = new TreeMap<>();
        List<FakeMilvusPod> pods = pods();
        for (Instant t = from; t.isBefore(to); t = t.plus(step)) {
            String ts = seconds ? BigDecimal.valueOf(t.toEpochMilli(), 3).toPlainString()
                    : Long.toString(t.toEpochMilli());
            for (FakeMilvusPod pod : pods) {
                for (MetricFamilySamples family : pod.families(t).values()) {
                    for (Sample sample : family.samples) {
                        String series = series(sample, extraLabels);
                        bySeries.computeIfAbsent(series, k -> new StringBuilder())
                                .append(series).append(' ').append(Collector.doubleToGoString(sample.value))
                                .append(' ').append(ts).append('\n');
                    }
                }
            }
        }
        StringBuilder out = new StringBuilder();
        bySeries.values().forEach(out::append);
        return out.toString();
    }

    private static String series(Sample sample, Map<String, String> extraLabels) {
        Map<String, String> labels = new TreeMap<>(extraLabels);
        for (int i = 0; i < sample.labelNames.size(); i++) {
            labels.put(sample.labelNames.get(i), sample.labelValues.get(i));
        }
        StringBuilder out = new StringBuilder(sample.name).append('{');
        boolean first = true;
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(label.getKey()).append("=\"")
                    .append(label.getValue().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                    .append('"');
        }
        return out.append('}').toString();
    }

    private HttpServer serve(List<FakeMilvusPod> pods) {
        CollectorRegistry registry = new CollectorRegistry();
        new PodsCollector(pods, clock).register(registry);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/metrics", exchange -> {
                try (exchange) {
                    exchange.getResponseHeaders().set("Content-Type", TextFormat.CONTENT_TYPE_004);
                    exchange.sendResponseHeaders(200, 0);
                    try (Writer writer = new OutputStreamWriter(exchange.getResponseBody(), StandardCharsets.UTF_8)) {
                        TextFormat.write004(writer, registry.metricFamilySamples());
                    }
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hostPort(HttpServer server) {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public synchronized void close() {
        podEndpoints.values().forEach(s -> s.stop(0));
        podEndpoints.clear();
        sharedEndpoints.forEach(s -> s.stop(0));
        sharedEndpoints.clear();
        sharedPods.clear();
    }

    /** Merges the pods' families by name, as the text format wants each family once. */
    private static final class PodsCollector extends Collector {
        private final List<FakeMilvusPod> pods;
        private final Clock clock;

        PodsCollector(List<FakeMilvusPod> pods, Clock clock) {
            this.pods = pods;
            this.clock = clock;
        }

        @Override
        public List<MetricFamilySamples> collect() {
            Instant now = clock.instant();
            Map<String, MetricFamilySamples> merged = new LinkedHashMap<>();
            for (FakeMilvusPod pod : pods) {
                pod.families(now).forEach((name, family) -> {
                    MetricFamilySamples existing = merged.get(name);
                    if (existing == null) {
                        merged.put(name, new MetricFamilySamples(name, family.type, family.help,
                                new ArrayList<>(family.samples)));
                    } else {
                        existing.samples.addAll(family.samples);
                    }
                });
            }
            return new ArrayList<>(merged.values());
        }
    }
}
