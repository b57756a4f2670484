package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Configurations that {@code validate-config} used to accept and {@code run} then refused (exit 1, or a
 * stack trace from {@code signals}): each is now refused by {@code validate-config} with exit 2 and
 * {@code file:line}, and identically by every command that reads a configuration.
 */
class OneSettingsPathTest {

    private static final String CLUSTER = "milvus-autoscaler.clusters = [{ namespace = m, name = x, install = helm,"
            + " milvus-version = \"2.5.6\", components { queryNode {} } }]\n";

    @TempDir
    Path dir;

    static Stream<Arguments> configs() {
        return Stream.of(
                // The API paths are appended to the URL: the query would come first.
                Arguments.of("URL with a query", "milvus-autoscaler.prometheus.url = \"http://p:9090/?tenant=a\"\n",
                        "milvus-autoscaler.prometheus.url = \"http://p:9090/?<redacted>\" (autoscaler.conf:1): must be the"
                                + " API root without ?query or #fragment"),
                Arguments.of("misspelt placeholder in a signal's query",
                        "milvus-autoscaler.defaults.signals.cpu.query = \"up{ns=\\\"{relase}\\\"}\"\n",
                        "milvus-autoscaler.defaults.signals.cpu.query = \"up{ns=\\\"{relase}\\\"}\" (autoscaler.conf:1):"
                                + " unknown placeholder {relase} in PromQL template"),
                Arguments.of("unclosed parenthesis in a signal's query",
                        "milvus-autoscaler.defaults.signals.cpu.query = \"sum(rate(foo[5m]\"\n",
                        "milvus-autoscaler.defaults.signals.cpu.query = \"sum(rate(foo[5m]\" (autoscaler.conf:1):"
                                + " unclosed ( at line 1, column 9 of the PromQL"),
                Arguments.of("unterminated string in a shipped template override",
                        "milvus-autoscaler.queries.qps = \"sum(rate(x{ns=\\\"{namespace}}[2m]))\"\n",
                        "unterminated string \" at line 1, column 15 of the PromQL"),
                Arguments.of("misspelt placeholder in a shipped template override",
                        "milvus-autoscaler.queries.qps = \"sum(rate(x{ns=\\\"{namespce}\\\"}[2m]))\"\n",
                        "unknown placeholder {namespce}"),
                // Spliced into cpu and memory, it read as balanced "max by (...) ()" and failed at run time only.
                Arguments.of("empty shipped template",
                        "milvus-autoscaler.queries.component-pods = \"\"\n",
                        "milvus-autoscaler.queries.component-pods = \"\" (autoscaler.conf:1): must not be empty: the"
                                + " other templates are built on it"),
                Arguments.of("misspelt placeholder in a settle query",
                        "milvus-autoscaler.defaults.settle-query = \"x{c=\\\"{componet}\\\"}\"\n",
                        "unknown placeholder {componet}"),
                // The sim block: validate-config and simulate refused it, run, signals, doctor and backtest ran, and
                // a reload to it counted ok (config audit C2).
                Arguments.of("sim value out of range",
                        "milvus-autoscaler.sim.peak-nodes = 0\n",
                        "milvus-autoscaler.sim.peak-nodes = 0 (autoscaler.conf:1): must be >= 1"),
                // simulate ran its clairvoyant solver out of heap on it (config audit C5).
                Arguments.of("sim startup past a day",
                        "milvus-autoscaler.sim.startup = 100000d\n",
                        "milvus-autoscaler.sim.startup = \"100000d\" (autoscaler.conf:1): must be in [0s, 1d]"),
                // Blamed on the shipped rate-window's reference.conf line, not the line written (config audit C8).
                Arguments.of("sim scrape interval past half the shipped rate window",
                        "milvus-autoscaler.sim.scrape-interval = 1d\n",
                        "milvus-autoscaler.sim.scrape-interval = \"1d\" (autoscaler.conf:1): must be at most half of"
                                + " rate-window (2m, its default): irate() needs two samples"),
                // run failed at bind with exit 1; a well-formed address of another machine still does.
                Arguments.of("bind address that is no address or host name",
                        "milvus-autoscaler.server.bind-address = \"not a host!\"\n",
                        "milvus-autoscaler.server.bind-address = \"not a host!\" (autoscaler.conf:1): must be an IP"
                                + " address or a host name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void refusedAlikeByEveryCommand(String name, String line, String error) throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        Files.writeString(file, line + CLUSTER);
        String conf = file.toString();
        Path out = dir.resolve("out");
        List<String[]> commands = List.of(
                new String[] {"validate-config", conf},
                new String[] {"run", "--config", conf},
                new String[] {"signals", "--config", conf},
                new String[] {"doctor", "--config", conf},
                new String[] {"backtest", "--config", conf, "--from", "-1h", "--out", out.toString()},
                new String[] {"simulate", "--trace", "step", "--config", conf, "--out", out.toString()},
                new String[] {"scale", "--config", conf, "--target", "m/x/queryNode", "--to", "2", "--yes"},
                new String[] {"pause", "--config", conf, "--target", "m/x/queryNode"},
                new String[] {"resume", "--config", conf, "--target", "m/x/queryNode"});
        for (String[] command : commands) {
            Result r = run(command);
            assertEquals(Main.EXIT_USAGE, r.code, name + ", " + command[0] + ": " + r.err + r.out);
            assertTrue(r.err.contains(error), name + ", " + command[0] + " said: " + r.err);
            assertTrue(!r.err.contains("\tat "), name + ", " + command[0] + ": no stack trace: " + r.err);
        }
        assertTrue(!Files.exists(out), "nothing written");
    }

    /**
     * The {@code sim} block is read by {@code simulate} alone, through its own records; {@code validate-config}
     * once accepted {@code peak-nodes = 0} with exit 0 and {@code simulate} then refused the same file.
     */
    @org.junit.jupiter.api.Test
    void aBadSimValueIsRefusedByValidateConfigAsBySimulate() throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        Files.writeString(file, CLUSTER + "milvus-autoscaler.sim.peak-nodes = 0\n");
        refusedByValidateConfigAndSimulate(file, "milvus-autoscaler.sim.peak-nodes = 0 (autoscaler.conf:2): must be >= 1");
    }

    /** validate-config and simulate both refuse {@code file} with {@code error} and exit 2; simulate writes nothing. */
    private void refusedByValidateConfigAndSimulate(Path file, String error) {
        Path out = dir.resolve("out");
        for (String[] command : List.of(new String[] {"validate-config", file.toString()},
                new String[] {"simulate", "--trace", "step", "--config", file.toString(), "--out", out.toString()})) {
            Result r = run(command);
            assertEquals(Main.EXIT_USAGE, r.code, command[0] + ": " + r.err + r.out);
            assertTrue(r.err.contains(error), command[0] + " said: " + r.err);
        }
        assertTrue(!Files.exists(out), "nothing written");
    }

    /**
     * A start above max-replicas was accepted by both and scored as if the lanes could begin there; it is refused
     * against the bounds simulate runs with: the file's queryNode target's own max-replicas (4), not the defaults' 10.
     */
    @org.junit.jupiter.api.Test
    void anInitialReplicasAboveTheSimulatedTargetsMaxIsRefusedByValidateConfigAsBySimulate() throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        Files.writeString(file, CLUSTER.replace("queryNode {}", "queryNode { max-replicas = 4 }")
                + "milvus-autoscaler.sim.initial-replicas = 6\n");
        refusedByValidateConfigAndSimulate(file, "milvus-autoscaler.sim.initial-replicas = 6 (autoscaler.conf:2): must"
                + " be <= max-replicas (4) of the simulated target");
    }

