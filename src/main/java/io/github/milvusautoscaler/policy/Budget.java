package io.github.milvusautoscaler.policy;

/**
 * The global action budget as seen at one tick: how many scale actions all targets took in the
 * last hour against {@code max-actions-per-hour}. It bounds the blast radius of a bad signal:
 * with a limit of 30, a broken query can move replicas at most 30 times an hour across the fleet.
 *
 * @param usedLastHour scale actions written in the last hour
 * @param limitPerHour the most allowed
 */
public record Budget(int usedLastHour, int limitPerHour) {

    public Budget {
        if (usedLastHour < 0 || limitPerHour < 0) {
            throw new IllegalArgumentException("budget counts must be >= 0");
        }
    }

    /** No limit: for tests and single-target simulations that do not exercise the budget. */
    public static Budget unlimited() {
        return new Budget(0, Integer.MAX_VALUE);
    }

    public boolean exhausted() {
        return usedLastHour >= limitPerHour;
    }
}
