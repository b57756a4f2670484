package io.github.milvusautoscaler.engine;

import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.DecisionReason;
import io.github.milvusautoscaler.core.DecisionSink;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Repeats;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The human log: one line per scale action, per blocked action and per error, with the decision
 * message. Plain HOLDs stay out (they are in metrics and status); a blocked action is logged when
 * its reason first appears for a target, not every 15 s; an unreadable target at most once a
 * minute, so a missing object does not drown the rest. A target whose every signal stays UNKNOWN
 * for a minute is a WARN, and a line when a signal is known again: no signal moves it meanwhile, and
 * a data source gone quiet (kube-state-metrics down, the query time skewed past the data) showed in
 * no log line at all for minutes (fault recheck F4). Not at once: for a tick after a scale-out's pods
 * turn ready, per-pod signals read "3 of 5 ready pods reporting", which warned after every scale-out
 * (16 lines an hour over two replicas, fault recheck 2).
 */
public final class DecisionLogger implements DecisionSink, EngineListener {

    private static final Logger LOG = LoggerFactory.getLogger("decisions");
    /** How soon a line that would say the same again (a target still unreadable, a scale still not written) is said. */
    private static final Duration SAID_AGAIN_AFTER = Duration.ofMinutes(1);
    /** How long every signal stays UNKNOWN before it is a WARN. */
    static final Duration UNKNOWN_WARN_AFTER = Duration.ofMinutes(1);

    private final BooleanSupplier leader;
    private final Map<Target, DecisionReason> lastBlocked = new ConcurrentHashMap<>();
    private final Map<Target, Instant> lastUnavailable = new ConcurrentHashMap<>();
    /** Targets whose last decision was ALL_SIGNALS_UNKNOWN, and since when. */
    private final Map<Target, Instant> allUnknownSince = new ConcurrentHashMap<>();
    /** The last PAUSED message of each target, which names who holds the pause. */
    private final Map<Target, String> lastPause = new ConcurrentHashMap<>();
    /** Targets whose stretch of ALL_SIGNALS_UNKNOWN has been warned of. */
    private final java.util.Set<Target> unknownWarned = ConcurrentHashMap.newKeySet();
    /** Targets whose contested stand-back has been said: once, where another unavailability is said every minute. */
    private final java.util.Set<Target> contestedSaid = ConcurrentHashMap.newKeySet();
    /**
     * The last scale line said of each target that was not written, and when: the same one again is said once a
     * minute, not at every tick (recheck 91, F1: while no replica could take the Lease, a follower said "SCALE_IN 6 ->
     * 5 ABOVE_MAX [follower, not written]" every 5 s; 240 lines an hour per target at the default loop).
     */
    private final Repeats unwritten = new Repeats(SAID_AGAIN_AFTER);
    /** Targets whose decision about to be recorded is a stand-back ({@link #standingBack}); taken by that record. */
    private final java.util.Set<Target> standingBack = ConcurrentHashMap.newKeySet();
    /** Whether each target's decision about to be recorded was decided as the leader ({@link #decidedAs}). */
    private final Map<Target, Boolean> decidedAsLeader = new ConcurrentHashMap<>();

    /**
     * @param leader whether this daemon leads, for a decision whose tick did not say ({@link #decidedAs}); a scale not
     *               written is marked, a follower's as such
     */
    public DecisionLogger(BooleanSupplier leader) {
        this(leader, () -> false);
    }

    /**
     * @param apiDown whether the Kubernetes API server is failing every call (ApiReachability's line every few seconds
     *                says so, daemon-wide): a target unreadable then is said at DEBUG, where each of 100 targets' own
     *                TARGET_UNAVAILABLE WARN came on top of it, about two a target for one 2-minute outage (recheck
     *                105, F3)
     */
    public DecisionLogger(BooleanSupplier leader, BooleanSupplier apiDown) {
        this.leader = java.util.Objects.requireNonNull(leader, "leader");
        this.apiDown = java.util.Objects.requireNonNull(apiDown, "apiDown");
    }

    private final BooleanSupplier apiDown;

    @Override
    public void forgotten(Target target) {
        lastBlocked.remove(target);
        lastUnavailable.remove(target);
        allUnknownSince.remove(target);
        unknownWarned.remove(target);
        lastPause.remove(target);
        contestedSaid.remove(target);
        standingBack.remove(target);
        unwritten.forget(target);
        decidedAsLeader.remove(target);
        failingWrites.remove(target);
        failedSaid.forget(target);
    }

    /** Goes on under {@code to} with what was said for {@code from}, so a block or pause across a rename is one line. */
    @Override
    public void renamed(Target from, Target to) {
        move(lastBlocked, from, to);
        move(lastUnavailable, from, to);
        move(allUnknownSince, from, to);
        move(lastPause, from, to);
        unwritten.renamed(from, to);
        move(failingWrites, from, to);
        failedSaid.renamed(from, to);
        if (unknownWarned.remove(from)) {
            unknownWarned.add(to);
        }
        if (contestedSaid.remove(from)) {
            contestedSaid.add(to);
        }
    }

