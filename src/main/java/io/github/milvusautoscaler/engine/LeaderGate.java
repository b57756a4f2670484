package io.github.milvusautoscaler.engine;

/**
 * Whether this daemon may write. Followers keep computing decisions (visible in status and
 * metrics) but never write, so two replicas never fight over one replica count.
 */
@FunctionalInterface
public interface LeaderGate {

    /** The gate of a single daemon without leader election. */
    LeaderGate ALWAYS = () -> true;

    boolean isLeader();
}