    /**
     * A prometheus.auth.ca-file that cannot be read here: validate-config warns (the Secret may be mounted only in
     * the daemon's pod), and every command that queries Prometheus refuses with that line and exit 2, where signals,
     * doctor and backtest died with a stack trace and run with exit 1. pause and resume do not query it.
     */
    @org.junit.jupiter.api.Test
    void aCaFileThatCannotBeReadIsAWarningToValidateConfigAndRefusedByEveryCommandThatQueriesPrometheus()
            throws Exception {
        Path ca = dir.resolve("ca.pem");
        Files.writeString(ca, "garbage\n");
        Path file = dir.resolve("autoscaler.conf");
        Files.writeString(file, "milvus-autoscaler.prometheus.auth.ca-file = \"" + ca + "\"\n" + CLUSTER);
        String conf = file.toString();
        String error = "milvus-autoscaler.prometheus.auth.ca-file = \"" + ca + "\" (autoscaler.conf:1): must be a"
                + " readable PEM file of CA certificates; it is not a PEM certificate file: ";
        Result validated = run("validate-config", conf);
        assertEquals(Main.EXIT_OK, validated.code, validated.err);
        assertTrue(validated.err.startsWith(conf + ": warning: " + error), validated.err);
        Path out = dir.resolve("out");
        for (String[] command : List.of(
                new String[] {"run", "--config", conf},
                new String[] {"signals", "--config", conf},
                new String[] {"doctor", "--config", conf},
                new String[] {"backtest", "--config", conf, "--from", "-1h", "--out", out.toString()},
                new String[] {"scale", "--config", conf, "--target", "m/x/queryNode", "--to", "2", "--yes"})) {
            Result r = run(command);
            assertEquals(Main.EXIT_USAGE, r.code, command[0] + ": " + r.err + r.out);
            assertTrue(r.err.startsWith(error), command[0] + " said: " + r.err);
            assertEquals(1, r.err.strip().lines().count(), command[0] + ": one line, no stack trace: " + r.err);
        }
        assertTrue(!Files.exists(out), "nothing written");
    }

    /** resilience4j takes a float percentage: 0.4 was rounded to 0 on the way and refused only at start. */
    @org.junit.jupiter.api.Test
    void aFailureRateUnderOnePercentIsValidAndReachesTheBreakerAsWritten() throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        Files.writeString(file, "milvus-autoscaler.prometheus.circuit-breaker.failure-rate-threshold = 0.4\n" + CLUSTER);
        assertEquals(0, run("validate-config", file.toString()).code);
        var endpoint = io.github.milvusautoscaler.config.ConfigLoader.load(file).prometheus();
        assertEquals(0.4f, endpoint.breaker().failureRateThreshold());
    }

    private static Result run(String... args) {
        PrintStream realErr = System.err;
        PrintStream realOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(realErr);
            System.setOut(realOut);
        }
    }

    private record Result(int code, String out, String err) {
    }
}
