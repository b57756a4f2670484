package io.github.milvusautoscaler.deploy;

import io.github.milvusautoscaler.core.LabelScheme;
import io.github.milvusautoscaler.core.SignalQuery;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.metrics.PromqlTemplate;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The monitors of deploy/monitoring/ make a default kube-prometheus-stack scrape Milvus with exactly the
 * labels the autoscaler's default queries read, for both install kinds (issue 12, item 5).
 *
 * <p>Checked with the Prometheus operator's own field names ({@code spec.selector.matchLabels},
 * {@code spec.endpoints[].port}, {@code spec.targetLabels}, {@code spec.podMetricsEndpoints[].port/path},
 * {@code spec.podTargetLabels}, {@code spec.namespaceSelector}) against the labels the chart and the
 * operator put on their objects, and against the label names of reference.conf's {@code label-schemes}
 * as loaded by the daemon's own config loader. A Prometheus label that a monitor copies from a Kubernetes
 * label is the key sanitised by the operator ({@code sanitizeLabelName} in prometheus-operator
 * {@code pkg/prometheus/promcfg.go}: every character outside {@code [a-zA-Z0-9_]} becomes {@code _}), so
 * {@code app.kubernetes.io/instance} arrives as {@code app_kubernetes_io_instance}.
 *
 * <p>The last tests render every default query and every query of the shipped overlays for their
 * targets and fail when a {@code milvus_*} selector or grouping names a label that neither Milvus nor
 * the monitor puts on that series.
 */
class MonitoringManifestsTest {

    private static final Path MONITORING = Repo.DEPLOY.resolve("monitoring");
    private static final Path HELM_MONITOR = MONITORING.resolve("servicemonitor-helm.yaml");
    private static final Path OPERATOR_MONITOR = MONITORING.resolve("podmonitor-operator.yaml");

    /** The label a default kube-prometheus-stack selects monitors by, and the release name the files ship with. */
    private static final String RELEASE_LABEL = "release";
    private static final String STACK_RELEASE = "kube-prometheus-stack";

    /** The Milvus metrics port, as the chart's Services and the operator's pods name it (9091). */
    private static final String METRICS_PORT = "metrics";

    /**
     * The chart's own ServiceMonitor {@code targetLabels} (zilliztech/milvus-helm
     * charts/milvus/templates/servicemonitor.yaml): ours gives the same series.
     */
    private static final List<String> CHART_TARGET_LABELS = List.of("app.kubernetes.io/name", "app.kubernetes.io/instance",
            "component");
    /**
     * The operator's own PodMonitor {@code podTargetLabels} (zilliztech/milvus-operator
     * pkg/controllers/podmonitor.go: AppLabelInstance, AppLabelName, AppLabelComponent).
     */
    private static final List<String> OPERATOR_POD_TARGET_LABELS = List.of("app.kubernetes.io/instance",
            "app.kubernetes.io/name", "app.kubernetes.io/component");

    /**
     * Labels the Prometheus operator puts on every target besides the copied ones (promcfg.go): for a
     * ServiceMonitor namespace, service, pod, container, endpoint and job; for a PodMonitor the same
     * without service; instance is Prometheus' own.
     */
    private static final Set<String> SERVICE_MONITOR_TARGET = Set.of("namespace", "service", "pod", "container",
            "endpoint", "job", "instance");
    private static final Set<String> POD_MONITOR_TARGET = Set.of("namespace", "pod", "container", "endpoint", "job",
            "instance");

