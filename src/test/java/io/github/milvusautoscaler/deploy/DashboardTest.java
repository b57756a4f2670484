package io.github.milvusautoscaler.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.core.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * grafana/milvus-autoscaler.json is import-ready and its queries are right: every expression
 * parses (promtool), names only metrics the daemon exports and label values that exist, and the
 * panels and variables issue 7 asks for are there. Whether each query returns data from a running
 * daemon is the closed-loop test's job, through {@link DashboardQueries}.
 */
class DashboardTest {

    private static final JsonObject DASHBOARD = JsonParser.parseString(Repo.read(Repo.DASHBOARD)).getAsJsonObject();
    private static final String DATASOURCE_UID = "${datasource}";
    /** The selector every panel about targets filters with. */
    private static final String TARGET_FILTER = "target=~\"($namespace)/($cluster)/($component)\"";
    /** Metrics with a target label: a query on them that ignores the variables would show every cluster. */
    private static final Pattern PER_TARGET_METRIC = Pattern.compile(
            "milvus_autoscaler_(decisions_total|replicas|signal_value|signal_threshold|tick_seconds_max|scale_writes_total|alerts_firing)\\b");

    @Test
    void everyExpressionParsesWithPromtool(@TempDir Path dir) throws IOException {
        List<DashboardQueries.Query> queries = DashboardQueries.queries(Repo.DASHBOARD);
        // 28 panels (rows aside) with 37 queries, 1 annotation, 5 query variables at the time of writing.
        assertTrue(queries.size() >= 25, "queries found: " + queries.size());
        // promtool parses expressions only inside rule files: one recording rule per expression.
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            String expr = DashboardQueries.expand(queries.get(i).expr(), DashboardQueries.MATCH_ALL);
            rules.append("      - record: dashboard_query_").append(i).append("\n        expr: |\n");
            for (String line : expr.split("\n")) {
                rules.append("          ").append(line).append('\n');
            }
        }
        Path file = dir.resolve("dashboard.rules.yaml");
        Files.writeString(file, rules, StandardCharsets.UTF_8);
        Tools.Result result = Tools.run(dir, List.of(Tools.promtool().toString(), "check", "rules", file.toString()));
        assertEquals(0, result.exitCode(), () -> {
            StringBuilder index = new StringBuilder("promtool refused a dashboard expression:\n" + result.output());
            for (int i = 0; i < queries.size(); i++) {
                index.append("\ndashboard_query_").append(i).append(" = ").append(queries.get(i).where());
            }
            return index.toString();
        });
        assertTrue(result.output().contains("SUCCESS: " + queries.size() + " rules found"), result.output());
    }

    @Test
    void everyAutoscalerMetricIsOneTheDaemonExports() {
        Set<String> exported = MetricCatalog.exportedNames();
        Map<String, Set<String>> unknown = new LinkedHashMap<>();
        for (DashboardQueries.Query q : DashboardQueries.queries(Repo.DASHBOARD)) {
            Set<String> names = QueryChecks.unknownMetrics(q.expr(), exported);
            if (!names.isEmpty()) {
                unknown.put(q.where(), names);
            }
        }
        assertEquals(Map.of(), unknown, "metrics the daemon does not export; it exports " + exported);
    }

    @Test
    void everyLabelValueFilteredOnExists() {
        List<String> problems = new ArrayList<>();
        for (DashboardQueries.Query q : DashboardQueries.queries(Repo.DASHBOARD)) {
            QueryChecks.impossibleMatchers(q.expr(), MetricCatalog.labelValues())
                    .forEach(p -> problems.add(q.where() + ": " + p));
        }
        assertEquals(List.of(), problems);
    }

    /**
     * The blocked-actions panel counts the HOLDs that stopped an action, and the ticks that could not decide at all
     * (stages UNKNOWN_DATA and ENGINE: ALL_SIGNALS_UNKNOWN, TARGET_UNAVAILABLE), which it left out while it showed the
     * milder PARTIAL_DATA (recheck 109, F2).
     */
    @Test
    void blockedActionsPanelCountsExactlyTheReasonsThatBlockAnAction() {
        Set<String> blocking = Arrays.stream(Reason.values())
                .filter(r -> r.blocksAction() || r.action() == io.github.milvusautoscaler.core.Action.HOLD
                        && (r.stage() == io.github.milvusautoscaler.core.Stage.UNKNOWN_DATA
                        || r.stage() == io.github.milvusautoscaler.core.Stage.ENGINE))
                .map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(blocking.containsAll(List.of("ALL_SIGNALS_UNKNOWN", "TARGET_UNAVAILABLE")), blocking.toString());
        DashboardQueries.Query blocked = DashboardQueries.queries(Repo.DASHBOARD).stream()
                .filter(q -> q.where().startsWith("panel \"Blocked actions")).findFirst().orElseThrow();
        List<String> regexes = QueryChecks.matcherValues(blocked.expr(), "milvus_autoscaler_decisions_total", "reason");
        assertEquals(1, regexes.size(), blocked.expr());
        assertEquals(blocking, new TreeSet<>(QueryChecks.alternatives(regexes.get(0))));
    }

    @Test
    void everyQueryAboutTargetsFollowsTheNamespaceClusterAndComponentVariables() {
        List<String> unfiltered = new ArrayList<>();
        for (DashboardQueries.Query q : DashboardQueries.queries(Repo.DASHBOARD)) {
            boolean perTarget = PER_TARGET_METRIC.matcher(q.expr()).find();
            // The variables that pick namespace, cluster and component cannot filter by themselves.
            boolean choosesTarget = q.where().matches("variable \\$(namespace|cluster|component)");
            if (perTarget && !choosesTarget && !q.expr().contains(TARGET_FILTER)) {
                unfiltered.add(q.where() + ": " + q.expr());
            }
        }
        assertEquals(List.of(), unfiltered);
    }

    @Test
    void datasourceIsAVariableEverywhere() {
        JsonObject datasource = variable("datasource");
        assertEquals("datasource", datasource.get("type").getAsString());
        assertEquals("prometheus", datasource.get("query").getAsString());
        // Every "uid" in the file is the variable, except the dashboard's own and Grafana's built-in annotations.
        List<String> fixed = new ArrayList<>();
        collectDatasourceUids(DASHBOARD, "$", fixed);
        assertEquals(List.of(), fixed, "datasource uids that are not " + DATASOURCE_UID);
        assertFalse(DASHBOARD.has("__inputs"), "import-ready without an __inputs prompt");
        assertTrue(DASHBOARD.get("id") == null || DASHBOARD.get("id").isJsonNull(), "no instance-specific id");
        assertEquals("milvus-autoscaler", DASHBOARD.get("uid").getAsString());
    }

    @Test
    void namespaceClusterAndComponentVariablesCutTheTargetId() {
        // target ids are namespace/name/component, e.g. milvus/search-prod/queryNode.
        String target = "milvus/search-prod/queryNode";
        assertEquals("milvus", grafanaRegexCapture(variable("namespace"), target));
        assertEquals("search-prod", grafanaRegexCapture(variable("cluster"), target));
        assertEquals("queryNode", grafanaRegexCapture(variable("component"), target));
        for (String name : List.of("namespace", "cluster", "component")) {
            JsonObject v = variable(name);
            assertTrue(v.get("multi").getAsBoolean() && v.get("includeAll").getAsBoolean(), name + ": multi and All");
            // "All" must match exactly one path segment, or namespace "a" would also select "a/b/..." parts.
            assertEquals("[^/]+", v.get("allValue").getAsString(), name);
        }
    }

    @Test
    void panelsIssue7AsksForArePresent() {
        Set<String> titles = new HashSet<>();
        collectTitles(DASHBOARD, titles);
        String all = String.join("\n", titles).toLowerCase();
        for (String wanted : List.of("replicas: current, desired, ready", "signal $signal", "decisions by reason",
                "blocked actions by reason", "alert-driven decisions", "prometheus query errors",
                "kubernetes api errors", "circuit breaker", "leader")) {
            assertTrue(all.contains(wanted), "no panel titled like \"" + wanted + "\" in " + titles);
        }
        JsonObject signalPanel = DASHBOARD.getAsJsonArray("panels").asList().stream().map(JsonElement::getAsJsonObject)
                .filter(p -> p.get("title").getAsString().equals("Signal $signal")).findFirst().orElseThrow();
        assertEquals("signal", signalPanel.get("repeat").getAsString(), "one panel per signal");
        String signalQueries = signalPanel.toString();
        assertTrue(signalQueries.contains("milvus_autoscaler_signal_value") && signalQueries.contains("milvus_autoscaler_signal_threshold"),
                "the signal panel shows the value against its thresholds");
    }

    @Test
    void scaleActionsAreAnnotations() {
        JsonObject annotation = DASHBOARD.getAsJsonObject("annotations").getAsJsonArray("list").asList().stream()
                .map(JsonElement::getAsJsonObject).filter(a -> a.get("name").getAsString().equals("Scale actions"))
                .findFirst().orElseThrow();
        assertTrue(annotation.get("enable").getAsBoolean());
        String expr = annotation.get("expr").getAsString();
        assertTrue(expr.contains("milvus_autoscaler_decisions_total") && expr.contains("action!=\"HOLD\""), expr);
        assertEquals("{{action}} {{target}}", annotation.get("titleFormat").getAsString());
    }

    /**
     * The "Scale actions" annotation marks the scale actions that reached the cluster: a target whose writes all
     * failed in the step (403s) drew a scale-out at every tick while its count stood still (recheck 109, F1), and a
     * dry-run daemon's decisions, never written, were marked as actions too (recheck 112, F2; its "desired" replicas
     * show them). Evaluated by promtool on series shaped as the daemon exports them (every counter from 0), at a 1m
     * step as the annotation asks: queryNode decided 2 -> 4 at 3m and wrote it; proxy decided a scale-out at 3m and
     * 4m, both refused, the second written at 5m; dataNode, of another install whose daemon runs dry-run, decided at
     * 3m (no write at all).
     */
    @Test
    void theScaleActionsAnnotationLeavesOutScalesNotWritten(@TempDir Path dir) throws IOException {
        JsonObject annotation = DASHBOARD.getAsJsonObject("annotations").getAsJsonArray("list").asList().stream()
                .map(JsonElement::getAsJsonObject).filter(a -> a.get("name").getAsString().equals("Scale actions"))
                .findFirst().orElseThrow();
        java.util.Map<String, String> vars = new java.util.LinkedHashMap<>(DashboardQueries.MATCH_ALL);
        vars.put("job", "milvus-autoscaler");
        String expr = DashboardQueries.expand(annotation.get("expr").getAsString(), vars);
        String decision = "milvus_autoscaler_decisions_total{job=\"milvus-autoscaler\", instance=\"10.0.0.1:8080\","
                + " action=\"SCALE_OUT\", reason=\"SIGNAL_HIGH\", target=\"milvus/r/%s\"}";
        String writes = "milvus_autoscaler_scale_writes_total{job=\"milvus-autoscaler\", instance=\"10.0.0.1:8080\","
                + " result=\"%s\", target=\"milvus/r/%s\"}";
        java.util.function.BinaryOperator<String> series = (name, values) -> "      - series: '" + name + "'\n"
                + "        values: '" + values + "'";
        String test = String.join("\n",
                "tests:",
                "  - interval: 1m",
                "    input_series:",
                series.apply("milvus_autoscaler_leader{job=\"milvus-autoscaler\", instance=\"10.0.0.1:8080\"}", "1x8"),
                series.apply("milvus_autoscaler_dry_run{job=\"milvus-autoscaler\", instance=\"10.0.0.1:8080\"}", "0x8"),
                series.apply("milvus_autoscaler_leader{job=\"milvus-autoscaler\", instance=\"10.0.0.2:8080\"}", "1x8"),
                series.apply("milvus_autoscaler_dry_run{job=\"milvus-autoscaler\", instance=\"10.0.0.2:8080\"}", "1x8"),
                series.apply(decision.formatted("queryNode"), "0 0 0 1x5"),
                series.apply(writes.formatted("ok", "queryNode"), "0 0 0 1x5"),
                series.apply(writes.formatted("failed", "queryNode"), "0x8"),
                series.apply(decision.formatted("proxy"), "0 0 0 1 2 3x3"),
                series.apply(writes.formatted("ok", "proxy"), "0 0 0 0 0 1x3"),
                series.apply(writes.formatted("failed", "proxy"), "0 0 0 1 2x4"),
                series.apply(decision.formatted("dataNode").replace("10.0.0.1", "10.0.0.2"), "0 0 0 1x5"),
                "    promql_expr_test:",
                // At 4m the 2m window holds queryNode's written scale-out, proxy's two refused ones, dataNode's dry-run
                // decision: only the first is an action.
                "      - expr: '" + expr.replace("'", "''") + "'",
                "        eval_time: 4m",
                "        exp_samples:",
                "          - labels: '{action=\"SCALE_OUT\", reason=\"SIGNAL_HIGH\", target=\"milvus/r/queryNode\"}'",
                "            value: 1",
                // At 6m proxy's write has landed: its window (4m-6m) shows the scale-out.
                "      - expr: '" + expr.replace("'", "''") + "'",
                "        eval_time: 6m",
                "        exp_samples:",
                "          - labels: '{action=\"SCALE_OUT\", reason=\"SIGNAL_HIGH\", target=\"milvus/r/proxy\"}'",
                "            value: 1",
                "");
        java.nio.file.Files.writeString(dir.resolve("annotation.test.yaml"), test);
        String out = Tools.run(dir, List.of(Tools.promtool().toString(), "test", "rules", "annotation.test.yaml")).ok();
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void panelIdsAreUnique() {
        List<Integer> ids = new ArrayList<>();
        collectIds(DASHBOARD.getAsJsonArray("panels"), ids);
        assertEquals(ids.size(), new HashSet<>(ids).size(), "panel ids " + ids);
    }

    /**
     * grafana/kustomization.yaml renders one ConfigMap that kube-prometheus-stack's Grafana sidecar loads: the label
     * and value its values.yaml sets (grafana.sidecar.dashboards.label grafana_dashboard, labelValue "1", searchNamespace
     * ALL), the dashboard byte for byte, and a fixed name so an update replaces the dashboard rather than adding one.
     */
    @Test
    void theKustomizationMakesTheConfigMapTheGrafanaSidecarLoads() {
        Rendered r = Rendered.of(Repo.DASHBOARD.getParent());
        assertEquals(List.of("ConfigMap"), r.kinds());
        io.kubernetes.client.openapi.models.V1ConfigMap cm = r.one(io.kubernetes.client.openapi.models.V1ConfigMap.class);
        assertEquals("milvus-autoscaler-dashboard", cm.getMetadata().getName());
        assertEquals("milvus-autoscaler", cm.getMetadata().getNamespace());
        assertEquals(Map.of("grafana_dashboard", "1"), cm.getMetadata().getLabels());
        assertEquals(Map.of("milvus-autoscaler.json", Repo.read(Repo.DASHBOARD)), cm.getData());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            plain variable           | rate(x{target=~"$namespace/.*"}[$__rate_interval]) | rate(x{target=~"[^/]+/.*"}[1m])
            braces and format        | x{job=~"${job:regex}"}                               | x{job=~"milvus-autoscaler"}
            old bracket syntax       | x{signal=~"[[signal]]"}                              | x{signal=~".+"}
            longest name wins        | increase(x[$__interval]) + $__range                  | increase(x[15s]) + 1h
            regex end anchor is kept | x{target=~"a$"}                                      | x{target=~"a$"}
            """)
    void expandReplacesGrafanaVariables(String name, String expr, String expanded) {
        assertEquals(expanded, DashboardQueries.expand(expr, DashboardQueries.MATCH_ALL));
    }

    @Test
    void expandRefusesAnUnknownVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DashboardQueries.expand("x{target=~\"$namespce/.*\"}", DashboardQueries.MATCH_ALL));
        assertTrue(e.getMessage().contains("$namespce"), e.getMessage());
    }

    private static JsonObject variable(String name) {
        return DASHBOARD.getAsJsonObject("templating").getAsJsonArray("list").asList().stream()
                .map(JsonElement::getAsJsonObject).filter(v -> v.get("name").getAsString().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no variable " + name));
    }

    /** What Grafana shows for {@code value} under the variable's regex: its first capture group. */
    private static String grafanaRegexCapture(JsonObject variable, String value) {
        String regex = variable.get("regex").getAsString();
        assertTrue(regex.startsWith("/") && regex.endsWith("/"), regex);
        var m = Pattern.compile(regex.substring(1, regex.length() - 1)).matcher(value);
        assertTrue(m.find(), regex + " does not match " + value);
        return m.group(1);
    }

    private static void collectDatasourceUids(JsonElement e, String path, List<String> fixed) {
        if (e.isJsonObject()) {
            for (Map.Entry<String, JsonElement> entry : e.getAsJsonObject().entrySet()) {
                String p = path + "." + entry.getKey();
                if (entry.getKey().equals("datasource") && entry.getValue().isJsonObject()) {
                    JsonObject ds = entry.getValue().getAsJsonObject();
                    String type = ds.has("type") ? ds.get("type").getAsString() : "";
                    String uid = ds.has("uid") ? ds.get("uid").getAsString() : "";
                    if (!type.equals("grafana") && !uid.equals(DATASOURCE_UID)) {
                        fixed.add(p + " = " + ds);
                    }
                } else if (entry.getKey().equals("datasource") && entry.getValue().isJsonPrimitive()) {
                    fixed.add(p + " = " + entry.getValue());
                } else {
                    collectDatasourceUids(entry.getValue(), p, fixed);
                }
            }
        } else if (e.isJsonArray()) {
            int i = 0;
            for (JsonElement item : e.getAsJsonArray()) {
                collectDatasourceUids(item, path + "[" + i++ + "]", fixed);
            }
        }
    }

    private static void collectTitles(JsonObject o, Set<String> titles) {
        if (!o.has("panels")) {
            return;
        }
        for (JsonElement p : o.getAsJsonArray("panels")) {
            titles.add(p.getAsJsonObject().get("title").getAsString());
            collectTitles(p.getAsJsonObject(), titles);
        }
    }

    private static void collectIds(com.google.gson.JsonArray panels, List<Integer> ids) {
        for (JsonElement p : panels) {
            ids.add(p.getAsJsonObject().get("id").getAsInt());
            if (p.getAsJsonObject().has("panels")) {
                collectIds(p.getAsJsonObject().getAsJsonArray("panels"), ids);
            }
        }
    }
}
