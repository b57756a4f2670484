package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.CapturedLogs;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload as a ConfigMap update does it: the mounted file is a symlink through {@code ..data},
 * and the kubelet swaps {@code ..data} to a new directory atomically. A valid file adds and removes
 * targets without a restart; a bad one keeps the running config and counts a failed reload.
 */
class HotReloadTest {

    static final Target A = new Target("milvus", "a", Component.QUERY_NODE, InstallKind.HELM);
    static final Target B = new Target("milvus", "b", Component.QUERY_NODE, InstallKind.HELM);
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    int version;

    String config(Path kubeconfig, String clusters) {
        return """
                milvus-autoscaler {
                  prometheus { url = "http://127.0.0.1:1", timeout = 1s, retry.max-attempts = 1 }
                  kubernetes { kubeconfig = "%s", leader-election.enabled = false, events = false }
                  loop { interval = 500ms, jitter = 0s }
                  prometheus.share-window = 0s
                  config-reload.interval = 200ms
                  server { port = 0, bind-address = "127.0.0.1" }
                  alerts.enabled = false
                  clusters = [ %s ]
                }
                """.formatted(kubeconfig, clusters);
    }

    static String cluster(String name) {
        return "{ namespace = milvus, name = " + name + ", install = helm, milvus-version = \"2.5\", components { queryNode {} } }";
    }

    /** Publishes a new version the way the kubelet does: new directory, then an atomic ..data swap. */
    void publish(String content) throws Exception {
        Path versionDir = dir.resolve("..v" + (++version));
        Files.createDirectories(versionDir);
        Files.writeString(versionDir.resolve("autoscaler.conf"), content);
        Path tmp = dir.resolve("..data_tmp");
        Files.createSymbolicLink(tmp, versionDir.getFileName());
        Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path mounted = dir.resolve("autoscaler.conf");
        if (!Files.exists(mounted, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(mounted, Path.of("..data/autoscaler.conf"));
        }
    }

    static String status(Daemon d) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + d.port() + "/api/v1/status")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    double refusedGauge(Daemon d) {
        return d.registry().get("milvus_autoscaler_config_refused").gauge().value();
    }

