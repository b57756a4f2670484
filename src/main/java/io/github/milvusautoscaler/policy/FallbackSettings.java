package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Checks;
import java.time.Duration;

/**
 * What to do when every signal has been UNKNOWN for a while: hold (default) or scale out to a
 * fixed count. Never in.
 *
 * @param after    how long every signal must be UNKNOWN before the fallback applies
 * @param mode     HOLD or SCALE_OUT
 * @param replicas the count SCALE_OUT moves up to (never down)
 */
public record FallbackSettings(Duration after, Mode mode, int replicas) {

    /** The fallback behaviours. */
    public enum Mode {
        HOLD,
        SCALE_OUT
    }

    public FallbackSettings {
        requireNonNull(after, "after");
        requireNonNull(mode, "mode");
        Checks checks = new Checks();
        checks.atLeast(replicas, 1, "replicas");
        checks.done();
    }
}
