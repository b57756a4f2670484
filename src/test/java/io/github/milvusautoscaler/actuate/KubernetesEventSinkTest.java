package io.github.milvusautoscaler.actuate;

import io.github.milvusautoscaler.core.KubernetesSettings;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.HELM_QN;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.NS;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.OPERATOR_QN;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.RELEASE;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.T0;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.decision;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.hold;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.CapturedLogs;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Events on the scaled object tell the story without spamming, and never break a tick. */
class KubernetesEventSinkTest {

    private FakeKubernetesApi fake;
    private ScaledObjects scaledObjects;
    private RoutingActuator actuator;
    private final AtomicBoolean leader = new AtomicBoolean(true);

    @BeforeEach
    void start() {
        fake = FakeKubernetesApi.start();
        scaledObjects = new ScaledObjects(ActuateFixtures.options());
        actuator = RoutingActuator.forCluster(ActuateFixtures.client(fake), ActuateFixtures.options(), scaledObjects);
        ActuateFixtures.seedOperator(fake, 3, 3);
        ActuateFixtures.seedHelm(fake, 3, 3);
    }

    @AfterEach
    void stop() throws IOException {
        try {
            assertEquals(List.of(), RbacRules.deniedByEveryOverlay(fake.requests()));
        } finally {
            fake.close();
        }
    }

    private KubernetesEventSink sink(KubernetesSettings options) {
        return sink(options, leader::get);
    }

    private KubernetesEventSink sink(KubernetesSettings options, io.github.milvusautoscaler.core.LeaderGate gate) {
        return new KubernetesEventSink(ActuateFixtures.client(fake, options), options, scaledObjects, gate,
                Clock.fixed(T0, ZoneOffset.UTC), "milvus-autoscaler-7d9f-abcde");
    }

    private KubernetesEventSink sink() {
        return sink(ActuateFixtures.options());
    }

    private List<JsonObject> events() {
        return fake.list(Kind.EVENTS, NS);
    }