    double reloads(Daemon d, String result) {
        var c = d.registry().find("milvus_autoscaler_config_reloads").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    /** A fake API server holding the chart's queryNode Deployment of each release, at 2 replicas. */
    static FakeKubernetesApi withDeployments(String... releases) {
        FakeKubernetesApi kube = FakeKubernetesApi.start();
        for (String name : releases) {
            kube.put(FakeKubernetesApi.Kind.DEPLOYMENTS, ClosedLoopTest.deployment(2).replace(ClosedLoopTest.RELEASE, name));
        }
        return kube;
    }

    /** Publishes a config with target a, starts the daemon on it and waits for a's first tick. */
    Daemon startTickingA(Path kubeconfig) throws Exception {
        publish(config(kubeconfig, cluster("a")));
        Path file = dir.resolve("autoscaler.conf");
        Daemon daemon = Daemon.start(file, ConfigLoader.load(file), Clock.systemUTC());
        Poll.until("target a ticks", WAIT, () -> daemon.engine().views().keySet(), k -> k.equals(Set.of(A)));
        return daemon;
    }

    @Test
    void validFileSwapsTargetsAndABadOneKeepsTheRunningConfig() throws Exception {
        try (FakeKubernetesApi kube = withDeployments("a", "b")) {
            Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
            try (Daemon daemon = startTickingA(kubeconfig)) {

                // A ConfigMap update replaces a with b: b starts, a stops and leaves status, and the log says which.
                try (CapturedLogs logs = CapturedLogs.of(Daemon.class)) {
                    publish(config(kubeconfig, cluster("b")));
                    Poll.until("b replaces a", WAIT, () -> daemon.engine().views().keySet(), k -> k.equals(Set.of(B)));
                    assertTrue(logs.messages().contains("config reloaded: 1 target (added milvus/b/queryNode; removed"
                            + " milvus/a/queryNode)"), logs.messages().toString());
                }
                assertEquals(1.0, reloads(daemon, "ok"));
                // Nothing of a stays on /metrics: counters and its tick timer go with its gauges (audit F9).
                Poll.until("a's meters are gone", WAIT, () -> daemon.registry().getMeters().stream()
                        .filter(m -> A.id().equals(m.getId().getTag("target"))).count(), n -> n == 0L);
                assertTrue(daemon.registry().getMeters().stream().anyMatch(m -> B.id().equals(m.getId().getTag("target"))));

                // A bad file (the typo "lop" for "loop") is refused with its errors logged; b keeps running.
                try (CapturedLogs logs = CapturedLogs.of(Daemon.class)) {
                    publish(config(kubeconfig, cluster("a")).replace("loop {", "lop {"));
                    Poll.until("the failed reload is counted", WAIT, () -> reloads(daemon, "failed"), n -> n == 1.0);
                    // Each error carries its file, line and path as fields of a JSON line too (reload audit F8).
                    var error = Poll.until("the typo's error is logged", WAIT, () -> logs.events().stream()
                            .filter(e -> e.getFormattedMessage().contains("milvus-autoscaler.lop")).findFirst(),
                            java.util.Optional::isPresent).orElseThrow();
                    java.util.Map<String, Object> fields = new java.util.HashMap<>();
                    error.getKeyValuePairs().forEach(kv -> fields.put(kv.key, kv.value));
                    assertEquals(java.util.Map.of("file", "autoscaler.conf", "line", 4, "path", "milvus-autoscaler.lop"),
                            fields, error.getFormattedMessage());
                }
                assertEquals(1.0, reloads(daemon, "ok"));
                assertEquals(1.0, refusedGauge(daemon), "milvus_autoscaler_config_refused while the bad file stays");
                assertTrue(status(daemon).contains("\"configRefused\":true"), "and in the status");
                var before = daemon.engine().views().get(B).decision().time();
                Poll.until("b still ticks", WAIT, () -> daemon.engine().views().get(B).decision().time(),
                        t -> t.isAfter(before));
                assertTrue(daemon.engine().views().keySet().equals(Set.of(B)));
                // The edit reverted: it loads, and nothing is refused any more.
                publish(config(kubeconfig, cluster("b")));
                Poll.until("the reverted file is not refused", WAIT, () -> refusedGauge(daemon), v -> v == 0.0);
                assertTrue(status(daemon).contains("\"configRefused\":false"), status(daemon));
                // A bad sim block is refused as validate-config refuses it, not counted ok (config audit C2).
                publish(config(kubeconfig, cluster("b")).replace("alerts.enabled = false",
                        "alerts.enabled = false\n  sim.peak-nodes = 0"));
                Poll.until("the bad sim block is refused", WAIT, () -> reloads(daemon, "failed"), n -> n == 2.0);
                assertEquals(1.0, refusedGauge(daemon));
                // Another Prometheus is said (reload audit F8: the replaced client's last "breaker OPEN" read as the
                // new one's).
                try (CapturedLogs logs = CapturedLogs.of(Daemon.class)) {
                    publish(config(kubeconfig, cluster("b")).replace("http://127.0.0.1:1", "http://127.0.0.1:2"));
                    Poll.until("the new Prometheus is said", WAIT, logs::messages, ms -> ms.contains("config reload:"
                            + " Prometheus is now http://127.0.0.1:2 (was http://127.0.0.1:1); what the replaced client"
                            + " logged is of the old one"));
                }
                // A tuning edit says what it changed, in validate-config's words (reload audit F8).
                try (CapturedLogs logs = CapturedLogs.of(Daemon.class)) {
                    publish(config(kubeconfig, cluster("b")).replace("http://127.0.0.1:1", "http://127.0.0.1:2")
                            .replace("queryNode {}", "queryNode { scale-in.sustain = 20m, max-replicas = 7 }"));
                    Poll.until("the change is said", WAIT, logs::messages, ms -> ms.contains("config reload changed"
                            + " milvus/b/queryNode: replicas max 10 -> 7; scale-in sustain 15m -> 20m"));
                    var said = logs.events().stream().filter(e -> e.getFormattedMessage().startsWith(
                            "config reload changed milvus/b")).findFirst().orElseThrow();
                    assertEquals("target=milvus/b/queryNode", said.getKeyValuePairs().get(0).key + "="
                            + said.getKeyValuePairs().get(0).value, "a JSON line's target field");
                }
            }
        }
    }

    /**
     * dry-run set in the ConfigMap of a running daemon applies with the reload, as an SRE flipping it in an
     * emergency expects: the engine stops writing, and /metrics and /api/v1/status say so (config audit C3: the
     * reload counted ok and the daemon kept writing until a restart). Unset again, it writes again.
     */
    /**
     * A reload that adds or removes the other install of a shared name renames the targets of the one that stays
     * (Target#nameShared), and the reload line says so rather than listing them as removed and added: the engine hands
     * their memory over (real-install recheck 13 saw "added ...; removed ..." for one object).
     */
    @Test
    void aReloadThatAddsTheOtherInstallOfANameSaysWhichTargetsItRenamed() {
        String helm = cluster("milvus");
        String operator = helm.replace("install = helm", "install = operator");
        var one = ConfigLoader.parse("milvus-autoscaler { clusters = [ " + helm + " ] }", "one.conf");
        var both = ConfigLoader.parse("milvus-autoscaler { clusters = [ " + helm + ", " + operator + " ] }", "both.conf");
        assertEquals(" (added milvus/milvus@operator/queryNode; renamed milvus/milvus/queryNode ->"
                + " milvus/milvus@helm/queryNode)", Daemon.targetChanges(one, both));
        assertEquals(" (removed milvus/milvus@operator/queryNode; renamed milvus/milvus@helm/queryNode ->"
                + " milvus/milvus/queryNode)", Daemon.targetChanges(both, one));
    }

    @Test
    void dryRunSetByAReloadAppliesAtOnce() throws Exception {
        try (FakeKubernetesApi kube = withDeployments("a")) {
            Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
            try (Daemon daemon = startTickingA(kubeconfig)) {
                assertEquals(0.0, daemon.registry().get("milvus_autoscaler_dry_run").gauge().value());
                publish(config(kubeconfig, cluster("a")).replace("alerts.enabled = false",
                        "alerts.enabled = false\n  dry-run = true"));
                Poll.until("the reload switches dry-run on", WAIT, () -> daemon.engine().dryRun(), on -> on);
                assertEquals(1.0, reloads(daemon, "ok"));
                assertEquals(1.0, daemon.registry().get("milvus_autoscaler_dry_run").gauge().value());
                var http = java.net.http.HttpClient.newHttpClient();
                String status = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://127.0.0.1:" + daemon.port() + "/api/v1/status")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(status.contains("\"dryRun\":true"), status);
                var before = daemon.engine().views().get(A).decision().time();
                Poll.until("a dry-run tick", WAIT, () -> daemon.engine().views().get(A).decision(),
                        d -> d.time().isAfter(before) && d.dryRun());

                // Off again, with loop.jitter changed too: a WARN names it as needing a restart (config recheck N5:
                // it was kept silently).
                try (CapturedLogs logs = CapturedLogs.of(Daemon.class)) {
                    publish(config(kubeconfig, cluster("a")).replace("jitter = 0s", "jitter = 100ms"));
                    Poll.until("the reload switches dry-run off", WAIT, () -> daemon.engine().dryRun(), on -> !on);
                    assertEquals(0.0, daemon.registry().get("milvus_autoscaler_dry_run").gauge().value());
                    Poll.until("the restart-only change is said", WAIT, logs::warnings,
                            ws -> ws.stream().anyMatch(w -> w.contains("[loop.jitter] differs from what runs and takes"
                                    + " effect only after a restart; the rest of the file applies now")));
                    // Status says what waits for a restart (reload audit F4: nothing showed it).
                    String pending = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                            "http://127.0.0.1:" + daemon.port() + "/api/v1/status")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                    assertTrue(pending.contains("\"restartPending\":[\"loop.jitter\"]"), pending);
                    // dry-run written above a later dry-run = false: HOCON keeps the last, and the WARN says the first is
                    // lost (config audit C10: an emergency dry-run added above the old line did nothing, unsaid).
                    publish(config(kubeconfig, cluster("a")).replace("jitter = 0s", "jitter = 100ms")
                            .replace("alerts.enabled = false", "alerts.enabled = false\n  dry-run = true\n  dry-run = false"));
                    Poll.until("the key set twice is said", WAIT, logs::warnings,
                            ws -> ws.stream().anyMatch(w -> w.startsWith("config reload: ") && w.contains(
                                    "milvus-autoscaler.dry-run is set at line") && w.contains("line") && w.endsWith(
                                    "has no effect")));
                    assertFalse(daemon.engine().dryRun(), "the last dry-run wins");
                }
            }
        }
    }

