package io.github.milvusautoscaler.actuate;

import static io.github.milvusautoscaler.actuate.ActuateFixtures.HELM_QN;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.NS;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.OPERATOR_QN;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.RELEASE;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.decision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The router picks the owner by install kind (dry-run is the engine's: EngineTest). */
class RoutingTest {

    private FakeKubernetesApi fake;
    private RoutingActuator routing;

    @BeforeEach
    void start() {
        fake = FakeKubernetesApi.start();
        routing = RoutingActuator.forCluster(ActuateFixtures.client(fake), ActuateFixtures.options(),
                new ScaledObjects(ActuateFixtures.options()));
        ActuateFixtures.seedOperator(fake, 3, 3);
        ActuateFixtures.seedHelm(fake, 5, 4);
    }

    @AfterEach
    void stop() throws IOException {
        try {
            assertEquals(List.of(), RbacRules.deniedByEveryOverlay(fake.requests()));
        } finally {
            fake.close();
        }
    }

    static Stream<Arguments> targets() {
        return Stream.of(
                Arguments.of("operator target -> Milvus resource", OPERATOR_QN, Kind.MILVUSES.path(NS, RELEASE), 3),
                Arguments.of("helm target -> chart Deployment", HELM_QN,
                        Kind.DEPLOYMENTS.path(NS, RELEASE + "-milvus-querynode"), 5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void routesByInstallKind(String name, Target target, String ownerPath, int current) {
        ReplicaStatus status = routing.read(target);
        assertEquals(current, status.current());
        routing.apply(decision(target, current, current + 1, Reason.SIGNAL_HIGH), status);
        List<FakeKubernetesApi.Request> patches = fake.requests("PATCH", "/");
        assertEquals(1, patches.size());
        assertEquals(ownerPath, patches.get(0).path());
    }
}
