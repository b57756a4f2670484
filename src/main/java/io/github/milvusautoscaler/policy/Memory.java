package io.github.milvusautoscaler.policy;

import java.time.Instant;

/**
 * What one rule remembers between ticks: one small record next to the rule that owns it, kept in
 * {@link TargetState} under its type. Only its rule changes it; other rules may read it.
 *
 * <p>One time convention: every {@code Instant} in a memory is when something happened or began
 * (a step-down, a roll-back, the start of a HIGH stretch), never a deadline; windows are added
 * from the settings when read, so a cooldown of 3m after a scale-out at 10:00 ends at 10:03.
 */
interface Memory {

    /**
     * This memory with the actions remembered at the tick time {@code tick} moved to the time the
     * write was sent, {@code written} (see {@link TargetState#retimed}).
     */
    default Memory retimed(Instant tick, Instant written) {
        return this;
    }

    /** The memory of a rule that keeps none. */
    enum None implements Memory {
        NONE
    }

    /** {@code written} when {@code at} is the tick time, else {@code at}. */
    static Instant retime(Instant at, Instant tick, Instant written) {
        return tick.equals(at) ? written : at;
    }

    /** The later of two instants, either possibly null. */
    static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }

    /** The earlier of two instants, either possibly null. */
    static Instant earlier(Instant a, Instant b) {
        return a == null ? b : b == null ? a : b.isBefore(a) ? b : a;
    }
}
