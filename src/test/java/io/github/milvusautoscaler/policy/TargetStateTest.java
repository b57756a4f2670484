package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Scene.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rules' memories in {@link TargetState}: a pass over the rules that changes nothing keeps the state
 * object (the simulator runs 1.24M ticks per policy on nyc_taxi, where copying the memories for every
 * changed one took about 30% of the policy lane's CPU), a change replaces only its own rule's memory, and
 * the state is never modified in place.
 */
class TargetStateTest {

    @Test
    void aPassInWhichEveryRuleKeepsItsMemoryIsTheSameState() {
        TargetState s = Scene.lastScaleOut(TargetState.initial(), T0);
        TargetState.Pass pass = s.pass();
        for (int i = 0; i < Policy.RULES.size(); i++) {
            pass.put(i, s.memory(i));
        }
        assertSame(s, pass.done());
    }

    @Test
    void aPassReplacesOnlyTheMemoriesThatChangedAndLeavesTheStateItStartedFrom() {
        TargetState before = TargetState.initial();
        int scaleOut = position(ScaleOut.Timers.class);
        ScaleOut.Timers timers = new ScaleOut.Timers(Map.of("cpu", T0), T0, 3, null);
        TargetState.Pass pass = before.pass();
        for (int i = 0; i < Policy.RULES.size(); i++) {
            pass.put(i, i == scaleOut ? timers : before.memory(i));
        }
        TargetState after = pass.done();

        assertSame(timers, after.get(ScaleOut.Timers.class));
        assertEquals(Scene.highSince(Scene.lastScaleOut(Scene.ready(before, 3, null), T0), Map.of("cpu", T0)), after);
        for (int i = 0; i < Policy.RULES.size(); i++) {
            if (i != scaleOut) {
                assertSame(before.memory(i), after.memory(i), "memory of rule " + i);
            }
        }
        assertSame(Policy.RULES.get(scaleOut).initial().getClass(), before.memory(scaleOut).getClass());
        assertNotEquals(before, after);
        assertEquals(null, before.lastScaleOut());
    }

    @Test
    void eachRulesMemorySitsAtTheRulesPosition() {
        TargetState s = TargetState.initial();
        for (int i = 0; i < Policy.RULES.size(); i++) {
            assertSame(Policy.RULES.get(i).initial().getClass(), s.memory(i).getClass(), "rule " + i);
        }
        assertSame(s.memory(position(StepDown.Steps.class)), s.get(StepDown.Steps.class));
    }

    @Test
    void aMemoryNoRuleKeepsIsRefused() {
        record Stray() implements Memory {
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TargetState.initial().with(new Stray()));
        assertEquals("no rule in Policy.RULES keeps a Stray", e.getMessage());
    }

    @Test
    void theScaleOutRuleKeepsItsTimersObjectOnATickThatChangesNothing() {
        Scene s = Scene.scene().cpu(0.9);
        // Every qps reading enters the rule's look-back (QpsRise): a tick with qps always changes its memory.
        s.bands.removeIf(b -> b.name().equals("qps"));
        s.signals.remove("qps");
        ScaleOut rule = new ScaleOut();
        s.state = s.state.with(rule.observe(s.state.get(ScaleOut.Timers.class), s.tick()));
        s.plus(Duration.ofSeconds(15));
        ScaleOut.Timers own = s.state.get(ScaleOut.Timers.class);

        assertSame(own, rule.observe(own, s.tick()));
        s.cpu(0.6);
        assertNotEquals(own, rule.observe(own, s.tick()));
    }

    private static int position(Class<? extends Memory> type) {
        for (int i = 0; i < Policy.RULES.size(); i++) {
            if (Policy.RULES.get(i).initial().getClass() == type) {
                return i;
            }
        }
        throw new AssertionError(type);
    }
}
