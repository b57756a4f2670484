package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which past days the forecast reads: the last two earlier days of the same kind, at the same local time. */
class SeasonCalendarTest {

    private static final Set<DayOfWeek> MON_FRI = EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # day (2026-01-05 is a Monday) | lags with Mon-Fri | lags with daily
            # Monday reads Friday, then Thursday; every day of one kind reads the day before, then the one before.
            2026-01-05T12:00:00Z | 3 4 | 1 2
            # Tuesday to Friday read the workday before, then the one before that (Tuesday: Monday, then Friday).
            2026-01-06T12:00:00Z | 1 4 | 1 2
            2026-01-09T12:00:00Z | 1 2 | 1 2
            # Saturday reads the Sunday before (6 days back), then the Saturday before; Sunday reads Saturday.
            2026-01-10T12:00:00Z | 6 7 | 1 2
            2026-01-11T12:00:00Z | 1 7 | 1 2
            """)
    void yesterdayIsTheLastEarlierDayOfTheSameKind(String at, String monFri, String daily) {
        Instant t = Instant.parse(at);
        assertArrayEquals(lags(monFri), new SeasonCalendar(ZoneOffset.UTC, MON_FRI).dailyLags(t));
        assertArrayEquals(lags(daily), new SeasonCalendar(ZoneOffset.UTC, EnumSet.allOf(DayOfWeek.class)).dailyLags(t));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # Europe/Berlin follows the EU rule (tzdata's "Rule EU": the last Sunday of March and of October at 01:00
            # UTC), read here from the JDK's tz data. It moved from +01:00 to +02:00 at 2026-03-29 02:00 local: 08:00 local on the 30th
            # (06:00 UTC) was 08:00 local on the 29th (06:00 UTC, already +02:00: 24 h) and on the 23rd (07:00
            # UTC: 7 days less one hour). UTC counts 24 hours a day.
            Europe/Berlin | 2026-03-30T06:00:00Z | 1 | 2026-03-29T06:00:00Z
            Europe/Berlin | 2026-03-30T06:00:00Z | 7 | 2026-03-23T07:00:00Z
            UTC           | 2026-03-30T06:00:00Z | 7 | 2026-03-23T06:00:00Z
            # Back across the autumn change (2026-10-25 03:00 local, +02:00 to +01:00): a 25-hour day.
            Europe/Berlin | 2026-10-26T07:00:00Z | 1 | 2026-10-25T07:00:00Z
            Europe/Berlin | 2026-10-26T07:00:00Z | 2 | 2026-10-24T06:00:00Z
            """)
    void theSameLocalTimeDaysBack(String zone, String at, int days, String expected) {
        SeasonCalendar c = new SeasonCalendar(ZoneId.of(zone), EnumSet.allOf(DayOfWeek.class));
        assertEquals(Instant.parse(expected), c.back(Instant.parse(at), days));
        // The local time is kept: the distance in hours is 24 x days, plus or minus the hour the clocks moved.
        long hours = Duration.between(Instant.parse(expected), Instant.parse(at)).toHours();
        assertEquals(24L * days, hours, 1);
    }

    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # 23:30 UTC on Sunday 2026-01-11 is already Monday 00:30 in Berlin: Monday's lags, Friday and Thursday.
            2026-01-11T23:30:00Z | Europe/Berlin | 3 4
            2026-01-11T23:30:00Z | UTC           | 1 7
            # A fixed offset zone counts days from its own midnight: -05:00 keeps Sunday until 05:00 UTC Monday.
            2026-01-12T04:30:00Z | -05:00        | 1 7
            2026-01-12T05:30:00Z | -05:00        | 3 4
            """)
    void theDayIsTheZonesDay(String at, String zone, String expected) {
        assertArrayEquals(lags(expected), new SeasonCalendar(ZoneId.of(zone), MON_FRI).dailyLags(Instant.parse(at)));
    }

    private static int[] lags(String text) {
        String[] parts = text.trim().split(" ");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }
}
