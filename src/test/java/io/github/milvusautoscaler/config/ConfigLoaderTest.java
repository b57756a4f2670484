package io.github.milvusautoscaler.config;

import io.github.milvusautoscaler.core.ServerSettings;
import io.github.milvusautoscaler.core.CircuitBreakerSettings;
import io.github.milvusautoscaler.core.RetrySettings;
import io.github.milvusautoscaler.core.LabelScheme;
import io.github.milvusautoscaler.core.SignalQuery;
import io.github.milvusautoscaler.core.DeclaredResource;
import io.github.milvusautoscaler.core.ContainerResource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.github.milvusautoscaler.core.ActiveAlert.AlertAction;
import io.github.milvusautoscaler.core.AlertRoute;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.LeaderElectionSettings;
import io.github.milvusautoscaler.core.PrometheusAuth;
import io.github.milvusautoscaler.policy.FallbackSettings;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.SignalPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Loading valid files: the shipped example, the defaults, inheritance, signal order and query templates. */
class ConfigLoaderTest {

    private static final Config REFERENCE = ConfigFactory.parseResources("reference.conf").resolve()
            .getConfig("milvus-autoscaler");

    private static TargetSettings target(AutoscalerSettings settings, String id) {
        return settings.targets().stream().filter(t -> t.target().id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no target " + id + " in " + settings.targets()));
    }

    private static List<String> signalNames(TargetSettings t) {
        return t.policy().signals().stream().map(SignalPolicy::name).toList();
    }

    private static String oneCluster(String version, String components) {
        return "milvus-autoscaler.clusters = [{ namespace = milvus, name = search, install = helm, milvus-version = \""
                + version + "\", components { " + components + " } }]";
    }

    /**
     * The chart's milvus.fullname with nameOverride (milvus-helm templates/_helpers.tpl: {@code $name := default
     * .Chart.Name .Values.nameOverride}; the release alone when it contains $name, else release-$name; a
     * fullnameOverride wins), so the Deployments named are the ones the chart made.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "release {0}, name-override {1}, fullname-override {2}")
    @org.junit.jupiter.params.provider.CsvSource({
            "prod, vdb, '', prod-vdb-querynode",
            "team-vdb, vdb, '', team-vdb-querynode",
            "prod, vdb, search, search-querynode",
            "prod-milvus, vdb, '', prod-milvus-vdb-querynode"})
    void nameOverrideNamesTheDeploymentsAsTheChartDoes(String release, String nameOverride, String fullnameOverride,
                                                        String deployment) {
        TargetSettings t = ConfigLoader.parse("milvus-autoscaler.clusters = [{ namespace = milvus, name = " + release
                + ", install = helm, milvus-version = \"2.5.6\", name-override = " + nameOverride
                + (fullnameOverride.isEmpty() ? "" : ", fullname-override = " + fullnameOverride)
                + ", components { queryNode {} } }]", "autoscaler.conf").targets().get(0);
        assertEquals(List.of(deployment), io.github.milvusautoscaler.core.DeploymentNames.of(t.target()));
    }

    /**
     * The example's routes send every shipped scaling alert (deploy/prometheus/milvus-autoscaler.rules.yaml, with
     * the namespace and instance labels its expressions keep) to scale-out, not to the catch-all block: a route
     * keyed on a label those rules do not carry never scaled on them (SRE audit M6).
     */
    /**
     * A bad value a file takes from the environment is located at the substitution that asked for it, named with its
     * variable: typesafe-config gives it the origin "env variables" alone, and the SRE had to search every file for
     * the ${...} it came from (configuration audit C9). pom.xml sets MILVUS_AUTOSCALER_TEST_ZERO=0 for the tests.
     */
    @Test
    void aBadValueFromTheEnvironmentNamesItsVariableAndTheLineThatAskedForIt(@org.junit.jupiter.api.io.TempDir
                                                                              java.nio.file.Path dir) throws Exception {
        assertEquals("0", System.getenv("MILVUS_AUTOSCALER_TEST_ZERO"), "run through Maven: pom.xml sets it");
        java.nio.file.Path file = dir.resolve("env.conf");
        java.nio.file.Files.writeString(file, """
                milvus-autoscaler {
                  prometheus.url = "http://prometheus:9090"
                  defaults.max-replicas = ${MILVUS_AUTOSCALER_TEST_ZERO}
                  clusters = [{ namespace = milvus, name = search, install = helm, milvus-version = "2.5.6",
                    components { queryNode { min-replicas = 2, max-replicas = ${?MILVUS_AUTOSCALER_TEST_ZERO} } } }]
                }
                """);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        List<String> lines = e.errors().stream().map(ConfigError::toString).toList();
        assertTrue(lines.contains("milvus-autoscaler.defaults.max-replicas = \"0\" from ${MILVUS_AUTOSCALER_TEST_ZERO}"
                + " (env.conf:3): must be >= min-replicas (1)"), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("milvus-autoscaler.clusters[0].components.queryNode"
                + ".max-replicas = \"0\" from ${?MILVUS_AUTOSCALER_TEST_ZERO} (env.conf:5): ")), String.join("\n", lines));
        assertTrue(lines.stream().noneMatch(l -> l.contains("env variables")), String.join("\n", lines));
    }

