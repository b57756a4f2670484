package io.github.milvusautoscaler.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.HistorySource;
import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.engine.DecisionLogWriter;
import io.github.milvusautoscaler.metrics.PrometheusHistorySource;
import io.github.milvusautoscaler.metrics.PrometheusMetricsSource;
import io.github.milvusautoscaler.metrics.WorkloadReplicas;
import io.github.milvusautoscaler.policy.ScheduledFloor;
import io.github.milvusautoscaler.sim.Backtest;
import io.github.milvusautoscaler.sim.BacktestChart;
import io.github.milvusautoscaler.sim.LoadTrace;
import io.github.milvusautoscaler.sim.NabCsvReader;
import io.github.milvusautoscaler.sim.RecordedHistory;
import io.github.milvusautoscaler.sim.SimSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code backtest --config FILE --from T [--to T] [--cluster NS/NAME] [--step 15s] [--rescale-load] --out DIR}:
 * what the autoscaler would have done on the cluster's own recorded history, with exactly the settings
 * {@code run} would use for each target.
 *
 * <p>Every template the daemon would send (signals, settle, health) and each component's recorded
 * spec and ready replicas ({@link WorkloadReplicas}: the Deployments' or the StatefulSet's) are read once
 * per query text through {@code /api/v1/query_range}, in chunks under Prometheus' 11,000 points per
 * series, and the real engine and policy step over them on a manual clock (see {@link Backtest}).
 * Writes {@code report.md}, {@code report.json}, {@code chart.svg} (and {@code chart-worst-day.svg} for a range
 * of more than a day) and {@code decisions-<namespace>_<name>_<component>.jsonl}
 * into a temporary directory and moves them into {@code --out} only when the run succeeded; {@code --out} is
 * created and proven writable before any query (exit 2 with the OS's reason otherwise). Exit 0
 * written, 1 Prometheus unreachable or failing its probe query, a history that cannot be read, or no recorded replicas in the range,
 * 2 bad usage or configuration.
 */
@Command(name = "backtest", mixinStandardHelpOptions = true,
        description = "Replay the real policy over the cluster's Prometheus history and compare it with what ran.",
        footer = {"", "Exit codes: 0 written, 1 Prometheus unreachable or its query failed, no history, the"
                + " report could not be written, or the history does not fit the heap, 2 bad usage or config, a range"
                + " of more than 200,000 steps, or an --out that is not a new or empty directory (refused before"
                + " querying, nothing written)."})
public final class BacktestCommand implements Callable<Integer> {

    private static final Pattern RELATIVE = Pattern.compile("-(\\d{1,6})([smhdw])");

    /**
     * The most steps one replay takes: 200,000, 34 days at the daemon's 15 s tick. Memory grows with the steps (two
     * weeks of four components at 15 s, 80,641 steps, took 1.04 GB resident at -Xmx850m, backtest recheck 2), and a
     * range far past any retention ran for minutes before failing.
     */
    static final long MAX_STEPS = 200_000;
    /** Points per target in chart.svg: more than a 860 px wide plot can show, and a small file. */
    private static final int CHART_POINTS = 1500;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigAndCluster selection;

    @Option(names = "--from", required = true, paramLabel = "T",
            description = "Start: RFC 3339 (2026-11-24T00:00:00Z) or relative to now (-7d, -36h, -90m).")
    String from;

    @Option(names = "--to", defaultValue = "now", paramLabel = "T", description = "End, as --from, or now (default).")
    String to;

    @Option(names = "--step", paramLabel = "DURATION",
            description = "Time between two replayed ticks (default: the config's loop.interval, 15s unless set).")
    String step;

    @Option(names = "--rescale-load", description = "Re-divide load-proportional signals (cpu, memory, qps,"
            + " read-queue, index-backlog) recorded over the replicas that ran by the replicas the policy would have run.")
    boolean rescaleLoad;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the report files: new"
            + " or empty (an existing report is never overwritten).")
    Path out;

    @Option(names = "--export-trace", description = "Also write trace-<namespace>_<name>_<component>.csv per target"
            + " with qps (<name>@helm or <name>@operator where a Helm and an operator install share the name): the"
            + " recorded read requests/s (qps x ready replicas) as a NAB CSV that simulate --trace reads.")
    boolean exportTrace;

    @Option(names = "--max-points", hidden = true, defaultValue = "10999",
            description = "Most steps per range query (Prometheus refuses 11,000 points per series).")
    int maxPoints;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        // Whole seconds: -7d is now - 7 days, and the replay looks each step up among the answers by its
        // timestamp, which Prometheus gives in milliseconds.
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant start;
        Instant end;
        Duration stepLength;
        try {
            start = time("--from", from, now);
            end = time("--to", to, now);
            stepLength = step == null ? null : duration(step);
            if (!end.isAfter(start)) {
                throw new IllegalArgumentException("--from " + start + " must be before --to " + end);
            }
            if (end.isAfter(now)) {
                // A step after now has no data yet: the replay decided there on a forecast alone (recheck 18, F1).
                throw new IllegalArgumentException("--to " + end + " is after now (" + now + "): the history ends now;"
                        + " leave --to out to replay up to now");
            }
            if (maxPoints < 2 || maxPoints > PrometheusMetricsSource.MAX_POINTS_PER_RANGE_QUERY) {
                throw new IllegalArgumentException("--max-points must be in [2, "
                        + PrometheusMetricsSource.MAX_POINTS_PER_RANGE_QUERY + "]");
            }
            if (Files.exists(out) && (!Files.isDirectory(out) || !isEmpty(out))) {
                throw new IllegalArgumentException("--out " + out + " must be a new or empty directory");
            }
        } catch (IllegalArgumentException | IOException e) {
            err.println("backtest: " + e.getMessage());
            err.flush();
            return Main.EXIT_USAGE;
        }
        Optional<ConfigAndCluster.Selected> selected = selection.load("backtest", err);
        if (selected.isEmpty()) {
            return Main.EXIT_USAGE;
        }
        if (ConfigAndCluster.nothingTo("backtest", "replay", selected.get(), stdout)) {
            return Main.EXIT_OK;
        }
        if (stepLength == null) {
            // The daemon's own tick: a replay at 15s of a daemon that ticks every 60s decides four times as often.
            Duration interval = selected.get().settings().loopInterval();
            stepLength = interval;
            if (interval.toMillis() % 1000 != 0) {
                // Prometheus' range-query step and the replay's grid count whole seconds, as --step does. validate-config
                // accepts any positive loop.interval (tests tick at 500ms), so this runs, a little coarser, and says so:
                // refusing it broke "whatever validate-config accepts, every command runs" (recheck 113, F1).
                stepLength = Duration.ofSeconds(Math.max(1, (interval.toMillis() + 999) / 1000));
                err.println("note: backtest replays at --step " + Durations.setting(stepLength) + ": loop.interval ("
                        + Durations.setting(interval) + ") rounded up to whole seconds, which Prometheus' range-query"
                        + " step and the replay's grid count; pass --step to choose another");
                err.flush();
            }
        }
        long steps = Duration.between(start, end).dividedBy(stepLength) + 1;
        if (steps > MAX_STEPS) {
            // Memory grows with the steps: --from -999999w ended in an OutOfMemoryError stack trace and -3650d ran
            // silently for minutes (backtest recheck 2, M1).
            err.println("backtest: the range " + start + " .. " + end + " is " + steps + " steps of "
                    + Durations.setting(stepLength) + "; at most " + MAX_STEPS + " (" + stepLength.multipliedBy(
                    MAX_STEPS - 1).toDays() + " days at this step): pass a shorter range or a longer --step");
            err.flush();
            return Main.EXIT_USAGE;
        }
        if (stepLength.compareTo(Duration.between(start, end)) > 0) {
            // One step needs two grid points in the range; RangeCache refused it with a stack trace (config audit C4).
            err.println("backtest: the step " + Durations.setting(stepLength)
                    + (step == null ? " (loop.interval, the default --step)" : " (--step)") + " is longer than the range "
                    + start + " .. " + end + " (" + Durations.human(Duration.between(start, end))
                    + "): pass a shorter --step or a longer range");
            err.flush();
            return Main.EXIT_USAGE;
        }
        // As simulate and demo do: after the input checks, so bad input still creates nothing; before reading the
        // history and replaying it, which takes a while (a 7-day run 16 s or more), so a folder that cannot take
        // the report is refused at once with the OS's reason, not found only when the report is moved in.
        Path created = OutputDirectory.missing(out);
        Optional<String> unusable = OutputDirectory.prepare(out, "backtest");
        int code;
        if (unusable.isPresent()) {
            err.println("backtest: " + unusable.get());
            err.flush();
            code = Main.EXIT_USAGE;
        } else {
            try {
                code = replay(selected.get(), now, start, end, stepLength, stdout, err);
            } catch (OutOfMemoryError e) {
                // One line, not a stack trace; the folder this run made goes, as on any failure (recheck 2, M1: two
                // weeks of four components need a heap above 700 MB).
                err.println("backtest: the history of " + selected.get().targets().size() + " target(s) over "
                        + Durations.human(Duration.between(start, end)) + " at " + Durations.setting(stepLength)
                        + " does not fit the JVM's heap (" + (Runtime.getRuntime().maxMemory() >> 20) + " MiB): pass a"
                        + " shorter range, a longer --step, --cluster for fewer targets, or a larger heap (java -Xmx2g)");
                err.flush();
                code = Main.EXIT_FAILURE;
            }
        }
        if (code != Main.EXIT_OK) {
            // A run that wrote no report leaves no folder behind either: the check above made it, not the user.
            OutputDirectory.removeCreated(out, created);
        }
        return code;
    }

    /** The replay after the checks: reads the history, replays it and moves the report into {@code --out}. */
    private int replay(ConfigAndCluster.Selected selected, Instant now, Instant start, Instant end,
                       Duration stepLength, PrintWriter stdout, PrintWriter err) {
        AutoscalerSettings s = selected.settings();
        List<TargetSettings> targets = selected.targets();
        // Steps on the grid from --from: Prometheus evaluates a range query at start + k x step.
        Instant last = start.plus(stepLength.multipliedBy(Duration.between(start, end).dividedBy(stepLength)));
        boolean terminal = System.console() != null;
        long begun = System.nanoTime();
        int[] fetched = {0};
        try (PrometheusMetricsSource source = PrometheusMetricsSource.replaying(s.prometheus(),
                s.labelSchemes(), Assembly.queries(targets), new SimpleMeterRegistry(), start, last, stepLength,
                maxPoints, promql -> {
                    fetched[0]++;
                    if (terminal) {
                        err.print("\rbacktest: reading history, query " + fetched[0]);
                        err.flush();
                    }
                })) {
            if (selected.prometheusFails("backtest", source, now, err)) {
                return Main.EXIT_FAILURE;
            }
            String backend = source.buildInfoWithoutVersion() ? VICTORIA_METRICS_NOTE : "";
            if (!backend.isEmpty()) {
                stdout.println("backtest: " + backend);
            }
            History history = new History(source);
            HistorySource loadHistory = recordedLoad(s, targets, start, last, stdout);
            try (OutputDirectory.Staging staging = OutputDirectory.Staging.create("milvus-autoscaler-backtest-")) {
                Path temp = staging.path();
                Map<Target, DecisionLogWriter> logs = new HashMap<>();
                for (TargetSettings t : targets) {
                    logs.put(t.target(), DecisionLogWriter.create(temp.resolve(decisionFile(t.target()))));
                }
                List<Backtest.TargetResult> results;
                try (Logging.Restore quiet = Logging.errorsOnly(io.github.milvusautoscaler.engine.Engine.class.getName())) {
                    results = Backtest.run(Assembly.engineTargets(s.labelSchemes(), targets), history,
                            new Backtest.Settings(start, last, stepLength, rescaleLoad, s.maxActionsPerHour()),
                            d -> logs.get(d.target()).record(d), loadHistory);
                } finally {
                    for (DecisionLogWriter w : logs.values()) {
                        w.close();
                    }
                }
                if (terminal) {
                    err.println();
                }
                List<String> failures = source.replayFailures();
                if (!failures.isEmpty()) {
                    String named = results.stream().flatMap(r -> r.unknownFromHistory().stream()
                            .map(f -> r.target() + " " + f)).findFirst().orElse(failures.get(0));
                    err.println("backtest: the history cannot be read: " + named);
                    err.flush();
                    return Main.EXIT_FAILURE;
                }
                List<String> empty = results.stream().filter(r -> r.recorded().knownSteps() == 0)
                        .map(r -> r.target().id()).toList();
                if (empty.size() == results.size()) {
                    err.println("backtest: no recorded replicas (kube_deployment_spec_replicas, or"
                            + " kube_statefulset_replicas) of " + empty + " between "
                            + start + " and " + last + ": nothing to replay");
                    err.flush();
                    return Main.EXIT_FAILURE;
                }
                for (String id : empty) {
                    // The others replayed; this one has nothing behind it, most often a namespace, name or install
                    // kind that is not the cluster's. Its section says so rather than "would not have scaled".
                    err.println("backtest: warning: " + id + " has no recorded replicas (kube_deployment_spec_replicas,"
                            + " or kube_statefulset_replicas) between " + start + " and " + last + ": check its"
                            + " namespace, name and install kind (doctor names the first missing link)");
                }
                err.flush();
                if (exportTrace) {
                    for (TargetSettings t : targets) {
                        ExportedTrace exported = trace(history, t, start, last, stepLength);
                        if (exported == null) {
                            // Said, not skipped in silence: a run that asked for traces and got none was read as a
                            // failed export (recheck 36, F3).
                            err.println("backtest: no " + traceFile(t.target()) + ": " + t.target() + " reads no qps"
                                    + " signal, which the trace is made of (signals.qps.enabled = true on it exports"
                                    + " one)");
                        } else {
                            Files.writeString(temp.resolve(traceFile(t.target())), exported.csv(), StandardCharsets.UTF_8);
                            exported.warning(traceFile(t.target()), stepLength).ifPresent(w -> err.println("backtest:"
                                    + " warning: " + w));
                            exported.scale(traceFile(t.target()), t.target().component()).ifPresent(w -> err.println("backtest: " + w));
                        }
                    }
                    err.flush();
                }
                double seconds = (System.nanoTime() - begun) / 1e9;
                // Said in every output: a rescaled replay reads another load than the recorded one, and its report
                // was byte for byte the same as a plain one's in its first lines (recheck 36, F4).
                String signals = rescaleLoad ? "load re-divided by the policy's replicas (--rescale-load)"
                        : "signals as recorded";
                Files.writeString(temp.resolve("report.json"), json(results, start, last, stepLength, seconds,
                        source.rangeQueries(), rescaleLoad), StandardCharsets.UTF_8);
                Files.writeString(temp.resolve("report.md"), markdown(results, start, last, stepLength, backend,
                        rescaleLoad), StandardCharsets.UTF_8);
                Files.writeString(temp.resolve("chart.svg"), BacktestChart.render(results, "backtest " + start + " .. "
                        + last + ": a signal and the replicas per target, " + signals, CHART_POINTS),
                        StandardCharsets.UTF_8);
                java.util.Optional<String> worst = BacktestChart.renderWorstDay(results, "backtest, " + signals);
                if (worst.isPresent()) {
                    Files.writeString(temp.resolve("chart-worst-day.svg"), worst.get(), StandardCharsets.UTF_8);
                }
                Files.createDirectories(out);
                List<Path> written = OutputDirectory.replace("backtest", temp, out);
                stdout.print(markdown(results, start, last, stepLength, backend, rescaleLoad));
                stdout.printf(Locale.ROOT, "backtest: %d target%s, %d steps each, %d range queries, %.1f s; wrote %s%n",
                        results.size(), results.size() == 1 ? "" : "s",
                        Duration.between(start, last).dividedBy(stepLength) + 1, source.rangeQueries(), seconds, out);
                stdout.flush();
                OutputDirectory.notOfThisRunNote("backtest", out, written).ifPresent(note -> {
                    err.println(note);
                    err.flush();
                });
                return Main.EXIT_OK;
            }
        } catch (IOException e) {
            // describe(): the file and the OS's reason; the exception's message alone is the bare path.
            err.println("backtest: cannot write the report to " + out + ": " + OutputDirectory.describe(e));
            err.flush();
            return Main.EXIT_FAILURE;
        }
    }

    /**
     * The forecast's load history of each target that forecasts, read once from {@code forecast.history}
     * before {@code start} to {@code last} and handed to each tick as the daemon would have read it then
     * ({@link RecordedHistory}), so the replay pre-scales and sizes as the daemon would. Says on
     * {@code out} what was found: a target whose history cannot be read replays without a forecast, as the
     * daemon runs until its first read.
     */
    private static HistorySource recordedLoad(AutoscalerSettings s, List<TargetSettings> targets, Instant start,
                                              Instant last, PrintWriter out) {
        Map<Target, LoadHistory> recorded = new HashMap<>();
        Map<Target, Duration> ranges = new HashMap<>();
        try (PrometheusHistorySource source = Assembly.historySource(s, targets, Duration.between(start, last))) {
            for (TargetSettings t : targets) {
                // As the daemon reads it (Assembly.historySource): the forecast's history, or with the forecast off
                // the scale-in.peak-window alone, so the replay starts with the recent peaks a daemon started at
                // --from would read; none read left a forecast-off replay without them (recheck 18, F2).
                boolean forecast = t.policy().forecast().enabled();
                Duration range = forecast ? t.policy().forecast().history() : t.policy().scaleIn().peakWindow();
                if (range.isZero()) {
                    continue;
                }
                LoadHistory h = source.refresh(t.target(), last);
                recorded.put(t.target(), source.recorded(t.target()));
                ranges.put(t.target(), range);
                List<String> known = h.signals().stream().filter(n -> h.oldest(n) != null).sorted().toList();
                java.util.Optional<String> failed = source.failure(t.target());
                String without = forecast ? "a forecast" : "recent peaks before --from";
                String found = "";
                if (!known.isEmpty()) {
                    Instant oldest = known.stream().map(h::oldest).min(Instant::compareTo).orElseThrow();
                    found = String.join(", ", known) + " from " + oldest + (forecast ? tooYoung(oldest,
                            t.policy().forecast().minHistory(), start, last) : "");
                }
                out.println("backtest: " + (forecast ? "forecast" : "recent-peak (forecast off)") + " history of "
                        + t.target().id() + ": " + (known.isEmpty()
                        ? failed.map(f -> "could not be read (" + f + "); replayed without " + without)
                        .orElse("none recorded (replayed without " + without + ")")
                        : found));
            }
        }
        return new RecordedHistory(recorded, ranges);
    }

    /**
     * What a history that starts at {@code oldest} leaves of the forecast in a replay from {@code start} to
     * {@code last}: a signal with less than {@code forecast.min-history} behind it has none, as in the daemon, and
     * the line read as though the replay forecast (recheck 76's remark). "" when the history is old enough at start.
     */
    static String tooYoung(Instant oldest, Duration minHistory, Instant start, Instant last) {
        Instant enough = oldest.plus(minHistory);
        if (!enough.isAfter(start)) {
            return "";
        }
        return enough.isAfter(last)
                ? " (less than forecast.min-history " + Durations.setting(minHistory) + " behind any step: replayed"
                + " without a forecast)"
                : " (less than forecast.min-history " + Durations.setting(minHistory) + " at --from: no forecast"
                + " before " + enough + ")";
    }

    /** Reads the recorded replicas through the same adapter, at the replay's steps. */
    private record History(PrometheusMetricsSource source) implements Backtest.History {
        private static final String SPEC = WorkloadReplicas.SPEC;
        private static final String READY = WorkloadReplicas.READY;

        @Override
        public Observation observe(Target target, Instant at) {
            return source.observe(target, at);
        }

        @Override
        public java.util.OptionalDouble servingAmount(Target target,
                                                      io.github.milvusautoscaler.core.ContainerResource resource,
                                                      Instant at) {
            return source.servingAmount(target, resource, at);
        }

        @Override
        public OptionalInt specReplicas(Target target, Instant at) {
            return value(target, SPEC, at);
        }

        @Override
        public OptionalInt readyReplicas(Target target, Instant at) {
            return value(target, READY, at);
        }

        @Override
        public boolean rollingOut(Target target, Instant at) {
            OptionalInt withReplicas = value(target, WorkloadReplicas.DEPLOYMENTS_WITH_REPLICAS, at);
            return withReplicas.isPresent() && withReplicas.getAsInt() >= 2;
        }

        private OptionalInt value(Target target, String template, Instant at) {
            PrometheusMetricsSource.Count c = source.count(source.render(target, template), at);
            return c.failure().isEmpty() && c.series() == 1 && Double.isFinite(c.sum())
                    ? OptionalInt.of((int) Math.round(c.sum())) : OptionalInt.empty();
        }
    }

    static Instant time(String option, String text, Instant now) {
        String t = text.trim();
        if (t.equals("now")) {
            return now;
        }
        Matcher m = RELATIVE.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
            return now.minus(d);
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " " + text + " is neither RFC 3339 (2026-11-24T00:00:00Z),"
                    + " relative (-7d, -36h, -90m) nor now");
        }
    }

    private static Duration duration(String text) {
        Matcher m = Pattern.compile("(\\d{1,6})(s|m|h)").matcher(text.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("--step " + text + " must be a whole number of seconds, minutes or"
                    + " hours > 0, e.g. 15s");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    static String traceFile(Target t) {
        return "trace-" + t.clusterId().replace('/', '_') + "_" + t.component().configName() + ".csv";
    }

    /**
     * An exported trace and the steps it has no row for.
     *
     * @param missing        steps without a row (qps or the ready count unknown)
     * @param longestFrom    the first step of the longest run of them (null when none is missing)
     * @param longestMissing how many steps that run has
     */
    record ExportedTrace(String csv, int steps, int missing, Instant longestFrom, int longestMissing, double peak) {

        /**
         * How to replay the trace at its recorded size: simulate scales every trace's peak to {@code --peak-nodes}
         * (sim.peak-nodes, 8), so a recorded peak of 450 qps, 2.25 nodes at the default sim.capacity-qps 200, was
         * replayed as 8 nodes' worth, 3.5 times the traffic that ran (backtest recheck F4); the user's sim block is not
         * read here (backtest reads the daemon's settings), so the figure is the default's. Empty without a row.
         */
        Optional<String> scale(String file, io.github.milvusautoscaler.core.Component component) {
            if (steps == missing) {
                return Optional.empty();
            }
            SimSettings reference = SimSettings.from(SimSettings.loadConfig(Optional.empty()), component);
            double capacity = reference.model().capacityQps();
            double nodes = peak / capacity;
            String recorded = String.format(Locale.ROOT, "%.1f", peak);
            return Optional.of(file + ": its recorded peak is " + recorded + " searches/s; simulate --trace scales a"
                    + " trace's peak to --peak-nodes (sim.peak-nodes, " + reference.peakNodes() + " by default), so pass"
                    + " --peak-nodes ceil(" + recorded + " / sim.capacity-qps) to replay it near its recorded size: "
                    + Math.max(1, (int) Math.ceil(nodes - 1e-9)) + " at the default sim.capacity-qps "
                    + String.format(Locale.ROOT, "%.0f (%.2f nodes)", capacity, nodes));
        }

        /**
         * What to say of the rows left out: simulate refuses a hole ({@link LoadTrace#isHole}: the rows around the
         * longest run lie (run + 1) steps apart) unless {@code --interpolate-gaps}; empty when no step is missing.
         */
        Optional<String> warning(String file, Duration step) {
            if (missing == 0) {
                return Optional.empty();
            }
            if (missing == steps) {
                // Nothing but the header: "its rows 45s apart" spoke of rows there are none of (recheck 92's remark).
                return Optional.of(file + " holds only its header: qps or the ready replicas were unknown at every one"
                        + " of its " + steps + (steps == 1 ? " step" : " steps") + ", and simulate --trace refuses a"
                        + " trace with no rows");
            }
            Duration apart = step.multipliedBy(longestMissing + 1L);
            return Optional.of(file + " has no row for " + missing + " of " + steps + " steps, where qps or the ready"
                    + " replicas were unknown (the longest run " + longestMissing + (longestMissing == 1 ? " step" : " steps")
                    + " from " + NabCsvReader.timestamp(longestFrom) + ", its rows " + Durations.human(apart) + " apart)"
                    + (LoadTrace.isHole(apart.toSeconds(), step.toSeconds())
                    ? "; simulate --trace refuses such a hole unless --interpolate-gaps draws it as a straight line"
                    : ""));
        }

        /** Builds one step at a time: a row where the load is known, a count where it is not. */
        static final class Builder {
            private final StringBuilder csv = new StringBuilder("timestamp,value\n");
            private int steps;
            private int missing;
            private int run;
            private Instant runFrom;
            private int longest;
            private Instant longestFrom;
            private double peak;

            Builder row(Instant at, double load) {
                steps++;
                peak = Math.max(peak, load);
                csv.append(NabCsvReader.timestamp(at)).append(',').append(String.format(Locale.ROOT, "%.3f", load))
                        .append('\n');
                run = 0;
                return this;
            }

            Builder unknown(Instant at) {
                steps++;
                missing++;
                if (run++ == 0) {
                    runFrom = at;
                }
                if (run > longest) {
                    longest = run;
                    longestFrom = runFrom;
                }
                return this;
            }

            ExportedTrace build() {
                return new ExportedTrace(csv.toString(), steps, missing, longestFrom, longest, peak);
            }
        }
    }

    /**
     * The target's recorded read load as NAB CSV: qps (per ready replica) x recorded ready replicas, one row
     * per step where both are known; a step without them has no row (NAB rows carry no "unknown"), and is counted
     * for {@link ExportedTrace#warning}. Null when the target has no qps signal.
     */
    private static ExportedTrace trace(History history, TargetSettings t, Instant from, Instant to, Duration step) {
        if (t.policy().signals().stream().noneMatch(s -> s.name().equals("qps"))) {
            return null;
        }
        ExportedTrace.Builder exported = new ExportedTrace.Builder();
        for (Instant at = from; !at.isAfter(to); at = at.plus(step)) {
            var qps = history.observe(t.target(), at).signals().get("qps");
            OptionalInt ready = history.readyReplicas(t.target(), at);
            if (qps != null && qps.isKnown() && ready.isPresent()) {
                exported.row(at, qps.value().getAsDouble() * ready.getAsInt());
            } else {
                exported.unknown(at);
            }
        }
        return exported.build();
    }

    static String decisionFile(Target t) {
        return "decisions-" + t.clusterId().replace('/', '_') + "_" + t.component().configName() + ".jsonl";
    }

    /**
     * Said when the endpoint answers its build info as VictoriaMetrics does. Measured here on the Debian
     * victoria-metrics 1.79.5 against Prometheus 2.42 on the same samples (30 s scrapes, one missed): a range query of
     * a plain selector looks back max(step, 1.25 x the series' scrape interval), 37.5 s, where an instant query looks
     * back 5m (app/vmselect/promql rollup.go; VictoriaMetrics' docs, "range query"), so 2 of 10 steps around a 60 s
     * gap were empty or a partial count; no form field changes that, and -search.minStalenessInterval is the one
     * vmselect flag that widens it.
     */
    static final String VICTORIA_METRICS_NOTE = "note: this endpoint answers /api/v1/status/buildinfo without a version,"
            + " as VictoriaMetrics does. Its range queries, which the replay reads, look back max(step, 1.25 x the"
            + " scrape interval) for a plain selector, where its instant queries, which the daemon reads, look back"
            + " 5m: around a missed scrape the replay reads UNKNOWN or a partial count where the daemon would read the"
            + " last sample (2 of 10 steps around one missed 30 s scrape, VictoriaMetrics 1.79.5). vmselect's"
            + " -search.minStalenessInterval=2m makes one missed scrape read as the daemon reads it, and widens every"
            + " window shorter than 2m to 2m, live queries included.";

    static String markdown(List<Backtest.TargetResult> results, Instant from, Instant to, Duration step) {
        return markdown(results, from, to, step, "", false);
    }

    static String markdown(List<Backtest.TargetResult> results, Instant from, Instant to, Duration step,
                           String note, boolean rescaled) {
        StringBuilder b = new StringBuilder();
        b.append("# Backtest ").append(from).append(" .. ").append(to).append(", step ").append(step.toSeconds())
                .append("s").append(rescaled ? ", --rescale-load" : "").append("\n\n");
        b.append(rescaled ? "The load-proportional signals (cpu, memory, qps, read-queue, index-backlog) recorded over"
                + " the replicas that ran were re-divided by the replicas the policy would have run (--rescale-load);"
                + " the others are as recorded."
                : "The recorded signals were measured at the replica counts that really ran, not at the policy's"
                + " (--rescale-load re-divides the load-proportional ones by the policy's).");
        b.append(" The policy's new replicas count as ready at once. Gaps in the history stay UNKNOWN.\n\n");
        if (!note.isEmpty()) {
            b.append("**").append(note.substring(0, 1).toUpperCase(Locale.ROOT)).append(note.substring(1))
                    .append("**\n\n");
        }
        for (Backtest.TargetResult r : results) {
            b.append("## ").append(r.target().id()).append("\n\n");
            b.append("| | recorded | policy |\n|---|---|---|\n");
            row(b, "scale-outs", r.recorded().scaleOuts(), r.policy().scaleOuts());
            row(b, "step-downs", r.recorded().stepDowns(), r.policy().stepDowns());
            row(b, "reversals within 10m", r.recorded().reversals(), r.policy().reversals());
            b.append(String.format(Locale.ROOT, "| node-hours, over the steps whose recorded replicas are known"
                    + " | %.1f | %.1f |%n", r.recorded().nodeSeconds() / 3600.0, r.policy().nodeSeconds() / 3600.0));
            b.append(String.format(Locale.ROOT, "| minutes hot (a signal above its scale-out line) | %.1f | %.1f |%n",
                    r.recorded().hotSeconds() / 60.0, r.policy().hotSeconds() / 60.0));
            b.append('\n');
            long steps = Duration.between(from, to).dividedBy(step) + 1;
            b.append(String.format(Locale.ROOT, "Recorded replicas known at %d of %d steps (%.1f of %.1f hours)%s.%n%n",
                    r.recorded().knownSteps(), steps, r.recorded().knownSteps() * step.toSeconds() / 3600.0,
                    steps * step.toSeconds() / 3600.0, r.recorded().knownSteps() < steps
                            ? ": the rest is before Prometheus' first sample, past its last, or a gap in"
                            + " kube-state-metrics; both sides are counted over the known steps only" : ""));
            b.append(signalsKnown(r.signalKnownSteps(), steps));
            if (!r.scheduled().isEmpty()) {
                b.append("Scheduled floors, applied at each step's instant as the daemon applies them: ")
                        .append(String.join(", ", r.scheduled().stream().map(ScheduledFloor::said).toList()))
                        .append(".\n\n");
            }
            for (Backtest.Change f : r.followed()) {
                if (f.from() == 0 && f.to() == 0) {
                    b.append("The component was stopped (recorded spec.replicas 0) when the range starts at ")
                            .append(f.time()).append("; the policy holds it at 0 (SCALED_TO_ZERO) until it is"
                            + " started, as the daemon would.\n\n");
                    continue;
                }
                b.append("The policy followed the recorded ").append(f.to() == 0 ? "stop" : "start").append(" at ")
                        .append(f.time()).append(" (its count ").append(f.from()).append(" -> ").append(f.to())
                        .append("), as the daemon would: ").append(f.to() == 0 ? "it holds a component at 0"
                        + " (SCALED_TO_ZERO)" : "it decides again from the count set").append("; not one of its"
                        + " actions.\n\n");
            }
            if (!r.unfollowed().isEmpty()) {
                List<Backtest.Change> u = r.unfollowed();
                b.append("**The recorded count moved while it equalled the policy's, and the replay kept its own:** ");
                for (int i = 0; i < Math.min(5, u.size()); i++) {
                    b.append(i == 0 ? "" : ", ").append(u.get(i).from()).append(" -> ").append(u.get(i).to())
                            .append(" at ").append(u.get(i).time());
                }
                b.append(u.size() > 5 ? " and " + (u.size() - 5) + " more (report.json, unfollowed)" : "")
                        .append(". A person (kubectl scale), another autoscaler, an earlier config, or this daemon at another"
                        + " step (its live ticks and forecast reads do not fall on the replay's) made such a move;"
                        + " the daemon would have decided from the new count, while the policy's actions right after it"
                        + " here answer signals measured at the recorded count (README, Backtest).\n\n");
            }
            if (r.recorded().knownSteps() == 0) {
                b.append("**Nothing was replayed: no recorded replicas of this target in the range** (check its"
                        + " namespace, name and install kind; `doctor` names the first missing link).\n\n");
            } else if (r.policy().changes().isEmpty()) {
                b.append("The policy would not have scaled.\n\n");
            } else {
                b.append("| time | replicas | reason | message |\n|---|---|---|---|\n");
                for (Backtest.Change c : r.policy().changes()) {
                    b.append("| ").append(c.time()).append(" | ").append(c.from()).append(" -> ").append(c.to())
                            .append(" | ").append(c.reason()).append(" | ").append(c.message().replace("|", "\\|"))
                            .append(" |\n");
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    /**
     * Each enabled signal's known steps, e.g. "Signals known in the history: cpu at 17027 of 23041 steps (73.9%),
     * qps at 23041 (100%).", with a warning when one falls short: hot minutes and the policy's decisions can only
     * use what was there, so a day without cpu reads as a day of cpu not hot (backtest audit B2).
     */
    static String signalsKnown(Map<String, Integer> known, long steps) {
        if (known.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("Signals known in the history: ");
        boolean first = true;
        boolean short_ = false;
        for (Map.Entry<String, Integer> e : known.entrySet()) {
            b.append(first ? "" : ", ").append(e.getKey()).append(" at ").append(e.getValue())
                    .append(first ? " of " + steps + " steps" : "")
                    .append(String.format(Locale.ROOT, " (%.1f%%)", steps == 0 ? 0.0 : 100.0 * e.getValue() / steps));
            short_ |= e.getValue() < steps;
            first = false;
        }
        b.append('.');
        if (short_) {
            b.append(" **Where a signal was unknown, neither side counts it as hot and the policy decided without it**"
                    + " (it holds a step-down on unknown data); the decision logs name each step's missing signals.");
        }
        return b.append("\n\n").toString();
    }

    private static void row(StringBuilder b, String what, int recorded, int policy) {
        b.append("| ").append(what).append(" | ").append(recorded).append(" | ").append(policy).append(" |\n");
    }

    private static String json(List<Backtest.TargetResult> results, Instant from, Instant to, Duration step,
                               double seconds, long rangeQueries, boolean rescaled) {
        JsonObject root = new JsonObject();
        root.addProperty("from", from.toString());
        root.addProperty("to", to.toString());
        root.addProperty("stepSeconds", step.toSeconds());
        root.addProperty("rescaleLoad", rescaled);
        root.addProperty("rangeQueries", rangeQueries);
        root.addProperty("wallSeconds", Math.round(seconds * 10) / 10.0);
        JsonArray targets = new JsonArray();
        for (Backtest.TargetResult r : results) {
            JsonObject t = new JsonObject();
            t.addProperty("target", r.target().id());
            JsonObject known = new JsonObject();
            r.signalKnownSteps().forEach(known::addProperty);
            t.add("signalKnownSteps", known);
            JsonArray scheduled = new JsonArray();
            r.scheduled().forEach(w -> scheduled.add(w.said()));
            t.add("scheduled", scheduled);
            t.add("recorded", side(r.recorded()));
            t.add("policy", side(r.policy()));
            JsonArray followed = new JsonArray();
            r.followed().forEach(f -> followed.add(change(f)));
            t.add("followed", followed);
            JsonArray unfollowed = new JsonArray();
            r.unfollowed().forEach(f -> unfollowed.add(change(f)));
            t.add("unfollowed", unfollowed);
            targets.add(t);
        }
        root.add("targets", targets);
        return new GsonBuilder().setPrettyPrinting().create().toJson(root) + "\n";
    }

    private static JsonObject side(Backtest.Side s) {
        JsonObject o = new JsonObject();
        o.addProperty("scaleOuts", s.scaleOuts());
        o.addProperty("stepDowns", s.stepDowns());
        o.addProperty("reversals", s.reversals());
        o.addProperty("nodeSeconds", s.nodeSeconds());
        o.addProperty("hotSeconds", s.hotSeconds());
        o.addProperty("knownSteps", s.knownSteps());
        JsonArray changes = new JsonArray();
        s.changes().forEach(c -> changes.add(change(c)));
        o.add("changes", changes);
        return o;
    }

    private static JsonObject change(Backtest.Change c) {
        JsonObject j = new JsonObject();
        j.addProperty("time", c.time().toString());
        j.addProperty("from", c.from());
        j.addProperty("to", c.to());
        j.addProperty("reason", c.reason());
        j.addProperty("message", c.message());
        return j;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isEmpty();
        }
    }
}
