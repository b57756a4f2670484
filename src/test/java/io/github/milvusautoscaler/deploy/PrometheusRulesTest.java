package io.github.milvusautoscaler.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.core.ActiveAlert.AlertAction;
import io.github.milvusautoscaler.core.AlertRoute;
import io.github.milvusautoscaler.core.Component;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.dynamic.Dynamics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/prometheus/milvus-autoscaler.rules.yaml passes {@code promtool check rules} and its unit
 * tests ({@code promtool test rules}), with a firing and a quiet case for every alert; the
 * PrometheusRule carries exactly the same groups; the alerts that drive scaling reach the daemon
 * (Alertmanager route, checked with amtool) and pick a target with the right action (the daemon's
 * own routes, from the rendered in-cluster config), and the alerts about the autoscaler do neither.
 */
class PrometheusRulesTest {

    private static final Yaml YAML = new Yaml();
    private static Map<String, Object> rules;
    private static Map<String, Object> ruleTests;
    /**
     * Every alert rule, in file order. A name may have more than one rule (MilvusIndexBacklog: one
     * per component that builds indexes), so a rule is checked on its own and a name's cases together.
     */
    private static final List<Map<String, Object>> RULES = new ArrayList<>();
    /** The alert names, each once. */
    private static final Set<String> ALERTS = new TreeSet<>();

    @BeforeAll
    static void load() {
        rules = YAML.load(Repo.read(Repo.RULES));
        ruleTests = YAML.load(Repo.read(Repo.RULE_TESTS));
        for (Map<String, Object> group : maps(rules.get("groups"))) {
            for (Map<String, Object> rule : maps(group.get("rules"))) {
                assertNotNull(rule.get("alert"), "only alerting rules here: " + rule);
                RULES.add(rule);
                ALERTS.add((String) rule.get("alert"));
            }
        }
    }

    @Test
    void promtoolChecksTheRules() {
        String out = Tools.run(Repo.RULES.getParent(),
                List.of(Tools.promtool().toString(), "check", "rules", Repo.RULES.getFileName().toString())).ok();
        assertTrue(out.contains("SUCCESS: " + RULES.size() + " rules found"), out);
    }

