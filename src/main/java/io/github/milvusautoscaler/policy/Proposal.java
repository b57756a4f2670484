package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Message;
import io.github.milvusautoscaler.core.Reason;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What a stage settles on: a reason, the replica count it leads to, the sentence that explains
 * it with the numbers (built only if someone reads it, see {@link Message}), and the alert keys it
 * consumed (so each alert acts once).
 */
record Proposal(Reason reason, int to, Message message, Set<String> alertKeys) {

    Proposal {
        requireNonNull(reason, "reason");
        requireNonNull(message, "message");
        alertKeys = Set.copyOf(requireNonNull(alertKeys, "alertKeys"));
    }

    Proposal(Reason reason, int to, Supplier<String> message, Set<String> alertKeys) {
        this(reason, to, Message.lazy(message), alertKeys);
    }

    Proposal(Reason reason, int to, Supplier<String> message) {
        this(reason, to, Message.lazy(message), Set.of());
    }

    Proposal(Reason reason, int to, String message) {
        this(reason, to, Message.of(message), Set.of());
    }
}
