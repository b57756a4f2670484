package io.github.milvusautoscaler.actuate;

import static io.github.milvusautoscaler.actuate.ActuateFixtures.HELM_QN;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.NS;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.OPERATOR_QN;
import static io.github.milvusautoscaler.actuate.ActuateFixtures.RELEASE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pause annotations of the pause/resume/scale commands: keys per install kind, 409 re-read, only ours lifted. */
class PauseMarksTest {

    static final Instant AT = Instant.parse("2025-03-01T12:00:00Z");
    static final String DEPLOYMENT = RELEASE + "-milvus-querynode";

    FakeKubernetesApi fake;
    PauseMarks marks;
    /** Someone else's annotation write, made just before each of our PATCHes while {@code racing} is > 0. */
    final AtomicInteger racing = new AtomicInteger();

    @BeforeEach
    void start() {
        fake = FakeKubernetesApi.start();
        ActuateFixtures.seedHelm(fake, 3, 3);
        ActuateFixtures.seedOperator(fake, 3, 3);
        marks = new PauseMarks(ActuateFixtures.client(fake), ActuateFixtures.options());
        fake.onRequest(q -> {
            if (q.method().equals("PATCH") && racing.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                fake.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"metadata\": {\"annotations\": {\"other\": \"" + q.body().length() + "\"}}}");
            }
        });
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    JsonObject annotations(Kind kind, String name) {
        return fake.get(kind, NS, name).orElseThrow().getAsJsonObject("metadata").getAsJsonObject("annotations");
    }

    @Test
    void aConflictIsReReadAndRetriedKeepingTheOtherWritersChange() {
        racing.set(2);
        PauseMarks.Mark before = marks.pause(HELM_QN, "alice@laptop: pause", AT);
        assertFalse(before.paused());
        JsonObject a = annotations(Kind.DEPLOYMENTS, DEPLOYMENT);
        assertEquals("true", a.get("milvus-autoscaler.io/paused").getAsString());
        assertEquals("alice@laptop: pause", a.get("milvus-autoscaler.io/paused-by").getAsString());
        assertEquals("2025-03-01T12:00:00Z", a.get("milvus-autoscaler.io/paused-at").getAsString());
        assertTrue(a.has("other"), "the concurrent change stands: " + a);
        assertEquals(3, fake.requests("PATCH", "/apis/apps/v1").size(), "two conflicts, then the write");
    }

    /**
     * The pause is applied but its answer is lost (a 504 after the write): the client's retry carries the old
     * resourceVersion and meets its own change as a 409. The re-read shows exactly this call's pause, so it is this
     * call's: it used to be returned as somebody else's, which scale then never lifted (scale audit H4).
     */
    @Test
    void aPauseWhoseAnswerWasLostIsStillThisCallsAndItsOwnResumeLiftsIt() {
        fake.applyThenFail("PATCH", "/apis/apps/v1/namespaces/" + NS + "/deployments/" + DEPLOYMENT, 504, 1);
        PauseMarks.Mark before = marks.pause(HELM_QN, "alice@laptop: scale --to 2", AT);
        assertFalse(before.paused(), "this call wrote the pause: " + before);
        assertTrue(fake.requests("PATCH", "/apis/apps/v1").size() >= 2, "the lost answer was retried");
        PauseMarks.Mark mine = marks.read(HELM_QN);
        assertTrue(mine.byScale(), mine.toString());

        // Someone else's pause since (another run took it over) is not this run's to lift.
        PauseMarks.Mark other = new PauseMarks.Mark(mine.object(), true, mine.pausedKey(),
                java.util.Optional.of("bob@ci: scale --to 1"), mine.at(), mine.resourceVersion());
        assertFalse(marks.resumeOwn(HELM_QN, other).samePause(other));
        assertEquals("true", annotations(Kind.DEPLOYMENTS, DEPLOYMENT).get("milvus-autoscaler.io/paused").getAsString());

        fake.applyThenFail("PATCH", "/apis/apps/v1/namespaces/" + NS + "/deployments/" + DEPLOYMENT, 504, 1);
        assertTrue(marks.resumeOwn(HELM_QN, mine).samePause(mine), "its own resume, answer lost too, lifted it");
        assertFalse(annotations(Kind.DEPLOYMENTS, DEPLOYMENT).has("milvus-autoscaler.io/paused"));
    }

