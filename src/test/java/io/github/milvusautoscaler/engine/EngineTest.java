package io.github.milvusautoscaler.engine;

import io.github.milvusautoscaler.core.LeaderGate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.MetricsSource;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.policy.AlertSettings;
import io.github.milvusautoscaler.policy.FallbackSettings;
import io.github.milvusautoscaler.policy.Policy;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.ScaleInSettings;
import io.github.milvusautoscaler.policy.ScaleOutSettings;
import io.github.milvusautoscaler.policy.SignalPolicy;
import io.github.milvusautoscaler.testsupport.Poll;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.github.milvusautoscaler.testsupport.FakeCluster;
import io.github.milvusautoscaler.testsupport.FakeMetrics;
import org.junit.jupiter.api.Test;

/** The engine with hand-written fakes: script the cluster and the signals, tick, check the writes. */
public class EngineTest {

    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    static final Target A = new Target("milvus", "a", Component.QUERY_NODE, InstallKind.OPERATOR);
    static final Target B = new Target("milvus", "b", Component.QUERY_NODE, InstallKind.HELM);

    /** cpu band [0.40, 0.75]; scale-out sustain 0 so one HIGH tick acts. */
    public static Policy policy() {
        return new Policy(new PolicySettings(1, 10,
                new ScaleOutSettings(Duration.ZERO, Duration.ofMinutes(3), 2, 1.5),
                new ScaleInSettings(Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofMinutes(15),
                        Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofMinutes(30)),
                List.of(SignalPolicy.band("cpu", 0.75, 0.40)), new AlertSettings(1, Duration.ofMinutes(5)),
                new FallbackSettings(Duration.ofMinutes(10), FallbackSettings.Mode.HOLD, 2)));
    }

    final ManualClock clock = new ManualClock(T0);
    final FakeCluster cluster = new FakeCluster();
    final FakeMetrics metrics = new FakeMetrics();
    final List<Decision> recorded = new ArrayList<>();

    /** A person scales {@code t} to {@code n} (kubectl scale) and the next tick, 15 s on, runs. */
    void scaledByHandThenTicked(Engine e, Target t, int n) {
        cluster.personScales(t, n);
        clock.advance(Duration.ofSeconds(15));
        e.tick(new EngineTarget(t, policy()));
    }

    Engine engine(LeaderGate leader, boolean dryRun, int budget) {
        return new Engine(clock, metrics, cluster, recorded::add, leader, AlertSource.NONE, new ActionBudget(budget),
                dryRun, EngineListener.NONE);
    }

    /**
     * A reload that changes what a signal measures (its query) starts the scale-in sustain again: cpu LOW (0.20) for
     * 10m of the 10m sustain steps 3 -> 2 when the query stayed, and holds SUSTAINING_LOW "over 0s" when the last
     * tick's query is another one; the old query's averages are no evidence about the new (reload audit F1: a query
     * fixed after reading 0 stepped down twice on in-band readings).
     */
    @Test
    void aChangedQueryStartsTheScaleInSustainAgain() {
        Map<String, String> before = Map.of("cpu", "vector(0) | per-pod true | may-be-negative false");
        Map<String, String> after = Map.of("cpu", "sum(rate(x[2m])) | per-pod true | may-be-negative false");
        assertEquals(Reason.SIGNALS_LOW, afterTenLowMinutes(before, before).reason());
        Decision changed = afterTenLowMinutes(before, after);
        assertEquals(Reason.SUSTAINING_LOW, changed.reason(), changed.message().text());
        assertTrue(changed.message().text().contains(" over 0s of 10m sustain"), changed.message().text());
        // A tick of a target built without its queries (measures unknown) changes nothing.
        assertEquals(Reason.SIGNALS_LOW, afterTenLowMinutes(before, Map.of()).reason());
    }

    private Decision afterTenLowMinutes(Map<String, String> measures, Map<String, String> last) {
        ManualClock at = new ManualClock(T0);
        FakeMetrics low = new FakeMetrics();
        low.cpu.put(A, 0.20);
        Engine e = new Engine(at, low, new FakeCluster(), d -> { }, LeaderGate.always(), AlertSource.NONE,
                new ActionBudget(30), false, EngineListener.NONE);
        for (int i = 0; i < 40; i++) {
            e.tick(new EngineTarget(A, policy(), measures));
            at.advance(Duration.ofSeconds(15));
        }
        return e.tick(new EngineTarget(A, policy(), last));
    }

    @Test
    void leaderWritesOnceAndRecordsEveryTick() {
        Engine e = engine(LeaderGate.always(), false, 30);
        metrics.cpu.put(A, 0.82);
        Decision d = e.tick(new EngineTarget(A, policy()));
        // ceil(3 x 0.82/0.575) = 5.
        assertEquals(Reason.SIGNAL_HIGH, d.reason());
        assertEquals(List.of("a:3->5"), cluster.writes);
        clock.advance(Duration.ofSeconds(15));
        metrics.cpu.put(A, 0.60);
        assertEquals(Reason.IN_BAND, e.tick(new EngineTarget(A, policy())).reason());
        assertEquals(1, cluster.writes.size(), "HOLD writes nothing");
        assertEquals(2, recorded.size(), "one decision per tick, HOLD included");
    }

    /**
     * A component someone stopped (0 replicas) stays stopped under load and an hour of ticks, as Kubernetes' HPA
     * leaves a target at zero; once a person scales it up, the daemon decides on its signals again.
     */
    @Test
    void aStoppedComponentIsNotStartedUntilAPersonScalesItUp() {
        Engine e = engine(LeaderGate.always(), false, 30);
        cluster.personScales(A, 0);
        metrics.cpu.put(A, 0.95);
        for (int i = 0; i < 240; i++) {
            assertEquals(Reason.SCALED_TO_ZERO, e.tick(new EngineTarget(A, policy())).reason());
            clock.advance(Duration.ofSeconds(15));
        }
        assertEquals(List.of(), cluster.writes, "nothing written while stopped");
        cluster.personScales(A, 2);
        // Taken back: decided on its signals again, first waiting the scale-out cooldown for the two new replicas.
        assertEquals(Reason.SCALE_OUT_COOLDOWN, e.tick(new EngineTarget(A, policy())).reason());
        clock.advance(Duration.ofMinutes(3));
        Decision back = e.tick(new EngineTarget(A, policy()));
        assertEquals(Reason.SIGNAL_HIGH, back.reason(), back.toString());
        assertEquals(List.of("a:2->4"), cluster.writes);
    }

    @Test
    void followerDecidesButNeverWrites() {
        Engine e = engine(() -> false, false, 30);
        metrics.cpu.put(A, 0.82);
        Decision d = e.tick(new EngineTarget(A, policy()));
        assertEquals(Reason.SIGNAL_HIGH, d.reason());
        assertTrue(cluster.writes.isEmpty());
        assertFalse(e.views().get(A).leader());
        assertNull(e.views().get(A).state().lastScaleOut(), "a follower remembers no action it did not write");
        assertFalse(d.written());
        assertTrue(d.message().text().endsWith("; not written: a follower; the replica holding the Lease writes"),
                d.message().text());
    }

