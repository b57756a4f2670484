package io.github.milvusautoscaler.engine;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.LogFields;
import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.LastScale;
import io.github.milvusautoscaler.core.DecisionSink;
import io.github.milvusautoscaler.core.LeaderGate;
import io.github.milvusautoscaler.core.MetricsSource;
import io.github.milvusautoscaler.core.Forecast;
import io.github.milvusautoscaler.core.HistorySource;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.ScaleMemory;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.WriteAbandonedException;
import io.github.milvusautoscaler.core.WriteContext;
import io.github.milvusautoscaler.core.WriteGuard;
import io.github.milvusautoscaler.policy.Outcome;
import io.github.milvusautoscaler.policy.Policy;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.ScheduledFloor;
import io.github.milvusautoscaler.policy.TargetState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tick of one target: read the replica status, observe, decide, write if leader and the
 * count changes, record. The only holder of a {@link Clock}; the policy gets {@code now} as an
 * argument. Ticks of different targets may run concurrently; one target's ticks must not.
 */
public final class Engine {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final Clock clock;
    private final MetricsSource metrics;
    private final ReplicaActuator actuator;
    private final DecisionSink sink;
    private final LeaderGate leader;
    private final AlertSource alerts;
    private final Forecasts forecasts;
    private final ActionBudget budget;
    /**
     * dry-run, switchable while running: a config reload that sets it lets no write attempt start from then on
     * (checked before every attempt, {@link #guard}), where it was applied only after a restart and a reload counted
     * as ok kept writing (config audit C3). Each tick reads it once, so its decisions say one thing.
     */
    private volatile boolean dryRun;
    private final EngineListener listener;
    private final Map<Target, TargetView> views = new ConcurrentHashMap<>();
    /** What each target's signals measured at its last tick ({@link EngineTarget#measures}), to see a reload change it. */
    private final Map<Target, Map<String, String>> measured = new ConcurrentHashMap<>();
    /** The targets whose last tick held under alerts carried from the object, for {@link #sayCarryOverEnded}. */
    private final java.util.Set<Target> carrying = ConcurrentHashMap.newKeySet();
    /**
     * Since when each target's object has read as not found, and the uid it had before: an object found again with
     * another uid, or with none to compare, is a new one (deleted and recreated, or its owner renamed), and the
     * policy's memory of the old one must not decide for it (fault recheck F5: a Deployment recreated at 1 replica was
     * scaled 1 -> 2 on its first tick, on a cpu sustain that had run through the 43 s it did not exist). One found
     * again with its old uid was never gone (a 404 from an API server whose CRD or aggregated API was briefly not
     * served): its step-down verification, settle wait and recent peaks still hold.
     */
    private final Map<Target, Gone> notFoundSince = new ConcurrentHashMap<>();
    /** The policy state of a target a reload renamed ({@link #renamed}), taken up by its first tick under the new id. */
    private final Map<Target, TargetState> handedOver = new ConcurrentHashMap<>();
    /** Each target's rollout as it last read and since when it reads so, for {@link #sayIfRolloutUnmoved}. */
    private final Map<Target, Unmoved> rollouts = new ConcurrentHashMap<>();
    /**
     * The ids of the last {@link #SENT_WRITES_KEPT} writes this process sent, landed or not: a last scale found on a
     * target this daemon leads again (a reload added it back, a lease regained) is then said as its own, not as one a
     * stopped writer may have left unlogged (recheck 43, F2). 4,096 ids of 36 characters: about 300 KB at most.
     */
    /**
     * Each target's {@link LeaderGate#term()} when its tick began, before the object was read: a write goes only within
     * that term (see {@link #guard}).
     */
    private final Map<Target, Long> termAtRead = new ConcurrentHashMap<>();
    /** Per target, when another install's write was last said at WARN: a dry-run shadow beside its twin sees each. */
    private final Map<Target, Instant> otherWriterSaid = new ConcurrentHashMap<>();
    /** Who else writes each target's count, from its object's managedFields. */
    private final CountOwnership countOwnership = new CountOwnership();
    private final Map<String, Boolean> sentWrites = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > SENT_WRITES_KEPT;
                }
            });
    private static final int SENT_WRITES_KEPT = 4_096;

    /**
     * How long a rollout may read the same before it is said: Kubernetes' default
     * {@code progressDeadlineSeconds} (600 s), the bar the Deployment controller itself would judge it by, which the
     * milvus-operator sets to a month for a blue/green hand-over's Deployments (deploy_ctrl_util.go CreateDeploy).
     */
    static final Duration ROLLOUT_UNMOVED = Duration.ofMinutes(10);

    /** A rollout's text as last read, when it first read so, and whether it was said to read the same for long. */
    private record Unmoved(String text, Instant since, boolean said) {
    }

    /**
     * When a target's object first read as not found, its uid before that ("" when no tick had read it), and when a tick
     * last read it (null when none had).
     */
    private record Gone(Instant since, String uid, Instant lastRead) {
    }
    /**
     * Set by {@link #stopWriting()} when the daemon stops: no write attempt starts after it, so the drain that
     * follows waits only for an attempt already sent (one {@code request-timeout} at most) before the Lease goes.
     */
    private volatile boolean stopping;
    /** A write sent during a stop's drain whose outcome stayed unknown: the stop then lets the Lease expire. */
    private volatile boolean inconclusiveDuringStop;

    /** An engine without load history: no target has a forecast, each decides on its signals alone. */
    public Engine(Clock clock, MetricsSource metrics, ReplicaActuator actuator, DecisionSink sink, LeaderGate leader,
                  AlertSource alerts, ActionBudget budget, boolean dryRun, EngineListener listener) {
        this(clock, metrics, actuator, sink, leader, alerts, budget, dryRun, listener, HistorySource.NONE);
    }

    public Engine(Clock clock, MetricsSource metrics, ReplicaActuator actuator, DecisionSink sink, LeaderGate leader,
                  AlertSource alerts, ActionBudget budget, boolean dryRun, EngineListener listener,
                  HistorySource history) {
        this.clock = requireNonNull(clock, "clock");
        this.metrics = requireNonNull(metrics, "metrics");
        this.actuator = requireNonNull(actuator, "actuator");
        this.sink = requireNonNull(sink, "sink");
        this.leader = requireNonNull(leader, "leader");
        this.alerts = requireNonNull(alerts, "alerts");
        this.forecasts = new Forecasts(history);
        this.budget = requireNonNull(budget, "budget");
        this.dryRun = dryRun;
        this.listener = requireNonNull(listener, "listener");
    }

    /**
     * Runs one tick for {@code target} and returns its decision (exactly one per tick, HOLD included). Every line the
     * tick logs on its thread carries the target as a field in the JSON log (MDC), said in its text or not: a pipeline
     * that routes on {@code target} lost the lines that named the count's writer and the operator's unapplied count
     * (recheck 67, F3).
     */
    public Decision tick(EngineTarget target) {
        try (org.slf4j.MDC.MDCCloseable ignored = org.slf4j.MDC.putCloseable(LogFields.TARGET, target.target().id())) {
            return tickAs(target);
        }
    }

    private Decision tickAs(EngineTarget target) {
        Target t = target.target();
        termAtRead.put(t, leader.term());
        Instant started = clock.instant();
        TargetView before = views.get(t);
        TargetState carried = handedOver.remove(t);
        TargetState state = before != null ? before.state() : carried != null ? carried : TargetState.initial();
        state = remeasured(target, state);
        boolean isLeader = leader.isLeader();
        boolean dry = dryRun;
        sayIfScheduledFloorChanged(t, target.policy().settings(), before, started);

        Decision decision;
        ReplicaStatus status = null;
        Observation observation = null;
        String problem = "";
        ScaleMemory remembered = null;
        Instant statusReadAt = started;
        List<ActiveAlert> firing = List.of();
        try {
            status = actuator.read(t);
            Gone gone = notFoundSince.remove(t);
            if (gone != null) {
                String after = Durations.human(Duration.between(gone.since(), started)) + " not found";
                if (!gone.uid().isEmpty() && gone.uid().equals(status.uid())) {
                    LOG.atInfo().addKeyValue("target", t.id()).log("{}: found again at {} replicas after {}, the same"
                            + " object (uid {}): the policy's memory of it is kept", t, status.current(), after, status.uid());
                } else {
                    state = TargetState.initial();
                    sayNewObject(t, "found at " + status.current() + " replicas after " + after + (gone.uid().isEmpty()
                            || status.uid().isEmpty() ? " (created, deleted and recreated, or its owner renamed)"
                            : " (uid " + gone.uid() + " -> " + status.uid() + ": deleted and recreated)"));
                }
            } else if (recreated(before, status)) {
                // Deleted and recreated between two reads: no tick saw it missing (fault recheck 2, F5's remainder).
                state = TargetState.initial();
                sayNewObject(t, "a new object since the last tick (uid " + before.status().uid() + " -> "
                        + status.uid() + ": deleted and recreated) at " + status.current() + " replicas");
            } else {
                sayIfChangedSinceLastTick(target, before, status, isLeader);
            }
            if (isLeader) {
                countOwnership.foresee(t, status).ifPresent(w -> LOG.atWarn().addKeyValue("target", t.id()).log(w));
            }
            sayLastScaleFoundOnLead(target, before, status, isLeader && !dry, started);
            sayIfRolloutStalled(t, before, status);
            sayIfRolloutUnmoved(t, status, started);
            alerts.handledOnObject(t, status.memory().handledAlerts());
            firing = alerts.firing(t, started);
            observation = metrics.observe(t, started).withAlerts(withCarried(t, firing,
                    status.memory(), target.policy().settings().alerts().carryOver(), started))
                    .withForecast(forecast(target, status, started));
            Outcome outcome = target.policy().decide(observation, status, state, budget.view(started), started);
            decision = outcome.decision();
            TargetState input = state;
            state = outcome.next();
            Optional<String> contested = countOwnership.contested(t, started, status);
            if (contested.isPresent()) {
                // Another writer keeps the count (a forced GitOps sync): left to it as to an HPA, every tick, so
                // MilvusAutoscalerTargetUnavailable calls a person; the signals stay on the decision for status. A
                // step-down afterwards waits a whole sustain, as after any stretch it did not act on.
                state = Policy.restartSustain(outcome.unapplied());
                listener.standingBack(t);
                decision = new Decision(t, started, Action.HOLD, null, null, Reason.TARGET_UNAVAILABLE,
                        t.component() + " " + CountOwnership.CONTESTED + ": " + contested.get() + "; the policy would: "
                                + decision.action() + " " + decision.reason() + ", " + decision.message().text(),
                        decision.signals(), dry);
            } else if (dry) {
                state = outcome.rehearsed();
                // Every decision of a dry-run daemon says so, HOLD included (README: dry-run "logs every decision
                // ... "dryRun": true"): a HOLD writes nothing either way, but a filter on dryRun in the decision log
                // must not mix a dry-run daemon's HOLDs with a writing daemon's.
                decision = decision.asDryRun();
            } else if (decision.isScale()) {
                if (!isLeader) {
                    // A follower shows what it would do but remembers no action it did not write:
                    // the leader's writes reach it through the last-scale annotations. The record says why it was
                    // not written: a replica thawed after another took its Lease recorded a SCALE_OUT "written": false
                    // and nothing else (recheck 47, R1).
                    state = outcome.unapplied();
                    decision = decision.notWritten(before != null && before.leader()
                            ? "this replica led at its last tick and holds the Lease no more (its renewal lapsed or"
                            + " another replica took it); the leader decides and writes"
                            : "a follower; the replica holding the Lease writes");
                } else {
                    Written w = write(target, outcome, input, observation, status, firing, started);
                    decision = w.decision.written() || w.problem.isEmpty() ? w.decision
                            : w.decision.notWritten(w.problem);
                    state = w.state;
                    status = w.status;
                    statusReadAt = w.readAt;
                    problem = w.problem;
                    remembered = w.remembered;
                }
            }
            if (!dry && isLeader && !status.paused()) {
                remember(target, decision, state, status, statusReadAt,
                        remembered != null ? remembered : status.memory(), firing, started);
                clearLeftOverPauseMarks(t, status, statusReadAt);
            }
        } catch (ActuationException e) {
            listener.readFailed(t, e);
            // No signal was read on this tick, which is unknown data: the scale-in sustain's stretch ends as at an
            // UNKNOWN signal, so the first tick after an API outage does not step down on averages that ran through
            // minutes nobody read (the rest of the memory, verification and settle wait included, still holds).
            state = Policy.restartSustain(state);
            if (e.kind() == ActuationException.Kind.NOT_FOUND) {
                boolean read = before != null && before.status() != null;
                notFoundSince.putIfAbsent(t, new Gone(started, read ? before.status().uid() : "",
                        read ? before.decision().time() : null));
            }
            problem = e.getMessage();
            decision = new Decision(t, started, Action.HOLD, null, null, Reason.TARGET_UNAVAILABLE,
                    t.component() + " target unavailable (" + e.kind().name().toLowerCase(java.util.Locale.ROOT) + "): "
                            + goneSince(t, e) + e.getMessage(), Map.of(), dry);
        }
        boolean dryNow = dryRun;
        if (!dry && dryNow && !decision.written()) {
            // A reload set dry-run while this tick ran: nothing of it was written, and it says so, so no Event is
            // posted for it either (config recheck N2).
            decision = decision.asDryRun();
        }
        listener.decidedAs(t, isLeader);
        sink.record(decision);
        // A wall clock stepped back while the tick ran (NTP correcting a skew) must not time it negative, which
        // Micrometer refuses with a WARN (fault recheck 2).
        Duration took = Duration.between(started, clock.instant());
        took = took.isNegative() ? Duration.ZERO : took;
        if (dry && !dryNow) {
            // dry-run went off while this tick ran: its state rests on decisions never written (cooldowns, alerts
            // counted as handled), so the next tick starts as a new daemon would (config recheck N1).
            views.remove(t);
            carrying.remove(t);
        } else {
            Unmoved rollout = rollouts.get(t);
            views.put(t, new TargetView(t, target.policy().settings(), status, observation, decision, state, problem,
                    isLeader, took, rollout == null ? null : rollout.since()));
        }
        listener.tickFinished(t, took);
        return decision;
    }

    /** Says that {@code t}'s object is a new one ({@code what}) and the policy's memory of the old one is gone. */
    private static void sayNewObject(Target t, String what) {
        LOG.warn("{}: {}: the policy's timers and step-down memory start again, so it scales only on what it reads of"
                + " this object", t, what);
    }

    /** True when the object read now has another uid than the one the previous tick read, both known. */
    private static boolean recreated(TargetView before, ReplicaStatus now) {
        return before != null && before.status() != null && !before.status().uid().isEmpty() && !now.uid().isEmpty()
                && !before.status().uid().equals(now.uid());
    }

    /**
     * Says, once per change, when the count a leader reads is not the one its previous tick left: the daemon only ever decides
     * on what it reads, so nothing else would tell an SRE that a person, {@code helm upgrade} (the chart writes
     * {@code <component>.replicas} on every upgrade) or the operator moved it, nor that a write this daemon gave up on
     * (its answer lost, the tick abandoned) landed after all, which the object's last-scale id shows; such a write
     * takes its slot of the action budget back.
     */
    /**
     * For an object a tick of this daemon had read, that it is gone since, first: the actuator's 404 names the config
     * to check (release name, fullname, milvus-version), which sent an SRE to the config when the Deployment read
     * seconds before had been deleted (real-install recheck 17, F2). "" for any other failure and an object never read.
     */
    private String goneSince(Target t, ActuationException e) {
        Gone gone = e.kind() == ActuationException.Kind.NOT_FOUND ? notFoundSince.get(t) : null;
        if (gone == null || gone.lastRead() == null) {
            return "";
        }
        return "it was read at " + gone.lastRead() + (gone.uid().isEmpty() ? "" : " (uid " + gone.uid() + ")")
                + " and is gone since: deleted (helm uninstall, kubectl delete) or renamed by a chart upgrade, and"
                + " until it is back nothing is written; ";
    }

    /**
     * Says when the scheduled floor in force starts, changes or ends, and on a daemon's first tick inside a window: a
     * window's end was said nowhere, the next step-down reading SIGNALS_LOW, and a person asking why a node was added
     * at 07:00 had only the write's message (recheck 101's remarks). Compared with the last tick's instant.
     */
    private static void sayIfScheduledFloorChanged(Target t, PolicySettings settings, TargetView before, Instant now) {
        if (settings.scheduled().isEmpty()) {
            return;
        }
        Instant last = before == null || before.decision() == null ? null : before.decision().time();
        int was = last == null ? 0 : ScheduledFloor.floorAt(settings.scheduled(), last);
        Optional<ScheduledFloor.InForce> on = ScheduledFloor.inForce(settings.scheduled(), now);
        int floor = on.map(ScheduledFloor.InForce::minReplicas).orElse(0);
        if (floor == was) {
            return;
        }
        int max = settings.maxReplicas();
        // The tick's time on the window's wall clock, with its date: a replay (simulate, backtest, demo) stamps its
        // log lines with today's wall clock, and "from now" on a 2014 trace said nothing of when (recheck 113, F4).
        if (on.isPresent()) {
            LOG.info("{}: scheduled floor {} {} {}{} ({})", t, on.get().replicasUnder(max), last == null
                    ? "in force at" : "from", ScheduledFloor.datedSaid(now, on.get().untilZone()),
                    last == null || was == 0 ? "" : ", was " + Math.min(was, max), on.get().saidUnder(max));
        } else {
            Optional<ScheduledFloor.InForce> ended = ScheduledFloor.inForce(settings.scheduled(), last);
            LOG.info("{}: scheduled floor {} ended {} ({}); step-downs follow the signals again", t, Math.min(was, max),
                    ended.map(b -> ScheduledFloor.datedSaid(now, b.untilZone())).orElse(""),
                    ended.map(ScheduledFloor.InForce::windowsSaid).orElse(""));
        }
    }

    /**
     * Says once when a rollout stops progressing and once when it is no longer stalled: the decisions then hold
     * step-downs as ROLLOUT_STALLED, which the log shows only when a step-down would have gone ahead, and a rollout
     * held silently for good was what the status showed of an unpullable image (upgrade recheck 22, F1).
     */
    private static void sayIfRolloutStalled(Target t, TargetView before, ReplicaStatus now) {
        java.util.Optional<String> was = before == null || before.status() == null ? java.util.Optional.empty()
                : before.status().rolloutStalled();
        if (now.rolloutStalled().isPresent() && was.isEmpty()) {
            LOG.warn("{}: {}; scale-out still acts, step-downs hold until it progresses, is resumed or is rolled back"
                    + " (kubectl rollout undo)", t, now.rolloutStalled().get());
        } else if (now.rolloutStalled().isEmpty() && was.isPresent()) {
            // A rollout that progresses again holds everything as ROLLOUT: "step-downs act again" said the opposite
            // (recheck 23, F3).
            LOG.info("{}: {}", t, now.rollout() ? "the stalled rollout progresses again (a new template); every"
                    + " decision holds as a rollout in progress until it ends" : "the stalled rollout is over (it ended"
                    + " or was rolled back); step-downs act again");
        }
    }

    /**
     * Says, once, a rollout that has read the same for {@link #ROLLOUT_UNMOVED}: every decision holds while it lasts,
     * and one that will not end by itself was said nowhere when Kubernetes does not judge it stalled (recheck 34, F2:
     * an operator hand-over whose new pod never turned ready held as ROLLOUT for 16 minutes and counting, cpu HIGH,
     * with a month's progress deadline). The text carries what moves (pods updated, each Deployment's ready count),
     * so a rollout that steps reads anew at each step; one that moves again or ends after being said is said too.
     */
    private void sayIfRolloutUnmoved(Target t, ReplicaStatus now, Instant at) {
        Optional<String> text = now.rollout() ? now.rollingOut() : Optional.empty();
        Unmoved seen = rollouts.get(t);
        if (text.isEmpty()) {
            if (rollouts.remove(t) != null && seen.said()) {
                LOG.info("{}: the rollout that had read the same for {} or more is over", t,
                        Durations.human(ROLLOUT_UNMOVED));
            }
            return;
        }
        if (seen == null || !seen.text().equals(text.get())) {
            if (seen != null && seen.said()) {
                LOG.info("{}: the rollout moves again: {}", t, text.get());
            }
            rollouts.put(t, new Unmoved(text.get(), at, false));
            return;
        }
        Duration unmoved = Duration.between(seen.since(), at);
        if (!seen.said() && unmoved.compareTo(ROLLOUT_UNMOVED) >= 0) {
            rollouts.put(t, new Unmoved(seen.text(), seen.since(), true));
            LOG.warn("{}: a rollout that has read the same for {}: {}; every decision holds until it ends, scale-outs"
                    + " included: if it does not move, kubectl -n {} get pods and kubectl describe pod NAME say why a"
                    + " pod is not ready (an image that cannot be pulled, no node with room)",
                    t, Durations.human(unmoved), text.get(), t.namespace());
        }
    }

    /**
     * Says, on this daemon's first tick as the writing leader of {@code target}, the last scale its object's annotations
     * record while a window still counts from it, because a write whose writer stopped before its answer came back
     * (a SIGKILL, a node lost) is in no decision log (recheck 26/30 R1): the new leader's cooldown, verify window and
     * roll-back act on that write, and its log is then the one place a post-mortem finds it. Only a scale younger than
     * the longest window that counts from it is said (with the defaults: 5m after a step-down, the cooldown and verify
     * window; 15m after a scale-out, delay-after-scale-out; 30m after a roll-back, its back-off), so a restart of a
     * quiet fleet adds no line per target.
     */
    private void sayLastScaleFoundOnLead(EngineTarget target, TargetView before, ReplicaStatus now, boolean writing,
                                         Instant at) {
        if (!writing || (before != null && before.leader()) || now.paused() || now.lastScale().isEmpty()) {
            return;
        }
        LastScale last = now.lastScale().get();
        PolicySettings settings = target.policy().settings();
        boolean down = last.direction() == Direction.DOWN;
        boolean rollback = last.reason().equals(Reason.STEP_DOWN_ROLLBACK.name());
        Duration counts = down ? max(settings.scaleIn().cooldown(), settings.scaleIn().verifyWindow())
                : max(max(settings.scaleOut().cooldown(), settings.scaleIn().delayAfterScaleOut()),
                        rollback ? settings.scaleIn().backoff() : Duration.ZERO);
        String waits = down ? "the scale-in cooldown and the verify window count"
                : rollback ? "the scale-out cooldown, delay-after-scale-out and the back-off the roll-back set count"
                : "the scale-out cooldown and delay-after-scale-out count";
        Duration ago = Duration.between(last.time(), at);
        if (ago.compareTo(counts) > 0) {
            return;
        }
        boolean ours = !last.writeId().isEmpty() && sentWrites.containsKey(last.writeId());
        LOG.atInfo().addKeyValue("target", target.target().id()).log("{}: leading it from {} replicas; its object"
                + " records the last scale, a {} ({}) written {} ago at {}{}: {} from it ({})",
                target.target(), now.current(), down ? "scale-in" : "scale-out", last.reason(),
                Durations.human(ago.isNegative() ? Duration.ZERO : ago), last.time(),
                last.writeId().isEmpty() ? "" : " (write id " + last.writeId() + ")", waits,
                ours ? "this daemon's own write, logged with its decision: the target was added again by a reload, or"
                        + " this replica leads again"
                        : "written by another replica or before a restart: a writer that stopped before its write's"
                        + " answer came back may have logged no decision for it");
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private void sayIfChangedSinceLastTick(EngineTarget target, TargetView before, ReplicaStatus now,
                                           boolean isLeader) {
        Target t = target.target();
        if (!isLeader || before == null || !before.leader() || before.status() == null || now.paused()) {
            return; // a paused target is being scaled by hand (the scale command): moves there are expected
        }
        Decision last = before.decision();
        int left = last.written() && last.to() != null ? last.to() : before.status().current();
        if (now.current() == left) {
            return;
        }
        String id = now.lastScale().map(LastScale::writeId).orElse("");
        // The id of the write the last tick made and recorded is no new write, though the status read before it did
        // not carry it: a count that moved on the tick after a scale of its own was said as another install's write
        // (a helm upgrade 15 s after a scale-out, found with the managedFields writer, count writers F1).
        boolean lastTicksOwn = last.written() && sentWrites.containsKey(id);
        boolean newWrite = !id.isEmpty() && !lastTicksOwn
                && !id.equals(before.status().lastScale().map(LastScale::writeId).orElse(""));
        // Only an id this daemon sent is its lost write: a dry-run shadow beside a writing install took each of the
        // other's writes for its own lost one, 48 WARNs in 24 minutes, and counted them against its budget (recheck 49,
        // F3).
        boolean newWriteOfOurs = newWrite && !last.written() && sentWrites.containsKey(id);
        boolean byScaleCommand = !sentWrites.containsKey(id) && now.lastScale()
                .map(s -> s.reason().equals(Reason.MANUAL_SCALE.name())).orElse(false);
        if (newWrite && !newWriteOfOurs && byScaleCommand) {
            // A scale run that began and ended between two ticks: its pause was never read, and "another install"
            // sent the SRE looking for a second deployment (recheck 56, F2).
            LOG.info("{}: replicas {} -> {} by the scale command (a manual run between this daemon's ticks, write id {});"
                    + " it decides on the new count as after a write of its own", t, left, now.current(), id);
        } else if (newWrite && !newWriteOfOurs) {
            // Said once an hour per target, the rest at debug: a dry-run shadow beside its writing twin sees every
            // write of the twin, 2 a minute in a soak (recheck 52, R3).
            Instant at = clock.instant();
            Instant said = otherWriterSaid.get(t);
            boolean say = said == null || !at.isBefore(said.plus(OTHER_WRITER_SAID_EVERY));
            if (say) {
                otherWriterSaid.put(t, at);
            }
            (say ? LOG.atWarn() : LOG.atDebug()).log("{}: replicas {} -> {} by a milvus-autoscaler write (id {}) this"
                    + " daemon did not send: another install of milvus-autoscaler scales this target too (a second"
                    + " deployment, or the writing twin of a dry-run one); it decides on the new count as after a write"
                    + " of its own{}", t, left, now.current(), id, say ? " (said once an hour per target; the rest at"
                    + " debug)" : "");
        } else if (newWriteOfOurs) {
            // Its slot was given back when the write looked lost; it is an action of ours all the same, and
            // max-actions-per-hour counts it from when it was sent (daemon e2e audit F1).
            budget.record(now.lastScale().orElseThrow().time());
            LOG.warn("{}: replicas {} -> {}: a write of milvus-autoscaler's (id {}) landed after its tick stopped"
                    + " waiting for it (a lost answer or an abandoned retry); its decision was logged as not written",
                    t, left, now.current(), id);
        } else {
            // The object's managedFields name the writer where they can (a Helm 4 upgrade, a GitOps sync, kubectl);
            // an applier's next apply acts again, so its advice replaces the general one.
            // With the target as a field, as every other line of the target's: a pipeline that routes on it lost the
            // one line that names the writer (recheck 67, F3).
            LOG.atWarn().addKeyValue("target", t.id()).log("{}: replicas changed outside milvus-autoscaler since its"
                    + " last tick: {} -> {} {}; it decides on"
                    + " the new count{}{}", t, left, now.current(), CountOwnership.by(t, before.status(), now)
                    .orElse(t.install() == InstallKind.HELM ? "(kubectl scale, a helm upgrade that sets or drops "
                    + t.component().configName() + ".replicas)" : "(an edit or apply of the Milvus resource)"),
                    now.current() > left ? ", with no step-down for delay-after-scale-out ("
                            + Durations.human(target.policy().settings().scaleIn().delayAfterScaleOut())
                            + ") as after a scale-out of its own; milvus-autoscaler pause holds a count for good"
                            : ", with no further step-down for the scale-in cooldown ("
                            + Durations.human(target.policy().settings().scaleIn().cooldown())
                            + ") as after a step-down of its own; milvus-autoscaler pause holds a count for good",
                    // milvus-helm's Deployment templates write spec.replicas only for replicas >= 0, and Kubernetes
                    // defaults a missing one to 1: the first upgrade to -1 drops the count to 1 once (recheck 61).
                    // A named writer other than helm (kubectl scale, an Update) is no release: its values do not
                    // stop it (recheck 64, F3).
                    // Nor is an applier other than helm that dropped the field (recheck 68, remark).
                    CountOwnership.advice(t, now).orElse(t.install() != InstallKind.HELM
                    || now.otherWriter().filter(w -> !w.manager().equals("helm")).isPresent()
                    || now.countWriter().isEmpty() && before.status().otherWriter()
                    .filter(w -> w.applies() && !w.manager().equals("helm")).isPresent() ? ""
                    : now.current() == 1 && left > 1 ? "; a drop to 1 is also"
                    + " what the first helm upgrade with " + t.component().configName() + ".replicas: -1 does once"
                    + " (the chart leaves spec.replicas out and Kubernetes defaults it to 1), after which the count"
                    + " is the autoscaler's" : "; a release that keeps the count to the autoscaler sets "
                    + t.component().configName() + ".replicas: -1 in its values (README, Install kinds)"));
            countOwnership.moved(t, now, left, clock.instant())
                    .ifPresent(fight -> LOG.atWarn().addKeyValue("target", t.id()).log(fight));
        }
    }

    /**
     * The outcome of a write; {@code status} is the object as last read, at {@code readAt}; {@code remembered} is the
     * memory stored with a write that landed, else null.
     */
    private record Written(Decision decision, TargetState state, ReplicaStatus status, Instant readAt, String problem,
                           ScaleMemory remembered) {

        Written(Decision decision, TargetState state, ReplicaStatus status, Instant readAt, String problem) {
            this(decision, state, status, readAt, problem, null);
        }
    }

    /**
     * Keeps the back-off, settle-wait start and handled alerts on the object when they changed, so a
     * daemon that restarts or takes over holds as this one would. Handled alerts change only with an
     * alert scale-out that was written: a daemon that never saw an alert must not drop its key.
     * A failure is logged; the next tick tries again.
     */
    private void remember(EngineTarget target, Decision decision, TargetState state, ReplicaStatus status,
                          Instant statusReadAt, ScaleMemory onObject, List<ActiveAlert> firing, Instant started) {
        Target t = target.target();
        ScaleMemory wanted = kept(target, decision, state, onObject, firing, started);
        if (wanted.equals(onObject)) {
            return;
        }
        try {
            if (readTooOld(statusReadAt)) {
                // A tick slowed by its queries: read the object again and keep the memory against it, as a scale
                // write does, where it was abandoned every tick while Prometheus stayed slow, blocking alerts and
                // pending alert scale-outs included (concurrency audit N3).
                statusReadAt = clock.instant();
                status = actuator.read(t);
                wanted = kept(target, decision, state, status.memory(), firing, started);
                if (wanted.equals(status.memory())) {
                    return;
                }
            }
            // Annotations only, also during a stop's drain (the Lease is still held): a pending alert scale-out the
            // stop kept from being written is then carried to the next leader (concurrency audit N1).
            actuator.remember(t, wanted, status, guard(t, statusReadAt, new int[1], true));
        } catch (ActuationException | WriteAbandonedException e) {
            if (keptAnyway(t, wanted, e)) {
                return;
            }
            Exception last = e;
            if (e instanceof ActuationException a && a.kind() == ActuationException.Kind.CONFLICT) {
                // Another writer's change in between, most often another component's annotations on the same
                // operator Milvus object in the same tick: this component's keys are its own, so they are kept
                // against the object read again, once (soak recheck 20, F6: four WARNs on one install).
                try {
                    Instant readAt = clock.instant();
                    ReplicaStatus again = actuator.read(t);
                    ScaleMemory wantedNow = kept(target, decision, state, again.memory(), firing, started);
                    if (!wantedNow.equals(again.memory())) {
                        actuator.remember(t, wantedNow, again, guard(t, readAt, new int[1], true));
                    }
                    return;
                } catch (ActuationException | WriteAbandonedException retry) {
                    last = retry;
                }
            }
            if (last instanceof ActuationException failed) {
                listener.memoryWriteFailed(t, failed);
            }
            LOG.warn("{}: could not keep back-off, settle wait and handled alerts on the object ({}){}", t,
                    last.getMessage(), stopping ? "" : "; next tick tries again");
        }
    }

    /**
     * Removes the marks a pause of the pause command lifted by hand left ({@link ReplicaActuator#clearLeftOverPauseMarks}),
     * so every replica and {@code resume} read a pause set again by hand as one by hand. A failure (a 409 after this
     * tick's own memory write included) is tried again next tick.
     */
    private void clearLeftOverPauseMarks(Target t, ReplicaStatus status, Instant statusReadAt) {
        try {
            actuator.clearLeftOverPauseMarks(t, status, guard(t, statusReadAt, new int[1], true));
        } catch (ActuationException | WriteAbandonedException e) {
            LOG.debug("{}: left-over pause marks not removed this tick ({})", t, e.getMessage());
        }
    }

    /**
     * Whether a memory patch that failed with a 5xx or a conflict landed all the same: an API server can commit a
     * write and lose its answer, and the retry then meets its own change as a conflict. The object read back holding
     * {@code wanted} is kept, not "could not keep" (real-install recheck 17, F3).
     */
    private boolean keptAnyway(Target t, ScaleMemory wanted, Exception e) {
        if (!(e instanceof ActuationException a) || (a.kind() != ActuationException.Kind.CONFLICT
                && a.kind() != ActuationException.Kind.UNAVAILABLE)) {
            return false;
        }
        try {
            if (wanted.equals(actuator.read(t).memory())) {
                LOG.info("{}: back-off, settle wait and handled alerts are on the object, though the patch's answer"
                        + " was {}", t, e.getMessage());
                return true;
            }
        } catch (ActuationException readFailed) {
            // said below as before
        }
        return false;
    }

    /**
     * The firing alerts plus the alerts kept on the object that this daemon has seen neither firing nor resolved (a
     * fail-over or restart before Alertmanager re-sends them), for at most {@code carryOver}: those the target scaled
     * out for and those that only block, as scale-in blocks; a scale-out one that came in the alert cooldown, as the
     * scale-out the daemon before would have made when the cooldown ends (alert fail-over audit M3).
     */
    private List<ActiveAlert> withCarried(Target t, List<ActiveAlert> firing, ScaleMemory onObject, Duration carryOver,
                                          Instant now) {
        boolean scaledOutFor = onObject.handledBlockAt(now, carryOver);
        boolean blocked = onObject.blockingAt(now, carryOver);
        if (!scaledOutFor && !blocked) {
            if (carrying.remove(t)) {
                sayCarryOverEnded(t, firing, onObject, carryOver, now);
            }
            return firing;
        }
        java.util.Set<String> known = new java.util.HashSet<>(alerts.resolved(t, now));
        firing.forEach(a -> known.add(a.key()));
        List<ActiveAlert> out = new java.util.ArrayList<>(firing);
        if (scaledOutFor) {
            carry(out, known, onObject.handledAlerts(), ActiveAlert.AlertAction.BLOCK_SCALE_IN,
                    "scaled out for (the object's handled-alerts say so)", onObject.lastAlertScaleOut());
        }
        if (blocked) {
            carry(out, known, onObject.pendingScaleOuts(), ActiveAlert.AlertAction.SCALE_OUT,
                    "its scale-out was still owed (held by the alert cooldown or the action budget) when this daemon"
                            + " took over", onObject.lastAlertBlock());
            carry(out, known, onObject.blockingAlerts(), ActiveAlert.AlertAction.BLOCK_SCALE_IN,
                    "blocked scale-in before this daemon led", onObject.lastAlertBlock());
        }
        if (out.size() > firing.size()) {
            carrying.add(t);
        } else {
            carrying.remove(t);
        }
        return out;
    }

    /**
     * Adds the kept {@code keys} this daemon has not seen, named by their Alertmanager group (the key's first part,
     * e.g. {@code {}:{alertname="MilvusSearchLatencyHigh"}}), so the decision says which alert holds it:
     * "(carried: {}:{alertname=...}, blocked scale-in before this daemon led; not re-sent to it yet)".
     */
    private static void carry(List<ActiveAlert> out, java.util.Set<String> known, java.util.Set<String> keys,
                              ActiveAlert.AlertAction action, String why, Instant since) {
        for (String key : new java.util.TreeSet<>(keys)) {
            if (known.add(key)) {
                String group = group(key);
                out.add(new ActiveAlert(key, alertName(group), action, since,
                        "carried: " + group + ", " + why + "; not re-sent to it yet"));
            }
        }
    }

    /**
     * The Alertmanager group of an alert key (AlertBook.key: groupKey|fingerprint|startsAt), cut from the right: the
     * shipped route's group key holds a bar of its own ({@code {}/{autoscaler_action=~"scale-out|block-scale-in"}:{...}}),
     * where a fingerprint (hex) and an RFC 3339 time never do (audit-alerts L2: the name was cut at that bar).
     */
    static String group(String key) {
        int last = key.lastIndexOf('|');
        int bar = last > 0 ? key.lastIndexOf('|', last - 1) : -1;
        return bar > 0 ? key.substring(0, bar) : key;
    }

    /**
     * The {@code alertname} an Alertmanager group key names (the shipped route groups by it), the last one where the
     * route's matchers name one too; else the group itself. What a carried alert is listed as in the decision's
     * {@code alerts}, so a search on the name finds its block (real-install recheck 12, F2: the whole carried text was).
     */
    static String alertName(String group) {
        java.util.regex.Matcher m = ALERT_NAME.matcher(group);
        String name = null;
        while (m.find()) {
            name = m.group(1);
        }
        return name != null ? name : group;
    }

    /** {@code alertname="..."} in a group key, Go-quoted ({@code \"} and {@code \\} escaped). */
    private static final java.util.regex.Pattern ALERT_NAME = java.util.regex.Pattern.compile(
            "alertname=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /**
     * Says that the alerts kept on the object, which this daemon's previous tick held under, block no more because
     * {@code alerts.carry-over} has passed with no daemon seeing them resolved (a resolve lost, or Alertmanager not
     * re-sending them): a step-down may then follow while Alertmanager still lists the alert, and this line is
     * what explains it (alert fail-over audit L2). A daemon that starts after the end held under nothing and says
     * nothing.
     */
    private void sayCarryOverEnded(Target t, List<ActiveAlert> firing, ScaleMemory onObject, Duration carryOver,
                                   Instant now) {
        java.util.Set<String> kept = new java.util.TreeSet<>(onObject.blockingAlerts());
        kept.addAll(onObject.handledAlerts());
        firing.forEach(a -> kept.remove(a.key()));
        kept.removeAll(alerts.resolved(t, now));
        if (!kept.isEmpty()) {
            Instant since = onObject.lastAlertBlock() == null || (onObject.lastAlertScaleOut() != null
                    && onObject.lastAlertScaleOut().isAfter(onObject.lastAlertBlock()))
                    ? onObject.lastAlertScaleOut() : onObject.lastAlertBlock();
            LOG.info("{}: alerts kept on the object since {} no longer block scale-in: alerts.carry-over {} has passed"
                    + " and no daemon saw them resolved, nor has Alertmanager re-sent them to this one ({})", t, since,
                    Durations.setting(carryOver), kept.stream().map(Engine::group).distinct()
                            .collect(java.util.stream.Collectors.joining(", ")));
        }
    }

    /**
     * The whole memory to keep on the object after {@code decision}: the policy's, the handled alerts and the
     * blocking ones. One place for a scale write's annotations and for a hold's: a scale write that left the
     * blocking alerts out erased a carried block, and the next step-downs ran under a firing alert (alert fail-over
     * audit H1).
     */
    private ScaleMemory kept(EngineTarget target, Decision decision, TargetState state, ScaleMemory onObject,
                             List<ActiveAlert> firing, Instant now) {
        Target t = target.target();
        return blocking(t, target.policy().kept(state, handled(t, decision, state, onObject)), onObject, state, firing,
                target.policy().settings().alerts().carryOver(), now);
    }

    /**
     * {@code kept} with the firing alerts it does not keep as scaled out for (those that only block scale-in, and
     * scale-out ones still waiting), for a daemon that takes over before Alertmanager re-sends them: the object's
     * keys less those this daemon saw resolved, plus those firing here; the carry-over runs from when a key first
     * appeared. Alertmanager sends to the leader alone (a follower answers 503), so
     * without this a new leader stepped down under a firing block until the next re-send, up to repeat_interval (4h
     * by default) later.
     */
    private ScaleMemory blocking(Target t, ScaleMemory kept, ScaleMemory onObject, TargetState state,
                                 List<ActiveAlert> firing, Duration carryOver, Instant now) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        java.util.Set<String> pending = new java.util.HashSet<>();
        boolean current = onObject.blockingAt(now, carryOver);
        if (current) {
            keys.addAll(onObject.blockingAlerts());
            keys.removeAll(alerts.resolved(t, now));
            pending.addAll(onObject.pendingScaleOuts());
        }
        // Past the carry-over the object's keys block no one: those still firing here are kept from now on.
        for (ActiveAlert a : firing) {
            // A scale-out alert blocks scale-in too, also while it has not scaled out (its cooldown, max-replicas).
            keys.add(a.key());
            if (a.action() == ActiveAlert.AlertAction.SCALE_OUT) {
                pending.add(a.key());
            }
        }
        keys.removeAll(kept.handledAlerts());
        // Acted on: scaled out for, or consumed at max-replicas (the daemon before would not scale out for it later).
        pending.removeAll(state.handledAlerts());
        // As many as the object keeps, so what is read back equals what is wanted: with 51 firing, the 51st was
        // "new" every tick and rewrote the annotation each time (alert fail-over audit M2).
        java.util.Set<String> stored = keys.stream().sorted().limit(ScaleMemory.MAX_ALERT_KEYS)
                .collect(java.util.stream.Collectors.toSet());
        boolean added = !onObject.blockingAlerts().containsAll(stored);
        return kept.withBlocking(stored, pending, added || !current ? now : onObject.lastAlertBlock());
    }

    /**
     * The handled alerts to keep on the object: this tick's after a written alert scale-out, else the
     * object's less those this daemon has seen resolved (only a daemon that saw the resolve drops a key,
     * so a fail-over keeps the scale-in block of an alert still firing).
     */
    private java.util.Set<String> handled(Target t, Decision decision, TargetState state, ScaleMemory onObject) {
        if (decision.written() && decision.reason() == Reason.ALERT_SCALE_OUT) {
            return state.handledAlerts();
        }
        java.util.Set<String> resolved = alerts.resolved(t, clock.instant());
        if (resolved.isEmpty() || onObject.handledAlerts().stream().noneMatch(resolved::contains)) {
            return onObject.handledAlerts();
        }
        java.util.Set<String> kept = new java.util.HashSet<>(onObject.handledAlerts());
        kept.removeAll(resolved);
        return kept;
    }

    /**
     * Leadership, a stop and the age of the object read the write is based on, checked before every attempt of a
     * write; counts the attempts let through.
     */
    private WriteGuard guard(Target t, Instant readAt, int[] attempts) {
        return guard(t, readAt, attempts, false);
    }

    /** As above; {@code duringStop}: the annotation-only memory write, let through while a stop drains. */
    private WriteGuard guard(Target t, Instant readAt, int[] attempts, boolean duringStop) {
        return () -> {
            Instant now = clock.instant();
            if (dryRun) {
                throw new WriteAbandonedException("dry-run was set by a config reload: no write attempt starts");
            }
            if (stopping && !duringStop) {
                throw new WriteAbandonedException("this replica is stopping: no write attempt starts after SIGTERM");
            }
            if (!leader.isLeader()) {
                throw new WriteAbandonedException("this replica is no longer the leader");
            }
            long term = termAtRead.getOrDefault(t, LeaderGate.NO_TERM);
            if (term != LeaderGate.NO_TERM && leader.term() != term) {
                throw new WriteAbandonedException("leadership lapsed since the object was read (the Lease was lost or"
                        + " renewed late meanwhile): what it was decided on may be stale");
            }
            if (readTooOld(readAt)) {
                throw new WriteAbandonedException("the object was read " + Duration.between(readAt, now).toMillis()
                        + " ms ago, more than the"
                        + " renew deadline " + leader.writeDeadline().toMillis() + " ms; what it was decided on may"
                        + " be stale");
            }
            attempts[0]++;
        };
    }

    /**
     * True when an object read at {@code readAt} is too old to write from: read the renew deadline or longer ago,
     * before the last renewal this replica can vouch for. Never without election (the deadline is unbounded), nor
     * under a gate that keeps a term, which vouches for the whole term instead ({@link LeaderGate#term()}).
     */
    private boolean readTooOld(Instant readAt) {
        return leader.term() == LeaderGate.NO_TERM
                && Duration.between(readAt, clock.instant()).compareTo(leader.writeDeadline()) >= 0;
    }

    /**
     * Lets no write attempt start from now on, retries included, while ticks go on deciding: the first step of a stop,
     * so that the Lease is released only after the attempt already sent (if any) has its answer, and a follower
     * never takes over while this replica still has a write on the way (concurrency audit F1).
     */
    public void stopWriting() {
        stopping = true;
    }

    /**
     * True when, since {@link #stopWriting()}, a write was sent whose answer never came and which a re-read did not
     * find: the API server may still apply it, so the stop leaves the Lease to expire rather than release it
     * (concurrency audit N2: a 12 s write landed after the release, with no holder).
     */
    public boolean inconclusiveWriteDuringStop() {
        return inconclusiveDuringStop;
    }

    /**
     * Writes a decided scale, at most once, and says whether it landed.
     *
     * <ol>
     *   <li>The budget slot is reserved first (check and count in one step, so concurrent targets
     *       cannot overrun it); when another target took the last slot since the policy looked, the
     *       tick is decided again on the budget as it is now (BUDGET_EXHAUSTED).</li>
     *   <li>Leadership, a stop ({@link #stopWriting()}) and the term of leadership the object was read in are
     *       checked before every attempt, retries included ({@link WriteGuard}): a write whose gate's
     *       {@link LeaderGate#term()} moved since the tick began is abandoned. A gate that keeps no term bounds the
     *       read's age instead: a write from a read older than its {@link LeaderGate#writeDeadline()} is abandoned,
     *       and a tick whose queries alone took that long reads the object again once and decides on it before its
     *       first attempt, so a slow but answering Prometheus delays writes instead of stopping them.</li>
     *   <li>The write carries a fresh write id. When it fails after an attempt was sent (a 500 or a
     *       timeout after the server applied it, a retry answered 409, an abandoned retry), the
     *       object is re-read: our write id on it means the write landed, and it is recorded once,
     *       as written; otherwise the slot is released.</li>
     *   <li>A 409 (the object changed since it was read) is re-read and re-decided rather than
     *       overwritten, up to {@value #CONFLICT_ROUNDS} times a tick: the operator writes a Milvus object's
     *       status, and the deployment controller a Deployment's, whenever a pod turns ready, which moves the
     *       resourceVersion the write is conditional on without touching the count, and two such writes in a
     *       row are common while the pods of the last scale-out start.</li>
     * </ol>
     */
    private Written write(EngineTarget target, Outcome outcome, TargetState input, Observation observation,
                          ReplicaStatus status, List<ActiveAlert> firing, Instant started) {
        Target t = target.target();
        Outcome current = outcome;
        ReplicaStatus basis = status;
        Instant readAt = started;
        boolean refreshed = false;
        boolean conflicted = false;
        int conflicts = 0;
        while (true) {
            Decision decision = current.decision();
            if (!decision.isScale()) {
                if (conflicted) {
                    listener.writeConflict(t, true);
                }
                return new Written(decision, current.next(), basis, readAt, "");
            }
            if (!refreshed && !stopping && leader.isLeader() && readTooOld(readAt)) {
                // Slow queries (each within prometheus.timeout, together past the renew deadline) made the object read
                // too old to write from, which abandoned every write, alert scale-outs included, for as long as
                // Prometheus stayed slow (concurrency audit F4). Read it again and decide on it: the signals stand
                // (evaluated at the tick's time either way), the count, annotations and resourceVersion are now's.
                refreshed = true;
                Instant at = clock.instant();
                try {
                    basis = actuator.read(t);
                } catch (ActuationException readFailed) {
                    // A read that failed, counted as one (operation="read"); the next tick reads and decides again.
                    listener.readFailed(t, readFailed);
                    return new Written(decision, current.unapplied(), basis, readAt, readFailed.getMessage());
                }
                readAt = at;
                current = target.policy().decide(observation, basis, conflicted ? outcome.unapplied() : input,
                        budget.view(at), started);
                continue;
            }
            Instant writeTime = clock.instant();
            if (!budget.reserve(writeTime, decision.reason() == Reason.STEP_DOWN_ROLLBACK)) {
                // Another target took the hour's last action after this one looked: decide again on the budget now.
                Outcome held = target.policy().decide(observation, basis, conflicted ? outcome.unapplied() : input,
                        budget.view(writeTime), started);
                if (held.decision().isScale()) {
                    throw new IllegalStateException("the policy scaled on an exhausted budget: " + held.decision());
                }
                return new Written(held.decision(), held.unapplied(), basis, readAt, "");
            }
            int[] attempts = {0};
            TargetState after = current.next().retimed(started, writeTime);
            ScaleMemory memory = kept(target, decision.asWritten(), after, basis.memory(), firing, writeTime);
            WriteContext context = new WriteContext(UUID.randomUUID().toString(), writeTime, guard(t, readAt, attempts),
                    memory);
            sentWrites.put(context.id(), Boolean.TRUE);
            RuntimeException failure;
            try {
                actuator.apply(decision, basis, context);
                if (conflicted) {
                    listener.writeConflict(t, true);
                }
                return landed(decision, current, basis, readAt, started, writeTime, memory);
            } catch (ActuationException | WriteAbandonedException e) {
                failure = e;
            }
            ActuationException.Kind kind = failure instanceof ActuationException a ? a.kind() : null;
            boolean abandoned = kind == null;
            // Definite refusals (403, 404, a paused object) on a first attempt cannot have landed; anything
            // else after an attempt was sent might have, and only the object can tell.
            boolean mayHaveLanded = attempts[0] > 0 && (attempts[0] > 1 || abandoned
                    || kind == ActuationException.Kind.UNAVAILABLE || kind == ActuationException.Kind.CONFLICT);
            ReplicaStatus fresh = null;
            Instant freshAt = clock.instant();
            if (mayHaveLanded) {
                try {
                    fresh = actuator.read(t);
                } catch (ActuationException readFailed) {
                    LOG.warn("{}: cannot re-read after an inconclusive write ({}); whether {} -> {} landed is unknown"
                            + " until the next tick reads the annotations", t, readFailed.getMessage(), decision.from(),
                            decision.to());
                }
                boolean ambiguous = attempts[0] > 1 || abandoned || kind == ActuationException.Kind.UNAVAILABLE;
                if (fresh != null && fresh.lastScale().map(l -> l.writeId().equals(context.id())).orElse(false)) {
                    listener.ambiguousWrite(t, "landed");
                    if (conflicted) {
                        listener.writeConflict(t, true);
                    }
                    // The failure is why no answer or no retry came, not a doubt about the write (recheck 17, F6:
                    // "(... what it was decided on may be stale)" read as if the landed count were).
                    LOG.info("{}: write {} -> {} landed, read back by its id, though its answer was lost; recorded"
                            + " once (the attempt ended: {})", t, decision.from(), decision.to(), failure.getMessage());
                    return landed(decision, current, fresh, freshAt, started, writeTime, memory);
                }
                if (fresh == null) {
                    // Keep the slot: the write may have landed, and the budget must not be overrun by it.
                    listener.ambiguousWrite(t, "unknown");
                } else if (ambiguous) {
                    listener.ambiguousWrite(t, "not_landed");
                }
            }
            if (mayHaveLanded && stopping) {
                inconclusiveDuringStop = true;
            }
            if (fresh != null || !mayHaveLanded) {
                budget.release(writeTime);
            }
            if (abandoned) {
                listener.writeAbandoned(decision, failure.getMessage());
                if (conflicted) {
                    listener.writeConflict(t, false);
                }
                return new Written(decision, current.unapplied(), fresh != null ? fresh : basis, fresh != null ? freshAt : readAt,
                        "write abandoned: " + failure.getMessage());
            }
            ActuationException e = (ActuationException) failure;
            if (kind == ActuationException.Kind.CONFLICT && conflicts < CONFLICT_ROUNDS) {
                // The object changed under us (a person's kubectl scale, an operator's status write): decide again
                // on it.
                conflicted = true;
                conflicts++;
                ReplicaStatus read = basis;
                try {
                    readAt = fresh != null ? freshAt : clock.instant();
                    basis = fresh != null ? fresh : actuator.read(t);
                } catch (ActuationException readFailed) {
                    listener.writeConflict(t, false);
                    listener.writeFailed(decision, e);
                    return new Written(decision, current.unapplied(), basis, readAt, readFailed.getMessage());
                }
                if (basis.current() != read.current()) {
                    // Said here: the next tick compares with this re-read, so a count another writer moved between
                    // this tick's read and its write was said nowhere (recheck 106, F1: 2 -> 3 by a GitOps sync).
                    LOG.atWarn().addKeyValue("target", t.id()).log("{}: replicas changed outside milvus-autoscaler"
                            + " between this tick's read and its write: {} -> {} {}; its write {} -> {} was refused"
                            + " (409 Conflict) and it decides again on the new count", t, read.current(),
                            basis.current(), CountOwnership.by(t, read, basis).orElse(t.install() == InstallKind.HELM
                                    ? "(kubectl scale, a helm upgrade)" : "(an edit or apply of the Milvus resource)"),
                            decision.from(), decision.to());
                }
                Observation obs = metrics.observe(t, started).withAlerts(alerts.firing(t, started))
                        .withForecast(forecast(target, basis, started));
                current = target.policy().decide(obs, basis, outcome.unapplied(), budget.view(started), started);
                continue;
            }
            if (conflicted) {
                listener.writeConflict(t, false);
            }
            listener.writeFailed(decision, e);
            return new Written(decision, current.unapplied(), basis, readAt, e.getMessage());
        }
    }

    /**
     * Re-reads and re-decisions after a 409 within one tick. Three: a status write by the operator or the deployment
     * controller between each read and write (each takes 50-400 ms, an audit against a fake API server measured) would
     * have to come three times in a row to fail the write, while someone who keeps changing the object still gets
     * the tick's write refused and named (ScaleFailed) within a second.
     */
    static final int CONFLICT_ROUNDS = 3;

    /** How often another install's writes to one target are said at WARN. */
    static final Duration OTHER_WRITER_SAID_EVERY = Duration.ofHours(1);

    /** A write that reached the object: recorded as written, with its actions timed from the write. */
    private Written landed(Decision decision, Outcome outcome, ReplicaStatus status, Instant readAt, Instant tick,
                           Instant writeTime, ScaleMemory memory) {
        Decision written = decision.asWritten();
        listener.writeSucceeded(written);
        // The book learns the object's handled-alerts as this write left them, not at the next tick's read: a repeat
        // of the carried alert this scale-out was for, arriving in between, was answered "accepted ... scale-out" and
        // counted so, though nothing more scaled (recheck 26, F2).
        alerts.handledOnObject(decision.target(), memory.handledAlerts());
        return new Written(written, outcome.next().retimed(tick, writeTime), status, readAt, "", memory);
    }

    /** The latest view of every target ticked so far. */
    public Map<Target, TargetView> views() {
        return Map.copyOf(views);
    }

    /**
     * {@code state} with the scale-in sustain started again when a reload changed what one of the target's signals
     * measures (its query as sent, label scheme and Deployment names filled in; per-pod or may-be-negative), said
     * once: the old query's averages are no evidence about the new one (reload audit F1). A signal added or removed
     * restarts it in the policy already (its names change).
     */
    private TargetState remeasured(EngineTarget target, TargetState state) {
        Map<String, String> now = target.measures();
        Map<String, String> last = measured.put(target.target(), now);
        if (last == null || now.isEmpty() || last.isEmpty()) {
            return state;
        }
        List<String> changed = now.keySet().stream().filter(n -> last.containsKey(n) && !last.get(n).equals(now.get(n)))
                .sorted().toList();
        if (changed.isEmpty()) {
            return state;
        }
        LOG.atInfo().addKeyValue("target", target.target().id()).log("{}: what {} {} changed (config reload: the"
                + " query as sent, per-pod or may-be-negative); the scale-in sustain and its averages start again",
                target.target().id(), String.join(", ", changed), changed.size() == 1 ? "measures" : "measure");
        return Policy.restartSustain(state);
    }

    /**
     * Puts a reload's settings for a kept target in its view at once, so status shows the new [min-max] and bands
     * while the loop waits for its next tick (recheck 63: the old range stood there until then, the log said the new).
     * A tick in flight still records the settings it started with.
     */
    void settingsChanged(EngineTarget target) {
        views.computeIfPresent(target.target(), (t, v) -> v.settings().equals(target.policy().settings()) ? v
                : new TargetView(v.target(), target.policy().settings(), v.status(), v.observation(), v.decision(),
                        v.state(), v.problem(), v.leader(), v.tickDuration(), v.rolloutReadsSameSince()));
    }

    /** Drops a target removed by a config reload, with everything kept for it here and by the listeners. */
    public void forget(Target target) {
        rollouts.remove(target);
        measured.remove(target);
        views.remove(target);
        handedOver.remove(target);
        carrying.remove(target);
        notFoundSince.remove(target);
        termAtRead.remove(target);
        otherWriterSaid.remove(target);
        countOwnership.forget(target);
        forecasts.forget(target);
        listener.forgotten(target);
    }

    /**
     * Hands what is kept for {@code from} to {@code to}, the same object under the id a reload gave it: a Helm release
     * and an operator {@code Milvus} of one name joined or parted in the config ({@link Target#nameShared}), so
     * {@code milvus/milvus/queryNode} became {@code milvus/milvus@helm/queryNode} or back. Its scale-in sustain, recent
     * peaks, forecast history and not-found record go on; forgotten, they started again for an object that never
     * changed (real-install recheck 11, N2). The listeners hand on what they keep to say a thing once (a block told
     * as an Event and a log line) and forget the rest of the old id (its series and status entry go); the new id
     * appears with its first tick, as any target's does.
     */
    public void renamed(Target from, Target to) {
        requireNonNull(to, "to");
        TargetView view = views.remove(requireNonNull(from, "from"));
        TargetState state = view != null ? view.state() : handedOver.remove(from);
        if (state != null) {
            handedOver.put(to, state);
        }
        Map<String, String> measures = measured.remove(from);
        if (measures != null) {
            measured.put(to, measures);
        }
        if (carrying.remove(from)) {
            carrying.add(to);
        }
        Gone gone = notFoundSince.remove(from);
        if (gone != null) {
            notFoundSince.put(to, gone);
        }
        forecasts.renamed(from, to);
        listener.renamed(from, to);
        LOG.atInfo().addKeyValue("target", to.id()).log("{} is now {} (config reload: the other install of name {} in {}"
                + " was {}); what the policy remembers of it goes on", from.id(), to.id(), to.name(), to.namespace(),
                to.nameShared() ? "added" : "removed");
    }

    public boolean dryRun() {
        return dryRun;
    }

    /**
     * Switches dry-run for the ticks that start from now, and for every write attempt of a tick already running.
     * Switched off, each target's state is forgotten, and its next tick starts as a new daemon's would, from the
     * object's annotations: a dry-run tick keeps its decisions as if written (the dry-run policy runs on), and kept
     * after the switch, an alert that fired in dry-run counted as handled and never scaled out, and cooldowns ran
     * from scale-outs that never happened (config recheck N1).
     */
    public void setDryRun(boolean on) {
        boolean was = dryRun;
        dryRun = on;
        if (was && !on) {
            views.clear();
            carrying.clear();
            handedOver.clear();
        }
    }

    public boolean isLeader() {
        return leader.isLeader();
    }

    /** The clock every tick reads; the {@link Scheduler} times its loops on the same one. */
    public Clock clock() {
        return clock;
    }

    /**
     * The seasonal forecast of {@code target}'s load at {@code now} (none when off or without history), in the request
     * its signals divide by now: the serving pods' (kube-state-metrics'), else the pod template's. A request changed
     * since the last hourly history read left it in the old units; put in the template's alone, an in-place resize (the
     * pods' request changes, the template's does not) kept it in the template's stale units for good (recheck 83, F1).
     */
    private Forecast forecast(EngineTarget target, ReplicaStatus status, Instant now) {
        return forecasts.forecast(target.target(), target.policy().settings().forecast(), now)
                .inUnitsServed(r -> metrics.servingAmount(target.target(), r, now), status.resources());
    }
}
