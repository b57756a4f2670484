package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Signal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@code scale-in.new-pod-grace}: the scale-in sustain goes on through a gap in which the only signals missing are
 * per-pod ones that still report every replica ready at the sustain's last tick and lack only the replicas that turned
 * ready since. The scene: 1 replica, every signal LOW and known for 5 minutes of 15s ticks; then a second replica
 * turns ready and cpu reports only the first pod for a tick or more: the default cpu template reads irate(), which
 * needs two samples of the new pod's container_cpu_usage_seconds_total (Prometheus docs, querying/functions: irate
 * "calculates the per-second instant rate ... based on the last two data points").
 */
class NewPodGraceTest {

    private static final Duration TICK = Duration.ofSeconds(15);

    private static Scene knownOnOne(Duration grace) {
        Scene s = Scene.scene();
        ScaleInSettings in = s.scaleIn;
        s.scaleIn = new ScaleInSettings(in.sustain(), in.cooldown(), in.delayAfterScaleOut(), in.verifyWindow(),
                in.backoff(), in.settleTimeout(), in.peakWindow(), in.peakRecurrence(), in.peakAfterReversal(),
                in.settleReadAfter(), grace);
        s.replicas(1, 1).cpu(0.30).memory(0.30).qps(40);
        for (int i = 0; i < 20; i++) {
            s.step();
            s.plus(TICK);
        }
        return s;
    }

    private static Instant since(Scene s) {
        return s.state.get(StepDown.Steps.class).averages().since();
    }

    /** cpu from 1 of the 2 ready pods: the pod that turned ready has no rate yet. */
    private static Scene newPodNotReporting(Scene s) {
        s.replicas(2, 2);
        s.signals.put("cpu", Signal.known("cpu", 0.15, 1, Duration.ofSeconds(10)));
        s.memory(0.30);
        return s;
    }

    /** 1m: two ticks with the new pod missing keep the stretch, and it goes on when the pod reports. */
    @Test
    void aNewPodWithoutARateYetDoesNotRestartTheSustain() {
        Scene s = knownOnOne(Duration.ofMinutes(1));
        Instant began = since(s);
        newPodNotReporting(s);
        Decision d = s.step().decision();
        assertEquals(began, since(s), d.message().text());
        assertTrue(d.message().text().contains("the scale-in sustain goes on: cpu misses only the 1 replica that"
                + " turned ready within the last 15s (a new pod's first rate needs two scrapes; new-pod-grace 1m)"),
                d.message().text());
        s.plus(TICK);
        s.step();
        assertEquals(began, since(s));
        s.plus(TICK);
        s.cpu(0.15);
        d = s.step().decision();
        assertEquals(began, since(s), d.message().text());
        assertFalse(d.message().text().contains("sustain goes on"), d.message().text());
    }

    /** 0s: the tick with the new pod missing ends the stretch, which starts again at the next known tick. */
    @Test
    void offEveryUnknownRestartsTheSustain() {
        Scene s = knownOnOne(Duration.ZERO);
        newPodNotReporting(s);
        Decision d = s.step().decision();
        assertEquals(null, since(s));
        assertFalse(d.message().text().contains("sustain goes on"), d.message().text());
        s.plus(TICK);
        s.cpu(0.15);
        s.step();
        assertEquals(s.now, since(s));
    }

    /** A gap longer than the grace ends the stretch: the fifth missing tick is 75s after the last known one. */
    @Test
    void aGapLongerThanTheGraceRestartsTheSustain() {
        Scene s = knownOnOne(Duration.ofMinutes(1));
        Instant began = since(s);
        newPodNotReporting(s);
        for (int i = 0; i < 4; i++) {
            s.step();
            assertEquals(began, since(s), "tick " + i);
            s.plus(TICK);
        }
        s.step();
        assertEquals(null, since(s));
    }

    /** A pod that reported before and stops (2 of 3 where 3 reported) is missing data: the stretch ends. */
    @Test
    void aPodThatStopsReportingRestartsTheSustain() {
        Scene s = knownOnOne(Duration.ofMinutes(1));
        s.replicas(3, 3).cpu(0.10).memory(0.30);
        s.step();
        s.plus(TICK);
        Instant began = since(s);
        assertTrue(began != null);
        s.signals.put("cpu", Signal.known("cpu", 0.10, 2, Duration.ofSeconds(10)));
        Decision d = s.step().decision();
        assertEquals(null, since(s), d.message().text());
        assertFalse(d.message().text().contains("sustain goes on"), d.message().text());
    }

    /** No step-down on a tick with the new pod missing, even with the sustain met: never on partial data. */
    @Test
    void nothingStepsDownDuringTheGap() {
        Scene s = knownOnOne(Duration.ofMinutes(1));
        for (int i = 0; i < 60; i++) { // 15 more minutes on 1 replica: the 10m sustain is met
            s.step();
            s.plus(TICK);
        }
        newPodNotReporting(s);
        Decision d = s.step().decision();
        assertEquals(Reason.PARTIAL_DATA, d.reason(), d.message().text());
        assertEquals(2, d.to(), d.message().text());
    }

    /** new-pod-grace is a duration from 0s (off) to less than scale-in.sustain. */
    @Test
    void newPodGraceIsBounded() {
        ScaleInSettings in = Scene.scene().scaleIn;
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> new ScaleInSettings(in.sustain(),
                in.cooldown(), in.delayAfterScaleOut(), in.verifyWindow(), in.backoff(), in.settleTimeout(),
                in.peakWindow(), in.peakRecurrence(), in.peakAfterReversal(), in.settleReadAfter(), in.sustain()));
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> new ScaleInSettings(in.sustain(),
                in.cooldown(), in.delayAfterScaleOut(), in.verifyWindow(), in.backoff(), in.settleTimeout(),
                in.peakWindow(), in.peakRecurrence(), in.peakAfterReversal(), in.settleReadAfter(),
                Duration.ofSeconds(-1)));
    }

    /** Off is 0s whatever the sustain, 0s included; a grace not under the sustain is refused at its config path. */
    @Test
    void offIsValidWithAnySustainAndTooLongAGraceIsRefusedByItsPath() {
        ScaleInSettings in = Scene.scene().scaleIn;
        new ScaleInSettings(Duration.ZERO, in.cooldown(), in.delayAfterScaleOut(), in.verifyWindow(), in.backoff(),
                in.settleTimeout(), in.peakWindow(), in.peakRecurrence(), in.peakAfterReversal(), in.settleReadAfter(),
                Duration.ZERO);
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                io.github.milvusautoscaler.config.InvalidConfigException.class,
                () -> io.github.milvusautoscaler.config.ConfigLoader.parse(
                        "milvus-autoscaler.defaults.scale-in.new-pod-grace = 20m", "autoscaler.conf"));
        assertTrue(e.errors().stream().anyMatch(err -> err.path().equals(
                "milvus-autoscaler.defaults.scale-in.new-pod-grace") && err.rule().contains("less than sustain")),
                e.errors().toString());
    }
}
