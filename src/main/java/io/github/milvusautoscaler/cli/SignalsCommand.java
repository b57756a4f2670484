package io.github.milvusautoscaler.cli;

import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.metrics.PrometheusHistorySource;
import io.github.milvusautoscaler.metrics.PrometheusMetricsSource;
import io.github.milvusautoscaler.core.Forecast;
import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.policy.ForecastSettings;
import io.github.milvusautoscaler.policy.SeasonalForecast;
import io.github.milvusautoscaler.policy.SignalPolicy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code signals --config FILE [--cluster NS/NAME]}: what the autoscaler sees, for an SRE checking
 * their queries. Per target: each signal's rendered PromQL, current value, state and band, plus the
 * settle and health queries. Exit 1 when Prometheus cannot be reached or cannot answer a query, with the reason;
 * an answer without a value (empty, NaN, stale) or a signal left out of decisions (N/A) is not a failure.
 */
@Command(name = "signals", mixinStandardHelpOptions = true,
        description = "Print each target's rendered PromQL, current values, states and thresholds.",
        footer = {"", "Exit codes: 0 every query answered (an empty result or N/A signal included), 1 Prometheus"
                + " unreachable or a query failed (stderr names the target, query and reason), 2 bad config."})
public final class SignalsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigAndCluster selection;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<ConfigAndCluster.Selected> selected = selection.load("signals", err);
        if (selected.isEmpty()) {
            return Main.EXIT_USAGE;
        }
        if (ConfigAndCluster.nothingTo("signals", "read", selected.get(), out)) {
            return Main.EXIT_OK;
        }
        AutoscalerSettings s = selected.get().settings();
        List<TargetSettings> targets = selected.get().targets();
        // The history source's WARN for a failed read says it keeps the read before and tries again in 5m: a
        // daemon's words, in a one-shot command whose forecast line says the read failed and why (recheck 111, F4).
        try (Logging.Restore quiet = Logging.errorsOnly(PrometheusHistorySource.class.getName());
             PrometheusMetricsSource source = selected.get().metrics(targets);
             PrometheusHistorySource history = Assembly.historySource(s, targets, java.time.Duration.ZERO)) {
            Instant now = Instant.now();
            source.leftOutSaidByTheReport();
            if (selected.get().prometheusFails("signals", source, now, err)) {
                return Main.EXIT_FAILURE;
            }
            int failed = 0;
            for (TargetSettings t : targets) {
                Observation o = source.observe(t.target(), now);
                Map<String, String> promql = source.renderedQueries(t.target());
                ForecastSettings fs = t.policy().forecast();
                LoadHistory read = fs.enabled() ? history.refresh(t.target(), now) : LoadHistory.NONE;
                java.util.Optional<String> readFailed = fs.enabled() ? history.failure(t.target())
                        : java.util.Optional.empty();
                Forecast forecast = fs.enabled() ? SeasonalForecast.forecast(read, now, fs).withHistory(read)
                        : Forecast.NONE;
                // In the request the signals divide by now, as the daemon puts it: a history whose last point fell in
                // a rollout read in the mixed request, with no note, beside the daemon's status (recheck 83, F2).
                forecast = forecast.inUnitsServed(r -> source.servingAmount(t.target(), r, now),
                        io.github.milvusautoscaler.core.TemplateResources.UNKNOWN);
                out.printf("%s (%s)  settle %s, health %s%n", t.target().id(),
                        t.target().install().name().toLowerCase(Locale.ROOT), o.settle(), o.health());
                int ready = readyReplicas(source, s, t, now);
                for (SignalPolicy band : t.policy().signals()) {
                    Signal sig = partial(o.signals().get(band.name()), ready);
                    String value = sig != null && sig.isKnown() ? fmt(sig.value().getAsDouble())
                            : sig != null && !sig.applicable() ? "n/a" : "unknown";
                    double line = fs.lineFor(band, forecast);
                    String moved = line == band.scaleOutAbove() ? ""
                            : ", HIGH above " + fmt(line) + " with the trusted forecast (forecast.line "
                            + fmt(fs.line()) + ")";
                    out.printf("  %-20s %-9s %-8s band [%s, %s] target %s%s%s%n", band.name(), value,
                            state(band, line, sig), fmt(band.scaleInBelow()), fmt(band.scaleOutAbove()),
                            fmt(band.target()), moved,
                            "  (" + reporting(sig) + ")");
                    // A signal left out (N/A) has no load to forecast: its line would only say "forecast unknown".
                    if (PrometheusHistorySource.LOAD_PROPORTIONAL.contains(band.name())
                            && (sig == null || sig.applicable())) {
                        out.println("    " + forecastLine(band.name(), forecast, fs, read, readFailed, now, sig));
                    }
                    out.println("    " + promql.get(band.name()).replaceAll("\\s+", " "));
                    // A known value or an N/A signal proves its query was answered; only an UNKNOWN one may hide a
                    // failed query among the answers that merely hold no value.
                    if (sig == null || (!sig.isKnown() && sig.applicable())) {
                        failed += unanswered(t, band.name(), promql.get(band.name()), source, now, err);
                    }
                }
                for (String extra : List.of("settle-query", "health-query", "replica-floor-query")) {
                    if (promql.containsKey(extra)) {
                        // The state the query gives, as in the header: QUIET or BUSY (settle), OK or FAILING (health),
                        // the floor or UNKNOWN (replica floor). The settle note says how much still moves or why the
                        // read failed (settle recheck L2).
                        out.printf("  %-20s %s%n    %s%n", extra, switch (extra) {
                                    case "settle-query" -> o.settle() + (o.settleNote().isEmpty() ? ""
                                            : " (" + o.settleNote() + ")");
                                    case "health-query" -> o.health().toString();
                                    default -> o.replicaFloor().known() ? o.replicaFloor().nodes() + " (no step-down"
                                            + " below it)" : "UNKNOWN (" + o.replicaFloor().note() + ")";
                                },
                                promql.get(extra).replaceAll("\\s+", " "));
                        boolean unknown = switch (extra) {
                            case "settle-query" -> o.settle() == Settle.UNKNOWN;
                            case "health-query" -> o.health() == Health.UNKNOWN;
                            default -> !o.replicaFloor().known();
                        };
                        if (unknown) {
                            failed += unanswered(t, extra, promql.get(extra), source, now, err);
                        }
                    }
                }
                out.println();
            }
            out.flush();
            err.flush();
            return failed == 0 ? Main.EXIT_OK : Main.EXIT_FAILURE;
        }
    }

    /**
     * 1, after {@code signals: <target> <name>: query failed: <reason>} on {@code err}, when Prometheus did not
     * answer {@code promql} at {@code now}; 0 when it answered, with or without a value.
     *
     * <p>The README's exit 1 is for "a query failed", not for a signal without a value: an empty result (no pods
     * yet) or a NaN is the daemon's UNKNOWN and exits 0. The {@link Signal} does not carry the metrics package's
     * failure kind (core imports nothing of it), and its problem text is for people, so the query is asked once
     * more through {@link PrometheusMetricsSource#count}, whose failure is set exactly for a
     * {@code QueryResult.Failed} (HTTP 4xx/5xx, timeout, transport, a body that is not Prometheus JSON, a query
     * error, too many series, the wrong result type), never for an answer that holds no value. Only UNKNOWN
     * signals are asked again, so a healthy run sends no extra query.
     */
    private static int unanswered(TargetSettings t, String name, String promql, PrometheusMetricsSource source,
                                  Instant now, PrintWriter err) {
        Optional<String> failure = source.count(promql, now).failure();
        failure.ifPresent(why -> err.println("signals: " + t.target().id() + " " + name + ": query failed: " + why));
        return failure.isPresent() ? 1 : 0;
    }

    /**
     * "forecast within 5m: 0.800 per replica (load 2.40 ...)": the highest load the seasonal forecast expects
     * within {@code forecast.lead}, per replica at the current ready count; or why there is none.
     */
    private static String forecastLine(String name, Forecast forecast, ForecastSettings fs, LoadHistory history,
                                       java.util.Optional<String> readFailed, Instant now, Signal sig) {
        if (!fs.enabled()) {
            return "forecast off (forecast.enabled = false)";
        }
        java.util.OptionalDouble lead = forecast.leadPeak(name);
        if (lead.isEmpty() && readFailed.isPresent()) {
            // Read afresh here; a running daemon keeps its last good read through failing ones (forecast recheck).
            return "forecast unknown here: the history read failed (" + readFailed.get() + "); a running daemon"
                    + " keeps deciding on its last good read (its /api/v1/status historyEnd says how old)";
        }
        if (lead.isEmpty()) {
            return "forecast unknown: " + SeasonalForecast.whyNone(history, name, now, fs).orElse("no forecast")
                    + " (decides as without a forecast)";
        }
        int replicas = sig != null && sig.podsReporting() > 0 ? sig.podsReporting() : 1;
        return "forecast within " + fs.lead().toMinutes() + "m: load " + fmt(lead.getAsDouble()) + " ("
                + forecast.leadBasis(name) + ")" + (sig != null && sig.podsReporting() > 0
                ? ", " + fmt(lead.getAsDouble() / replicas) + " per pod on " + replicas : "");
    }

    /** The state the policy reads: HIGH above {@code line} (the forecast line with a trusted forecast). */
    private static String state(SignalPolicy band, double line, Signal sig) {
        if (sig != null && !sig.applicable()) {
            return "N/A";
        }
        if (sig == null || !sig.isKnown()) {
            return "UNKNOWN";
        }
        return band.state(sig.value().getAsDouble(), line).name();
    }

    /**
     * The component's ready replicas as kube-state-metrics reports them ({@code queries.component-ready}); -1 when
     * that cannot be read. The daemon knows them from the scaled object; this command reads Prometheus only.
     */
    private static int readyReplicas(PrometheusMetricsSource source, AutoscalerSettings s, TargetSettings t,
                                     Instant now) {
        String template = s.queryTemplates().get("component-ready");
        if (template == null) {
            return -1;
        }
        PrometheusMetricsSource.Count c = source.count(source.render(t.target(), template), now);
        return c.failure().isPresent() || c.series() == 0 ? -1 : (int) Math.round(c.sum());
    }

    /**
     * A value not of the ready pods (fewer or more pods report it than are ready, {@link Signal#notOfReady}) is UNKNOWN
     * to the daemon, which never decides on part of the pods (README: "only 3 of 4 ready pods reporting"), so it is
     * shown as such: signals printed 0.677 IN_BAND beside the daemon's PARTIAL_DATA hold (recheck 67, F2).
     */
    static Signal partial(Signal sig, int ready) {
        return sig == null || ready < 0 ? sig : sig.notOfReady(ready)
                .map(why -> Signal.unknown(sig.name(), why + " (the daemon reads it UNKNOWN)")).orElse(sig);
    }

    /**
     * Who the value came from: {@code 3 pods reporting} for a per-pod signal, {@code one cluster value} for one
     * read over the whole cluster (qps, index-backlog: no pod reports it), or why there is none.
     */
    static String reporting(Signal sig) {
        if (sig == null) {
            return "not in the answer";
        }
        if (!sig.isKnown()) {
            return sig.problem();
        }
        // The fullest pod beside the average: a memory limit is per container, and one node near it is hidden by an
        // average in band (recheck 65, F2).
        return sig.podsReporting() == 0 ? "one cluster value"
                : sig.podsReporting() + (sig.podsReporting() == 1 ? " pod reporting" : " pods reporting")
                + (sig.podsReporting() < 2 ? "" : sig.hottest().map(h -> ", fullest " + h.pod() + " "
                + fmt(h.value())).orElse(""));
    }

    private static String fmt(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
