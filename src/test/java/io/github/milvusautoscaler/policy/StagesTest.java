package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Scene.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.SignalState;
import io.github.milvusautoscaler.core.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Stages tested alone, outside the pipeline. */
class StagesTest {

    @ParameterizedTest(name = "cpu {0} in band [0.40, 0.75] is {1}")
    @CsvSource({
            "0.76, HIGH",
            // Thresholds are strict: exactly on a line is still in the band.
            "0.75, IN_BAND",
            "0.40, IN_BAND",
            "0.39, LOW",
            "0.00, LOW"})
    void classifiesAgainstTheBand(double cpu, SignalState expected) {
        Scene s = Scene.scene().cpu(cpu);
        List<Classified> c = Classified.classify(s.settings(), s.observation(), s.status());
        assertEquals(expected, c.get(0).state());
        assertEquals(cpu, c.get(0).v());
    }

    @Test
    void aSignalMissingFromTheObservationIsUnknownNotZero() {
        Scene s = Scene.scene();
        s.signals.remove("memory");
        Classified memory = Classified.classify(s.settings(), s.observation(), s.status()).get(1);
        assertEquals(SignalState.UNKNOWN, memory.state());
        assertTrue(memory.value().isEmpty());
        assertEquals("not observed", memory.problem());
    }

    private static TargetState observe(Scene s, TargetState st) {
        s.state = st;
        Tick before = s.tick();
        return st.with(new ScaleOut().observe(st.get(ScaleOut.Timers.class), before))
                .with(new StepDown().observe(st.get(StepDown.Steps.class), before))
                .with(new VerifyStepDown().observe(st.get(VerifyStepDown.Verification.class), before));
    }

    @Test
    void highTimerKeepsItsStartAndResetsWhenTheSignalLeavesHigh() {
        Scene s = Scene.scene().cpu(0.9);
        Instant started = T0.minusSeconds(45);
        TargetState st = Scene.highSince(TargetState.initial(), Map.of("cpu", started));
        assertEquals(started, observe(s, st).get(ScaleOut.Timers.class).highSince().get("cpu"));

        s.cpu(0.6);
        assertFalse(observe(s, st).get(ScaleOut.Timers.class).highSince().containsKey("cpu"));
    }

    @Test
    void unknownResetsTheScaleInTimerAndTheAverages() {
        Scene s = Scene.scene().allLow();
        TargetState known = s.steadyFor(Duration.ofMinutes(9));
        s.unknown("qps", "empty result");
        TargetState after = observe(s, known);
        assertNull(after.get(StepDown.Steps.class).averages().since());
        assertTrue(Double.isNaN(after.get(StepDown.Steps.class).averages().longTerm("cpu")));
        // Known again: the stretch and the averages start afresh at the new value, 0.20 x 3 = 0.60.
        s.qps(20).plus(Duration.ofSeconds(15));
        TargetState again = observe(s, after);
        assertEquals(s.now, again.get(StepDown.Steps.class).averages().since());
        assertEquals(0.60, again.get(StepDown.Steps.class).averages().longTerm("cpu"), 1e-12);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // A 15 s tick moves the 10m average by 1 - e^(-2 x 15/600) = 4.877% of the way:
            // 0.90 + 0.04877 x (1.50 - 0.90) = 0.9293; the 1m one by 1 - e^(-2 x 15/60) = 39.35%:
            // 0.90 + 0.3935 x 0.60 = 1.1361.
            "'load 0.90 -> 1.50 (cpu 0.30 -> 0.50 on 3)', 3, 0.50, 0.92926, 1.13608",
            // A step-down, 3 -> 2, with the same load: 0.45 x 2 = 0.90, so neither average moves.
            "'same load on one replica fewer', 2, 0.45, 0.90, 0.90"})
    void averagesFollowTheLoadNotTheValue(String name, int ready, double cpu, double longTerm, double shortTerm) {
        Scene s = Scene.scene().cpu(0.30);
        TargetState st = s.steadyFor(Duration.ofMinutes(30));
        s.replicas(ready, ready).cpu(cpu).memory(0.65).qps(100).plus(Duration.ofSeconds(15));
        LoadAverages after = observe(s, st).get(StepDown.Steps.class).averages();
        assertEquals(longTerm, after.longTerm("cpu"), 1e-5);
        assertEquals(shortTerm, after.shortTerm("cpu"), 1e-5);
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
        TargetState st = Scene.ready(TargetState.initial(), before, before < 0 ? null : T0.minusSeconds(60));
        ScaleOut.Timers after = observe(s, st).get(ScaleOut.Timers.class);
        assertEquals(ready, after.lastReady());
        assertEquals(roseAgo == null ? null : T0.plusSeconds(roseAgo), after.readyRoseAt());
    }

    @Test
    void annotationOfAStepDownRestoresCooldownAndVerifyWindow() {
        Scene s = Scene.scene().lastScale(T0.minus(Duration.ofMinutes(2)), Direction.DOWN);
        TargetState st = observe(s, TargetState.initial());
        assertEquals(T0.minus(Duration.ofMinutes(2)), st.lastScaleIn());
        // verify window 5m from the step-down 2m ago: ends 3m from now.
        s.state = st;
        assertEquals(T0.plus(Duration.ofMinutes(3)), VerifyStepDown.windowEnd(s.tick()));
    }

    @Test
    void limitClampsToMaxButLetsGuardsMoveTowardTheBounds() {
        Scene s = Scene.scene().replicas(9, 9);
        Tick t = new Tick(s.settings(), s.observation(), s.status(), s.state, List.of(), s.budget, T0);
        assertEquals(10, Policy.limit(t, new Proposal(Stage.SCALE_OUT, Reason.SIGNAL_HIGH, 11, "x")).to());
        Scene above = Scene.scene().replicas(14, 14);
        Tick t2 = new Tick(above.settings(), above.observation(), above.status(), above.state, List.of(), above.budget, T0);
        assertEquals(13, Policy.limit(t2, new Proposal(Stage.GUARDS, Reason.ABOVE_MAX, 13, "x")).to());
    }

    @Test
    void rulesRunInTheReadmeOrder() {
        assertEquals(List.of(Stage.GUARDS, Stage.VERIFY_STEP_DOWN, Stage.ALERTS, Stage.UNKNOWN_DATA, Stage.SCALE_OUT,
                Stage.STEP_DOWN, Stage.IN_BAND), Policy.RULES.stream().map(Rule::stage).toList());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "0.8234, 0.82",
            "0.005, 0.01",
            "0.04, 0.04",
            "12.345, 12.3",
            "99.96, 100.0",
            "153.7, 154",
            "-0.5, -0.50",
            "0, 0.00",
            "0.575, 0.58"})
    void formatsNumbersShortly(double v, String expected) {
        assertEquals(expected, Format.num(v));
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource({
            "0.82, >, 0.75, 0.82 > 0.75",
            "0.3996, <, 0.40, 0.3996 < 0.4000",
            "0.7512, >, 0.75, 0.751 > 0.750",
            "151.2, >, 150, 151 > 150",
            "150.4, >, 150, 150.4 > 150.0",
            "0.575, <=, 0.575, 0.58 <= 0.58",
            "0.75000001, >, 0.75, 0.75000001 > 0.75",
            "0.39999, <, 0.40, 0.39999 < 0.4",
            "0.00001, <, 0.00002, 0.00001 < 0.00002"})
    void comparisonsShowEnoughDecimalsToTellTheSidesApart(double a, String op, double b, String expected) {
        assertEquals(expected, Format.compare(a, op, b));
    }
}
