package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import io.github.milvusautoscaler.testsupport.FakeMilvusPod;
import io.github.milvusautoscaler.testsupport.FakeMilvusPods;
import io.github.milvusautoscaler.testsupport.Poll;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code scale} command against a Helm release whose queryNode runs as a StatefulSet, with the fake Kubernetes
 * API server and a real Prometheus scraping fake Milvus pods, as {@link ScaleCommandTest} does for the chart's
 * Deployment.
 *
 * <p>The fake cluster and where each fact comes from:
 * <ul>
 *   <li>the release sets {@code queryNode.statefulset: true}, so the chart renders a StatefulSet named as the
 *       Deployment would be, {@code <release>-milvus-querynode}, with {@code serviceName} the same, the chart's
 *       labels plus {@code component: querynode}, no {@code podManagementPolicy} (so OrderedReady), and no
 *       Deployment of that name (zilliztech/milvus-helm {@code charts/milvus/templates/querynode-statefulset.yaml}).
 *       The fake API server holds no Deployment at all, so a command that wrote one would get 404 and fail;</li>
 *   <li>the StatefulSet controller (kubernetes {@code pkg/controller/statefulset/stateful_set_control.go} and the
 *       StatefulSet concept page's "Deployment and Scaling Guarantees", kubernetes.io/docs/concepts/workloads/
 *       controllers/statefulset): its pods are {@code <statefulset>-<ordinal>}; with OrderedReady a scale-out
 *       creates the missing ordinals lowest first, one at a time, each only after the one before is Running and
 *       Ready; a scale-in deletes the highest ordinal first. {@code status.replicas} counts created pods,
 *       {@code readyReplicas} ready ones, and a pure scale leaves {@code updateRevision == currentRevision} (no
 *       rollout). The fake API server observes the generation at once and leaves the pod counts to
 *       {@link #start()}'s change hook, which plays the rest: each created pod turns ready after
 *       {@link #readyDelay};</li>
 *   <li>kube-state-metrics names the StatefulSet in {@code kube_pod_owner{owner_kind="StatefulSet"}} (no ReplicaSet
 *       between) and exports {@code kube_statefulset_replicas} (spec.replicas, which the hook keeps in step with the
 *       API object) and {@code kube_statefulset_status_replicas_ready} instead of the Deployment series
 *       (kubernetes/kube-state-metrics {@code docs/metrics/workload/pod-metrics.md} and
 *       {@code statefulset-metrics.md}; {@link FakeMilvusPods#startStatefulSetPod});</li>
 *   <li>every step-down starts segment moves on the coordinator
 *       ({@code milvus_querycoord_task_num{querycoord_task_type="segment_move"}} 1) for {@link #drain}, then 0, which
 *       the shipped queryNode settle query reads as BUSY, as in {@link ScaleCommandTest}.</li>
 * </ul>
 * The health query is the queryNodes' read queue (> 0 is failing); the only signal is cpu over a [5s] rate window.
 * Windows: verify 2s, settle timeout 20s, poll 200ms. A StatefulSet reuses ordinals (3 -> 1 -> 3 makes {@code -1}
 * and {@code -2} again), and the fake pods' cAdvisor series carry no container id, so a re-created pod continues
 * the old one's cpu counter from its base: {@link #at} waits until no [5s] rate still spans such a reset.
 */
class ScaleStatefulSetTest {

    static final String NS = "milvus";
    static final String RELEASE = "vec";
    static final String STATEFULSET = RELEASE + "-milvus-querynode";
    static final String TARGET = NS + "/" + RELEASE + "/queryNode";
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static FakeKubernetesApi kube;
    static FakeMilvusPods pods;
    static FakeMilvusPod coord;
    /** The StatefulSet's pods, index = ordinal. */
    static final List<FakeMilvusPod> queryNodes = new ArrayList<>();
    static PrometheusServer prometheus;
    static Path config;
    static final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    /** (time, replicas, annotations at the write) of every replica change made to the StatefulSet through the API. */
    static final List<Object[]> writes = new CopyOnWriteArrayList<>();
    /** When each settle window (segment moves) ended. */
    static final List<Instant> settled = new CopyOnWriteArrayList<>();
    /** When each pod a scale-out created turned ready, in order. */
    static final List<Instant> readyAt = new CopyOnWriteArrayList<>();
    static volatile Duration drain = Duration.ofSeconds(4);
    static volatile Duration readyDelay = Duration.ZERO;

    @BeforeAll
    static void start() throws Exception {
        kube = FakeKubernetesApi.start();
        pods = new FakeMilvusPods(Clock.systemUTC());
        coord = pods.start(NS, RELEASE, InstallKind.HELM, "mixcoord", RELEASE + "-milvus-mixcoord-7c9d-m1", 1, 8e9);
        coord.setQuerycoordTasks("segment_move", 0);
        resize(3);
        kube.put(Kind.STATEFULSETS, statefulSet(3));
        kube.onChange(change -> {
            if (change.kind() != Kind.STATEFULSETS || change.before() == null || change.after() == null
                    || !change.name().equals(STATEFULSET)) {
                return;
            }
            int before = change.before().getAsJsonObject("spec").get("replicas").getAsInt();
            int after = change.after().getAsJsonObject("spec").get("replicas").getAsInt();
            if (before == after) {
                return;
            }
            writes.add(new Object[] {Instant.now(), after,
                    change.after().getAsJsonObject("metadata").getAsJsonObject("annotations").deepCopy()});
            pods.setSpecReplicas(NS, STATEFULSET, after);
            if (after < before) {
                // Highest ordinal first; the removed pod has gone when the controller reports the new counts.
                resize(after);
                kube.merge(Kind.STATEFULSETS, NS, STATEFULSET, status(after, after));
                coord.setQuerycoordTasks("segment_move", 1);
                timers.schedule(() -> {
                    coord.setQuerycoordTasks("segment_move", 0);
                    settled.add(Instant.now());
                }, drain.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                timers.execute(() -> createNext(after));
            }
        });
        prometheus = PrometheusServer.builder().targets(pods.targets()).start();
        Poll.until("Prometheus reads the StatefulSet pods' cpu", WAIT, () -> prometheus.query(
                "count(rate(container_cpu_usage_seconds_total{namespace=\"milvus\", pod=~\".*querynode.*\","
                        + " container!=\"\", container!=\"POD\"}[5s]) > 0.2)"),
                body -> body.contains("\"3\"]"));
        config = writeConfig();
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
        drain = Duration.ofSeconds(4);
        readyDelay = Duration.ZERO;
        coord.setQuerycoordTasks("segment_move", 0);
        kube.clearFaults();
    }

    static Path writeConfig() throws Exception {
        Path file = dir.resolve("scale-sts.conf");
        Files.writeString(file, ScaleCommandTest.config(prometheus.url().toString(), kube.writeKubeconfig(dir.resolve("kubeconfig")),
                "20s", "sum(milvus_querynode_read_task_ready_len{namespace=\"{namespace}\", app_kubernetes_io_instance=\"{release}\"})",
                NS, RELEASE, ""));
        return file;
    }

    /**
     * The chart's StatefulSet at rest with {@code replicas}, all ready and on one revision (querynode-statefulset.yaml:
     * the component's fullname, {@code serviceName} the same, {@code milvus.labels} plus {@code component},
     * {@code selector} the match labels; status fields of apps/v1 StatefulSetStatus).
     */
    static String statefulSet(int replicas) {
        return """
                {"metadata": {"name": "%s", "namespace": "%s", "generation": 1,
                              "labels": {"app.kubernetes.io/name": "milvus", "app.kubernetes.io/instance": "%s",
                                         "app.kubernetes.io/managed-by": "Helm", "helm.sh/chart": "milvus-4.2.8",
                                         "component": "querynode"}},
                 "spec": {"serviceName": "%s", "replicas": %d,
                          "selector": {"matchLabels": {"app.kubernetes.io/name": "milvus",
                                                       "app.kubernetes.io/instance": "%s", "component": "querynode"}},
                          "template": {"metadata": {"labels": {"app.kubernetes.io/name": "milvus",
                                                               "app.kubernetes.io/instance": "%s",
                                                               "component": "querynode"}},
                                       "spec": {"containers": [{"name": "querynode",
                                                                "image": "milvusdb/milvus:v2.5.4"}]}}},
                 "status": {"replicas": %d, "readyReplicas": %d, "availableReplicas": %d, "currentReplicas": %d,
                            "updatedReplicas": %d, "observedGeneration": 1,
                            "currentRevision": "%s-6f7b8c9d5", "updateRevision": "%s-6f7b8c9d5"}}
                """.formatted(STATEFULSET, NS, RELEASE, STATEFULSET, replicas, RELEASE, RELEASE, replicas, replicas,
                replicas, replicas, replicas, STATEFULSET, STATEFULSET);
    }

    /** The controller's counts: {@code created} pods on the one revision, {@code ready} of them Running and Ready. */
    static String status(int created, int ready) {
        return "{\"status\": {\"replicas\": %d, \"readyReplicas\": %d, \"availableReplicas\": %d, \"currentReplicas\": %d,"
                .formatted(created, ready, ready, created) + " \"updatedReplicas\": " + created + "}}";
    }

    /**
     * OrderedReady scale-out: creates the lowest missing ordinal (not ready yet), makes it ready after
     * {@link #readyDelay}, and only then the next, until {@code wanted} pods run or spec.replicas moved on.
     */
    static void createNext(int wanted) {
        // Read before taking this class's lock: the change hook holds the fake's lock when it takes this one.
        if (specReplicas() != wanted) {
            return;
        }
        FakeMilvusPod pod;
        int created;
        synchronized (ScaleStatefulSetTest.class) {
            if (queryNodes.size() >= wanted) {
                return;
            }
            pod = startPod(queryNodes.size()).setReady(false);
            queryNodes.add(pod);
            created = queryNodes.size();
            prometheus.setTargets(pods.targets());
        }
        kube.merge(Kind.STATEFULSETS, NS, STATEFULSET, status(created, created - 1));
        timers.schedule(() -> {
            pod.setReady(true);
            kube.merge(Kind.STATEFULSETS, NS, STATEFULSET, status(created, created));
            readyAt.add(Instant.now());
            createNext(wanted);
        }, readyDelay.toMillis(), TimeUnit.MILLISECONDS);
    }

    static FakeMilvusPod startPod(int ordinal) {
        return pods.startStatefulSetPod(NS, RELEASE, "querynode", ordinal, 1, 8e9).setCpuUtilisation(0.3)
                .setMemoryUtilisation(0.3);
    }

    /** Starts the missing ordinals (ready) or stops the highest ones, to match {@code n}. */
    static synchronized void resize(int n) {
        while (queryNodes.size() < n) {
            queryNodes.add(startPod(queryNodes.size()));
        }
        while (queryNodes.size() > n) {
            pods.stop(queryNodes.remove(queryNodes.size() - 1));
        }
        if (prometheus != null) {
            prometheus.setTargets(pods.targets());
        }
    }

    /** Puts the StatefulSet back at rest with {@code n} replicas, all ready, and forgets earlier writes and requests. */
    static void at(int n) {
        kube.put(Kind.STATEFULSETS, statefulSet(n));
        pods.setSpecReplicas(NS, STATEFULSET, n);
        resize(n);
        writes.clear();
        settled.clear();
        readyAt.clear();
        kube.clearRequests();
        Poll.until("Prometheus sees " + n + " queryNodes with cpu", WAIT, () -> prometheus.query(
                "count(rate(container_cpu_usage_seconds_total{namespace=\"milvus\", pod=~\".*querynode.*\","
                        + " container!=\"\", container!=\"POD\"}[5s]) > 0.1)"),
                body -> body.contains("\"" + n + "\"]"));
        // A re-created ordinal's cpu counter restarts below the old pod's: no [5s] rate may still span that reset.
        Poll.until("Prometheus sees no queryNode's cpu still high", WAIT, () -> prometheus.query(
                "count(rate(container_cpu_usage_seconds_total{namespace=\"milvus\", pod=~\".*querynode.*\","
                        + " container!=\"\", container!=\"POD\"}[5s]) > 0.6)"),
                body -> body.contains("\"result\":[]"));
        Poll.until("Prometheus sees the StatefulSet at " + n + ", all ready", WAIT, () -> prometheus.query(
                "kube_statefulset_replicas{statefulset=\"" + STATEFULSET + "\"} == " + n
                        + " and on (statefulset) kube_statefulset_status_replicas_ready == " + n),
                body -> body.contains("\"" + n + "\"]"));
    }

    static ScaleCommandTest.Result scale(String... args) {
        return ScaleCommandTest.scale(config, args);
    }

    static JsonObject object() {
        return kube.get(Kind.STATEFULSETS, NS, STATEFULSET).orElseThrow();
    }

    static int specReplicas() {
        return object().getAsJsonObject("spec").get("replicas").getAsInt();
    }

    static JsonObject annotations() {
        JsonObject meta = object().getAsJsonObject("metadata");
        return meta.has("annotations") ? meta.getAsJsonObject("annotations") : new JsonObject();
    }

    static List<Integer> writtenCounts() {
        return writes.stream().map(w -> (Integer) w[1]).toList();
    }

    /** The replica writes (merge patches carrying spec) sent to the StatefulSet. */
    static long replicaWrites() {
        return kube.requests("PATCH", Kind.STATEFULSETS.path(NS, STATEFULSET)).stream()
                .filter(q -> q.body().contains("\"spec\"")).count();
    }

    /**
     * Nothing but reads of the StatefulSet's name was sent to deployments, each answered 404 (no Deployment exists),
     * and there was at least one: the command looked for the chart's Deployment first and fell back.
     */
    static void onlyA404ReadOfTheDeployment() {
        assertTrue(kube.get(Kind.DEPLOYMENTS, NS, STATEFULSET).isEmpty(), "no Deployment exists, so every GET was 404");
        List<FakeKubernetesApi.Request> toDeployments = kube.requests().stream()
                .filter(q -> q.path().startsWith(Kind.DEPLOYMENTS.path(NS, null))).toList();
        assertFalse(toDeployments.isEmpty(), "the Deployment is looked for first");
        assertEquals(List.of(), toDeployments.stream()
                .filter(q -> !q.method().equals("GET") || !q.path().equals(Kind.DEPLOYMENTS.path(NS, STATEFULSET)))
                .toList(), "no request to deployments but the read that answered 404 (no PATCH, no other name)");
    }

    @Test
    void threeToOneStepsDownTheStatefulSetOneNodeAtATimeEachAfterItsSegmentMovesEnded() {
        at(3);
        ScaleCommandTest.Result r = scale("--target", TARGET, "--to", "1", "--yes");
        assertEquals(0, r.exit(), r.all());
        assertEquals(List.of(2, 1), writtenCounts(), "spec.replicas 3 -> 2 -> 1 in separate writes: " + r.all());
        assertEquals(2, replicaWrites(), r.all());
        assertTrue(r.out().contains("queryNode 3 -> 1: two step-downs of one node, each waiting for settle (up to 20s)"
                + " and health"), r.out());
        assertTrue(r.out().contains("paused the daemon for " + TARGET + ": milvus-autoscaler.io/paused=true on"
                + " statefulset " + NS + "/" + STATEFULSET), r.out());
        // Segment moves outlast the verify window (2s) by 2s, so a step that did not wait for them is caught.
        Instant second = (Instant) writes.get(1)[0];
        assertTrue(!settled.isEmpty() && second.isAfter(settled.get(0)),
                "the second write at " + second + " came after the first step's segment moves ended " + settled);
        assertEquals(2, settled.size(), "each step-down started segment moves: " + settled);
        for (Object[] w : writes) {
            JsonObject a = (JsonObject) w[2];
            assertEquals("true", a.get("milvus-autoscaler.io/paused").getAsString(),
                    "the StatefulSet is paused at every write: " + a);
            assertTrue(a.get("milvus-autoscaler.io/paused-by").getAsString().contains("scale --to 1"), a.toString());
            assertEquals("MANUAL_SCALE", a.get("milvus-autoscaler.io/last-scale-reason").getAsString());
            assertEquals("down", a.get("milvus-autoscaler.io/last-scale-direction").getAsString());
        }
        JsonObject after = annotations();
        assertFalse(after.has("milvus-autoscaler.io/paused"), "the pause is lifted at the end: " + after);
        assertFalse(after.has("milvus-autoscaler.io/paused-by"), after.toString());
        assertFalse(after.has("milvus-autoscaler.io/paused-at"), after.toString());
        assertEquals(1, specReplicas());
        assertEquals(List.of(STATEFULSET + "-0"), queryNodes.stream().map(FakeMilvusPod::name).toList(),
                "the highest ordinals went first");
        assertTrue(r.out().contains("done: " + TARGET + " at 1 replicas; queryNode is at 1 replicas (1 ready) now."),
                r.out());
        onlyA404ReadOfTheDeployment();
        List<JsonObject> scaledIn = kube.requests("POST", "/api/v1/namespaces/milvus/events").stream()
                .filter(q -> q.body().contains("\"ScaledIn\"") && q.body().contains("manual step-down"))
                .map(FakeKubernetesApi.Request::json).toList();
        assertEquals(2, scaledIn.size(), "one ScaledIn Event per step");
        String uid = object().getAsJsonObject("metadata").get("uid").getAsString();
        for (JsonObject event : scaledIn) {
            JsonObject involved = event.getAsJsonObject("involvedObject");
            assertEquals("StatefulSet", involved.get("kind").getAsString(), event.toString());
            assertEquals(STATEFULSET, involved.get("name").getAsString(), event.toString());
            assertEquals(uid, involved.get("uid").getAsString(), "kubectl describe lists it: " + event);
        }
    }

    @Test
    void oneToThreeIsOneWriteOnTheStatefulSetAndWaitsForEveryOrderedReadyPod() {
        at(1);
        readyDelay = Duration.ofSeconds(1);
        ScaleCommandTest.Result r = scale("--target", TARGET, "--to", "3", "--yes");
        Instant ended = Instant.now();
        assertEquals(0, r.exit(), r.all());
        assertEquals(List.of(3), writtenCounts(), r.all());
        assertEquals(1, replicaWrites(), "one replica write: " + r.all());
        assertTrue(r.out().contains("queryNode 1 -> 3: one write to 3, then waiting for 3 ready and settle"), r.out());
        assertTrue(r.out().contains("waiting for ready"), r.out());
        assertEquals(2, readyAt.size(), "the controller made ordinals 1 and 2 ready, one after the other: " + readyAt);
        assertTrue(ended.isAfter(readyAt.get(1)),
                "returned only once the last pod was ready: " + ended + " vs " + readyAt);
        assertTrue(r.out().contains("done: " + TARGET + " at 3 replicas (ready 3 of 3"), r.out());
        assertEquals(List.of(STATEFULSET + "-0", STATEFULSET + "-1", STATEFULSET + "-2"),
                queryNodes.stream().map(FakeMilvusPod::name).toList());
        JsonObject a = annotations();
        assertEquals("up", a.get("milvus-autoscaler.io/last-scale-direction").getAsString(), a.toString());
        assertEquals("MANUAL_SCALE", a.get("milvus-autoscaler.io/last-scale-reason").getAsString());
        assertTrue(((JsonObject) writes.get(0)[2]).has("milvus-autoscaler.io/paused"), "paused at the write");
        assertFalse(a.has("milvus-autoscaler.io/paused"), "the pause is lifted: " + a);
        assertEquals(3, specReplicas());
        onlyA404ReadOfTheDeployment();
    }
}
