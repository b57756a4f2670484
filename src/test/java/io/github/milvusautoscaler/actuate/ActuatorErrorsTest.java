package io.github.milvusautoscaler.actuate;

import io.github.milvusautoscaler.core.KubernetesSettings;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.HELM_QN;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.NS;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.OPERATOR_QN;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.RELEASE;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.decision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.ActuationException.Kind;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 403 names the verb, resource, namespace and rule; 404 marks the target missing; 5xx and
 * timeouts are retried within the call and then reported UNAVAILABLE; no message holds the token.
 */
class ActuatorErrorsTest {

    private static final String TOKEN = "s3cr3t-service-account-token";
    private static final String MILVUS = FakeKubernetesApi.Kind.MILVUSES.path(NS, RELEASE);
    private static final String DEPLOYMENTS = FakeKubernetesApi.Kind.DEPLOYMENTS.path(NS, null);
    private static final String HELM_DEPLOYMENT = FakeKubernetesApi.Kind.DEPLOYMENTS.path(NS, RELEASE + "-milvus-querynode");

    private FakeKubernetesApi fake;
    private RoutingActuator actuator;

    @BeforeEach
    void start() {
        fake = FakeKubernetesApi.start();
        actuator = actuator(ActuateFixtures.options());
        ActuateFixtures.seedOperator(fake, 3, 3);
        ActuateFixtures.seedHelm(fake, 3, 3);
    }

    private RoutingActuator actuator(KubernetesSettings options) {
        ApiClient client = ActuateFixtures.client(fake, options);
        client.setApiKeyPrefix("Bearer");
        client.setApiKey(TOKEN);
        return RoutingActuator.forCluster(client, options, new ScaledObjects(options));
    }

    @AfterEach
    void stop() throws IOException {
        try {
            assertEquals(List.of(), RbacRules.deniedByEveryOverlay(fake.requests()), "requests no overlay's RBAC allows");
        } finally {
            fake.close();
        }
    }

    /** Where deploy/ grants each request: each overlay's Role in the target's namespace. */
    private static final String HELM_ROLE = "the Role milvus-autoscaler-helm in namespace \"" + NS + "\"";
    private static final String OPERATOR_ROLE = "the Role milvus-autoscaler-operator in namespace \"" + NS + "\""
            + " (deploy/overlays/operator/rbac.yaml, one per namespace with an operator Milvus)";

