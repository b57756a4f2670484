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
 * @param forecast    pre-scaling on the seasonal forecast ({@link ForecastSettings#OFF}: none)
 * @param scheduled   fixed floors by local time ({@code scheduled}); empty: none
 */
public record PolicySettings(int minReplicas, int maxReplicas, ScaleOutSettings scaleOut, ScaleInSettings scaleIn,
                             List<SignalPolicy> signals, AlertSettings alerts, FallbackSettings fallback,
                             ForecastSettings forecast, List<ScheduledFloor> scheduled) {

    public PolicySettings {
        requireNonNull(scaleOut, "scaleOut");
        requireNonNull(scaleIn, "scaleIn");
        signals = List.copyOf(requireNonNull(signals, "signals"));
        requireNonNull(alerts, "alerts");
        requireNonNull(fallback, "fallback");
        requireNonNull(forecast, "forecast");
        scheduled = List.copyOf(requireNonNull(scheduled, "scheduled"));
        if (minReplicas < 1 || maxReplicas < minReplicas) {
            throw new IllegalArgumentException("need 1 <= min-replicas (" + minReplicas + ") <= max-replicas ("
                    + maxReplicas + ")");
        }
    }

    /** Settings without forecast and without scheduled floors. */
    public PolicySettings(int minReplicas, int maxReplicas, ScaleOutSettings scaleOut, ScaleInSettings scaleIn,
                          List<SignalPolicy> signals, AlertSettings alerts, FallbackSettings fallback) {
        this(minReplicas, maxReplicas, scaleOut, scaleIn, signals, alerts, fallback, ForecastSettings.OFF, List.of());
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
