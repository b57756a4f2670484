package io.github.milvusautoscaler.metrics;

import io.github.milvusautoscaler.core.CircuitBreakerSettings;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.LogFields;
import io.github.milvusautoscaler.core.RetrySettings;
import io.github.milvusautoscaler.core.SecretForms;
import io.github.milvusautoscaler.core.PrometheusAuth;
import io.github.milvusautoscaler.core.PrometheusEndpoint;
import static java.util.Objects.requireNonNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.circuitbreaker.internal.CircuitBreakerStateMachine;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import okhttp3.Call;
import okhttp3.Credentials;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends instant queries to one Prometheus-compatible endpoint and never throws: every outcome is a
 * {@link QueryResult}. Each query has one time budget ({@code prometheus.timeout}) shared by its
 * attempts; transport errors and 5xx are retried with exponential back-off inside that budget;
 * the endpoint's circuit breaker counts a query once, after its retries.
 *
 * <p>Requests are form-encoded POSTs to {@code /api/v1/query} with an explicit {@code time}, so long
 * cluster-wide queries never hit URL length limits and every engine (Prometheus, VictoriaMetrics,
 * Thanos, Mimir) evaluates the same instant ({@code nocache=1}: VictoriaMetrics would otherwise move an
 * instant within its latency offset, 30 s, back by that much). The time is this node's, moved back by as much as its
 * clock is known to run ahead of Prometheus' ({@link #aheadBy}). Credentials are added per request and scrubbed from
 * every text that leaves this class.
 */