    static Stream<Arguments> forbidden() {
        return Stream.of(
                Arguments.of("operator: get milvuses", OPERATOR_QN, "GET", MILVUS, "get", "milvuses.milvus.io",
                        "{apiGroups: [\"milvus.io\"], resources: [\"milvuses\"], verbs: [\"get\"]}", OPERATOR_ROLE),
                Arguments.of("operator: list deployments", OPERATOR_QN, "GET", DEPLOYMENTS, "list", "deployments.apps",
                        "{apiGroups: [\"apps\"], resources: [\"deployments\"], verbs: [\"list\"]}", OPERATOR_ROLE),
                Arguments.of("operator: patch milvuses", OPERATOR_QN, "PATCH", MILVUS, "patch", "milvuses.milvus.io",
                        "{apiGroups: [\"milvus.io\"], resources: [\"milvuses\"], verbs: [\"patch\"]}", OPERATOR_ROLE),
                Arguments.of("helm: get deployments", HELM_QN, "GET", HELM_DEPLOYMENT, "get", "deployments.apps",
                        "{apiGroups: [\"apps\"], resources: [\"deployments\"], verbs: [\"get\"]}", HELM_ROLE),
                Arguments.of("helm: patch deployments", HELM_QN, "PATCH", HELM_DEPLOYMENT, "patch", "deployments.apps",
                        "{apiGroups: [\"apps\"], resources: [\"deployments\"], verbs: [\"patch\"]}", HELM_ROLE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forbidden")
    void forbiddenNamesVerbResourceNamespaceAndTheRuleToAdd(String name, Target target, String method, String path,
                                                           String verb, String resource, String rule, String grantedBy) {
        fake.fail(method, path, 403, -1);
        ActuationException e = assertThrows(ActuationException.class, () -> readAndScale(target));
        assertEquals(Kind.FORBIDDEN, e.kind());
        assertTrue(e.getMessage().contains("may not " + verb + " " + resource), e.getMessage());
        assertTrue(e.getMessage().contains("in namespace \"" + NS + "\""), e.getMessage());
        assertTrue(e.getMessage().contains("Add this rule to " + grantedBy), e.getMessage());
        assertTrue(e.getMessage().contains(rule), e.getMessage());
        assertEquals(1, fake.requests(method, path).size(), "a 403 is not retried");
        assertNoToken(e);
    }

    /**
     * An indexNode a Helm release does not run (a 2.6 release, under a config that says 2.5.6) is named with the
     * version it belongs to, as the operator's message names it (recheck 15, F3); a queryNode's message has no such
     * hint.
     */
    @Test
    void aMissingIndexNodeNamesTheReleasesThatHaveOne() {
        Target indexNode = new Target(NS, RELEASE, Component.INDEX_NODE, InstallKind.HELM);
        ActuationException e = assertThrows(ActuationException.class, () -> actuator.read(indexNode));
        assertEquals(Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("neither a Deployment nor a StatefulSet milvus/my-release-milvus-indexnode"
                + " found") && e.getMessage().endsWith("(Milvus 2.6 has no indexNode, its dataNodes build the indexes:"
                + " if the release runs 2.6, set the cluster's milvus-version and scale dataNode instead, with"
                + " signals.index-backlog on it)"),
                e.getMessage());
        fake.delete(FakeKubernetesApi.Kind.DEPLOYMENTS, NS, HELM_DEPLOYMENT.substring(HELM_DEPLOYMENT.lastIndexOf('/') + 1));
        ActuationException qn = assertThrows(ActuationException.class, () -> actuator.read(HELM_QN));
        assertFalse(qn.getMessage().contains("Milvus 2.6"), qn.getMessage());
    }

    static Stream<Arguments> targets() {
        return Stream.of(Arguments.of("operator", OPERATOR_QN, MILVUS), Arguments.of("helm", HELM_QN, HELM_DEPLOYMENT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void missingObjectIsNotFound(String name, Target target, String path) {
        fake.delete(target.install() == InstallKind.OPERATOR ? FakeKubernetesApi.Kind.MILVUSES
                : FakeKubernetesApi.Kind.DEPLOYMENTS, NS, path.substring(path.lastIndexOf('/') + 1));
        ActuationException e = assertThrows(ActuationException.class, () -> actuator.read(target));
        assertEquals(Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains(target.install() == InstallKind.OPERATOR ? "not found"
                : "neither a Deployment nor a StatefulSet milvus/my-release-milvus-querynode found"), e.getMessage());
        // What to check, for each install: the namespace (the API server answers an object in a missing namespace
        // with the same 404, recheck 43 F5), the Milvus resource's CRD; the chart's names. A Helm install is looked
        // up as the StatefulSet of the same name too (queryNode.statefulset, templates/querynode-statefulset.yaml).
        assertTrue(e.getMessage().contains(target.install() == InstallKind.OPERATOR
                ? "are the namespace and the name right and the Milvus operator's CRD installed"
                : "are the namespace, the release name and fullname-override right"), e.getMessage());
        assertEquals(1, fake.requests("GET", path).size(), "a 404 is not retried");
        if (target.install() == InstallKind.HELM) {
            assertEquals(1, fake.requests("GET", FakeKubernetesApi.Kind.STATEFULSETS.path(NS,
                    path.substring(path.lastIndexOf('/') + 1))).size(), "then the StatefulSet, once");
        }
        assertNoToken(e);
    }

    /**
     * An operator target on a cluster without milvus-operator's CRD: the API server answers the path with its
     * not-found handler's plain {@code 404 page not found}, no Status object, which says the type is not served,
     * not that one object is missing; the message says which (and that a Helm install is configured as one).
     */
    @Test
    void aClusterWithoutTheMilvusCrdIsToldApartFromAMissingObject() {
        fake.unserve(FakeKubernetesApi.Kind.MILVUSES);
        ActuationException e = assertThrows(ActuationException.class, () -> actuator.read(OPERATOR_QN));
        assertEquals(Kind.NOT_FOUND, e.kind());
        assertEquals("the API server does not serve milvuses.milvus.io v1beta1 (get answered 404 with no Status: 404 page"
                + " not found): milvus-operator's CRD is not installed in this cluster; a Milvus installed with the Helm"
                + " chart is configured with install = helm", e.getMessage());
        assertEquals(1, fake.requests("GET", MILVUS).size(), "a 404 is not retried");
    }

    /**
     * A Helm Deployment that is missing while RBAC forbids the StatefulSet look-up (a ClusterRole from before the
     * StatefulSet mode): FORBIDDEN, saying both that the Deployment is not there and which rule the check needs.
     */
    @Test
    void aMissingDeploymentWithTheStatefulSetLookUpForbiddenSaysBoth() {
        String name = HELM_DEPLOYMENT.substring(HELM_DEPLOYMENT.lastIndexOf('/') + 1);
        fake.delete(FakeKubernetesApi.Kind.DEPLOYMENTS, NS, name);
        fake.fail("GET", FakeKubernetesApi.Kind.STATEFULSETS.path(NS, name), 403, -1);
        ActuationException e = assertThrows(ActuationException.class, () -> actuator.read(HELM_QN));
        assertEquals(Kind.FORBIDDEN, e.kind());
        assertTrue(e.getMessage().startsWith("Deployment " + NS + "/" + name + " not found, and the StatefulSet of"
                + " that name cannot be checked"), e.getMessage());
        assertTrue(e.getMessage().contains("{apiGroups: [\"apps\"], resources: [\"statefulsets\"], verbs: [\"get\"]}"),
                e.getMessage());
        assertNoToken(e);
    }

    @Test
    void oneMissingTargetDoesNotStopAnother() {
        Target gone = new Target(NS, "deleted-release", Component.PROXY, InstallKind.OPERATOR);
        assertEquals(Kind.NOT_FOUND, assertThrows(ActuationException.class, () -> actuator.read(gone)).kind());
        assertEquals(3, actuator.read(OPERATOR_QN).current());
        assertEquals(3, actuator.read(HELM_QN).current());
    }

    static Stream<Arguments> transientThenFine() {
        // attempts = 3: two failures leave one attempt, which succeeds
        return Stream.of(
                Arguments.of("operator read: 500 twice", OPERATOR_QN, "GET", MILVUS, 500, 2),
                Arguments.of("operator read: 503 once on the Deployment list", OPERATOR_QN, "GET", DEPLOYMENTS, 503, 1),
                Arguments.of("helm read: 429 once", HELM_QN, "GET", HELM_DEPLOYMENT, 429, 1),
                Arguments.of("operator write: 502 twice", OPERATOR_QN, "PATCH", MILVUS, 502, 2),
                Arguments.of("helm write: 500 once", HELM_QN, "PATCH", HELM_DEPLOYMENT, 500, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transientThenFine")
    void serverErrorsAreRetriedWithinTheCall(String name, Target target, String method, String path, int status,
                                            int failures) {
        fake.fail(method, path, status, failures);
        readAndScale(target);
        assertEquals(failures + 1, fake.requests(method, path).size(), "failures plus the successful attempt");
        assertEquals(4, actuator.read(target).current(), "the write landed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void persistentServerErrorsBecomeUnavailableAfterAllAttempts(String name, Target target, String path) {
        fake.fail("GET", path, 500, -1);
        ActuationException e = assertThrows(ActuationException.class, () -> actuator.read(target));
        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("failed after 3 attempts"), e.getMessage());
        assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());
        assertEquals(3, fake.requests("GET", path).size());
        assertNoToken(e);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void timeoutsAreRetriedThenUnavailable(String name, Target target, String path) {
        // 300 ms request timeout against a 2 s answer: each attempt times out; 3 attempts ~ 0.9 s.
        KubernetesSettings impatient = io.github.milvusautoscaler.testsupport.Kube.settings("", Duration.ofMillis(300), 3, Duration.ofMillis(1), true);
        RoutingActuator slow = actuator(impatient);
        fake.delay("GET", path, Duration.ofSeconds(2), 1);
        assertEquals(3, slow.read(target).current(), "one slow answer, then the retry succeeds");
        assertEquals(2, fake.requests("GET", path).size());

        fake.clearRequests();
        fake.delay("GET", path, Duration.ofSeconds(2), 3);
        ActuationException e = assertThrows(ActuationException.class, () -> slow.read(target));
        assertEquals(Kind.UNAVAILABLE, e.kind());
        // Said in the config's words, as the reachability watcher says it, not as OkHttp's "timeout" exception.
        assertTrue(e.getMessage().contains("failed after 3 attempts: no answer within 300ms"
                + " (kubernetes.request-timeout)"), e.getMessage());
        assertEquals(3, fake.requests("GET", path).size());
        assertNoToken(e);
    }

    @Test
    void unauthorizedSaysTheCredentialsWereRejected() {
        fake.fail("GET", MILVUS, 401, 1);
        ActuationException e = assertThrows(ActuationException.class, () -> actuator.read(OPERATOR_QN));
        // Its own kind: labelled FORBIDDEN, a rejected token read as an RBAC rule to add (secrets recheck 28, F4).
        assertEquals(Kind.UNAUTHORIZED, e.kind());
        assertTrue(e.getMessage().contains("rejected the credentials"), e.getMessage());
        assertNoToken(e);
    }

    /**
     * An auth proxy in front of the API server that echoes the request's Authorization header in its 401 or 403: the
     * token reached the errors, and so the status, the logs and the scale command's output (secrets recheck 28, F1).
     * It is masked wherever the answer's text goes, the exception's cause (whose message the client fills with the
     * body) included, also when the token has been seen only once before.
     */
    @ParameterizedTest(name = "HTTP {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {401, 403})
    void anAnswerThatEchoesTheTokenHasItMasked(int status) {
        fake.failEchoingCredentials("GET", MILVUS, status, 1);
        ActuationException e = assertThrows(ActuationException.class, () -> actuator.read(OPERATOR_QN));
        assertTrue(e.getMessage().contains("Unauthorized: got Authorization Bearer ***"), e.getMessage());
        assertNoToken(e);
        java.io.StringWriter trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        assertFalse(trace.toString().contains(TOKEN), trace.toString());
    }

    private void readAndScale(Target target) {
        ReplicaStatus basis = actuator.read(target);
        actuator.apply(decision(target, basis.current(), basis.current() + 1, Reason.SIGNAL_HIGH), basis);
    }

    private static void assertNoToken(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(TOKEN), "token in " + t);
        }
    }
}
