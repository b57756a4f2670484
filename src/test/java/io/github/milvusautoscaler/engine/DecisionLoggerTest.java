package io.github.milvusautoscaler.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Target;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The human log: actions always, blocked actions on change, a missing target once a minute, HOLDs never. */
class DecisionLoggerTest {

    static final Target T = new Target("milvus", "gone", Component.QUERY_NODE, InstallKind.OPERATOR);
    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

    final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    final Logger logger = (Logger) LoggerFactory.getLogger("decisions");

    @BeforeEach
    void attach() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(lines);
    }

    static Decision d(int secondsAfter, Reason reason, Integer from, Integer to) {
        return new Decision(T, T0.plusSeconds(secondsAfter), reason.action(), from, to, reason, reason + " message",
                Map.of(), false);
    }

    List<String> messages() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void missingTargetIsLoggedOncePerMinute() {
        DecisionLogger log = new DecisionLogger(() -> true);
        // A 15 s loop: ticks at 0, 15, 30, 45 and 60 s; the line repeats only once a minute has passed.
        for (int s = 0; s <= 60; s += 15) {
            log.record(d(s, Reason.TARGET_UNAVAILABLE, null, null));
        }
        assertEquals(2, messages().size(), messages().toString());
        assertTrue(messages().get(0).contains("TARGET_UNAVAILABLE"), messages().toString());
    }

    /**
     * The same write failing the same way every tick is said once a minute with since when and how often: a write
     * refused with 429 logged an ERROR a tick, 9 in 44 s (recheck 103, F1). Other counts, or a write that landed in
     * between, are said at once.
     */
    @Test
    void theSameFailedWriteIsSaidOncePerMinute() {
        DecisionLogger log = new DecisionLogger(() -> true);
        io.github.milvusautoscaler.core.ActuationException throttled = new io.github.milvusautoscaler.core
                .ActuationException(io.github.milvusautoscaler.core.ActuationException.Kind.UNAVAILABLE,
                "patch deployments.apps milvus/r-milvus-querynode failed after 3 attempts: HTTP 429");
        for (int s = 0; s <= 60; s += 15) { // ticks at 0, 15, 30, 45 and 60 s
            log.writeFailed(d(s, Reason.BELOW_MIN, 2, 3), throttled);
        }
        String first = "milvus/gone/queryNode write 2 -> 3 failed (UNAVAILABLE): patch deployments.apps"
                + " milvus/r-milvus-querynode failed after 3 attempts: HTTP 429";
        assertEquals(List.of(first, first + " (failing since 2026-01-05T10:00:00Z, 5 times)"), messages());
        log.writeFailed(d(75, Reason.BELOW_MIN, 2, 4), throttled);
        assertEquals(3, messages().size(), "other counts: said at once");
        log.writeSucceeded(d(90, Reason.BELOW_MIN, 2, 4));
        log.writeFailed(d(105, Reason.BELOW_MIN, 2, 4), throttled);
        assertEquals(4, messages().size(), "after a write that landed: said at once");
        assertTrue(messages().get(3).endsWith("HTTP 429"), messages().get(3));
    }

    /**
     * A target unreadable while the API server fails every call is said at DEBUG: ApiReachability's line says the
     * server is down, and each of 100 targets' own WARN came on top of it (recheck 105, F3). Once the server answers,
     * a target that stays unreadable is said again.
     */
    @Test
    void anUnreadableTargetIsLeftToTheServersLineWhileTheServerIsDown() {
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
        DecisionLogger log = new DecisionLogger(() -> true, down::get);
        log.record(d(0, Reason.TARGET_UNAVAILABLE, null, null));
        assertEquals(List.of(), messages().stream().filter(m -> m.contains("TARGET_UNAVAILABLE")).toList());
        down.set(false);
        log.record(d(60, Reason.TARGET_UNAVAILABLE, null, null));
        assertEquals(1, messages().stream().filter(m -> m.contains("TARGET_UNAVAILABLE")).count(), messages().toString());
    }

    /**
     * A contested stand-back (another writer keeps the count for an hour) is said once, where an unreadable target is
     * said every minute (recheck 66, F2: 60 WARNs an hour); after a tick that is not unavailable, a new stand-back is
     * said again.
     */
    @Test
    void aContestedStandBackIsSaidOnce() {
        DecisionLogger log = new DecisionLogger(() -> true);
        java.util.function.IntFunction<Decision> contested = at -> new Decision(T, T0.plusSeconds(at), Action.HOLD,
                null, null, Reason.TARGET_UNAVAILABLE, "queryNode " + CountOwnership.CONTESTED + ": two writers set"
                + " .spec.replicas", Map.of(), false);
        for (int s = 0; s <= 600; s += 15) {
            log.standingBack(T); // as the engine says it of each contested tick before recording its decision
            log.record(contested.apply(s));
        }
        assertEquals(1, messages().size(), messages().toString());
        log.record(new Decision(T, T0.plusSeconds(3600), Action.SCALE_OUT, 2, 4, Reason.SIGNAL_HIGH, "2 -> 4", Map.of(),
                false).asWritten());
        log.standingBack(T);
        log.record(contested.apply(3700));
        assertEquals(3, messages().size(), messages().toString());
        assertTrue(messages().get(2).contains("TARGET_UNAVAILABLE: queryNode target unavailable (contested)"),
                messages().toString());
    }

    @Test
    void actionsAlwaysBlockedOnChangeHoldsNever() {
        DecisionLogger log = new DecisionLogger(() -> false);
        log.record(d(0, Reason.IN_BAND, 3, 3));
        log.record(d(15, Reason.SETTLING, 3, 3));
        log.record(d(30, Reason.SETTLING, 3, 3));
        log.record(new Decision(T, T0.plusSeconds(45), Action.SCALE_IN, 3, 2, Reason.SIGNALS_LOW, "3 -> 2", Map.of(),
                false));
        List<String> m = messages();
        assertEquals(2, m.size(), m.toString());
        assertTrue(m.get(0).contains("blocked SETTLING"), m.toString());
        assertTrue(m.get(1).contains("SCALE_IN 3 -> 2") && m.get(1).contains("[follower, not written]"), m.toString());
    }

    /**
     * A scale not written, the same at every tick (a follower while no replica can take the Lease), is said once a
     * minute: recheck 91 saw "SCALE_IN 6 -> 5 ABOVE_MAX [follower, not written]" at every 5 s tick. Another action
     * or count is said at once, and a written scale always.
     */
    @Test
    void theSameScaleNotWrittenIsSaidOnceAMinute() {
        DecisionLogger log = new DecisionLogger(() -> false);
        java.util.function.BiFunction<Integer, Integer, Decision> stepDown = (at, to) -> new Decision(T,
                T0.plusSeconds(at), Action.SCALE_IN, 6, to, Reason.ABOVE_MAX, "6 replicas above max-replicas 5 at " + at,
                Map.of(), false).notWritten("a follower; the replica holding the Lease writes");
        for (int s = 0; s <= 55; s += 5) {
            log.record(stepDown.apply(s, 5));
        }
        assertEquals(1, messages().size(), messages().toString());
        log.record(stepDown.apply(60, 5)); // a minute on: said again
        log.record(stepDown.apply(65, 4)); // another count: said at once
        assertEquals(3, messages().size(), messages().toString());
        assertTrue(messages().get(2).contains("SCALE_IN 6 -> 4 ABOVE_MAX [follower, not written]"), messages().toString());
        new DecisionLogger(() -> true).record(stepDown.apply(70, 4).asWritten());
        log.record(stepDown.apply(70, 4).asWritten()); // written: always said
        assertEquals(5, messages().size(), messages().toString());
    }

    /**
     * Every line a dry-run daemon logs is marked [dry-run] (README), a blocked action's and an unreadable target's
     * too, and a dry-run follower's blocked action is dry-run rather than "[follower, not written]".
     */
    @Test
    void aDryRunDaemonsLinesAreAllMarked() {
        DecisionLogger log = new DecisionLogger(() -> false);
        log.record(d(0, Reason.SETTLING, 3, 3).asDryRun());
        log.record(d(15, Reason.TARGET_UNAVAILABLE, null, null).asDryRun());
        log.record(new Decision(T, T0.plusSeconds(30), Action.SCALE_IN, 3, 2, Reason.SIGNALS_LOW, "3 -> 2", Map.of(),
                false).asDryRun());
        List<String> m = messages();
        assertEquals(List.of("milvus/gone/queryNode blocked SETTLING [dry-run]: SETTLING message",
                "milvus/gone/queryNode TARGET_UNAVAILABLE [dry-run]: TARGET_UNAVAILABLE message",
                "milvus/gone/queryNode SCALE_IN 3 -> 2 SIGNALS_LOW [dry-run]: 3 -> 2"), m);
        // And as a field of each line, as the decision log has it: the JSON log's action, from and to were a written
        // scale's, "[dry-run]" only in the message (recheck 112, F5).
        assertEquals(List.of(true, true, true), lines.list.stream().map(e -> field(e, "dryRun")).toList());
        // A dry-run count never moves, so the same scale comes every tick: said once a minute, as an unwritten one is
        // (a scale-out to a scheduled floor was said every 15 s, recheck 106's remark).
        for (int s = 45; s <= 90; s += 15) {
            log.record(new Decision(T, T0.plusSeconds(s), Action.SCALE_IN, 3, 2, Reason.SIGNALS_LOW, "3 -> 2", Map.of(),
                    false).asDryRun());
        }
        assertEquals(4, messages().size(), "the tick at 90 s, a minute after the line at 30 s: " + messages());
        log.record(new Decision(T, T0.plusSeconds(105), Action.SCALE_IN, 3, 2, Reason.SIGNALS_LOW, "3 -> 2", Map.of(),
                false).asWritten());
        assertEquals(null, field(lines.list.get(lines.list.size() - 1), "dryRun"), "a written scale has no dryRun field");
    }

    /**
     * What a scale line says follows whether the write landed, not leadership at logging time: a
     * retried write that landed just before the Lease was lost is no "[follower, not written]", and
     * a leader's abandoned or failed write is "[not written]".
     */
    @Test
    void scaleLinesSayWhetherTheWriteLanded() {
        Decision scale = new Decision(T, T0, Action.SCALE_OUT, 3, 5, Reason.SIGNAL_HIGH, "3 -> 5", Map.of(), false);
        new DecisionLogger(() -> false).record(scale.asWritten());
        new DecisionLogger(() -> true).record(scale);
        List<String> m = messages();
        assertEquals(2, m.size(), m.toString());
        assertTrue(m.get(0).endsWith("SIGNAL_HIGH: 3 -> 5"), m.get(0));
        assertTrue(m.get(1).contains("SIGNAL_HIGH [not written]"), m.get(1));
    }

    /**
     * The mark follows the leadership the tick decided under, not the Lease at logging time (recheck 91, F4: the Lease
     * came 1 ms before the line, which read "[not written]" over "not written: a follower"); a decision its tick said
     * nothing of falls back to the Lease now.
     */
    @Test
    void theMarkIsTheTicksLeadershipNotTheLeaseAtLoggingTime() {
        boolean[] leadsNow = {true};
        DecisionLogger log = new DecisionLogger(() -> leadsNow[0]);
        Decision follower = new Decision(T, T0, Action.SCALE_IN, 6, 5, Reason.ABOVE_MAX, "6 -> 5", Map.of(), false)
                .notWritten("a follower; the replica holding the Lease writes");
        log.decidedAs(T, false);
        log.record(follower);
        leadsNow[0] = false;
        log.decidedAs(T, true);
        log.record(d(15, Reason.SETTLING, 6, 6));
        log.record(d(30, Reason.SCALE_IN_COOLDOWN, 6, 6));
        List<String> m = messages();
        assertEquals(List.of("milvus/gone/queryNode SCALE_IN 6 -> 5 ABOVE_MAX [follower, not written]: 6 -> 5; not"
                        + " written: a follower; the replica holding the Lease writes",
                "milvus/gone/queryNode blocked SETTLING: SETTLING message",
                "milvus/gone/queryNode blocked SCALE_IN_COOLDOWN [follower, not written]: SCALE_IN_COOLDOWN message"),
                m);
    }

    /** An alert's decision line has the alert names as a field of its own (JSON logs); another line has none. */
    @Test
    void anAlertDecisionLineNamesItsAlertsAsAField() {
        DecisionLogger log = new DecisionLogger(() -> true);
        log.record(new Decision(T, T0, Action.SCALE_OUT, 3, 4, Reason.ALERT_SCALE_OUT,
                io.github.milvusautoscaler.core.Message.of("alert MilvusSearchLatencyHigh firing"), Map.of(), false,
                true, List.of("MilvusSearchLatencyHigh", "MilvusQueryQueueBacklog")));
        log.record(d(15, Reason.SIGNAL_HIGH, 4, 5));
        assertEquals(2, lines.list.size(), messages().toString());
        assertEquals("MilvusSearchLatencyHigh,MilvusQueryQueueBacklog", field(lines.list.get(0), "alerts"));
        assertEquals(null, field(lines.list.get(1), "alerts"));
    }

    private static Object field(ILoggingEvent e, String key) {
        return e.getKeyValuePairs() == null ? null : e.getKeyValuePairs().stream().filter(kv -> kv.key.equals(key))
                .map(kv -> kv.value).findFirst().orElse(null);
    }

    /**
     * A target whose every signal stays UNKNOWN for a minute is one WARN, none while it lasts, and one line when a
     * signal is known again: a kube-state-metrics outage held four targets for 2m45s with no log line at all (fault
     * recheck F4).
     */
    @Test
    void allSignalsUnknownForAMinuteIsAWarnAndALineWhenItEnds() {
        DecisionLogger log = new DecisionLogger(() -> true);
        for (int s = 0; s <= 150; s += 15) {
            log.record(d(s, Reason.ALL_SIGNALS_UNKNOWN, 3, 3));
            assertEquals(s < 60 ? 0 : 1, lines.list.size(), "at " + s + " s: " + messages());
        }
        log.record(d(165, Reason.IN_BAND, 3, 3));
        log.record(d(180, Reason.IN_BAND, 3, 3));
        assertEquals(2, lines.list.size(), messages().toString());
        assertEquals(ch.qos.logback.classic.Level.WARN, lines.list.get(0).getLevel());
        assertTrue(messages().get(0).startsWith("milvus/gone/queryNode ALL_SIGNALS_UNKNOWN: ALL_SIGNALS_UNKNOWN"
                + " message; no signal moves it until one is known again (min-replicas, max-replicas, a scheduled floor,"
                + " an alert or fallback.mode = scale-out still can)"), messages().toString());
        assertEquals("milvus/gone/queryNode signals known again after 2m45s of ALL_SIGNALS_UNKNOWN", messages().get(1));
    }

    /** A pause that changes hands between ticks is said again, with the new holder; the same pause is said once. */
    @Test
    void aPauseIsSaidAgainWhenItsHolderChanges() {
        DecisionLogger log = new DecisionLogger(() -> true);
        String run = "queryNode paused by root@vm: scale --to 3 since 2026-12-05T15:33:00Z (the pause or scale command)";
        String hand = "queryNode paused by an annotation on the object (milvus-autoscaler.io/queryNode.paused, ...)";
        log.record(new Decision(T, T0, Action.HOLD, 3, 3, Reason.PAUSED, run, Map.of(), false));
        log.record(new Decision(T, T0.plusSeconds(15), Action.HOLD, 3, 3, Reason.PAUSED, run, Map.of(), false));
        log.record(new Decision(T, T0.plusSeconds(30), Action.HOLD, 3, 3, Reason.PAUSED, hand, Map.of(), false));
        assertEquals(2, messages().size(), messages().toString());
        assertTrue(messages().get(1).endsWith(hand), messages().get(1));
    }

    /**
     * A pause that goes on across a reload that renamed its target (the other install of its name added:
     * {@code milvus/gone/queryNode} -> {@code milvus/gone@operator/queryNode}) is one line, not a second for the new id.
     */
    @Test
    void aPauseAcrossARenameIsSaidOnce() {
        DecisionLogger log = new DecisionLogger(() -> true);
        Target renamed = T.withNameShared();
        String run = "queryNode paused by root@vm: scale --to 3 since 2026-12-05T15:33:00Z (the pause or scale command)";
        log.record(new Decision(T, T0, Action.HOLD, 3, 3, Reason.PAUSED, run, Map.of(), false));
        log.renamed(T, renamed);
        log.record(new Decision(renamed, T0.plusSeconds(15), Action.HOLD, 3, 3, Reason.PAUSED, run, Map.of(), false));
        assertEquals(1, messages().size(), messages().toString());
        log.record(new Decision(renamed, T0.plusSeconds(30), Action.HOLD, 3, 3, Reason.SETTLING, "settling", Map.of(),
                false));
        // the lift said under the new id, then the block that follows it
        assertEquals(3, messages().size(), messages().toString());
        assertTrue(messages().get(1).startsWith(renamed.id() + " pause lifted; now SETTLING: settling"), messages().get(1));
    }

    /**
     * The end of a pause is said once, with what the daemon does now: it was said nowhere, and only status polls
     * showed when the daemon took the target back and its step-down sustain began (recheck 60, F3).
     */
    @Test
    void aLiftedPauseIsSaidOnceWithWhatFollows() {
        DecisionLogger log = new DecisionLogger(() -> true);
        String hand = "queryNode paused by an annotation on the object, not by the pause or scale command; lift it with:"
                + " kubectl -n milvus annotate deployment my-release-milvus-querynode milvus-autoscaler.io/paused-";
        log.record(new Decision(T, T0, Action.HOLD, 6, 6, Reason.PAUSED, hand, Map.of(), false));
        log.record(new Decision(T, T0.plusSeconds(15), Action.HOLD, 6, 6, Reason.PAUSED, hand, Map.of(), false));
        log.record(d(30, Reason.SUSTAINING_LOW, 6, 6));
        log.record(d(45, Reason.SUSTAINING_LOW, 6, 6));
        List<String> said = messages();
        assertEquals(2, said.size(), said.toString());
        assertEquals(T.id() + " pause lifted; now SUSTAINING_LOW: SUSTAINING_LOW message (a pause restarts the scale-in"
                + " sustain, so a step-down waits a whole sustain from here)", said.get(1));
    }

    /**
     * A tick of every signal UNKNOWN right after a scale-out (per-pod signals read "3 of 5 ready pods reporting" until
     * the new pods' first rate) says nothing: it warned after every scale-out, 16 lines an hour over two replicas
     * (fault recheck 2).
     */
    @Test
    void aTickOrTwoOfEverySignalUnknownSaysNothing() {
        DecisionLogger log = new DecisionLogger(() -> true);
        log.record(d(0, Reason.ALL_SIGNALS_UNKNOWN, 5, 5));
        log.record(d(15, Reason.ALL_SIGNALS_UNKNOWN, 5, 5));
        log.record(d(30, Reason.IN_BAND, 5, 5));
        log.record(d(45, Reason.ALL_SIGNALS_UNKNOWN, 5, 5));
        log.record(d(60, Reason.IN_BAND, 5, 5));
        assertEquals(List.of(), messages());
    }

    /**
     * A hold of another rule while every signal is still unknown (a rollout began during a data outage) does not end
     * the stretch: it said "signals known again" while none was (fault recheck 2).
     */
    @Test
    void aRolloutHoldWithEverySignalUnknownDoesNotEndTheStretch() {
        DecisionLogger log = new DecisionLogger(() -> true);
        for (int s = 0; s <= 60; s += 15) {
            log.record(d(s, Reason.ALL_SIGNALS_UNKNOWN, 3, 3));
        }
        log.record(new Decision(T, T0.plusSeconds(75), Action.HOLD, 3, 3, Reason.ROLLOUT, "rollout",
                Map.of("cpu", new io.github.milvusautoscaler.core.SignalReading(java.util.OptionalDouble.empty(),
                        io.github.milvusautoscaler.core.SignalState.UNKNOWN)), false));
        log.record(d(90, Reason.ALL_SIGNALS_UNKNOWN, 3, 3));
        assertEquals(1, messages().stream().filter(m -> m.contains("ALL_SIGNALS_UNKNOWN:")).count(), messages().toString());
        assertEquals(0, messages().stream().filter(m -> m.contains("signals known again after")).count(),
                messages().toString());
    }
}
