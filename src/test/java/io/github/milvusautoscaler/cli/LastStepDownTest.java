package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.LastScale;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What a recent step-down holds before a {@code scale} run's first removal: a whole verify window once settle and
 * health hold, for as long as that step may still be settling or being checked (its settle timeout plus its verify
 * window from the write), since when it settled is not known.
 */
class LastStepDownTest {

    static final Instant WRITTEN = Instant.parse("2026-12-07T14:56:32Z");
    static final Duration VERIFY = Duration.ofSeconds(20);
    static final Duration SETTLE = Duration.ofMinutes(3);

    static ScaleCommand.LastStepDown at(Direction direction, long secondsAfter) {
        return ScaleCommand.LastStepDown.of(Optional.of(new LastScale(WRITTEN, direction, "MANUAL_SCALE")), VERIFY,
                SETTLE, WRITTEN.plusSeconds(secondsAfter));
    }

    /**
     * Recheck 94, F1: a take-over 33 s after a killed run's step, whose node handed off for 30 s, held only
     * settle-read-after: its window, counted from the write, had passed before the step settled. It holds all 20 s.
     */
    @Test
    void aStepStillWithinItsSettleAndVerifyHoldsAWholeWindow() {
        ScaleCommand.LastStepDown taken = at(Direction.DOWN, 33);
        assertEquals(VERIFY, taken.verifyLeft());
        assertEquals("for the verify window (20s) of the step-down written 33s ago (MANUAL_SCALE), whole: when it"
                + " settled is not known", taken.what());
        assertEquals(VERIFY, at(Direction.DOWN, 0).verifyLeft());
        // 3m settle timeout + 20s window: at 3m19s it may still be checked; at 3m20s it has settled and been checked,
        // or timed out.
        assertEquals(VERIFY, at(Direction.DOWN, 199).verifyLeft());
        assertEquals(ScaleCommand.LastStepDown.NONE, at(Direction.DOWN, 200));
    }

    @Test
    void aScaleOutOrNoneHoldsNothing() {
        assertEquals(ScaleCommand.LastStepDown.NONE, at(Direction.UP, 5));
        assertEquals(ScaleCommand.LastStepDown.NONE, ScaleCommand.LastStepDown.of(Optional.empty(), VERIFY, SETTLE,
                WRITTEN));
    }
}
