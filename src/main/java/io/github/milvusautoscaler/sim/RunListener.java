package io.github.milvusautoscaler.sim;

import io.github.milvusautoscaler.core.Decision;

/**
 * Hears a simulation run as it goes: every decision of every policy, and progress. In a parallel
 * run, {@link #decision} is called from one thread per policy (in time order per policy), so an
 * implementation keeps per-policy state apart or synchronizes.
 */
public interface RunListener {

    /** A listener that ignores everything. */
    RunListener NONE = new RunListener() {
    };

    /** Every decision of {@code policy}, HOLD included, in time order per policy. */
    default void decision(String policy, Decision decision) {
    }

    /** Called every few thousand ticks (of the first policy) and once at the end. */
    default void progress(long ticksDone, long ticksTotal) {
    }
}
