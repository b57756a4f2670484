package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.Poll;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code run} command's exit codes, and SIGHUP and SIGTERM on a real process. */
class RunCommandTest {

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new RunCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    Path kubeconfig(FakeKubernetesApi kube) {
        return kube.writeKubeconfig(dir.resolve("kubeconfig"));
    }

    Path config(String body) throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        Files.writeString(file, body);
        return file;
    }

    @Test
    void missingConfigExitsTwoNamingThePath() {
        Result r = run("--config", dir.resolve("nope.conf").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("nope.conf"), r.err());
    }

    @Test
    void invalidConfigExitsTwoWithEveryError() throws Exception {
        Result r = run("--config", config("""
                milvus-autoscaler {
                  defaults { min-replicas = 0 }
                  loop { intervall = 5s }
                }
                """).toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("milvus-autoscaler.defaults.min-replicas = 0 (autoscaler.conf:2)"), r.err());
        assertTrue(r.err().contains("milvus-autoscaler.loop.intervall"), r.err());
    }

    @Test
    void portInUseExitsOneNamingThePort() throws Exception {
        try (FakeKubernetesApi kube = FakeKubernetesApi.start(); ServerSocket taken = new ServerSocket(0)) {
            Result r = run("--config", config("""
                    milvus-autoscaler {
                      kubernetes { kubeconfig = "%s", leader-election.enabled = false }
                      server { port = %d, bind-address = "127.0.0.1" }
                    }
                    """.formatted(kubeconfig(kube), taken.getLocalPort())).toString());
            assertEquals(1, r.exit());
            assertTrue(r.err().contains("port " + taken.getLocalPort()), r.err());
        }
    }

    /** A decision log that cannot be opened is named with the OS's reason, not only the path it concerns. */
    @Test
    void aDecisionLogThatCannotBeOpenedIsNamedWithTheReason() throws Exception {
        Files.writeString(dir.resolve("file"), "");
        String path = dir.resolve("file/x.jsonl").toString();
        try (FakeKubernetesApi kube = FakeKubernetesApi.start()) {
            Result r = run("--config", config("""
                    milvus-autoscaler {
                      kubernetes { kubeconfig = "%s", leader-election.enabled = false }
                      server { port = 0, bind-address = "127.0.0.1" }
                      decision-log.path = "%s"
                    }
                    """.formatted(kubeconfig(kube), path)).toString());
            assertEquals(1, r.exit());
            assertEquals("run: cannot start: cannot open decision log " + path + ": " + dir.resolve("file")
                    + ": file exists", r.err().strip());
        }
    }

    /** Not every BindException is a port in use: an address that is not this machine's must not be called one. */
    @Test
    void anAddressThatIsNotTheMachinesIsNamedAsSuchNotAsAPortInUse() throws Exception {
        try (FakeKubernetesApi kube = FakeKubernetesApi.start()) {
            // 192.0.2.1: TEST-NET-1 (RFC 5737), assigned to no machine.
            Result r = run("--config", config("""
                    milvus-autoscaler {
                      kubernetes { kubeconfig = "%s", leader-election.enabled = false }
                      server { port = 18080, bind-address = "192.0.2.1" }
                    }
                    """.formatted(kubeconfig(kube))).toString());
            assertEquals(1, r.exit());
            assertEquals("run: cannot bind 192.0.2.1:18080 (server.bind-address, server.port): Cannot assign requested"
                    + " address: 192.0.2.1 is not an address of this machine (0.0.0.0 listens on all of them)",
                    r.err().strip());
        }
    }

    /**
     * A real process: ready quickly, and SIGTERM stops it with exit 0 within 10 s after releasing
     * the lease (holderIdentity cleared) so a follower would take over at once.
     */
    @Test
    void sigtermReleasesTheLeaseAndExitsZero() throws Exception {
        try (FakeKubernetesApi kube = FakeKubernetesApi.start()) {
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            Path conf = config("""
                    milvus-autoscaler {
                      prometheus.url = "http://127.0.0.1:1"
                      kubernetes {
                        kubeconfig = "%s"
                        leader-election { namespace = milvus-autoscaler, identity = sigterm-test, lease-duration = 15s,
                                          renew-deadline = 10s, retry-period = 500ms }
                      }
                      server { port = %d, bind-address = "127.0.0.1" }
                    }
                    """.formatted(kubeconfig(kube), port));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            long started = System.nanoTime();
            // The shipped logging configuration, not the tests' logback-test.xml.
            String logback = Path.of(Main.class.getResource("/logback.xml").toURI()).toString();
            Process p = new ProcessBuilder(java, "-Dlogback.configurationFile=" + logback, "-cp",
                    System.getProperty("java.class.path"), "io.github.milvusautoscaler.cli.Main", "run", "--config",
                    conf.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile()).start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                Poll.until("/readyz answers 200", Duration.ofSeconds(30), () -> {
                    try {
                        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                                .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
                    } catch (Exception e) {
                        return 0;
                    }
                }, s -> s == 200);
                System.out.printf("run: ready %d ms after the process started%n", (System.nanoTime() - started) / 1_000_000);
                Poll.until("the daemon holds the lease", Duration.ofSeconds(30),
                        () -> kube.get(FakeKubernetesApi.Kind.LEASES, "milvus-autoscaler", "milvus-autoscaler"),
                        l -> l.isPresent() && l.get().getAsJsonObject("spec").has("holderIdentity")
                                && l.get().getAsJsonObject("spec").get("holderIdentity").getAsString().equals("sigterm-test"));
                // SIGHUP reads the config now, as Prometheus and Alertmanager reload on it, where the JVM's default
                // stopped the daemon (recheck 61, F2): the edit is loaded, and the process goes on.
                Path daemonLog = dir.resolve("daemon.log");
                Files.writeString(conf, Files.readString(conf).replace("milvus-autoscaler {",
                        "milvus-autoscaler {\n  dry-run = true\n  clusters = []"));
                hangUp(p);
                Poll.until("SIGHUP reloads the edit", Duration.ofSeconds(20), () -> read(daemonLog),
                        l -> l.contains("config reload: dry-run is now"));
                assertTrue(read(daemonLog).contains("SIGHUP: reading config file " + conf + " now"), read(daemonLog));
                hangUp(p);
                Poll.until("a second SIGHUP finds nothing new", Duration.ofSeconds(20), () -> read(daemonLog),
                        l -> l.contains("SIGHUP: config file " + conf + " is what runs; nothing to reload"));
                // A typo is refused at the signal, and a signal for the same refused content says so.
                Files.writeString(conf, Files.readString(conf).replace("dry-run = true", "dry-rnu = true"));
                hangUp(p);
                Poll.until("SIGHUP refuses the typo", Duration.ofSeconds(20), () -> read(daemonLog),
                        l -> l.contains("config reload refused, keeping the running config"));
                hangUp(p);
                Poll.until("a SIGHUP for the refused content says so", Duration.ofSeconds(20), () -> read(daemonLog),
                        l -> l.contains("SIGHUP: config file " + conf + " still holds the content refused at the last"
                                + " reload, and the config before it runs; nothing to reload"));
                assertTrue(p.isAlive(), read(daemonLog));
                int beforeStop = read(daemonLog).length();
                long stopAt = System.nanoTime();
                p.destroy();
                assertTrue(p.waitFor(10, TimeUnit.SECONDS), "stopped within 10 s of SIGTERM");
                System.out.printf("run: stopped %d ms after SIGTERM%n", (System.nanoTime() - stopAt) / 1_000_000);
                assertEquals(0, p.exitValue(), Files.readString(dir.resolve("daemon.log")));
                var spec = kube.get(FakeKubernetesApi.Kind.LEASES, "milvus-autoscaler", "milvus-autoscaler")
                        .orElseThrow().getAsJsonObject("spec");
                assertTrue(!spec.has("holderIdentity") || spec.get("holderIdentity").isJsonNull()
                        || spec.get("holderIdentity").getAsString().isEmpty(), "lease released: " + spec);
                // An orderly stop is not an error: one INFO line says the Lease went, and no stack trace follows (the
                // refused typo's ERROR lines came before the stop).
                String log = Files.readString(dir.resolve("daemon.log")).substring(beforeStop);
                assertTrue(log.contains("released Lease milvus-autoscaler/milvus-autoscaler")
                        || log.contains("Lease milvus-autoscaler/milvus-autoscaler is released"), log);
                assertFalse(log.contains(" ERROR ") || log.contains("\tat "), log);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    private static void hangUp(Process p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -HUP " + p.pid());
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
