package io.github.milvusautoscaler.metrics;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.EOFException;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the Prometheus {@code /api/v1/query} JSON envelope as a stream, so a query matching far too
 * many series is refused after {@code maxSeries + 1} of them instead of being held in memory.
 *
 * <p>Shapes: {@code {"status":"success","data":{"resultType":"vector","result":[{"metric":{..},"value":[ts,"v"]}]}}},
 * a scalar {@code "result":[ts,"v"]}, and {@code {"status":"error","errorType":..,"error":..}}. The shape
 * of {@code result} decides, not the order of the fields. Transport errors propagate as
 * {@link IOException}; broken JSON becomes a {@link QueryResult.Failed}.
 */
final class ResponseParser {

    private ResponseParser() {
    }

    /** Parses one response body; throws only for transport failures while reading. */
    static QueryResult parse(Reader body, int maxSeries) throws IOException {
        return parse(body, maxSeries, false);
    }

    /**
     * Parses one response body of an instant query, or with {@code matrix} of a range query: then every
     * sample of every series becomes one {@link QueryResult.Series} with its own timestamp, and
     * {@code maxSeries} still counts series, not samples.
     */
    static QueryResult parse(Reader body, int maxSeries, boolean matrix) throws IOException {
        return parse(body, maxSeries, matrix, "");
    }

    /**
     * As {@link #parse(Reader, int, boolean)}; {@code answered} (e.g. {@code HTTP 200, text/plain}) is quoted when
     * the body is not JSON at all, the usual sign of a prometheus.url that is not the API root (a UI page, a proxy's
     * login form).
     */
    static QueryResult parse(Reader body, int maxSeries, boolean matrix, String answered) throws IOException {
        JsonReader json = new JsonReader(body);
        try {
            return envelope(json, maxSeries, matrix);
        } catch (MalformedJsonException | EOFException e) {
            // The path is "$" only before the envelope's "{" was read: the first token already failed.
            if (json.getPath().equals("$")) {
                return new QueryResult.Failed(FailureKind.BAD_RESPONSE, "prometheus answered something that is not JSON"
                        + (answered.isEmpty() ? "" : " (" + answered + ")") + ": is prometheus.url the API root?");
            }
            return new QueryResult.Failed(FailureKind.BAD_RESPONSE,
                    "bad JSON from prometheus at " + json.getPath() + ": " + Reasons.oneLine(gsonReason(e), 120));
        } catch (IllegalStateException | NumberFormatException | ArithmeticException e) {
            return new QueryResult.Failed(FailureKind.BAD_RESPONSE,
                    "bad JSON from prometheus at " + json.getPath() + ": " + Reasons.oneLine(gsonReason(e), 120));
        } catch (BadShape e) {
            return new QueryResult.Failed(FailureKind.BAD_RESPONSE, "unexpected JSON from prometheus: " + e.getMessage());
        }
    }

    /**
     * Gson's message without its advice to the programmer ("Use JsonReader.setStrictness(Strictness.LENIENT) to
     * accept malformed JSON", "See https://github.com/google/gson/...") and the path, which the caller names.
     */
    static String gsonReason(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        m = m.replaceAll("(?s)\\s*See https?://\\S*", "")
                .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON")
                .replaceAll(" path \\$\\S*$", "");
        return m.strip();
    }

