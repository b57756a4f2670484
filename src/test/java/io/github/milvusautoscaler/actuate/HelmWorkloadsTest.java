package io.github.milvusautoscaler.actuate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Helm component that runs as both a Deployment and a StatefulSet of one name. milvus-helm's
 * templates/querynode-deployment.yaml opens {@code {{- if and .Values.queryNode.enabled .Values.cluster.enabled }}}
 * with no statefulset guard, while templates/querynode-statefulset.yaml renders under
 * {@code .Values.queryNode.statefulset} with the same name ({@code milvus.querynode.fullname}) and labels: a release in
 * StatefulSet mode runs both, the pods of both serve (the Service selects {@code component: querynode}) and are all
 * counted ready, and only the kind found first was written, sized as if it held them all (recheck 40, R1).
 */
class HelmWorkloadsTest {

    static final String NS = ActuateFixtures.NS;
    static final String QN = "hr-milvus-querynode";
    static final Map<String, String> LABELS = Map.of("app.kubernetes.io/instance", "hr", "component", "querynode");

    final FakeKubernetesApi fake = FakeKubernetesApi.start();
    final AtomicLong nanos = new AtomicLong();
    final HelmWorkloads workloads = new HelmWorkloads(new KubernetesRequests(ActuateFixtures.client(fake), 1,
            Duration.ofMillis(1), w -> { }), nanos::get);

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void bothKindsOfOneNameAreRefusedNamingBoth() {
        fake.put(Kind.DEPLOYMENTS, ActuateFixtures.deployment(QN, LABELS, 3, 3, 3, 1, 1, Map.of()));
        fake.put(Kind.STATEFULSETS, ActuateFixtures.statefulSet(QN, LABELS, 3, 3, 3, 1, 1, Map.of()));
        ActuationException e = assertThrows(ActuationException.class,
                () -> workloads.get(NS, QN, Component.QUERY_NODE));
        assertEquals(ActuationException.Kind.REFUSED, e.kind());
        assertTrue(e.getMessage().startsWith("both deployment " + NS + "/" + QN + " and statefulset " + NS + "/" + QN
                + " exist, and the pods of both serve and are counted: which one to scale is not known, so nothing is"
                + " written."), e.getMessage());
        assertTrue(e.getMessage().contains("kubectl -n " + NS + " delete statefulset " + QN), e.getMessage());

        // Still refused a tick later (no 5-minute grace for a pair seen), and read again once one is gone.
        assertThrows(ActuationException.class, () -> workloads.get(NS, QN, Component.QUERY_NODE));
        fake.delete(Kind.STATEFULSETS, NS, QN);
        assertEquals(ApiResource.DEPLOYMENTS, workloads.get(NS, QN, Component.QUERY_NODE).resource());
    }

    /** The other kind is looked for once, then again only after 5 minutes: one GET that answers 404, not one a tick. */
    @Test
    void theOtherKindIsLookedForOnceInFiveMinutes() {
        fake.put(Kind.DEPLOYMENTS, ActuateFixtures.deployment(QN, LABELS, 3, 3, 3, 1, 1, Map.of()));
        workloads.get(NS, QN, Component.QUERY_NODE);
        assertEquals(List.of("GET " + Kind.DEPLOYMENTS.path(NS, QN), "GET " + Kind.STATEFULSETS.path(NS, QN)),
                requests());
        fake.clearRequests();

        nanos.addAndGet(Duration.ofMinutes(5).minusSeconds(1).toNanos());
        workloads.get(NS, QN, Component.QUERY_NODE);
        assertEquals(List.of("GET " + Kind.DEPLOYMENTS.path(NS, QN)), requests(), "within 5 minutes");
        fake.clearRequests();

        // A StatefulSet added since (a release switched to StatefulSet mode) is found at the next look.
        fake.put(Kind.STATEFULSETS, ActuateFixtures.statefulSet(QN, LABELS, 3, 3, 3, 1, 1, Map.of()));
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThrows(ActuationException.class, () -> workloads.get(NS, QN, Component.QUERY_NODE));
    }

    /** The StatefulSet found after the Deployment's 404 needs no second look: that 404 was this read's. */
    @Test
    void aStatefulSetFoundAfterTheDeployments404IsNotCheckedAgainAtOnce() {
        fake.put(Kind.STATEFULSETS, ActuateFixtures.statefulSet(QN, LABELS, 3, 3, 3, 1, 1, Map.of()));
        assertEquals(ApiResource.STATEFUL_SETS, workloads.get(NS, QN, Component.QUERY_NODE).resource());
        fake.clearRequests();
        workloads.get(NS, QN, Component.QUERY_NODE);
        assertEquals(List.of("GET " + Kind.STATEFULSETS.path(NS, QN)), requests());
    }

    private List<String> requests() {
        return fake.requests().stream().map(q -> q.method() + " " + q.path()).toList();
    }
}
