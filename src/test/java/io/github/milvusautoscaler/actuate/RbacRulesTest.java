package io.github.milvusautoscaler.actuate;

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
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * deploy/base/rbac.yaml grants exactly what the autoscaler uses: every request the actuator and
 * leader-election tests made is allowed, and every granted verb was used by some request.
 */
class RbacRulesTest {

    @Test
    void everyRecordedRequestIsAllowedAndEveryGrantIsUsed() throws IOException {
        RbacRules rules = RbacRules.load();
        assertEquals(LeaderElectionTest.OWN_NAMESPACE, rules.serviceAccountNamespace(),
                "the leader-election tests use the ServiceAccount's namespace");
        List<FakeKubernetesApi.Request> own = exerciseEverything();

        List<FakeKubernetesApi.Request> all = new ArrayList<>(own);
        // Whatever other actuator and leader-election test classes ran before in this JVM.
        all.addAll(FakeKubernetesApi.allAutoscalerRequests());
        assertEquals(List.of(), rules.denied(all), "requests deploy/base/rbac.yaml does not allow");
        assertEquals(List.of(), rules.unused(own), "grants no request needed");
    }

    @Test
    void theCheckerCatchesWhatItShould() throws IOException {
        RbacRules rules = RbacRules.load();
        // A verb never granted, a Lease in a target namespace, a Lease of another name, a /scale write.
        List<RbacRules.Access> denied = List.of(
                new RbacRules.Access("delete", "milvus.io", "milvuses", "milvus", "my-release"),
                new RbacRules.Access("get", "coordination.k8s.io", "leases", "milvus", "milvus-autoscaler"),
                new RbacRules.Access("update", "coordination.k8s.io", "leases", "milvus-autoscaler", "other-lease"),
                new RbacRules.Access("patch", "apps", "deployments/scale", "milvus", "my-release-milvus-querynode"));
        for (RbacRules.Access access : denied) {
            assertFalse(rules.allows(access), "must not allow " + access);
        }
        assertTrue(rules.allows(new RbacRules.Access("create", "coordination.k8s.io", "leases", "milvus-autoscaler", null)));
        // Nothing used: every grant is reported unused, proving the other direction can fail.
        Set<String> unused = Set.copyOf(rules.unused(List.of()));
        assertEquals(Set.of(
                "milvus-autoscaler: get milvuses.milvus.io", "milvus-autoscaler: patch milvuses.milvus.io",
                "milvus-autoscaler: get deployments.apps", "milvus-autoscaler: list deployments.apps",
                "milvus-autoscaler: patch deployments.apps", "milvus-autoscaler: create events",
                "milvus-autoscaler-leader-election: create leases.coordination.k8s.io",
                "milvus-autoscaler-leader-election: get leases.coordination.k8s.io name=milvus-autoscaler",
                "milvus-autoscaler-leader-election: update leases.coordination.k8s.io name=milvus-autoscaler"), unused);
    }

    /** Every kind of request the daemon makes: both actuators read and write, Events, a leader term. */
    private static List<FakeKubernetesApi.Request> exerciseEverything() {
        try (FakeKubernetesApi fake = FakeKubernetesApi.start()) {
            ActuateFixtures.seedOperator(fake, 3, 3);
            ActuateFixtures.seedHelm(fake, 3, 3);
            KubernetesOptions options = ActuateFixtures.options();
            ApiClient client = ActuateFixtures.client(fake);
            ScaledObjects scaledObjects = new ScaledObjects(options);
            RoutingActuator actuator = RoutingActuator.forCluster(client, options, scaledObjects);
            KubernetesEventSink events = new KubernetesEventSink(client, options, scaledObjects, LeaderGate.always(),
                    Clock.systemUTC(), "pod-0");
            for (Target target : List.of(OPERATOR_QN, HELM_QN)) {
                ReplicaStatus status = actuator.read(target);
                actuator.apply(decision(target, status.current(), status.current() + 1, Reason.SIGNAL_HIGH), status);
                events.record(decision(target, status.current(), status.current() + 1, Reason.SIGNAL_HIGH));
                events.record(hold(target, status.current() + 1, Reason.SETTLING));
            }
            try (LeaderElection election = LeaderElection.create(client, LeaderElectionTest.options("pod-0"),
                    Clock.systemUTC())) {
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
