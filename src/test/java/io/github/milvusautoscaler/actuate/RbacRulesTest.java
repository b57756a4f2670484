package io.github.milvusautoscaler.actuate;

import io.github.milvusautoscaler.core.KubernetesSettings;
import io.github.milvusautoscaler.core.LeaderGate;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.HELM_QN;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.OPERATOR_QN;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.decision;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.hold;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * deploy/ grants exactly what the autoscaler uses, per overlay: every request the actuator of the
 * overlay's install kind, its Events and leader election make is allowed by the base plus the
 * overlay's rbac.yaml; every grant of the overlay's file is used by that install kind; every grant
 * of the (read-only) base is used by some install kind.
 */
class RbacRulesTest {

    /** A Helm release running indexNode as a StatefulSet (the chart's indexNode.statefulset). */
    private static final Target HELM_STATEFUL_SET = new Target(ActuateFixtures.NS, ActuateFixtures.RELEASE,
            io.github.milvusautoscaler.core.Component.INDEX_NODE, io.github.milvusautoscaler.core.InstallKind.HELM);
    /**
     * A second operator Milvus, running indexNode as a StatefulSet (statefulSet.enabled), in the namespace the overlay's
     * Role is shipped for (each overlay grants per target namespace: the operator's list would read every pod template).
     */
    private static final String STS_RELEASE = "sts";
    private static final Target OPERATOR_STATEFUL_SET = new Target(ActuateFixtures.NS, STS_RELEASE,
            io.github.milvusautoscaler.core.Component.INDEX_NODE, io.github.milvusautoscaler.core.InstallKind.OPERATOR);

    @ParameterizedTest(name = "{0}")
    @CsvSource({"operator", "helm"})
    void everyRequestOfTheOverlaysInstallKindIsAllowedAndEveryGrantOfTheOverlayIsUsed(String overlay) throws IOException {
        RbacRules rules = RbacRules.load(overlay);
        assertEquals(LeaderElectionTest.OWN_NAMESPACE, rules.serviceAccountNamespace(),
                "the leader-election tests use the ServiceAccount's namespace");
        List<FakeKubernetesApi.Request> own = new ArrayList<>(exercise(overlay.equals("operator") ? OPERATOR_QN : HELM_QN));
        own.addAll(exercise(overlay.equals("operator") ? OPERATOR_STATEFUL_SET : HELM_STATEFUL_SET));
        assertEquals(List.of(), rules.denied(own), "requests the " + overlay + " overlay does not allow");
        RbacRules overlayOnly = RbacRules.load(List.of(RbacRules.FILE, RbacRules.overlay(overlay)));
        List<String> overlayGrants = overlayOnly.unused(List.of()).stream()
                .filter(g -> !RbacRulesTest.baseGrants().contains(g)).toList();
        List<String> unused = overlayOnly.unused(own).stream().filter(overlayGrants::contains).toList();
        assertEquals(List.of(), unused, "grants of overlays/" + overlay + "/rbac.yaml no request needed");
    }

    @Test
    void theBaseOnlyReadsAndEachOfItsGrantsIsUsedByAnInstallKind() throws IOException {
        RbacRules base = RbacRules.load();
        List<FakeKubernetesApi.Request> both = new ArrayList<>(exercise(OPERATOR_QN));
        both.addAll(exercise(HELM_QN));
        both.addAll(exercise(HELM_STATEFUL_SET));
        both.addAll(exercise(OPERATOR_STATEFUL_SET));
        assertEquals(List.of(), base.unused(both), "grants of base/rbac.yaml no install kind needed");
        for (RbacRules.Rule rule : base.rules()) {
            boolean lease = rule.rule().getResources().contains("leases");
            for (String verb : rule.rule().getVerbs()) {
                assertTrue(lease || Set.of("get", "list", "watch").contains(verb),
                        "the base ClusterRole must only read: " + rule.role() + " " + verb + " " + rule.rule().getResources());
            }
        }
    }

