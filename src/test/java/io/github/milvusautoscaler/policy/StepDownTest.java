package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Scene.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ScaleMemory;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The step-down rule's memory ({@link StepDown.Steps}): load averages, last step-down, settle wait. */
class StepDownTest {

    private final StepDown rule = new StepDown();

    private StepDown.Steps observe(Scene s) {
        return rule.observe(s.state.get(StepDown.Steps.class), s.tick());
    }

    @Test
    void unknownResetsTheScaleInTimerAndTheAverages() {
        Scene s = Scene.scene().allLow();
        s.state = s.steadyFor(Duration.ofMinutes(9));
        s.unknown("qps", "empty result");
        // The decision keeps why: the decision log writes it beside the UNKNOWN (recheck 49, F2).
        assertEquals("empty result", s.decide().decision().signals().get("qps").problem());
        assertEquals("", s.decide().decision().signals().get("cpu").problem());
        s.state = s.state.with(observe(s));
        LoadAverages after = s.state.get(StepDown.Steps.class).averages();
        assertNull(after.since());
        assertTrue(Double.isNaN(after.longTerm("cpu")));
        // Known again: the stretch and the averages start afresh at the new value, 0.20 x 3 = 0.60.
        s.qps(20).plus(Duration.ofSeconds(15));
        LoadAverages again = observe(s).averages();
        assertEquals(s.now, again.since());
        assertEquals(0.60, again.longTerm("cpu"), 1e-12);
    }

    /**
     * A rollout restarts what a step-down waits for: 30 minutes low, then a 2-minute rollout, and the first tick
     * after it starts a new 10m sustain, not a step-down on averages the rollout's mixed fleet made (recheck 23:
     * 5 -> 4 on the first tick after a rollout). A pause does too (a person's hands on the component): on the averages
     * run through it, the first tick after a resume stepped down 3 -> 2 (recheck 47, R5).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"ROLLOUT", "PAUSED"})
    void aRolloutOrAPauseRestartsTheScaleInSustain(Reason held) {
        Scene s = Scene.scene().allLow();
        s.state = s.steadyFor(Duration.ofMinutes(30));
        assertEquals(Reason.SIGNALS_LOW, s.decide().decision().reason());
        hold(s, held, true);
        for (int tick = 0; tick < 8; tick++) {
            s.plus(Duration.ofSeconds(15));
            assertEquals(held, s.step().decision().reason());
        }
        hold(s, held, false);
        s.plus(Duration.ofSeconds(15));
        var after = s.step();
        assertEquals(Reason.SUSTAINING_LOW, after.decision().reason(), after.decision().message().text());
        assertTrue(after.decision().message().text().contains("over 0s of 10m sustain"), after.decision().message().text());
        assertEquals(s.now, s.state.get(StepDown.Steps.class).averages().since());
    }

    private static void hold(Scene s, Reason held, boolean on) {
        if (held == Reason.ROLLOUT) {
            s.rollout = on;
        } else {
            s.paused = on;
        }
    }

    /** A stalled rollout keeps its averages (its step-downs hold anyway). */
    @Test
    void aStalledRolloutKeepsTheScaleInSustain() {
        Scene stalled = Scene.scene().allLow();
        stalled.state = stalled.steadyFor(Duration.ofMinutes(30));
        Instant began = stalled.state.get(StepDown.Steps.class).averages().since();
        stalled.stalled = "rolling out a new template (1 of 4 pods updated), past its progress deadline";
        stalled.plus(Duration.ofSeconds(15));
        assertEquals(Reason.ROLLOUT_STALLED, stalled.step().decision().reason());
        assertEquals(began, stalled.state.get(StepDown.Steps.class).averages().since());
    }

    /**
     * A wait that is a whole number of ticks ends at the tick 5m after the one that wrote, though cooldowns run from
     * the write and the write went 1.2 s after its tick: it held "no step-down for 91ms more" a whole tick longer than
     * backtest, whose writes go at the tick, and the two parted (recheck 49, F1). A write 3 s after its tick (a slow
     * API server) is past {@link Tick#SLACK} and still costs the tick.
     */
    @ParameterizedTest(name = "written {0} ms after its tick -> {1}")
    @CsvSource({"0, SIGNALS_LOW", "1200, SIGNALS_LOW", "3000, SCALE_IN_COOLDOWN"})
    void aCooldownEndsAtItsTickThoughItsWriteWentAfterTheTick(long writtenAfterMs, Reason expected) {
        Scene s = Scene.scene().allLow();
        s.state = Scene.steppedDown(s.steadyFor(Duration.ofMinutes(30)),
                T0.minus(Duration.ofMinutes(5)).plusMillis(writtenAfterMs), false);
        var d = s.decide().decision();
        assertEquals(expected, d.reason(), d.message().text());
    }

