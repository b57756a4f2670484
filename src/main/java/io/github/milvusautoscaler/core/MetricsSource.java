package io.github.milvusautoscaler.core;

import java.time.Instant;

/**
 * Port: reads a target's signals, settle state and health as of one evaluation time.
 *
 * <p>Implementations never throw for missing or failed data: each signal that cannot be read
 * comes back {@link Signal#unknown UNKNOWN} with the reason, so one bad query cannot hide the others.
 */
public interface MetricsSource {

    /** Observes {@code target} as of {@code at}; every configured signal is present in the result. */
    Observation observe(Target target, Instant at);
}
