package io.github.milvusautoscaler.policy;

import io.github.milvusautoscaler.core.SignalReading;
import io.github.milvusautoscaler.core.SignalState;
import java.util.OptionalDouble;

/**
 * One configured signal after classification (contract step 2).
 *
 * @param band    the signal's band and target
 * @param value   the value seen; empty when UNKNOWN
 * @param state   HIGH, LOW, IN_BAND or UNKNOWN
 * @param problem why it is UNKNOWN; empty otherwise
 */
record Classified(SignalPolicy band, OptionalDouble value, SignalState state, String problem) {

    String name() {
        return band.name();
    }

    double v() {
        return value.getAsDouble();
    }

    SignalReading reading() {
        return new SignalReading(value, state);
    }

    boolean known() {
        return state != SignalState.UNKNOWN;
    }
}