    /**
     * A sustain that has only begun names the gate a filled one would meet: after a restart a target inside its
     * cooldown read "over 0s of 10m sustain" alone, as if it would step down then (crash recheck 30, R2).
     */
    @Test
    void aSustainNotYetFilledNamesTheGateThatHoldsAfterIt() {
        Scene s = Scene.scene().allLow();
        s.state = Scene.steppedDown(s.steadyFor(Duration.ofMinutes(1)), T0.minus(Duration.ofMinutes(1)), false);
        var held = s.decide().decision();
        assertEquals(Reason.SUSTAINING_LOW, held.reason(), held.message().text());
        assertTrue(held.message().text().endsWith(" over 1m of 10m sustain; then held: queryNode stepped down 1m ago;"
                + " scale-in cooldown 4m left of 5m; holding at 3"), held.message().text());
        Scene free = Scene.scene().allLow();
        free.state = free.steadyFor(Duration.ofMinutes(1));
        assertFalse(free.decide().decision().message().text().contains("then held"));
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
        s.state = s.steadyFor(Duration.ofMinutes(30));
        s.replicas(ready, ready).cpu(cpu).memory(0.65).qps(100).plus(Duration.ofSeconds(15));
        LoadAverages after = observe(s).averages();
        assertEquals(longTerm, after.longTerm("cpu"), 1e-5);
        assertEquals(shortTerm, after.shortTerm("cpu"), 1e-5);
        // The stretch goes on: it still began 30m before the previous tick.
        assertEquals(s.now.minus(Duration.ofSeconds(15)).minus(Duration.ofMinutes(30)), after.since());
    }

    @ParameterizedTest(name = "annotation {0} 2m ago, state {1}s ago -> {2}s ago")
    @CsvSource({"DOWN, , -120", "DOWN, -300, -120", "DOWN, -60, -60", "UP, , "})
    void takesANewerStepDownFromTheAnnotations(Direction direction, Long stateAgo, Long expectedAgo) {
        Scene s = Scene.scene().lastScale(T0.minus(Duration.ofMinutes(2)), direction);
        s.state = Scene.steppedDown(TargetState.initial(), stateAgo == null ? null : T0.plusSeconds(stateAgo), false);
        assertEquals(expectedAgo == null ? null : T0.plusSeconds(expectedAgo), observe(s).lastStepDown());
    }

    @ParameterizedTest(name = "state {0}s ago, object {1}s ago -> {2}s ago")
    @CsvSource({", -600, -600", "-300, -600, -600", "-600, -300, -600", "-300, , -300"})
    void keepsTheEarlierSettleWaitStartOfStateAndObject(Long stateAgo, Long objectAgo, Long expectedAgo) {
        Scene s = Scene.scene();
        s.state = Scene.settleWaitSince(TargetState.initial(), stateAgo == null ? null : T0.plusSeconds(stateAgo));
        s.memory = new ScaleMemory(null, objectAgo == null ? null : T0.plusSeconds(objectAgo), null, Set.of());
        assertEquals(T0.plusSeconds(expectedAgo), observe(s).settleWaitSince());
    }

    /**
     * The settle wait starts on the first tick a step-down waits for the component to settle, and ends when it has
     * settled; an unsettled tick with no step-down waiting starts none: a settle query unreadable while Prometheus was
     * away started one on every queryNode, its start and end patched onto each Deployment, 50 writes for one 20 s
     * outage of a 25-cluster fleet (recheck 105, F2), and each scale-out's starting pods did the same.
     */
    @Test
    void theSettleWaitStartsOnTheFirstTickAStepDownWaitsAndEndsWhenSettled() {
        Scene s = Scene.scene();
        s.settle = Settle.UNKNOWN;
        assertNull(rule.decided(s.state.get(StepDown.Steps.class), s.observed(),
                new Proposal(Stage.UNKNOWN_DATA, Reason.ALL_SIGNALS_UNKNOWN, 3, "x")).settleWaitSince(),
                "unsettled with no step-down waiting: no wait");
        s.settle = Settle.BUSY;
        Proposal hold = new Proposal(Stage.IN_BAND, Reason.IN_BAND, 3, "x");
        assertNull(rule.decided(s.state.get(StepDown.Steps.class), s.observed(), hold).settleWaitSince());
        StepDown.Steps first = rule.decided(s.state.get(StepDown.Steps.class), s.observed(),
                new Proposal(Stage.STEP_DOWN, Reason.SETTLING, 3, "x"));
        assertEquals(T0, first.settleWaitSince());
        s.state = s.state.with(first);
        s.plus(Duration.ofMinutes(1));
        assertEquals(T0, rule.decided(first, s.observed(), hold).settleWaitSince(), "kept while unsettled");
        // One replica not ready counts as unsettled even with the settle query quiet.
        s.settle = Settle.QUIET;
        s.replicas(3, 2);
        assertEquals(T0, rule.decided(first, s.observed(), hold).settleWaitSince());
        s.replicas(3, 3);
        assertNull(rule.decided(first, s.observed(), hold).settleWaitSince(), "settled: the wait is over");
    }