    /**
     * The labels Milvus itself exports on each metric a shipped query reads, from milvus-io/milvus
     * pkg/metrics: proxy_metrics.go (ProxyFunctionCall, ProxySQLatency), querynode_metrics.go
     * (QueryNodeReadTaskReadyLen, StoppingBalanceNodeNum, QueryNodeSQCount), metrics.go (NumNodes),
     * querycoord_metrics.go (QueryCoordTaskNum, QueryCoordNumQueryNodes), datacoord_metrics.go (TaskNum,
     * IndexTaskNum). A query reading a metric
     * missing here fails {@link #everyLabelAQueryPutsOnAMilvusSeriesIsOneMilvusOrTheMonitorGives} until its
     * labels are added, from the same files.
     */
    private static final Map<String, Set<String>> MILVUS_LABELS = Map.ofEntries(
            // cause on master (node_id, function_name, status, cause, db_name, collection_name; total counted with
            // metrics.CauseNA, proxy/interceptor and httpserver handlers), absent before
            Map.entry("milvus_proxy_req_count", Set.of("node_id", "function_name", "status", "cause", "db_name",
                    "collection_name")),
            Map.entry("milvus_proxy_sq_latency_bucket", Set.of("node_id", "query_type", "db_name", "collection_name", "le")),
            // NumNodes in metrics.go; QueryNodeSQCount in querynode_metrics.go (scope and collection_id in later
            // releases, which the queries sum away)
            Map.entry("milvus_num_node", Set.of("node_id", "role_name")),
            Map.entry("milvus_querynode_sq_req_count", Set.of("node_id", "query_type", "status", "scope", "collection_id")),
            Map.entry("milvus_querynode_read_task_ready_len", Set.of("node_id")),
            Map.entry("milvus_querynode_read_task_unsolved_len", Set.of("node_id")),
            Map.entry("milvus_querynode_stopping_balance_node_num", Set.of()),
            Map.entry("milvus_querycoord_querynode_num", Set.of()),
            Map.entry("milvus_querycoord_task_num", Set.of("querycoord_task_type")),
            // QueryCoordNumCollections (no label) and QueryCoordResourceGroupReplicaTotal (ResourceGroupLabelName, "rg"
            // in metrics.go) in querycoord_metrics.go
            Map.entry("milvus_querycoord_collection_num", Set.of()),
            Map.entry("milvus_querycoord_resource_group_replica_total", Set.of("rg")),
            Map.entry("milvus_datacoord_task_count", Set.of("task_type", "task_state")),
            Map.entry("milvus_datacoord_index_task_count", Set.of("collection_id", "index_task_status")));

    /** The components with a Service (Helm) or pods (both kinds) that export milvus_* series. */
    private static final List<String> MILVUS_COMPONENTS = List.of("querynode", "datanode", "indexnode", "proxy",
            "streamingnode", "mixcoord", "rootcoord", "querycoord", "datacoord", "indexcoord");

    @TempDir
    static Path work;

    private static final Map<InstallKind, AutoscalerSettings> CONFIGS = new ConcurrentHashMap<>();

    // --- the manifests ---------------------------------------------------------------------------

    @Test
    void helmServiceMonitorScrapesTheMetricsPortOfEveryHelmComponentAndNoOperatorService() {
        Monitor m = monitor(InstallKind.HELM);
        assertEquals("monitoring.coreos.com/v1", m.object.getApiVersion());
        assertEquals("ServiceMonitor", m.object.getKind());
        assertEquals(Set.of("namespaceSelector", "selector", "endpoints", "targetLabels"), m.spec().keySet(),
                "no misspelt or unexpected ServiceMonitor field");
        JsonObject endpoint = onlyEndpoint(m.spec().getAsJsonArray("endpoints"));
        assertEquals(METRICS_PORT, endpoint.get("port").getAsString(), "spec.endpoints[].port: the Services' port name");
        assertEquals("/metrics", endpoint.get("path").getAsString());
        assertTrue(Set.of("port", "path", "interval", "scrapeTimeout", "honorLabels").containsAll(endpoint.keySet()),
                "endpoint fields " + endpoint.keySet());

        for (String release : List.of("hr", "my-milvus")) {
            for (String component : MILVUS_COMPONENTS) {
                Map<String, String> service = helmService(release, component);
                assertTrue(m.selects(service), "selects the chart's Service of " + release + "/" + component + ": " + service);
            }
            // The proxy's Service is the release's main Service, labelled component=proxy (templates/service.yaml).
            assertTrue(m.selects(helmService(release, "proxy")));
        }
        assertFalse(m.selects(operatorService("hr")), "an operator install's Service of the same name is not scraped twice");
        assertFalse(m.selects(Map.of("app.kubernetes.io/name", "etcd", "app.kubernetes.io/instance", "hr")),
                "the chart's etcd");
        assertFalse(m.selects(Map.of("app.kubernetes.io/name", "attu-other", "component", "attu")), "another app");
    }

