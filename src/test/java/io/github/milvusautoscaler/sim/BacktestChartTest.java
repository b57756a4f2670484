package io.github.milvusautoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What backtest's charts show a person: the day the worst-day chart picks, and a time axis that reads. */
class BacktestChartTest {

    static final Instant FROM = Instant.parse("2026-11-03T13:18:00Z");
    static final Duration STEP = Duration.ofMinutes(1);
    static final int PER_DAY = 1440;

    /** One queryNode's steps over {@code steps} minutes, nothing recorded: every value NaN, every count -1. */
    static Backtest.Steps empty(int steps) {
        float[] value = new float[steps];
        Arrays.fill(value, Float.NaN);
        short[] recorded = new short[steps];
        Arrays.fill(recorded, (short) -1);
        short[] policy = recorded.clone();
        return new Backtest.Steps("cpu", 0.75, 0.40, FROM, STEP, value, recorded, policy, new byte[steps]);
    }

    /** Steps {@code from} to {@code to} recorded at cpu {@code cpu} on 2 replicas. */
    static void recorded(Backtest.Steps s, int from, int to, float cpu) {
        for (int i = from; i < to; i++) {
            s.value()[i] = cpu;
            s.recorded()[i] = 2;
            s.policy()[i] = 2;
        }
    }

    static List<Backtest.TargetResult> result(Backtest.Steps steps) {
        Target t = new Target("milvus", "my-release", Component.QUERY_NODE, InstallKind.HELM);
        Backtest.Side side = new Backtest.Side(0, 0, 0, 0, 0, 0, List.of());
        return List.of(new Backtest.TargetResult(t, side, side, List.of(), List.of(), steps, Map.of(), List.of(),
                List.of(), List.of()));
    }

    /**
     * Recheck 88, F3: 34 days with history in the last 8 minutes only and nothing above a line drew the first day, 34
     * days before any sample, as empty panels under "the worst day (most time above a scale-out line)". It is the
     * day that holds the history now, named for what chose it.
     */
    @Test
    void withNothingAboveALineTheWorstDayIsTheOneWithTheHistoryAndSaysSo() {
        Backtest.Steps steps = empty(34 * PER_DAY);
        recorded(steps, 34 * PER_DAY - 8, 34 * PER_DAY, 0.15f);
        String chart = BacktestChart.renderWorstDay(result(steps), "backtest").orElseThrow();
        // Day 33 from the range's start: 2026-11-03 13:18 + 33 days; why it was chosen in the subtitle.
        assertTrue(chart.contains(">backtest: the day with the most recorded steps, from 2026-12-06 13:18 UTC</text>"),
                chart);
        assertTrue(chart.contains("; no signal above its scale-out line and no policy action on any day</text>"), chart);
        assertFalse(chart.contains("most time above a scale-out line)"), chart);
    }

    /**
     * Recheck 90, F3: the whole-range chart of that range drew a point at its right edge and empty panels, with no word
     * of why; its subtitle says how little was recorded. A range mostly recorded says nothing of it.
     */
    @Test
    void aRangeMostlyUnrecordedSaysHowLittleWas() {
        Backtest.Steps steps = empty(34 * PER_DAY);
        recorded(steps, 34 * PER_DAY - 8, 34 * PER_DAY, 0.15f);
        String chart = BacktestChart.render(result(steps), "backtest", 1500);
        assertTrue(chart.contains("; the signal known at 8 of 48,960 steps; the replicas recorded at 8 of 48,960 steps"
                + "</text>"), chart);
        recorded(steps, 0, 34 * PER_DAY - 8, 0.15f);
        assertFalse(BacktestChart.render(result(steps), "backtest", 1500).contains(" at 8 of"));
        // Replica gauges recorded throughout and no signal at all: the empty panel is the signal's (recheck 92, F3).
        java.util.Arrays.fill(steps.value(), Float.NaN);
        String replicasOnly = BacktestChart.render(result(steps), "backtest", 1500);
        assertTrue(replicasOnly.contains("; the signal known at 0 of 48,960 steps</text>"), replicasOnly);
    }

