package io.github.milvusautoscaler.actuate;

import static io.github.milvusautoscaler.actuate.ActuateFixtures.OPERATOR_QN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.LeaderElectionSettings;
import io.github.milvusautoscaler.core.LeaderGate;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import okhttp3.Interceptor;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two candidates on the fake Lease API with short durations (lease 2s, renew deadline 1.5s,
 * retry 0.3s): one leader at a time, hand-over on close, take-over after a leader is cut off.
 */
class LeaderElectionTest {

    /** The autoscaler's own namespace and Lease, as deploy/base/rbac.yaml names them. */
    static final String OWN_NAMESPACE = "milvus-autoscaler";
    static final String LEASE = "milvus-autoscaler";
    static final Duration LEASE_DURATION = Duration.ofSeconds(2);
    static final Duration RENEW_DEADLINE = Duration.ofMillis(1500);
    static final Duration RETRY = Duration.ofMillis(300);

    private FakeKubernetesApi fake;
    private final List<LeaderElection> elections = new ArrayList<>();

    @BeforeEach
    void start() {
        fake = FakeKubernetesApi.start();
    }

    @AfterEach
    void stop() throws IOException {
        elections.forEach(LeaderElection::close);
        try {
            assertEquals(List.of(), RbacRules.deniedByEveryOverlay(fake.requests().stream()
                    .filter(FakeKubernetesApi.Request::fromAutoscaler).toList()), "requests no overlay's RBAC allows");
        } finally {
            fake.close();
        }
    }

    static LeaderElectionSettings options(String identity) {
        return new LeaderElectionSettings(true, LEASE, OWN_NAMESPACE, identity, LEASE_DURATION, RENEW_DEADLINE, RETRY);
    }

    /** A candidate whose network the test can cut, as if its pod was partitioned or frozen. */
    record Candidate(LeaderElection election, Partition partition, ApiClient client) {
    }

    static final class Partition implements Interceptor {
        volatile boolean cut;
        /**
         * Requests fail with an unchecked exception thrown out of the client, as client-java's RefreshAuthentication
         * threw TokenAquisitionException from its interceptor when a kubeconfig's exec plugin failed (recheck 77).
         */
        volatile boolean unchecked;

        @Override
        public Response intercept(Chain chain) throws IOException {
            if (unchecked) {
                throw new IllegalStateException("credentials plugin failed (thrown by the test)");
            }
            if (cut) {
                throw new IOException("network cut by the test");
            }
            return chain.proceed(chain.request());
        }
    }

    private Candidate candidate(String identity) {
        return candidate(identity, System::nanoTime);
    }

    /** autoscaler-a, started on the monotonic {@code ticker} the test moves, once it leads. */
    private Candidate leadingOn(java.util.concurrent.atomic.AtomicLong ticker) {
        Candidate a = candidate("autoscaler-a", ticker::get);
        a.election().start();
        await(Duration.ofSeconds(10), a.election()::isLeader, "a leads");
        return a;
    }

