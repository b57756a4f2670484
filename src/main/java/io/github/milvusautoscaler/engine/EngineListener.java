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

    /** One tick of one target finished. */
    default void tickFinished(Target target, Duration took) {
    }
}
