package io.github.milvusautoscaler.cli;

import com.sun.net.httpserver.HttpServer;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;

/**
 * Measures the daemon's footprint with 100 targets: resident memory, CPU per target tick and
 * start-to-ready time, on the real jar in its own process (not a timed test: it prints figures for
 * the README). 25 Helm clusters x 4 components against the fake API server, and a stub Prometheus
 * answering every query at once with two pods per component, so the CPU measured is the daemon's.
 *
 * <pre>
 * mvn -B -q package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *      io.github.milvusautoscaler.cli.FootprintMeasurement [window seconds, default 180] [warm-up seconds, default 60] \
 *      [JVM flags, default those of deploy/base/deployment.yaml]
 * </pre>
 */
public final class FootprintMeasurement {

    private static final List<String> COMPONENTS = List.of("querynode", "datanode", "indexnode", "proxy");
    /** The flags the Deployment runs with, with the heap the container limit gives it. */
    private static final List<String> DEPLOYMENT_JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xmx128m", "-Xss512k",
            "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError");

    private FootprintMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 180;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        List<String> jvm = args.length > 2 ? List.of(args).subList(2, args.length) : DEPLOYMENT_JVM_FLAGS;
        Path dir = Files.createTempDirectory("footprint");
        try (FakeKubernetesApi kube = FakeKubernetesApi.start()) {
            StringJoiner clusters = new StringJoiner(",\n");
            for (int c = 0; c < 25; c++) {
                String release = "c" + c;
                for (String comp : COMPONENTS) {
                    kube.put(FakeKubernetesApi.Kind.DEPLOYMENTS, ClosedLoopTest.deployment(3)
                            .replace(ClosedLoopTest.DEPLOYMENT, release + "-milvus-" + comp)
                            .replace("\"" + ClosedLoopTest.RELEASE + "\"", "\"" + release + "\"")
                            .replace("querynode", comp));
                }
                clusters.add("{ namespace = milvus, name = " + release + ", install = helm, milvus-version = \"2.5\","
                        + " components { queryNode {}, dataNode {}, indexNode {}, proxy {} } }");
            }
            HttpServer prometheus = stubPrometheus();
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
            Path conf = dir.resolve("footprint.conf");
            Files.writeString(conf, """
                    milvus-autoscaler {
                      prometheus.url = "http://127.0.0.1:%d"
                      kubernetes { kubeconfig = "%s", events = false,
                                   leader-election { namespace = milvus-autoscaler, identity = footprint } }
                      loop { interval = 15s, jitter = 14s }
                      server { port = %d, bind-address = "127.0.0.1" }
                      alerts.enabled = false
                      clusters = [
                    %s
                      ]
                    }
                    """.formatted(prometheus.getAddress().getPort(), kubeconfig, port, clusters));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            long started = System.nanoTime();
            List<String> command = new java.util.ArrayList<>(List.of(java));
            command.addAll(jvm);
            command.addAll(List.of("-jar", "target/milvus-autoscaler.jar", "run", "--config", conf.toString()));
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("daemon.log").toFile()).start();
            HttpClient http = HttpClient.newHttpClient();
            URI ready = URI.create("http://127.0.0.1:" + port + "/readyz");
            while (true) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("the daemon exited with " + p.exitValue() + ": "
                            + Files.readString(dir.resolve("daemon.log")));
                }
                try {
                    if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode() == 200) {
                        break;
                    }
                } catch (java.io.IOException e) {
                    // not listening yet
                }
                Thread.sleep(20);
            }
            long readyMs = (System.nanoTime() - started) / 1_000_000;
            Thread.sleep(warmup * 1000L); // every loop starts and the JIT settles before the window opens
            double cpu0 = cpuSeconds(p.pid());
            double ticks0 = ticks(http, port);
            Thread.sleep(seconds * 1000L);
            double cpu1 = cpuSeconds(p.pid());
            double ticks1 = ticks(http, port);
            long rssKb = rssKb(p.pid());
            p.destroy();
            p.waitFor();
            prometheus.stop(0);
            double perTickMs = (cpu1 - cpu0) * 1000 / (ticks1 - ticks0);
            System.out.printf("JVM %s%n", jvm);
            System.out.printf("targets 100, window %ds: ready %d ms after start; RSS %.0f MiB; %,.0f ticks;"
                            + " CPU %.2f s = %.2f ms per target tick (whole process: GC, HTTP, JIT included)%n",
                    seconds, readyMs, rssKb / 1024.0, ticks1 - ticks0, cpu1 - cpu0, perTickMs);
        }
    }

    /** Answers every instant query with two pods per component, cpu 0.5, so every signal is known. */
    private static HttpServer stubPrometheus() throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        s.createContext("/", ex -> {
            long now = System.currentTimeMillis() / 1000;
            StringJoiner series = new StringJoiner(",");
            for (String comp : COMPONENTS) {
                for (int pod = 0; pod < 3; pod++) {
                    series.add("{\"metric\":{\"component\":\"" + comp + "\",\"pod\":\"p-" + comp + "-" + pod
                            + "\"},\"value\":[" + now + ",\"0.5\"]}");
                }
            }
            byte[] body = ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + series + "]}}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        s.start();
        return s;
    }

    private static double cpuSeconds(long pid) throws Exception {
        String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).split("\\) ")[1].split(" ");
        // utime and stime are fields 14 and 15 of /proc/PID/stat (11 and 12 after the command name).
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    private static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no VmRSS");
    }

    private static double ticks(HttpClient http, int port) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("milvus_autoscaler_tick_seconds_count")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
