package io.github.milvusautoscaler.cli;

import io.github.milvusautoscaler.testsupport.PrometheusServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine;

/**
 * Measures {@code backtest} on a week of one Helm cluster with 4 components (queryNode 3 pods, dataNode 2,
 * indexNode 2, proxy 2; cpu, memory and qps as a default kube-prometheus-stack records them) at 15 s steps
 * against a local Prometheus backfilled with promtool: the README's wall-time figure. Not a test.
 *
 * <pre>
 * mvn -q test-compile && java -cp target/classes:target/test-classes:$(cat cp.txt) \
 *      io.github.milvusautoscaler.cli.BacktestMeasurement [runs, default 3]
 * </pre>
 */
public final class BacktestMeasurement {

    private static final Duration SCRAPE = Duration.ofSeconds(30);

    private BacktestMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Instant end = Instant.ofEpochSecond(Instant.now().getEpochSecond() / 3600 * 3600 - 3600);
        Instant start = end.minus(Duration.ofDays(7));
        long t0 = System.nanoTime();
        String history = history(start.minus(Duration.ofMinutes(10)), end);
        System.out.printf("history: %.1f MB generated in %.1f s%n", history.length() / 1e6, (System.nanoTime() - t0) / 1e9);
        t0 = System.nanoTime();
        try (PrometheusServer prometheus = PrometheusServer.builder().retention(Duration.ofDays(30)).backfill(history)
                .start()) {
            System.out.printf("promtool backfill + Prometheus start: %.1f s%n", (System.nanoTime() - t0) / 1e9);
            Path dir = Files.createTempDirectory("backtest-measure");
            Path config = dir.resolve("autoscaler.conf");
            Files.writeString(config, """
                    milvus-autoscaler {
                      prometheus { url = "%s", timeout = 60s }
                      clusters = [{ namespace = milvus, name = wk, install = helm, milvus-version = "2.5.6",
                        components { queryNode { settle-query = "" }, dataNode {}, indexNode {}, proxy {} } }]
                    }
                    """.formatted(prometheus.url()));
            for (int run = 1; run <= runs; run++) {
                StringWriter out = new StringWriter();
                CommandLine cli = new CommandLine(new BacktestCommand());
                cli.setOut(new PrintWriter(out));
                cli.setErr(new PrintWriter(out));
                long begun = System.nanoTime();
                int code = cli.execute("--config", config.toString(), "--from", start.toString(), "--to", end.toString(),
                        "--step", "15s", "--out", dir.resolve("run" + run).toString());
                double seconds = (System.nanoTime() - begun) / 1e9;
                String text = out.toString();
                System.out.printf("run %d: exit %d, %.1f s wall; %s%n", run, code, seconds,
                        text.lines().filter(l -> l.startsWith("backtest:")).findFirst().orElse(text));
                if (run == runs) {
                    System.out.println(Files.readString(dir.resolve("run" + run).resolve("report.md")));
                }
            }
        }
    }

    /** CPU per pod as a fraction of its request: a daily cycle. */
    private static double load(Instant t) {
        int hour = (int) ((t.getEpochSecond() % 86_400) / 3600);
        return hour >= 9 && hour < 17 ? 0.85 : hour >= 22 || hour < 6 ? 0.20 : 0.55;
    }

    private static String history(Instant from, Instant end) {
        StringBuilder out = new StringBuilder(64 << 20);
        List<String[]> components = List.of(new String[] {"querynode", "3"}, new String[] {"datanode", "2"},
                new String[] {"indexnode", "2"}, new String[] {"proxy", "2"});
        for (String[] c : components) {
            String deployment = "wk-milvus-" + c[0];
            String rs = deployment + "-5d8c7f9b4d";
            int pods = Integer.parseInt(c[1]);
            for (int p = 0; p < pods; p++) {
                String pod = rs + "-p" + p + "q7z";
                double cpu = 1_000_000;
                StringBuilder counter = new StringBuilder();
                StringBuilder memory = new StringBuilder();
                for (Instant t = from; !t.isAfter(end); t = t.plus(SCRAPE)) {
                    String ts = " " + t.getEpochSecond() + "\n";
                    counter.append("container_cpu_usage_seconds_total{container=\"").append(c[0])
                            .append("\",job=\"kubelet\",namespace=\"milvus\",pod=\"").append(pod).append("\"} ")
                            .append(BigDecimal.valueOf(cpu).toPlainString()).append(ts);
                    memory.append("container_memory_working_set_bytes{container=\"").append(c[0])
                            .append("\",job=\"kubelet\",namespace=\"milvus\",pod=\"").append(pod).append("\"} ")
                            .append(4e9 * (0.3 + 0.3 * load(t))).append(ts);
                    cpu += load(t) * SCRAPE.toSeconds();
                }
                out.append(counter).append(memory);
                gauge(out, from, end, "kube_pod_owner{owner_is_controller=\"true\",owner_kind=\"ReplicaSet\",owner_name=\""
                        + rs + "\",pod=\"" + pod + "\"", 1);
                gauge(out, from, end, "kube_pod_container_resource_requests{container=\"" + c[0] + "\",pod=\"" + pod
                        + "\",resource=\"cpu\",unit=\"core\"", 1);
                gauge(out, from, end, "kube_pod_container_resource_limits{container=\"" + c[0] + "\",pod=\"" + pod
                        + "\",resource=\"memory\",unit=\"byte\"", 8e9);
            }
            gauge(out, from, end, "kube_replicaset_owner{owner_is_controller=\"true\",owner_kind=\"Deployment\",owner_name=\""
                    + deployment + "\",replicaset=\"" + rs + "\"", 1);
            gauge(out, from, end, "kube_deployment_spec_replicas{deployment=\"" + deployment + "\"", pods);
            gauge(out, from, end, "kube_deployment_status_replicas_ready{deployment=\"" + deployment + "\"", pods);
        }
        // kube-state-metrics exports every pod's readiness (docs/metrics/workload/pod-metrics.md); qps counts ready
        // proxies only.
        gauge(out, from, end, "kube_pod_status_ready{condition=\"true\",pod=\"wk-milvus-proxy-p0\"", 1);
        double searches = 1_000_000;
        StringBuilder proxy = new StringBuilder();
        for (Instant t = from; !t.isAfter(end); t = t.plus(SCRAPE)) {
            proxy.append("milvus_proxy_req_count{app_kubernetes_io_instance=\"wk\",component=\"proxy\",function_name=\"Search\","
                    + "job=\"milvus\",namespace=\"milvus\",pod=\"wk-milvus-proxy-p0\",status=\"total\"} ")
                    .append(BigDecimal.valueOf(searches).toPlainString()).append(' ').append(t.getEpochSecond()).append('\n');
            searches += 300 * load(t) * SCRAPE.toSeconds();
        }
        return out.append(proxy).append("# EOF\n").toString();
    }

    private static void gauge(StringBuilder out, Instant from, Instant end, String series, double value) {
        String line = series + ",job=\"kube-state-metrics\",namespace=\"milvus\"} " + value + " ";
        for (Instant t = from; !t.isAfter(end); t = t.plus(Duration.ofMinutes(2))) {
            out.append(line).append(t.getEpochSecond()).append('\n');
        }
    }
}
