package io.github.milvusautoscaler.metrics;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.HistorySource;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.LabelScheme;
import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.PrometheusEndpoint;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.SignalQuery;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.TargetQueries;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's load history for the seasonal forecast: each target's load-proportional signals over the
 * last {@code range} (two weeks), read from Prometheus with {@code /api/v1/query_range} through the very
 * templates the daemon observes with ({@link PrometheusMetricsSource#replaying}), multiplied by the ready
 * replicas recorded at each step ({@link WorkloadReplicas#READY}: the Deployments or the StatefulSet, as
 * {@code backtest} reads them), so cpu 0.6 per pod on 4 ready is 2.4 nodes of load; cpu in units of the CPU request
 * of the history's last point ({@link LoadHistory#inUnitsOfItsLast}), where a request changed within it.
 *
 * <p>Cached per target and refreshed every {@code refresh} (an hour): a tick that finds its history due
 * starts a refresh in the background and goes on with what is cached, never waiting for Prometheus; until
 * the first refresh has finished the target has no history, so no forecast, and decides exactly as
 * without one. A refresh that fails (an exception, or any query answered with a failure) keeps the history
 * before it, is logged and is tried again 5 minutes later; a step with no sample stays NaN (a gap), never 0.
 * Two weeks at 5m are 4,033 points per query, one range query each.
 */
public final class PrometheusHistorySource implements HistorySource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusHistorySource.class);

    /** Signals whose value is a load per replica; memory and latency are not. */
    public static final Set<String> LOAD_PROPORTIONAL = Set.of("cpu", "qps", "read-queue", "index-backlog");


    /**
     * How the history is read.
     *
     * @param range   how far back ({@code 14d}: the forecast reads up to two weeks back)
     * @param step    grid spacing of the history ({@code 5m})
     * @param refresh a target's history is read again when it is this old ({@code 1h})
     */
    public record Reading(Duration range, Duration step, Duration refresh) {
        public Reading {
            requireNonNull(range, "range");
            requireNonNull(step, "step");
            requireNonNull(refresh, "refresh");
        }
    }

    /** A history and when to read it again. */
    private record Cached(LoadHistory history, LoadHistory recorded, Instant due) {
    }

    /** After a failed read, the next one comes this soon (or a refresh period, if shorter). */
    static final Duration RETRY = Duration.ofMinutes(5);

    private final PrometheusEndpoint endpoint;
    private final Map<InstallKind, LabelScheme> schemes;
    private final Map<Target, TargetQueries> targets = new LinkedHashMap<>();
    private final Map<Target, Reading> readings;
    private final Map<Target, Cached> cache = new ConcurrentHashMap<>();
    private final Set<Target> refreshing = ConcurrentHashMap.newKeySet();
    /** Targets whose last read failed, and why, so the next good one says it recovered. */
    private final Map<Target, String> failing = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "history-refresh");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param targets  the targets to read history for, with the templates they are observed with
     * @param readings how each target's history is read (its {@code forecast.history}, {@code history-step} and
     *                 {@code refresh}, or only its peak look-back with forecasting off); a target without one gets
     *                 no history
     */
    public PrometheusHistorySource(PrometheusEndpoint endpoint, Map<InstallKind, LabelScheme> schemes,
                                   List<TargetQueries> targets, Map<Target, Reading> readings) {
        this(endpoint, schemes, targets, readings, new SimpleMeterRegistry());
    }

    /**
     * A source that counts its reads on {@code meters} ({@link MetricNames#HISTORY_READS}), as the daemon's does:
     * both results start at 0 for every target with a reading, so {@code increase()} sees the first failure.
     */
    public PrometheusHistorySource(PrometheusEndpoint endpoint, Map<InstallKind, LabelScheme> schemes,
                                   List<TargetQueries> targets, Map<Target, Reading> readings, MeterRegistry meters) {
        this.meters = requireNonNull(meters, "meters");
        this.endpoint = requireNonNull(endpoint, "endpoint");
        this.schemes = Map.copyOf(requireNonNull(schemes, "schemes"));
        for (TargetQueries q : requireNonNull(targets, "targets")) {
            this.targets.put(q.target(), q);
        }
        this.readings = Map.copyOf(requireNonNull(readings, "readings"));
        for (Target target : this.readings.keySet()) {
            reads(target, "ok");
            reads(target, "failed");
        }
    }

    private Counter reads(Target target, String result) {
        return Counter.builder(MetricNames.HISTORY_READS).description("Load history reads (forecast, recent peaks) by"
                        + " target and result: ok, failed (the history before it is kept)")
                .tags("target", target.id(), MetricNames.TAG_RESULT, result).register(meters);
    }

    /**
     * The queries a history read needs: the load-proportional signals alone. It used to run every query of the
     * target over the whole range, memory's, settle's and health's too, and to throw the read away when one of
     * those failed: half of Prometheus' time went to queries it never used (forecast audit F1).
     */
    static TargetQueries loadQueries(TargetQueries q) {
        return new TargetQueries(q.target(), q.signals().stream().filter(s -> LOAD_PROPORTIONAL.contains(s.name()))
                .toList(), "", "");
    }

    /**
     * Takes over what {@code before} has cached for every target this source reads exactly as it did (same endpoint,
     * label schemes, queries and reading), with its due time: a reload that changed nothing about a target keeps its
     * history, where every reload used to drop them all, leaving every forecast and recalled peak unknown until its
     * two-week range was read again, one target after the other (concurrency audit F6).
     */
    public void keepFrom(PrometheusHistorySource before) {
        requireNonNull(before, "before");
        if (!endpoint.equals(before.endpoint) || !schemes.equals(before.schemes)) {
            return;
        }
        before.cache.forEach((target, cached) -> {
            if (readings.containsKey(target) && readings.get(target).equals(before.readings.get(target))
                    && targets.containsKey(target) && targets.get(target).equals(before.targets.get(target))) {
                cache.put(target, cached);
            }
        });
    }

    /** How {@code target}'s history is read; empty when it gets none. */
    public java.util.Optional<Reading> reading(Target target) {
        return java.util.Optional.ofNullable(readings.get(requireNonNull(target, "target")));
    }

    /**
     * The last history read of {@code target} as read: cpu in the request of each point, with those requests
     * ({@link LoadHistory#amounts}), for a replay that puts each window in its own day's request; NONE before a read.
     */
    public LoadHistory recorded(Target target) {
        Cached c = cache.get(requireNonNull(target, "target"));
        return c == null ? LoadHistory.NONE : c.recorded();
    }

    /** What is cached for {@code target}; a refresh starts in the background when it is missing or due. */
    @Override
    public LoadHistory history(Target target, Instant now) {
        Reading reading = readings.get(target);
        if (reading == null) {
            return LoadHistory.NONE;
        }
        Cached c = cache.get(target);
        boolean due = c == null || !now.isBefore(c.due());
        if (due && targets.containsKey(target) && refreshing.add(target)) {
            try {
                background.execute(() -> {
                    try {
                        refresh(target, now);
                    } finally {
                        refreshing.remove(target);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                refreshing.remove(target);
            }
        }
        return c == null ? LoadHistory.NONE : c.history();
    }

    /**
     * Reads {@code target}'s history up to {@code now} and caches it; on failure keeps what was cached.
     * Returns what is cached afterwards.
     */
    public LoadHistory refresh(Target target, Instant now) {
        TargetQueries q = targets.get(requireNonNull(target, "target"));
        Reading reading = readings.get(target);
        if (q == null || reading == null) {
            return LoadHistory.NONE;
        }
        long stepSeconds = reading.step().toSeconds();
        Instant end = Instant.ofEpochSecond(Math.floorDiv(now.getEpochSecond(), stepSeconds) * stepSeconds);
        // Every point on the clock's step grid, the first too: a backtest's range (the forecast's history plus its
        // span, 14d16m15s) is no whole number of steps, and points from end - range sat 3m45s off the daemon's, which
        // moved the learned ramp, and so the replay's pre-scale, by as much (real-install recheck 18, F1).
        long steps = -Math.floorDiv(-reading.range().toSeconds(), stepSeconds);
        Instant from = end.minusSeconds(steps * stepSeconds);
        int points = (int) steps + 1;
        try (PrometheusMetricsSource source = PrometheusMetricsSource.replaying(endpoint, schemes, List.of(loadQueries(q)),
                new SimpleMeterRegistry(), from, end, reading.step(), PrometheusMetricsSource.MAX_POINTS_PER_RANGE_QUERY,
                text -> { })) {
            Map<String, double[]> loads = new LinkedHashMap<>();
            for (SignalQuery def : q.signals()) {
                if (LOAD_PROPORTIONAL.contains(def.name())) {
                    loads.put(def.name(), new double[points]);
                }
            }
            String ready = source.render(target, WorkloadReplicas.READY);
            // Per signal that is a fraction of a container resource with a per-pod query (cpu: queries.cpu-request),
            // that query rendered, and the resource's amount read at each point.
            Map<String, String> perPod = new LinkedHashMap<>();
            Map<String, double[]> amounts = new LinkedHashMap<>();
            for (SignalQuery def : q.signals()) {
                if (loads.containsKey(def.name()) && def.declared() != null && def.declared().perPod() != null) {
                    perPod.put(def.name(), source.render(target, def.declared().perPod()));
                    amounts.put(def.name(), new double[points]);
                }
            }
            for (int i = 0; i < points; i++) {
                Instant at = from.plusSeconds(i * stepSeconds);
                Observation o = source.observe(target, at);
                PrometheusMetricsSource.Count r = source.count(ready, at);
                boolean readyKnown = r.failure().isEmpty() && r.series() == 1 && Double.isFinite(r.sum());
                for (Map.Entry<String, double[]> e : loads.entrySet()) {
                    Signal s = o.signals().get(e.getKey());
                    boolean ok = readyKnown && s != null && s.isKnown();
                    e.getValue()[i] = ok ? s.value().getAsDouble() * r.sum() : Double.NaN;
                }
                for (Map.Entry<String, String> e : perPod.entrySet()) {
                    PrometheusMetricsSource.Count a = source.count(e.getValue(), at);
                    amounts.get(e.getKey())[i] = a.failure().isEmpty() && a.series() == 1 && Double.isFinite(a.sum())
                            && a.sum() > 0 ? a.sum() : Double.NaN;
                }
            }
            int known = 0;
            for (double[] load : loads.values()) {
                for (double v : load) {
                    known += Double.isNaN(v) ? 0 : 1;
                }
            }
            // Every query of the read, the ready count's too, went through the source's range cache.
            List<String> failures = source.replayFailures();
            if (!failures.isEmpty()) {
                // A failed query is no exception here but a typed result, each step of it UNKNOWN: caching that
                // replaced a good history with an all-NaN one for a refresh period (time audit H1).
                return keep(target, now, reading, failures.get(0));
            }
            // The value read at a grid point is the template's irate over the scrapes just before it, the load at
            // the end of the step before; a rise at 08:00 first shows at 08:05. Each is therefore the load over the
            // step it ends (LoadHistory: sample i is the load over the step starting at start + i x step), as a
            // trace's value is over the step it starts; read as the load at its own time, a rise on the hour was
            // found a step late, and the pre-scale came at the rise instead of forecast.lead before it (time audit
            // M1).
            // Kept as read, with the CPU request of each point, for a replay that puts each window in its own day's
            // request (RecordedHistory); the daemon's forecast and recalled peaks read it in the request now.
            LoadHistory recorded = new LoadHistory(from.minus(reading.step()), reading.step(),
                    end.minus(reading.step()), loads, amounts);
            LoadHistory history = recorded.inUnitsOfItsLast();
            cache.put(target, new Cached(history, recorded, now.plus(reading.refresh())));
            reads(target, "ok").increment();
            if (failing.remove(target) != null) {
                LOG.info("{}: load history read again, {} .. {}, {} known points", target.id(), from, end, known);
            } else {
                LOG.debug("{}: load history read, {} .. {}, {} known points", target.id(), from, end, known);
            }
            return history;
        } catch (RuntimeException e) {
            return keep(target, now, reading, e.toString());
        }
    }

    /**
     * After a failed read: keeps the history read before (none if there was none), says why, and reads again
     * {@link #RETRY} later (a refresh period, if shorter) rather than on every tick or only an hour on. A kept
     * history ages; the forecast stops using it once it no longer holds the same time yesterday.
     */
    private LoadHistory keep(Target target, Instant now, Reading reading, String why) {
        Cached c = cache.get(target);
        LoadHistory kept = c == null ? LoadHistory.NONE : c.history();
        LoadHistory keptAsRead = c == null ? LoadHistory.NONE : c.recorded();
        Duration retry = reading.refresh().compareTo(RETRY) < 0 ? reading.refresh() : RETRY;
        reads(target, "failed").increment();
        failing.put(target, Reasons.oneLine(why, 300));
        LOG.warn("{}: load history (forecast, recent peaks) could not be read ({}); keeping the one read before{},"
                + " trying again in {}", target.id(), Reasons.oneLine(why, 300),
                kept == LoadHistory.NONE ? " (none)" : " (up to " + kept.end() + ")",
                Durations.setting(retry));
        cache.put(target, new Cached(kept, keptAsRead, now.plus(retry)));
        return kept;
    }

    /**
     * Why the last read of {@code target}'s history failed; empty when it succeeded or none was made. {@code signals}
     * reads the history afresh and says so rather than "no history of it could be read", where a running daemon
     * still decides on the last good read it keeps.
     */
    public java.util.Optional<String> failure(Target target) {
        return java.util.Optional.ofNullable(failing.get(requireNonNull(target, "target")));
    }

    @Override
    public void close() {
        background.shutdownNow();
    }
}