    /**
     * A rollout has no settle wait: its draining and surging pods are unsettled by design, and a wait started there
     * counted a settle timeout down during an operator hand-over and wrote its start and end to the Milvus object up to
     * 11 times (recheck 34, R1). A step-down waiting on it once it is over starts the wait then.
     */
    @Test
    void aRolloutHasNoSettleWait() {
        Scene s = Scene.scene();
        s.settle = Settle.BUSY;
        s.rollout = true;
        Proposal hold = new Proposal(Stage.GUARDS, Reason.ROLLOUT, 3, "x");
        StepDown.Steps during = rule.decided(Scene.settleWaitSince(s.state, T0.minusSeconds(30))
                .get(StepDown.Steps.class), s.observed(), hold);
        assertNull(during.settleWaitSince(), "none during a rollout, one begun before it included");
        s.state = s.state.with(during);
        s.rollout = false;
        s.plus(Duration.ofMinutes(2));
        assertEquals(T0.plus(Duration.ofMinutes(2)), rule.decided(during, s.observed(),
                new Proposal(Stage.STEP_DOWN, Reason.SETTLING, 3, "x")).settleWaitSince(),
                "a step-down waiting after it: the wait starts");
    }

    @ParameterizedTest(name = "{0} written")
    @CsvSource({"SIGNALS_LOW, STEP_DOWN", "ABOVE_MAX, GUARDS"})
    void aWrittenStepDownStartsTheCooldownAndEndsTheSettleWaitBeforeIt(Reason reason, Stage by) {
        Scene s = Scene.scene();
        s.state = Scene.settleWaitSince(s.state, T0.minus(Duration.ofMinutes(40)));
        StepDown.Steps after = rule.written(s.state.get(StepDown.Steps.class), s.observed(),
                new Proposal(by, reason, 2, "x"));
        assertEquals(T0, after.lastStepDown());
        assertNull(after.settleWaitSince());
    }

    @Test
    void aScaleOutLeavesTheStepDownMemoryAlone() {
        Scene s = Scene.scene();
        StepDown.Steps before = s.state.get(StepDown.Steps.class);
        assertSame(before, rule.written(before, s.observed(), new Proposal(Stage.SCALE_OUT, Reason.SIGNAL_HIGH, 5, "x")));
    }

    @Test
    void retimedMovesOnlyTheStepDownOfThisTick() {
        Instant written = T0.plusMillis(2100);
        StepDown.Steps now = new StepDown.Steps(LoadAverages.NONE, T0, T0.minusSeconds(60));
        StepDown.Steps moved = now.retimed(T0, written);
        assertEquals(written, moved.lastStepDown());
        assertEquals(T0.minusSeconds(60), moved.settleWaitSince());
        StepDown.Steps earlier = new StepDown.Steps(LoadAverages.NONE, T0.minusSeconds(60), null);
        assertEquals(earlier, earlier.retimed(T0, written));
    }

    /**
     * A QUIET settle query soon after a step-down is the cluster before it: Prometheus still holds the old
     * spec.replicas and no move yet, so with a cooldown shorter than a scrape the next node went 10 s after the first
     * (settle recheck M1). Within {@code settle-read-after} the step-down holds, then it goes on as before.
     */
    @Test
    void aQuietSettleQuerySoonAfterAStepDownIsNotYetEvidence() {
        Scene s = Scene.scene().allLow();
        ScaleInSettings in = s.scaleIn;
        s.scaleIn = new ScaleInSettings(in.sustain(), Duration.ofSeconds(5), in.delayAfterScaleOut(), in.verifyWindow(),
                in.backoff(), in.settleTimeout(), in.peakWindow(), in.peakRecurrence(), in.peakAfterReversal(),
                Duration.ofMinutes(1));
        s.settle = Settle.QUIET;
        s.state = Scene.steppedDown(s.steadyFor(Duration.ofMinutes(40)), T0.minusSeconds(10), false);
        var held = s.decide().decision();
        assertEquals(Reason.SETTLING, held.reason(), held.message().text());
        assertEquals("queryNode stepped down 10s ago; Prometheus shows the step only once it has scraped the cluster"
                + " again, so settle is read from 1m after the step on (settle-read-after); holding at 3",
                held.message().text());
        s.plus(Duration.ofSeconds(55));
        var next = s.decide().decision();
        assertEquals(Reason.SIGNALS_LOW, next.reason(), next.message().text());
        assertEquals(2, next.to());
    }

    @Test
    void theGateHoldsTheGuardsStepTowardMaxWithTheStepDownsReason() {
        // 12 replicas above max 10, stepped down 1m ago < cooldown 5m: the guards' step waits.
        Scene s = Scene.scene().replicas(12, 12);
        s.state = Scene.steppedDown(s.state, T0.minus(Duration.ofMinutes(1)), false);
        Optional<Proposal> gate = StepDown.gate(s.observed());
        assertEquals(Reason.SCALE_IN_COOLDOWN, gate.orElseThrow().reason());
        assertEquals(Stage.STEP_DOWN, s.decide().decision().stage());
        s.plus(Duration.ofMinutes(5));
        assertEquals(Optional.empty(), StepDown.gate(s.observed()));
        assertEquals(Stage.GUARDS, s.decide().decision().stage());
    }
}
