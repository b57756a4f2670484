package io.github.milvusautoscaler.alerts;

import io.github.milvusautoscaler.core.AlertRoute;
import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The firing alerts routed to each target, fed by webhooks and read by the engine every tick.
 *
 * <p>An alert is keyed by group key, fingerprint and start time: Alertmanager re-sends firing
 * alerts every {@code repeat_interval} and an HA pair sends each twice, and both must count once.
 * A resolved message removes every alert with that fingerprint. An alert not re-sent within
 * {@code forgetAfter} is dropped, so a dead Alertmanager cannot block scale-in forever.
 */
public final class AlertBook {

    /** What happened to one alert of a payload. */
    public enum Result {
        ACCEPTED,
        DUPLICATE,
        RESOLVED,
        IGNORED
    }

    /** The outcome of one alert, with the reason when ignored. */
    public record Outcome(String alert, Result result, String target, String reason) {
    }

    private record Held(ActiveAlert alert, String fingerprint, Instant lastSeen) {
    }

    private final List<AlertRoute> routes;
    private final Duration forgetAfter;
    private final Map<Target, Map<String, Held>> firing = new ConcurrentHashMap<>();
    private volatile Set<Target> targets = Set.of();

    public AlertBook(List<AlertRoute> routes, Duration forgetAfter) {
        this.routes = List.copyOf(requireNonNull(routes, "routes"));
        this.forgetAfter = requireNonNull(forgetAfter, "forgetAfter");
    }

    /** The configured targets alerts may route to; called at start and on reload. */
    public void setTargets(Collection<Target> configured) {
        targets = Set.copyOf(configured);
        firing.keySet().retainAll(targets);
    }

    /** Applies a payload; returns one outcome per alert and fills {@code touched} with targets that got a new alert. */
    public List<Outcome> receive(WebhookPayload payload, Instant now, Set<Target> touched) {
        List<Outcome> out = new ArrayList<>();
        for (WebhookPayload.Alert a : payload.alerts()) {
            Optional<AlertRoute> route = routes.stream().filter(r -> r.matches(a.labels())).findFirst();
            if (route.isEmpty()) {
                out.add(new Outcome(a.name(), Result.IGNORED, null, "no route matches its labels"));
                continue;
            }
            AlertRoute r = route.get();
            String ns = a.labels().get(r.namespaceLabel());
            String name = a.labels().get(r.nameLabel());
            String comp = a.labels().get(r.componentLabel());
            if (ns == null || name == null || comp == null) {
                out.add(new Outcome(a.name(), Result.IGNORED, null, "missing label "
                        + (ns == null ? r.namespaceLabel() : name == null ? r.nameLabel() : r.componentLabel())));
                continue;
            }
            Optional<Component> component = Component.fromName(comp);
            Optional<Target> target = component.flatMap(c -> targets.stream()
                    .filter(t -> t.namespace().equals(ns) && t.name().equals(name) && t.component() == c).findFirst());
            if (target.isEmpty()) {
                out.add(new Outcome(a.name(), Result.IGNORED, null, "no configured target " + ns + "/" + name + "/" + comp));
                continue;
            }
            Target t = target.get();
            Map<String, Held> held = firing.computeIfAbsent(t, k -> new ConcurrentHashMap<>());
            if (a.firing()) {
                String key = payload.groupKey() + "|" + a.fingerprint() + "|" + a.startsAt();
                Held previous = held.put(key, new Held(new ActiveAlert(key, a.name(), r.action(), a.startsAt()),
                        a.fingerprint(), now));
                if (previous == null) {
                    touched.add(t);
                    out.add(new Outcome(a.name(), Result.ACCEPTED, t.id(), ""));
                } else {
                    out.add(new Outcome(a.name(), Result.DUPLICATE, t.id(), "already acted on"));
                }
            } else {
                held.values().removeIf(h -> h.fingerprint().equals(a.fingerprint()));
                out.add(new Outcome(a.name(), Result.RESOLVED, t.id(), ""));
            }
        }
        return out;
    }

    /** The alerts firing for {@code target} at {@code now}, oldest first. */
    public List<ActiveAlert> firing(Target target, Instant now) {
        Map<String, Held> held = firing.get(target);
        if (held == null) {
            return List.of();
        }
        held.values().removeIf(h -> !now.isBefore(h.lastSeen().plus(forgetAfter)));
        List<ActiveAlert> out = new ArrayList<>();
        held.values().stream().sorted((x, y) -> x.alert().startsAt().compareTo(y.alert().startsAt()))
                .forEach(h -> out.add(h.alert()));
        return out;
    }

    /** Names of alerts firing per target id, for status and metrics. */
    public Map<String, Set<String>> names(Instant now) {
        Map<String, Set<String>> out = new java.util.TreeMap<>();
        for (Target t : firing.keySet()) {
            Set<String> n = new LinkedHashSet<>();
            firing(t, now).forEach(a -> n.add(a.name()));
            if (!n.isEmpty()) {
                out.put(t.id(), n);
            }
        }
        return out;
    }
}
