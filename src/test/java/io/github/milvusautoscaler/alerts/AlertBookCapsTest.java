package io.github.milvusautoscaler.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

/** The alert book's bounds: count and bytes, resolved alerts dropped first (oldest first), the rest refused. */
class AlertBookCapsTest {

    static final Target QN = new Target("milvus", "r", Component.QUERY_NODE, InstallKind.OPERATOR);
    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

    final Map<String, Integer> dropped = new TreeMap<>();

    AlertBook book(int maxAlerts, long maxBytes) {
        AlertBook b = new AlertBook(List.of(new AlertRoute(Map.of(), Map.of(), "namespace", "instance", "component",
                ActiveAlert.AlertAction.SCALE_OUT)), Duration.ofHours(6), new AlertBook.Caps(maxAlerts, maxBytes),
                (reason, n) -> dropped.merge(reason, n, Integer::sum));
        b.setTargets(List.of(QN));
        return b;
    }

    static WebhookPayload payload(String groupKey, String status, String... fingerprints) {
        StringBuilder alerts = new StringBuilder();
        for (String f : fingerprints) {
            if (alerts.length() > 0) {
                alerts.append(',');
            }
            alerts.append("""
                    {"status":"%s","labels":{"alertname":"A","namespace":"milvus","instance":"r","component":"querynode"},
                     "annotations":{},"startsAt":"2026-01-05T09:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"%s"}"""
                    .formatted(status, f));
        }
        return WebhookPayload.parse("""
                {"version":"4","groupKey":"%s","status":"%s","receiver":"x","alerts":[%s]}"""
                .formatted(groupKey, status, alerts));
    }

    List<AlertBook.Outcome> receive(AlertBook b, WebhookPayload p, Instant at) {
        return b.receive(p, at, new HashSet<>());
    }

    @Test
    void resolvedAlertsAreDroppedOldestFirstToMakeRoomAndFiringOnesAreNever() {
        AlertBook b = book(3, 1 << 20);
        receive(b, payload("g", "firing", "a", "b", "c"), T0);
        receive(b, payload("g", "resolved", "b"), T0.plusSeconds(10));
        receive(b, payload("g", "resolved", "a"), T0.plusSeconds(20));
        assertEquals(3, b.held(), "resolved alerts are kept while there is room");

        // d needs one slot: b (resolved first) goes, a stays.
        receive(b, payload("g", "firing", "d"), T0.plusSeconds(30));
        assertEquals(Map.of("resolved_evicted", 1), dropped);
        assertEquals(List.of("DUPLICATE"), receive(b, payload("g", "firing", "a"), T0.plusSeconds(31)).stream()
                .map(o -> o.result().name()).toList(), "a's tombstone is still there: its late twin is a duplicate");
        assertEquals(List.of("ACCEPTED"), receive(b, payload("g", "firing", "b"), T0.plusSeconds(32)).stream()
                .map(o -> o.result().name()).toList(), "b's tombstone was dropped, so b is new (and a went for it)");
        assertEquals(2, dropped.get("resolved_evicted"));

        // Now c, d, b fire: nothing resolved to drop, so e is refused and nothing changes.
        AlertBook.BookFullException full = assertThrows(AlertBook.BookFullException.class,
                () -> receive(b, payload("g", "firing", "e"), T0.plusSeconds(40)));
        assertFalse(full.payloadTooLarge());
        assertEquals(3, b.firing(QN, T0.plusSeconds(40)).size());
        assertEquals(1, dropped.get("refused_full"));
    }

    @Test
    void aPayloadWithMoreNewAlertsThanTheWholeBookIsRefusedAsTooLarge() {
        AlertBook b = book(3, 1 << 20);
        AlertBook.BookFullException e = assertThrows(AlertBook.BookFullException.class,
                () -> receive(b, payload("g", "firing", "a", "b", "c", "d"), T0));
        assertTrue(e.payloadTooLarge());
        assertTrue(e.getMessage().contains("alerts.max-held = 3"), e.getMessage());
        assertEquals(0, b.held());
        assertEquals(Map.of("refused_too_many", 4), dropped);
    }

    @Test
    void bytesAreCappedToo() {
        // A 4,000-character group key: each entry is 2 x (4,000 + "|a|2026-01-05T09:00:00Z" 23 + name 1 + fingerprint 1)
        // + 200 = 8,250 bytes, so a 20,000-byte book holds two.
        String bigKey = "k".repeat(4000);
        AlertBook b = book(1000, 20_000);
        receive(b, payload(bigKey, "firing", "a", "b"), T0);
        assertEquals(16_500, b.heldBytes());
        assertThrows(AlertBook.BookFullException.class, () -> receive(b, payload(bigKey, "firing", "c"), T0));
        assertEquals(2, b.held());
    }

    @Test
    void alertsNotResentAreDroppedAsExpiredAndCounted() {
        AlertBook b = book(10, 1 << 20);
        receive(b, payload("g", "firing", "a"), T0);
        assertTrue(b.firing(QN, T0.plus(Duration.ofHours(6))).isEmpty());
        assertEquals(0, b.held());
        assertEquals(Map.of("expired", 1), dropped);
    }

    @Test
    void alertsForNoTargetTakeNoRoom() {
        AlertBook b = book(1, 1 << 20);
        b.setTargets(List.of());
        assertEquals("IGNORED", receive(b, payload("g", "firing", "a", "b", "c"), T0).get(0).result().name());
        assertEquals(0, b.held());
    }
}
