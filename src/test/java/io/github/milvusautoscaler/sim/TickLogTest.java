package io.github.milvusautoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The worst day is the day with the most overload, then the most hot ticks, then the highest demand. */
class TickLogTest {

    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final boolean[] BOTH = {true, true};

    /** Three days of 4 ticks each; {@code overloaded} and {@code hot} name the ticks so flagged on lane 0. */
    private static TickLog days(int[] overloaded, int[] hot, double[] demand) {
        TickLog log = new TickLog(12, 2);
        for (int k = 0; k < 12; k++) {
            log.demand(k, demand[k]);
            boolean o = contains(overloaded, k);
            boolean h = contains(hot, k);
            log.lane(0, k, 100, 2, o, h, k == 5 ? 1 : 0);
            log.lane(1, k, 100, 2, false, false, 0);
        }
        return log;
    }

    private static boolean contains(int[] values, int v) {
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    @Test
    void mostOverloadWinsOverMoreHotTicksAndHigherDemand() {
        double[] demand = {1, 1, 1, 1, 9, 9, 9, 9, 1, 1, 1, 1};
        // day 1 (ticks 4-7) is hot 3 times and has the peak; day 2 (8-11) is overloaded twice: day 2 wins.
        assertEquals(8, days(new int[] {8, 9}, new int[] {4, 5, 6}, demand).worstDayStart(4, BOTH));
        // without overload the hot day wins, without either the peak day.
        assertEquals(4, days(new int[] {}, new int[] {4, 5, 6}, demand).worstDayStart(4, BOTH));
        assertEquals(4, days(new int[] {}, new int[] {}, demand).worstDayStart(4, BOTH));
    }

    /**
     * A lane not judged (a clairvoyant bound, hot by design) does not choose the day: with its hot ticks counted the
     * chart showed a day calm for the real policies (recheck 36, F1). Judging none judges every lane.
     */
    @Test
    void aLaneNotJudgedDoesNotChooseTheDay() {
        double[] demand = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        TickLog log = new TickLog(12, 2);
        for (int k = 0; k < 12; k++) {
            log.demand(k, demand[k]);
            log.lane(0, k, 100, 2, false, k == 1, 0); // the policy: hot once on day 0
            log.lane(1, k, 100, 2, false, k >= 8, 0); // the bound: hot all of day 2
        }
        assertEquals(0, log.worstDayStart(4, new boolean[] {true, false}));
        assertEquals(8, log.worstDayStart(4, BOTH));
        assertEquals(8, log.worstDayStart(4, new boolean[] {false, false}));
    }

    @Test
    void aRunShorterThanADayIsItsOwnWorstDayAndTheWindowKeepsTheFlags() {
        double[] demand = {1, 1, 1, 1, 9, 9, 9, 9, 1, 1, 1, 1};
        TickLog log = days(new int[] {5}, new int[] {}, demand);
        assertEquals(0, log.worstDayStart(100, BOTH));
        ChartSeries day = log.window(T0, 15_000, List.of("a", "b"), 4, 8, 4);
        assertEquals(4, day.size());
        assertEquals(T0.plusSeconds(60), day.start());
        assertEquals(1.0, day.overloadShare(0, 1), 1e-9);
        assertEquals(1, day.scaleOuts(0, 1));
        assertEquals(9.0, day.demand(0), 1e-6);
    }
}
