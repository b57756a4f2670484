package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A firing Alertmanager alert routed to one target.
 *
 * @param key      de-duplication key: group key, fingerprint and start time, so a re-sent
 *                 alert (repeat_interval, HA pairs) is acted on once
 * @param name     the alert name ({@code alertname} label): what the decision's {@code alerts} field lists, so
 *                 {@code alerts=~"MilvusQueryNode.*"} finds what an alert did
 * @param action   what the route asks for
 * @param startsAt when the alert started firing
 * @param carried  for an alert kept on the object from before this daemon led and not re-sent to it yet, where it
 *                 comes from and why it still counts, said in messages after the name; "" for an alert received
 */
public record ActiveAlert(String key, String name, AlertAction action, Instant startsAt, String carried) {

    public ActiveAlert {
        requireNonNull(key, "key");
        requireNonNull(name, "name");
        requireNonNull(action, "action");
        requireNonNull(startsAt, "startsAt");
        requireNonNull(carried, "carried");
    }

    /** An alert received from Alertmanager. */
    public ActiveAlert(String key, String name, AlertAction action, Instant startsAt) {
        this(key, name, action, startsAt, "");
    }

    /**
     * How a message names it: the name, and for a carried alert where it comes from, e.g. {@code
     * MilvusQueryQueueBacklog (carried: <its Alertmanager group>, scaled out for (the object's handled-alerts say so);
     * not re-sent to it yet)}.
     */
    public String described() {
        return carried.isEmpty() ? name : name + " (" + carried + ")";
    }

    /** What a routed alert asks the policy to do. */
    public enum AlertAction {
        /** Scale out by {@code alerts.step} once, and block scale-in while firing. */
        SCALE_OUT,
        /** Only block scale-in while firing. */
        BLOCK_SCALE_IN
    }
}
