package io.github.milvusautoscaler.testsupport;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpServer;
import io.github.milvusautoscaler.core.DeploymentNames;
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
    /** The kube-state-metrics and cAdvisor series of pods whose own endpoint fails its scrapes ({@link #failScrapes}). */
    private final Map<FakeMilvusPod, HttpServer> infraEndpoints = new LinkedHashMap<>();
    private final List<FakeMilvusPod> sharedPods = new ArrayList<>();
    private final List<HttpServer> sharedEndpoints = new ArrayList<>();
    /** Pods whose own endpoint {@link #targets()} leaves out ({@link #hideFromDiscovery}). */
    private final java.util.Set<FakeMilvusPod> undiscovered = new java.util.HashSet<>();
    private final Map<String, Integer> specReplicas = new TreeMap<>();
    private final Map<String, String> extraDeployments = new TreeMap<>();
    /** namespace/name of the workloads that are StatefulSets (the chart's statefulset mode), not Deployments. */
    private final java.util.Set<String> statefulSets = new java.util.TreeSet<>();
    private HttpServer kubeStateMetrics;

    public FakeMilvusPods(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Creates a pod of the install's default Deployment for {@code component} and serves it on its own
     * endpoint; {@link #targets()} includes it from now on. The Deployment is named as the chart or the
     * operator names it ({@link DeploymentNames}): Helm {@code <fullname>-<component>}, operator
     * {@code <name>-milvus-<component>}, and for the operator's queryNode the first of its two Deployments,
     * {@code <name>-milvus-querynode-0}.
     */
    public synchronized FakeMilvusPod start(String namespace, String release, InstallKind install, String component,
                                            String podName, double cpuRequestCores, double memoryLimitBytes) {
        return start(namespace, release, install, component, defaultDeployment(release, install, component), podName,
                cpuRequestCores, memoryLimitBytes);
    }

    /** As above, owned by the named Deployment (e.g. an operator's {@code x-milvus-querynode-1} or a fullnameOverride). */
    public synchronized FakeMilvusPod start(String namespace, String release, InstallKind install, String component,
                                            String deployment, String podName, double cpuRequestCores,
                                            double memoryLimitBytes) {
        return serveNew(new FakeMilvusPod(namespace, release, install, component, podName, deployment,
                cpuRequestCores, memoryLimitBytes, clock));
    }

    /**
     * A pod of the Helm release's StatefulSet for {@code component} (the chart's queryNode.statefulset or
     * indexNode.statefulset: named as the Deployment would be, pods {@code <statefulset>-<ordinal>}).
     */
    public FakeMilvusPod startStatefulSetPod(String namespace, String release, String component, int ordinal,
                                            double cpuRequestCores, double memoryLimitBytes) {
        return startStatefulSetPod(namespace, release, InstallKind.HELM, component, ordinal, cpuRequestCores,
                memoryLimitBytes);
    }

    /**
     * A pod of the install's StatefulSet for {@code component}: Helm's as above; the operator's (statefulSet.enabled)
     * {@code <name>-milvus-<component>}, with no -0/-1 (milvus-operator pkg/controllers/statefulset.go).
     */
    public synchronized FakeMilvusPod startStatefulSetPod(String namespace, String release, InstallKind install,
                                                          String component, int ordinal, double cpuRequestCores,
                                                          double memoryLimitBytes) {
        String statefulSet = install == InstallKind.HELM ? defaultDeployment(release, install, component)
                : release + "-milvus-" + component;
        statefulSets.add(namespace + "/" + statefulSet);
        return serveNew(new FakeMilvusPod(namespace, release, install, component, statefulSet + "-" + ordinal,
                statefulSet, cpuRequestCores, memoryLimitBytes, clock).ownedByStatefulSet());
    }

    private FakeMilvusPod serveNew(FakeMilvusPod pod) {
        pod.peers(this::pods);
        podEndpoints.put(pod, serve(List.of(pod)));
        ensureKubeStateMetrics();
        return pod;
    }

    /** The Deployment a pod of {@code component} belongs to by default (see {@link #start}). */
    public static String defaultDeployment(String release, InstallKind install, String component) {
        if (install == InstallKind.HELM) {
            return DeploymentNames.helmFullname(release, "") + "-" + component;
        }
        String base = release + "-milvus-" + component;
        return component.equals("querynode") ? base + "-0" : base;
    }

    /**
     * kube_deployment_spec_replicas (kube_statefulset_replicas for a StatefulSet) of {@code namespace/deployment};
     * until set it equals the number of served pods of that Deployment (a Deployment at rest).
     */
    public synchronized void setSpecReplicas(String namespace, String deployment, Integer replicas) {
        if (replicas == null) {
            specReplicas.remove(namespace + "/" + deployment);
        } else {
            specReplicas.put(namespace + "/" + deployment, replicas);
            extraDeployments.put(namespace + "/" + deployment, deployment);
        }
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
        FakeMilvusPod pod = new FakeMilvusPod(namespace, release, install, component, podName,
                defaultDeployment(release, install, component), cpuRequestCores, memoryLimitBytes, clock);
        pod.peers(this::pods);
        return pod;
    }

    /** Serves all {@code pods} on one endpoint (like one kube-state-metrics for many pods); returns host:port. */
    public synchronized String startSharedEndpoint(Collection<FakeMilvusPod> pods) {
        HttpServer server = serve(List.copyOf(pods));
        sharedEndpoints.add(server);
        sharedPods.addAll(pods);
        ensureKubeStateMetrics();
        return hostPort(server);
    }

    /**
     * Serves the Milvus series of {@code pods} once more, each with {@code job} added, as a second monitor
     * selecting the same pods' metrics port gives them: the operator creates its own PodMonitor per Milvus
     * (zilliztech/milvus-operator pkg/controllers/podmonitor.go), so a Prometheus that selects it and the
     * deploy/monitoring one scrapes each pod twice, into series that differ only in {@code job} (a PodMonitor's
     * job is {@code <namespace>/<name>}). cAdvisor and kube-state-metrics series are not repeated. Returns host:port.
     */
    public synchronized String startSecondMonitor(Collection<FakeMilvusPod> pods, String job) {
        requireNonNull(job, "job");
        PodsCollector all = new PodsCollector(List.copyOf(pods), clock);
        CollectorRegistry registry = new CollectorRegistry();
        new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                List<MetricFamilySamples> out = new ArrayList<>();
                for (MetricFamilySamples family : all.collect()) {
                    if (!family.name.startsWith("milvus_")) {
                        continue;
                    }
                    List<Sample> samples = new ArrayList<>();
                    for (Sample s : family.samples) {
                        List<String> names = new ArrayList<>(s.labelNames);
                        List<String> values = new ArrayList<>(s.labelValues);
                        names.add("job");
                        values.add(job);
                        samples.add(new Sample(s.name, names, values, s.value, s.timestampMs));
                    }
                    out.add(new MetricFamilySamples(family.name, family.type, family.help, samples));
                }
                return out;
            }
        }.register(registry);
        HttpServer server = serve(registry);
        sharedEndpoints.add(server);
        return hostPort(server);
    }

    /**
     * Makes {@code pod}'s endpoint answer its scrapes with 500 (a proxy timing out under load), or serve again, while
     * its kube-state-metrics and cAdvisor series go on from an endpoint of their own, as on a cluster, where they come
     * from kube-state-metrics' and the kubelet's targets: Prometheus sets up to 0 for the pod's target and marks its
     * Milvus series stale, and nothing else (Prometheus' scrape loop appends stale markers for every series of a scrape
     * that fails: scrape/scrape.go, scrapeAndReport; docs "Querying basics", Staleness). {@link #targets()} lists that other endpoint while the scrapes fail; the
     * caller hands the targets to Prometheus (on restoring, before the pod serves again, so no series has two
     * targets for longer than a file_sd refresh).
     */
    public synchronized void failScrapes(FakeMilvusPod pod, boolean fail) {
        serveInfraAlone(pod, fail);
        pod.failScrapes(fail);
    }

    /**
     * Takes {@code pod}'s own endpoint out of {@link #targets()} (a scraper that has not discovered the pod yet, such
     * as a VictoriaMetrics file_sd read every 5m, or a monitor that does not select it), or puts it back, while its
     * kube-state-metrics and cAdvisor series go on from an endpoint of their own as in {@link #failScrapes}. Once the
     * caller hands the targets to Prometheus, the dropped target's series, {@code up} included, are marked stale
     * (scrape.go endOfRunStaleness): the pod has no {@code up} at all, as one never discovered.
     */
    public synchronized void hideFromDiscovery(FakeMilvusPod pod, boolean hidden) {
        serveInfraAlone(pod, hidden);
        if (hidden) {
            undiscovered.add(pod);
        } else {
            undiscovered.remove(pod);
        }
    }

    /** Serves {@code pod}'s kube-state-metrics and cAdvisor series from an endpoint of their own, or stops that. */
    private void serveInfraAlone(FakeMilvusPod pod, boolean alone) {
        HttpServer infra = infraEndpoints.remove(pod);
        if (infra != null) {
            infra.stop(0);
        }
        if (alone) {
            CollectorRegistry registry = new CollectorRegistry();
            PodsCollector all = new PodsCollector(List.of(pod), clock);
            new Collector() {
                @Override
                public List<MetricFamilySamples> collect() {
                    return all.collect().stream().filter(f -> !f.name.startsWith("milvus_")).toList();
                }
            }.register(registry);
            infraEndpoints.put(pod, serve(registry));
        }
    }

    /** Stops the pod's endpoint: after the next target update Prometheus stops scraping it (its series go stale). */
    public synchronized void stop(FakeMilvusPod pod) {
        HttpServer server = podEndpoints.remove(pod);
        if (server != null) {
            server.stop(0);
        }
    }

    /**
     * The target labels of every pod's own endpoint, by host:port ({@link FakeMilvusPod#targetLabels}: namespace and
     * pod, as prometheus-operator's discovery gives them): what a pod's {@code up} series carries.
     */
    public synchronized Map<String, Map<String, String>> targetLabels() {
        Map<String, Map<String, String>> labels = new LinkedHashMap<>();
        podEndpoints.forEach((pod, server) -> labels.put(hostPort(server), pod.targetLabels()));
        return labels;
    }

    /** host:port of every endpoint now serving, for file_sd. */
    public synchronized List<String> targets() {
        List<String> targets = new ArrayList<>();
        podEndpoints.forEach((pod, s) -> {
            if (!undiscovered.contains(pod)) {
                targets.add(hostPort(s));
            }
        });
        infraEndpoints.values().forEach(s -> targets.add(hostPort(s)));
        sharedEndpoints.forEach(s -> targets.add(hostPort(s)));
        if (kubeStateMetrics != null) {
            targets.add(hostPort(kubeStateMetrics));
        }
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
            List<Map<String, MetricFamilySamples>> sources = new ArrayList<>();
            for (FakeMilvusPod pod : pods) {
                sources.add(pod.families(t));
            }
            sources.add(deploymentFamilies(pods));
            for (Map<String, MetricFamilySamples> families : sources) {
                for (MetricFamilySamples family : families.values()) {
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
        return serve(registry, () -> pods.stream().anyMatch(FakeMilvusPod::scrapeFails));
    }

    private static HttpServer serve(CollectorRegistry registry) {
        return serve(registry, () -> false);
    }

    private static HttpServer serve(CollectorRegistry registry, java.util.function.BooleanSupplier failing) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/metrics", exchange -> {
                try (exchange) {
                    if (failing.getAsBoolean()) {
                        // A scrape that fails: Prometheus sets the target's up to 0 and marks its series stale.
                        exchange.sendResponseHeaders(500, -1);
                        return;
                    }
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

    /**
     * The Deployment-level series kube-state-metrics exports with default flags, one set per Deployment of
     * the served pods: kube_replicaset_owner (ReplicaSet -> Deployment), kube_deployment_spec_replicas and
     * kube_deployment_status_replicas_ready; for a StatefulSet, kube_statefulset_replicas and
     * kube_statefulset_status_replicas_ready (its pods name it directly in kube_pod_owner). No
     * kube_deployment_labels (empty allow-list). Source: kubernetes/kube-state-metrics
     * {@code docs/metrics/workload/replicaset-metrics.md}, {@code deployment-metrics.md} and
     * {@code statefulset-metrics.md}.
     */
    Map<String, MetricFamilySamples> deploymentFamilies(List<FakeMilvusPod> pods) {
        // Never hold this object's lock while asking a pod (a pod asks this object for its peers while
        // holding its own lock): copy what is ours first.
        Map<String, String> names;
        Map<String, Integer> specs;
        java.util.Set<String> stateful;
        synchronized (this) {
            names = new TreeMap<>(extraDeployments);
            specs = new TreeMap<>(specReplicas);
            stateful = new java.util.TreeSet<>(statefulSets);
        }
        Map<String, Integer> podCount = new TreeMap<>();
        Map<String, Integer> readyCount = new TreeMap<>();
        for (FakeMilvusPod pod : pods) {
            // A StatefulSet's pods are its own even beside a Deployment of the same name (milvus-helm renders both
            // with queryNode.statefulset: true): each kind is its own workload.
            String key = pod.namespace() + "/" + pod.deployment() + (pod.statefulSet() ? STATEFUL_KEY : "");
            names.put(key, pod.deployment());
            podCount.merge(key, 1, Integer::sum);
            // A pod being deleted is no longer in the ReplicaSet's ready count (pkg/controller/replicaset
            // replica_set_utils.go calculateStatus counts controller.FilterActivePods, which drops deleted pods).
            readyCount.merge(key, pod.ready() && !pod.deleting() ? 1 : 0, Integer::sum);
        }
        // A workload named only through setSpecReplicas, whose pods turned out a StatefulSet's: one workload, not two.
        java.util.Set<String> deploymentPods = new java.util.HashSet<>();
        pods.stream().filter(p -> !p.statefulSet()).forEach(p -> deploymentPods.add(p.namespace() + "/" + p.deployment()));
        names.keySet().removeIf(k -> !k.endsWith(STATEFUL_KEY) && names.containsKey(k + STATEFUL_KEY)
                && !deploymentPods.contains(k));
        List<Sample> owners = new ArrayList<>();
        Map<String, List<Sample>> families = new LinkedHashMap<>();
        for (String family : List.of("kube_deployment_spec_replicas", "kube_deployment_status_replicas_ready",
                "kube_statefulset_replicas", "kube_statefulset_status_replicas_ready")) {
            families.put(family, new ArrayList<>());
        }
        names.forEach((key, workload) -> {
            String namespace = key.substring(0, key.indexOf('/'));
            boolean statefulSet = key.endsWith(STATEFUL_KEY) || stateful.contains(key) && !deploymentPods.contains(key);
            if (!statefulSet) {
                Map<String, String> owner = new LinkedHashMap<>();
                owner.put("namespace", namespace);
                // as scraped with honor_labels: the live series and the backfilled history must be one series
                owner.put("instance", "kube-state-metrics");
                owner.put("replicaset", workload + "-5d8c7f9b4d");
                owner.put("owner_kind", "Deployment");
                owner.put("owner_name", workload);
                owner.put("owner_is_controller", "true");
                owners.add(sample("kube_replicaset_owner", owner));
            }
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("namespace", namespace);
            labels.put("instance", "kube-state-metrics");
            labels.put(statefulSet ? "statefulset" : "deployment", workload);
            String spec = statefulSet ? "kube_statefulset_replicas" : "kube_deployment_spec_replicas";
            String ready = statefulSet ? "kube_statefulset_status_replicas_ready" : "kube_deployment_status_replicas_ready";
            families.get(spec).add(new Sample(spec, new ArrayList<>(labels.keySet()), new ArrayList<>(labels.values()),
                    specs.getOrDefault(key.replace(STATEFUL_KEY, ""), podCount.getOrDefault(key, 0))));
            families.get(ready).add(new Sample(ready, new ArrayList<>(labels.keySet()),
                    new ArrayList<>(labels.values()), readyCount.getOrDefault(key, 0)));
        });
        Map<String, MetricFamilySamples> out = new LinkedHashMap<>();
        out.put("kube_replicaset_owner", new MetricFamilySamples("kube_replicaset_owner", Collector.Type.GAUGE,
                "kube_replicaset_owner", owners));
        families.forEach((name, samples) -> {
            if (!samples.isEmpty()) {
                out.put(name, new MetricFamilySamples(name, Collector.Type.GAUGE, name, samples));
            }
        });
        return out;
    }

    /** Marks a StatefulSet's key in {@link #deploymentFamilies} where a Deployment of its name may be keyed too. */
    private static final String STATEFUL_KEY = "#statefulset";

    private static Sample sample(String name, Map<String, String> labels) {
        return new Sample(name, new ArrayList<>(labels.keySet()), new ArrayList<>(labels.values()), 1);
    }

    /** One endpoint for the Deployment-level kube-state-metrics series, started with the first pod. */
    private void ensureKubeStateMetrics() {
        if (kubeStateMetrics != null) {
            return;
        }
        CollectorRegistry registry = new CollectorRegistry();
        new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                return new ArrayList<>(deploymentFamilies(pods()).values());
            }
        }.register(registry);
        kubeStateMetrics = serve(registry);
    }

    private static String hostPort(HttpServer server) {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public synchronized void close() {
        podEndpoints.values().forEach(s -> s.stop(0));
        podEndpoints.clear();
        infraEndpoints.values().forEach(s -> s.stop(0));
        infraEndpoints.clear();
        sharedEndpoints.forEach(s -> s.stop(0));
        sharedEndpoints.clear();
        sharedPods.clear();
        if (kubeStateMetrics != null) {
            kubeStateMetrics.stop(0);
            kubeStateMetrics = null;
        }
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
