package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Scene.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.ActiveAlert.AlertAction;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Stage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The pipeline as a whole: the order of its rules, and the limits applied to what a rule settled on. */
class PolicyTest {

    @Test
    void rulesRunInTheReadmeOrder() {
        assertEquals(List.of(Stage.GUARDS, Stage.VERIFY_STEP_DOWN, Stage.ALERTS, Stage.SCHEDULED_FLOOR,
                Stage.UNKNOWN_DATA, Stage.SCALE_OUT, Stage.FORECAST, Stage.RECENT_PEAK, Stage.STEP_DOWN, Stage.IN_BAND),
                Policy.RULES.stream().map(Rule::stage).toList());
    }

    /** The case: cpu HIGH for the sustain, memory LOW, qps UNKNOWN. Scale-out is asked first. */
    @Test
    void aHighSignalWinsOverLowAndUnknownOnes() {
        Scene s = Scene.scene().cpu(0.82).memory(0.30).unknown("qps", "empty result");
        s.state = Scene.highSince(s.state, Map.of("cpu", T0.minus(Duration.ofMinutes(1))));
        Decision d = s.decide().decision();
        // ceil(3 x 0.82/0.575) = 5.
        assertEquals(Reason.SIGNAL_HIGH, d.reason(), d.message().text());
        assertEquals(Stage.SCALE_OUT, d.stage());
        assertEquals(5, d.to());
    }

    private static Arguments c(String name, Stage first, Stage second, Consumer<Scene> setup) {
        return Arguments.of(name, first, second, setup);
    }

    /**
     * For each pair of neighbouring rules, a tick on which both would settle differently: the earlier
     * must win, so swapping the two in {@link Policy#RULES} fails this test. (Unknown data and
     * scale-out never both settle: one needs every signal UNKNOWN, the other a known HIGH one.)
     */
    static Stream<Arguments> neighbours() {
        return Stream.of(
                c("paused while a step-down is harmed", Stage.GUARDS, Stage.VERIFY_STEP_DOWN, s -> {
                    s.paused = true;
                    s.cpu(0.8);
                    s.state = Scene.steppedDown(s.state, T0.minus(Duration.ofMinutes(2)), true);
                }),
                c("a harmed step-down while an alert fires", Stage.VERIFY_STEP_DOWN, Stage.ALERTS, s -> {
                    s.cpu(0.8);
                    s.state = Scene.steppedDown(s.state, T0.minus(Duration.ofMinutes(2)), true);
                    s.alert("MilvusSearchLatencyHigh", AlertAction.SCALE_OUT);
                }),
                c("an alert while every signal is unknown", Stage.ALERTS, Stage.UNKNOWN_DATA, s -> {
                    s.allUnknown();
                    s.alert("MilvusSearchLatencyHigh", AlertAction.SCALE_OUT);
                }),
                c("cpu HIGH, memory LOW, qps UNKNOWN", Stage.SCALE_OUT, Stage.STEP_DOWN, s -> {
                    s.cpu(0.82).memory(0.30).unknown("qps", "empty result");
                    s.state = Scene.highSince(s.state, Map.of("cpu", T0.minus(Duration.ofMinutes(1))));
                }),
                c("cpu HIGH not yet sustained, averages LOW", Stage.SCALE_OUT, Stage.STEP_DOWN, s -> {
                    s.allLow();
                    s.state = s.steadyFor(Duration.ofMinutes(20));
                    s.cpu(0.80);
                }),
                c("every average LOW for the sustain", Stage.STEP_DOWN, Stage.IN_BAND, s -> {
                    s.allLow();
                    s.state = s.steadyFor(Duration.ofMinutes(10));
                }));
    }

    @ParameterizedTest(name = "{0}: {1} before {2}")
    @MethodSource("neighbours")
    void theEarlierOfTwoNeighbouringRulesDecides(String name, Stage first, Stage second, Consumer<Scene> setup) {
        Scene s = Scene.scene();
        setup.accept(s);
        Tick t = s.observed();
        Proposal mine = rule(first).decide(t).orElseThrow();
        Proposal theirs = rule(second).decide(t).orElseThrow();
        assertNotEquals(mine.reason(), theirs.reason(), "a tick on which the order matters");
        Decision d = s.decide().decision();
        assertEquals(mine.reason(), d.reason(), d.message().text());
        assertEquals(first, d.stage());
    }

    private static Rule<?> rule(Stage stage) {
        return Policy.RULES.stream().filter(r -> r.stage() == stage).findFirst().orElseThrow();
    }

    @Test
    void limitClampsToMaxButLetsGuardsMoveTowardTheBounds() {
        Scene s = Scene.scene().replicas(9, 9);
        Tick t = s.observed();
        assertEquals(10, Policy.limit(t, new Proposal(Stage.SCALE_OUT, Reason.SIGNAL_HIGH, 11, "x")).to());
        Tick above = Scene.scene().replicas(14, 14).observed();
        assertEquals(13, Policy.limit(above, new Proposal(Stage.GUARDS, Reason.ABOVE_MAX, 13, "x")).to());
    }

    @Test
    void anExhaustedBudgetHoldsWithItsOwnStage() {
        Scene s = Scene.scene();
        s.budget = new Budget(30, 30);
        Proposal held = Policy.limit(s.observed(), new Proposal(Stage.SCALE_OUT, Reason.SIGNAL_HIGH, 5, "x"));
        assertEquals(Reason.BUDGET_EXHAUSTED, held.reason());
        assertEquals(Stage.BUDGET, held.by());
        assertTrue(held.message().text().startsWith("max-actions-per-hour 30 reached (30 in the last hour)"));
    }

    @Test
    void aRuleCannotGiveAnotherRulesReason() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Proposal(Stage.ALERTS, Reason.SIGNAL_HIGH, 5, "x"));
        assertEquals("stage ALERTS cannot give SIGNAL_HIGH, which belongs to SCALE_OUT (core.Reason)", e.getMessage());
    }

    @Test
    void aFailedWriteRemembersNoActionButTheRestOfTheTick() {
        Scene s = Scene.scene().cpu(0.82);
        s.state = Scene.highSince(s.state, Map.of("cpu", T0.minus(Duration.ofMinutes(1))));
        Outcome o = s.decide();
        assertEquals(T0, o.next().lastScaleOut());
        assertEquals(null, o.unapplied().lastScaleOut());
        // Timers and averages advanced in both.
        assertEquals(o.next().get(StepDown.Steps.class).averages().since(),
                o.unapplied().get(StepDown.Steps.class).averages().since());
        assertEquals(Optional.of(T0.minus(Duration.ofMinutes(1))),
                Optional.ofNullable(o.unapplied().get(ScaleOut.Timers.class).highSince().get("cpu")));
    }
}
