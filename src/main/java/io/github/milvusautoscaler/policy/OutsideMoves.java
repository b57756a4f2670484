package io.github.milvusautoscaler.policy;

import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.LastScale;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The last rise and the last fall of the replica count that milvus-autoscaler did not make (a {@code kubectl scale},
 * a {@code helm upgrade} that sets the count, an edit of the Milvus resource), so a person's moves get the waits the
 * daemon's own get. A rise gets delay-after-scale-out: without it a hand raise of queryNode 6 -> 9 at low load was
 * stepped down 69 s later, 14 s after the new pods turned ready, because the scale-in sustain had run on through it
 * (fault recheck F6). A fall gets the scale-in cooldown, as a step-down of its own does: without it an indexNode
 * lowered 4 -> 3 by hand was stepped down 3 -> 2 by the daemon 27 s later, two nodes gone within a minute where Milvus
 * says to remove one, check the service, then continue (real-install recheck 17, F1; only queryNode's settle query held
 * its own case).
 *
 * <p>Kept in memory only: a daemon that restarts does not know what the count was before it, and a move it did not
 * see is not one it can date.
 *
 * @param expected      the count the next tick should read unless someone else moves it: the count read, or the one a
 *                      written decision set; -1 before the first tick
 * @param rise          the last outside rise; {@link Move#NONE} when none was seen
 * @param fall          the last outside fall; {@link Move#NONE} when none was seen
 * @param downAnnotated the newest step-down time the last-scale annotation has shown, so a newer one dates a fall as
 *                      milvus-autoscaler's (another leader's, or a write of this one that landed after its tick
 *                      stopped waiting); null when none
 */
record OutsideMoves(int expected, Move rise, Move fall, Instant downAnnotated) {

    static final OutsideMoves NONE = new OutsideMoves(-1, Move.NONE, Move.NONE, null);

    /**
     * A count someone else set, and when it was seen.
     *
     * @param from the count before it; 0 for {@link #NONE}
     * @param to   the count it moved to
     * @param at   when it was seen; null for {@link #NONE}
     */
    record Move(int from, int to, Instant at) {

        static final Move NONE = new Move(0, 0, null);

        /** "raised outside milvus-autoscaler 6 -> 9 5m ago (kubectl scale, ...)", as the step-down holds say it. */
        String said(String verb, Instant now) {
            return verb + " outside milvus-autoscaler " + from + " -> " + to + " "
                    + Durations.human(Duration.between(at, now))
                    + " ago (kubectl scale, a helm upgrade, an edit of the Milvus resource)";
        }
    }

    /**
     * This memory with the count read at {@code now}: a rise above {@code expected} is an outside rise unless
     * {@code oursUp} (a newer last-scale annotation of direction up says milvus-autoscaler wrote it); a fall below it
     * is an outside fall unless {@code annotation} is a step-down newer than any seen before.
     */
    OutsideMoves next(int current, boolean oursUp, Optional<LastScale> annotation, Instant now) {
        Instant down = annotation.filter(a -> a.direction() == Direction.DOWN).map(LastScale::time).orElse(null);
        boolean oursDown = down != null && (downAnnotated == null || down.isAfter(downAnnotated));
        Instant seenDown = oursDown ? down : downAnnotated;
        if (current == expected && seenDown == downAnnotated) {
            return this;
        }
        if (expected >= 0 && current > expected && !oursUp) {
            return new OutsideMoves(current, new Move(expected, current, now), fall, seenDown);
        }
        if (expected >= 0 && current < expected && !oursDown) {
            return new OutsideMoves(current, rise, new Move(expected, current, now), seenDown);
        }
        return new OutsideMoves(current, rise, fall, seenDown);
    }

    /** This memory after a decision setting {@code count} was written. */
    OutsideMoves written(int count) {
        return count == expected ? this : new OutsideMoves(count, rise, fall, downAnnotated);
    }
}
