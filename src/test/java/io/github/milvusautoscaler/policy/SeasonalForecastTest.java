package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Forecast;
import io.github.milvusautoscaler.core.LoadHistory;
import java.time.Duration;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** The seasonal forecast: same time yesterday and last week, robust to missing days, UNKNOWN when too short. */
class SeasonalForecastTest {

    static final Duration STEP = Duration.ofMinutes(5);
    static final ForecastSettings ON = ForecastSettings.on(Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofDays(2), 0.2);
    /** A Monday 00:00 UTC; the history starts here. */
    static final Instant START = Instant.parse("2026-01-05T00:00:00Z");

    /**
     * A daily cycle in nodes of load: 1 node at night, 6 from 09:00 to 17:00 (a step at 09:00). On a 5m
     * grid, 288 points a day.
     */
    static double daily(Instant t) {
        int minuteOfDay = (int) ((t.getEpochSecond() / 60) % 1440);
        return minuteOfDay >= 9 * 60 && minuteOfDay < 17 * 60 ? 6.0 : 1.0;
    }

    static LoadHistory history(int days, DoubleUnaryOperator dayFactor, int... missingDays) {
        int n = days * 288;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            Instant t = START.plus(STEP.multipliedBy(i));
            int day = i / 288;
            v[i] = Arrays.stream(missingDays).anyMatch(d -> d == day) ? Double.NaN
                    : daily(t) * dayFactor.applyAsDouble(day);
        }
        return new LoadHistory(START, STEP, START.plus(Duration.ofDays(days)), Map.of("cpu", v));
    }

    @Test
    void twoWeeksOfADailyCycleForecastTheMorningRampBeforeItComes() {
        LoadHistory h = history(14, d -> 1.0);
        Instant day15 = START.plus(Duration.ofDays(14));
        // 08:56: the lead window [08:56, 09:01] reaches 09:00 of yesterday and of last week: 6 nodes.
        Forecast f = SeasonalForecast.forecast(h, day15.plus(Duration.ofMinutes(8 * 60 + 56)), ON);
        assertEquals(6.0, f.leadPeak("cpu").getAsDouble(), 1e-9);
        // 08:40: the lead [08:40, 08:45] is night (1), the hold horizon [08:40, 08:55] still night.
        Forecast early = SeasonalForecast.forecast(h, day15.plus(Duration.ofMinutes(8 * 60 + 40)), ON);
        assertEquals(1.0, early.leadPeak("cpu").getAsDouble(), 1e-9);
        assertEquals(1.0, early.horizonPeak("cpu").getAsDouble(), 1e-9);
        // 08:46: the hold horizon [08:46, 09:01] sees the ramp, the lead [08:46, 08:51] does not.
        Forecast hold = SeasonalForecast.forecast(h, day15.plus(Duration.ofMinutes(8 * 60 + 46)), ON);
        assertEquals(1.0, hold.leadPeak("cpu").getAsDouble(), 1e-9);
        assertEquals(6.0, hold.horizonPeak("cpu").getAsDouble(), 1e-9);
    }

    @Test
    void theLowerOfYesterdayAndLastWeekWinsSoBothMustSeeARise() {
        // Day 7 (last week of day 14) ran at 2x, day 13 (yesterday) at 1x: 6 nodes at 09:00, not 12.
        LoadHistory h = history(14, d -> d == 7 ? 2.0 : 1.0);
        Instant at = START.plus(Duration.ofDays(14)).plus(Duration.ofMinutes(9 * 60));
        assertEquals(6.0, SeasonalForecast.peak(h, "cpu", at, at.plus(ON.lead()), SeasonalForecast.calendar(ON)).load(),
                1e-9);
        // Yesterday at 3x, last week at 2x: 12.
        LoadHistory both = history(14, d -> d == 13 ? 3.0 : d == 7 ? 2.0 : 1.0);
        assertEquals(12.0, SeasonalForecast.peak(both, "cpu", at, at.plus(ON.lead()), SeasonalForecast.calendar(ON)).load(),
                1e-9);
    }

    @Test
    void aMissingDayFallsBackToTheDayBeforeNeverToZero() {
        // Yesterday (13) and last week (7) missing: the day before (12) and the week before (0) answer: 6.
        LoadHistory h = history(14, d -> 1.0, 13, 7);
        Instant at = START.plus(Duration.ofDays(14)).plus(Duration.ofMinutes(10 * 60));
        Forecast f = SeasonalForecast.forecast(h, at, ON);
        assertEquals(6.0, f.leadPeak("cpu").getAsDouble(), 1e-9);
        // The message names the days read, not yesterday and last week (time audit L7).
        assertEquals("the lower of the same time 2d and 14d ago", f.leadBasis("cpu"));
        assertEquals("the lower of the same time 2d and 14d ago", f.horizonBasis("cpu"));
        // Which lags answer: day 12 at 3x and day 0 at 2x give min(18, 12) = 12.
        LoadHistory marked = history(14, d -> d == 12 ? 3.0 : d == 0 ? 2.0 : 1.0, 13, 7);
        assertEquals(12.0, SeasonalForecast.peak(marked, "cpu", at, at.plus(ON.lead()), SeasonalForecast.calendar(ON)).load(),
                1e-9);
        // Every lag missing: no forecast, not 0.
        LoadHistory gaps = history(14, d -> 1.0, 13, 12, 7, 0);
        assertTrue(SeasonalForecast.forecast(gaps, at, ON).leadPeak("cpu").isEmpty());
    }

    /**
     * `signals` says which of the forecast's conditions failed, not a list of everything that might have (lead 5m,
     * horizon 15m, min-history 2d, max-error 0.2, all as ON).
     */
    @Test
    void whyNoneNamesTheConditionThatFailed() {
        Instant day14 = START.plus(Duration.ofDays(14)).plus(Duration.ofMinutes(10 * 60));
        LoadHistory twoWeeks = history(14, d -> 1.0);
        assertTrue(SeasonalForecast.forecast(twoWeeks, day14, ON).leadPeak("cpu").isPresent());
        assertEquals(Optional.empty(), SeasonalForecast.whyNone(twoWeeks, "cpu", day14, ON));
        assertEquals(Optional.of("its history read up to " + twoWeeks.end() + " holds no sample of it yet (read again"
                + " every forecast.refresh, " + io.github.milvusautoscaler.core.Durations.setting(ON.refresh()) + ")"),
                SeasonalForecast.whyNone(twoWeeks, "qps", day14, ON));
        assertEquals(Optional.of("no history of it read yet"),
                SeasonalForecast.whyNone(LoadHistory.NONE, "cpu", day14, ON));
        // One day read at 10:00 the next day reaches back 34h.
        Instant day1 = START.plus(Duration.ofHours(34));
        assertTrue(SeasonalForecast.forecast(history(1, d -> 1.0), day1, ON).leadPeak("cpu").isEmpty());
        assertEquals(Optional.of("its history reaches back 34h, less than forecast.min-history (2d)"),
                SeasonalForecast.whyNone(history(1, d -> 1.0), "cpu", day1, ON));
        // Read at the start of day 14 and not since: at 23:00 it no longer holds 23:00-23:15 yesterday.
        Instant late = START.plus(Duration.ofDays(14)).plus(Duration.ofHours(23));
        assertTrue(SeasonalForecast.forecast(twoWeeks, late, ON).leadPeak("cpu").isEmpty());
        assertEquals(Optional.of("its history ends at 2026-01-19T00:00:00Z, too long ago to hold the same time"
                + " yesterday (the history read is failing)"), SeasonalForecast.whyNone(twoWeeks, "cpu", late, ON));
        // Office hours read daily on Tuesday evening: Monday forecast from Sunday misses 40 of 128 node-hours.
        LoadHistory toTuesday = officeHours(START, 16, ZoneOffset.UTC);
        Instant tuesday = START.plus(Duration.ofDays(16));
        assertTrue(SeasonalForecast.forecast(toTuesday, tuesday, ON).leadPeak("cpu").isEmpty());
        assertEquals(Optional.of("forecast on its last two days, it missed by 0.31 of their load: 0.31 > 0.20"
                + " (forecast.max-error), it does not repeat"), SeasonalForecast.whyNone(toTuesday, "cpu", tuesday, ON));
        // Yesterday, last week and the week before missing: the day before yesterday alone is no forecast.
        LoadHistory gaps = history(14, d -> 1.0, 13, 7, 0);
        assertTrue(SeasonalForecast.forecast(gaps, day14, ON).leadPeak("cpu").isEmpty());
        assertEquals(Optional.of("no earlier day or week holds the next 5m without a gap"),
                SeasonalForecast.whyNone(gaps, "cpu", day14, ON));
        // The last two days missing: nothing to judge by.
        LoadHistory lastTwoMissing = history(14, d -> 1.0, 13, 12);
        assertTrue(SeasonalForecast.forecast(lastTwoMissing, day14, ON).leadPeak("cpu").isEmpty());
        assertEquals(Optional.of("too few points of its last two days have a known day before them to judge"
                + " whether it repeats"), SeasonalForecast.whyNone(lastTwoMissing, "cpu", day14, ON));
    }

    /**
     * A flat 1 node of load on a 5m grid for {@code days} days, with 6 from 08:00 to 08:30 on {@code spikeDays}
     * (a batch job, a one-off event).
     */
    static LoadHistory flatWithSpikes(int days, int... spikeDays) {
        double[] v = new double[days * 288];
        for (int i = 0; i < v.length; i++) {
            int day = i / 288;
            int minuteOfDay = (i % 288) * 5;
            boolean spike = minuteOfDay >= 8 * 60 && minuteOfDay < 8 * 60 + 30
                    && Arrays.stream(spikeDays).anyMatch(d -> d == day);
            v[i] = spike ? 6.0 : 1.0;
        }
        return new LoadHistory(START, STEP, START.plus(Duration.ofDays(days)), Map.of("cpu", v));
    }

    /**
     * With less than a week of history there is no "last week" to agree with: a rise still needs two days that saw
     * it, the lower of yesterday and the day before. A spike yesterday alone forecast 6 nodes for a flat 1 (time
     * audit M2); one that came on both days is forecast.
     */
    @Test
    void withoutAWeekOfHistoryARiseNeedsTwoDaysThatSawIt() {
        Instant at = START.plus(Duration.ofDays(3)).plus(Duration.ofMinutes(7 * 60 + 55));
        // Days 0-2, the spike on day 2 (yesterday) only: min(6, 1) = 1.
        assertEquals(1.0, SeasonalForecast.forecast(flatWithSpikes(3, 2), at, ON).leadPeak("cpu").getAsDouble(), 1e-9);
        // On days 1 and 2: min(6, 6) = 6, five minutes before it comes.
        assertEquals(6.0, SeasonalForecast.forecast(flatWithSpikes(3, 1, 2), at, ON).leadPeak("cpu").getAsDouble(),
                1e-9);
    }

    /**
     * A window with a point missing is no sighting, and the day before stands in: with half the points enough,
     * yesterday's known 08:55 (night, 1) read as a quiet morning when its 09:00 was lost (a Prometheus restart), and
     * min(1, last week's 6) hid the pre-scale (time audit M3).
     */
    @Test
    void aPointMissingAtYesterdaysRiseLetsTheDayBeforeAnswer() {
        LoadHistory full = history(14, d -> 1.0);
        Instant at = START.plus(Duration.ofDays(14)).plus(Duration.ofMinutes(8 * 60 + 55));
        Instant yesterdaysRise = at.minus(Duration.ofDays(1)).plus(STEP);
        int lost = (int) (Duration.between(START, yesterdaysRise).toMinutes() / 5);
        double[] v = new double[full.size("cpu")];
        for (int i = 0; i < v.length; i++) {
            v[i] = i == lost ? Double.NaN : full.at("cpu", i);
        }
        LoadHistory gap = new LoadHistory(START, STEP, full.end(), Map.of("cpu", v));
        assertEquals(6.0, SeasonalForecast.forecast(gap, at, ON).leadPeak("cpu").getAsDouble(), 1e-9);
    }

    /**
     * A history read longer ago than a (short, 23h) day less the horizon no longer holds yesterday's window: no
     * forecast, rather than the day before standing in unsaid (refreshes failing for most of a day; time audit M5).
     */
    @Test
    void aHistoryThatNoLongerHoldsYesterdayHasNoForecast() {
        LoadHistory h = history(14, d -> 1.0);
        // Horizon 15m: read up to 22h45m ago still holds yesterday's [now - 23h, now - 23h + 15m] on any day.
        assertTrue(SeasonalForecast.forecast(h, h.end().plus(Duration.ofMinutes(22 * 60 + 45)), ON).leadPeak("cpu")
                .isPresent());
        assertEquals(Forecast.NONE, SeasonalForecast.forecast(h, h.end().plus(Duration.ofMinutes(22 * 60 + 46)), ON));
    }

    @Test
    void aLoadThatDoesNotRepeatHasNoForecast() {
        // The last two days at 1x and 1.6x against a forecast of 1x: the 1.6x day misses by 0.6 / 1.6 = 37.5%
        // of its load; over both days (0 + 0.6 x L) / (1 + 1.6) x L = 23% > 0.2.
        LoadHistory h = history(14, d -> d == 13 ? 1.6 : 1.0);
        assertEquals(0.6 / 2.6, SeasonalForecast.error(h, "cpu", ForecastSettings.OFF), 0.01);
        Instant at = START.plus(Duration.ofDays(14)).plus(Duration.ofMinutes(9 * 60));
        assertEquals(Forecast.NONE, SeasonalForecast.forecast(h, at, ON));
        // A steady cycle repeats exactly: error 0, forecast on.
        assertEquals(0.0, SeasonalForecast.error(history(14, d -> 1.0), "cpu", ON), 1e-9);
    }

    @Test
    void aHistoryShorterThanMinHistoryHasNoForecast() {
        // Three days of history, now 09:00 on the fourth: min-history 2d gives yesterday's 6 nodes at 09:00.
        LoadHistory h = history(3, d -> 1.0);
        Instant at = START.plus(Duration.ofDays(3)).plus(Duration.ofHours(9));
        assertEquals(6.0, SeasonalForecast.forecast(h, at, ON).leadPeak("cpu").getAsDouble(), 1e-9);
        // min-history 4d: the same history is too short, UNKNOWN.
        ForecastSettings fourDays = ForecastSettings.on(ON.lead(), ON.horizon(), Duration.ofDays(4), 0.2);
        assertEquals(Forecast.NONE, SeasonalForecast.forecast(h, at, fourDays));
        // One day of history cannot show that the load repeats (nothing to compare it with): UNKNOWN too.
        ForecastSettings oneDay = ForecastSettings.on(ON.lead(), ON.horizon(), Duration.ofDays(1), 0.2);
        assertEquals(Forecast.NONE, SeasonalForecast.forecast(history(1, d -> 1.0),
                START.plus(Duration.ofHours(33)), oneDay));
    }

    @Test
    void offMeansNoForecast() {
        LoadHistory h = history(14, d -> 1.0);
        assertEquals(Forecast.NONE, SeasonalForecast.forecast(h, START.plus(Duration.ofDays(14)), ForecastSettings.OFF));
        assertEquals(Forecast.NONE, SeasonalForecast.forecast(LoadHistory.NONE, START, ON));
    }

    @Test
    void aWindowNeedsHalfItsPointsAndNeverReadsPastTheEnd() {
        double[] v = {1, Double.NaN, Double.NaN, 4, 5};
        LoadHistory h = new LoadHistory(START, STEP, START.plus(Duration.ofMinutes(20)), Map.of("qps", v));
        // [00:00, 00:15] = points 0..3: 2 of 4 known -> max 4.
        assertEquals(OptionalDouble.of(4), h.max("qps", START, START.plus(Duration.ofMinutes(15))));
        // [00:05, 00:15] = points 1..3: 1 of 3 known -> missing.
        assertTrue(h.max("qps", START.plus(STEP), START.plus(Duration.ofMinutes(15))).isEmpty());
        // Past the end (00:20): nothing is known there yet.
        assertTrue(h.max("qps", START, START.plus(Duration.ofMinutes(25))).isEmpty());
        assertTrue(h.max("cpu", START, START.plus(STEP)).isEmpty());
    }

    /**
     * An office-hours load, in nodes: 6 from 09:00 to 17:00 local time on Monday to Friday, 1 otherwise, on a
     * 5m grid from {@code start} for {@code days} days.
     */
    static LoadHistory officeHours(Instant start, int days, ZoneId zone) {
        int n = days * 288;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            ZonedDateTime local = start.plus(STEP.multipliedBy(i)).atZone(zone);
            boolean workday = local.getDayOfWeek().getValue() <= 5;
            v[i] = workday && local.getHour() >= 9 && local.getHour() < 17 ? 6.0 : 1.0;
        }
        return new LoadHistory(start, STEP, start.plus(Duration.ofDays(days)), Map.of("cpu", v));
    }

    @Test
    void withWorkdaysMonFriMondayMorningIsForecastFromFriday() {
        // Two weeks of office hours from Monday 2026-01-05; now Monday 2026-01-19 08:56 UTC, lead 5m.
        LoadHistory h = officeHours(START, 14, ZoneOffset.UTC);
        Instant monday = START.plus(Duration.ofDays(14)).plus(Duration.ofMinutes(8 * 60 + 56));
        ForecastSettings monFri = ON.withDays(ZoneOffset.UTC, EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY));
        // daily: yesterday is Sunday (1 node), so the lower of Sunday and last Monday is 1: no pre-scale. The
        // forecast of the last two days (Saturday, Sunday) is still right, so the load is trusted.
        assertEquals(1.0, SeasonalForecast.forecast(h, monday, ON).leadPeak("cpu").getAsDouble(), 1e-9);
        // Mon-Fri: yesterday is Friday (6 at 09:00) and last Monday 6: the morning is forecast.
        Forecast f = SeasonalForecast.forecast(h, monday, monFri);
        assertEquals(6.0, f.leadPeak("cpu").getAsDouble(), 1e-9);
        assertTrue(f.leadBasis("cpu").contains("3d and 7d ago"), f.leadBasis("cpu"));
        // On Tuesday evening the last two days are Monday and Tuesday. daily reads Monday from Sunday: it misses
        // 8 hours of 5 extra nodes a day out of (8 x 6 + 16 x 1) + (8 x 6 + 16 x 1) = 128 node-hours: 40 / 128
        // = 0.31 > max-error 0.2, so the load is not trusted at all; Mon-Fri reads Monday from Friday: 0.
        LoadHistory toTuesday = officeHours(START, 16, ZoneOffset.UTC);
        assertEquals(40.0 / 128, SeasonalForecast.error(toTuesday, "cpu", ON), 0.01);
        assertEquals(0.0, SeasonalForecast.error(toTuesday, "cpu", monFri), 1e-9);
    }

    @Test
    void inTheWeekAfterDaylightSavingBeginsTheZonesWallClockStillForecastsTheMorning() {
        // Office hours in Berlin for the two weeks to Monday 2026-03-30; the clocks moved to +02:00 on Sunday
        // 2026-03-29. Now 08:56 local = 06:56 UTC, lead 5m: the rise at 09:00 local is 07:00 UTC today.
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        Instant from = Instant.parse("2026-03-15T23:00:00Z");
        LoadHistory h = officeHours(from, 14, berlin);
        Instant now = Instant.parse("2026-03-30T06:56:00Z");
        Set<DayOfWeek> monFri = EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);
        // In UTC, Friday's and last Monday's 06:56-07:01 UTC were 07:56-08:01 local (+01:00), an hour before
        // their rise: the forecast is 1, no pre-scale, every morning of the week after the change.
        ForecastSettings utc = ON.withDays(ZoneOffset.UTC, monFri);
        assertEquals(1.0, SeasonalForecast.forecast(h, now, utc).leadPeak("cpu").getAsDouble(), 1e-9);
        // In Europe/Berlin both read 08:56-09:01 local: 6.
        ForecastSettings local = ON.withDays(berlin, monFri);
        assertEquals(6.0, SeasonalForecast.forecast(h, now, local).leadPeak("cpu").getAsDouble(), 1e-9);
        assertTrue(SeasonalForecast.forecast(h, now, local).leadBasis("cpu").endsWith("(Europe/Berlin)"));
    }
}
