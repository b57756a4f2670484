package io.github.milvusautoscaler.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.github.milvusautoscaler.actuate.ApiClients;
import io.github.milvusautoscaler.actuate.RoutingActuator;
import io.github.milvusautoscaler.actuate.ScaledObjects;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.KubernetesSettings;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.CapturedLogs;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import io.github.milvusautoscaler.testsupport.FakeMetrics;
import io.github.milvusautoscaler.testsupport.Kube;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine, the real Helm actuator and the fake API server, with the count also written by a server-side applier:
 * a Helm 4 release (helm installs and upgrades by server-side apply, its field manager the binary's name, helm
 * pkg/kube/client.go {@code Create} and {@code getManagedFieldsManager}) and an Argo CD sync (field manager
 * {@code argocd-controller}, applied with {@code --force-conflicts}: argo-cd
 * docs/proposals/server-side-apply-field-managers.md). The fake moves a field's ownership to whoever changes its value
 * and refuses an apply that would change a field another manager owns, as the Kubernetes Server-Side Apply docs say.
 */
class CountWritersTest {

    static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    static final String NS = "milvus";
    static final Target QN = new Target(NS, "my-release", Component.QUERY_NODE, InstallKind.HELM);
    static final String DEPLOYMENT = "my-release-milvus-querynode";

    final FakeKubernetesApi fake = FakeKubernetesApi.start();
    final ManualClock clock = new ManualClock(T0);
    final FakeMetrics metrics = new FakeMetrics();
    final List<Decision> recorded = new ArrayList<>();
    /** The targets the engine said were standing back, one per contested tick, before their decision was recorded. */
    final List<Target> standingBack = new ArrayList<>();

    @org.junit.jupiter.api.BeforeEach
    void sameClock() {
        fake.useClock(clock); // the API server dates managedFields on the engine's clock, as a synced cluster does
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    /**
     * The chart's querynode Deployment at {@code replicas}, all ready, created by {@code manager}'s server-side apply:
     * its managedFields entry owns spec.replicas among the rest of what the chart renders (milvus-helm
     * templates/querynode-deployment.yaml writes {@code replicas} for {@code queryNode.replicas >= 0}; the entry's
     * shape as the Server-Side Apply docs give it), and the Deployment controller's Update of status beside it.
     */
    void seed(String manager, int replicas) {
        fake.put(Kind.DEPLOYMENTS, """
                {"metadata": {"name": "%s", "namespace": "%s", "generation": 1,
                   "labels": {"app.kubernetes.io/name": "milvus", "app.kubernetes.io/instance": "my-release", "component": "querynode"},
                   "managedFields": [
                     {"manager": "%s", "operation": "Apply", "apiVersion": "apps/v1", "time": "2026-12-07T09:00:00Z",
                      "fieldsType": "FieldsV1",
                      "fieldsV1": {"f:metadata": {"f:labels": {"f:app.kubernetes.io/instance": {}, "f:component": {}}},
                                   "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {"f:spec": {"f:containers": {}}}}}},
                     {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
                      "time": "2026-12-07T09:00:05Z", "fieldsType": "FieldsV1", "subresource": "status",
                      "fieldsV1": {"f:status": {"f:readyReplicas": {}, "f:replicas": {}}}}]},
                 "spec": {"replicas": %d, "selector": {"matchLabels": {"app.kubernetes.io/instance": "my-release", "component": "querynode"}},
                          "template": {"metadata": {"labels": {"app.kubernetes.io/instance": "my-release", "component": "querynode"}},
                                       "spec": {"containers": [{"name": "querynode", "image": "milvusdb/milvus:v2.5.4"}]}}},
                 "status": {"replicas": %d, "readyReplicas": %d, "availableReplicas": %d, "updatedReplicas": %d,
                            "observedGeneration": 1}}
                """.formatted(DEPLOYMENT, NS, manager, replicas, replicas, replicas, replicas, replicas));
    }

    /** Every pod of the Deployment ready, as its controller would report once they start. */
    void allReady() {
        int replicas = fake.get(Kind.DEPLOYMENTS, NS, DEPLOYMENT).orElseThrow().getAsJsonObject("spec")
                .get("replicas").getAsInt();
        fake.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"status\": {\"readyReplicas\": " + replicas
                + ", \"availableReplicas\": " + replicas + "}}");
    }

