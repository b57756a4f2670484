package io.github.milvusautoscaler.engine;

import io.github.milvusautoscaler.policy.Budget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The global {@code max-actions-per-hour} budget shared by every target's loop: a sliding window
 * of the times scale actions were written. With a limit of 30, the 31st write within any hour is
 * held as BUDGET_EXHAUSTED until the oldest leaves the window.
 */
public final class ActionBudget {

    private static final Duration WINDOW = Duration.ofHours(1);

    private final int limitPerHour;
    private final Deque<Instant> writes = new ArrayDeque<>();

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
        writes.addLast(at);
    }

    private void evict(Instant now) {
        Instant cutoff = now.minus(WINDOW);
        while (!writes.isEmpty() && !writes.peekFirst().isAfter(cutoff)) {
            writes.removeFirst();
        }
    }
}
