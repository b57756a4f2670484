package io.github.milvusautoscaler.cli;

import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.PrometheusEndpoint;
import io.github.milvusautoscaler.metrics.FailureKind;
import io.github.milvusautoscaler.metrics.ProbeFailure;
import io.github.milvusautoscaler.metrics.PrometheusMetricsSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The {@code --config FILE [--cluster NS/NAME] [--target NS/NAME/COMPONENT]} options of the commands that read a
 * configuration and act on some of its targets ({@code signals}, {@code doctor}, {@code backtest}, and through
 * {@code TargetSelection} {@code scale}), loaded through the one settings path so whatever {@code validate-config}
 * accepts, they run.
 */
final class ConfigAndCluster {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The HOCON configuration file.")
    Path config;

    @Option(names = "--cluster", paramLabel = "NS/NAME", description = "Only this cluster's targets.")
    String cluster;

    /**
     * One target, named as {@code scale}, {@code pause} and {@code simulate} name it: an on-call person reaches for it
     * after those, and the TargetBlind runbook once named it for {@code signals}, which had only {@code --cluster}
     * (recheck 108, F1).
     */
    @Option(names = "--target", paramLabel = "NS/NAME/COMPONENT",
            description = "Only this target, e.g. milvus/my-release/queryNode.")
    String target;

    /** The loaded settings and the targets they select. */
    record Selected(AutoscalerSettings settings, List<TargetSettings> targets) {

        /**
         * A metrics source for {@code targets} on this configuration's Prometheus, as the daemon builds it, with
         * its own meters (a one-shot command publishes none); the caller closes it.
         */
        PrometheusMetricsSource metrics(List<TargetSettings> targets) {
            return source(settings.prometheus(), targets);
        }

        /**
         * As {@link #metrics}, but every observation asks Prometheus anew: {@code scale} polls one target every
         * {@code --poll-interval}, and with the daemon's share-window (5s) a 2 s poll would check settle and harm on an
         * answer up to 5 s old, and print a settle state beside a fresher count of the same query.
         */
        PrometheusMetricsSource freshMetrics(List<TargetSettings> targets) {
            return source(settings.prometheus().withShareWindow(Duration.ZERO), targets);
        }

        private PrometheusMetricsSource source(PrometheusEndpoint endpoint, List<TargetSettings> targets) {
            return new PrometheusMetricsSource(endpoint, settings.labelSchemes(), Assembly.queries(targets),
                    new SimpleMeterRegistry());
        }

        /**
         * True, after one line on {@code err}, when {@code source} cannot evaluate {@code vector(1)} at {@code now};
         * the command then exits {@link Main#EXIT_FAILURE}. The line says {@code <command>: Prometheus at URL cannot
         * be reached: why} only when no answer came (refused, timeout, DNS, TLS), and {@code <command>: Prometheus
         * at URL: query failed: why} for an answer that was not a result (401, 5xx, a page that is not JSON, a
         * credentials file that cannot be read): the fix is elsewhere then, and the words should point there.
         */
        boolean prometheusFails(String command, PrometheusMetricsSource source, Instant now, PrintWriter err) {
            Optional<ProbeFailure> down = source.probe(now);
            if (down.isEmpty()) {
                return false;
            }
            // The URL as configured: the config refuses one with credentials in it (prometheus.auth holds those).
            String at = "Prometheus at " + settings.prometheus().url();
            // A timeout is this side's limit as much as Prometheus' state: named, so a tight one is found where it is
            // set (recheck 113, F3: "cannot be reached: prometheus timeout after 1ms" of a Prometheus that was up).
            String limit = down.get().kind() == FailureKind.TIMEOUT ? " (prometheus.timeout is "
                    + Durations.setting(settings.prometheus().timeout()) + ": raise it if Prometheus is up but slow)"
                    : "";
            err.println(command + ": " + at + (down.get().unreachable() ? " cannot be reached: " : ": query failed: ")
                    + down.get().reason() + limit);
            err.flush();
            return true;
        }
    }

    /**
     * True, after one line on {@code out}, when {@code selected} has no target: a config whose {@code clusters} list
     * is empty (or absent), where {@code command} has nothing {@code to} do.
     */
    static boolean nothingTo(String command, String to, Selected selected, PrintWriter out) {
        if (!selected.targets().isEmpty()) {
            return false;
        }
        out.println(command + ": the config names no cluster (clusters = [] or none): nothing to " + to);
        out.flush();
        return true;
    }

    /**
     * The settings and the selected targets, or empty after one line on {@code err}: every configuration
     * error with file and line, or {@code <command>: no target in cluster NS/NAME; configured: [...]}.
     * Either way the command exits {@link Main#EXIT_USAGE}. For a command that queries Prometheus. With no
     * {@code --cluster} the targets may be none: {@code clusters = []} is a valid config (the daemon runs it, stopping
     * every target), so the command says so and exits 0 ({@link #nothingTo}) rather than call it a bad config
     * (recheck 31, F3).
     */
    Optional<Selected> load(String command, PrintWriter err) {
        return load(command, err, true);
    }

    /**
     * As {@link #load(String, PrintWriter)}; {@code queriesPrometheus} false for a command that never does
     * ({@code pause}, {@code resume}), which a {@code prometheus.auth.ca-file} it cannot read must not stop.
     */
    Optional<Selected> load(String command, PrintWriter err, boolean queriesPrometheus) {
        Optional<AutoscalerSettings> loaded = queriesPrometheus ? Main.loadConfigForPrometheus(config, err)
                : Main.loadConfig(config, err);
        if (loaded.isEmpty()) {
            return Optional.empty();
        }
        AutoscalerSettings s = loaded.get();
        List<TargetSettings> targets = s.targets().stream()
                .filter(t -> cluster == null || t.target().clusterId().equals(cluster))
                .filter(t -> target == null || t.target().id().equals(target)).toList();
        if (targets.isEmpty() && target != null) {
            err.println(command + ": no target " + target + (cluster == null ? "" : " in cluster " + cluster)
                    + "; configured: " + s.targets().stream().map(t -> t.target().id()).toList());
            err.flush();
            return Optional.empty();
        }
        if (targets.isEmpty() && cluster != null) {
            err.println(command + ": no target in cluster " + cluster + "; configured: " + s.targets().stream()
                    .map(t -> t.target().clusterId()).distinct().toList());
            err.flush();
            return Optional.empty();
        }
        return Optional.of(new Selected(s, targets));
    }
}
