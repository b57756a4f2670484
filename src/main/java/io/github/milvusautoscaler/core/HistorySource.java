package io.github.milvusautoscaler.core;

import java.time.Instant;

/**
 * Where the seasonal forecast gets a target's past load: the daemon's Prometheus history (read with
 * {@code query_range}, cached and refreshed), or in the simulator the trace's own past. A source never
 * blocks a tick on a slow read: it answers what it has, {@link LoadHistory#NONE} at worst.
 */
@FunctionalInterface
public interface HistorySource {

    /** No history: every forecast is UNKNOWN and the policy decides as it would without one. */
    HistorySource NONE = (target, now) -> LoadHistory.NONE;

    /** The load history of {@code target} known at {@code now}; nothing after {@code now}. */
    LoadHistory history(Target target, Instant now);

    /**
     * What one pod of {@code target} declared at {@code at} as the history recorded it (the CPU request per serving
     * pod, queries.cpu-request), for a replay, which has no pod template to read; {@link TemplateResources#UNKNOWN}
     * from a source that records none (the daemon reads the template itself).
     */
    default TemplateResources declared(Target target, Instant at) {
        return TemplateResources.UNKNOWN;
    }
}
