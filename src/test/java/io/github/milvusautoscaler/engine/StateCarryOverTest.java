package io.github.milvusautoscaler.engine;

import io.github.milvusautoscaler.core.KubernetesSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.actuate.ApiClients;
import io.github.milvusautoscaler.actuate.RoutingActuator;
import io.github.milvusautoscaler.actuate.ScaledObjects;
import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.MetricsSource;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Reason;
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
import io.github.milvusautoscaler.testsupport.CapturedLogs;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Back-off, handled alerts and the settle-wait start live on the scaled object: a daemon that
 * restarts, or takes over from another, decides as the one before it would have (here checked
 * against that one, still ticking as a follower), and an alert re-sent after a fail-over scales
 * out once in total.
 */
class StateCarryOverTest {

    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    static final String NS = "milvus";
    static final Target QN = new Target(NS, "my-release", Component.QUERY_NODE, InstallKind.OPERATOR);
    static final ActiveAlert ALERT = new ActiveAlert("group/fp1/2026-01-05T09:59:00Z", "MilvusSearchLatencyHigh",
            ActiveAlert.AlertAction.SCALE_OUT, Instant.parse("2026-01-05T09:59:00Z"));

    final FakeKubernetesApi fake = FakeKubernetesApi.start();
    final ManualClock clock = new ManualClock(T0);
    final List<Integer> replicasWritten = new CopyOnWriteArrayList<>();
    volatile double cpu = 0.60;
    volatile Settle settle = Settle.QUIET;
    final MetricsSource metrics = (t, at) -> new Observation(t, at,
            Map.of("cpu", Signal.known("cpu", cpu, 0, Duration.ZERO)), settle, Health.OK, List.of());

    @AfterEach
    void stop() {
        fake.close();
    }

    void seed(int replicas) {
        fake.putOperatorQueryNode("milvus", "my-release", replicas, 4);
        fake.onQueryNodeReplicasWritten(replicasWritten::add);
    }

    Engine engine(AtomicBoolean leading, AlertSource alerts) {
        KubernetesSettings options = io.github.milvusautoscaler.testsupport.Kube.settings("", Duration.ofSeconds(2), 3, Duration.ofMillis(1), false);
        return new Engine(clock, metrics, RoutingActuator.forCluster(ApiClients.forBaseUrl(fake.url(), options),
                options, new ScaledObjects(options)), d -> { }, leading::get, alerts, new ActionBudget(100), false,
                EngineListener.NONE);
    }

    static Decision tick(Engine e) {
        return e.tick(new EngineTarget(QN, ComponentMemoryTest.quickStepDown()));
    }

