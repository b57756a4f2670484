package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Reason;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code scale-out.size-ahead}: a scale-out also sizes for each rising signal's load projected to when the new
 * replicas serve, under forecast.line x scale-out-above (1.13 x 0.75 = 0.8475), as a pre-scale sizes a forecast load.
 * The scene: 3 ready, cpu 0.66 over a short average of 0.60 (rising: 0.66 + 1.1 x 2 x 0.06 = 0.79 > 0.75), qps and
 * memory in band and flat.
 */
class ScaleOutSizeAheadTest {

    private static final Duration M4 = Duration.ofMinutes(4);

    private static Scene rising(Duration sizeAhead) {
        Scene s = Scene.scene();
        s.scaleOut = new ScaleOutSettings(Duration.ofMinutes(1), Duration.ofMinutes(3), 2, 1.5, 0.25, sizeAhead);
        s.cpu(0.66);
        s.state = s.average(s.steadyFor(Duration.ofMinutes(30)), "cpu", 0.66, 0.60);
        return s;
    }

    /** Off (0s): sized on the load now, ceil(3 x 0.66/0.575) = 4, as without the key. */
    @Test
    void offSizesOnTheLoadNow() {
        Decision d = rising(Duration.ZERO).decide().decision();
        assertEquals(Reason.SIGNAL_RISING, d.reason(), d.message().text());
        assertEquals(4, d.to(), d.message().text());
        assertFalse(d.message().text().contains("size-ahead"), d.message().text());
    }

    /**
     * 4m: cpu's load 3 x 0.66 = 1.98 over a short average of 3 x 0.60 = 1.80 rises 2 x 0.18 per 1m sustain, so in 4m
     * it heads for 1.98 + 4 x 0.36 = 3.42, and ceil(3.42 / 0.8475) = 5 replicas keep it under forecast.line: 3 -> 5 in
     * one step (max-step 2), where sized on the load now the rise would need a second scale-out.
     */
    @Test
    void aRisingLoadIsSizedForWhenTheNewReplicasServe() {
        Decision d = rising(M4).decide().decision();
        assertEquals(Reason.SIGNAL_RISING, d.reason(), d.message().text());
        assertEquals(5, d.to(), d.message().text());
        assertTrue(d.message().text().contains("(ceil(3 x 0.66/0.575) = 4, but cpu's load (value x ready) heads for"
                + " 3.42 in 4m (size-ahead) at its recent rate: ceil(3.42/0.8475 (forecast.line 1.13 x 0.75)) = 5,"
                + " max-step 2)"), d.message().text());
    }

    /**
     * A short average of 0.6133 projects 1.98 + 4 x 2 x 0.14 = 3.10: ceil(3.10 / 0.8475) = 4, no more than the load now
     * needs (ceil(3 x 0.66/0.575) = 4), so 3 -> 4; sized under scale-out-above (forecast.line 1) it would be
     * ceil(3.10 / 0.75) = 5. A rise that stops short of its projection leaves no replica for the step-down rule to take
     * back.
     */
    @Test
    void aProjectionIsSizedUnderTheForecastLine() {
        Scene s = rising(M4);
        s.state = s.average(s.state, "cpu", 0.66, 1.84 / 3);
        Decision d = s.decide().decision();
        assertEquals(Reason.SIGNAL_RISING, d.reason(), d.message().text());
        assertEquals(4, d.to(), d.message().text());
        assertFalse(d.message().text().contains("size-ahead"), d.message().text());
        Decision at = s.forecastLine(1.0).decide().decision();
        assertEquals(5, at.to(), at.message().text());
        assertTrue(at.message().text().contains("heads for 3.10 in 4m (size-ahead) at its recent rate:"
                + " ceil(3.10/0.75) = 5"), at.message().text());
    }

    /**
     * Only a signal that passes the rising test projects: memory 0.60, below its target 0.65, a tick above its short
     * average of 0.45 (1.80 + 8 x 0.45 = 5.40 load: ceil(5.40 / 0.904) = 6) sized the scale-out cpu earned, as the
     * proxy's cpu at 0.425 did live (recheck 11: "heads for 2.55", 2 -> 4). cpu's own projection gives 4: 3 -> 4.
     */
    @Test
    void aSignalThatIsNotRisingProjectsNothing() {
        Scene s = rising(M4);
        s.state = s.average(s.state, "cpu", 0.66, 1.84 / 3);
        s.memory(0.60);
        s.state = s.average(s.state, "memory", 0.60, 0.45);
        Decision d = s.decide().decision();
        assertEquals(Reason.SIGNAL_RISING, d.reason(), d.message().text());
        assertEquals(4, d.to(), d.message().text());
        assertFalse(d.message().text().contains("memory's load"), d.message().text());
    }

    /** A load that is HIGH but flat (short average = now) has nothing to project: ceil(3 x 0.82/0.575) = 5 either way. */
    @Test
    void aFlatLoadIsSizedOnTheLoadNow() {
        Scene s = Scene.scene();
        s.scaleOut = new ScaleOutSettings(Duration.ofMinutes(1), Duration.ofMinutes(3), 2, 1.5, 0.25, M4);
        s.replicas(6, 6);
        s.max = 20;
        s.cpu(0.82);
        s.state = Scene.highSince(s.steadyFor(Duration.ofMinutes(30)), Map.of("cpu", s.now.minus(Duration.ofMinutes(2))));
        Decision d = s.decide().decision();
        assertEquals(Reason.SIGNAL_HIGH, d.reason(), d.message().text());
        assertEquals(8, d.to(), "ceil(6 x 0.82/0.575) = 9, max-step 2: " + d.message().text());
        assertFalse(d.message().text().contains("size-ahead"), d.message().text());
    }

    /** size-ahead is a duration from 0s (off) to 1h. */
    @Test
    void sizeAheadIsBounded() {
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> new ScaleOutSettings(
                Duration.ofMinutes(1), Duration.ofMinutes(3), 2, 1.5, 0.25, Duration.ofMinutes(61)));
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> new ScaleOutSettings(
                Duration.ofMinutes(1), Duration.ofMinutes(3), 2, 1.5, 0.25, Duration.ofSeconds(-1)));
    }
}
