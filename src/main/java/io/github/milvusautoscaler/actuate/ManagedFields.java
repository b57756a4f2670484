package io.github.milvusautoscaler.actuate;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.CountWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code metadata.managedFields}, the API server's record of which manager owns which field (Kubernetes docs,
 * Server-Side Apply, "Field management"): each entry has {@code manager}, {@code operation}, {@code time},
 * {@code fieldsType: FieldsV1} and {@code fieldsV1}, a tree keyed {@code f:<field>}, and from Kubernetes 1.22 the
 * {@code subresource} it was written through. Only the owner of the replica count is asked for.
 */
final class ManagedFields {

    private ManagedFields() {
    }

    /**
     * The manager that owns the field at {@code path} ({@code spec, replicas}); when several share it (appliers that
     * set the same value), the newest entry. Empty when no entry names the field: an object created before field
     * management, or one whose count was never set (the chart's {@code replicas: -1} leaves it to the default).
     */
    static Optional<CountWriter> owner(JsonObject object, String... path) {
        Optional<JsonElement> entries = JsonPaths.at(object, "metadata", "managedFields");
        if (entries.isEmpty() || !entries.get().isJsonArray()) {
            return Optional.empty();
        }
        List<CountWriter> owners = new ArrayList<>();
        for (JsonElement e : entries.get().getAsJsonArray()) {
            if (!e.isJsonObject()) {
                continue;
            }
            JsonObject entry = e.getAsJsonObject();
            JsonElement fields = entry.get("fieldsV1");
            for (String key : path) {
                fields = fields != null && fields.isJsonObject() ? fields.getAsJsonObject().get("f:" + key) : null;
            }
            String manager = JsonPaths.string(entry, "manager").orElse("");
            if (fields == null || manager.isEmpty()) {
                continue;
            }
            owners.add(new CountWriter(manager, JsonPaths.string(entry, "operation").orElse(""),
                    JsonPaths.string(entry, "subresource").orElse(""), time(entry)));
        }
        Optional<CountWriter> newest = owners.stream().max(Comparator.comparing(w -> w.time().orElse(Instant.MIN)));
        // The others that share it are named too: a co-applier's newer entry hid the forced writer that still owns
        // the count, and the stand-back from it ended (recheck 68, F1).
        return newest.map(w -> new CountWriter(w.manager(), w.operation(), w.subresource(), w.time(), owners.stream()
                .map(CountWriter::manager).filter(m -> !m.equals(w.manager())).distinct().toList()));
    }

    /** The entry's time; empty when absent or not RFC 3339 (the server writes seconds, e.g. 2026-12-07T10:00:00Z). */
    private static Optional<Instant> time(JsonObject entry) {
        try {
            return JsonPaths.string(entry, "time").map(Instant::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