    Engine engine() {
        KubernetesSettings options = Kube.settings("", Duration.ofSeconds(2), 3, Duration.ofMillis(1), false);
        return new Engine(clock, metrics, RoutingActuator.forCluster(ApiClients.forBaseUrl(fake.url(), options),
                options, new ScaledObjects(options)), recorded::add, () -> true, AlertSource.NONE,
                new ActionBudget(30), false, new EngineListener() {
                    @Override
                    public void standingBack(Target target) {
                        standingBack.add(target);
                    }
                });
    }

    /** The managers whose managedFields entry holds spec.replicas. */
    List<String> replicasOwners() {
        List<String> owners = new ArrayList<>();
        JsonObject meta = fake.get(Kind.DEPLOYMENTS, NS, DEPLOYMENT).orElseThrow().getAsJsonObject("metadata");
        meta.getAsJsonArray("managedFields").forEach(e -> {
            JsonObject fields = e.getAsJsonObject().getAsJsonObject("fieldsV1");
            if (fields.has("f:spec") && fields.getAsJsonObject("f:spec").has("f:replicas")) {
                owners.add(e.getAsJsonObject().get("manager").getAsString() + " "
                        + e.getAsJsonObject().get("operation").getAsString());
            }
        });
        return owners;
    }

    /**
     * A Helm 4 release whose chart renders queryNode.replicas: the daemon says before its first scale what the next
     * upgrade will do; its scale takes the field (the upgrade then stops on a conflict naming milvus-autoscaler); an
     * upgrade with --force-conflicts sets the chart's count back, and the WARN names helm's apply and what stops it,
     * with the heads-up not said twice.
     */
    @Test
    void aHelm4ReleaseIsToldWhatItsNextUpgradeDoesAndItsForcedResetIsNamed() {
        seed("helm", 2);
        metrics.cpu.put(QN, 0.95);
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            Engine e = engine();
            Decision out = e.tick(new EngineTarget(QN, EngineTest.policy()));
            assertTrue(out.written() && out.to() == 4, out.toString());
            assertEquals(1, logs.warnings().size(), logs.warnings().toString());
            assertEquals("milvus/my-release/queryNode: .spec.replicas (2) is applied server-side by helm (Apply at"
                    + " 2026-12-07T09:00:00Z). Once milvus-autoscaler changes the count the field is its own, and helm's"
                    + " next apply of another count stops on a conflict over .spec.replicas naming milvus-autoscaler,"
                    + " or, forced, sets it back (helm upgrade --force-conflicts). Set queryNode.replicas: -1 in the"
                    + " release's values so upgrades leave the count alone (made after milvus-autoscaler's first scale,"
                    + " that upgrade keeps the count; before it, Kubernetes resets a field no one owns any more to 1);"
                    + " said once per applier.", logs.warnings().get(0));
            assertEquals(List.of("milvus-autoscaler Update"), replicasOwners(), "the scale took the field");

            IllegalStateException conflict = assertThrows(IllegalStateException.class, () -> fake.apply("helm",
                    Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"spec\": {\"replicas\": 2}}", false));
            assertTrue(conflict.getMessage().startsWith("Apply failed with 1 conflict: conflict with"
                    + " \"milvus-autoscaler\" using apps/v1 at "), conflict.getMessage());
            assertTrue(conflict.getMessage().endsWith(": .spec.replicas"), conflict.getMessage());

            fake.apply("helm", Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"spec\": {\"replicas\": 2}}", true);
            allReady();
            logs.clear();
            metrics.cpu.put(QN, 0.60);
            clock.advance(Duration.ofSeconds(15));
            e.tick(new EngineTarget(QN, EngineTest.policy()));
            assertEquals(1, logs.warnings().size(), logs.warnings().toString());
            String reset = logs.warnings().get(0);
            assertTrue(reset.startsWith("milvus/my-release/queryNode: replicas changed outside milvus-autoscaler since"
                    + " its last tick: 4 -> 2 by helm (Apply at "), reset);
            assertTrue(reset.endsWith("; helm applies server-side (Helm 4) and its upgrades set .spec.replicas from"
                    + " queryNode.replicas: with queryNode.replicas: -1 in the release's values the count stays"
                    + " milvus-autoscaler's (the field is its own once it has scaled, so Kubernetes does not reset it);"
                    + " until then each upgrade after a scale stops on a conflict over .spec.replicas, or resets the"
                    + " count when run with --force-conflicts"), reset);
            assertEquals("helm (Apply at " + reset.substring(reset.indexOf("(Apply at ") + 10, reset.indexOf(");"))
                    + ")", e.views().get(QN).status().countWriter().orElseThrow().said());
        }
    }

    /**
     * A release installed with queryNode.replicas: -1 leaves spec.replicas to no applier: nothing is foreseen, and the
     * daemon's write makes it the field's only owner.
     */
    @Test
    void aCountNoApplierOwnsIsNotWarnedAbout() {
        seed("helm", 2);
        fake.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"metadata\": {\"managedFields\": [{\"manager\": \"helm\","
                + " \"operation\": \"Apply\", \"apiVersion\": \"apps/v1\", \"time\": \"2026-12-07T09:00:00Z\","
                + " \"fieldsType\": \"FieldsV1\", \"fieldsV1\": {\"f:spec\": {\"f:selector\": {}}}}]}}");
        metrics.cpu.put(QN, 0.95);
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            assertTrue(engine().tick(new EngineTarget(QN, EngineTest.policy())).written());
            assertEquals(List.of(), logs.warnings());
            assertEquals(List.of("milvus-autoscaler Update"), replicasOwners());
        }
    }

    /**
     * An operator install whose Milvus resource a person applied server-side ({@code kubectl apply --server-side},
     * manager {@code kubectl} by default: Server-Side Apply docs, "Field managers"): the heads-up names the component's
     * own field, and the scale takes that field alone.
     */
    @Test
    void anOperatorInstallsAppliedComponentCountIsNamedByItsOwnField() {
        Target qn = new Target(NS, "my-release", Component.QUERY_NODE, InstallKind.OPERATOR);
        fake.putOperatorQueryNode(NS, "my-release", 2, 2);
        fake.merge(Kind.MILVUSES, NS, "my-release", "{\"metadata\": {\"managedFields\": [{\"manager\": \"kubectl\","
                + " \"operation\": \"Apply\", \"apiVersion\": \"milvus.io/v1beta1\", \"time\": \"2026-12-07T08:00:00Z\","
                + " \"fieldsType\": \"FieldsV1\", \"fieldsV1\": {\"f:spec\": {\"f:mode\": {}, \"f:components\":"
                + " {\"f:queryNode\": {\"f:replicas\": {}}, \"f:proxy\": {\"f:replicas\": {}}}}}}]}}");
        metrics.cpu.put(qn, 0.95);
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            assertTrue(engine().tick(new EngineTarget(qn, EngineTest.policy())).written());
            assertEquals(1, logs.warnings().size(), logs.warnings().toString());
            assertTrue(logs.warnings().get(0).startsWith("milvus/my-release/queryNode: .spec.components.queryNode.replicas"
                    + " (2) is applied server-side by kubectl (Apply at 2026-12-07T08:00:00Z)."), logs.warnings().get(0));
            assertTrue(logs.warnings().get(0).contains("Leave .spec.components.queryNode.replicas out of what kubectl"
                    + " applies"), logs.warnings().get(0));
        }
        JsonObject fields = new JsonObject();
        fake.get(Kind.MILVUSES, NS, "my-release").orElseThrow().getAsJsonObject("metadata")
                .getAsJsonArray("managedFields").forEach(e -> fields.add(e.getAsJsonObject().get("manager").getAsString(),
                        e.getAsJsonObject().getAsJsonObject("fieldsV1")));
        assertEquals("{\"f:spec\":{\"f:mode\":{},\"f:components\":{\"f:proxy\":{\"f:replicas\":{}}}}}",
                fields.get("kubectl").toString(), "kubectl keeps the proxy's count and the rest");
        assertEquals("{\"f:spec\":{\"f:components\":{\"f:queryNode\":{\"f:replicas\":{}}}}}",
                fields.get("milvus-autoscaler").toString());
    }

    /**
     * A GitOps sync that force-applies the count (Argo CD's self-heal) undoes every scale-out: each reset is said with
     * its writer; at the third within the hour the tug-of-war is said once and milvus-autoscaler stands back, holding
     * TARGET_UNAVAILABLE and writing nothing (recheck 64: the fight spent 8 of 8 actions in 5 minutes), until the
     * writer has left the count alone for an hour.
     */
    @Test
    void aWriterThatKeepsResettingTheCountIsSaidOnceAndLeftTheCount() {
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            Engine e = scaledOnce("argocd-controller");
            assertTrue(logs.warnings().get(0).contains("Leave .spec.replicas out of what argocd-controller applies"),
                    logs.warnings().toString());
            List<String> fights = new ArrayList<>();
            Decision last = null;
            for (int sync = 1; sync <= 3; sync++) {
                last = argoSync(e, logs);
                assertTrue(logs.warnings().get(0).contains(" -> 2 by argocd-controller (Apply at ")
                        && logs.warnings().get(0).endsWith("; argocd-controller applies .spec.replicas server-side, so"
                        + " each of its applies that forces it resets the count: leave the field out of what"
                        + " argocd-controller applies and the count stays milvus-autoscaler's"), logs.warnings().get(0));
                logs.warnings().stream().filter(w -> w.contains("has set the count")).forEach(fights::add);
                assertEquals(sync < 3, last.written(), sync + ": " + last);
            }
            assertEquals(1, fights.size(), fights.toString());
            assertEquals("milvus/my-release/queryNode: argocd-controller has set the count 3 times in the last 8m"
                    + " (now 4 -> 2) while milvus-autoscaler scales it: two writers set .spec.replicas, and each of its"
                    + " writes undoes a scale. milvus-autoscaler stands back: it writes no count to queryNode until"
                    + " argocd-controller has left it alone for 1h, so the fight spends no actions of"
                    + " max-actions-per-hour and starts no pods only to have them removed. Give the count to one: leave"
                    + " .spec.replicas out of what argocd-controller writes or syncs (a Helm release:"
                    + " queryNode.replicas: -1), or remove queryNode from milvus-autoscaler's config (said once an hour"
                    + " per target)", fights.get(0));
            assertEquals(io.github.milvusautoscaler.core.Reason.TARGET_UNAVAILABLE, last.reason(), last.toString());
            // The decision log says a stand-back once by this, not by the message's words.
            assertEquals(List.of(last.target()), standingBack, "the stand-back's tick, and no earlier one");
            // Dated by the writer's own change (its managedFields time, 4m before this tick), not by the tick that saw
            // it (recheck 67, F4), with when it ends and what ends it sooner.
            assertTrue(last.message().text().startsWith("queryNode target unavailable (contested): two writers set"
                    + " .spec.replicas: argocd-controller undid milvus-autoscaler's scales 3 times within 1h and last"
                    + " set the count 4m ago; milvus-autoscaler writes no count until 2026-12-07T11:08:00Z (an hour"
                    + " after its last change, later if it changes it again) or until it no longer owns the count (leave"
                    + " .spec.replicas out of what argocd-controller writes; it then drops to Kubernetes' default, 1,"
                    + " and milvus-autoscaler scales it from there)"), last.message().text());
            assertTrue(last.message().text().contains("; the policy would: SCALE_OUT"), last.message().text());

            // Left alone: the sync finds its count and writes nothing; the daemon holds for the hour, then scales.
            clock.advance(Duration.ofMinutes(55));
            Decision held = e.tick(new EngineTarget(QN, EngineTest.policy()));
            assertEquals(io.github.milvusautoscaler.core.Reason.TARGET_UNAVAILABLE, held.reason(), held.toString());
            assertEquals(2, replicas());
            assertTrue(held.message().text().contains("and last set the count 59m ago;"), held.message().text());
            clock.advance(Duration.ofMinutes(1));
            Decision back = e.tick(new EngineTarget(QN, EngineTest.policy()));
            assertTrue(back.written() && back.to() == 4, back.toString());

            // One reset after the quiet hour is the first of a new window, no stand-back (recheck 66, F1: it held
            // another hour, "3 times within 1h" said of one reset).
            logs.clear();
            fake.apply("argocd-controller", Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"spec\": {\"replicas\": 2}}", true);
            allReady();
            clock.advance(Duration.ofMinutes(4));
            Decision again = e.tick(new EngineTarget(QN, EngineTest.policy()));
            assertTrue(again.written() && again.to() == 4, again.toString());
            assertEquals(1, logs.warnings().size(), logs.warnings().toString());
        }
    }

    /**
     * A writer that lets go of the count during a stand-back (drops the field from what it applies, as the tug-of-war
     * WARN advises) ends it at once: the count fell to Kubernetes' default, 1, and waiting out the hour left one node
     * under load (recheck 67, F1). The daemon says so and scales from 1.
     */
    @Test
    void aWriterThatLetsGoOfTheCountEndsTheStandBack() {
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            Engine e = scaledOnce("argocd-controller");
            Decision held = null;
            for (int sync = 1; sync <= 3; sync++) {
                held = argoSync(e, logs);
            }
            assertEquals(io.github.milvusautoscaler.core.Reason.TARGET_UNAVAILABLE, held.reason(), held.toString());
            logs.clear();
            clock.advance(Duration.ofMinutes(6));
            fake.apply("argocd-controller", Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"spec\": {\"replicas\": null}}", true);
            assertEquals(1, replicas(), "no one else owned it: defaulted");
            allReady();
            clock.advance(Duration.ofSeconds(15));
            Decision back = e.tick(new EngineTarget(QN, EngineTest.policy()));
            assertTrue(back.written() && back.from() == 1, back.toString());
            assertTrue(logs.messages().contains("milvus/my-release/queryNode: argocd-controller no longer owns"
                    + " .spec.replicas (no one else owns it): milvus-autoscaler stands back no more and scales queryNode"
                    + " again"), logs.messages().toString());
        }
    }

    /**
     * A second applier that applies the same count shares the field with the writer the daemon stands back from: that
     * writer still owns it, and its next forced sync would undo any scale, so the stand-back goes on (recheck 68, F1:
     * a co-applier's newer entry hid it and the fight restarted).
     */
    @Test
    void aCoApplierOfTheSameCountDoesNotEndTheStandBack() {
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            Engine e = scaledOnce("argocd-controller");
            for (int sync = 1; sync <= 3; sync++) {
                argoSync(e, logs);
            }
            fake.apply("helm", Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"spec\": {\"replicas\": 2}}", false);
            clock.advance(Duration.ofSeconds(15));
            Decision held = e.tick(new EngineTarget(QN, EngineTest.policy()));
            assertEquals(io.github.milvusautoscaler.core.Reason.TARGET_UNAVAILABLE, held.reason(), held.toString());
            assertEquals(List.of("argocd-controller"), e.views().get(QN).status().countWriter().orElseThrow()
                    .sharedWith(), "helm is the newest entry, argocd-controller shares it");
            assertEquals(2, replicas());
        }
    }

    /**
     * A daemon that first meets an applier at its reset says the reset, not also the heads-up "once milvus-autoscaler
     * changes the count", which it already has (recheck 64, F1).
     */
    @Test
    void anApplierFirstSeenAtItsResetIsSaidOnce() {
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            Engine e = scaledOnce("argocd-controller");
            List<String> said = appliedThenTicked(e, logs, "helm", "{\"spec\": {\"replicas\": 2}}", true);
            assertEquals(1, said.size(), said.toString());
            assertTrue(said.get(0).contains("4 -> 2 by helm (Apply at "), said.get(0));
        }
    }

    /**
     * A release upgraded to queryNode.replicas: -1 before milvus-autoscaler's first scale drops a field no one else
     * owns: the API server defaults it to 1, and the WARN says which applier dropped it (recheck 64, F2). After a
     * scale of its own, the same upgrade leaves the count alone and nothing is said.
     */
    @Test
    void aCountAnApplierDroppedIsSaidAsSuchAndKeptOnceTheDaemonOwnsIt() {
        seed("helm", 2);
        metrics.cpu.put(QN, 0.60);
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            Engine e = engine();
            e.tick(new EngineTarget(QN, EngineTest.policy()));
            List<String> said = appliedThenTicked(e, logs, "helm", "{\"spec\": {\"replicas\": null}}", false);
            assertEquals(1, replicas(), "no one owned it: defaulted");
            assertEquals(1, said.size(), said.toString());
            assertTrue(said.get(0).startsWith("milvus/my-release/queryNode: replicas changed outside"
                    + " milvus-autoscaler since its last tick: 2 -> 1 (helm no longer applies .spec.replicas, which no"
                    + " one else owned, so it was removed and Kubernetes defaulted it to 1); "), said.get(0));
        }
    }

    /** After a scale of its own the field is milvus-autoscaler's: helm's apply without it keeps the count. */
    @Test
    void aDroppedFieldTheDaemonOwnsKeepsItsCount() {
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            Engine e = scaledOnce("helm");
            metrics.cpu.put(QN, 0.60);
            assertEquals(List.of(), appliedThenTicked(e, logs, "helm", "{\"spec\": {\"replicas\": null}}", false));
            assertEquals(4, replicas());
        }
    }

    /**
     * A kubectl scale (an Update through /scale, its manager kubectl's User-Agent product) is named, and gets no Helm
     * values advice, which would not stop it (recheck 64, F3).
     */
    @Test
    void aKubectlScaleIsNamedWithoutReleaseAdvice() throws Exception {
        seed("helm", 2);
        metrics.cpu.put(QN, 0.60);
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            Engine e = engine();
            e.tick(new EngineTarget(QN, EngineTest.policy()));
            java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(fake.url() + "/apis/apps/v1/namespaces/"
                                    + NS + "/deployments/" + DEPLOYMENT + "/scale"))
                            .header("User-Agent", "kubectl/v1.31.0 (linux/amd64) kubernetes/9edcffc")
                            .header("Content-Type", "application/merge-patch+json")
                            .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString(
                                    "{\"spec\": {\"replicas\": 6}}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            allReady();
            logs.clear();
            clock.advance(Duration.ofSeconds(15));
            e.tick(new EngineTarget(QN, EngineTest.policy()));
            assertEquals(1, logs.warnings().size(), logs.warnings().toString());
            String said = logs.warnings().get(0);
            assertTrue(said.contains("2 -> 6 by kubectl (Update on /scale at "), said);
            assertTrue(said.endsWith("; milvus-autoscaler pause holds a count for good"), said);
        }
    }

    /**
     * {@code manager} applies {@code patch} ({@code force}: --force-conflicts), the pods settle at the new count, and
     * the next tick, 15 s on, runs: returns the warnings of that tick.
     */
    List<String> appliedThenTicked(Engine e, CapturedLogs logs, String manager, String patch, boolean force) {
        fake.apply(manager, Kind.DEPLOYMENTS, NS, DEPLOYMENT, patch, force);
        allReady();
        logs.clear();
        clock.advance(Duration.ofSeconds(15));
        e.tick(new EngineTarget(QN, EngineTest.policy()));
        return logs.warnings();
    }

    /** The chart's Deployment at 2, its count applied by {@code manager}, under load: the daemon's first tick scales it. */
    Engine scaledOnce(String manager) {
        seed(manager, 2);
        metrics.cpu.put(QN, 0.95);
        Engine e = engine();
        assertTrue(e.tick(new EngineTarget(QN, EngineTest.policy())).written());
        return e;
    }

    /** Argo CD's self-heal forces the count back to 2; the pods settle and the tick 4m on (past the cooldown) runs. */
    Decision argoSync(Engine e, CapturedLogs logs) {
        fake.apply("argocd-controller", Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"spec\": {\"replicas\": 2}}", true);
        allReady();
        logs.clear();
        clock.advance(Duration.ofMinutes(4)); // past the 3m scale-out cooldown: it would scale out again
        return e.tick(new EngineTarget(QN, EngineTest.policy()));
    }

    int replicas() {
        return fake.get(Kind.DEPLOYMENTS, NS, DEPLOYMENT).orElseThrow().getAsJsonObject("spec").get("replicas")
                .getAsInt();
    }
}