    /**
     * The files validate-config used to accept and only the reload's later steps refused: the URL with a
     * query threw past the reload's error handling and killed the loop, so later good files were never
     * loaded. Now each is refused like any bad file, and the next good file still loads.
     */
    @Test
    void filesOnlyRunRefusedAreRefusedOnReloadAndTheLoopLivesOn() throws Exception {
        try (FakeKubernetesApi kube = withDeployments("a", "b")) {
            Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
            try (Daemon daemon = startTickingA(kubeconfig)) {
                publish(config(kubeconfig, cluster("b")).replace("http://127.0.0.1:1", "http://127.0.0.1:1/?tenant=a"));
                Poll.until("the URL with a query is a failed reload", WAIT, () -> reloads(daemon, "failed"),
                        n -> n == 1.0);
                publish(config(kubeconfig, cluster("b")).replace("clusters = [", "defaults.signals.cpu.query ="
                        + " \"up{ns=\\\"{relase}\\\"}\"\n  clusters = ["));
                Poll.until("the unknown placeholder is a failed reload", WAIT, () -> reloads(daemon, "failed"),
                        n -> n == 2.0);
                // A CA file run would refuse at start: refused with its line before anything running is touched (it
                // used to throw from the new client after the live breaker's meters were unbound).
                Path ca = dir.resolve("absent-ca.pem");
                List<String> logged;
                try (CapturedLogs logs = CapturedLogs.of(Daemon.class)) {
                    publish(config(kubeconfig, cluster("b")).replace("retry.max-attempts = 1", "retry.max-attempts = 1,"
                            + " auth.ca-file = \"" + ca + "\""));
                    Poll.until("the CA file that cannot be read is a failed reload", WAIT,
                            () -> reloads(daemon, "failed"), n -> n == 3.0);
                    // The refusal's errors are logged after the count moves: wait for them, not for the count.
                    logged = Poll.until("the refusal's errors are logged", WAIT, logs::messages,
                            ms -> ms.stream().anyMatch(m -> m.contains("auth.ca-file")));
                }
                assertTrue(logged.stream().anyMatch(m -> m.contains(
                        "milvus-autoscaler.prometheus.auth.ca-file = \"" + ca + "\" (autoscaler.conf:2): must be a"
                                + " readable PEM file of CA certificates; it cannot be read: no such file")),
                        logged.toString());
                assertTrue(daemon.registry().getMeters().stream().anyMatch(m -> m.getId().getName()
                        .startsWith("resilience4j.circuitbreaker")), "the live breaker's meters stay");
                assertEquals(Set.of(A), daemon.engine().views().keySet(), "the running config stays");
                publish(config(kubeconfig, cluster("b")));
                Poll.until("a later good file still loads", WAIT, () -> daemon.engine().views().keySet(),
                        k -> k.equals(Set.of(B)));
            }
        }
    }