    @Test
    void operatorPodMonitorScrapesTheMetricsPortOfEveryOperatorPodAndNoHelmPod() {
        Monitor m = monitor(InstallKind.OPERATOR);
        assertEquals("monitoring.coreos.com/v1", m.object.getApiVersion());
        assertEquals("PodMonitor", m.object.getKind());
        assertEquals(Set.of("namespaceSelector", "selector", "podMetricsEndpoints", "podTargetLabels"), m.spec().keySet(),
                "no misspelt or unexpected PodMonitor field");
        JsonObject endpoint = onlyEndpoint(m.spec().getAsJsonArray("podMetricsEndpoints"));
        assertEquals(METRICS_PORT, endpoint.get("port").getAsString(),
                "spec.podMetricsEndpoints[].port: the container port name (MetricPortName in the operator)");
        assertEquals("/metrics", endpoint.get("path").getAsString(), "MetricPath in the operator");
        assertTrue(Set.of("port", "path", "interval", "scrapeTimeout", "honorLabels").containsAll(endpoint.keySet()),
                "endpoint fields " + endpoint.keySet());

        for (String name : List.of("op", "hr")) {
            for (String component : MILVUS_COMPONENTS) {
                Map<String, String> pod = operatorPod(name, component);
                assertTrue(m.selects(pod), "selects the operator's pod " + name + "/" + component + ": " + pod);
            }
        }
        for (String component : MILVUS_COMPONENTS) {
            assertFalse(m.selects(helmPod("hr", component)), "a Helm release's pod of the same name is not scraped twice");
        }
        assertFalse(m.selects(Map.of("app.kubernetes.io/name", "etcd", "app.kubernetes.io/instance", "op-etcd",
                "app.kubernetes.io/component", "etcd")), "the operator's etcd");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(InstallKind.class)
    void carriesTheReleaseLabelADefaultKubePrometheusStackSelectsBy(InstallKind kind) {
        Monitor m = monitor(kind);
        assertEquals(STACK_RELEASE, m.object.getMetadata().getLabels().get(RELEASE_LABEL), m.file + " metadata.labels.release");
        // The line before the label tells the reader to change it.
        List<String> lines = Repo.read(m.file).lines().toList();
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(RELEASE_LABEL + ": " + STACK_RELEASE)) {
                at = i;
            }
        }
        assertTrue(at > 0, m.file + ": no line 'release: kube-prometheus-stack'");
        StringBuilder comment = new StringBuilder();
        for (int i = at - 1; i >= 0 && lines.get(i).strip().startsWith("#"); i--) {
            comment.insert(0, lines.get(i).strip() + " ");
        }
        assertTrue(comment.toString().contains("your kube-prometheus-stack release name"),
                m.file + ": the release label needs a comment saying what to set it to; found: " + comment);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(InstallKind.class)
    void namespaceSelectorNamesTheNamespacesOfTheOverlaysClusters(InstallKind kind) {
        Monitor m = monitor(kind);
        JsonObject namespaceSelector = m.spec().getAsJsonObject("namespaceSelector");
        assertEquals(Set.of("matchNames"), namespaceSelector.keySet(), "spec.namespaceSelector: names, never any: true");
        Set<String> names = strings(namespaceSelector.getAsJsonArray("matchNames"));
        Set<String> clusterNamespaces = config(kind).targets().stream().map(t -> t.target().namespace())
                .collect(Collectors.toCollection(TreeSet::new));
        assertFalse(clusterNamespaces.isEmpty());
        assertEquals(clusterNamespaces, names, "the namespaces of deploy/" + overlay(kind) + "'s clusters");
        assertTrue(names.contains(m.object.getMetadata().getNamespace()), "the monitor lives next to Milvus");
    }

