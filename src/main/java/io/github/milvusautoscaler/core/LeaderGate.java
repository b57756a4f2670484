package io.github.milvusautoscaler.core;

/**
 * Whether this replica may write to the cluster now. The engine asks before every write and
 * keeps computing decisions either way, so a follower's status and metrics stay current.
 */
@FunctionalInterface
public interface LeaderGate {

    /** True while this replica holds leadership; false blocks writes and Events. */
    boolean isLeader();

    /** The gate of a single replica without leader election: always leader. */
    static LeaderGate always() {
        return () -> true;
    }
}
