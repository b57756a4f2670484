package io.github.milvusautoscaler.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.SignalReading;
import io.github.milvusautoscaler.engine.DecisionJson;
import io.github.milvusautoscaler.engine.TargetView;
import io.github.milvusautoscaler.policy.SignalPolicy;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;

/**
 * The {@code /api/v1/status} document: per target, install kind, replicas, every signal with
 * value, state and thresholds, the last decision, time left on cooldowns and settle waits,
 * pause, and whether this daemon leads. Unknown values are JSON null, never 0. Each signal carries its
 * seasonal forecast beside its value: {@code forecast} (the highest load forecast within
 * {@code forecast.lead}, per current replica: 4.0 nodes of cpu load on 5 replicas is 0.80),
 * {@code forecastLoad} and {@code forecastHorizonLoad} (within {@code forecast.horizon}), {@code forecastBasis} (how it
 * was found, and the request it was put in) and {@code forecastUnitPerPod} (cpu: the CPU request, in cores, its load
 * counts nodes of); null without one, and then {@code forecastUnknown} says why.
 */
public final class StatusJson {

    private StatusJson() {
    }

    public static JsonObject render(Collection<TargetView> views, boolean leader, boolean dryRun, Instant now) {
        JsonObject root = new JsonObject();
        root.addProperty("time", DateTimeFormatter.ISO_INSTANT.format(now));
        root.addProperty("role", leader ? "leader" : "follower");
        root.addProperty("dryRun", dryRun);
        JsonArray targets = new JsonArray();
        views.stream().sorted(Comparator.comparing(v -> v.target().id())).forEach(v -> targets.add(target(v, now)));
        root.add("targets", targets);
        return root;
    }

