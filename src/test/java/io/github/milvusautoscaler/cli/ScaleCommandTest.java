package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.github.milvusautoscaler.actuate.HelmDeploymentActuator;
import io.github.milvusautoscaler.actuate.PauseMarks;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.testsupport.CapturedLogs;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import io.github.milvusautoscaler.testsupport.FakeMilvusPod;
import io.github.milvusautoscaler.testsupport.FakeMilvusPods;
import io.github.milvusautoscaler.testsupport.Poll;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The {@code scale} command against the fake Kubernetes API server and a real Prometheus scraping fake
 * Milvus pods whose gauges the test changes while the command runs.
 *
 * <p>The fake cluster: a Helm queryNode Deployment whose replica changes start and stop pods and turn
 * ready at once (or after {@link #readyDelay}); every step-down starts segment moves on the coordinator
 * ({@code milvus_querycoord_task_num{querycoord_task_type="segment_move"}} 1) for {@link #drain}, then 0,
 * which the shipped queryNode settle query (the daemon's) reads as BUSY. The health query is the queryNodes'
 * read queue (> 0 is failing) plus a "gate" gauge on the coordinator the test can make unreadable (NaN): a
 * test-only {@code task_state} value, not one Milvus emits, there only to switch health off and on; the only
 * signal is cpu over a [5s] rate window. Windows: verify 2s (two scrapes at 1s, so a step's BUSY is always seen
 * before the window ends), poll 200ms.
 */
class ScaleCommandTest {

    static final String NS = "milvus";
    static final String RELEASE = "scl";
    static final String DEPLOYMENT = RELEASE + "-milvus-querynode";
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static FakeKubernetesApi kube;
    static FakeMilvusPods pods;
    static FakeMilvusPod coord;
    static final List<FakeMilvusPod> queryNodes = new ArrayList<>();
    /**
     * Pods started so far: each new pod gets a name never used before, as a ReplicaSet's pods do. A reused
     * name continued the stopped pod's cAdvisor series with a fresh counter, and a [5s] rate across the
     * two read as tens of thousands of cores (a flaky "cpu 71144 > 0.750 (HIGH)" harm).
     */
    static int podsStarted;
    static PrometheusServer prometheus;
    static Path config;
    static final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    /** (time, replicas, annotations at the write) of every replica change made through the API. */
    static final List<Object[]> writes = new CopyOnWriteArrayList<>();
    /** When each settle window (segment moves) ended. */
    static final List<Instant> settled = new CopyOnWriteArrayList<>();
    static volatile Duration drain = Duration.ofSeconds(3);
    /** Which test is running: a segment-move timer acts only for the test that scheduled it. */
    static final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
    static volatile Duration readyDelay = Duration.ZERO;
    /** Runs with the new replica count after each replica change (the test's way to inject harm). */
    static volatile IntConsumer afterWrite = n -> { };
    static volatile double cpu = 0.3;
    /** Runs for every request the fake API server receives, before it is answered. */
    static volatile Consumer<FakeKubernetesApi.Request> onRequest = q -> { };

    @BeforeAll
    static void start() throws Exception {
        kube = FakeKubernetesApi.start();
        kube.put(Kind.DEPLOYMENTS, deployment(RELEASE, 4, 4));
        pods = new FakeMilvusPods(Clock.systemUTC());
        coord = pods.start(NS, RELEASE, InstallKind.HELM, "mixcoord", RELEASE + "-milvus-mixcoord-0", 1, 8e9);
        coord.setQuerycoordTasks("segment_move", 0);
        coord.setIndexTasks("gate", 0);
        resize(4);
        kube.onChange(change -> {
            if (change.kind() != Kind.DEPLOYMENTS || change.before() == null
                    || !change.name().equals(DEPLOYMENT)) {
                return;
            }
            int before = change.before().getAsJsonObject("spec").get("replicas").getAsInt();
            int after = change.after().getAsJsonObject("spec").get("replicas").getAsInt();
            if (before == after) {
                return;
            }
            writes.add(new Object[] {Instant.now(), after,
                    change.after().getAsJsonObject("metadata").getAsJsonObject("annotations").deepCopy()});
            resize(after);
            long test = generation.get();
            Runnable ready = () -> kube.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"status\": {\"readyReplicas\": "
                    + after + ", \"availableReplicas\": " + after + "}}");
            if (readyDelay.isZero() || after < before) {
                ready.run();
            } else {
                // Like the segment moves below: a late ready count would overwrite the next test's Deployment.
                timers.schedule(() -> {
                    if (generation.get() == test) {
                        ready.run();
                    }
                }, readyDelay.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (after < before) {
                coord.setQuerycoordTasks("segment_move", 1);
                timers.schedule(() -> {
                    // A step an earlier test left settling (some outlast their test on purpose) ends nothing here:
                    // it cleared this test's moves and counted in its settled list, which failed one test by order.
                    if (generation.get() == test) {
                        coord.setQuerycoordTasks("segment_move", 0);
                        settled.add(Instant.now());
                    }
                }, drain.toMillis(), TimeUnit.MILLISECONDS);
            }
            afterWrite.accept(after);
        });
        prometheus = PrometheusServer.builder().targets(pods.targets()).start();
        Poll.until("Prometheus reads the pods' cpu", WAIT, () -> prometheus.query(
                "count(rate(container_cpu_usage_seconds_total{namespace=\"milvus\", pod=~\".*querynode.*\","
                        + " container!=\"\", container!=\"POD\"}[5s]) > 0.2)"),
                body -> body.contains("\"4\"]"));
        kube.put(Kind.MILVUSES, """
                {"metadata": {"name": "hpa", "namespace": "milvus"},
                 "spec": {"mode": "cluster", "components": {"queryNode": {"replicas": -1}}}}
                """);
        kube.put(Kind.DEPLOYMENTS, deployment("roll", 3, 2));
        kube.put(Kind.DEPLOYMENTS, deployment("hpah", 3, 3));
        kube.put(Kind.HORIZONTAL_POD_AUTOSCALERS, FakeKubernetesApi.helmChartHpa(NS, "hpah-milvus-querynode"));
        kube.onRequest(q -> onRequest.accept(q));
        config = writeConfig("scale.conf", """
                , { namespace = milvus, name = hpa, install = operator, milvus-version = "2.5", components { queryNode {} } }
                , { namespace = milvus, name = roll, install = helm, milvus-version = "2.5", components { queryNode {} } }
                , { namespace = milvus, name = hpah, install = helm, milvus-version = "2.5", components { queryNode {} } }
                , { namespace = milvus, name = op, install = operator, milvus-version = "2.5", components { queryNode {}, dataNode {} } }
                """);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {prometheus, pods, kube}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
        timers.shutdownNow();
    }

    @BeforeEach
    void reset() {
        generation.incrementAndGet();
        drain = Duration.ofSeconds(3);
        readyDelay = Duration.ZERO;
        afterWrite = n -> { };
        onRequest = q -> { };
        coord.setQuerycoordTasks("segment_move", 0);
        coord.setIndexTasks("gate", 0);
        coord.setLoadedReplicas(0, Map.of());
        cpu = 0.3;
        queryNodes.forEach(p -> p.setReadQueue(0));
        spread();
        kube.clearFaults();
        kube.authenticateAs(null);
    }

    /** The config: one Helm cluster under test, plus whatever {@code extraClusters} adds. */
    static Path writeConfig(String name, String extraClusters) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, config(prometheus.url().toString(), kube.writeKubeconfig(dir.resolve("kubeconfig")), "30s",
                "sum(milvus_querynode_read_task_ready_len{namespace=\"{namespace}\", app_kubernetes_io_instance=\"{release}\"})"
                        + " + sum(milvus_datacoord_task_count{namespace=\"{namespace}\", app_kubernetes_io_instance=\"{release}\","
                        + " task_state=\"gate\"})", NS, RELEASE, extraClusters));
        return file;
    }

    /**
     * The daemon config the scale tests share: the Prometheus and fake API server under test, the cpu template
     * over [5s] (the fake pods are scraped every second), second-long sustains and cooldowns, memory and qps off,
     * {@code healthQuery}, and one Helm queryNode cluster of {@code release} plus {@code extraClusters}.
     */
    static String config(String prometheusUrl, Path kubeconfig, String settleTimeout, String healthQuery, String ns,
                         String release, String extraClusters) {
        String cpuQuery = ConfigLoader.defaults().queryTemplates().get("cpu").replace("[2m]", "[5s]");
        return """
                milvus-autoscaler {
                  prometheus { url = "%s", timeout = 2s, stale-after = 30s, share-window = 200ms,
                               retry { max-attempts = 1 } }
                  kubernetes {
                    kubeconfig = "%s"
                    request-timeout = 5s
                    leader-election { namespace = milvus-autoscaler, identity = daemon, lease-duration = 4s,
                                      renew-deadline = 3s, retry-period = 500ms }
                  }
                  loop { interval = 500ms, jitter = 0s }
                  server { port = 0, bind-address = "127.0.0.1" }
                  alerts.enabled = false
                  queries.cpu = \"\"\"%s\"\"\"
                  defaults {
                    min-replicas = 1
                    max-replicas = 6
                    scale-out { sustain = 1s, cooldown = 1s }
                    # settle-read-after 0s: this Prometheus scrapes the fakes every second, so a step shows at once
                    scale-in { sustain = 1s, cooldown = 1s, delay-after-scale-out = 1s, verify-window = 2s,
                               settle-timeout = %s, settle-read-after = 0s }
                    signals { memory.enabled = false, qps.enabled = false }
                    health-query = \"\"\"%s\"\"\"
                  }
                  clusters = [{ namespace = %s, name = %s, install = helm, milvus-version = "2.5",
                                components { queryNode {} } }
                              %s]
                }
                """.formatted(prometheusUrl, kubeconfig, cpuQuery, settleTimeout, healthQuery, ns, release,
                extraClusters);
    }

    /**
     * A chart Deployment at {@code replicas}, {@code updated} of them on the current template: named by the
     * chart's fullname rule ({@code <release>-milvus-querynode}, see core.DeploymentNames) and labelled as
     * milvus-helm's querynode-deployment.yaml labels it ({@code app.kubernetes.io/instance}, {@code component}).
     */
    static String deployment(String release, int replicas, int updated) {
        String name = release + "-milvus-querynode";
        return """
                {"metadata": {"name": "%s", "namespace": "%s", "generation": 1,
                              "labels": {"app.kubernetes.io/instance": "%s", "component": "querynode"}},
                 "spec": {"replicas": %d},
                 "status": {"replicas": %d, "readyReplicas": %d, "availableReplicas": %d, "updatedReplicas": %d,
                            "observedGeneration": 1}}
                """.formatted(name, NS, release, replicas, replicas, replicas, replicas, updated);
    }

    /** Starts or stops queryNode pods to match {@code n}. */
    static synchronized void resize(int n) {
        while (queryNodes.size() < n) {
            queryNodes.add(pods.start(NS, RELEASE, InstallKind.HELM, "querynode", DEPLOYMENT + "-" + podsStarted++,
                    1, 8e9).setMemoryUtilisation(0.3));
        }
        while (queryNodes.size() > n) {
            pods.stop(queryNodes.remove(queryNodes.size() - 1));
        }
        spread();
        if (prometheus != null) {
            prometheus.setTargets(pods.targets());
        }
    }

    static synchronized void spread() {
        queryNodes.forEach(p -> p.setCpuUtilisation(cpu));
    }

    /** Puts the Deployment back at {@code n} replicas, all ready, and forgets earlier writes and requests. */
    static void at(int n) {
        kube.put(Kind.DEPLOYMENTS, deployment(RELEASE, n, n));
        resize(n);
        writes.clear();
        settled.clear();
        kube.clearRequests();
        Poll.until("Prometheus sees " + n + " queryNodes with cpu", WAIT, () -> prometheus.query(
                "count(rate(container_cpu_usage_seconds_total{namespace=\"milvus\", pod=~\".*querynode.*\","
                        + " container!=\"\", container!=\"POD\"}[5s]) > 0.1)"),
                body -> body.contains("\"" + n + "\"]"));
        // reset() put every read queue back to 0; until Prometheus has scraped that, the health query still reads
        // the last test's harm (a read queue of 5) and would fail this test's first step.
        untilPrometheusReads("the queryNodes' read queues", READ_QUEUES, 0);
        // The settle query subtracts kube-state-metrics' spec replicas from the queryNodes querycoord counts, two
        // scrapes apart: until both read n, a rise from a last test's count reads as a queryNode not yet gone (BUSY).
        Poll.until("Prometheus sees " + n + " queryNodes counted and wanted", WAIT, () -> prometheus.query(
                "max(milvus_querycoord_querynode_num{namespace=\"milvus\"}) == sum(kube_deployment_spec_replicas"
                        + "{namespace=\"milvus\", deployment=\"" + DEPLOYMENT + "\"})"),
                body -> body.contains("\"" + n + "\"]"));
        // And for the segment moves of a step the last test left settling: the settle query must read QUIET again.
        untilPrometheusReads("the segment moves", SEGMENT_MOVES, 0);
        // The same for the cpu a harm raised to 1.0: no queryNode's [5s] rate may still read it.
        Poll.until("Prometheus sees no queryNode's cpu still high", WAIT, () -> prometheus.query(
                "count(rate(container_cpu_usage_seconds_total{namespace=\"milvus\", pod=~\".*querynode.*\","
                        + " container!=\"\", container!=\"POD\"}[5s]) > 0.6)"),
                body -> body.contains("\"result\":[]"));
    }

    /** Queued read tasks summed over the release's queryNodes: the health query's first half. */
    static final String READ_QUEUES = "sum(milvus_querynode_read_task_ready_len{namespace=\"milvus\","
            + " app_kubernetes_io_instance=\"" + RELEASE + "\"})";
    /** Segment moves querycoord has scheduled: the settle query reads BUSY while they change. */
    static final String SEGMENT_MOVES = "sum(milvus_querycoord_task_num{querycoord_task_type=\"segment_move\"})";

    /** Polls until {@code query} (one series) reads {@code value} in Prometheus. */
    static void untilPrometheusReads(String what, String query, int value) {
        Poll.until("Prometheus reads " + what + " at " + value, WAIT, () -> prometheus.query(query),
                body -> body.contains("\"" + value + "\"]"));
    }

    record Result(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static Result scale(String... args) {
        return scale(config, args);
    }

    /** {@code scale --config file --poll-interval 200ms args...} in this JVM, as the command line runs it. */
    static Result scale(Path file, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setExitCodeExceptionMapper(t -> t instanceof CommandLine.ParameterException ? Main.EXIT_USAGE
                : Main.EXIT_FAILURE);
        cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("scale", "--config", file.toString(), "--poll-interval", "200ms"));
        all.addAll(List.of(args));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    static JsonObject object() {
        return kube.get(Kind.DEPLOYMENTS, NS, DEPLOYMENT).orElseThrow();
    }

    static int replicas() {
        return object().getAsJsonObject("spec").get("replicas").getAsInt();
    }

    static JsonObject annotations() {
        JsonObject meta = object().getAsJsonObject("metadata");
        return meta.has("annotations") ? meta.getAsJsonObject("annotations") : new JsonObject();
    }

    static List<Integer> writtenCounts() {
        return writes.stream().map(w -> (Integer) w[1]).toList();
    }

    @Test
    void fourToOneStepsDownOneAtATimeEachAfterTheSettleSignalClearedWhilePaused() {
        at(4);
        // Segment moves outlast the verify window (2s) by 3s, so a step that did not wait for them is caught.
        drain = Duration.ofSeconds(5);
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "1", "--yes");
        assertEquals(0, r.exit(), r.all());
        assertEquals(List.of(3, 2, 1), writtenCounts(), r.all());
        assertTrue(r.out().contains("queryNode 4 -> 1: three step-downs of one node, each waiting for settle (up to 30s)"
                + " and health"), r.out());
        for (int i = 1; i < writes.size(); i++) {
            Instant write = (Instant) writes.get(i)[0];
            assertTrue(settled.size() >= i && write.isAfter(settled.get(i - 1)),
                    "write " + i + " at " + write + " came after step " + i + "'s segment moves ended " + settled);
            // The verify window (2s) runs once the step has settled, as Milvus checks the service after the hand-off;
            // it used to run from the write, so a step that settled late passed on the next poll (scale audit H1).
            assertTrue(!write.isBefore(settled.get(i - 1).plusSeconds(2)),
                    "write " + i + " at " + write + " came a whole verify window after step " + i + " settled at "
                            + settled.get(i - 1));
        }
        for (Object[] w : writes) {
            JsonObject a = (JsonObject) w[2];
            assertEquals("true", a.get("milvus-autoscaler.io/paused").getAsString(), "paused at every write: " + a);
            // A server that answers no SelfSubjectReview (before Kubernetes 1.28) leaves where the run runs.
            assertTrue(a.get("milvus-autoscaler.io/paused-by").getAsString().startsWith(TargetSelection.who()
                    + ": scale --to 1"), a.toString());
            assertEquals("MANUAL_SCALE", a.get("milvus-autoscaler.io/last-scale-reason").getAsString());
            assertEquals("down", a.get("milvus-autoscaler.io/last-scale-direction").getAsString());
        }
        JsonObject after = annotations();
        assertFalse(after.has("milvus-autoscaler.io/paused"), "the pause is lifted at the end: " + after);
        assertFalse(after.has("milvus-autoscaler.io/paused-by"), after.toString());
        assertFalse(after.has("milvus-autoscaler.io/paused-at"), after.toString());
        assertEquals(3, kube.requests("POST", "/api/v1/namespaces/milvus/events").stream()
                .filter(q -> q.body().contains("\"ScaledIn\"") && q.body().contains("manual step-down")).count(), "one ScaledIn Event per step");
        // Named by the component: an operator Milvus object's Events did not say which was stepped down (scale
        // recheck 19, F4).
        assertTrue(kube.requests("POST", "/api/v1/namespaces/milvus/events").stream().anyMatch(q -> q.body().contains(
                "queryNode manual step-down 1 of 3: 4 -> 3 (scale 4 -> 1) by ")), kube.requests("POST",
                "/api/v1/namespaces/milvus/events").toString());
    }

    /** The shared config with scale-in.settle-read-after 4s, as on a cluster whose Prometheus is seconds behind. */
    static Path withSettleReadAfter4s(Path dir) throws Exception {
        Path file = dir.resolve("read-after.conf");
        Files.writeString(file, Files.readString(config).replace("settle-read-after = 0s", "settle-read-after = 4s"));
        return file;
    }

    /**
     * Right after a write the settle query still shows the cluster before it (Prometheus has not scraped the new
     * spec.replicas or querycoord's moves yet), so a QUIET then is no evidence: with a 15s verify window the next
     * node went 16 s after the first while it still handed off (settle recheck M1). Here no segment moves at all,
     * so only scale-in.settle-read-after (4s) keeps the steps apart; at 0s they came a verify window (1s) apart.
     */
    @Test
    void aQuietSettleRightAfterAWriteIsReadOnlyFromSettleReadAfterOn(@TempDir Path dir) throws Exception {
        at(3);
        drain = Duration.ZERO;
        Path file = withSettleReadAfter4s(dir);
        Result r = scale(file, "--target", NS + "/" + RELEASE + "/queryNode", "--to", "1", "--yes",
                "--verify-window", "1s");
        assertEquals(0, r.exit(), r.all());
        assertEquals(List.of(2, 1), writtenCounts(), r.all());
        Instant first = (Instant) writes.get(0)[0];
        Instant second = (Instant) writes.get(1)[0];
        assertTrue(!second.isBefore(first.plusSeconds(4)), "the second step at " + second + ", the first at " + first);
        assertTrue(r.all().contains("waiting for settle (read from 4s after the write, once Prometheus has scraped the"
                + " step: scale-in.settle-read-after)"), r.all());
        // The QUIET read then is shown as what it is, not as the settle the wait is for (forecast recheck nit).
        assertTrue(r.all().contains("settle QUIET (settle query reads 0, not used until settle-read-after)"), r.all());
    }

    /**
     * A step-down still handing over its segments (one the daemon wrote a minute ago, say) holds the first step:
     * a removal now would stack a second stopping balance on the same nodes, which Milvus' one-at-a-time advice is
     * there to avoid. The segment moves end 3s into the command; the first write comes after that, not at once.
     */
    @Test
    void aStepDownStillSettlingHoldsTheFirstStepUntilItHasSettled() {
        at(3);
        coord.setQuerycoordTasks("segment_move", 1);
        untilPrometheusReads("the segment moves", SEGMENT_MOVES, 1);
        List<Instant> cleared = new CopyOnWriteArrayList<>();
        timers.schedule(() -> {
            cleared.add(Instant.now());
            coord.setQuerycoordTasks("segment_move", 0);
        }, 3, TimeUnit.SECONDS);
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes");
        assertEquals(0, r.exit(), r.all());
        assertEquals(List.of(2), writtenCounts(), r.all());
        assertEquals(1, cleared.size(), r.all());
        assertTrue(((Instant) writes.get(0)[0]).isAfter(cleared.get(0)),
                "the first write at " + writes.get(0)[0] + " waited for the earlier moves, ended " + cleared.get(0));
        assertTrue(r.out().contains("before step 1 (queryNode at 3): waiting for settle"), r.out());
    }

    /**
     * A step-down written seconds before the run (the daemon's, or the step an interrupted run wrote before its
     * --take-over) is not in Prometheus yet: its hand-off shows only a scrape or two later, so a settle read QUIET on
     * the run's first poll was the cluster before it, and the first removal went 3 s after the last (scale recheck 2,
     * H1). Here the earlier step's segment moves show 1.5 s into the run and end at 4 s; with settle-read-after 4s the
     * first write waits for settle and health to hold that long, so it comes after the moves, not on the first poll.
     */
    @Test
    void aStepDownJustBeforeTheRunHoldsTheFirstStepForSettleReadAfter(@TempDir Path dir) throws Exception {
        at(3);
        drain = Duration.ZERO;
        Path file = withSettleReadAfter4s(dir);
        List<Instant> cleared = new CopyOnWriteArrayList<>();
        long run = generation.get();
        timers.schedule(() -> {
            if (generation.get() == run) {
                coord.setQuerycoordTasks("segment_move", 1);
            }
        }, 1500, TimeUnit.MILLISECONDS);
        timers.schedule(() -> {
            if (generation.get() == run) {
                cleared.add(Instant.now());
                coord.setQuerycoordTasks("segment_move", 0);
            }
        }, 4, TimeUnit.SECONDS);
        Result r = scale(file, "--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes",
                "--verify-window", "1s");
        assertEquals(0, r.exit(), r.all());
        assertEquals(List.of(2), writtenCounts(), r.all());
        assertEquals(1, cleared.size(), r.all());
        assertTrue(((Instant) writes.get(0)[0]).isAfter(cleared.get(0)),
                "the first write at " + writes.get(0)[0] + " waited for the moves that showed late, ended "
                        + cleared.get(0) + ": " + r.all());
        // One step: "once ..., waiting for", where it said "the first once ..., each waiting for" (recheck 111, F2).
        assertTrue(r.out().contains("queryNode 3 -> 2: one step-down of one node, once settle and health have held for"
                + " 4s (scale-in.settle-read-after), waiting for settle (up to "), r.out());
        assertTrue(r.all().contains("before step 1 (queryNode at 3): waiting for settle and health to hold, so a"
                + " step-down just before this run has reached Prometheus (scale-in.settle-read-after) (4s)"), r.all());
    }

    /**
     * A run that goes on under a killed run's pause (--take-over) right after that run's step-down waits a whole
     * verify window once settle and health hold before the next removal, as the killed run would have: settle-read-after
     * alone let it remove a second node 68 s after the first, inside a 3m window (recheck 26, F1), and the rest of the
     * window counted from the write checked a step that handed off for 30 s for 10 s of 20 (recheck 94, F1). Here the
     * step was written at the run's start with a 4s window: no write sooner than 4 s after it.
     */
    @Test
    void aTakeOverRightAfterAKilledRunsStepDownWaitsAWholeVerifyWindow() {
        at(3);
        Instant stepped = Instant.now();
        kube.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"metadata\": {\"annotations\": {"
                + "\"milvus-autoscaler.io/paused\": \"true\", \"milvus-autoscaler.io/paused-by\": \"bob@ci: scale --to 1\","
                + " \"milvus-autoscaler.io/paused-at\": \"" + stepped.minusSeconds(30) + "\","
                + " \"milvus-autoscaler.io/last-scale-time\": \"" + stepped + "\","
                + " \"milvus-autoscaler.io/last-scale-direction\": \"down\","
                + " \"milvus-autoscaler.io/last-scale-reason\": \"MANUAL_SCALE\"}}}");
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes", "--take-over",
                "--verify-window", "4s");
        assertEquals(0, r.exit(), r.all());
        assertEquals(List.of(2), writtenCounts(), r.all());
        Instant written = (Instant) writes.get(0)[0];
        assertFalse(written.isBefore(stepped.plusSeconds(4)), "wrote at " + written + ", 4 s window from " + stepped);
        assertTrue(r.all().matches("(?s).*before step 1 \\(queryNode at 3\\): waiting for settle and health to hold for"
                + " the verify window \\(4s\\) of the step-down written [0-3]s ago \\(MANUAL_SCALE\\), whole: when it"
                + " settled is not known \\(4s\\).*"), r.all());
    }

    /** The rehearsal names that wait too, where its plan said only settle-read-after (recheck 27, R3). */
    @Test
    void aDryRunRightAfterAStepDownNamesItsVerifyWindow() {
        at(3);
        kube.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"metadata\": {\"annotations\": {"
                + " \"milvus-autoscaler.io/last-scale-time\": \"" + Instant.now() + "\","
                + " \"milvus-autoscaler.io/last-scale-direction\": \"down\","
                + " \"milvus-autoscaler.io/last-scale-reason\": \"SIGNALS_LOW\"}}}");
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--dry-run", "--verify-window",
                "1m");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().matches("(?s).*  before step 1: settle and health hold for the verify window \\(1m\\) of the"
                + " step-down written [0-3]s ago \\(SIGNALS_LOW\\), whole: when it settled is not known\n.*"), r.out());
        assertEquals(List.of(), writtenCounts());
    }

    /**
     * A balance longer than the time budget stops the command after the one step it wrote, with exit 1, the
     * daemon's pause lifted (it holds its own step-downs while this one settles), and the command that waits longer
     * and goes on. Budget: --settle-timeout 1s + the 2s verify window; the segment moves last 6s.
     */
    @Test
    void aBalanceLongerThanTheBudgetStopsAfterOneStepAndSaysHowToGoOn() {
        at(3);
        drain = Duration.ofSeconds(6);
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "1", "--yes", "--settle-timeout", "1s");
        assertEquals(1, r.exit(), r.all());
        assertEquals(List.of(2), writtenCounts(), "no second removal while the first still moves: " + r.all());
        assertTrue(r.err().contains("scale: timed out at step 1 of 2 waiting for settle after 3s"), r.err());
        assertTrue(r.err().contains("to wait longer and go on: milvus-autoscaler scale --config " + config
                + " --target milvus/scl/queryNode --to 1 --yes --settle-timeout 1h"), r.err());
        assertFalse(annotations().has("milvus-autoscaler.io/paused"), annotations().toString());
        // Let this step's moves end here, so its timer cannot clear the next test's.
        Poll.until("the step's segment moves end", WAIT, () -> settled.size(), n -> n == 1);
    }

    /**
     * A scale-out whose new pod never turns ready stops at the timeout saying where to look and how to go back, where
     * it named neither (scale recheck 19): waiting longer does not pull an image.
     */
    @Test
    void aScaleOutWhosePodNeverTurnsReadySaysWhereToLookAndTheWayBack() {
        at(2);
        readyDelay = Duration.ofHours(1);
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "3", "--yes", "--settle-timeout", "1s");
        assertEquals(1, r.exit(), r.all());
        assertEquals(List.of(3), writtenCounts(), r.all());
        assertTrue(r.err().contains("queryNode is at 3 replicas (2 ready) now. The 1 not ready: `kubectl -n milvus get"
                + " pods` and `kubectl -n milvus describe pod NAME` say why (an image that cannot be pulled, no node with"
                + " room, a ResourceQuota); the count stays at 3, and milvus-autoscaler scale --config " + config
                + " --target milvus/scl/queryNode --to 2 --yes puts it back to 2."), r.err());
    }

    /** A service already harmed is not stepped down: exit 1, nothing written, rather than a removal rolled back. */
    @Test
    void aHarmedServiceIsNotSteppedDownAtAll() {
        at(3);
        queryNodes.forEach(p -> p.setReadQueue(5));
        untilPrometheusReads("the queryNodes' read queues", READ_QUEUES, 15);
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("scale: not starting: health query failing; no replica written. queryNode is at 3"
                + " replicas (3 ready) now."), r.err());
        assertEquals(List.of(), writtenCounts());
        assertEquals(3, replicas());
        assertFalse(annotations().has("milvus-autoscaler.io/paused"), "the pause is lifted: " + annotations());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            coordinator             | milvus/scl/mixCoord  | 1 | --yes | mixCoord is a coordinator; Milvus scales worker nodes only
            below 1                 | milvus/scl/queryNode | 0 | --yes | --to 0 is outside [1, 6] (max-replicas of milvus/scl/queryNode); pass --force-range to go outside it
            above max-replicas      | milvus/scl/queryNode | 7 | --yes | --to 7 is outside [1, 6] (max-replicas of milvus/scl/queryNode); pass --force-range to go outside it
            handed to an HPA        | milvus/hpa/queryNode | 2 | --yes | has spec.components.queryNode.replicas: -1, which hands queryNode to an external HPA
            scaled by the chart's HPA | milvus/hpah/queryNode | 2 | --yes | deployment milvus/hpah-milvus-querynode is scaled by HorizontalPodAutoscaler milvus/hpah-milvus-querynode-hpa
            in a rollout            | milvus/roll/queryNode| 2 | --yes | milvus/roll/queryNode is in a rollout
            not confirmed, no tty   | milvus/scl/queryNode | 2 | --keep-paused | standard input or output is not a terminal; pass --yes to run without confirmation
            not configured          | milvus/scl/dataNode  | 2 | --yes | milvus/scl has no dataNode in
            malformed target        | milvus/scl           | 2 | --yes | --target milvus/scl is not NS/NAME/COMPONENT
            """)
    void refusesWithOneLineAndExitTwoWritingNothing(String why, String target, int to, String flag, String message) {
        at(3);
        Result r = scale("--target", target, "--to", Integer.toString(to), flag);
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains(message), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertEquals(List.of(), kube.requests().stream().filter(q -> !q.method().equals("GET")).toList(),
                "nothing written");
        assertEquals(3, replicas());
    }

    /**
     * Every wait flag keeps the config's rule for the durations it overrides (positive), and a duration is echoed
     * as the user writes one, not as java.time prints it (PT0S). A 0s verify window would drop the harm check, a
     * 0s settle timeout would write a step and time out at once.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"--poll-interval, 0s, 0s", "--poll-interval, 0ms, 0s", "--poll-interval, -PT5S, -5s",
            "--settle-timeout, 0s, 0s", "--settle-timeout, -PT5S, -5s",
            "--verify-window, 0s, 0s", "--verify-window, 0ms, 0s", "--verify-window, -PT1M, -1m"})
    void aWaitFlagThatIsNotPositiveIsRefusedInTheUsersUnits(String flag, String given, String shown) {
        at(3);
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setExitCodeExceptionMapper(t -> t instanceof CommandLine.ParameterException ? Main.EXIT_USAGE
                : Main.EXIT_FAILURE);
        cli.setOut(new PrintWriter(new StringWriter(), true)).setErr(new PrintWriter(err, true));
        // --dry-run: without the check it would print the plan and exit 0, so the exit code alone tells.
        List<String> args = new ArrayList<>(List.of("scale", "--config", config.toString(), "--target",
                "milvus/scl/queryNode", "--to", "2", "--dry-run"));
        if (!flag.equals("--poll-interval")) {
            args.addAll(List.of("--poll-interval", "200ms"));
        }
        args.addAll(List.of(flag, given));
        int exit = cli.execute(args.toArray(String[]::new));
        assertEquals(2, exit, err.toString());
        assertEquals("scale: " + flag + " " + shown + " must be > 0", err.toString().strip());
        assertEquals(3, replicas());
        assertEquals(List.of(), kube.requests().stream().filter(q -> !q.method().equals("GET")).toList(),
                "nothing written");
    }

    /**
     * The config's dry-run = true (the shipped example's) promises nothing is written with it: scale plans as with
     * --dry-run and says so, even with --yes (config audit M4: it wrote).
     */
    @Test
    void theConfigsDryRunPlansOnlyAndSaysSo() throws Exception {
        at(3);
        Path dryRun = dir.resolve("dry-run.conf");
        Files.writeString(dryRun, "include \"scale.conf\"\nmilvus-autoscaler.dry-run = true\n");
        Result r = scale(dryRun, "--target", NS + "/" + RELEASE + "/queryNode", "--to", "5", "--yes");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("dry-run = true in " + dryRun + ": planning only, as --dry-run; to scale, use a"
                + " config that sets dry-run = false"), r.out());
        assertTrue(r.out().contains("dry run: nothing written"), r.out());
        assertEquals(List.of(), kube.requests().stream().filter(q -> q.method().equals("PATCH")).toList());
        assertEquals(3, replicas());
    }

    @Test
    void forceRangeAllowsAboveMaxAndDryRunShowsPlanAndLiveChecksWritingNothing() {
        at(3);
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "7", "--force-range", "--dry-run");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("queryNode 3 -> 7: one write to 7, then waiting for 7 ready and settle (up to 30s)"),
                r.out());
        assertTrue(r.out().matches("(?s).*now: ready 3 of 3, settle QUIET \\(settle query reads 0\\), health OK, cpu 0\\.\\d+.*"), r.out());
        assertTrue(r.out().contains("settle-query: clamp_min( max(milvus_querycoord_querynode_num{namespace=\"milvus\""), r.out());
        assertTrue(r.out().contains("dry run: nothing written"), r.out());
        assertEquals(List.of(), kube.requests().stream().filter(q -> q.method().equals("PATCH")).toList());
        Result down = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "1", "--dry-run");
        assertEquals(0, down.exit(), down.all());
        assertTrue(down.out().contains("queryNode 3 -> 1: two step-downs of one node"), down.out());
        assertEquals(List.of(), kube.requests().stream().filter(q -> q.method().equals("PATCH")).toList());
    }

    /**
     * A queryNode scale-out's settle counts from settle-read-after (4s here) after the new nodes are all ready. Read at
     * once it was the cluster before the new nodes, and the run said "settled" 3.4 s after the write (scale recheck 2,
     * L1); counted from the write, a run whose pods took longer than settle-read-after to start read settle once at
     * readiness and said "settled" before querycoord's moves onto them showed (scale recheck 19, F2): querycoord
     * balances onto a node once it has registered, and the moves show at its next task-count write and scrape. Ready
     * at once the run ends no sooner than 4 s after its write; ready 3 s after it, no sooner than 7 s.
     */
    @ParameterizedTest(name = "ready {0}s after the write: done no sooner than {1}s after it")
    @CsvSource({"0, 4", "3, 7"})
    void aQueryNodeScaleOutReadsSettleFromSettleReadAfterAfterTheNewNodesAreReady(int readyAfter, int atLeast,
                                                                                @TempDir Path dir) throws Exception {
        at(2);
        readyDelay = Duration.ofSeconds(readyAfter);
        Path file = withSettleReadAfter4s(dir);
        Result r = scale(file, "--target", NS + "/" + RELEASE + "/queryNode", "--to", "3", "--yes");
        Instant ended = Instant.now();
        assertEquals(0, r.exit(), r.all());
        assertEquals(List.of(3), writtenCounts(), r.all());
        Instant written = (Instant) writes.get(0)[0];
        assertTrue(!ended.isBefore(written.plusSeconds(atLeast)), "ended " + ended + ", written " + written + ": "
                + r.all());
        assertTrue(r.all().contains("waiting for settle (read from 4s after the new replicas are ready"), r.all());
    }

    @Test
    void twoToFiveIsOneWriteAndWaitsForEveryReplicaReady() {
        at(2);
        readyDelay = Duration.ofSeconds(2);
        Instant started = Instant.now();
        Result r;
        // scale prints its write itself; the actuator's own INFO line for it is kept out of the output.
        try (CapturedLogs actuator = CapturedLogs.of(HelmDeploymentActuator.class)) {
            r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "5", "--yes");
            assertEquals(List.of(), actuator.messages(), "the actuator said nothing at INFO: " + r.all());
        }
        assertTrue(org.slf4j.LoggerFactory.getLogger(HelmDeploymentActuator.class).isInfoEnabled(),
                "the level is put back once the command ends");
        Instant ended = Instant.now();
        assertEquals(0, r.exit(), r.all());
        assertEquals(List.of(5), writtenCounts(), r.all());
        assertEquals(1, kube.requests("PATCH", "/apis/apps/v1/namespaces/milvus/deployments/" + DEPLOYMENT).stream()
                .filter(q -> q.body().contains("\"replicas\"")).count(), "one replica write");
        assertTrue(Duration.between(started, ended).compareTo(readyDelay) >= 0,
                "returned only once the replicas were ready: " + Duration.between(started, ended));
        assertTrue(r.out().contains("waiting for ready"), r.out());
        assertTrue(r.out().contains("done: milvus/scl/queryNode at 5 replicas (ready 5 of 5"), r.out());
        assertEquals("up", annotations().get("milvus-autoscaler.io/last-scale-direction").getAsString());
        assertFalse(annotations().has("milvus-autoscaler.io/paused"));
    }

    /**
     * --no-rollback-on-harm leaves the harmful step in place and keeps the daemon paused: lifted, the daemon's own
     * verify window saw the harm and rolled the step back 3 s later (scale recheck 2, M1), which the flag was given to
     * prevent. The pause is marked kept, and the message names the command that puts the replica back and the resume.
     */
    @Test
    void noRollbackOnHarmKeepsTheDaemonPausedAndSaysHowToPutTheReplicaBack() {
        at(3);
        afterWrite = n -> {
            if (n == 2) {
                queryNodes.forEach(p -> p.setReadQueue(5));
            }
        };
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes", "--no-rollback-on-harm");
        assertEquals(1, r.exit(), r.all());
        assertEquals(List.of(2), writtenCounts(), "not rolled back: " + r.all());
        assertTrue(r.err().contains("stopped, not rolled back (--no-rollback-on-harm)"), r.err());
        assertTrue(r.err().contains("the daemon stays paused for milvus/scl/queryNode, so it does not roll the step"
                + " back either (--no-rollback-on-harm). Put the replica back with: milvus-autoscaler scale --config "
                + config + " --target milvus/scl/queryNode --to 3"), r.err());
        assertTrue(r.err().contains("milvus-autoscaler resume --config " + config + " --target milvus/scl/queryNode"),
                r.err());
        assertEquals("true", annotations().get("milvus-autoscaler.io/paused").getAsString(), annotations().toString());
        assertTrue(annotations().get("milvus-autoscaler.io/paused-by").getAsString().endsWith(PauseMarks.KEPT),
                annotations().toString());
        assertFalse(r.out().contains("resumed the daemon"), r.out());
    }

    /**
     * Below min-replicas the daemon puts the count back a tick after the pause is lifted (BELOW_MIN): a stopping
     * balance, a node added back and a second balance, for a run that said "done" (scale recheck 2, M4). Refused
     * unless --keep-paused keeps the daemon off or --force-range asks for it anyway (which the plan then notes).
     */
    @Test
    void belowMinReplicasIsRefusedUnlessKeptPausedOrForced(@TempDir Path dir) throws Exception {
        at(3);
        Path file = dir.resolve("min2.conf");
        Files.writeString(file, Files.readString(config).replace("min-replicas = 1", "min-replicas = 2"));
        Result r = scale(file, "--target", NS + "/" + RELEASE + "/queryNode", "--to", "1", "--yes");
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains("scale: --to 1 is below min-replicas 2 of milvus/scl/queryNode: once the pause is"
                + " lifted the daemon scales it back up to 2, a second disruption; pass --keep-paused to keep the daemon"
                + " off for it, or --force-range to go below min-replicas anyway"), r.err());
        assertEquals(List.of(), kube.requests().stream().filter(q -> !q.method().equals("GET")).toList(),
                "nothing written");
        Result forced = scale(file, "--target", NS + "/" + RELEASE + "/queryNode", "--to", "1", "--dry-run",
                "--force-range");
        assertEquals(0, forced.exit(), forced.all());
        assertTrue(forced.out().contains("note: 1 is below min-replicas 2 (--force-range); once resumed the daemon"
                + " scales back up to 2"), forced.out());
        Result kept = scale(file, "--target", NS + "/" + RELEASE + "/queryNode", "--to", "1", "--dry-run",
                "--keep-paused");
        assertEquals(0, kept.exit(), kept.all());
        assertFalse(kept.out().contains("note:"), kept.out());
        assertEquals(3, replicas());
    }

    /**
     * A step-down below the nodes the loaded in-memory replicas need is refused before anything is written, as the
     * daemon holds it (REPLICA_FLOOR): two collections with 4 replicas put one at 2 or more, and Milvus serves each
     * replica of a collection from queryNodes of its own ("query nodes num should be greater or equal to
     * replica_number", its resource group guide). --force-range goes below it anyway; down to the floor is allowed.
     */
    @Test
    void belowTheReplicaFloorIsRefusedUnlessForced() throws Exception {
        at(3);
        withLoadedReplicas(2, 4, this::belowTheReplicaFloor);
    }

    /**
     * Runs {@code body} with {@code collections} loaded with {@code replicas} in the default group, once Prometheus
     * reads them; then releases them and waits until Prometheus reads none, so the next test's step-downs meet no
     * floor (a CI run's next test read the floor 2 and was refused).
     */
    private static void withLoadedReplicas(int collections, int replicas, Step body) throws Exception {
        coord.setLoadedReplicas(collections, Map.of("__default_resource_group", replicas));
        Poll.until("Prometheus reads the loaded replicas", WAIT, () -> prometheus.query(
                "milvus_querycoord_resource_group_replica_total{namespace=\"milvus\"}"),
                shown -> shown.contains("\"" + replicas + "\"]"));
        try {
            body.run();
        } finally {
            coord.setLoadedReplicas(0, Map.of());
            Poll.until("Prometheus reads no loaded replica", WAIT, () -> prometheus.query(
                    "count(milvus_querycoord_resource_group_replica_total{namespace=\"milvus\"})"
                            + " or max(milvus_querycoord_collection_num{namespace=\"milvus\"}) > 0"),
                    b -> b.contains("\"result\":[]"));
        }
    }

    /** A test's body that may throw. */
    private interface Step {
        void run() throws Exception;
    }

    /**
     * The floor is read again before each removal, as the daemon's gate reads it each tick: a collection loaded with 3
     * replicas while step 1 settled (5 replicas over 2 collections: 3) stops the run before 3 -> 2, where it wrote 2
     * and exited 0 (recheck 62, F4).
     */
    @Test
    void aFloorThatRisesMidRunStopsTheNextStep() throws Exception {
        at(4);
        afterWrite = n -> {
            if (n == 3) {
                coord.setLoadedReplicas(2, Map.of("__default_resource_group", 5));
            }
        };
        withLoadedReplicas(1, 2, () -> {
            Result r = scale(config, "--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes");
            assertEquals(1, r.exit(), r.all());
            assertTrue(r.err().contains("scale: stopped before step 2 of 2 (3 -> 2): milvus/scl/queryNode's replica floor"
                    + " is now 3 (replica floor query reads 3), above 2; no replica written for it."), r.err());
            assertEquals(3, replicas(), "step 1 only");
        });
    }

    /**
     * Before each removal scale reads the fullest pod's memory as the daemon's step-down gate does (policy FullestPod):
     * 4 queryNodes at 0.93, 0.30, 0.30, 0.30 of their limit average 0.46, which one node fewer takes (0.46 x 4/3 =
     * 0.61 < 0.80), but the full one could reach 0.93 x 4/3 = 1.24, past its limit, which the kernel answers with an
     * OOM kill before any check after the step runs (recheck 65, F1, where scale had only its after-step checks).
     * Nothing is written, a dry run says so with exit 1; spread evenly at 0.45 step 1 goes (0.45 x 4/3 = 0.60), and
     * the full pod is read again before step 2: moved to 0.60 as step 1's segments land, 0.60 x 3/2 = 0.90 stops it.
     */
    @Test
    void aRemovalThatCouldPushTheFullestPodPastItsMemoryLimitIsNotWritten() throws Exception {
        at(4);
        Path memoryOn = dir.resolve("memory.conf");
        Files.writeString(memoryOn, Files.readString(config).replace("signals { memory.enabled = false,",
                "signals { memory.enabled = true,"));
        FakeMilvusPod full = queryNodes.get(0);
        try {
            // The others stay at 0.30, where every test leaves them: only the full one changes, and is waited for.
            full.setMemoryUtilisation(0.93);
            untilPrometheusReadsMemory("one queryNode above 0.9 of its limit", "> 0.9", 1);
            untilPrometheusReadsMemory("the other three at 0.30", "< 0.31", 3);
            Result dry = scale(memoryOn, "--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--dry-run");
            assertEquals(1, dry.exit(), dry.all());
            assertTrue(dry.out().contains("  stops now before step 1: removing one of 4 ready queryNode could put pod "
                    + full.name() + ", the fullest at memory 0.93 of its limit, at 0.93 x 4/3 = 1.24 > scale-out-above"
                    + " 0.80 as the removed node's load moves onto it (the kernel kills a container past its memory"
                    + " limit, whatever the average: memory 0.458); the daemon holds the same step-down"
                    + " (SCALE_IN_WOULD_OVERLOAD)"), dry.out());
            Result held = scale(memoryOn, "--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes");
            assertEquals(1, held.exit(), held.all());
            assertTrue(held.err().contains("scale: stopped before step 1 of 2 (4 -> 3): removing one of 4 ready"
                    + " queryNode could put pod " + full.name() + ", the fullest at memory 0.93 of its limit"), held.err());
            assertTrue(held.err().contains("; no replica written for it."), held.err());
            assertEquals(List.of(), writtenCounts(), "nothing written");
            assertFalse(annotations().has("milvus-autoscaler.io/paused"), "the run's pause lifted: " + annotations());

            queryNodes.forEach(p -> p.setMemoryUtilisation(0.45));
            untilPrometheusReadsMemory("every queryNode at 0.45 of its limit", "< 0.5", 4);
            afterWrite = n -> {
                if (n == 3) {
                    full.setMemoryUtilisation(0.6);
                }
            };
            Result second = scale(memoryOn, "--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes");
            assertEquals(1, second.exit(), second.all());
            assertTrue(second.err().contains("scale: stopped before step 2 of 2 (3 -> 2): removing one of 3 ready"
                    + " queryNode could put pod " + full.name() + ", the fullest at memory 0.60 of its limit, at 0.60 x"
                    + " 3/2 = 0.90 > scale-out-above 0.80"), second.err());
            assertEquals(List.of(3), writtenCounts(), "step 1 only");
            assertEquals(3, replicas());
        } finally {
            queryNodes.forEach(p -> p.setMemoryUtilisation(0.3));
        }
    }

    /**
     * Polls until {@code count} of this release's running queryNodes' working set over their limit reads
     * {@code comparison} in Prometheus (pods other tests started and stopped keep their series for a while).
     */
    private static void untilPrometheusReadsMemory(String what, String comparison, int count) {
        String running = queryNodes.stream().map(FakeMilvusPod::name).collect(java.util.stream.Collectors.joining("|"));
        untilPrometheusReads(what, "count(max by (pod) (container_memory_working_set_bytes{namespace=\"milvus\","
                + " pod=~\"" + running + "\", container!=\"\", container!=\"POD\"}) / 8e9 " + comparison + ")",
                count);
    }

    private void belowTheReplicaFloor() throws Exception {
        Result r = scale(config, "--target", NS + "/" + RELEASE + "/queryNode", "--to", "1", "--yes");
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains("scale: --to 1 is below milvus/scl/queryNode's replica floor 2 (replica floor query"
                + " reads 2: its loaded in-memory replicas need a queryNode each, and Milvus serves each replica of a"
                + " collection from nodes of its own); load the collections with fewer replicas first, or pass"
                + " --force-range to go below it anyway"), r.err());
        assertEquals(List.of(), kube.requests().stream().filter(q -> !q.method().equals("GET")).toList(),
                "nothing written");
        Result forced = scale(config, "--target", NS + "/" + RELEASE + "/queryNode", "--to", "1", "--dry-run",
                "--force-range");
        assertEquals(0, forced.exit(), forced.all());
        assertTrue(forced.out().contains("note: 1 is below the replica floor 2 (replica floor query reads 2;"
                + " --force-range): a loaded in-memory replica may be left with no node"), forced.out());
        Result toFloor = scale(config, "--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--dry-run");
        assertEquals(0, toFloor.exit(), toFloor.all());
        assertTrue(toFloor.out().contains("replica-floor-query: "), toFloor.out());
        assertEquals(3, replicas());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"health query failing", "cpu HIGH"})
    void harmAfterTheSecondStepPutsOneReplicaBackAndExitsOneNamingTheCheck(String harm) {
        at(4);
        afterWrite = n -> {
            if (n == 3) {
                // The second step's segment moves outlast the test: only harm can end its wait.
                drain = Duration.ofSeconds(40);
            } else if (n == 2 && harm.startsWith("health")) {
                queryNodes.forEach(p -> p.setReadQueue(5));
            } else if (n == 2) {
                cpu = 1.0;
                spread();
            }
        };
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "1", "--yes");
        assertEquals(1, r.exit(), r.all());
        assertEquals(List.of(3, 2, 3), writtenCounts(), "the removed replica is put back: " + r.all());
        assertTrue(r.err().contains("scale: harm after step 2 of 3 (3 -> 2): "), r.err());
        assertTrue(r.err().matches("(?s).*" + (harm.startsWith("health") ? "health query failing"
                : "cpu [01]\\.\\d+ > 0\\.750 \\(HIGH\\)") + ".*"), r.err());
        assertTrue(r.err().contains("rolled back: put one replica back. queryNode is at 3 replicas (3 ready) now."),
                r.err());
        // The rollback's write is its own line, not read as a step of the plan.
        assertTrue(r.out().contains("rollback of step 2: wrote 3 replicas (2 -> 3)"), r.out());
        assertFalse(r.out().contains("step 2 of 3: wrote 3 replicas (2 -> 3)"), r.out());
        assertEquals("up", annotations().get("milvus-autoscaler.io/last-scale-direction").getAsString());
        assertEquals("MANUAL_SCALE", annotations().get("milvus-autoscaler.io/last-scale-reason").getAsString());
        // The roll-back keeps the daemon's back-off (scale-in.backoff, 30m by default) on the object, as the daemon's
        // own roll-back does, so the daemon does not step down into the same harm once resumed (scale audit L2).
        Instant backoffUntil = Instant.parse(annotations().get("milvus-autoscaler.io/backoff-until").getAsString());
        Instant rolledBack = (Instant) writes.get(2)[0];
        assertTrue(Math.abs(Duration.between(rolledBack.plus(Duration.ofMinutes(30)), backoffUntil).toSeconds()) < 60,
                "back-off until " + backoffUntil + " after the roll-back at " + rolledBack);
        assertFalse(annotations().has("milvus-autoscaler.io/paused"), "the pause is lifted: " + annotations());
    }

    /**
     * The API server applies the replica write and answers 500; the retry meets the write's own change as a 409. The
     * re-read finds this run's write id: it landed, once, and the run says so, where the 409 alone read as someone
     * else's change (scale recheck 19).
     */
    @Test
    void aWriteThatLandedWithItsAnswerLostIsSaidAsLandedOnce() {
        at(2);
        AtomicBoolean once = new AtomicBoolean();
        String path = "/apis/apps/v1/namespaces/milvus/deployments/" + DEPLOYMENT;
        onRequest = q -> {
            if (q.method().equals("PATCH") && q.path().equals(path) && q.body().contains("\"replicas\"")
                    && once.compareAndSet(false, true)) {
                kube.applyThenFail("PATCH", path, 500, 1);
            }
        };
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "3", "--yes");
        assertEquals(0, r.exit(), r.all());
        assertEquals(List.of(3), writtenCounts(), r.all());
        assertTrue(r.out().contains("step 1: this run's write had landed, its answer lost (read back by its id)"),
                r.out());
    }

    @Test
    void aConcurrentAnnotationChangeGetsAConflictThatIsReReadAndTheWriteRetried() {
        at(2);
        AtomicBoolean once = new AtomicBoolean();
        onRequest = q -> {
            if (q.method().equals("PATCH") && q.path().endsWith("/" + DEPLOYMENT) && q.body().contains("\"spec\"")
                    && once.compareAndSet(false, true)) {
                kube.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"metadata\": {\"annotations\": {\"team\": \"search\"}}}");
            }
        };
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "3", "--yes");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("step 1: 409 conflict (the object changed since it was read, or this write landed and"), r.out());
        assertFalse(r.out().contains("had landed"), "someone else's change, not a landed write: " + r.out());
        assertEquals(2, kube.requests("PATCH", "/apis/apps/v1/namespaces/milvus/deployments/" + DEPLOYMENT).stream()
                .filter(q -> q.body().contains("\"spec\"")).count(), "the first write got 409, the second went through");
        assertEquals(3, replicas());
        assertEquals("search", annotations().get("team").getAsString(), "the other writer's change is kept");
    }

    /**
     * A helm upgrade run with --force-conflicts while the command writes (Helm 4 applies server-side, field manager
     * helm: helm pkg/kube/client.go): the count it set stands, and the stop names its writer from managedFields.
     */
    @Test
    void aConcurrentScaleIsNeverOverwritten() {
        at(2);
        AtomicBoolean once = new AtomicBoolean();
        onRequest = q -> {
            if (q.method().equals("PATCH") && q.path().endsWith("/" + DEPLOYMENT) && q.body().contains("\"spec\"")
                    && once.compareAndSet(false, true)) {
                kube.apply("helm", Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"spec\": {\"replicas\": 6}}", true);
            }
        };
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "3", "--yes");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("replicas changed by someone else during step 1 (helm (Apply at "), r.err());
        assertTrue(r.err().contains(")): expected 2, read 6; stopped without overwriting"), r.err());
        assertEquals(6, replicas(), "the other writer's count stands");
        assertEquals(1, kube.requests("PATCH", "/apis/apps/v1/namespaces/milvus/deployments/" + DEPLOYMENT).stream()
                .filter(q -> q.body().contains("\"spec\"")).count());
        assertFalse(annotations().has("milvus-autoscaler.io/paused"), annotations().toString());
    }

    static Result command(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    static JsonObject milvusAnnotations() {
        JsonObject meta = kube.get(Kind.MILVUSES, NS, "op").orElseThrow().getAsJsonObject("metadata");
        return meta.has("annotations") ? meta.getAsJsonObject("annotations") : new JsonObject();
    }

    static boolean daemonReadsPaused(String component) {
        var options = io.github.milvusautoscaler.testsupport.Kube.settings("", Duration.ofSeconds(5), 1,
                Duration.ofMillis(10), false);
        var actuator = io.github.milvusautoscaler.actuate.RoutingActuator.forCluster(
                io.github.milvusautoscaler.actuate.ApiClients.forBaseUrl(kube.url(), options), options,
                new io.github.milvusautoscaler.actuate.ScaledObjects(options));
        return actuator.read(new io.github.milvusautoscaler.core.Target(NS, "op",
                io.github.milvusautoscaler.core.Component.fromName(component).orElseThrow(), InstallKind.OPERATOR)).paused();
    }

    @Test
    void pauseAndResumeAnOperatorComponentWithoutTouchingAnythingElse() {
        kube.put(Kind.MILVUSES, """
                {"metadata": {"name": "op", "namespace": "milvus", "annotations": {"team": "search"}},
                 "spec": {"mode": "cluster", "components": {"queryNode": {"replicas": 2}, "dataNode": {"replicas": 1}}}}
                """);
        String target = NS + "/op/queryNode";
        // The Kubernetes user the API server names (SelfSubjectReview, as `kubectl auth whoami` asks), then where the
        // command ran: the annotation names whom the audit log names (scale recheck L6).
        kube.authenticateAs("oidc:alice@example.com");
        Result p = command("pause", "--config", config.toString(), "--target", target, "--reason", "upgrade");
        assertEquals(0, p.exit(), p.all());
        JsonObject a = milvusAnnotations();
        assertEquals("true", a.get("milvus-autoscaler.io/queryNode.paused").getAsString(), a.toString());
        assertEquals("oidc:alice@example.com (" + TargetSelection.who() + "): pause (upgrade)",
                a.get("milvus-autoscaler.io/queryNode.paused-by").getAsString(), a.toString());
        Instant.parse(a.get("milvus-autoscaler.io/queryNode.paused-at").getAsString());
        assertFalse(a.has("milvus-autoscaler.io/paused"), "only the component is paused: " + a);
        assertTrue(daemonReadsPaused("queryNode"));
        assertFalse(daemonReadsPaused("dataNode"));
        assertTrue(p.out().contains("resume with: milvus-autoscaler resume --config"), p.out());

        kube.clearRequests();
        Result again = command("pause", "--config", config.toString(), "--target", target);
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.out().contains("was already paused on milvus milvus/op by "), again.out());
        assertEquals(List.of(), kube.requests().stream().filter(q -> q.method().equals("PATCH")).toList());

        Result r = command("resume", "--config", config.toString(), "--target", target);
        assertEquals(0, r.exit(), r.all());
        assertEquals("{\"team\":\"search\"}", milvusAnnotations().toString(), "exactly what pause wrote is removed");
        assertFalse(daemonReadsPaused("queryNode"));
        assertFalse(r.out().contains("scale run's pause"), r.out());

        kube.merge(Kind.MILVUSES, NS, "op", "{\"metadata\": {\"annotations\": {\"milvus-autoscaler.io/paused\": \"queryNode,proxy\"}}}");
        Result byHand = command("resume", "--config", config.toString(), "--target", target);
        assertEquals(1, byHand.exit(), byHand.all());
        assertTrue(byHand.err().contains("is paused by an annotation set by hand on milvus milvus/op, not by pause or"
                + " scale; left alone"), byHand.err());
        // The command that lifts this pause and nothing else: the list less queryNode (reload recheck F5 named the
        // per-component key, which was not set).
        assertTrue(byHand.err().contains("Lift it with: kubectl -n " + NS + " annotate milvus op --overwrite"
                + " milvus-autoscaler.io/paused=proxy"), byHand.err());
        assertEquals("queryNode,proxy", milvusAnnotations().get("milvus-autoscaler.io/paused").getAsString());
        Result pauseByHand = command("pause", "--config", config.toString(), "--target", target);
        assertEquals(0, pauseByHand.exit(), pauseByHand.all());
        assertTrue(pauseByHand.out().contains("(set by hand); nothing written"), pauseByHand.out());

        // A pause of this command lifted by hand leaves its paused-by and paused-at (kubectl annotate ... paused-
        // removes that key only); resume removes them, so a pause set again by hand is not taken for it (recheck 41).
        kube.merge(Kind.MILVUSES, NS, "op", "{\"metadata\": {\"annotations\": {\"milvus-autoscaler.io/paused\": null}}}");
        assertEquals(0, command("pause", "--config", config.toString(), "--target", target).exit());
        kube.merge(Kind.MILVUSES, NS, "op", "{\"metadata\": {\"annotations\": {\"milvus-autoscaler.io/queryNode.paused\": null}}}");
        Result leftover = command("resume", "--config", config.toString(), "--target", target);
        assertEquals(0, leftover.exit(), leftover.all());
        assertTrue(leftover.out().contains(target + " was not paused; removed the paused-by and paused-at a pause"
                + " lifted by hand left on milvus milvus/op"), leftover.out());
        assertEquals("{\"team\":\"search\"}", milvusAnnotations().toString());
    }

    /**
     * A Helm component running as both a Deployment and a StatefulSet of one name (milvus-helm's
     * querynode-deployment.yaml has no statefulset guard, so {@code queryNode.statefulset: true} renders both) is
     * refused by pause, resume and scale as by the daemon: exit 2, the refusal's text, nothing written. pause and
     * resume exited 1, the code of an API failure to retry (recheck 42, R2).
     */
    @Test
    void pauseResumeAndScaleOnAComponentRunningAsBothKindsAreRefused() throws Exception {
        kube.put(Kind.DEPLOYMENTS, deployment("twin", 3, 3));
        kube.put(Kind.STATEFULSETS, deployment("twin", 3, 3));
        Path twin = writeConfig("twin.conf",
                ", { namespace = milvus, name = twin, install = helm, milvus-version = \"2.5\", components { queryNode {} } }");
        kube.clearRequests();
        for (String command : List.of("pause", "resume", "scale")) {
            Result r = command.equals("scale")
                    ? command(command, "--config", twin.toString(), "--target", NS + "/twin/queryNode", "--to", "2", "--yes")
                    : command(command, "--config", twin.toString(), "--target", NS + "/twin/queryNode");
            assertEquals(2, r.exit(), r.all());
            assertTrue(r.err().contains((command.equals("scale") ? "scale: refused: " : command + ": milvus/twin/queryNode: ")
                    + "both deployment milvus/twin-milvus-querynode and statefulset milvus/twin-milvus-querynode exist"),
                    r.err());
        }
        assertEquals(List.of(), kube.requests().stream().filter(q -> q.method().equals("PATCH")).toList());
        kube.delete(Kind.STATEFULSETS, NS, "twin-milvus-querynode");
        kube.delete(Kind.DEPLOYMENTS, NS, "twin-milvus-querynode");
    }

    /**
     * {@code pause} on a pause a scale run holds: that run lifts it when it ends, so "already paused, nothing written"
     * with exit 0 lost the new pause without a word (scale recheck 2, M3). Refused, exit 2, nothing written; with
     * --take-over the pause becomes the pause command's (the run stops before its next write and leaves it, as
     * aRunWhosePauseIsTakenOverStopsBeforeItsNextWrite shows).
     */
    @Test
    void pauseOnAScaleRunsPauseIsRefusedUnlessTakenOver() {
        at(3);
        kube.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"metadata\": {\"annotations\": {"
                + "\"milvus-autoscaler.io/paused\": \"true\", \"milvus-autoscaler.io/paused-by\":"
                + " \"alice@bastion: scale --to 2\", \"milvus-autoscaler.io/paused-at\": \"2026-01-05T10:00:00Z\"}}}");
        kube.clearRequests();
        String target = NS + "/" + RELEASE + "/queryNode";
        Result refused = command("pause", "--config", config.toString(), "--target", target, "--reason", "rebuild");
        assertEquals(2, refused.exit(), refused.all());
        assertTrue(refused.err().contains("pause: milvus/scl/queryNode is paused by a scale run (alice@bastion: scale"
                + " --to 2 at 2026-01-05T10:00:00Z on deployment milvus/scl-milvus-querynode), which lifts that pause"
                + " when it ends; nothing written"), refused.err());
        assertEquals(List.of(), kube.requests().stream().filter(q -> q.method().equals("PATCH")).toList());

        Result taken = command("pause", "--config", config.toString(), "--target", target, "--reason", "rebuild",
                "--take-over");
        assertEquals(0, taken.exit(), taken.all());
        assertTrue(taken.out().contains("took over the pause of alice@bastion: scale --to 2"), taken.out());
        assertTrue(annotations().get("milvus-autoscaler.io/paused-by").getAsString().endsWith(": pause (rebuild)"),
                annotations().toString());
        Result resumed = command("resume", "--config", config.toString(), "--target", target);
        assertEquals(0, resumed.exit(), resumed.all());
        assertFalse(annotations().has("milvus-autoscaler.io/paused"), annotations().toString());
    }

    /**
     * Ctrl-C as a person gives it: a real process gets SIGINT while it waits for the first step to settle; it
     * leaves the target paused at the completed step (3 of 4 -> 1) and says how to resume. The API server hangs by
     * then: where the target is comes from the last read, not a new one that would take three request timeouts
     * (scale recheck 2, L3).
     */
    @Test
    void ctrlCLeavesTheTargetPausedAtACompletedStepAndSaysHowToResume() throws Exception {
        at(4);
        drain = Duration.ofSeconds(40);
        Path log = dir.resolve("scale-process.log");
        Process p = scaleProcess(1, log);
        try {
            Poll.until("the command waits for the first step to settle", WAIT, () -> read(log),
                    text -> text.contains("step 1 of 3 (queryNode -> 3): waiting for settle"));
            kube.delay("GET", "/apis/apps/v1/namespaces/" + NS + "/deployments", Duration.ofSeconds(60), -1);
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stopped after SIGINT: " + read(log));
            String text = read(log);
            assertEquals(ScaleCommand.EXIT_INTERRUPTED, p.exitValue(), text);
            assertTrue(text.matches("(?s).*scale: interrupted while waiting \\(step 1 of 3\\); queryNode was at 3"
                    + " replicas \\(3 ready\\) at the last read, \\d+s ago\\..*"), text);
            kube.clearFaults();
            assertTrue(text.contains("Resume with: milvus-autoscaler resume --config " + config + " --target "
                    + NS + "/" + RELEASE + "/queryNode"), text);
            assertEquals(List.of(3), writtenCounts(), "one completed step, nothing half-written");
            assertEquals(3, replicas());
            assertEquals("true", annotations().get("milvus-autoscaler.io/paused").getAsString(),
                    "the pause stays: " + annotations());
        } finally {
            p.destroyForcibly();
        }
        Result resumed = command("resume", "--config", config.toString(), "--target", NS + "/" + RELEASE + "/queryNode");
        assertEquals(0, resumed.exit(), resumed.all());
        assertTrue(resumed.out().contains("paused by ") && resumed.out().contains("scale --to 1"), resumed.out());
        assertFalse(annotations().has("milvus-autoscaler.io/paused"), annotations().toString());
    }

    /**
     * Ctrl-C while the pause is on its way (the API server holds that PATCH 3s): the pause lands, and no replica write
     * follows it. The scale-out's write used to go out two seconds after the signal (scale audit H2).
     */
    @Test
    void ctrlCWhileThePauseIsWrittenSendsNoReplicaWrite() throws Exception {
        at(2);
        java.util.concurrent.CountDownLatch pauseSent = new java.util.concurrent.CountDownLatch(1);
        onRequest = q -> {
            if (q.method().equals("PATCH") && q.body().contains("paused-by") && pauseSent.getCount() > 0) {
                pauseSent.countDown();
                try {
                    Thread.sleep(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Path log = dir.resolve("scale-out-process.log");
        Process p = scaleProcess(3, log);
        try {
            assertTrue(pauseSent.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the pause was sent: " + read(log));
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stopped after SIGINT: " + read(log));
            String text = read(log);
            assertEquals(ScaleCommand.EXIT_INTERRUPTED, p.exitValue(), text);
            assertEquals(List.of(), writtenCounts(), "no replica write after Ctrl-C: " + text);
            assertEquals(2, replicas());
            assertTrue(text.contains("scale: interrupted before step 1 (no step written); queryNode was at 2 replicas"
                    + " (2 ready) at the last read,"), text);
            assertEquals("true", annotations().get("milvus-autoscaler.io/paused").getAsString(), "the pause stays");
        } finally {
            p.destroyForcibly();
        }
        Result resumed = command("resume", "--config", config.toString(), "--target", NS + "/" + RELEASE + "/queryNode");
        assertEquals(0, resumed.exit(), resumed.all());
    }

    /**
     * Ctrl-C while the replica write gets no answer (the API server applies it and answers after the 5 s request
     * timeout): the attempt in flight ends, and no retry follows it. The actuator's retries went out 9 s and 20 s
     * after the signal (scale recheck 19, F1), and the run then printed a "To go on" without the --take-over its kept
     * pause needs (F3).
     */
    @Test
    void ctrlCWhileAWriteGetsNoAnswerSendsNoRetry() throws Exception {
        at(2);
        java.util.concurrent.CountDownLatch writeSent = new java.util.concurrent.CountDownLatch(1);
        String path = "/apis/apps/v1/namespaces/milvus/deployments/" + DEPLOYMENT;
        onRequest = q -> {
            if (q.method().equals("PATCH") && q.path().equals(path) && q.body().contains("\"replicas\"")
                    && writeSent.getCount() > 0) {
                kube.delay("PATCH", path, Duration.ofSeconds(8), -1);
                writeSent.countDown();
            }
        };
        Path log = dir.resolve("scale-unanswered-process.log");
        Process p = scaleProcess(3, log);
        try {
            assertTrue(writeSent.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the write was sent: " + read(log));
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stopped after SIGINT: " + read(log));
            String text = read(log);
            assertEquals(ScaleCommand.EXIT_INTERRUPTED, p.exitValue(), text);
            assertEquals(1, kube.requests("PATCH", path).stream().filter(q -> q.body().contains("\"replicas\""))
                    .count(), "no write attempt after the signal: " + kube.requests("PATCH", path));
            assertTrue(text.contains("scale: interrupted during step 1 of 1's write (no step completed); queryNode was"
                    + " at 2 replicas (2 ready) at the last read,"), text);
            assertTrue(text.contains("it may have landed (a re-run reads where it is)"), text);
            assertTrue(text.contains("or continue with: milvus-autoscaler scale --config " + config + " --target "
                    + NS + "/" + RELEASE + "/queryNode --to 3 --yes --take-over"), text);
            assertFalse(text.contains("To go on"), text);
            assertEquals("true", annotations().get("milvus-autoscaler.io/paused").getAsString(), "the pause stays");
        } finally {
            p.destroyForcibly();
            kube.clearFaults();
        }
        Result resumed = command("resume", "--config", config.toString(), "--target", NS + "/" + RELEASE + "/queryNode");
        assertEquals(0, resumed.exit(), resumed.all());
    }

    /**
     * {@code scale --to n} of the queryNode in a real process, its output in {@code log}, for SIGINT as a person's
     * Ctrl-C gives it. A shell starts a background command with SIGINT ignored (POSIX, when job control is off),
     * children inherit that, and a JVM started with SIGINT ignored never runs its shutdown hooks on it: a build run in
     * the background would see the command ignore Ctrl-C. A person's Ctrl-C reaches a command in the foreground of a
     * terminal, with the default disposition, which env (coreutils) restores here.
     */
    Process scaleProcess(int n, Path log) throws java.io.IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder("env", "--default-signal=INT", java, "-cp", System.getProperty("java.class.path"),
                "io.github.milvusautoscaler.cli.Main", "scale", "--config", config.toString(), "--target",
                NS + "/" + RELEASE + "/queryNode", "--to", Integer.toString(n), "--yes", "--poll-interval", "200ms")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The daemon runs beside the command against the same API server and Prometheus, with every signal LOW, so
     * it would step down on its own: while {@code scale} runs it decides PAUSED and sends no write to the target.
     */
    @Test
    void aDaemonBesideItWritesNothingToTheTargetWhileScaleRuns() throws Exception {
        at(4);
        cpu = 0.1;
        spread();
        var scaleRun = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes"));
        Poll.until("scale paused the target", WAIT, () -> annotations().has("milvus-autoscaler.io/paused"), b -> b);
        io.github.milvusautoscaler.core.Target target = new io.github.milvusautoscaler.core.Target(NS, RELEASE,
                io.github.milvusautoscaler.core.Component.QUERY_NODE, InstallKind.HELM);
        try (Daemon daemon = Daemon.start(config, ConfigLoader.load(config), Clock.systemUTC())) {
            Poll.until("the daemon leads and decides PAUSED for the target", WAIT, () -> {
                var view = daemon.engine().views().get(target);
                return daemon.isLeader() && view != null && view.decision() != null
                        ? view.decision().reason() : null;
            }, r -> r == io.github.milvusautoscaler.core.Reason.PAUSED);
            Result r = scaleRun.get(2, TimeUnit.MINUTES);
            assertEquals(0, r.exit(), r.all());
            assertEquals(List.of(3, 2), writtenCounts(), r.all());
            List<FakeKubernetesApi.Request> requests = kube.requests();
            String path = "/apis/apps/v1/namespaces/milvus/deployments/" + DEPLOYMENT;
            int resume = -1;
            for (int i = 0; i < requests.size(); i++) {
                if (requests.get(i).method().equals("PATCH") && requests.get(i).path().equals(path)
                        && requests.get(i).userAgent().equals(TargetSelection.USER_AGENT)) {
                    resume = i;
                }
            }
            List<FakeKubernetesApi.Request> daemonReads = requests.subList(0, resume).stream()
                    .filter(q -> q.userAgent().equals(io.github.milvusautoscaler.actuate.ApiClients.USER_AGENT)
                            && q.path().equals(path)).toList();
            assertFalse(daemonReads.isEmpty(), "the daemon read the target meanwhile");
            assertEquals(List.of(), daemonReads.stream().filter(q -> !q.method().equals("GET")).toList(),
                    "the daemon wrote nothing to the target until scale lifted the pause");
        }
    }

    @Test
    void helpNamesTheExitCodesAndTheWayToTurnRollbackOff() {
        Result r = command("scale", "--help");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("--[no-]rollback-on-harm"), r.out());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("Exit codes: 0 done"), help);
        assertTrue(help.contains("130 interrupted (Ctrl-C; 143 on SIGTERM)"), help);
    }

    /** A step is not passed while the health query cannot be read: the next write waits until it answers OK. */
    @Test
    void theNextStepWaitsUntilTheHealthQueryAnswers() {
        at(4);
        drain = Duration.ofSeconds(1);
        List<Instant> healthBack = new CopyOnWriteArrayList<>();
        afterWrite = n -> {
            if (n == 3) {
                // NaN: the health query's value is no number, so health is UNKNOWN, never OK.
                coord.setIndexTasks("gate", Double.NaN);
                timers.schedule(() -> {
                    healthBack.add(Instant.now());
                    coord.setIndexTasks("gate", 0);
                }, 5, TimeUnit.SECONDS);
            }
        };
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes");
        assertEquals(0, r.exit(), r.all());
        assertEquals(List.of(3, 2), writtenCounts(), r.all());
        assertTrue(r.out().contains("step 1 of 2 (queryNode -> 3): waiting for health and signals"), r.out());
        assertTrue(((Instant) writes.get(1)[0]).isAfter(healthBack.get(0)),
                "step 2 written only after the health query answered again: " + writes.get(1)[0] + " vs " + healthBack);
    }

    /**
     * The scale itself succeeded but the pause could not be lifted (every later write to the Deployment fails): the
     * daemon stays paused, so the command exits 1 and says how to resume, instead of 0 and a line on stderr.
     */
    @Test
    void aPauseThatCannotBeLiftedAtTheEndExitsOne() {
        at(2);
        afterWrite = n -> kube.fail("PATCH", "/apis/apps/v1/namespaces/milvus/deployments/" + DEPLOYMENT, 500, -1);
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "3", "--yes");
        kube.clearFaults();
        assertEquals(1, r.exit(), r.all());
        assertEquals(3, replicas());
        assertTrue(annotations().has("milvus-autoscaler.io/paused"), annotations().toString());
        assertTrue(r.err().contains("could not lift the pause on milvus/scl/queryNode"), r.err());
        assertTrue(r.err().contains("milvus-autoscaler resume --config"), r.err());
        Result resumed = command("resume", "--config", config.toString(), "--target", NS + "/" + RELEASE + "/queryNode");
        assertEquals(0, resumed.exit(), resumed.all());
    }

    /**
     * A pause set by hand while the run works (the per-component key, in the label value's spelling) outlives the
     * run's own: the run lifts only its own, exits 1, and gives the kubectl command that lifts the other (recheck 41
     * remarked that it named neither key nor command).
     */
    @Test
    void aPauseSetByHandDuringTheRunIsNamedWithItsLiftAtTheEnd() {
        at(2);
        afterWrite = n -> kube.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT,
                "{\"metadata\": {\"annotations\": {\"milvus-autoscaler.io/querynode.paused\": \"true\"}}}");
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "3", "--yes");
        assertEquals(1, r.exit(), r.all());
        assertEquals(3, replicas());
        assertFalse(annotations().has("milvus-autoscaler.io/paused"), "the run's own pause is lifted: " + annotations());
        assertTrue(r.err().contains("is still paused on deployment " + NS + "/" + DEPLOYMENT + " by an annotation set"
                + " by hand; the daemon stays off until that pause is lifted: kubectl -n " + NS + " annotate deployment "
                + DEPLOYMENT + " milvus-autoscaler.io/querynode.paused-"), r.err());
    }

    /**
     * A pause a scale run left (Ctrl-C, a killed process) may belong to a run still working: a second run is refused
     * with the way on; with --take-over it takes the pause over, does its step and lifts it (scale audit H5, M1).
     */
    @Test
    void aPauseLeftByAnotherScaleRunIsRefusedUnlessTakenOver() {
        at(3);
        kube.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"metadata\": {\"annotations\": {"
                + "\"milvus-autoscaler.io/paused\": \"true\", \"milvus-autoscaler.io/paused-by\": \"bob@ci: scale --to 1\","
                + " \"milvus-autoscaler.io/paused-at\": \"2026-12-04T10:00:00Z\"}}}");
        Result refused = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes");
        assertEquals(2, refused.exit(), refused.all());
        assertTrue(refused.err().contains("is paused by a scale run (bob@ci: scale --to 1, at 2026-12-04T10:00:00Z"
                + " on deployment milvus/" + DEPLOYMENT + "), which may still be running; nothing written. If it is"
                + " not (it was interrupted or killed), go on with --take-over"), refused.err());
        assertEquals(List.of(), writtenCounts());
        // The rehearsal names the same refusal among its live checks, where it said only "paused" (scale recheck 19,
        // F5), and exits 2 as the real run would (recheck 21, R4: 0); with --take-over it has none to name.
        Result rehearsed = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--dry-run");
        assertEquals(2, rehearsed.exit(), rehearsed.all());
        assertTrue(rehearsed.out().contains("  refused now: paused by a scale run (bob@ci: scale --to 1), which may"
                + " still be running; the real run writes nothing unless that run is gone and --take-over is given"),
                rehearsed.out());
        Result rehearsedTaken = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--dry-run",
                "--take-over");
        assertFalse(rehearsedTaken.out().contains("refused now"), rehearsedTaken.out());
        assertEquals(0, rehearsedTaken.exit(), rehearsedTaken.all());
        assertEquals(List.of(), writtenCounts());

        // resume lifts it, as the way out of an interrupted run, and says what a run still at work then does
        // (scale recheck 19: it said nothing, where pause refuses).
        Result resumed = command("resume", "--config", config.toString(), "--target", NS + "/" + RELEASE + "/queryNode");
        assertEquals(0, resumed.exit(), resumed.all());
        assertTrue(resumed.out().contains("that was a scale run's pause: if the run is still going, it stops before"
                + " its next write (exit 1)"), resumed.out());
        kube.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"metadata\": {\"annotations\": {"
                + "\"milvus-autoscaler.io/paused\": \"true\", \"milvus-autoscaler.io/paused-by\": \"bob@ci: scale --to 1\","
                + " \"milvus-autoscaler.io/paused-at\": \"2026-12-04T10:00:00Z\"}}}");

        Result taken = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes", "--take-over");
        assertEquals(0, taken.exit(), taken.all());
        assertTrue(taken.out().contains("took over the pause of bob@ci: scale --to 1 on deployment milvus/" + DEPLOYMENT),
                taken.out());
        assertEquals(List.of(2), writtenCounts());
        assertTrue(((JsonObject) writes.get(0)[2]).get("milvus-autoscaler.io/paused-by").getAsString()
                .endsWith("scale --to 2"), "this run's pause at its write: " + writes.get(0)[2]);
        assertFalse(annotations().has("milvus-autoscaler.io/paused"), "lifted at the end: " + annotations());
    }

    /**
     * The way on that an interrupted run prints, taken when the count is already there: it writes nothing, runs the
     * last step's checks and lifts the left pause. It used to say "nothing to do" and leave the daemon paused for
     * good (scale audit M1, M2).
     */
    @Test
    void aReRunAtTheCountAnInterruptedRunLeftRunsItsChecksAndLiftsThePause() {
        at(2);
        kube.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"metadata\": {\"annotations\": {"
                + "\"milvus-autoscaler.io/paused\": \"true\", \"milvus-autoscaler.io/paused-by\": \"bob@ci: scale --to 2\","
                + " \"milvus-autoscaler.io/paused-at\": \"2026-12-04T10:00:00Z\"}}}");
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes", "--take-over");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("queryNode is at 2: nothing to write; waiting for 2 ready, settle"), r.out());
        assertTrue(r.out().contains("resumed the daemon for milvus/scl/queryNode"), r.out());
        assertEquals(List.of(), writtenCounts(), "nothing written");
        assertFalse(annotations().has("milvus-autoscaler.io/paused"), annotations().toString());

        Result again = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes");
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.out().contains("is already at 2 replicas (2 ready); nothing to do"), again.out());
    }

    /**
     * --to 0 with --force-range: with no pod left, the per-pod cpu and the health query over the queryNodes' read
     * queues are empty by construction; the step passes on the pods being gone and no harm, where it used to wait for
     * them and time out, exit 1, after the scale had happened (scale audit M8).
     */
    @Test
    void aStepToZeroPassesWhenThePodsAreGoneWithoutWaitingForTheirSignals() {
        at(1);
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "0", "--yes", "--force-range");
        assertEquals(0, r.exit(), r.all());
        assertEquals(List.of(0), writtenCounts(), r.all());
        assertTrue(r.out().contains("cpu n/a (no pods)"), r.out());
    }

    /**
     * A Kubernetes read that fails three times over (a 503 burst, three attempts of one read) during a step's wait is
     * waited out like an unknown signal; it used to end the whole procedure between steps and hand the target back
     * to the daemon (scale audit M6).
     */
    @Test
    void aKubernetesBlipDuringAWaitIsWaitedOut() {
        at(3);
        drain = Duration.ofSeconds(1);
        failOnceStepOneIsWritten("GET", 503);
        scalesToTwoThroughTheBlip();
    }

    /**
     * A write that fails mid-run (three 500s on step 2 of 2) names the step and prints the command that goes on, as the
     * timeout and interrupt messages do; it named neither (scale recheck 2, L4).
     */
    @Test
    void aWriteThatFailsMidRunNamesTheStepAndTheWayOn() {
        at(3);
        drain = Duration.ofSeconds(1);
        failOnceStepOneIsWritten("PATCH", 500);
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "1", "--yes");
        assertEquals(1, r.exit(), r.all());
        assertEquals(List.of(2), writtenCounts(), r.all());
        assertTrue(r.err().contains("; at step 2 of 2. queryNode is at 2 replicas (2 ready) now.\n"), r.err());
        assertTrue(r.err().contains("scale: to go on: milvus-autoscaler scale --config " + config
                + " --target milvus/scl/queryNode --to 1 --yes\n"), r.err());
    }

    /**
     * The same with the API failing on until the run ends: the pause cannot be lifted either, and a run that finds it
     * refuses without --take-over, so the way on was refused as printed (scale recheck 56, F1). It is given again with
     * --take-over, which goes on once the API answers.
     */
    @Test
    void aWriteFailureThatKeepsThePauseGivesTheWayOnWithTakeOver() {
        at(3);
        drain = Duration.ofSeconds(1);
        afterWrite = n -> {
            if (n == 2) {
                kube.fail("PATCH", "/apis/apps/v1/namespaces/milvus/deployments/" + DEPLOYMENT, 500, -1);
            }
        };
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "1", "--yes", "--reason",
                "night's drain");
        kube.clearFaults();
        afterWrite = n -> { };
        assertEquals(1, r.exit(), r.all());
        assertTrue(annotations().has("milvus-autoscaler.io/paused"), annotations().toString());
        // With the options the run had, --yes and --reason quoted for the shell (recheck 59, F3: a script's run
        // without a terminal was refused as printed).
        assertTrue(r.err().contains("scale: with the pause still set, go on with: milvus-autoscaler scale --config "
                + config + " --target milvus/scl/queryNode --to 1 --reason 'night'\\''s drain' --yes --take-over"),
                r.err());
        // One way on, the one that goes on (recheck 57, F1: the refused one was printed first).
        assertFalse(r.err().contains("--yes\n"), r.err());
        Result goneOn = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "1", "--take-over", "--yes");
        assertEquals(0, goneOn.exit(), goneOn.all());
        assertEquals(1, replicas());
        assertFalse(annotations().has("milvus-autoscaler.io/paused"), annotations().toString());
    }

    /**
     * Once step 1 (3 -> 2) is written, the next three {@code method} requests for the Deployment answer {@code status}:
     * the three attempts of one request (kubernetes.retry), a burst the API server's 5xx can come in.
     */
    static void failOnceStepOneIsWritten(String method, int status) {
        afterWrite = n -> {
            if (n == 2) {
                kube.fail(method, "/apis/apps/v1/namespaces/milvus/deployments/" + DEPLOYMENT, status, 3);
            }
        };
    }

    /** Scales 3 -> 2 with a 503 burst set up during the step's wait: done, one write, the wait shown, the pause lifted. */
    private static void scalesToTwoThroughTheBlip() {
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes");
        assertEquals(0, r.exit(), r.all());
        assertEquals(List.of(2), writtenCounts());
        assertTrue(r.out().contains("waiting for the Kubernetes API ("), r.out());
        assertFalse(annotations().has("milvus-autoscaler.io/paused"), annotations().toString());
    }

    /**
     * The same 503 burst on the wait's other read, the pause re-read after each look, is waited out too: it ended the
     * procedure and lifted the pause with the step unverified, while on the look's own read it was waited out (scale
     * recheck 2, M2). The hook arms the burst on the second read of the Deployment after the write (the first is the
     * look's), so its three failures are that read's three attempts.
     */
    @Test
    void aKubernetesBlipOnThePauseReadDuringAWaitIsWaitedOut() {
        at(3);
        drain = Duration.ofSeconds(1);
        String path = "/apis/apps/v1/namespaces/milvus/deployments/" + DEPLOYMENT;
        AtomicInteger reads = new AtomicInteger(-1);
        afterWrite = n -> reads.set(0);
        onRequest = q -> {
            if (q.method().equals("GET") && q.path().equals(path) && reads.get() >= 0
                    && reads.incrementAndGet() == 2) {
                kube.fail("GET", path, 503, 3);
            }
        };
        scalesToTwoThroughTheBlip();
    }

    /**
     * A pause written whose read-back fails says so and names the resume: "nothing written" left the daemon off for
     * the target with no way named to turn it on, and the next run was told a scale "may still be running" (scale
     * recheck 2, M2).
     */
    @Test
    void aPauseWrittenButNotReadBackIsNamedWithItsResume() {
        at(3);
        String path = "/apis/apps/v1/namespaces/milvus/deployments/" + DEPLOYMENT;
        onRequest = q -> {
            if (q.method().equals("PATCH") && q.path().equals(path) && q.body().contains("paused-by")) {
                kube.fail("GET", path, 503, 3);
            }
        };
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes");
        assertEquals(1, r.exit(), r.all());
        assertEquals(List.of(), writtenCounts(), r.all());
        assertTrue(r.err().contains("scale: paused milvus/scl/queryNode for the daemon, but could not read the pause"
                + " back: "), r.err());
        assertTrue(r.err().contains("no replica written. The pause stays, so the daemon keeps off; lift it with:"
                + " milvus-autoscaler resume --config " + config + " --target milvus/scl/queryNode"), r.err());
        assertFalse(r.err().contains("nothing written"), r.err());
        assertEquals("true", annotations().get("milvus-autoscaler.io/paused").getAsString(), annotations().toString());
    }

    /**
     * A rollout that begins between two step-downs (a helm upgrade that changes the template) holds the next step
     * until it has finished: the rollout used to be checked only before the first write (scale audit M5).
     */
    @Test
    void aRolloutBegunMidRunHoldsTheNextStep() {
        at(4);
        drain = Duration.ofSeconds(1);
        List<Instant> rolledOut = new CopyOnWriteArrayList<>();
        // A rollout as the Deployment controller reports it (apps/v1 DeploymentStatus: status.replicas counts every
        // pod of the Deployment, status.updatedReplicas those of the newest template; kubectl rollout status waits
        // for the two to be equal): one of three pods on the new template.
        afterWrite = n -> {
            if (n == 3) {
                timers.schedule(() -> kube.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT,
                        "{\"status\": {\"replicas\": 3, \"updatedReplicas\": 1}}"), 0, TimeUnit.MILLISECONDS);
                timers.schedule(() -> {
                    rolledOut.add(Instant.now());
                    kube.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"status\": {\"updatedReplicas\": 3}}");
                }, 4, TimeUnit.SECONDS);
            }
        };
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes");
        assertEquals(0, r.exit(), r.all());
        assertEquals(List.of(3, 2), writtenCounts(), r.all());
        assertTrue(r.out().contains("waiting for the rollout to finish (deployment milvus/" + DEPLOYMENT
                + " is rolling out a new template (1 of 3 pods updated))"), r.out());
        assertTrue(((Instant) writes.get(1)[0]).isAfter(rolledOut.get(0)),
                "step 2 at " + writes.get(1)[0] + " came after the rollout ended at " + rolledOut);
    }

    /**
     * Another run takes this run's pause over mid-run (someone ran --take-over believing it gone): this run stops
     * before its next write and leaves that pause to its run, where both used to go on writing steps (scale recheck
     * N2).
     */
    @Test
    void aRunWhosePauseIsTakenOverStopsBeforeItsNextWrite() {
        at(4);
        drain = Duration.ofSeconds(1);
        afterWrite = n -> {
            if (n == 3) {
                timers.schedule(() -> kube.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"metadata\": {\"annotations\": {"
                        + "\"milvus-autoscaler.io/paused-by\": \"bob@ci: scale --to 4\","
                        + " \"milvus-autoscaler.io/paused-at\": \"2026-12-04T10:00:00Z\"}}}"), 0, TimeUnit.MILLISECONDS);
            }
        };
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes");
        assertEquals(1, r.exit(), r.all());
        assertEquals(List.of(3), writtenCounts(), "no step after the pause was taken over: " + r.all());
        assertTrue(r.err().contains("the pause on milvus/scl/queryNode was taken over by bob@ci: scale --to 4 at step"
                + " 1 of 2, and that pause is left to its run; stopped without overwriting"), r.err());
        assertEquals("bob@ci: scale --to 4", annotations().get("milvus-autoscaler.io/paused-by").getAsString(),
                "bob's pause is left to bob's run");
    }

    /** A pause lifted by someone else mid-run ends the run before its next write (scale audit M4). */
    @Test
    void aPauseLiftedMidRunStopsBeforeTheNextWrite() {
        at(4);
        drain = Duration.ofSeconds(1);
        afterWrite = n -> {
            if (n == 3) {
                kube.merge(Kind.DEPLOYMENTS, NS, DEPLOYMENT, "{\"metadata\": {\"annotations\": {"
                        + "\"milvus-autoscaler.io/paused\": null}}}");
            }
        };
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "2", "--yes");
        assertEquals(1, r.exit(), r.all());
        assertEquals(List.of(3), writtenCounts(), "no step after the pause went: " + r.all());
        assertTrue(r.err().contains("the daemon's pause on milvus/scl/queryNode was lifted by someone else at step 1"
                + " of 2, so the daemon may scale it too; stopped without overwriting"), r.err());
    }

    @Test
    void keepPausedLeavesThePauseAndSaysHowToResume() {
        at(2);
        Result r = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "3", "--yes", "--keep-paused",
                "--reason", "load test");
        assertEquals(0, r.exit(), r.all());
        assertEquals(3, replicas());
        assertTrue(annotations().get("milvus-autoscaler.io/paused-by").getAsString()
                .endsWith("scale --to 3 (load test) [kept paused]"), annotations().toString());
        assertTrue(r.out().contains("the daemon stays paused for milvus/scl/queryNode (--keep-paused); resume with:"
                + " milvus-autoscaler resume --config"), r.out());
        // A pause kept on purpose is not a run that may still be at work: a later scale goes on under it and
        // leaves it (scale recheck N5: it was refused and steered to --take-over).
        Result later = scale("--target", NS + "/" + RELEASE + "/queryNode", "--to", "4", "--yes");
        assertEquals(0, later.exit(), later.all());
        assertTrue(later.out().contains("was already paused on deployment milvus/" + DEPLOYMENT + " by "), later.out());
        assertTrue(annotations().has("milvus-autoscaler.io/paused"), "the kept pause stays: " + annotations());
        Result resumed = command("resume", "--config", config.toString(), "--target", NS + "/" + RELEASE + "/queryNode");
        assertEquals(0, resumed.exit(), resumed.all());
        assertFalse(annotations().has("milvus-autoscaler.io/paused"), annotations().toString());
    }
}