    // --- the labels -----------------------------------------------------------------------------

    /**
     * The scheme's instance and component labels, mapped back to the Kubernetes label keys the monitor
     * copies, are on the chart's Services (Helm) or the operator's pods and hold the release and the
     * component's label value: e.g. Helm's {@code component} comes from the Service label {@code component}
     * = {@code querynode}, the operator's {@code app_kubernetes_io_component} from the pod label
     * {@code app.kubernetes.io/component} = {@code querynode}.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(InstallKind.class)
    void monitorsGiveTheInstanceAndComponentLabelsOfTheInstallsLabelScheme(InstallKind kind) {
        Monitor m = monitor(kind);
        LabelScheme scheme = scheme(kind);
        assertEquals(kind == InstallKind.HELM ? CHART_TARGET_LABELS : OPERATOR_POD_TARGET_LABELS, m.copiedKeys(),
                m.file + ": the same copied labels as the " + (kind == InstallKind.HELM ? "chart's ServiceMonitor"
                        : "operator's PodMonitor") + ", so both give the same series");
        for (Target target : config(kind).targets().stream().map(TargetSettings::target).toList()) {
            Map<String, String> source = kind == InstallKind.HELM
                    ? helmService(target.name(), target.component().labelValue())
                    : operatorPod(target.name(), target.component().labelValue());
            assertTrue(m.selects(source), target + ": " + source);
            Map<String, String> series = m.seriesLabels(source);
            assertEquals(target.name(), series.get(scheme.instanceLabel()),
                    target + ": " + scheme.instanceLabel() + " from " + m.keyFor(scheme.instanceLabel()));
            assertEquals(target.component().labelValue(), series.get(scheme.componentLabel()),
                    target + ": " + scheme.componentLabel() + " from " + m.keyFor(scheme.componentLabel()));
        }
    }

    /**
     * Every label a query puts on a {@code milvus_*} series (in a matcher or a {@code by} grouping right
     * around it) is one Milvus exports on that metric or one the install kind's monitor gives; and the
     * labels only the monitor can give are exactly the scheme's instance and component labels.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(InstallKind.class)
    void everyLabelAQueryPutsOnAMilvusSeriesIsOneMilvusOrTheMonitorGives(InstallKind kind) {
        Monitor m = monitor(kind);
        AutoscalerSettings settings = config(kind);
        LabelScheme scheme = scheme(kind);
        Map<String, String> queries = shippedQueries(settings, kind);
        assertTrue(queries.keySet().stream().anyMatch(k -> k.startsWith("queries.qps")), "the default templates are read: "
                + queries.keySet());

        List<String> problems = new ArrayList<>();
        Set<String> fromMonitor = new TreeSet<>();
        queries.forEach((name, promql) -> {
            problems.addAll(missingLabels(name, promql, m));
            milvusLabels(promql).forEach((metric, labels) -> labels.stream()
                    .filter(l -> !MILVUS_LABELS.getOrDefault(metric, Set.of()).contains(l))
                    .filter(l -> !m.standardLabels().contains(l))
                    .forEach(fromMonitor::add));
        });
        assertEquals(List.of(), problems, "labels the queries need on milvus_* series that " + m.file.getFileName()
                + " does not give");
        assertEquals(new TreeSet<>(Set.of(scheme.instanceLabel(), scheme.componentLabel())), fromMonitor,
                "the labels only the monitor gives that the queries use: exactly the label scheme's");
    }

    /** The check above finds a query that needs a label the monitor does not give, so it can fail. */
    @Test
    void theCheckReportsAQueryNeedingALabelTheMonitorDoesNotGive() {
        Target helm = new Target("milvus", "hr", Component.QUERY_NODE, InstallKind.HELM);
        LabelScheme helmScheme = scheme(InstallKind.HELM);
        // The operator scheme's component label on a Helm series: the chart's Services have no app.kubernetes.io/component.
        String readQueue = "max by (pod, {component_label}) (milvus_querynode_read_task_ready_len{namespace=\"{namespace}\", "
                + "{instance_label}=\"{release}\", {component_label}=~\"{component}\"})";
        assertEquals(List.of(), missingLabels("test", PromqlTemplate.render(readQueue, helm, helmScheme), monitor(InstallKind.HELM)));
        String wrongScheme = PromqlTemplate.render(readQueue, helm, scheme(InstallKind.OPERATOR));
        assertEquals(List.of("test: milvus_querynode_read_task_ready_len needs app_kubernetes_io_component"),
                missingLabels("test", wrongScheme, monitor(InstallKind.HELM)));
        // A pod label neither monitor copies, in a grouping around a Milvus selector.
        String grouped = PromqlTemplate.render("sum by (milvus_io_deployment_group) (rate(milvus_proxy_req_count{"
                + "namespace=\"{namespace}\", {instance_label}=\"{release}\"}[2m]))", helm, helmScheme);
        assertEquals(List.of("test: milvus_proxy_req_count needs milvus_io_deployment_group"),
                missingLabels("test", grouped, monitor(InstallKind.HELM)));
        // A Milvus metric nobody looked up yet.
        String unknown = "sum(milvus_querynode_entity_size{namespace=\"milvus\"})";
        assertEquals(List.of("test: milvus_querynode_entity_size is not in MILVUS_LABELS: add its labels from milvus "
                        + "pkg/metrics"), missingLabels("test", unknown, monitor(InstallKind.HELM)));
        // Milvus' own labels and the operator's target labels are fine.
        String fine = "max by (pod, node_id) (milvus_querynode_read_task_ready_len{namespace=\"milvus\", component=\"querynode\"})";
        assertEquals(List.of(), missingLabels("test", fine, monitor(InstallKind.HELM)));
    }