    /**
     * A ConfigMap and the Secret its new {@code ca-file} lives on are separate volumes, each updated in its own time:
     * the config that lands first is refused, and once the CA file is there the same content loads, with the refusal
     * counted once. The content used to be taken as seen at the refusal, so nothing ever loaded it.
     */
    @Test
    void aConfigRefusedForAFileNotYetMountedLoadsWhenTheFileArrives() throws Exception {
        Path ca = dir.resolve("secret").resolve("ca.pem");
        refusedUntilMounted("auth.ca-file = \"" + ca + "\"", () -> {
            Files.createDirectories(ca.getParent());
            try (var certificates = io.github.milvusautoscaler.testsupport.TestCertificates.create()) {
                Files.copy(certificates.caPem(), ca);
            }
        });
    }

    /** Mounts a file a published config names. */
    interface Mount {
        void mount() throws Exception;
    }

    /**
     * Publishes a config that swaps a for b and names, in {@code auth}, a file not mounted yet: refused once while it
     * is missing, a ticking on, then loaded as it is once {@code mount} puts the file there.
     */
    void refusedUntilMounted(String auth, Mount mount) throws Exception {
        try (FakeKubernetesApi kube = withDeployments("a", "b")) {
            Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
            try (Daemon daemon = startTickingA(kubeconfig)) {
                publish(config(kubeconfig, cluster("b")).replace("retry.max-attempts = 1", "retry.max-attempts = 1, "
                        + auth));
                Poll.until("the file not yet mounted is a failed reload", WAIT, () -> reloads(daemon, "failed"),
                        n -> n == 1.0);
                assertEquals(1.0, refusedGauge(daemon), "the refusal stands while the file is missing");
                // Several polls (200 ms apart) with the file still missing: still a, still one refusal.
                var ticked = daemon.engine().views().get(A).decision().time();
                Poll.until("a ticks on", WAIT, () -> daemon.engine().views().get(A).decision().time(),
                        t -> t.isAfter(ticked));
                assertEquals(Set.of(A), daemon.engine().views().keySet(), "the running config stays");
                assertEquals(1.0, reloads(daemon, "failed"), "one refusal per content, not one per poll");

                mount.mount();
                Poll.until("the same content loads once its file is there", WAIT,
                        () -> daemon.engine().views().keySet(), k -> k.equals(Set.of(B)));
                Poll.until("nothing refused any more", WAIT, () -> refusedGauge(daemon), v -> v == 0.0);
                assertEquals(1.0, reloads(daemon, "ok"));
                assertEquals(1.0, reloads(daemon, "failed"));
            }
        }
    }

