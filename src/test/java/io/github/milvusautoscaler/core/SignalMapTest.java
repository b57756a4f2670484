package io.github.milvusautoscaler.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignalMapTest {

    @Test
    void keepsTheOrderSignalsWerePutInAndLooksThemUp() {
        SignalMap<Integer> m = SignalMap.<Integer>builder(2).put("qps", 1).put("cpu", 2).put("memory", 3).build();
        assertEquals(List.of("qps", "cpu", "memory"), List.copyOf(m.keySet()), "grows past the expected size, in order");
        assertEquals(2, m.get("cpu"));
        assertNull(m.get("disk"));
        assertTrue(m.containsKey("memory"));
        assertFalse(m.containsKey(null));
        assertEquals(3, m.size());
    }

    @Test
    void isEqualToAnyMapWithTheSameEntries() {
        Map<String, Integer> plain = new LinkedHashMap<>();
        plain.put("cpu", 2);
        plain.put("qps", 1);
        SignalMap<Integer> m = SignalMap.copyOf(plain);
        assertEquals(plain, m);
        assertEquals(m, plain);
        assertEquals(plain.hashCode(), m.hashCode());
        assertEquals(List.of("cpu", "qps"), List.copyOf(m.keySet()));
    }

    @Test
    void aCopyIsImmutableAndDetachedFromItsSource() {
        Map<String, Integer> source = new LinkedHashMap<>(Map.of("cpu", 1));
        SignalMap<Integer> m = SignalMap.copyOf(source);
        source.put("qps", 2);
        assertEquals(1, m.size(), "later changes to the source do not show");
        assertThrows(UnsupportedOperationException.class, () -> m.put("qps", 2));
        assertThrows(UnsupportedOperationException.class, () -> m.entrySet().iterator().next().setValue(5));
        assertSame(m, SignalMap.copyOf(m), "copying an immutable map is free");
    }

    @Test
    void refusesNullsDuplicatesAndUseAfterBuild() {
        SignalMap.Builder<Integer> b = SignalMap.<Integer>builder(3).put("cpu", 1);
        assertThrows(IllegalArgumentException.class, () -> b.put("cpu", 2), "a signal appears once");
        assertThrows(NullPointerException.class, () -> b.put(null, 2));
        assertThrows(NullPointerException.class, () -> b.put("qps", null));
        b.build();
        assertThrows(IllegalStateException.class, () -> b.put("qps", 2), "a built map cannot change through its builder");
    }

    @Test
    void observationsAndDecisionsShareTheMapTheyAreGiven() {
        Target t = new Target("milvus", "prod", Component.QUERY_NODE, InstallKind.OPERATOR);
        SignalMap<Signal> signals = SignalMap.of("cpu", Signal.known("cpu", 0.5, 3, Duration.ZERO));
        Observation o = new Observation(t, Instant.EPOCH, signals, Settle.QUIET, Health.OK, List.of());
        assertSame(signals, o.signals());
        Map<String, SignalReading> mutable = new LinkedHashMap<>();
        mutable.put("cpu", new SignalReading(java.util.OptionalDouble.of(0.5), SignalState.IN_BAND));
        Decision d = new Decision(t, Instant.EPOCH, Action.HOLD, 3, 3, Reason.IN_BAND, "in band", mutable, false);
        mutable.clear();
        assertEquals(1, d.signals().size(), "a plain map is copied");
    }
}
