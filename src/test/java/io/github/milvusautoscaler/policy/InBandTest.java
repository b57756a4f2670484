package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Reason;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The last rule: no memory, always settles, and says what it saw: "within bands" only when every signal is, and
 * otherwise what keeps a step-down from being considered (message audit H1: 90,039 of 128,745 IN_BAND messages
 * said "within bands" with a signal LOW or UNKNOWN). Bands as Scene's: cpu [0.40, 0.75], memory [0.50, 0.85],
 * qps [80, 150]; 3 replicas.
 */
class InBandTest {

    @Test
    void withEverySignalInItsBandItSaysSo() {
        Proposal p = new InBand().decide(Scene.scene().observed()).orElseThrow();
        assertEquals(Reason.IN_BAND, p.reason());
        assertEquals(3, p.to());
        assertEquals("queryNode cpu 0.55, memory 0.65, qps 100 within bands; holding at 3", p.message().text());
        assertEquals(p.message().text(), held(Scene.scene()));
    }

    @Test
    void anUnknownSignalIsNotWithinItsBand() {
        Scene s = Scene.scene().unknown("qps", "empty result");
        assertEquals("queryNode cpu 0.55, memory 0.65, qps unknown (empty result): none above its line, and no"
                + " step-down while qps is unknown (never on partial data); holding at 3",
                held(s));
    }

    @Test
    void lowSignalsWhoseAverageIsNotLowSayWhichAverage() {
        // All three LOW now, but cpu has averaged 0.45 per pod over the sustain (a step-down just raised it).
        Scene s = Scene.scene().allLow();
        s.state = s.average(s.steadyFor(Duration.ofMinutes(20)), "cpu", 0.45, 0.30);
        assertEquals("queryNode cpu 0.20, memory 0.30, qps 20.0: none above its line, and no step-down while cpu"
                + " averages 0.45 >= 0.40 (scale-in-below); holding at 3", held(s));
    }

    /**
     * At min-replicas no step-down comes whatever the averages do, so that is what it says (recheck 89: "no step-down
     * while memory averages 0.51 >= 0.50" at 1 of min 1 read as if one would follow).
     */
    @Test
    void atMinReplicasItSaysSoInsteadOfWhatHoldsAStepDown() {
        Scene s = Scene.scene().allLow();
        s.min = 3;
        s.state = s.average(s.steadyFor(Duration.ofMinutes(20)), "cpu", 0.45, 0.30);
        assertEquals("queryNode cpu 0.20, memory 0.30, qps 20.0: none above its line, at min-replicas 3; holding at 3",
                held(s));
    }

    /**
     * With replicas not ready the average is the load over the sustain on the ready ones, which can stand far above
     * any value read: 1 ready of 3 after a drain and an OOM kill read "cpu averages 1.48" where every value was
     * 0.50-0.58 (recheck 59, F2). The message says on what.
     */
    @Test
    void anAverageOnFewerReadySaysOnHowMany() {
        // The 1 ready pod reports (its per-pod values from the 1 ready, not 3 of which 2 are gone).
        Scene s = Scene.scene().replicas(3, 1).allLow();
        s.state = s.average(s.steadyFor(Duration.ofMinutes(20)), "cpu", 0.45, 0.30);
        String text = held(s);
        // (The hold's "(1 ready)" is left off: the message names the ready replicas already.)
        assertTrue(text.endsWith(" >= 0.40 (scale-in-below; its load over the sustain on the 1 ready of 3); holding at 3"),
                text);
    }

    @Test
    void aForecastSizedSignalSaysItsLoadOnOneNodeFewer() {
        // cpu 0.55 in band with a trusted forecast: on 2 of 3 it would run at 0.55 x 3/2 = 0.825 > 0.75 (fill 1.0).
        Scene s = Scene.scene().cpu(0.55).memory(0.30).qps(20).forecast(Map.of("cpu", 1.0), Map.of("cpu", 1.0));
        s.state = s.steadyFor(Duration.ofMinutes(20));
        assertEquals("queryNode cpu 0.55, memory 0.30, qps 20.0: none above its line, and no step-down while cpu on"
                + " one node fewer would run at 0.55 x 3/2 = 0.83 > 0.75 (fill 1.00 x 0.75, forecast trusted);"
                + " holding at 3", held(s));
    }

    /** What the whole policy says at this scene, asserting that it is this rule that settles it. */
    private static String held(Scene s) {
        var d = s.decide().decision();
        assertEquals(Reason.IN_BAND, d.reason(), d.message().text());
        return d.message().text();
    }
}
