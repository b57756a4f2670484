package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Scene.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Stage;
import java.time.Duration;
import java.time.Instant;
import io.github.milvusautoscaler.core.SignalState;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The scale-out rule's memory ({@link ScaleOut.Timers}): sustain timers, last scale-out, ready count rises. */
class ScaleOutTest {

    private final ScaleOut rule = new ScaleOut();

    private ScaleOut.Timers observe(Scene s) {
        return rule.observe(s.state.get(ScaleOut.Timers.class), s.tick());
    }

    @Test
    void highTimerKeepsItsStartAndResetsWhenTheSignalLeavesHigh() {
        Scene s = Scene.scene().cpu(0.9);
        Instant started = T0.minusSeconds(45);
        s.state = Scene.highSince(TargetState.initial(), Map.of("cpu", started));
        assertEquals(started, observe(s).highSince().get("cpu"));

        s.cpu(0.6);
        assertFalse(observe(s).highSince().containsKey("cpu"));
    }

    @Test
    void aSignalTurningHighStartsItsTimerNow() {
        Scene s = Scene.scene().cpu(0.55).qps(200);
        assertEquals(Map.of("qps", T0), observe(s).highSince());
    }

    @ParameterizedTest(name = "ready {0} -> {1}: rose at {2}")
    @CsvSource({
            // First tick: nothing to compare with.
            "-1, 3, ",
            "3, 5, 0",
            // A step-down or no change keeps the last rise (60s ago in the state).
            "5, 4, -60",
            "5, 5, -60"})
    void remembersWhenTheReadyCountRose(int before, int ready, Long roseAgo) {
        Scene s = Scene.scene().replicas(ready, ready);
        s.state = Scene.ready(TargetState.initial(), before, before < 0 ? null : T0.minusSeconds(60));
        ScaleOut.Timers after = observe(s);
        assertEquals(ready, after.lastReady());
        assertEquals(roseAgo == null ? null : T0.plusSeconds(roseAgo), after.readyRoseAt());
    }

    @ParameterizedTest(name = "annotation {0} 60s ago, state {1}s ago -> {2}s ago")
    @CsvSource({
            // A restarted daemon (nothing known) takes the scale-out from the object.
            "UP, , -60",
            // A newer one written by the other daemon replaces ours; an older one does not.
            "UP, -120, -60",
            "UP, -30, -30",
            // A step-down on the object is not a scale-out.
            "DOWN, , "})
    void takesANewerScaleOutFromTheAnnotations(Direction direction, Long stateAgo, Long expectedAgo) {
        Scene s = Scene.scene().lastScale(T0.minusSeconds(60), direction);
        s.state = Scene.lastScaleOut(TargetState.initial(), stateAgo == null ? null : T0.plusSeconds(stateAgo));
        assertEquals(expectedAgo == null ? null : T0.plusSeconds(expectedAgo), observe(s).lastScaleOut());
    }

    @ParameterizedTest(name = "{0} written")
    @CsvSource({"SIGNAL_HIGH, SCALE_OUT", "PANIC, SCALE_OUT", "STEP_DOWN_ROLLBACK, VERIFY_STEP_DOWN",
            "ALERT_SCALE_OUT, ALERTS", "BELOW_MIN, GUARDS", "FALLBACK_SCALE_OUT, UNKNOWN_DATA"})
    void everyWrittenScaleOutStartsTheCooldown(Reason reason, Stage by) {
        Scene s = Scene.scene();
        ScaleOut.Timers before = s.state.get(ScaleOut.Timers.class);
        ScaleOut.Timers after = rule.written(before, s.observed(), new Proposal(by, reason, 4, "x"));
        assertEquals(T0, after.lastScaleOut());
    }

    @Test
    void aStepDownOrAHoldLeavesTheCooldownAlone() {
        Scene s = Scene.scene();
        s.state = Scene.lastScaleOut(s.state, T0.minus(Duration.ofMinutes(1)));
        ScaleOut.Timers before = s.state.get(ScaleOut.Timers.class);
        ScaleOut.Timers stepped = rule.written(before, s.observed(), new Proposal(Stage.STEP_DOWN, Reason.SIGNALS_LOW, 2,
                "x"));
        assertEquals(before.lastScaleOut(), stepped.lastScaleOut());
        // The count the next tick expects is the step-down's, so only a count someone else sets reads as theirs.
        assertEquals(2, stepped.outside().expected());
        assertSame(before, rule.decided(before, s.observed(), new Proposal(Stage.IN_BAND, Reason.IN_BAND, 3, "x")));
    }

    @Test
    void retimedMovesOnlyTheScaleOutOfThisTick() {
        Instant written = T0.plusMillis(2100);
        ScaleOut.Timers now = new ScaleOut.Timers(Map.of("cpu", T0.minusSeconds(60)), T0, 3, T0.minusSeconds(30));
        assertEquals(new ScaleOut.Timers(Map.of("cpu", T0.minusSeconds(60)), written, 3, T0.minusSeconds(30)),
                now.retimed(T0, written));
        ScaleOut.Timers earlier = new ScaleOut.Timers(Map.of(), T0.minusSeconds(60), 3, null);
        assertEquals(earlier, earlier.retimed(T0, written));
    }

    @Test
    void atMaxIsTheScaleOutRulesReasonWhoeverAsks() {
        Scene s = Scene.scene().replicas(10, 10);
        Proposal p = ScaleOut.atMax(s.observed(), () -> "x", java.util.Set.of("k")).orElseThrow();
        assertEquals(Stage.SCALE_OUT, p.by());
        assertEquals(Reason.AT_MAX, p.reason());
        assertEquals(10, p.to());
    }

    @Test
    void forecastLinesRememberARaisedLineThroughUnknownTicksAndNoteOnlyTheStretchItsFallBackBegan() {
        SignalPolicy cpu = SignalPolicy.band("cpu", 0.75, 0.40);
        Classified trusted = new Classified(cpu, OptionalDouble.of(0.80), SignalState.IN_BAND, "", 0.8475);
        Classified unknown = new Classified(cpu, OptionalDouble.empty(), SignalState.UNKNOWN, "no data", 0.75);
        Classified plain = new Classified(cpu, OptionalDouble.of(0.80), SignalState.HIGH, "", 0.75);
        ScaleOut.ForecastLines raised = ScaleOut.ForecastLines.NONE.next(List.of(trusted), T0);
        assertEquals(Map.of("cpu", 0.8475), raised.raised());
        // Unchanged and UNKNOWN ticks keep the same object: the last known line stands.
        assertSame(raised, raised.next(List.of(trusted), T0.plusSeconds(15)));
        assertSame(raised, raised.next(List.of(unknown), T0.plusSeconds(30)));
        // The line falls back at 10:00:45: a HIGH stretch that began then is noted, one that began later is not,
        // and a line raised again has no note.
        Instant fell = T0.plusSeconds(45);
        ScaleOut.ForecastLines dropped = raised.next(List.of(plain), fell);
        assertEquals(Map.of(), dropped.raised());
        assertEquals(" (the line was the forecast's 0.8475 until cpu's forecast stopped being trusted as this stretch"
                + " began)", dropped.dropNote(plain, fell));
        assertEquals("", dropped.dropNote(plain, fell.plusSeconds(15)));
        assertEquals("", dropped.next(List.of(trusted), fell.plusSeconds(15)).dropNote(trusted, fell));
        assertEquals("", ScaleOut.ForecastLines.NONE.dropNote(plain, fell));
    }
}