    static Stream<Arguments> scales() {
        return Stream.of(
                Arguments.of("operator scale-out", OPERATOR_QN, 3, 5, Reason.SIGNAL_HIGH, "ScaledOut", "Milvus",
                        "milvus.io/v1beta1", RELEASE),
                Arguments.of("operator scale-in", OPERATOR_QN, 3, 2, Reason.SIGNALS_LOW, "ScaledIn", "Milvus",
                        "milvus.io/v1beta1", RELEASE),
                Arguments.of("helm scale-out", HELM_QN, 3, 4, Reason.ALERT_SCALE_OUT, "ScaledOut", "Deployment",
                        "apps/v1", RELEASE + "-milvus-querynode"),
                Arguments.of("helm scale-in", HELM_QN, 3, 2, Reason.ABOVE_MAX, "ScaledIn", "Deployment", "apps/v1",
                        RELEASE + "-milvus-querynode"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scales")
    void scaleDecisionsBecomeEventsOnTheScaledObject(String name, Target target, int from, int to, Reason reason,
                                                     String eventReason, String kind, String apiVersion,
                                                     String objectName) {
        String uid = fake.get(target == OPERATOR_QN ? Kind.MILVUSES : Kind.DEPLOYMENTS, NS, objectName).orElseThrow()
                .getAsJsonObject("metadata").get("uid").getAsString();
        actuator.read(target);
        Decision decision = decision(target, from, to, reason).asWritten();

        sink().record(decision);

        List<JsonObject> events = events();
        assertEquals(1, events.size());
        JsonObject event = events.get(0);
        assertEquals(eventReason, event.get("reason").getAsString());
        assertEquals("Normal", event.get("type").getAsString());
        assertEquals(decision.message().text(), event.get("message").getAsString());
        JsonObject involved = event.getAsJsonObject("involvedObject");
        assertEquals(kind, involved.get("kind").getAsString());
        assertEquals(apiVersion, involved.get("apiVersion").getAsString());
        assertEquals(objectName, involved.get("name").getAsString());
        assertEquals(NS, involved.get("namespace").getAsString());
        assertEquals(uid, involved.get("uid").getAsString(), "kubectl describe matches Events by uid");
        assertEquals("milvus-autoscaler", event.getAsJsonObject("source").get("component").getAsString());
        assertEquals(T0, java.time.OffsetDateTime.parse(event.get("firstTimestamp").getAsString()).toInstant(),
                "timestamps come from the injected clock");
    }

    @Test
    void blockedHoldsMakeOneEventPerChangeOfBlockingReason() {
        KubernetesEventSink sink = sink();
        // cooldown x3 -> 1 Event; settling x2 -> 1; in band resets; settling again -> 1; partial data -> 1
        List<Reason> ticks = List.of(Reason.SCALE_OUT_COOLDOWN, Reason.SCALE_OUT_COOLDOWN, Reason.SCALE_OUT_COOLDOWN,
                Reason.SETTLING, Reason.SETTLING, Reason.IN_BAND, Reason.SETTLING, Reason.PARTIAL_DATA);
        for (Reason reason : ticks) {
            sink.record(hold(OPERATOR_QN, 3, reason));
        }
        List<String> reasons = events().stream().map(e -> e.get("reason").getAsString()).toList();
        assertEquals(List.of("ScaleBlocked", "ScaleBlocked", "ScaleBlocked", "ScaleBlocked"), reasons);
        List<String> messages = events().stream().map(e -> e.get("message").getAsString()).toList();
        assertEquals(List.of("queryNode held: SCALE_OUT_COOLDOWN", "queryNode held: SETTLING",
                "queryNode held: SETTLING", "queryNode held: PARTIAL_DATA"), messages);
    }

    /**
     * A follower keeps the blocking reasons it decides without telling them, so the replica that takes over does not
     * tell a block again that the old leader already told (recheck F9's nit: a pause made a second ScaleBlocked Event
     * after a fail-over); a block that changes after it leads is told.
     */
    @Test
    void aNewLeaderDoesNotTellAgainABlockItDecidedAsAFollower() {
        leader.set(false);
        KubernetesEventSink sink = sink();
        sink.record(hold(OPERATOR_QN, 3, Reason.PAUSED));
        sink.record(hold(OPERATOR_QN, 3, Reason.PAUSED));
        assertEquals(List.of(), events(), "a follower tells nothing");
        leader.set(true);
        sink.record(hold(OPERATOR_QN, 3, Reason.PAUSED));
        assertEquals(List.of(), events(), "the block the old leader told is not told again");
        sink.record(hold(OPERATOR_QN, 3, Reason.SETTLING));
        assertEquals(List.of("queryNode held: SETTLING"), events().stream().map(e -> e.get("message").getAsString())
                .toList());
    }

    /**
     * A replica that has seen no other leader since it started (a fresh install; a lone replica's ticks before its first
     * Lease) tells, once it leads, a block it decided as a follower: no one else told it, and a pause set before the
     * daemon started never got its ScaleBlocked Event (recheck 59, F1).
     */
    @Test
    void aFirstLeaderTellsABlockNoOtherLeaderCouldHaveTold() {
        leader.set(false);
        KubernetesEventSink sink = sink(ActuateFixtures.options(), new io.github.milvusautoscaler.core.LeaderGate() {
            @Override
            public boolean isLeader() {
                return leader.get();
            }

            @Override
            public boolean anotherLeaderSeen() {
                return false;
            }
        });
        sink.record(hold(OPERATOR_QN, 3, Reason.PAUSED));
        assertEquals(List.of(), events(), "a follower tells nothing");
        leader.set(true);
        sink.record(hold(OPERATOR_QN, 3, Reason.PAUSED));
        sink.record(hold(OPERATOR_QN, 3, Reason.PAUSED));
        assertEquals(List.of("queryNode held: PAUSED"), events().stream().map(e -> e.get("message").getAsString())
                .toList(), "told once, as leader");
    }

    /**
     * A reload that adds the Helm install of the operator install's name gives the operator's queryNode a new id
     * ({@code milvus/milvus/queryNode} -> {@code milvus/milvus@operator/queryNode}); a pause already told goes on
     * across it as one Event, not two (recheck 14's note: the sink met the new id as new), and a block that changes
     * after it is told.
     */
    @Test
    void aBlockToldBeforeAReloadRenamedTheTargetIsNotToldAgain() {
        KubernetesEventSink sink = sink();
        Target renamed = OPERATOR_QN.withNameShared();
        sink.record(hold(OPERATOR_QN, 3, Reason.PAUSED));
        sink.renamed(OPERATOR_QN, renamed);
        sink.record(hold(renamed, 3, Reason.PAUSED));
        assertEquals(List.of("queryNode held: PAUSED"), events().stream().map(e -> e.get("message").getAsString())
                .toList());
        sink.record(hold(renamed, 3, Reason.SETTLING));
        assertEquals(2, events().size(), events().toString());
    }

    /** A step-down held past settle-timeout is a Warning, so `kubectl get events --field-selector type=Warning` shows it. */
    @Test
    void aSettleTimeoutIsAWarningTheOtherHoldsAreNormal() {
        KubernetesEventSink sink = sink();
        for (Reason reason : List.of(Reason.SETTLING, Reason.SETTLE_TIMEOUT, Reason.SCALE_IN_COOLDOWN)) {
            sink.record(hold(OPERATOR_QN, 3, reason));
        }
        assertEquals(List.of("Normal", "Warning", "Normal"), events().stream().map(e -> e.get("type").getAsString())
                .toList());
    }

    /**
     * A stand-back from another writer of the count is a TARGET_UNAVAILABLE the engine announces
     * (EngineListener.standingBack) before recording it: a Warning on the object, once while it lasts, where the owner of
     * the other writer looks; a TARGET_UNAVAILABLE it did not announce (an object that cannot be read) tells nothing.
     * A follower keeps it untold, as other blocks, and a stand-back after the count came back is told again.
     */
    @Test
    void aStandBackFromAnotherWriterIsOneWarningWhileItLasts() {
        actuator.read(HELM_QN);
        KubernetesEventSink sink = sink();
        Decision standBack = new Decision(HELM_QN, T0, io.github.milvusautoscaler.core.Action.HOLD, null, null,
                Reason.TARGET_UNAVAILABLE, "queryNode target unavailable (contested): two writers set replicas 3 times"
                + " within 1h; the policy would: HOLD IN_BAND, in band", Map.of(), false);
        sink.record(hold(HELM_QN, 3, Reason.TARGET_UNAVAILABLE));
        assertEquals(List.of(), events(), "a read failure is no Event");
        for (int tick = 0; tick < 3; tick++) {
            sink.standingBack(HELM_QN);
            sink.record(standBack);
        }
        sink.record(hold(HELM_QN, 3, Reason.IN_BAND));
        leader.set(false);
        sink.standingBack(HELM_QN);
        sink.record(standBack);
        leader.set(true);
        sink.standingBack(HELM_QN);
        sink.record(standBack);
        sink.record(hold(HELM_QN, 3, Reason.IN_BAND));
        sink.standingBack(HELM_QN);
        sink.record(standBack);

        List<JsonObject> told = events();
        assertEquals(2, told.size(), told.toString());
        for (JsonObject event : told) {
            assertEquals("ScaleBlocked", event.get("reason").getAsString());
            assertEquals("Warning", event.get("type").getAsString());
            assertEquals(standBack.message().text(), event.get("message").getAsString());
            assertEquals(RELEASE + "-milvus-querynode", event.getAsJsonObject("involvedObject").get("name").getAsString());
        }
    }

    @Test
    void nonBlockingHoldsMakeNoEvents() {
        KubernetesEventSink sink = sink();
        for (Reason reason : List.of(Reason.IN_BAND, Reason.SUSTAINING_HIGH, Reason.ALL_SIGNALS_UNKNOWN)) {
            sink.record(hold(OPERATOR_QN, 3, reason));
        }
        assertEquals(List.of(), events());
    }

    @Test
    void failedWriteBecomesAWarningAndIsNotAlsoReportedAsScaled() {
        KubernetesEventSink sink = sink();
        Decision decision = decision(HELM_QN, 3, 4, Reason.SIGNAL_HIGH);
        ActuationException failure = new ActuationException(ActuationException.Kind.FORBIDDEN,
                "forbidden (403): may not patch deployments.apps");

        sink.recordWriteFailure(decision, failure);
        sink.record(decision);

        List<JsonObject> events = events();
        assertEquals(1, events.size());
        assertEquals("ScaleFailed", events.get(0).get("reason").getAsString());
        assertEquals("Warning", events.get(0).get("type").getAsString());
        String message = events.get(0).get("message").getAsString();
        assertTrue(message.startsWith(decision.message().text()), message);
        assertTrue(message.contains("FORBIDDEN"), message);
        assertEquals(RELEASE + "-milvus-querynode", events.get(0).getAsJsonObject("involvedObject").get("name")
                .getAsString(), "named from the template before any read");
    }

    /**
     * The same write failing the same way again is told once per 10 minutes (client-go's EventCorrelator folds such
     * repeats over defaultAggregateIntervalInSeconds = 600, tools/record/events_cache.go): a write refused with 429
     * made a new Event every tick, 9 in 44 s (recheck 103, F1). Another failure kind, other counts, or the same
     * failure after a write that landed, is told at once.
     */
    @Test
    void theSameFailedWriteIsToldOncePerTenMinutes() {
        io.github.milvusautoscaler.engine.ManualClock clock = new io.github.milvusautoscaler.engine.ManualClock(T0);
        KubernetesSettings options = ActuateFixtures.options();
        KubernetesEventSink sink = new KubernetesEventSink(ActuateFixtures.client(fake, options), options, scaledObjects,
                leader::get, clock, "milvus-autoscaler-7d9f-abcde");
        Decision decision = decision(HELM_QN, 2, 3, Reason.BELOW_MIN);
        ActuationException throttled = new ActuationException(ActuationException.Kind.UNAVAILABLE,
                "patch deployments.apps failed after 3 attempts: HTTP 429");
        for (int tick = 0; tick < 40; tick++) { // every 15 s for 9m45s
            sink.recordWriteFailure(decision, throttled);
            sink.record(decision);
            clock.advance(Duration.ofSeconds(15));
        }
        assertEquals(1, events().size(), "one ScaleFailed in the first 10 minutes");
        sink.recordWriteFailure(decision, throttled); // 10m after the first

        assertEquals(2, events().size(), "told again 10 minutes on");
        sink.recordWriteFailure(decision, new ActuationException(ActuationException.Kind.FORBIDDEN, "forbidden (403)"));
        assertEquals(3, events().size(), "another failure kind is told at once");
        sink.recordWriteFailure(decision(HELM_QN, 2, 4, Reason.BELOW_MIN), throttled);
        assertEquals(4, events().size(), "other counts are told at once");
    }

    static Stream<Arguments> silent() {
        return Stream.of(
                Arguments.of("follower", false, false, true),
                Arguments.of("dry-run decision", true, true, true),
                Arguments.of("events turned off", true, false, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("silent")
    void followersDryRunAndDisabledEmitNothing(String name, boolean isLeader, boolean dryRun, boolean enabled) {
        leader.set(isLeader);
        KubernetesSettings base = ActuateFixtures.options();
        KubernetesEventSink sink = sink(new KubernetesSettings(base.kubeconfig(), base.requestTimeout(),
                base.retry(), enabled, base.leaderElection()));
        Decision scale = decision(OPERATOR_QN, 3, 4, Reason.SIGNAL_HIGH);
        sink.record(dryRun ? scale.asDryRun() : scale);
        sink.record(dryRun ? hold(OPERATOR_QN, 3, Reason.SETTLING).asDryRun() : hold(OPERATOR_QN, 3, Reason.SETTLING));
        sink.recordWriteFailure(dryRun ? scale.asDryRun() : scale,
                new ActuationException(ActuationException.Kind.UNAVAILABLE, "down"));
        assertEquals(List.of(), fake.requests("POST", "/api/v1"));
    }

    @Test
    void eventFailuresAreLoggedNeverThrownAndOneAttemptWithinACall() {
        fake.fail("POST", Kind.EVENTS.path(NS, null), 500, -1);
        KubernetesEventSink sink = sink();
        sink.record(decision(OPERATOR_QN, 3, 4, Reason.SIGNAL_HIGH).asWritten());
        fake.clearFaults();
        fake.delay("POST", Kind.EVENTS.path(NS, null), Duration.ofSeconds(3), 1);
        KubernetesSettings impatient = io.github.milvusautoscaler.testsupport.Kube.settings("", Duration.ofMillis(200), 3, Duration.ofMillis(1), true);
        sink(impatient).record(decision(OPERATOR_QN, 3, 2, Reason.SIGNALS_LOW).asWritten());
        assertEquals(2, fake.requests("POST", Kind.EVENTS.path(NS, null)).size(), "one attempt each");
        assertFalse(events().stream().anyMatch(e -> e.get("reason").getAsString().equals("ScaledOut")));
    }

    /**
     * A hand pause whose form changes is told again, with the command that now lifts it: the Event of a list pause
     * kept the lift of the list as it was, and running it lifted one component and paused the other again (recheck 45,
     * F2). A scale run's steps under its pause change only the count held at, and tell nothing.
     */
    @Test
    void aPauseIsToldAgainWhenWhatLiftsItChangesNotWhenOnlyTheCountDoes() {
        KubernetesEventSink sink = sink();
        String list = "queryNode paused by an annotation on the object, not by the pause or scale command; lift it with:"
                + " kubectl -n milvus annotate milvus op --overwrite milvus-autoscaler.io/paused=proxy";
        String alone = "queryNode paused by an annotation on the object, not by the pause or scale command; lift it with:"
                + " kubectl -n milvus annotate milvus op milvus-autoscaler.io/paused-";
        String run = "queryNode paused by alice@laptop: scale --to 1 since 2026-01-05T10:00:00Z (the pause or scale"
                + " command); a scale run lifts its own pause when it ends";
        // A step's pods turning ready change only the count the hold names ready (recheck 58, F3): nothing told.
        for (String[] tick : new String[][] {{list, "3"}, {list, "3"}, {alone, "3"}, {alone, "3"}, {run, "3"},
                {run, "2 (1 ready)"}, {run, "2"}, {run, "1"}}) {
            int at = Integer.parseInt(tick[1].split(" ")[0]);
            sink.record(new Decision(OPERATOR_QN, T0, io.github.milvusautoscaler.core.Action.HOLD, at, at,
                    Reason.PAUSED, tick[0] + "; holding at " + tick[1], Map.of(), false));
        }
        assertEquals(List.of(list + "; holding at 3", alone + "; holding at 3", run + "; holding at 3"),
                events().stream().map(e -> e.get("message").getAsString()).toList());
    }

    /**
     * An Event the API server could not take (a 5xx) is sent again, the same object, when its target's next decision is
     * recorded, up to three attempts, as client-go's recorder tries again: a pause's one ScaleBlocked Event was lost to
     * a single 500 (recheck 42, R3). A 500 whose create had landed answers the retry 409 (AlreadyExists, the name is the
     * Event's own): nothing told twice. A 403 is not sent again.
     */
    @Test
    void anEventTheServerCouldNotTakeIsSentAgainAtTheNextDecisionUpToThreeTimes() {
        KubernetesEventSink sink = sink();
        String events = Kind.EVENTS.path(NS, null);
        fake.fail("POST", events, 500, 1);
        sink.record(hold(OPERATOR_QN, 3, Reason.PAUSED));
        assertEquals(List.of(), events());
        sink.record(hold(OPERATOR_QN, 3, Reason.PAUSED));
        assertEquals(List.of("ScaleBlocked"), events().stream().map(e -> e.get("reason").getAsString()).toList());
        assertEquals(2, fake.requests("POST", events).size(), "the first attempt and the one at the next decision");
        sink.record(hold(OPERATOR_QN, 3, Reason.PAUSED));
        assertEquals(2, fake.requests("POST", events).size(), "told once: nothing left to send");

        fake.clearRequests();
        fake.applyThenFail("POST", events, 500, 1);
        sink.record(hold(OPERATOR_QN, 3, Reason.SCALE_OUT_COOLDOWN));
        sink.record(hold(OPERATOR_QN, 3, Reason.SCALE_OUT_COOLDOWN));
        sink.record(hold(OPERATOR_QN, 3, Reason.SCALE_OUT_COOLDOWN));
        assertEquals(2, fake.requests("POST", events).size(), "sent again once, answered 409");
        assertEquals(2, events().size(), "the cooldown's Event once");

        fake.clearRequests();
        fake.fail("POST", events, 503, -1);
        try (CapturedLogs logs = CapturedLogs.of(KubernetesEventSink.class)) {
            for (int i = 0; i < 5; i++) {
                sink.record(hold(HELM_QN, 3, Reason.SETTLING));
            }
            assertEquals(3, fake.requests("POST", events).size(), "three attempts, then dropped");
            assertTrue(logs.warnings().get(0).endsWith("; sent again at the next tick (attempt 1 of 3)"),
                    logs.warnings().get(0));
            assertTrue(logs.warnings().get(2).endsWith("; dropped after 3 attempts"), logs.warnings().get(2));
        }

        fake.clearFaults();
        fake.clearRequests();
        fake.fail("POST", events, 403, -1);
        sink.record(hold(HELM_QN, 3, Reason.PARTIAL_DATA));
        sink.record(hold(HELM_QN, 3, Reason.PARTIAL_DATA));
        assertEquals(1, fake.requests("POST", events).size(), "a 403 is not sent again");
    }

    /**
     * Events follow what reached the object, not what was decided: a scale abandoned before it was
     * sent makes no ScaledOut, and a scale that landed is told even if the Lease was lost right after.
     */
    @Test
    void onlyWrittenScalesBecomeScaledEventsOnceLeadershipNotwithstanding() {
        KubernetesEventSink sink = sink();
        sink.record(decision(OPERATOR_QN, 3, 4, Reason.SIGNAL_HIGH));
        assertEquals(List.of(), fake.requests("POST", "/api/v1"), "a decision that was not written is no ScaledOut");
        leader.set(false);
        sink.record(decision(OPERATOR_QN, 3, 4, Reason.SIGNAL_HIGH).asWritten());
        assertEquals(1, events().size());
        assertEquals("ScaledOut", events().get(0).get("reason").getAsString());
    }
}
