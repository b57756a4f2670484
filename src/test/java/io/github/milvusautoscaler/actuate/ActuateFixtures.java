package io.github.milvusautoscaler.actuate;

import io.github.milvusautoscaler.core.KubernetesSettings;
import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

/** Shared test data: options, targets, decisions and seed objects in the shapes the real servers return. */
final class ActuateFixtures {

    static final String NS = "milvus";
    static final String RELEASE = "my-release";
    static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
    static final Target OPERATOR_QN = new Target(NS, RELEASE, Component.QUERY_NODE, InstallKind.OPERATOR);
    static final Target HELM_QN = new Target(NS, RELEASE, Component.QUERY_NODE, InstallKind.HELM);

    private ActuateFixtures() {
    }

    /** Retries with a 1 ms back-off so retry tests stay fast; 2 s timeout is far above a fake request (~2 ms). */
    static KubernetesSettings options() {
        return io.github.milvusautoscaler.testsupport.Kube.settings("", Duration.ofSeconds(2), 3, Duration.ofMillis(1), true);
    }

    static ApiClient client(FakeKubernetesApi fake) {
        return ApiClients.forBaseUrl(fake.url(), options());
    }

    static ApiClient client(FakeKubernetesApi fake, KubernetesSettings options) {
        return ApiClients.forBaseUrl(fake.url(), options);
    }

    static Decision decision(Target target, int from, int to, Reason reason) {
        Action action = to > from ? Action.SCALE_OUT : to < from ? Action.SCALE_IN : Action.HOLD;
        return new Decision(target, T0, action, from, to, reason,
                target.component() + " " + reason + "; " + from + " -> " + to, Map.of(), false);
    }

    static Decision hold(Target target, int at, Reason reason) {
        return new Decision(target, T0, Action.HOLD, at, at, reason, target.component() + " held: " + reason,
                Map.of(), false);
    }

    /** A Milvus CR with the given component replicas ({@code null} leaves the field out) and extra top-level JSON. */
    static String milvus(String name, Map<String, Integer> replicas, Map<String, String> annotations, String status) {
        String components = replicas.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\": {" + (e.getValue() == null ? "" : "\"replicas\": " + e.getValue())
                        + "}")
                .collect(Collectors.joining(", "));
        return """
                {"metadata": {"name": "%s", "namespace": "%s", "annotations": %s},
                 "spec": {"mode": "cluster", "components": {"image": "milvusdb/milvus:v2.5.4", %s},
                          "dependencies": {"msgStreamType": "pulsar"}, "config": {"queryNode": {"gracefulTime": 10}}},
                 "status": %s}
                """.formatted(name, NS, json(annotations), components, status == null ? "{\"status\": \"Healthy\"}" : status);
    }

    /** A Deployment as the operator (or chart) labels it, with status fields a settled controller reports. */
    static String deployment(String name, Map<String, String> labels, int replicas, int ready, int updated,
                             long generation, long observedGeneration, Map<String, String> annotations) {
        return """
                {"metadata": {"name": "%s", "namespace": "%s", "labels": %s, "annotations": %s, "generation": %d},
                 "spec": {"replicas": %d, "selector": {"matchLabels": %s},
                          "template": {"metadata": {"labels": %s}, "spec": {"containers": [{"name": "querynode", "image": "milvusdb/milvus:v2.5.4"}]}}},
                 "status": {"replicas": %d, "readyReplicas": %d, "availableReplicas": %d, "updatedReplicas": %d, "observedGeneration": %d}}
                """.formatted(name, NS, json(labels), json(annotations), generation, replicas, json(labels), json(labels),
                replicas, ready, ready, updated, observedGeneration);
    }

    /**
     * A StatefulSet as the chart makes it with {@code queryNode.statefulset: true} (milvus-helm
     * templates/querynode-statefulset.yaml: the component's fullname, {@code serviceName} the same, labels as
     * the Deployment's), with the status fields of apps/v1 StatefulSetStatus.
     */
    static String statefulSet(String name, Map<String, String> labels, int replicas, int ready, int updated,
                              long generation, long observedGeneration, Map<String, String> annotations) {
        return """
                {"metadata": {"name": "%s", "namespace": "%s", "labels": %s, "annotations": %s, "generation": %d},
                 "spec": {"serviceName": "%s", "replicas": %d, "selector": {"matchLabels": %s},
                          "template": {"metadata": {"labels": %s}, "spec": {"containers": [{"name": "querynode", "image": "milvusdb/milvus:v2.5.4"}]}}},
                 "status": {"replicas": %d, "readyReplicas": %d, "availableReplicas": %d, "currentReplicas": %d,
                            "updatedReplicas": %d, "observedGeneration": %d,
                            "currentRevision": "%s-7d9f8c6b5", "updateRevision": "%s-7d9f8c6b5"}}
                """.formatted(name, NS, json(labels), json(annotations), generation, name, replicas, json(labels),
                json(labels), replicas, ready, ready, updated, updated, observedGeneration, name, name);
    }

    /**
     * As {@link #statefulSet}, rolling out a new revision: {@code status.updateRevision} differs from
     * {@code currentRevision} until every pod runs it (kubernetes apps/v1 StatefulSetStatus; the controller's
     * stateful_set_control.go sets currentRevision to updateRevision once the rollout completes).
     */
    static String statefulSetRollingOut(String name, Map<String, String> labels, int replicas, int ready, int updated) {
        return statefulSet(name, labels, replicas, ready, updated, 5, 5, Map.of())
                .replace("\"updateRevision\": \"" + name + "-7d9f8c6b5\"", "\"updateRevision\": \"" + name + "-8e0a1d7c6\"");
    }

    /** A settled Deployment: all replicas updated, controller caught up. */
    static String settled(String name, Map<String, String> labels, int replicas, int ready) {
        return deployment(name, labels, replicas, ready, replicas, 3, 3, Map.of());
    }

    static Map<String, String> operatorLabels(String instance, String component) {
        return Map.of("app.kubernetes.io/instance", instance, "app.kubernetes.io/component", component,
                "app.kubernetes.io/name", "milvus");
    }

    static Map<String, String> helmLabels(String release, String component) {
        return Map.of("app.kubernetes.io/instance", release, "component", component, "app.kubernetes.io/name", "milvus");
    }

    /** An operator install: CR with queryNode at {@code replicas}, one settled queryNode Deployment. */
    static void seedOperator(FakeKubernetesApi fake, int replicas, int ready) {
        fake.put(Kind.MILVUSES, milvus(RELEASE, Map.of("queryNode", replicas, "dataNode", 2), Map.of(), null));
        fake.put(Kind.DEPLOYMENTS, settled(RELEASE + "-milvus-querynode-0", operatorLabels(RELEASE, "querynode"),
                replicas, ready));
        fake.put(Kind.DEPLOYMENTS, settled(RELEASE + "-milvus-querynode-1", operatorLabels(RELEASE, "querynode"), 0, 0));
        fake.put(Kind.DEPLOYMENTS, settled(RELEASE + "-milvus-datanode", operatorLabels(RELEASE, "datanode"), 2, 2));
    }

    /** A Helm install: the chart's queryNode Deployment. */
    static void seedHelm(FakeKubernetesApi fake, int replicas, int ready) {
        fake.put(Kind.DEPLOYMENTS, settled(RELEASE + "-milvus-querynode", helmLabels(RELEASE, "querynode"), replicas,
                ready));
    }

    static String json(Map<String, String> map) {
        return map.entrySet().stream().map(e -> "\"" + e.getKey() + "\": \"" + e.getValue() + "\"")
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
