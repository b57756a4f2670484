package io.github.milvusautoscaler.actuate;

import io.github.milvusautoscaler.core.KubernetesSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.engine.ManualClock;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A daemon that cannot reach the API server says so every few seconds, with the cause, and knows it. */
class ApiReachabilityTest {

    final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    final Logger logger = (Logger) LoggerFactory.getLogger(ApiReachability.class);

    Level previous;

    @BeforeEach
    void capture() {
        previous = logger.getLevel();
        logs.start();
        logger.addAppender(logs);
        logger.setLevel(Level.INFO);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logs);
        logger.setLevel(previous);
    }

    /** What a test reads and calls through: the watcher on a client of {@code fake}, and requests over that client. */
    private record Watched(ApiReachability watcher, KubernetesRequests requests) {
    }

    /** A watched client of {@code fake}, whose seeded Helm release answers; calls give up after {@code timeout}. */
    private Watched watched(FakeKubernetesApi fake, Duration timeout) {
        KubernetesSettings options = io.github.milvusautoscaler.testsupport.Kube.settings("", timeout, 1,
                Duration.ofMillis(1), true);
        ApiClient client = ApiClients.forBaseUrl(fake.url(), options);
        ApiReachability watcher = ApiReachability.watch(client, clock);
        ActuateFixtures.seedHelm(fake, 3, 3);
        return new Watched(watcher, new KubernetesRequests(client, options));
    }

    /**
     * The same when the socket's read timeout (set to request-timeout as well) fires before the call timeout, as on a
     * loaded machine whose call-timeout watchdog runs late: "SocketTimeoutException: Read timed out" named no setting.
     * Here the call timeout is taken off, so only the read timeout can fire.
     */
    @Test
    void aReadThatTimesOutIsReportedAsNoAnswerWithinTheRequestTimeout() {
        FakeKubernetesApi fake = FakeKubernetesApi.start();
        try {
            KubernetesSettings options = io.github.milvusautoscaler.testsupport.Kube.settings("", Duration.ofMillis(300),
                    1, Duration.ofMillis(1), true);
            ApiClient client = ApiClients.forBaseUrl(fake.url(), options);
            client.setHttpClient(client.getHttpClient().newBuilder().callTimeout(Duration.ZERO).build());
            ApiReachability watcher = ApiReachability.watch(client, clock);
            ActuateFixtures.seedHelm(fake, 3, 3);
            KubernetesRequests requests = new KubernetesRequests(client, options);
            fake.delay("GET", "/", Duration.ofSeconds(2), 1);
            ActuationException e = assertThrows(ActuationException.class,
                    () -> requests.get(ApiResource.DEPLOYMENTS, ActuateFixtures.NS, "my-release-milvus-querynode"));
            assertTrue(watcher.state().cause().startsWith("no answer within 300ms (kubernetes.request-timeout); the"
                    + " socket timed out (SocketTimeoutException"), watcher.state().cause());
            assertTrue(e.getMessage().contains("no answer within 300ms (kubernetes.request-timeout)"), e.getMessage());
        } finally {
            fake.close();
        }
    }

    /** An API server slower than request-timeout is reported as no answer in that time, not as a closed socket. */
    @Test
    void aCallThatTimesOutIsReportedAsATimeout() {
        FakeKubernetesApi fake = FakeKubernetesApi.start();
        try {
            Watched w = watched(fake, Duration.ofMillis(300));
            ApiReachability watcher = w.watcher();
            KubernetesRequests requests = w.requests();
            fake.delay("GET", "/", Duration.ofSeconds(2), 1);
            assertThrows(ActuationException.class,
                    () -> requests.get(ApiResource.DEPLOYMENTS, ActuateFixtures.NS, "my-release-milvus-querynode"));
            assertFalse(watcher.state().reachable());
            assertTrue(watcher.state().cause().startsWith("no answer within 300ms (kubernetes.request-timeout)"),
                    watcher.state().cause());
        } finally {
            fake.close();
        }
    }

    /**
     * A server that stops answering after it answered: the first failure is one call failing (a single 503 or timeout
     * happens), and with no call answered for 20 s (the default confirm-after: a 15 s tick plus 5 s) it is
     * unreachable since that first failure, said every 5 s with the cause, and its recovery once.
     */
    @Test
    void unreachableServerIsReportedEveryFiveSecondsWithItsCauseAndRecoveryOnce() {
        FakeKubernetesApi fake = FakeKubernetesApi.start();
        KubernetesSettings options = io.github.milvusautoscaler.testsupport.Kube.settings("", Duration.ofSeconds(2), 1, Duration.ofMillis(1), true);
        ApiClient client = ApiClients.forBaseUrl(fake.url(), options);
        ApiReachability watcher = ApiReachability.watch(client, clock);
        KubernetesRequests requests = new KubernetesRequests(client, options);
        ActuateFixtures.seedHelm(fake, 3, 3);
        requests.get(ApiResource.DEPLOYMENTS, ActuateFixtures.NS, "my-release-milvus-querynode");
        assertTrue(watcher.state().reachable());

        fake.fail("GET", "/", 503, 1);
        assertThrows(ActuationException.class,
                () -> requests.get(ApiResource.DEPLOYMENTS, ActuateFixtures.NS, "my-release-milvus-querynode"));
        assertTrue(watcher.state().reachable(), "one 503 after an answer is the call failing, not the server");
        fake.close();

        // Thirty failed requests over 30 s (a lease retry every second): one line for the call at 0 s, then the
        // server unreachable at 20 s, 25 s and 30 s.
        for (int i = 0; i < 30; i++) {
            clock.advance(Duration.ofSeconds(1));
            assertThrows(ActuationException.class,
                    () -> requests.get(ApiResource.DEPLOYMENTS, ActuateFixtures.NS, "my-release-milvus-querynode"));
        }
        List<String> warnings = logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(4, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).matches("Kubernetes API server 127\\.0\\.0\\.1:\\d+: GET /apis/apps/v1/namespaces/"
                + ActuateFixtures.NS + "/deployments/my-release-milvus-querynode failed: HTTP 503; the last call it"
                + " answered was 0s ago \\(it is called unreachable once calls have failed for 20s with none answered; .*"),
                warnings.get(0));
        assertTrue(warnings.get(1).contains("unreachable for 20s: ConnectException"), warnings.get(1));
        assertTrue(warnings.get(1).contains(" for GET /apis/apps/v1/namespaces/"), warnings.get(1));
        // The socket's own words beneath OkHttp's "Failed to connect to /127.0.0.1:port", as the runbook says them
        // (recheck 108, F4).
        assertTrue(warnings.get(1).contains("(Connection refused)"), warnings.get(1));
        assertTrue(warnings.get(3).contains("unreachable for 30s: ConnectException"), warnings.get(3));
        // The server's lines are the whole daemon's, so the JSON log gives them no target whichever tick said them
        // (recheck 91, F2); the call's own line stays the call's.
        List<Boolean> daemonWide = logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(io.github.milvusautoscaler.testsupport.CapturedLogs::isDaemonWide).toList();
        assertEquals(List.of(false, true, true, true), daemonWide);
        ApiReachability.State down = watcher.state();
        assertFalse(down.reachable());
        assertEquals(Instant.parse("2026-01-05T10:00:00Z"), down.unreachableSince());
        assertTrue(down.cause().startsWith("ConnectException"), down.cause());
        assertFalse(down.cause().contains("fake-api-token"));

        watcher.answered("127.0.0.1:1");
        assertTrue(watcher.state().reachable());
        assertEquals(1, logs.list.stream().filter(e -> e.getLevel() == Level.INFO
                && e.getFormattedMessage().contains("answers again after 30s")
                && io.github.milvusautoscaler.testsupport.CapturedLogs.isDaemonWide(e)).count());
    }

    /**
     * Lease calls answering 500 every 2 s while each 15 s tick's read answers: the Lease call failing, said once a
     * minute, and the server reachable throughout (fault recheck F8: 17 lines a minute alternating "unreachable" and
     * "answers again", while reads and writes were fine).
     */
    @Test
    void oneKindOfCallFailingWhileOthersAnswerIsThatCallNotTheServer() {
        ApiReachability watcher = new ApiReachability(clock);
        String lease = "PUT /apis/coordination.k8s.io/v1/namespaces/ops/leases/milvus-autoscaler";
        watcher.answered("10.96.0.1:443");
        for (int second = 0; second < 120; second++) {
            if (second % 15 == 0) {
                watcher.answered("10.96.0.1:443");
            }
            if (second % 2 == 0) {
                watcher.failed("10.96.0.1:443", lease, "HTTP 500");
            }
            assertTrue(watcher.state().reachable(), "at " + second + " s");
            clock.advance(Duration.ofSeconds(1));
        }
        List<String> warnings = logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("Kubernetes API server 10.96.0.1:443: " + lease + " failed: HTTP 500;"),
                warnings.get(0));
        assertEquals(List.of(), logs.list.stream().filter(e -> e.getLevel() == Level.INFO).toList(),
                "nothing was unreachable, so nothing answers again");
    }

    /**
     * An outage's first seconds, before it is called unreachable, fail each target's own calls (its Deployment GET, its
     * HPA list): at most 3 calls are said a minute, the next line counts the ones left out, and only the said calls
     * are said answered again, where 100 targets gave 178 WARNs in a minute and 103 "answered again" (recheck 105, F3).
     */
    @Test
    void manyCallsFailingAtOnceAreSaidThreeAMinute() {
        ApiReachability watcher = new ApiReachability(clock);
        watcher.answered("10.96.0.1:443");
        for (int target = 0; target < 100; target++) {
            watcher.failed("10.96.0.1:443", "GET /apis/apps/v1/namespaces/milvus/deployments/r" + target
                    + "-milvus-querynode", "ConnectException: Connection refused");
        }
        assertTrue(watcher.failingWithNoAnswer());
        List<String> warnings = logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(3, warnings.size(), warnings.toString());
        clock.advance(Duration.ofSeconds(10));
        for (int target = 0; target < 100; target++) {
            watcher.answered("10.96.0.1:443");
            watcher.callAnswered("GET /apis/apps/v1/namespaces/milvus/deployments/r" + target + "-milvus-querynode");
        }
        assertFalse(watcher.failingWithNoAnswer());
        assertEquals(3, logs.list.stream().filter(e -> e.getLevel() == Level.INFO).count(), "the said calls only");
        clock.advance(Duration.ofSeconds(60));
        watcher.failed("10.96.0.1:443", "GET /apis/apps/v1/namespaces/milvus/deployments/r7-milvus-querynode",
                "HTTP 500");
        String next = logs.list.get(logs.list.size() - 1).getFormattedMessage();
        assertTrue(next.endsWith("; 97 other calls failed unsaid from 2026-01-05T10:00:00Z to 2026-01-05T10:00:00Z"
                + " (at most 3 calls are said a minute)"), next);
    }

    /**
     * A write that answered 500 once and went through on its retry: the WARN said the failure, and one INFO says the
     * same call answered, where the log ended at the failure (recheck 60, F2). A call whose failure was not said (a
     * repeat within the minute) gets no line either.
     */
    @Test
    void aCallSaidFailedIsSaidAnsweredWhenItIs() {
        ApiReachability watcher = new ApiReachability(clock);
        String patch = "PATCH /apis/apps/v1/namespaces/milvus/deployments/my-release-milvus-querynode";
        watcher.answered("10.96.0.1:443");
        watcher.failed("10.96.0.1:443", patch, "HTTP 500");
        clock.advance(Duration.ofSeconds(2));
        watcher.answered("10.96.0.1:443");
        watcher.callAnswered(patch);
        List<String> info = logs.list.stream().filter(e -> e.getLevel() == Level.INFO)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(List.of("Kubernetes API server 10.96.0.1:443: " + patch + " answered again, 2s after it first"
                + " failed (HTTP 500)"), info);
        watcher.callAnswered(patch);
        watcher.callAnswered("GET /apis/apps/v1/namespaces/milvus/deployments/other");
        assertEquals(1, logs.list.stream().filter(e -> e.getLevel() == Level.INFO).count(), "said once");
    }

    /**
     * A call refused with 429 while the server answers: kube-apiserver's priority-and-fairness filter throttles in plain
     * text with Retry-After: 1 (the fake answers as maxinflight.go's tooManyRequests does). Lease renewals so refused
     * lost the leadership with no word why (recheck 102, F1): the call is said throttled once a minute, listed as
     * failing, the server stays reachable, and the call is said answered again once it goes through.
     */
    @Test
    void aCallRefusedWith429IsSaidThrottledAndTheServerStaysReachable() {
        FakeKubernetesApi fake = FakeKubernetesApi.start();
        try {
            Watched w = watched(fake, Duration.ofSeconds(2));
            String qn = "my-release-milvus-querynode";
            String path = FakeKubernetesApi.Kind.DEPLOYMENTS.path(ActuateFixtures.NS, qn);
            String host = fake.url().substring("http://".length());
            fake.fail("GET", path, 429, 2);
            for (int i = 0; i < 2; i++) {
                assertThrows(ActuationException.class,
                        () -> w.requests().get(ApiResource.DEPLOYMENTS, ActuateFixtures.NS, qn));
                clock.advance(Duration.ofSeconds(15));
            }
            assertTrue(w.watcher().state().reachable(), "a 429 is an answer");
            List<String> warnings = logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(List.of("Kubernetes API server " + host + ": GET " + path + " refused: HTTP 429 Too Many"
                    + " Requests, Retry-After 1s; the server answers but throttles this daemon's calls (API Priority and"
                    + " Fairness, or --max-requests-inflight); this call's next refusal is said a minute on"), warnings,
                    "the second refusal, 15 s on, is not said again");
            assertEquals(List.of(new ApiReachability.FailingCall("GET " + path, Instant.parse("2026-01-05T10:00:00Z"),
                    Instant.parse("2026-01-05T10:00:15Z"), "HTTP 429 Too Many Requests, Retry-After 1s")),
                    w.watcher().failingCalls());

            w.requests().get(ApiResource.DEPLOYMENTS, ActuateFixtures.NS, qn);
            assertEquals(List.of(), w.watcher().failingCalls());
            assertEquals(List.of("Kubernetes API server " + host + ": GET " + path + " answered again, 30s after it"
                    + " first failed (HTTP 429 Too Many Requests, Retry-After 1s)"), logs.list.stream()
                    .filter(e -> e.getLevel() == Level.INFO).map(ILoggingEvent::getFormattedMessage).toList());
        } finally {
            fake.close();
        }
    }

    /** Only a Retry-After in seconds is said; an HTTP date, or anything else the header holds, is left out. */
    @Test
    void onlyANumericRetryAfterIsSaid() {
        assertEquals(", Retry-After 5s", ApiReachability.retryAfter(" 5"));
        assertEquals("", ApiReachability.retryAfter("Wed, 21 Oct 2026 07:28:00 GMT"));
        assertEquals("", ApiReachability.retryAfter("Bearer abc"));
        assertEquals("", ApiReachability.retryAfter(null));
    }

    /**
     * A call this process gives up on is no verdict on the server: client-java's leader elector interrupts its
     * acquire attempt after retry-period, and an interrupted call to an API server that answers (slowly) must not
     * flip the reachable gauge or log "unreachable".
     */
    @Test
    void aCallThisProcessInterruptsIsNoVerdictOnTheServer() throws Exception {
        FakeKubernetesApi fake = FakeKubernetesApi.start();
        try {
            KubernetesSettings options = io.github.milvusautoscaler.testsupport.Kube.settings("", Duration.ofSeconds(10), 1,
                    Duration.ofMillis(1), true);
            ApiClient client = ApiClients.forBaseUrl(fake.url(), options);
            ApiReachability watcher = ApiReachability.watch(client, clock);
            ActuateFixtures.seedHelm(fake, 3, 3);
            okhttp3.Request list = new okhttp3.Request.Builder()
                    .url(fake.url() + "/apis/apps/v1/namespaces/" + ActuateFixtures.NS + "/deployments").build();
            try (okhttp3.Response warm = client.getHttpClient().newCall(list).execute()) {
                assertEquals(200, warm.code()); // a pooled connection, as the elector's calls find one
            }
            // The interrupt arrives as the call runs on that connection (okio checks the thread's flag at each read
            // and write and throws InterruptedIOException "interrupted"); set it first so the call meets it at once.
            String[] failure = {""};
            Thread caller = new Thread(() -> {
                Thread.currentThread().interrupt();
                // The client's own OkHttp, as client-java's elector calls it (its calls go through no sleep first).
                try (okhttp3.Response r = client.getHttpClient().newCall(list).execute()) {
                    failure[0] = "answered " + r.code();
                } catch (Throwable expected) {
                    failure[0] = expected.toString();
                }
            });
            caller.start();
            caller.join(5_000);
            assertFalse(caller.isAlive());
            assertTrue(failure[0].contains("interrupted"), "the call failed with: " + failure[0]);
            assertTrue(watcher.state().reachable(), watcher.state().cause());
            assertEquals(List.of(), logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList());
        } finally {
            fake.close();
        }
    }

    /**
     * A long outage, from a start where no call ever answered (so from the first failure): a line every 5 s for the first minute (0 s to 55 s: 12 lines), then one a minute (the next
     * at 115 s, a minute after the last), so an hour writes 71 lines instead of 720.
     */
    @Test
    void aLongOutageIsReportedEveryMinuteAfterTheFirst() {
        ApiReachability watcher = new ApiReachability(clock);
        List<Long> at = new java.util.ArrayList<>();
        for (int second = 0; second <= 3600; second++) {
            int before = logs.list.size();
            watcher.failed("10.96.0.1:443", "GET /apis/apps/v1/namespaces/ops/deployments/x",
                    "ConnectException: Connection refused");
            if (logs.list.size() > before) {
                at.add((long) second);
            }
            clock.advance(Duration.ofSeconds(1));
        }
        assertEquals(List.of(0L, 5L, 10L, 15L, 20L, 25L, 30L, 35L, 40L, 45L, 50L, 55L, 115L, 175L), at.subList(0, 14));
        assertEquals(71, at.size(), at.toString());
        assertTrue(logs.list.get(logs.list.size() - 1).getFormattedMessage().contains("unreachable for 3595s"),
                logs.list.get(logs.list.size() - 1).getFormattedMessage());
    }
    /**
     * One call failing while the server answers others (a Lease update answering 500, reads fine) is listed with
     * since when and why, leaves once it answers, and is not shown two minutes after its last failure (a write not
     * made again).
     */
    @Test
    void aCallThatFailsWhileOthersAnswerIsListedUntilItAnswers() {
        FakeKubernetesApi fake = FakeKubernetesApi.start();
        try {
            Watched w = watched(fake, Duration.ofSeconds(2));
            ApiReachability watcher = w.watcher();
            KubernetesRequests requests = w.requests();
            String qn = "my-release-milvus-querynode";
            String path = FakeKubernetesApi.Kind.DEPLOYMENTS.path(ActuateFixtures.NS, qn);
            com.google.gson.JsonObject patch = com.google.gson.JsonParser.parseString("{\"metadata\":{\"annotations\":"
                    + "{\"x\":\"1\"}}}").getAsJsonObject();
            fake.fail("PATCH", path, 500, 3);
            for (int i = 0; i < 3; i++) {
                assertThrows(ActuationException.class,
                        () -> requests.mergePatch(ApiResource.DEPLOYMENTS, ActuateFixtures.NS, qn, patch));
                requests.get(ApiResource.DEPLOYMENTS, ActuateFixtures.NS, qn);
                clock.advance(Duration.ofSeconds(10));
            }
            assertTrue(watcher.state().reachable(), "reads answer");
            assertEquals(List.of(new ApiReachability.FailingCall("PATCH " + path, Instant.parse("2026-01-05T10:00:00Z"),
                    Instant.parse("2026-01-05T10:00:20Z"), "HTTP 500")), watcher.failingCalls());

            clock.advance(Duration.ofSeconds(109)); // 1m59s after its last failure (10:00:20): still shown
            assertEquals(1, watcher.failingCalls().size());
            clock.advance(Duration.ofSeconds(1)); // 2m after it: a call not made again is not shown
            assertEquals(List.of(), watcher.failingCalls());
            clock.advance(Duration.ofSeconds(-110));
            requests.mergePatch(ApiResource.DEPLOYMENTS, ActuateFixtures.NS, qn, patch);
            assertEquals(List.of(), watcher.failingCalls(), "answered: gone");
        } finally {
            fake.close();
        }
    }
}
