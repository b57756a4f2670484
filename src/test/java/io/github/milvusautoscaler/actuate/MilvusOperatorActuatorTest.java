package io.github.milvusautoscaler.actuate;

import static io.github.milvusautoscaler.actuate.ActuateFixtures.NS;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.OPERATOR_QN;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.RELEASE;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.T0;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.decision;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.deployment;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.milvus;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.operatorLabels;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.settled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.LastScale;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.WriteContext;
import io.github.milvusautoscaler.core.WriteGuard;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Operator installs: the Milvus resource owns the count; Deployments found by label give ready and rollout. */
class MilvusOperatorActuatorTest {

    private static final String QN0 = RELEASE + "-milvus-querynode-0";
    private static final String QN1 = RELEASE + "-milvus-querynode-1";
    private static final Map<String, String> QN_LABELS = operatorLabels(RELEASE, "querynode");

    private FakeKubernetesApi fake;
    private MilvusOperatorActuator actuator;

    @BeforeEach
    void start() {
        fake = FakeKubernetesApi.start();
        actuator = new MilvusOperatorActuator(ActuateFixtures.client(fake), ActuateFixtures.options(),
                new ScaledObjects(ActuateFixtures.options()));
    }

    @AfterEach
    void stop() throws IOException {
        try {
            assertEquals(List.of(), RbacRules.deniedByEveryOverlay(fake.requests()), "requests no overlay's RBAC allows");
        } finally {
            fake.close();
        }
    }