    /**
     * A rolls a step-down back at 10:00:15 (back-off until 10:30:15). B either starts fresh at 10:16
     * (a restart) or has been following all along and takes the Lease (a fail-over; a follower
     * remembers no action it did not write). At 10:16, with cpu low again, B must hold as A would.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "B {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"restarts", "takes over"})
    void backOffCarriesOver(String how) {
        seed(4);
        AtomicBoolean aLeads = new AtomicBoolean(true);
        AtomicBoolean bLeads = new AtomicBoolean(false);
        Engine a = engine(aLeads, AlertSource.NONE);
        Engine follower = how.equals("takes over") ? engine(bLeads, AlertSource.NONE) : null;
        cpu = 0.10;
        assertEquals(Reason.SIGNALS_LOW, tick(a).reason());
        if (follower != null) {
            tick(follower);
        }
        clock.advance(Duration.ofSeconds(15));
        cpu = 0.90;
        assertEquals(Reason.STEP_DOWN_ROLLBACK, tick(a).reason());
        if (follower != null) {
            tick(follower);
        }
        assertEquals(List.of(3, 4), replicasWritten);

        aLeads.set(false);
        bLeads.set(true);
        Engine b = follower != null ? follower : engine(bLeads, AlertSource.NONE);
        clock.set(T0.plus(Duration.ofMinutes(16)));
        cpu = 0.10;
        Decision byA = tick(a);
        Decision byB;
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            byB = tick(b);
            // B's first tick as leader says the roll-back it found and what counts from it.
            assertEquals(1, said(logs).size(), logs.messages().toString());
            assertTrue(said(logs).get(0).contains("leading it from 4 replicas; its object records the last scale, a"
                    + " scale-out (STEP_DOWN_ROLLBACK) written 15m45s ago at 2026-01-05T10:00:15Z (write id "),
                    said(logs).get(0));
            assertTrue(said(logs).get(0).contains("): the scale-out cooldown, delay-after-scale-out and the back-off"
                    + " the roll-back set count from it"), said(logs).get(0));
        }
        assertEquals(Reason.SCALE_IN_BACKOFF, byA.reason(), "what the daemon that rolled back would do");
        assertEquals(byA.reason(), byB.reason(), "B holds as well: " + byB.message().text());
        assertEquals(List.of(3, 4), replicasWritten, "no step-down 16 minutes into a 30 minute back-off");
    }

    /**
     * A step-down whose writer died before its answer is in no decision log (recheck 26/30 R1): the daemon that takes
     * the lead says, once, the last scale its object records while a window still counts from it, so its log is where
     * a post-mortem finds it. A follower says nothing, nor does a leader taking up a step-down older than the windows
     * that count from one (here the 5m verify window; the 30m back-off counts only from a roll-back).
     */
    @Test
    void theNewLeaderSaysTheLastScaleItsObjectRecords() {
        seed(4);
        AtomicBoolean aLeads = new AtomicBoolean(true);
        AtomicBoolean bLeads = new AtomicBoolean(false);
        Engine a = engine(aLeads, AlertSource.NONE);
        Engine b = engine(bLeads, AlertSource.NONE);
        cpu = 0.10;
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            assertEquals(Reason.SIGNALS_LOW, tick(a).reason());
            assertEquals(List.of(3), replicasWritten);
            clock.advance(Duration.ofSeconds(70));
            tick(b);
            assertTrue(said(logs).isEmpty(), "a follower writes nothing and says nothing: " + logs.messages());

            aLeads.set(false);
            bLeads.set(true);
            clock.advance(Duration.ofSeconds(20));
            cpu = 0.60;
            tick(b);
            List<String> lines = said(logs);
            assertEquals(1, lines.size(), logs.messages().toString());
            assertTrue(lines.get(0).contains("leading it from 3 replicas; its object records the last scale, a"
                    + " scale-in (SIGNALS_LOW) written 1m30s ago at 2026-01-05T10:00:00Z (write id "), lines.get(0));
            assertTrue(lines.get(0).contains("): the scale-in cooldown and the verify window count from it (written by"
                    + " another replica or before a restart: a writer that stopped before its write's answer came back"
                    + " may have logged no decision for it)"), lines.get(0));
            clock.advance(Duration.ofSeconds(15));
            tick(b);
            assertEquals(1, said(logs).size(), "said once, on the first tick as leader");

            clock.set(T0.plus(Duration.ofMinutes(6)));
            Engine c = engine(bLeads, AlertSource.NONE);
            tick(c);
            assertEquals(1, said(logs).size(), "6m after the step-down no window counts from it: "
                    + logs.messages());
        }
    }

    /**
     * A last scale this process wrote and logged, found again when it leads the target again (a reload added the
     * target back, the Lease regained), is said as its own: the stopped-writer sentence sent an SRE looking for a lost
     * write that never happened (recheck 43, F2).
     */
    @Test
    void aLastScaleThisDaemonWroteIsSaidAsItsOwn() {
        seed(4);
        AtomicBoolean leads = new AtomicBoolean(true);
        Engine a = engine(leads, AlertSource.NONE);
        cpu = 0.10;
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            assertEquals(Reason.SIGNALS_LOW, tick(a).reason());
            leads.set(false);
            clock.advance(Duration.ofSeconds(15));
            tick(a);
            leads.set(true);
            clock.advance(Duration.ofSeconds(15));
            tick(a);
            List<String> lines = said(logs);
            assertEquals(1, lines.size(), logs.messages().toString());
            assertTrue(lines.get(0).endsWith("the scale-in cooldown and the verify window count from it (this daemon's"
                    + " own write, logged with its decision: the target was added again by a reload, or this replica"
                    + " leads again)"), lines.get(0));
        }
    }

    static List<String> said(CapturedLogs logs) {
        return logs.messages().stream().filter(m -> m.contains("its object records the last scale")).toList();
    }

    /**
     * A scales out on an alert; the Lease passes to B, which never received the alert. Alertmanager
     * re-sends it to B: it was handled, so one scale-out in total.
     */
    @Test
    void alertReSentAfterAFailOverScalesOutOnce() {
        seed(2);
        AtomicBoolean aLeads = new AtomicBoolean(true);
        AtomicBoolean bLeads = new AtomicBoolean(false);
        AtomicBoolean resent = new AtomicBoolean(false);
        Engine a = engine(aLeads, (t, now) -> List.of(ALERT));
        java.util.Map<io.github.milvusautoscaler.core.Target, java.util.Set<String>> handled =
                new java.util.concurrent.ConcurrentHashMap<>();
        Engine b = engine(bLeads, new AlertSource() {
            @Override
            public List<io.github.milvusautoscaler.core.ActiveAlert> firing(io.github.milvusautoscaler.core.Target t,
                                                                            java.time.Instant now) {
                return resent.get() ? List.of(ALERT) : List.of();
            }

            @Override
            public void handledOnObject(io.github.milvusautoscaler.core.Target t, java.util.Set<String> keys) {
                handled.put(t, keys);
            }
        });
        assertEquals(Reason.ALERT_SCALE_OUT, tick(a).reason());
        tick(b);
        assertEquals(List.of(3), replicasWritten);
        // B's tick tells its alert book what the object says was scaled out for, so Alertmanager's repeat reaching
        // B is answered as a duplicate (soak recheck 20, F3).
        assertEquals(java.util.Set.of(ALERT.key()), handled.get(QN));

        clock.advance(Duration.ofSeconds(15));
        aLeads.set(false);
        bLeads.set(true);
        tick(b);
        resent.set(true);
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofSeconds(15));
            Decision d = tick(b);
            assertTrue(d.reason() != Reason.ALERT_SCALE_OUT, "the re-sent alert acted again: " + d.message().text());
        }
        assertEquals(List.of(3), replicasWritten, "one alert, one scale-out in total");
    }

    /**
     * The alert book learns what a scale-out was for when it is written, not at the next tick's read of the object: a
     * repeat arriving in between was answered "accepted ... scale-out" and counted so (recheck 26, F2).
     */
    @Test
    void theAlertBookLearnsWhatAScaleOutWasForWhenItIsWritten() {
        seed(2);
        java.util.Map<io.github.milvusautoscaler.core.Target, java.util.Set<String>> handled =
                new java.util.concurrent.ConcurrentHashMap<>();
        Engine a = engine(new AtomicBoolean(true), new AlertSource() {
            @Override
            public List<io.github.milvusautoscaler.core.ActiveAlert> firing(io.github.milvusautoscaler.core.Target t,
                                                                            java.time.Instant now) {
                return List.of(ALERT);
            }

            @Override
            public void handledOnObject(io.github.milvusautoscaler.core.Target t, java.util.Set<String> keys) {
                handled.put(t, keys);
            }
        });
        assertEquals(Reason.ALERT_SCALE_OUT, tick(a).reason());
        assertEquals(List.of(3), replicasWritten);
        assertEquals(java.util.Set.of(ALERT.key()), handled.get(QN), "told at the write, before any later read");
    }

    /**
     * A scales out on an alert; the Lease passes to B before Alertmanager re-sends it. With the load low,
     * B holds scale-in as A would while the alert fires (before, B stepped down at once), until B sees the
     * alert resolved: then the block lifts and the key leaves the object.
     */
    @Test
    void theAlertsScaleInBlockCarriesOverAFailOverUntilTheAlertIsSeenResolved() {
        seed(2);
        AtomicBoolean aLeads = new AtomicBoolean(true);
        AtomicBoolean bLeads = new AtomicBoolean(false);
        AtomicBoolean resolved = new AtomicBoolean(false);
        Engine a = engine(aLeads, (t, now) -> List.of(ALERT));
        Engine b = engine(bLeads, seesOnlyTheResolve(resolved, ALERT));
        assertEquals(Reason.ALERT_SCALE_OUT, tick(a).reason());
        assertEquals(List.of(3), replicasWritten);

        aLeads.set(false);
        bLeads.set(true);
        cpu = 0.10;
        holdsUnderTheAlert(b, 3);
        assertEquals(List.of(3), replicasWritten, "no step-down while the alert may still fire");
        // The block says where it comes from, not who scaled: this daemon may have made the scale-out itself for an
        // alert it carried (recheck 27, R2).
        clock.advance(Duration.ofSeconds(15));
        Decision held = tick(b);
        assertTrue(held.message().text().contains(", scaled out for (the object's handled-alerts say so); not re-sent"
                + " to it yet)"), held.message().text());

        // Seen resolved: the block lifts at once and the key leaves the object.
        resolved.set(true);
        clock.advance(Duration.ofSeconds(15));
        assertEquals(Reason.SIGNALS_LOW, tick(b).reason());
        assertEquals(List.of(3, 2), replicasWritten);
        assertTrue(fake.get(Kind.MILVUSES, "milvus", "my-release").orElseThrow().getAsJsonObject("metadata")
                .toString().contains("handled-alerts\":\"[]") || !fake.get(Kind.MILVUSES, "milvus", "my-release")
                .orElseThrow().getAsJsonObject("metadata").toString().contains(ALERT.key()),
                "the resolved alert's key is gone from the object");
    }

    /** Without a resolve ever reaching a daemon, the carried block lasts alerts.carry-over (4h10m), no longer. */
    @Test
    void theCarriedBlockEndsAfterTheCarryOver() {
        seed(2);
        AtomicBoolean aLeads = new AtomicBoolean(true);
        AtomicBoolean bLeads = new AtomicBoolean(false);
        Engine a = engine(aLeads, (t, now) -> List.of(ALERT));
        Engine b = engine(bLeads, AlertSource.NONE);
        assertEquals(Reason.ALERT_SCALE_OUT, tick(a).reason());
        aLeads.set(false);
        bLeads.set(true);
        cpu = 0.10;
        clock.advance(Duration.ofHours(4).plusMinutes(9));
        assertEquals(Reason.ALERT_BLOCKS_SCALE_IN, tick(b).reason());
        try (CapturedLogs logs = CapturedLogs.of(Engine.class)) {
            clock.advance(Duration.ofMinutes(2));
            assertEquals(Reason.SIGNALS_LOW, tick(b).reason());
            assertEquals(List.of(3, 2), replicasWritten);
            for (int i = 0; i < 3; i++) {
                clock.advance(Duration.ofSeconds(15));
                tick(b);
            }
            // The step-down under an alert Alertmanager may still list is explained, once (alert fail-over audit L2).
            List<String> said = logs.messages().stream().filter(m -> m.contains("no longer block scale-in")).toList();
            assertEquals(1, said.size(), "said once: " + logs.messages());
            assertTrue(said.get(0).contains("since 2026-01-05T10:00:00Z") && said.get(0).contains("alerts.carry-over 250m")
                    && said.get(0).contains(ALERT.key()), said.get(0));
        }
    }

    /** Keyed as the alert book keys it: Alertmanager's groupKey, the fingerprint and the start (AlertBook.key). */
    static final ActiveAlert BLOCK = new ActiveAlert("{}:{alertname=\"MilvusSearchLatencyHigh\"}|fp2|2026-01-05T09:58:00Z",
            "MilvusSearchLatencyHigh",
            ActiveAlert.AlertAction.BLOCK_SCALE_IN, Instant.parse("2026-01-05T09:58:00Z"));

    /**
     * A receives an alert labelled {@code autoscaler_action: block-scale-in} and holds; the Lease passes to B,
     * which Alertmanager has not re-sent it to (it sends to the leader alone). B holds scale-in as A would, for the
     * carry-over (before, it stepped down at once), until it sees the alert resolved; the key then leaves the object.
     */
    @Test
    void aBlockOnlyAlertsBlockCarriesOverAFailOverUntilSeenResolved() {
        AtomicBoolean resolved = new AtomicBoolean(false);
        Engine b = failOverUnder(BLOCK, seesOnlyTheResolve(resolved, BLOCK));
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMinutes(20));
            Decision d = tick(b);
            assertEquals(Reason.ALERT_BLOCKS_SCALE_IN, d.reason(), d.message().text());
            assertTrue(d.message().text().contains("alert MilvusSearchLatencyHigh (carried: {}:{alertname="
                    + "\"MilvusSearchLatencyHigh\"}, blocked scale-in before this daemon led; not re-sent to it yet)"),
                    d.message().text());
            // Listed by its name, as a received alert is, so alerts=~"MilvusSearch.*" finds the block (real-install
            // recheck 12, F2: the whole carried text was listed, commas included).
            assertEquals(List.of("MilvusSearchLatencyHigh"), d.alerts());
        }
        assertEquals(List.of(), replicasWritten, "no step-down while the alert may still fire");

        resolved.set(true);
        clock.advance(Duration.ofSeconds(15));
        assertEquals(Reason.SIGNALS_LOW, tick(b).reason());
        assertEquals(List.of(2), replicasWritten);
        assertFalse(annotationsText().contains("|fp2|"), "the resolved alert's key is gone: " + annotationsText());
    }

    /**
     * B holds under A's block, then scales out on a load spike: the scale write's annotations keep the block (they
     * are the whole memory, and the write used to set blocking-alerts to null), so when the load falls B still holds
     * rather than stepping down under the firing alert (alert fail-over audit H1).
     */
    @Test
    void aScaleOutUnderACarriedBlockKeepsIt() {
        Engine b = failOverUnder(BLOCK, AlertSource.NONE);
        clock.advance(Duration.ofMinutes(1));
        cpu = 1.50;
        assertEquals(Action.SCALE_OUT, tick(b).action());
        assertEquals(List.of(5), replicasWritten);
        assertTrue(annotationsText().contains("|fp2|"), "the scale write kept the block: " + annotationsText());
        cpu = 0.10;
        holdsUnderTheAlert(b, 4);
        assertEquals(List.of(5), replicasWritten, "no step-down under the firing alert");
    }

    /** A second scale-out alert, keyed as AlertBook.key keys it (groupKey|fingerprint|startsAt). */
    static final ActiveAlert SECOND = new ActiveAlert("{}:{alertname=\"MilvusSearchLatencyHigh\"}|fp3|2026-01-05T10:00:10Z",
            "MilvusSearchLatencyHigh", ActiveAlert.AlertAction.SCALE_OUT, Instant.parse("2026-01-05T10:00:10Z"));

    /**
     * A scales out for one alert at 10:00; a second scale-out alert arrives at 10:00:15, inside the 5m alert
     * cooldown, so A holds (ALERT_COOLDOWN) and would scale out for it at 10:05. The Lease passes to B, which
     * Alertmanager has not re-sent either alert to: B holds until the cooldown ends and then makes that scale-out,
     * once (before, it only held scale-in until the re-send, up to 4h later; alert fail-over audit M3).
     */
    @Test
    void aScaleOutAlertWaitingForTheCooldownAtAFailOverIsMadeByTheNewLeader() {
        seed(2);
        AtomicBoolean aLeads = new AtomicBoolean(true);
        AtomicBoolean bLeads = new AtomicBoolean(false);
        AtomicBoolean second = new AtomicBoolean(false);
        Engine a = engine(aLeads, (t, now) -> second.get() ? List.of(ALERT, SECOND) : List.of(ALERT));
        Engine b = engine(bLeads, AlertSource.NONE);
        assertEquals(Reason.ALERT_SCALE_OUT, tick(a).reason());
        clock.advance(Duration.ofSeconds(15));
        second.set(true);
        assertEquals(Reason.ALERT_COOLDOWN, tick(a).reason());
        assertTrue(String.valueOf(annotation("queryNode.pending-alert-scale-outs")).contains("|fp3|"),
                "A keeps the scale-out it owes: " + annotationsText());

        aLeads.set(false);
        bLeads.set(true);
        clock.set(T0.plus(Duration.ofMinutes(4)));
        Decision waiting = tick(b);
        assertEquals(Reason.ALERT_COOLDOWN, waiting.reason(), waiting.message().text());
        clock.set(T0.plus(Duration.ofMinutes(5)).plusSeconds(15));
        Decision made = tick(b);
        assertEquals(Reason.ALERT_SCALE_OUT, made.reason(), made.message().text());
        assertTrue(made.message().text().contains("(carried: {}:{alertname=\"MilvusSearchLatencyHigh\"}, its scale-out"
                + " was still owed (held by the alert cooldown or the action budget) when this daemon took over; not"
                + " re-sent to it yet)"), made.message().text());
        assertEquals(List.of(3, 4), replicasWritten);
        assertFalse(annotationsText().contains("pending-alert-scale-outs"), "owed no more: " + annotationsText());
        cpu = 0.10;
        holdsUnderTheAlert(b, 3);
        assertEquals(List.of(3, 4), replicasWritten, "one scale-out per alert, and no step-down while they may fire");
    }

    /**
     * At max-replicas a scale-out alert is consumed (AT_MAX): the daemon before would never scale out for it later,
     * so it is kept as a block only, not as a scale-out a new leader owes.
     */
    @Test
    void aScaleOutAlertConsumedAtMaxIsKeptAsABlockOnly() {
        seed(10);
        Engine a = engine(new AtomicBoolean(true), (t, now) -> List.of(SECOND));
        assertEquals(Reason.AT_MAX, tick(a).reason());
        assertTrue(annotationsText().contains("|fp3|"), "kept as a block: " + annotationsText());
        assertFalse(annotationsText().contains("pending-alert-scale-outs"), "not owed: " + annotationsText());
    }

    /**
     * 51 firing block-only alerts: the object keeps 50, and the leader writes them once, not every tick (the 51st
     * read as new each tick and rewrote the annotation; alert fail-over audit M2).
     */
    @Test
    void moreBlockingAlertsThanTheObjectKeepsAreWrittenOnce() {
        seed(3);
        List<ActiveAlert> many = new java.util.ArrayList<>();
        for (int i = 0; i < 51; i++) {
            many.add(new ActiveAlert(String.format("group/fp%02d/2026-01-05T09:58:00Z", i), "MilvusSearchLatencyHigh",
                    ActiveAlert.AlertAction.BLOCK_SCALE_IN, Instant.parse("2026-01-05T09:58:00Z")));
        }
        Engine a = engine(new AtomicBoolean(true), (t, now) -> many);
        cpu = 0.10;
        for (int i = 0; i < 5; i++) {
            assertEquals(Reason.ALERT_BLOCKS_SCALE_IN, tick(a).reason());
            clock.advance(Duration.ofSeconds(15));
        }
        assertEquals(1, fake.requests("PATCH", "/apis/milvus.io/").size(), "one write of the 50 keys");
        assertTrue(annotationsText().contains("fp49") && !annotationsText().contains("fp50"), annotationsText());
    }

    /** Without a resolve reaching anyone, a carried block-only alert lasts alerts.carry-over (4h10m) from when A saw it. */
    @Test
    void aCarriedBlockOnlyAlertEndsAfterTheCarryOver() {
        Engine b = failOverUnder(BLOCK, AlertSource.NONE);
        clock.advance(Duration.ofHours(4).plusMinutes(9));
        assertEquals(Reason.ALERT_BLOCKS_SCALE_IN, tick(b).reason());
        clock.advance(Duration.ofMinutes(2));
        assertEquals(Reason.SIGNALS_LOW, tick(b).reason());
        assertEquals(List.of(2), replicasWritten);
        assertFalse(annotationsText().contains("|fp2|"), "past the carry-over B drops the key: "
                + annotationsText());
    }

    /**
     * Seeds 3 replicas at cpu 0.10; A, receiving {@code alert}, holds (and keeps it on the object); the Lease then
     * passes to B, whose alerts are {@code seenByB}. Returns B.
     */
    Engine failOverUnder(ActiveAlert alert, AlertSource seenByB) {
        seed(3);
        AtomicBoolean aLeads = new AtomicBoolean(true);
        AtomicBoolean bLeads = new AtomicBoolean(false);
        Engine a = engine(aLeads, (t, now) -> List.of(alert));
        Engine b = engine(bLeads, seenByB);
        cpu = 0.10;
        assertEquals(Reason.ALERT_BLOCKS_SCALE_IN, tick(a).reason());
        assertTrue(annotationsText().contains(alert.key().substring(alert.key().indexOf('|'))),
                "the leader keeps the block on the object: " + annotationsText());
        aLeads.set(false);
        bLeads.set(true);
        return b;
    }

    /** {@code ticks} ticks of {@code daemon} 20 minutes apart, each holding scale-in for the alert. */
    void holdsUnderTheAlert(Engine daemon, int ticks) {
        for (int i = 0; i < ticks; i++) {
            clock.advance(Duration.ofMinutes(20));
            Decision d = tick(daemon);
            assertEquals(Reason.ALERT_BLOCKS_SCALE_IN, d.reason(), d.message().text());
        }
    }

    /** A daemon Alertmanager never sent {@code alert} to firing, which sees it resolved once {@code resolved} is set. */
    static AlertSource seesOnlyTheResolve(AtomicBoolean resolved, ActiveAlert alert) {
        return new AlertSource() {
            @Override
            public List<ActiveAlert> firing(io.github.milvusautoscaler.core.Target t, Instant now) {
                return List.of();
            }

            @Override
            public java.util.Set<String> resolved(io.github.milvusautoscaler.core.Target t, Instant now) {
                return resolved.get() ? java.util.Set.of(alert.key()) : java.util.Set.of();
            }
        };
    }

    /** The value of annotation {@code milvus-autoscaler.io/<name>} on the Milvus resource, or null. */
    private String annotation(String name) {
        com.google.gson.JsonElement v = fake.get(Kind.MILVUSES, "milvus", "my-release").orElseThrow()
                .getAsJsonObject("metadata").getAsJsonObject("annotations").get("milvus-autoscaler.io/" + name);
        return v == null || v.isJsonNull() ? null : v.getAsString();
    }

    private String annotationsText() {
        return String.valueOf(fake.get(Kind.MILVUSES, "milvus", "my-release").orElseThrow()
                .getAsJsonObject("metadata").get("annotations"));
    }

    /**
     * A waits for the component to settle from 10:00 (settle timeout 30m); a fresh daemon B started
     * at 10:20 goes on from A's start: at 10:31 both report the wait as past settle-timeout
     * (SETTLE_TIMEOUT, still holding), where B alone would report SETTLING until 10:50.
     */
    @Test
    void settleWaitStartSurvivesARestart() {
        seed(4);
        AtomicBoolean aLeads = new AtomicBoolean(true);
        Engine a = engine(aLeads, AlertSource.NONE);
        cpu = 0.10;
        settle = Settle.BUSY;
        assertEquals(Reason.SETTLING, tick(a).reason());

        clock.set(T0.plus(Duration.ofMinutes(20)));
        aLeads.set(false);
        Engine b = engine(new AtomicBoolean(true), AlertSource.NONE);
        assertEquals(Reason.SETTLING, tick(b).reason());
        tick(a);
        clock.set(T0.plus(Duration.ofMinutes(31)));
        Decision byA = tick(a);
        Decision byB = tick(b);
        assertEquals(Reason.SETTLE_TIMEOUT, byA.reason(), "settle timeout passed: " + byA.message().text());
        assertEquals(byA.reason(), byB.reason(), byB.message().text());
        assertTrue(byB.message().text().contains("for 31m"), byB.message().text());
        assertEquals(List.of(), replicasWritten, "data still moving: no step-down, however long the wait");
    }

    /** Immediate step-downs with a 1m verify window and back-off, a 60m peak look-back and a 1h hold after a reversal. */
    static Policy reversalHold() {
        return new Policy(new PolicySettings(1, 10,
                new ScaleOutSettings(Duration.ZERO, Duration.ofMinutes(3), 2, 1.5),
                new ScaleInSettings(Duration.ZERO, Duration.ZERO, Duration.ZERO,
                        Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(30), Duration.ofMinutes(60), 5,
                        Duration.ofHours(1)),
                List.of(SignalPolicy.band("cpu", 0.75, 0.40)),
                new AlertSettings(1, Duration.ofMinutes(5)),
                new FallbackSettings(Duration.ofMinutes(10),
                        FallbackSettings.Mode.HOLD, 2)));
    }

    /**
     * A steps down 2 -> 1 at 10:00 and rolls it back at 10:00:15 (cpu 0.90 on one): a reversed step-down to one
     * replica, so for the next hour the step to one must fit the highest load of the look-back (0.90 nodes on one
     * > 0.75). B starts at 10:10 with the load low again: it never saw the 0.90, and judged on its own peaks it
     * stepped down at once; from the annotations it holds as A does, until 11:00:15.
     */
    @Test
    void aReversedStepDownToOneIsHeldByADaemonThatStartsAfterIt() {
        seed(2);
        AtomicBoolean aLeads = new AtomicBoolean(true);
        Engine a = engine(aLeads, AlertSource.NONE);
        EngineTarget target = new EngineTarget(QN, reversalHold());
        cpu = 0.10;
        assertEquals(Reason.SIGNALS_LOW, a.tick(target).reason());
        clock.advance(Duration.ofSeconds(15));
        cpu = 0.90;
        assertEquals(Reason.STEP_DOWN_ROLLBACK, a.tick(target).reason());
        assertEquals(List.of(1, 2), replicasWritten);
        String annotations = fake.get(Kind.MILVUSES, "milvus", "my-release").orElseThrow().getAsJsonObject("metadata")
                .getAsJsonObject("annotations").toString();
        assertTrue(annotations.contains("\"milvus-autoscaler.io/queryNode.to-one-reversed-at\":\"2026-01-05T10:00:15")
                && !annotations.contains("stepped-to-one-at"), annotations);

        aLeads.set(false);
        Engine b = engine(new AtomicBoolean(true), AlertSource.NONE);
        cpu = 0.10;
        for (int minute : new int[] {10, 30, 59}) {
            clock.set(T0.plus(Duration.ofMinutes(minute)));
            Decision byA = a.tick(target);
            Decision byB = b.tick(target);
            assertEquals(Reason.PEAK_WOULD_OVERLOAD, byA.reason(), byA.message().text());
            assertEquals(Reason.PEAK_WOULD_OVERLOAD, byB.reason(), byB.message().text());
            assertTrue(byB.message().text().contains("the last step-down to one replica was reversed " + (minute - 1)
                    + "m45s ago, before this daemon took over"), byB.message().text());
        }
        assertEquals(List.of(1, 2), replicasWritten, "no step-down to one replica within the hour");
        clock.set(T0.plus(Duration.ofMinutes(61)));
        assertEquals(Reason.SIGNALS_LOW, b.tick(target).reason(), "the hold ends with the hour");
        assertEquals(List.of(1, 2, 1), replicasWritten);
    }

    /**
     * A carried alert is named by its Alertmanager group. The shipped route's group key (deploy/alertmanager-receiver.yaml,
     * matchers {@code autoscaler_action=~"scale-out|block-scale-in"}) holds a bar of its own, and the name was cut there
     * (audit-alerts L2): the key's own two bars are the last two.
     */
    @Test
    void aCarriedAlertKeepsTheWholeGroupKeyOfTheShippedRoute() {
        String group = "{}/{autoscaler_action=~\"scale-out|block-scale-in\"}:{alertname=\"MilvusQueryQueueBacklog\","
                + " app_kubernetes_io_instance=\"hr\", component=\"querynode\", namespace=\"milvus\"}";
        assertEquals(group, Engine.group(group + "|e11f78ee564a0986|2026-12-05T07:03:09.737Z"));
        assertEquals("{}:{alertname=\"A\"}", Engine.group("{}:{alertname=\"A\"}|abc|2026-12-05T07:03:09Z"));
        // The name a carried alert is listed by: the group's alertname, the last where a route matcher names one too;
        // a route not grouping by alertname leaves the group.
        assertEquals("MilvusQueryQueueBacklog", Engine.alertName(group));
        assertEquals("B", Engine.alertName("{}/{alertname=\"A\"}:{alertname=\"B\"}"));
        assertEquals("{}:{namespace=\"milvus\"}", Engine.alertName("{}:{namespace=\"milvus\"}"));
    }
}
