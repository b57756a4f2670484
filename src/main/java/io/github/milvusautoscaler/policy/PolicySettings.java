package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Everything the policy needs for one target, after inheritance from {@code defaults}: built
 * and validated once by the config loader, immutable afterwards.
 *
 * @param minReplicas the floor, >= 1
 * @param maxReplicas the ceiling, >= minReplicas
 * @param scaleOut    scale-out behaviour
 * @param scaleIn     scale-in behaviour
 * @param signals     enabled signals, in configuration order
 * @param alerts      alert-driven behaviour
 * @param fallback    behaviour when every signal is unknown
 */
public record PolicySettings(int minReplicas, int maxReplicas, ScaleOutSettings scaleOut, ScaleInSettings scaleIn,
                             List<SignalPolicy> signals, AlertSettings alerts, FallbackSettings fallback) {

    public PolicySettings {
        requireNonNull(scaleOut, "scaleOut");
        requireNonNull(scaleIn, "scaleIn");
        signals = List.copyOf(requireNonNull(signals, "signals"));
        requireNonNull(alerts, "alerts");
        requireNonNull(fallback, "fallback");
        if (minReplicas < 1 || maxReplicas < minReplicas) {
            throw new IllegalArgumentException("need 1 <= min-replicas (" + minReplicas + ") <= max-replicas ("
                    + maxReplicas + ")");
        }
    }

    /** The settings for one signal, or null when it is not configured. */
    public SignalPolicy signal(String name) {
        for (SignalPolicy s : signals) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }
}
