package io.github.milvusautoscaler.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.AlertRoute;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shipped routes (reference.conf, read through ConfigLoader) on alerts labelled as the two installs label their
 * series: the Milvus chart's ServiceMonitor gives {@code component} (zilliztech/milvus-helm,
 * charts/milvus/templates/servicemonitor.yaml, targetLabels), the operator's PodMonitor
 * {@code app_kubernetes_io_component} (zilliztech/milvus-operator, pkg/controllers/podmonitor.go, PodTargetLabels);
 * both give {@code app_kubernetes_io_instance}. An alert rule of an SRE's that keeps the operator's label was ignored
 * as "missing label component" (audit-alerts M2).
 */
class AlertRoutingTest {

    static final Target HELM_QN = new Target("milvus", "hr", Component.QUERY_NODE, InstallKind.HELM);
    static final Target OPERATOR_QN = new Target("milvus", "op", Component.QUERY_NODE, InstallKind.OPERATOR);

    /**
     * The in-cluster config (deploy/base/config/autoscaler.conf over example.conf, with the operator overlay's install.conf, as kustomize
     * assembles them) routes by autoscaler_action; an alert of an SRE's over the operator's series, which keeps
     * app_kubernetes_io_component, scales its target too, and one without autoscaler_action is ignored.
     */
    @org.junit.jupiter.api.Test
    void theInClusterConfigRoutesAnOperatorLabelledAlert(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path root = java.nio.file.Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        java.nio.file.Files.copy(root.resolve("deploy/base/config/example.conf"), dir.resolve("example.conf"));
        java.nio.file.Files.copy(root.resolve("deploy/base/config/autoscaler.conf"), dir.resolve("autoscaler.conf"));
        java.nio.file.Files.copy(root.resolve("deploy/overlays/operator/install.conf"), dir.resolve("install.conf"));
        AlertBook book = new AlertBook(ConfigLoader.load(dir.resolve("autoscaler.conf")).alerts().routes(),
                Duration.ofHours(6), new AlertBook.Caps(10, 1 << 20), (r, n) -> { });
        Target target = new Target("milvus", "my-release", Component.QUERY_NODE, InstallKind.OPERATOR);
        book.setTargets(List.of(target));
        AlertBook.Outcome routed = receive(book, "\"autoscaler_action\":\"scale-out\",\"app_kubernetes_io_instance\":"
                + "\"my-release\",\"app_kubernetes_io_component\":\"querynode\"");
        assertEquals(AlertBook.Result.ACCEPTED, routed.result(), routed.toString());
        assertEquals("milvus/my-release/queryNode", routed.target());
        AlertBook.Outcome unlabelled = receive(book, "\"app_kubernetes_io_instance\":\"my-release\","
                + "\"app_kubernetes_io_component\":\"querynode\"");
        assertEquals(AlertBook.Result.IGNORED, unlabelled.result(), unlabelled.toString());
    }

    /**
     * A route of an SRE's that only blocks (severity=info alerts, labelled by a label of their own) passes over an alert
     * without its labels; the scale-out route after it takes the alert, but it only blocks: falling through never
     * turns an alert meant to block into a scale-out (alerts/input recheck NEW-5).
     */
    @org.junit.jupiter.api.Test
    void anAlertPassedOverByABlockingRouteOnlyBlocks() {
        AlertBook book = new AlertBook(List.of(
                new AlertRoute(java.util.Map.of("severity", "info"), java.util.Map.of(), "namespace",
                        "app_kubernetes_io_instance", "milvus_component", ActiveAlert.AlertAction.BLOCK_SCALE_IN),
                new AlertRoute(java.util.Map.of(), java.util.Map.of(), "namespace", "app_kubernetes_io_instance",
                        "component", ActiveAlert.AlertAction.SCALE_OUT)),
                Duration.ofHours(6), new AlertBook.Caps(10, 1 << 20), (r, n) -> { });
        book.setTargets(List.of(HELM_QN));
        receive(book, "\"severity\":\"info\",\"app_kubernetes_io_instance\":\"hr\",\"component\":\"querynode\"");
        assertEquals(List.of(ActiveAlert.AlertAction.BLOCK_SCALE_IN), book.firing(HELM_QN,
                Instant.parse("2026-12-05T07:03:10Z")).stream().map(ActiveAlert::action).toList());
    }

    /** Routes a reload gives route the next payload (reload audit F2: they waited for a restart). */
    @org.junit.jupiter.api.Test
    void routesSetByAReloadRouteTheNextAlert() {
        AlertBook book = new AlertBook(List.of(new AlertRoute(java.util.Map.of(), java.util.Map.of(), "namespace",
                "app_kubernetes_io_instance", "component", ActiveAlert.AlertAction.SCALE_OUT)), Duration.ofHours(6),
                new AlertBook.Caps(10, 1 << 20), (r, n) -> { });
        book.setTargets(List.of(HELM_QN));
        String labels = "\"app_kubernetes_io_instance\":\"hr\",\"comp\":\"querynode\"";
        assertEquals(AlertBook.Result.IGNORED, receive(book, labels).result());
        book.setRoutes(List.of(new AlertRoute(java.util.Map.of(), java.util.Map.of(), "namespace",
                "app_kubernetes_io_instance", "comp", ActiveAlert.AlertAction.SCALE_OUT)));
        assertEquals("milvus/hr/queryNode", receive(book, labels).target());
    }

