package io.github.milvusautoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScoreKeeperTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // actions as seconds:from>to (h = hold); reversal window 10 min = 600 s.
        "out then in 8 min later is a reversal          | 0:2>3 480:3>2           | 1 | 1 | 1 | 1",
        "out then in 11 min later is not                | 0:2>3 660:3>2           | 1 | 1 | 0 | 1",
        "exactly 10 min counts                          | 0:2>3 600:3>2           | 1 | 1 | 1 | 1",
        "out, out is no reversal                        | 0:2>3 60:3>5            | 2 | 0 | 0 | 0",
        "in then out 5 min later is one                 | 0:4>3 300:3>4           | 1 | 1 | 1 | 1",
        "holds do not count and do not break a pair     | 0:2>3 100:h 200:h 400:3>2 | 1 | 1 | 1 | 1",
        "flapping out-in-out-in                         | 0:2>3 300:3>2 600:2>3 900:3>2 | 2 | 2 | 3 | 1",
        "largest step-down is the biggest single drop   | 0:8>5 1000:5>4 2000:4>1  | 0 | 3 | 0 | 3",
    })
    void countsActionsReversalsAndStepDowns(String name, String actions, int outs, int ins, int reversals, int largest) {
        ScoreKeeper k = new ScoreKeeper("p", Duration.ofMinutes(10));
        int replicas = 2;
        for (String a : actions.trim().split("\\s+")) {
            String[] parts = a.split(":");
            double t = Double.parseDouble(parts[0]);
            if (parts[1].equals("h")) {
                k.record(SimTestSupport.hold(t, replicas));
                continue;
            }
            String[] fromTo = parts[1].split(">");
            replicas = Integer.parseInt(fromTo[1]);
            k.record(SimTestSupport.scale(t, Integer.parseInt(fromTo[0]), replicas));
        }
        assertEquals(outs, k.scaleOuts(), "scale-outs");
        assertEquals(ins, k.scaleIns(), "scale-ins");
        assertEquals(reversals, k.reversals(), "reversals");
        assertEquals(largest, k.largestStepDown(), "largest step-down");
        Scorecard card = k.scorecard(new SimulatedComponent.Totals(100, 1.4, 2.6, 1000.5, 1, 8));
        assertEquals(outs + ins, card.actions());
        assertEquals(1, card.overloadSeconds(), "rounded seconds");
        assertEquals(3, card.hotSeconds());
        assertEquals(1001, card.nodeSeconds());
    }
}
