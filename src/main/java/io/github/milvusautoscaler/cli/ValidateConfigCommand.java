package io.github.milvusautoscaler.cli;

import io.github.milvusautoscaler.alerts.TokenFile;
import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigError;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.config.DuplicateKeys;
import io.github.milvusautoscaler.config.InvalidConfigException;
import io.github.milvusautoscaler.config.TargetSettings;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.sim.SimSettings;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code validate-config FILE}: loads a configuration exactly as the daemon would and prints what every
 * target will run with after inheritance, so an SRE can review a change before deploying it (exit 0);
 * or prints every error, one per line with path and file:line, to standard error (exit 2).
 */
@Command(name = "validate-config", mixinStandardHelpOptions = true,
        description = "Check a configuration file and print the effective settings of every target.",
        footer = {"", "Exit codes: 0 valid (warnings included: files that may be mounted only where the daemon runs,"
                + " a target that most likely scales by work it does not do, a key set twice), 2 invalid (every error"
                + " is printed to standard error)."})
public final class ValidateConfigCommand implements Callable<Integer> {

    /** How much of a PromQL template is shown; enough to recognise it, short enough for one line. */
    static final int TEMPLATE_CHARS = 80;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
            description = "HOCON configuration file, e.g. config/autoscaler.conf")
    Path file;

    /** The file as every other command takes it, so {@code validate-config --config FILE} works too (recheck 36). */
    @Option(names = "--config", paramLabel = "FILE", description = "The same file, as the other commands take it.")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ((file == null) == (config == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), file == null
                    ? "Missing required parameter: 'FILE' (or --config FILE)"
                    : "give the file once: FILE or --config FILE, not both");
        }
        if (file == null) {
            file = config;
        }
        AutoscalerSettings settings = null;
        List<ConfigError> errors = new ArrayList<>();
        try {
            settings = load(file);
        } catch (InvalidConfigException e) {
            errors.addAll(e.errors());
        }
        if (!errors.isEmpty()) {
            for (ConfigError error : errors) {
                err.println(error);
            }
            err.println(file + ": invalid, " + errors.size() + (errors.size() == 1 ? " error" : " errors"));
            err.flush();
            return Main.EXIT_USAGE;
        }
        print(settings, out);
        out.flush();
        // The daemon's start check, said here too so a review catches a Secret mounted under another name; a
        // warning, not an error (exit 0): the file may well be mounted only where the daemon runs.
        if (settings.alerts().enabled()) {
            settings.alerts().bearerTokenFile().flatMap(p -> new TokenFile(p).unreadable()).ifPresent(problem -> {
                err.println(file + ": warning: " + problem + "; POST /api/v1/alerts would answer 500 until it can be"
                        + " read (not an error: the file may be mounted only where the daemon runs)");
                err.flush();
            });
        }
        // The Prometheus credentials files, which every command that queries Prometheus reads at each query (and
        // fails on, exit 1): a warning for the same reason as the alerts token.
        for (String problem : io.github.milvusautoscaler.metrics.SecretFile.unreadable(settings.prometheus().auth())) {
            err.println(file + ": warning: " + problem + " (not an error here: the file may be mounted only where the"
                    + " daemon runs; its queries fail until it can be read)");
            err.flush();
        }
        // The decision log is opened (appended to) when the daemon starts: a folder there is refused at start
        // (exit 1). Said here where it can be seen; a warning, as the path may differ where the daemon runs.
        String log = settings.decisionLogPath();
        if (!log.isEmpty() && !log.equals("-") && java.nio.file.Files.isDirectory(java.nio.file.Path.of(log))) {
            err.println(file + ": warning: decision-log.path " + log + " is a folder here; run would refuse to start"
                    + " (exit 1): name a file in it, e.g. " + java.nio.file.Path.of(log, "decisions.jsonl"));
            err.flush();
        }
        // A credential written into the config itself reaches every copy of the file (the ConfigMap, its history in
        // git); prometheus.auth reads it from a file (a Secret) instead. Sent as configured: a warning.
        settings.prometheus().headers().keySet().stream()
                .filter(h -> h.equalsIgnoreCase("Authorization") || h.equalsIgnoreCase("Cookie")).forEach(h -> {
                    err.println(file + ": warning: prometheus.headers." + h + " holds a credential in the config file"
                            + " itself, where every copy of the file (the ConfigMap, its history) keeps it; use"
                            + " prometheus.auth.bearer-token-file or basic-password-file, which read it from a Secret");
                    err.flush();
                });
        // Read here as every command that queries Prometheus reads it; a warning for the same reason as the alerts
        // token, and those commands refuse with the same line (exit 2) wherever the file still cannot be read.
        for (ConfigError unreadable : Main.unreadableFiles(settings)) {
            err.println(file + ": warning: " + unreadable + " (not an error here: the file may be mounted only where"
                    + " the daemon runs; run, signals, doctor, backtest and scale refuse the file, exit 2, where it"
                    + " cannot be read)");
            err.flush();
        }
        for (TargetSettings t : settings.targets()) {
            // Valid for the daemon, which decides on read-queue or latency alone; simulate refuses it (exit 2), so
            // said here where a review reads the file (config audit C6).
            if (t.policy().signals().stream().noneMatch(sig -> SimulateCommand.MODELLED_SIGNALS.contains(sig.name()))) {
                err.println(file + ": warning: " + t.target().id() + " enables no signal the simulator models (cpu,"
                        + " memory or qps): simulate --config --target " + t.target().id() + " refuses it (exit 2);"
                        + " run, signals, doctor and backtest decide on its signals as they are");
                err.flush();
            }
            t.advice().ifPresent(advice -> {
                err.println(file + ": warning: " + t.target().id() + ": " + advice);
                err.flush();
            });
        }
        settings.advice().forEach(advice -> {
            err.println(file + ": warning: " + advice);
            err.flush();
        });
        // HOCON keeps a key's last value, so a first setting further up is silently lost (dry-run = true above a
        // dry-run = false): valid, and said here where a review reads the file (config audit C10).
        for (DuplicateKeys.Duplicate d : DuplicateKeys.in(file)) {
            err.println(file + ":" + d.again() + ": warning: " + d.describe());
            err.flush();
        }
        if (settings.targets().isEmpty() && !ConfigLoader.declaresClusters(file)) {
            err.println(file + ": warning: no clusters (empty file or no clusters block): the daemon would run no "
                    + "loop and refuses to reload to this file; write clusters = [] if that is meant");
            err.flush();
        }
        return Main.EXIT_OK;
    }

    /**
     * The settings of {@code file} as every command checks them: the loader's rules, then the {@code sim} block's,
     * so validate-config, run, its reloads, signals, doctor, backtest, scale and simulate give one verdict on one
     * file. The sim block was checked by validate-config and simulate only: {@code sim.peak-nodes = 0} was invalid
     * there and ran in the daemon, a reload to it counted ok (config audit C2). Its rules run only once the loader
     * accepts the file: they re-read the defaults' replicas and CPU band, and after a loader error they blamed
     * reference.conf lines the user never wrote (config audit C7).
     *
     * @throws InvalidConfigException with every problem, each naming its path and line
     */
    static AutoscalerSettings load(Path file) {
        AutoscalerSettings settings = ConfigLoader.load(file);
        List<ConfigError> sim = simErrors(file, settings);
        if (!sim.isEmpty()) {
            throw new InvalidConfigException(sim);
        }
        return settings;
    }

    /**
     * What {@code simulate --config} would refuse in the {@code sim} block, read through the same records and
     * rules it uses: against each target of the file, with that target's own replica bounds and CPU band as
     * {@code simulate --config} uses them (so {@code sim.initial-replicas} above its max-replicas is refused
     * here), or queryNode's layered defaults when the file has no target.
     */
    private static List<ConfigError> simErrors(Path file, AutoscalerSettings settings) {
        List<ConfigError> out = new ArrayList<>();
        Config cfg;
        try {
            cfg = SimSettings.loadConfig(Optional.of(file));
        } catch (ConfigException e) {
            return out; // unreadable or malformed: the loader has said so with its line
        }
        List<TargetSettings> targets = settings.targets();
        List<Runnable> reads = new ArrayList<>();
        targets.forEach(t -> reads.add(() -> SimSettings.from(cfg, t.target().component(), Optional.of(t.policy()))));
        if (reads.isEmpty()) {
            reads.add(() -> SimSettings.from(cfg, Component.QUERY_NODE));
        }
        for (Runnable read : reads) {
            try {
                read.run();
            } catch (InvalidConfigException e) {
                e.errors().stream().filter(error -> !out.contains(error)).forEach(out::add);
            }
        }
        return out;
    }

    private void print(AutoscalerSettings s, PrintWriter out) {
        out.println(file + ": valid, " + s.targets().size() + (s.targets().size() == 1 ? " target" : " targets"));
        SettingsText.global(s).forEach(out::println);
        for (TargetSettings t : s.targets()) {
            out.println();
            out.println("target " + t.target().id() + " (install " + t.target().install().name().toLowerCase(Locale.ROOT)
                    + ", milvus " + t.milvusVersion() + ")");
            SettingsText.target(t).forEach(out::println);
        }
    }

    /** The first 80 characters of a template on one line, e.g. {@code sum by (pod) (rate(container_cpu...}. */
    static String shorten(String template) {
        String oneLine = template.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= TEMPLATE_CHARS ? oneLine : oneLine.substring(0, TEMPLATE_CHARS) + "...";
    }

    /** A number without float noise: 0.575 rather than 0.5750000000000001, 150 rather than 150.0. */
    static String number(double value) {
        BigDecimal rounded = new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros();
        return rounded.scale() < 0 ? rounded.setScale(0).toPlainString() : rounded.toPlainString();
    }
}
