package io.github.milvusautoscaler.engine;

import io.github.milvusautoscaler.core.KubernetesSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.github.milvusautoscaler.actuate.ApiClients;
import io.github.milvusautoscaler.actuate.RoutingActuator;
import io.github.milvusautoscaler.actuate.ScaledObjects;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.policy.AlertSettings;
import io.github.milvusautoscaler.policy.FallbackSettings;
import io.github.milvusautoscaler.policy.Policy;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.ScaleInSettings;
import io.github.milvusautoscaler.policy.ScaleOutSettings;
import io.github.milvusautoscaler.policy.SignalPolicy;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import io.github.milvusautoscaler.testsupport.FakeMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One operator install (one {@code Milvus} resource) with queryNode, dataNode and proxy, scaled by
 * one engine on the fake API server: each component keeps its own scale memory and pause.
 */
class ComponentMemoryTest {

    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    static final String NS = "milvus";
    static final Target QN = new Target(NS, "my-release", Component.QUERY_NODE, InstallKind.OPERATOR);
    static final Target DN = new Target(NS, "my-release", Component.DATA_NODE, InstallKind.OPERATOR);
    static final Target PROXY = new Target(NS, "my-release", Component.PROXY, InstallKind.OPERATOR);

    final FakeKubernetesApi fake = FakeKubernetesApi.start();
    final ManualClock clock = new ManualClock(T0);
    final FakeMetrics metrics = new FakeMetrics();

    @AfterEach
    void stop() {
        fake.close();
    }

    /**
     * Steps down at once: scale-in sustain and cooldowns 0 (only the verify window, 5m, remains); back-off
     * and settle timeout 30m. Also StateCarryOverTest's policy.
     */
    static Policy quickStepDown() {
        return new Policy(new PolicySettings(1, 10,
                new ScaleOutSettings(Duration.ZERO, Duration.ofMinutes(3), 2, 1.5),
                new ScaleInSettings(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ofMinutes(5),
                        Duration.ofMinutes(30), Duration.ofMinutes(30)),
                List.of(SignalPolicy.band("cpu", 0.75, 0.40)), new AlertSettings(1, Duration.ofMinutes(5)),
                new FallbackSettings(Duration.ofMinutes(10), FallbackSettings.Mode.HOLD, 2)));
    }

    void seed(Map<String, String> annotations) {
        StringBuilder a = new StringBuilder("{");
        annotations.forEach((k, v) -> a.append(a.length() > 1 ? "," : "").append('"').append(k).append("\": \"")
                .append(v).append('"'));
        a.append('}');
        fake.put(Kind.MILVUSES, """
                {"metadata": {"name": "my-release", "namespace": "milvus", "annotations": %s},
                 "spec": {"mode": "cluster", "components": {"queryNode": {"replicas": 3}, "dataNode": {"replicas": 3},
                          "proxy": {"replicas": 3}}}, "status": {"status": "Healthy"}}""".formatted(a));
        for (String c : List.of("querynode", "datanode", "proxy")) {
            fake.put(Kind.DEPLOYMENTS, """
                    {"metadata": {"name": "my-release-milvus-%s", "namespace": "milvus", "generation": 1,
                      "labels": {"app.kubernetes.io/instance": "my-release", "app.kubernetes.io/component": "%s"}},
                     "spec": {"replicas": 3},
                     "status": {"replicas": 3, "readyReplicas": 3, "updatedReplicas": 3, "observedGeneration": 1}}
                    """.formatted(c, c));
        }
    }

    Engine engine(List<Decision> recorded) {
        KubernetesSettings options = io.github.milvusautoscaler.testsupport.Kube.settings("", Duration.ofSeconds(2), 3, Duration.ofMillis(1), false);
        return new Engine(clock, metrics, RoutingActuator.forCluster(ApiClients.forBaseUrl(fake.url(), options),
                options, new ScaledObjects(options)), recorded::add, () -> true, AlertSource.NONE,
                new ActionBudget(100), false, EngineListener.NONE);
    }