    /**
     * The override idiom config/autoscaler.conf uses (url = "http://..." then url = ${?PROMETHEUS_URL}) stays a merge
     * until resolved; a bad value from it is located at the substitution's line too, and when the variable is unset
     * the first value wins and is located as any value.
     */
    @Test
    void aBadValueFromAnOverrideIdiomIsLocatedAtTheOverride() {
        InvalidConfigException set = assertThrows(InvalidConfigException.class, () -> ConfigLoader.parse("""
                milvus-autoscaler {
                  defaults.max-replicas = 4
                  defaults.max-replicas = ${?MILVUS_AUTOSCALER_TEST_ZERO}
                }
                """, "env.conf"));
        assertEquals(List.of("milvus-autoscaler.defaults.max-replicas = \"0\" from ${?MILVUS_AUTOSCALER_TEST_ZERO}"
                + " (env.conf:3): must be >= min-replicas (1)"), set.errors().stream().map(ConfigError::toString).toList());
        InvalidConfigException unset = assertThrows(InvalidConfigException.class, () -> ConfigLoader.parse("""
                milvus-autoscaler {
                  defaults.max-replicas = 0
                  defaults.max-replicas = ${?MILVUS_AUTOSCALER_TEST_UNSET}
                }
                """, "env.conf"));
        assertEquals(List.of("milvus-autoscaler.defaults.max-replicas = 0 (env.conf:2): must be >= min-replicas (1)"),
                unset.errors().stream().map(ConfigError::toString).toList());
    }

