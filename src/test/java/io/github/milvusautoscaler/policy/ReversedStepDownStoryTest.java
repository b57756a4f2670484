package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A scripted five hours on one replica, 15 s ticks, with the scale-in settings reference.conf ships (delay after
 * a scale-out 15m, verify window 5m, peak look-back 120m with recurrence 5, hold after a reversal 1h): two quiet
 * hours at cpu 0.30 (0.3 nodes), then a 4-minute burst to 0.95 that takes 1 -> 2; back at 0.3 nodes the policy
 * steps down to one replica again (the burst is in one span of six, not a level), and 8 minutes later, past the
 * verify window, a second burst takes 1 -> 2 again: that scale-out reverses the step-down. From then on the step
 * to one replica must fit the highest load of the look-back (0.95 / 1 > 0.75) for an hour; without the hold the
 * policy steps down as soon as the delay after the scale-out has passed, into whatever burst comes next.
 */
class ReversedStepDownStoryTest {

    /** Runs the story with {@code hold} as scale-in.peak-after-reversal; returns every decision. */
    static List<Decision> run(Duration hold) {
        Scene s = Scene.scene();
        ScaleInSettings shipped = ShippedPeakLookBackStoryTest.shipped();
        s.scaleIn = new ScaleInSettings(shipped.sustain(), shipped.cooldown(), shipped.delayAfterScaleOut(),
                shipped.verifyWindow(), shipped.backoff(), shipped.settleTimeout(), shipped.peakWindow(),
                shipped.peakRecurrence(), hold);
        s.current = 1;
        s.ready = 1;
        List<Decision> out = new ArrayList<>();
        Instant secondBurst = null;
        for (int tick = 0; tick < 4 * 300; tick++) {
            Instant now = s.now;
            boolean firstBurst = !now.isBefore(at(120)) && now.isBefore(at(124));
            boolean burst = firstBurst || secondBurst != null && !now.isBefore(secondBurst)
                    && now.isBefore(secondBurst.plus(Duration.ofMinutes(4)));
            s.ready = s.current;
            // 0.3 nodes of load spread over the replicas, or 0.95 on one during a burst.
            s.allLow().cpu(burst ? 0.95 / s.ready : 0.30 / s.ready);
            Decision d = s.step().decision();
            out.add(d);
            if (secondBurst == null && d.reason() == Reason.SIGNALS_LOW && d.to() == 1) {
                secondBurst = d.time().plus(Duration.ofMinutes(8));
            }
            s.plus(Duration.ofSeconds(15));
        }
        return out;
    }

    static Instant at(int minute) {
        return Scene.T0.plus(Duration.ofMinutes(minute));
    }

    /** The scale-out of the second burst: the one that reverses the step-down to one replica. */
    static Decision reversal(List<Decision> d) {
        Decision toOne = d.stream().filter(x -> x.reason() == Reason.SIGNALS_LOW && x.to() == 1).findFirst()
                .orElseThrow();
        return d.stream().filter(x -> x.time().isAfter(toOne.time()) && x.from() == 1 && x.to() == 2).findFirst()
                .orElseThrow();
    }

    static Decision nextStepDownToOne(List<Decision> d, Instant after) {
        return d.stream().filter(x -> x.time().isAfter(after) && x.reason() == Reason.SIGNALS_LOW && x.to() == 1)
                .findFirst().orElseThrow();
    }

    @Test
    void aReversedStepDownToOneHoldsTheNextOnTheHighestPeakForAnHour() {
        List<Decision> d = run(ShippedPeakLookBackStoryTest.shipped().peakAfterReversal());
        Decision reversed = reversal(d);
        Decision toOne = d.stream().filter(x -> x.reason() == Reason.SIGNALS_LOW && x.to() == 1).findFirst()
                .orElseThrow();
        assertTrue(Duration.between(toOne.time(), reversed.time()).compareTo(Duration.ofMinutes(15)) < 0,
                "the second burst's scale-out comes within 15m of the step-down: " + toOne.time() + " "
                        + reversed.time());

        Decision held = d.stream().filter(x -> x.time().isAfter(reversed.time())
                && x.reason() == Reason.PEAK_WOULD_OVERLOAD).findFirst().orElseThrow();
        assertTrue(held.message().text().contains("the highest of the last 2h: the last step-down to one replica was"
                + " reversed"), held.message().text());
        assertTrue(held.message().text().contains("0.95/1 = 0.95 > 0.75; no step-down 2 -> 1"), held.message().text());

        Decision again = nextStepDownToOne(d, reversed.time());
        assertTrue(!again.time().isBefore(reversed.time().plus(Duration.ofHours(1))),
                "held for the hour after the reversal: " + again.time());
        assertTrue(again.time().isBefore(reversed.time().plus(Duration.ofMinutes(62))),
                "then the recurring peak (0.3 nodes in four of six spans) lets it go: " + again.time());
    }

    @Test
    void withoutTheHoldTheNextStepDownToOneComesOnceTheDelayAfterTheScaleOutHasPassed() {
        List<Decision> d = run(Duration.ZERO);
        Decision reversed = reversal(d);
        Decision again = nextStepDownToOne(d, reversed.time());
        assertEquals(reversed.time().plus(Duration.ofMinutes(15)), again.time());
    }
}
