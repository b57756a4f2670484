package io.github.milvusautoscaler.engine;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonWriter;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.SignalReading;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The decision-log format: one JSON object per line, keys exactly {@code time}, {@code target},
 * {@code action}, {@code from}, {@code to}, {@code reason}, {@code stage} (the rule of the policy, or
 * the part outside it, that decided: {@code core.Stage}), {@code message}, {@code signals},
 * {@code dryRun} (true on every decision of a dry-run daemon, HOLD included), {@code written} (the scale
 * reached the owning object; false for HOLD, a follower's, dry-run, failed or abandoned writes), and {@code alerts}
 * (the names of the Alertmanager alerts that drove or held the decision) only on a decision that has any. The daemon
 * and the simulator write the same lines, so one set of tools (jq, a notebook) reads both.
 */
public final class DecisionJson {

    private DecisionJson() {
    }

    /**
     * One decision as a single-line JSON object (no trailing newline), streamed rather than built
     * as a tree: the simulator writes tens of thousands of these per run.
     */
    public static String toJsonLine(Decision d) {
        StringWriter out = new StringWriter(256);
        try {
            JsonWriter w = new JsonWriter(out);
            w.setStrictness(Strictness.LENIENT);
            write(d, w);
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter cannot fail", e);
        }
        return out.toString();
    }

    /** One decision as a JSON object, for embedding in status responses: the same fields as a log line. */
    public static JsonObject toJson(Decision d) {
        return JsonParser.parseString(toJsonLine(d)).getAsJsonObject();
    }

    private static void write(Decision d, JsonWriter w) throws IOException {
        w.beginObject();
        w.name("time").value(d.time().toString());
        w.name("target").value(d.target().id());
        w.name("action").value(d.action().name());
        nullable(w.name("from"), d.from());
        nullable(w.name("to"), d.to());
        w.name("reason").value(d.reason().name());
        w.name("stage").value(d.stage().name());
        w.name("message").value(d.message().text());
        w.name("signals").beginObject();
        for (Map.Entry<String, SignalReading> e : d.signals().entrySet()) {
            SignalReading r = e.getValue();
            w.name(e.getKey()).beginObject();
            if (r.value().isPresent()) {
                w.name("value").value(r.value().getAsDouble());
            } else {
                w.name("value").nullValue();
            }
            w.name("state").value(r.state().name());
            if (!r.problem().isEmpty()) {
                w.name("problem").value(r.problem());
            }
            w.endObject();
        }
        w.endObject();
        w.name("dryRun").value(d.dryRun());
        w.name("written").value(d.written());
        if (!d.alerts().isEmpty()) {
            w.name("alerts").beginArray();
            for (String name : d.alerts()) {
                w.value(name);
            }
            w.endArray();
        }
        w.endObject();
    }

    private static void nullable(JsonWriter w, Integer value) throws IOException {
        if (value == null) {
            w.nullValue();
        } else {
            w.value(value.longValue());
        }
    }
}
