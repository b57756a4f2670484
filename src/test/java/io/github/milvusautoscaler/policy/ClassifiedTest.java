package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Scene.T0;
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

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // A trusted cpu forecast moves cpu's line to forecast.line x scale-out-above = 1.13 x 0.75 = 0.8475.
            "trusted forecast: 0.84 is in the band | true | 1.13 | 0.84 | IN_BAND | 0.8475",
            "trusted forecast: on the forecast line is in the band | true | 1.13 | 0.8475 | IN_BAND | 0.8475",
            "trusted forecast: above the forecast line is HIGH | true | 1.13 | 0.85 | HIGH | 0.8475",
            // forecast.line = 1 keeps the band's line with a trusted forecast.
            "forecast.line 1: 0.76 is HIGH | true | 1.0 | 0.76 | HIGH | 0.75",
            // Forecasting off: a forecast in the observation changes nothing.
            "forecasting off: 0.76 is HIGH | false | 1.13 | 0.76 | HIGH | 0.75"})
    void aTrustedForecastMovesItsSignalsLine(String name, boolean enabled, double multiple, double cpu,
                                             SignalState expected, double line) {
        Scene s = Scene.scene().cpu(cpu).forecast(java.util.Map.of("cpu", 2.4), java.util.Map.of("cpu", 2.4))
                .forecastLine(multiple);
        if (!enabled) {
            s.forecastOff();
        }
        List<Classified> c = Classified.classify(s.settings(), s.observation(), s.status());
        assertEquals(expected, c.get(0).state());
        assertEquals(line, c.get(0).line(), 1e-12);
        // memory has no forecast (it is not load-proportional): its line stays at scale-out-above.
        assertEquals(s.settings().signal("memory").scaleOutAbove(), c.get(1).line());
    }

    @Test
    void messagesNameTheForecastLineAndItsArithmetic() {
        // cpu 0.88 on 3 for the sustain, above the forecast line 1.13 x 0.75 = 0.8475: sized for the fill level,
        // ceil(max(3 x 0.88, 2.5) / 0.75) = ceil(3.52) = 4 (README, "the line moves up", quotes this message).
        Scene high = Scene.scene().cpu(0.88).memory(0.30).qps(100)
                .forecast(java.util.Map.of("cpu", 2.0), java.util.Map.of("cpu", 2.5));
        high.state = Scene.highSince(high.state, java.util.Map.of("cpu", T0.minus(java.time.Duration.ofMinutes(1))));
        assertEquals("queryNode cpu 0.88 > 0.8475 (forecast line 1.13 x 0.75 = 0.8475) for 1m; 3 -> 4 (ceil(2.64 load"
                + " now or forecast within 2h30m / 0.75 fill) = 4, max-step 2)", high.decide().decision().message().text());
        // A pre-scale divides by the line in full, so ceil(2.6 / 0.8475) = ceil(3.07) = 4 checks by hand.
        Scene rise = Scene.scene().cpu(0.50).memory(0.30).qps(100)
                .forecast(java.util.Map.of("cpu", 2.6), java.util.Map.of("cpu", 2.6));
        assertEquals("queryNode cpu load forecast to reach 2.60 over a 5m step starting within 5m"
                + " (the lower of the same time 1d and 7d ago),"
                + " now 1.50: ceil(2.60/0.8475) = 4 > 3 (forecast line 1.13 x 0.75 = 0.8475); 3 -> 4 for cpu's 2.60"
                + " within 2h30m (ceil(2.60/0.8475) = 4, forecast max-step 4)", rise.decide().decision().message().text());
    }

    /**
     * A value of another ready count than the object's, as kube-state-metrics lags it by up to a scrape either way: a
     * per-pod value from fewer pods than ready hides the others' load (UNKNOWN); from more, it averages in one that
     * left beside those now taking its load, a lower bound of the load per ready pod (UNKNOWN unless HIGH already:
     * recheck 96, F2, 6 reporting for 5 ready read 0.25 for 0.30); a value per ready replica divided by another count
     * is divided by the object's instead (recheck 96, F1: 150 over the 2 kube-state-metrics still counted is 100 over
     * the 3 ready, where it scaled 3 -> 4; recheck 98, F1: reading it UNKNOWN held a scale-out through a readiness
     * blip). Bands: cpu [0.40, 0.75], qps [80, 150].
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "cpu from 2 pods of 3 ready | cpu | 0.30 | 3 | 2 | 0 | UNKNOWN | -1 | only 2 of 3 ready pods reporting",
            "cpu from 4 pods for 3 ready, low | cpu | 0.30 | 3 | 4 | 0 | UNKNOWN | -1 | 4 pods reporting for 3 ready (one"
                    + " left the ready count and is still counted by kube-state-metrics)",
            "cpu from 5 pods for 3 ready, in band | cpu | 0.60 | 3 | 5 | 0 | UNKNOWN | -1 | 5 pods reporting for 3 ready (2"
                    + " left the ready count and are still counted by kube-state-metrics)",
            "cpu from 4 pods for 3 ready, high: a lower bound | cpu | 0.80 | 3 | 4 | 0 | HIGH | 0.80 | ''",
            "qps divided by 2 where 3 are ready: 150 x 2/3 | qps | 150 | 3 | 0 | 2 | IN_BAND | 100 | ''",
            "qps divided by 3 where 2 are ready: 120 x 3/2 | qps | 120 | 2 | 0 | 3 | HIGH | 180 | ''",
            "cpu from the 3 ready pods | cpu | 0.30 | 3 | 3 | 0 | LOW | 0.30 | ''",
            "qps divided by the 3 ready | qps | 60 | 3 | 0 | 3 | LOW | 60 | ''",
            "qps not divided by a count read beside it | qps | 60 | 3 | 0 | 0 | LOW | 60 | ''"})
    void aValueOfAnotherReadyCount(String name, String signal, double value, int ready, int reporting, int dividedBy,
                                   SignalState state, double read, String why) {
        Scene s = Scene.scene().replicas(3, ready).cpu(0.30).memory(0.30).qps(100);
        s.signals.put(signal, io.github.milvusautoscaler.core.Signal.known(signal, value, reporting,
                java.time.Duration.ofSeconds(10)).withReadyDividedBy(dividedBy));
        Classified c = Classified.classify(s.settings(), s.observation(), s.status()).stream()
                .filter(x -> x.name().equals(signal)).findFirst().orElseThrow();
        assertEquals(state, c.state(), c.problem());
        assertEquals(why, c.problem());
        if (read >= 0) {
            assertEquals(read, c.v(), 1e-9);
        }
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