    private Candidate candidate(String identity, java.util.function.LongSupplier nanoTime) {
        ApiClient client = ActuateFixtures.client(fake);
        Partition partition = new Partition();
        client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(partition).build());
        LeaderElection election = LeaderElection.create(client, options(identity), nanoTime);
        elections.add(election);
        return new Candidate(election, partition, client);
    }

    private Optional<String> holder() {
        return fake.get(Kind.LEASES, OWN_NAMESPACE, LEASE)
                .map(l -> l.getAsJsonObject("spec"))
                .filter(s -> s.has("holderIdentity") && !s.get("holderIdentity").isJsonNull())
                .map(s -> s.get("holderIdentity").getAsString());
    }

    /** Polls every 10 ms until the condition holds; returns the time it took, fails after {@code max}. */
    private static Duration await(Duration max, BooleanSupplier condition, String what) {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            if (waited.compareTo(max) > 0) {
                fail("not within " + max + ": " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * A first Lease call with no answer within the retry period (a new pod's cold TLS handshake) is INFO, not WARN: every
     * pod start logged a WARN TimeoutException and then led at its next try (recheck 54, R4). Once the Lease has
     * answered, a renewal with no answer is a WARN again.
     */
    @Test
    void aFirstTryWithNoAnswerIsNoWarning() {
        String leases = "/apis/coordination.k8s.io/v1/namespaces/" + OWN_NAMESPACE + "/leases";
        fake.delay("GET", leases, RETRY.multipliedBy(3), 1);
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(LeaderElection.class)) {
            Candidate a = candidate("autoscaler-a");
            a.election().start();
            await(Duration.ofSeconds(10), a.election()::isLeader, "a leads");
            assertTrue(logs.messages().stream().anyMatch(m -> m.startsWith("leader election: the first try of Lease "
                    + OWN_NAMESPACE + "/" + LEASE + " had no answer within the retry period 300ms")),
                    logs.messages().toString());
            assertEquals(List.of(), logs.warnings());
            fake.delay("GET", leases, LEASE_DURATION, 3);
            // A renewal held a whole lease duration: its timeout is a WARN, in words, where it read
            // "java.util.concurrent.TimeoutException" (recheck 106's remark).
            await(Duration.ofSeconds(10), () -> logs.warnings().stream().anyMatch(m -> m.equals(
                    "leader election: acquiring or renewing Lease " + OWN_NAMESPACE + "/" + LEASE + " failed: no answer"
                    + " within the retry period 300ms")), "a renewal's timeout is a WARN");
        }
    }

    /**
     * A leader stopping while the API server does not answer says why it could not release the Lease in the
     * failure's words: client-java's code for no answer is 0, and the WARN read "(HTTP 0)" (drain recheck 58).
     */
    @Test
    void aReleaseWithNoAnswerSaysSoNotHttpZero() {
        Candidate a = candidate("autoscaler-a");
        a.election().start();
        await(Duration.ofSeconds(10), a.election()::isLeader, "a leads");
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(LeaderElection.class)) {
            a.partition().cut = true;
            a.election().close();
            List<String> release = logs.warnings().stream().filter(m -> m.contains("to release it")).toList();
            assertEquals(List.of("leader election: could not read Lease milvus-autoscaler/milvus-autoscaler to release"
                    + " it (no answer: IOException (network cut by the test)); a follower takes over after 2s"), release,
                    logs.warnings().toString());
        }
        assertEquals(Optional.of("autoscaler-a"), holder(), "the Lease still names a: a follower waits out its duration");
    }

    /**
     * A leader whose requests throw an unchecked exception for a while (a credentials plugin that failed at a refresh)
     * loses the Lease and leads again once they stop: the exception ended the election thread, and the replica never
     * stood again while its health checks said it was fine (recheck 77, F1).
     */
    @Test
    void anExceptionThrownOutOfTheClientDoesNotEndTheCandidacy() {
        Candidate a = candidate("autoscaler-a");
        a.election().start();
        await(Duration.ofSeconds(10), a.election()::isLeader, "a leads");
        a.partition().unchecked = true;
        await(Duration.ofSeconds(10), () -> !a.election().isLeader(), "a stops leading while its requests throw");
        a.partition().unchecked = false;
        await(Duration.ofSeconds(10), a.election()::isLeader, "a leads again once they stop");
    }

    @Test
    void oneLeaderAndCloseHandsTheLeaseOverAtOnce() {
        Candidate a = candidate("autoscaler-a");
        a.election().start();
        await(Duration.ofSeconds(10), a.election()::isLeader, "a leads");
        Candidate b = candidate("autoscaler-b");
        b.election().start();
        await(Duration.ofSeconds(10), () -> b.election().observedLeader().equals(Optional.of("autoscaler-a")),
                "b sees a as leader");
        assertFalse(b.election().isLeader(), "a follower does not lead");
        assertTrue(a.election().isLeader());
        assertEquals(Optional.of("autoscaler-a"), holder());
        // b has seen another leader, which told what b decides while it follows; a, the first, has seen none.
        assertTrue(b.election().anotherLeaderSeen());
        assertFalse(a.election().anotherLeaderSeen());

        a.election().close();

        assertFalse(a.election().isLeader(), "the flag drops at once on close");
        assertEquals(Optional.empty(), holder(), "close cleared holderIdentity on the Lease");
        // b retries every 0.3-0.66 s (retry x (1 + 1.2 x random)) and notices within 0.3 s more: ~1 s, under the
        // 2 s lease duration it would otherwise wait after its last sight of a renewal.
        Duration takeOver = await(Duration.ofSeconds(10), b.election()::isLeader, "b takes over");
        assertTrue(takeOver.compareTo(LEASE_DURATION) <= 0, "took " + takeOver);
        assertEquals(Optional.of("autoscaler-b"), holder());
    }

    /**
     * Another holder on the Lease while this replica leads (the Lease deleted and taken, or edited) closes the gate as
     * soon as the elector sees it, not at renew-deadline after the last renewal: the old leader wrote a scale, posted
     * Events and accepted an alert up to 8 s after it had logged the new holder (fault recheck F3). Here the Lease is
     * rewritten to an unexpired holder of its own; when the leader has seen it, it no longer leads, though its last
     * renewal is well within the 1.5 s renew deadline. The Lease's fields and MicroTime format are coordination.k8s.io/v1
     * LeaseSpec's (kubernetes api/coordination/v1/types.go: holderIdentity, leaseDurationSeconds, acquireTime,
     * renewTime, leaseTransitions), as client-java's LeaseLock writes them.
     */
    @Test
    void anotherHolderSeenOnTheLeaseClosesTheGateAtOnce() {
        Candidate a = candidate("autoscaler-a");
        a.election().start();
        await(Duration.ofSeconds(10), a.election()::isLeader, "a leads");
        putIntruder();
        await(Duration.ofSeconds(10), () -> a.election().observedLeader().equals(Optional.of("intruder")),
                "a sees the intruder");
        assertFalse(a.election().isLeader(), "the gate closed when the other holder was seen");
        assertEquals(Optional.of("intruder"), holder(), "nothing was written over the other holder");
    }

    /** Rewrites the Lease to an unexpired holder "intruder" of its own, in client-java LeaseLock's MicroTime format. */
    private void putIntruder() {
        String now = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
        fake.put(Kind.LEASES, """
                {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                 "metadata": {"name": "%s", "namespace": "%s"},
                 "spec": {"holderIdentity": "intruder", "leaseDurationSeconds": 60, "acquireTime": "%s",
                          "renewTime": "%s", "leaseTransitions": 7}}
                """.formatted(LEASE, OWN_NAMESPACE, now, now));
    }

    /**
     * The gate closes when the leader's renewal reads another holder, not a retry period later when client-java's
     * elector reports it (LeaderElector.renewLoop sleeps retryPeriod before maybeReportTransition): writes went out
     * 1.7 s and 0.8 s after that read (fault recheck F3's residual). With a 3 s retry period the report comes 3 s
     * after the read; the gate is closed, and said closed, before it. The 20 s renew deadline keeps the gate open on
     * its own for longer than both (the elector first leads a retry period after it created the Lease, and the renewal
     * racing the intruder's write may meet a 409). Lease fields as in the test above.
     */
    @Test
    void theGateClosesWhenTheRenewalReadsAnotherHolderBeforeTheElectorReportsIt() {
        ApiClient client = ActuateFixtures.client(fake);
        LeaderElection a = LeaderElection.create(client, new LeaderElectionSettings(true, LEASE, OWN_NAMESPACE,
                "autoscaler-a", Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(3)), System::nanoTime);
        elections.add(a);
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(LeaderElection.class)) {
            a.start();
            await(Duration.ofSeconds(10), a::isLeader, "a leads");
            putIntruder();
            await(Duration.ofSeconds(12), () -> !a.isLeader(), "a's gate closes at its next renewal (3 s retry)");
            List<String> said = logs.messages();
            assertTrue(said.contains("leader election: the Lease " + OWN_NAMESPACE + "/" + LEASE + " names intruder;"
                    + " this replica led until now and stops writing at once"), String.join("\n", said));
            assertTrue(said.stream().noneMatch(m -> m.contains("is held by intruder")),
                    "closed before the elector reported the new holder: " + said);
        }
    }

    /**
     * The start line gives the durations as the config writes them (2s, 1500ms, 300ms), not as java.time prints
     * them (PT2S, PT1.5S, PT0.3S), which an SRE reading the log would have to translate back.
     */
    @Test
    void theStartLineNamesTheDurationsAsTheConfigWritesThem() {
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(LeaderElection.class)) {
            Candidate a = candidate("autoscaler-a");
            a.election().start();
            assertTrue(logs.messages().contains("leader election: standing as autoscaler-a for Lease " + OWN_NAMESPACE
                    + "/" + LEASE + " (lease 2s, renew deadline 1500ms, retry 300ms)"), String.join("\n", logs.messages()));
            assertTrue(logs.messages().stream().noneMatch(m -> m.matches("(?s).*\\bPT[0-9].*")),
                    "ISO-8601 durations in the log: " + logs.messages());
        }
    }

    @Test
    void aCutOffLeaderStopsBeforeTheOtherTakesOverAndNoCountIsWrittenTwice() {
        ActuateFixtures.seedOperator(fake, 3, 3);
        Candidate a = candidate("autoscaler-a");
        a.election().start();
        await(Duration.ofSeconds(10), a.election()::isLeader, "a leads");
        Candidate b = candidate("autoscaler-b");
        b.election().start();
        await(Duration.ofSeconds(10), () -> b.election().observedLeader().equals(Optional.of("autoscaler-a")),
                "b sees a as leader");
        ReplicaActuator actuatorA = RoutingActuator.forCluster(a.client(), ActuateFixtures.options(),
                new ScaledObjects(ActuateFixtures.options()));
        ReplicaActuator actuatorB = RoutingActuator.forCluster(b.client(), ActuateFixtures.options(),
                new ScaledObjects(ActuateFixtures.options()));

        // Both replicas compute the same decision (3 -> 5); only the leader writes it.
        tick(a.election(), actuatorA, 5);
        tick(b.election(), actuatorB, 5);
        assertEquals(1, milvusPatches());

        a.partition().cut = true;
        long cut = System.nanoTime();
        long[] aDropped = {0};
        long[] bRose = {0};
        await(Duration.ofSeconds(15), () -> {
            boolean aLeads = a.election().isLeader();
            boolean bLeads = b.election().isLeader();
            assertFalse(aLeads && bLeads, "two leaders at once");
            long now = System.nanoTime();
            if (!aLeads && aDropped[0] == 0) {
                aDropped[0] = now;
            }
            if (bLeads && bRose[0] == 0) {
                bRose[0] = now;
            }
            tick(a.election(), actuatorA, 5);
            tick(b.election(), actuatorB, 5);
            return bLeads;
        }, "b takes over from the cut-off a");

        assertTrue(aDropped[0] != 0 && aDropped[0] < bRose[0], "a stopped writing before b started");
        Duration dropped = Duration.ofNanos(aDropped[0] - cut);
        Duration takeOver = Duration.ofNanos(bRose[0] - cut);
        // a's last renewal started at most one retry (0.3 s) before the cut; its gate closes 1.5 s after that.
        assertTrue(dropped.compareTo(RENEW_DEADLINE.plusMillis(100)) <= 0, "a kept leading for " + dropped);
        // b last saw a renew at most 0.66 s after it happened, takes the Lease at its first retry after 2 s more
        // (<= 0.66 s) and notices within 0.3 s: 0.66 + 2 + 0.66 + 0.3 = 3.62 s, bounded here by 4 s.
        assertTrue(takeOver.compareTo(Duration.ofSeconds(4)) <= 0, "b took " + takeOver);
        assertEquals(Optional.of("autoscaler-b"), holder());
        assertEquals(1, milvusPatches(), "the new leader re-read 5 and wrote nothing");
        assertEquals(5, fake.get(Kind.MILVUSES, ActuateFixtures.NS, ActuateFixtures.RELEASE).orElseThrow()
                .getAsJsonObject("spec").getAsJsonObject("components").getAsJsonObject("queryNode").get("replicas")
                .getAsInt());
    }

    /** One engine tick in miniature: read, and write only as leader and only on change. */
    private static void tick(LeaderGate gate, ReplicaActuator actuator, int desired) {
        try {
            ReplicaStatus status = actuator.read(OPERATOR_QN);
            if (status.current() != desired && gate.isLeader()) {
                actuator.apply(ActuateFixtures.decision(OPERATOR_QN, status.current(), desired, Reason.SIGNAL_HIGH),
                        status);
            }
        } catch (ActuationException e) {
            // a cut-off replica cannot read; the next tick tries again
        }
    }

    private int milvusPatches() {
        return fake.requests("PATCH", Kind.MILVUSES.path(ActuateFixtures.NS, ActuateFixtures.RELEASE)).size();
    }

    /**
     * The gate times renewals on the monotonic ticker it is given, not on the wall clock: with the network cut (no
     * renewal can succeed) the leader stops leading the moment its ticker passes the renew deadline, though no
     * wall-clock time has passed; a wall clock NTP steps back could not hold the gate open.
     */
    @Test
    void theGateClosesOnTheMonotonicTickerNotTheWallClock() {
        java.util.concurrent.atomic.AtomicLong ticker = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
        Candidate a = leadingOn(ticker);
        a.partition().cut = true;
        ticker.addAndGet(RENEW_DEADLINE.toNanos() - 1);
        assertTrue(a.election().isLeader(), "still within the renew deadline of its last renewal");
        ticker.addAndGet(1);
        assertFalse(a.election().isLeader(), "a renew deadline after its last renewal, by the ticker");
    }

    /**
     * The term of leadership holds while renewals come within the renew deadline of each other, whatever the wall
     * time, and moves when one comes later (the gate was closed between them): a write decided in one term may go
     * from an object read long ago, since no other replica could take the Lease meanwhile (recheck 46, F1), and one
     * whose term moved is abandoned.
     */
    @Test
    void theTermHoldsThroughTimelyRenewalsAndMovesAfterALateOne() {
        java.util.concurrent.atomic.AtomicLong ticker = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
        Candidate a = leadingOn(ticker);
        long term = a.election().term();
        assertTrue(term > 0, "a term once leading: " + term);
        // Renewals on time (every retry period on the real clock, the ticker barely moving): the term stays.
        int renewals = fake.requests("PUT", Kind.LEASES.path(OWN_NAMESPACE, LEASE)).size();
        await(Duration.ofSeconds(10), () -> fake.requests("PUT", Kind.LEASES.path(OWN_NAMESPACE, LEASE)).size()
                >= renewals + 2, "two more renewals");
        assertEquals(term, a.election().term(), "renewed within the deadline: one term");
        // The ticker jumps past the renew deadline (a frozen replica): the gate closes, and the next renewal that
        // names it starts a new term.
        ticker.addAndGet(RENEW_DEADLINE.toNanos() + 1);
        assertFalse(a.election().isLeader());
        await(Duration.ofSeconds(10), a.election()::isLeader, "a leads again at its next renewal");
        assertTrue(a.election().term() > term, "a late renewal starts a new term");
    }

    @Test
    void aFollowerClosingLeavesTheLeaseAlone() {
        Candidate a = candidate("autoscaler-a");
        a.election().start();
        await(Duration.ofSeconds(10), a.election()::isLeader, "a leads");
        Candidate b = candidate("autoscaler-b");
        b.election().start();
        await(Duration.ofSeconds(10), () -> b.election().observedLeader().isPresent(), "b sees the Lease");
        int writesBefore = fake.requests("PUT", Kind.LEASES.path(OWN_NAMESPACE, LEASE)).size();

        b.election().close();

        assertEquals(Optional.of("autoscaler-a"), holder());
        assertTrue(a.election().isLeader());
        // Only a's renewals may have been written meanwhile, none by b's close: holder stays a and a keeps leading.
        assertTrue(fake.requests("PUT", Kind.LEASES.path(OWN_NAMESPACE, LEASE)).size() >= writesBefore);
    }

    /**
     * A rejected token (401) on the Lease read is said once, as a 403 is: the replica stood as a follower with no word
     * of why (secrets recheck 28, F4).
     */
    @Test
    void anUnauthorizedLeaseReadIsSaidOnce() {
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(LeaderElection.class)) {
            fake.fail("GET", Kind.LEASES.path(OWN_NAMESPACE, null), 401, -1);
            Candidate a = candidate("autoscaler-a");
            a.election().start();
            await(Duration.ofSeconds(10), () -> fake.requests("GET", Kind.LEASES.path(OWN_NAMESPACE, LEASE)).size() >= 3,
                    "a tries three times");
            assertFalse(a.election().isLeader());
            List<String> errors = logs.errors();
            assertEquals(List.of("leader election unauthorized (401): the API server rejected this replica's credentials"
                    + " reading Lease milvus-autoscaler/milvus-autoscaler (an expired or revoked token: the service"
                    + " account's in a pod, the kubeconfig's user outside); until they are accepted it can neither take"
                    + " nor renew the Lease (a leader keeps it until renew-deadline passes)"), errors);

            // The cause changes without a read succeeding in between: said too (secrets recheck 29, N2).
            fake.clearFaults();
            fake.fail("GET", Kind.LEASES.path(OWN_NAMESPACE, null), 403, -1);
            int before = fake.requests("GET", Kind.LEASES.path(OWN_NAMESPACE, LEASE)).size();
            await(Duration.ofSeconds(10), () -> fake.requests("GET", Kind.LEASES.path(OWN_NAMESPACE, LEASE)).size()
                    >= before + 2, "a tries twice more");
            List<String> after = logs.errors();
            assertEquals(2, after.size(), after.toString());
            assertTrue(after.get(1).startsWith("leader election forbidden (403)"), after.toString());

            // Accepted again: said, as the refusal was (recheck 80, F3: a leader kept the Lease, nothing said so).
            fake.clearFaults();
            await(Duration.ofSeconds(10), a.election()::isLeader, "a leads once the Lease reads");
            await(Duration.ofSeconds(10), () -> logs.messages().contains("leader election: Lease"
                    + " milvus-autoscaler/milvus-autoscaler answered again after the 403 said above"), "said once");
            assertEquals(1, logs.messages().stream().filter(m -> m.contains("answered again")).count(),
                    logs.messages().toString());
        }
    }

    @Test
    void forbiddenLeaseAccessNeverLeadsAndRecoversWhenGranted() {
        fake.fail(null, Kind.LEASES.path(OWN_NAMESPACE, null), 403, -1);
        Candidate a = candidate("autoscaler-a");
        a.election().start();
        await(Duration.ofSeconds(10), () -> fake.requests("GET", Kind.LEASES.path(OWN_NAMESPACE, LEASE)).size() >= 2,
                "a tries twice");
        assertFalse(a.election().isLeader());
        fake.clearFaults();
        await(Duration.ofSeconds(10), a.election()::isLeader, "a leads once the Role allows it");
    }

    /**
     * A Role that lets a replica read the Lease but not create or update it: the replica never leads, and says why
     * once, with the rule to add, for each of the two writes (fault recheck F7: client-java's LeaseLock answers the
     * 403 with false alone, and the replica said only "lost the Lease"). The fake answers 403 as the API server's
     * RBAC authorizer does for a verb the Role lacks (a Status with reason Forbidden); POST creates the Lease and PUT
     * updates it, as client-java's LeaseLock sends them (CoordinationV1Api createNamespacedLease, replaceNamespacedLease).
     */
    @Test
    void aRefusedLeaseWriteIsExplainedOnceWithTheRoleRule() {
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(LeaderElection.class)) {
            fake.fail("POST", Kind.LEASES.path(OWN_NAMESPACE, null), 403, -1);
            Candidate a = candidate("autoscaler-a");
            a.election().start();
            await(Duration.ofSeconds(10), () -> fake.requests("POST", Kind.LEASES.path(OWN_NAMESPACE, null)).size() >= 3,
                    "a tries to create the Lease three times");
            assertFalse(a.election().isLeader());
            List<String> errors = logs.errors();
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0).startsWith("leader election forbidden (403): the service account may not create"
                    + " leases.coordination.k8s.io \"milvus-autoscaler\" in namespace \"milvus-autoscaler\", so this"
                    + " replica cannot create the Lease."), errors.get(0));
            assertTrue(errors.get(0).contains("{verbs: [\"create\"]}"), errors.get(0));

            // Another replica made the Lease and let it go; this one may still not update it.
            fake.clearFaults();
            Candidate b = candidate("autoscaler-b");
            fake.fail("PUT", Kind.LEASES.path(OWN_NAMESPACE, LEASE), 403, -1);
            b.election().start();
            await(Duration.ofSeconds(10), () -> fake.requests("PUT", Kind.LEASES.path(OWN_NAMESPACE, LEASE)).size() >= 3,
                    "the replicas try to take the Lease");
            List<String> updates = logs.errors().stream().filter(m -> m.contains("may not update")).toList();
            assertFalse(updates.isEmpty(), logs.messages().toString());
            assertTrue(updates.get(0).contains("so this replica cannot take or renew it"), updates.get(0));
        }
    }

    /**
     * A leader whose renewals are refused with 429 (kube-apiserver's priority-and-fairness filter, the fake answering
     * as maxinflight.go's tooManyRequests does) loses the Lease, and the line says how its last renewal failed, where
     * "lost the Lease; writes stop" named no cause (recheck 102, F1; recheck 103's remark).
     */
    @Test
    void aLeaderLosingTheLeaseSaysHowItsLastRenewalFailed() {
        List<String> lost = lossLines(() -> fake.fail("PUT", Kind.LEASES.path(OWN_NAMESPACE, LEASE), 429, -1));
        assertEquals(List.of("leader election: autoscaler-a lost the Lease " + OWN_NAMESPACE + "/" + LEASE
                + "; writes stop (its last renewal: HTTP 429)"), lost);
    }

    /**
     * A leader whose Lease reads answer 500 (an API server failing every call) never gets to write: the line says the
     * read failed, where it named no cause (recheck 114, F4).
     */
    @Test
    void aLeaderLosingTheLeaseToFailedReadsSaysSo() {
        List<String> lost = lossLines(() -> fake.fail("GET", Kind.LEASES.path(OWN_NAMESPACE, LEASE), 500, -1));
        fake.clearFaults();
        assertEquals(List.of("leader election: autoscaler-a lost the Lease " + OWN_NAMESPACE + "/" + LEASE
                + "; writes stop (its last renewal: HTTP 500 reading it)"), lost);
    }

    /**
     * The "lost the Lease" lines of autoscaler-a, leading, once {@code renewalsFail} has made its renewals fail: the
     * gate closes at the renew deadline, and the elector says the loss when its renew loop gives up.
     */
    private List<String> lossLines(Runnable renewalsFail) {
        try (io.github.milvusautoscaler.testsupport.CapturedLogs logs = io.github.milvusautoscaler.testsupport.CapturedLogs
                .of(LeaderElection.class)) {
            Candidate a = candidate("autoscaler-a");
            a.election().start();
            await(Duration.ofSeconds(10), a.election()::isLeader, "a leads");
            renewalsFail.run();
            await(Duration.ofSeconds(20), () -> logs.warnings().stream().anyMatch(m -> m.contains("lost the Lease")),
                    "a says it lost the Lease");
            assertFalse(a.election().isLeader());
            return logs.warnings().stream().filter(m -> m.contains("lost the Lease")).toList();
        }
    }

    /**
     * A leader whose renewal hangs loses the Lease while that renewal is still in flight: the line says it has had no
     * answer for so long, where it named no cause, the hung call's own line coming 5 ms later from another logger
     * (recheck 106, F2: renew deadline and request timeout both 10s). Here the renew deadline is 1.5s and the PUT
     * answers after 4s.
     */
    @Test
    void aLeaderLosingTheLeaseToAHungRenewalSaysItHadNoAnswer() {
        String lost = lossLines(() -> fake.delay("PUT", Kind.LEASES.path(OWN_NAMESPACE, LEASE), Duration.ofSeconds(4),
                -1)).get(0);
        fake.clearFaults();
        assertTrue(lost.matches(".*; writes stop \\(its last renewal: no answer for [0-9.]+m?s\\)"), lost);
    }

    /** Always leads until closed: a tick still running after a stop's drain writes nothing (audit F8). */
    @Test
    void disabledElectionAlwaysLeadsAndTouchesNothing() {
        LeaderElection disabled = LeaderElection.create(ActuateFixtures.client(fake),
                new LeaderElectionSettings(false, LEASE, "", "", LEASE_DURATION, RENEW_DEADLINE, RETRY), System::nanoTime);
        elections.add(disabled);
        disabled.start();
        assertTrue(disabled.isLeader());
        // Events still name their reporter (reportingInstance, source.host): POD_NAME, HOSTNAME or the host name,
        // never "".
        assertFalse(disabled.identity().isBlank());
        disabled.close();
        assertFalse(disabled.isLeader(), "a closed replica writes nothing, election or not");
        assertEquals(List.of(), fake.requests());
        assertTrue(LeaderGate.always().isLeader());
    }

    static Stream<Arguments> resolutions() {
        return Stream.of(
                Arguments.of("configured values win", "ops", "pod-x", Map.of("POD_NAMESPACE", "env-ns", "POD_NAME", "p"),
                        "file-ns", "ops", "pod-x"),
                Arguments.of("POD_NAMESPACE and POD_NAME", "", "", Map.of("POD_NAMESPACE", "env-ns", "POD_NAME", "pod-1",
                        "HOSTNAME", "h"), "file-ns", "env-ns", "pod-1"),
                Arguments.of("service account namespace file and HOSTNAME", "", "", Map.of("HOSTNAME", "host-1"),
                        "file-ns", "file-ns", "host-1"),
                Arguments.of("host name last", "", "", Map.of("POD_NAMESPACE", "env-ns"), null, "env-ns", "the-host"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resolutions")
    void resolvesNamespaceAndIdentity(String name, String namespace, String identity, Map<String, String> env,
                                      String fileContent, String expectedNamespace, String expectedIdentity,
                                      @TempDir Path dir) throws IOException {
        Path file = dir.resolve("namespace");
        if (fileContent != null) {
            Files.writeString(file, fileContent + "\n");
        }
        LeaderElectionSettings resolved = LeaderElection.resolve(new LeaderElectionSettings(true, LEASE, namespace,
                identity, LEASE_DURATION, RENEW_DEADLINE, RETRY), env, file, () -> "the-host");
        assertEquals(expectedNamespace, resolved.namespace());
        // A resolved identity names this process too (fault recheck F9); a configured one is kept as written.
        assertEquals(expectedIdentity + (identity.isEmpty() ? "_" + LeaderElection.PROCESS : ""), resolved.identity());
        assertTrue(LeaderElection.PROCESS.matches("[0-9a-f]{8}"), LeaderElection.PROCESS);
    }

    /** kubectl users expect the current context's namespace; it comes after everything a pod has. */
    @Test
    void kubeconfigContextNamespaceIsTheLastFallback(@TempDir Path dir) throws IOException {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
                contexts: [{name: c, context: {cluster: c, user: u, namespace: team-ns}}]
                current-context: c
                users: [{name: u, user: {token: t}}]
                """);
        assertEquals(Optional.of("team-ns"), LeaderElection.contextNamespace(kubeconfig));
        LeaderElectionSettings noNamespace = new LeaderElectionSettings(true, LEASE, "", "pod-1", LEASE_DURATION,
                RENEW_DEADLINE, RETRY);
        assertEquals("team-ns", LeaderElection.resolve(noNamespace, Map.of(), dir.resolve("absent"), () -> "h",
                () -> LeaderElection.contextNamespace(kubeconfig)).namespace());
        assertEquals("env-ns", LeaderElection.resolve(noNamespace, Map.of("POD_NAMESPACE", "env-ns"),
                dir.resolve("absent"), () -> "h", () -> LeaderElection.contextNamespace(kubeconfig)).namespace());
        Files.writeString(kubeconfig, Files.readString(kubeconfig).replace(", namespace: team-ns", ""));
        assertEquals(Optional.empty(), LeaderElection.contextNamespace(kubeconfig), "a context without a namespace");
    }

    @Test
    void missingNamespaceIsAClearError(@TempDir Path dir) {
        LeaderElectionSettings noNamespace = new LeaderElectionSettings(true, LEASE, "", "pod-1", LEASE_DURATION,
                RENEW_DEADLINE, RETRY);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> LeaderElection.resolve(noNamespace, Map.of(), dir.resolve("absent"), () -> "h"));
        assertTrue(e.getMessage().contains("POD_NAMESPACE is unset"), e.getMessage());
        assertTrue(e.getMessage().contains("kubernetes.leader-election.namespace"), e.getMessage());
    }

    static Stream<Arguments> invalidOptions() {
        return Stream.of(
                Arguments.of("renew deadline not below lease duration", Duration.ofSeconds(10), Duration.ofSeconds(10),
                        Duration.ofSeconds(2), "renew-deadline"),
                Arguments.of("retry period not below renew deadline", Duration.ofSeconds(15), Duration.ofSeconds(2),
                        Duration.ofSeconds(2), "retry-period"),
                Arguments.of("lease shorter than the Lease's one-second unit", Duration.ofMillis(900),
                        Duration.ofMillis(500), Duration.ofMillis(100), "lease-duration"),
                Arguments.of("zero retry period", Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ZERO,
                        "retry-period"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidOptions")
    void invalidDurationsAreRefusedNamingTheKey(String name, Duration lease, Duration renew, Duration retry, String key) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LeaderElectionSettings(true, LEASE, "", "", lease, renew, retry));
        assertTrue(e.getMessage().startsWith(key + " must"), e.getMessage());
    }
}