    /**
     * The engine tells its listeners the leadership a decision was made under before recording it: a Lease taken
     * after the tick read it (here, as the sink records) does not make a follower's decision a leader's (recheck 91,
     * F4).
     */
    @Test
    void aDecisionIsToldAsDecidedUnderTheTicksLeadership() {
        java.util.concurrent.atomic.AtomicBoolean leads = new java.util.concurrent.atomic.AtomicBoolean(false);
        List<String> told = new ArrayList<>();
        Engine e = new Engine(clock, metrics, cluster, d -> {
            told.add("record " + d.written());
            leads.set(true); // the Lease arrives while the decision is being recorded
        }, leads::get, AlertSource.NONE, new ActionBudget(30), false, new EngineListener() {
            @Override
            public void decidedAs(Target target, boolean leader) {
                told.add(target.id() + " as leader " + leader);
            }
        });
        metrics.cpu.put(A, 0.82);
        e.tick(new EngineTarget(A, policy()));
        assertEquals(List.of(A.id() + " as leader false", "record false"), told);
        clock.advance(Duration.ofSeconds(15));
        e.tick(new EngineTarget(A, policy()));
        assertEquals(List.of(A.id() + " as leader true", "record true"), told.subList(2, 4));
    }

    /**
     * A replica that led at its last tick and leads no more says so in its not-written record: a replica thawed after
     * another took its Lease recorded a SCALE_OUT with {@code "written": false} and no cause (recheck 47, R1).
     */
    @Test
    void aReplicaThatLostTheLeaseSaysWhyItsScaleWasNotWritten() {
        java.util.concurrent.atomic.AtomicBoolean leads = new java.util.concurrent.atomic.AtomicBoolean(true);
        Engine e = engine(leads::get, false, 30);
        assertEquals(Action.HOLD, e.tick(new EngineTarget(A, policy())).action());
        leads.set(false);
        metrics.cpu.put(A, 0.82);
        clock.advance(Duration.ofSeconds(15));
        Decision d = e.tick(new EngineTarget(A, policy()));
        assertEquals(Reason.SIGNAL_HIGH, d.reason());
        assertFalse(d.written());
        assertTrue(cluster.writes.isEmpty());
        assertTrue(d.message().text().endsWith("; not written: this replica led at its last tick and holds the Lease no"
                + " more (its renewal lapsed or another replica took it); the leader decides and writes"),
                d.message().text());
    }

    @Test
    void dryRunMarksDecisionsAndWritesNothing() {
        Engine e = engine(LeaderGate.always(), true, 30);
        metrics.cpu.put(A, 0.82);
        Decision d = e.tick(new EngineTarget(A, policy()));
        assertTrue(d.dryRun());
        assertEquals(5, d.to());
        assertTrue(cluster.writes.isEmpty());
    }

    /**
     * A dry run remembers its step-down as a written one would be (the scale-in cooldown runs from it) but still
     * expects the count it read, which nothing changed: it read its own unwritten 3 -> 2 as "raised outside
     * milvus-autoscaler 2 -> 3" and held its next step-down for delay-after-scale-out (recheck 21, N-F1). cpu 0.20
     * LOW for the 10m sustain on 3.
     */
    @Test
    void aDryRunDoesNotReadItsOwnStepDownAsACountRaisedOutsideIt() {
        Engine e = engine(LeaderGate.always(), true, 30);
        metrics.cpu.put(A, 0.20);
        Decision d = null;
        for (int i = 0; i <= 44 && (d == null || d.reason() != Reason.SIGNALS_LOW); i++) {
            d = e.tick(new EngineTarget(A, policy()));
            clock.advance(Duration.ofSeconds(15));
        }
        assertEquals(Reason.SIGNALS_LOW, d.reason(), d.message().text());
        assertTrue(d.dryRun() && cluster.writes.isEmpty(), d.toString());
        Decision next = e.tick(new EngineTarget(A, policy()));
        assertEquals(Reason.SCALE_IN_COOLDOWN, next.reason(), next.message().text());
        assertFalse(next.message().text().contains("outside"), next.message().text());
    }

    /**
     * A config reload that sets dry-run stops writes from that moment: a tick already past its decision sends
     * nothing, the next ticks decide as dry-run, and switched off again the engine writes (config audit C3: a
     * reload counted ok kept writing until a restart).
     */
    @Test
    void dryRunSwitchedWhileRunningStopsWritesFromThatMoment() {
        Engine[] engine = new Engine[1];
        boolean[] switchDuringObserve = {true};
        MetricsSource observing = (t, at) -> {
            if (switchDuringObserve[0]) {
                engine[0].setDryRun(true); // the reload lands while this tick reads Prometheus
            }
            return metrics.observe(t, at);
        };
        engine[0] = new Engine(clock, observing, cluster, recorded::add, LeaderGate.always(), AlertSource.NONE,
                new ActionBudget(30), false, EngineListener.NONE);
        Engine e = engine[0];
        metrics.cpu.put(A, 0.82);
        Decision cut = e.tick(new EngineTarget(A, policy()));
        assertEquals(Reason.SIGNAL_HIGH, cut.reason(), cut.toString());
        assertFalse(cut.written(), cut.toString());
        assertEquals(List.of(), cluster.writes, "decided before the switch, not sent after it");

        switchDuringObserve[0] = false;
        clock.advance(Duration.ofMinutes(4));
        Decision dry = e.tick(new EngineTarget(A, policy()));
        assertTrue(dry.dryRun(), dry.toString());
        assertEquals(List.of(), cluster.writes);

        e.setDryRun(false);
        clock.advance(Duration.ofMinutes(4));
        Decision writing = e.tick(new EngineTarget(A, policy()));
        assertFalse(writing.dryRun(), writing.toString());
        assertEquals(List.of("a:3->5"), cluster.writes, writing.toString());
    }

    /**
     * An alert that scaled out in dry-run scales out for real once dry-run is switched off: the dry-run tick kept it as
     * handled, and kept after the switch it never scaled out, however often Alertmanager re-sent it (config
     * recheck N1). A daemon started writing does the same (the control).
     */
    @Test
    void anAlertHandledInDryRunScalesOutOnceDryRunIsSwitchedOff() {
        ActiveAlert alert = new ActiveAlert("group/fp1/2026-01-05T09:59:00Z", "MilvusSearchLatencyHigh",
                ActiveAlert.AlertAction.SCALE_OUT, T0.minusSeconds(60));
        Engine e = new Engine(clock, metrics, cluster, recorded::add, LeaderGate.always(), (t, now) -> List.of(alert),
                new ActionBudget(30), true, EngineListener.NONE);
        metrics.cpu.put(A, 0.60); // in band: only the alert asks for more
        Decision dry = e.tick(new EngineTarget(A, policy()));
        assertEquals(Reason.ALERT_SCALE_OUT, dry.reason(), dry.toString());
        assertTrue(dry.dryRun());
        clock.advance(Duration.ofSeconds(15));
        assertNotEquals(Reason.ALERT_SCALE_OUT, e.tick(new EngineTarget(A, policy())).reason(), "handled, in dry-run");

        e.setDryRun(false);
        clock.advance(Duration.ofSeconds(15));
        Decision live = e.tick(new EngineTarget(A, policy()));
        assertEquals(Reason.ALERT_SCALE_OUT, live.reason(), live.toString());
        assertEquals(List.of("a:3->4"), cluster.writes);
    }