    private static <V> void move(Map<Target, V> kept, Target from, Target to) {
        V value = kept.remove(from);
        if (value != null) {
            kept.put(to, value);
        }
    }

    @Override
    public void record(Decision d) {
        if (d.reason() == Reason.ALL_SIGNALS_UNKNOWN) {
            Instant since = allUnknownSince.computeIfAbsent(d.target(), t -> d.time());
            if (!d.time().isBefore(since.plus(UNKNOWN_WARN_AFTER)) && unknownWarned.add(d.target())) {
                // Not "nothing acts on it": a scheduled floor wrote 2 -> 5 while every tick said so (recheck 101, F2).
                fields(LOG.atWarn(), d).log("{} {}{}: {}; no signal moves it until one is known again (min-replicas,"
                        + " max-replicas, a scheduled floor, an alert or fallback.mode = scale-out still can)",
                        d.target().id(), d.reason(), d.dryRun() ? " [dry-run]" : "", d.message().text());
            }
        } else if (d.reason() != Reason.TARGET_UNAVAILABLE && (d.signals().isEmpty()
                || d.signals().values().stream().anyMatch(r -> r.value().isPresent()))) {
            // A hold of another rule (ROLLOUT, PAUSED) with every signal still unknown does not end the stretch: it
            // said "known again" while none was (fault recheck 2).
            Instant since = allUnknownSince.remove(d.target());
            if (since != null && unknownWarned.remove(d.target())) {
                about(LOG.atInfo(), d).log("{} signals known again after {} of {}", d.target().id(),
                        Durations.human(Duration.between(since, d.time())),
                        Reason.ALL_SIGNALS_UNKNOWN);
            }
        }
        if (d.reason() != Reason.PAUSED && d.reason() != Reason.TARGET_UNAVAILABLE
                && lastBlocked.get(d.target()) == Reason.PAUSED) {
            // The pause was said when it came; its end was said nowhere, and the step-down sustain counts from it
            // (recheck 60, F3: only status polls showed when the daemon took the target back).
            lastPause.remove(d.target());
            about(LOG.atInfo(), d).log("{} pause lifted{}; now {}: {} (a pause restarts the scale-in sustain, so a"
                    + " step-down waits a whole sustain from here)", d.target().id(), d.dryRun() ? " [dry-run]" : "",
                    d.reason(), d.message().text());
        }
        Boolean ledAtTick = decidedAsLeader.remove(d.target());
        boolean leading = ledAtTick != null ? ledAtTick : leader.getAsBoolean();
        // A scale says whether it reached the object (a write that landed just before the Lease was lost
        // is no follower's); a blocked action says whose decision it was.
        String mode = d.dryRun() ? " [dry-run]" : d.isScale() ? (d.written() ? "" : leading ? " [not written]"
                : " [follower, not written]") : leading ? "" : " [follower, not written]";
        if (d.isScale()) {
            lastBlocked.remove(d.target());
            if (unsaidAgain(d, mode)) {
                fields(LOG.atInfo(), d).log("{} {} {} -> {} {}{}: {}", d.target().id(), d.action(), d.from(),
                        d.to(), d.reason(), mode, d.message().text());
            }
        } else if (d.reason() == Reason.TARGET_UNAVAILABLE) {
            Instant last = lastUnavailable.get(d.target());
            // A stand-back from another writer of the count lasts an hour and its tug-of-war WARN said why: one line
            // for it, where a target that cannot be read is said every minute (recheck 66, F2: 60 WARNs an hour).
            boolean contested = standingBack.remove(d.target());
            boolean say = contested ? contestedSaid.add(d.target())
                    : last == null || !d.time().isBefore(last.plus(SAID_AGAIN_AFTER));
            if (!contested) {
                contestedSaid.remove(d.target());
            }
            if (say) {
                lastUnavailable.put(d.target(), d.time());
                // Marked like every other line of a dry-run daemon's decisions (README: "marked [dry-run]").
                fields(!contested && apiDown.getAsBoolean() ? LOG.atDebug() : LOG.atWarn(), d).log("{} {}{}: {}",
                        d.target().id(), d.reason(), d.dryRun() ? " [dry-run]" : "", d.message().text());
            }
        } else if (d.reason().blocksAction()) {
            // A pause that changes hands between ticks (a run's lifted, a hand pause set) is said again: its message
            // names the holder, and the line kept naming the old one (last recheck, item 1).
            boolean newHolder = d.reason() == Reason.PAUSED
                    && !d.message().text().equals(lastPause.put(d.target(), d.message().text()));
            if (lastBlocked.put(d.target(), d.reason()) != d.reason() || newHolder) {
                fields(LOG.atInfo(), d).log("{} blocked {}{}: {}", d.target().id(), d.reason(), mode,
                        d.message().text());
            }
        } else {
            lastBlocked.remove(d.target());
            lastUnavailable.remove(d.target());
        }
        if (d.reason() != Reason.TARGET_UNAVAILABLE) {
            contestedSaid.remove(d.target());
        }
        standingBack.remove(d.target());
    }

