package io.github.milvusautoscaler.deploy;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every PromQL expression of a Grafana dashboard, so tests can parse them and evaluate them
 * against a live Prometheus: panel targets (rows' nested panels included), annotation queries,
 * and the metric selectors inside query variables ({@code label_values(selector, label)}).
 *
 * <p>Expressions keep Grafana's variables ({@code $namespace}, {@code ${cluster}},
 * {@code $__rate_interval}); {@link #expand} replaces them with values a plain Prometheus accepts,
 * e.g. {@code target=~"($namespace)/($cluster)/($component)"} with {@link #MATCH_ALL} becomes
 * {@code target=~"([^/]+)/([^/]+)/([^/]+)"}, which matches every target id.
 */
public final class DashboardQueries {

    /**
     * One expression and where it is, e.g. {@code panel "Leader" target A}.
     *
     * @param where the panel title and refId, the annotation name, or the variable name
     * @param expr  the expression as written, Grafana variables included
     */
    public record Query(String where, String expr) {
        public Query {
            requireNonNull(where, "where");
            requireNonNull(expr, "expr");
        }
    }

    /**
     * Values that make every variable of grafana/milvus-autoscaler.json match everything, as "All"
     * does in Grafana: the dashboard's allValue {@code [^/]+} for the parts of a target id, and
     * Grafana's built-in intervals at a 15 s scrape interval ($__rate_interval is at least four
     * scrape intervals).
     */
    public static final Map<String, String> MATCH_ALL;

    static {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("job", "milvus-autoscaler");
        all.put("namespace", "[^/]+");
        all.put("cluster", "[^/]+");
        all.put("component", "[^/]+");
        all.put("signal", ".+");
        all.put("__rate_interval", "1m");
        all.put("__interval", "15s");
        all.put("__range", "1h");
        MATCH_ALL = Collections.unmodifiableMap(all);
    }

    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)\\s*$",
            Pattern.DOTALL);
    private static final Pattern QUERY_RESULT = Pattern.compile("^\\s*query_result\\((.*)\\)\\s*$", Pattern.DOTALL);
    /** {@code ${name}}, {@code ${name:format}}, {@code [[name]]} or {@code $name}. */
    private static final Pattern VARIABLE = Pattern.compile(
            "\\$\\{([a-zA-Z0-9_]+)(?::[^}]*)?}|\\[\\[([a-zA-Z0-9_]+)(?::[^]]*)?]]|\\$([a-zA-Z0-9_]+)");

    private DashboardQueries() {
    }

    /** Every expression of the dashboard at {@code dashboard}, as written, in dashboard order. */
    public static List<String> expressions(Path dashboard) {
        return queries(dashboard).stream().map(Query::expr).toList();
    }

    /** Every expression of the dashboard with where it is, in dashboard order. */
    public static List<Query> queries(Path dashboard) {
        requireNonNull(dashboard, "dashboard");
        JsonObject root;
        try {
            root = JsonParser.parseString(Files.readString(dashboard, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dashboard, e);
        }
        List<Query> queries = new ArrayList<>();
        panels(array(root, "panels"), queries);
        for (JsonElement a : array(object(root, "annotations"), "list")) {
            JsonObject annotation = a.getAsJsonObject();
            if (annotation.has("expr")) {
                queries.add(new Query("annotation \"" + string(annotation, "name") + "\"", string(annotation, "expr")));
            }
        }
        for (JsonElement v : array(object(root, "templating"), "list")) {
            JsonObject variable = v.getAsJsonObject();
            if (!"query".equals(string(variable, "type"))) {
                continue;
            }
            JsonElement q = variable.get("query");
            String text = q == null ? "" : q.isJsonObject() ? string(q.getAsJsonObject(), "query") : q.getAsString();
            Matcher lv = LABEL_VALUES.matcher(text);
            Matcher qr = QUERY_RESULT.matcher(text);
            String expr = lv.matches() ? lv.group(1) : qr.matches() ? qr.group(1) : null;
            if (expr == null) {
                throw new IllegalArgumentException(dashboard + ": variable " + string(variable, "name")
                        + " has a query that is neither label_values(selector, label) nor query_result(expr): " + text);
            }
            queries.add(new Query("variable $" + string(variable, "name"), expr.strip()));
        }
        return queries;
    }

    /**
     * {@code expr} with every Grafana variable replaced by its value in {@code variables}.
     *
     * @throws IllegalArgumentException naming a variable that has no value, so a misspelt variable
     *                                  fails instead of reaching Prometheus as text
     */
    public static String expand(String expr, Map<String, String> variables) {
        requireNonNull(expr, "expr");
        requireNonNull(variables, "variables");
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            String value = variables.get(name);
            if (value == null) {
                throw new IllegalArgumentException("no value for variable $" + name + " in: " + expr);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static void panels(JsonArray panels, List<Query> out) {
        for (JsonElement p : panels) {
            JsonObject panel = p.getAsJsonObject();
            String title = string(panel, "title");
            for (JsonElement t : array(panel, "targets")) {
                JsonObject target = t.getAsJsonObject();
                if (target.has("expr")) {
                    out.add(new Query("panel \"" + title + "\" target " + string(target, "refId"), string(target, "expr")));
                }
            }
            panels(array(panel, "panels"), out);
        }
    }

    private static JsonArray array(JsonObject o, String key) {
        return o != null && o.has(key) && o.get(key).isJsonArray() ? o.getAsJsonArray(key) : new JsonArray();
    }

    private static JsonObject object(JsonObject o, String key) {
        return o.has(key) && o.get(key).isJsonObject() ? o.getAsJsonObject(key) : new JsonObject();
    }

    private static String string(JsonObject o, String key) {
        return o.has(key) && o.get(key).isJsonPrimitive() ? o.get(key).getAsString() : "";
    }
}