    /**
     * Recheck 90, F2: a 145-character title ran past the 1,200 px chart and lost the day it named; a title too long
     * for the chart is fitted to its width, a short one left as it is.
     */
    @Test
    void aTitleTooLongForTheChartIsFittedToItsWidth() {
        Backtest.Steps steps = empty(3 * PER_DAY);
        recorded(steps, 0, 3 * PER_DAY, 0.3f);
        String longTitle = "backtest, load re-divided by the policy's replicas (--rescale-load)";
        String chart = BacktestChart.renderWorstDay(result(steps), longTitle).orElseThrow();
        // 127 characters in 1,200 - 80 - 10 px: 16 x 1,110 / (127 x 9.5) = 14.7, so 14 px.
        assertTrue(chart.contains("font-size=\"14\" font-weight=\"bold\">" + longTitle
                + ": the day with the most recorded steps, from 2026-11-03 13:18 UTC</text>"), chart);
        assertTrue(BacktestChart.render(result(steps), "backtest", 500).contains(
                "font-size=\"16\" font-weight=\"bold\">backtest</text>"));
    }

    /** A day with time above a line still wins over a day with more data, and keeps its title. */
    @Test
    void aDayAboveALineIsTheWorstDay() {
        Backtest.Steps steps = empty(3 * PER_DAY);
        recorded(steps, 0, 3 * PER_DAY, 0.30f);
        for (int i = PER_DAY + 600; i < PER_DAY + 660; i++) {
            steps.value()[i] = 0.9f;
            steps.flags()[i] = Backtest.Steps.HOT;
        }
        String chart = BacktestChart.renderWorstDay(result(steps), "backtest").orElseThrow();
        assertTrue(chart.contains("backtest: the worst day (most time above a scale-out line), from 2026-11-04 13:18 UTC"),
                chart);
    }

    /** Nothing recorded on any day: no worst-day chart (the whole-range chart is as empty as the range). */
    @Test
    void nothingRecordedDrawsNoWorstDay() {
        assertEquals(Optional.empty(), BacktestChart.renderWorstDay(result(empty(2 * PER_DAY)), "backtest"));
    }

    /**
     * Recheck 88, F1: a 3-minute backtest's axis counted hours, "0, 0.0, 0.0, 0.0, 0.0, 0.1". It counts minutes;
     * a 12-hour one hours, a 4-day one days.
     */
    @Test
    void theTimeAxisCountsInAUnitItsLabelsCanTellApart() {
        Backtest.Steps three = empty(4); // 4 minutes, as a --from -3m run covers
        recorded(three, 0, 4, 0.3f);
        String chart = BacktestChart.render(result(three), "backtest", 500);
        assertTrue(chart.contains("time since the range's start (minutes)"), chart);
        List<String> labels = axisLabels(chart);
        assertEquals(labels.stream().distinct().toList(), labels, "distinct labels: " + labels);
        assertEquals(List.of("0", "0.5", "1", "1.5", "2", "2.5", "3", "3.5", "4"), labels); // 4 steps of 1m

        Backtest.Steps halfDay = empty(12 * 60 + 1);
        recorded(halfDay, 0, halfDay.size(), 0.3f);
        String half = BacktestChart.render(result(halfDay), "backtest", 500);
        assertTrue(half.contains("time since the range's start (hours)"), half);
        // 721 steps in at most 860 / 2 = 430 points (a point 2 px wide): named by the steps they share, not as "430
        // points of 1.7 min" (recheck 90's remark on "430 points of 17 s" for 15 s steps); whole steps keep their span.
        assertTrue(half.contains(">430 points for 721 steps of 1 min; one panel per target"), half);
        assertTrue(BacktestChart.render(result(three), "backtest", 500).contains(">4 points of 1 min;"));
        Backtest.Steps fourDays = empty(4 * PER_DAY + 1);
        recorded(fourDays, 0, fourDays.size(), 0.3f);
        assertTrue(BacktestChart.render(result(fourDays), "backtest", 500).contains("time since the range's start"
                + " (days)"));
        assertEquals(new SvgChart.TimeAxis(1, "seconds"), SvgChart.TimeAxis.over(170));
    }

    /** The time axis labels: the middle-anchored texts on the row under the panels, in order. */
    static List<String> axisLabels(String svg) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "<text x=\"[0-9.]+\" y=\"([0-9.]+)\" text-anchor=\"middle\"[^>]*>([^<]*)</text>").matcher(svg);
        java.util.Map<String, List<String>> byRow = new java.util.LinkedHashMap<>();
        while (m.find()) {
            byRow.computeIfAbsent(m.group(1), k -> new java.util.ArrayList<>()).add(m.group(2));
        }
        return byRow.values().stream().filter(l -> l.contains("0")).findFirst().orElseThrow();
    }
}
