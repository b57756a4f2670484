package io.github.milvusautoscaler.cli;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.engine.DecisionLogWriter;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.ScheduledFloor;
import io.github.milvusautoscaler.policy.SignalPolicy;
import io.github.milvusautoscaler.sim.ChangedDecisions;
import io.github.milvusautoscaler.sim.LoadTrace;
import io.github.milvusautoscaler.sim.MilvusAutoscalerSimPolicy;
import io.github.milvusautoscaler.sim.NabCsvReader;
import io.github.milvusautoscaler.sim.Reports;
import io.github.milvusautoscaler.sim.RunListener;
import io.github.milvusautoscaler.sim.SimPolicies;
import io.github.milvusautoscaler.sim.SimSettings;
import io.github.milvusautoscaler.sim.Simulation;
import io.github.milvusautoscaler.sim.SimulationResult;
import io.github.milvusautoscaler.sim.SvgChart;
import io.github.milvusautoscaler.sim.TraceRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code simulate}: runs every listed policy on the same trace and simulated component, and
 * writes report.json, report.md, chart.svg, chart-worst-day.svg and one decision log per policy to {@code --out}.
 *
 * <p>Bad input (unknown trace, unreadable file, bad CSV row, a hole in the trace without {@code --interpolate-gaps},
 * {@code --peak-nodes} < 1, unknown policy, bad config) is found before anything runs: one line on stderr, exit 2,
 * nothing written.
 * Then {@code --out} is created and proven writable, else exit 2 with its path and the OS's reason,
 * still before simulating; so is an {@code --out} holding a {@code backtest} or {@code demo} report (exit 2,
 * naming its files). Files are written to a temporary directory and moved into {@code --out}
 * only after the run succeeds, so an interrupted run leaves no half report; they replace what an
 * earlier simulate run wrote there, its files this run does not write included (a decision log of a
 * policy no longer compared would read as this run's), and leave every other file alone
 * ({@link OutputDirectory#replace}). A failure to write them is exit 1 with the file and the OS's reason.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run autoscaling policies against a simulated Milvus component driven by a load trace, and"
                + " write a scorecard (report.json, report.md), charts (chart.svg, chart-worst-day.svg) and decision logs.",
        footer = {"", "Exit codes: 0 written, 1 the reports could not be written (the file and the OS's reason"
                + " named) or the trace does not fit the JVM's heap, 2 bad input, or an --out that cannot be written or"
                + " holds a backtest or demo report"
                + " (refused before simulating, nothing written), 130 Ctrl-C (nothing written)."})
public final class SimulateCommand implements Callable<Integer> {

    /** Exit code for bad input: same as {@code Main.EXIT_USAGE}. */
    static final int EXIT_USAGE = 2;
    /** Exit code for a failure while running or writing. */
    static final int EXIT_FAILURE = 1;
    /** A progress bar appears only for runs longer than this (tests shorten it). */
    long progressAfterNanos = 2_000_000_000L;
    /**
     * Into a pipe or a file (CI, {@code 2> log}) progress is a line this often instead of a bar: a run at a peak of
     * 80 nodes takes minutes, and silence then reads as a hang.
     */
    long progressLineEveryNanos = 10_000_000_000L;
    /** Whether standard error is a terminal: the bar's carriage returns would litter a log file or a pipe. */
    java.util.function.BooleanSupplier stderrIsTerminal = SimulateCommand::stderrIsTerminal;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--trace", required = true, paramLabel = "FILE|NAME",
            description = "A bundled trace (nyc_taxi, elb_request_count, twitter_volume_amzn), a scenario (step, ramp,"
                    + " spike, diurnal, noisy-plateau, sawtooth) or a NAB CSV file (timestamp,value).")
    String trace;

    @Option(names = "--component", defaultValue = "queryNode", paramLabel = "NAME",
            description = "Component simulated (queryNode, dataNode, indexNode, proxy, streamingNode). Default: ${DEFAULT-VALUE}.")
    String component;

    @Option(names = "--peak-nodes", paramLabel = "N",
            description = "Nodes the trace's peak needs at 100%% CPU. Default: sim.peak-nodes (8).")
    Integer peakNodes;

    @Option(names = "--compress", defaultValue = "1", paramLabel = "K",
            description = "Divide the trace's time axis by K (2 plays a 2-day trace in 1 simulated day). Default: ${DEFAULT-VALUE}.")
    double compress;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the synthetic scenarios. Default: sim.seed (1).")
    Long seed;

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON file layered over reference.conf.")
    Path config;

    @Option(names = "--target", paramLabel = "NS/NAME/COMPONENT",
            description = "With --config: simulate this configured target with exactly the settings run gives it"
                    + " (cluster and component overrides included). Default: the config's only target of --component;"
                    + " with none, the defaults and component-defaults; with two or more, name one (refused"
                    + " otherwise).")
    String targetId;

    @Option(names = "--policies", split = ",", defaultValue = "milvus-autoscaler,hpa,hpa-milvus", paramLabel = "LIST",
            description = "Comma-separated policies to compare; clairvoyant and clairvoyant-no-hot replay the optimal"
                    + " schedule with zero overload / zero hot seconds (every report states their node-seconds"
                    + " anyway, as each policy's \"x clairvoyant\"). Default: ${DEFAULT-VALUE}.")
    List<String> policies;

    @Option(names = "--interpolate-gaps",
            description = "Simulate a hole in a trace file (two rows more than 3 of its usual steps and 10 minutes"
                    + " apart, such as a backtest --export-trace where qps was unknown for hours) as the straight line"
                    + " between the rows, and say so in the report. Without it such a trace is refused: that line is load"
                    + " nobody measured.")
    boolean interpolateGaps;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Directory for the reports; created if missing. The run replaces the files an earlier simulate"
                    + " run left there (report.json, report.md, chart*.svg, decisions-*.jsonl); other files stay. A"
                    + " folder holding a backtest or demo report is refused.")
    Path out;

    private final SimPolicies registry;

    /** With the built-in policies ({@code hpa}, {@code hpa-milvus}). */
    public SimulateCommand() {
        this(SimPolicies.builtIn());
    }

    /** With {@code registry}, e.g. the built-in policies plus {@code milvus-autoscaler}. */
    public SimulateCommand(SimPolicies registry) {
        this.registry = requireNonNull(registry, "registry");
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        Optional<AutoscalerSettings> configured = Optional.empty();
        if (config != null) {
            // The one settings path run and validate-config use: whatever they accept, simulate runs.
            try {
                configured = Optional.of(ValidateConfigCommand.load(config));
            } catch (io.github.milvusautoscaler.config.InvalidConfigException e) {
                return usage(err, e.errors());
            }
        } else if (targetId != null) {
            return usage(err, "--target needs --config: it names a target of that file");
        }
        Prepared prepared;
        try {
            prepared = prepare(configured);
        } catch (OutOfMemoryError e) {
            return outOfMemory(err);
        } catch (ConfigException e) {
            return usage(err, "bad configuration: " + e.getMessage());
        } catch (io.github.milvusautoscaler.config.InvalidConfigException e) {
            // The sim block, read through the config package's collector: every problem with file:line.
            return usage(err, e.errors());
        } catch (IllegalArgumentException | UncheckedIOException e) {
            return usage(err, e.getMessage());
        }
        for (String note : prepared.notes()) {
            err.println("simulate: " + note);
        }
        for (String note : prepared.leftOut()) {
            err.println("simulate: " + note);
        }
        err.flush();
        // After the input checks, so bad input still creates nothing; before the run, which can take minutes.
        Optional<String> unusable = OutputDirectory.prepare(out, "simulate");
        if (unusable.isPresent()) {
            return usage(err, unusable.get());
        }
        try (OutputDirectory.Staging staging = OutputDirectory.Staging.create("milvus-autoscaler-simulate-")) {
            Path temp = staging.path();
            SimulationResult result = run(prepared, temp, err);
            Files.writeString(temp.resolve("report.json"), Reports.json(result, java.util.stream.Stream.concat(
                    prepared.notes().stream(), prepared.leftOut().stream()).toList()), StandardCharsets.UTF_8);
            Files.writeString(temp.resolve("report.md"), Reports.markdown(result, prepared.settings, compress,
                    Reports.CHANGED_DECISION_LOGS + prepared.notes().stream().map(n -> "\n\nNote: " + n + ".")
                            .collect(Collectors.joining()) + prepared.leftOut().stream().map(n -> "\n\nLeft out: " + n
                            + ".").collect(Collectors.joining())),
                    StandardCharsets.UTF_8);
            // The line across a hole looks like any other stretch of load: the title says it is drawn (--interpolate-gaps).
            Files.writeString(temp.resolve("chart.svg"), SvgChart.render(result.chart(),
                    result.trace() + ": load, capacity and replicas per policy" + (prepared.holes() == 0 ? ""
                    : " (" + prepared.holes() + (prepared.holes() == 1 ? " hole in the trace drawn as a straight line"
                    : " holes in the trace drawn as straight lines") + ", --interpolate-gaps)")), StandardCharsets.UTF_8);
            java.util.Optional<String> worst = SvgChart.renderWorstDay(result, result.trace());
            if (worst.isPresent()) {
                Files.writeString(temp.resolve("chart-worst-day.svg"), worst.get(), StandardCharsets.UTF_8);
            }
            List<Path> written = OutputDirectory.replace("simulate", temp, out);
            stdout.println(Reports.summary(result, prepared.settings, compress));
            stdout.println();
            stdout.print(Reports.table(result));
            result.clairvoyant().ifPresent(b -> stdout.println(Reports.clairvoyantLine(b)));
            stdout.println();
            stdout.println("wrote " + written.stream().map(p -> p.getFileName().toString()).sorted()
                    .collect(Collectors.joining(", ")) + " to " + out);
            stdout.flush();
            OutputDirectory.notOfThisRunNote("simulate", out, written).ifPresent(note -> {
                err.println(note);
                err.flush();
            });
            return 0;
        } catch (IOException | UncheckedIOException e) {
            IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            err.println("simulate: cannot write the reports to " + out + ": " + OutputDirectory.describe(io));
            err.flush();
            return EXIT_FAILURE;
        } catch (OutOfMemoryError e) {
            return outOfMemory(err);
        }
    }

    /**
     * One line for a heap too small for the trace, where a stack trace came (alerts/input recheck NEW-3: 20,000,000 rows
     * need about 2 GB of heap, and a JVM in a small container gets a quarter of its memory). The staging directory is
     * removed as on any failure, so nothing is written.
     */
    private static int outOfMemory(PrintWriter err) {
        err.println("simulate: out of memory: the JVM's heap (" + Runtime.getRuntime().maxMemory() / (1024 * 1024)
                + " MiB, java -Xmx) is too small for this trace; give java -Xmx more (about 1 GiB per 10,000,000 rows"
                + " of trace) or average the trace to a coarser step");
        err.flush();
        return EXIT_FAILURE;
    }

    /**
     * Everything validated and loaded before anything is written.
     *
     * @param leftOut one line per enabled signal the simulator does not produce, left out of the run
     * @param notes   what the run simulates where the file does not say it (a file with no target of the component)
     */
    private record Prepared(SimSettings settings, Simulation simulation, List<String> leftOut, List<String> notes,
                            int holes) {
    }

    /** Signals the simulated component produces; any other enabled signal would stay UNKNOWN and hold scale-in. */
    static final Set<String> MODELLED_SIGNALS = Set.of("cpu", "memory", "qps");

    private Prepared prepare(Optional<AutoscalerSettings> configured) {
        if (peakNodes != null && peakNodes < 1) {
            throw new IllegalArgumentException("--peak-nodes must be >= 1, was " + peakNodes);
        }
        if (!(compress > 0) || !Double.isFinite(compress)) {
            throw new IllegalArgumentException("--compress must be a number > 0, was " + compress);
        }
        Component comp = Component.fromName(component).orElseThrow(() -> new IllegalArgumentException(
                "unknown component '" + component + "'; components: " + Arrays.stream(Component.values())
                        .map(Component::configName).collect(Collectors.joining(", "))));
        if (policies == null || policies.isEmpty() || policies.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("--policies needs at least one policy name; known policies: "
                    + String.join(", ", registry.names()));
        }
        Set<String> seen = new HashSet<>();
        for (String p : policies) {
            if (!seen.add(p)) {
                throw new IllegalArgumentException("--policies names '" + p + "' twice");
            }
        }
        registry.requireKnown(policies);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " exists and is not a directory");
        }
        Config cfg = SimSettings.loadConfig(Optional.ofNullable(config));
        Component asked = comp;
        Optional<TargetSettings> chosen = configured.flatMap(s -> chooseTarget(s, asked));
        Component simulated = chosen.map(t -> t.target().component()).orElse(asked);
        List<String> leftOut = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        configured.filter(c -> chosen.isEmpty() && !c.targets().isEmpty()).ifPresent(c -> notes.add(config
                + " configures no " + simulated.configName() + " target (its targets: " + c.targets().stream()
                .map(t -> t.target().id()).toList() + "); simulating a " + simulated.configName() + " with the file's"
                + " defaults and component-defaults: name a target with --target, or its component with --component"));
        PolicySettings policy = modelledOnly(chosen.map(TargetSettings::policy)
                .orElseGet(() -> ConfigLoader.policyFor(cfg, simulated)), chosen, simulated, leftOut);
        if (!policy.scheduled().isEmpty()) {
            // Two runs told apart by a floor only in their numbers (recheck 101, F3): said, and where the trace's
            // instants come from, since a NAB CSV carries no zone.
            notes.add("the " + MilvusAutoscalerSimPolicy.NAME + " lane runs its scheduled floors ("
                    + String.join(", ", policy.scheduled().stream().map(ScheduledFloor::said).toList())
                    + ") at the trace's timestamps read as UTC; the HPA lanes and the clairvoyant bound have none");
        }
        // A configured target's own bounds, read with the sim block, so initial-replicas is refused against them.
        SimSettings settings = SimSettings.from(cfg, simulated, chosen.map(t -> policy));
        if (peakNodes != null) {
            settings = settings.withPeakNodes(peakNodes);
        }
        if (seed != null) {
            settings = settings.withSeed(seed);
        }
        if (settings.peakNodes() > settings.bounds().maxReplicas()) {
            // Said, not refused: a what-if of an undersized max is a fair question, but its overload is the bound's.
            notes.add("the peak needs " + settings.peakNodes() + " nodes at 100% CPU (--peak-nodes or sim.peak-nodes),"
                    + " more than max-replicas " + settings.bounds().maxReplicas() + " can serve: every policy overloads"
                    + " at the peak whatever it does");
        }
        LoadTrace raw = TraceRegistry.resolve(trace, settings.seed());
        holes(raw).ifPresent(notes::add);
        raw.lonePeak().ifPresent(notes::add);
        Simulation.Builder builder = Simulation.builder()
                .trace(raw)
                .compress(compress)
                .settings(settings)
                .config(cfg)
                .component(simulated)
                .policySettings(policy)
                .policies(registry, policies);
        chosen.ifPresent(t -> builder.target(t.target()));
        Simulation simulation = builder.build();
        return new Prepared(settings, simulation, List.copyOf(leftOut), List.copyOf(notes), raw.holes().size());
    }

    /**
     * Refuses a trace with holes ({@link LoadTrace#holes()}), naming the first by its lines, unless
     * {@code --interpolate-gaps}; then the note the report carries. "Never turn missing data into a number": the line
     * across a hole is exactly that, and a backtest export has one wherever qps was unknown.
     */
    private Optional<String> holes(LoadTrace raw) {
        List<LoadTrace.Hole> holes = raw.holes();
        if (holes.isEmpty()) {
            return Optional.empty();
        }
        LoadTrace.Hole longest = holes.stream().max(Comparator.comparing(LoadTrace.Hole::length)).orElseThrow();
        Duration total = holes.stream().map(LoadTrace.Hole::length).reduce(Duration.ZERO, Duration::plus);
        String more = ", " + Durations.human(total) + " in all, the longest " + Durations.human(longest.length())
                + " after line " + longest.beforeLine();
        if (!interpolateGaps) {
            LoadTrace.Hole first = holes.get(0);
            throw new IllegalArgumentException(trace + " line " + first.afterLine() + ": "
                    + NabCsvReader.timestamp(first.to())
                    + " is " + Durations.human(first.length()) + " after line " + first.beforeLine() + " ("
                    + NabCsvReader.timestamp(first.from()) + "), more than " + LoadTrace.HOLE_STEPS + "x the trace's usual step"
                    + " of " + Durations.human(first.usualStep()) + " and than " + Durations.human(LoadTrace.HOLE_AT_LEAST)
                    + ": a hole in the trace" + (holes.size() == 1 ? ""
                    : " (the first of " + holes.size() + more + ")") + ", across which simulate would draw a straight"
                    + " line, load nobody measured; cut the trace at the hole, or pass --interpolate-gaps to simulate"
                    + " that line knowingly");
        }
        return Optional.of(trace + " has " + (holes.size() == 1 ? "a hole of " + Durations.human(total) + " after line "
                + longest.beforeLine() : holes.size() + " holes" + more) + " (rows more than " + LoadTrace.HOLE_STEPS
                + "x its usual step of " + Durations.human(longest.usualStep()) + " and "
                + Durations.human(LoadTrace.HOLE_AT_LEAST) + " apart), simulated as the straight line between their rows"
                + " (--interpolate-gaps): load nobody measured, scored like the rest");
    }

    /**
     * The configured target to simulate: {@code --target}, else the only target of {@code component}; empty
     * when the file configures none of that component (the layered defaults apply then).
     */
    private Optional<TargetSettings> chooseTarget(AutoscalerSettings s, Component component) {
        List<String> ids = s.targets().stream().map(t -> t.target().id()).toList();
        if (targetId != null) {
            return Optional.of(s.targets().stream().filter(t -> t.target().id().equals(targetId)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--target " + targetId + " is not configured in "
                            + config + "; targets: " + ids)));
        }
        List<TargetSettings> same = s.targets().stream().filter(t -> t.target().component() == component).toList();
        if (same.size() > 1) {
            throw new IllegalArgumentException(config + " configures " + same.size() + " " + component.configName()
                    + " targets; name one with --target: " + same.stream().map(t -> t.target().id()).toList());
        }
        return same.stream().findFirst();
    }

    /**
     * The policy without the enabled signals the simulator does not produce, each noted in {@code leftOut} with the
     * line that enables it. Whatever validate-config accepts, simulate runs: a config written for the daemon (the
     * shipped example enables read-queue) rehearses on the signals the model has, and says what it left out, as
     * the daemon leaves out a signal that does not apply. Kept, such a signal would read UNKNOWN every tick and hold
     * every step-down. Refused only when nothing modelled is left to decide on.
     */
    private PolicySettings modelledOnly(PolicySettings policy, Optional<TargetSettings> chosen, Component simulated,
                                        List<String> leftOut) {
        String who = chosen.map(t -> t.target().id()).orElse("the simulated " + simulated.configName());
        List<SignalPolicy> kept = new ArrayList<>();
        for (SignalPolicy signal : policy.signals()) {
            if (MODELLED_SIGNALS.contains(signal.name())) {
                kept.add(signal);
                continue;
            }
            String where = config == null ? "" : SimSettings.origin(config, "signals." + signal.name());
            leftOut.add("signals." + signal.name() + ".enabled = true" + (where.isEmpty() ? "" : " (" + where + ")")
                    + " for " + who + ": the simulator models cpu, memory and qps only, so " + signal.name()
                    + " is left out of this run's decisions (the daemon decides on it too)");
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", leftOut) + "; no signal the simulator models is"
                    + " enabled for " + who + ": enable cpu, memory or qps to simulate it");
        }
        return kept.size() == policy.signals().size() ? policy : new PolicySettings(policy.minReplicas(),
                policy.maxReplicas(), policy.scaleOut(), policy.scaleIn(), kept, policy.alerts(), policy.fallback(),
                policy.forecast(), policy.scheduled());
    }

    private SimulationResult run(Prepared prepared, Path dir, PrintWriter err) throws IOException {
        Map<String, DecisionLogWriter> writers = new LinkedHashMap<>();
        Map<String, ChangedDecisions> logs = new LinkedHashMap<>();
        try {
            for (String p : prepared.simulation.policyNames()) {
                DecisionLogWriter w = DecisionLogWriter.create(dir.resolve("decisions-" + p + ".jsonl"));
                writers.put(p, w);
                logs.put(p, new ChangedDecisions(w));
            }
            ProgressBar bar = new ProgressBar(err, prepared.simulation.demand().name(), progressAfterNanos,
                    progressLineEveryNanos, stderrIsTerminal.getAsBoolean());
            SimulationResult result = prepared.simulation.run(new RunListener() {
                @Override
                public void decision(String policy, Decision decision) {
                    logs.get(policy).record(decision);
                }

                @Override
                public void progress(long done, long total) {
                    bar.update(done, total);
                }
            });
            bar.finish();
            return result;
        } finally {
            IOException failure = null;
            for (DecisionLogWriter w : writers.values()) {
                try {
                    w.close();
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    private static int usage(PrintWriter err, String message) {
        String oneLine = message == null ? "invalid input" : message.replaceAll("\\s*\\R\\s*", " ").strip();
        err.println("simulate: " + oneLine);
        err.flush();
        return EXIT_USAGE;
    }

    /** Each config problem on a line of its own, as validate-config and run print them (audit-input F9). */
    private static int usage(PrintWriter err, List<?> problems) {
        for (Object p : problems) {
            usage(err, p.toString());
        }
        return EXIT_USAGE;
    }

    /**
     * True when file descriptor 2 is a terminal device (Linux: {@code /proc/self/fd/2} links to
     * {@code /dev/pts/N} or {@code /dev/ttyN}); elsewhere, whether the JVM has a console at all.
     * A pipe or a file, as in CI or {@code 2> log}, is not.
     */
    static boolean stderrIsTerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        if (Files.isSymbolicLink(fd)) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
        return System.console() != null;
    }

    /**
     * A one-line bar on stderr, shown only once a run has taken more than two seconds so short runs
     * stay quiet; where stderr is no terminal, a line every ten seconds instead ("simulate: nyc_taxi 45% after
     * 10 s"), as carriage returns would litter a log. Reads the wall clock: the cli may, the simulator may not.
     */
    private static final class ProgressBar {
        private final PrintWriter err;
        private final String label;
        private final long afterNanos;
        private final long lineEveryNanos;
        private final boolean terminal;
        private final long startNanos = System.nanoTime();
        private boolean shown;
        private int lastPercent = -1;
        private long lastLineNanos;

        ProgressBar(PrintWriter err, String label, long afterNanos, long lineEveryNanos, boolean terminal) {
            this.err = err;
            this.label = label;
            this.afterNanos = afterNanos;
            this.lineEveryNanos = lineEveryNanos;
            this.terminal = terminal;
            this.lastLineNanos = startNanos;
        }

        void update(long done, long total) {
            int percent = total == 0 ? 100 : (int) (done * 100 / total);
            if (!terminal) {
                long now = System.nanoTime();
                if (now - lastLineNanos >= lineEveryNanos && percent != lastPercent && percent < 100) {
                    lastLineNanos = now;
                    lastPercent = percent;
                    err.println(String.format(Locale.ROOT, "simulate: %s %d%% after %d s", label, percent,
                            Math.round((now - startNanos) / 1e9)));
                    err.flush();
                }
                return;
            }
            if (!shown && System.nanoTime() - startNanos < afterNanos) {
                return;
            }
            if (percent == lastPercent) {
                return;
            }
            shown = true;
            lastPercent = percent;
            int filled = percent * 30 / 100;
            err.print(String.format(Locale.ROOT, "\r[%s%s] %3d%% %s", "#".repeat(filled), ".".repeat(30 - filled),
                    percent, label));
            err.flush();
        }

        void finish() {
            if (shown) {
                err.println();
                err.flush();
            }
        }
    }
}