    @Test
    void promtoolUnitTestsPass() {
        String out = Tools.run(Repo.RULE_TESTS.getParent(),
                List.of(Tools.promtool().toString(), "test", "rules", Repo.RULE_TESTS.getFileName().toString())).ok();
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void everyAlertHasAFiringAndAQuietUnitTest() {
        Map<String, Set<String>> cases = new TreeMap<>();
        ALERTS.forEach(a -> cases.put(a, new TreeSet<>()));
        for (Map<String, Object> group : maps(ruleTests.get("tests"))) {
            for (Map<String, Object> test : maps(group.get("alert_rule_test"))) {
                String alert = (String) test.get("alertname");
                assertTrue(ALERTS.contains(alert), "a test of an alert that does not exist: " + alert);
                cases.get(alert).add(maps(test.get("exp_alerts")).isEmpty() ? "quiet" : "firing");
            }
        }
        Map<String, Set<String>> both = new TreeMap<>();
        ALERTS.forEach(a -> both.put(a, Set.of("firing", "quiet")));
        assertEquals(both, cases);
        // Where a name has several rules, each fires in some case: its own labels are in a firing alert's.
        List<Map<String, String>> firing = firingLabels();
        for (Map<String, Object> rule : RULES) {
            Map<String, String> own = new TreeMap<>();
            map(rule.get("labels")).forEach((k, v) -> own.put(k, String.valueOf(v)));
            own.put("alertname", (String) rule.get("alert"));
            assertTrue(firing.stream().anyMatch(f -> f.entrySet().containsAll(own.entrySet())),
                    "no unit test fires the rule with labels " + own);
        }
        assertEquals(List.of(Repo.RULES.getFileName().toString()), ruleTests.get("rule_files"));
    }

    @Test
    void prometheusRuleManifestCarriesTheSameGroups() {
        DynamicKubernetesObject rule = Dynamics.newFromYaml(Repo.read(Repo.PROMETHEUS_RULE));
        assertEquals("monitoring.coreos.com/v1", rule.getApiVersion());
        assertEquals("PrometheusRule", rule.getKind());
        Map<String, Object> manifest = YAML.load(Repo.read(Repo.PROMETHEUS_RULE));
        assertEquals(rules, manifest.get("spec"),
                "deploy/prometheus-rules.yaml spec differs from deploy/prometheus/milvus-autoscaler.rules.yaml; copy the groups again");
    }

    @Test
    void everyAlertHasSeveritySummaryDescriptionAndRunbook() {
        for (Map<String, Object> rule : RULES) {
            String alert = (String) rule.get("alert");
            Map<String, Object> labels = map(rule.get("labels"));
            Map<String, Object> annotations = map(rule.get("annotations"));
            assertTrue(Set.of("warning", "critical").contains(labels.get("severity")), alert + " severity");
            assertEquals(Set.of("summary", "description", "runbook_url"), annotations.keySet(), alert);
            // The README's runbook has a heading per alert; GitHub's anchor is the name in lower case.
            assertTrue(((String) annotations.get("runbook_url")).endsWith("README.md#" + alert.toLowerCase(Locale.ROOT)),
                    alert + " runbook_url");
            // One that only holds scale-in pages no one and may take effect at once: MilvusWorkerOOMKilled's expression
            // is 30 minutes wide already, and in a minute's `for` a step-down of the killed component went through
            // (recheck 70, F1).
            assertTrue(rule.get("for") != null || "block-scale-in".equals(labels.get("autoscaler_action")),
                    alert + " has a for: duration (no page on one evaluation)");
        }
    }

    @Test
    void scalingAlertsNameTheirTargetAndTheSelfAlertsAreAllThere() {
        Set<String> scaling = new TreeSet<>();
        Set<String> self = new TreeSet<>();
        for (Map<String, Object> rule : RULES) {
            String alert = (String) rule.get("alert");
            Map<String, Object> labels = map(rule.get("labels"));
            if (labels.containsKey("autoscaler_action")) {
                scaling.add(alert);
                // The component goes in the label the install's own series carry, set by the expr: component for a
                // Helm release, app_kubernetes_io_component (milvus_install="operator") for an operator install.
                String expr = (String) rule.get("expr");
                java.util.regex.Matcher pods = java.util.regex.Pattern.compile(
                        "up\\{component=~\"([a-z|]+)\"\\}[\\s\\S]*milvus_num_node\\{component=\"proxy\"\\}"
                                + "[\\s\\S]*up\\{app_kubernetes_io_component=~\"([a-z|]+)\"\\}[\\s\\S]*"
                                + "milvus_num_node\\{app_kubernetes_io_component=\"proxy\"\\}").matcher(expr);
                if (pods.find()) {
                    // The component of each pod's own scrape target (MilvusWorkerOOMKilled), a proxy's from its Milvus
                    // series: the same workers in both installs' labels, kept by the aggregation, every worker named.
                    assertEquals(pods.group(1), pods.group(2), alert);
                    Set<Component> named = new java.util.HashSet<>(Set.of(Component.PROXY));
                    for (String worker : pods.group(1).split("\\|")) {
                        assertTrue(Component.fromName(worker).isPresent(), alert + ": " + worker + " is a component");
                        named.add(Component.fromName(worker).get());
                    }
                    assertEquals(Set.of(Component.values()), named, alert + " names every component the daemon scales");
                    assertTrue(expr.contains("by (namespace, app_kubernetes_io_instance, component,"
                            + " app_kubernetes_io_component, milvus_install)"), alert + " keeps the target's labels");
                    assertFalse(labels.containsKey("component"), alert);
                    continue;
                }
                java.util.regex.Matcher helm = java.util.regex.Pattern.compile(
                        "\"component\", \"([a-z]+)\", \"milvus_install\", \"\"").matcher(expr);
                java.util.regex.Matcher operator = java.util.regex.Pattern.compile(
                        "\"app_kubernetes_io_component\", \"([a-z]+)\", \"milvus_install\", \"operator\"").matcher(expr);
                assertTrue(helm.find() && operator.find(), alert + " sets both installs' component labels: " + expr);
                assertEquals(helm.group(1), operator.group(1), alert);
                Optional<Component> component = Component.fromName(helm.group(1));
                assertTrue(component.isPresent(), alert + ": component label names a worker component");
                assertFalse(labels.containsKey("component"), alert + ": no static component label, which would name"
                        + " the Helm install's label on an operator install's alert");
                assertTrue(expr.contains("namespace") && expr.contains("app_kubernetes_io_instance"),
                        alert + " keeps namespace and app_kubernetes_io_instance: " + expr);
            } else {
                self.add(alert);
            }
        }
        // Issue 6 point 6: p99 search latency, read-task queue backlog, index backlog ...
        // ... and a worker OOM-killed, which only holds its component's scale-in.
        assertEquals(Set.of("MilvusSearchLatencyHigh", "MilvusQueryQueueBacklog", "MilvusIndexBacklog",
                "MilvusWorkerOOMKilled"), scaling);
        // ... and down, no leader, Kubernetes or Prometheus unreachable, scale writes failing, pinned at max, a
        // stalled loop (a hung tick: /healthz stays 200 by design), Alertmanager webhooks refused (a 4xx is not retried),
        // a target that cannot be read or is refused (it never writes, so the write alert cannot see it), a config
        // edit refused (the config before keeps running), a load history not read for 2h (the forecast ages), this
        // node's clock off from Prometheus' (every signal UNKNOWN while the endpoint answers), one target's signals all
        // UNKNOWN while Prometheus answers the rest (one tenant's queries failing, a namespace not scraped), scale
        // actions held by the fleet's max-actions-per-hour.
        assertEquals(Set.of("MilvusAutoscalerBudgetExhausted", "MilvusAutoscalerHistoryUnread", "MilvusAutoscalerAlertWebhookRefused", "MilvusAutoscalerDown", "MilvusAutoscalerNoLeader", "MilvusAutoscalerKubernetesUnreachable",
                "MilvusAutoscalerPrometheusUnreachable", "MilvusAutoscalerScaleWritesFailing",
                "MilvusAutoscalerTargetAtMax", "MilvusAutoscalerLoopStalled", "MilvusAutoscalerTargetUnavailable",
                "MilvusAutoscalerConfigRefused", "MilvusAutoscalerClockSkew", "MilvusAutoscalerTargetBlind"), self);
    }

    @Test
    void everyAutoscalerMetricAndLabelValueInTheRulesExists() {
        Set<String> exported = MetricCatalog.exportedNames();
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> rule : RULES) {
            String alert = (String) rule.get("alert");
            String expr = (String) rule.get("expr");
            QueryChecks.unknownMetrics(expr, exported).forEach(m -> problems.add(alert + ": no metric " + m));
            QueryChecks.impossibleMatchers(expr, MetricCatalog.labelValues()).forEach(p -> problems.add(alert + ": " + p));
        }
        assertEquals(List.of(), problems);
    }

