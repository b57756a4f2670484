package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The last scale the autoscaler wrote, as stored in annotations on the scaled object
 * ({@code milvus-autoscaler.io/last-scale-time}, {@code -direction}, {@code -reason}), so a
 * restarted or newly elected daemon keeps cooldowns and settle waits. {@code writeId} is the id of
 * the write ({@code milvus-autoscaler.io/last-scale-id}), empty when absent: the engine recognises
 * its own write by it after a lost answer.
 */
public record LastScale(Instant time, Direction direction, String reason, String writeId) {

    public LastScale {
        requireNonNull(time, "time");
        requireNonNull(direction, "direction");
        requireNonNull(reason, "reason");
        requireNonNull(writeId, "writeId");
    }

    /** A last scale without a write id (written by an older version, or by hand). */
    public LastScale(Instant time, Direction direction, String reason) {
        this(time, direction, reason, "");
    }
}
