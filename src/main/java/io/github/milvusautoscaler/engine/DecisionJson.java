package io.github.milvusautoscaler.engine;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.SignalReading;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The decision-log format: one JSON object per line, keys exactly {@code time}, {@code target},
 * {@code action}, {@code from}, {@code to}, {@code reason}, {@code message}, {@code signals},
 * {@code dryRun}. The daemon and the simulator write the same lines, so one set of tools
 * (jq, a notebook) reads both.
 */
public final class DecisionJson {

    private DecisionJson() {
    }

    /** One decision as a single-line JSON object (no trailing newline). */
    public static String toJsonLine(Decision d) {
        return toJson(d).toString();
    }

    /** One decision as a JSON object, for embedding in status responses. */
    public static JsonObject toJson(Decision d) {
        JsonObject o = new JsonObject();
        o.addProperty("time", DateTimeFormatter.ISO_INSTANT.format(d.time()));
        o.addProperty("target", d.target().id());
        o.addProperty("action", d.action().name());
        o.add("from", d.from() == null ? JsonNull.INSTANCE : new JsonPrimitive(d.from()));
        o.add("to", d.to() == null ? JsonNull.INSTANCE : new JsonPrimitive(d.to()));
        o.addProperty("reason", d.reason().name());
        o.addProperty("message", d.message().text());
        JsonObject signals = new JsonObject();
        for (Map.Entry<String, SignalReading> e : d.signals().entrySet()) {
            JsonObject s = new JsonObject();
            SignalReading r = e.getValue();
            s.add("value", r.value().isPresent() ? new JsonPrimitive(r.value().getAsDouble()) : JsonNull.INSTANCE);
            s.addProperty("state", r.state().name());
            signals.add(e.getKey(), s);
        }
        o.add("signals", signals);
        o.addProperty("dryRun", d.dryRun());
        return o;
    }
}
