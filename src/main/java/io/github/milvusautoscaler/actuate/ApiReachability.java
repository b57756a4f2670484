package io.github.milvusautoscaler.actuate;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.LogFields;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the Kubernetes API server answers, seen from every request the daemon's client makes
 * (leader election, reads, writes, Events), so a daemon that cannot reach it says so instead of
 * looking healthy: one WARN line every {@link #REPEAT} for its first minute and every
 * {@link #REPEAT_AFTER_A_MINUTE} after, with how long and the last
 * cause ({@code ConnectException: Connection refused}, {@code SocketTimeoutException},
 * {@code HTTP 503}), one INFO line when it answers again, and a state for {@code /api/v1/status}
 * and the {@code milvus_autoscaler_kubernetes_reachable} gauge.
 *
 * <p>A failure is no answer (connection refused or reset, timeout, DNS, TLS) or a 5xx: a 401, 403
 * or 404 is an answer, and reported where it happens; a 429 is an answer too, its call said as throttled. The
 * server is unreachable once calls have failed for {@code confirmAfter} with no call answered in between (at once
 * when none has been answered since start): the ticks' reads answer at least every {@code loop.interval}, so one call
 * failing (Lease updates answering 500 while reads succeed, one write that timed out) is said as
 * that call failing, once a minute per call, not as the server gone; it was 17 "unreachable" and
 * "answers again" lines a minute while only the Lease calls failed (fault recheck F8). Causes name
 * the exception, the call's method and path and the host, never a header (but a 429's numeric Retry-After), so
 * never a token.
 */
public final class ApiReachability implements Interceptor {

    /** How often the WARN line repeats in the first minute the API server stays unreachable. */
    public static final Duration REPEAT = Duration.ofSeconds(5);
    /**
     * How often it repeats after that minute: an outage of an hour writes 71 lines, not 720, and status, the
     * {@code milvus_autoscaler_kubernetes_reachable} gauge and its alert say it all along.
     */
    public static final Duration REPEAT_AFTER_A_MINUTE = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(ApiReachability.class);
    /** Lines about the server every target shares, without the field of the tick that noticed ({@link LogFields}). */
    private static final org.slf4j.Marker DAEMON_WIDE = org.slf4j.MarkerFactory.getMarker(LogFields.DAEMON_WIDE);

    /** What is known now: reachable, or since when not and why. */
    public record State(boolean reachable, Instant unreachableSince, String cause) {
    }

    /**
     * One call that fails while the server answers others: since its first failure in a row, its last, and why
     * ({@code PUT /apis/coordination.k8s.io/v1/namespaces/ops/leases/milvus-autoscaler}, {@code HTTP 500}).
     */
    public record FailingCall(String call, Instant since, Instant last, String cause) {
    }

    /**
     * How long a call's last failure is shown after it: a call that failed once and was not made again (a write)
     * stops being shown; one retried every few seconds (the Lease's) stays.
     */
    public static final Duration FAILING_CALL_SHOWN = Duration.ofMinutes(2);

    /** The default {@code confirmAfter}: a 15 s loop.interval (reference.conf's) plus {@link #REPEAT}. */
    public static final Duration CONFIRM_AFTER = Duration.ofSeconds(20);
    /** Calls whose last one-call failure line is remembered; past it the memory starts again. */
    private static final int CALLS_REMEMBERED = 256;

    private final Clock clock;
    private final Duration confirmAfter;
    private State state = new State(true, null, "");
    private Instant lastSeenAnswer;
    /** The first failure since the last answer; null while the last call answered. */
    private Instant failingSince;
    private Instant lastLogged;
    private final java.util.Map<String, Instant> callLogged = new java.util.HashMap<>();
    /**
     * The most calls whose failure is said in one minute, all calls together: at an outage's start, before it is
     * called unreachable, each target's own GET and HPA list failed as a call of its own, 178 WARN lines in a minute
     * for 100 targets and as many "answered again" at its end (recheck 105, F3).
     */
    static final int CALL_LINES_PER_MINUTE = 3;
    /** When the calls said in the current minute began to be counted, how many were said and how many were not. */
    private Instant callLinesSince;
    private int callLinesSaid;
    private int callLinesUnsaid;
    /** When the first and the last of the calls left unsaid failed. */
    private Instant unsaidFirst;
    private Instant unsaidLast;
    /** Calls whose last attempt failed, by call; a call that answers leaves. */
    private final java.util.Map<String, FailingCall> failing = new java.util.LinkedHashMap<>();
    private String server = "";
    /** Why the client sends no request at all (its kubeconfig credentials gave no token yet); empty when it does. */
    private java.util.function.Supplier<Optional<String>> credentials = Optional::empty;

    public ApiReachability(Clock clock) {
        this(clock, CONFIRM_AFTER);
    }

    /**
     * @param confirmAfter how long calls fail with none answered before the server is said unreachable: longer than
     *                     loop.interval, so a tick's reads can answer in between
     */
    public ApiReachability(Clock clock, Duration confirmAfter) {
        this.clock = requireNonNull(clock, "clock");
        this.confirmAfter = requireNonNull(confirmAfter, "confirmAfter");
    }

    /** Watches every request of {@code client} from now on; returns the watcher. */
    public static ApiReachability watch(ApiClient client, Clock clock) {
        return watch(client, clock, CONFIRM_AFTER);
    }

    /** As {@link #watch(ApiClient, Clock)}, saying unreachable after {@code confirmAfter} with no answer. */
    public static ApiReachability watch(ApiClient client, Clock clock, Duration confirmAfter) {
        ApiReachability watcher = new ApiReachability(clock, confirmAfter);
        client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(watcher).build());
        // Named before any request: a client whose credentials gave no token yet sends none (status said server "").
        okhttp3.HttpUrl base = okhttp3.HttpUrl.parse(client.getBasePath());
        if (base != null) {
            watcher.server = base.host() + ":" + base.port();
        }
        watcher.credentials = () -> ApiClients.credentialsProblem(client);
        return watcher;
    }

    /**
     * The operating system's words beneath OkHttp's, e.g. " (Connection refused)": OkHttp says "Failed to connect to
     * /10.96.0.1:443" for a refused connection, an unreachable network and a firewall's reset alike, with the socket's
     * own exception as its cause (okhttp3 RealConnection.connectSocket), and the runbook's "connection refused" was
     * nowhere in the log (recheck 108, F4). Empty when there is no deeper message or it says the same.
     */
    static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String said = root.getMessage();
        return root == e || said == null || said.isBlank() || String.valueOf(e.getMessage()).contains(said) ? ""
                : " (" + said + ")";
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        String host = request.url().host() + ":" + request.url().port();
        Response response;
        try {
            response = chain.proceed(request);
        } catch (IOException e) {
            if (e instanceof InterruptedIOException && "interrupted".equals(e.getMessage())) {
                // This process gave up on the call (client-java's leader elector cancels each acquire attempt after
                // retry-period, interrupting its thread; okio then throws "interrupted"): no verdict on the server.
                throw e;
            }
            String cause = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + rootCause(e);
            if (chain.call().isCanceled()) {
                // The client's call timeout cancels the call by closing its socket, and what the read then throws,
                // "SocketException: Socket closed", read as the server hanging up (observability audit L6).
                long ms = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(chain.call().timeout().timeoutNanos());
                cause = noAnswerWithin(ms) + "; the call was cancelled (" + cause + ")";
            } else if (e instanceof java.net.SocketTimeoutException) {
                // The read (or connect) timeout, which ApiClients sets to the same request-timeout, fired before the
                // call timeout: a loaded machine runs the call timeout's watchdog late. Said as "SocketTimeoutException:
                // Read timed out" it named no setting (a CI run).
                cause = noAnswerWithin(chain.readTimeoutMillis()) + "; the socket timed out (" + cause + ")";
            }
            failed(host, request.method() + " " + request.url().encodedPath(), cause);
            throw e;
        }
        String call = request.method() + " " + request.url().encodedPath();
        if (response.code() >= 500) {
            failed(host, call, "HTTP " + response.code());
        } else if (response.code() == 429) {
            answered(host);
            throttled(call, "HTTP 429 Too Many Requests" + retryAfter(response.header("Retry-After")));
        } else {
            answered(host);
            callAnswered(call);
        }
        return response;
    }

    /**
     * ", Retry-After 1s" for a Retry-After in seconds, else nothing: the header is the server's, and only a number
     * of seconds is said (an HTTP date is left out rather than echoed).
     */
    static String retryAfter(String header) {
        return header != null && header.strip().matches("[0-9]{1,6}") ? ", Retry-After " + header.strip() + "s" : "";
    }

    /**
     * A call cut by kubernetes.request-timeout, said in the config's words: "no answer within 300ms
     * (kubernetes.request-timeout)". ApiClients sets the call, read and connect timeouts all to it.
     */
    static String noAnswerWithin(long ms) {
        return "no answer within " + (ms > 0 ? Durations.setting(Duration.ofMillis(ms)) : "the request's time")
                + " (kubernetes.request-timeout)";
    }

    /** The current state. */
    public synchronized State state() {
        return state;
    }

    /**
     * True while calls fail with none answered since the first of them: an outage, called unreachable or not yet.
     * One call failing while others answer is not (every answer ends the stretch).
     */
    public synchronized boolean failingWithNoAnswer() {
        return failingSince != null || !state.reachable();
    }

    /** The last time the API server answered, if ever. */
    public synchronized Optional<Instant> lastAnswer() {
        return Optional.ofNullable(lastSeenAnswer);
    }

    /**
     * {@code call} ({@code PUT /apis/coordination.k8s.io/v1/namespaces/ops/leases/milvus-autoscaler}) failed with
     * {@code cause}.
     */
    synchronized void failed(String host, String call, String cause) {
        Instant now = clock.instant();
        server = host;
        rememberFailing(call, now, cause);
        if (failingSince == null) {
            failingSince = now;
        }
        boolean confirmed = lastSeenAnswer == null || !now.isBefore(failingSince.plus(confirmAfter));
        if (!confirmed) {
            if (sayCallAgain(call, now)) {
                // Not "the server is fine": in the first seconds of a real outage this line comes first (fault
                // recheck 2), so it says what is known, the last answer's age, and when the server is called down.
                LOG.warn("Kubernetes API server {}: {} failed: {}; the last call it answered was {}s ago (it is called"
                        + " unreachable once calls have failed for {} with none answered; this call's next failure is"
                        + " said a minute on){}", host, call, cause, Duration.between(lastSeenAnswer, now).toSeconds(),
                        Durations.human(confirmAfter), unsaidCalls());
            }
            return;
        }
        Instant since = state.reachable() ? failingSince : state.unreachableSince();
        state = new State(false, since, cause + " for " + call);
        Duration repeat = Duration.between(since, now).compareTo(Duration.ofMinutes(1)) < 0 ? REPEAT
                : REPEAT_AFTER_A_MINUTE;
        if (lastLogged == null || !now.isBefore(lastLogged.plus(repeat))) {
            lastLogged = now;
            callLinesUnsaid = 0; // this line speaks for them
            LOG.atWarn().addMarker(DAEMON_WIDE).log("Kubernetes API server {} unreachable for {}s: {} for {}; leader"
                    + " election, reads and writes fail until it answers", host, Duration.between(since, now)
                    .toSeconds(), cause, call);
        }
    }

    /**
     * {@code call} was refused with a 429: the server answers, so it is reachable, but this call did not go through.
     * kube-apiserver's priority-and-fairness or max-in-flight filter throttles a client so; Lease renewals refused
     * with 429 lost the leadership with no word of why (recheck 102, F1), where a 500 was said as the call failing.
     * Said like a failing call: once a minute per call, listed in {@link #failingCalls()}, and "answered again" once
     * it goes through.
     */
    synchronized void throttled(String call, String cause) {
        Instant now = clock.instant();
        rememberFailing(call, now, cause);
        if (sayCallAgain(call, now)) {
            LOG.warn("Kubernetes API server {}: {} refused: {}; the server answers but throttles this daemon's calls"
                    + " (API Priority and Fairness, or --max-requests-inflight); this call's next refusal is said a"
                    + " minute on{}", server, call, cause, unsaidCalls());
        }
    }

    /** Keeps {@code call} as failing now with {@code cause}, since its first failure in a row. */
    private void rememberFailing(String call, Instant now, String cause) {
        FailingCall before = failing.remove(call);
        if (failing.size() >= CALLS_REMEMBERED) {
            failing.clear();
        }
        failing.put(call, new FailingCall(call, before == null ? now : before.since(), now, cause));
    }

    /**
     * True, and remembered, when {@code call}'s failure was not said within the last minute and fewer than
     * {@link #CALL_LINES_PER_MINUTE} calls' were; a call not said then is counted for {@link #unsaidCalls}.
     */
    private boolean sayCallAgain(String call, Instant now) {
        Instant said = callLogged.get(call);
        if (said != null && now.isBefore(said.plus(REPEAT_AFTER_A_MINUTE))) {
            return false;
        }
        if (callLinesSince == null || !now.isBefore(callLinesSince.plus(REPEAT_AFTER_A_MINUTE))) {
            callLinesSince = now;
            callLinesSaid = 0;
        }
        if (callLinesSaid >= CALL_LINES_PER_MINUTE) {
            if (callLinesUnsaid++ == 0) {
                unsaidFirst = now;
            }
            unsaidLast = now;
            return false;
        }
        callLinesSaid++;
        if (callLogged.size() >= CALLS_REMEMBERED) {
            callLogged.clear();
        }
        callLogged.put(call, now);
        return true;
    }

    /**
     * "; 12 other calls failed unsaid from 10:00:05Z to 10:00:58Z" for the calls {@link #sayCallAgain} left out, then
     * none: with its times, as the count of an outage that had ended a minute before was said in the first line of
     * the next (recheck 107, F3).
     */
    private String unsaidCalls() {
        int n = callLinesUnsaid;
        callLinesUnsaid = 0;
        return n == 0 ? "" : "; " + n + " other call" + (n == 1 ? "" : "s") + " failed unsaid from "
                + unsaidFirst.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " to "
                + unsaidLast.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " (at most " + CALL_LINES_PER_MINUTE
                + " calls are said a minute)";
    }

    synchronized void answered(String host) {
        Instant now = clock.instant();
        lastSeenAnswer = now;
        failingSince = null;
        if (!state.reachable()) {
            LOG.atInfo().addMarker(DAEMON_WIDE).log("Kubernetes API server {} answers again after {}s unreachable", host,
                    Duration.between(state.unreachableSince(), now).toSeconds());
            lastLogged = null;
        }
        server = host;
        state = new State(true, null, "");
    }

    /**
     * {@code call} was answered: it is not failing any more. A call whose failure was said in a WARN is said answered
     * too, so a write that failed once and went through on its retry no longer reads as a failed write (recheck 60,
     * F2: one bare "PATCH ... failed: HTTP 500" and nothing after it).
     */
    synchronized void callAnswered(String call) {
        FailingCall was = failing.remove(call);
        if (callLogged.remove(call) != null && was != null) {
            LOG.info("Kubernetes API server {}: {} answered again, {}s after it first failed ({})", server, call,
                    Duration.between(was.since(), clock.instant()).toSeconds(), was.cause());
        }
    }

    /**
     * The calls failing now while the server answers others, oldest first: each whose last attempt failed within
     * {@link #FAILING_CALL_SHOWN}. A follower whose Lease updates answer 500 said why it did not lead only in a WARN
     * a minute, its status reading "reachable" (recheck 39's remark). Empty while the server is unreachable, which
     * the state says.
     */
    public synchronized List<FailingCall> failingCalls() {
        if (!state.reachable()) {
            return List.of();
        }
        Instant now = clock.instant();
        return failing.values().stream().filter(f -> now.isBefore(f.last().plus(FAILING_CALL_SHOWN)))
                .sorted(java.util.Comparator.comparing(FailingCall::since)).toList();
    }

    /** The host:port last contacted, for status. */
    public synchronized String server() {
        return server;
    }

    /**
     * Why no request is sent at all, the server's reachability then not judged ("no Kubernetes token: the exec plugin
     * ... has not answered for 44s; waiting for it"); empty when requests are sent.
     */
    public Optional<String> credentials() {
        return credentials.get();
    }
}
