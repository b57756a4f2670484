package io.github.milvusautoscaler.metrics;

import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.core.SignalQuery;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.DeploymentNames;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PromqlTemplateTest {

    private static final String TEMPLATE = "kube_pod_labels{namespace=\"{namespace}\", label_{instance_label}=\"{release}\","
            + " label_{component_label}=~\"{component}\"}";

    static Stream<Arguments> schemes() {
        return Stream.of(
                Arguments.of("operator", InstallKind.OPERATOR, "kube_pod_labels{namespace=\"milvus\","
                        + " label_app_kubernetes_io_instance=\"prod\", label_app_kubernetes_io_component=~\"querynode\"}"),
                Arguments.of("helm", InstallKind.HELM, "kube_pod_labels{namespace=\"milvus\","
                        + " label_app_kubernetes_io_instance=\"prod\", label_component=~\"querynode\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemes")
    void rendersEachInstallKindsLabelNames(String name, InstallKind install, String expected) {
        Target target = new Target("milvus", "prod", Component.QUERY_NODE, install);
        assertEquals(expected, PromqlTemplate.render(TEMPLATE, target, DefaultQueries.scheme(install)));
    }

    @Test
    void rendersSeveralComponentsAsOneSortedRegex() {
        String rendered = PromqlTemplate.render(TEMPLATE, new Target("milvus", "prod", Component.PROXY, InstallKind.HELM),
                List.of("querynode", "proxy", "datanode"), List.of("prod-milvus-querynode"),
                DefaultQueries.scheme(InstallKind.HELM));
        assertTrue(rendered.endsWith("label_component=~\"datanode|proxy|querynode\"}"), rendered);
    }

    /** Deployment names as the chart (_helpers.tpl) and the operator (GetDeploymentName, -0/-1) create them. */
    static Stream<Arguments> deploymentNames() {
        return Stream.of(
                Arguments.of("helm release", new Target("milvus", "hr", Component.QUERY_NODE, InstallKind.HELM),
                        "owner_name=~\"hr-milvus-querynode\"", "\"hr-milvus-(.+)\""),
                Arguments.of("helm release containing milvus",
                        new Target("milvus", "my-milvus", Component.PROXY, InstallKind.HELM),
                        "owner_name=~\"my-milvus-proxy\"", "\"my-milvus-(.+)\""),
                Arguments.of("helm fullnameOverride",
                        new Target("milvus", "hr", Component.PROXY, InstallKind.HELM, "vector.db"),
                        "owner_name=~\"vector\\\\.db-proxy\"", "\"vector\\\\.db-(.+)\""),
                Arguments.of("operator", new Target("milvus", "x", Component.QUERY_NODE, InstallKind.OPERATOR),
                        "owner_name=~\"x-milvus-querynode-0|x-milvus-querynode-1\"",
                        "\"x-milvus-(.+?)(?:-[01])?\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deploymentNames")
    void rendersTheExactDeploymentNamesAndTheComponentPattern(String name, Target target, String owners,
                                                               String pattern) {
        String rendered = PromqlTemplate.render(
                "k{owner_name=~\"{deployments}\"} r(\"{deployment_component}\")", target,
                DefaultQueries.scheme(target.install()));
        assertTrue(rendered.contains(owners), rendered);
        assertTrue(rendered.contains(pattern), rendered);
    }

    /**
     * The streamingNode Deployments of the target's cluster (Milvus 2.6), named as the chart's
     * milvus.streamingnode.fullname ({@code <fullname>-streamingnode}) and the operator's GetDeploymentName.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "helm release ; HELM     ; hr ; ''     ; hr-milvus-streamingnode",
            "helm fullname; HELM     ; hr ; search ; search-streamingnode",
            "operator     ; OPERATOR ; x  ; ''     ; x-milvus-streamingnode|x-milvus-streamingnode-0|x-milvus-streamingnode-1"})
    void rendersTheClustersStreamingNodeDeployments(String name, InstallKind install, String release, String fullname,
                                                    String expected) {
        Target queryNode = new Target("milvus", release, Component.QUERY_NODE, install, fullname);
        assertEquals("d=~\"" + expected + "\"", PromqlTemplate.render("d=~\"{streamingnode_deployments}\"", queryNode,
                DefaultQueries.scheme(install)));
    }

    /**
     * The StatefulSet each component runs as in its install's StatefulSet mode: Helm names it as the Deployment
     * (templates/querynode-statefulset.yaml), the operator {@code <name>-milvus-<component>} with no -0/-1
     * (milvus-operator pkg/controllers/statefulset.go, GetDeploymentName), one per component in a cluster query.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "helm release      ; HELM     ; hr ; ''     ; querynode         ; hr-milvus-querynode",
            "helm fullname     ; HELM     ; hr ; search ; querynode         ; search-querynode",
            "operator          ; OPERATOR ; x  ; ''     ; querynode         ; x-milvus-querynode",
            "operator, cluster ; OPERATOR ; x  ; ''     ; querynode,datanode; x-milvus-datanode|x-milvus-querynode"})
    void rendersTheStatefulSetOfEachComponent(String name, InstallKind install, String release, String fullname,
                                              String components, String expected) {
        Target queryNode = new Target("milvus", release, Component.QUERY_NODE, install, fullname);
        assertEquals("s=~\"" + expected + "\"", PromqlTemplate.render("s=~\"{statefulsets}\"", queryNode,
                List.of(components.split(",")), DeploymentNames.of(queryNode), DefaultQueries.scheme(install)));
    }

    @Test
    void escapesValuesForAPromqlString() {
        Target target = new Target("odd\"ns", "re\\l", Component.PROXY, InstallKind.HELM);
        assertEquals("x{namespace=\"odd\\\"ns\", i=\"re\\\\l\"}", PromqlTemplate.render(
                "x{namespace=\"{namespace}\", i=\"{release}\"}", target, DefaultQueries.scheme(InstallKind.HELM)));
    }

    @Test
    void anUnknownPlaceholderFailsNamingItAndTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SignalQuery("cpu", "up{ns=\"{namespce}\"}", true));
        assertEquals("query unknown placeholder {namespce} in PromQL template; known: [{component},"
                + " {component_label}, {deployment_component}, {deployments}, {instance_label}, {namespace},"
                + " {proxy_deployments}, {release}, {statefulsets}, {streamingnode_deployments}]", e.getMessage());
    }

    /**
     * A bracket or quote that does not pair up is found before any query is sent, with where it is; brackets in
     * strings (a regex, a label_replace replacement) and in # comments count for nothing.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("unbalanced")
    void unbalancedBracketsAndQuotesAreNamedWithTheirPlace(String promql, String problem) {
        assertEquals(problem, io.github.milvusautoscaler.core.PromqlPlaceholders.problem(promql).orElse("fine"));
    }

    static Stream<Arguments> unbalanced() {
        return Stream.of(
                Arguments.of("sum(rate(foo[5m]", "unclosed ( at line 1, column 9 of the PromQL"),
                Arguments.of("up{job=\"a\"}}", "unmatched } at line 1, column 12 of the PromQL"),
                Arguments.of("sum(up{job=\"a\")}", "unmatched ) at line 1, column 15 of the PromQL ({ opened at line 1,"
                        + " column 7 of the PromQL is still open)"),
                Arguments.of("up{job=\"a}", "unterminated string \" at line 1, column 8 of the PromQL"),
                // the ) on line 3 closes rate(, so the one left open is the outer ( on line 1
                Arguments.of("sum by (pod) (\n  rate(x[2m]\n)", "unclosed ( at line 1, column 14 of the PromQL"),
                Arguments.of("label_replace(up, \"c\", \"$1\", \"pod\", \"(.+\")", "fine"),
                Arguments.of("up{job=~\"a\\\"(\"} # (an open paren in a comment", "fine"),
                Arguments.of("max_over_time(up{ns=\"{namespace}\"}[1h:5m])", "fine"),
                Arguments.of("sum(x{a=`raw\\`})", "fine"));
    }

    @Test
    void everyShippedTemplateIsBalanced() {
        for (String name : DefaultQueries.ROOT.getConfig("queries").root().keySet()) {
            assertEquals("fine", io.github.milvusautoscaler.core.PromqlPlaceholders.problem(DefaultQueries.query(name))
                    .orElse("fine"), name);
        }
    }

    @Test
    void regexQuantifiersAndSelectorsAreNotPlaceholders() {
        PromqlTemplate.validate("up{job=~\"a{2}\"} and on () vector(1)");
        PromqlTemplate.validate("sum(rate(x{a=\"b\"}[5m]))");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "regex matcher only                  | x{c=~\"{component}\"}                        | true",
            "equality matcher: per component     | x{c=\"{component}\"}                         | false",
            "regex and equality mixed            | x{c=~\"{component}\"} / y{c=\"{component}\"} | false",
            "no component at all: same text      | x{ns=\"{namespace}\"}                        | false",
            "deployments as regex                | x{d=~\"{deployments}\"}                      | true",
            "deployments in a regex alternation  | 'x{d=~\"{deployments}|{streamingnode_deployments}\"}' | true",
            "one regex, one equality             | x{d=~\"{deployments}\", e=\"{deployments}\"}  | false",
            "deployments by equality             | x{d=\"{deployments}\"}                       | false",
            "statefulsets as regex               | x{s=~\"{statefulsets}\"}                     | true",
            "statefulsets by equality            | x{s=\"{statefulsets}\"}                      | false"})
    void servesSeveralComponentsOnlyThroughRegexMatchers(String name, String template, boolean expected) {
        assertEquals(expected, PromqlTemplate.servesSeveralComponents(template.strip()), name);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"cpu, true", "memory, true", "qps, true", "index-backlog, true", "index-backlog-legacy, true",
            "read-queue, true", "search-latency-p99, false", "querynode-settle, true"})
    void shippedTemplatesAreValidAndTheComponentWiseOnesServeAWholeCluster(String name, boolean cluster) {
        String template = DefaultQueries.query(name);
        PromqlTemplate.validate(template);
        assertEquals(cluster, PromqlTemplate.servesSeveralComponents(template), name);
        // none needs kube-state-metrics' pod labels, which a default kube-prometheus-stack does not export
        assertFalse(template.contains("kube_pod_labels"), name);
        assertFalse(template.contains("label_{component_label}"), name);
    }

    @Test
    void theDefaultsGiveEachComponentItsSignals() {
        assertEquals(List.of("cpu", "memory", "qps"), names(Component.QUERY_NODE));
        assertEquals(List.of("cpu", "memory"), names(Component.DATA_NODE));
        assertEquals(List.of("cpu", "memory"), names(Component.INDEX_NODE));
        assertEquals(List.of("cpu", "qps"), names(Component.PROXY));
        TargetQueries queryNode = DefaultQueries.forTarget(new Target("m", "p", Component.QUERY_NODE, InstallKind.HELM));
        assertEquals(DefaultQueries.query("querynode-settle"), queryNode.settleQuery());
        assertFalse(queryNode.signals().get(2).perPod(), "qps is one cluster value per component");
    }

    private static List<String> names(Component component) {
        return DefaultQueries.forTarget(new Target("m", "p", component, InstallKind.OPERATOR)).signals().stream()
                .map(SignalQuery::name).toList();
    }
}
