package io.github.milvusautoscaler.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.AlertRoute;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * An alert's life as a real Alertmanager tells it, on payloads captured from Alertmanager 0.25's webhook notifier
 * (Debian's prometheus-alertmanager, receiver and route of deploy/alertmanager-receiver.yaml): a resolve that
 * reaches a daemon that never saw the alert fire, a start time Alertmanager moves to an earlier one when it merges
 * two sends of one alert (types.Alert.Merge: "Always pick the earliest starting time"), and an alert that fires
 * again, with its first start time, after Alertmanager resolved it because Prometheus stopped re-sending it.
 */
class AlertBookLifecycleTest {

    static final Target QN = new Target("milvus", "my-release", Component.QUERY_NODE, InstallKind.HELM);
    static final String GROUP_KEY = "{}/{autoscaler_action=~\\\"scale-out|block-scale-in\\\"}:{alertname=\\\""
            + "MilvusSearchLatencyHigh\\\", app_kubernetes_io_instance=\\\"my-release\\\", component=\\\"querynode\\\","
            + " namespace=\\\"milvus\\\"}";

    final Map<String, Integer> dropped = new TreeMap<>();

    AlertBook book(int maxAlerts) {
        AlertBook b = new AlertBook(List.of(new AlertRoute(Map.of(), Map.of(), "namespace",
                "app_kubernetes_io_instance", "component", ActiveAlert.AlertAction.SCALE_OUT)), Duration.ofHours(6),
                new AlertBook.Caps(maxAlerts, 1 << 20), (reason, n) -> dropped.merge(reason, n, Integer::sum));
        b.setTargets(List.of(QN));
        return b;
    }

    /**
     * A notification as Alertmanager 0.25 sent it (captured from its webhook notifier, notify/webhook/webhook.go
     * Message; here commonLabels is emptied and externalURL shortened, neither of which the book reads; status,
     * times and fingerprint vary per test).
     */
    static WebhookPayload notification(String status, String startsAt, String endsAt, String fingerprint) {
        return WebhookPayload.parse(notificationJson(status, startsAt, endsAt, fingerprint));
    }

    /** The body of {@link #notification}. */
    static String notificationJson(String status, String startsAt, String endsAt, String fingerprint) {
        return """
                {"receiver":"milvus-autoscaler","status":"%s","alerts":[{"status":"%s","labels":{"alertname":\
                "MilvusSearchLatencyHigh","app_kubernetes_io_instance":"my-release","autoscaler_action":"scale-out",\
                "component":"querynode","namespace":"milvus","severity":"warning"},"annotations":{},"startsAt":"%s",\
                "endsAt":"%s","generatorURL":"http://prom/graph?g0.expr=x","fingerprint":"%s"}],"groupLabels":{\
                "alertname":"MilvusSearchLatencyHigh","app_kubernetes_io_instance":"my-release","component":"querynode",\
                "namespace":"milvus"},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am:9093",\
                "version":"4","groupKey":"%s","truncatedAlerts":0}"""
                .formatted(status, status, startsAt, endsAt, fingerprint, GROUP_KEY);
    }

    static WebhookPayload firing(String startsAt, String fingerprint) {
        return notification("firing", startsAt, "0001-01-01T00:00:00Z", fingerprint);
    }

    static WebhookPayload resolved(String startsAt, String endsAt, String fingerprint) {
        return notification("resolved", startsAt, endsAt, fingerprint);
    }

    static List<String> results(AlertBook b, WebhookPayload p, Instant at) {
        return b.receive(p, at, new HashSet<>()).stream().map(o -> o.result().name()).toList();
    }

    static final String STARTS = "2026-12-02T09:19:38.123456789Z";
    static final Instant T0 = Instant.parse("2026-12-02T09:19:40Z");

    /**
     * The shipped Alertmanager route forwards alerts labelled autoscaler_action scale-out and block-scale-in alike;
     * behind the default route (match {}, scale-out) a block-scale-in alert only blocks, and the webhook's answer
     * says what each alert does. (SRE audit H2: the default scaled out on every alert that named a target.)
     */
    @Test
    void anAlertLabelledBlockScaleInOnlyBlocksWhateverItsRouteSays() {
        AlertBook b = book(100);
        WebhookPayload block = WebhookPayload.parse("""
                {"receiver":"milvus-autoscaler","status":"firing","alerts":[{"status":"firing","labels":{"alertname":\
                "MilvusCompactionBehind","app_kubernetes_io_instance":"my-release","autoscaler_action":"block-scale-in",\
                "component":"querynode","namespace":"milvus"},"annotations":{},"startsAt":"%s",\
                "endsAt":"0001-01-01T00:00:00Z","fingerprint":"bbbb"}],"groupLabels":{},"commonLabels":{},\
                "commonAnnotations":{},"externalURL":"http://am:9093","version":"4","groupKey":"g","truncatedAlerts":0}"""
                .formatted(STARTS));
        List<AlertBook.Outcome> blocked = b.receive(block, T0, new HashSet<>());
        assertEquals("block-scale-in (its autoscaler_action label)", blocked.get(0).reason());
        List<AlertBook.Outcome> scaled = b.receive(firing(STARTS, "aaaa"), T0, new HashSet<>());
        assertEquals("scale-out", scaled.get(0).reason());
        assertEquals(List.of(ActiveAlert.AlertAction.BLOCK_SCALE_IN, ActiveAlert.AlertAction.SCALE_OUT),
                b.firing(QN, T0).stream().sorted(java.util.Comparator.comparing(ActiveAlert::name))
                        .map(ActiveAlert::action).toList());
    }

    /**
     * Daemon a scaled out for the alert and wrote its key on the object; b took over and sees only the resolve
     * (same group key, fingerprint and start time). b must know that key as resolved, so the scale-in block the
     * object carries is lifted (Engine.handled drops resolved keys): before, b kept no trace and the block held for
     * alerts.carry-over (4h10m) after the scale-out.
     */
    @Test
    void aResolveReachingADaemonThatNeverSawTheAlertFireLiftsItsKey() {
        AlertBook a = book(10);
        results(a, firing(STARTS, "bd86fb1a45892d65"), T0);
        String keyOnTheObject = a.firing(QN, T0).get(0).key();

        AlertBook b = book(10);
        assertEquals(List.of("RESOLVED"), results(b, resolved(STARTS, "2026-12-02T09:21:15Z", "bd86fb1a45892d65"),
                T0.plusSeconds(100)));
        assertEquals(java.util.Set.of(keyOnTheObject), b.resolved(QN));
        assertEquals(List.of(), b.firing(QN, T0.plusSeconds(100)));
    }

    /** Such tombstones stay within the book's cap: a flood of resolves evicts the oldest, never a firing alert. */
    @Test
    void resolvesOfUnseenAlertsStayWithinTheCapAndNeverPushOutAFiringOne() {
        AlertBook b = book(2);
        results(b, firing(STARTS, "f0"), T0);
        for (int i = 1; i <= 5; i++) {
            results(b, resolved(STARTS, "2026-12-02T09:21:15Z", "r" + i), T0.plusSeconds(i));
        }
        assertEquals(2, b.held());
        assertEquals(1, b.firing(QN, T0.plusSeconds(10)).size(), "the firing alert is kept");
        assertEquals(Map.of("resolved_evicted", 4), dropped);
    }

    /**
     * A Prometheus HA pair evaluates on its own, so its replicas send one alert with two start times; Alertmanager
     * merges them keeping the earliest (captured: 09:21:00, then 09:20:45, same fingerprint). Held firing under the
     * first, the second is the same alert: a duplicate, not a second scale-out.
     */
    @Test
    void aStartTimeAlertmanagerMovedEarlierIsTheSameAlert() {
        AlertBook b = book(10);
        assertEquals(List.of("ACCEPTED"), results(b, firing("2026-12-02T09:21:00Z", "1a5c556a6f8c3455"), T0));
        assertEquals(List.of("DUPLICATE"), results(b, firing("2026-12-02T09:20:45Z", "1a5c556a6f8c3455"),
                T0.plus(Duration.ofHours(1))));
        assertEquals(1, b.firing(QN, T0.plus(Duration.ofHours(1))).size());
        // and it is still held: the re-send kept it from expiring 6h after the first
        assertEquals(1, b.firing(QN, T0.plus(Duration.ofHours(6)).plusSeconds(1)).size());
    }

    /**
     * A repeat reaching a new leader after a fail-over, of an alert the old leader scaled out for: the scaled object's
     * handled-alerts name it, so it is a duplicate, held (it still blocks scale-in) but not sent to a tick as new. It
     * was answered "accepted ... scale-out" and counted so, though nothing scaled (soak recheck 20, F3).
     */
    @Test
    void aRepeatTheObjectSaysWasScaledOutForIsADuplicateOnANewLeader() {
        AlertBook leader = newLeaderAfter(scaledOutKey());
        java.util.Set<Target> touched = new HashSet<>();
        List<AlertBook.Outcome> repeat = leader.receive(firing(STARTS, "5eed"), T0.plus(Duration.ofMinutes(4)), touched);
        assertEquals(List.of("DUPLICATE"), repeat.stream().map(o -> o.result().name()).toList());
        assertTrue(repeat.get(0).reason().equals("already acted on (the scaled object's handled-alerts: a scale-out was"
                + " made for it)"), repeat.toString());
        assertEquals(java.util.Set.of(), touched, "no tick is started for it");
        assertEquals(1, leader.firing(QN, T0.plus(Duration.ofMinutes(4))).size(), "held: it still blocks scale-in");
        // Another alert, not on the object, is new.
        assertEquals(List.of("ACCEPTED"), results(leader, firing(STARTS, "beef"), T0.plus(Duration.ofMinutes(4))));
    }

    /** The handled-alerts key of the alert "5eed" firing at {@link #STARTS}, as a leader that scaled out for it wrote. */
    private String scaledOutKey() {
        AlertBook old = book(10);
        assertEquals(List.of("ACCEPTED"), results(old, firing(STARTS, "5eed"), T0));
        return old.firing(QN, T0).get(0).key();
    }

    /** A new leader's book, which read {@code key} in the scaled object's handled-alerts. */
    private AlertBook newLeaderAfter(String key) {
        AlertBook leader = book(10);
        leader.handledOnObject(QN, java.util.Set.of(key));
        return leader;
    }

    /**
     * The same repeat under another group key (the route's matchers written anew while it fired, as recheck 99 sent
     * it: {@code =~"^(?:scale-out|block-scale-in)$"} for {@code =~"scale-out|block-scale-in"}) is the same alert, by
     * fingerprint and start time: a duplicate, where it was accepted and its scale-out owed once more; the same
     * fingerprint with another start time is a new firing.
     */
    @Test
    void aRepeatUnderAnotherGroupKeyIsStillTheAlertTheObjectWasScaledOutFor() {
        String key = scaledOutKey();
        AlertBook leader = newLeaderAfter(key);
        WebhookPayload regrouped = WebhookPayload.parse(notificationJson("firing", STARTS, "0001-01-01T00:00:00Z", "5eed")
                .replace("scale-out|block-scale-in", "^(?:scale-out|block-scale-in)$"));
        assertTrue(!regrouped.groupKey().equals(firing(STARTS, "5eed").groupKey()), regrouped.groupKey());
        java.util.Set<Target> touched = new HashSet<>();
        assertEquals(List.of("DUPLICATE"), leader.receive(regrouped, T0.plus(Duration.ofMinutes(4)), touched).stream()
                .map(o -> o.result().name()).toList());
        assertEquals(java.util.Set.of(), touched, "no scale-out owed for it");
        assertEquals(List.of("ACCEPTED"), results(newLeaderAfter(key), firing("2026-12-02T10:19:38Z", "5eed"),
                T0.plus(Duration.ofMinutes(5))), "a later firing of the same labels is a new one");
    }

    /**
     * Alertmanager resolved the alert because Prometheus stopped re-sending it (its endsAt passed), then Prometheus
     * sent it again with its first start time (captured: firing 09:19:45, resolved, firing 09:19:45 again). A copy
     * within minutes of the resolve is a late twin; later, the alert fires again: it blocks scale-in again, as a
     * block only (it scaled out once already). Before, it was ignored as "already resolved" for 6h and then scaled
     * out, late.
     */
    @Test
    void firingAgainLongAfterItsResolutionBlocksScaleInWithoutASecondScaleOut() {
        AlertBook b = book(10);
        String starts = "2026-12-02T09:19:45Z";
        results(b, firing(starts, "c0ffee"), T0);
        Instant resolvedAt = T0.plus(Duration.ofMinutes(5));
        results(b, resolved(starts, "2026-12-02T09:24:49Z", "c0ffee"), resolvedAt);

        assertEquals(List.of("DUPLICATE"), results(b, firing(starts, "c0ffee"), resolvedAt.plusSeconds(30)),
                "a late twin of the firing message");
        assertTrue(b.firing(QN, resolvedAt.plusSeconds(30)).isEmpty());

        Instant again = resolvedAt.plus(AlertBook.LATE_COPY).plusSeconds(1);
        assertEquals(List.of("ACCEPTED"), results(b, firing(starts, "c0ffee"), again));
        List<ActiveAlert> firing = b.firing(QN, again);
        assertEquals(1, firing.size());
        assertEquals(ActiveAlert.AlertAction.BLOCK_SCALE_IN, firing.get(0).action());
    }
}
