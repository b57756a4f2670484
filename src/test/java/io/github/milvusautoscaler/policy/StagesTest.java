package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Scene.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.SignalState;
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
        List<Classified> c = Stages.classify(s.settings(), s.observation(), s.status());
        assertEquals(expected, c.get(0).state());
        assertEquals(cpu, c.get(0).v());
    }

    @Test
    void aSignalMissingFromTheObservationIsUnknownNotZero() {
        Scene s = Scene.scene();
        s.signals.remove("memory");
        Classified memory = Stages.classify(s.settings(), s.observation(), s.status()).get(1);
        assertEquals(SignalState.UNKNOWN, memory.state());
        assertTrue(memory.value().isEmpty());
        assertEquals("not observed", memory.problem());
    }

    @Test
    void highTimerKeepsItsStartAndResetsWhenTheSignalLeavesHigh() {
        Scene s = Scene.scene().cpu(0.9);
        Instant started = T0.minusSeconds(45);
        TargetState st = TargetState.initial().withTimers(Map.of("cpu", started), null, null);
        List<Classified> high = Stages.classify(s.settings(), s.observation(), s.status());
        assertEquals(started, Stages.advanceTimers(st, high, T0).highSince().get("cpu"));

        s.cpu(0.6);
        List<Classified> inBand = Stages.classify(s.settings(), s.observation(), s.status());
        assertFalse(Stages.advanceTimers(st, inBand, T0).highSince().containsKey("cpu"));
    }

    @Test
    void unknownResetsTheScaleInTimer() {
        Scene s = Scene.scene().allLow().unknown("qps", "empty result");
        TargetState st = TargetState.initial().withTimers(Map.of(), T0.minus(Duration.ofMinutes(9)), null);
        List<Classified> c = Stages.classify(s.settings(), s.observation(), s.status());
        assertNull(Stages.advanceTimers(st, c, T0).lowSince());
    }

    @Test
    void annotationOfAStepDownRestoresCooldownAndVerifyWindow() {
        Scene s = Scene.scene().lastScale(T0.minus(Duration.ofMinutes(2)), Direction.DOWN);
        TargetState st = Stages.rememberLastScale(TargetState.initial(), s.status(), s.scaleIn);
        assertEquals(T0.minus(Duration.ofMinutes(2)), st.lastScaleIn());
        // verify window 5m from the step-down 2m ago: ends 3m from now.
        assertEquals(T0.plus(Duration.ofMinutes(3)), st.verifyUntil());
    }

    @Test
    void limitClampsToMaxButLetsGuardsMoveTowardTheBounds() {
        Scene s = Scene.scene().replicas(9, 9);
        Tick t = new Tick(s.settings(), s.observation(), s.status(), s.state, List.of(), s.budget, T0);
        assertEquals(10, Policy.limit(t, new Proposal(Reason.SIGNAL_HIGH, 11, "x")).to());
        Scene above = Scene.scene().replicas(14, 14);
        Tick t2 = new Tick(above.settings(), above.observation(), above.status(), above.state, List.of(), above.budget, T0);
        assertEquals(13, Policy.limit(t2, new Proposal(Reason.ABOVE_MAX, 13, "x")).to());
    }

    @Test
    void pipelineRunsInTheContractOrder() {
        assertEquals(List.of("guards", "verify-step-down", "alerts", "all-unknown", "scale-out", "scale-in", "in-band"),
                Policy.PIPELINE.stream().map(Policy.Stage::name).toList());
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
            "0, 0.00"})
    void formatsNumbersShortly(double v, String expected) {
        assertEquals(expected, Format.num(v));
    }
}
