package io.github.milvusautoscaler.cli;

import io.github.milvusautoscaler.alerts.AlertBook;
import io.github.milvusautoscaler.alerts.TokenFile;
import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.engine.DecisionLogWriter;
import io.github.milvusautoscaler.engine.Engine;
import io.github.milvusautoscaler.engine.EngineAssembly;
import io.github.milvusautoscaler.engine.EngineTarget;
import io.github.milvusautoscaler.engine.ManualClock;
import io.github.milvusautoscaler.server.HttpApi;
import io.github.milvusautoscaler.server.SelfMetrics;
import io.github.milvusautoscaler.server.StatusJson;
import io.github.milvusautoscaler.sim.LoadTrace;
import io.github.milvusautoscaler.sim.Reports;
import io.github.milvusautoscaler.sim.SimPolicies;
import io.github.milvusautoscaler.sim.SimSettings;
import io.github.milvusautoscaler.sim.SimulatedComponent;
import io.github.milvusautoscaler.sim.Simulation;
import io.github.milvusautoscaler.sim.SimulationResult;
import io.github.milvusautoscaler.sim.SvgChart;
import io.github.milvusautoscaler.sim.TraceRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: the autoscaler working with nothing installed. The real engine, policy, HTTP
 * server and decision log run against an in-process simulated queryNode fed by a bundled trace,
 * a week compressed into about a minute; then the same slice is scored against both HPA baselines.
 *
 * <p>Exit 0 played through, 1 the port is in use or the reports cannot be written, 2 a bad option or an
 * {@code --out} that cannot be created or written or holds a simulate or backtest report (refused before playing,
 * like simulate's). The files reach {@code --out} together after the run ({@link OutputDirectory#replace}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Watch the autoscaler scale a simulated queryNode through a week of real traffic in a minute.",
        footer = {"", "Exit codes: 0 played through, 1 the port is in use (--port 0 takes any free one) or the"
                + " reports could not be written, 2 a bad option or --out, 130 Ctrl-C."})
