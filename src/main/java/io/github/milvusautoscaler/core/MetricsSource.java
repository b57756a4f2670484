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

    /**
     * The amount of {@code resource} per serving pod of {@code target} as of {@code at} (cores of CPU request,
     * queries.cpu-request): what the signal that is a fraction of it divides by now, so a load history read in another
     * request can be put in it; empty when not read (no per-pod query, the read failed or found none). The pods' own
     * request, not the pod template's: an in-place resize changes the one and not the other (recheck 83, F1).
     */
    default java.util.OptionalDouble servingAmount(Target target, ContainerResource resource, Instant at) {
        return java.util.OptionalDouble.empty();
    }
}
