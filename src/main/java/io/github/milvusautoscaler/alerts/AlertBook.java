package io.github.milvusautoscaler.alerts;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.AlertRoute;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The firing alerts routed to each target, fed by webhooks and read by the engine every tick.
 *
 * <p>An alert is keyed by group key, fingerprint and start time: Alertmanager re-sends firing
 * alerts every {@code repeat_interval} and an HA pair sends each twice, and both must count once.
 * While an alert is held firing, a copy with the same fingerprint and another start time is the same
 * alert too: Alertmanager keeps the earliest start time when it merges two sends of one alert
 * (types.Alert.Merge), so a Prometheus HA pair's later-evaluating replica can move it. A resolved
 * message removes every alert with that fingerprint, and is remembered under its key even when this
 * daemon never saw the alert fire (a fail-over or restart): the key the daemon before it wrote on the
 * scaled object then leaves it, lifting the scale-in block. A copy of a firing message that arrives
 * more than {@link #LATE_COPY} after the alert's resolution is not a late twin but the alert firing
 * again (Alertmanager resolved it because Prometheus stopped re-sending it for a while, then it came
 * back with its first start time): it blocks scale-in again, without a second scale-out. An alert not
 * re-sent within {@code forgetAfter} is dropped, so a dead Alertmanager cannot block scale-in forever.
 *
 * <p>The book is bounded ({@link Caps}: entries and estimated bytes), because every entry comes
 * from the network: 78 posts of 3,900 distinct alerts once drove the JVM out of memory. A resolved
 * alert stays as a tombstone (so a late HA twin of its firing message is a duplicate, not a new
 * scale-out) and tombstones are the first to go, oldest first, when room is needed. A payload that
 * still does not fit changes nothing and is refused with {@link BookFullException}: 503 while the
 * book is full (room comes back as alerts resolve or expire), 413 when the payload alone holds more
 * new alerts than the whole cap. Every dropped or refused alert is reported to the
 * {@link DropListener} with its reason.
 */
public final class AlertBook {

    private static final Logger LOG = LoggerFactory.getLogger(AlertBook.class);

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

    /**
     * How much the book may hold (from {@code alerts.max-held} and {@code alerts.max-held-bytes}).
     *
     * @param maxAlerts entries held at once, firing and resolved together
     * @param maxBytes  their estimated size: 2 bytes per character of key, name and fingerprint plus
     *                  {@value #OVERHEAD} per entry (a 200-character group key makes an entry about 0.6 KB)
     */
    public record Caps(int maxAlerts, long maxBytes) {
        public Caps {
            if (maxAlerts < 1 || maxBytes < 1) {
                throw new IllegalArgumentException("alert caps must be >= 1");
            }
        }
    }

    /** Told how many alerts were dropped or refused, and why. */
    @FunctionalInterface
    public interface DropListener {
        /**
         * Reasons: {@code resolved_evicted}, {@code expired}, {@code refused_full}, {@code refused_too_many}, and
         * {@code truncated} (left out by Alertmanager's {@code max_alerts} before they arrived).
         */
        void dropped(String reason, int count);
    }

    /** A payload that does not fit: nothing of it was applied. */
    public static final class BookFullException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean payloadTooLarge;

        BookFullException(String message, boolean payloadTooLarge) {
            super(message, null, false, false);
            this.payloadTooLarge = payloadTooLarge;
        }

        /** True when the payload alone is larger than the cap (413); false when the book is full now (503). */
        public boolean payloadTooLarge() {
            return payloadTooLarge;
        }
    }

    /** Estimated bytes of one entry besides its strings (objects, map node, instants). */
    static final int OVERHEAD = 200;

    /**
     * How long after a resolution a copy of the alert's firing message is still a late twin: HA peers send
     * within seconds of each other, and a retried notification within Alertmanager's group_interval (1m in
     * deploy/alertmanager-receiver.yaml) plus its back-off.
     */
    static final Duration LATE_COPY = Duration.ofMinutes(5);

    private record Held(ActiveAlert alert, String fingerprint, Instant lastSeen, Instant resolvedAt, long bytes) {
        boolean resolved() {
            return resolvedAt != null;
        }
    }

    /** Swapped whole by a config reload ({@link #setRoutes}); read under the book's lock. */
    private List<AlertRoute> routes;
    /** When each group's truncation was last logged. */
    private final Map<String, Instant> truncationSaid = new HashMap<>();
    private static final Duration TRUNCATION_SAID_EVERY = Duration.ofMinutes(10);
    private final Duration forgetAfter;
    private final Caps caps;
    private final DropListener drops;
    private final Map<Target, Map<String, Held>> firing = new ConcurrentHashMap<>();
    /**
     * Per target, the keys its scaled object says were scaled out for ({@code handled-alerts}, at most 50), as the
     * engine last read them: a repeat of one after a fail-over is a duplicate, not a new alert (soak recheck 20, F3).
     */
    private final Map<Target, Set<String>> handledOnObject = new ConcurrentHashMap<>();
    private volatile Set<Target> targets = Set.of();
    /** Each install kind's component label, to tell apart two installs of one name ({@link #setTargets}). */
    private volatile Map<InstallKind, String> componentLabels = Map.of();
    private int heldCount;
    private long heldBytes;

    public AlertBook(List<AlertRoute> routes, Duration forgetAfter, Caps caps, DropListener drops) {
        this.routes = List.copyOf(requireNonNull(routes, "routes"));
        this.forgetAfter = requireNonNull(forgetAfter, "forgetAfter");
        this.caps = requireNonNull(caps, "caps");
        this.drops = requireNonNull(drops, "drops");
    }

    /**
     * The routes a config reload gives: the next payload is routed by them. Alerts already held keep the target and
     * action they were routed to, and their resolve finds them by fingerprint whatever the routes say now (reload
     * audit F2: routes waited for a restart while alerts.step applied at once; recheck NEW-1).
     */
    public synchronized void setRoutes(List<AlertRoute> routes) {
        this.routes = List.copyOf(requireNonNull(routes, "routes"));
    }

    /** The configured targets alerts may route to; called at start and on reload. */
    public synchronized void setTargets(Collection<Target> configured) {
        setTargets(configured, Map.of());
    }

    /**
     * As {@link #setTargets(Collection)}, with each install kind's component label ({@code label-schemes}): where a
     * Helm release and an operator Milvus share a namespace and name ({@link Target#nameShared}), an alert goes to the
     * install whose series carry the label its route reads (the chart's ServiceMonitor gives {@code component}, the
     * operator's PodMonitor {@code app_kubernetes_io_component}, which the shipped routes read in turn).
     */
    public synchronized void setTargets(Collection<Target> configured, Map<InstallKind, String> componentLabels) {
        targets = Set.copyOf(configured);
        this.componentLabels = Map.copyOf(componentLabels);
        // A reload that adds or removes a Helm or operator install of the same name renames the other's targets
        // (Target#nameShared): their held alerts move with them rather than being forgotten, which a re-sent alert
        // then met as new, and the scale-in block as one carried from before this daemon led (recheck 11, N2).
        for (Target old : List.copyOf(firing.keySet())) {
            if (!targets.contains(old)) {
                targets.stream().filter(t -> t.sameObject(old)).findFirst()
                        .ifPresent(renamed -> firing.merge(renamed, firing.remove(old), (a, b) -> {
                            Map<String, Held> both = new ConcurrentHashMap<>(a);
                            both.putAll(b);
                            return both;
                        }));
            }
        }
        firing.keySet().retainAll(targets);
        handledOnObject.keySet().retainAll(targets);
        recount();
    }

    /** What {@code target}'s scaled object says was scaled out for ({@code handled-alerts}), read this tick. */
    public synchronized void handledOnObject(Target target, Set<String> keys) {
        if (targets.contains(target)) {
            handledOnObject.put(target, Set.copyOf(keys));
        }
    }

    /** Entries held now (firing and resolved), for tests and status. */
    public synchronized int held() {
        return heldCount;
    }

    /** Estimated bytes held now. */
    public synchronized long heldBytes() {
        return heldBytes;
    }

    static long size(String key, String name, String fingerprint) {
        return 2L * (key.length() + name.length() + fingerprint.length()) + OVERHEAD;
    }

    private static String key(WebhookPayload payload, WebhookPayload.Alert a) {
        return payload.groupKey() + "|" + a.fingerprint() + "|" + a.startsAt();
    }

    /**
     * The alert a key names, fingerprint and start time, without the group it came in: the scaled object's
     * handled-alerts are matched by it, so a repeat of an alert scaled out for reaches a new leader as a duplicate
     * under another group key too (a route's group_by or matchers changed while it fired, or one Alertmanager of an
     * HA pair on another config), where it was owed a second scale-out one alerts.cooldown later (recheck 99, F1).
     * The group key may hold "|" itself (a matcher's "scale-out|block-scale-in"); the two fields after it do not.
     */
    static String alertOf(String key) {
        int last = key.lastIndexOf('|');
        int before = last <= 0 ? -1 : key.lastIndexOf('|', last - 1);
        return before < 0 ? key : key.substring(before + 1);
    }

    /**
     * Applies a payload; returns one outcome per alert and fills {@code touched} with targets that got a new alert.
     *
     * @throws BookFullException when its new alerts do not fit even after dropping resolved ones (nothing applied)
     */
    public synchronized List<Outcome> receive(WebhookPayload payload, Instant now, Set<Target> touched) {
        if (payload.truncatedAlerts() > 0) {
            // Lost before they arrived, whatever happens to the rest: Alertmanager never sends them for this state.
            drops.dropped("truncated", payload.truncatedAlerts());
            // Said once per group every 10 minutes: Alertmanager re-sends the group at each flush (audit-alerts L4).
            Instant said = truncationSaid.get(payload.groupKey());
            if (said == null || !now.isBefore(said.plus(TRUNCATION_SAID_EVERY))) {
                if (truncationSaid.size() >= 1000) {
                    truncationSaid.clear();
                }
                truncationSaid.put(payload.groupKey(), now);
                LOG.warn("Alertmanager left {} alert(s) of group {} out of its notification (the receiver's"
                        + " max_alerts); they never reach the autoscaler: raise max_alerts, or, if the group holds"
                        + " several targets, group by target as the shipped route does"
                        + " (deploy/alertmanager-receiver.yaml); said once per group every {}", payload.truncatedAlerts(),
                        payload.groupKey(), Durations.human(TRUNCATION_SAID_EVERY));
            }
        }
        sweep(now);
        makeRoom(payload);
        List<Outcome> out = new ArrayList<>();
        for (WebhookPayload.Alert a : payload.alerts()) {
            Routing routing = routing(a);
            if (!a.firing()) {
                out.add(resolve(payload, a, routing, now));
                continue;
            }
            if (routing.target() == null) {
                out.add(new Outcome(a.name(), Result.IGNORED, null, routing.ignored()));
                continue;
            }
            Target t = routing.target();
            AlertRoute r = routing.route();
            Map<String, Held> held = firing.computeIfAbsent(t, k -> new ConcurrentHashMap<>());
            String key = key(payload, a);
            Held previous = held.get(key);
            Optional<Map.Entry<String, Held>> same = previous == null ? heldFiring(held, a.fingerprint())
                    : Optional.empty();
            if (same.isPresent()) {
                Held h = same.get().getValue();
                held.put(same.get().getKey(), new Held(h.alert(), h.fingerprint(), now, null, h.bytes()));
                out.add(new Outcome(a.name(), Result.DUPLICATE, t.id(), "already acted on (start time moved to "
                        + a.startsAt() + ")"));
            } else if (previous == null) {
                long bytes = size(key, a.name(), a.fingerprint());
                ActiveAlert.AlertAction action = action(r, a);
                held.put(key, new Held(new ActiveAlert(key, a.name(), action, a.startsAt()), a.fingerprint(),
                        now, null, bytes));
                heldCount++;
                heldBytes += bytes;
                String alert = alertOf(key);
                if (handledOnObject.getOrDefault(t, Set.of()).stream().anyMatch(k -> alertOf(k).equals(alert))) {
                    // Held, as it still blocks scale-in, but already scaled out for (by the daemon before a
                    // fail-over, or by this one for an alert carried from the object): the repeat was answered
                    // "accepted ... scale-out" and counted so, though nothing scaled. Who made the scale-out the
                    // object does not say, so neither does the answer (recheck 27, R2).
                    out.add(new Outcome(a.name(), Result.DUPLICATE, t.id(), "already acted on (the scaled object's"
                            + " handled-alerts: a scale-out was made for it)"));
                    continue;
                }
                touched.add(t);
                out.add(new Outcome(a.name(), Result.ACCEPTED, t.id(), action == ActiveAlert.AlertAction.SCALE_OUT
                        ? "scale-out" : action != r.action() ? "block-scale-in (its " + ACTION_LABEL + " label)"
                        : "block-scale-in"));
            } else if (previous.resolved() && now.isAfter(previous.resolvedAt().plus(LATE_COPY))) {
                held.put(key, new Held(new ActiveAlert(key, a.name(), ActiveAlert.AlertAction.BLOCK_SCALE_IN,
                        a.startsAt()), a.fingerprint(), now, null, previous.bytes()));
                touched.add(t);
                out.add(new Outcome(a.name(), Result.ACCEPTED, t.id(), "fires again after its resolution;"
                        + " blocks scale-in, no second scale-out"));
            } else if (previous.resolved()) {
                // A late copy (HA twin, retry) of a firing message whose resolution came first.
                out.add(new Outcome(a.name(), Result.DUPLICATE, t.id(), "already resolved"));
            } else {
                held.put(key, new Held(previous.alert(), previous.fingerprint(), now, null, previous.bytes()));
                out.add(new Outcome(a.name(), Result.DUPLICATE, t.id(), "already acted on"));
            }
        }
        return out;
    }

    /**
     * A resolved alert: every alert held firing with its fingerprint stops, for whichever target it was routed to,
     * whatever the routes say now. Routed by the current routes alone, a resolve after a reload that changed them
     * matched no route and was ignored, and the alert blocked its target's scale-in until forget-after, 6h (reload
     * recheck NEW-1). Kept as a tombstone under its key, for the target the current routes name, until room is
     * needed.
     */
    private Outcome resolve(WebhookPayload payload, WebhookPayload.Alert a, Routing routing, Instant now) {
        List<Target> stopped = new ArrayList<>();
        firing.forEach((target, held) -> held.replaceAll((k, h) -> {
            if (h.resolved() || !h.fingerprint().equals(a.fingerprint())) {
                return h;
            }
            if (!stopped.contains(target)) {
                stopped.add(target);
            }
            return new Held(h.alert(), h.fingerprint(), now, now, h.bytes());
        }));
        Target t = routing.target();
        if (t != null) {
            Map<String, Held> held = firing.computeIfAbsent(t, k -> new ConcurrentHashMap<>());
            String key = key(payload, a);
            if (!held.containsKey(key)) {
                rememberResolve(held, key, a, routing.route(), now);
            }
        }
        if (!stopped.isEmpty() && !stopped.contains(t)) {
            return new Outcome(a.name(), Result.RESOLVED, stopped.get(0).id(), "held for it under the routes it came"
                    + " by; " + (t == null ? "the current routes match it to no target" : "the current routes name "
                    + t.id()));
        }
        return t == null ? new Outcome(a.name(), Result.IGNORED, null, routing.ignored())
                : new Outcome(a.name(), Result.RESOLVED, t.id(), "");
    }

    /** The entry of an alert with {@code fingerprint} held firing, if any. */
    private static Optional<Map.Entry<String, Held>> heldFiring(Map<String, Held> held, String fingerprint) {
        return held.entrySet().stream().filter(e -> !e.getValue().resolved()
                && e.getValue().fingerprint().equals(fingerprint)).findFirst();
    }

    /**
     * Keeps the resolve of an alert this daemon never saw fire as a tombstone under its key, if there is room
     * (an older tombstone may go for it; firing alerts never do): best effort, since only a daemon that took
     * over from one that scaled out for the alert needs it.
     */
    private void rememberResolve(Map<String, Held> held, String key, WebhookPayload.Alert a, AlertRoute r,
                                 Instant now) {
        long bytes = size(key, a.name(), a.fingerprint());
        while (heldCount + 1 > caps.maxAlerts() || heldBytes + bytes > caps.maxBytes()) {
            if (!evictOldestResolved()) {
                return;
            }
        }
        held.put(key, new Held(new ActiveAlert(key, a.name(), action(r, a), a.startsAt()), a.fingerprint(), now, now,
                bytes));
        heldCount++;
        heldBytes += bytes;
    }

    /** Drops the tombstone resolved longest ago; false when there is none. */
    private boolean evictOldestResolved() {
        Map<String, Held> in = null;
        Map.Entry<String, Held> oldest = null;
        for (Map<String, Held> m : firing.values()) {
            for (Map.Entry<String, Held> e : m.entrySet()) {
                if (e.getValue().resolved() && (oldest == null
                        || e.getValue().resolvedAt().isBefore(oldest.getValue().resolvedAt()))) {
                    oldest = e;
                    in = m;
                }
            }
        }
        if (oldest == null || !in.remove(oldest.getKey(), oldest.getValue())) {
            return false;
        }
        heldCount--;
        heldBytes -= oldest.getValue().bytes();
        drops.dropped("resolved_evicted", 1);
        return true;
    }

    /** Where an alert goes: a target and its route, or why it goes nowhere. */
    private record Routing(Target target, AlertRoute route, String ignored) {
    }

    /**
     * The label the shipped rules (deploy/prometheus-rules.yaml) and Alertmanager route
     * (deploy/alertmanager-receiver.yaml) say what an alert asks for with: {@code scale-out} or
     * {@code block-scale-in}.
     */
    static final String ACTION_LABEL = "autoscaler_action";

    /**
     * What a routed alert does: its route's action, except that an alert labelled
     * {@code autoscaler_action="block-scale-in"} only ever blocks. The shipped Alertmanager route forwards both
     * kinds, and a route that scales out on every alert (the default {@code match {}}) would otherwise add nodes for
     * an alert that asks only that none be removed. The label never turns a blocking route into a scale-out.
     */
    static ActiveAlert.AlertAction action(AlertRoute route, WebhookPayload.Alert alert) {
        return "block-scale-in".equals(alert.labels().get(ACTION_LABEL)) ? ActiveAlert.AlertAction.BLOCK_SCALE_IN
                : route.action();
    }

    /**
     * The first route whose matchers pass and whose namespace, name and component labels the alert carries; a route
     * whose labels it lacks is passed over, so the default's second route reads the operator's
     * {@code app_kubernetes_io_component} where an alert kept that label instead of the chart's {@code component}
     * (audit-alerts M2: the first route matched everything and ignored such an alert as "missing label component").
     * An alert passed over by a route that only blocks scale-in only blocks, whatever the route that takes it says.
     */
    private Routing routing(WebhookPayload.Alert a) {
        List<String> missing = new ArrayList<>();
        boolean blockOnly = false;
        for (int i = 0; i < routes.size(); i++) {
            AlertRoute route = routes.get(i);
            if (!route.matches(a.labels())) {
                continue;
            }
            String ns = a.labels().get(route.namespaceLabel());
            String name = a.labels().get(route.nameLabel());
            String comp = a.labels().get(route.componentLabel());
            if (ns == null || name == null || comp == null) {
                missing.add((ns == null ? route.namespaceLabel() : name == null ? route.nameLabel()
                        : route.componentLabel()) + (routes.size() == 1 ? "" : " (route " + (i + 1) + ")"));
                // An alert a blocking route was meant for never scales out by falling through to a later route.
                blockOnly |= route.action() == ActiveAlert.AlertAction.BLOCK_SCALE_IN;
                continue;
            }
            AlertRoute r = blockOnly && route.action() != ActiveAlert.AlertAction.BLOCK_SCALE_IN
                    ? new AlertRoute(route.match(), route.matchRe(), route.namespaceLabel(), route.nameLabel(),
                    route.componentLabel(), ActiveAlert.AlertAction.BLOCK_SCALE_IN) : route;
            Optional<Component> component = Component.fromName(comp);
            if (component.isEmpty()) {
                return new Routing(null, null, "label " + r.componentLabel() + "=\"" + comp + "\" names no component this"
                        + " autoscaler scales (" + Arrays.stream(Component.values()).map(Component::configName)
                        .collect(Collectors.joining(", ")) + "; coordinators never are)");
            }
            List<Target> named = targets.stream().filter(t -> t.namespace().equals(ns) && t.name().equals(name)
                    && t.component() == component.get()).toList();
            if (named.size() > 1) {
                String label = r.componentLabel();
                named = named.stream().filter(t -> label.equals(componentLabels.get(t.install()))).toList();
                if (named.size() != 1) {
                    return new Routing(null, null, "both a Helm and an operator install " + ns + "/" + name + " are"
                            + " configured, and label " + label + " does not tell which one it came from"
                            + (componentLabels.isEmpty() ? "" : " (label-schemes: the Helm install's component label is "
                            + componentLabels.get(InstallKind.HELM) + ", the operator's "
                            + componentLabels.get(InstallKind.OPERATOR) + ")"));
                }
            }
            Optional<Target> target = named.stream().findFirst();
            if (target.isEmpty()) {
                return new Routing(null, null, "no configured target " + ns + "/" + name + "/" + component.get()
                        + " (read from labels " + r.namespaceLabel() + ", " + r.nameLabel() + ", " + r.componentLabel()
                        + ")");
            }
            return new Routing(target.get(), r, "");
        }
        return new Routing(null, null, missing.isEmpty() ? "no route matches its labels"
                : "missing label " + String.join(", ", missing));
    }

    /**
     * Drops resolved entries, oldest resolution first, until the payload's new alerts fit; refuses the
     * payload (nothing dropped) when they cannot fit.
     */
    private void makeRoom(WebhookPayload payload) {
        Set<String> fresh = new java.util.HashSet<>();
        long freshBytes = 0;
        for (WebhookPayload.Alert a : payload.alerts()) {
            String key = key(payload, a);
            if (!a.firing()) {
                continue;
            }
            Target t = routing(a).target();
            Map<String, Held> held = t == null ? Map.of() : firing.getOrDefault(t, Map.of());
            if (t != null && !held.containsKey(key) && heldFiring(held, a.fingerprint()).isEmpty() && fresh.add(key)) {
                freshBytes += size(key, a.name(), a.fingerprint());
            }
        }
        if (fresh.size() > caps.maxAlerts() || freshBytes > caps.maxBytes()) {
            drops.dropped("refused_too_many", fresh.size());
            throw new BookFullException("payload holds " + fresh.size() + " new alerts (~" + freshBytes
                    + " bytes), more than the whole book may hold (alerts.max-held = " + caps.maxAlerts()
                    + ", alerts.max-held-bytes = " + caps.maxBytes() + ")", true);
        }
        if (heldCount + fresh.size() <= caps.maxAlerts() && heldBytes + freshBytes <= caps.maxBytes()) {
            return;
        }
        List<Map.Entry<String, Held>> resolved = new ArrayList<>();
        long resolvedCount = 0;
        long resolvedBytes = 0;
        for (Map<String, Held> m : firing.values()) {
            for (Map.Entry<String, Held> e : m.entrySet()) {
                if (e.getValue().resolved()) {
                    resolved.add(e);
                    resolvedCount++;
                    resolvedBytes += e.getValue().bytes();
                }
            }
        }
        if (heldCount - resolvedCount + fresh.size() > caps.maxAlerts()
                || heldBytes - resolvedBytes + freshBytes > caps.maxBytes()) {
            drops.dropped("refused_full", fresh.size());
            throw new BookFullException("alert book full: " + (heldCount - resolvedCount) + " alerts firing (~"
                    + (heldBytes - resolvedBytes) + " bytes), no room for " + fresh.size()
                    + " new (alerts.max-held = " + caps.maxAlerts() + ", alerts.max-held-bytes = " + caps.maxBytes()
                    + ")", false);
        }
        resolved.sort((x, y) -> x.getValue().resolvedAt().compareTo(y.getValue().resolvedAt()));
        int evicted = 0;
        for (Map.Entry<String, Held> e : resolved) {
            if (heldCount + fresh.size() <= caps.maxAlerts() && heldBytes + freshBytes <= caps.maxBytes()) {
                break;
            }
            for (Map<String, Held> m : firing.values()) {
                if (m.remove(e.getKey(), e.getValue())) {
                    heldCount--;
                    heldBytes -= e.getValue().bytes();
                    evicted++;
                }
            }
        }
        drops.dropped("resolved_evicted", evicted);
    }

    /** Drops entries not re-sent within forgetAfter. */
    private void sweep(Instant now) {
        int before = heldCount;
        for (Map<String, Held> held : firing.values()) {
            held.values().removeIf(h -> !now.isBefore(h.lastSeen().plus(forgetAfter)));
        }
        recount();
        int expired = before - heldCount;
        if (expired > 0) {
            drops.dropped("expired", expired);
        }
    }

    private void recount() {
        int n = 0;
        long b = 0;
        for (Map<String, Held> held : firing.values()) {
            for (Held h : held.values()) {
                n++;
                b += h.bytes();
            }
        }
        heldCount = n;
        heldBytes = b;
    }

    /** The alerts firing for {@code target} at {@code now}, oldest first. */
    public synchronized List<ActiveAlert> firing(Target target, Instant now) {
        Map<String, Held> held = firing.get(target);
        if (held == null) {
            return List.of();
        }
        int before = held.size();
        held.values().removeIf(h -> !now.isBefore(h.lastSeen().plus(forgetAfter)));
        if (held.size() != before) {
            recount();
            drops.dropped("expired", before - held.size());
        }
        List<ActiveAlert> out = new ArrayList<>();
        held.values().stream().filter(h -> !h.resolved())
                .sorted((x, y) -> x.alert().startsAt().compareTo(y.alert().startsAt()))
                .forEach(h -> out.add(h.alert()));
        return out;
    }

    /** Keys of {@code target}'s alerts seen resolved and still remembered (tombstones). */
    public synchronized Set<String> resolved(Target target) {
        Map<String, Held> held = firing.get(target);
        if (held == null) {
            return Set.of();
        }
        Set<String> out = new java.util.HashSet<>();
        held.values().stream().filter(Held::resolved).forEach(h -> out.add(h.alert().key()));
        return out;
    }

    /** Names of alerts firing per target id, for status and metrics. */
    public synchronized Map<String, Set<String>> names(Instant now) {
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
