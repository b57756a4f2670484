package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The last scale the autoscaler wrote, as stored in annotations on the scaled object
 * ({@code milvus-autoscaler.io/last-scale-time}, {@code -direction}, {@code -reason}), so a
 * restarted or newly elected daemon keeps cooldowns and settle waits.
 */
public record LastScale(Instant time, Direction direction, String reason) {

    public LastScale {
        requireNonNull(time, "time");
        requireNonNull(direction, "direction");
        requireNonNull(reason, "reason");
    }
}
