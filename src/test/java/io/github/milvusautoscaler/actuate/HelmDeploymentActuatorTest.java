package io.github.milvusautoscaler.actuate;

import static io.github.milvusautoscaler.actuate.ActuateFixtures.HELM_QN;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.NS;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.RELEASE;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.T0;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.decision;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.deployment;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.helmLabels;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.statefulSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.LastScale;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.WriteContext;
import io.github.milvusautoscaler.core.WriteGuard;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Scale;
import io.kubernetes.client.util.PatchUtils;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Helm installs: the chart's Deployment (or its StatefulSet mode's StatefulSet) owns the count; one merge patch
 * carries replicas and annotations.
 */
class HelmDeploymentActuatorTest {

    private static final String QN = RELEASE + "-milvus-querynode";

    private FakeKubernetesApi fake;
    private HelmDeploymentActuator actuator;

    @BeforeEach
    void start() {
        fake = FakeKubernetesApi.start();
        actuator = new HelmDeploymentActuator(ActuateFixtures.client(fake), ActuateFixtures.options(),
                new ScaledObjects(ActuateFixtures.options()));
    }

    @AfterEach
    void stop() throws IOException {
        try {
            assertEquals(List.of(), RbacRules.deniedByEveryOverlay(fake.requests().stream()
                    .filter(FakeKubernetesApi.Request::fromAutoscaler).toList()), "requests no overlay's RBAC allows");
        } finally {
            fake.close();
        }
    }

    /** The read carries the Deployment's metadata.uid, so a Deployment deleted and recreated between two reads is told apart. */
    @Test
    void theReadCarriesTheObjectsUidAndARecreatedObjectHasAnother() {
        ActuateFixtures.seedHelm(fake, 3, 3);
        String uid = fake.get(Kind.DEPLOYMENTS, NS, QN).orElseThrow().getAsJsonObject("metadata").get("uid").getAsString();
        assertEquals(uid, actuator.read(HELM_QN).uid());
        fake.delete(Kind.DEPLOYMENTS, NS, QN);
        ActuateFixtures.seedHelm(fake, 1, 1);
        String recreated = actuator.read(HELM_QN).uid();
        assertFalse(recreated.isEmpty());
        assertNotEquals(uid, recreated);
    }

    static Stream<Arguments> reads() {
        Map<String, String> labels = helmLabels(RELEASE, "querynode");
        return Stream.of(
                Arguments.of("settled: 4 replicas, 3 ready",
                        deployment(QN, labels, 4, 3, 4, 7, 7, Map.of()), 4, 3, false, false),
                // updatedReplicas 2 < replicas 4: two pods of the old template remain
                Arguments.of("rolling out a new template",
                        deployment(QN, labels, 4, 4, 2, 8, 8, Map.of()), 4, 4, true, false),
                // Our scale-out 4 -> 6 that a ResourceQuota (or a failing admission webhook) stopped at 4 pods: the
                // ReplicaSet counts the pods that exist (kubernetes replicaset calculateStatus, FailedCreate), so the
                // Deployment reads status.replicas 4, all updated. Not a rollout, which would hold every decision.
                Arguments.of("a scale-out stopped at 4 of 6 pods by a quota",
                        deployment(QN, labels, 6, 4, 4, 8, 8, Map.of()).replace("\"status\": {\"replicas\": 6",
                                "\"status\": {\"replicas\": 4"), 6, 4, false, false),
                // observedGeneration 7 < generation 8: the controller has not seen the latest spec
                Arguments.of("controller has not observed the latest spec",
                        deployment(QN, labels, 4, 4, 4, 8, 7, Map.of()), 4, 4, true, false),
                Arguments.of("paused by annotation",
                        deployment(QN, labels, 4, 4, 4, 7, 7, Map.of(ScaleAnnotations.PAUSED, "true")), 4, 4, false, true),
                Arguments.of("pause annotation other than true is not a pause",
                        deployment(QN, labels, 4, 4, 4, 7, 7, Map.of(ScaleAnnotations.PAUSED, "false")), 4, 4, false, false),
                Arguments.of("spec.replicas absent: the API server's default of 1",
                        deployment(QN, labels, 1, 1, 1, 7, 7, Map.of()).replace("\"replicas\": 1, \"selector\"",
                                "\"selector\""), 1, 1, false, false));
    }