    @Test
    void everyRequestOtherTestsRecordedIsAllowedByTheOverlayOfItsInstallKind() throws IOException {
        RbacRules operator = RbacRules.load("operator");
        RbacRules helm = RbacRules.load("helm");
        List<String> denied = new ArrayList<>();
        for (FakeKubernetesApi.Request r : FakeKubernetesApi.allAutoscalerRequests()) {
            if (RbacRules.grantedToEveryUser(r)) {
                continue;
            }
            RbacRules.Access a = RbacRules.access(r);
            if (!operator.allows(a) && !helm.allows(a)) {
                denied.add(a + " (" + r + ")");
            }
        }
        assertEquals(List.of(), denied, "requests no overlay allows");
    }

    @Test
    void theCheckerCatchesWhatItShould() throws IOException {
        RbacRules operator = RbacRules.load("operator");
        RbacRules helm = RbacRules.load("helm");
        // The operator overlay never patches a Deployment; the Helm overlay only in its target namespace.
        RbacRules.Access patchDeployment = new RbacRules.Access("patch", "apps", "deployments", "milvus",
                "my-release-milvus-querynode");
        assertFalse(operator.allows(patchDeployment));
        assertTrue(helm.allows(patchDeployment));
        assertFalse(helm.allows(new RbacRules.Access("patch", "apps", "deployments", "kube-system", "coredns")));
        assertFalse(helm.allows(new RbacRules.Access("patch", "milvus.io", "milvuses", "milvus", "my-release")));
        assertFalse(RbacRules.load().allows(new RbacRules.Access("create", "", "events", "milvus", null)));
        // A verb never granted, a Lease in a target namespace, a Lease of another name, a /scale write.
        for (RbacRules rules : List.of(operator, helm)) {
            for (RbacRules.Access access : List.of(
                    new RbacRules.Access("delete", "milvus.io", "milvuses", "milvus", "my-release"),
                    new RbacRules.Access("get", "coordination.k8s.io", "leases", "milvus", "milvus-autoscaler"),
                    new RbacRules.Access("update", "coordination.k8s.io", "leases", "milvus-autoscaler", "other-lease"),
                    new RbacRules.Access("patch", "apps", "deployments/scale", "milvus", "my-release-milvus-querynode"))) {
                assertFalse(rules.allows(access), "must not allow " + access);
            }
            assertTrue(rules.allows(new RbacRules.Access("create", "coordination.k8s.io", "leases", "milvus-autoscaler",
                    null)));
        }
        // Nothing used: every grant is reported unused, proving the other direction can fail.
        assertEquals(Set.of(
                "milvus-autoscaler: list horizontalpodautoscalers.autoscaling",
                "milvus-autoscaler-leader-election: create leases.coordination.k8s.io",
                "milvus-autoscaler-leader-election: get leases.coordination.k8s.io name=milvus-autoscaler",
                "milvus-autoscaler-leader-election: update leases.coordination.k8s.io name=milvus-autoscaler"),
                baseGrants());
        Set<String> operatorGrants = new HashSet<>(operator.unused(List.of()));
        operatorGrants.removeAll(baseGrants());
        assertEquals(Set.of("milvus-autoscaler-operator: get milvuses.milvus.io",
                "milvus-autoscaler-operator: patch milvuses.milvus.io",
                "milvus-autoscaler-operator: list deployments.apps", "milvus-autoscaler-operator: list statefulsets.apps",
                "milvus-autoscaler-operator: create events"), operatorGrants);
        // The operator overlay lists Deployments in a target namespace only: a cluster-wide list reads every pod
        // template (RBAC audit F1), and it posts no Event elsewhere (F2).
        assertTrue(operator.allows(new RbacRules.Access("list", "apps", "deployments", "milvus", null)));
        assertFalse(operator.allows(new RbacRules.Access("list", "apps", "deployments", "kube-system", null)));
        assertFalse(operator.allows(new RbacRules.Access("create", "", "events", "kube-system", null)));
        // A Helm release's Deployments are read in its namespace only: not in another one, and never listed.
        assertTrue(helm.allows(new RbacRules.Access("get", "apps", "deployments", "milvus", "my-release-milvus-querynode")));
        assertFalse(helm.allows(new RbacRules.Access("get", "apps", "deployments", "kube-system", "coredns")));
        assertFalse(helm.allows(new RbacRules.Access("list", "apps", "deployments", "milvus", null)));
    }

