package io.github.milvusautoscaler.engine;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A clock that moves only when told: tests, the simulator and the demo drive the real engine
 * with it, so a week of load replays in a minute and every run is repeatable.
 *
 * <p>It is also a timer: {@link #every} runs a task each time the clock passes one of its due times, on
 * the thread that moves the clock, so the {@link Scheduler}'s loops on this clock tick when a test
 * advances it, not when the wall clock gets there. A 15 s loop advanced by 45 s ticks 3 times, at once.
 */
public final class ManualClock extends Clock {

    private volatile Instant now;
    private final List<Alarm> alarms = new CopyOnWriteArrayList<>();

    /** A repeating task and its next due time; guarded by itself. */
    private static final class Alarm {
        private final Duration period;
        private final Runnable task;
        private Instant due;
        private boolean cancelled;

        Alarm(Instant due, Duration period, Runnable task) {
            this.due = due;
            this.period = period;
            this.task = task;
        }

        /** Claims the next due time at or before {@code now}, or returns false when none is left. */
        synchronized boolean claim(Instant now) {
            if (cancelled || due.isAfter(now)) {
                return false;
            }
            due = due.plus(period);
            return true;
        }

        synchronized void cancel() {
            cancelled = true;
        }
    }

    public ManualClock(Instant start) {
        this.now = requireNonNull(start, "start");
    }

    /** Moves the clock forward and runs every task that came due, in due order per task. */
    public void advance(Duration d) {
        now = now.plus(d);
        fireDue();
    }

    /** Sets the clock and runs every task that came due. */
    public void set(Instant t) {
        now = requireNonNull(t, "t");
        fireDue();
    }

    /**
     * Runs {@code task} at {@code firstDelay} from now and every {@code period} after, as the clock passes
     * those times; a jump over several due times runs it once per due time (a fixed-rate timer).
     *
     * @return cancels the task; it never runs after the cancel returns, except a run already started
     */
    public Runnable every(Duration firstDelay, Duration period, Runnable task) {
        requireNonNull(firstDelay, "firstDelay");
        requireNonNull(period, "period");
        requireNonNull(task, "task");
        if (period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("period must be > 0, was " + period);
        }
        Alarm alarm = new Alarm(now.plus(firstDelay), period, task);
        alarms.add(alarm);
        fireDue();
        return () -> {
            alarm.cancel();
            alarms.remove(alarm);
        };
    }

    private void fireDue() {
        if (alarms.isEmpty()) {
            return;
        }
        Instant at = now;
        for (Alarm alarm : alarms) {
            while (alarm.claim(at)) {
                alarm.task.run();
            }
        }
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
