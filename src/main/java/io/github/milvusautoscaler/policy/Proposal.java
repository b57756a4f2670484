package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Message;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Stage;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What a rule settles on: a reason, the replica count it leads to, the sentence that explains
 * it with the numbers (built only if someone reads it, see {@link Message}), the alert keys it
 * consumed (so each alert acts once), and the names of the alerts that drove or held it (the decision's
 * {@code alerts}, which a consumed key does not say: a cooldown or a blocked scale-in consumes none).
 *
 * <p>{@code by} is the stage of the code that built it and must be the reason's own stage: a rule
 * cannot give another rule's reason, so each reason has exactly one producing rule.
 */
record Proposal(Stage by, Reason reason, int to, Message message, Set<String> alertKeys, List<String> alerts) {

    Proposal {
        requireNonNull(by, "by");
        requireNonNull(reason, "reason");
        requireNonNull(message, "message");
        // Nearly every proposal carries no alert keys: Set.of() as is, without a copy's type checks.
        alertKeys = requireNonNull(alertKeys, "alertKeys").isEmpty() ? Set.of() : Set.copyOf(alertKeys);
        alerts = requireNonNull(alerts, "alerts").isEmpty() ? List.of() : List.copyOf(alerts);
        if (reason.stage() != by) {
            throw new IllegalArgumentException("stage " + by + " cannot give " + reason + ", which belongs to "
                    + reason.stage() + " (core.Reason)");
        }
    }

    Proposal(Stage by, Reason reason, int to, Message message, Set<String> alertKeys) {
        this(by, reason, to, message, alertKeys, List.of());
    }

    Proposal(Stage by, Reason reason, int to, Supplier<String> message, Set<String> alertKeys) {
        this(by, reason, to, Message.lazy(message), alertKeys);
    }

    Proposal(Stage by, Reason reason, int to, Supplier<String> message) {
        this(by, reason, to, Message.lazy(message), Set.of());
    }

    Proposal(Stage by, Reason reason, int to, String message) {
        this(by, reason, to, Message.of(message), Set.of());
    }

    /** This proposal, driven or held by the alerts named. */
    Proposal withAlerts(List<String> names) {
        return new Proposal(by, reason, to, message, alertKeys, names);
    }

    /**
     * A HOLD at the current count, its message ending "; holding at N", and "(R ready)" while fewer are ready: the
     * decision log and the Events are where an incident is read afterwards, and "cpu 1.10 > 0.75 for 1m14s; holding at
     * 5" did not say that 2 of the 5 served (recheck 58, F3).
     */
    static Optional<Proposal> hold(Stage by, Reason reason, Tick t, Supplier<String> message) {
        int current = t.current();
        int ready = t.ready();
        return Optional.of(new Proposal(by, reason, current, () -> {
            String text = message.get();
            // Not twice: a rule that sizes on the ready replicas names them already ("4 queryNode (3 ready)").
            boolean named = text.contains(ready + " ready");
            return text + "; holding at " + current + (ready < current && !named ? " (" + ready + " ready)" : "");
        }));
    }
}