    static Set<String> baseGrants() {
        try {
            return Set.copyOf(RbacRules.load().unused(List.of()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Every kind of request the daemon makes for one install kind: read and write, Events, a leader term. */
    private static List<FakeKubernetesApi.Request> exercise(Target target) {
        try (FakeKubernetesApi fake = FakeKubernetesApi.start()) {
            ActuateFixtures.seedOperator(fake, 3, 3);
            ActuateFixtures.seedHelm(fake, 3, 3);
            fake.put(Kind.STATEFULSETS, ActuateFixtures.statefulSet(ActuateFixtures.RELEASE + "-milvus-indexnode",
                    ActuateFixtures.helmLabels(ActuateFixtures.RELEASE, "indexnode"), 3, 3, 3, 2, 2, java.util.Map.of()));
            // The operator's: a second Milvus with indexNode.statefulSet.enabled (milvus-operator components_types.go),
            // and the StatefulSet it makes, <name>-milvus-indexnode with the component's labels
            // (pkg/controllers/statefulset.go).
            fake.put(Kind.MILVUSES, """
                    {"metadata": {"name": "%s", "namespace": "%s"},
                     "spec": {"mode": "cluster",
                              "components": {"indexNode": {"replicas": 3, "statefulSet": {"enabled": true}}}},
                     "status": {"status": "Healthy"}}""".formatted(STS_RELEASE, ActuateFixtures.NS));
            fake.put(Kind.STATEFULSETS, ActuateFixtures.statefulSet(STS_RELEASE + "-milvus-indexnode",
                    ActuateFixtures.operatorLabels(STS_RELEASE, "indexnode"), 3, 3, 3, 2, 2, java.util.Map.of()));
            KubernetesSettings options = ActuateFixtures.options();
            ApiClient client = ActuateFixtures.client(fake);
            ScaledObjects scaledObjects = new ScaledObjects(options);
            RoutingActuator actuator = RoutingActuator.forCluster(client, options, scaledObjects);
            KubernetesEventSink events = new KubernetesEventSink(client, options, scaledObjects, LeaderGate.always(),
                    Clock.systemUTC(), "pod-0");
            ReplicaStatus status = actuator.read(target);
            actuator.apply(decision(target, status.current(), status.current() + 1, Reason.SIGNAL_HIGH), status);
            events.record(decision(target, status.current(), status.current() + 1, Reason.SIGNAL_HIGH));
            events.record(hold(target, status.current() + 1, Reason.SETTLING));
            try (LeaderElection election = LeaderElection.create(client, LeaderElectionTest.options("pod-0"),
                    System::nanoTime)) {
                election.start();
                // create on first acquisition, then get + update on renewal; close releases with get + update
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (fake.requests("PUT", Kind.LEASES.path(LeaderElectionTest.OWN_NAMESPACE, null)).isEmpty()) {
                    if (System.nanoTime() > deadline) {
                        fail("the leader never renewed: " + fake.requests());
                    }
                    Thread.sleep(10);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
            List<FakeKubernetesApi.Request> requests = fake.requests();
            Set<String> methods = requests.stream().map(r -> r.method()).collect(Collectors.toSet());
            assertEquals(Set.of("GET", "PATCH", "POST", "PUT"), methods);
            return requests;
        }
    }
}
