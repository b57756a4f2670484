package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.engine.TargetView;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeMilvusPod;
import io.github.milvusautoscaler.testsupport.FakeMilvusPods;
import io.github.milvusautoscaler.testsupport.Poll;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The whole loop: simulated queryNode pods exposing real metric names, a real Prometheus scraping
 * them every second, the fake Kubernetes API server whose replica changes start and stop pods, and
 * two daemons started through the {@code run} path (leader and follower) with windows in seconds.
 *
 * <p>Load model: a total demand in CPU cores spread evenly over the pods, each with a 1-core
 * request, so per-pod cpu = demand / pods. Ticks 1s, scale-out sustain 3s, scale-in sustain 4s, peak look-back 6s,
 * cpu rate window 10s (the shipped [2m] would take minutes to follow a step).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClosedLoopTest {

    static final String NS = "milvus";
    static final String RELEASE = "loop";
    static final String DEPLOYMENT = RELEASE + "-milvus-querynode";
    static final Target TARGET = new Target(NS, RELEASE, Component.QUERY_NODE, InstallKind.HELM);
    static final Duration WAIT = Duration.ofSeconds(60);
    /** Segments keep moving this long after each step-down (the settle query reads BUSY meanwhile). */
    static final Duration DRAIN = Duration.ofSeconds(5);

    @TempDir
    static Path dir;
    static FakeKubernetesApi kube;
    static FakeMilvusPods pods;
    static FakeMilvusPod coord;
    static final List<FakeMilvusPod> queryNodes = new ArrayList<>();
    static PrometheusServer prometheus;
    static Daemon leader;
    static Daemon follower;
    static volatile double demandCores = 1.0;
    static final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    /** (time, replicas) of every replica write the fake API server accepted. */
    static final List<Object[]> writes = new CopyOnWriteArrayList<>();
    /** Start and end of each settle (data moving) window. */
    static final List<Instant[]> busy = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startTheLoop() throws Exception {
        kube = FakeKubernetesApi.start();
        kube.put(FakeKubernetesApi.Kind.DEPLOYMENTS, deployment(2));
        pods = new FakeMilvusPods(Clock.systemUTC());
        coord = pods.start(NS, RELEASE, InstallKind.HELM, "mixcoord", RELEASE + "-milvus-mixcoord-0", 1, 8e9);
        resize(2);
        kube.onChange(change -> {
            if (change.kind() != FakeKubernetesApi.Kind.DEPLOYMENTS || change.before() == null) {
                return;
            }
            int before = change.before().getAsJsonObject("spec").get("replicas").getAsInt();
            int after = change.after().getAsJsonObject("spec").get("replicas").getAsInt();
            if (before != after) {
                writes.add(new Object[] {Instant.now(), after});
                resize(after);
                kube.merge(FakeKubernetesApi.Kind.DEPLOYMENTS, NS, DEPLOYMENT,
                        "{\"status\": {\"readyReplicas\": " + after + ", \"availableReplicas\": " + after + "}}");
                if (after < before) {
                    // Stopping balance: the removed node's segments move for DRAIN.
                    Instant start = Instant.now();
                    coord.setQuerycoordTasks("segment_move", 1);
                    timers.schedule(() -> {
                        coord.setQuerycoordTasks("segment_move", 0);
                        busy.add(new Instant[] {start, Instant.now()});
                    }, DRAIN.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        });
        prometheus = PrometheusServer.builder().targets(pods.targets()).start();
        Poll.until("Prometheus scrapes every pod", WAIT, () -> prometheus.query("count(up{job=\"milvus\"} == 1)"),
                body -> body.contains("\"" + pods.targets().size() + "\"]"));
        // Start the daemons only once the [10s] rate window is full: a half-filled window under-reads cpu,
        // and a daemon started then would see 0.25 and step down before the load even registered.
        Poll.until("Prometheus reads the pods' cpu 0.50", WAIT, () -> prometheus.query(
                "min(rate(container_cpu_usage_seconds_total{namespace=\"milvus\", pod=~\".*querynode.*\","
                        + " container!=\"\", container!=\"POD\"}[10s])) > 0.45"),
                body -> body.contains("\"result\":[{"));
        Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
        leader = start("leader", kubeconfig);
        Poll.until("the first daemon leads", WAIT, () -> leader.isLeader(), l -> l);
        follower = start("follower", kubeconfig);
        prometheus.setTargets(scrapeTargets());
    }

    @AfterAll
    static void stopTheLoop() {
        for (AutoCloseable c : new AutoCloseable[] {follower, leader, prometheus, pods, kube}) {
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

    static Daemon start(String identity, Path kubeconfig) throws Exception {
        String cpu = ConfigLoader.defaults().queryTemplates().get("cpu").replace("[2m]", "[10s]");
        Path file = dir.resolve(identity + ".conf");
        Files.writeString(file, """
                milvus-autoscaler {
                  prometheus { url = "%s", timeout = 2s, stale-after = 30s, share-window = 200ms,
                               retry { max-attempts = 1 }, circuit-breaker { minimum-queries = 5, open-for = 2s } }
                  kubernetes {
                    kubeconfig = "%s"
                    request-timeout = 5s
                    leader-election { namespace = milvus-autoscaler, identity = %s, lease-duration = 4s,
                                      renew-deadline = 3s, retry-period = 500ms }
                  }
                  loop { interval = 1s, jitter = 0s }
                  server { port = 0, bind-address = "127.0.0.1" }
                  decision-log { path = "%s", holds = %s }
                  alerts.enabled = false
                  queries.cpu = \"\"\"%s\"\"\"
                  defaults {
                    min-replicas = 1
                    max-replicas = 6
                    scale-out { sustain = 3s, cooldown = 5s, max-step = 2 }
                    # settle-read-after 4s: this Prometheus scrapes the fakes every second, but a tick 1 s after a
                    # step on a loaded CI machine read the settle query before the scrape that showed it BUSY and
                    # stepped down again (2s of cooldown is within the policy's 2s slack, Tick.SLACK, so only settle
                    # spaces these steps); 4s less the slack reads it from the second tick after the step on
                    scale-in { sustain = 4s, cooldown = 2s, delay-after-scale-out = 5s, verify-window = 1s,
                               settle-timeout = 60s, peak-window = 6s, settle-read-after = 4s }
                    signals { memory.enabled = false, qps.enabled = false }
                  }
                  clusters = [{ namespace = %s, name = %s, install = helm, milvus-version = "2.5",
                                components { queryNode {} } }]
                }
                """.formatted(prometheus.url(), kubeconfig, identity, dir.resolve(identity + ".jsonl"),
                // The follower logs a HOLD only when it changes, as the shipped config does (soak recheck 20, F5).
                identity.equals("follower") ? "changes" : "all", cpu, NS, RELEASE));
        AutoscalerSettings settings = ConfigLoader.load(file);
        return Daemon.start(file, settings, Clock.systemUTC());
    }

    /** The chart's queryNode Deployment, settled at {@code replicas}. */
    static String deployment(int replicas) {
        return """
                {"metadata": {"name": "%s", "namespace": "%s", "generation": 1,
                              "labels": {"app.kubernetes.io/instance": "%s", "component": "querynode"}},
                 "spec": {"replicas": %d, "selector": {"matchLabels": {"app.kubernetes.io/instance": "%s", "component": "querynode"}},
                          "template": {"metadata": {"labels": {"app.kubernetes.io/instance": "%s", "component": "querynode"}},
                                       "spec": {"containers": [{"name": "querynode", "image": "milvusdb/milvus:v2.5.4"}]}}},
                 "status": {"replicas": %d, "readyReplicas": %d, "availableReplicas": %d, "updatedReplicas": %d,
                            "observedGeneration": 1}}
                """.formatted(DEPLOYMENT, NS, RELEASE, replicas, RELEASE, RELEASE, replicas, replicas, replicas, replicas);
    }

    /** Starts or stops queryNode pods to match {@code n}, spreading the demand over them. */
    static synchronized void resize(int n) {
        while (queryNodes.size() < n) {
            queryNodes.add(pods.start(NS, RELEASE, InstallKind.HELM, "querynode",
                    DEPLOYMENT + "-" + queryNodes.size(), 1, 8e9).setMemoryUtilisation(0.3));
        }
        while (queryNodes.size() > n) {
            pods.stop(queryNodes.remove(queryNodes.size() - 1));
        }
        spread();
        if (prometheus != null) {
            prometheus.setTargets(scrapeTargets());
        }
    }

    /** Every fake pod, and the daemons' own /metrics once they run (for the dashboard check). */
    static List<String> scrapeTargets() {
        List<String> all = new ArrayList<>(pods.targets());
        for (Daemon d : new Daemon[] {leader, follower}) {
            if (d != null) {
                all.add("127.0.0.1:" + d.port());
            }
        }
        return all;
    }

    static synchronized void spread() {
        double each = Math.min(1.0, demandCores / queryNodes.size());
        queryNodes.forEach(p -> p.setCpuUtilisation(each));
    }

    static synchronized void demand(double cores) {
        demandCores = cores;
        spread();
    }

    static int replicas() {
        return kube.get(FakeKubernetesApi.Kind.DEPLOYMENTS, NS, DEPLOYMENT).orElseThrow()
                .getAsJsonObject("spec").get("replicas").getAsInt();
    }

    static TargetView view(Daemon d) {
        return d.engine().views().get(TARGET);
    }

    static JsonObject status(Daemon d) throws Exception {
        return document(d).getAsJsonArray("targets").get(0).getAsJsonObject();
    }

    /** The whole /api/v1/status document, or null while it cannot be read. */
    static JsonObject document(Daemon d) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + d.port() + "/api/v1/status")).build(), HttpResponse.BodyHandlers.ofString());
            return JsonParser.parseString(r.body()).getAsJsonObject();
        } catch (Exception e) {
            return null;
        }
    }

    /** HOLD lines that repeat the line before in action, reason, from and to. */
    static int repeatedHolds(List<String> lines) {
        int repeated = 0;
        String before = null;
        for (String line : lines) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            String key = o.get("action").getAsString() + " " + o.get("reason").getAsString() + " " + o.get("from")
                    + " " + o.get("to");
            if (o.get("action").getAsString().equals("HOLD") && key.equals(before)) {
                repeated++;
            }
            before = key;
        }
        return repeated;
    }

    static double scaleWrites(Daemon d) {
        var c = d.registry().find("milvus_autoscaler_scale_writes").tag("result", "ok").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    @Order(1)
    void holdsWhileInBand() {
        // 1.0 core over 2 pods: cpu 0.50, inside [0.40, 0.75].
        Decision d = Poll.until("a decision with cpu known", WAIT, () -> view(leader),
                v -> v != null && v.decision() != null && v.decision().reason() == Reason.IN_BAND).decision();
        assertEquals(2, d.from());
        assertEquals(2, replicas());
    }

    @Test
    @Order(2)
    void scalesOutWithinSustainPlusTwoTicksPlusScrapeLag() {
        Instant stepped = Instant.now();
        // 2.0 cores over 2 pods: cpu 1.00 > 0.75 once the [10s] rate window has caught up.
        demand(2.0);
        Poll.until("scale-out", WAIT, ClosedLoopTest::replicas, r -> r > 2);
        Duration took = Duration.between(stepped, (Instant) writes.get(0)[0]);
        // The [10s] rate crosses 0.75 after ~5s (0.5 + 0.05/s); then sustain 3s + two 1s ticks + 1s scrape
        // (a fast rise may act sooner: SIGNAL_RISING).
        Duration bound = Duration.ofSeconds(10 + 3 + 2 + 1 + 2);
        assertTrue(took.compareTo(bound) <= 0, "scaled out after " + took + ", bound " + bound);
        // It settles where cpu is back in band: 2.0 cores over 3 pods is 0.67, over 4 is 0.50.
        Poll.until("in band after the scale-out", WAIT, () -> view(leader).decision().reason(), r -> r == Reason.IN_BAND);
        assertTrue(replicas() == 3 || replicas() == 4, "replicas " + replicas());
        assertTrue(writes.stream().allMatch(w -> (int) w[1] > 2), "only scale-outs so far");
    }

    @Test
    @Order(3)
    void stepsDownOneAtATimeWaitingForSettleAndNeverBelowMin() {
        int before = writes.size();
        int from = replicas();
        // 0.3 cores: 0.1 per pod on 3, 0.15 on 2, 0.3 on 1 -- LOW, and every projection under target 0.575.
        demand(0.3);
        Poll.until("down to min-replicas 1", WAIT, ClosedLoopTest::replicas, r -> r == 1);
        List<Object[]> down = new ArrayList<>(writes.subList(before, writes.size()));
        assertTrue(down.size() >= 2, "at least two step-downs: " + down.size());
        int previous = from;
        for (Object[] w : down) {
            assertEquals(previous - 1, (int) w[1], "one node at a time");
            previous = (int) w[1];
        }
        for (int i = 1; i < down.size(); i++) {
            Duration gap = Duration.between((Instant) down.get(i - 1)[0], (Instant) down.get(i)[0]);
            // Each step-down waited for the data moved by the previous one to settle (DRAIN 5s > cooldown 2s).
            assertTrue(gap.compareTo(DRAIN) >= 0, "step-down " + i + " came " + gap + " after the previous; drain " + DRAIN);
        }
        Poll.until("holding at min", WAIT, () -> view(leader).decision().reason(), r -> r == Reason.AT_MIN);
        assertEquals(1, replicas());
    }

    @Test
    @Order(4)
    void prometheusOutageHoldsAndSaysWhyThenResumes() throws Exception {
        int before = writes.size();
        prometheus.stop();
        Poll.until("every signal unknown", WAIT, () -> view(leader).decision().reason(),
                r -> r == Reason.ALL_SIGNALS_UNKNOWN);
        // Load rises while Prometheus is away: nothing can see it, so nothing moves.
        demand(1.8);
        JsonObject s = Poll.until("status explains the hold", WAIT, () -> {
            try {
                return status(leader);
            } catch (Exception e) {
                return null;
            }
        }, j -> j != null && j.getAsJsonObject("lastDecision").get("reason").getAsString().equals("ALL_SIGNALS_UNKNOWN"));
        String message = s.getAsJsonObject("lastDecision").get("message").getAsString();
        assertTrue(message.contains("cpu: "), message);
        assertTrue(s.getAsJsonArray("signals").get(0).getAsJsonObject().get("value").isJsonNull());
        // Status says why settle is unknown, not only that it is (settle recheck N2).
        assertEquals("UNKNOWN", s.get("settle").getAsString());
        assertTrue(s.get("settleNote").getAsString().startsWith("settle query: "), s.toString());
        // and why the replica floor is: no number while it cannot be read.
        assertTrue(s.get("replicaFloor").isJsonNull(), s.toString());
        assertTrue(s.get("replicaFloorNote").getAsString().startsWith("replica floor query: "), s.toString());
        Poll.until("a few ticks pass in the outage", WAIT, () -> view(leader).decision().time(),
                t -> t.isAfter(Instant.now().minusSeconds(1)) && Duration.between(
                        (Instant) writes.get(writes.size() - 1)[0], t).toSeconds() >= 3);
        assertEquals(before, writes.size(), "no scale action while Prometheus is down");
        // Every signal says "circuit breaker open"; the status says since when and why the queries fail (fault
        // recheck 17, F5), and that they do not once Prometheus answers again.
        JsonObject failing = document(leader).getAsJsonObject("prometheus");
        assertTrue(failing.get("failing").getAsBoolean(), failing.toString());
        assertEquals("http://127.0.0.1:" + prometheus.url().getPort(), failing.get("server").getAsString(), failing.toString());
        assertTrue(failing.get("cause").getAsString().startsWith("prometheus unreachable: "), failing.toString());
        assertTrue(Instant.parse(failing.get("failingSince").getAsString()).isAfter(Instant.now().minusSeconds(60)),
                failing.toString());

        prometheus.start();
        Poll.until("the loop resumes and scales out", WAIT, ClosedLoopTest::replicas, r -> r > 1);
        Poll.until("status says the queries succeed again", WAIT, () -> document(leader),
                j -> j != null && !j.getAsJsonObject("prometheus").get("failing").getAsBoolean());
    }

    @Test
    @Order(5)
    void followerDecidedThroughoutButNeverWrote() throws Exception {
        assertFalse(follower.isLeader());
        TargetView f = view(follower);
        assertFalse(f.leader());
        assertEquals("follower", status(follower).get("role").getAsString());
        // The follower's document names who leads, as the Lease says it (recheck 39's remark).
        JsonObject followerDocument = document(follower);
        assertEquals("follower", followerDocument.get("identity").getAsString(), followerDocument.toString());
        assertEquals("leader", followerDocument.get("leaseHolder").getAsString(), followerDocument.toString());
        assertEquals(0, followerDocument.getAsJsonObject("kubernetes").getAsJsonArray("failingCalls").size(),
                "no call fails here: " + followerDocument);
        assertEquals(0.0, scaleWrites(follower));
        // The load history (recent peaks, peak-window 6s) is read and counted on the daemon's own /metrics.
        for (Daemon d : List.of(leader, follower)) {
            var reads = d.registry().find(io.github.milvusautoscaler.metrics.MetricNames.HISTORY_READS)
                    .tag("target", view(d).target().id()).tag("result", "ok").counter();
            assertTrue(reads != null && reads.count() > 0, "history reads counted");
        }
        // Status says where that history ends, so one kept through failing reads shows its age: within the last
        // forecast.refresh (1h), on the 5m history-step grid (it read 12 minutes old once on a loaded machine).
        var historyEnd = status(leader).get("historyEnd");
        assertTrue(historyEnd != null && !historyEnd.isJsonNull()
                && Instant.parse(historyEnd.getAsString()).isAfter(Instant.now().minusSeconds(3600))
                && Instant.parse(historyEnd.getAsString()).getEpochSecond() % 300 == 0, String.valueOf(historyEnd));
        // Every replica write the API server saw came from one leader decision, each once.
        assertEquals(writes.size(), (int) scaleWrites(leader));
        List<String> lines = Files.readAllLines(dir.resolve("leader.jsonl"));
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"action\":\"SCALE_IN\"")), "decision log has the step-downs");
        // holds = all: a HOLD at every tick, so one stands on consecutive lines; holds = changes (the follower's, which
        // ticks as often): a HOLD line never repeats the one before, so far fewer lines. That every action is still a
        // line, HoldChangesTest shows (the follower's own step-down decisions depend on when its ticks fall).
        assertTrue(repeatedHolds(lines) > 0, "the leader's log has each tick's HOLD");
        List<String> followerLines = Files.readAllLines(dir.resolve("follower.jsonl"));
        assertEquals(0, repeatedHolds(followerLines), "a HOLD only when it changes");
        assertTrue(followerLines.size() * 2 < lines.size(), followerLines.size() + " lines beside " + lines.size());
        assertTrue(busy.size() >= 2, "settle windows were played");
    }

    @Test
    @Order(6)
    void signalsCommandShowsWhatTheDaemonSees() {
        // A pod the loop has just added has one cAdvisor sample, no rate yet, and cpu reads UNKNOWN ("only 1 of 2 ready
        // pods reporting") until its second scrape, as the daemon reads it: the shape is checked once it has one.
        String text = Poll.until("signals reads every ready pod's cpu", WAIT, () -> {
            StringWriter out = new StringWriter();
            int exit = new CommandLine(new SignalsCommand()).setOut(new PrintWriter(out))
                    .execute("--config", dir.resolve("leader.conf").toString(), "--cluster", NS + "/" + RELEASE);
            assertEquals(0, exit, out.toString());
            return out.toString();
        }, shown -> !shown.contains("ready pods reporting (the daemon reads it UNKNOWN)"));
        assertTrue(text.startsWith("milvus/loop/queryNode (helm)"), text);
        // The value moves with the loop (new pods are being scraped), so the line's shape is what is checked; with two
        // pods or more it names the fullest (CI at cc86501 read it on 2 pods: "(2 pods reporting, fullest
        // loop-milvus-querynode-0 0.900)").
        assertTrue(text.matches("(?s).*\\n  cpu +\\d\\.\\d+ +(HIGH|IN_BAND|LOW) +band \\[0\\.400, 0\\.750\\] target 0\\.575"
                + "  \\((1 pod reporting|\\d pods reporting, fullest loop-milvus-querynode-\\S+ \\d\\.\\d+)\\).*"), text);
        assertTrue(text.contains("owner_name=~\"loop-milvus-querynode\""), "the chart's Deployment name: " + text);
        assertTrue(text.contains("\"component\", \"$1\", \"owner_name\""), "the Helm label scheme: " + text);
        assertTrue(text.contains("settle-query"), text);
    }

    /**
     * Every PromQL expression of the Grafana dashboard, evaluated against this test's Prometheus
     * (which has scraped both daemons for the whole loop), returns data: a misspelt metric or label
     * fails the build. The job is this Prometheus' "milvus" instead of the ServiceMonitor's.
     */
    @Test
    @Order(7)
    void everyDashboardQueryReturnsDataFromTheLiveDaemons() {
        java.util.Map<String, String> vars = new java.util.LinkedHashMap<>(
                io.github.milvusautoscaler.deploy.DashboardQueries.MATCH_ALL);
        vars.put("job", PrometheusServer.JOB);
        List<String> empty = new ArrayList<>();
        List<String> exprs = io.github.milvusautoscaler.deploy.DashboardQueries.expressions(
                Path.of("grafana/milvus-autoscaler.json"));
        assertTrue(exprs.size() >= 15, "dashboard queries: " + exprs.size());
        for (String expr : exprs) {
            String q = io.github.milvusautoscaler.deploy.DashboardQueries.expand(expr, vars);
            String body = prometheus.query(q);
            if (!body.contains("\"status\":\"success\"") || body.contains("\"result\":[]")) {
                empty.add(q + " -> " + body);
            }
        }
        assertEquals(List.of(), empty, "dashboard queries without data");
    }
}
