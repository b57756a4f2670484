package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Scheduled floors: min-replicas per local time range, in a time zone, across midnight and DST. */
class ScheduledFloorTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final List<ScheduledFloor> WINDOWS = List.of(
            new ScheduledFloor(BERLIN, EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(8, 0),
                    LocalTime.of(20, 0), 4),
            new ScheduledFloor(BERLIN, EnumSet.of(DayOfWeek.MONDAY), LocalTime.of(8, 0), LocalTime.of(10, 0), 6),
            new ScheduledFloor(BERLIN, EnumSet.of(DayOfWeek.FRIDAY), LocalTime.of(22, 0), LocalTime.of(6, 0), 3));

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource({
            // Monday 2026-01-05; Berlin is UTC+1 in winter.
            "2026-01-05T06:59:59Z, 0, Monday 07:59:59 Berlin: before every window",
            "2026-01-05T07:00:00Z, 6, Monday 08:00 Berlin: both weekday windows on the highest wins",
            "2026-01-05T09:00:00Z, 4, Monday 10:00 Berlin: the Monday window ended (to is exclusive)",
            "2026-01-05T19:00:00Z, 0, Monday 20:00 Berlin: the weekday window ended",
            "2026-01-10T09:00:00Z, 0, Saturday 10:00 Berlin: weekend",
            "2026-01-09T21:30:00Z, 3, Friday 22:30 Berlin: the overnight window started",
            "2026-01-10T04:59:00Z, 3, Saturday 05:59 Berlin: still Friday's overnight window",
            "2026-01-10T05:00:00Z, 0, Saturday 06:00 Berlin: ended",
            "2026-01-06T04:00:00Z, 0, Tuesday 05:00 Berlin: Monday night has no overnight window",
            // Summer time: 08:00 Berlin is 06:00 UTC.
            "2026-07-06T06:00:00Z, 6, Monday 08:00 Berlin summer time",
            "2026-07-06T05:59:00Z, 0, Monday 07:59 Berlin summer time",
    })
    void floorAtLocalTime(String at, int floor, String why) {
        assertEquals(floor, ScheduledFloor.floorAt(WINDOWS, Instant.parse(at)), why);
    }

    /**
     * Across a daylight-saving change a window is one interval: a time in the skipped hour is the instant the clocks
     * skip it at (the wall clock's first later reading), a window wholly inside it runs for its length from there, and
     * a time in the repeated hour takes the first (ZonedDateTime.of's earlier offset). Berlin:
     * 2025-03-30 02:00 CET -> 03:00 CEST, 2025-10-26 03:00 CEST -> 02:00 CET; New York: 2025-03-09 02:00 EST ->
     * 03:00 EDT (the IANA tz database's rules, tzdata "europe" Rule EU: last Sunday of March and October at 01:00
     * UTC; "northamerica" Rule US: second Sunday of March at 2:00 local; the JDK's own copy decides here).
     * Compared by local time, the autumn window went off at the first 02:30 and on again at the second 02:00, and a
     * window in the skipped hour did not run (time audit L1, L2).
     */
    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource({
            "2025-10-25T23:00:00Z, 5, Berlin 01:00 CEST: on",
            "2025-10-26T00:29:00Z, 5, Berlin 02:29 CEST: on",
            "2025-10-26T00:30:00Z, 0, Berlin 02:30 CEST: off (to is exclusive)",
            "2025-10-26T01:15:00Z, 0, Berlin 02:15 CET the second time: stays off",
            "2025-03-30T00:59:00Z, 5, Berlin 01:59 CET: on",
            "2025-03-30T01:00:00Z, 0, Berlin 03:00 CEST: 02:30 was skipped, so the window ended when the clocks jumped",
            "2025-03-30T01:10:00Z, 0, Berlin 03:10 CEST: off, as the wall clock reads after 02:30",
            "2025-03-09T06:59:00Z, 0, New York 01:59 EST: not yet",
            "2025-03-09T07:00:00Z, 2, New York 03:00 EDT: the skipped 02:15-02:45 runs its 30 minutes from the change",
            "2025-03-09T07:29:00Z, 2, New York 03:29 EDT: still on",
            "2025-03-09T07:30:00Z, 0, New York 03:30 EDT: ended",
    })
    void aWindowAcrossADaylightSavingChangeIsOneInterval(String at, int floor, String why) {
        List<ScheduledFloor> windows = List.of(
                new ScheduledFloor(BERLIN, ScheduledFloor.everyDay(), LocalTime.of(1, 0), LocalTime.of(2, 30), 5),
                new ScheduledFloor(ZoneId.of("America/New_York"), EnumSet.of(DayOfWeek.SUNDAY), LocalTime.of(2, 15),
                        LocalTime.of(2, 45), 2));
        assertEquals(floor, ScheduledFloor.floorAt(windows, Instant.parse(at)), why);
    }

    /**
     * A window that starts in the skipped hour is on from the change, as the wall clock reads past its start: Berlin
     * 2027-03-28 02:00 CET -> 03:00 CEST (01:00 UTC, tzdata Rule EU). Placed as java.time places 02:30 (03:30 CEST),
     * a 02:30-06:00 floor was still off at 03:10 and a 02:30-03:02 one did not run that day (recheck 44, F1).
     */
    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource({
            "2027-03-28T00:59:00Z, 0, Berlin 01:59 CET: before",
            "2027-03-28T01:00:00Z, 4, Berlin 03:00 CEST: on from the change",
            "2027-03-28T01:10:00Z, 4, Berlin 03:10 CEST: on",
            "2027-03-28T03:59:00Z, 4, Berlin 05:59 CEST: on",
            "2027-03-28T04:00:00Z, 0, Berlin 06:00 CEST: ended",
            "2027-03-29T01:10:00Z, 4, Berlin 03:10 CEST the day after: on as every day",
    })
    void aWindowStartingInTheSkippedHourIsOnFromTheChange(String at, int floor, String why) {
        List<ScheduledFloor> windows = List.of(
                new ScheduledFloor(BERLIN, ScheduledFloor.everyDay(), LocalTime.of(2, 30), LocalTime.of(6, 0), 4));
        assertEquals(floor, ScheduledFloor.floorAt(windows, Instant.parse(at)), why);
        ScheduledFloor shortOne = new ScheduledFloor(BERLIN, ScheduledFloor.everyDay(), LocalTime.of(2, 30),
                LocalTime.of(3, 2), 3);
        assertEquals(3, ScheduledFloor.floorAt(List.of(shortOne), Instant.parse("2027-03-28T01:01:00Z")),
                "02:30-03:02 runs 03:00-03:02 that day");
    }

    /**
     * The floor in force, as status and metrics show it whatever the last decision was (recheck 101, F2): its
     * replicas, the windows on, and until when, on the ending window's wall clock with its zone's abbreviation.
     */
    @ParameterizedTest(name = "{0}: {4}")
    @CsvSource({
            // Monday 2026-01-05, CET: the Monday window gives 6 until 10:00, then the weekday one 4 until 20:00.
            "2026-01-05T08:00:00Z, 6, 2026-01-05T09:00:00Z, Mon 10:00 CET, Monday 09:00: the higher floor until its end",
            "2026-01-05T10:00:00Z, 4, 2026-01-05T19:00:00Z, Mon 20:00 CET, Monday 11:00: the weekday floor",
            "2026-01-10T04:00:00Z, 3, 2026-01-10T05:00:00Z, Sat 06:00 CET, Saturday 05:00: Friday's overnight window",
    })
    void theFloorInForceSaysUntilWhen(String at, int floor, String until, String untilLocal, String why) {
        ScheduledFloor.InForce on = ScheduledFloor.inForce(WINDOWS, Instant.parse(at)).orElseThrow();
        assertEquals(floor, on.minReplicas(), why);
        assertEquals(Instant.parse(until), on.until(), why);
        assertEquals(untilLocal, on.untilSaid(), why);
    }

    /**
     * The night New York's clocks go back (2026-11-01 02:00 EDT -> 01:00 EST, tzdata Rule US: first Sunday of November),
     * a 01:30-02:30 window runs from the first 01:30 EDT (05:30 UTC) to 02:30 EST (07:30 UTC), one interval; its end
     * is said with the zone's abbreviation, so "until Sun 02:30 EST" tells which 02:30 where the window's own words
     * read the same at both 01:30s (recheck 101's remark). No window on: nothing in force.
     */
    @org.junit.jupiter.api.Test
    void theEndOfAWindowAcrossTheFallBackNightNamesItsOffset() {
        List<ScheduledFloor> ny = List.of(new ScheduledFloor(ZoneId.of("America/New_York"), ScheduledFloor.everyDay(),
                LocalTime.of(1, 30), LocalTime.of(2, 30), 5));
        ScheduledFloor.InForce on = ScheduledFloor.inForce(ny, Instant.parse("2026-11-01T06:15:00Z")).orElseThrow();
        assertEquals(Instant.parse("2026-11-01T07:30:00Z"), on.until());
        assertEquals("Sun 02:30 EST", on.untilSaid());
        assertEquals("daily 01:30-02:30 America/New_York min-replicas 5", on.windowsSaid());
        assertEquals(java.util.Optional.empty(), ScheduledFloor.inForce(ny, Instant.parse("2026-11-01T07:30:00Z")));
    }

}
