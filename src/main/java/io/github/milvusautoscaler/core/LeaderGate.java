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
     * How old a tick may be when it writes: a tick that started longer ago than this abandons its
     * write. For a Lease holder this is the renew deadline (10s by default): a tick older than that
     * decided on data from before the last renewal it can vouch for. Unbounded without election.
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
