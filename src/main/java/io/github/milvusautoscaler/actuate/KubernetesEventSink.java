package io.github.milvusautoscaler.actuate;

import io.github.milvusautoscaler.core.KubernetesSettings;
import io.github.milvusautoscaler.core.LeaderGate;
import static java.util.Objects.requireNonNull;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.DecisionReason;
import io.github.milvusautoscaler.core.DecisionSink;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Repeats;
import io.github.milvusautoscaler.core.Target;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1EventSource;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the story on the scaled object as core/v1 Events, so {@code kubectl describe milvus
 * my-release} (or the Helm Deployment) shows why replicas changed:
 * <ul>
 *   <li>{@code ScaledOut} / {@code ScaledIn} (Normal) for every scale decision written
 *       ({@link Decision#written()}), once, also when the write was recognised after a lost answer;</li>
 *   <li>{@code ScaleBlocked} (Normal; Warning for {@code SETTLE_TIMEOUT}) for a HOLD whose
 *       {@link Reason#blocksAction()} is true, only when the blocking reason changes, so a 15 s loop held by a
 *       cooldown makes one Event, not 40;</li>
 *   <li>{@code ScaleBlocked} (Warning) when the daemon starts standing back from another writer of the count
 *       ({@link #standingBack}): a TARGET_UNAVAILABLE that is no read failure, told once for the stand-back, where the
 *       owner of that other writer (an Argo CD application, a pipeline) looks, on the object they both write;</li>
 *   <li>{@code ScaleFailed} (Warning) from {@link #recordWriteFailure}.</li>
 * </ul>
 * The message is the decision's message. core/v1 Events are used rather than events.k8s.io/v1
 * because both are the same objects on the server, every kubectl version shows them, and the
 * RBAC rule is the familiar {@code events: create}.
 *
 * <p>Only the leader emits, never for dry-run decisions (dry-run writes nothing to the cluster),
 * and only when {@code kubernetes.events} is on. Each Event is one attempt within a tick: a failure is
 * logged, never thrown, so Events cannot slow or break a tick. One the API server could not take (a 5xx, a timeout)
 * is sent again, the same object, when the next decision of its target is recorded, up to
 * {@value #MAX_ATTEMPTS} attempts, as client-go's recorder tries an Event again rather than once: a pause's one
 * {@code ScaleBlocked} Event was lost to a single 500 (recheck 42, R3). A 409 on such a retry is the earlier attempt
 * having landed after all (the name is the Event's own), so none is told twice.
 *
 * <p>Order the engine follows for a scale: {@code apply}; on success {@code record(decision)}; on
 * failure {@code recordWriteFailure(decision, e)} first, after which {@code record} of the same
 * decision emits nothing more.
 */
public final class KubernetesEventSink implements DecisionSink {

    /** Event reasons, as {@code kubectl get events --field-selector reason=ScaledOut} selects them. */
    public static final String SCALED_OUT = "ScaledOut";
    public static final String SCALED_IN = "ScaledIn";
    public static final String SCALE_BLOCKED = "ScaleBlocked";
    public static final String SCALE_FAILED = "ScaleFailed";
    /** {@code source.component} and {@code reportingComponent} of every Event. */
    public static final String COMPONENT = "milvus-autoscaler";
    /** The API server rejects longer Event messages. */
    static final int MAX_MESSAGE = 1024;
    /** Attempts at one Event, one per tick: the first and two more. */
    static final int MAX_ATTEMPTS = 3;
    /** Events kept to send again per target; an older one is dropped past this (a long outage). */
    private static final int MAX_PENDING = 4;

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesEventSink.class);

    private final KubernetesRequests requests;
    private final boolean enabled;
    private final ScaledObjects scaledObjects;
    private final LeaderGate gate;
    private final Clock clock;
    private final String instance;
    /** The block last told (or decided, on a follower) per target, as {@link #told} keys it. */
    private final Map<Target, String> lastBlocked = new ConcurrentHashMap<>();
    private static final java.util.regex.Pattern HOLDING_AT = java.util.regex.Pattern.compile("; holding at \\d+( \\(\\d+ ready\\))?$");
    private final Map<Target, Decision> failed = new ConcurrentHashMap<>();
    /**
     * The last ScaleFailed told per target, by its counts and failure kind, and when: the same failure is told again
     * only {@link #FAILURE_TOLD_AGAIN} later. A write refused with 429 made a new Event every tick, 9 in 44 s, more
     * calls to a server asking this client to back off (recheck 103, F1).
     */
    private final Repeats failureTold = new Repeats(FAILURE_TOLD_AGAIN);
    /**
     * client-go's EventCorrelator folds events that differ only in message over the same interval
     * (tools/record/events_cache.go, defaultAggregateIntervalInSeconds = 600).
     */
    static final java.time.Duration FAILURE_TOLD_AGAIN = java.time.Duration.ofMinutes(10);
    /** Targets whose decision about to be recorded is a stand-back ({@link #standingBack}); taken by that record. */
    private final java.util.Set<Target> standingBack = ConcurrentHashMap.newKeySet();
    /** What {@link #lastBlocked} keeps for a stand-back: one however its message's figures change. */
    private static final String STANDING_BACK = "standing back from another writer of the count";
    private final AtomicLong sequence = new AtomicLong();
    private final Map<Target, java.util.Deque<Pending>> pending = new ConcurrentHashMap<>();

    /** An Event the API server could not take, to send again: its body as built, and the attempts made. */
    private record Pending(String reason, JsonObject body, String kind, String name, int attempts) {
    }

    /** Drops what is kept for a target a reload removed, so one added again gets its first ScaleBlocked Event. */
    public void forget(Target target) {
        lastBlocked.remove(target);
        standingBack.remove(target);
        failed.remove(target);
        failureTold.forget(target);
        pending.remove(target);
    }

    /**
     * Keeps the block told for {@code from} as told for {@code to}, the same object under the id a config reload gave
     * it ({@code Engine.renamed}): a block that goes on across the rename is not told a second time.
     */
    public void renamed(Target from, Target to) {
        requireNonNull(to, "to");
        String told = lastBlocked.remove(requireNonNull(from, "from"));
        if (told != null) {
            lastBlocked.put(to, told);
        }
        failed.remove(from);
        failureTold.forget(from);
        pending.remove(from);
    }

    /**
     * @param instance this replica's identity (the pod name), written as {@code reportingInstance}
     */
    public KubernetesEventSink(ApiClient client, KubernetesSettings options, ScaledObjects scaledObjects,
                               LeaderGate gate, Clock clock, String instance) {
        requireNonNull(client, "client");
        requireNonNull(options, "options");
        // One attempt: an Event is worth less than the tick it would delay.
        this.requests = new KubernetesRequests(client, 1, options.retry().initialBackoff());
        this.enabled = options.events();
        this.scaledObjects = requireNonNull(scaledObjects, "scaledObjects");
        this.gate = requireNonNull(gate, "gate");
        this.clock = requireNonNull(clock, "clock");
        this.instance = requireNonNull(instance, "instance");
    }

    /**
     * Tells {@code decision} as an Event when this replica leads (or the decision was written) and it is one to tell.
     * Blocking reasons are kept on every replica, so a fail-over does not tell a block the old leader told.
     */
    /**
     * The decision of {@code target} recorded next is a stand-back from another writer of the count (the engine says
     * so before recording it): told as a Warning once, when it starts, rather than never, as a TARGET_UNAVAILABLE
     * (an object that cannot be read has nothing to hang an Event on) was (recheck 67's remark).
     */
    public void standingBack(Target target) {
        standingBack.add(requireNonNull(target, "target"));
    }

    @Override
    public void record(Decision decision) {
        requireNonNull(decision, "decision");
        boolean contested = standingBack.remove(decision.target());
        if (!enabled || decision.dryRun()) {
            return;
        }
        // A follower keeps the blocking reason it decides too, telling nothing: after a fail-over the new leader does
        // not tell again a block the old one told (a pause made a second ScaleBlocked Event, recheck F9's nit).
        boolean emitting = emitting(decision);
        Target target = decision.target();
        if (emitting) {
            sendAgain(target);
        }
        switch (decision.action()) {
            case SCALE_OUT, SCALE_IN -> {
                lastBlocked.remove(target);
                if (!emitting || decision.equals(failed.remove(target)) || !decision.written()) {
                    // Only a scale that reached the object is told as ScaledOut/ScaledIn, exactly once.
                    return;
                }
                failureTold.forget(target);
                emit(decision, decision.action() == Action.SCALE_OUT ? SCALED_OUT
                        : SCALED_IN, "Normal", decision.message().text());
            }
            case HOLD -> {
                if (!decision.reason().blocksAction() && !contested) {
                    lastBlocked.remove(target);
                    return;
                }
                String block = contested ? STANDING_BACK : told(decision);
                if (!emitting && !gate.anotherLeaderSeen()) {
                    // No other replica has led since this one started (a fresh install, a lone replica before its
                    // first Lease): no one told this block, so this replica tells it once it leads; a pause set before
                    // the start was never told (recheck 59, F1).
                    lastBlocked.remove(target);
                    return;
                }
                if (!block.equals(lastBlocked.put(target, block)) && emitting) {
                    // A step-down held past settle-timeout is no routine wait: data has not settled in 30m, or the
                    // settle query cannot be read, and someone should look (settle recheck 2, N2).
                    // A stand-back leaves the count to someone else for as long as they keep writing it: a person
                    // decides who owns it (README, "Who else writes the count").
                    emit(decision, SCALE_BLOCKED, contested || decision.reason() == Reason.SETTLE_TIMEOUT ? "Warning"
                            : "Normal", decision.message().text());
                }
            }
            default -> throw new IllegalStateException("unknown action " + decision.action());
        }
    }

    /**
     * What a block is told by: its reason, and for PAUSED who holds the pause and how it lifts (the message less the
     * count it holds at), so a hand pause whose form changed is told again with the command that now lifts it; the
     * Event of a list pause kept giving the lift of the list as it was (recheck 45, F2). A scale run's steps under its
     * pause change only the count, and make none.
     */
    private static String told(Decision decision) {
        DecisionReason reason = decision.reason();
        return reason != Reason.PAUSED ? reason.name()
                : reason.name() + "\n" + HOLDING_AT.matcher(decision.message().text()).replaceFirst("");
    }

    /**
     * A scale decision whose write failed: a Warning with the decision's message and the failure
     * (kind and message; messages never hold credentials).
     */
    public void recordWriteFailure(Decision decision, ActuationException failure) {
        requireNonNull(decision, "decision");
        requireNonNull(failure, "failure");
        if (!emitting(decision)) {
            return;
        }
        failed.put(decision.target(), decision);
        lastBlocked.remove(decision.target());
        if (!failureTold.due(decision.target(), decision.action() + " " + decision.from() + " -> " + decision.to()
                + " " + failure.kind(), clock.instant())) {
            return;
        }
        emit(decision, SCALE_FAILED, "Warning", decision.message().text() + "; write failed (" + failure.kind() + "): "
                + failure.getMessage());
    }

    private boolean emitting(Decision decision) {
        // A written scale is told even if leadership was lost since the write: it happened.
        return enabled && !decision.dryRun() && (decision.written() || gate.isLeader());
    }

    private void emit(Decision decision, String reason, String type, String message) {
        Target target = decision.target();
        V1ObjectReference object = scaledObjects.reference(target);
        try {
            Instant now = clock.instant();
            OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
            // client-go names Events <object>.<hex nanos>; the sequence keeps two Events of one instant apart.
            long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano() + sequence.getAndIncrement();
            CoreV1Event event = new CoreV1Event()
                    .metadata(new V1ObjectMeta().name(object.getName() + "." + Long.toHexString(nanos))
                            .namespace(target.namespace()))
                    .involvedObject(object)
                    .reason(reason)
                    .type(type)
                    .message(message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 3) + "...")
                    .action("Scale")
                    .count(1)
                    .firstTimestamp(at)
                    .lastTimestamp(at)
                    .source(new V1EventSource().component(COMPONENT).host(instance))
                    .reportingComponent(COMPONENT)
                    .reportingInstance(instance);
            JsonObject body = JsonParser.parseString(JSON.serialize(event)).getAsJsonObject();
            send(target, new Pending(reason, body, object.getKind(), object.getName(), 0));
        } catch (RuntimeException e) {
            LOG.warn("{}: could not create Event {} on {} {}: {}", target, reason, object.getKind(), object.getName(),
                    e.toString());
        }
    }

    /** Sends the Events of {@code target} the API server could not take before, oldest first. */
    private void sendAgain(Target target) {
        java.util.Deque<Pending> waiting = pending.remove(target);
        while (waiting != null && !waiting.isEmpty()) {
            send(target, waiting.removeFirst());
        }
    }

    /** One attempt at {@code event}; kept to send again on a 5xx or timeout while attempts are left. */
    private void send(Target target, Pending event) {
        int attempt = event.attempts() + 1;
        try {
            requests.create(ApiResource.EVENTS, target.namespace(), event.body());
            LOG.debug("{}: Event {} on {} {}", target, event.reason(), event.kind(), event.name());
        } catch (ActuationException e) {
            if (attempt > 1 && e.kind() == ActuationException.Kind.CONFLICT) {
                LOG.debug("{}: Event {} on {} {} had landed", target, event.reason(), event.kind(), event.name());
                return;
            }
            boolean again = e.kind() == ActuationException.Kind.UNAVAILABLE && attempt < MAX_ATTEMPTS;
            LOG.warn("{}: could not create Event {} on {} {}: {}{}", target, event.reason(), event.kind(), event.name(),
                    e.getMessage(), again ? "; sent again at the next tick (attempt " + attempt + " of " + MAX_ATTEMPTS
                            + ")" : attempt > 1 ? "; dropped after " + attempt + " attempts" : "");
            if (again) {
                java.util.Deque<Pending> waiting = pending.computeIfAbsent(target,
                        k -> new java.util.concurrent.ConcurrentLinkedDeque<>());
                waiting.addLast(new Pending(event.reason(), event.body(), event.kind(), event.name(), attempt));
                while (waiting.size() > MAX_PENDING) {
                    Pending dropped = waiting.removeFirst();
                    LOG.warn("{}: Event {} on {} {} dropped: more than {} wait to be sent again", target,
                            dropped.reason(), dropped.kind(), dropped.name(), MAX_PENDING);
                }
            }
        }
    }
}