    /** One row: what the cluster holds, and what read() must report. */
    record Row(String name, Consumer<FakeKubernetesApi> seed, int current, int ready, boolean rollout) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> reads() {
        Map<String, Integer> qn3 = Map.of("queryNode", 3);
        return Stream.of(
                new Row("settled: 3 replicas, 3 ready on -0, -1 at zero", f -> {
                    f.put(Kind.MILVUSES, milvus(RELEASE, qn3, Map.of(), null));
                    f.put(Kind.DEPLOYMENTS, settled(QN0, QN_LABELS, 3, 3));
                    f.put(Kind.DEPLOYMENTS, settled(QN1, QN_LABELS, 0, 0));
                }, 3, 3, false),
                new Row("replicas field absent: the operator's default of 1", f -> {
                    Map<String, Integer> absent = new HashMap<>();
                    absent.put("queryNode", null);
                    f.put(Kind.MILVUSES, milvus(RELEASE, absent, Map.of(), null));
                    f.put(Kind.DEPLOYMENTS, settled(QN0, QN_LABELS, 1, 1));
                }, 1, 1, false),
                // While the operator creates the cluster (Pending) a component may have neither: the operator's
                // default of 1, none ready yet, held as a rollout. Past creation it is refused (below).
                new Row("component missing from spec.components while the cluster is created", f ->
                        f.put(Kind.MILVUSES, milvus(RELEASE, Map.of("dataNode", 2), Map.of(), "{\"status\": \"Pending\"}")),
                        1, 0, true),
                // blue/green: -0 still has 2 ready, -1 has 1 ready; ready = 2 + 1 = 3 and both have replicas
                new Row("queryNode blue/green: both Deployments have replicas", f -> {
                    f.put(Kind.MILVUSES, milvus(RELEASE, qn3, Map.of(), null));
                    f.put(Kind.DEPLOYMENTS, settled(QN0, QN_LABELS, 2, 2));
                    f.put(Kind.DEPLOYMENTS, settled(QN1, QN_LABELS, 1, 1));
                }, 3, 3, true),
                // ready counts only Deployments labelled for this instance and component: 3, not 3 + 5 + 4
                new Row("other components and other instances are not counted", f -> {
                    f.put(Kind.MILVUSES, milvus(RELEASE, qn3, Map.of(), null));
                    f.put(Kind.DEPLOYMENTS, settled(QN0, QN_LABELS, 3, 3));
                    f.put(Kind.DEPLOYMENTS, settled(RELEASE + "-milvus-datanode", operatorLabels(RELEASE, "datanode"), 5, 5));
                    f.put(Kind.DEPLOYMENTS, settled("other-milvus-querynode-0", operatorLabels("other", "querynode"), 4, 4));
                }, 3, 3, false),
                new Row("a Deployment still replacing pods of an old template", f -> {
                    f.put(Kind.MILVUSES, milvus(RELEASE, qn3, Map.of(), null));
                    f.put(Kind.DEPLOYMENTS, deployment(QN0, QN_LABELS, 3, 3, 1, 4, 4, Map.of()));
                }, 3, 3, true),
                new Row("the operator is upgrading the image", f -> {
                    f.put(Kind.MILVUSES, milvus(RELEASE, qn3, Map.of(), """
                            {"status": "Healthy", "conditions": [{"type": "MilvusUpdated", "status": "False",
                              "reason": "MilvusUpgradingImage", "message": "Milvus is performing rolling upgrade"}]}"""));
                    f.put(Kind.DEPLOYMENTS, settled(QN0, QN_LABELS, 3, 3));
                }, 3, 3, true),
                // The operator compares every Deployment's image with spec.components.image (status_cluster.go,
                // GetMilvusUpdatedCondition), so a queryNode given its own hotfix image reads "upgrading" for good.
                new Row("a component's own image is no upgrade, though the operator says MilvusUpgradingImage", f -> {
                    f.put(Kind.MILVUSES, imaged("milvusdb/milvus:v2.5.4", "milvusdb/milvus:v2.5.4-hotfix",
                            "milvusdb/milvus:v2.5.4-hotfix", "milvusdb/milvus:v2.5.4"));
                    f.put(Kind.DEPLOYMENTS, settled(QN0, QN_LABELS, 3, 3));
                }, 3, 3, false),
                new Row("an upgrade: the cluster image raised and dataNode still runs the old one", f -> {
                    f.put(Kind.MILVUSES, imaged("milvusdb/milvus:v2.5.5", "", "milvusdb/milvus:v2.5.5",
                            "milvusdb/milvus:v2.5.4"));
                    f.put(Kind.DEPLOYMENTS, settled(QN0, QN_LABELS, 3, 3));
                }, 3, 3, true),
                // The operator labels the Milvus milvus.io/querynode-rolling-id=<generation> when it prepares a rollout
                // (label_annotations.go SetComponentRolling), before any replica moves: the Deployments look settled.
                new Row("the operator's rolling-id label on the Milvus, Deployments not yet moving", f -> {
                    JsonObject m = JsonParser.parseString(milvus(RELEASE, qn3, Map.of(), null)).getAsJsonObject();
                    JsonObject labels = new JsonObject();
                    labels.addProperty("milvus.io/querynode-rolling-id", "7");
                    m.getAsJsonObject("metadata").add("labels", labels);
                    f.put(Kind.MILVUSES, m.toString());
                    f.put(Kind.DEPLOYMENTS, settled(QN0, QN_LABELS, 3, 3));
                    f.put(Kind.DEPLOYMENTS, settled(QN1, QN_LABELS, 0, 0));
                }, 3, 3, true),
                // Every component at replicas: 0 is the operator's stop (MilvusSpec.IsStopping, status Stopped): read as
                // 0, no rollout, so the policy's guard holds it as SCALED_TO_ZERO rather than start the workers.
                new Row("stopped by the operator: replicas 0, status Stopped", f -> {
                    f.put(Kind.MILVUSES, milvus(RELEASE, Map.of("queryNode", 0), Map.of(), "{\"status\": \"Stopped\"}"));
                    f.put(Kind.DEPLOYMENTS, settled(QN0, QN_LABELS, 0, 0));
                    f.put(Kind.DEPLOYMENTS, settled(QN1, QN_LABELS, 0, 0));
                }, 0, 0, false),
                new Row("MilvusComponentsUpdating alone (e.g. our own scale-out starting pods) is no rollout", f -> {
                    f.put(Kind.MILVUSES, milvus(RELEASE, qn3, Map.of(), """
                            {"status": "Healthy", "conditions": [{"type": "MilvusUpdated", "status": "False",
                              "reason": "MilvusComponentsUpdating", "message": "Milvus components[querynode] are updating"}]}"""));
                    f.put(Kind.DEPLOYMENTS, settled(QN0, QN_LABELS, 3, 1));
                }, 3, 1, false),
                new Row("the operator is still creating the cluster (status Pending)", f -> {
                    f.put(Kind.MILVUSES, milvus(RELEASE, qn3, Map.of(), "{\"status\": \"Pending\"}"));
                    f.put(Kind.DEPLOYMENTS, settled(QN0, QN_LABELS, 3, 0));
                }, 3, 0, true)
        ).map(Arguments::of);
    }

    /**
     * A Milvus at 3 queryNodes whose operator reports {@code MilvusUpdated=False, MilvusUpgradingImage} and records
     * the images its Deployments run ({@code status.componentsDeployStatus}, keyed by the components' lower-case
     * names, milvus_types.go ComponentDeployStatus): the cluster's image, queryNode's own (empty: none), and what
     * the querynode and datanode Deployments run.
     */
    private static String imaged(String cluster, String queryNodeOwn, String queryNodeRuns, String dataNodeRuns) {
        return """
                {"metadata": {"name": "%s", "namespace": "%s"},
                 "spec": {"mode": "cluster", "components": {"image": "%s",
                          "queryNode": {"replicas": 3%s}, "dataNode": {"replicas": 1}}},
                 "status": {"status": "Healthy",
                            "conditions": [{"type": "MilvusUpdated", "status": "False", "reason": "MilvusUpgradingImage",
                                            "message": "Milvus is performing rolling upgrade pending components[]"}],
                            "componentsDeployStatus": {"querynode": {"generation": 2, "image": "%s", "status": {}},
                                                       "datanode": {"generation": 2, "image": "%s", "status": {}}}}}
                """.formatted(RELEASE, NS, cluster, queryNodeOwn.isEmpty() ? "" : ", \"image\": \"" + queryNodeOwn
                + "\"", queryNodeRuns, dataNodeRuns);
    }

