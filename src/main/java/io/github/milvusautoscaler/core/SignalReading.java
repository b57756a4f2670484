package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.util.OptionalDouble;

/**
 * A signal as the policy classified it: the value it saw (empty when unknown), its state, and why it is UNKNOWN. This
 * is what the decision log writes under {@code signals}: an UNKNOWN there without its cause ("only 1 of 2 ready pods
 * reporting") could not be told after the fact from a failed query (recheck 49, F2).
 *
 * @param problem why the signal is UNKNOWN; empty when it is known
 */
public record SignalReading(OptionalDouble value, SignalState state, String problem) {

    public SignalReading {
        requireNonNull(value, "value");
        requireNonNull(state, "state");
        requireNonNull(problem, "problem");
        if (value.isEmpty() && state != SignalState.UNKNOWN) {
            throw new IllegalArgumentException("a signal without a value must be UNKNOWN, was " + state);
        }
    }

    /** A reading with no cause to give (a known value, or an UNKNOWN whose source says nothing more). */
    public SignalReading(OptionalDouble value, SignalState state) {
        this(value, state, "");
    }
}