    /** A rollout says what rolls, so the hold and `scale`'s refusal name it: the object, then what its status shows. */
    @Test
    void aRolloutSaysWhatRollsOut() {
        Map<String, String> labels = helmLabels(RELEASE, "querynode");
        fake.put(Kind.DEPLOYMENTS, deployment(QN, labels, 4, 4, 2, 8, 8, Map.of()));
        assertEquals(Optional.of("deployment " + NS + "/" + QN + " is rolling out a new template (2 of 4 pods updated)"),
                actuator.read(HELM_QN).rollingOut());
        fake.put(Kind.DEPLOYMENTS, deployment(QN, labels, 4, 4, 4, 8, 7, Map.of()));
        assertEquals(Optional.of("deployment " + NS + "/" + QN + " has generation 8 its controller has not observed yet"
                + " (observed 7)"), actuator.read(HELM_QN).rollingOut());
        fake.put(Kind.DEPLOYMENTS, deployment(QN, labels, 4, 4, 4, 8, 8, Map.of()));
        assertEquals(Optional.empty(), actuator.read(HELM_QN).rollingOut());
    }

    /**
     * A rollout that will not end by itself is stalled, not in progress: scale-out acts on it and step-downs hold.
     * Held as a rollout, a helm upgrade to an image that cannot be pulled froze a queryNode overloaded at cpu 0.94 for
     * good (upgrade recheck 22, F1). Facts: a Deployment past progressDeadlineSeconds has condition Progressing False,
     * reason ProgressDeadlineExceeded (kubernetes.io, Deployments, "Failed Deployment"); `kubectl rollout pause` sets
     * spec.paused; a StatefulSet's OnDelete strategy, or a RollingUpdate partition once the pods at and above it are
     * updated, leaves the rest on the old revision (kubernetes.io, StatefulSets, "Update strategies").
     */
    static Stream<Arguments> stalledRollouts() {
        Map<String, String> labels = helmLabels(RELEASE, "querynode");
        String rolling = deployment(QN, labels, 3, 3, 1, 8, 8, Map.of()).replace("\"replicas\": 3, \"readyReplicas\"",
                "\"replicas\": 4, \"readyReplicas\"");
        String conditions = "\"observedGeneration\": 8, \"conditions\": [{\"type\": \"Available\", \"status\": \"True\","
                + " \"reason\": \"MinimumReplicasAvailable\"}, {\"type\": \"Progressing\", \"status\": \"%s\","
                + " \"reason\": \"%s\", \"lastTransitionTime\": \"2026-12-06T06:40:00Z\"}]";
        String statefulSetRolling = ActuateFixtures.statefulSetRollingOut(QN, labels, 3, 3, 1);
        return Stream.of(
                Arguments.of("a Deployment past its progress deadline", Kind.DEPLOYMENTS, rolling.replace(
                        "\"observedGeneration\": 8", conditions.formatted("False", "ProgressDeadlineExceeded")),
                        "deployment " + NS + "/" + QN + " is rolling out a new template (1 of 4 pods updated), past its"
                                + " progress deadline (Progressing: ProgressDeadlineExceeded since 2026-12-06T06:40:00Z)"),
                Arguments.of("a Deployment still within it", Kind.DEPLOYMENTS, rolling.replace(
                        "\"observedGeneration\": 8", conditions.formatted("True", "ReplicaSetUpdated")), null),
                Arguments.of("a paused rollout", Kind.DEPLOYMENTS, rolling.replace("\"spec\": {\"replicas\": 3",
                        "\"spec\": {\"paused\": true, \"replicas\": 3"), "deployment " + NS + "/" + QN + " is rolling out"
                        + " a new template (1 of 4 pods updated), paused (spec.paused: kubectl rollout resume goes on)"),
                Arguments.of("a StatefulSet updated on delete", Kind.STATEFULSETS, statefulSetRolling.replace(
                        "\"spec\": {", "\"spec\": {\"updateStrategy\": {\"type\": \"OnDelete\"}, "),
                        "statefulset " + NS + "/" + QN + " is rolling from revision " + QN + "-7d9f8c6b5 to " + QN
                                + "-8e0a1d7c6, which its OnDelete update strategy leaves to pods being deleted"),
                Arguments.of("a StatefulSet held at its partition", Kind.STATEFULSETS, statefulSetRolling.replace(
                        "\"spec\": {", "\"spec\": {\"updateStrategy\": {\"type\": \"RollingUpdate\","
                                + " \"rollingUpdate\": {\"partition\": 2}}, "),
                        "statefulset " + NS + "/" + QN + " is rolling from revision " + QN + "-7d9f8c6b5 to " + QN
                                + "-8e0a1d7c6, held at its partition 2 (pods below it stay on the old revision)"),
                // Partition 1 of 3: two pods should take the new revision and one has; the rollout still moves.
                Arguments.of("a StatefulSet still rolling down to its partition", Kind.STATEFULSETS,
                        statefulSetRolling.replace("\"spec\": {", "\"spec\": {\"updateStrategy\": {\"type\":"
                                + " \"RollingUpdate\", \"rollingUpdate\": {\"partition\": 1}}, "), null));
    }

