package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.util.OptionalDouble;

/**
 * A signal as the policy classified it: the value it saw (empty when unknown) and its state.
 * This is what the decision log writes under {@code signals}.
 */
public record SignalReading(OptionalDouble value, SignalState state) {

    public SignalReading {
        requireNonNull(value, "value");
        requireNonNull(state, "state");
        if (value.isEmpty() && state != SignalState.UNKNOWN) {
            throw new IllegalArgumentException("a signal without a value must be UNKNOWN, was " + state);
        }
    }
}