final class QueryClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueryClient.class);
    /** Lines about the server every target shares, without the field of the tick that noticed ({@link LogFields}). */
    private static final org.slf4j.Marker DAEMON_WIDE = org.slf4j.MarkerFactory.getMarker(LogFields.DAEMON_WIDE);
    /** An attempt with less budget left than this would only time out again. */
    private static final long MIN_ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int ERROR_BODY_BYTES = 4096;

    private final PrometheusEndpoint endpoint;
    private final OkHttpClient http;
    private final HttpUrl queryUrl;
    private final HttpUrl rangeUrl;
    private final HttpUrl rulesUrl;
    private final HttpUrl buildInfoUrl;
    private final CircuitBreaker breaker;
    private final Retry retry;
    private final Timer successTimer;
    private final Timer errorTimer;
    private final EnumMap<FailureKind, Counter> errors = new EnumMap<>(FailureKind.class);
    private final CaTrust caTrust;
    private final SecretFile token;
    private final SecretFile password;
    /**
     * What every client of one endpoint URL shares (the tick's, the load-history refresh's, those a reload builds), one
     * entry per URL ever configured: each said "are failing" on its own, so the promise of one WARN until a query
     * succeeds was not kept (observability audit L7).
     */
    private static final Map<String, Episodes> ENDPOINTS = new ConcurrentHashMap<>();
    /** How soon after the last failing episode's end a new one is taken as the same intermittent failing. */
    static final Duration INTERMITTENT = Duration.ofMinutes(5);
    /** How long such an episode lasts before it is said after all: no longer intermittent, the endpoint is down. */
    static final Duration INTERMITTENT_SAID_AFTER = Duration.ofMinutes(1);
    private final AtomicReference<QueriesFailing> failing;
    private final AtomicReference<Recovered> recovered;
    private final java.util.concurrent.atomic.AtomicBoolean said;
    private final AtomicReference<Instant> outageLastUnanswered;
    private final AtomicReference<Instant> lastUnanswered;

    /**
     * An endpoint's failing episodes: the one running, if any (the status' failing block); when the last one ended and
     * how many went unsaid since the last said; whether the one running was said (its WARN logged), so its end is
     * too. An episode that starts within {@link #INTERMITTENT} of the last one's end is said only if it lasts
     * {@link #INTERMITTENT_SAID_AFTER}, so an endpoint failing some queries only (one tenant's 503s in a fleet) is two
     * lines, not 24 a minute of "are failing" and "succeed again" naming neither target nor query (recheck 46, F4).
     * The status and the error counters still follow every episode.
     */
    private static final class Episodes {
        final AtomicReference<QueriesFailing> failing = new AtomicReference<>();
        final AtomicReference<Recovered> recovered = new AtomicReference<>();
        final java.util.concurrent.atomic.AtomicBoolean said = new java.util.concurrent.atomic.AtomicBoolean();
        /**
         * When the last query of the last outage ({@link #OUTAGE}) went unanswered: Prometheus was down or out of reach
         * then, so a sample it holds stamped after this was scraped since; null before any outage.
         */
        final AtomicReference<Instant> outageLastUnanswered = new AtomicReference<>();
        /** When a query was last sent and not answered (a transport failure, a timeout, a 5xx); null before any. */
        final AtomicReference<Instant> lastUnanswered = new AtomicReference<>();
    }

    /**
     * How long every instant query must have failed, none answered, for its end to be an outage that Prometheus may
     * not have been ingesting through: a restart (rc115's took 60 s) replays its WAL and scrapes nothing meanwhile.
     * A tick's worth at the default loop.interval; shorter episodes leave data at most that much older than a scrape
     * interval, as any tick reads it, and an endpoint failing some queries (one tenant's 503s) has answers between.
     * Timed, not counted as the breaker's window clearing counts it ({@link #recovered}): a fleet's ticks can fail
     * minimum-queries in a row for one tenant alone, which must not make every namespace wait for a scrape.
     */
    static final Duration OUTAGE = Duration.ofSeconds(15);

    /** When an endpoint's queries last succeeded again, and how many failing episodes since the one said. */
    private record Recovered(Instant at, int unsaid) {
    }
    private final Clock clock;
    private final Set<String> warnedQueries = ConcurrentHashMap.newKeySet();
    private final AtomicLong requestsSent = new AtomicLong();
    private final Clock wall;
    /**
     * How far this node's clock is known to run ahead of Prometheus', in milliseconds, from the Date of the last
     * instant answer ({@link #aheadBy}); 0 when it is not known to be ahead. Instant queries are asked that much
     * earlier, at Prometheus' own time or just before it: a query asked in Prometheus' future evaluates its rate
     * windows over samples not scraped yet (recheck 24, F1).
     */
    private final AtomicLong aheadMillis = new AtomicLong();

    /**
     * @param clock the engine's clock: the open breaker's {@code open-for} runs on it, so a test on a manual
     *              clock advances 30 s instead of waiting them
     */
    QueryClient(PrometheusEndpoint endpoint, MeterRegistry meters, Clock clock) {
        this(endpoint, meters, clock, Clock.systemUTC());
    }

    /**
     * @param clock the engine's clock, as above
     * @param wall  this node's clock, which the daemon's queries ask at: an instant answer is compared with it
     *              ({@link #skew}); a test gives one that is off on purpose
     */
    QueryClient(PrometheusEndpoint endpoint, MeterRegistry meters, Clock clock, Clock wall) {
        this.endpoint = requireNonNull(endpoint, "endpoint");
        requireNonNull(meters, "meters");
        requireNonNull(clock, "clock");
        this.wall = requireNonNull(wall, "wall");
        this.clock = clock;
        OkHttpClient.Builder builder = new OkHttpClient.Builder()
                .connectTimeout(endpoint.timeout())
                // The per-call timeout (the query's remaining budget) bounds reads and writes.
                .readTimeout(Duration.ZERO)
                .writeTimeout(Duration.ZERO)
                // Our Retry is the only retry, so attempts are counted and visible in metrics.
                .retryOnConnectionFailure(false)
                // A redirect usually means a login page or a wrong URL: report it rather than follow it.
                .followRedirects(false)
                .followSslRedirects(false);
        this.caTrust = endpoint.auth().caFile().map(CaTrust::fromPem).orElse(null);
        if (caTrust != null) {
            builder.sslSocketFactory(caTrust.socketFactory(), caTrust);
        }
        this.http = builder.build();
        String base = endpoint.url().replaceAll("/+$", "");
        this.queryUrl = HttpUrl.get(base + "/api/v1/query");
        Episodes episodes = ENDPOINTS.computeIfAbsent(queryUrl.toString(), u -> new Episodes());
        this.failing = episodes.failing;
        this.recovered = episodes.recovered;
        this.said = episodes.said;
        this.outageLastUnanswered = episodes.outageLastUnanswered;
        this.lastUnanswered = episodes.lastUnanswered;
        this.rangeUrl = HttpUrl.get(base + "/api/v1/query_range");
        this.rulesUrl = HttpUrl.get(base + "/api/v1/rules");
        this.buildInfoUrl = HttpUrl.get(base + "/api/v1/status/buildinfo");
        // The key is in the message because the file is named nowhere else a reader of "cannot read" would look.
        this.token = endpoint.auth().bearerTokenFile()
                .map(SecretFile::bearerToken).orElse(null);
        this.password = endpoint.auth().basicPasswordFile()
                .map(SecretFile::basicPassword).orElse(null);

        String name = MetricNames.RESILIENCE_NAME_PREFIX + queryUrl.host() + ":" + queryUrl.port();
        CircuitBreakerSettings b = endpoint.breaker();
        CircuitBreakerConfig breakerConfig = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                .slidingWindowSize((int) b.window().toSeconds())
                .minimumNumberOfCalls(b.minimumQueries())
                .failureRateThreshold(b.failureRateThreshold())
                .waitDurationInOpenState(b.openFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                // Only an unavailable endpoint counts; a bad query or odd data is the query's problem.
                .recordException(e -> e instanceof Unavailable)
                .build();
        // resilience4j 2.2's CircuitBreakerConfig has no clock (only a timestamp function for durations); the
        // state machine takes it, and the registry (which the meters follow) gets that breaker in place of its own.
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(breakerConfig);
        breakers.circuitBreaker(name);
        this.breaker = new CircuitBreakerStateMachine(name, breakerConfig, clock);
        breakers.replace(name, breaker);
        this.breaker.getEventPublisher().onStateTransition(event -> {
            // Opening and closing are news; the OPEN <-> HALF_OPEN probing while Prometheus stays down repeats every
            // open-for (three WARNs a minute, observability recheck N5) and says nothing the first one did not.
            CircuitBreaker.State to = event.getStateTransition().getToState();
            CircuitBreaker.State from = event.getStateTransition().getFromState();
            boolean probing = (from == CircuitBreaker.State.OPEN && to == CircuitBreaker.State.HALF_OPEN)
                    || (from == CircuitBreaker.State.HALF_OPEN && to == CircuitBreaker.State.OPEN);
            // Said as what it means, where the library's "State transition from CLOSED to OPEN" said nothing of the
            // consequence (recheck 91, F3).
            if (probing) {
                LOG.atDebug().addMarker(DAEMON_WIDE).log("Prometheus circuit breaker {}: {}", name, event.getStateTransition());
            } else if (to == CircuitBreaker.State.CLOSED) {
                // A recovery is news, not a warning (fault recheck N2).
                LOG.atInfo().addMarker(DAEMON_WIDE).log("Prometheus circuit breaker {} closed ({}): queries go to Prometheus again", name,
                        event.getStateTransition());
            } else if (to == CircuitBreaker.State.OPEN) {
                // An opening is a failing that lasts: said, where one soon after an earlier episode was left at debug
                // and the breaker's line pointed at an "are failing" line no one wrote (recheck 107, F2).
                QueriesFailing episode = failing.get();
                if (episode != null) {
                    sayFailing(episode);
                }
                LOG.atWarn().addMarker(DAEMON_WIDE).log("Prometheus circuit breaker {} opened ({}): queries fail at once for {}, every signal read from"
                        + " it UNKNOWN (\"circuit breaker open\"), then one trial query; the cause is in the \"are"
                        + " failing\" line", name, event.getStateTransition(), Durations.human(b.openFor()));
            } else {
                LOG.atWarn().addMarker(DAEMON_WIDE).log("Prometheus circuit breaker {}: {}", name, event.getStateTransition());
            }
        });
        RetrySettings r = endpoint.retry();
        RetryRegistry retries = RetryRegistry.of(RetryConfig.custom()
                .maxAttempts(r.maxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialBackoff(r.initialBackoff(), 2.0))
                .retryOnException(e -> e instanceof Unavailable u && u.retryable)
                .build());
        this.retry = retries.retry(name);
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
        TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(meters);

        this.successTimer = Timer.builder(MetricNames.QUERY_DURATION).tag(MetricNames.TAG_OUTCOME, "success")
                .description("Prometheus instant queries, retries included").register(meters);
        this.errorTimer = Timer.builder(MetricNames.QUERY_DURATION).tag(MetricNames.TAG_OUTCOME, "error")
                .description("Prometheus instant queries, retries included").register(meters);
        for (FailureKind kind : FailureKind.values()) {
            errors.put(kind, Counter.builder(MetricNames.QUERY_ERRORS).tag(MetricNames.TAG_KIND, kind.tag())
                    .description("Prometheus queries that gave no usable result").register(meters));
        }
    }

    /** Evaluates {@code promql} at {@code at}; never throws. */
    QueryResult query(String promql, Instant at) {
        requireNonNull(promql, "promql");
        requireNonNull(at, "at");
        return execute(promql, null, at, null, false);
    }

    /**
     * Evaluates {@code promql} at every {@code step} from {@code start} to {@code end} (Prometheus'
     * {@code /api/v1/query_range}): the samples of the matrix, each with its own timestamp. The caller keeps
     * a call under Prometheus' 11,000 points per series; never throws.
     */
    QueryResult queryRange(String promql, Instant start, Instant end, Duration step) {
        requireNonNull(promql, "promql");
        requireNonNull(start, "start");
        requireNonNull(end, "end");
        requireNonNull(step, "step");
        return execute(promql, start, end, step, false);
    }

    /**
     * The least time a range query gets: {@code prometheus.timeout} is sized for a tick's instant queries (a third of
     * loop.interval, 5s), while a range of 10,999 steps over two weeks read 0.6 s on a small Prometheus and can take
     * many seconds on a large one; a backtest or a history read waits outside any tick (backtest recheck 2, L1).
     */
    static final Duration RANGE_TIMEOUT = Duration.ofMinutes(1);

    /**
     * An instant query when {@code rangeStart} is null, else a range query; retried inside the breaker. A
     * {@code callerSays} failure is not logged here: its caller prints it (a command's one line), which the WARN
     * only repeated.
     */
    private QueryResult execute(String promql, Instant rangeStart, Instant at, Duration step, boolean callerSays) {
        long start = System.nanoTime();
        Duration budget = rangeStart == null || endpoint.timeout().compareTo(RANGE_TIMEOUT) >= 0 ? endpoint.timeout()
                : RANGE_TIMEOUT;
        long deadline = start + budget.toNanos();
        AtomicInteger attempts = new AtomicInteger();
        QueryResult result;
        // The endpoint failed (unreachable, 5xx, refusing the credentials, breaker open), as opposed to the query.
        boolean endpointFailed = false;
        try {
            result = breaker.executeCheckedSupplier(() -> retry.executeCheckedSupplier(
                    () -> attempt(promql, rangeStart, at, step, deadline, budget, attempts)));
        } catch (CallNotPermittedException e) {
            endpointFailed = true;
            // Half-open, the one trial query is in flight and the others are turned away; resilience4j then rates
            // the window -1 (too few calls), which read "-1% of the last 20 queries failed" (recheck 21, N-F3).
            // Open, the window goes on moving with the clock while nothing is recorded, so its rate can fall to -1
            // (fewer than minimum-queries left in it) before the trial: then the threshold it opened on is said.
            CircuitBreaker.Metrics m = breaker.getMetrics();
            float rate = m.getFailureRate();
            CircuitBreakerSettings b = endpoint.breaker();
            String window = Durations.human(b.window());
            result = new QueryResult.Failed(FailureKind.CIRCUIT_OPEN, breaker.getState() == CircuitBreaker.State.HALF_OPEN
                    ? "prometheus circuit breaker half-open: a trial query is on its way after "
                    + Durations.human(b.openFor()) + " open; the others wait for its answer"
                    // A rate over fewer than minimum-queries is the half-open window's, its one trial having failed:
                    // "100% of the 1 queries of the last 1m failed" read as one query having opened it (recheck 60,
                    // R1).
                    : "prometheus circuit breaker open (" + (rate >= 0
                    && m.getNumberOfBufferedCalls() >= b.minimumQueries() ? String.format(java.util.Locale.ROOT,
                    "%.0f%% of the %d queries of the last %s failed", rate, m.getNumberOfBufferedCalls(), window)
                    : rate >= 0 ? "its trial query after " + Durations.human(b.openFor()) + " open failed"
                    : String.format(java.util.Locale.ROOT, "opened on %.0f%% or more of the queries of %s failing",
                    b.failureRateThreshold(), window)) + "); next try within " + Durations.human(b.openFor()));
        } catch (Unavailable e) {
            result = new QueryResult.Failed(e.kind, attempts.get() > 1 ? e.reason + " (" + attempts.get()
                    + " attempts)" : e.reason);
            endpointFailed = true;
        } catch (Throwable e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            result = new QueryResult.Failed(FailureKind.TRANSPORT, "query interrupted: " + describe(e));
        }
        recovered(endpointFailed);
        record(promql, result, attempts.get(), System.nanoTime() - start, rangeStart != null, callerSays,
                endpointFailed);
        return result;
    }

    /** Queries the endpoint answered in a row, for {@link #recovered}. */
    private final AtomicInteger answeredInARow = new AtomicInteger();
    /** Queries the endpoint failed in a row, for {@link #recovered}. */
    private final AtomicInteger failedInARow = new AtomicInteger();
    /**
     * Whether minimum-queries failed in a row since the window was last cleared: an outage, not one tenant's share.
     * Counted, not timed as {@link #OUTAGE} is: the window counts calls, and a test's clock may not move within one.
     */
    private final java.util.concurrent.atomic.AtomicBoolean outageInWindow = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Clears the breaker's window of an outage Prometheus has come back from: once minimum-queries in a row were
     * answered, with the breaker closed and failures still in its window. resilience4j rates the window on every
     * call, successes included, and the window's older successes left it while the outage's failures stayed: after
     * a 20 s outage, 12 s after Prometheus answered again, a success opened it at "54% of the 497 queries of the last
     * 1m failed", and 100 targets read UNKNOWN for 30 s more (recheck 105, F1). A Prometheus still failing half its
     * queries rarely answers minimum-queries (10) in a row (0.5^10 = 0.1%), so its failures keep counting.
     *
     * <p>Only the window of an outage, where minimum-queries failed in a row: one namespace of three answering 503
     * fails its tick's 7 queries among the others' answers, and clearing its failures at each run of 10 answers left
     * a window of a few calls, which that namespace's next tick took past 50%: the breaker opened three times in 2
     * minutes and blinded the namespaces that answered (recheck 117, F1), where the minute's window holds its share.
     */
    private void recovered(boolean endpointFailed) {
        int minimum = endpoint.breaker().minimumQueries();
        if (endpointFailed) {
            answeredInARow.set(0);
            if (failedInARow.incrementAndGet() >= minimum) {
                outageInWindow.set(true);
            }
            return;
        }
        failedInARow.set(0);
        if (answeredInARow.incrementAndGet() >= minimum && outageInWindow.get()
                && breaker.getState() == CircuitBreaker.State.CLOSED
                && breaker.getMetrics().getNumberOfFailedCalls() > 0) {
            answeredInARow.set(0);
            outageInWindow.set(false);
            breaker.reset();
        }
    }

    /** Why Prometheus cannot be used right now, or empty when {@code vector(1)} evaluates. */
    java.util.Optional<ProbeFailure> probe(Instant at) {
        QueryResult result = execute("vector(1)", null, requireNonNull(at, "at"), null, true);
        return result instanceof QueryResult.Failed failed
                ? java.util.Optional.of(new ProbeFailure(failed.kind(), failed.reason())) : java.util.Optional.empty();
    }

    /** HTTP requests sent so far (attempts, not queries); for measurements and tests. */
    long requestsSent() {
        return requestsSent.get();
    }

    /**
     * Replaces every secret this client knows (token, password, header values), in each form an echo can take
     * ({@link SecretForms}), in {@code text} and flattens it.
     */
    String scrub(String text, int max) {
        List<String> known = secrets().stream().filter(secret -> secret != null && secret.length() >= 4).toList();
        return Reasons.oneLine(SecretForms.mask(text == null ? "" : text, known, "***"), max);
    }

    private List<String> secrets() {
        List<String> secrets = new ArrayList<>(endpoint.headers().values());
        if (token != null && token.lastValue() != null) {
            // Its encoded forms too (SecretForms): a proxy may echo the header base64-encoded (secrets recheck 28, F3).
            secrets.add(token.lastValue());
        }
        if (password != null && password.lastValue() != null) {
            secrets.add(password.lastValue());
            String basic = Credentials.basic(endpoint.auth().basicUsername(), password.lastValue(), StandardCharsets.UTF_8);
            secrets.add(basic.substring("Basic ".length()));
        }
        return secrets;
    }

    private QueryResult attempt(String promql, Instant rangeStart, Instant at, Duration step, long deadline,
                                Duration budget, AtomicInteger attempts) throws Unavailable {
        attempts.incrementAndGet();
        long remaining = deadline - System.nanoTime();
        if (remaining < MIN_ATTEMPT_NANOS) {
            throw new Unavailable(FailureKind.TIMEOUT, timedOut(rangeStart != null, budget), false);
        }
        if (caTrust != null && caTrust.refresh()) {
            // Pooled connections were checked against the CAs before the file changed.
            http.connectionPool().evictAll();
        }
        Request request;
        try {
            request = request(promql, rangeStart, at, step, remaining);
        } catch (SecretFile.Unreadable e) {
            return new QueryResult.Failed(FailureKind.AUTH_FILE, e.getMessage());
        }
        Call call = http.newCall(request);
        call.timeout().timeout(remaining, TimeUnit.NANOSECONDS);
        requestsSent.incrementAndGet();
        long sentAt = wall.millis();
        try (Response response = call.execute()) {
            if (rangeStart == null && response.isSuccessful()) {
                Instant date = response.headers().getInstant("Date");
                long receivedAt = wall.millis();
                aheadMillis.set(aheadBy(date, sentAt, receivedAt));
                QueryResult.Failed skewed = skew(date, sentAt, receivedAt, endpoint.staleAfter().dividedBy(4));
                if (skewed != null) {
                    return skewed;
                }
            }
            return read(response, rangeStart != null);
        } catch (InterruptedIOException e) {
            boolean budgetLeft = deadline - System.nanoTime() >= MIN_ATTEMPT_NANOS;
            throw new Unavailable(FailureKind.TIMEOUT, budgetLeft ? "prometheus " + describe(e)
                    : timedOut(rangeStart != null, budget), budgetLeft);
        } catch (SSLException e) {
            // A certificate problem does not heal within one query.
            throw new Unavailable(FailureKind.TRANSPORT, "prometheus TLS failure: " + describe(e) + tlsHint(e), false);
        } catch (IOException e) {
            throw new Unavailable(FailureKind.TRANSPORT, "prometheus unreachable: " + describe(e), true);
        }
    }

    private Request request(String promql, Instant rangeStart, Instant at, Duration step, long remainingNanos)
            throws SecretFile.Unreadable {
        FormBody.Builder form = new FormBody.Builder().add("query", promql);
        if (rangeStart == null) {
            form.add("time", seconds(at.minusMillis(aheadMillis.get())));
        } else {
            form.add("start", seconds(rangeStart)).add("end", seconds(at))
                    .add("step", BigDecimal.valueOf(step.toMillis(), 3).toPlainString());
        }
        // Lets the server abandon work we will no longer wait for.
        form.add("timeout", Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNanos)) + "ms");
        // VictoriaMetrics evaluates a query for the last -search.latencyOffset (30s by default) at now - 30s but
        // stamps the answer with the time asked, and with its cache aligns a range's start to the step grid
        // (app/vmselect/prometheus/prometheus.go, promql/eval.go AdjustStartEnd): a signal 30 s old that
        // stale-after cannot see, and a backtest whose steps all miss. nocache=1 turns both off; Prometheus,
        // Thanos and Mimir ignore a form field they do not know.
        form.add("nocache", "1");
        Request.Builder builder = new Request.Builder().url(rangeStart == null ? queryUrl : rangeUrl).post(form.build())
                .header("Accept", "application/json")
                .header("User-Agent", "milvus-autoscaler");
        return authorized(builder).build();
    }

    /** {@code builder} with the configured headers and credentials. */
    private Request.Builder authorized(Request.Builder builder) throws SecretFile.Unreadable {
        endpoint.headers().forEach(builder::header);
        if (token != null) {
            builder.header("Authorization", "Bearer " + token.read());
        } else if (password != null) {
            builder.header("Authorization",
                    Credentials.basic(endpoint.auth().basicUsername(), password.read(), StandardCharsets.UTF_8));
        }
        return builder;
    }

    /**
     * True when the server answers {@code GET /api/v1/status/buildinfo} with success and no version, as
     * VictoriaMetrics does ({@code {"status":"success","data":{}}} from the Debian victoria-metrics 1.79.5 here;
     * Prometheus' names its version, web/api/v1's buildInfo): its range queries look back less than its instant
     * queries, which a replay must say (BacktestCommand#VICTORIA_METRICS_NOTE). False on any failure: one
     * attempt, outside the breaker.
     */
    boolean buildInfoWithoutVersion() {
        Call call;
        try {
            call = diagnosticGet(buildInfoUrl);
        } catch (SecretFile.Unreadable e) {
            return false;
        }
        try (Response response = call.execute()) {
            if (response.code() != 200) {
                return false;
            }
            JsonObject body = JsonParser.parseString(response.body().string()).getAsJsonObject();
            return "success".equals(body.get("status").getAsString()) && body.get("data").isJsonObject()
                    && !body.getAsJsonObject("data").has("version");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The rule groups the server evaluates, from {@code GET /api/v1/rules} (Prometheus' rules API, also served by
     * Thanos Query and Mimir): group name to its number of rules, alerting and recording, the largest over the files
     * that hold a group of that name (one PrometheusRule applied twice is still 4 rules a group); or why not (a
     * VictoriaMetrics without vmalert answers 4xx, a proxy may not pass the path). One attempt within
     * {@code prometheus.timeout}, outside the breaker: a diagnostic for {@code doctor}, which must not count
     * against the signals' queries.
     */
    PrometheusMetricsSource.RuleGroups ruleGroups() {
        Call call;
        try {
            call = diagnosticGet(rulesUrl);
        } catch (SecretFile.Unreadable e) {
            return PrometheusMetricsSource.RuleGroups.failed(e.getMessage());
        }
        try (Response response = call.execute()) {
            if (response.code() != 200) {
                return PrometheusMetricsSource.RuleGroups.failed("HTTP " + response.code() + errorDetail(response));
            }
            JsonObject body = JsonParser.parseString(response.body().string()).getAsJsonObject();
            java.util.Map<String, Integer> groups = new java.util.TreeMap<>();
            for (JsonElement g : body.getAsJsonObject("data").getAsJsonArray("groups")) {
                JsonObject group = g.getAsJsonObject();
                groups.merge(group.get("name").getAsString(), group.getAsJsonArray("rules").size(), Math::max);
            }
            return new PrometheusMetricsSource.RuleGroups(groups, java.util.Optional.empty());
        } catch (IOException e) {
            return PrometheusMetricsSource.RuleGroups.failed(describe(e));
        } catch (RuntimeException e) {
            // Not the rules API's JSON (a login page, another server's shape): say so, do not guess.
            return PrometheusMetricsSource.RuleGroups.failed("not the rules API's JSON (" + describe(e) + ")");
        }
    }

    /** One authorized GET of {@code url} within {@code prometheus.timeout}, outside the breaker and the retry; counted. */
    private Call diagnosticGet(HttpUrl url) throws SecretFile.Unreadable {
        Request request = authorized(new Request.Builder().url(url).get().header("Accept", "application/json")
                .header("User-Agent", "milvus-autoscaler")).build();
        Call call = http.newCall(request);
        call.timeout().timeout(endpoint.timeout().toNanos(), TimeUnit.NANOSECONDS);
        requestsSent.incrementAndGet();
        return call;
    }

    /**
     * Why an instant answer cannot be used at this node's time, or null when the clocks agree: the daemon asks every
     * query at its own clock, so a node 10 minutes slow read the cluster of 10 minutes before and scaled out on a
     * load long gone, and one 15 minutes fast read every signal as empty (fault recheck F2). Prometheus' clock when
     * it answered lies in [Date, Date + 1 s) (the header has whole seconds), so its lead over ours lies in
     * [Date - received, Date + 1 s - sent]; only when all of that is beyond {@code bound} (a quarter of
     * stale-after: 30 s at 2m) is it a skew. A node 600 s slow with a 0.3 s answer reads [599.7 s, 601.0 s]: a skew;
     * one in time reads within [-0.3 s, 1 s]. No Date header (some proxies strip it) is no evidence either way.
     */
    static QueryResult.Failed skew(Instant date, long sentAt, long receivedAt, Duration bound) {
        if (date == null) {
            return null;
        }
        long least = date.toEpochMilli() - receivedAt;
        long most = date.toEpochMilli() + 1000 - sentAt;
        long limit = bound.toMillis();
        if (least <= limit && most >= -limit) {
            return null;
        }
        boolean behind = least > limit;
        // The middle of the interval, to the second: 600 s slow reads 10m, not 9m59s.
        Duration off = Duration.ofSeconds(Math.abs(Math.round((least + most) / 2000.0)));
        return new QueryResult.Failed(FailureKind.CLOCK_SKEW, "this node's clock is " + Durations.human(off)
                + (behind ? " behind" : " ahead of") + " Prometheus' (the Date of its answer): a query at this node's"
                + " time reads " + (behind ? "the cluster as it was " + Durations.human(off) + " ago"
                        : "a time not scraped yet") + ", so none is used until the two agree within "
                + Durations.human(bound) + " (a quarter of prometheus.stale-after); check the node's time sync (NTP)");
    }

    /**
     * How many milliseconds this node's clock certainly runs ahead of Prometheus', from the Date of an answer; 0 when
     * it may not run ahead at all. As in {@link #skew}, Prometheus' lead over ours lies in [Date - received, Date + 1 s
     * - sent]; only when even the upper end is below 0 are we ahead, and then by at most received - Date, which is
     * what queries are moved back by, so they land at Prometheus' time or up to a second and a round trip before it,
     * never after. A node 10.0 s ahead, answered in 0.2 s at Prometheus' 12:00:00.6, reads Date 12:00:00 and
     * received 12:00:10.7: ahead by 10.7 s, so its next query asks 0.7 s before Prometheus' now. At a 60 s scrape
     * the cpu's {@code irate(...[2m])} holds two samples only at or before Prometheus' time: asked 10 s in its
     * future, it held one on a tick in six and read UNKNOWN (recheck 24, F1). A clock in step reads an upper end of
     * 0 to 1 s and is not moved; a node behind Prometheus queries at its own time, already in the past, as before. No
     * Date (a proxy that strips it): 0.
     */
    static long aheadBy(Instant date, long sentAt, long receivedAt) {
        if (date == null || date.toEpochMilli() + 1000 - sentAt >= 0) {
            return 0;
        }
        return receivedAt - date.toEpochMilli();
    }

    /**
     * For a 401, 403 or 407, which no target or query causes, what was sent, so the line points at the credentials:
     * "; sent the token in prometheus.auth.bearer-token-file (/var/run/prom/token): check that Prometheus, or the
     * proxy in front of it, accepts it". Paths only, never a secret.
     */
    static String credentialsHint(int code, PrometheusEndpoint endpoint) {
        PrometheusAuth auth = endpoint.auth();
        boolean header = endpoint.headers().keySet().stream().anyMatch(k -> k.equalsIgnoreCase("Authorization"));
        String sent;
        if (auth.bearerTokenFile().isPresent()) {
            sent = "the token in prometheus.auth.bearer-token-file (" + PrometheusAuth.shown(auth.bearerTokenFile().get())
                    + ")";
        } else if (!auth.basicUsername().isEmpty()) {
            sent = "basic auth as user " + auth.basicUsername() + " with the password in prometheus.auth."
                    + "basic-password-file (" + PrometheusAuth.shown(auth.basicPasswordFile().orElseThrow()) + ")";
        } else if (header) {
            sent = "the Authorization header in prometheus.headers";
        } else {
            return "; no credentials were sent: a Prometheus behind an auth proxy needs prometheus.auth"
                    + " (bearer-token-file, or basic-username and basic-password-file)";
        }
        return "; sent " + sent + ": check that Prometheus, or the proxy in front of it, accepts "
                + (code == 403 ? "it for the query API" : "it");
    }

    /** "prometheus timeout after 5s", and for a range query which setting gives it more. */
    private String timedOut(boolean range, Duration budget) {
        return "prometheus timeout after " + Durations.human(budget) + (range ? " (a range query gets the longer of"
                + " prometheus.timeout and " + Durations.human(RANGE_TIMEOUT) + "; raise prometheus.timeout, or ask for"
                + " fewer steps)" : "");
    }

    private static String seconds(Instant t) {
        return BigDecimal.valueOf(t.toEpochMilli(), 3).toPlainString();
    }

    private QueryResult read(Response response, boolean matrix) throws IOException, Unavailable {
        int code = response.code();
        if (code >= 200 && code < 300) {
            String type = response.header("Content-Type", "");
            String answered = "HTTP " + code + ", " + (type.isEmpty() ? "no Content-Type" : scrub(type, 60));
            if (!type.isEmpty() && !type.toLowerCase(java.util.Locale.ROOT).contains("json")) {
                return new QueryResult.Failed(FailureKind.BAD_RESPONSE, "prometheus answered something that is not JSON ("
                        + answered + "): is prometheus.url the API root?");
            }
            ResponseBody body = response.body();
            try (Reader reader = body.charStream()) {
                return ResponseParser.parse(reader, endpoint.maxSeries(), matrix, answered);
            }
        }
        String detail = errorDetail(response);
        if (code >= 500) {
            throw new Unavailable(FailureKind.HTTP_5XX, "prometheus HTTP " + code + detail, true);
        }
        if (code == 401 || code == 403 || code == 407) {
            // No query causes these: the endpoint refuses this client, so every query fails as when it is down (the
            // breaker counts it, the status says since when, one WARN per episode). Read as a wrong query, it was
            // logged once per query text for the process's life and the status said nothing (secrets recheck 28,
            // F2). Not retried: the same credentials get the same answer.
            throw new Unavailable(FailureKind.HTTP_4XX, "prometheus HTTP " + code + detail
                    + credentialsHint(code, endpoint), false);
        }
        if (code >= 400) {
            return new QueryResult.Failed(FailureKind.HTTP_4XX, "prometheus HTTP " + code + detail);
        }
        return new QueryResult.Failed(FailureKind.HTTP_OTHER, "prometheus HTTP " + code
                + (code >= 300 && code < 400 ? " redirect, not followed (check prometheus.url)" : ""));
    }

    /** ": errorType: error" from a Prometheus error body, else the start of the body; scrubbed. */
    private String errorDetail(Response response) {
        String text;
        try {
            text = response.peekBody(ERROR_BODY_BYTES).string();
        } catch (IOException e) {
            return "";
        }
        if (text.isBlank()) {
            return "";
        }
        try {
            JsonElement parsed = JsonParser.parseString(text);
            if (parsed.isJsonObject()) {
                JsonObject object = parsed.getAsJsonObject();
                String errorType = object.has("errorType") ? object.get("errorType").getAsString() : "";
                String error = object.has("error") ? object.get("error").getAsString() : "";
                if (!error.isEmpty()) {
                    return ": " + scrub(errorType.isEmpty() ? error : errorType + ": " + error, 200);
                }
            }
        } catch (RuntimeException notJson) {
            // fall through: show the start of the text
        }
        return ": " + scrub(text, 120);
    }

    /**
     * What a TLS failure most likely asks for, in the config's words: the JDK's "PKIX path building failed" and
     * "Unsupported or unrecognized SSL message" named neither the CA setting nor the scheme (recheck 77's remark).
     */
    private String tlsHint(SSLException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("PKIX path") || message.contains("certification path")) {
            return caTrust == null ? " (the server's certificate is signed by no CA this JVM trusts: set"
                    + " prometheus.auth.ca-file to the PEM of the CA that signed it)" : " (the server's certificate is"
                    + " signed by none of the CAs in prometheus.auth.ca-file)";
        }
        if (message.contains("Unsupported or unrecognized SSL message")) {
            return " (the server answered in plain HTTP: an https:// prometheus.url to an http port? use http://)";
        }
        return "";
    }

    private String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + scrub(message, 160));
    }

    /**
     * Times and counts a query, and says once when queries start failing and once when one succeeds again; a range
     * query's success says nothing of the instant queries the ticks read (a skewed clock fails only those: the
     * background history read alternated "are failing" and "succeed again" four times in 5 s, last recheck).
     */
    private void record(String promql, QueryResult result, int attempts, long nanos, boolean range,
                        boolean callerSays, boolean endpointFailed) {
        boolean ok = result instanceof QueryResult.Samples;
        if (attempts > 0) {
            (ok ? successTimer : errorTimer).record(nanos, TimeUnit.NANOSECONDS);
        }
        if (ok) {
            QueriesFailing ended = range ? null : failing.getAndSet(null);
            if (ended != null) {
                Instant now = clock.instant();
                if (Duration.between(ended.since(), now).compareTo(OUTAGE) >= 0) {
                    Instant unanswered = lastUnanswered.get();
                    outageLastUnanswered.set(unanswered == null || unanswered.isBefore(ended.since()) ? ended.since()
                            : unanswered);
                }
                Recovered last = recovered.get();
                if (said.getAndSet(false)) {
                    int unsaid = last == null ? 0 : last.unsaid();
                    LOG.atInfo().addMarker(DAEMON_WIDE).log("Prometheus queries to {} succeed again{}", hostPort(),
                            unsaid == 0 ? ""
                            // Before this spell, not during it: "meanwhile" read as queries answered through a
                            // total outage (rechecks 116-118).
                            : " (before this spell, since the last such line, they failed and succeeded again " + unsaid
                            + " times, said at debug: some queries failed while others did not; GET /api/v1/status"
                            + " names the targets whose signals failed)");
                    recovered.set(new Recovered(clock.instant(), 0));
                } else {
                    LOG.debug("Prometheus queries to {} succeed again", hostPort());
                    recovered.set(new Recovered(clock.instant(), last == null ? 1 : last.unsaid() + 1));
                }
            }
            return;
        }
        QueryResult.Failed failed = (QueryResult.Failed) result;
        errors.get(failed.kind()).increment();
        if (failed.kind() == FailureKind.TRANSPORT || failed.kind() == FailureKind.TIMEOUT
                || failed.kind() == FailureKind.HTTP_5XX) {
            lastUnanswered.set(clock.instant());
        }
        if (callerSays) {
            return;
        }
        boolean queryIsWrong = !endpointFailed && switch (failed.kind()) {
            case HTTP_4XX, QUERY_ERROR, BAD_RESPONSE, TOO_MANY_SERIES, RESULT_TYPE -> true;
            default -> false;
        };
        if (queryIsWrong) {
            // The query itself is wrong: say so once per query text, not every tick.
            if (warnedQueries.size() < 1000 && warnedQueries.add(promql)) {
                LOG.warn("Prometheus query failed ({}): {} -- query: {}", failed.kind().tag(), failed.reason(),
                        Reasons.oneLine(promql, 2000));
            }
        } else if (failing.compareAndSet(null, new QueriesFailing(clock.instant(), failed.reason()))) {
            Recovered last = recovered.get();
            // A skewed clock is this node's, whatever answers: a wall clock stepped back a minute soon after a
            // success read as one more intermittent failing and was never said (recheck 51, F3).
            boolean intermittent = failed.kind() != FailureKind.CLOCK_SKEW && last != null
                    && Duration.between(last.at(), clock.instant()).compareTo(INTERMITTENT) < 0;
            if (intermittent) {
                LOG.atDebug().addMarker(DAEMON_WIDE).log("Prometheus queries to {} are failing again: {}", hostPort(), failed.reason());
            } else {
                sayFailing(failed.reason(), "");
            }
        } else if (!said.get() && failing.get() != null && failed.kind() != FailureKind.CIRCUIT_OPEN
                && Duration.between(failing.get().since(), clock.instant()).compareTo(INTERMITTENT_SAID_AFTER) >= 0) {
            // Failing again soon after failing before, and lasting: no longer the intermittent kind. Not on a query the
            // open breaker turned away: that says nothing of Prometheus now, and said "are failing" 13 s after it had
            // come back, with the cause of a minute before (recheck 107, F2).
            sayFailing(failing.get());
        } else {
            LOG.debug("Prometheus query failed: {}", failed.reason());
        }
    }

    /**
     * The endpoint as its lines name it, host and port, as the circuit breaker's name does: "127.0.0.1" in one line and
     * "127.0.0.1:50310" in the next read as two servers (recheck 60, R3).
     */
    private String hostPort() {
        return queryUrl.host() + ":" + queryUrl.port();
    }

    /** As {@link #sayFailing(String, String)} for an episode begun before: "are failing since 2026-12-07T19:23:43Z". */
    private void sayFailing(QueriesFailing episode) {
        sayFailing(episode.cause(), " since " + episode.since().truncatedTo(ChronoUnit.SECONDS));
    }

    /** Says that queries to this endpoint fail, once until they succeed again, which is then said too. */
    private void sayFailing(String cause, String since) {
        if (said.getAndSet(true)) {
            return;
        }
        LOG.atWarn().addMarker(DAEMON_WIDE).log("Prometheus queries to {} are failing{}: {} (repeats are logged at debug until one succeeds; failing"
                + " again within {} of succeeding is logged at debug too, and said when it lasts {})", hostPort(),
                since, cause, Durations.human(INTERMITTENT), Durations.human(INTERMITTENT_SAID_AFTER));
    }

    /**
     * Since when queries to this endpoint have failed because it is unavailable (timeouts, refused connections,
     * 5xx, refused credentials, an open breaker), with the first failure's reason; empty while they succeed. The
     * status shows it: with the breaker open every signal's problem said "circuit breaker open" and the cause was in
     * one WARN only (fault recheck 17, F5). A wrong query is not the endpoint's failure and does not count.
     */
    Optional<QueriesFailing> failing() {
        return Optional.ofNullable(failing.get());
    }

    /**
     * When the last query of this endpoint's last outage went unanswered, if it had one (every instant query failed
     * for at least {@link #OUTAGE}, then one was answered): a sample stamped before may be as old as the outage and
     * still within stale-after; one stamped after was scraped since.
     */
    Optional<Instant> outageLastUnanswered() {
        return Optional.ofNullable(outageLastUnanswered.get());
    }

    /** The breaker's name and state when it is not closed (open, half-open); empty while closed. */
    Optional<String> breakerNotClosed() {
        CircuitBreaker.State state = breaker.getState();
        return state == CircuitBreaker.State.CLOSED ? Optional.empty()
                : Optional.of(breaker.getName() + " " + state.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    }

    /** Where the endpoint's queries go, without path or credentials: {@code http://prometheus:9090}. */
    String server() {
        return queryUrl.scheme() + "://" + queryUrl.host() + ":" + queryUrl.port();
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    /**
     * The endpoint could not answer (transport, timeout, 5xx) or refused this client (401, 403, 407): counted by the
     * breaker, and retried unless the same request would get the same answer.
     */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;
        final FailureKind kind;
        final String reason;
        final boolean retryable;

        Unavailable(FailureKind kind, String reason, boolean retryable) {
            super(reason, null, false, false);
            this.kind = kind;
            this.reason = reason;
            this.retryable = retryable;
        }
    }
}
