package io.github.milvusautoscaler.alerts;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An Alertmanager webhook payload (version 4), parsed and checked field by field. A bad payload
 * is refused whole with the first offending field named ({@code alerts[2].fingerprint}), because
 * Alertmanager does not retry a 4xx and half-applied alerts would be worse than none.
 *
 * @param groupKey the group's key, part of each alert's de-duplication key
 * @param status   firing or resolved (of the group)
 * @param alerts   the alerts of the group
 * @param truncatedAlerts alerts of the group Alertmanager left out under {@code max_alerts}; 0 when none
 */
public record WebhookPayload(String groupKey, String status, List<Alert> alerts, int truncatedAlerts) {

    /** One alert of the group. */
    public record Alert(String status, Map<String, String> labels, Map<String, String> annotations, Instant startsAt,
                        Instant endsAt, String fingerprint) {

        public Alert {
            requireNonNull(status, "status");
            labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
            annotations = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
            requireNonNull(startsAt, "startsAt");
            requireNonNull(endsAt, "endsAt");
            requireNonNull(fingerprint, "fingerprint");
        }

        public boolean firing() {
            return status.equals("firing");
        }

        /** The {@code alertname} label, or "unnamed". */
        public String name() {
            return labels.getOrDefault("alertname", "unnamed");
        }
    }

    /** A payload that cannot be accepted, naming the field. */
    public static final class InvalidPayloadException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String field;

        InvalidPayloadException(String field, String problem) {
            super(field + ": " + problem);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    public WebhookPayload {
        requireNonNull(groupKey, "groupKey");
        requireNonNull(status, "status");
        alerts = List.copyOf(alerts);
    }

    /** Parses and checks a payload; throws {@link InvalidPayloadException} naming the first bad field. */
    public static WebhookPayload parse(String body) {
        JsonObject root;
        try {
            JsonElement e = JsonParser.parseString(body);
            if (!e.isJsonObject()) {
                throw new InvalidPayloadException("$", "must be a JSON object");
            }
            root = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new InvalidPayloadException("$", "malformed JSON: " + rootCause(e));
        }
        String version = string(root, "version", "version");
        if (!version.equals("4")) {
            throw new InvalidPayloadException("version", "must be \"4\" (Alertmanager webhook v4), was \"" + version + "\"");
        }
        String groupKey = string(root, "groupKey", "groupKey");
        String status = status(root, "status");
        JsonElement alertsEl = root.get("alerts");
        if (alertsEl == null || !alertsEl.isJsonArray()) {
            throw new InvalidPayloadException("alerts", alertsEl == null ? "is missing" : "must be an array");
        }
        JsonArray array = alertsEl.getAsJsonArray();
        List<Alert> alerts = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            String at = "alerts[" + i + "]";
            if (!array.get(i).isJsonObject()) {
                throw new InvalidPayloadException(at, "must be an object");
            }
            JsonObject a = array.get(i).getAsJsonObject();
            alerts.add(new Alert(status(a, at + ".status"), stringMap(a, "labels", at + ".labels"),
                    stringMap(a, "annotations", at + ".annotations"), time(a, "startsAt", at + ".startsAt"),
                    time(a, "endsAt", at + ".endsAt"), string(a, "fingerprint", at + ".fingerprint")));
        }
        return new WebhookPayload(groupKey, status, alerts, truncated(root));
    }

    /**
     * How many alerts of the group Alertmanager left out under the receiver's {@code max_alerts}
     * (notify/webhook/webhook.go truncateAlerts): they are not sent in this or any later notification of the
     * same group state, so the receiver must say so. 0 when the field is absent (Alertmanager before 0.22).
     */
    private static int truncated(JsonObject root) throws InvalidPayloadException {
        JsonElement e = root.get("truncatedAlerts");
        if (e == null || e.isJsonNull()) {
            return 0;
        }
        try {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                long n = e.getAsBigDecimal().longValueExact();
                if (n >= 0 && n <= Integer.MAX_VALUE) {
                    return (int) n;
                }
            }
        } catch (ArithmeticException notWhole) {
            // falls through to the error below
        }
        throw new InvalidPayloadException("truncatedAlerts", "must be a non-negative whole number, was " + e);
    }

    private static String rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage();
    }

    private static String string(JsonObject o, String key, String field) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw new InvalidPayloadException(field, "is missing");
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new InvalidPayloadException(field, "must be a string");
        }
        return e.getAsString();
    }

    private static String status(JsonObject o, String field) {
        String s = string(o, "status", field);
        if (!s.equals("firing") && !s.equals("resolved")) {
            throw new InvalidPayloadException(field, "must be \"firing\" or \"resolved\", was \"" + s + "\"");
        }
        return s;
    }

    private static Instant time(JsonObject o, String key, String field) {
        String s = string(o, key, field);
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e2) {
                throw new InvalidPayloadException(field, "must be an RFC 3339 time, was \"" + s + "\"");
            }
        }
    }

    private static Map<String, String> stringMap(JsonObject o, String key, String field) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw new InvalidPayloadException(field, "is missing");
        }
        if (!e.isJsonObject()) {
            throw new InvalidPayloadException(field, "must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> kv : e.getAsJsonObject().entrySet()) {
            JsonElement v = kv.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw new InvalidPayloadException(field + "." + kv.getKey(), "must be a string");
            }
            out.put(kv.getKey(), v.getAsString());
        }
        return out;
    }
}