    /**
     * A tick whose write the switch to dry-run cut off says it is dry-run, so the decision log and the Event sink
     * (which posts no Event for a dry-run decision) read it as a dry-run daemon's (config recheck N2).
     */
    @Test
    void aTickCutOffByDryRunSaysDryRun() {
        Engine[] engine = new Engine[1];
        MetricsSource observing = (t, at) -> {
            engine[0].setDryRun(true);
            return metrics.observe(t, at);
        };
        engine[0] = new Engine(clock, observing, cluster, recorded::add, LeaderGate.always(), AlertSource.NONE,
                new ActionBudget(30), false, EngineListener.NONE);
        metrics.cpu.put(A, 0.82);
        Decision cut = engine[0].tick(new EngineTarget(A, policy()));
        assertTrue(cut.dryRun() && !cut.written(), cut.toString());
        assertEquals(cut, recorded.get(recorded.size() - 1), "the sinks get it as dry-run");
    }

    /**
     * README: dry-run "logs every decision (... "dryRun": true in the decision log)". A HOLD writes nothing either
     * way, but an SRE filtering the decision log by dryRun expects every decision of a dry-run daemon to say so: an
     * in-band HOLD, a blocked action and an unreadable target included. A writing daemon's HOLD stays false.
     */
    @Test
    void dryRunMarksEveryDecisionHoldIncluded() {
        Engine e = engine(LeaderGate.always(), true, 30);
        metrics.cpu.put(A, 0.60);
        Decision inBand = e.tick(new EngineTarget(A, policy()));
        assertEquals(Reason.IN_BAND, inBand.reason());
        assertTrue(inBand.dryRun(), inBand.toString());
        metrics.cpu.put(A, 0.82);
        clock.advance(Duration.ofSeconds(15));
        e.tick(new EngineTarget(A, policy()));
        clock.advance(Duration.ofSeconds(15));
        // Just after the dry-run scale-out to 5 (remembered, as the dry-run policy runs on): a cooldown HOLD.
        Decision blocked = e.tick(new EngineTarget(A, policy()));
        assertTrue(blocked.reason().blocksAction(), blocked.toString());
        assertTrue(blocked.dryRun(), blocked.toString());
        cluster.failRead.put(A, new ActuationException(ActuationException.Kind.NOT_FOUND, "gone"));
        clock.advance(Duration.ofSeconds(15));
        assertEquals(Reason.TARGET_UNAVAILABLE, e.tick(new EngineTarget(A, policy())).reason());
        assertEquals(List.of(), recorded.stream().filter(d -> !d.dryRun() || d.written()).toList(),
                "every decision dry-run, none written");
        assertTrue(cluster.writes.isEmpty());

        recorded.clear();
        cluster.failRead.clear();
        metrics.cpu.put(A, 0.60);
        Decision writing = engine(LeaderGate.always(), false, 30).tick(new EngineTarget(A, policy()));
        assertEquals(Reason.IN_BAND, writing.reason());
        assertFalse(writing.dryRun(), "a writing daemon's HOLD is no dry-run");
    }