    /**
     * A resolve after a reload changed the routes still stops the alert held firing, for the target it was routed to:
     * routed by the new routes alone it was ignored, and the alert blocked that target's scale-in until forget-after,
     * 6h (reload recheck NEW-1). Alertmanager sends the resolve with the firing alert's labels and fingerprint.
     */
    @org.junit.jupiter.api.Test
    void aResolveAfterTheRoutesChangedStopsTheAlertHeldUnderTheOldOnes() {
        AlertBook book = new AlertBook(List.of(new AlertRoute(java.util.Map.of(), java.util.Map.of(), "namespace",
                "app_kubernetes_io_instance", "comp", ActiveAlert.AlertAction.SCALE_OUT)), Duration.ofHours(6),
                new AlertBook.Caps(10, 1 << 20), (r, n) -> { });
        book.setTargets(List.of(HELM_QN));
        String labels = "\"app_kubernetes_io_instance\":\"hr\",\"comp\":\"querynode\"";
        Instant now = Instant.parse("2026-12-05T07:03:10Z");
        assertEquals(AlertBook.Result.ACCEPTED, receive(book, labels).result());
        book.setRoutes(List.of(new AlertRoute(java.util.Map.of(), java.util.Map.of(), "namespace",
                "app_kubernetes_io_instance", "component", ActiveAlert.AlertAction.SCALE_OUT)));
        AlertBook.Outcome resolved = receive(book, labels, "resolved");
        assertEquals(AlertBook.Result.RESOLVED, resolved.result(), resolved.toString());
        assertEquals("milvus/hr/queryNode", resolved.target());
        assertEquals(List.of(), book.firing(HELM_QN, now), "the alert no longer blocks scale-in");
    }

    /**
     * One notification of one firing alert with {@code labels} beside alertname and namespace, in the shape
     * Alertmanager 0.25's webhook notifier sends (notify/webhook/webhook.go, Message; version "4"), as
     * AlertBookLifecycleTest's captured one; commonLabels emptied, which the book does not read.
     */
    private static AlertBook.Outcome receive(AlertBook book, String labels) {
        return receive(book, labels, "firing");
    }

    /** As above, {@code status} firing or resolved (a resolve ends at its time, as Alertmanager sends it). */
    private static AlertBook.Outcome receive(AlertBook book, String labels, String status) {
        WebhookPayload payload = WebhookPayload.parse("""
                {"receiver":"milvus-autoscaler","status":"%s","alerts":[{"status":"%s","labels":{"alertname":\
                "OwnQueue","namespace":"milvus",%s},"annotations":{},"startsAt":"2026-12-05T07:03:09.737Z",\
                "endsAt":"%s","fingerprint":"e11f78ee564a0986"}],"groupLabels":{},"commonLabels":{},\
                "commonAnnotations":{},"externalURL":"http://am:9093","version":"4","groupKey":"{}:{alertname=\\"OwnQueue\\"}",\
                "truncatedAlerts":0}""".formatted(status, status, labels, status.equals("firing") ? "0001-01-01T00:00:00Z"
                : "2026-12-05T07:03:09.900Z"));
        List<AlertBook.Outcome> outcomes = book.receive(payload, Instant.parse("2026-12-05T07:03:10Z"), new HashSet<>());
        assertEquals(1, outcomes.size());
        return outcomes.get(0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "the chart's component label            | \"app_kubernetes_io_instance\":\"hr\",\"component\":\"querynode\"                   | accepted | milvus/hr/queryNode | scale-out",
        "the operator's component label         | \"app_kubernetes_io_instance\":\"op\",\"app_kubernetes_io_component\":\"querynode\" | accepted | milvus/op/queryNode | scale-out",
        "neither                                | \"app_kubernetes_io_instance\":\"op\"                                            | ignored  |                     | missing label component (route 1), app_kubernetes_io_component (route 2)",
        "a coordinator                          | \"app_kubernetes_io_instance\":\"hr\",\"component\":\"rootcoord\"                   | ignored  |                     | label component=\"rootcoord\" names no component this autoscaler scales (queryNode, dataNode, indexNode, proxy, streamingNode; coordinators never are)",
        "a release with no target               | \"app_kubernetes_io_instance\":\"nosuch\",\"component\":\"querynode\"               | ignored  |                     | no configured target milvus/nosuch/queryNode (read from labels namespace, app_kubernetes_io_instance, component)",
    })
    void theShippedRoutesReadBothInstallsLabels(String name, String labels, String result, String target,
                                                String reason) {
        AlertBook book = new AlertBook(ConfigLoader.defaults().alerts().routes(), Duration.ofHours(6),
                new AlertBook.Caps(10, 1 << 20), (r, n) -> { });
        book.setTargets(List.of(HELM_QN, OPERATOR_QN));
        AlertBook.Outcome o = receive(book, labels);
        assertEquals(result, o.result().name().toLowerCase(java.util.Locale.ROOT), o.toString());
        assertEquals(target, o.target(), o.toString());
        assertEquals(reason == null ? "" : reason, o.reason(), o.toString());
    }