    /**
     * A scale-out of a Deployment past its progress deadline is progress to Kubernetes: the controller spreads the new
     * replicas over both ReplicaSets, updatedReplicas rises and Progressing turns True (ReplicaSetUpdated) with a fresh
     * deadline (deployment controller progress.go). Read afresh that held every decision as a rollout for another 600 s
     * at cpu 1.15 (recheck 23, F1): the rollout stays stalled until it ends or its template changes. And an OnDelete
     * StatefulSet whose pods all run the update revision is done, though Kubernetes never moves its currentRevision
     * (kubernetes#73492): it held step-downs as stalled for good (recheck 23, F2).
     */
    @Test
    void aRolloutPastItsDeadlineStaysStalledUntilItEndsOrItsTemplateChanges() {
        Map<String, String> labels = helmLabels(RELEASE, "querynode");
        String conditions = "\"observedGeneration\": %d, \"conditions\": [{\"type\": \"Progressing\", \"status\":"
                + " \"%s\", \"reason\": \"%s\"}]";
        // 3 wanted, 4 pods (1 updated, never ready), past the deadline.
        fake.put(Kind.DEPLOYMENTS, deployment(QN, labels, 3, 3, 1, 8, 8, Map.of())
                .replace("\"replicas\": 3, \"readyReplicas\"", "\"replicas\": 4, \"readyReplicas\"")
                .replace("\"observedGeneration\": 8", conditions.formatted(8, "False", "ProgressDeadlineExceeded")));
        assertTrue(actuator.read(HELM_QN).rolloutStalled().isPresent());
        // Scaled 3 -> 5: 7 pods, 2 updated, Progressing True again with a fresh deadline, same template.
        fake.put(Kind.DEPLOYMENTS, deployment(QN, labels, 5, 5, 2, 9, 9, Map.of())
                .replace("\"replicas\": 5, \"readyReplicas\"", "\"replicas\": 7, \"readyReplicas\"")
                .replace("\"observedGeneration\": 9", conditions.formatted(9, "True", "ReplicaSetUpdated")));
        ReplicaStatus scaled = actuator.read(HELM_QN);
        assertEquals(Optional.of("deployment " + NS + "/" + QN + " is rolling out a new template (2 of 7 pods updated),"
                + " past its progress deadline before on this template (a scale-out's new pods count as progress and"
                + " restart the deadline; it has not reached its end since)"), scaled.rolloutStalled());
        assertFalse(scaled.rollout());
        // A new template (the image fixed): a rollout in progress again.
        fake.put(Kind.DEPLOYMENTS, deployment(QN, labels, 5, 5, 2, 10, 10, Map.of())
                .replace("milvusdb/milvus:v2.5.4", "milvusdb/milvus:v2.5.6")
                .replace("\"replicas\": 5, \"readyReplicas\"", "\"replicas\": 7, \"readyReplicas\"")
                .replace("\"observedGeneration\": 10", conditions.formatted(10, "True", "ReplicaSetUpdated")));
        assertEquals(Optional.empty(), actuator.read(HELM_QN).rolloutStalled());
        assertTrue(actuator.read(HELM_QN).rollout());

        // OnDelete, every pod on the update revision, currentRevision never moved: no rollout at all.
        fake.delete(Kind.DEPLOYMENTS, NS, QN);
        fake.put(Kind.STATEFULSETS, ActuateFixtures.statefulSetRollingOut(QN, labels, 3, 3, 3).replace("\"spec\": {",
                "\"spec\": {\"updateStrategy\": {\"type\": \"OnDelete\"}, "));
        ReplicaStatus done = actuator.read(HELM_QN);
        assertEquals(Optional.empty(), done.rolloutStalled());
        assertFalse(done.rollout());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stalledRollouts")
    void aRolloutThatWillNotEndByItselfIsStalled(String name, Kind kind, String json, String stalled) {
        fake.put(kind, json);
        ReplicaStatus status = actuator.read(HELM_QN);
        assertEquals(Optional.ofNullable(stalled), status.rolloutStalled());
        assertEquals(stalled == null, status.rollout(), "in progress or stalled, never both: " + status);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reads")
    void readsTheDeployment(String name, String json, int current, int ready, boolean rollout, boolean paused) {
        fake.put(Kind.DEPLOYMENTS, json);
        ReplicaStatus status = actuator.read(HELM_QN);
        assertEquals(current, status.current(), "current");
        assertEquals(ready, status.ready(), "ready");
        assertEquals(rollout, status.rollout(), "rollout");
        assertEquals(paused, status.paused(), "paused");
        // The PAUSED decision gives the command that lifts it, on the object read (MilvusOperatorActuatorTest).
        assertEquals(paused ? Optional.of("kubectl -n " + NS + " annotate deployment " + QN
                + " milvus-autoscaler.io/paused-") : Optional.empty(), status.pauseLift(), "pauseLift");
    }

    @Test
    void writesReplicasVersionAndAnnotationsInOnePatchOnTheDeploymentNotScale() {
        ActuateFixtures.seedHelm(fake, 4, 4);
        ReplicaStatus basis = actuator.read(HELM_QN);
        fake.clearRequests();

        actuator.apply(decision(HELM_QN, 4, 3, Reason.SIGNALS_LOW), basis,
                new WriteContext("write-1", T0, WriteGuard.NONE));

        List<FakeKubernetesApi.Request> requests = fake.requests();
        assertEquals(1, requests.size(), "exactly one request: " + requests);
        FakeKubernetesApi.Request patch = requests.get(0);
        assertEquals("PATCH", patch.method());
        assertEquals(Kind.DEPLOYMENTS.path(NS, QN), patch.path(), "the Deployment itself, /scale cannot carry annotations");
        assertTrue(patch.contentType().startsWith("application/merge-patch+json"), patch.contentType());
        assertEquals(JsonParser.parseString("""
                {"metadata": {"resourceVersion": "%s", "annotations": {
                    "milvus-autoscaler.io/last-scale-time": "2025-03-01T12:00:00Z",
                    "milvus-autoscaler.io/last-scale-direction": "down",
                    "milvus-autoscaler.io/last-scale-reason": "SIGNALS_LOW",
                    "milvus-autoscaler.io/last-scale-id": "write-1"}},
                 "spec": {"replicas": 3}}""".formatted(basis.resourceVersion())), patch.json());
        ReplicaStatus after = actuator.read(HELM_QN);
        assertEquals(3, after.current());
        assertEquals(Optional.of(new LastScale(T0, Direction.DOWN, "SIGNALS_LOW", "write-1")), after.lastScale());
        assertEquals("my-release", fake.get(Kind.DEPLOYMENTS, NS, QN).orElseThrow().getAsJsonObject("metadata")
                .getAsJsonObject("labels").get("app.kubernetes.io/instance").getAsString(), "merge keeps labels");
    }

    /**
     * Our own write bumps the Deployment's generation (a replicas change, and an annotation change too: kubernetes
     * pkg/registry/apps/deployment strategy.go). Until the deployment controller observes it, which takes
     * milliseconds, or as long as kube-controller-manager is failing over, the Deployment's status describes the
     * old spec, so a read then is a rollout to wait for, and a read after it is not.
     */
    @Test
    void aReadBeforeTheControllerObservedOurOwnWriteWaitsForIt() {
        ActuateFixtures.seedHelm(fake, 4, 4);
        fake.reconcileDeployments(false);
        ReplicaStatus basis = actuator.read(HELM_QN);
        assertEquals(Optional.empty(), basis.rollingOut());
        actuator.apply(decision(HELM_QN, 4, 5, Reason.SIGNAL_HIGH), basis, new WriteContext("write-1", T0, WriteGuard.NONE));

        ReplicaStatus lagging = actuator.read(HELM_QN);
        assertEquals(5, lagging.current());
        long generation = fake.get(Kind.DEPLOYMENTS, NS, QN).orElseThrow().getAsJsonObject("metadata").get("generation")
                .getAsLong();
        assertTrue(lagging.rollingOut().orElseThrow().contains("has generation " + generation
                + " its controller has not observed yet (observed " + (generation - 1) + ")"), lagging.rollingOut().get());

        // The controller catches up: it observes the generation and creates the fifth pod on the same template.
        JsonObject caughtUp = fake.get(Kind.DEPLOYMENTS, NS, QN).orElseThrow();
        JsonObject status = caughtUp.getAsJsonObject("status");
        status.addProperty("observedGeneration", generation);
        status.addProperty("replicas", 5);
        status.addProperty("updatedReplicas", 5);
        fake.put(Kind.DEPLOYMENTS, caughtUp.toString());
        ReplicaStatus observed = actuator.read(HELM_QN);
        assertEquals(Optional.empty(), observed.rollingOut());
        assertEquals(4, observed.ready(), "the new pod starts; ready stays at 4 until it is");
    }

    /** How a person runs {@code kubectl scale}: a merge patch on /scale, or GET + PUT with --resource-version. */
    enum KubectlScale {
        MERGE_PATCH_ON_SCALE {
            @Override
            void scale(ApiClient person, int replicas) throws ApiException {
                AppsV1Api apps = new AppsV1Api(person);
                PatchUtils.patch(V1Scale.class, () -> apps.patchNamespacedDeploymentScale(QN, NS,
                        new V1Patch("{\"spec\": {\"replicas\": " + replicas + "}}")).buildCall(null),
                        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, person);
            }
        },
        GET_AND_PUT_SCALE {
            @Override
            void scale(ApiClient person, int replicas) throws ApiException {
                AppsV1Api apps = new AppsV1Api(person);
                V1Scale scale = apps.readNamespacedDeploymentScale(QN, NS).execute();
                scale.getSpec().setReplicas(replicas);
                apps.replaceNamespacedDeploymentScale(QN, NS, scale).execute();
            }
        };

        abstract void scale(ApiClient person, int replicas) throws ApiException;
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(KubectlScale.class)
    void aPersonsKubectlScaleBetweenTwoReadsIsRespected(KubectlScale how) throws ApiException {
        ActuateFixtures.seedHelm(fake, 4, 4);
        ReplicaStatus first = actuator.read(HELM_QN);
        ApiClient person = ActuateFixtures.client(fake);
        person.setUserAgent("kubectl/v1.31.0");

        how.scale(person, 8);

        ReplicaStatus second = actuator.read(HELM_QN);
        assertEquals(8, second.current(), "the next read shows the person's count");
        // A decision made on the first read must not overwrite it.
        ActuationException e = assertThrows(ActuationException.class,
                () -> actuator.apply(decision(HELM_QN, 4, 5, Reason.SIGNAL_HIGH), first));
        assertEquals(ActuationException.Kind.CONFLICT, e.kind());
        assertEquals(8, fake.get(Kind.DEPLOYMENTS, NS, QN).orElseThrow().getAsJsonObject("spec").get("replicas").getAsInt());
    }

    @Test
    void restartReadsTheLastScaleBackFromTheDeploymentsAnnotations() {
        fake.put(Kind.DEPLOYMENTS, deployment(QN, helmLabels(RELEASE, "querynode"), 4, 4, 4, 2, 2, Map.of(
                ScaleAnnotations.LAST_SCALE_TIME, "2025-03-01T11:55:00Z",
                ScaleAnnotations.LAST_SCALE_DIRECTION, "up",
                ScaleAnnotations.LAST_SCALE_REASON, "PANIC")));
        HelmDeploymentActuator restarted = new HelmDeploymentActuator(ActuateFixtures.client(fake),
                ActuateFixtures.options(), new ScaledObjects(ActuateFixtures.options()));
        assertEquals(Optional.of(new LastScale(T0.minus(Duration.ofMinutes(5)), Direction.UP, "PANIC")),
                restarted.read(HELM_QN).lastScale());
    }

    /** The chart's milvus.fullname rule (templates/_helpers.tpl): release, "milvus" in it, fullnameOverride. */
    static Stream<Arguments> chartNames() {
        return Stream.of(
                Arguments.of("plain release", "prod", "", "prod-milvus-datanode"),
                Arguments.of("release containing milvus keeps its name", "my-milvus", "", "my-milvus-datanode"),
                Arguments.of("fullnameOverride replaces the name", "prod", "search", "search-datanode"),
                // trunc 63 leaves "a...a--"; Sprig's trimSuffix "-" removes one dash, not both
                Arguments.of("fullnameOverride cut at 63 characters loses one trailing dash", "prod",
                        "a".repeat(61) + "--b", "a".repeat(61) + "--datanode"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chartNames")
    void deploymentNameFollowsTheChartsFullnameRule(String name, String release, String override, String deployment) {
        Target dataNode = new Target(NS, release, Component.DATA_NODE, InstallKind.HELM, override);
        fake.put(Kind.DEPLOYMENTS, ActuateFixtures.settled(deployment, helmLabels(release, "datanode"), 2, 2));
        assertEquals(deployment, actuator.deploymentName(dataNode));
        assertEquals(2, actuator.read(dataNode).current());
        ReplicaStatus basis = actuator.read(dataNode);
        actuator.apply(decision(dataNode, 2, 3, Reason.SIGNAL_HIGH), basis);
        assertEquals(3, actuator.read(dataNode).current());
    }

    @Test
    void pausedDeploymentIsNotWritten() {
        fake.put(Kind.DEPLOYMENTS, deployment(QN, helmLabels(RELEASE, "querynode"), 4, 4, 4, 2, 2,
                Map.of(ScaleAnnotations.PAUSED, "true")));
        ReplicaStatus basis = actuator.read(HELM_QN);
        fake.clearRequests();
        ActuationException e = assertThrows(ActuationException.class,
                () -> actuator.apply(decision(HELM_QN, 4, 6, Reason.PANIC), basis));
        assertEquals(ActuationException.Kind.REFUSED, e.kind());
        assertEquals(List.of(), fake.requests());
    }

    @Test
    void aDeploymentThatTheChartsHpaScalesIsRefusedAndNeverWritten() {
        fake.put(Kind.DEPLOYMENTS, deployment(QN, helmLabels(RELEASE, "querynode"), 4, 4, 4, 2, 2, Map.of()));
        fake.put(Kind.HORIZONTAL_POD_AUTOSCALERS, FakeKubernetesApi.helmChartHpa(NS, QN));
        ActuationException e = assertThrows(ActuationException.class, () -> actuator.read(HELM_QN));
        assertEquals(ActuationException.Kind.REFUSED, e.kind());
        assertTrue(e.getMessage().contains("deployment milvus/" + QN + " is scaled by HorizontalPodAutoscaler milvus/"
                + QN + "-hpa"), e.getMessage());
        assertTrue(e.getMessage().contains("Set queryNode.hpa.enabled=false"), e.getMessage());
        assertEquals(List.of(), fake.requests().stream().filter(q -> !q.method().equals("GET")).toList(),
                "nothing written");
        // One list of the namespace's HPAs, as the base ClusterRole grants (checked after each test).
        assertEquals(1, fake.requests("GET", "/apis/autoscaling/v2/namespaces/milvus/horizontalpodautoscalers").size());
    }

    /**
     * The chart's {@code queryNode.statefulset: true} makes a StatefulSet of the Deployment's name instead
     * (templates/querynode-statefulset.yaml); it is read and written alike, and after the first 404 on the
     * Deployment every read goes straight to the StatefulSet.
     */
    @Test
    void theChartsStatefulSetModeIsReadAndWrittenOnTheStatefulSet() {
        fake.put(Kind.STATEFULSETS, statefulSet(QN, helmLabels(RELEASE, "querynode"), 3, 3, 3, 2, 2, Map.of()));

        ReplicaStatus basis = actuator.read(HELM_QN);
        assertEquals(3, basis.current());
        assertEquals(3, basis.ready());
        assertEquals(false, basis.rollout());
        assertEquals(List.of("GET " + Kind.DEPLOYMENTS.path(NS, QN), "GET " + Kind.STATEFULSETS.path(NS, QN)),
                fake.requests().stream().filter(q -> !q.path().contains("horizontalpodautoscalers"))
                        .map(q -> q.method() + " " + q.path()).toList());
        fake.clearRequests();

        actuator.apply(decision(HELM_QN, 3, 2, Reason.SIGNALS_LOW), basis,
                new WriteContext("write-1", T0, WriteGuard.NONE));
        assertEquals(List.of("PATCH " + Kind.STATEFULSETS.path(NS, QN)),
                fake.requests().stream().map(q -> q.method() + " " + q.path()).toList());
        fake.clearRequests();

        ReplicaStatus after = actuator.read(HELM_QN);
        assertEquals(2, after.current());
        assertEquals(Optional.of(new LastScale(T0, Direction.DOWN, "SIGNALS_LOW", "write-1")), after.lastScale());
        assertEquals(List.of("GET " + Kind.STATEFULSETS.path(NS, QN)), fake.requests().stream()
                .filter(q -> !q.path().contains("horizontalpodautoscalers")).map(q -> q.method() + " " + q.path())
                .toList(), "the kind found last is read first");
        assertEquals("querynode", fake.get(Kind.STATEFULSETS, NS, QN).orElseThrow().getAsJsonObject("metadata")
                .getAsJsonObject("labels").get("component").getAsString(), "merge keeps labels");

        // Our own scale-out: the controller has seen it (observedGeneration) and creates the pods one by one, so
        // updatedReplicas still reads 3 of 5; the next read is not a rollout (which would hold the next decision).
        actuator.apply(decision(HELM_QN, 2, 5, Reason.SIGNAL_HIGH), after);
        ReplicaStatus scaling = actuator.read(HELM_QN);
        assertEquals(5, scaling.current());
        assertEquals(3, fake.get(Kind.STATEFULSETS, NS, QN).orElseThrow().getAsJsonObject("status")
                .get("updatedReplicas").getAsInt());
        assertEquals(false, scaling.rollout());
    }

    /**
     * A StatefulSet rolls out while its updateRevision differs from its currentRevision. Not while updatedReplicas
     * lags: under the default OrderedReady policy the controller creates our scale-out's pods one at a time and
     * counts only created ones (kubernetes stateful_set_control.go computeReplicaStatus).
     */
    static Stream<Arguments> statefulSetReads() {
        Map<String, String> labels = helmLabels(RELEASE, "querynode");
        return Stream.of(
                // RollingUpdate goes from the highest ordinal down: one of three pods on the new revision so far
                Arguments.of("rolling out a new revision", ActuateFixtures.statefulSetRollingOut(QN, labels, 3, 3, 1),
                        true),
                Arguments.of("scaling out 3 -> 6, the fourth pod just created: one revision, not a rollout",
                        statefulSet(QN, labels, 6, 3, 4, 5, 5, Map.of()), false),
                Arguments.of("controller has not observed the latest spec",
                        statefulSet(QN, labels, 3, 3, 3, 6, 5, Map.of()), true),
                Arguments.of("settled", statefulSet(QN, labels, 3, 2, 3, 5, 5, Map.of()), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statefulSetReads")
    void aStatefulSetsRolloutIsReadLikeADeployments(String name, String json, boolean rollout) {
        fake.put(Kind.STATEFULSETS, json);
        assertEquals(rollout, actuator.read(HELM_QN).rollout());
    }

    @Test
    void anHpaMadeByHandOnTheStatefulSetIsRefused() {
        fake.put(Kind.STATEFULSETS, statefulSet(QN, helmLabels(RELEASE, "querynode"), 3, 3, 3, 2, 2, Map.of()));
        // The chart's HPA names the Deployment even in StatefulSet mode (templates/querynode-hpa.yaml,
        // kind: Deployment): it scales nothing, so it is not an owner.
        fake.put(Kind.HORIZONTAL_POD_AUTOSCALERS, FakeKubernetesApi.helmChartHpa(NS, QN));
        assertEquals(3, actuator.read(HELM_QN).current());

        fake.put(Kind.HORIZONTAL_POD_AUTOSCALERS, """
                {"metadata": {"name": "qn-by-hand", "namespace": "milvus"},
                 "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "%s"},
                          "minReplicas": 1, "maxReplicas": 6}}""".formatted(QN));
        fake.clearRequests();
        ActuationException e = assertThrows(ActuationException.class, () -> actuator.read(HELM_QN));
        assertEquals(ActuationException.Kind.REFUSED, e.kind());
        assertTrue(e.getMessage().contains("statefulset milvus/" + QN + " is scaled by HorizontalPodAutoscaler"
                + " milvus/qn-by-hand"), e.getMessage());
        assertTrue(e.getMessage().contains("Delete the HPA"), e.getMessage());
        assertEquals(List.of(), fake.requests().stream().filter(q -> !q.method().equals("GET")).toList(),
                "nothing written");
    }

    @Test
    void anHpaOfAnotherDeploymentLeavesTheTargetToUs() {
        fake.put(Kind.DEPLOYMENTS, deployment(QN, helmLabels(RELEASE, "querynode"), 4, 4, 4, 2, 2, Map.of()));
        fake.put(Kind.HORIZONTAL_POD_AUTOSCALERS, FakeKubernetesApi.helmChartHpa(NS, RELEASE + "-milvus-proxy"));
        assertEquals(4, actuator.read(HELM_QN).current());
    }
}
