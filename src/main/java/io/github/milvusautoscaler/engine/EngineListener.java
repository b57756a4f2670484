package io.github.milvusautoscaler.engine;

import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;

/** Callbacks for what is not a decision: failed reads and writes, and tick timing. */
public interface EngineListener {

    /** Listens to nothing. */
    EngineListener NONE = new EngineListener() {
    };

    /** The owning object could not be read; the decision is HOLD TARGET_UNAVAILABLE. */
    default void readFailed(Target target, ActuationException e) {
    }

    /** A decided scale was written. */
    default void writeSucceeded(Decision decision) {
    }

    /** A decided scale could not be written; the next tick decides again. */
    default void writeFailed(Decision decision, ActuationException e) {
    }

    /**
     * The annotation-only patch that keeps back-off, settle wait and handled alerts on the object failed (a 409
     * retried once included); the next tick tries again, and until one lands a fail-over would lose that memory.
     */
    default void memoryWriteFailed(Target target, ActuationException e) {
    }

    /**
     * A decided scale was given up before an attempt was sent: leadership was lost, or the tick is
     * older than the renew deadline. An earlier attempt may have landed; the engine re-read to find out.
     */
    default void writeAbandoned(Decision decision, String why) {
    }

    /** A write was answered 409 Conflict; {@code resolved} when the re-read and re-decided write landed or was not needed. */
    default void writeConflict(Target target, boolean resolved) {
    }

    /**
     * A write whose answer was lost or inconclusive was checked by re-reading the object:
     * {@code landed}, {@code not_landed} or {@code unknown} (the re-read failed).
     */
    default void ambiguousWrite(Target target, String result) {
    }

    /**
     * This tick's decision for {@code target}, recorded next, is a stand-back from another writer of the count
     * ({@link CountOwnership}): a TARGET_UNAVAILABLE that lasts an hour and was explained once, where one for a target
     * that cannot be read says its cause again every minute.
     */
    default void standingBack(Target target) {
    }

    /**
     * This tick's decision for {@code target}, recorded next, was decided as the Lease's holder ({@code leader}) or as a
     * follower: what the tick read, where the Lease may change hands before the decision is logged (recheck 91, F4: a
     * line marked "[not written]" as a leader's said "not written: a follower", its tick 1 ms before the Lease came).
     */
    default void decidedAs(Target target, boolean leader) {
    }

    /** One tick of one target finished. */
    default void tickFinished(Target target, Duration took) {
    }

    /**
     * A config reload removed {@code target} and its last tick has ended: whatever is kept per target goes with it,
     * so nothing of a removed target stays (its meters on /metrics, a remembered blocked reason that would silence
     * its first line if it came back; concurrency audit F9).
     */
    default void forgotten(Target target) {
    }

    /**
     * A config reload gave {@code from}'s object the id {@code to} ({@link Engine#renamed}), before {@code to}'s first
     * tick. What a listener keeps to say a thing once (a block told, a pause named) goes on under the new id, so the
     * rename does not tell it again; by default the old id is forgotten, as for a removed target.
     */
    default void renamed(Target from, Target to) {
        forgotten(from);
    }
}
