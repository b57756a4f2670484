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

    /**
     * The unbroken term of leadership this replica is in, or {@link #NO_TERM} when the gate keeps none: a number that
     * changes whenever leadership starts again, after it was lost or after a renewal came later than the renew
     * deadline (when {@link #isLeader()} was false for a while). A write decided within one term needs no read younger
     * than {@link #writeDeadline()}: the replica led throughout, so no other could take the Lease meanwhile, and the
     * resourceVersion the write carries refuses it if the object changed. With the read-age rule alone, a Kubernetes
     * API answering every call in 4-6 s made each read older than 10 s by the write, and every scale-out, a PANIC one
     * included, was abandoned while this replica held the Lease (recheck 46, F1).
     */
    default long term() {
        return NO_TERM;
    }

    /**
     * Whether another replica has been seen leading since this one started: only then did someone else tell what this
     * replica decides while it follows. A lone replica's first ticks before its first Lease (a fresh install) are
     * decided as a follower's, and a pause seen then was never told by anyone (recheck 59, F1). True for a gate that
     * cannot tell.
     */
    default boolean anotherLeaderSeen() {
        return true;
    }

    /** {@link #term()} of a gate that keeps none: a write then needs a read younger than {@link #writeDeadline()}. */
    long NO_TERM = Long.MIN_VALUE;

    /** No deadline (about 292 billion years). */
    Duration UNBOUNDED = Duration.ofSeconds(Long.MAX_VALUE);

    /** The gate of a single replica without leader election: always leader. */
    static LeaderGate always() {
        return () -> true;
    }
}
