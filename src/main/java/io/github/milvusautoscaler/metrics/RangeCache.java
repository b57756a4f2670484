package io.github.milvusautoscaler.metrics;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A query's history over one time range, fetched once with {@code /api/v1/query_range} and answered as
 * the instant query at any step of that range would be, so the daemon's own adapter can replay the past.
 *
 * <p>Prometheus refuses a range query of more than 11,000 points per series, so a range is fetched in
 * chunks of at most {@code maxPoints} steps: a week at 15 s is 40,321 steps, 4 chunks of 10,999 per
 * query. Steps with no sample (a gap in the history) answer an empty result, which the adapter reads as
 * UNKNOWN: history is never interpolated. A chunk that fails makes the whole query fail, with the range
 * named in the reason. A chunk answered partially (VictoriaMetrics' {@code isPartial} with a storage node
 * down, a Thanos or Mimir store that did not answer) answers every step in it as partial, as the live
 * query would be: the adapter never reads a load from it.
 */
final class RangeCache implements QueryFunction {

    /** Prometheus' limit of points per series in one range query. */
    static final int PROMETHEUS_MAX_POINTS = 11_000;

    private final QueryClient client;
    private final Instant from;
    private final Instant to;
    private final Duration step;
    private final int maxPoints;
    private final Consumer<String> progress;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong rangeQueries = new AtomicLong();
    /**
     * The first range that could not be read: every query text not fetched yet fails at once with it, where each went
     * on to wait out its own timeout (18 query texts, 91 s, before one line said the history cannot be read).
     */
    private volatile QueryResult.Failed firstFailure;

    /**
     * @param maxPoints most steps per range query, at most {@link #PROMETHEUS_MAX_POINTS} - 1
     * @param progress  told the query text each time a query's history is fetched
     */
    RangeCache(QueryClient client, Instant from, Instant to, Duration step, int maxPoints, Consumer<String> progress) {
        this.client = requireNonNull(client, "client");
        this.from = requireNonNull(from, "from");
        this.to = requireNonNull(to, "to");
        this.step = requireNonNull(step, "step");
        this.progress = requireNonNull(progress, "progress");
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("the range must end after it starts: " + from + " .. " + to);
        }
        if (step.isZero() || step.isNegative() || step.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("step must be a whole number of seconds > 0, was " + step);
        }
        if (maxPoints < 2 || maxPoints >= PROMETHEUS_MAX_POINTS) {
            throw new IllegalArgumentException("maxPoints must be in [2, " + (PROMETHEUS_MAX_POINTS - 1) + "]");
        }
        this.maxPoints = maxPoints;
    }

    @Override
    public QueryResult query(String promql, Instant at) {
        Entry entry = entries.computeIfAbsent(promql, this::fetch);
        if (entry.failure != null) {
            return entry.failure;
        }
        // Prometheus answers in milliseconds (the request carried them too): a step with finer time finds its answer.
        Instant ms = at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        List<QueryResult.Series> series = entry.byTime.get(ms);
        String partial = entry.partial.stream().filter(p -> !ms.isBefore(p.start) && !ms.isAfter(p.end))
                .map(Partial::reason).findFirst().orElse("");
        return new QueryResult.Samples(series == null ? List.of() : series, false, partial);
    }

    /** Every query whose history could not be read, with the reason and range. */
    List<String> failures() {
        List<String> out = new ArrayList<>();
        entries.forEach((promql, e) -> {
            if (e.failure != null) {
                out.add(e.failure.reason() + " -- query: " + Reasons.oneLine(promql, 300));
            }
        });
        return out;
    }

    /** Range queries sent, one per chunk per distinct query text. */
    long rangeQueries() {
        return rangeQueries.get();
    }

    private Entry fetch(String promql) {
        QueryResult.Failed earlier = firstFailure;
        if (earlier != null) {
            return new Entry(null, List.of(), new QueryResult.Failed(earlier.kind(), "not asked: an earlier range"
                    + " query failed (" + earlier.reason() + ")"));
        }
        progress.accept(promql);
        NavigableMap<Instant, List<QueryResult.Series>> byTime = new TreeMap<>();
        List<Partial> partial = new ArrayList<>();
        Duration span = step.multipliedBy(maxPoints - 1L);
        for (Instant start = from; !start.isAfter(to); start = start.plus(span).plus(step)) {
            Instant end = start.plus(span).isAfter(to) ? to : start.plus(span);
            rangeQueries.incrementAndGet();
            QueryResult result = client.queryRange(promql, start, end, step);
            if (result instanceof QueryResult.Failed failed) {
                QueryResult.Failed named = new QueryResult.Failed(failed.kind(), failed.reason() + " (range " + start
                        + " .. " + end + ")");
                if (firstFailure == null) {
                    firstFailure = named;
                }
                return new Entry(null, List.of(), named);
            }
            QueryResult.Samples samples = (QueryResult.Samples) result;
            if (samples.isPartial()) {
                partial.add(new Partial(start, end, samples.partial() + " (range " + start + " .. " + end + ")"));
            }
            Map<Instant, List<QueryResult.Series>> chunk = new HashMap<>();
            for (QueryResult.Series s : samples.series()) {
                chunk.computeIfAbsent(s.timestamp(), t -> new ArrayList<>()).add(s);
            }
            byTime.putAll(chunk);
        }
        return new Entry(byTime, List.copyOf(partial), null);
    }

    private record Entry(NavigableMap<Instant, List<QueryResult.Series>> byTime, List<Partial> partial,
                         QueryResult.Failed failure) {
    }

    /** A chunk the server answered partially, and why. */
    private record Partial(Instant start, Instant end, String reason) {
    }
}
