package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Reason;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A scripted rise, 15 s ticks, 3 replicas: cpu steady at 0.55 per pod for 30 minutes, then up by RISE per
 * tick. SIGNAL_RISING projects the recent rate {@value ScaleOut#LOOK_AHEAD_SUSTAINS} sustains ahead (the rate
 * signal lags the load, so a rise seen now began earlier); a projection of one sustain scaled out later on
 * the same rise, each tick of it one more tick of a node short once the rise outruns the replicas.
 */
class RisingLookAheadStoryTest {

    static final double RISE = 0.0275;

    /** The first scale-out of the story. */
    static Decision firstScaleOut() {
        Scene s = Scene.scene().cpu(0.55).memory(0.30).qps(100);
        for (int tick = 0; tick < 4 * 60; tick++) {
            int risen = Math.max(0, tick - 4 * 30);
            s.ready = s.current;
            s.cpu(0.55 + RISE * risen);
            Decision d = s.step().decision();
            if (d.to() > d.from()) {
                return d;
            }
            s.plus(Duration.ofSeconds(15));
        }
        throw new AssertionError("no scale-out");
    }

    @Test
    void aSteadyRiseScalesOutAsItHeadsPastTheLineWithinLookAheadSustains() {
        Decision d = firstScaleOut();
        // 30 minutes steady, then up 0.0275 a tick (0.11 a minute): at 10:31:30 cpu 0.72 heads for 0.80 within 1.1
        // sustains, past the line and by at least half the target-line gap: 3 -> 4. Projected one sustain ahead (the
        // rule before) the same rise never counted as rising, and the policy waited out the 1m sustain once cpu was
        // HIGH: SIGNAL_HIGH at 10:33:00 with cpu at 0.88, 90 s later.
        assertEquals(Reason.SIGNAL_RISING, d.reason(), d.message().text());
        assertEquals(Instant.parse("2026-01-05T10:31:30Z"), d.time());
        assertEquals(4, d.to());
        assertTrue(d.message().text().contains("rising: 0.80 > 0.75 within 1.1 x the 1m sustain"), d.message().text());
    }
}