    /**
     * Whether a scale line is to be said: always when written; when not written, dry-run's included, unless the same
     * action, counts, reason and mark were said of the target less than a minute ago (its message, whose numbers move
     * every tick, does not count). A dry-run daemon's count never moves, so its scale-out to a scheduled floor was
     * said every 15 s (recheck 106's remark); the decision log keeps every tick.
     */
    private boolean unsaidAgain(Decision d, String mode) {
        if (d.written()) {
            unwritten.forget(d.target());
            return true;
        }
        return unwritten.due(d.target(), d.action() + " " + d.from() + " -> " + d.to() + " " + d.reason() + mode,
                d.time());
    }

    @Override
    public void standingBack(Target target) {
        standingBack.add(target);
    }

    @Override
    public void decidedAs(Target target, boolean leader) {
        decidedAsLeader.put(target, leader);
    }

    /**
     * The target (and dryRun on a dry-run daemon) alone as structured fields, for a line about a target that is not its
     * decision's own ("signals known again", "pause lifted"): with the decision's action and counts too, the known-again
     * line of a tick that scaled read as a second SCALE_OUT, 51 lines with a scale action for 50 writes (recheck 115,
     * F3); the decision's own line follows it.
     */
    private static LoggingEventBuilder about(LoggingEventBuilder b, Decision d) {
        LoggingEventBuilder f = b.addKeyValue("target", d.target().id());
        return d.dryRun() ? f.addKeyValue("dryRun", true) : f;
    }

    /**
     * Target, reason, action and the counts as structured fields (JSON logs), besides the formatted message, on every
     * decision line: a blocked HOLD's from and to are the count it holds at; a target that cannot be read has none.
     * A decision an alert drove or held also has {@code alerts}, their names joined by commas.
     */
    private static LoggingEventBuilder fields(LoggingEventBuilder b, Decision d) {
        LoggingEventBuilder f = b.addKeyValue("target", d.target().id()).addKeyValue("reason", d.reason())
                .addKeyValue("action", d.action());
        if (!d.alerts().isEmpty()) {
            f = f.addKeyValue("alerts", String.join(",", d.alerts()));
        }
        if (d.dryRun()) {
            // A field as the decision log's: a pipeline counting action="SCALE_IN" counted a rehearsal's decisions as
            // written ones, "[dry-run]" being only in the message (recheck 112, F5).
            f = f.addKeyValue("dryRun", true);
        }
        return d.from() == null ? f : f.addKeyValue("from", d.from()).addKeyValue("to", d.to());
    }

    /**
     * The same write failing the same way: since when, and how often in all; said once a minute ({@link #failedSaid}).
     * A write refused with 429 every tick logged an ERROR a tick, 9 in 44 s, while the throttled call itself was said
     * once a minute (recheck 103, F1).
     */
    private record FailingWrite(String key, Instant since, int failures) {
    }

    private final Map<Target, FailingWrite> failingWrites = new ConcurrentHashMap<>();
    private final Repeats failedSaid = new Repeats(SAID_AGAIN_AFTER);

    /**
     * Says a failed write, and the same write failing the same way again (its counts and the failure's kind) once a
     * minute, with since when and how often in all: "(failing since 2026-01-05T10:00:00Z, 5 times)".
     */
    @Override
    public void writeFailed(Decision decision, ActuationException e) {
        Target t = decision.target();
        String key = decision.from() + " -> " + decision.to() + " " + e.kind();
        FailingWrite was = failingWrites.get(t);
        boolean repeat = was != null && was.key().equals(key);
        FailingWrite now = repeat ? new FailingWrite(key, was.since(), was.failures() + 1)
                : new FailingWrite(key, decision.time(), 1);
        failingWrites.put(t, now);
        if (!failedSaid.due(t, key, decision.time())) {
            return;
        }
        fields(LOG.atError(), decision).addKeyValue("error", e.kind()).log("{} write {} -> {} failed ({}): {}{}",
                t.id(), decision.from(), decision.to(), e.kind(), e.getMessage(), repeat ? " (failing since "
                        + now.since().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ", " + now.failures()
                        + " times)" : "");
    }

    @Override
    public void writeSucceeded(Decision decision) {
        failingWrites.remove(decision.target());
        failedSaid.forget(decision.target());
    }
}
