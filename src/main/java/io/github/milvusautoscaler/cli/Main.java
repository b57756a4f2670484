package io.github.milvusautoscaler.cli;

import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigError;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.config.InvalidConfigException;
import io.github.milvusautoscaler.metrics.PemCertificates;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point: {@code java -jar milvus-autoscaler.jar <command>}.
 *
 * <p>Exit codes across the tool: 0 success, 2 bad usage or invalid configuration, 1 failure at
 * run time.
 */
@Command(name = "milvus-autoscaler", mixinStandardHelpOptions = true, version = "milvus-autoscaler 0.1.0",
        description = "Keeps the stateless worker components of Milvus clusters at the right replica count.",
        subcommands = {DemoCommand.class, RunCommand.class, SignalsCommand.class, DoctorCommand.class, BacktestCommand.class, ValidateConfigCommand.class, SimulateCommand.class, StatusCommand.class, ScaleCommand.class, PauseCommand.Pause.class, PauseCommand.Resume.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Success. */
    public static final int EXIT_OK = 0;
    /** Failure at run time (Prometheus unreachable, port in use, ...). */
    public static final int EXIT_FAILURE = 1;
    /** Bad usage or invalid configuration. */
    public static final int EXIT_USAGE = 2;
    /** What a {@code prometheus.auth.ca-file} the client cannot trust breaks; the reason follows it. */
    static final String CA_FILE_RULE = "must be a readable PEM file of CA certificates";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = execute(args);
        endChildProcesses();
        System.exit(code);
    }

    /**
     * Ends the processes this one started and still runs: a kubeconfig credentials plugin that hangs is waited for on
     * a thread of its own and outlived the command that gave up on it (`pause` exited after 12 s and left the plugin's
     * shell and its child running under pid 1; recheck 81, R3). SIGTERM to each, its children too (the list is taken
     * before any ends, so none is orphaned out of it), and SIGKILL to what is left {@link #CHILD_GRACE} later; the JVM
     * starts no other processes.
     */
    static synchronized void endChildProcesses() {
        // Once: a daemon's shutdown hook and main's return both call it, and the line was said twice (recheck 84, F1).
        // Synchronized, so the second waits for the first to end them: the hook returned at once and halted the JVM
        // while main was still logging, and with --log-format json the plugin outlived the daemon.
        if (childrenEnded) {
            return;
        }
        childrenEnded = true;
        List<ProcessHandle> running = ProcessHandle.current().descendants().toList();
        if (running.isEmpty()) {
            return;
        }
        // client-java's KubeConfig logs the plugin's end as "... failed with exit code 143", an ERROR of our making.
        Logging.atLeast(io.kubernetes.client.util.KubeConfig.class.getName(), ch.qos.logback.classic.Level.OFF);
        org.slf4j.LoggerFactory.getLogger(Main.class).info("ending {} process(es) still running, started for the"
                + " kubeconfig's credentials plugin: {}", running.size(), running.stream().map(p -> p.pid() + " "
                + p.info().command().map(c -> java.nio.file.Path.of(c).getFileName().toString()).orElse("?"))
                .toList());
        running.forEach(ProcessHandle::destroy);
        // A plugin that ignores SIGTERM (a trap, a blocked call) outlived the command, and its copy of the command's
        // stderr held open the pipeline around it (recheck 84, F3): what is left after a grace is killed.
        long deadline = System.nanoTime() + CHILD_GRACE.toNanos();
        for (ProcessHandle p : running) {
            try {
                p.onExit().get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                p.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    /** How long a process asked to end by {@link #endChildProcesses} has before it is killed. */
    static final java.time.Duration CHILD_GRACE = java.time.Duration.ofSeconds(2);
    private static boolean childrenEnded;

    /** Runs the command line and returns the exit code, so tests can call it without exiting. */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // Each subcommand's help offers -V (mixinStandardHelpOptions): it prints the top command's version, not nothing.
        String[] version = cli.getCommandSpec().version();
        cli.getSubcommands().values().forEach(sub -> sub.getCommandSpec().version(version));
        // picocli uses the mapper for bad usage too: an unknown command or a missing option or file is 2, as documented.
        cli.setExitCodeExceptionMapper(t -> t instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_FAILURE);
        CommandLine.IParameterExceptionHandler usual = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((e, rest) -> e.getCommandLine() == cli
                && e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-") ? unknownCommand(cli, u.getUnmatched().get(0))
                : usual.handleParseException(e, rest));
        return cli.execute(args);
    }

    /**
     * An unknown command, with the commands it may be a typo of and the whole list: picocli's own suggestion ranks
     * by letter pairs and offered "resume" for "nosuchcmd". A near command shares its first three letters.
     */
    private static int unknownCommand(CommandLine cli, String word) {
        List<String> commands = new ArrayList<>(cli.getSubcommands().keySet());
        List<String> near = commands.stream().filter(c -> c.regionMatches(0, word, 0, Math.min(3, word.length()))
                && word.length() >= Math.min(3, c.length())).toList();
        PrintWriter err = cli.getErr();
        err.println("milvus-autoscaler: unknown command '" + word + "'"
                + (near.isEmpty() ? "" : "; did you mean " + String.join(" or ", near) + "?"));
        err.println("commands: " + String.join(", ", commands) + " (milvus-autoscaler --help says what each does)");
        err.flush();
        return EXIT_USAGE;
    }

    /** The jar a build makes, relative to the repository root (where the README's commands run). */
    static final String BUILT_JAR = "target/milvus-autoscaler.jar";

    /**
     * The path of the jar this process runs from, as a hint to type after {@code java -jar}: relative when it is
     * under the working directory ({@code target/milvus-autoscaler.jar} after the README's build), absolute
     * otherwise; {@link #BUILT_JAR} when the classes are not in a jar (tests, an IDE). A bare
     * {@code milvus-autoscaler.jar} fails with "Unable to access jarfile" from the repository root.
     */
    static String jarPath() {
        Path source;
        try {
            source = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // No code source (a custom class loader) or not a file: the build's jar is the best guess.
            return BUILT_JAR;
        }
        return jarPath(source, Path.of("").toAbsolutePath());
    }

    /** {@link #jarPath()} for a given code source and working directory. */
    static String jarPath(Path codeSource, Path workingDir) {
        Path name = codeSource.getFileName();
        if (name == null || !name.toString().endsWith(".jar")) {
            return BUILT_JAR;
        }
        Path jar = codeSource.toAbsolutePath().normalize();
        Path cwd = workingDir.toAbsolutePath().normalize();
        return jar.startsWith(cwd) ? cwd.relativize(jar).toString() : jar.toString();
    }

    /**
     * Loads a config file for a command, printing every error to {@code err}; empty means the
     * command should exit {@link #EXIT_USAGE}.
     */
    static Optional<AutoscalerSettings> loadConfig(Path file, PrintWriter err) {
        try {
            return Optional.of(ValidateConfigCommand.load(file));
        } catch (InvalidConfigException e) {
            e.errors().forEach(err::println);
            err.flush();
            return Optional.empty();
        }
    }

    /**
     * Loads a config file for a command that queries Prometheus: as {@link #loadConfig}, and a file it names that
     * the Prometheus client could not use here ({@link #unreadableFiles}) is refused too, with its
     * {@code path = value (file:line)} line, instead of failing later in the client with a stack trace; empty
     * means exit {@link #EXIT_USAGE}.
     */
    static Optional<AutoscalerSettings> loadConfigForPrometheus(Path file, PrintWriter err) {
        Optional<AutoscalerSettings> loaded = loadConfig(file, err);
        if (loaded.isPresent() && !unreadableFiles(loaded.get()).isEmpty()) {
            unreadableFiles(loaded.get()).forEach(err::println);
            err.flush();
            return Optional.empty();
        }
        return loaded;
    }

    /**
     * The files the configuration names that the Prometheus client cannot use here: a {@code prometheus.auth.ca-file}
     * that is missing, unreadable or holds no certificate, read by the client's own parser ({@link PemCertificates})
     * so this and the client agree. Not a config error: like the alerts token, the CA bundle is often a Secret
     * mounted only in the daemon's pod, so {@code validate-config} warns, while {@code run} (at start and on reload)
     * and the commands that query Prometheus refuse with these lines.
     */
    static List<ConfigError> unreadableFiles(AutoscalerSettings settings) {
        return settings.prometheus().auth().caFile().flatMap(PemCertificates::problem)
                .map(problem -> List.of(settings.refusal("prometheus.auth.ca-file", CA_FILE_RULE + "; it " + problem)))
                .orElse(List.of());
    }

    /**
     * No command: usage on standard error and exit 2 (README: "2 bad usage ... an unknown command, a missing option
     * or file included"), as for an unknown command, so a script that lost its argument does not read as success.
     * {@code --help} and {@code help} still print usage on standard output with exit 0.
     */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: give one of "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
