package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the metrics side knows about one target at one tick.
 *
 * @param target  the target observed
 * @param at      the evaluation time the queries used
 * @param signals by signal name, in configuration order; every configured signal is present,
 *                known or not
 * @param settle  whether data movement from the last step-down has finished
 * @param health  the health query's verdict, for step-down verification
 * @param alerts  firing alerts routed to this target (empty when none)
 * @param forecast the seasonal forecast of its load ({@link Forecast#NONE} when there is none)
 * @param settleNote what the settle query read, for a person: {@code "settle query reads 2"}, or why it is
 *                UNKNOWN ({@code "settle query: empty result"}); empty when there is no settle query. Why: a hold
 *                that said only "data movement busy" or "unknown" left the SRE to rerun the query to learn how much
 *                still moves or which read failed (settle recheck L2, N2)
 * @param replicaFloor the fewest replicas the loaded in-memory replicas need ({@link ReplicaFloor#NONE} without a
 *                replica-floor query)
 */
public record Observation(Target target, Instant at, Map<String, Signal> signals, Settle settle, Health health,
                          List<ActiveAlert> alerts, Forecast forecast, String settleNote, ReplicaFloor replicaFloor) {

    public Observation {
        requireNonNull(target, "target");
        requireNonNull(at, "at");
        signals = SignalMap.copyOf(requireNonNull(signals, "signals"));
        requireNonNull(settle, "settle");
        requireNonNull(health, "health");
        alerts = List.copyOf(requireNonNull(alerts, "alerts"));
        requireNonNull(forecast, "forecast");
        requireNonNull(settleNote, "settleNote");
        requireNonNull(replicaFloor, "replicaFloor");
    }

    /** An observation with no replica floor. */
    public Observation(Target target, Instant at, Map<String, Signal> signals, Settle settle, Health health,
                       List<ActiveAlert> alerts, Forecast forecast, String settleNote) {
        this(target, at, signals, settle, health, alerts, forecast, settleNote, ReplicaFloor.NONE);
    }

    /** An observation with a forecast and no settle note. */
    public Observation(Target target, Instant at, Map<String, Signal> signals, Settle settle, Health health,
                       List<ActiveAlert> alerts, Forecast forecast) {
        this(target, at, signals, settle, health, alerts, forecast, "");
    }

    /** An observation without a forecast, as the metrics side reads it. */
    public Observation(Target target, Instant at, Map<String, Signal> signals, Settle settle, Health health,
                       List<ActiveAlert> alerts) {
        this(target, at, signals, settle, health, alerts, Forecast.NONE, "");
    }

    /** A copy with the given forecast, which the engine adds from the target's load history. */
    public Observation withForecast(Forecast next) {
        return next.equals(forecast) ? this : new Observation(target, at, signals, settle, health, alerts, next, settleNote,
                replicaFloor);
    }

    /** A copy with the given alerts, which the engine merges in from the webhook side. */
    public Observation withAlerts(List<ActiveAlert> firing) {
        if (firing.isEmpty() && alerts.isEmpty()) {
            return this;
        }
        return new Observation(target, at, signals, settle, health, firing, forecast, settleNote, replicaFloor);
    }
}