    /**
     * Each kind of operator rollout says what it is: the hold's message and `scale`'s refusal carry it, and a
     * Pending that never ends (a new cluster whose pods never all turn ready) reads as Pending, not as a rollout.
     */
    @Test
    void aRolloutSaysWhatRollsOut() {
        Map<String, Integer> qn3 = Map.of("queryNode", 3);
        fake.put(Kind.MILVUSES, milvus(RELEASE, qn3, Map.of(), "{\"status\": \"Pending\"}"));
        fake.put(Kind.DEPLOYMENTS, settled(QN0, QN_LABELS, 3, 0));
        assertEquals(Optional.of("the operator reports status Pending (creating or restarting the cluster; it stays"
                + " Pending until every component has been ready once)"), actuator.read(OPERATOR_QN).rollingOut());
        fake.put(Kind.MILVUSES, milvus(RELEASE, qn3, Map.of(), null));
        fake.put(Kind.DEPLOYMENTS, settled(QN0, QN_LABELS, 2, 2));
        fake.put(Kind.DEPLOYMENTS, settled(QN1, QN_LABELS, 2, 1));
        // The operator's hand-over steps only once every pod of both is ready (milvus-operator deploy_ctrl_util.go
        // checkCanScaleNow): the ready counts say where it stands (recheck 34, F2).
        assertEquals(Optional.of("2 of queryNode's deployments have replicas (the operator's blue/green hand-over, one"
                        + " pod at a time once every pod is ready: " + QN0 + " 2 of 2 ready, " + QN1 + " 1 of 2 ready)"),
                actuator.read(OPERATOR_QN).rollingOut());
        fake.put(Kind.MILVUSES, imaged("milvusdb/milvus:v2.5.5", "", "milvusdb/milvus:v2.5.5", "milvusdb/milvus:v2.5.4"));
        fake.put(Kind.DEPLOYMENTS, settled(QN1, QN_LABELS, 0, 0));
        // The components still on another image are named, so the text moves as each is done (recheck 37, N1).
        assertEquals(Optional.of("the operator is upgrading the image (MilvusUpdated False, MilvusUpgradingImage; still"
                + " on another image: datanode)"), actuator.read(OPERATOR_QN).rollingOut());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reads")
    void readsReplicasReadyAndRollout(Row row) {
        row.seed().accept(fake);
        ReplicaStatus status = actuator.read(OPERATOR_QN);
        assertEquals(row.current(), status.current(), "current");
        assertEquals(row.ready(), status.ready(), "ready");
        assertEquals(row.rollout(), status.rollout(), "rollout");
        assertFalse(status.paused());
        assertEquals(fake.get(Kind.MILVUSES, NS, RELEASE).orElseThrow().getAsJsonObject("metadata")
                .get("resourceVersion").getAsString(), status.resourceVersion());
    }

    @Test
    void findsDeploymentsByLabelsNotByGuessedNames() {
        ActuateFixtures.seedOperator(fake, 3, 3);
        actuator.read(OPERATOR_QN);
        List<FakeKubernetesApi.Request> lists = fake.requests("GET", Kind.DEPLOYMENTS.path(NS, null));
        assertEquals(1, lists.size());
        assertEquals(Optional.of("app.kubernetes.io/instance=my-release,app.kubernetes.io/component=querynode"),
                lists.get(0).queryParameter("labelSelector"));
    }

    @Test
    void componentHandedToAnHpaIsRefusedWithTheReason() {
        fake.put(Kind.MILVUSES, milvus(RELEASE, Map.of("queryNode", -1), Map.of(), null));
        ActuationException e = assertThrows(ActuationException.class, () -> actuator.read(OPERATOR_QN));
        assertEquals(ActuationException.Kind.REFUSED, e.kind());
        assertTrue(e.getMessage().contains("spec.components.queryNode.replicas: -1"), e.getMessage());
        assertTrue(e.getMessage().contains("two autoscalers must not own one component"), e.getMessage());
    }

    /**
     * The other ways the operator lets something but {@code spec.components.<c>.replicas} own the count, each
     * as its types declare it (zilliztech/milvus-operator apis/milvus.io/v1beta1/components_types.go:
     * {@code Component.HPA}, {@code MilvusQueryNode.Groups} (dataNode has them too),
     * {@code MilvusComponents.EnableManualMode}): refused, with the field named.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = ';', value = {
            "the operator's own HPA; \"queryNode\": {\"replicas\": 3, \"hpa\": {\"minReplicas\": 1, \"maxReplicas\": 6}}"
                    + "; has spec.components.queryNode.hpa, from which the operator creates a HorizontalPodAutoscaler",
            "deployment groups; \"queryNode\": {\"replicas\": 3, \"groups\": [{\"name\": \"a\", \"replicas\": 2},"
                    + " {\"name\": \"b\", \"replicas\": 1}]}; has spec.components.queryNode.groups: 2 deployment groups",
            "manual mode; \"enableManualMode\": true, \"queryNode\": {\"replicas\": 3}"
                    + "; has spec.components.enableManualMode: true, so the operator no longer applies"})
    void aCountTheOperatorDoesNotTakeFromReplicasIsRefused(String name, String components, String expected) {
        fake.put(Kind.MILVUSES, operatorResource(components));
        ActuationException e = refused(OPERATOR_QN);
        assertTrue(e.getMessage().contains("milvus " + NS + "/" + RELEASE + " " + expected), e.getMessage());
        assertTrue(e.getMessage().contains("milvus-autoscaler leaves queryNode alone"), e.getMessage());
    }

    /**
     * A paused component whose count goes to two Deployments takes no count: the operator's deploy controller returns
     * before scaling while {@code spec.components.paused} or the component's {@code paused} is set
     * (pkg/controllers/deploy_ctrl.go). queryNode always runs as two Deployments, every component under
     * {@code rollingMode: 3}; a dataNode's single Deployment and a queryNode StatefulSet are still scaled while
     * paused, so those are read as usual.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = ';', value = {
            "the whole Milvus paused; queryNode; \"paused\": true, \"queryNode\": {\"replicas\": 3}"
                    + "; spec.components.paused",
            "queryNode paused; queryNode; \"queryNode\": {\"replicas\": 3, \"paused\": true}"
                    + "; spec.components.queryNode.paused",
            "dataNode paused in rolling mode 3; dataNode; \"rollingMode\": 3, \"dataNode\": {\"replicas\": 2,"
                    + " \"paused\": true}; spec.components.dataNode.paused",
            "dataNode paused, one Deployment; dataNode; \"dataNode\": {\"replicas\": 2, \"paused\": true}; ",
            "queryNode paused as a StatefulSet; queryNode; \"queryNode\": {\"replicas\": 3, \"paused\": true,"
                    + " \"statefulSet\": {\"enabled\": true}}; "})
    void aPausedComponentOnTwoDeploymentsIsRefusedUntilUnpaused(String name, String component, String components,
                                                                 String pausedAt) {
        fake.put(Kind.MILVUSES, operatorResource(components));
        Target target = new Target(NS, RELEASE, Component.fromName(component).orElseThrow(), InstallKind.OPERATOR);
        if (pausedAt == null) {
            assertEquals(component.equals("dataNode") ? 2 : 3, actuator.read(target).current(), "read as usual");
            return;
        }
        assertEquals("milvus " + NS + "/" + RELEASE + " has " + pausedAt + ": true, and the operator applies no replica"
                + " count to a paused component's two Deployments; milvus-autoscaler writes nothing to " + component
                + " until it is unpaused", refused(target).getMessage());
    }

    /**
     * A count the operator leaves unapplied (its pod down, its reconcile failing) reads like pods that are starting;
     * two reads in a row with the Deployments requesting another number are said once, with the generations, and
     * nothing is said while the operator keeps up (daemon e2e audit F2).
     */
    @Test
    void aCountTheOperatorHasNotAppliedIsSaidOnceAtTheSecondRead() {
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(MilvusOperatorActuator.class)) {
            ActuateFixtures.seedOperator(fake, 3, 3);
            actuator.read(OPERATOR_QN);
            actuator.read(OPERATOR_QN);
            assertEquals(List.of(), logs.warnings(), "the Deployments request the Milvus count");
            // The daemon wrote 5; the operator applies nothing.
            fake.put(Kind.MILVUSES, milvus(RELEASE, Map.of("queryNode", 5, "dataNode", 2), Map.of(), null)
                    .replace("\"metadata\": {", "\"metadata\": {\"generation\": 7, ")
                    .replace("{\"status\": \"Healthy\"}", "{\"status\": \"Healthy\", \"observedGeneration\": 6}"));
            assertEquals(5, actuator.read(OPERATOR_QN).current());
            assertEquals(List.of(), logs.warnings(), "one read is the operator's usual lag");
            actuator.read(OPERATOR_QN);
            actuator.read(OPERATOR_QN);
            assertEquals(List.of(OPERATOR_QN + ": the operator has not applied spec.components.queryNode.replicas 5:"
                    + " the component's deployments still request 3 (milvus generation 7, status.observedGeneration 6);"
                    + " until it does the daemon waits, and nothing it writes takes effect: check the milvus-operator"
                    + " pod and its log"), logs.warnings());
        }
    }

