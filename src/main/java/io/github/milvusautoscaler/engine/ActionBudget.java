package io.github.milvusautoscaler.engine;

import io.github.milvusautoscaler.policy.Budget;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/**
 * The global {@code max-actions-per-hour} budget shared by every target's loop: a sliding window
 * of the times scale actions were written. With a limit of 30, the 31st write within any hour is
 * held as BUDGET_EXHAUSTED until the oldest leaves the window.
 *
 * <p>Targets tick concurrently, so the policy's look at the budget and the count of a write
 * cannot be two steps: eight targets that all read 29 of 30 used would all write. A write
 * therefore {@link #reserve reserves} its slot (check and count in one step) before it is sent and
 * {@link #release releases} it when the write did not land.
 */
public final class ActionBudget {

    private static final Duration WINDOW = Duration.ofHours(1);

    private final int limitPerHour;
    private final PriorityQueue<Instant> writes = new PriorityQueue<>();

    public ActionBudget(int limitPerHour) {
        if (limitPerHour < 1) {
            throw new IllegalArgumentException("max-actions-per-hour must be >= 1");
        }
        this.limitPerHour = limitPerHour;
    }

    /** The budget as the policy sees it at {@code now}. */
    public synchronized Budget view(Instant now) {
        evict(now);
        return new Budget(writes.size(), limitPerHour);
    }

    /** Counts one written action. */
    public synchronized void record(Instant at) {
        writes.add(at);
    }

    /**
     * Takes one slot at {@code at} if the window has room, or unconditionally when {@code exempt}
     * (a roll-back undoes our own step-down and never waits for the budget, but still counts).
     *
     * @return false when the budget is used up: nothing was taken
     */
    public synchronized boolean reserve(Instant at, boolean exempt) {
        evict(at);
        if (!exempt && writes.size() >= limitPerHour) {
            return false;
        }
        writes.add(at);
        return true;
    }

    /** Gives back a slot taken by {@link #reserve} at {@code at}, for a write that did not land. */
    public synchronized void release(Instant at) {
        writes.remove(at);
    }

    private void evict(Instant now) {
        Instant cutoff = now.minus(WINDOW);
        while (!writes.isEmpty() && !writes.peek().isAfter(cutoff)) {
            writes.poll();
        }
    }
}
