package io.github.milvusautoscaler.cli;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.actuate.KubernetesEventSink;
import io.github.milvusautoscaler.alerts.AlertBook;
import io.github.milvusautoscaler.alerts.AlertsHandler;
import io.github.milvusautoscaler.alerts.TokenFile;
import io.github.milvusautoscaler.config.AlertsSettings;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.LabelScheme;
import io.github.milvusautoscaler.core.MetricNames;
import io.github.milvusautoscaler.core.ServerSettings;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.engine.AlertSource;
import io.github.milvusautoscaler.engine.EngineAssembly;
import io.github.milvusautoscaler.engine.EngineListener;
import io.github.milvusautoscaler.engine.EngineTarget;
import io.github.milvusautoscaler.metrics.PromqlTemplate;
import io.github.milvusautoscaler.server.HttpApi;
import io.github.milvusautoscaler.server.SelfMetrics;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code run} and {@code demo} open, in the order they open it, so that closing releases it in the
 * reverse order, each part once, even when a later step failed half-way (the port taken, the decision
 * log unwritable): no thread, socket or file outlives a start that did not finish. The parts both
 * commands build the same way (the alert book, the webhook, the HTTP server) are built here, from the
 * same settings records (reference.conf's defaults for the demo).
 */
final class Assembly implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Assembly.class);

    /** One opened part: what it is (for the log) and how to release it. */
    private record Opened(String what, Object part, AutoCloseable closer) {
    }

    private final Deque<Opened> opened = new ArrayDeque<>();

    /**
     * Registers {@code part}, just opened, to be released by {@code closer} when this closes.
     *
     * @return {@code part}, so opening and registering is one expression
     */
    synchronized <T> T opened(String what, T part, AutoCloseable closer) {
        requireNonNull(what, "what");
        requireNonNull(part, "part");
        requireNonNull(closer, "closer");
        opened.push(new Opened(what, part, closer));
        return part;
    }

    /** Registers an opened {@link AutoCloseable}, released by its own {@code close()}. */
    <T extends AutoCloseable> T opened(String what, T part) {
        return opened(what, part, part);
    }

    /** Releases {@code part} now (a shutdown that must stop some parts before others); later closes skip it. */
    void closeNow(Object part) {
        Opened found = null;
        synchronized (this) {
            for (Iterator<Opened> it = opened.iterator(); it.hasNext(); ) {
                Opened o = it.next();
                if (o.part() == part) {
                    it.remove();
                    found = o;
                    break;
                }
            }
        }
        if (found != null) {
            release(found);
        }
    }

    /** How many parts are open; a start that failed leaves 0. */
    synchronized int openCount() {
        return opened.size();
    }

    /** Releases every part still open, the last opened first; one failing to close does not keep the others open. */
    @Override
    public void close() {
        while (true) {
            Opened next;
            synchronized (this) {
                next = opened.poll();
            }
            if (next == null) {
                return;
            }
            release(next);
        }
    }

    private static void release(Opened o) {
        try {
            o.closer().close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("closing {} failed: {}", o.what(), e.toString());
        }
    }

    /** What the metrics adapter queries, one entry per target, in the settings' order. */
    static List<TargetQueries> queries(List<TargetSettings> targets) {
        return targets.stream().map(TargetSettings::queries).toList();
    }

    /**
     * The load-history source for the targets of {@code targets}: one that forecasts reads as its forecast
     * settings say; one with forecasting off reads only its {@code scale-in.peak-window} (2h: 25 points at 5m,
     * re-read as often), so a restarted daemon still judges its first step-downs on the peaks the one before it
     * saw; neither reaches back further than {@code extra} more (a backtest's span, so each of its ticks has its
     * full look-back; zero for the daemon and {@code signals}).
     */
    static io.github.milvusautoscaler.metrics.PrometheusHistorySource historySource(
            io.github.milvusautoscaler.config.AutoscalerSettings s, List<TargetSettings> targets, Duration extra) {
        return historySource(s, targets, extra, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    /** The same, counting its reads on {@code meters}: the daemon's /metrics. */
    static io.github.milvusautoscaler.metrics.PrometheusHistorySource historySource(
            io.github.milvusautoscaler.config.AutoscalerSettings s, List<TargetSettings> targets, Duration extra,
            io.micrometer.core.instrument.MeterRegistry meters) {
        Map<Target, io.github.milvusautoscaler.metrics.PrometheusHistorySource.Reading> readings = new java.util.HashMap<>();
        for (TargetSettings t : targets) {
            var f = t.policy().forecast();
            Duration peaks = t.policy().scaleIn().peakWindow();
            if (f.enabled()) {
                readings.put(t.target(), new io.github.milvusautoscaler.metrics.PrometheusHistorySource.Reading(
                        f.history().plus(extra), f.historyStep(), f.refresh()));
            } else if (!peaks.isZero()) {
                readings.put(t.target(), new io.github.milvusautoscaler.metrics.PrometheusHistorySource.Reading(
                        peaks.plus(extra), f.historyStep(), peaks));
            }
        }
        return new io.github.milvusautoscaler.metrics.PrometheusHistorySource(s.prometheus(), s.labelSchemes(),
                queries(targets), readings, meters);
    }

    /** One engine loop per target, each with the policy its settings describe. */
    static List<EngineTarget> engineTargets(Map<InstallKind, LabelScheme> schemes, List<TargetSettings> targets) {
        return targets.stream().map(t -> EngineAssembly.target(t.target(), t.policy(), t.queries().signals(),
                template -> PromqlTemplate.render(template, t.target(), schemes.get(t.target().install())))).toList();
    }

    /** The alert book of {@code alerts}: its routes and caps; drops are counted on {@code registry}. */
    /**
     * What the engine tells besides decisions, passed to the Kubernetes Events: a failed write (ScaleFailed), a
     * stand-back from another writer of the count (its one Warning), a target removed or renamed by a reload.
     */
    static EngineListener eventsListener(KubernetesEventSink events) {
        requireNonNull(events, "events");
        return new EngineListener() {
            @Override
            public void writeFailed(Decision decision, ActuationException e) {
                events.recordWriteFailure(decision, e);
            }

            @Override
            public void standingBack(Target target) {
                events.standingBack(target);
            }

            @Override
            public void forgotten(Target target) {
                events.forget(target);
            }

            @Override
            public void renamed(Target from, Target to) {
                events.renamed(from, to);
            }
        };
    }

    static AlertBook alertBook(AlertsSettings alerts, PrometheusMeterRegistry registry) {
        AlertBook book = new AlertBook(alerts.routes(), alerts.forgetAfter(),
                new AlertBook.Caps(alerts.maxHeld(), alerts.maxHeldBytes()),
                (reason, n) -> SelfMetrics.counter(registry, MetricNames.ALERTS_DROPPED, "reason", reason).increment(n));
        // Zero from the start, so dashboards and alerts see the series before the first drop.
        for (String reason : List.of("resolved_evicted", "expired", "refused_full", "refused_too_many", "truncated")) {
            SelfMetrics.counter(registry, MetricNames.ALERTS_DROPPED, "reason", reason);
        }
        return book;
    }

    /** The engine's view of the alert book. */
    static AlertSource alertSource(AlertBook book) {
        return new AlertSource() {
            @Override
            public List<ActiveAlert> firing(Target target, Instant now) {
                return book.firing(target, now);
            }

            @Override
            public Set<String> resolved(Target target, Instant now) {
                return book.resolved(target);
            }

            @Override
            public void handledOnObject(Target target, Set<String> keys) {
                book.handledOnObject(target, keys);
            }
        };
    }

    /**
     * {@code /api/v1/alerts} when {@code alerts.enabled}, with {@code alerts.max-body}; a token file of
     * null leaves the endpoint answering 404 (never open without auth).
     */
    static Map<String, com.sun.net.httpserver.HttpHandler> alertsEndpoint(AlertsSettings alerts, TokenFile token,
                                                                          AlertBook book, BooleanSupplier leader,
                                                                          Clock clock, Consumer<Target> tickNow,
                                                                          PrometheusMeterRegistry registry) {
        // Zero from the start for the refusals a misconfiguration causes, so increase() sees the first one; with the
        // endpoint off too, as the dashboard's panel and the alert read the same series either way.
        for (int status : List.of(400, 401, 404, 413, 415)) {
            SelfMetrics.counter(registry, MetricNames.ALERT_WEBHOOKS_REFUSED, "status", Integer.toString(status));
        }
        if (!alerts.enabled()) {
            return Map.of();
        }
        return Map.of("/api/v1/alerts", new AlertsHandler(token, alerts.maxBodyBytes(), book, leader, clock, tickNow,
                outcomes -> outcomes.forEach(o -> SelfMetrics.counter(registry, MetricNames.ALERTS,
                        "result", o.result().name().toLowerCase(Locale.ROOT)).increment()),
                status -> SelfMetrics.counter(registry, MetricNames.ALERT_WEBHOOKS_REFUSED,
                        "status", Integer.toString(status)).increment()));
    }

    /** Binds the HTTP server and registers it; it is closed with everything else. */
    HttpApi server(ServerSettings server, PrometheusMeterRegistry registry, Runnable beforeScrape,
                   Supplier<String> status, Map<String, com.sun.net.httpserver.HttpHandler> extra) {
        return opened("HTTP server", new HttpApi(server, registry, beforeScrape, status, extra));
    }
}
