package io.github.milvusautoscaler.engine;

import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.Target;
import java.time.Instant;
import java.util.List;

/** Where the engine learns which alerts are firing for a target (the webhook side fills it). */
@FunctionalInterface
public interface AlertSource {

    /** No alerts: for daemons with alerts off and for the simulator. */
    AlertSource NONE = (target, now) -> List.of();

    List<ActiveAlert> firing(Target target, Instant now);

    /**
     * Keys of alerts of {@code target} this daemon has seen resolved (and still remembers): their scale-in
     * block may be dropped from the scaled object. None by default.
     */
    default java.util.Set<String> resolved(Target target, Instant now) {
        return java.util.Set.of();
    }

    /**
     * The keys {@code target}'s scaled object says were scaled out for ({@code handled-alerts}), as this tick read
     * them: a repeat of one reaching a new leader is a duplicate. Ignored by default.
     */
    default void handledOnObject(Target target, java.util.Set<String> keys) {
    }
}