public final class DemoCommand implements Callable<Integer> {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEE MM-dd HH:mm").withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Option(names = "--trace", defaultValue = "nyc_taxi",
            description = "Bundled trace, scenario name or CSV file (default: ${DEFAULT-VALUE}).")
    String trace;

    @Option(names = "--days", defaultValue = "7", description = "Days of the trace to play (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--speed", defaultValue = "10080",
            description = "Simulated seconds per wall second; 10080 plays a week in a minute (default: ${DEFAULT-VALUE}).")
    double speed;

    @Option(names = "--port", defaultValue = "8080",
            description = "Port of the HTTP server (/metrics, /healthz, /readyz, /api/v1/status); 0 picks one"
                    + " (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--out", defaultValue = "demo-out",
            description = "Where the decision log, report and chart go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--alerts-token-file", paramLabel = "FILE",
            description = "Enable POST /api/v1/alerts with the bearer token in FILE, to try alert-driven scaling with curl.")
    Path alertsTokenFile;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // One line per flag, naming the one that is wrong: "--days must be >= 1 and --speed > 0" left the reader
        // to guess which of the two it meant.
        if (days < 1) {
            err.println("demo: --days " + days + " must be >= 1");
            return Main.EXIT_USAGE;
        }
        if (!(speed > 0)) { // NaN included: it compares false
            err.println("demo: --speed " + number(speed) + " must be > 0 (simulated seconds per wall second)");
            return Main.EXIT_USAGE;
        }
        if (port < 0 || port > 65535) {
            err.println("demo: --port must be a port number from 0 to 65535 (0: any free port), was " + port);
            return Main.EXIT_USAGE;
        }
        // The daemon starts without its token file, which may be mounted later; the demo runs here and now, and its
        // alerts endpoint would answer every curl with an error (recheck 16, finding 10).
        // Named as the daemon names it: a value without a '/' may be the token pasted in place of its path (recheck
        // 82, F2: the demo printed it).
        String shown = alertsTokenFile == null ? "" : io.github.milvusautoscaler.core.PrometheusAuth.shown(alertsTokenFile);
        if (alertsTokenFile != null && !java.nio.file.Files.isReadable(alertsTokenFile)) {
            err.println("demo: --alerts-token-file " + shown + " cannot be read"
                    + (java.nio.file.Files.exists(alertsTokenFile) ? " (permission)" : " (no such file)"));
            return Main.EXIT_USAGE;
        }
        // An empty file is no token either: every alert would get a 500 (secrets recheck 28, F5). The daemon's check
        // says it ("alerts.bearer-token-file ... is empty"); the demo's flag is named for what the person typed.
        Optional<String> noToken = alertsTokenFile == null ? Optional.empty()
                : new TokenFile(alertsTokenFile).unreadable();
        if (noToken.isPresent()) {
            String prefix = "alerts.bearer-token-file " + shown + " ";
            err.println("demo: --alerts-token-file " + shown + ": " + (noToken.get().startsWith(prefix)
                    ? noToken.get().substring(prefix.length()) : noToken.get()));
            return Main.EXIT_USAGE;
        }
        LoadTrace whole;
        try {
            whole = TraceRegistry.resolve(trace, 1);
        } catch (RuntimeException e) {
            err.println("demo: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        // A started day counts: nyc_taxi ends at 23:30 of its 215th day, and --days 215 plays all of it.
        int traceDays = Math.max(1, (int) Math.ceil(whole.durationSeconds() / 86400.0 - 1e-9));
        if (days > traceDays && spec.commandLine().getParseResult().hasMatchedOption("--days")) {
            // Asked for, not defaulted: a --days beyond the trace would have played the whole trace while the banner
            // and the scorecard claimed the days asked for. The default 7 plays a shorter scenario whole instead.
            err.println("demo: --days " + days + " is more than trace " + whole.name() + " has: " + traceDays
                    + (traceDays == 1 ? " day" : " days") + " (--days " + traceDays + " plays all of it)");
            return Main.EXIT_USAGE;
        }
        LoadTrace raw = slice(whole, days);
        // What is played, as the banner, chart and scorecard say it: the days asked for, or all of a shorter trace
        // (the default 7 days of the 6-hour step scenario is "6h").
        // A trace of 25 hours is "25h", not "2 days" (audit-input F11); 7 days of nyc_taxi are "7 days", all of it
        // (to 23:30 of its 215th day) "215.0 days".
        long spanSeconds = Math.round(Math.min(days * 86400.0, whole.durationSeconds()));
        String span = spanSeconds % 86400 == 0 ? spanSeconds / 86400 + (spanSeconds == 86400 ? " day" : " days")
                : spanSeconds < 2 * 86400 ? Durations.human(Duration.ofSeconds(spanSeconds))
                : String.format(java.util.Locale.ROOT, "%.1f days", spanSeconds / 86400.0);
        var cfg = SimSettings.loadConfig(Optional.empty());
        SimSettings settings = SimSettings.from(cfg, Component.QUERY_NODE);
        Simulation sim = Simulation.builder().trace(raw).settings(settings).config(cfg).component(Component.QUERY_NODE)
                .policies(SimPolicies.builtIn(), List.of("milvus-autoscaler", "hpa", "hpa-milvus")).build();
        // Like simulate: an --out that cannot take the files is refused in one line before the demo plays.
        boolean outExisted = Files.isDirectory(out);
        Optional<String> unusable = OutputDirectory.prepare(out, "demo");
        if (unusable.isPresent()) {
            err.println("demo: " + unusable.get());
            return Main.EXIT_USAGE;
        }

        SimulatedComponent queryNode = sim.newComponent();
        ManualClock clock = new ManualClock(sim.demand().start());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SelfMetrics self = new SelfMetrics(registry, () -> true, false);
        // The alert routes, caps and body limit of run: reference.conf's, with the demo's own token file.
        AutoscalerSettings defaults = ConfigLoader.defaults();
        AlertBook alerts = Assembly.alertBook(defaults.alerts(), registry);
        alerts.setTargets(List.of(sim.target()));
        EngineTarget target = EngineAssembly.target(sim.target(), ConfigLoader.policyFor(cfg, Component.QUERY_NODE));
        // The files go to a temporary directory and into --out only when whole (OutputDirectory.replace), so a demo
        // cut short by an error or a kill leaves the last run's report as it was.
        Path staged;
        try {
            staged = Files.createTempDirectory("milvus-autoscaler-demo-");
        } catch (IOException e) {
            err.println("demo: cannot create a temporary directory: " + OutputDirectory.describe(e));
            return Main.EXIT_FAILURE;
        }
        // Ctrl-C: the hook below asks the loop to stop and waits (briefly) until the log so far is in --out and the
        // temporary directory is gone; the JVM halts when the hook returns, so this run's cleanup must come first.
        java.util.concurrent.CountDownLatch played = new java.util.concurrent.CountDownLatch(1);
        try {
            try (Assembly parts = new Assembly()) {
                DecisionLogWriter log = parts.opened("decision log",
                        DecisionLogWriter.create(staged.resolve("decisions.jsonl")));
                // The forecast reads the trace's past, as the scored milvus-autoscaler policy does, so the decisions
                // printed are the ones the scorecard counts (forecast.min-history: from day 3).
                Engine engine = EngineAssembly.of(clock, queryNode, queryNode, cfg.getInt(ConfigLoader.ROOT
                                + ".max-actions-per-hour"))
                        .history(sim.forecastHistory())
                        .alerts(Assembly.alertSource(alerts)).sink(log).sink(self).sink(d -> printScale(o, d))
                        .listener(self)
                        .build();
                Map<String, com.sun.net.httpserver.HttpHandler> extra = alertsTokenFile == null ? Map.of()
                        : Assembly.alertsEndpoint(defaults.alerts(), new TokenFile(alertsTokenFile), alerts, () -> true,
                        clock, t -> { }, registry);
                HttpApi api;
                try {
                    api = parts.server(defaults.server().withBindAddress("127.0.0.1").withPort(port), registry,
                            () -> self.refresh(engine),
                            () -> StatusJson.render(engine.views().values(), true, false, clock.instant()).toString(),
                            extra);
                } catch (HttpApi.PortInUseException e) {
                    err.println("demo: " + e.getMessage() + " (try --port 0)");
                    if (!outExisted) {
                        // Made by this run's check of --out, and nothing was played into it (recheck 16, 10).
                        try {
                            Files.deleteIfExists(out);
                        } catch (IOException | RuntimeException left) {
                            // not empty or not ours to remove: it stays
                        }
                    }
                    return Main.EXIT_FAILURE;
                }
                AtomicBoolean stop = new AtomicBoolean();
                Thread hook = new Thread(() -> {
                    stop.set(true);
                    try {
                        played.await(3, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    api.markReady();
                    String base = "http://127.0.0.1:" + api.port();
                    o.printf("demo: %s of %s against a simulated queryNode (target %s), %,.0fx real time%n",
                            span, raw.name(), sim.target().id(), speed);
                    o.printf("      watch it: %s/api/v1/status  %s/metrics"
                            + "  (java -jar %s status --url %s)%n", base, base, Main.jarPath(), base);
                    if (alertsTokenFile != null) {
                        o.printf("      alerts:   curl -H 'Authorization: Bearer <token>'"
                                + " -H 'Content-Type: application/json' -d @payload.json %s/api/v1/alerts"
                                + "  (labels namespace=%s, app_kubernetes_io_instance=%s, "
                                + "component=querynode)%n", base, sim.target().namespace(), sim.target().name());
                    }
                    o.flush();
                    play(sim, queryNode, clock, engine, target, stop);
                } finally {
                    if (!stop.get()) {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    }
                }
                if (stop.get()) {
                    o.println("demo: stopped at " + WHEN.format(clock.instant()) + " (simulated)");
                    o.flush();
                    parts.close();
                    try {
                        // The log so far is the run's record; no report was made.
                        OutputDirectory.replace("demo", staged, out);
                    } catch (IOException e) {
                        err.println("demo: cannot write the decision log to " + out + ": "
                                + OutputDirectory.describe(e));
                        err.flush();
                    }
                    return Main.EXIT_OK;
                }
            }
            SimulationResult result = sim.run(io.github.milvusautoscaler.sim.RunListener.NONE);
            try {
                Files.writeString(staged.resolve("report.md"), Reports.markdown(result, settings, 1,
                        decisionLogParagraph(settings)));
                Files.writeString(staged.resolve("chart.svg"), SvgChart.render(result.chart(), raw.name() + ", " + span));
                var worst = SvgChart.renderWorstDay(result, raw.name());
                if (worst.isPresent()) {
                    Files.writeString(staged.resolve("chart-worst-day.svg"), worst.get());
                }
                List<Path> written = OutputDirectory.replace("demo", staged, out);
                OutputDirectory.notOfThisRunNote("demo", out, written).ifPresent(note -> {
                    err.println(note);
                    err.flush();
                });
            } catch (IOException e) {
                err.println("demo: cannot write the reports to " + out + ": " + OutputDirectory.describe(e));
                err.flush();
                return Main.EXIT_FAILURE;
            }
            o.println();
            o.println("scorecard (same " + span + ", same model):");
            o.print(Reports.table(result));
            // The "x clairvoyant" column reads against this bound; report.md had it and the console did not (recheck 36).
            result.clairvoyant().ifPresent(b -> o.println(Reports.clairvoyantLine(b)));
            o.println("chart: " + out.resolve("chart.svg").toAbsolutePath());
            o.println("decision log: " + out.resolve("decisions.jsonl").toAbsolutePath());
            o.flush();
            return Main.EXIT_OK;
        } finally {
            OutputDirectory.deleteQuietly(staged);
            played.countDown();
        }
    }

    /**
     * report.md's paragraph on the demo's one log: the live engine's decision log as run writes it, every tick's
     * decision with HOLDs included, not simulate's per-policy logs of changes only (the baselines keep none here).
     */
    static String decisionLogParagraph(SimSettings settings) {
        return "`decisions.jsonl` holds every decision of the live milvus-autoscaler engine, one line per "
                + settings.tick().toSeconds() + " s tick, HOLDs included (the decision log `run` writes);"
                + " the HPA baselines are scored without a log.";
    }

    /** Ticks the real engine through the trace, paced to {@code speed} simulated seconds per wall second. */
    private void play(Simulation sim, SimulatedComponent queryNode, ManualClock clock, Engine engine,
                      EngineTarget target, AtomicBoolean stop) throws InterruptedException {
        Duration tick = sim.settings().tick();
        Instant end = sim.demand().end();
        long wallStart = System.nanoTime();
        Instant simStart = clock.instant();
        while (!stop.get() && clock.instant().plus(tick).compareTo(end) <= 0) {
            clock.advance(tick);
            queryNode.advanceTo(clock.instant());
            engine.tick(target);
            double simElapsed = Duration.between(simStart, clock.instant()).toMillis() / 1000.0;
            long dueNanos = wallStart + (long) (simElapsed / speed * 1e9);
            long sleep = dueNanos - System.nanoTime();
            if (sleep > 1_000_000) {
                Thread.sleep(sleep / 1_000_000);
            }
        }
    }

    private static void printScale(PrintWriter o, Decision d) {
        if (d.isScale()) {
            o.printf("[%s] %-9s %2d -> %-2d %-18s %s%n", WHEN.format(d.time()), d.action(), d.from(), d.to(), d.reason(),
                    d.message().text());
            o.flush();
        }
    }

    /** {@code 10080}, {@code 0}, {@code -5}, {@code 0.5}, {@code NaN}: a number as the user would have typed it. */
    private static String number(double v) {
        return Double.isFinite(v) && v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
                : Double.toString(v);
    }

    /** The first {@code days} days of a trace (the whole trace if shorter). */
    static LoadTrace slice(LoadTrace t, int days) {
        double limit = Math.min(days * 86400.0, t.durationSeconds());
        int n = 0;
        while (n < t.size() && t.offset(n) <= limit) {
            n++;
        }
        double[] offsets = new double[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            offsets[i] = t.offset(i);
            values[i] = t.value(i);
        }
        return new LoadTrace(t.name(), t.start(), offsets, values);
    }
}
