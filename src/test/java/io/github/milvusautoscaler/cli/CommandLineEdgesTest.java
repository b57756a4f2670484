package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The command line's edges: usage errors exit 2, includes of a bare file name, progress only on a terminal. */
class CommandLineEdgesTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"bogus", "run", "validate-config", "'run --config'", "'simulate --trace'", "scale", "'scale --config x.conf --target a/b/queryNode'",
        "'scale --config x.conf --target a/b/queryNode --to many'", "'scale --config x.conf --target a/b/queryNode --to 1 --poll-interval soon'",
        "pause", "resume"})
    void everyUsageErrorExitsTwo(String args) {
        PrintStream realErr = System.err;
        PrintStream realOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            code = Main.execute(args.split(" "));
        } finally {
            System.setErr(realErr);
            System.setOut(realOut);
        }
        assertEquals(Main.EXIT_USAGE, code, err.toString(StandardCharsets.UTF_8));
        assertFalse(err.toString(StandardCharsets.UTF_8).isBlank(), "says what is wrong");
    }

    /**
     * {@code clusters = []} is a valid config (README: the way to stop every target; {@code run} runs it), so every
     * command that takes it runs: signals, doctor and backtest say there is nothing to do and exit 0, where they said
     * "no target configured" and exited 2, a bad config, on what validate-config accepted (recheck 31, F3). Prometheus
     * is unreachable here: none of them needs it to say so, and backtest writes nothing.
     */
    @Test
    void aConfigWithNoClustersIsNothingToDoForEveryCommand() throws Exception {
        Path config = dir.resolve("autoscaler.conf");
        Files.writeString(config, "milvus-autoscaler {\n  prometheus.url = \"http://127.0.0.1:1\"\n  clusters = []\n}\n");
        Path out = dir.resolve("report");
        for (String[] command : List.of(new String[] {"validate-config", config.toString()},
                new String[] {"signals", "--config", config.toString()},
                new String[] {"doctor", "--config", config.toString()},
                new String[] {"backtest", "--config", config.toString(), "--from", "-1h", "--out", out.toString()})) {
            StringWriter said = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = new CommandLine(new Main());
            cli.setOut(new PrintWriter(said, true));
            cli.setErr(new PrintWriter(err, true));
            int code = cli.execute(command);
            assertEquals(Main.EXIT_OK, code, command[0] + ": " + err);
            if (!command[0].equals("validate-config")) {
                assertEquals(command[0] + ": the config names no cluster (clusters = [] or none): nothing to "
                        + Map.of("signals", "read", "doctor", "check", "backtest", "replay").get(command[0]),
                        said.toString().strip());
                assertEquals("", err.toString());
            }
        }
        assertFalse(Files.exists(out), "backtest wrote nothing");
    }

    /** validate-config takes its file as every other command does too, once (recheck 36: "Unknown option: '--config'"). */
    @Test
    void validateConfigTakesTheFileAsConfigToo() throws Exception {
        Path config = dir.resolve("autoscaler.conf");
        Files.writeString(config, "milvus-autoscaler {\n  prometheus.url = \"http://127.0.0.1:1\"\n  clusters = []\n}\n");
        for (String[] args : List.of(new String[] {"validate-config", "--config", config.toString()},
                new String[] {"validate-config", config.toString(), "--config", config.toString()})) {
            StringWriter said = new StringWriter();
            CommandLine cli = new CommandLine(new Main());
            cli.setOut(new PrintWriter(said, true));
            cli.setErr(new PrintWriter(said, true));
            int code = cli.execute(args);
            boolean both = args.length == 4;
            assertEquals(both ? Main.EXIT_USAGE : Main.EXIT_OK, code, said.toString());
            assertTrue(said.toString().contains(both ? "give the file once: FILE or --config FILE, not both"
                    : "valid, 0 targets"), said.toString());
        }
    }

    /**
     * An unknown command names the near ones (the first three letters shared) and lists them all; picocli's own
     * suggestion offered "resume" for "nosuchcmd" (SRE audit L20).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "nosuchcmd | milvus-autoscaler: unknown command 'nosuchcmd'",
        "simulat   | milvus-autoscaler: unknown command 'simulat'; did you mean simulate?",
        "sig       | milvus-autoscaler: unknown command 'sig'; did you mean signals?",
        "sc        | milvus-autoscaler: unknown command 'sc'"})
    void anUnknownCommandNamesOnlyNearOnesAndListsThemAll(String word, String first) {
        PrintStream realErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.execute(word);
        } finally {
            System.setErr(realErr);
        }
        String[] lines = err.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(Main.EXIT_USAGE, code);
        assertEquals(first, lines[0].strip());
        assertTrue(lines[1].startsWith("commands: demo, run, signals, doctor, backtest, validate-config, simulate,"),
                lines[1]);
    }

    /** No command at all is bad usage (exit 2, usage on stderr), as README says; asking for help is not. */
    @Test
    void theBareCommandIsAUsageErrorButHelpIsNot() {
        PrintStream realErr = System.err;
        PrintStream realOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int bare;
        int help;
        String bareErr;
        String bareOut;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            bare = Main.execute();
            bareErr = err.toString(StandardCharsets.UTF_8);
            bareOut = out.toString(StandardCharsets.UTF_8);
            err.reset();
            out.reset();
            help = Main.execute("--help");
        } finally {
            System.setErr(realErr);
            System.setOut(realOut);
        }
        assertEquals(Main.EXIT_USAGE, bare, bareErr);
        assertTrue(bareErr.startsWith("Missing command: give one of demo, run, signals"), bareErr);
        assertTrue(bareErr.contains("Usage: milvus-autoscaler"), bareErr);
        assertEquals("", bareOut, "nothing on stdout");
        assertEquals(Main.EXIT_OK, help, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Usage: milvus-autoscaler"));
    }

    /** Every subcommand's help offers -V: it prints the version, as the top command's does (recheck 16, finding 5). */
    @Test
    void everySubcommandsVersionOptionPrintsTheVersion() {
        CommandLine main = new CommandLine(new Main());
        String version = String.join("\n", main.getCommandSpec().version());
        assertTrue(version.startsWith("milvus-autoscaler "), version);
        PrintStream realOut = System.out;
        try {
            for (String command : main.getSubcommands().keySet()) {
                if (command.equals("help")) {
                    continue;
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                assertEquals(Main.EXIT_OK, Main.execute(command, "-V"), command);
                assertEquals(version, out.toString(StandardCharsets.UTF_8).strip(), command + " -V");
            }
        } finally {
            System.setOut(realOut);
        }
    }

    /**
     * Every option a command's --help offers is named somewhere in README.md: simulate's --compress, --seed and
     * --component were in --help only (recheck 16, finding 6).
     */
    @Test
    void everyOptionOfEveryCommandIsInTheReadme() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> missing = new java.util.ArrayList<>();
        for (Map.Entry<String, CommandLine> c : new CommandLine(new Main()).getSubcommands().entrySet()) {
            for (CommandLine.Model.OptionSpec option : c.getValue().getCommandSpec().options()) {
                String name = option.longestName();
                if (option.usageHelp() || option.versionHelp() || option.hidden() || !name.startsWith("--")) {
                    continue;
                }
                String bare = name.replaceFirst("^--\\[no-\\]", "--");
                if (!readme.contains(bare + " ") && !readme.contains(bare + "=") && !readme.contains(bare + "`")
                        && !readme.contains(bare + "]") && !readme.contains(bare.replaceFirst("^--", "--[no-]"))) {
                    missing.add(c.getKey() + " " + name);
                }
            }
        }
        assertEquals(List.of(), missing, "options in --help that README.md never names");
    }

    /** backtest's --help names every signal --rescale-load re-divides: it left memory out (backtest audit B4). */
    @Test
    void backtestsHelpNamesEverySignalItRescales() {
        String help = new CommandLine(new Main()).getSubcommands().get("backtest").getUsageMessage(CommandLine.Help.Ansi.OFF)
                .replaceAll("\\s+", " ");
        String option = help.substring(help.indexOf("--rescale-load Re-divide"), help.indexOf("--rescale-load Re-divide") + 200);
        for (String signal : io.github.milvusautoscaler.sim.Backtest.RESCALED) {
            assertTrue(option.matches("(?s).*\\b" + signal + "\\b.*"), signal + " in " + option);
        }
    }

    /**
     * Every command's {@code --help} ends with its exit codes, as a script writer reads them, and names no code the
     * README's table of commands leaves out for it: the two are written separately and would drift apart.
     */
    @Test
    void everyCommandsHelpNamesItsExitCodesAsTheReadmeDoes() throws Exception {
        CommandLine main = new CommandLine(new Main());
        List<String> table = Files.readAllLines(Path.of("README.md")).stream()
                .dropWhile(l -> !l.equals("## Commands")).takeWhile(l -> !l.startsWith("Across the tool"))
                .filter(l -> l.startsWith("| `")).toList();
        for (Map.Entry<String, CommandLine> c : main.getSubcommands().entrySet()) {
            if (c.getKey().equals("help")) {
                continue;
            }
            String help = c.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF);
            Matcher footer = Pattern.compile("Exit codes: (.*)", Pattern.DOTALL).matcher(help);
            assertTrue(footer.find(), c.getKey() + " --help names no exit codes:\n" + help);
            String row = table.stream().filter(l -> l.contains("`" + c.getKey() + " "))
                    .findFirst().orElseThrow(() -> new AssertionError("README's table has no row for " + c.getKey()));
            String readmeCodes = row.substring(row.lastIndexOf(" | ", row.length() - 3));
            Matcher code = Pattern.compile("\\b(0|1|2|130)\\b").matcher(footer.group(1));
            assertTrue(footer.group(1).startsWith("0 "), c.getKey() + ": " + footer.group(1));
            while (code.find()) {
                assertTrue(readmeCodes.matches("(?s).*\\b" + code.group(1) + "\\b.*"), c.getKey() + " --help names exit "
                        + code.group(1) + ", README's row does not: " + readmeCodes);
            }
        }
    }

    @Test
    void aConfigGivenAsABareFileNameResolvesItsIncludesNextToIt() throws Exception {
        Files.writeString(dir.resolve("clusters.conf"), """
                milvus-autoscaler.clusters = [ { namespace = milvus, name = r, install = helm, milvus-version = "2.5",
                  components { queryNode {} } } ]
                """);
        Files.writeString(dir.resolve("autoscaler.conf"), "include required(\"clusters.conf\")\n");
        String output = validateConfigFrom(dir, "autoscaler.conf", 0);
        assertTrue(output.startsWith("autoscaler.conf: valid, 1 target"), output);
    }

    /** {@code validate-config file} run as its own process from {@code folder}: its output, the exit checked. */
    private static String validateConfigFrom(Path folder, String file, int exit) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.github.milvusautoscaler.cli.Main", "validate-config", file)
                .directory(folder.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(exit, p.exitValue(), output);
        return output;
    }

    /**
     * A failed include in a file included from a subfolder is named as every config error names an included file,
     * relative to the main file's folder, also when the command runs from another folder: run from the main file's
     * parent, {@code sub/sub/more.conf} read "more.conf:1" (its already-relative path was taken from the working
     * directory a second time; recheck 90, F4).
     */
    @Test
    void anIncludedFilesFailureIsNamedFromTheMainFilesFolderWhereverTheCommandRuns() throws Exception {
        Files.createDirectories(dir.resolve("sub/sub"));
        Files.writeString(dir.resolve("sub/a.conf"), "milvus-autoscaler.dry-run = true\ninclude \"sub/parts.conf\"\n");
        Files.writeString(dir.resolve("sub/sub/parts.conf"), "# parts\ninclude \"more.conf\"\n");
        Files.writeString(dir.resolve("sub/sub/more.conf"), "# more\ninclude \"../a.conf\"\n");
        String output = validateConfigFrom(dir, "sub/a.conf", 2);
        assertTrue(output.startsWith("sub/more.conf:2: cannot read: include \"../a.conf\": an include cycle, a.conf ->"
                + " sub/parts.conf -> sub/more.conf -> a.conf"), output);
    }

    /**
     * A one-shot command that gave up on a kubeconfig credentials plugin that hangs ends it as it exits: `pause` left
     * the plugin's shell and its child running under pid 1 (recheck 81, R3), even one that ignores SIGTERM. The plugin
     * is never answered here, so no server is needed; it writes its pid and its child's first.
     */
    @Test
    void aCommandEndsTheCredentialsPluginItGaveUpOn() throws Exception {
        Path plugin = dir.resolve("hanging-get-token");
        Path pids = dir.resolve("plugin.pids");
        // It ignores SIGTERM, and so does its child (an ignored signal stays ignored across exec): one that did
        // outlived the command, and its copy of the command's stderr held the pipeline around it (recheck 84, F3).
        Files.writeString(plugin, "#!/bin/sh\ntrap '' TERM\nsleep 120 &\necho $$ $! > " + pids + "\nwait\n");
        assertTrue(plugin.toFile().setExecutable(true));
        Path kubeconfig = dir.resolve("hanging.kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]
                contexts: [{name: c, context: {cluster: c, user: u}}]
                current-context: c
                users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: %s,
                  interactiveMode: Never}}}]
                """.formatted(plugin));
        Files.writeString(dir.resolve("hanging.conf"), """
                milvus-autoscaler {
                  prometheus.url = "http://127.0.0.1:9"
                  kubernetes.kubeconfig = "%s"
                  clusters = [{ namespace = milvus, name = r, install = helm, milvus-version = "2.5.6",
                    components { queryNode {} } }]
                }
                """.formatted(kubeconfig));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.github.milvusautoscaler.cli.Main", "pause", "--config", "hanging.conf", "--target", "milvus/r/queryNode")
                // To a file: the plugin writes to the command's stderr (client-java inherits it), so a pipe read to
                // its end would wait for the plugin too.
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("pause.out").toFile())
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String output = Files.readString(dir.resolve("pause.out"));
        List<Long> started = Arrays.stream(Files.readString(pids).trim().split(" ")).map(Long::parseLong)
                .toList();
        try {
            assertEquals(1, p.exitValue(), output);
            assertTrue(output.contains("has not answered for 10s; waiting for it"), output);
            for (long pid : started) {
                assertTrue(io.github.milvusautoscaler.testsupport.Poll.until("process " + pid + " to end",
                        Duration.ofSeconds(5), () -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                        alive -> !alive) == Boolean.FALSE, output);
            }
            assertFalse(output.contains("failed with exit code"), output);
            assertEquals(1, output.lines().filter(l -> l.contains("ending 2 process(es) still running")).count(), output);
        } finally {
            started.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    @Test
    void simulateDrawsProgressOnlyWhenStderrIsATerminalAndWritesLinesElsewhere() {
        assertFalse(SimulateCommand.stderrIsTerminal(), "surefire's stderr is a pipe, not a terminal");
        // diurnal: 48 h of 15 s ticks, 11,520, of which the run reports every 8,192nd: one report before the end.
        String piped = simulate(false, 0, "diurnal");
        assertFalse(piped.contains("\r"), "no bar into a pipe or a file: " + piped);
        // Every interval (0 here) a whole line with the trace and how far it is; none at the end.
        List<String> lines = piped.lines().toList();
        assertEquals(1, lines.size(), piped);
        assertTrue(lines.get(0).matches("simulate: diurnal 71% after \\d+ s"), piped);
        // The default interval (10 s) says nothing on a run this short.
        assertEquals("", simulate(false, 10_000_000_000L, "diurnal"));
        String bar = simulate(true, 0, "step");
        assertTrue(bar.contains("\r["), "a bar on a terminal");
        assertFalse(bar.contains("simulate: step"), "and no lines there");
    }

    private String simulate(boolean terminal, long lineEveryNanos, String trace) {
        SimulateCommand command = new SimulateCommand();
        command.progressAfterNanos = 0;
        command.progressLineEveryNanos = lineEveryNanos;
        command.stderrIsTerminal = () -> terminal;
        StringWriter err = new StringWriter();
        int code = new CommandLine(command).setOut(new PrintWriter(new StringWriter(), true))
                .setErr(new PrintWriter(err, true))
                .execute("--trace", trace, "--policies", "hpa", "--out",
                        dir.resolve((terminal ? "t" : "f") + lineEveryNanos).toString());
        assertEquals(0, code, err.toString());
        return err.toString();
    }
}
