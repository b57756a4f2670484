package io.github.milvusautoscaler.core;

import java.time.Duration;

/**
 * Whether this replica may write to the cluster now. The engine asks before every write and
 * keeps computing decisions either way, so a follower's status and metrics stay current.
 */
@FunctionalInterface
public interface LeaderGate {

    /** True while this replica holds leadership; false blocks writes and Events. */
    boolean isLeader();

    /**
     * How old the object read a write is based on may be when the write is sent: a write from an older read is
     * abandoned. For a Lease holder this is the renew deadline (10s by default): a read older than that predates the
     * last renewal this replica can vouch for. Unbounded without election.
     */
    default Duration writeDeadline() {
        return UNBOUNDED;
    }

    /** No deadline (about 292 billion years). */
    Duration UNBOUNDED = Duration.ofSeconds(Long.MAX_VALUE);

    /** The gate of a single replica without leader election: always leader. */
    static LeaderGate always() {
        return () -> true;
    }
}
