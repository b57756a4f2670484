package io.github.milvusautoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.cli.SimulateCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class SimulateCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int simulate(String... args) {
        CommandLine cli = new CommandLine(new SimulateCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void writesReportsChartAndDecisionLogs() throws IOException {
        Path target = dir.resolve("reports/step");
        int code = simulate("--trace", "step", "--policies", "hpa,hpa-milvus", "--out", target.toString());
        assertEquals(0, code, err.toString());
        assertEquals(Set.of("report.json", "report.md", "chart.svg", "chart-worst-day.svg", "decisions-hpa.jsonl",
                "decisions-hpa-milvus.jsonl", ".milvus-autoscaler-report"),
                list(target));
        // The hidden manifest names the command and its files, so a rerun replaces exactly them.
        assertEquals(List.of("milvus-autoscaler simulate", "chart-worst-day.svg", "chart.svg", "decisions-hpa-milvus.jsonl",
                "decisions-hpa.jsonl", "report.json", "report.md"),
                Files.readAllLines(target.resolve(".milvus-autoscaler-report")));
        JsonObject report = JsonParser.parseString(Files.readString(target.resolve("report.json"))).getAsJsonObject();
        assertEquals("step", report.get("trace").getAsString());
        assertEquals(21600, report.get("simulatedSeconds").getAsLong());
        assertEquals(2, report.getAsJsonArray("results").size());
        // The header names the sample age as an SRE writes it, not as 7500ms.
        assertTrue(Files.readString(target.resolve("report.md")).contains("samples 7.5s before the ticks (sim.sample-age)"));
        List<String> lines = Files.readAllLines(target.resolve("decisions-hpa.jsonl"), StandardCharsets.UTF_8);
        assertTrue(lines.size() > 2 && lines.size() < 1440, "actions and reason changes only, not every tick: " + lines.size());
        JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals(List.of("time", "target", "action", "from", "to", "reason", "stage", "message", "signals",
                "dryRun", "written"), new ArrayList<>(first.keySet()));
        assertTrue(lines.stream().map(l -> JsonParser.parseString(l).getAsJsonObject())
                .filter(o -> !o.get("action").getAsString().equals("HOLD"))
                .allMatch(o -> o.get("written").getAsBoolean()), "applied actions are written");
        assertEquals("2024-01-01T00:00:00Z", first.get("time").getAsString(), "simulated time, not wall time");
        assertEquals("sim/step/queryNode", first.get("target").getAsString());
        String stdout = out.toString();
        assertTrue(stdout.contains("policy") && stdout.contains("hpa-milvus") && stdout.contains("overload s"), stdout);
        assertTrue(stdout.contains("x clairvoyant") && stdout.contains("Clairvoyant bound"), stdout);
        assertTrue(Files.readString(target.resolve("chart.svg")).contains("hpa-milvus: capacity, replicas"));
        // A 6-hour trace is all one "day": drawn whole at 5-minute points, where its 1,440 points are too dense to mark.
        assertTrue(Files.readString(target.resolve("chart-worst-day.svg")).contains(
                "step: the whole trace at 5-minute points, from 2024-01-01 00:00 UTC"));
        assertTrue(Files.readString(target.resolve("report.md")).contains(
                "![the whole trace at 5-minute points, every scale action marked](chart-worst-day.svg)"));
    }

    /**
     * A trace of a few hours, too dense for chart.svg to mark its actions (720 ticks of 15 s), is drawn whole on
     * chart-worst-day.svg at 5-minute points as its title says: 3 hours are 36 of 20 ticks, where it drew 288 of 2-3
     * ticks titled "at 5-minute points" (recheck 97, F1).
     */
    @Test
    void aTraceOfAFewHoursIsDrawnWholeAtFiveMinutePoints() throws IOException {
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        for (int i = 0; i <= 36; i++) {
            csv.append(String.format("2024-03-04 %02d:%02d:00,%.1f%n", i * 5 / 60, i * 5 % 60,
                    1000 + 800 * Math.sin(i / 6.0)));
        }
        Path trace = dir.resolve("short3h.csv");
        Files.writeString(trace, csv.toString());
        Path out = dir.resolve("short3h");
        assertEquals(0, simulate("--trace", trace.toString(), "--policies", "milvus-autoscaler", "--out",
                out.toString()), err.toString());
        String day = Files.readString(out.resolve("chart-worst-day.svg"));
        assertTrue(day.contains("short3h: the whole trace at 5-minute points, from 2024-03-04 00:00 UTC"), day);
        assertTrue(day.contains("36 points, each the mean (or peak) of 20 ticks of 15 s (5 min)"),
                day.substring(0, 900));
    }

    /**
     * A trace short enough that chart.svg marks every scale action (80 ticks of 15 s) gets no chart-worst-day.svg: it
     * drew the same 20 minutes again titled "the worst day" (recheck 92's remark).
     */
    @Test
    void aShortTraceHasNoWorstDayChart() throws IOException {
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 20; i++) {
            csv.append(String.format("2014-04-10 00:%02d:00,%s%n", i, i < 10 ? "50.0" : "400.0"));
        }
        Path trace = dir.resolve("short20.csv");
        Files.writeString(trace, csv.toString());
        Path out = dir.resolve("short20");
        assertEquals(0, simulate("--trace", trace.toString(), "--policies", "hpa", "--out", out.toString()),
                err.toString());
        assertFalse(Files.exists(out.resolve("chart-worst-day.svg")), list(out).toString());
        assertFalse(Files.readString(out.resolve("report.md")).contains("chart-worst-day.svg"));
        String chart = Files.readString(out.resolve("chart.svg"));
        assertFalse(chart.contains("marked on the worst-day chart"), chart.substring(0, 600));
        assertTrue(chart.contains("class=\"scale-out\""), "chart.svg marks the actions itself");
    }

    @Test
    void anExistingOutDirectoryKeepsOtherFiles() throws IOException {
        Path target = Files.createDirectories(dir.resolve("out"));
        Files.writeString(target.resolve("notes.txt"), "mine");
        assertEquals(0, simulate("--trace", "ramp", "--policies", "hpa", "--out", target.toString()), err.toString());
        assertEquals("mine", Files.readString(target.resolve("notes.txt")));
        assertTrue(Files.exists(target.resolve("report.json")));
    }

    /**
     * A rerun into the same folder is that run's report alone: a decision log of a policy the rerun no longer
     * compares used to stay beside the new report and read as part of it. Files simulate does not write stay.
     */
    @Test
    void aSecondRunReplacesTheFirstRunsFilesAndKeepsOthers() throws IOException {
        Path target = Files.createDirectories(dir.resolve("out"));
        Files.writeString(target.resolve("notes.txt"), "mine");
        Files.writeString(target.resolve("decisions.txt"), "mine too");
        assertEquals(0, simulate("--trace", "step", "--policies", "hpa,hpa-milvus", "--out", target.toString()), err.toString());
        assertTrue(Files.exists(target.resolve("decisions-hpa-milvus.jsonl")));
        assertEquals(0, simulate("--trace", "ramp", "--policies", "hpa", "--out", target.toString()), err.toString());
        Path fresh = dir.resolve("fresh");
        assertEquals(0, simulate("--trace", "ramp", "--policies", "hpa", "--out", fresh.toString()), err.toString());
        Set<String> expected = new TreeSet<>(list(fresh));
        expected.addAll(List.of("notes.txt", "decisions.txt"));
        assertEquals(expected, list(target), "the second run's files and the foreign ones, nothing of the first run");
        assertFalse(Files.exists(target.resolve("decisions-hpa-milvus.jsonl")));
        assertEquals("mine", Files.readString(target.resolve("notes.txt")));
        assertEquals("mine too", Files.readString(target.resolve("decisions.txt")));
        JsonObject report = JsonParser.parseString(Files.readString(target.resolve("report.json"))).getAsJsonObject();
        assertEquals("ramp", report.get("trace").getAsString());
        assertEquals(Files.readString(fresh.resolve("decisions-hpa.jsonl")), Files.readString(target.resolve("decisions-hpa.jsonl")));
    }

    /**
     * An --out that cannot be created or written is refused before the simulation starts (the spy policy's
     * factory runs at the start of a run), with its path and the OS's reason; it used to fail after the whole
     * run with exit 1 and the bare path.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "parent is a file   | FILE:taken/out    | not a directory",
        "mkdir refused      | /proc/sim-out     | no such file or directory",
        "directory refuses  | /sys              | permission denied",
    })
    void anUnusableOutIsRefusedBeforeSimulating(String name, String path, String reason) throws IOException {
        Files.writeString(dir.resolve("taken"), "keep");
        Path target = path.startsWith("FILE:") ? dir.resolve(path.substring(5)) : Path.of(path);
        // The build machines run Linux; a machine without /proc and /sys fails here rather than skipping.
        assertTrue(path.startsWith("FILE:") || Files.isDirectory(target.getParent()),
                "this case needs Linux's /proc and /sys: " + target.getParent());
        java.util.concurrent.atomic.AtomicBoolean simulated = new java.util.concurrent.atomic.AtomicBoolean();
        SimPolicies spy = SimPolicies.builtIn().register("spy", ctx -> {
            simulated.set(true);
            return HpaPolicy.kubernetesDefault("spy", ctx);
        });
        CommandLine cli = new CommandLine(new SimulateCommand(spy));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("--trace", "step", "--policies", "spy", "--out", target.toString());
        assertEquals(2, code, err.toString());
        assertEquals("simulate: cannot write to --out " + target + ": " + reason, err.toString().strip());
        assertFalse(simulated.get(), "refused before simulating");
        assertEquals("", out.toString());
        assertEquals("keep", Files.readString(dir.resolve("taken")));
        assertEquals(Set.of("taken"), list(dir), "nothing written");
    }

    /**
     * A folder that goes away during the run fails when the reports are moved in: exit 1, one line with the
     * OS's reason (it used to be the bare path), and no half report left behind.
     */
    @Test
    void aWriteFailureAfterTheRunNamesTheOsReason() throws IOException {
        Path target = dir.resolve("out");
        SimPolicies vanishing = SimPolicies.builtIn().register("vanishing", ctx -> {
            try {
                Files.delete(target);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return HpaPolicy.kubernetesDefault("vanishing", ctx);
        });
        CommandLine cli = new CommandLine(new SimulateCommand(vanishing));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("--trace", "step", "--policies", "vanishing", "--out", target.toString());
        assertEquals(1, code, err.toString());
        String message = err.toString().strip();
        assertFalse(message.contains("\n"), message);
        assertTrue(message.startsWith("simulate: cannot write the reports to " + target + ": " + target + "/")
                && message.endsWith(": no such file or directory"), message);
        assertFalse(Files.exists(target), "nothing written");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown trace name     | --trace nope                                | unknown trace 'nope'",
        "missing file           | --trace FILE:missing.csv                    | cannot read trace file",
        "a directory            | --trace FILE:                               | not a readable regular file",
        "bad CSV row            | --trace FILE:bad.csv                        | bad.csv line 3: value 'lots' is not a number",
        "peak nodes below 1     | --trace step --peak-nodes 0                 | --peak-nodes must be >= 1, was 0",
        "unknown policy         | --trace step --policies hpa,nope            | unknown policy 'nope'; known policies: milvus-autoscaler, hpa, hpa-milvus, clairvoyant, clairvoyant-no-hot",
        "policy twice           | --trace step --policies hpa,hpa             | --policies names 'hpa' twice",
        "unknown component      | --trace step --component coordinator       | unknown component 'coordinator'",
        "compress not positive  | --trace step --compress 0                   | --compress must be a number > 0",
        "missing config file    | --trace step --config FILE:none.conf        | none.conf: file not found",
        "bad config value       | --trace step --config FILE:bad.conf         | milvus-autoscaler.sim.capacity-qps = -5 (bad.conf:1): must be > 0",
        "all-zero trace         | --trace FILE:zero.csv                       | is zero everywhere",
        "ticks beyond memory    | --trace step --compress 0.1 --config FILE:tick.conf | step at sim.tick 1ms is 216,000,000 ticks; at most 50,000,000 fit in memory",
        "compressed to nothing  | --trace step --compress 1e9                 | step spans 0.0000216s after --compress 1000000000, less than two ticks of sim.tick 15s: nothing to simulate",
        "shorter than two ticks | --trace FILE:short.csv                      | short spans 20s, less than two ticks of sim.tick 15s",
    })
    void badInputExitsTwoWithOneLineAndWritesNothing(String name, String args, String expected) throws IOException {
        Files.writeString(dir.resolve("bad.csv"), "timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:01:00,lots\n");
        Files.writeString(dir.resolve("zero.csv"), "timestamp,value\n2024-01-01 00:00:00,0\n2024-01-01 00:01:00,0\n");
        Files.writeString(dir.resolve("short.csv"), "timestamp,value\n2024-01-01 00:00:00,5\n2024-01-01 00:00:20,6\n");
        Files.writeString(dir.resolve("bad.conf"), "milvus-autoscaler.sim.capacity-qps = -5\n");
        Files.writeString(dir.resolve("tick.conf"), "milvus-autoscaler.sim.tick = 1ms\n");
        Path target = dir.resolve("out");
        List<String> argv = new ArrayList<>();
        for (String a : args.trim().split("\\s+")) {
            argv.add(a.startsWith("FILE:") ? dir.resolve(a.substring(5)).toString() : a);
        }
        if (!argv.contains("--policies")) {
            argv.addAll(List.of("--policies", "hpa,hpa-milvus"));
        }
        argv.addAll(List.of("--out", target.toString()));
        int code = simulate(argv.toArray(String[]::new));
        assertEquals(2, code, err.toString());
        String message = err.toString().strip();
        assertFalse(message.contains("\n"), "one line: " + message);
        assertTrue(message.startsWith("simulate: ") && message.contains(expected), message);
        assertFalse(Files.exists(target), "nothing written to --out");
        assertEquals("", out.toString());
    }

    /**
     * A trace whose rows skip 2h58m15s (a backtest export where qps was unknown for that long) is refused naming the
     * lines, as the straight line across it would be load nobody measured; --interpolate-gaps simulates that line and
     * the report says so (audit-input F1: it was simulated silently).
     */
    @Test
    void aHoleInTheTraceIsRefusedUnlessInterpolatedKnowingly() throws IOException {
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        java.time.LocalDateTime t0 = java.time.LocalDateTime.of(2026, 12, 4, 0, 0);
        java.time.format.DateTimeFormatter row = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");
        for (int i = 0; i < 2000; i++) {
            if (i < 800 || i >= 1512) {
                csv.append(row.format(t0.plusSeconds(15L * i))).append(',').append(100 + i % 7).append('\n');
            }
        }
        Path trace = dir.resolve("export.csv");
        Files.writeString(trace, csv.toString());
        Path refused = dir.resolve("refused");
        assertEquals(2, simulate("--trace", trace.toString(), "--policies", "hpa", "--out", refused.toString()),
                err.toString());
        assertTrue(err.toString().contains("export.csv line 802: 2026-12-04 06:18:00 is 2h58m15s after line 801"
                + " (2026-12-04 03:19:45), more than 3x the trace's usual step of 15s and than 10m: a hole in the trace"),
                err.toString());
        assertTrue(err.toString().contains("pass --interpolate-gaps"), err.toString());
        assertFalse(Files.exists(refused), "nothing written");

        Path drawn = dir.resolve("drawn");
        assertEquals(0, simulate("--trace", trace.toString(), "--policies", "hpa", "--interpolate-gaps", "--out",
                drawn.toString()), err.toString());
        assertTrue(Files.readString(drawn.resolve("report.md")).contains("Note: " + trace + " has a hole of 2h58m15s"
                + " after line 801 (rows more than 3x its usual step of 15s and 10m apart), simulated as the straight line"
                + " between their rows (--interpolate-gaps)"), Files.readString(drawn.resolve("report.md")));
        assertTrue(Files.readString(drawn.resolve("chart.svg")).contains("export: load, capacity and replicas per policy"
                + " (1 hole in the trace drawn as a straight line, --interpolate-gaps)"), "the chart's title says so");
        // report.json carries it too, for a tool that reads only that.
        JsonObject report = JsonParser.parseString(Files.readString(drawn.resolve("report.json"))).getAsJsonObject();
        assertTrue(report.getAsJsonArray("notes").get(0).getAsString().startsWith(trace + " has a hole of 2h58m15s"),
                report.toString());
    }

    /** A trace whose peak is one glitched row is said on stderr and in report.md (recheck 82: it ran silently). */
    @Test
    void aLonePeakIsSaid() throws IOException {
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 400; i++) {
            csv.append(String.format("2014-04-10 %02d:%02d:00,%s%n", i / 60, i % 60, i == 200 ? "1e300" : "94.0"));
        }
        Path trace = dir.resolve("elb.csv");
        Files.writeString(trace, csv.toString());
        Path out = dir.resolve("lone");
        assertEquals(0, simulate("--trace", trace.toString(), "--policies", "hpa", "--out", out.toString()),
                err.toString());
        String note = "trace elb's peak, 1.00e+300 at 2014-04-10T03:20:00Z, is 1.06e+298 times the other rows' 99th percentile (94.0)";
        assertTrue(err.toString().contains("simulate: " + note), err.toString());
        assertTrue(Files.readString(out.resolve("report.md")).contains("Note: " + note), err.toString());
    }

    /** A peak beyond what max-replicas serve is said on stderr and in report.md (audit-input F11: it ran silently). */
    @Test
    void aPeakBeyondMaxReplicasIsSaid() throws IOException {
        Path target = dir.resolve("big-peak");
        assertEquals(0, simulate("--trace", "step", "--peak-nodes", "12", "--policies", "hpa", "--out", target.toString()),
                err.toString());
        String note = "the peak needs 12 nodes at 100% CPU (--peak-nodes or sim.peak-nodes), more than max-replicas 10"
                + " can serve: every policy overloads at the peak whatever it does";
        assertTrue(err.toString().contains("simulate: " + note), err.toString());
        assertTrue(Files.readString(target.resolve("report.md")).contains("Note: " + note), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(0, simulate("--trace", "step", "--peak-nodes", "10", "--policies", "hpa", "--out",
                dir.resolve("fits").toString()));
        assertFalse(err.toString().contains("the peak needs"), err.toString());
    }

    /**
     * A heap too small for the trace ends in one line and exit 1, not a stack trace (alerts/input recheck NEW-3): a lane
     * that runs out of memory at its first tick stands in for a trace too large for a small container's JVM.
     */
    @Test
    void runningOutOfMemoryIsOneLineAndExitOne() {
        SimPolicies registry = SimPolicies.builtIn().register("greedy", context -> new SimPolicy() {
            @Override
            public String name() {
                return "greedy";
            }

            @Override
            public io.github.milvusautoscaler.core.Decision tick(io.github.milvusautoscaler.core.Observation observation,
                    io.github.milvusautoscaler.core.ReplicaStatus status, java.time.Instant now) {
                throw new OutOfMemoryError("Java heap space");
            }
        });
        CommandLine cli = new CommandLine(new SimulateCommand(registry));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        assertEquals(1, cli.execute("--trace", "step", "--policies", "greedy", "--out", dir.resolve("oom").toString()));
        assertTrue(err.toString().startsWith("simulate: out of memory: the JVM's heap (") && err.toString().contains(
                "MiB, java -Xmx) is too small for this trace"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }

    /** Two bad settings are two lines, as validate-config and run print them; they were joined with "; ". */
    @Test
    void eachConfigProblemIsALineOfItsOwn() throws IOException {
        Path conf = Files.writeString(dir.resolve("two.conf"), "milvus-autoscaler.defaults.min-replicas = 0\n"
                + "milvus-autoscaler.defaults.scale-in.sustain = -1m\n");
        assertEquals(2, simulate("--trace", "step", "--config", conf.toString(), "--out", dir.resolve("o").toString()));
        List<String> lines = err.toString().lines().toList();
        assertEquals(2, lines.size(), err.toString());
        assertTrue(lines.get(0).startsWith("simulate: milvus-autoscaler.defaults.") && lines.get(0).contains("two.conf:"),
                err.toString());
        assertTrue(lines.get(1).startsWith("simulate: milvus-autoscaler.defaults.") && lines.get(1).contains("two.conf:"),
                err.toString());
    }

    @Test
    void anOutPathThatIsAFileIsRefusedAndLeftAlone() throws IOException {
        Path file = Files.writeString(dir.resolve("taken"), "keep");
        assertEquals(2, simulate("--trace", "step", "--policies", "hpa", "--out", file.toString()));
        assertTrue(err.toString().contains("exists and is not a directory"), err.toString());
        assertEquals("keep", Files.readString(file));
    }

    /**
     * A folder holding a backtest's report is refused before simulating, naming its files, and left whole: its
     * decision logs (decisions-<namespace>_<name>_<component>.jsonl) used to be deleted as "an earlier run's", and its
     * report.md replaced. The manifest is what backtest writes there (OutputDirectory.MANIFEST).
     */
    @Test
    void aBacktestsFolderIsRefusedAndLeftWhole() throws IOException {
        Path rehearsal = Files.createDirectories(dir.resolve("rehearsal"));
        Files.writeString(rehearsal.resolve("report.md"), "backtest report");
        Files.writeString(rehearsal.resolve("decisions-milvus_prod_queryNode.jsonl"), "{}");
        Files.writeString(rehearsal.resolve(".milvus-autoscaler-report"),
                "milvus-autoscaler backtest\ndecisions-milvus_prod_queryNode.jsonl\nreport.md\n");
        assertEquals(2, simulate("--trace", "step", "--policies", "hpa", "--out", rehearsal.toString()));
        assertEquals("simulate: --out " + rehearsal + " holds a backtest report (decisions-milvus_prod_queryNode.jsonl,"
                + " report.md): give another folder or remove them", err.toString().strip());
        assertEquals(Set.of(".milvus-autoscaler-report", "report.md", "decisions-milvus_prod_queryNode.jsonl"),
                list(rehearsal));
        assertEquals("backtest report", Files.readString(rehearsal.resolve("report.md")));
        assertEquals("", out.toString());
    }

    @Test
    void missingRequiredOptionsAreUsageErrors() {
        assertEquals(2, simulate("--trace", "step"));
        assertTrue(err.toString().contains("--out"), err.toString());
    }

    private static Set<String> list(Path d) throws IOException {
        try (Stream<Path> files = Files.list(d)) {
            return new TreeSet<>(files.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static int maxReplicasWritten(Path decisions) throws IOException {
        return Files.readAllLines(decisions, StandardCharsets.UTF_8).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject())
                .filter(o -> !o.get("to").isJsonNull())
                .mapToInt(o -> o.get("to").getAsInt()).max().orElse(0);
    }

    @Test
    void aConfiguredTargetIsSimulatedWithItsOwnClusterSettings() throws IOException {
        // The step scenario at 8 peak nodes takes the default policy well past 3 replicas ...
        Path plain = dir.resolve("plain");
        assertEquals(0, simulate("--trace", "step", "--policies", "milvus-autoscaler", "--out", plain.toString()),
                err.toString());
        assertTrue(maxReplicasWritten(plain.resolve("decisions-milvus-autoscaler.jsonl")) > 3);
        // ... a cluster's own max-replicas = 3, as run would apply it, caps the simulated lane there.
        Path conf = dir.resolve("autoscaler.conf");
        Files.writeString(conf, """
                milvus-autoscaler.clusters = [{ namespace = milvus, name = prod, install = helm, milvus-version = "2.5.6",
                  components { queryNode { max-replicas = 3 } } }]
                """);
        Path capped = dir.resolve("capped");
        assertEquals(0, simulate("--trace", "step", "--policies", "milvus-autoscaler", "--config", conf.toString(),
                "--out", capped.toString()), err.toString());
        assertEquals(3, maxReplicasWritten(capped.resolve("decisions-milvus-autoscaler.jsonl")));
        assertTrue(Files.readString(capped.resolve("decisions-milvus-autoscaler.jsonl")).contains("milvus/prod/queryNode"),
                "decisions name the configured target");
    }

    /**
     * A file whose targets are all of another component is simulated with its defaults for the asked component,
     * and says so on stderr and in report.md (it ran silently on a default queryNode; SRE audit L13).
     */
    @Test
    void aFileWithoutATargetOfTheComponentSaysWhatIsSimulated() throws IOException {
        Path conf = dir.resolve("index.conf");
        Files.writeString(conf, """
                milvus-autoscaler.clusters = [{ namespace = a, name = b, install = helm, milvus-version = "2.5.6",
                  components { indexNode {} } }]
                """);
        Path out = dir.resolve("no-target");
        assertEquals(0, simulate("--trace", "step", "--policies", "milvus-autoscaler", "--config", conf.toString(),
                "--out", out.toString()), err.toString());
        String note = conf + " configures no queryNode target (its targets: [a/b/indexNode]); simulating a queryNode"
                + " with the file's defaults and component-defaults: name a target with --target, or its component"
                + " with --component";
        assertTrue(err.toString().contains("simulate: " + note), err.toString());
        assertTrue(Files.readString(out.resolve("report.md")).contains("Note: " + note), "report.md says so");
    }

    /**
     * The autoscaler lane runs the file's scheduled floors, and stderr and report.md say so, with the zone the trace's
     * instants are read in and the lanes that have none: a run with a floor differed from one without only in its
     * numbers (recheck 101, F3). The step scenario starts 2024-01-01 00:00 UTC (Scenarios.START); a daily
     * 00:00-01:00 UTC floor of 6 writes 6 on the first tick.
     */
    @Test
    void aScheduledFloorIsSaidAndRun() throws IOException {
        Path conf = dir.resolve("floor.conf");
        Files.writeString(conf, """
                milvus-autoscaler.component-defaults.queryNode.scheduled = [
                  { days = daily, from = "00:00", to = "01:00", time-zone = UTC, min-replicas = 6 } ]
                """);
        Path out = dir.resolve("floor");
        assertEquals(0, simulate("--trace", "step", "--policies", "milvus-autoscaler", "--config", conf.toString(),
                "--out", out.toString()), err.toString());
        String note = "the milvus-autoscaler lane runs its scheduled floors (daily 00:00-01:00 UTC min-replicas 6) at"
                + " the trace's timestamps read as UTC; the HPA lanes and the clairvoyant bound have none";
        assertTrue(err.toString().contains("simulate: " + note), err.toString());
        assertTrue(Files.readString(out.resolve("report.md")).contains("Note: " + note), "report.md says so");
        assertTrue(Files.readString(out.resolve("decisions-milvus-autoscaler.jsonl")).contains("\"reason\":\"SCHEDULED_FLOOR\""));
    }

    /**
     * Whatever validate-config accepts, simulate runs: a signal the model does not produce (read-queue, enabled in
     * the shipped example) is left out of the run with the line that enables it, on stderr and in report.md, as
     * the daemon leaves out a signal that does not apply; kept, it would read UNKNOWN and hold every step-down.
     */
    @Test
    void anEnabledSignalTheSimulatorDoesNotModelIsLeftOutNamingItsLine() throws IOException {
        Path conf = dir.resolve("autoscaler.conf");
        Files.writeString(conf, """
                milvus-autoscaler {
                  component-defaults.queryNode.signals.read-queue.enabled = true
                }
                """);
        Path out = dir.resolve("left-out");
        assertEquals(0, simulate("--trace", "step", "--policies", "milvus-autoscaler", "--config", conf.toString(),
                "--out", out.toString()), err.toString());
        String note = "signals.read-queue.enabled = true (autoscaler.conf:2) for the simulated queryNode: the simulator"
                + " models cpu, memory and qps only, so read-queue is left out of this run's decisions";
        assertTrue(err.toString().contains("simulate: " + note), err.toString());
        assertTrue(Files.readString(out.resolve("report.md")).contains("Left out: " + note), "report.md says so");
        String log = Files.readString(out.resolve("decisions-milvus-autoscaler.jsonl"));
        assertFalse(log.contains("read-queue"), "decided without it");
        // The same run with read-queue kept would hold every step-down: the lane steps down here.
        assertTrue(log.contains("\"SIGNALS_LOW\""), "steps down on the modelled signals");
    }

    /** A signal enabled on one cluster's component (inside the clusters list) is named with its line too. */
    @Test
    void aSignalEnabledOnAClustersComponentIsNamedWithItsLine() throws IOException {
        Path conf = dir.resolve("autoscaler.conf");
        Files.writeString(conf, """
                milvus-autoscaler.clusters = [{ namespace = milvus, name = prod, install = helm, milvus-version = "2.5.6",
                  components { queryNode {
                    signals.search-latency-p99 { enabled = true }
                  } } }]
                """);
        assertEquals(0, simulate("--trace", "step", "--policies", "milvus-autoscaler", "--config", conf.toString(),
                "--out", dir.resolve("cluster").toString()), err.toString());
        assertTrue(err.toString().contains("simulate: signals.search-latency-p99.enabled = true (autoscaler.conf:3) for"
                + " milvus/prod/queryNode"), err.toString());
    }

    @Test
    void aPolicyWithNoModelledSignalIsRefusedNamingItsLines() throws IOException {
        Path conf = dir.resolve("autoscaler.conf");
        Files.writeString(conf, """
                milvus-autoscaler.component-defaults.queryNode.signals {
                  cpu.enabled = false
                  memory.enabled = false
                  qps.enabled = false
                  read-queue.enabled = true
                }
                """);
        Path out = dir.resolve("never");
        assertEquals(2, simulate("--trace", "step", "--config", conf.toString(), "--out", out.toString()));
        assertTrue(err.toString().contains("signals.read-queue.enabled = true (autoscaler.conf:5)"), err.toString());
        assertTrue(err.toString().contains("no signal the simulator models is enabled for the simulated queryNode"),
                err.toString());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void anUnknownOrAmbiguousTargetIsRefused() throws IOException {
        Path conf = dir.resolve("autoscaler.conf");
        Files.writeString(conf, """
                milvus-autoscaler.clusters = [
                  { namespace = a, name = one, install = helm, milvus-version = "2.5.6", components { queryNode {} } }
                  { namespace = b, name = two, install = helm, milvus-version = "2.5.6", components { queryNode {} } }
                ]
                """);
        assertEquals(2, simulate("--trace", "step", "--config", conf.toString(), "--target", "a/nope/queryNode",
                "--out", dir.resolve("x").toString()));
        assertTrue(err.toString().contains("--target a/nope/queryNode is not configured"), err.toString());
        assertEquals(2, simulate("--trace", "step", "--config", conf.toString(), "--out", dir.resolve("y").toString()));
        assertTrue(err.toString().contains("configures 2 queryNode targets; name one with --target"), err.toString());
        assertEquals(0, simulate("--trace", "step", "--policies", "milvus-autoscaler", "--config", conf.toString(),
                "--target", "b/two/queryNode", "--out", dir.resolve("z").toString()), err.toString());
    }
}
