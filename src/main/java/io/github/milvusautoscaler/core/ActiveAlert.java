package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A firing Alertmanager alert routed to one target.
 *
 * @param key      de-duplication key: group key, fingerprint and start time, so a re-sent
 *                 alert (repeat_interval, HA pairs) is acted on once
 * @param name     the alert name ({@code alertname} label)
 * @param action   what the route asks for
 * @param startsAt when the alert started firing
 */
public record ActiveAlert(String key, String name, AlertAction action, Instant startsAt) {

    public ActiveAlert {
        requireNonNull(key, "key");
        requireNonNull(name, "name");
        requireNonNull(action, "action");
        requireNonNull(startsAt, "startsAt");
    }

    /** What a routed alert asks the policy to do. */
    public enum AlertAction {
        /** Scale out by {@code alerts.step} once, and block scale-in while firing. */
        SCALE_OUT,
        /** Only block scale-in while firing. */
        BLOCK_SCALE_IN
    }
}
