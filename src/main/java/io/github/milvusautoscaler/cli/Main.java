package io.github.milvusautoscaler.cli;

import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.config.InvalidConfigException;
import java.io.PrintWriter;
import java.nio.file.Path;
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

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code, so tests can call it without exiting. */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // picocli uses the mapper for bad usage too: an unknown command or a missing option or file is 2, as documented.
        cli.setExitCodeExceptionMapper(t -> t instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_FAILURE);
        return cli.execute(args);
    }

    /**
     * Loads a config file for a command, printing every error to {@code err}; empty means the
     * command should exit {@link #EXIT_USAGE}.
     */
    static Optional<AutoscalerSettings> loadConfig(Path file, PrintWriter err) {
        try {
            return Optional.of(ConfigLoader.load(file));
        } catch (InvalidConfigException e) {
            e.errors().forEach(err::println);
            err.flush();
            return Optional.empty();
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
