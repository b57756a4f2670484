package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import io.github.milvusautoscaler.actuate.ApiClients;
import io.github.milvusautoscaler.actuate.KubernetesEventSink;
import io.github.milvusautoscaler.actuate.RoutingActuator;
import io.github.milvusautoscaler.actuate.ScaledObjects;
import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.KubernetesSettings;
import io.github.milvusautoscaler.core.LeaderGate;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.engine.EngineListener;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import io.github.milvusautoscaler.testsupport.Kube;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The daemon's Events hear what the engine tells besides decisions through {@link Assembly#eventsListener}: a
 * stand-back from another writer of the count, announced before its decision is recorded, becomes the one Warning on
 * the scaled object that {@code kubectl describe} shows.
 */
class EventsListenerTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    private static final Target QN = new Target("milvus", "my-release", Component.QUERY_NODE, InstallKind.HELM);

    @Test
    void aStandBackTheEngineAnnouncesIsAWarningOnTheObject() {
        try (FakeKubernetesApi fake = FakeKubernetesApi.start()) {
            // The chart's querynode Deployment (milvus-helm templates/querynode-deployment.yaml: the name
            // <release>-milvus-querynode, the labels app.kubernetes.io/instance and component).
            fake.put(Kind.DEPLOYMENTS, """
                    {"metadata": {"name": "my-release-milvus-querynode", "namespace": "milvus", "generation": 1,
                       "labels": {"app.kubernetes.io/name": "milvus", "app.kubernetes.io/instance": "my-release",
                                  "component": "querynode"}},
                     "spec": {"replicas": 2, "selector": {"matchLabels": {"app.kubernetes.io/instance": "my-release",
                                                                          "component": "querynode"}}},
                     "status": {"replicas": 2, "readyReplicas": 2, "availableReplicas": 2, "updatedReplicas": 2,
                                "observedGeneration": 1}}
                    """);
            KubernetesSettings options = Kube.settings("", Duration.ofSeconds(2), 1, Duration.ofMillis(1), true);
            ScaledObjects objects = new ScaledObjects(options);
            RoutingActuator.forCluster(ApiClients.forBaseUrl(fake.url(), options), options, objects).read(QN);
            KubernetesEventSink events = new KubernetesEventSink(ApiClients.forBaseUrl(fake.url(), options), options,
                    objects, LeaderGate.always(), Clock.fixed(T0, ZoneOffset.UTC), "milvus-autoscaler-0");
            EngineListener listener = Assembly.eventsListener(events);
            Decision standBack = new Decision(QN, T0, Action.HOLD, null, null, Reason.TARGET_UNAVAILABLE,
                    "queryNode target unavailable (contested): two writers set .spec.replicas", Map.of(), false);

            listener.standingBack(QN);
            events.record(standBack);

            List<JsonObject> told = fake.list(Kind.EVENTS, "milvus");
            assertEquals(1, told.size(), told.toString());
            assertEquals("ScaleBlocked", told.get(0).get("reason").getAsString());
            assertEquals("Warning", told.get(0).get("type").getAsString());
            assertEquals("my-release-milvus-querynode",
                    told.get(0).getAsJsonObject("involvedObject").get("name").getAsString());
        }
    }
}