    /**
     * A scale run's pause is told by its paused-by's shape, with or without the Kubernetes user the API server named
     * (TargetSelection#pausedBy); a pause whose reason quotes a scale command is not a run's.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} -> {1}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "alice@laptop: scale --to 2                                               | true",
            "oidc:alice@example.com (alice@laptop): scale --to 2 (upgrade)            | true",
            "system:serviceaccount:ops:runner (root@runner-7f): scale --to 3          | true",
            "CN=Alice_Smith,OU=ops (alice@bastion-1): scale --to 1                    | true",
            "oidc:alice@example.com (alice@laptop): scale --to 2 [kept paused]        | false",
            "oidc:alice@example.com (alice@laptop): pause                             | false",
            "alice@laptop: pause (x: scale --to 3)                                    | false",
            "oidc:alice@example.com (alice@laptop): pause (bob (b@h): scale --to 3)   | false"})
    void aScaleRunsPauseIsToldByItsShape(String by, boolean byScale) {
        marks.pause(HELM_QN, "alice@laptop: pause", AT);
        PauseMarks.Mark read = marks.read(HELM_QN);
        PauseMarks.Mark mark = new PauseMarks.Mark(read.object(), true, read.pausedKey(), java.util.Optional.of(by),
                read.at(), read.resourceVersion());
        assertEquals(byScale, mark.byScale(), by);
    }

    /** --take-over replaces the left pause's writer, so the run that left it, if alive, no longer lifts it. */
    @Test
    void takeOverRewritesTheWriterOnlyOfThePauseItWasGiven() {
        marks.pause(HELM_QN, "bob@ci: scale --to 1", AT);
        PauseMarks.Mark left = marks.read(HELM_QN);
        assertTrue(left.byScale());
        Instant now = AT.plusSeconds(60);
        assertTrue(marks.takeOver(HELM_QN, left, "alice@laptop: scale --to 1", now).samePause(left));
        PauseMarks.Mark taken = marks.read(HELM_QN);
        assertEquals(java.util.Optional.of("alice@laptop: scale --to 1"), taken.by());
        assertEquals(java.util.Optional.of(now.toString()), taken.at());
        assertFalse(marks.resumeOwn(HELM_QN, left).samePause(left), "bob's run no longer lifts it");
        assertTrue(marks.read(HELM_QN).paused());
        assertFalse(marks.takeOver(HELM_QN, left, "carol@x: scale --to 2", now).samePause(left),
                "a pause that is no longer the one given is not taken over");
        assertEquals(java.util.Optional.of("alice@laptop: scale --to 1"), marks.read(HELM_QN).by());
    }

    @Test
    void endlessConflictsGiveUpWithTheConflict() {
        racing.set(Integer.MAX_VALUE);
        ActuationException e = assertThrows(ActuationException.class,
                () -> marks.pause(HELM_QN, "alice@laptop: pause", AT));
        assertEquals(ActuationException.Kind.CONFLICT, e.kind());
        assertEquals(PauseMarks.CONFLICT_ATTEMPTS, fake.requests("PATCH", "/apis/apps/v1").size());
    }

    @Test
    void operatorPauseIsPerComponentAndResumeRemovesOnlyItsOwnKeys() {
        fake.merge(Kind.MILVUSES, NS, RELEASE, "{\"metadata\": {\"annotations\": {\"team\": \"search\"}}}");
        marks.pause(OPERATOR_QN, "bob@ci: scale --to 1", AT);
        JsonObject a = annotations(Kind.MILVUSES, RELEASE);
        assertEquals("true", a.get("milvus-autoscaler.io/queryNode.paused").getAsString());
        assertFalse(a.has("milvus-autoscaler.io/paused"), a.toString());
        assertTrue(marks.read(OPERATOR_QN).ours());
        PauseMarks.Mark resumed = marks.resume(OPERATOR_QN);
        assertTrue(resumed.ours());
        assertEquals("{\"team\":\"search\"}", annotations(Kind.MILVUSES, RELEASE).toString());
    }