    /**
     * In the operator's blue/green hand-over the two Deployments request one more than the count by design (it adds a
     * new pod before it removes an old one: milvus-operator deploy_ctrl_util.go planScaleForRollout, "continue rollout
     * by scale out"), which is no unapplied count: a WARN sending the reader to the operator pod came on every step of
     * every routine upgrade (recheck 34, F1).
     */
    @Test
    void aHandOversExtraPodIsNoUnappliedCount() {
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(MilvusOperatorActuator.class)) {
            fake.put(Kind.MILVUSES, milvus(RELEASE, Map.of("queryNode", 3), Map.of(), null));
            fake.put(Kind.DEPLOYMENTS, settled(QN0, QN_LABELS, 3, 3));
            fake.put(Kind.DEPLOYMENTS, settled(QN1, QN_LABELS, 1, 0));
            for (int read = 0; read < 3; read++) {
                assertTrue(actuator.read(OPERATOR_QN).rollout());
            }
            // Then the old one gives a pod back: 2 + 1, as the count says; then the next surge, 2 + 2.
            fake.put(Kind.DEPLOYMENTS, settled(QN0, QN_LABELS, 2, 2));
            actuator.read(OPERATOR_QN);
            fake.put(Kind.DEPLOYMENTS, settled(QN1, QN_LABELS, 2, 1));
            actuator.read(OPERATOR_QN);
            actuator.read(OPERATOR_QN);
            assertEquals(List.of(), logs.warnings());
        }
    }

    /**
     * The mode the cluster runs is the status' rollingModeVersion (milvus_types.go MilvusStatus; a healthy cluster
     * shows "rollingModeVersion: 2"), which trails the spec while the operator migrates: a dataNode still on two
     * Deployments under mode 3 is refused while paused, though the spec no longer says 3.
     */
    @Test
    void aPausedComponentIsRefusedWhileTheStatusStillRunsRollingMode3() {
        fake.put(Kind.MILVUSES, operatorResource("\"dataNode\": {\"replicas\": 2, \"paused\": true}")
                .replace("\"status\": \"Healthy\"", "\"status\": \"Healthy\", \"rollingModeVersion\": 3"));
        Target dataNode = new Target(NS, RELEASE, Component.DATA_NODE, InstallKind.OPERATOR);
        assertTrue(refused(dataNode).getMessage().contains("has spec.components.dataNode.paused: true"));
    }

    /**
     * A component the Milvus does not run, past creation: no spec and no workload with its labels. The operator's
     * webhook fills in every component the Milvus runs, and on 2.6 it deletes indexNode and drops its spec
     * (deployments.go cleanupIndexNodeIfNeeded): the config names the wrong version. Refused, not read as 1 with 0
     * ready, whose write the operator would undo.
     */
    @Test
    void aComponentTheMilvusDoesNotRunIsRefused() {
        fake.put(Kind.MILVUSES, milvus(RELEASE, Map.of("queryNode", 3, "dataNode", 2), Map.of(), null));
        Target indexNode = new Target(NS, RELEASE, Component.INDEX_NODE, InstallKind.OPERATOR);
        assertEquals("milvus " + NS + "/" + RELEASE + " runs no indexNode: spec.components.indexNode is absent and no"
                + " workload is labelled app.kubernetes.io/instance=" + RELEASE + ", app.kubernetes.io/component=indexnode"
                + " (Milvus 2.6 has no indexNode, its dataNodes build the indexes: scale dataNode, with"
                + " signals.index-backlog on it; and streamingNode runs from 2.6 only): check the cluster's"
                + " milvus-version in the config", refused(indexNode).getMessage());
    }

    /** Reads {@code target}, which must be refused (not failed); the refusal, for its message. */
    private ActuationException refused(Target target) {
        ActuationException e = assertThrows(ActuationException.class, () -> actuator.read(target));
        assertEquals(ActuationException.Kind.REFUSED, e.kind(), e.getMessage());
        return e;
    }

    /**
     * A Milvus in standalone mode, written so or created without {@code spec.mode} (the CRD defaults it to
     * standalone: milvus_types.go {@code +kubebuilder:default:="standalone"}, which the fake applies as the API
     * server does): one pod runs every role and the operator makes no queryNode Deployment, so a count written to
     * spec.components would change nothing. Refused before any list or write.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "spec '{'{0}components ...'}'")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"\"mode\": \"standalone\", ", ""})
    void aStandaloneMilvusHasNoComponentToScale(String mode) {
        fake.put(Kind.MILVUSES, """
                {"metadata": {"name": "%s", "namespace": "%s"},
                 "spec": {%s"components": {"queryNode": {"replicas": 1}}}, "status": {"status": "Healthy"}}"""
                .formatted(RELEASE, NS, mode));
        fake.clearRequests();
        ActuationException e = assertThrows(ActuationException.class, () -> actuator.read(OPERATOR_QN));
        assertEquals(ActuationException.Kind.REFUSED, e.kind());
        assertEquals("milvus " + NS + "/" + RELEASE + " has spec.mode: standalone, one pod that runs every role, with no"
                + " queryNode of its own to scale; milvus-autoscaler scales a Milvus in cluster mode only (remove"
                + " queryNode from its config)", e.getMessage());
        assertEquals(List.of(), fake.requests("GET", Kind.DEPLOYMENTS.path(NS, null)));
        assertEquals(List.of(), fake.requests("PATCH", Kind.MILVUSES.path(NS, RELEASE)));
    }

    /**
     * An HPA made by hand on one of the operator's queryNode Deployments fights the operator over its replicas:
     * refused, naming the HPA and the Deployment, after one HPA list; one on another component's Deployment
     * changes nothing. The HPA's shape is the chart's ({@link FakeKubernetesApi#helmChartHpa}, named
     * {@code <deployment>-hpa}; {@code kubectl autoscale} would name it as the Deployment): only its
     * {@code scaleTargetRef} is read, so the name does not matter.
     */
    @Test
    void aHandMadeHpaOnAComponentDeploymentIsRefused() {
        ActuateFixtures.seedOperator(fake, 3, 3);
        fake.put(Kind.HORIZONTAL_POD_AUTOSCALERS, FakeKubernetesApi.helmChartHpa(NS, RELEASE + "-milvus-datanode"));
        assertEquals(3, actuator.read(OPERATOR_QN).current());

        fake.put(Kind.HORIZONTAL_POD_AUTOSCALERS, FakeKubernetesApi.helmChartHpa(NS, QN1));
        ActuationException e = assertThrows(ActuationException.class, () -> actuator.read(OPERATOR_QN));
        assertEquals(ActuationException.Kind.REFUSED, e.kind());
        assertTrue(e.getMessage().startsWith("deployment " + NS + "/" + QN1 + " of queryNode is scaled by"
                + " HorizontalPodAutoscaler " + NS + "/" + QN1 + "-hpa; two autoscalers must not own one component"),
                e.getMessage());
        assertEquals(2, fake.requests("GET", Kind.HORIZONTAL_POD_AUTOSCALERS.path(NS, null)).size());
        assertEquals(List.of(), fake.requests("PATCH", Kind.MILVUSES.path(NS, RELEASE)));
    }

    /**
     * {@code statefulSet.enabled}: the operator runs queryNode as one StatefulSet {@code <name>-milvus-querynode}
     * with the component's labels and applies {@code replicas} to it (milvus-operator
     * pkg/controllers/statefulset.go, updateStatefulSet): the count is still the CR's, ready and rollout come
     * from the StatefulSet found by the same labels, and the write is the same CR patch.
     */
    @Test
    void aStatefulSetComponentIsReadFromItsStatefulSetAndWrittenOnTheResource() {
        fake.put(Kind.MILVUSES, operatorResource("\"queryNode\": {\"replicas\": 3, \"statefulSet\": {\"enabled\": true}}"));
        String sts = RELEASE + "-milvus-querynode";
        fake.put(Kind.STATEFULSETS, ActuateFixtures.statefulSet(sts, ActuateFixtures.operatorLabels(RELEASE,
                "querynode"), 3, 2, 3, 4, 4, Map.of()));
        // A Deployment of the same labels (left from before the switch) is not what runs the component now.
        fake.put(Kind.DEPLOYMENTS, ActuateFixtures.settled(QN0, ActuateFixtures.operatorLabels(RELEASE, "querynode"), 5, 5));

        ReplicaStatus status = actuator.read(OPERATOR_QN);
        assertEquals(3, status.current());
        assertEquals(2, status.ready(), "the StatefulSet's readyReplicas, not the Deployment's");
        assertEquals(false, status.rollout());
        assertEquals(List.of("app.kubernetes.io/instance=" + RELEASE + ",app.kubernetes.io/component=querynode"),
                fake.requests("GET", Kind.STATEFULSETS.path(NS, null)).stream()
                        .map(q -> q.queryParameter("labelSelector").orElse("")).toList());

        fake.merge(Kind.STATEFULSETS, NS, sts, "{\"status\": {\"updatedReplicas\": 1}}");
        assertEquals(false, actuator.read(OPERATOR_QN).rollout(), "pods created one at a time on one revision");
        fake.merge(Kind.STATEFULSETS, NS, sts, "{\"status\": {\"updateRevision\": \"" + sts + "-8e0a1d7c6\"}}");
        assertEquals(true, actuator.read(OPERATOR_QN).rollout(), "a new revision rolls out");
        fake.merge(Kind.STATEFULSETS, NS, sts, "{\"status\": {\"updatedReplicas\": 3, \"currentRevision\": \""
                + sts + "-8e0a1d7c6\"}}");

        ReplicaStatus basis = actuator.read(OPERATOR_QN);
        actuator.apply(decision(OPERATOR_QN, 3, 4, Reason.SIGNAL_HIGH), basis);
        assertEquals(4, fake.get(Kind.MILVUSES, NS, RELEASE).orElseThrow().getAsJsonObject("spec")
                .getAsJsonObject("components").getAsJsonObject("queryNode").get("replicas").getAsInt());
        assertEquals(List.of(), fake.requests("PATCH", Kind.STATEFULSETS.path(NS, sts)), "the operator owns it");

        fake.put(Kind.HORIZONTAL_POD_AUTOSCALERS, """
                {"metadata": {"name": "qn", "namespace": "%s"},
                 "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "%s"},
                          "minReplicas": 1, "maxReplicas": 6}}""".formatted(NS, sts));
        ActuationException e = assertThrows(ActuationException.class, () -> actuator.read(OPERATOR_QN));
        assertEquals(ActuationException.Kind.REFUSED, e.kind());
        assertTrue(e.getMessage().startsWith("statefulset " + NS + "/" + sts + " of queryNode is scaled by"
                + " HorizontalPodAutoscaler " + NS + "/qn"), e.getMessage());
    }

    /** The same fields switched off (no groups, StatefulSet mode off, manual mode off) change nothing. */
    @Test
    void theSameFieldsSwitchedOffAreRead() {
        ActuateFixtures.seedOperator(fake, 3, 3);
        fake.put(Kind.MILVUSES, operatorResource("\"enableManualMode\": false, \"queryNode\": {\"replicas\": 3,"
                + " \"groups\": [], \"statefulSet\": {\"enabled\": false}}"));
        assertEquals(3, actuator.read(OPERATOR_QN).current());
    }

    private static String operatorResource(String components) {
        return """
                {"metadata": {"name": "%s", "namespace": "%s"},
                 "spec": {"mode": "cluster", "components": {"image": "milvusdb/milvus:v2.6.3", %s}},
                 "status": {"status": "Healthy"}}""".formatted(RELEASE, NS, components);
    }

    @Test
    void writesReplicasVersionAndAnnotationsInOneMergePatch() {
        ActuateFixtures.seedOperator(fake, 3, 3);
        ReplicaStatus basis = actuator.read(OPERATOR_QN);
        fake.clearRequests();

        actuator.apply(decision(OPERATOR_QN, 3, 5, Reason.SIGNAL_HIGH), basis,
                new WriteContext("write-1", T0, WriteGuard.NONE));

        List<FakeKubernetesApi.Request> writes = fake.requests().stream().filter(r -> !r.method().equals("GET")).toList();
        assertEquals(1, writes.size(), "exactly one write");
        FakeKubernetesApi.Request patch = writes.get(0);
        assertEquals("PATCH", patch.method());
        assertEquals(Kind.MILVUSES.path(NS, RELEASE), patch.path());
        assertTrue(patch.contentType().startsWith("application/merge-patch+json"), patch.contentType());
        assertEquals(JsonParser.parseString("""
                {"metadata": {"resourceVersion": "%s", "annotations": {
                    "milvus-autoscaler.io/queryNode.last-scale-time": "2025-03-01T12:00:00Z",
                    "milvus-autoscaler.io/queryNode.last-scale-direction": "up",
                    "milvus-autoscaler.io/queryNode.last-scale-reason": "SIGNAL_HIGH",
                    "milvus-autoscaler.io/queryNode.last-scale-id": "write-1"}},
                 "spec": {"components": {"queryNode": {"replicas": 5}}}}""".formatted(basis.resourceVersion())),
                patch.json());

        JsonObject stored = fake.get(Kind.MILVUSES, NS, RELEASE).orElseThrow();
        JsonObject components = stored.getAsJsonObject("spec").getAsJsonObject("components");
        assertEquals(5, components.getAsJsonObject("queryNode").get("replicas").getAsInt());
        assertEquals(2, components.getAsJsonObject("dataNode").get("replicas").getAsInt(), "merge keeps the rest");
        assertEquals("milvusdb/milvus:v2.5.4", components.get("image").getAsString());
        ReplicaStatus after = actuator.read(OPERATOR_QN);
        assertEquals(5, after.current());
        assertEquals(Optional.of(new LastScale(T0, Direction.UP, "SIGNAL_HIGH", "write-1")), after.lastScale());
    }

    static Stream<Arguments> nothingToWrite() {
        return Stream.of(
                Arguments.of("HOLD", ActuateFixtures.hold(OPERATOR_QN, 3, Reason.IN_BAND)),
                Arguments.of("HOLD without known replicas", new io.github.milvusautoscaler.core.Decision(OPERATOR_QN,
                        T0, io.github.milvusautoscaler.core.Action.HOLD, null, null, Reason.TARGET_UNAVAILABLE,
                        "unreadable", Map.of(), false)),
                // decided 2 -> 3 on an older read, but the cluster already holds 3: nothing changes
                Arguments.of("target equals the current count", decision(OPERATOR_QN, 2, 3, Reason.SIGNAL_HIGH)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nothingToWrite")
    void writesOnlyOnChange(String name, io.github.milvusautoscaler.core.Decision decision) {
        ActuateFixtures.seedOperator(fake, 3, 3);
        ReplicaStatus basis = actuator.read(OPERATOR_QN);
        fake.clearRequests();
        actuator.apply(decision, basis);
        assertEquals(List.of(), fake.requests());
    }

    @Test
    void concurrentChangeBetweenReadAndWriteGives409AndTheRereadDecidesAgain() {
        ActuateFixtures.seedOperator(fake, 3, 3);
        ReplicaStatus basis = actuator.read(OPERATOR_QN);
        // Someone edits the CR (a person, GitOps) after our read.
        fake.merge(Kind.MILVUSES, NS, RELEASE, "{\"spec\": {\"components\": {\"queryNode\": {\"replicas\": 6}}}}");

        ActuationException e = assertThrows(ActuationException.class,
                () -> actuator.apply(decision(OPERATOR_QN, 3, 4, Reason.SIGNAL_HIGH), basis));
        assertEquals(ActuationException.Kind.CONFLICT, e.kind());
        assertEquals(6, replicasStored(), "their change is not overwritten");

        ReplicaStatus reread = actuator.read(OPERATOR_QN);
        assertEquals(6, reread.current());
        actuator.apply(decision(OPERATOR_QN, 6, 7, Reason.SIGNAL_HIGH), reread);
        assertEquals(7, replicasStored());
    }

    @Test
    void restartReadsTheLastScaleBackFromAnnotations() {
        fake.put(Kind.MILVUSES, milvus(RELEASE, Map.of("queryNode", 4), Map.of(
                ScaleAnnotations.LAST_SCALE_TIME, "2025-02-28T23:10:05+01:00",
                ScaleAnnotations.LAST_SCALE_DIRECTION, "down",
                ScaleAnnotations.LAST_SCALE_REASON, "SIGNALS_LOW"), null));
        // A fresh actuator, as after a restart or fail-over.
        MilvusOperatorActuator restarted = new MilvusOperatorActuator(ActuateFixtures.client(fake),
                ActuateFixtures.options(), new ScaledObjects(ActuateFixtures.options()));
        assertEquals(Optional.of(new LastScale(Instant.parse("2025-02-28T22:10:05Z"), Direction.DOWN, "SIGNALS_LOW")),
                restarted.read(OPERATOR_QN).lastScale());
    }

    static Stream<Arguments> malformedAnnotations() {
        return Stream.of(
                Arguments.of("time is not RFC 3339", Map.of(ScaleAnnotations.LAST_SCALE_TIME, "yesterday",
                        ScaleAnnotations.LAST_SCALE_DIRECTION, "up")),
                Arguments.of("direction is neither up nor down", Map.of(ScaleAnnotations.LAST_SCALE_TIME,
                        "2025-03-01T00:00:00Z", ScaleAnnotations.LAST_SCALE_DIRECTION, "sideways")),
                Arguments.of("direction missing", Map.of(ScaleAnnotations.LAST_SCALE_TIME, "2025-03-01T00:00:00Z")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedAnnotations")
    void malformedLastScaleAnnotationsReadAsAbsent(String name, Map<String, String> annotations) {
        fake.put(Kind.MILVUSES, milvus(RELEASE, Map.of("queryNode", 4), annotations, null));
        assertEquals(Optional.empty(), actuator.read(OPERATOR_QN).lastScale());
    }

    /**
     * A pause is read with the command that lifts it as the object carries it, the key in the spelling found (README,
     * Pausing: "the config names or the label values, in any case"), for the PAUSED decision to give. "key-" removes
     * an annotation and --overwrite replaces one (kubectl annotate --help).
     */
    @Test
    void aPauseIsReadWithTheCommandThatLiftsItAsFound() {
        fake.put(Kind.MILVUSES, milvus(RELEASE, Map.of("queryNode", 3, "proxy", 2),
                Map.of("milvus-autoscaler.io/querynode.paused", "true"), null));
        assertEquals(Optional.of("kubectl -n " + NS + " annotate milvus " + RELEASE
                + " milvus-autoscaler.io/querynode.paused-"), actuator.read(OPERATOR_QN).pauseLift());
        fake.put(Kind.MILVUSES, milvus(RELEASE, Map.of("queryNode", 3, "proxy", 2),
                Map.of(ScaleAnnotations.PAUSED, "QueryNode,proxy"), null));
        assertEquals(Optional.of("kubectl -n " + NS + " annotate milvus " + RELEASE
                + " --overwrite milvus-autoscaler.io/paused=proxy"), actuator.read(OPERATOR_QN).pauseLift());
        fake.put(Kind.MILVUSES, milvus(RELEASE, Map.of("queryNode", 3, "proxy", 2),
                Map.of(ScaleAnnotations.PAUSED, "proxy"), null));
        ReplicaStatus unpaused = actuator.read(OPERATOR_QN);
        assertFalse(unpaused.paused());
        assertEquals(Optional.empty(), unpaused.pauseLift());
    }

    @Test
    void pauseAnnotationIsReportedAndStopsWrites() {
        fake.put(Kind.MILVUSES, milvus(RELEASE, Map.of("queryNode", 3), Map.of(ScaleAnnotations.PAUSED, "true"), null));
        ReplicaStatus basis = actuator.read(OPERATOR_QN);
        assertTrue(basis.paused());
        fake.clearRequests();
        ActuationException e = assertThrows(ActuationException.class,
                () -> actuator.apply(decision(OPERATOR_QN, 3, 4, Reason.SIGNAL_HIGH), basis));
        assertEquals(ActuationException.Kind.REFUSED, e.kind());
        assertEquals(List.of(), fake.requests(), "nothing written to a paused target");
        assertEquals(3, replicasStored());
    }

    private int replicasStored() {
        return fake.get(Kind.MILVUSES, NS, RELEASE).orElseThrow().getAsJsonObject("spec").getAsJsonObject("components")
                .getAsJsonObject("queryNode").get("replicas").getAsInt();
    }
}
