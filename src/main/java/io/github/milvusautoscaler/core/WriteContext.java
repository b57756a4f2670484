package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * How the engine asks for one write: an id the actuator stores with the last-scale annotations,
 * so that after a lost answer (a 500 or timeout from a server that applied the PATCH) a re-read
 * recognises the write as ours instead of deciding and writing again; the write time, which is
 * when cooldowns start (a tick that spent 2.1 s on queries starts its 6 s cooldown 2.1 s after
 * the tick began, not at it); and the guard run before every attempt.
 *
 * @param id    unique per write, e.g. {@code 3f2a9c1e-...}
 * @param time  when the write is sent (just before the first attempt)
 * @param guard  checked before every attempt, retries included
 * @param memory what to remember on the object with this write (back-off, settle wait, handled
 *               alerts), or null to leave those annotations as they are
 */
public record WriteContext(String id, Instant time, WriteGuard guard, ScaleMemory memory) {

    /** A write that leaves the remembered state as it is. */
    public WriteContext(String id, Instant time, WriteGuard guard) {
        this(id, time, guard, null);
    }

    public WriteContext {
        requireNonNull(id, "id");
        requireNonNull(time, "time");
        requireNonNull(guard, "guard");
        if (id.isBlank()) {
            throw new IllegalArgumentException("a write id must not be blank");
        }
    }
}
