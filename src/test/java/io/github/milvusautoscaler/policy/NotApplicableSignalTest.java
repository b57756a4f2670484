package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A signal that does not apply (the component's pods declare no CPU request or memory limit, as a default
 * chart install: zilliztech/milvus-helm charts/milvus/values.yaml {@code resources: {}}) is left out: the
 * others decide, a step-down says what it was decided without, and a component with nothing else holds. The
 * contrast that makes each test fail without the feature: the same signals UNKNOWN hold every step-down as
 * PARTIAL_DATA, forever.
 */
class NotApplicableSignalTest {

    private static final String CPU_WHY =
            "queryNode's 3 pods declare no CPU request on their querynode container (set spec.components.queryNode.resources.requests.cpu in the Milvus resource)";
    private static final String MEMORY_WHY =
            "queryNode's 3 pods declare no memory limit on their querynode container (set spec.components.queryNode.resources.limits.memory in the Milvus resource)";

    /** 15 s ticks for {@code minutes} of qps at 20 per replica (LOW) on 3 replicas, cpu and memory as given. */
    private static List<Decision> quietHour(Signal cpu, Signal memory, int minutes) {
        Scene s = Scene.scene();
        List<Decision> out = new ArrayList<>();
        for (int tick = 0; tick < minutes * 4; tick++) {
            s.ready = s.current;
            s.qps(20);
            s.signals.put("cpu", cpu);
            s.signals.put("memory", memory);
            out.add(s.step().decision());
            s.plus(Duration.ofSeconds(15));
        }
        return out;
    }

    @Test
    void qpsAloneStepsDownWhenCpuAndMemoryDoNotApplyAndTheMessageSaysSo() {
        List<Decision> d = quietHour(Signal.notApplicable("cpu", CPU_WHY), Signal.notApplicable("memory", MEMORY_WHY), 40);
        Decision first = d.stream().filter(x -> x.reason() == Reason.SIGNALS_LOW).findFirst().orElseThrow();
        // qps known from the first tick: the 10m sustain is met at 10:10, 3 -> 2.
        assertEquals(Scene.T0.plus(Duration.ofMinutes(10)), first.time());
        assertEquals(3, first.from());
        assertEquals(2, first.to());
        assertTrue(first.message().text().endsWith("one node at a time; cpu left out: " + CPU_WHY + "; memory left out: "
                + MEMORY_WHY), first.message().text());
        // The decision's readings are the signals it was decided on.
        assertEquals(List.of("qps"), List.copyOf(first.signals().keySet()));
    }

    @Test
    void theSameSignalsUnknownHoldEveryStepDown() {
        List<Decision> d = quietHour(Signal.unknown("cpu", "empty result"), Signal.unknown("memory", "empty result"), 40);
        assertFalse(d.stream().anyMatch(x -> x.reason() == Reason.SIGNALS_LOW));
        assertEquals(Reason.PARTIAL_DATA, d.get(d.size() - 1).reason());
    }

    @Test
    void aComponentWithNoOtherSignalHoldsAndSaysWhy() {
        Scene s = Scene.scene();
        s.bands.removeIf(b -> b.name().equals("qps"));
        s.signals.remove("qps");
        s.signals.put("cpu", Signal.notApplicable("cpu", CPU_WHY));
        s.signals.put("memory", Signal.notApplicable("memory", MEMORY_WHY));
        s.state = Scene.unknownSince(s.state, s.now.minus(Duration.ofMinutes(5)));
        Decision d = s.decide().decision();
        assertEquals(Reason.ALL_SIGNALS_UNKNOWN, d.reason());
        assertEquals(3, d.to());
        assertEquals("no queryNode signal to decide on for 5m; cpu left out: " + CPU_WHY + "; memory left out: "
                + MEMORY_WHY + "; holding at 3", d.message().text());
    }

    @Test
    void aSignalThatStartsToApplyRestartsTheSustainedStretch() {
        // cpu left out for 9 minutes of LOW qps, then the pods declare a request: the 10m sustain starts again with
        // cpu in it, so no step-down rests on averages that never included cpu.
        Scene s = Scene.scene();
        Instant applies = Scene.T0.plus(Duration.ofMinutes(9));
        List<Decision> out = new ArrayList<>();
        for (int tick = 0; tick < 30 * 4; tick++) {
            s.ready = s.current;
            s.qps(20).memory(0.30);
            if (s.now.isBefore(applies)) {
                s.signals.put("cpu", Signal.notApplicable("cpu", CPU_WHY));
            } else {
                s.cpu(0.20);
            }
            out.add(s.step().decision());
            s.plus(Duration.ofSeconds(15));
        }
        Decision first = out.stream().filter(x -> x.reason() == Reason.SIGNALS_LOW).findFirst().orElseThrow();
        assertEquals(applies.plus(Duration.ofMinutes(10)), first.time());
        assertFalse(first.message().text().contains("left out"), first.message().text());
    }
}