    /**
     * The daemon's read of the object names who holds a pause these commands wrote, and since when, for status and
     * the PAUSED decision; a pause set by hand names nobody (scale recheck 2, L2: a run's pause, a killed run's and a
     * hand pause all read alike, and a responder was invited to resume under a running scale).
     */
    @Test
    void theDaemonsReadNamesWhoHoldsAPauseTheseCommandsWrote() {
        ScaledObjects objects = new ScaledObjects(ActuateFixtures.options());
        HelmDeploymentActuator helm = new HelmDeploymentActuator(ActuateFixtures.client(fake), ActuateFixtures.options(),
                objects);
        MilvusOperatorActuator operator = new MilvusOperatorActuator(ActuateFixtures.client(fake),
                ActuateFixtures.options(), objects);
        assertEquals("", helm.read(HELM_QN).pausedBy());
        marks.pause(HELM_QN, "bob@ci: scale --to 1", AT);
        assertTrue(helm.read(HELM_QN).paused());
        assertEquals("bob@ci: scale --to 1 since " + AT, helm.read(HELM_QN).pausedBy());
        marks.pause(OPERATOR_QN, "alice@laptop: pause (reindex)", AT);
        assertEquals("alice@laptop: pause (reindex) since " + AT, operator.read(OPERATOR_QN).pausedBy());
        marks.resume(OPERATOR_QN);
        assertEquals("", operator.read(OPERATOR_QN).pausedBy(), "lifted: nobody to name");

        marks.resume(HELM_QN);
        fake.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"metadata\": {\"annotations\": {\"milvus-autoscaler.io/paused\": \"true\"}}}");
        assertTrue(helm.read(HELM_QN).paused());
        assertEquals("", helm.read(HELM_QN).pausedBy(), "set by hand: nobody to name");
    }

    @Test
    void aPauseSetByHandIsNeitherOverwrittenNorLifted() {
        fake.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"metadata\": {\"annotations\": {\"milvus-autoscaler.io/paused\": \"true\"}}}");
        fake.clearRequests();
        assertTrue(marks.pause(HELM_QN, "alice@laptop: pause", AT).paused());
        PauseMarks.Mark resumed = marks.resume(HELM_QN);
        assertTrue(resumed.paused() && !resumed.ours());
        assertEquals(0, fake.requests("PATCH", "/apis").size(), "nothing written");
        assertEquals("true", annotations(Kind.DEPLOYMENTS, DEPLOYMENT).get("milvus-autoscaler.io/paused").getAsString());
    }

    /** The chart's StatefulSet mode (queryNode.statefulset): the pause is written on the StatefulSet. */
    @Test
    void aStatefulSetModeReleaseIsPausedOnItsStatefulSet() {
        fake.delete(Kind.DEPLOYMENTS, NS, DEPLOYMENT);
        fake.put(Kind.STATEFULSETS, ActuateFixtures.statefulSet(DEPLOYMENT, ActuateFixtures.helmLabels(RELEASE,
                "querynode"), 3, 3, 3, 2, 2, java.util.Map.of()));
        PauseMarks.Mark before = marks.pause(HELM_QN, "alice@laptop: pause", AT);
        assertFalse(before.paused());
        assertEquals("statefulset milvus/" + DEPLOYMENT, before.object());
        assertEquals("true", annotations(Kind.STATEFULSETS, DEPLOYMENT).get("milvus-autoscaler.io/paused").getAsString());
        assertTrue(marks.resume(HELM_QN).ours());
        assertFalse(annotations(Kind.STATEFULSETS, DEPLOYMENT).has("milvus-autoscaler.io/paused"));
    }
    /**
     * A pause of the pause command lifted by hand ({@code kubectl annotate ... paused-}, which removes that key only)
     * leaves its paused-by and paused-at; a pause set again by hand was then read as the command's, and resume
     * removed it, exit 0 (recheck 41, F1). resume now removes the left-over marks, and the hand pause set after is
     * left alone.
     */
    @Test
    void resumeRemovesTheMarksAPauseLiftedByHandLeftSoAHandPauseAfterIsLeftAlone() {
        marks.pause(OPERATOR_QN, "alice@laptop: pause (maint)", AT);
        fake.merge(Kind.MILVUSES, NS, RELEASE, "{\"metadata\": {\"annotations\": {\"milvus-autoscaler.io/queryNode.paused\": null}}}");
        PauseMarks.Mark lifted = marks.read(OPERATOR_QN);
        assertFalse(lifted.paused());
        assertTrue(lifted.leftover(), lifted.toString());

        PauseMarks.Mark before = marks.resume(OPERATOR_QN);
        assertTrue(before.leftover() && !before.ours(), before.toString());
        JsonObject a = annotations(Kind.MILVUSES, RELEASE);
        assertFalse(a.has("milvus-autoscaler.io/queryNode.paused-by") || a.has("milvus-autoscaler.io/queryNode.paused-at"),
                a.toString());
        assertFalse(marks.read(OPERATOR_QN).leftover());

        fake.merge(Kind.MILVUSES, NS, RELEASE, "{\"metadata\": {\"annotations\": {\"milvus-autoscaler.io/queryNode.paused\": \"true\"}}}");
        PauseMarks.Mark hand = marks.resume(OPERATOR_QN);
        assertTrue(hand.paused() && !hand.ours(), "a hand pause, left alone: " + hand);
        assertEquals("true", annotations(Kind.MILVUSES, RELEASE).get("milvus-autoscaler.io/queryNode.paused").getAsString());
    }

    /**
     * The daemon names who holds a pause: the command's marks while its pause stands; none once it saw them outlive
     * that pause (lifted by hand) and come back with a pause set again by hand; a new pause command's again.
     */
    @Test
    void theDaemonNamesAHandPauseThatCameBackOverLeftOverMarksAsOneByHand() {
        PauseMarks.Sightings pauses = new PauseMarks.Sightings();
        String object = "milvus " + NS + "/" + RELEASE;
        String marks1 = "\"milvus-autoscaler.io/queryNode.paused-by\": \"alice@laptop: pause (maint)\","
                + " \"milvus-autoscaler.io/queryNode.paused-at\": \"2025-03-01T12:00:00Z\"";
        java.util.function.Function<String, JsonObject> json = t -> com.google.gson.JsonParser.parseString(t)
                .getAsJsonObject();
        String paused = "\"milvus-autoscaler.io/queryNode.paused\": \"true\", ";
        assertEquals("alice@laptop: pause (maint) since 2025-03-01T12:00:00Z",
                pauses.signed(json.apply("{" + paused + marks1 + "}"), OPERATOR_QN, object, "1"));
        assertEquals("", pauses.signed(json.apply("{" + marks1 + "}"), OPERATOR_QN, object, "2"), "lifted by hand");
        assertEquals("", pauses.signed(json.apply("{" + paused + marks1 + "}"), OPERATOR_QN, object, "3"),
                "paused again by hand over the left-over marks");
        String marks2 = "\"milvus-autoscaler.io/queryNode.paused-by\": \"bob@bastion: pause\","
                + " \"milvus-autoscaler.io/queryNode.paused-at\": \"2025-03-01T13:00:00Z\"";
        assertEquals("bob@bastion: pause since 2025-03-01T13:00:00Z",
                pauses.signed(json.apply("{" + paused + marks2 + "}"), OPERATOR_QN, object, "4"), "a new command pause");
    }
}