    /**
     * The labels of every alert the unit tests expect to fire, run through the daemon's routes as
     * the overlays configure them: scaling alerts pick their target with the action they ask for,
     * the alerts about the autoscaler match no route (they must never scale anything).
     */
    @Test
    void firingAlertsRouteInTheDaemonAsTheyAsk(@TempDir Path dir) {
        AutoscalerSettings settings = DeployManifestsTest.configOf("base", dir);
        List<AlertRoute> routes = settings.alerts().routes();
        List<String> checked = new ArrayList<>();
        for (Map<String, String> labels : firingLabels()) {
            // As the daemon routes: the first route whose matchers pass and whose three labels the alert carries.
            Optional<AlertRoute> route = routes.stream().filter(r -> r.matches(labels) && List.of(r.namespaceLabel(),
                    r.nameLabel(), r.componentLabel()).stream().allMatch(l -> !labels.getOrDefault(l, "").isEmpty()))
                    .findFirst();
            if (route.isEmpty()) {
                route = routes.stream().filter(r -> r.matches(labels)).findFirst();
            }
            String alert = labels.get("alertname");
            String asked = labels.get("autoscaler_action");
            if (asked == null) {
                assertTrue(route.isEmpty(), alert + " is about the autoscaler and must not reach a target: " + route);
            } else {
                assertTrue(route.isPresent(), alert + " matches no route of the in-cluster config");
                AlertAction expected = asked.equals("scale-out") ? AlertAction.SCALE_OUT : AlertAction.BLOCK_SCALE_IN;
                assertEquals(expected, route.get().action(), alert);
                for (String label : List.of(route.get().namespaceLabel(), route.get().nameLabel(), route.get().componentLabel())) {
                    assertFalse(labels.getOrDefault(label, "").isEmpty(), alert + " carries the route's label " + label);
                }
                assertTrue(Component.fromName(labels.get(route.get().componentLabel())).isPresent(), alert);
            }
            checked.add(alert);
        }
        assertTrue(checked.containsAll(ALERTS), "every alert checked: " + checked);
    }