    private static QueryResult envelope(JsonReader json, int maxSeries, boolean matrix) throws IOException, BadShape {
        String status = null;
        String errorType = "";
        String error = "";
        String partial = "";
        Data data = null;
        json.beginObject();
        while (json.hasNext()) {
            switch (json.nextName()) {
                case "status" -> status = json.nextString();
                case "isPartial" -> {
                    // VictoriaMetrics: some vmstorage nodes did not answer.
                    if (json.peek() != JsonToken.BOOLEAN) {
                        json.skipValue();
                    } else if (json.nextBoolean()) {
                        partial = "isPartial: true (some storage nodes did not answer)";
                    }
                }
                case "warnings" -> {
                    String warning = partialWarning(json);
                    if (!warning.isEmpty() && partial.isEmpty()) {
                        partial = warning;
                    }
                }
                case "errorType" -> errorType = json.nextString();
                case "error" -> error = json.nextString();
                case "data" -> {
                    data = data(json, maxSeries, matrix);
                    if (data.tooMany) {
                        // Stop reading: the rest of a runaway result is not worth the memory.
                        return new QueryResult.Failed(FailureKind.TOO_MANY_SERIES,
                                "more than " + maxSeries + " series (prometheus.max-series)");
                    }
                }
                default -> json.skipValue();
            }
        }
        json.endObject();
        if (status == null) {
            throw new BadShape("no \"status\" field");
        }
        if (status.equals("error")) {
            return new QueryResult.Failed(FailureKind.QUERY_ERROR,
                    "prometheus error " + errorType + ": " + Reasons.oneLine(error, 160));
        }
        if (!status.equals("success")) {
            throw new BadShape("status \"" + Reasons.oneLine(status, 20) + "\"");
        }
        if (data == null || data.result == null) {
            throw new BadShape("no data.result");
        }
        if (data.rejectedType != null) {
            return new QueryResult.Failed(FailureKind.RESULT_TYPE, "result type " + data.rejectedType
                    + " where an instant vector or scalar was expected");
        }
        if (matrix && data.resultType != null && !data.resultType.equals("matrix")) {
            return new QueryResult.Failed(FailureKind.RESULT_TYPE, "result type " + Reasons.oneLine(data.resultType, 20)
                    + " where a range query's matrix was expected");
        }
        if (!matrix && data.resultType != null && !data.resultType.equals("vector") && !data.resultType.equals("scalar")) {
            return new QueryResult.Failed(FailureKind.RESULT_TYPE, "result type " + Reasons.oneLine(data.resultType, 20)
                    + " where an instant vector or scalar was expected");
        }
        return new QueryResult.Samples(data.result, data.scalar, partial);
    }

    /**
     * The first warning that says data may be missing, or empty. Prometheus' own PromQL annotations
     * ({@code PromQL info: metric might not be a counter ...}, {@code PromQL warning: ...}) describe the
     * query, not missing data: Milvus' {@code milvus_proxy_req_count} draws one on every query. Anything
     * else (a Thanos store or Mimir ingester that did not answer) means a partial answer.
     */
    private static String partialWarning(JsonReader json) throws IOException {
        if (json.peek() != JsonToken.BEGIN_ARRAY) {
            json.skipValue();
            return "";
        }
        String first = "";
        json.beginArray();
        while (json.hasNext()) {
            String warning = json.peek() == JsonToken.STRING ? json.nextString() : skipped(json);
            if (first.isEmpty() && !warning.isEmpty() && !warning.startsWith("PromQL info:")
                    && !warning.startsWith("PromQL warning:")) {
                first = "warning: " + Reasons.oneLine(warning, 160);
            }
        }
        json.endArray();
        return first;
    }

    private static String skipped(JsonReader json) throws IOException {
        json.skipValue();
        return "";
    }

    private static final class Data {
        String resultType;
        List<QueryResult.Series> result;
        boolean scalar;
        boolean tooMany;
        String rejectedType;
        boolean matrix;
    }

    private static Data data(JsonReader json, int maxSeries, boolean matrix) throws IOException, BadShape {
        Data data = new Data();
        data.matrix = matrix;
        json.beginObject();
        while (json.hasNext()) {
            switch (json.nextName()) {
                case "resultType" -> data.resultType = json.nextString();
                case "result" -> {
                    result(json, maxSeries, data);
                    if (data.tooMany) {
                        return data;
                    }
                }
                default -> json.skipValue();
            }
        }
        json.endObject();
        return data;
    }