    /**
     * Signals off in defaults leave only memory on a queryNode, and nothing on the proxy reference.conf gives memory
     * off: with no proxy configured that is no error (it was one, at reference.conf's line, config audit M5); with a
     * proxy it is, on the proxy's cluster.
     */
    @Test
    void aComponentNoClusterRunsIsNotRefusedForWhatOnlyReferenceConfSetsThere() {
        String signalsOff = "milvus-autoscaler.defaults.signals { cpu.enabled = false, qps.enabled = false }\n";
        TargetSettings t = ConfigLoader.parse(signalsOff + oneCluster("2.5", "queryNode {}"), "autoscaler.conf")
                .targets().get(0);
        assertEquals(List.of("memory"), t.policy().signals().stream().map(p -> p.name()).toList());
        InvalidConfigException withProxy = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.parse(signalsOff + oneCluster("2.5", "queryNode {}, proxy {}"), "autoscaler.conf"));
        assertTrue(withProxy.getMessage().contains("must enable at least one signal"), withProxy.getMessage());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theExamplesRoutesActOnTheShippedScalingAlertsAsTheirActionAsks() throws Exception {
        AutoscalerSettings s = ConfigLoader.load(Path.of("config/autoscaler.conf"));
        Map<String, Object> file = new org.yaml.snakeyaml.Yaml().load(
                java.nio.file.Files.readString(Path.of("deploy/prometheus/milvus-autoscaler.rules.yaml")));
        List<Map<String, Object>> rules = ((List<Map<String, Object>>) file.get("groups")).stream()
                .filter(g -> "milvus-autoscaling".equals(g.get("name")))
                .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream()).toList();
        assertFalse(rules.isEmpty());
        for (Map<String, Object> rule : rules) {
            Map<String, String> labels = new java.util.HashMap<>((Map<String, String>) rule.get("labels"));
            labels.put("alertname", (String) rule.get("alert"));
            labels.put("namespace", "milvus");
            labels.put("app_kubernetes_io_instance", "search-prod");
            AlertRoute first = s.alerts().routes().stream().filter(r -> r.matches(labels)).findFirst().orElseThrow();
            // Each as its autoscaler_action asks: MilvusWorkerOOMKilled only blocks, the rest scale out.
            assertEquals("block-scale-in".equals(labels.get("autoscaler_action")) ? AlertAction.BLOCK_SCALE_IN
                    : AlertAction.SCALE_OUT, first.action(), rule.get("alert") + " " + labels);
        }
    }

    @Test
    void shippedExampleLoads() {
        // Maven runs tests from the project root, where config/autoscaler.conf lives.
        AutoscalerSettings s = ConfigLoader.load(Path.of("config/autoscaler.conf"));

        assertEquals(List.of("milvus/search-prod/queryNode", "milvus/search-prod/proxy",
                        "analytics/milvus-batch/queryNode", "analytics/milvus-batch/dataNode",
                        "analytics/milvus-batch/indexNode"),
                s.targets().stream().map(t -> t.target().id()).toList());
        assertTrue(s.dryRun());
        TargetSettings operatorQuery = target(s, "milvus/search-prod/queryNode");
        assertEquals(InstallKind.OPERATOR, operatorQuery.target().install());
        assertEquals("2.5.4", operatorQuery.milvusVersion());
        // min 3 from the cluster beats component-defaults' 2; scale-in sustain 15m from the user's defaults.
        assertEquals(3, operatorQuery.policy().minReplicas());
        assertEquals(12, operatorQuery.policy().maxReplicas());
        assertEquals(Duration.ofMinutes(15), operatorQuery.policy().scaleIn().sustain());
        assertEquals(List.of("cpu", "memory", "qps", "read-queue", "search-latency-p99"), signalNames(operatorQuery));
        assertEquals(new SignalPolicy("search-latency-p99", 250, 60, 120),
                operatorQuery.policy().signal("search-latency-p99"));
        assertTrue(operatorQuery.hasSettleQuery());
        assertTrue(operatorQuery.hasHealthQuery());

        TargetSettings helmData = target(s, "analytics/milvus-batch/dataNode");
        assertEquals(InstallKind.HELM, helmData.target().install());
        assertEquals(List.of("cpu", "memory"), signalNames(helmData));
        // Milvus 2.5 builds indexes on index nodes: the index-job backlog sizes them, not the data nodes.
        assertEquals(List.of("cpu", "memory", "index-backlog"), signalNames(target(s, "analytics/milvus-batch/indexNode")));
        assertEquals(2, target(s, "analytics/milvus-batch/queryNode").policy().minReplicas());
        // Each action twice: for the chart's component label, then for the operator PodMonitor's.
        assertEquals(List.of(AlertAction.SCALE_OUT, AlertAction.SCALE_OUT, AlertAction.BLOCK_SCALE_IN,
                AlertAction.BLOCK_SCALE_IN), s.alerts().routes().stream().map(AlertRoute::action).toList());
        assertEquals(List.of("component", "app_kubernetes_io_component", "component", "app_kubernetes_io_component"),
                s.alerts().routes().stream().map(AlertRoute::componentLabel).toList());
    }

    @Test
    void emptyFileYieldsTheDocumentedDefaults() {
        AutoscalerSettings s = ConfigLoader.parse("", "autoscaler.conf");

        assertEquals(ConfigLoader.defaults().prometheus(), s.prometheus());
        assertEquals(REFERENCE.getString("prometheus.url"), s.prometheus().url());
        assertEquals("http://prometheus-operated.monitoring:9090", s.prometheus().url());
        assertEquals(Duration.ofSeconds(5), s.prometheus().timeout());
        assertEquals(Duration.ofMinutes(2), s.prometheus().staleAfter());
        assertEquals(1000, s.prometheus().maxSeries());
        assertEquals(new RetrySettings(3, Duration.ofMillis(200)), s.prometheus().retry());
        assertEquals(new CircuitBreakerSettings(50f, Duration.ofMinutes(1), 10, Duration.ofSeconds(30)), s.prometheus().breaker());
        assertEquals(new PrometheusAuth(Optional.empty(), "", Optional.empty(), Optional.empty()), s.prometheus().auth());
        assertEquals(Map.of(), s.prometheus().headers());
        assertEquals(Optional.empty(), s.kubernetes().kubeconfig());
        assertEquals(new LeaderElectionSettings(true, "milvus-autoscaler", "", "", Duration.ofSeconds(15),
                Duration.ofSeconds(10), Duration.ofSeconds(2)), s.kubernetes().leaderElection());
        assertEquals(Duration.ofSeconds(15), s.loopInterval());
        assertEquals(Duration.ofSeconds(2), s.loopJitter());
        assertFalse(s.dryRun());
        assertEquals(30, s.maxActionsPerHour());
        assertEquals("", s.decisionLogPath());
        assertEquals(new ServerSettings(8080, "0.0.0.0", java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(10), 64, 16,
                16384, 65536), s.server());
        assertEquals(1, s.alerts().step());
        assertEquals(Duration.ofMinutes(5), s.alerts().cooldown());
        assertEquals(1024 * 1024, s.alerts().maxBodyBytes()); // 1MiB
        // The chart's ServiceMonitor gives component, the operator's PodMonitor app_kubernetes_io_component.
        assertEquals(List.of(new AlertRoute(Map.of(), Map.of(), "namespace", "app_kubernetes_io_instance",
                "component", AlertAction.SCALE_OUT), new AlertRoute(Map.of(), Map.of(), "namespace",
                "app_kubernetes_io_instance", "app_kubernetes_io_component", AlertAction.SCALE_OUT)).toString(),
                s.alerts().routes().toString());
        assertEquals(new LabelScheme("app_kubernetes_io_instance", "app_kubernetes_io_component"),
                s.labelScheme(InstallKind.OPERATOR));
        assertEquals(new LabelScheme("app_kubernetes_io_instance", "component"), s.labelScheme(InstallKind.HELM));
        assertEquals(Set.of("component-pods", "serving-pods", "component-ready", "proxy-pods", "cpu", "memory", "qps",
                "read-queue", "index-backlog", "index-backlog-legacy", "search-latency-p99", "querynode-settle", "querynode-replica-floor",
                "cpu-undeclared", "memory-undeclared", "cpu-request", "cpu-empty-why", "qps-empty-why", "index-backlog-legacy-empty-why"),
                s.queryTemplates().keySet());
        assertEquals(REFERENCE.getString("queries.cpu"), s.queryTemplates().get("cpu"));
        assertEquals(List.of(), s.targets());
        assertEquals(REFERENCE.root().keySet(), s.resolved().root().keySet());
    }

    @Test
    void aComponentWithoutOverridesGetsTheDocumentedDefaults() {
        TargetSettings t = ConfigLoader.parse(oneCluster("2.5", "queryNode {}"), "autoscaler.conf").targets().get(0);
        PolicySettings p = t.policy();

        assertEquals(Duration.ofMinutes(15), p.scaleIn().sustain());
        assertEquals(REFERENCE.getDuration("defaults.scale-in.sustain"), p.scaleIn().sustain());
        assertEquals(Duration.ofMinutes(5), p.scaleIn().cooldown());
        assertEquals(Duration.ofMinutes(15), p.scaleIn().delayAfterScaleOut());
        assertEquals(Duration.ofMinutes(5), p.scaleIn().verifyWindow());
        assertEquals(Duration.ofMinutes(30), p.scaleIn().backoff());
        assertEquals(Duration.ofMinutes(30), p.scaleIn().settleTimeout());
        assertEquals(Duration.ofHours(1), p.scaleIn().peakAfterReversal());
        assertEquals(Duration.ofMinutes(1), p.scaleOut().sustain());
        assertEquals(Duration.ofMinutes(3), p.scaleOut().cooldown());
        assertEquals(2, p.scaleOut().maxStep());
        assertEquals(1.5, p.scaleOut().panicAbove());
        assertEquals(1, p.minReplicas());
        assertEquals(10, p.maxReplicas());
        assertEquals(new FallbackSettings(Duration.ofMinutes(10), FallbackSettings.Mode.HOLD, 2), p.fallback());
        assertEquals(List.of("cpu", "memory", "qps"), signalNames(t));
        // target null: the middle of the band, (0.40 + 0.75) / 2 = 0.575.
        assertEquals(new SignalPolicy("cpu", 0.75, 0.40, 0.575), p.signal("cpu"));
        assertEquals(REFERENCE.getDouble("defaults.signals.cpu.scale-in-below"), p.signal("cpu").scaleInBelow());
        assertEquals(REFERENCE.getDouble("defaults.signals.cpu.scale-out-above"), p.signal("cpu").scaleOutAbove());
        // (0.50 + 0.80) / 2 = 0.65; (80 + 150) / 2 = 115.
        assertEquals(0.65, p.signal("memory").target(), 1e-12);
        assertEquals(115, p.signal("qps").target(), 1e-12);
        assertEquals(new SignalQuery("cpu", REFERENCE.getString("queries.cpu"), true, false,
                new DeclaredResource(REFERENCE.getString("queries.cpu-undeclared"), ContainerResource.CPU_REQUEST,
                        REFERENCE.getString("queries.cpu-request")),
                REFERENCE.getString("queries.cpu-empty-why")), t.signal("cpu"));
        // qps divides by queries.component-ready, which it includes: read beside it (recheck 96, F1); cpu includes none.
        assertEquals(new SignalQuery("qps", REFERENCE.getString("queries.qps"), false, false, null,
                REFERENCE.getString("queries.qps-empty-why"), REFERENCE.getString("queries.component-ready")),
                t.signal("qps"));
        // queryNode's settle query comes from component-defaults, which points at queries.querynode-settle.
        assertEquals(REFERENCE.getString("queries.querynode-settle"), t.settleQuery());
        // and its replica floor from queries.querynode-replica-floor.
        assertEquals(REFERENCE.getString("queries.querynode-replica-floor"), t.replicaFloorQuery());
        assertEquals("", t.healthQuery());
        assertEquals(1, p.alerts().step());
    }

    /**
     * One file, four targets, each key set at a different layer. Precedence: the cluster's component beats
     * component-defaults, which beats the user's defaults, which beats reference.conf.
     */
    static final String LAYERED = """
            milvus-autoscaler {
              defaults { scale-out.max-step = 3, signals.cpu.scale-out-above = 0.70 }
              component-defaults {
                queryNode { scale-out.max-step = 4, signals.cpu.scale-out-above = 0.80 }
                dataNode { scale-out.max-step = 5, scale-in.sustain = 20m }
              }
              clusters = [{ namespace = milvus, name = search, install = operator, milvus-version = "2.5",
                components {
                  queryNode { scale-out.max-step = 6 }
                  dataNode { signals.cpu.scale-out-above = 0.90, signals.qps.enabled = true }
                  proxy { scale-in.sustain = 2m }
                  indexNode {}
                } }]
            }
            """;

    @ParameterizedTest(name = "{0}: max-step {1}, cpu above {2}, scale-in sustain {3}, signals {4}")
    @CsvSource(delimiter = '|', textBlock = """
            # component | max-step | cpu scale-out-above | scale-in sustain | enabled signals
            # queryNode: max-step 6 from the cluster (over 4 and 3); cpu 0.80 from component-defaults (over 0.70).
            queryNode   | 6        | 0.80                | PT15M            | cpu memory qps
            # dataNode: max-step 5 and sustain 20m from component-defaults; cpu 0.90 from the cluster; qps
            # re-enabled by the cluster although reference.conf's component-defaults turn it off.
            dataNode    | 5        | 0.90                | PT20M            | cpu memory qps
            # proxy: max-step 3 and cpu 0.70 from the user's defaults; sustain 2m from the cluster; memory off
            # by reference.conf's component-defaults.
            proxy       | 3        | 0.70                | PT2M             | cpu qps
            # indexNode: everything from the user's defaults and reference.conf; qps off by component-defaults.
            indexNode   | 3        | 0.70                | PT15M            | cpu memory
            """)
    void inheritancePrecedence(String component, int maxStep, double cpuAbove, Duration sustain, String signals) {
        TargetSettings t = target(ConfigLoader.parse(LAYERED, "autoscaler.conf"), "milvus/search/" + component);
        assertEquals(maxStep, t.policy().scaleOut().maxStep());
        assertEquals(cpuAbove, t.policy().signal("cpu").scaleOutAbove());
        // The band's lower edge is untouched (0.40), so the target is its middle: (0.40 + above) / 2.
        assertEquals((0.40 + cpuAbove) / 2, t.policy().signal("cpu").target(), 1e-12);
        assertEquals(sustain, t.policy().scaleIn().sustain());
        assertEquals(Arrays.asList(signals.split(" ")), signalNames(t));
        assertEquals(Component.fromName(component).orElseThrow(), t.target().component());
    }

    @Test
    void signalOrderIsBuiltInsThenTheUsersOwnByLine() {
        // zeta is written before alpha, and beta (a cluster's own) last: file order, not name or hash order.
        String hocon = """
                milvus-autoscaler.defaults.signals.zeta { scale-out-above = 5, scale-in-below = 1, query = "zeta" }
                milvus-autoscaler.defaults.signals.alpha { scale-out-above = 5, scale-in-below = 1, query = "alpha" }
                milvus-autoscaler.clusters = [{ namespace = milvus, name = search, install = helm,
                  milvus-version = "2.5", components { queryNode {
                    signals.beta { scale-out-above = 9, scale-in-below = 3, query = "beta", per-pod = true }
                    signals.read-queue.enabled = true
                  } } }]
                """;
        for (int i = 0; i < 3; i++) {
            TargetSettings t = ConfigLoader.parse(hocon, "autoscaler.conf").targets().get(0);
            assertEquals(List.of("cpu", "memory", "qps", "read-queue", "zeta", "alpha", "beta"), signalNames(t));
            assertEquals(signalNames(t), t.signals().stream().map(SignalQuery::name).toList());
            // A user's signal starts from new-signal-defaults: enabled, one cluster value, target mid-band.
            assertEquals(new SignalQuery("zeta", "zeta", false), t.signal("zeta"));
            assertEquals(new SignalQuery("beta", "beta", true), t.signal("beta"));
            assertEquals(3.0, t.policy().signal("zeta").target()); // (1 + 5) / 2
        }
    }

    @ParameterizedTest(name = "milvus {0}: index-backlog uses queries.{1}")
    @CsvSource({
            // milvus_datacoord_task_count{task_type="JobTypeIndexJob"} exists from 2.5.5 (pkg/metrics/datacoord_metrics.go:
            // IndexTaskNum "Deprecated: please use TaskNum after v2.5.5"); before, milvus_datacoord_index_task_count.
            "2.3, index-backlog-legacy",
            "2.4.17, index-backlog-legacy",
            "2.5, index-backlog-legacy",
            "2.5.4, index-backlog-legacy",
            "2.5.5, index-backlog",
            "v2.5.10, index-backlog",
            "2.6.0-rc1, index-backlog"})
    void indexBacklogTemplateFollowsTheMilvusVersion(String version, String templateKey) {
        AutoscalerSettings s = ConfigLoader.parse(
                oneCluster(version, "dataNode { signals.index-backlog.enabled = true }"), "autoscaler.conf");
        SignalQuery q = s.targets().get(0).signal("index-backlog");
        assertEquals(s.queryTemplates().get(templateKey), q.template());
        assertFalse(q.perPod());
    }

    @Test
    void aSignalsOwnQueryBeatsTheTemplate() {
        TargetSettings t = ConfigLoader.parse(
                oneCluster("2.5", "proxy { signals.cpu.query = \"avg(my_cpu{pod=~\\\"{release}.*\\\"})\" }"),
                "autoscaler.conf").targets().get(0);
        assertEquals("avg(my_cpu{pod=~\"{release}.*\"})", t.signal("cpu").template());
        assertNull(t.signal("memory"), "proxy's memory signal is off in reference.conf's component-defaults");
    }

    @Test
    void cpuAndMemoryOnTheirTemplatesAskWhetherThePodsDeclareTheirResource() {
        AutoscalerSettings s = ConfigLoader.parse(oneCluster("2.5", "queryNode { signals.memory.query = "
                + "\"avg(my_memory{pod=~\\\"{release}.*\\\"})\" }"), "autoscaler.conf");
        TargetSettings t = s.targets().get(0);
        assertEquals(s.queryTemplates().get("cpu-undeclared"), t.signal("cpu").declared().template());
        assertEquals("CPU request", t.signal("cpu").declared().resource().what());
        assertEquals("requests.cpu", t.signal("cpu").declared().resource().key());
        // a signal with its own query may divide by anything: nothing to ask about
        assertNull(t.signal("memory").declared());
        assertNull(t.signal("qps").declared());
        // an empty template switches the check off
        TargetSettings off = ConfigLoader.parse("milvus-autoscaler.queries.cpu-undeclared = \"\"\n"
                + oneCluster("2.5", "queryNode {}"), "autoscaler.conf").targets().get(0);
        assertNull(off.signal("cpu").declared());
        assertEquals("memory limit", off.signal("memory").declared().resource().what());
    }

    @Test
    void aUsersAlertRouteFallsBackOnTheReferenceRouteKeyByKey() {
        AlertsSettings alerts = ConfigLoader.parse(
                "milvus-autoscaler.alerts.routes = [{ match { team = search }, match-re { severity = \"critical|page\" },"
                        + " name-label = release }]", "autoscaler.conf").alerts();
        AlertRoute route = alerts.routes().get(0);
        assertEquals("release", route.nameLabel());
        assertEquals("namespace", route.namespaceLabel()); // from reference.conf's route
        assertEquals("component", route.componentLabel());
        assertEquals(AlertAction.SCALE_OUT, route.action());
        assertTrue(route.matches(Map.of("team", "search", "severity", "page")));
        // Anchored: "paged" does not match "critical|page"; a missing label never matches.
        assertFalse(route.matches(Map.of("team", "search", "severity", "paged")));
        assertFalse(route.matches(Map.of("severity", "page")));
    }

    @Test
    void resolvedKeepsTheWholeMergedSubtree() {
        AutoscalerSettings s = ConfigLoader.parse("milvus-autoscaler.loop.interval = 30s", "autoscaler.conf");
        assertEquals(Duration.ofSeconds(30), s.resolved().getDuration("loop.interval"));
        assertEquals(Duration.ofSeconds(30), s.loopInterval());
        assertEquals(REFERENCE.getString("queries.querynode-settle"),
                s.resolved().getString("component-defaults.queryNode.settle-query"));
    }

    @Test
    void errorsCarryTheirParts() {
        InvalidConfigException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.parse("\nmilvus-autoscaler.defaults.max-replicas = ten", "dir/autoscaler.conf"));
        assertEquals(new ConfigError("milvus-autoscaler.defaults.max-replicas", "\"ten\"", "autoscaler.conf", 2,
                "must be a whole number"), e.errors().get(0));
    }
}
