package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.milvusautoscaler.alerts.AlertBook;
import io.github.milvusautoscaler.alerts.WebhookPayload;
import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.Target;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code alerts.forget-after} reaches the daemon's alert book. Alertmanager re-sends a firing alert only every
 * {@code repeat_interval} of its route (notify/dedup_stage.go needsUpdate); kube-prometheus-stack's root route uses
 * 12h (values.yaml), so under it a fixed 6h forgot an alert still firing, lifted its block on scale-in, and scaled
 * out again at the re-send.
 */
class AlertForgetAfterTest {

    static final Instant SENT = Instant.parse("2026-01-05T10:00:00Z");

    @Test
    void aFiringAlertOutlivesARouteOf12hWhenForgetAfterSaysSo() throws Exception {
        AutoscalerSettings s = ConfigLoader.parse("""
                milvus-autoscaler.alerts.forget-after = 13h
                milvus-autoscaler.clusters = [{ namespace = milvus, name = m, install = helm, milvus-version = "2.5.6",
                  components { queryNode {} } }]
                """, "autoscaler.conf");
        assertEquals(Duration.ofHours(13), s.alerts().forgetAfter());
        Target qn = s.targets().stream().map(TargetSettings::target).findFirst().orElseThrow();
        AlertBook book = Assembly.alertBook(s.alerts(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        book.setTargets(List.of(qn));
        book.receive(WebhookPayload.parse("""
                {"version":"4","groupKey":"{}:{alertname=\\"MilvusSearchLatencyHigh\\"}","status":"firing",
                 "alerts":[{"status":"firing","labels":{"alertname":"MilvusSearchLatencyHigh","namespace":"milvus",
                 "app_kubernetes_io_instance":"m","component":"querynode"},"annotations":{},
                 "startsAt":"2026-01-05T09:58:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"f1"}]}"""),
                SENT, new HashSet<>());

        assertEquals(1, book.firing(qn, SENT.plus(Duration.ofHours(12))).size(),
                "still firing when the 12h route re-sends it");
        assertEquals(0, book.firing(qn, SENT.plus(Duration.ofHours(13)).plusSeconds(1)).size(),
                "forgotten after forget-after without a re-send");
    }
}
