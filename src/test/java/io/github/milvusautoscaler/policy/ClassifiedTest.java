package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.SignalState;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every signal is HIGH, LOW, IN_BAND or UNKNOWN against its band, before any rule runs. */
class ClassifiedTest {

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
}
