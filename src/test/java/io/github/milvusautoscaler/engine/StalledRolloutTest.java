package io.github.milvusautoscaler.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.actuate.ApiClients;
import io.github.milvusautoscaler.actuate.RoutingActuator;
import io.github.milvusautoscaler.actuate.ScaledObjects;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.KubernetesSettings;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.CapturedLogs;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import io.github.milvusautoscaler.testsupport.FakeMetrics;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A `helm upgrade` to an image that cannot be pulled: one surge pod never turns ready, the three old ones serve,
 * and after progressDeadlineSeconds (600 s by default) the Deployment reads Progressing False,
 * ProgressDeadlineExceeded (kubernetes.io, Deployments, "Failed Deployment"; status fields as the deployment
 * controller's sync.go calculateStatus sets them: replicas 4 existing, updatedReplicas 1). Held as a rollout, the
 * overloaded queryNode was never scaled again (upgrade recheck 22, F1). Now scale-out acts, once said in a WARN,
 * and the status carries the stalled rollout.
 */
class StalledRolloutTest {

    static final Instant T0 = Instant.parse("2026-12-06T06:52:00Z");
    static final Target QN = new Target("milvus", "r", Component.QUERY_NODE, InstallKind.HELM);
    static final String DEPLOYMENT = "r-milvus-querynode";

    final FakeKubernetesApi fake = FakeKubernetesApi.start();
    final ManualClock clock = new ManualClock(T0);
    final FakeMetrics metrics = new FakeMetrics();

    @AfterEach
    void stop() {
        fake.close();
    }

    static String stalledDeployment(String progressing, String reason) {
        return """
                {"metadata": {"name": "%s", "namespace": "milvus", "generation": 2,
                              "labels": {"app.kubernetes.io/instance": "r", "component": "querynode"}},
                 "spec": {"replicas": 3, "progressDeadlineSeconds": 600,
                          "selector": {"matchLabels": {"app.kubernetes.io/instance": "r", "component": "querynode"}},
                          "template": {"metadata": {"labels": {"app.kubernetes.io/instance": "r", "component": "querynode"}},
                                       "spec": {"containers": [{"name": "querynode", "image": "milvusdb/milvus:v2.5.99"}]}}},
                 "status": {"replicas": 4, "readyReplicas": 3, "availableReplicas": 3, "updatedReplicas": 1,
                            "unavailableReplicas": 1, "observedGeneration": 2,
                            "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                                           {"type": "Progressing", "status": "%s", "reason": "%s",
                                            "lastTransitionTime": "2026-12-06T06:50:00Z"}]}}
                """.formatted(DEPLOYMENT, progressing, reason);
    }

    Engine engine() {
        return engineOver(fake, clock, metrics, false);
    }

    /** A leading engine writing through the real actuators to {@code fake}; {@code dryRun} as the setting. */
    static Engine engineOver(FakeKubernetesApi fake, ManualClock clock, FakeMetrics metrics, boolean dryRun) {
        KubernetesSettings options = io.github.milvusautoscaler.testsupport.Kube.settings("", Duration.ofSeconds(2), 3,
                Duration.ofMillis(1), false);
        return new Engine(clock, metrics, RoutingActuator.forCluster(ApiClients.forBaseUrl(fake.url(), options), options,
                new ScaledObjects(options)), d -> { }, () -> true, AlertSource.NONE, new ActionBudget(30), dryRun,
                EngineListener.NONE);
    }

    @Test
    void anOverloadedComponentBehindARolloutPastItsDeadlineIsScaledOut() {
        fake.put(Kind.DEPLOYMENTS, stalledDeployment("True", "ReplicaSetUpdated"));
        metrics.cpu.put(QN, 0.94);
        Engine e = engine();
        // Within its deadline the rollout is in progress: writing now would fight it.
        Decision held = e.tick(new EngineTarget(QN, EngineTest.policy()));
        assertEquals(Reason.ROLLOUT, held.reason(), held.message().text());

        fake.put(Kind.DEPLOYMENTS, stalledDeployment("False", "ProgressDeadlineExceeded"));
        clock.advance(Duration.ofSeconds(15));
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            Decision d = e.tick(new EngineTarget(QN, EngineTest.policy()));
            // cpu 0.94 on 3 ready: ceil(3 x 0.94/0.575) = 5, at most +2: 3 -> 5, as without the rollout.
            assertEquals(Reason.SIGNAL_HIGH, d.reason(), d.message().text());
            assertEquals(5, d.to());
            assertTrue(d.written(), d.toString());
            assertTrue(logs.warnings().stream().anyMatch(w -> w.contains("deployment milvus/" + DEPLOYMENT
                    + " is rolling out a new template (1 of 4 pods updated), past its progress deadline (Progressing:"
                    + " ProgressDeadlineExceeded since 2026-12-06T06:50:00Z); scale-out still acts, step-downs hold")),
                    logs.warnings().toString());
        }
        assertEquals(5, fake.get(Kind.DEPLOYMENTS, "milvus", DEPLOYMENT).orElseThrow().getAsJsonObject("spec")
                .get("replicas").getAsInt());
        com.google.gson.JsonObject status = io.github.milvusautoscaler.server.StatusJson.render(e.views().values(), true,
                false, clock.instant()).getAsJsonArray("targets").get(0).getAsJsonObject();
        assertTrue(status.get("rolloutStalled").getAsString().endsWith("past its progress deadline (Progressing:"
                + " ProgressDeadlineExceeded since 2026-12-06T06:50:00Z)"), status.toString());
        assertEquals(false, status.get("rollout").getAsBoolean(), status.toString());
    }

    /**
     * An operator blue/green hand-over whose new pod never turns ready: the operator steps only once every pod of
     * both Deployments is ready (milvus-operator deploy_ctrl_util.go checkCanScaleNow) and gives the new Deployment a
     * month's progress deadline (CreateDeploy), so Kubernetes never says it stalled, and it held as ROLLOUT for good
     * with nothing said (recheck 34, F2). After 10 minutes reading the same (Kubernetes' default progress deadline) a
     * WARN says so, once; a step after it is said too.
     */
    @Test
    void aHandOverThatStopsMovingIsSaidOnceAfterTenMinutes() {
        Target qn = new Target("milvus", "o1", Component.QUERY_NODE, InstallKind.OPERATOR);
        fake.put(Kind.MILVUSES, """
                {"metadata": {"name": "o1", "namespace": "milvus", "generation": 4},
                 "spec": {"mode": "cluster", "components": {"queryNode": {"replicas": 3}}},
                 "status": {"status": "Healthy", "observedGeneration": 4}}""");
        fake.put(Kind.DEPLOYMENTS, operatorQueryNode("o1-milvus-querynode-0", 3, 3));
        fake.put(Kind.DEPLOYMENTS, operatorQueryNode("o1-milvus-querynode-1", 1, 0));
        metrics.cpu.put(qn, 0.94);
        Engine e = engine();
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            for (Duration at : java.util.List.of(Duration.ZERO, Duration.ofMinutes(5), Duration.ofSeconds(599))) {
                clock.set(T0.plus(at));
                Decision d = e.tick(new EngineTarget(qn, EngineTest.policy()));
                assertEquals(Reason.ROLLOUT, d.reason(), d.message().text());
            }
            assertEquals(java.util.List.of(), unmoved(logs), "under 10 minutes");
            com.google.gson.JsonObject before = statusOf(e);
            assertEquals("2026-12-06T06:52:00Z", before.get("rolloutReadsSameSince").getAsString(), before.toString());
            assertEquals(false, before.get("rolloutUnmoved").getAsBoolean(), "9m59s: " + before);
            clock.set(T0.plus(Duration.ofMinutes(10)));
            e.tick(new EngineTarget(qn, EngineTest.policy()));
            // The status says what the WARN says (recheck 37, R2): rolloutStalled stays null, as Kubernetes does not
            // call it stalled.
            com.google.gson.JsonObject after = statusOf(e);
            assertEquals(true, after.get("rolloutUnmoved").getAsBoolean(), after.toString());
            assertTrue(after.get("rolloutStalled").isJsonNull(), after.toString());
            clock.set(T0.plus(Duration.ofMinutes(11)));
            e.tick(new EngineTarget(qn, EngineTest.policy()));
            assertEquals(java.util.List.of("milvus/o1/queryNode: a rollout that has read the same for 10m: 2 of queryNode's"
                    + " deployments have replicas (the operator's blue/green hand-over, one pod at a time once every pod"
                    + " is ready: o1-milvus-querynode-0 3 of 3 ready, o1-milvus-querynode-1 0 of 1 ready); every"
                    + " decision holds until it ends, scale-outs included: if it does not move, kubectl -n milvus get"
                    + " pods and kubectl describe pod NAME say why a pod is not ready (an image that cannot be pulled,"
                    + " no node with room)"), unmoved(logs), "said once");

            fake.put(Kind.DEPLOYMENTS, operatorQueryNode("o1-milvus-querynode-1", 1, 1));
            clock.set(T0.plus(Duration.ofMinutes(12)));
            e.tick(new EngineTarget(qn, EngineTest.policy()));
            assertTrue(logs.messages().stream().anyMatch(m -> m.startsWith("milvus/o1/queryNode: the rollout moves"
                    + " again: 2 of queryNode's deployments have replicas")), logs.messages().toString());
            com.google.gson.JsonObject moved = statusOf(e);
            assertEquals("2026-12-06T07:04:00Z", moved.get("rolloutReadsSameSince").getAsString(), moved.toString());
            assertEquals(false, moved.get("rolloutUnmoved").getAsBoolean(), moved.toString());
        }
    }

    com.google.gson.JsonObject statusOf(Engine e) {
        return io.github.milvusautoscaler.server.StatusJson.render(e.views().values(), true, false, clock.instant())
                .getAsJsonArray("targets").get(0).getAsJsonObject();
    }

    static java.util.List<String> unmoved(CapturedLogs logs) {
        return logs.warnings().stream().filter(w -> w.contains("has read the same for")).toList();
    }

    /** One of an operator queryNode's Deployments (labels as milvus-operator sets them), settled at its spec. */
    static String operatorQueryNode(String name, int replicas, int ready) {
        return """
                {"metadata": {"name": "%s", "namespace": "milvus", "generation": 1,
                  "labels": {"app.kubernetes.io/instance": "o1", "app.kubernetes.io/component": "querynode"}},
                 "spec": {"replicas": %d},
                 "status": {"replicas": %d, "readyReplicas": %d, "updatedReplicas": %d, "observedGeneration": 1}}
                """.formatted(name, replicas, replicas, ready, replicas);
    }
}