    private static JsonObject target(TargetView v, Instant now) {
        JsonObject o = new JsonObject();
        o.addProperty("target", v.target().id());
        o.addProperty("namespace", v.target().namespace());
        o.addProperty("name", v.target().name());
        o.addProperty("component", v.target().component().configName());
        o.addProperty("install", v.target().install().name().toLowerCase(Locale.ROOT));
        o.addProperty("role", v.leader() ? "leader" : "follower");
        JsonObject replicas = new JsonObject();
        replicas.add("current", v.status() == null ? JsonNull.INSTANCE : new JsonPrimitive(v.status().current()));
        replicas.add("ready", v.status() == null ? JsonNull.INSTANCE : new JsonPrimitive(v.status().ready()));
        replicas.add("desired", v.decision() == null || v.decision().to() == null ? JsonNull.INSTANCE
                : new JsonPrimitive(v.decision().to()));
        replicas.addProperty("min", v.settings().minReplicas());
        replicas.addProperty("max", v.settings().maxReplicas());
        o.add("replicas", replicas);
        // The scheduled floor in force now, whatever the last decision was: with Prometheus away every tick read
        // ALL_SIGNALS_UNKNOWN at 5 replicas of [2-10], and nothing said a floor held them (recheck 101, F2). Null
        // while no window is on.
        var floorNow = io.github.milvusautoscaler.policy.ScheduledFloor.inForce(v.settings().scheduled(), now);
        if (floorNow.isPresent()) {
            JsonObject f = new JsonObject();
            f.addProperty("replicas", floorNow.get().replicasUnder(v.settings().maxReplicas()));
            f.addProperty("windows", floorNow.get().windowsSaid());
            f.addProperty("until", DateTimeFormatter.ISO_INSTANT.format(floorNow.get().until()));
            f.addProperty("untilLocal", floorNow.get().untilSaid());
            o.add("scheduledFloor", f);
        } else {
            o.add("scheduledFloor", JsonNull.INSTANCE);
        }
        // Who the object records as the count's writer (its managedFields): "helm (Apply at ...)" names the applier
        // whose next apply conflicts once milvus-autoscaler has scaled; null when the object records none.
        o.addProperty("countSetBy", v.status() == null ? null
                : v.status().countWriter().map(io.github.milvusautoscaler.core.CountWriter::said).orElse(null));
        o.addProperty("paused", v.status() != null && v.status().paused());
        if (v.status() != null && !v.status().pausedBy().isEmpty()) {
            o.addProperty("pausedBy", v.status().pausedBy());
        }
        o.addProperty("rollout", v.status() != null && v.status().rollout());
        // A rollout that will not end by itself: scale-out acts, step-downs hold (ROLLOUT_STALLED); null when none.
        o.addProperty("rolloutStalled", v.status() == null ? null : v.status().rolloutStalled().orElse(null));
        // Since when the rollout reads as it does now (null: none), and whether that is 10m or more, as the log's WARN
        // says: a hand-over that will not end is not stalled in Kubernetes' words, and only the log said it.
        o.addProperty("rolloutReadsSameSince", v.rolloutReadsSameSince() == null ? null
                : DateTimeFormatter.ISO_INSTANT.format(v.rolloutReadsSameSince()));
        o.addProperty("rolloutUnmoved", v.rolloutUnmoved(now));
        JsonArray signals = new JsonArray();
        for (SignalPolicy band : v.settings().signals()) {
            JsonObject s = new JsonObject();
            s.addProperty("name", band.name());
            Signal seen = v.observation() == null ? null : v.observation().signals().get(band.name());
            SignalReading reading = v.decision() == null ? null : v.decision().signals().get(band.name());
            s.add("value", reading != null && reading.value().isPresent()
                    ? new JsonPrimitive(reading.value().getAsDouble()) : JsonNull.INSTANCE);
            // NOT_APPLICABLE: the pods declare none of what the signal is a fraction of; it is left out, not waited for.
            s.addProperty("state", seen != null && !seen.applicable() ? "NOT_APPLICABLE"
                    : reading == null ? "UNKNOWN" : reading.state().name());
            s.addProperty("scaleOutAbove", band.scaleOutAbove());
            // The level the policy reads HIGH above this tick: forecast.line x scale-out-above with a trusted
            // forecast, so a value between the two reading IN_BAND explains itself.
            s.addProperty("line", v.observation() == null ? band.scaleOutAbove()
                    : v.settings().forecast().lineFor(band, v.observation().forecast()));
            s.addProperty("scaleInBelow", band.scaleInBelow());
            s.addProperty("target", band.target());
            s.addProperty("podsReporting", seen == null ? 0 : seen.podsReporting());
            // The ready count the query divided a value per ready replica by, kube-state-metrics' (null for any other
            // signal): where it is not replicas.ready, value is the query's x it / replicas.ready, and nothing said so
            // (recheck 100, F1: 150 shown where the query read 100).
            s.addProperty("queryReadyCount", seen == null || seen.readyDividedBy() == 0 ? null : seen.readyDividedBy());
            // The pod with the highest value behind a per-pod average ({"pod", "value"}); null for cluster values. A
            // memory limit is per container: one node near it hides in an average in band (recheck 65, F2).
            // Only beside a value the policy read: next to an UNKNOWN it would read as a live reading (recheck 66).
            java.util.Optional<Signal.PodValue> hottest = seen == null || reading == null || reading.value().isEmpty()
                    ? java.util.Optional.empty() : seen.hottest();
            if (hottest.isPresent()) {
                JsonObject pod = new JsonObject();
                pod.addProperty("pod", hottest.get().pod());
                pod.addProperty("value", hottest.get().value());
                s.add("fullestPod", pod);
            } else {
                s.add("fullestPod", JsonNull.INSTANCE);
            }
            // A known value the policy reads as UNKNOWN because it is not of the ready replicas (fewer or more pods
            // report it, or it was divided by another ready count) has no problem of its own: say that one, where the
            // status showed UNKNOWN with an empty reason just after a scale-out (recheck 24, F3).
            // No observation is read on a tick whose object read failed: "not observed yet" read as a new target's
            // while the signal had been read for 9 minutes (recheck 102, R3).
            s.addProperty("problem", seen == null ? (v.problem() == null || v.problem().isEmpty() ? "not observed yet"
                    : "not read this tick: the target's object could not be read (its problem says why)")
                    : v.status() == null
                    || (reading != null && reading.state() != io.github.milvusautoscaler.core.SignalState.UNKNOWN)
                    ? seen.problem() : seen.notOfReady(v.status().ready()).orElse(seen.problem()));
            // The seasonal forecast next to the value, in the value's unit on the current replicas (load / replicas),
            // and as load; null when the signal has no forecast (too little history, no season, forecasting off).
            java.util.OptionalDouble lead = v.observation() == null ? java.util.OptionalDouble.empty()
                    : v.observation().forecast().leadPeak(band.name());
            java.util.OptionalDouble horizon = v.observation() == null ? java.util.OptionalDouble.empty()
                    : v.observation().forecast().horizonPeak(band.name());
            int perReplicas = v.status() == null ? 1 : Math.max(1, v.status().current());
            s.add("forecast", lead.isPresent() ? new JsonPrimitive(lead.getAsDouble() / perReplicas) : JsonNull.INSTANCE);
            s.add("forecastLoad", lead.isPresent() ? new JsonPrimitive(lead.getAsDouble()) : JsonNull.INSTANCE);
            s.add("forecastHorizonLoad", horizon.isPresent() ? new JsonPrimitive(horizon.getAsDouble()) : JsonNull.INSTANCE);
            // How the lead's number was found, with the request it was put in: a forecast read across a CPU request
            // change is converted (x 2.00 for the serving pods' 1 core), and status showed the converted number with
            // no word of it, only the decision messages did (rechecks 83 and 85, R3). Null without a forecast.
            String basis = v.observation() == null ? "" : v.observation().forecast().leadBasis(band.name());
            s.add("forecastBasis", lead.isPresent() && !basis.isEmpty() ? new JsonPrimitive(basis) : JsonNull.INSTANCE);
            // The amount per pod the forecast load counts nodes of (cpu: the CPU request in cores); null where the
            // signal has none (qps) or it was never read.
            java.util.OptionalDouble unit = v.observation() == null ? java.util.OptionalDouble.empty()
                    : v.observation().forecast().history().unit(band.name());
            s.add("forecastUnitPerPod", lead.isPresent() && unit.isPresent() ? new JsonPrimitive(unit.getAsDouble())
                    : JsonNull.INSTANCE);
            // Why the forecast is null, in the words `signals` prints ("its history reaches back 30h, less than
            // forecast.min-history (2d)"): a bare null read as "no forecast needed" (backtest recheck F6). Null with a
            // forecast, with forecasting off, and for a signal left out or never forecast (no load to forecast).
            java.util.Optional<String> why = seen != null && !seen.applicable() ? java.util.Optional.empty()
                    : v.forecastUnknown(band.name(), now);
            s.add("forecastUnknown", why.isPresent() ? new JsonPrimitive(why.get()) : JsonNull.INSTANCE);
            signals.add(s);
        }
        o.add("signals", signals);
        if (v.observation() != null) {
            o.addProperty("settle", v.observation().settle().name());
            o.addProperty("settleNote", v.observation().settleNote());
            o.addProperty("health", v.observation().health().name());
            // The fewest replicas a step-down may leave (queryNode: what its loaded in-memory replicas need); null
            // with no replica-floor query, or while it cannot be read (replicaFloorNote says why).
            io.github.milvusautoscaler.core.ReplicaFloor floor = v.observation().replicaFloor();
            o.add("replicaFloor", floor.known() && !floor.note().isEmpty() ? new JsonPrimitive(floor.nodes())
                    : JsonNull.INSTANCE);
            o.addProperty("replicaFloorNote", floor.note());
            JsonArray alerts = new JsonArray();
            v.observation().alerts().forEach(a -> alerts.add(a.name()));
            o.add("alerts", alerts);
            // Where the load history the forecast and recent peaks come from ends: a read that keeps failing keeps
            // the one before, whose forecast looked as fresh as any (forecast audit F2). Null: no history.
            LoadHistory history = v.observation().forecast().history();
            o.addProperty("historyEnd", history == LoadHistory.NONE ? null : history.end().toString());
        }
        o.add("lastDecision", v.decision() == null ? JsonNull.INSTANCE : DecisionJson.toJson(v.decision()));
        JsonObject waits = new JsonObject();
        waits.addProperty("scaleOutCooldownSeconds", v.scaleOutCooldownLeft(now).toSeconds());
        waits.addProperty("scaleInCooldownSeconds", v.scaleInCooldownLeft(now).toSeconds());
        waits.addProperty("scaleInWait", v.scaleInWaitName(now));
        waits.addProperty("settleTimeoutSeconds", v.settleTimeLeft(now).toSeconds());
        // The sustain the last decision waits out, named; null while it waits out none.
        var sustain = v.sustainLeft(now);
        waits.add("sustainWait", sustain.isPresent() ? new JsonPrimitive(sustain.get().getKey()) : JsonNull.INSTANCE);
        waits.add("sustainSeconds", sustain.isPresent() ? new JsonPrimitive(sustain.get().getValue().toSeconds())
                : JsonNull.INSTANCE);
        o.add("waits", waits);
        o.addProperty("problem", v.problem());
        o.addProperty("tickMillis", v.tickDuration().toMillis());
        return o;
    }
}
