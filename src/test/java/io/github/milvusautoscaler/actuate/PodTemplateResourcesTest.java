package io.github.milvusautoscaler.actuate;

import static io.github.milvusautoscaler.actuate.ActuateFixtures.HELM_QN;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.NS;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.OPERATOR_QN;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.RELEASE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.milvusautoscaler.core.TemplateResources;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import java.io.IOException;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What one pod declares, read off the workload the actuators already get: the chart renders
 * {@code queryNode.resources} into its one container {@code querynode}, beside an init container {@code config} that
 * declares nothing (zilliztech/milvus-helm charts/milvus/templates/querynode-deployment.yaml: {@code resources:
 * {{- toYaml .Values.queryNode.resources | nindent 10 }}}); quantities as the API server serializes them, strings in
 * Kubernetes' quantity format ("8Gi", "1500m").
 */
class PodTemplateResourcesTest {

    private static final double GI = 1L << 30;

    private FakeKubernetesApi fake;

    @BeforeEach
    void start() {
        fake = FakeKubernetesApi.start();
    }

    @AfterEach
    void stop() throws IOException {
        fake.close();
    }

    /** The chart's container with {@code resources}, a sidecar with its own, and the init container without. */
    private static String withResources(String deployment, String querynode, String sidecar) {
        return deployment.replace("\"containers\": [{\"name\": \"querynode\", \"image\": \"milvusdb/milvus:v2.5.4\"}]",
                "\"initContainers\": [{\"name\": \"config\", \"image\": \"milvusdb/milvus-config-tool:v0.1.2\"}],"
                        + " \"containers\": [{\"name\": \"querynode\", \"image\": \"milvusdb/milvus:v2.5.4\","
                        + " \"resources\": " + querynode + "}" + (sidecar == null ? "" : ", {\"name\": \"sidecar\","
                        + " \"image\": \"envoy\", \"resources\": " + sidecar + "}") + "]");
    }

    @Test
    void aHelmQueryNodesRequestAndLimitAreItsMilvusContainersNotItsSidecars() {
        fake.put(Kind.DEPLOYMENTS, withResources(ActuateFixtures.settled(RELEASE + "-milvus-querynode",
                ActuateFixtures.helmLabels(RELEASE, "querynode"), 3, 3),
                "{\"requests\": {\"cpu\": \"1500m\", \"memory\": \"4Gi\"}, \"limits\": {\"memory\": \"8Gi\"}}",
                "{\"requests\": {\"cpu\": \"500m\"}, \"limits\": {\"memory\": \"512Mi\"}}"));
        HelmDeploymentActuator helm = new HelmDeploymentActuator(ActuateFixtures.client(fake), ActuateFixtures.options(),
                new ScaledObjects(ActuateFixtures.options()));
        // The querynode container's 1500m and 8Gi: the sidecar's 500m and 512Mi are not what cpu and memory divide by.
        assertEquals(new TemplateResources(OptionalDouble.of(1.5), OptionalDouble.of(8 * GI)),
                helm.read(HELM_QN).resources());
    }

    @Test
    void theChartsDefaultEmptyResourcesDeclareNothing() {
        fake.put(Kind.DEPLOYMENTS, withResources(ActuateFixtures.settled(RELEASE + "-milvus-querynode",
                ActuateFixtures.helmLabels(RELEASE, "querynode"), 3, 3), "{}", null));
        HelmDeploymentActuator helm = new HelmDeploymentActuator(ActuateFixtures.client(fake), ActuateFixtures.options(),
                new ScaledObjects(ActuateFixtures.options()));
        assertEquals(TemplateResources.UNKNOWN, helm.read(HELM_QN).resources());
    }

    /**
     * The operator names the serving Deployment by its -0/-1 suffix; the one with replicas is read. In a blue/green
     * hand-over both have replicas, each pod a fraction of its own template's limit: not known until one is left.
     */
    @Test
    void anOperatorComponentIsReadOffItsServingDeploymentAndNotDuringAHandOver() {
        fake.put(Kind.MILVUSES, ActuateFixtures.milvus(RELEASE, Map.of("queryNode", 3), Map.of(), null));
        fake.put(Kind.DEPLOYMENTS, withResources(ActuateFixtures.settled(RELEASE + "-milvus-querynode-0",
                ActuateFixtures.operatorLabels(RELEASE, "querynode"), 3, 3), "{\"limits\": {\"memory\": \"4Gi\"}}",
                null));
        fake.put(Kind.DEPLOYMENTS, withResources(ActuateFixtures.settled(RELEASE + "-milvus-querynode-1",
                ActuateFixtures.operatorLabels(RELEASE, "querynode"), 0, 0), "{\"limits\": {\"memory\": \"8Gi\"}}",
                null));
        MilvusOperatorActuator operator = new MilvusOperatorActuator(ActuateFixtures.client(fake),
                ActuateFixtures.options(), new ScaledObjects(ActuateFixtures.options()));
        assertEquals(new TemplateResources(OptionalDouble.empty(), OptionalDouble.of(4 * GI)),
                operator.read(OPERATOR_QN).resources());
        fake.merge(Kind.DEPLOYMENTS, NS, RELEASE + "-milvus-querynode-1",
                "{\"spec\": {\"replicas\": 1}, \"status\": {\"replicas\": 1, \"readyReplicas\": 1}}");
        assertEquals(TemplateResources.UNKNOWN, operator.read(OPERATOR_QN).resources());
        fake.merge(Kind.DEPLOYMENTS, NS, RELEASE + "-milvus-querynode-0",
                "{\"spec\": {\"replicas\": 0}, \"status\": {\"replicas\": 0, \"readyReplicas\": 0}}");
        assertEquals(new TemplateResources(OptionalDouble.empty(), OptionalDouble.of(8 * GI)),
                operator.read(OPERATOR_QN).resources());
    }
}
