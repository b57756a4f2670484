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
}