    /**
     * A file written in place in two parts (cat >, kubectl cp; kubelet's swap never shows a part) is loaded only once
     * two polls read the same content: its first part, which parses alone here (one target of two), stopped the other
     * target and wrote before the rest arrived (reload audit F6). Polled by hand: the watcher waits an hour.
     */
    @Test
    void aFileIsLoadedOnlyWhenTwoPollsReadTheSame() throws Exception {
        try (FakeKubernetesApi kube = withDeployments("a", "b")) {
            Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
            Path file = dir.resolve("in-place.conf");
            String both = config(kubeconfig, cluster("a") + ", " + cluster("b")).replace("config-reload.interval = 200ms",
                    "config-reload.interval = 1h");
            Files.writeString(file, both);
            try (Daemon daemon = Daemon.start(file, ConfigLoader.load(file), Clock.systemUTC())) {
                Poll.until("a and b tick", WAIT, () -> daemon.engine().views().keySet(), k -> k.equals(Set.of(A, B)));
                String onlyA = both.replace(", " + cluster("b"), "");
                Files.writeString(file, onlyA + "\n# and b is on its way");
                assertFalse(daemon.reloadIfChanged(), "a first read of new content is not loaded");
                Files.writeString(file, onlyA + "\n# and b is on its way\nmilvus-autoscaler.clusters += "
                        + cluster("b") + "\n");
                assertFalse(daemon.reloadIfChanged(), "the content changed again: read once more before loading");
                assertEquals(Set.of(A, B), daemon.engine().views().keySet(), "the part was never applied");
                assertTrue(daemon.reloadIfChanged(), "the same content twice is loaded");
                assertEquals(1.0, reloads(daemon, "ok"));
                assertEquals(0.0, reloads(daemon, "failed"));
            }
        }
    }

    /**
     * A Prometheus bearer-token file a reload names anew that cannot be read yet (its Secret lands after the
     * ConfigMap, or a typo) is refused and tried again, as the ca-file is: applied, every query failed and every
     * target went UNKNOWN, scale-out under load included, with no refusal counted (reload audit F3).
     */
    @Test
    void aPrometheusTokenFileNotYetMountedIsRefusedUntilItArrives() throws Exception {
        Path token = dir.resolve("prometheus-secret").resolve("token");
        refusedUntilMounted("auth.bearer-token-file = \"" + token + "\"", () -> {
            Files.createDirectories(token.getParent());
            Files.writeString(token, "a-token\n");
        });
    }