    // --- helpers: the monitors --------------------------------------------------------------------

    /** One parsed monitor of deploy/monitoring/ and what the Prometheus operator makes of it. */
    private record Monitor(InstallKind kind, Path file, DynamicKubernetesObject object) {

        JsonObject spec() {
            return object.getRaw().getAsJsonObject("spec");
        }

        /** The Kubernetes label keys copied onto the series: spec.targetLabels or spec.podTargetLabels. */
        List<String> copiedKeys() {
            JsonArray keys = spec().getAsJsonArray(kind == InstallKind.HELM ? "targetLabels" : "podTargetLabels");
            return keys == null ? List.of() : keys.asList().stream().map(JsonElement::getAsString).toList();
        }

        Set<String> standardLabels() {
            return kind == InstallKind.HELM ? SERVICE_MONITOR_TARGET : POD_MONITOR_TARGET;
        }

        /** Every label name a scraped series can carry from the monitor. */
        Set<String> givenLabels() {
            Set<String> given = new TreeSet<>(standardLabels());
            copiedKeys().forEach(k -> given.add(sanitize(k)));
            return given;
        }

        /** The copied label values of a series from an object with {@code labels}, by Prometheus label name. */
        Map<String, String> seriesLabels(Map<String, String> labels) {
            Map<String, String> series = new TreeMap<>();
            for (String key : copiedKeys()) {
                // The operator's relabeling uses regex (.+): an absent or empty label sets nothing.
                String value = labels.get(key);
                if (value != null && !value.isEmpty()) {
                    series.put(sanitize(key), value);
                }
            }
            return series;
        }

        /** The Kubernetes key a Prometheus label comes from, e.g. component or app.kubernetes.io/instance. */
        String keyFor(String prometheusLabel) {
            List<String> keys = copiedKeys().stream().filter(k -> sanitize(k).equals(prometheusLabel)).toList();
            assertEquals(1, keys.size(), file + ": keys copied as " + prometheusLabel + ": " + keys);
            return keys.get(0);
        }