    /**
     * A Helm release and an operator Milvus both named milvus in one namespace (their Deployments milvus-querynode and
     * milvus-milvus-querynode-0 never collide: the chart keeps a release name that contains "milvus" as its fullname,
     * milvus-helm templates/_helpers.tpl, and the operator names milvus-operator's <name>-milvus-<component>): the
     * config takes both, with ids that tell them apart, and each alert goes to the install whose series carry the label
     * its route reads (the chart's ServiceMonitor gives component, the operator's PodMonitor
     * app_kubernetes_io_component). Before, the config refused the pair as "must be unique" (real-install recheck 10).
     */
    @org.junit.jupiter.api.Test
    void aHelmAndAnOperatorInstallOfOneNameEachGetTheirOwnAlerts() {
        io.github.milvusautoscaler.config.AutoscalerSettings s = ConfigLoader.parse("""
                milvus-autoscaler.clusters = [
                  { namespace = milvus, name = milvus, install = helm, milvus-version = "2.5.6", components { queryNode {} } }
                  { namespace = milvus, name = milvus, install = operator, milvus-version = "2.5.6", components { queryNode {} } }
                  { namespace = milvus, name = other, install = helm, milvus-version = "2.5.6", components { queryNode {} } }
                ]
                """, "autoscaler.conf");
        List<Target> targets = s.targets().stream().map(io.github.milvusautoscaler.config.TargetSettings::target).toList();
        assertEquals(List.of("milvus/milvus@helm/queryNode", "milvus/milvus@operator/queryNode", "milvus/other/queryNode"),
                targets.stream().map(Target::id).toList());
        AlertBook book = new AlertBook(s.alerts().routes(), Duration.ofHours(6), new AlertBook.Caps(10, 1 << 20),
                (r, n) -> { });
        java.util.Map<InstallKind, String> componentLabels = new java.util.EnumMap<>(InstallKind.class);
        s.labelSchemes().forEach((kind, scheme) -> componentLabels.put(kind, scheme.componentLabel()));
        book.setTargets(targets, componentLabels);
        assertEquals("milvus/milvus@helm/queryNode", receive(book,
                "\"app_kubernetes_io_instance\":\"milvus\",\"component\":\"querynode\"").target());
        assertEquals("milvus/milvus@operator/queryNode", receive(book,
                "\"app_kubernetes_io_instance\":\"milvus\",\"app_kubernetes_io_component\":\"querynode\"").target());
        // Without the install kinds' labels the two cannot be told apart: the alert is ignored, and says why.
        book.setTargets(targets);
        AlertBook.Outcome unsure = receive(book, "\"app_kubernetes_io_instance\":\"milvus\",\"component\":\"querynode\"");
        assertEquals(AlertBook.Result.IGNORED, unsure.result(), unsure.toString());
        assertEquals("both a Helm and an operator install milvus/milvus are configured, and label component does not"
                + " tell which one it came from", unsure.reason());
    }

    /**
     * A reload that removes the operator install of a shared name renames the Helm install's targets
     * (milvus/milvus@helm/queryNode becomes milvus/milvus/queryNode): the alert held for it moves with it, so it still
     * blocks scale-in and its re-send is a duplicate, where the book forgot it and met the re-send as new (recheck 11,
     * N2).
     */
    @org.junit.jupiter.api.Test
    void aHeldAlertMovesWithItsTargetWhenAReloadRenamesIt() {
        Target shared = new Target("milvus", "milvus", Component.QUERY_NODE, InstallKind.HELM).withNameShared();
        Target alone = new Target("milvus", "milvus", Component.QUERY_NODE, InstallKind.HELM);
        Target operator = new Target("milvus", "milvus", Component.QUERY_NODE, InstallKind.OPERATOR).withNameShared();
        AlertBook book = new AlertBook(ConfigLoader.defaults().alerts().routes(), Duration.ofHours(6),
                new AlertBook.Caps(10, 1 << 20), (r, n) -> { });
        book.setTargets(List.of(shared, operator), java.util.Map.of(InstallKind.HELM, "component", InstallKind.OPERATOR,
                "app_kubernetes_io_component"));
        String labels = "\"app_kubernetes_io_instance\":\"milvus\",\"component\":\"querynode\"";
        assertEquals(AlertBook.Result.ACCEPTED, receive(book, labels).result());
        book.setTargets(List.of(alone), java.util.Map.of(InstallKind.HELM, "component", InstallKind.OPERATOR,
                "app_kubernetes_io_component"));
        assertEquals(1, book.firing(alone, Instant.parse("2026-12-05T07:03:10Z")).size(), "still held, under its new id");
        AlertBook.Outcome again = receive(book, labels);
        assertEquals(AlertBook.Result.DUPLICATE, again.result(), again.toString());
        assertEquals("milvus/milvus/queryNode", again.target());
    }
}
