package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.testsupport.AlertmanagerServer;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.FakeMilvusPod;
import io.github.milvusautoscaler.testsupport.FakeMilvusPods;
import io.github.milvusautoscaler.testsupport.Poll;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alert-driven scaling end to end: simulated Milvus pods cross a real Prometheus rule's threshold,
 * Prometheus fires, a real Alertmanager posts with the bearer token, the daemon scales the target out
 * through the fake API server exactly once; the alert resolves and scale-in becomes possible again.
 */
class AlertsEndToEndTest {

    static final String NS = "milvus";
    static final String RELEASE = "alerted";
    static final String DEPLOYMENT = RELEASE + "-milvus-querynode";
    static final Target TARGET = new Target(NS, RELEASE, Component.QUERY_NODE, InstallKind.HELM);
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String RULES = """
            groups:
              - name: milvus-scaling
                interval: 1s
                rules:
                  - alert: MilvusReadQueueBacklog
                    expr: max by (namespace, app_kubernetes_io_instance, component) (milvus_querynode_read_task_ready_len) > 10
                    labels: {severity: warning}
            """;

    @TempDir
    Path dir;

    final List<Integer> writes = new CopyOnWriteArrayList<>();
    final List<FakeMilvusPod> queryNodes = new ArrayList<>();
    volatile double cpu = 0.55;

    @Test
    void firingAlertScalesOutOnceAndResolvedLiftsTheScaleInBlock() throws Exception {
        int daemonPort;
        try (ServerSocket free = new ServerSocket(0)) {
            daemonPort = free.getLocalPort();
        }
        Path token = dir.resolve("token");
        Files.writeString(token, "e2e-alert-token");
        try (FakeKubernetesApi kube = FakeKubernetesApi.start();
             FakeMilvusPods pods = new FakeMilvusPods(Clock.systemUTC());
             AlertmanagerServer alertmanager = AlertmanagerServer.start(
                     URI.create("http://127.0.0.1:" + daemonPort + "/api/v1/alerts"), token)) {
            kube.put(FakeKubernetesApi.Kind.DEPLOYMENTS,
                    ClosedLoopTest.deployment(2).replace(ClosedLoopTest.RELEASE, RELEASE));
            pods.start(NS, RELEASE, InstallKind.HELM, "mixcoord", RELEASE + "-milvus-mixcoord-0", 1, 8e9);
            resize(pods, 2);
            try (PrometheusServer prometheus = PrometheusServer.builder().targets(pods.targets()).ruleFile(RULES)
                    .alertmanager(alertmanager.url()).start()) {
                kube.onChange(change -> {
                    if (change.kind() == FakeKubernetesApi.Kind.DEPLOYMENTS && change.before() != null) {
                        int after = change.after().getAsJsonObject("spec").get("replicas").getAsInt();
                        if (after != change.before().getAsJsonObject("spec").get("replicas").getAsInt()) {
                            writes.add(after);
                            resize(pods, after);
                            prometheus.setTargets(pods.targets());
                            kube.merge(FakeKubernetesApi.Kind.DEPLOYMENTS, NS, DEPLOYMENT,
                                    "{\"status\": {\"readyReplicas\": " + after + "}}");
                        }
                    }
                });
                try (Daemon daemon = startDaemon(prometheus, kube, token, daemonPort)) {
                    Poll.until("in band before the alert", WAIT, () -> daemon.engine().views().get(TARGET),
                            v -> v != null && v.decision() != null && v.decision().reason() == Reason.IN_BAND);

                    // The queue passes the rule's 10: Prometheus fires, Alertmanager posts, the daemon scales out.
                    queryNodes.get(0).setReadQueue(25);
                    Poll.until("alert-driven scale-out", WAIT, () -> writes, w -> !w.isEmpty());
                    assertEquals(List.of(3), writes);
                    // The write lands before the engine records the decision: poll the log.
                    String log = Poll.until("the decision log names the alert", WAIT, () -> {
                        try {
                            return Files.readString(dir.resolve("decisions.jsonl"));
                        } catch (java.io.IOException e) {
                            return "";
                        }
                    }, l -> l.contains("\"reason\":\"ALERT_SCALE_OUT\""));
                    assertTrue(log.contains("alert MilvusReadQueueBacklog firing"), log);

                    // Load falls while the alert fires: scale-in is blocked and no second alert scale-out happens.
                    setCpu(0.05);
                    Poll.until("scale-in blocked by the firing alert", WAIT,
                            () -> daemon.engine().views().get(TARGET).decision().reason(),
                            r -> r == Reason.ALERT_BLOCKS_SCALE_IN);
                    assertEquals(List.of(3), writes, "exactly one write for the alert");

                    // The queue drains: the alert resolves, the block lifts, and the step-down happens.
                    queryNodes.get(0).setReadQueue(0);
                    Poll.until("step-down after the alert resolved", WAIT, () -> writes, w -> w.size() == 2);
                    assertEquals(List.of(3, 2), writes);
                }
            }
        }
    }

    Daemon startDaemon(PrometheusServer prometheus, FakeKubernetesApi kube, Path token, int port) throws Exception {
        Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
        String cpuQuery = ConfigLoader.defaults().queryTemplates().get("cpu").replace("[2m]", "[10s]");
        Path conf = dir.resolve("a.conf");
        Files.writeString(conf, """
                milvus-autoscaler {
                  prometheus { url = "%s", timeout = 2s, retry.max-attempts = 1 }
                  kubernetes { kubeconfig = "%s", leader-election.enabled = false }
                  loop { interval = 1s, jitter = 0s }
                  prometheus.share-window = 0s
                  server { port = %d, bind-address = "127.0.0.1" }
                  decision-log.path = "%s"
                  alerts { bearer-token-file = "%s", step = 1, cooldown = 1h }
                  queries.cpu = \"\"\"%s\"\"\"
                  defaults {
                    min-replicas = 2
                    max-replicas = 6
                    scale-in { sustain = 2s, cooldown = 2s, delay-after-scale-out = 2s, verify-window = 1s,
                               peak-window = 6s }
                    signals { memory.enabled = false, qps.enabled = false }
                  }
                  clusters = [{ namespace = %s, name = %s, install = helm, milvus-version = "2.5",
                                components { queryNode {} } }]
                }
                """.formatted(prometheus.url(), kubeconfig, port, dir.resolve("decisions.jsonl"), token, cpuQuery, NS,
                RELEASE));
        return Daemon.start(conf, ConfigLoader.load(conf), Clock.systemUTC());
    }

    synchronized void resize(FakeMilvusPods pods, int n) {
        while (queryNodes.size() < n) {
            queryNodes.add(pods.start(NS, RELEASE, InstallKind.HELM, "querynode", DEPLOYMENT + "-" + queryNodes.size(),
                    1, 8e9).setCpuUtilisation(cpu));
        }
        while (queryNodes.size() > n) {
            pods.stop(queryNodes.remove(queryNodes.size() - 1));
        }
    }

    synchronized void setCpu(double value) {
        cpu = value;
        queryNodes.forEach(p -> p.setCpuUtilisation(value));
    }
}
