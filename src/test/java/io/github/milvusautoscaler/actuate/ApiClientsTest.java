package io.github.milvusautoscaler.actuate;

import io.github.milvusautoscaler.core.KubernetesSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.actuate.ApiClients.Access;
import io.github.milvusautoscaler.actuate.ApiClients.Source;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.kubernetes.client.openapi.ApiClient;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Credentials are found in the order an SRE expects, and a kubeconfig-built client really talks to the server. */
class ApiClientsTest {

    /** ~/.kube/config is under $HOME, as kubectl reads it, not the password database's home (SRE audit L11). */
    @Test
    void theHomeIsHomeWhenSet() {
        assertEquals(java.nio.file.Path.of("/tmp/ci-home"), ApiClients.home(java.util.Map.of("HOME", "/tmp/ci-home")));
        assertEquals(java.nio.file.Path.of(System.getProperty("user.home")), ApiClients.home(java.util.Map.of()));
    }


    @TempDir
    Path dir;

    /** Files present in the temp dir for one case. */
    enum Present { EXPLICIT, TOKEN, ENV_FIRST, ENV_SECOND, HOME }

    static Stream<Arguments> resolutions() {
        return Stream.of(
                Arguments.of("explicit kubeconfig wins over everything", "explicit", true, true,
                        List.of(Present.EXPLICIT, Present.TOKEN, Present.ENV_FIRST, Present.HOME), Source.CONFIGURED_KUBECONFIG, "explicit"),
                Arguments.of("in a cluster: the service account", "", true, true,
                        List.of(Present.TOKEN, Present.ENV_FIRST, Present.HOME), Source.IN_CLUSTER, null),
                Arguments.of("service host set but no token mounted: $KUBECONFIG", "", true, true,
                        List.of(Present.ENV_FIRST, Present.HOME), Source.KUBECONFIG_ENV, "env-first"),
                Arguments.of("$KUBECONFIG lists a missing file first: the first existing one", "", false, true,
                        List.of(Present.ENV_SECOND, Present.HOME), Source.KUBECONFIG_ENV, "env-second"),
                Arguments.of("no $KUBECONFIG: ~/.kube/config", "", false, false,
                        List.of(Present.HOME), Source.HOME_KUBECONFIG, "home/.kube/config"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resolutions")
    void resolvesCredentialsInOrder(String name, String explicit, boolean serviceHost, boolean kubeconfigEnv,
                                    List<Present> present, Source expected, String expectedFile) throws IOException {
        Map<Present, Path> files = Map.of(Present.EXPLICIT, dir.resolve("explicit"), Present.TOKEN, dir.resolve("token"),
                Present.ENV_FIRST, dir.resolve("env-first"), Present.ENV_SECOND, dir.resolve("env-second"),
                Present.HOME, dir.resolve("home/.kube/config"));
        for (Present p : present) {
            Files.createDirectories(files.get(p).getParent());
            Files.writeString(files.get(p), "x");
        }
        Map<String, String> env = new HashMap<>();
        if (serviceHost) {
            env.put("KUBERNETES_SERVICE_HOST", "10.96.0.1");
        }
        if (kubeconfigEnv) {
            env.put("KUBECONFIG", files.get(Present.ENV_FIRST) + File.pathSeparator + files.get(Present.ENV_SECOND));
        }
        Access access = ApiClients.resolve(explicit.isEmpty() ? "" : dir.resolve(explicit).toString(), env,
                dir.resolve("home"), files.get(Present.TOKEN));
        assertEquals(expected, access.source());
        if (expectedFile == null) {
            assertNull(access.kubeconfig());
        } else {
            assertEquals(dir.resolve(expectedFile), access.kubeconfig());
        }
    }

    @Test
    void noCredentialsAnywhereNamesEveryPlaceLookedAt() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ApiClients.resolve("", Map.of(), dir.resolve("home"), dir.resolve("token")));
        assertTrue(e.getMessage().contains("not in a cluster"), e.getMessage());
        assertTrue(e.getMessage().contains("$KUBECONFIG unset"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("home/.kube/config").toString()), e.getMessage());
    }

    @Test
    void explicitKubeconfigThatDoesNotExistIsAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ApiClients.resolve("/nowhere/kubeconfig", Map.of(), dir, dir.resolve("token")));
        assertTrue(e.getMessage().contains("kubernetes.kubeconfig = \"/nowhere/kubeconfig\""), e.getMessage());
    }

    @Test
    void clientFromKubeconfigReachesTheServerWithTimeoutAndUserAgent() throws IOException {
        try (FakeKubernetesApi fake = FakeKubernetesApi.start()) {
            ActuateFixtures.seedHelm(fake, 2, 2);
            Path kubeconfig = kubeconfig(fake, "{token: kubeconfig-token-value}");
            KubernetesSettings options = io.github.milvusautoscaler.testsupport.Kube.settings(kubeconfig.toString(), Duration.ofSeconds(7), 3,
                    Duration.ofMillis(1), true);
            ApiClient client = ApiClients.create(options);
            assertEquals(7_000, client.getHttpClient().callTimeoutMillis());
            assertEquals(7_000, client.getHttpClient().readTimeoutMillis());
            // A silently dead HTTP/2 connection is found by an unanswered ping within 15 s, not client-java's 60 s.
            assertEquals(15_000, client.getHttpClient().pingIntervalMillis());

            HelmDeploymentActuator actuator = new HelmDeploymentActuator(client, options, new ScaledObjects(options));
            assertEquals(2, actuator.read(ActuateFixtures.HELM_QN).current());
            FakeKubernetesApi.Request request = fake.requests().get(0);
            assertEquals(ApiClients.USER_AGENT, request.userAgent());
            assertFalse(new Access(Source.CONFIGURED_KUBECONFIG, kubeconfig).describe().contains("kubeconfig-token-value"));
        }
    }

    /**
     * A kubeconfig's exec plugin (EKS' {@code aws eks get-token}, GKE's and AKS' plugins) hands out tokens that
     * expire in 15 to 60 minutes; the client must ask it again, or a long {@code scale} answers 401 halfway.
     * The plugin here is a script that counts its runs and prints a new token each time, in the ExecCredential
     * shape client-java reads (client.authentication.k8s.io/v1, status.token).
     */
    @Test
    void kubeconfigExecTokensAreFetchedAgainAfterTheRefreshPeriod() throws Exception {
        try (FakeKubernetesApi fake = FakeKubernetesApi.start()) {
            ActuateFixtures.seedHelm(fake, 2, 2);
            KubernetesSettings options = execPlugin(fake, """
                    #!/bin/sh
                    n=$(cat "$0.count" 2>/dev/null || echo 0); n=$((n+1)); echo "$n" > "$0.count"
                    printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token-%s"}}' "$n"
                    """, 3);
            Access access = ApiClients.access(options);

            // The shipped period: two reads in a row share one token, the plugin is not run per request.
            ApiClient steady = ApiClients.create(access, options);
            HelmDeploymentActuator once = new HelmDeploymentActuator(steady, options, new ScaledObjects(options));
            once.read(ActuateFixtures.HELM_QN);
            once.read(ActuateFixtures.HELM_QN);
            List<String> sent = fake.requests().stream().map(FakeKubernetesApi.Request::authorization).distinct().toList();
            assertEquals(1, sent.size(), "one token within the refresh period: " + sent);
            assertTrue(sent.get(0).matches("Bearer exec-token-\\d+"), sent.get(0));

            // A period that has passed at every request: the reads carry tokens the plugin printed anew. The refresh
            // runs in the background (a read keeps the token in hand meanwhile), so reads go on until one carries the
            // next token, 10 s at most. With client-java's one-argument kubeconfig() the first token was kept for good.
            ApiClient refreshing = ApiClients.create(access, options, Duration.ZERO);
            HelmDeploymentActuator actuator = new HelmDeploymentActuator(refreshing, options, new ScaledObjects(options));
            int before = fake.requests().size();
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < until && fake.requests().stream().skip(before)
                    .map(FakeKubernetesApi.Request::authorization).distinct().count() < 2) {
                actuator.read(ActuateFixtures.HELM_QN);
                Thread.sleep(20);
            }
            List<String> refreshed = fake.requests().stream().skip(before).map(FakeKubernetesApi.Request::authorization)
                    .distinct().toList();
            assertTrue(refreshed.size() >= 2, "the token was never fetched again: " + refreshed);
            assertFalse(refreshed.contains(sent.get(0)), "the refreshing client reused the first client's token");
        }
    }

    /**
     * An exec plugin that fails: at the start no request is sent without credentials and the failure names the plugin,
     * where client-java fell back to none for good and every 401 blamed an expired token (recheck 77, F2); at a
     * refresh the token got before is kept (still valid: EKS' lives 15 minutes) and no exception escapes the client,
     * where client-java's threw out of every request and ended the leader-election thread (recheck 77, F1).
     */
    @Test
    void aFailingExecPluginNeitherSendsNoCredentialsNorThrowsOutOfTheClient() throws Exception {
        try (FakeKubernetesApi fake = FakeKubernetesApi.start()) {
            ActuateFixtures.seedHelm(fake, 2, 2);
            Path failing = dir.resolve("plugin-fails");
            KubernetesSettings options = execPlugin(fake, """
                    #!/bin/sh
                    if [ -e "%s" ]; then echo "token service unavailable" >&2; exit 1; fi
                    printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token-ok"}}'
                    """.formatted(failing), 1);
            Path plugin = dir.resolve("get-token");
            Access access = ApiClients.access(options);

            Files.writeString(failing, "");
            ApiClient atStart = ApiClients.create(access, options, Duration.ZERO);
            ActuationException none = assertThrows(ActuationException.class,
                    () -> new HelmDeploymentActuator(atStart, options, new ScaledObjects(options)).read(ActuateFixtures.HELM_QN));
            assertTrue(none.getMessage().contains("no Kubernetes token: the exec plugin " + plugin
                    + " of the kubeconfig's user gave no token"), none.getMessage());
            assertEquals(ActuationException.Kind.UNAUTHORIZED, none.kind(), "nothing sent, nothing retried");
            assertEquals(List.of(), fake.requests(), "a request went without credentials");
            // Status then names the server and why nothing is sent, where it said "reachable" with server "" alone
            // (recheck 81, F3).
            ApiReachability watching = ApiReachability.watch(atStart, java.time.Clock.systemUTC());
            assertEquals(java.net.URI.create(fake.url()).getHost() + ":" + java.net.URI.create(fake.url()).getPort(),
                    watching.server());
            assertEquals(java.util.Optional.of("no Kubernetes token: the exec plugin " + plugin
                    + " of the kubeconfig's user gave no token; asked again every 15s"), watching.credentials());

            Files.delete(failing);
            ApiClient refreshing = ApiClients.create(access, options, Duration.ZERO);
            HelmDeploymentActuator actuator = new HelmDeploymentActuator(refreshing, options, new ScaledObjects(options));
            assertEquals(2, actuator.read(ActuateFixtures.HELM_QN).current());
            Files.writeString(failing, "");
            assertEquals(2, actuator.read(ActuateFixtures.HELM_QN).current(), "the token got before is kept");
            assertEquals(List.of("Bearer exec-token-ok"), fake.requests().stream()
                    .map(FakeKubernetesApi.Request::authorization).distinct().toList());
            assertTrue(ApiReachability.watch(refreshing, java.time.Clock.systemUTC()).credentials().isEmpty(),
                    "a token in hand");
        }
    }

    /** After a refresh that got no token the plugin is asked again 15 s on, not at every request; then it recovers. */
    @Test
    void aTokenRefreshThatFailsIsTriedAgainFifteenSecondsOn() {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> next = new java.util.concurrent.atomic.AtomicReference<>("t1");
        KubeconfigToken token = new KubeconfigToken(() -> {
            asked.incrementAndGet();
            return next.get() == null ? null : Map.of("token", next.get());
        }, "the exec plugin get-token", Duration.ofMinutes(1), now::get, Runnable::run);
        assertEquals("t1", token.token());
        next.set(null);
        now.addAndGet(Duration.ofMinutes(1).toNanos());
        assertEquals("t1", token.token(), "kept through a failed refresh");
        assertEquals(2, asked.get());
        now.addAndGet(Duration.ofSeconds(14).toNanos());
        assertEquals("t1", token.token());
        assertEquals(2, asked.get(), "not asked again within 15s");
        next.set("t2");
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals("t2", token.token());
        assertEquals(3, asked.get());
    }

    /**
     * Settings whose kubeconfig reaches {@code fake} as a user whose token the exec plugin {@code script} prints
     * (written to get-token in the temp dir), {@code attempts} per request.
     */
    private KubernetesSettings execPlugin(FakeKubernetesApi fake, String script, int attempts) throws IOException {
        Path plugin = dir.resolve("get-token");
        Files.writeString(plugin, script);
        assertTrue(plugin.toFile().setExecutable(true));
        Path kubeconfig = kubeconfig(fake, "{exec: {apiVersion: client.authentication.k8s.io/v1, command: " + plugin
                + ", interactiveMode: Never}}");
        return io.github.milvusautoscaler.testsupport.Kube.settings(kubeconfig.toString(), Duration.ofSeconds(7),
                attempts, Duration.ofMillis(1), true);
    }

    /**
     * A 401 makes the next request ask for a new token, as client-go does and the Kubernetes docs say of exec
     * credentials ("cached until the server responds with a 401"): a revoked token was sent until the minute's refresh
     * and the leader lost its Lease (recheck 78, F1). A token not yet rejected is asked past 2 s apart at most (a second
     * revocation soon after the first lost the Lease waiting 15 s: recheck 80, F2), the same token again after 15 s (an
     * identity the server rejects whatever it presents would run the plugin per request).
     */
    @Test
    void aRejectedTokenIsAskedForAgainAtTheNextRequest() {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> fixed = new java.util.concurrent.atomic.AtomicReference<>();
        KubeconfigToken token = new KubeconfigToken(() -> {
            int n = asked.incrementAndGet();
            return Map.of("token", fixed.get() != null ? fixed.get() : "t" + n);
        }, "the exec plugin get-token", Duration.ofMinutes(1), now::get, Runnable::run);
        assertEquals("t1", token.token());
        token.rejected("t1");
        assertEquals("t2", token.token());
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        token.rejected("t2");
        assertEquals("t2", token.token(), "not within 2s of the last");
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        token.rejected("t2");
        assertEquals("t3", token.token(), "a second revocation is asked past at once");
        token.rejected("t1");
        assertEquals("t3", token.token(), "a 401 to a token already replaced asks for none");
        fixed.set("same");
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        token.rejected("t3");
        assertEquals("same", token.token());
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        token.rejected("same");
        assertEquals("same", token.token());
        assertEquals(5, asked.get());
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        token.rejected("same");
        token.token();
        assertEquals(5, asked.get(), "the same token rejected again waits 15s");
        now.addAndGet(Duration.ofSeconds(15).toNanos());
        token.rejected("same");
        token.token();
        assertEquals(6, asked.get());
    }

    /**
     * Building a client runs no plugin: client-java's ClientBuilder.kubeconfig ran it at once and waited however long
     * it hung, and the daemon and every command stood silent, no /healthz, until it answered (recheck 80, F1).
     */
    @Test
    void buildingAClientWaitsForNoPlugin() throws Exception {
        try (FakeKubernetesApi fake = FakeKubernetesApi.start()) {
            KubernetesSettings options = execPlugin(fake, """
                    #!/bin/sh
                    sleep 20
                    printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"late"}}'
                    """, 1);
            long started = System.nanoTime();
            ApiClient client = ApiClients.create(ApiClients.access(options), options);
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "building the client ran the plugin");
            assertEquals(fake.url().replaceAll("/$", ""), client.getBasePath());
        }
    }

    /**
     * A plugin that hangs before any token: a request waits 10 s for the first and is then not sent, saying how long
     * the plugin has not answered (it said "null": the time was read before the wait).
     */
    @Test
    void aPluginHangingBeforeAnyTokenIsSaidWithHowLong() throws Exception {
        java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService runner = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            KubeconfigToken token = new KubeconfigToken(() -> {
                try {
                    answer.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Map.of("token", "late");
            }, "the exec plugin get-token", Duration.ofMinutes(1), System::nanoTime, runner);
            assertNull(token.token());
            // The run that hangs is waited out, not run again beside it: "asked again every 15s" promised runs that
            // were not made (recheck 81, R1). Status says the same while nothing is sent (F3).
            assertEquals("no Kubernetes token: the exec plugin get-token of the kubeconfig's user has not answered for"
                    + " 10s; waiting for it", token.noToken().getMessage());
            assertEquals(java.util.Optional.of(token.noToken().getMessage()), token.problem());
            answer.countDown();
            assertEquals("late", io.github.milvusautoscaler.testsupport.Poll.until("the late token",
                    Duration.ofSeconds(10), token::token, "late"::equals));
            assertTrue(token.problem().isEmpty(), "a token in hand");
        } finally {
            runner.shutdownNow();
        }
    }

    /**
     * A plugin that hangs holds no request while a token is in hand: it used to hold every request, the Lease renewals
     * too, for as long as it hung (recheck 78, F2); its token is taken when it comes.
     */
    @Test
    void aHangingPluginHoldsNoRequestWhileATokenIsInHand() throws Exception {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService runner = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            KubeconfigToken token = new KubeconfigToken(() -> {
                if (asked.incrementAndGet() > 1) {
                    try {
                        answer.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return Map.of("token", "t" + asked.get());
            }, "the exec plugin get-token", Duration.ofMinutes(1), now::get, runner);
            assertEquals("t1", io.github.milvusautoscaler.testsupport.Poll.until("the first token", Duration.ofSeconds(10),
                    token::token, t -> t != null));
            now.addAndGet(Duration.ofMinutes(1).toNanos());
            long started = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                assertEquals("t1", token.token());
            }
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(2).toNanos(), "a request waited on the plugin");
            answer.countDown();
            assertEquals("t2", io.github.milvusautoscaler.testsupport.Poll.until("the refreshed token",
                    Duration.ofSeconds(10), token::token, "t2"::equals));
        } finally {
            runner.shutdownNow();
        }
    }

    /** A kubeconfig in the temp dir whose one context reaches {@code fake} as a user with {@code user} (YAML flow). */
    private Path kubeconfig(FakeKubernetesApi fake, String user) throws IOException {
        Path kubeconfig = dir.resolve("config");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: fake
                  cluster:
                    server: %s
                contexts:
                - name: fake
                  context: {cluster: fake, user: tester, namespace: milvus}
                current-context: fake
                users:
                - name: tester
                  user: %s
                """.formatted(fake.url(), user));
        return kubeconfig;
    }

    static Stream<Arguments> invalidOptions() {
        return Stream.of(
                Arguments.of("zero request timeout", Duration.ZERO, 3, Duration.ofMillis(200),
                        "request-timeout must be a positive duration"),
                Arguments.of("no attempts", Duration.ofSeconds(10), 0, Duration.ofMillis(200),
                        "max-attempts must be >= 1"),
                Arguments.of("negative back-off", Duration.ofSeconds(10), 3, Duration.ofMillis(-1),
                        "initial-backoff must be at least 1ms"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidOptions")
    void invalidKubernetesOptionsAreRefusedNamingTheKey(String name, Duration timeout, int attempts, Duration backoff,
                                                        String key) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> io.github.milvusautoscaler.testsupport.Kube.settings("", timeout, attempts, backoff, true));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }
}
