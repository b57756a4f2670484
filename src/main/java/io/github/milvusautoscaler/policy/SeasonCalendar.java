package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which past days the seasonal forecast reads for a time, in the forecast's time zone: the same local time on
 * the last two earlier days of the same kind (workdays or the others) and one and two weeks back. A load that
 * follows office hours in Berlin rises at 08:00 local time, so "yesterday" is read at the local wall clock
 * (across a daylight-saving change 23 or 25 hours back, not 24), and Monday's yesterday is Friday, not Sunday.
 * With workdays {@code daily} every day is of one kind and the daily lags are 1 and 2 days, as in UTC.
 * Examples with workdays Mon-Fri: Monday reads Friday, then Thursday (3 and 4 days back); Wednesday reads
 * Tuesday, then Monday (1 and 2); Saturday reads the Sunday before, then the Saturday before (6 and 7); Sunday
 * reads Saturday, then the Sunday before (1 and 7).
 */
final class SeasonCalendar {

    /** Weekly lags in days, in order of preference: last week, else the week before. */
    static final int[] WEEKLY = {7, 14};
    private static final long DAY_MS = 86_400_000L;

    private final ZoneId zone;
    /** The zone's offset in ms when it has no daylight saving (UTC), else null: instants shift by whole days. */
    private final Long fixedOffsetMs;
    /** Per day of the week (Monday = 0), its two daily lags in days. */
    private final int[][] daily = new int[7][];

    SeasonCalendar(ZoneId zone, Set<DayOfWeek> workdays) {
        this.zone = requireNonNull(zone, "zone");
        requireNonNull(workdays, "workdays");
        Set<DayOfWeek> work = workdays.isEmpty() ? EnumSet.allOf(DayOfWeek.class) : EnumSet.copyOf(workdays);
        ZoneOffset fixed = zone.getRules().isFixedOffset() ? zone.getRules().getOffset(Instant.EPOCH) : null;
        this.fixedOffsetMs = fixed == null ? null : fixed.getTotalSeconds() * 1000L;
        for (DayOfWeek day : DayOfWeek.values()) {
            int[] lags = new int[2];
            int found = 0;
            for (int back = 1; back <= 14 && found < 2; back++) {
                if (work.contains(day.minus(back)) == work.contains(day)) {
                    lags[found++] = back;
                }
            }
            daily[day.ordinal()] = lags;
        }
    }

    /** The two daily lags in days for the local day of {@code t}: the last two earlier days of its kind. */
    int[] dailyLags(Instant t) {
        return daily[dayOfWeek(t).ordinal()];
    }

    /** The same local time {@code days} days before {@code t}; in a zone with daylight saving 23-25 hours a day. */
    Instant back(Instant t, int days) {
        if (fixedOffsetMs != null) {
            return Instant.ofEpochMilli(t.toEpochMilli() - days * DAY_MS);
        }
        return ZonedDateTime.ofInstant(t, zone).minusDays(days).toInstant();
    }

    private DayOfWeek dayOfWeek(Instant t) {
        if (fixedOffsetMs != null) {
            // 1970-01-01 was a Thursday (ordinal 3).
            long day = Math.floorDiv(t.toEpochMilli() + fixedOffsetMs, DAY_MS);
            return DayOfWeek.values()[(int) Math.floorMod(day + 3, 7)];
        }
        return ZonedDateTime.ofInstant(t, zone).getDayOfWeek();
    }
}