    @Test
    void conflictRereadsAndRedecidesInsteadOfOverwriting() {
        Engine e = engine(LeaderGate.always(), false, 30);
        metrics.cpu.put(A, 0.82);
        // Between our read and our write a person scales to 6: our write (basis 3) gets 409.
        cluster.beforeWrite = () -> {
            cluster.beforeWrite = () -> { };
            cluster.personScales(A, 6);
        };
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport
                .CapturedLogs.of(Engine.class)) {
            Decision d = e.tick(new EngineTarget(A, policy()));
            // Re-read and re-decided on the person's 6 replicas instead of overwriting them with 5: the ready
            // count just rose from 3 to 6 and cpu (a rate) still shows the old 3, so the policy waits.
            assertEquals(6, d.from());
            assertEquals(6, d.to());
            assertEquals(Reason.SCALE_OUT_COOLDOWN, d.reason());
            assertTrue(cluster.writes.isEmpty(), "nothing overwritten: " + cluster.writes);
            // Said now: the next tick compares with the re-read 6, and the move was said nowhere (recheck 106, F1).
            assertEquals(List.of("milvus/a/queryNode: replicas changed outside milvus-autoscaler between this tick's"
                    + " read and its write: 3 -> 6 (an edit or apply of the Milvus resource); its write 3 -> 5 was"
                    + " refused (409 Conflict) and it decides again on the new count"), logs.warnings());
        }
        clock.advance(java.time.Duration.ofSeconds(15));
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport
                .CapturedLogs.of(Engine.class)) {
            e.tick(new EngineTarget(A, policy()));
            assertEquals(List.of(), logs.warnings(), "said once");
        }
    }

    /**
     * The operator writes a Milvus object's status (and the deployment controller a Deployment's) as pods turn ready:
     * the resourceVersion moves, the count does not. Two such writes between reads and writes still land the
     * scale-out this tick; a fourth conflict in a row fails it, named, for the next tick to try again.
     */
    @Test
    void statusWritesBetweenReadAndWriteAreReadAgainUpToThreeTimes() {
        Engine e = engine(LeaderGate.always(), false, 30);
        metrics.cpu.put(A, 0.82);
        int[] statusWrites = {2};
        cluster.beforeWrite = () -> {
            if (statusWrites[0]-- > 0) {
                cluster.personScales(A, cluster.replicas.getOrDefault(A, 3)); // same count, new resourceVersion
            }
        };
        Decision d = e.tick(new EngineTarget(A, policy()));
        assertEquals(Reason.SIGNAL_HIGH, d.reason());
        assertTrue(d.written(), d.toString());
        assertEquals(List.of("a:3->5"), cluster.writes);

        metrics.cpu.put(B, 0.82);
        cluster.beforeWrite = () -> cluster.personScales(B, cluster.replicas.getOrDefault(B, 3));
        Decision refused = e.tick(new EngineTarget(B, policy()));
        assertFalse(refused.written(), refused.toString());
        assertEquals(List.of("a:3->5"), cluster.writes);
        assertTrue(e.views().get(B).problem().contains("stale resourceVersion"), e.views().get(B).problem());
    }

    /**
     * A count that moved between two of the leader's ticks is said: by someone else (kubectl scale, a helm upgrade
     * resetting the chart's replicas), or by a write of its own that landed after its tick gave up on it (its id on
     * the object). Its own write, recorded as written, is not (daemon e2e audit F1, F7).
     */
    /**
     * On a Helm release a drop to 1 is what the first helm upgrade with queryNode.replicas: -1 does once (the chart
     * leaves spec.replicas out: milvus-helm templates/querynode-deployment.yaml writes it only
     * {@code if ge (int .Values.queryNode.replicas) 0}, values.yaml "-1 to remove the replicas field in case you want to
     * use HPA"; Kubernetes defaults a Deployment's missing spec.replicas to 1): the WARN says so, where it told the SRE to set -1, which
     * had just been done (recheck 61's remark); another change still gives the advice.
     */
    @Test
    void aHelmDropToOneSaysWhatSettingReplicasMinusOneDoesOnce() {
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(Engine.class)) {
            Engine e = engine(LeaderGate.always(), false, 30);
            metrics.cpu.put(B, 0.60);
            e.tick(new EngineTarget(B, policy()));
            scaledByHandThenTicked(e, B, 1);
            assertEquals(1, logs.warnings().size(), logs.warnings().toString());
            assertTrue(logs.warnings().get(0).endsWith("; a drop to 1 is also what the first helm upgrade with"
                    + " queryNode.replicas: -1 does once (the chart leaves spec.replicas out and Kubernetes defaults it"
                    + " to 1), after which the count is the autoscaler's"), logs.warnings().get(0));
            logs.clear();
            scaledByHandThenTicked(e, B, 4);
            assertTrue(logs.warnings().get(0).endsWith("; a release that keeps the count to the autoscaler sets"
                    + " queryNode.replicas: -1 in its values (README, Install kinds)"), logs.warnings().toString());
        }
    }

    @Test
    void aCountThatMovedBetweenTicksIsSaidWithWhoMovedIt() {
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(Engine.class)) {
            Engine e = engine(LeaderGate.always(), false, 30);
            metrics.cpu.put(A, 0.82);
            assertTrue(e.tick(new EngineTarget(A, policy())).written()); // 3 -> 5, its own
            clock.advance(Duration.ofSeconds(15));
            metrics.cpu.put(A, 0.60);
            e.tick(new EngineTarget(A, policy()));
            assertEquals(List.of(), logs.warnings(), "its own write is no change to explain");

            scaledByHandThenTicked(e, A, 2);
            String cooldown = io.github.milvusautoscaler.core.Durations.human(policy().settings().scaleIn().cooldown());
            assertEquals(List.of("milvus/a/queryNode: replicas changed outside milvus-autoscaler since its last tick:"
                    + " 5 -> 2 (an edit or apply of the Milvus resource); it decides on the new count, with no further step-down for the scale-in cooldown ("
                    + cooldown + ") as after a step-down of its own; milvus-autoscaler pause holds a count for good"),
                    logs.warnings());

            // Its own write, sent at a tick that had no answer, lands after the tick gave up on it.
            logs.clear();
            metrics.cpu.put(A, 0.95);
            cluster.answerNoWrite = true;
            clock.advance(Duration.ofMinutes(5));
            assertFalse(e.tick(new EngineTarget(A, policy())).written());
            cluster.answerNoWrite = false;
            cluster.landsLate(A, 4, io.github.milvusautoscaler.core.Direction.UP, clock.instant());
            String id = cluster.unanswered.get(0);
            logs.clear();
            metrics.cpu.put(A, 0.60);
            clock.advance(Duration.ofSeconds(15));
            e.tick(new EngineTarget(A, policy()));
            assertEquals(List.of("milvus/a/queryNode: replicas 2 -> 4: a write of milvus-autoscaler's (id " + id + ")"
                    + " landed after its tick stopped waiting for it (a lost answer or an abandoned retry); its decision"
                    + " was logged as not written"), logs.warnings());

            // A write with an id this daemon never sent is another install's (recheck 49, F3: a dry-run shadow took
            // each of the writing install's writes for its own lost one).
            logs.clear();
            cluster.anotherInstallWrites(A, 6, clock.instant(), "w-other");
            clock.advance(Duration.ofSeconds(15));
            e.tick(new EngineTarget(A, policy()));
            assertEquals(List.of("milvus/a/queryNode: replicas 4 -> 6 by a milvus-autoscaler write (id w-other) this"
                    + " daemon did not send: another install of milvus-autoscaler scales this target too (a second"
                    + " deployment, or the writing twin of a dry-run one); it decides on the new count as after a write"
                    + " of its own (said once an hour per target; the rest at debug)"), logs.warnings());

            // Its next write within the hour is not said again (recheck 52, R3: a dry-run shadow said each).
            logs.clear();
            cluster.anotherInstallWrites(A, 7, clock.instant(), "w-other-2");
            clock.advance(Duration.ofSeconds(15));
            e.tick(new EngineTarget(A, policy()));
            assertEquals(List.of(), logs.warnings());

            // A scale run between two ticks is the scale command's, not another install's (recheck 56, F2).
            logs.clear();
            cluster.scaleCommandWrites(A, 8, clock.instant(), "w-scale");
            clock.advance(Duration.ofSeconds(15));
            e.tick(new EngineTarget(A, policy()));
            assertEquals(List.of(), logs.warnings());
            assertTrue(logs.messages().contains("milvus/a/queryNode: replicas 7 -> 8 by the scale command (a manual run"
                    + " between this daemon's ticks, write id w-scale); it decides on the new count as after a write of"
                    + " its own"), logs.messages().toString());
        }
    }

    /**
     * A raise by hand is said with what it now gets, the delay after a scale-out and the way to hold a count for good,
     * and the next tick holds its step-down on it (fault recheck F6: a raise 6 -> 9 at low load was undone 69 s
     * later).
     */
    @Test
    void aRaiseByHandIsSaidWithTheDelayItGetsAndHoldsTheStepDown() {
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(Engine.class)) {
            Engine e = engine(LeaderGate.always(), false, 30);
            metrics.cpu.put(A, 0.10);
            e.tick(new EngineTarget(A, policy()));
            scaledByHandThenTicked(e, A, 6);
            String delay = io.github.milvusautoscaler.core.Durations.human(policy().settings().scaleIn()
                    .delayAfterScaleOut());
            assertEquals(List.of("milvus/a/queryNode: replicas changed outside milvus-autoscaler since its last tick:"
                    + " 3 -> 6 (an edit or apply of the Milvus resource); it decides on the new count, with no step-down"
                    + " for delay-after-scale-out (" + delay + ") as after a scale-out of its own; milvus-autoscaler"
                    + " pause holds a count for good"),
                    logs.warnings());
            // Past the 10m sustain, short of the delay: held, and why.
            Decision held = null;
            for (int tick = 0; tick < 4 * 12; tick++) {
                clock.advance(Duration.ofSeconds(15));
                held = e.tick(new EngineTarget(A, policy()));
                assertEquals(6, held.to(), held.toString());
            }
            assertEquals(io.github.milvusautoscaler.core.Reason.SCALE_IN_DELAY_AFTER_SCALE_OUT, held.reason(),
                    held.toString());
            assertTrue(held.message().text().startsWith("queryNode raised outside milvus-autoscaler 3 -> 6 12m ago"),
                    held.message().text());
        }
    }

    /**
     * A write of ours that landed after its tick gave up on it gave its budget slot back then; once its id is seen on
     * the object it counts again, so with max-actions-per-hour 1 the next target's action waits (daemon e2e audit F1).
     */
    @Test
    void aWriteThatLandedLateCountsAgainstTheBudget() {
        Engine e = engine(LeaderGate.always(), false, 1);
        metrics.cpu.put(A, 0.95);
        cluster.answerNoWrite = true;
        assertFalse(e.tick(new EngineTarget(A, policy())).written());
        cluster.answerNoWrite = false;
        cluster.landsLate(A, 5, io.github.milvusautoscaler.core.Direction.UP, clock.instant());
        metrics.cpu.put(A, 0.60);
        clock.advance(Duration.ofSeconds(15));
        e.tick(new EngineTarget(A, policy()));
        metrics.cpu.put(B, 0.82);
        Decision b = e.tick(new EngineTarget(B, policy()));
        assertEquals(Reason.BUDGET_EXHAUSTED, b.reason(), b.message().text());
    }

    /**
     * Another install's write (an id this daemon never sent) is not charged to this one's budget: a dry-run shadow
     * beside a writing install counted each of its writes as a lost one of its own (recheck 49, F3).
     */
    @Test
    void anotherInstallsWriteIsNotChargedToTheBudget() {
        Engine e = engine(LeaderGate.always(), false, 1);
        metrics.cpu.put(A, 0.60);
        e.tick(new EngineTarget(A, policy()));
        cluster.anotherInstallWrites(A, 4, clock.instant(), "w-other");
        clock.advance(Duration.ofSeconds(15));
        e.tick(new EngineTarget(A, policy()));
        metrics.cpu.put(B, 0.82);
        Decision b = e.tick(new EngineTarget(B, policy()));
        assertEquals(Reason.SIGNAL_HIGH, b.reason(), b.message().text());
        assertTrue(b.written());
    }

    @Test
    void failedWriteIsRetriedNextTickWithoutACooldown() {
        Engine e = engine(LeaderGate.always(), false, 30);
        metrics.cpu.put(A, 0.82);
        cluster.failNextWrite = new ActuationException(ActuationException.Kind.UNAVAILABLE, "500 from API server");
        e.tick(new EngineTarget(A, policy()));
        assertTrue(cluster.writes.isEmpty());
        assertEquals("500 from API server", e.views().get(A).problem());
        clock.advance(Duration.ofSeconds(15));
        assertEquals(Reason.SIGNAL_HIGH, e.tick(new EngineTarget(A, policy())).reason());
        assertEquals(List.of("a:3->5"), cluster.writes);
    }

    @Test
    void unreadableTargetHoldsWithUnknownCountsAndOthersGoOn() {
        Engine e = engine(LeaderGate.always(), false, 30);
        cluster.failRead.put(A, new ActuationException(ActuationException.Kind.NOT_FOUND, "milvuses/a not found"));
        metrics.cpu.put(B, 0.82);
        Decision a = e.tick(new EngineTarget(A, policy()));
        assertEquals(Reason.TARGET_UNAVAILABLE, a.reason());
        assertNull(a.from());
        assertTrue(a.message().text().contains("not found"), a.message().text());
        assertFalse(a.message().text().contains("it was read at"), "never read: the actuator's checks alone");
        assertEquals(Reason.SIGNAL_HIGH, e.tick(new EngineTarget(B, policy())).reason());
    }

    /**
     * An object not found and then found again is a new one (deleted and recreated, or its owner renamed): what the
     * policy remembered of the old one does not decide for it. Here a 10m scale-in sustain at cpu 0.10 had run 9m45s
     * when the object went for a minute; found again, it is said, and nothing steps down before a sustain of its own
     * (fault recheck F5: a recreated Deployment was scaled on its first tick, on a sustain that ran through 43 s of
     * its absence).
     */
    @Test
    void anObjectFoundAgainAfterNotFoundStartsThePolicysMemoryAgain() {
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(Engine.class)) {
            Engine e = engine(LeaderGate.always(), false, 30);
            sustainLowShortOfStepDown(e);
            cluster.failRead.put(A, new ActuationException(ActuationException.Kind.NOT_FOUND,
                    "deployments.apps \"a-milvus-querynode\" not found"));
            Instant lastRead = e.views().get(A).decision().time();
            for (int tick = 0; tick < 4; tick++) {
                Decision gone = e.tick(new EngineTarget(A, policy()));
                assertEquals(Reason.TARGET_UNAVAILABLE, gone.reason());
                // What happened first, then the actuator's checks (recheck 17, F2: only the config was named).
                assertEquals("queryNode target unavailable (not_found): it was read at " + lastRead + " and is gone"
                        + " since: deleted (helm uninstall, kubectl delete) or renamed by a chart upgrade, and until it"
                        + " is back nothing is written; deployments.apps \"a-milvus-querynode\" not found",
                        gone.message().text());
                clock.advance(Duration.ofSeconds(15));
            }
            cluster.failRead.clear();
            Decision first = e.tick(new EngineTarget(A, policy()));
            assertEquals(Reason.SUSTAINING_LOW, first.reason(), first.toString());
            assertTrue(first.message().text().contains("over 0s of 10m sustain"), first.message().text());
            assertEquals(List.of("milvus/a/queryNode: found at 3 replicas after 1m not found (created, deleted and"
                    + " recreated, or its owner renamed): the policy's timers and step-down memory start again, so it"
                    + " scales only on what it reads of this object"), logs.warnings());
            for (int tick = 0; tick < 39; tick++) {
                clock.advance(Duration.ofSeconds(15));
                assertEquals(Reason.SUSTAINING_LOW, e.tick(new EngineTarget(A, policy())).reason());
            }
            clock.advance(Duration.ofSeconds(15));
            assertEquals(Reason.SIGNALS_LOW, e.tick(new EngineTarget(A, policy())).reason(), "a sustain of its own");
        }
    }

    /**
     * An object found again with the uid it had before it read as not found was never gone (a 404 from an API server
     * whose CRD or aggregated API was briefly not served): the policy's memory of it holds, here a raise by hand 3 -> 6
     * whose delay-after-scale-out (15m) still holds the step-down once the 10m sustain has run again after the gap.
     * Started again, the memory would have stepped down 6 -> 5 at 11m.
     */
    @Test
    void anObjectFoundAgainWithItsOldUidKeepsThePolicysMemory() {
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(Engine.class)) {
            Engine e = engine(LeaderGate.always(), false, 30);
            cluster.uid.put(A, "7c1d0e52-same");
            metrics.cpu.put(A, 0.10);
            e.tick(new EngineTarget(A, policy()));
            scaledByHandThenTicked(e, A, 6);
            // The API server's NotFound text (apimachinery errors.NewNotFound: <resource>.<group> "<name>" not found),
            // while the uid the object is found again with stays the one it had (ObjectMeta.uid, set at creation).
            cluster.failRead.put(A, new ActuationException(ActuationException.Kind.NOT_FOUND,
                    "milvuses.milvus.io \"a\" not found"));
            for (int tick = 0; tick < 4; tick++) {
                clock.advance(Duration.ofSeconds(15));
                assertEquals(Reason.TARGET_UNAVAILABLE, e.tick(new EngineTarget(A, policy())).reason());
            }
            cluster.failRead.clear();
            Decision held = null;
            for (int tick = 0; tick < 4 * 11; tick++) {
                clock.advance(Duration.ofSeconds(15));
                held = e.tick(new EngineTarget(A, policy()));
                assertEquals(6, held.to(), held.toString());
            }
            assertEquals(Reason.SCALE_IN_DELAY_AFTER_SCALE_OUT, held.reason(), held.toString());
            assertEquals(1, logs.warnings().size(), "only the raise by hand is warned of: " + logs.warnings());
            assertTrue(logs.messages().contains("milvus/a/queryNode: found again at 6 replicas after 1m not found, the same"
                    + " object (uid 7c1d0e52-same): the policy's memory of it is kept"), logs.messages().toString());
        }
    }

    /**
     * A tick whose object could not be read read no signal either: the scale-in sustain's stretch ends as at an
     * UNKNOWN signal, so the first tick after a 30 s API outage does not step down on a 10m sustain whose last 30 s
     * nobody read; it sustains again from 0s. (Before, the stretch ran through the gap and stepped 3 -> 2 at once.)
     */
    @Test
    void aTickWhoseObjectCouldNotBeReadStartsTheScaleInSustainAgain() {
        Engine e = engine(LeaderGate.always(), false, 30);
        sustainLowShortOfStepDown(e);
        cluster.failRead.put(A, new ActuationException(ActuationException.Kind.UNAVAILABLE, "connection refused"));
        assertEquals(Reason.TARGET_UNAVAILABLE, e.tick(new EngineTarget(A, policy())).reason());
        clock.advance(Duration.ofSeconds(15));
        cluster.failRead.clear();
        Decision after = e.tick(new EngineTarget(A, policy()));
        assertEquals(Reason.SUSTAINING_LOW, after.reason(), after.toString());
        assertTrue(after.message().text().contains("over 0s of 10m sustain"), after.message().text());
    }

    /**
     * A scale the API refused is recorded with why it was not written, in the decision itself, so the decision line
     * and the decision log say it (fault recheck N4: only the metrics and the status page did).
     */
    @Test
    void aScaleNotWrittenSaysWhyInItsMessage() {
        Engine e = engine(LeaderGate.always(), false, 30);
        metrics.cpu.put(A, 0.82);
        cluster.failNextWrite = new ActuationException(ActuationException.Kind.FORBIDDEN,
                "patch deployments.apps/scale forbidden");
        Decision refused = e.tick(new EngineTarget(A, policy()));
        assertFalse(refused.written(), refused.toString());
        assertTrue(refused.message().text().endsWith("; not written: patch deployments.apps/scale forbidden"),
                refused.message().text());
        clock.advance(Duration.ofSeconds(15));
        Decision written = e.tick(new EngineTarget(A, policy()));
        assertTrue(written.written(), written.toString());
        assertFalse(written.message().text().contains("not written"), written.message().text());
    }

    /** cpu 0.10 for 40 ticks of 15 s: 9m45s of the policy's 10m scale-in sustain, one tick short of a step-down. */
    private void sustainLowShortOfStepDown(Engine e) {
        metrics.cpu.put(A, 0.10);
        for (int tick = 0; tick < 40; tick++) {
            assertEquals(Reason.SUSTAINING_LOW, e.tick(new EngineTarget(A, policy())).reason());
            clock.advance(Duration.ofSeconds(15));
        }
    }

    /**
     * An object deleted and recreated between two ticks, never read as missing: its new uid says it is a new one, and
     * the policy's memory starts again as after a not-found read (fault recheck 2, F5's remainder: it read as
     * "changed outside 2 -> 1" and the old object's timers went on).
     */
    @Test
    void anObjectWithANewUidStartsThePolicysMemoryAgain() {
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(Engine.class)) {
            Engine e = engine(LeaderGate.always(), false, 30);
            cluster.uid.put(A, "7c1d0e52-old");
            sustainLowShortOfStepDown(e);
            cluster.uid.put(A, "9f3b2a11-new");
            cluster.personScales(A, 3);
            clock.advance(Duration.ofSeconds(15));
            Decision first = e.tick(new EngineTarget(A, policy()));
            assertEquals(Reason.SUSTAINING_LOW, first.reason(), first.toString());
            assertTrue(first.message().text().contains("over 0s of 10m sustain"), first.message().text());
            assertEquals(List.of("milvus/a/queryNode: a new object since the last tick (uid 7c1d0e52-old -> 9f3b2a11-new:"
                    + " deleted and recreated) at 3 replicas: the policy's timers and step-down memory start again, so"
                    + " it scales only on what it reads of this object"), logs.warnings());
        }
    }

    @Test
    void globalBudgetHoldsTheSecondTargetsAction() {
        Engine e = engine(LeaderGate.always(), false, 1);
        metrics.cpu.put(A, 0.82);
        metrics.cpu.put(B, 0.82);
        e.tick(new EngineTarget(A, policy()));
        assertEquals(Reason.BUDGET_EXHAUSTED, e.tick(new EngineTarget(B, policy())).reason());
        // An hour later the first write has left the window.
        clock.advance(Duration.ofMinutes(61));
        assertEquals(Reason.SIGNAL_HIGH, e.tick(new EngineTarget(B, policy())).reason());
    }

    @Test
    void aHangingTargetDoesNotDelayTheOthers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger bTicks = new AtomicInteger();
        CountDownLatch bTickedThrice = new CountDownLatch(3);
        MetricsSource slow = new MetricsSource() {
            @Override
            public Observation observe(Target target, Instant at) {
                if (target.equals(A)) {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                } else {
                    bTicks.incrementAndGet();
                    bTickedThrice.countDown();
                }
                return metrics.observe(target, at);
            }
        };
        // The scheduler times its loops on the engine's manual clock: each 15 s advance fires both loops.
        Engine e = new Engine(clock, slow, cluster, d -> { }, LeaderGate.always(),
                AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE);
        try (Scheduler s = new Scheduler(e, Duration.ofSeconds(15), Duration.ZERO, 1);
             io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                     .of(Scheduler.class)) {
            s.update(List.of(new EngineTarget(A, policy()), new EngineTarget(B, policy())));
            // Both fired at once (first delay 0); each B tick is over before the clock moves on.
            for (int i = 1; i <= 3; i++) {
                if (i > 1) {
                    clock.advance(Duration.ofSeconds(15));
                }
                int expected = i;
                Poll.until("B's tick " + i + " done", Duration.ofSeconds(10), () -> bTicks.get() == expected
                        && !s.inFlight(B), done -> done);
            }
            assertTrue(bTickedThrice.await(10, TimeUnit.SECONDS), "B kept ticking while A hung");
            // A hung in its first tick through both advances: its second and third ticks were skipped, not stacked.
            assertEquals(2, s.overruns());
            // Said once a minute: the first skip (15 s into the hung tick), not the second 15 s later.
            assertEquals(List.of("milvus/a/queryNode: a tick due now is skipped: the previous one has run 15s and still"
                    + " waits on the API server, a kubeconfig credentials plugin's first token or Prometheus (each call is bounded by kubernetes.request-timeout and"
                    + " prometheus.timeout, with their retries)"), logs.warnings());
            // The interval as the config writes it (15s), not as java.time prints it (PT15S).
            assertTrue(logs.messages().contains("started loop for milvus/a/queryNode every 15s (first tick in 0 ms)"),
                    String.join("\n", logs.messages()));
            // With its target as a field, as a tick's lines (a JSON filter on target missed it: recheck 68).
            assertTrue(logs.events().stream().filter(line -> line.getFormattedMessage().startsWith("started loop for"))
                    .allMatch(line -> line.getKeyValuePairs() != null && line.getKeyValuePairs().stream()
                            .anyMatch(kv -> kv.key.equals("target") && kv.value.equals(line.getFormattedMessage()
                                    .split(" ")[3]))), "every start line carries its target");
            release.countDown();
        }
    }

    /**
     * After a stretch in which the process did not run, the fixed-rate timer fires every period it missed at once; one
     * tick is due then. A thawed daemon (SIGSTOP for 68 s) ran one and said of each of the rest, per target, that "a
     * tick due now is skipped: the previous one has run 0s", 16 WARNs in one millisecond (recheck 47, R4). Here the
     * clock jumps 60 s: the four periods it covers fire at once, one tick runs, none is counted skipped, and one line
     * says the timer was 45 s late.
     */
    @Test
    void aTimerFiringMissedPeriodsAtOnceRunsOneTick() throws Exception {
        AtomicInteger ticks = new AtomicInteger();
        MetricsSource counting = (target, at) -> {
            ticks.incrementAndGet();
            return metrics.observe(target, at);
        };
        Engine e = new Engine(clock, counting, cluster, d -> { }, LeaderGate.always(),
                AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE);
        try (Scheduler s = new Scheduler(e, Duration.ofSeconds(15), Duration.ZERO, 1);
             io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                     .of(Scheduler.class)) {
            s.update(List.of(new EngineTarget(A, policy())));
            Poll.until("the first tick done", Duration.ofSeconds(10), () -> ticks.get() == 1 && !s.inFlight(A),
                    done -> done);
            clock.advance(Duration.ofSeconds(60));
            Poll.until("the tick after the jump done", Duration.ofSeconds(10), () -> ticks.get() >= 2 && !s.inFlight(A),
                    done -> done);
            assertEquals(2, ticks.get(), "one tick for the four periods the jump covered");
            assertEquals(0, s.overruns(), "a missed period's catch-up is not a skipped tick");
            assertEquals(List.of("the tick timer fired 45s late: this process did not run meanwhile (stopped, its node"
                    + " suspended, or a long GC pause); each target ticks once now, the ticks it missed are not run"),
                    logs.warnings());
            // The schedule goes on from the jump: the next period is one tick.
            clock.advance(Duration.ofSeconds(15));
            Poll.until("the next tick done", Duration.ofSeconds(10), () -> ticks.get() >= 3 && !s.inFlight(A),
                    done -> done);
            assertEquals(3, ticks.get());
            assertEquals(1, logs.warnings().size());
        }
    }

    /**
     * A reload that changes a kept target's range shows in its view at once, not at its next tick (recheck 63: status
     * kept the old [1-10] for up to a tick interval while the log said the new range); its last decision stays.
     */
    @Test
    void aReloadedRangeIsInTheViewBeforeTheNextTick() throws Exception {
        Engine e = engine(LeaderGate.always(), false, 30);
        try (Scheduler s = new Scheduler(e, Duration.ofHours(1), Duration.ZERO, 1)) {
            s.update(List.of(new EngineTarget(A, policy())));
            Poll.until("the first tick done", Duration.ofSeconds(10), () -> e.views().containsKey(A) && !s.inFlight(A),
                    done -> done);
            Decision first = e.views().get(A).decision();
            PolicySettings before = policy().settings();
            Policy narrowed = new Policy(new PolicySettings(2, 6, before.scaleOut(), before.scaleIn(), before.signals(),
                    before.alerts(), before.fallback()));
            s.update(List.of(new EngineTarget(A, narrowed)));
            assertEquals(2, e.views().get(A).settings().minReplicas());
            assertEquals(6, e.views().get(A).settings().maxReplicas());
            assertEquals(first, e.views().get(A).decision(), "no tick ran: the hour-long interval has not passed");
        }
    }

    /**
     * A tick in flight when the process stopped is not a stalled tick: after the thaw the late timer is said, and the
     * tick due then is skipped without being counted or said as an overrun, where "the previous one has run 72s and
     * still waits on the API server" sent a person to a healthy API server (recheck 50, F1). A tick still hung a
     * period later is an overrun again.
     */
    @Test
    void aTickInFlightWhenTheProcessStoppedIsNoOverrun() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        Engine e = engineWhoseReadsWait(entered, release);
        try (Scheduler s = new Scheduler(e, Duration.ofSeconds(15), Duration.ZERO, 1);
             io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                     .of(Scheduler.class)) {
            s.update(List.of(new EngineTarget(A, policy())));
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            // A tick an alert asks for while the loop's own, started 5 s ago, runs is no overrun: it was counted and
            // said as "the previous one has run 5s and still waits on the API server" (recheck 77's remark).
            clock.advance(Duration.ofSeconds(5));
            s.tickNow(A);
            assertEquals(0, s.overruns());
            assertEquals(List.of(), logs.warnings());
            clock.advance(Duration.ofSeconds(70));
            assertEquals(0, s.overruns());
            assertEquals(List.of("the tick timer fired 1m late: this process did not run meanwhile (stopped, its node"
                    + " suspended, or a long GC pause); each target ticks once now, the ticks it missed are not run"),
                    logs.warnings());
            clock.advance(Duration.ofSeconds(15));
            assertEquals(1, s.overruns());
            assertTrue(logs.warnings().get(1).startsWith("milvus/a/queryNode: a tick due now is skipped: the previous"
                    + " one has run 90s"), logs.warnings().toString());
            release.countDown();
        }
    }

    /**
     * The timer's tick due while a tick an alert asked for still runs is that period's tick, not an overrun: an alert
     * 0.1 s before the timer made the timer's tick "skipped: the previous one has run 0s and still waits on the API
     * server" and counted it (recheck 109, F3). The same tick still running a period later is one.
     */
    @Test
    void aTimerTickDueWhileATickAnAlertAskedForRunsIsNoOverrun() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean hold = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Engine e = engineWhoseReadsWait(entered, release, hold::get);
        try (Scheduler s = new Scheduler(e, Duration.ofSeconds(15), Duration.ZERO, 1);
             io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                     .of(Scheduler.class)) {
            s.update(List.of(new EngineTarget(A, policy())));
            Poll.until("the first tick done", Duration.ofSeconds(10), () -> e.views().containsKey(A) && !s.inFlight(A),
                    done -> done);
            hold.set(true);
            clock.advance(Duration.ofMillis(14_900));
            s.tickNow(A);
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            clock.advance(Duration.ofMillis(100));
            assertEquals(0, s.overruns());
            assertEquals(List.of(), logs.warnings());
            clock.advance(Duration.ofSeconds(15));
            assertEquals(1, s.overruns());
            assertTrue(logs.warnings().get(0).startsWith("milvus/a/queryNode: a tick due now is skipped: the previous"
                    + " one has run 15s"), logs.warnings().toString());
            release.countDown();
        }
    }

    /** An engine whose metric reads count {@code entered} down and then wait for {@code release} (30 s at most). */
    private Engine engineWhoseReadsWait(CountDownLatch entered, CountDownLatch release) {
        return engineWhoseReadsWait(entered, release, () -> true);
    }

    /** As above, for the reads made while {@code holding} says so; the others read at once. */
    private Engine engineWhoseReadsWait(CountDownLatch entered, CountDownLatch release,
                                        java.util.function.BooleanSupplier holding) {
        MetricsSource waiting = (target, at) -> {
            if (holding.getAsBoolean()) {
                entered.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            return metrics.observe(target, at);
        };
        return new Engine(clock, waiting, cluster, d -> { }, LeaderGate.always(), AlertSource.NONE,
                new ActionBudget(30), false, EngineListener.NONE);
    }

    /**
     * A wall clock stepped forward (NTP correcting a drifted node) is no late timer: the timer keeps the monotonic
     * clock, so a 60 s step between two ticks says nothing of a process that did not run, and no tick is dropped as a
     * catch-up. Judged on the engine's clock, the step read as "the tick timer fired 1m late".
     */
    @Test
    void aWallClockStepIsNoLateTimer() throws Exception {
        java.util.concurrent.atomic.AtomicLong offsetMs = new java.util.concurrent.atomic.AtomicLong();
        java.time.Clock stepping = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.now().plusMillis(offsetMs.get());
            }
        };
        AtomicInteger ticks = new AtomicInteger();
        MetricsSource counting = (target, at) -> {
            if (ticks.incrementAndGet() == 2) {
                offsetMs.set(60_000);
            }
            return metrics.observe(target, at);
        };
        Engine e = new Engine(stepping, counting, cluster, d -> { }, LeaderGate.always(),
                AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE);
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                     .of(Scheduler.class);
             Scheduler s = new Scheduler(e, Duration.ofMillis(300), Duration.ZERO, 1)) {
            s.update(List.of(new EngineTarget(A, policy())));
            Poll.until("5 ticks", Duration.ofSeconds(10), ticks::get, n -> n >= 5);
            assertEquals(List.of(), logs.warnings());
            assertEquals(0, s.overruns());
        }
    }

    /**
     * A reload that adds a Helm release of the operator install's name renames the operator's targets
     * ({@code milvus/a/queryNode} -> {@code milvus/a@operator/queryNode}, Target#nameShared): the object is the same, so
     * 9m45s of the 10m scale-in sustain go on and the next low tick steps 3 -> 2, as it would have under the old id
     * (real-install recheck 11, N2: it met the renamed target as new and sustained from 0s again).
     */
    @Test
    void aReloadThatRenamesATargetKeepsItsScaleInSustain() throws Exception {
        Target renamed = A.withNameShared();
        Target helmPartner = new Target("milvus", "a", Component.QUERY_NODE, InstallKind.HELM).withNameShared();
        List<Target> forgotten = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> renames = new java.util.concurrent.CopyOnWriteArrayList<>();
        Engine e = new Engine(clock, metrics, cluster, recorded::add, LeaderGate.always(), AlertSource.NONE,
                new ActionBudget(30), false, new EngineListener() {
                    @Override
                    public void forgotten(Target target) {
                        forgotten.add(target);
                    }

                    @Override
                    public void renamed(Target from, Target to) {
                        renames.add(from.id() + " -> " + to.id());
                        EngineListener.super.renamed(from, to);
                    }
                });
        sustainLowShortOfStepDown(e);
        metrics.cpu.put(renamed, 0.10);
        // The loop's first tick is up to an hour of jitter away on the manual clock, which stands still: it never fires.
        try (Scheduler s = new Scheduler(e, Duration.ofHours(1), Duration.ofHours(1), 1);
             io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                     .of(Engine.class)) {
            s.update(List.of(new EngineTarget(A, policy())));
            s.retain(java.util.Set.of(renamed, helmPartner));
            assertEquals(List.of(A), forgotten, "the old id leaves status and /metrics");
            assertEquals(List.of("milvus/a/queryNode -> milvus/a@operator/queryNode"), renames,
                    "the listeners hear of the rename (the Events sink keeps the block it told)");
            assertFalse(e.views().containsKey(A));
            assertTrue(logs.messages().contains("milvus/a/queryNode is now milvus/a@operator/queryNode (config reload: the"
                    + " other install of name a in milvus was added); what the policy remembers of it goes on"),
                    logs.messages().toString());
        }
        Decision next = e.tick(new EngineTarget(renamed, policy()));
        assertEquals(Reason.SIGNALS_LOW, next.reason(), next.toString());
        assertEquals(List.of("a:3->2"), cluster.writes);
    }

    @Test
    void reloadStopsRemovedTargetsAndKeepsStateOfKeptOnes() throws Exception {
        Engine e = engine(LeaderGate.always(), false, 30);
        metrics.cpu.put(A, 0.82);
        e.tick(new EngineTarget(A, policy()));
        Instant lastOut = e.views().get(A).state().lastScaleOut();
        try (Scheduler s = new Scheduler(e, Duration.ofHours(1), Duration.ZERO, 1)) {
            s.update(List.of(new EngineTarget(A, policy()), new EngineTarget(B, policy())));
            assertEquals(2, s.targets().size());
            s.update(List.of(new EngineTarget(A, policy())));
            assertEquals(List.of(A), s.targets());
            assertFalse(e.views().containsKey(B));
        }
        assertEquals(lastOut, e.views().get(A).state().lastScaleOut());
    }
}