        /** spec.selector (matchLabels and matchExpressions) applied to an object's labels. */
        boolean selects(Map<String, String> labels) {
            JsonObject selector = spec().getAsJsonObject("selector");
            assertTrue(Set.of("matchLabels", "matchExpressions").containsAll(selector.keySet()), "selector " + selector);
            JsonObject matchLabels = selector.getAsJsonObject("matchLabels");
            if (matchLabels != null) {
                for (Map.Entry<String, JsonElement> e : matchLabels.entrySet()) {
                    if (!e.getValue().getAsString().equals(labels.get(e.getKey()))) {
                        return false;
                    }
                }
            }
            JsonArray expressions = selector.getAsJsonArray("matchExpressions");
            if (expressions != null) {
                for (JsonElement element : expressions) {
                    JsonObject expression = element.getAsJsonObject();
                    String key = expression.get("key").getAsString();
                    String operator = expression.get("operator").getAsString();
                    Set<String> values = expression.has("values") ? strings(expression.getAsJsonArray("values")) : Set.of();
                    boolean holds = switch (operator) {
                        case "Exists" -> labels.containsKey(key);
                        case "DoesNotExist" -> !labels.containsKey(key);
                        case "In" -> labels.containsKey(key) && values.contains(labels.get(key));
                        case "NotIn" -> !labels.containsKey(key) || !values.contains(labels.get(key));
                        default -> fail(file + ": unknown selector operator " + operator);
                    };
                    if (!holds) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    private static Monitor monitor(InstallKind kind) {
        Path file = kind == InstallKind.HELM ? HELM_MONITOR : OPERATOR_MONITOR;
        Rendered parsed = Rendered.parse(file, Repo.read(file));
        assertEquals(List.of(), parsed.typed(), file + " holds only the monitor");
        String kindName = kind == InstallKind.HELM ? "ServiceMonitor" : "PodMonitor";
        return new Monitor(kind, file, parsed.oneCustom(kindName));
    }

    private static JsonObject onlyEndpoint(JsonArray endpoints) {
        assertEquals(1, endpoints.size(), "one endpoint: " + endpoints);
        return endpoints.get(0).getAsJsonObject();
    }

    /** prometheus-operator's sanitizeLabelName: {@code app.kubernetes.io/instance} -> {@code app_kubernetes_io_instance}. */
    static String sanitize(String kubernetesLabel) {
        return kubernetesLabel.replaceAll("[^a-zA-Z0-9_]", "_");
    }

    // --- helpers: the objects the chart and the operator create ----------------------------------

    /**
     * Labels of the chart's Service of one component (zilliztech/milvus-helm charts/milvus/templates:
     * {@code milvus.labels} and {@code component}, e.g. querynode-svc.yaml; the proxy's is service.yaml).
     */
    private static Map<String, String> helmService(String release, String component) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("helm.sh/chart", "milvus-4.2.40");
        labels.put("app.kubernetes.io/name", "milvus");
        labels.put("app.kubernetes.io/instance", release);
        labels.put("app.kubernetes.io/version", "2.5.10");
        labels.put("app.kubernetes.io/managed-by", "Helm");
        labels.put("component", component);
        return labels;
    }

    /** Labels of a chart pod (e.g. querynode-deployment.yaml: {@code milvus.matchLabels} and {@code component}). */
    private static Map<String, String> helmPod(String release, String component) {
        return Map.of("app.kubernetes.io/name", "milvus", "app.kubernetes.io/instance", release, "component", component,
                "pod-template-hash", "5d8c7f9b4d");
    }

    /** Labels of an operator pod (milvus-operator NewComponentAppLabels, plus its Deployment's hash). */
    private static Map<String, String> operatorPod(String name, String component) {
        return Map.of("app.kubernetes.io/name", "milvus", "app.kubernetes.io/instance", name,
                "app.kubernetes.io/component", component, "app.kubernetes.io/managed-by", "milvus-operator",
                "pod-template-hash", "7b5c8d9f6c");
    }

    /** Labels of the operator's Service (milvus-operator services.go: NewAppLabels, no component label). */
    private static Map<String, String> operatorService(String name) {
        return Map.of("app.kubernetes.io/name", "milvus", "app.kubernetes.io/instance", name,
                "app.kubernetes.io/managed-by", "milvus-operator");
    }

    // --- helpers: the queries ----------------------------------------------------------------------

    private static String overlay(InstallKind kind) {
        return kind == InstallKind.HELM ? "overlays/helm" : "overlays/operator";
    }

    /** The configuration the overlay of {@code kind} installs, loaded by the daemon's loader. */
    private static AutoscalerSettings config(InstallKind kind) {
        return CONFIGS.computeIfAbsent(kind, k -> DeployManifestsTest.configOf(overlay(k), work.resolve(k.name())));
    }

    /** reference.conf's label-schemes entry of {@code kind}, as the loader read it, in the type templates render with. */
    private static LabelScheme scheme(InstallKind kind) {
        var loaded = config(kind).labelScheme(kind);
        return new LabelScheme(loaded.instanceLabel(), loaded.componentLabel());
    }

    /**
     * Every PromQL the overlay's targets of {@code kind} can send, rendered for them: each template of
     * {@code milvus-autoscaler.queries} (all of reference.conf's defaults, enabled or not) and each
     * target's own signal, settle and health queries; keyed e.g. {@code queries.qps milvus/my-release/queryNode}.
     */
    private static Map<String, String> shippedQueries(AutoscalerSettings settings, InstallKind kind) {
        LabelScheme scheme = scheme(kind);
        Map<String, String> rendered = new TreeMap<>();
        List<TargetSettings> targets = settings.targets().stream().filter(t -> t.target().install() == kind).toList();
        assertFalse(targets.isEmpty(), "deploy/" + overlay(kind) + " names no " + kind + " cluster");
        for (TargetSettings t : targets) {
            String where = " " + t.target().namespace() + "/" + t.target().name() + "/" + t.target().component();
            settings.queryTemplates().forEach((name, template) ->
                    rendered.put("queries." + name + where, PromqlTemplate.render(template, t.target(), scheme)));
            for (SignalQuery s : t.signals()) {
                rendered.put("signal " + s.name() + where, PromqlTemplate.render(s.template(), t.target(), scheme));
            }
            if (!t.settleQuery().isBlank()) {
                rendered.put("settle-query" + where, PromqlTemplate.render(t.settleQuery(), t.target(), scheme));
            }
            if (!t.healthQuery().isBlank()) {
                rendered.put("health-query" + where, PromqlTemplate.render(t.healthQuery(), t.target(), scheme));
            }
        }
        return rendered;
    }

    /** Problems of one rendered query, e.g. {@code queries.qps ...: milvus_proxy_req_count needs component}. */
    private static List<String> missingLabels(String name, String promql, Monitor monitor) {
        List<String> problems = new ArrayList<>();
        Set<String> given = monitor.givenLabels();
        milvusLabels(promql).forEach((metric, labels) -> {
            Set<String> own = MILVUS_LABELS.get(metric);
            if (own == null) {
                problems.add(name + ": " + metric + " is not in MILVUS_LABELS: add its labels from milvus pkg/metrics");
                return;
            }
            for (String label : labels) {
                if (!own.contains(label) && !given.contains(label)) {
                    problems.add(name + ": " + metric + " needs " + label);
                }
            }
        });
        return problems;
    }

    /** A selector with braces: {@code name{...}}. */
    private static final Pattern SELECTOR = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
    /** One matcher inside braces: {@code label op "value"}. */
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)\\s*\"(?:[^\"\\\\]|\\\\.)*\"");
    /** An aggregation's grouping followed by its argument: {@code by (a, b) (}. */
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)\\s*\\(");

    /**
     * The labels a PromQL expression requires on each {@code milvus_*} metric it selects: the label names
     * of the selector's matchers, and those of every {@code by}/{@code without} grouping whose argument
     * selects only {@code milvus_*} metrics (a grouping over a join with kube-state-metrics may take its
     * labels from the other side). For example {@code max by (pod, component) (milvus_x{namespace="m"})}
     * gives {@code milvus_x -> [component, namespace, pod]}.
     */
    static Map<String, Set<String>> milvusLabels(String promql) {
        Map<String, Set<String>> labels = new TreeMap<>();
        Matcher s = SELECTOR.matcher(promql);
        while (s.find()) {
            if (s.group(1).startsWith("milvus_")) {
                Set<String> set = labels.computeIfAbsent(s.group(1), k -> new TreeSet<>());
                Matcher m = MATCHER.matcher(s.group(2));
                while (m.find()) {
                    set.add(m.group(1));
                }
            }
        }
        Matcher g = GROUPING.matcher(promql);
        while (g.find()) {
            String argument = promql.substring(g.end(), closingParen(promql, g.end() - 1));
            Set<String> metrics = new TreeSet<>();
            Matcher inner = SELECTOR.matcher(argument);
            while (inner.find()) {
                metrics.add(inner.group(1));
            }
            if (!metrics.isEmpty() && metrics.stream().allMatch(n -> n.startsWith("milvus_"))) {
                for (String label : g.group(1).split(",")) {
                    if (!label.isBlank()) {
                        metrics.forEach(n -> labels.computeIfAbsent(n, k -> new TreeSet<>()).add(label.strip()));
                    }
                }
            }
        }
        return labels;
    }

    /** The index of the parenthesis closing the one at {@code open}, skipping double-quoted strings. */
    private static int closingParen(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                for (i++; i < text.length() && text.charAt(i) != '"'; i++) {
                    if (text.charAt(i) == '\\') {
                        i++;
                    }
                }
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        return fail("unbalanced parentheses after index " + open + " in " + text);
    }

    private static Set<String> strings(JsonArray array) {
        return array.asList().stream().map(JsonElement::getAsString).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * A default kube-prometheus-stack selects only the ServiceMonitors, PodMonitors and PrometheusRules labelled
     * {@code release: <its release>} (prometheus-community/helm-charts charts/kube-prometheus-stack values.yaml:
     * serviceMonitorSelectorNilUsesHelmValues, podMonitorSelectorNilUsesHelmValues, ruleSelectorNilUsesHelmValues):
     * every one we ship carries the label, or Prometheus would silently never scrape it or evaluate its rules.
     */
    @Test
    void everyMonitorAndRuleCarriesTheStacksReleaseLabel() throws java.io.IOException {
        List<String> found = new ArrayList<>();
        List<String> unlabelled = new ArrayList<>();
        try (var files = java.nio.file.Files.walk(Repo.DEPLOY)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object doc : new org.yaml.snakeyaml.Yaml().loadAll(Repo.read(file))) {
                    if (!(doc instanceof Map<?, ?> object) || !Set.of("ServiceMonitor", "PodMonitor", "PrometheusRule")
                            .contains(String.valueOf(object.get("kind")))) {
                        continue;
                    }
                    String name = Repo.ROOT.relativize(file) + " " + object.get("kind");
                    found.add(name);
                    Object labels = object.get("metadata") instanceof Map<?, ?> m ? m.get("labels") : null;
                    if (!(labels instanceof Map<?, ?> l) || !(l.get("release") instanceof String)) {
                        unlabelled.add(name);
                    }
                }
            }
        }
        assertEquals(4, found.size(), "the monitors and rules shipped: " + found);
        assertEquals(List.of(), unlabelled, "without release=<stack release> a default kube-prometheus-stack ignores them");
    }
}