    /**
     * deploy/alertmanager-receiver.yaml merged into a minimal Alertmanager configuration passes
     * {@code amtool check-config}, and amtool's route test sends every firing scaling alert to the
     * autoscaler's receiver and the alerts about the autoscaler elsewhere.
     */
    @Test
    void alertmanagerSnippetIsValidAndRoutesOnlyScalingAlertsToTheDaemon(@TempDir Path dir) throws IOException {
        Map<String, Object> snippet = YAML.load(Repo.read(Repo.ALERTMANAGER_RECEIVER));
        Map<String, Object> route = new LinkedHashMap<>();
        route.put("receiver", "team-pager");
        route.put("routes", map(snippet.get("route")).get("routes"));
        List<Object> receivers = new ArrayList<>();
        receivers.add(Map.of("name", "team-pager"));
        receivers.addAll(maps(snippet.get("receivers")));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("route", route);
        config.put("receivers", receivers);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Path file = dir.resolve("alertmanager.yml");
        Files.writeString(file, new Yaml(options).dump(config), StandardCharsets.UTF_8);

        String amtool = Tools.amtool().toString();
        Tools.run(dir, List.of(amtool, "check-config", file.toString())).ok();

        // The receiver posts to the Service of the base, with the bearer token from a file.
        Map<String, Object> webhook = maps(maps(snippet.get("receivers")).get(0).get("webhook_configs")).get(0);
        V1Service svc = Rendered.of(Repo.BASE).one(V1Service.class);
        assertEquals("http://" + svc.getMetadata().getName() + "." + svc.getMetadata().getNamespace() + ".svc:"
                + svc.getSpec().getPorts().get(0).getPort() + "/api/v1/alerts", webhook.get("url"));
        assertEquals(Boolean.TRUE, webhook.get("send_resolved"), "resolved lifts the scale-in block");
        Map<String, Object> authorization = map(map(webhook.get("http_config")).get("authorization"));
        assertEquals("Bearer", authorization.get("type"));
        String tokenKey = DeployManifestsTest.secretTemplate().getStringData().keySet().iterator().next();
        assertTrue(((String) authorization.get("credentials_file")).endsWith("/" + tokenKey), authorization.toString());
        assertFalse(authorization.containsKey("credentials"), "never the token itself");

        String receiver = (String) maps(snippet.get("receivers")).get(0).get("name");
        for (Map<String, String> labels : firingLabels()) {
            List<String> command = new ArrayList<>(List.of(amtool, "config", "routes", "test", "--config.file=" + file));
            labels.forEach((k, v) -> command.add(k + "=" + v));
            String out = Tools.run(dir, command).ok();
            // amtool prints the matching receivers comma-separated on one line, warnings on others.
            List<String> got = out.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("Warning"))
                    .flatMap(l -> Arrays.stream(l.split(","))).map(String::strip).toList();
            boolean scaling = labels.containsKey("autoscaler_action");
            assertEquals(scaling, got.contains(receiver), labels.get("alertname") + " routed to " + got);
        }
    }

    /** The labels (alertname included) of every alert a unit test expects to fire. */
    private static List<Map<String, String>> firingLabels() {
        List<Map<String, String>> out = new ArrayList<>();
        for (Map<String, Object> group : maps(ruleTests.get("tests"))) {
            for (Map<String, Object> test : maps(group.get("alert_rule_test"))) {
                for (Map<String, Object> expected : maps(test.get("exp_alerts"))) {
                    Map<String, String> labels = new TreeMap<>();
                    map(expected.get("exp_labels")).forEach((k, v) -> labels.put(k, String.valueOf(v)));
                    labels.put("alertname", (String) test.get("alertname"));
                    out.add(labels);
                }
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object o) {
        return o == null ? List.of() : (List<Map<String, Object>>) o;
    }
}
