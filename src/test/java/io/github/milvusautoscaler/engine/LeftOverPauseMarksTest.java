package io.github.milvusautoscaler.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import io.github.milvusautoscaler.testsupport.FakeMetrics;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A pause of the pause command lifted by hand ({@code kubectl annotate milvus o1 milvus-autoscaler.io/queryNode.paused-},
 * which removes that key only) leaves its paused-by and paused-at. A pause set again by hand was then read as that
 * command's by every replica that had not seen the lift (one restarted, a new leader) and by {@code resume}, which
 * lifted it with exit 0 (recheck 42, F1). The writing leader removes such marks when it reads them with no pause.
 */
class LeftOverPauseMarksTest {

    static final Instant T0 = Instant.parse("2026-12-06T14:38:00Z");
    static final Target QN = new Target("milvus", "o1", Component.QUERY_NODE, InstallKind.OPERATOR);
    static final String BY = "milvus-autoscaler.io/queryNode.paused-by";
    static final String AT = "milvus-autoscaler.io/queryNode.paused-at";

    final FakeKubernetesApi fake = FakeKubernetesApi.start();
    final ManualClock clock = new ManualClock(T0);
    final FakeMetrics metrics = new FakeMetrics();

    @AfterEach
    void stop() {
        fake.close();
    }

    Engine engine(boolean dryRun) {
        return StalledRolloutTest.engineOver(fake, clock, metrics, dryRun);
    }

    /** Milvus o1 with queryNode at 3 (3 ready), the given annotations, its Deployment settled. */
    void milvus(String annotations) {
        fake.put(Kind.MILVUSES, """
                {"metadata": {"name": "o1", "namespace": "milvus", "generation": 4, "annotations": {%s}},
                 "spec": {"mode": "cluster", "components": {"queryNode": {"replicas": 3}}},
                 "status": {"status": "Healthy", "observedGeneration": 4}}""".formatted(annotations));
        fake.put(Kind.DEPLOYMENTS, StalledRolloutTest.operatorQueryNode("o1-milvus-querynode-0", 3, 3));
    }

    JsonObject annotations() {
        return fake.get(Kind.MILVUSES, "milvus", "o1").orElseThrow().getAsJsonObject("metadata")
                .getAsJsonObject("annotations");
    }

    static final String MARKS = "\"" + BY + "\": \"alice@laptop: pause (maint)\", \"" + AT + "\": \"2026-12-06T14:30:00Z\"";

    @Test
    void theWritingLeaderRemovesMarksALiftByHandLeft() {
        milvus("\"team\": \"search\", " + MARKS);
        metrics.cpu.put(QN, 0.5);
        engine(false).tick(new EngineTarget(QN, EngineTest.policy()));
        JsonObject a = annotations();
        assertFalse(a.has(BY) || a.has(AT), a.toString());
        assertEquals("search", a.get("team").getAsString(), "nothing else touched");
    }

    @Test
    void aDryRunDaemonAndAPauseLeaveThemAlone() {
        milvus(MARKS);
        metrics.cpu.put(QN, 0.5);
        engine(true).tick(new EngineTarget(QN, EngineTest.policy()));
        assertTrue(annotations().has(BY), "dry-run writes nothing: " + annotations());

        milvus("\"milvus-autoscaler.io/queryNode.paused\": \"true\", " + MARKS);
        engine(false).tick(new EngineTarget(QN, EngineTest.policy()));
        assertTrue(annotations().has(BY) && annotations().has(AT), "a standing pause keeps its marks: " + annotations());
    }
}
