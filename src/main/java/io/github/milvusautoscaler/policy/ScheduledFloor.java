package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Checks;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One fixed window of a {@code scheduled} floor: at least {@code minReplicas} on the given days from
 * {@code from} to {@code to} local time in {@code zone}; the explicit, hand-written form of what the
 * seasonal forecast learns. A window whose {@code to} is not after {@code from} runs past midnight and
 * belongs to the day it starts on: Friday 22:00-06:00 covers Friday 22:00 to Saturday 06:00.
 *
 * @param zone        the time zone the times are in (daylight saving is the zone's: 08:00 stays 08:00)
 * @param days        the days the window starts on; never empty
 * @param from        start, inclusive
 * @param to          end, exclusive
 * @param minReplicas the floor while the window is on, >= 1
 */
public record ScheduledFloor(ZoneId zone, Set<DayOfWeek> days, LocalTime from, LocalTime to, int minReplicas) {

    public ScheduledFloor {
        requireNonNull(zone, "zone");
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        days = Set.copyOf(requireNonNull(days, "days"));
        Checks checks = new Checks();
        checks.that(!days.isEmpty(), "days", "must be days such as Mon-Fri, Sat,Sun or daily");
        checks.that(!from.equals(to), "to", "must differ from from (" + from + ")");
        checks.atLeast(minReplicas, 1, "min-replicas");
        checks.done();
    }

    /** Every day of the week. */
    public static Set<DayOfWeek> everyDay() {
        return EnumSet.allOf(DayOfWeek.class);
    }

    /**
     * True when the window is on at {@code at}: between the instants its start and end name on the day it starts.
     * Compared by local time, a window ending at 02:30 on the night clocks go back turned off at the first 02:30 and
     * on again at the second 02:00, a step-down and a scale-out for nothing (time audit L1). A time the clocks skip
     * is the instant they skip it at, where the wall clock first reads later (Berlin 2027-03-28: 02:30 is 03:00
     * CEST, 01:00 UTC): a 02:30-06:00 window is on from 03:00, where java.time's placement (on by the gap, 03:30)
     * had it still off at 03:10 (recheck 44, F1). A window wholly inside the skipped hour, which would then be empty,
     * runs for its length from the change, so a window someone wrote is not lost that day (time audit L2): New
     * York's 02:15-02:45 on 2025-03-09 runs 03:00-03:30 EDT. A time the clocks repeat is its first, earlier offset.
     */
    public boolean covers(Instant at) {
        return closes(at).isPresent();
    }

    /** When the occurrence of this window that covers {@code at} ends; empty when none covers it ({@link #covers}). */
    public java.util.Optional<Instant> closes(Instant at) {
        java.time.LocalDate today = at.atZone(zone).toLocalDate();
        // A window that runs past midnight may have started yesterday.
        for (java.time.LocalDate start : List.of(today.minusDays(1), today)) {
            if (!days.contains(start.getDayOfWeek())) {
                continue;
            }
            Instant open = wallClock(start, from);
            Instant close = wallClock(from.isBefore(to) ? start : start.plusDays(1), to);
            if (from.isBefore(to) && !close.isAfter(open)) {
                close = open.plus(java.time.Duration.between(from, to));
            }
            if (!at.isBefore(open) && at.isBefore(close)) {
                return java.util.Optional.of(close);
            }
        }
        return java.util.Optional.empty();
    }

    /** The instant the wall clock of {@link #zone} reads {@code time} on {@code date}; in a gap, the gap's instant. */
    private Instant wallClock(java.time.LocalDate date, LocalTime time) {
        java.time.LocalDateTime local = java.time.LocalDateTime.of(date, time);
        java.time.zone.ZoneOffsetTransition change = zone.getRules().getTransition(local);
        return change != null && change.isGap() ? change.getInstant() : ZonedDateTime.of(local, zone).toInstant();
    }

    /**
     * The floor at {@code at}: the highest {@code min-replicas} of the windows on, or 0 when none is.
     * Two windows Mon-Fri 08:00-20:00 at 4 and Mon 08:00-10:00 at 6 give 6 on Monday at 09:00, 4 at 11:00.
     */
    public static int floorAt(List<ScheduledFloor> windows, Instant at) {
        int floor = 0;
        for (ScheduledFloor w : windows) {
            if (w.minReplicas() > floor && w.covers(at)) {
                floor = w.minReplicas();
            }
        }
        return floor;
    }

    /**
     * The scheduled floor in force at an instant, for status and metrics: its replicas (the highest min-replicas of
     * the windows on), those windows, and when the last of the ones giving it ends (it may go on lower after: a
     * Mon 08:00-10:00 window at 6 inside Mon-Fri 08:00-20:00 at 4 gives 6 until 10:00, then 4).
     */
    public record InForce(int minReplicas, List<ScheduledFloor> windows, Instant until, ZoneId untilZone) {
        private static final java.time.format.DateTimeFormatter LOCAL =
                java.time.format.DateTimeFormatter.ofPattern("EEE HH:mm zzz", java.util.Locale.ROOT);

        public InForce {
            windows = List.copyOf(windows);
            requireNonNull(until, "until");
            requireNonNull(untilZone, "untilZone");
        }

        /**
         * "Sun 03:10 CET": when it ends, on the wall clock of the window that ends it, with the zone's abbreviation,
         * so the night clocks go back tells its two 02:30s apart (recheck 101's remark: "01:30-02:30 America/New_York"
         * read the same at both).
         */
        public String untilSaid() {
            return LOCAL.format(until.atZone(untilZone));
        }

        /** "daily 08:00-20:00 Europe/Berlin min-replicas 4, Mon 08:00-10:00 Europe/Berlin min-replicas 6". */
        public String windowsSaid() {
            return String.join(", ", windows.stream().map(ScheduledFloor::said).toList());
        }

        /** The floor as the policy runs it under {@code maxReplicas}: a floor of 12 with max-replicas 10 is 10. */
        public int replicasUnder(int maxReplicas) {
            return Math.min(minReplicas, maxReplicas);
        }

        /**
         * Its windows, the clamp to {@code maxReplicas} if any, and its end, as messages and the log say them:
         * "daily 09:00-11:00 UTC min-replicas 12, clamped to max-replicas 10, until Mon 11:00 UTC".
         */
        public String saidUnder(int maxReplicas) {
            return windowsSaid() + (minReplicas > maxReplicas ? ", clamped to max-replicas " + maxReplicas : "")
                    + ", until " + untilSaid();
        }
    }

    /** The floor in force at {@code at}, or empty while no window is on. */
    public static java.util.Optional<InForce> inForce(List<ScheduledFloor> windows, Instant at) {
        int floor = floorAt(windows, at);
        if (floor == 0) {
            return java.util.Optional.empty();
        }
        List<ScheduledFloor> on = windows.stream().filter(w -> w.covers(at)).toList();
        ScheduledFloor last = on.stream().filter(w -> w.minReplicas() == floor)
                .max(java.util.Comparator.comparing((ScheduledFloor w) -> w.closes(at).orElseThrow())).orElseThrow();
        return java.util.Optional.of(new InForce(floor, on, last.closes(at).orElseThrow(), last.zone()));
    }

    private static final java.time.format.DateTimeFormatter DATED =
            java.time.format.DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm zzz", java.util.Locale.ROOT);

    /**
     * "Mon 2026-01-05 09:00 UTC": {@code at} on {@code zone}'s wall clock with its date, as the log says when a floor
     * starts or ends (a replay's lines are stamped with today's clock: recheck 113, F4).
     */
    public static String datedSaid(Instant at, ZoneId zone) {
        return DATED.format(at.atZone(zone));
    }

    /** "Mon-Fri 08:00-20:00 Europe/Berlin min-replicas 4": the window and its floor, as reports list it. */
    public String said() {
        return describe() + " min-replicas " + minReplicas;
    }

    /** "Mon-Fri 08:00-20:00 Europe/Berlin": the window as a message names it. */
    public String describe() {
        return describe(days) + " " + from + "-" + to + " " + zone.getId();
    }

    /** "daily" for all seven days, else the days in week order: "Mon,Tue,Wed,Thu,Fri". */
    public static String describe(Set<DayOfWeek> days) {
        return days.size() == 7 ? "daily" : days.stream().sorted().map(x -> x.name().charAt(0)
                + x.name().substring(1, 3).toLowerCase(java.util.Locale.ROOT)).reduce((a, b) -> a + "," + b).orElse("");
    }
}
