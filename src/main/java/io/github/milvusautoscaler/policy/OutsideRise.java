package io.github.milvusautoscaler.policy;

import java.time.Instant;

/**
 * The last rise of the replica count that milvus-autoscaler did not make (a {@code kubectl scale}, a
 * {@code helm upgrade} that sets the count, an edit of the Milvus resource), so a person's extra nodes get the same
 * delay-after-scale-out as the daemon's own: without it a hand raise of queryNode 6 -> 9 at low load was stepped
 * down 69 s later, 14 s after the new pods turned ready, because the scale-in sustain had run on through it (fault
 * recheck F6). A fall needs nothing: the signals answer it as they answer any load.
 *
 * <p>Kept in memory only: a daemon that restarts does not know what the count was before it, and a rise it did not
 * see is not one it can date.
 *
 * @param expected the count the next tick should read unless someone else moves it: the count read, or the one a
 *                 written decision set; -1 before the first tick
 * @param from     the count before the last outside rise; 0 when none was seen
 * @param to       the count it rose to
 * @param at       when it was seen; null when none was
 */
record OutsideRise(int expected, int from, int to, Instant at) {

    static final OutsideRise NONE = new OutsideRise(-1, 0, 0, null);

    /**
     * This memory with the count read at {@code now}: a rise above {@code expected} is an outside rise unless
     * {@code ours} (a newer last-scale annotation of direction up says milvus-autoscaler wrote it: another leader,
     * or a write of this one that landed after its tick stopped waiting).
     */
    OutsideRise next(int current, boolean ours, Instant now) {
        if (current == expected) {
            return this;
        }
        if (expected >= 0 && current > expected && !ours) {
            return new OutsideRise(current, expected, current, now);
        }
        return new OutsideRise(current, from, to, at);
    }

    /** This memory after a decision setting {@code count} was written. */
    OutsideRise written(int count) {
        return count == expected ? this : new OutsideRise(count, from, to, at);
    }
}
