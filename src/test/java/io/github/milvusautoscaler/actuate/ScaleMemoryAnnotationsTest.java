package io.github.milvusautoscaler.actuate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.ScaleMemory;
import java.time.Instant;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The policy's memory as annotations: what is written reads back the same, and a damaged value reads as absent. */
class ScaleMemoryAnnotationsTest {

    static final Function<String, String> PLAIN = ScaleAnnotations::plainKey;
    static final Instant AT = Instant.parse("2026-01-05T10:00:00Z");

    @Test
    void everyFieldReadsBackAsWritten() {
        ScaleMemory memory = new ScaleMemory(AT.plusSeconds(1800), AT.minusSeconds(60), AT.minusSeconds(600),
                Set.of("g/fp1/2026-01-05T09:50:00Z"), AT.minusSeconds(3600), null)
                .withBlocking(Set.of("g/fp2/2026-01-05T09:58:00Z", "g/fp3/2026-01-05T09:59:00Z"),
                        Set.of("g/fp3/2026-01-05T09:59:00Z"), AT);
        JsonObject written = ScaleAnnotations.forMemory(memory, PLAIN);
        assertEquals("[\"g/fp3/2026-01-05T09:59:00Z\"]",
                written.get("milvus-autoscaler.io/pending-alert-scale-outs").getAsString());
        assertEquals("[\"g/fp2/2026-01-05T09:58:00Z\",\"g/fp3/2026-01-05T09:59:00Z\"]",
                written.get("milvus-autoscaler.io/blocking-alerts").getAsString());
        assertEquals("2026-01-05T10:00:00Z", written.get("milvus-autoscaler.io/last-alert-block").getAsString());
        assertEquals(memory, ScaleAnnotations.memory(withoutNulls(written), "Deployment milvus/q", PLAIN));
    }

    /** No blocking alert: its annotations are deleted (null in the merge patch), not left behind. */
    @Test
    void noBlockingAlertDeletesThem() {
        JsonObject written = ScaleAnnotations.forMemory(ScaleMemory.NONE.withBlocking(Set.of(),
                Set.of("g/fp3/2026-01-05T09:59:00Z"), AT), PLAIN);
        assertEquals(true, written.get("milvus-autoscaler.io/blocking-alerts").isJsonNull());
        assertEquals(true, written.get("milvus-autoscaler.io/last-alert-block").isJsonNull());
        assertEquals(true, written.get("milvus-autoscaler.io/pending-alert-scale-outs").isJsonNull(),
                "a pending scale-out is one of the blocking keys, or nothing");
    }

    /** Keys without their time cannot be bounded by alerts.carry-over, and a damaged list is no list: none block. */
    @Test
    void blockingKeysWithoutTheirTimeOrNotAListReadAsNone() {
        JsonObject timeless = new JsonObject();
        timeless.addProperty("milvus-autoscaler.io/blocking-alerts", "[\"g/fp2/2026-01-05T09:58:00Z\"]");
        assertEquals(Set.of(), ScaleAnnotations.memory(timeless, "Deployment milvus/q", PLAIN).blockingAlerts());

        JsonObject damaged = new JsonObject();
        damaged.addProperty("milvus-autoscaler.io/blocking-alerts", "g/fp2");
        damaged.addProperty("milvus-autoscaler.io/last-alert-block", AT.toString());
        ScaleMemory read = ScaleAnnotations.memory(damaged, "Deployment milvus/q", PLAIN);
        assertEquals(Set.of(), read.blockingAlerts());
        assertEquals(AT, read.lastAlertBlock());
    }

    private static JsonObject withoutNulls(JsonObject patch) {
        JsonObject out = new JsonObject();
        patch.entrySet().stream().filter(e -> !e.getValue().isJsonNull()).forEach(e -> out.add(e.getKey(), e.getValue()));
        return out;
    }
}