    /** queryNode's decisions over 4 ticks 15 s apart (cpu 0.60, then 0.80), with or without its neighbours acting. */
    List<String> queryNodeRun(boolean neighboursAct) {
        clock.set(T0);
        seed(Map.of());
        List<Decision> recorded = new ArrayList<>();
        Engine e = engine(recorded);
        metrics.cpu.put(QN, 0.60);
        metrics.cpu.put(PROXY, 0.95);
        metrics.cpu.put(DN, 0.10);
        List<String> qn = new ArrayList<>();
        for (int tick = 0; tick < 4; tick++) {
            if (neighboursAct) {
                e.tick(new EngineTarget(PROXY, EngineTest.policy()));
                e.tick(new EngineTarget(DN, quickStepDown()));
            }
            if (tick == 1) {
                metrics.cpu.put(QN, 0.80);
            }
            Decision d = e.tick(new EngineTarget(QN, EngineTest.policy()));
            qn.add(Duration.between(T0, d.time()).toSeconds() + "s " + d.reason() + " " + d.from() + "->" + d.to());
            clock.advance(Duration.ofSeconds(15));
        }
        if (neighboursAct) {
            assertTrue(recorded.stream().anyMatch(d -> d.target().equals(DN) && d.action().name().equals("SCALE_IN")
                    && d.written()), "dataNode stepped down: " + recorded);
            assertTrue(recorded.stream().anyMatch(d -> d.target().equals(PROXY) && d.reason() == Reason.SIGNAL_HIGH
                    && d.written()), "proxy scaled out: " + recorded);
        }
        return qn;
    }

    @Test
    void neighboursStepDownAndScaleOutChangeNothingInTheQueryNodesDecisions() {
        List<String> alone = queryNodeRun(false);
        fake.clearRequests();
        List<String> withNeighbours = queryNodeRun(true);
        assertEquals(List.of("0s IN_BAND 3->3", "15s SIGNAL_HIGH 3->5", "30s SCALE_OUT_COOLDOWN 5->5",
                "45s SCALE_OUT_COOLDOWN 5->5"), alone);
        assertEquals(alone, withNeighbours, "queryNode's reasons and timing with dataNode and proxy acting");
    }

    @Test
    void pausingOneComponentLeavesTheOthersActing() {
        seed(Map.of("milvus-autoscaler.io/paused", "dataNode", "milvus-autoscaler.io/proxy.paused", "true"));
        Engine e = engine(new ArrayList<>());
        metrics.cpu.put(QN, 0.95);
        metrics.cpu.put(PROXY, 0.95);
        metrics.cpu.put(DN, 0.95);
        assertEquals(Reason.PAUSED, e.tick(new EngineTarget(DN, EngineTest.policy())).reason(), "named in the list");
        assertEquals(Reason.PAUSED, e.tick(new EngineTarget(PROXY, EngineTest.policy())).reason(), "its own key");
        Decision qn = e.tick(new EngineTarget(QN, EngineTest.policy()));
        assertEquals(Reason.SIGNAL_HIGH, qn.reason());
        assertTrue(qn.written());

        fake.merge(Kind.MILVUSES, NS, "my-release", "{\"metadata\": {\"annotations\": {\"milvus-autoscaler.io/paused\": \"True\"}}}");
        clock.advance(Duration.ofMinutes(10));
        assertEquals(Reason.PAUSED, e.tick(new EngineTarget(QN, EngineTest.policy())).reason(),
                "the whole-resource form pauses every component");
    }

    /**
     * Plain keys from an older version (owner unknown): every component keeps reading them until the
     * first write, which copies them to each component without keys of its own and removes them.
     */
    @Test
    void plainKeysAreMigratedOnTheFirstWrite() {
        seed(Map.of("milvus-autoscaler.io/last-scale-time", "2026-01-05T09:58:00Z",
                "milvus-autoscaler.io/last-scale-direction", "up",
                "milvus-autoscaler.io/last-scale-reason", "SIGNAL_HIGH"));
        Engine e = engine(new ArrayList<>());
        metrics.cpu.put(QN, 0.95);
        metrics.cpu.put(PROXY, 0.95);
        // 2 minutes after the old write, within the 3m scale-out cooldown it may have started for either.
        assertEquals(Reason.SCALE_OUT_COOLDOWN, e.tick(new EngineTarget(QN, EngineTest.policy())).reason());
        clock.advance(Duration.ofMinutes(2));
        assertEquals(Reason.SIGNAL_HIGH, e.tick(new EngineTarget(PROXY, EngineTest.policy())).reason());
        JsonObject annotations = fake.get(Kind.MILVUSES, NS, "my-release").orElseThrow().getAsJsonObject("metadata")
                .getAsJsonObject("annotations");
        assertFalse(annotations.has("milvus-autoscaler.io/last-scale-time"), "plain keys removed: " + annotations);
        assertEquals("2026-01-05T09:58:00Z", annotations.get("milvus-autoscaler.io/queryNode.last-scale-time")
                .getAsString(), "copied to queryNode, which had no keys of its own");
        assertEquals("2026-01-05T10:02:00Z", annotations.get("milvus-autoscaler.io/proxy.last-scale-time").getAsString());
        assertEquals(Reason.SIGNAL_HIGH, e.tick(new EngineTarget(QN, EngineTest.policy())).reason(),
                "queryNode reads its own copy: the old write is 4 minutes old, past the cooldown");
    }
}
