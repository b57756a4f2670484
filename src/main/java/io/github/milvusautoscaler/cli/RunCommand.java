package io.github.milvusautoscaler.cli;

import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.server.HttpApi;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code run --config FILE}: the daemon. Exit 2 on an invalid or missing config (every error
 * printed; a {@code prometheus.auth.ca-file} that cannot be read here included), 1 when it cannot start (port in use, no Kubernetes credentials), 0 after SIGTERM once
 * writes in flight finished, the lease was released and the server stopped.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the autoscaler daemon: one control loop per configured target.",
        footer = {"", "Exit codes: 0 stopped by SIGTERM once started (143 while starting), 1 cannot start (port in use, a bind address that is not"
                + " the machine's, no Kubernetes credentials), 2 invalid config or an unreadable"
                + " prometheus.auth.ca-file."})
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The HOCON configuration file.")
    Path config;

    @Option(names = "--log-format", defaultValue = "text", paramLabel = "text|json",
            description = "Log lines as text (default) or one JSON object per line for log pipelines.")
    Logging.Format logFormat;

    @Override
    public Integer call() throws InterruptedException {
        Logging.configure(logFormat);
        PrintWriter err = logFormat == Logging.Format.json ? Logging.errorLines("run") : spec.commandLine().getErr();
        Optional<AutoscalerSettings> loaded = Main.loadConfigForPrometheus(config, err);
        if (loaded.isEmpty()) {
            return Main.EXIT_USAGE;
        }
        AutoscalerSettings settings = loaded.get();
        Daemon daemon;
        try {
            daemon = Daemon.start(config, settings, Clock.systemUTC());
        } catch (HttpApi.CannotBindException e) {
            err.println("run: " + e.getMessage());
            err.flush();
            return Main.EXIT_FAILURE;
        } catch (RuntimeException e) {
            err.println("run: cannot start: " + e.getMessage());
            err.flush();
            return Main.EXIT_FAILURE;
        }
        reloadOnHangUp(daemon);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            Main.endChildProcesses();
            // SIGTERM would otherwise end the JVM with 143; a clean, orderly stop is a success.
            Runtime.getRuntime().halt(Main.EXIT_OK);
        }, "shutdown"));
        daemon.awaitStop();
        return Main.EXIT_OK;
    }

    /**
     * SIGHUP reads the config file now ({@link Daemon#reloadNow}) where the JVM would stop. sun.misc.Signal (module
     * jdk.unsupported) is the JDK's only way to handle a signal; where HUP cannot be handled (a JVM run with -Xrs) the
     * file watch alone reloads, as before.
     */
    static void reloadOnHangUp(Daemon daemon) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> daemon.reloadNow("SIGHUP"));
        } catch (IllegalArgumentException e) {
            org.slf4j.LoggerFactory.getLogger(RunCommand.class).warn("SIGHUP cannot be handled here ({}): the config"
                    + " file is reloaded by its watch only", e.getMessage());
        }
    }
}
