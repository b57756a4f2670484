package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Reason;
import java.util.Set;

/**
 * What a stage settles on: a reason, the replica count it leads to, the sentence that explains
 * it with the numbers, and the alert keys it consumed (so each alert acts once).
 */
record Proposal(Reason reason, int to, String message, Set<String> alertKeys) {

    Proposal {
        requireNonNull(reason, "reason");
        requireNonNull(message, "message");
        alertKeys = Set.copyOf(requireNonNull(alertKeys, "alertKeys"));
    }

    Proposal(Reason reason, int to, String message) {
        this(reason, to, message, Set.of());
    }
}