    private static void result(JsonReader json, int maxSeries, Data data) throws IOException, BadShape {
        json.beginArray();
        List<QueryResult.Series> series = new ArrayList<>();
        if (json.hasNext() && json.peek() != JsonToken.BEGIN_OBJECT) {
            // A scalar or string: [timestamp, "value"].
            Instant ts = timestamp(json.nextString());
            if (json.peek() != JsonToken.STRING) {
                throw new BadShape("scalar value is " + json.peek() + ", not a string");
            }
            String raw = json.nextString();
            json.endArray();
            if (!isNumber(raw)) {
                data.rejectedType = "string";
                data.result = List.of();
                return;
            }
            data.result = List.of(new QueryResult.Series(Map.of(), value(raw), ts));
            data.scalar = true;
            return;
        }
        int objects = 0;
        while (json.hasNext()) {
            if (objects == maxSeries) {
                data.tooMany = true;
                return;
            }
            objects++;
            if (data.matrix) {
                series.addAll(samples(json, data));
                continue;
            }
            QueryResult.Series one = series(json, data);
            if (one != null) {
                series.add(one);
            }
        }
        json.endArray();
        data.result = series;
    }

    private static QueryResult.Series series(JsonReader json, Data data) throws IOException, BadShape {
        Map<String, String> labels = Map.of();
        Instant ts = null;
        String raw = null;
        json.beginObject();
        while (json.hasNext()) {
            switch (json.nextName()) {
                case "metric" -> labels = labels(json);
                case "value" -> {
                    json.beginArray();
                    ts = timestamp(json.nextString());
                    raw = json.nextString();
                    json.endArray();
                }
                case "values" -> {
                    data.rejectedType = "matrix";
                    json.skipValue();
                }
                case "histogram", "histograms" -> {
                    data.rejectedType = "native histogram";
                    json.skipValue();
                }
                default -> json.skipValue();
            }
        }
        json.endObject();
        if (data.rejectedType != null) {
            return null;
        }
        if (raw == null) {
            throw new BadShape("a series without \"value\"");
        }
        return new QueryResult.Series(labels, value(raw), ts);
    }

    /** One series of a range query's matrix: each {@code [t, "v"]} of {@code values} as its own sample. */
    private static List<QueryResult.Series> samples(JsonReader json, Data data) throws IOException, BadShape {
        Map<String, String> labels = Map.of();
        List<Instant> times = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        json.beginObject();
        while (json.hasNext()) {
            switch (json.nextName()) {
                case "metric" -> labels = labels(json);
                case "values" -> {
                    json.beginArray();
                    while (json.hasNext()) {
                        json.beginArray();
                        times.add(timestamp(json.nextString()));
                        values.add(value(json.nextString()));
                        json.endArray();
                    }
                    json.endArray();
                }
                case "histograms" -> {
                    data.rejectedType = "native histogram";
                    json.skipValue();
                }
                default -> json.skipValue();
            }
        }
        json.endObject();
        List<QueryResult.Series> out = new ArrayList<>(times.size());
        Map<String, String> shared = Map.copyOf(labels);
        for (int i = 0; i < times.size(); i++) {
            out.add(new QueryResult.Series(shared, values.get(i), times.get(i)));
        }
        return out;
    }

    private static Map<String, String> labels(JsonReader json) throws IOException {
        Map<String, String> labels = new HashMap<>();
        json.beginObject();
        while (json.hasNext()) {
            labels.put(json.nextName(), json.nextString());
        }
        json.endObject();
        return labels;
    }

    /** Prometheus timestamps are seconds with a fraction, e.g. {@code 1700000000.123}. */
    private static Instant timestamp(String raw) {
        BigDecimal seconds = new BigDecimal(raw);
        long whole = seconds.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
        long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
        return Instant.ofEpochSecond(whole, nanos);
    }

    /** Prometheus writes special values as NaN, +Inf and -Inf (Java expects NaN and Infinity). */
    static double value(String raw) {
        return switch (raw) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(raw);
        };
    }

    private static boolean isNumber(String raw) {
        try {
            value(raw);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The JSON is well-formed but not the envelope we expect. */
    private static final class BadShape extends Exception {
        private static final long serialVersionUID = 1L;

        BadShape(String message) {
            super(message, null, false, false);
        }
    }
}
