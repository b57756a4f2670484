package io.github.milvusautoscaler.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.SignalReading;
import io.github.milvusautoscaler.core.SignalState;
import io.github.milvusautoscaler.core.Target;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DecisionJsonTest {

    private static final Target TARGET = new Target("milvus", "my-release", Component.QUERY_NODE, InstallKind.HELM);

    @Test
    void writesExactlyTheDocumentedKeysWithNullForUnknownValues() throws Exception {
        Map<String, SignalReading> signals = new LinkedHashMap<>();
        signals.put("cpu", new SignalReading(OptionalDouble.of(0.82), SignalState.HIGH));
        signals.put("qps", new SignalReading(OptionalDouble.empty(), SignalState.UNKNOWN,
                "only 1 of 2 ready pods reporting"));
        Decision d = new Decision(TARGET, Instant.parse("2026-01-05T10:00:00Z"), Action.SCALE_OUT, 3, 5,
                Reason.SIGNAL_HIGH, "queryNode cpu 0.82 > 0.75 for 1m; 3 -> 5", signals, false);
        StringWriter out = new StringWriter();
        try (DecisionLogWriter w = new DecisionLogWriter(out, true)) {
            w.record(d);
            w.record(d.asDryRun());
        }
        String[] lines = out.toString().split("\n");
        assertEquals(2, lines.length);
        JsonObject o = JsonParser.parseString(lines[0]).getAsJsonObject();
        assertEquals(Set.of("time", "target", "action", "from", "to", "reason", "stage", "message", "signals", "dryRun",
                        "written"),
                o.keySet());
        assertEquals("2026-01-05T10:00:00Z", o.get("time").getAsString());
        assertEquals("milvus/my-release/queryNode", o.get("target").getAsString());
        assertEquals("SCALE_OUT", o.get("action").getAsString());
        assertEquals(3, o.get("from").getAsInt());
        assertEquals(5, o.get("to").getAsInt());
        assertEquals("SIGNAL_HIGH", o.get("reason").getAsString());
        assertEquals("SCALE_OUT", o.get("stage").getAsString(), "the rule that gives SIGNAL_HIGH");
        assertEquals(0.82, o.getAsJsonObject("signals").getAsJsonObject("cpu").get("value").getAsDouble());
        assertEquals("HIGH", o.getAsJsonObject("signals").getAsJsonObject("cpu").get("state").getAsString());
        assertTrue(o.getAsJsonObject("signals").getAsJsonObject("qps").get("value").isJsonNull());
        assertEquals("UNKNOWN", o.getAsJsonObject("signals").getAsJsonObject("qps").get("state").getAsString());
        // Why it is UNKNOWN, so the log alone tells a new pod's missing rate from a failed query (recheck 49, F2);
        // a known signal has no problem key.
        assertEquals("only 1 of 2 ready pods reporting",
                o.getAsJsonObject("signals").getAsJsonObject("qps").get("problem").getAsString());
        assertEquals(Set.of("value", "state"), o.getAsJsonObject("signals").getAsJsonObject("cpu").keySet());
        assertTrue(JsonParser.parseString(lines[1]).getAsJsonObject().get("dryRun").getAsBoolean());
    }

    @Test
    void unreadableTargetHasNullReplicaCounts() {
        Decision d = new Decision(TARGET, Instant.EPOCH, Action.HOLD, null, null, Reason.TARGET_UNAVAILABLE,
                "not found", Map.of(), false);
        JsonObject o = DecisionJson.toJson(d);
        assertTrue(o.get("from").isJsonNull());
        assertTrue(o.get("to").isJsonNull());
        assertEquals("ENGINE", o.get("stage").getAsString(), "decided outside the policy's rules");
    }

    /**
     * A decision an alert drove carries its names as an array, through dry-run and written copies; the key appears on
     * no other line, so "exactly the documented keys" above still holds for them.
     */
    @Test
    void anAlertDecisionNamesItsAlerts() {
        Decision d = new Decision(TARGET, Instant.EPOCH, Action.SCALE_OUT, 3, 4, Reason.ALERT_SCALE_OUT,
                io.github.milvusautoscaler.core.Message.of("alert MilvusSearchLatencyHigh firing; queryNode 3 -> 4"),
                Map.of(), false, false, java.util.List.of("MilvusSearchLatencyHigh", "MilvusQueryQueueBacklog"));
        for (Decision copy : java.util.List.of(d, d.asDryRun(), d.asWritten())) {
            JsonObject o = DecisionJson.toJson(copy);
            assertEquals("[\"MilvusSearchLatencyHigh\",\"MilvusQueryQueueBacklog\"]", o.get("alerts").toString());
        }
    }
}
