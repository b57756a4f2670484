package io.github.milvusautoscaler.metrics;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Builds Prometheus /api/v1/query bodies for mockwebserver cases. */
final class PromJson {

    private PromJson() {
    }

    /**
     * True for the {@link StaleInputs} probe, the one query a tick adds per namespace; a fake answers it with
     * {@code vector()} (nothing stale) unless a case is about it.
     */
    static boolean isStaleInputsProbe(String query) {
        return query.contains(StaleInputs.LABEL);
    }

    /** One series of an instant vector. */
    record S(Map<String, String> labels, String value, Instant at) {
    }

    static S pod(String pod, String value, Instant at) {
        return new S(Map.of("pod", pod), value, at);
    }

    static S series(Map<String, String> labels, String value, Instant at) {
        return new S(labels, value, at);
    }

    static String vector(S... series) {
        return vector(List.of(series));
    }

    static String vector(List<S> series) {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + series.stream().map(s -> "{\"metric\":" + labels(s.labels()) + ",\"value\":[" + ts(s.at()) + ",\""
                        + s.value() + "\"]}").collect(Collectors.joining(","))
                + "]}}";
    }

    static String scalar(String value, Instant at) {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[" + ts(at) + ",\"" + value + "\"]}}";
    }

    /** The form fields of a recorded /api/v1/query POST, decoded. */
    static Map<String, String> form(mockwebserver3.RecordedRequest request) {
        Map<String, String> fields = new java.util.HashMap<>();
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(java.net.URLDecoder.decode(pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    /** The evaluation time a recorded query asked for, so a fake answers with samples of that instant. */
    static Instant time(mockwebserver3.RecordedRequest request) {
        BigDecimal seconds = new BigDecimal(form(request).get("time"));
        return Instant.ofEpochMilli(seconds.movePointRight(3).longValueExact());
    }

    static String ts(Instant at) {
        return BigDecimal.valueOf(at.toEpochMilli(), 3).toPlainString();
    }

    private static String labels(Map<String, String> labels) {
        return labels.entrySet().stream().map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                .collect(Collectors.joining(",", "{", "}"));
    }
}