    /**
     * A reload that removes a target while its tick is in its Kubernetes read (held 2 s here): the loop is stopped
     * and its tick ends before the Prometheus source without its queries goes in, so that tick still decides and is
     * recorded. The source was swapped first, and the tick failed ("no queries are configured") with no decision
     * (concurrency audit N4).
     */
    @Test
    void aTargetRemovedMidTickFinishesThatTickOnTheSourceItStartedWith() throws Exception {
        try (FakeKubernetesApi kube = withDeployments("a", "b")) {
            Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
            java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.CountDownLatch inRead = new java.util.concurrent.CountDownLatch(1);
            kube.onRequest(r -> {
                if (r.method().equals("GET") && r.path().endsWith("/deployments/a-milvus-querynode")
                        && armed.compareAndSet(true, false)) {
                    inRead.countDown();
                    try {
                        Thread.sleep(2000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            try (Daemon daemon = startTickingA(kubeconfig);
                 CapturedLogs logs = CapturedLogs.of(io.github.milvusautoscaler.engine.Scheduler.class)) {
                armed.set(true);
                assertTrue(inRead.await(30, java.util.concurrent.TimeUnit.SECONDS), "a's tick is in its read");
                publish(config(kubeconfig, cluster("b")));
                Poll.until("b replaces a", WAIT, () -> daemon.engine().views().keySet(), k -> k.equals(Set.of(B)));
                assertTrue(logs.messages().stream().noneMatch(m -> m.contains("failed")), logs.messages().toString());
            }
        }
    }

    @Test
    void anEmptyOrTargetLessFileIsRefusedUnlessItSaysClustersIsEmpty() throws Exception {
        try (FakeKubernetesApi kube = withDeployments("a")) {
            Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
            try (Daemon daemon = startTickingA(kubeconfig)) {

                // A ConfigMap emptied by mistake: refused, a keeps running.
                publish("");
                Poll.until("the empty file is a failed reload", WAIT, () -> reloads(daemon, "failed"), n -> n == 1.0);
                // A file that lost its clusters block: refused too.
                publish(config(kubeconfig, cluster("a")).replace("clusters = [ " + cluster("a") + " ]", ""));
                Poll.until("the target-less file is a failed reload", WAIT, () -> reloads(daemon, "failed"),
                        n -> n == 2.0);
                assertEquals(0.0, reloads(daemon, "ok"));
                var before = daemon.engine().views().get(A).decision().time();
                Poll.until("a still ticks", WAIT, () -> daemon.engine().views().get(A).decision().time(),
                        t -> t.isAfter(before));

                // Saying so explicitly stops every loop.
                publish(config(kubeconfig, ""));
                Poll.until("clusters = [] is a successful reload", WAIT, () -> reloads(daemon, "ok"), n -> n == 1.0);
                Poll.until("a stops", WAIT, () -> daemon.engine().views().keySet(), Set::isEmpty);
            }
        }
    }

    /**
     * The shipped layout (deploy/base/config/autoscaler.conf) keeps the clusters in install.conf, which the main file
     * includes: editing only the included file (kubectl edit on that ConfigMap key) reloads. Only the main file was
     * hashed, so such an edit was silently ignored.
     */
    @Test
    void anEditOfAnIncludedFileReloads() throws Exception {
        try (FakeKubernetesApi kube = withDeployments("a", "b")) {
            Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
            Path main = dir.resolve("main.conf");
            Path install = dir.resolve("install.conf");
            String all = config(kubeconfig, cluster("a"));
            String clusters = "milvus-autoscaler.clusters = [ " + cluster("a") + " ]\n";
            Files.writeString(main, all.replace("clusters = [ " + cluster("a") + " ]", "")
                    + "include required(\"install.conf\")\n");
            Files.writeString(install, clusters);
            try (Daemon daemon = Daemon.start(main, ConfigLoader.load(main), Clock.systemUTC())) {
                Poll.until("target a ticks", WAIT, () -> daemon.engine().views().keySet(), k -> k.equals(Set.of(A)));
                Files.writeString(install, clusters.replace(cluster("a"), cluster("b")));
                Poll.until("b replaces a after the included file changed", WAIT,
                        () -> daemon.engine().views().keySet(), k -> k.equals(Set.of(B)));
                assertEquals(1.0, reloads(daemon, "ok"));
            }
        }
    }

    /**
     * A missing alerts token file showed only when the first alert got a 500: it is a WARN at start and after
     * every reload, naming the key and the path, and once the file is there, quiet; never the token itself.
     */
    @Test
    void anUnreadableAlertsTokenFileIsAWarningAtStartAndAfterEveryReload() throws Exception {
        Path token = dir.resolve("alerts-token");
        List<String> logged;
        try (CapturedLogs logs = CapturedLogs.of(Daemon.class); FakeKubernetesApi kube = withDeployments("a", "b")) {
            java.util.function.Supplier<java.util.List<String>> warnings = () -> logs.events().stream()
                    .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                    .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("alerts.bearer-token-file")).toList();
            Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
            String withToken = config(kubeconfig, cluster("a")).replace("alerts.enabled = false",
                    "alerts { enabled = true, bearer-token-file = \"" + token + "\" }");
            publish(withToken);
            Path file = dir.resolve("autoscaler.conf");
            try (Daemon daemon = Daemon.start(file, ConfigLoader.load(file), Clock.systemUTC())) {
                assertEquals(java.util.List.of("start: alerts.bearer-token-file " + token + " cannot be read: no such"
                        + " file (NoSuchFileException); POST /api/v1/alerts answers 500 until it can be read (it is read"
                        + " again at every request, so a file mounted later needs no restart)"), warnings.get());

                publish(withToken.replace("clusters = [ " + cluster("a"), "clusters = [ " + cluster("a") + ", "
                        + cluster("b")));
                Poll.until("the reload", WAIT, () -> reloads(daemon, "ok"), n -> n == 1.0);
                assertEquals(2, warnings.get().size(), warnings.get().toString());
                assertTrue(warnings.get().get(1).startsWith("config reload: alerts.bearer-token-file " + token),
                        warnings.get().toString());

                Files.writeString(token, "s3cret-alert-token\n");
                publish(withToken);
                Poll.until("the second reload", WAIT, () -> reloads(daemon, "ok"), n -> n == 2.0);
                assertEquals(2, warnings.get().size(), "a readable file is quiet: " + warnings.get());
            }
            logged = logs.messages();
        }
        assertTrue(logged.stream().noneMatch(m -> m.contains("s3cret")), "the token is logged");
    }

    @Test
    void theBreakerGaugeFollowsTheLiveBreakerAfterAReload() throws Exception {
        try (FakeKubernetesApi kube = withDeployments("a", "b")) {
            Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
            // Prometheus at 127.0.0.1:1 refuses every query. The first breaker counts over 1,000 queries, so it stays
            // closed for this test; the reloaded one over 4, so it opens within a tick or two.
            String bigWindow = "milvus-autoscaler.prometheus.circuit-breaker { minimum-queries = 1000, open-for = 1h }";
            String smallWindow = "milvus-autoscaler.prometheus.circuit-breaker { minimum-queries = 4, open-for = 1h }";
            publish(config(kubeconfig, cluster("a")) + bigWindow);
            Path file = dir.resolve("autoscaler.conf");
            try (Daemon daemon = Daemon.start(file, ConfigLoader.load(file), Clock.systemUTC())) {
                Poll.until("target a ticks", WAIT, () -> daemon.engine().views().keySet(), k -> k.equals(Set.of(A)));
                assertEquals(1.0, breakerState(daemon, "closed"));
                publish(config(kubeconfig, cluster("b")) + smallWindow);
                Poll.until("reloaded", WAIT, () -> reloads(daemon, "ok"), n -> n == 1.0);
                // The live breaker opens; /metrics must say so (it showed the discarded breaker's closed).
                Poll.until("the exported breaker state is open", WAIT, () -> breakerState(daemon, "open"), v -> v == 1.0);
                assertEquals(0.0, breakerState(daemon, "closed"));
                // A reload that builds a new client while the breaker is open says that the open one is gone: the
                // log's last breaker line was the old client's OPEN (recheck 50, F2).
                try (CapturedLogs logs = CapturedLogs.of(Daemon.class)) {
                    publish(config(kubeconfig, cluster("b")) + bigWindow);
                    Poll.until("reloaded again", WAIT, () -> reloads(daemon, "ok"), n -> n == 2.0);
                    assertTrue(logs.messages().contains("config reload: Prometheus circuit breaker prometheus-127.0.0.1:1"
                            + " open until now; the reloaded client's starts closed, so its next queries try Prometheus"
                            + " again"), logs.messages().toString());
                }
            }
        }
    }

    static double breakerState(Daemon d, String state) {
        var g = d.registry().find("resilience4j.circuitbreaker.state").tag("state", state).gauge();
        return g == null ? -1 : g.value();
    }
}
