package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Scene.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ScaleMemory;
import io.github.milvusautoscaler.core.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The verification rule's memory ({@link VerifyStepDown.Verification}): the step-down being verified
 * and the last roll-back. Defaults from {@link Scene}: verify window 5m, back-off 30m.
 */
class VerifyStepDownTest {

    private final VerifyStepDown rule = new VerifyStepDown();

    private VerifyStepDown.Verification observe(Scene s) {
        return rule.observe(s.state.get(VerifyStepDown.Verification.class), s.tick());
    }

    @Test
    void annotationOfAStepDownRestoresTheVerifyWindow() {
        Scene s = Scene.scene().lastScale(T0.minus(Duration.ofMinutes(2)), Direction.DOWN);
        s.state = s.state.with(observe(s));
        // verify window 5m from the step-down 2m ago: ends 3m from now.
        assertEquals(T0.plus(Duration.ofMinutes(3)), VerifyStepDown.windowEnd(s.tick()));
    }

    @Test
    void theAnnotationOfAStepDownAlreadyVerifiedDoesNotStartItAgain() {
        // Stepped down 2m ago, verification already over (ended by a readable health query): the
        // annotation names the same step-down, so no new window starts.
        Scene s = Scene.scene().lastScale(T0.minus(Duration.ofMinutes(2)), Direction.DOWN);
        s.state = Scene.steppedDown(s.state, T0.minus(Duration.ofMinutes(2)), false);
        assertNull(observe(s).stepDownAt());
    }

    @Test
    void theBackoffAnnotationGivesTheRollBackItRunsFrom() {
        // The object says scale-in is backed off until 10:20; back-off 30m: the roll-back was at 09:50.
        Scene s = Scene.scene();
        s.memory = new ScaleMemory(T0.plus(Duration.ofMinutes(20)), null, null, Set.of());
        assertEquals(T0.minus(Duration.ofMinutes(10)), observe(s).rolledBackAt());
        // A later roll-back already known stays.
        s.state = Scene.rolledBack(s.state, T0.minus(Duration.ofMinutes(5)));
        assertEquals(T0.minus(Duration.ofMinutes(5)), observe(s).rolledBackAt());
        // ... and the object keeps the end time it was given: 09:55 + 30m = 10:25.
        s.state = s.state.with(observe(s));
        assertEquals(T0.plus(Duration.ofMinutes(25)), new Policy(s.settings()).kept(s.state, Set.of()).backoffUntil());
    }

    /**
     * A replica verifying a step-down (a follower that saw it, or one that took over) reads the roll-back another
     * wrote since from the back-off annotation: the verification is over. It decided a second roll-back, 2 -> 3, four
     * seconds after the leader's 1 -> 2 (soak recheck 20, F2). Stepped down at 09:58, rolled back at 09:59 (back-off
     * until 10:29 at 30m), cpu HIGH at 10:00: no second roll-back.
     */
    @Test
    void aRollBackAnotherReplicaWroteEndsTheVerification() {
        Scene s = Scene.scene();
        s.state = Scene.steppedDown(s.state, T0.minus(Duration.ofMinutes(2)), true);
        s.memory = new ScaleMemory(T0.minus(Duration.ofMinutes(1)).plus(Duration.ofMinutes(30)), null, null, Set.of());
        assertEquals(new VerifyStepDown.Verification(null, T0.minus(Duration.ofMinutes(1))), observe(s));
        s.lastScale(T0.minus(Duration.ofMinutes(1)), Direction.UP).cpu(0.9);
        io.github.milvusautoscaler.core.Decision d = s.decide().decision();
        org.junit.jupiter.api.Assertions.assertNotEquals(Reason.STEP_DOWN_ROLLBACK, d.reason(), d.message().text());
        // A back-off older than the step-down is an earlier roll-back's: the step-down is verified as before.
        Scene older = Scene.scene();
        older.state = Scene.steppedDown(older.state, T0.minus(Duration.ofMinutes(2)), true);
        older.memory = new ScaleMemory(T0.minus(Duration.ofMinutes(10)).plus(Duration.ofMinutes(30)), null, null,
                Set.of());
        assertEquals(T0.minus(Duration.ofMinutes(2)), observe(older).stepDownAt());
    }

    @ParameterizedTest(name = "stepped down {0}m ago, health {1}: still verifying {2}")
    @CsvSource({"2, OK, true", "5, OK, true", "6, OK, false", "6, NONE, false",
            // An unreadable health query extends the verification past the window.
            "6, UNKNOWN, true"})
    void theVerificationEndsWhenTheWindowHasPassedReadably(int ago, Health health, boolean verifying) {
        Scene s = Scene.scene();
        s.health = health;
        s.state = Scene.steppedDown(s.state, T0.minus(Duration.ofMinutes(ago)), true);
        VerifyStepDown.Verification after = rule.decided(s.state.get(VerifyStepDown.Verification.class),
                s.observed(), new Proposal(Stage.IN_BAND, Reason.IN_BAND, 3, "x"));
        assertEquals(verifying ? T0.minus(Duration.ofMinutes(ago)) : null, after.stepDownAt());
    }

    @Test
    void aWrittenRollBackEndsTheVerificationAndStartsTheBackoff() {
        Scene s = Scene.scene();
        s.state = Scene.steppedDown(s.state, T0.minus(Duration.ofMinutes(2)), true);
        VerifyStepDown.Verification after = rule.written(s.state.get(VerifyStepDown.Verification.class),
                s.observed(), new Proposal(Stage.VERIFY_STEP_DOWN, Reason.STEP_DOWN_ROLLBACK, 4, "x"));
        assertEquals(new VerifyStepDown.Verification(null, T0), after);
        assertEquals(T0.plus(Duration.ofMinutes(30)), new Policy(s.settings()).kept(s.state.with(after), Set.of())
                .backoffUntil());
    }

    @ParameterizedTest(name = "{0} written")
    @CsvSource({"SIGNALS_LOW, STEP_DOWN", "ABOVE_MAX, GUARDS"})
    void aWrittenStepDownStartsAVerificationAndKeepsTheBackoff(Reason reason, Stage by) {
        Scene s = Scene.scene();
        s.state = Scene.rolledBack(s.state, T0.minus(Duration.ofHours(1)));
        VerifyStepDown.Verification after = rule.written(s.state.get(VerifyStepDown.Verification.class),
                s.observed(), new Proposal(by, reason, 2, "x"));
        assertEquals(new VerifyStepDown.Verification(T0, T0.minus(Duration.ofHours(1))), after);
    }

    @Test
    void anOrdinaryScaleOutLeavesTheVerificationAlone() {
        Scene s = Scene.scene();
        s.state = Scene.steppedDown(s.state, T0.minus(Duration.ofMinutes(2)), true);
        VerifyStepDown.Verification before = s.state.get(VerifyStepDown.Verification.class);
        assertSame(before, rule.written(before, s.observed(), new Proposal(Stage.SCALE_OUT, Reason.SIGNAL_HIGH, 5, "x")));
    }

    @Test
    void retimedMovesTheStepDownAndRollBackOfThisTickOnly() {
        Instant written = T0.plusMillis(2100);
        assertEquals(new VerifyStepDown.Verification(written, null),
                new VerifyStepDown.Verification(T0, null).retimed(T0, written));
        assertEquals(new VerifyStepDown.Verification(null, written),
                new VerifyStepDown.Verification(null, T0).retimed(T0, written));
        VerifyStepDown.Verification older = new VerifyStepDown.Verification(T0.minusSeconds(60), T0.minusSeconds(600));
        assertEquals(older, older.retimed(T0, written));
    }
}
