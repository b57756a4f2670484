package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Scene.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.milvusautoscaler.core.Reason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The unknown-data rule's memory ({@link UnknownData.Since}): when every signal turned UNKNOWN. */
class UnknownDataTest {

    private final UnknownData rule = new UnknownData();

    @Test
    void theStretchStartsOnTheFirstAllUnknownTickAndLastsUntilASignalIsKnown() {
        Scene s = Scene.scene().allUnknown();
        UnknownData.Since first = rule.observe(s.state.get(UnknownData.Since.class), s.tick());
        assertEquals(T0, first.since());
        s.state = s.state.with(first);
        s.plus(Duration.ofMinutes(5));
        assertEquals(T0, rule.observe(first, s.tick()).since(), "kept while every signal is unknown");
        // One signal back is enough to end it; the others still unknown hold as in-band or partial data.
        s.cpu(0.55);
        assertNull(rule.observe(first, s.tick()).since());
    }

    /** Signals with the same problem share it in the message: one cause said three times made a 1,000-character line. */
    @Test
    void signalsWithOneProblemAreNamedTogether() {
        Scene s = Scene.scene().allUnknown().unknown("qps", "empty result");
        assertEquals("every queryNode signal unknown for 0s (cpu, memory: prometheus timeout after 5s; qps: empty"
                + " result)", rule.decide(s.observed()).orElseThrow().message().text().replace("; holding at 3", ""));
    }

    @Test
    void theFallbackCountsFromTheStretchStart() {
        // fallback after 10m, scale-out to 5: unknown for 9m holds, for 10m moves 3 -> 5.
        Scene s = Scene.scene().allUnknown();
        s.fallback = new FallbackSettings(Duration.ofMinutes(10), FallbackSettings.Mode.SCALE_OUT, 5);
        s.state = Scene.unknownSince(s.state, T0.minus(Duration.ofMinutes(9)));
        assertEquals(Reason.ALL_SIGNALS_UNKNOWN, rule.decide(s.observed()).orElseThrow().reason());
        s.plus(Duration.ofMinutes(1));
        Proposal p = rule.decide(s.observed()).orElseThrow();
        assertEquals(Reason.FALLBACK_SCALE_OUT, p.reason());
        assertEquals(5, p.to());
    }
}
