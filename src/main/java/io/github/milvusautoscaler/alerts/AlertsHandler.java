package io.github.milvusautoscaler.alerts;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.Target;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/alerts}: Alertmanager webhooks in.
 *
 * <p>Checks run in this order, each with its own status, and a refused request changes nothing:
 * 405 wrong method, 404 no token configured (the endpoint is off, never open), 401 wrong or missing
 * bearer token, 415 not JSON, 413 body over {@code alerts.max-body} (decided from Content-Length
 * before reading, or as soon as a chunked body passes the limit; the rest is never stored, only
 * discarded up to 4x the limit so the client can read the answer, then the connection closes), 400 malformed JSON or a
 * missing or wrong field (named), 503 on a follower (Alertmanager retries 5xx, and the Service will route
 * a retry to the leader), 503 when the alert book is full (room comes back as alerts resolve or expire, and
 * Alertmanager's webhook notifier retries 5xx only, prometheus/alertmanager notify/util.go Retrier.Check:
 * after a 429 the alerts wait for the group's next flush, group_interval, AlertmanagerRetryTest) and 413 when
 * the payload alone holds more new alerts than the book may hold ({@link AlertBook.Caps}: no retry helps).
 * Accepted alerts answer 200 at once; the ticks they trigger run on the engine's workers.
 */
public final class AlertsHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AlertsHandler.class);
    private static final Duration LOG_EVERY = Duration.ofMinutes(1);

    private final TokenFile token;
    private final long maxBody;
    private final AlertBook book;
    private final BooleanSupplier leader;
    private final Clock clock;
    private final Consumer<Target> tickNow;
    private final Consumer<List<AlertBook.Outcome>> onOutcomes;
    private final IntConsumer onRefused;
    /** When each refusal status was last logged: one line per status a minute, however often Alertmanager tries. */
    private final Map<Integer, Instant> lastLogged = new ConcurrentHashMap<>();
    /** An ignored alert is said once per alert name and reason this often (Alertmanager re-sends a group often). */
    static final Duration IGNORED_LOG_EVERY = Duration.ofMinutes(10);
    /** Past this many remembered (name, reason) pairs the memory starts over: hostile names cannot grow it. */
    private static final int IGNORED_REMEMBERED = 1000;
    /** When each (alert name, reason) was last said. */
    private final Map<String, Instant> ignoredLogged = new ConcurrentHashMap<>();

    /**
     * @param token      the bearer token file, or null when none is configured (endpoint off)
     * @param maxBody    largest accepted body in bytes
     * @param book       where accepted alerts go
     * @param leader     whether this daemon leads
     * @param clock      the daemon's clock
     * @param tickNow    asks the engine to tick a target now
     * @param onOutcomes receives every alert outcome (metrics, logs)
     * @param onRefused  receives the status of every refused request (metrics): Alertmanager's webhook notifier
     *                   retries only a 5xx within a notification (notify/util.go Retrier.Check), and a refused one is
     *                   sent again at the group's next flush, as no successful send was logged for it
     */
    public AlertsHandler(TokenFile token, long maxBody, AlertBook book, BooleanSupplier leader, Clock clock,
                         Consumer<Target> tickNow, Consumer<List<AlertBook.Outcome>> onOutcomes,
                         IntConsumer onRefused) {
        this.token = token;
        this.maxBody = maxBody;
        this.book = requireNonNull(book, "book");
        this.leader = requireNonNull(leader, "leader");
        this.clock = requireNonNull(clock, "clock");
        this.tickNow = requireNonNull(tickNow, "tickNow");
        this.onOutcomes = requireNonNull(onOutcomes, "onOutcomes");
        this.onRefused = requireNonNull(onRefused, "onRefused");
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            ex.getResponseHeaders().set("Allow", "POST");
            error(ex, 405, "method", "only POST is accepted");
            return;
        }
        if (token == null) {
            error(ex, 404, "endpoint", "alerts endpoint is off: no alerts.bearer-token-file configured");
            return;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        // The scheme is case-insensitive (RFC 7235 2.1), and Alertmanager sends authorization.type as written:
        // `type: bearer` passes amtool check-config and arrives as "bearer <token>" (prometheus/common http_config.go).
        String presented = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7) : null;
        boolean ok;
        try {
            ok = token.matches(presented);
        } catch (TokenFile.UnreadableTokenException e) {
            // Once a minute, as a refusal's WARN: Alertmanager retries a 5xx on its own back-off, and each retry of
            // each group logged an ERROR (recheck 77, F5).
            Instant now = clock.instant();
            if (!now.isBefore(lastLogged.getOrDefault(500, Instant.MIN).plus(LOG_EVERY))) {
                lastLogged.put(500, now);
                LOG.error("{}; every webhook is answered 500 until it can (said once a minute)", e.getMessage());
            }
            error(ex, 500, "server", "alert token unavailable on the server");
            return;
        }
        if (!ok) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            // A header of another scheme (Basic) is named by its scheme alone, never its credentials (recheck 82's
            // remark: it read "missing bearer token").
            error(ex, 401, "Authorization", refusal(auth, presented));
            return;
        }
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            error(ex, 415, "Content-Type", "must be application/json, was " + (type == null ? "missing" : type));
            return;
        }
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                long declared = Long.parseLong(length.trim());
                if (declared > maxBody) {
                    tooLarge(ex, declared);
                    return;
                }
            } catch (NumberFormatException e) {
                error(ex, 400, "Content-Length", "not a number");
                return;
            }
        }
        byte[] body = readLimited(ex.getRequestBody());
        if (body == null) {
            tooLarge(ex, -1);
            return;
        }
        WebhookPayload payload;
        try {
            payload = WebhookPayload.parse(new String(body, StandardCharsets.UTF_8));
        } catch (WebhookPayload.InvalidPayloadException e) {
            error(ex, 400, e.field(), e.getMessage());
            return;
        }
        if (!leader.getAsBoolean()) {
            ex.getResponseHeaders().set("Retry-After", "5");
            // Alertmanager keeps connections alive; closing this one lets its retry reach another replica.
            ex.getResponseHeaders().set("Connection", "close");
            error(ex, 503, "leader", "this replica is not the leader (a follower, or stopping); retry reaches the leader");
            return;
        }
        Set<Target> touched = new HashSet<>();
        List<AlertBook.Outcome> outcomes;
        try {
            outcomes = book.receive(payload, clock.instant(), touched);
        } catch (AlertBook.BookFullException e) {
            if (e.payloadTooLarge()) {
                // Logged by error() with the other 4xx answers.
                error(ex, 413, "alerts", e.getMessage());
            } else {
                LOG.warn("alerts refused: {}", e.getMessage());
                // 503, not 429: Alertmanager's webhook retries 5xx only. Room comes back as alerts resolve or expire.
                ex.getResponseHeaders().set("Retry-After", "60");
                error(ex, 503, "alerts", e.getMessage());
            }
            return;
        }
        onOutcomes.accept(outcomes);
        sayIgnored(payload, outcomes);
        sayNew(outcomes);
        // tickNow only hands the tick to the engine's workers, so the answer still leaves at once.
        touched.forEach(tickNow);
        send(ex, 200, render(outcomes));
    }

    /**
     * Logs each ignored alert, once per alert name and reason every {@link #IGNORED_LOG_EVERY}, with its labels. The
     * reason is also in the 200 answer, but Alertmanager logs a 2xx as "Notify success" and drops its body, so an
     * alert whose labels name no target (a release mistyped, a rule that kept the operator's label, a coordinator)
     * was seen nowhere but in a counter (audit-alerts M1).
     */
    private void sayIgnored(WebhookPayload payload, List<AlertBook.Outcome> outcomes) {
        Instant now = clock.instant();
        for (int i = 0; i < outcomes.size(); i++) {
            AlertBook.Outcome o = outcomes.get(i);
            if (o.result() != AlertBook.Result.IGNORED) {
                continue;
            }
            String key = o.alert() + "\u0000" + o.reason();
            Instant last = ignoredLogged.get(key);
            if (last != null && now.isBefore(last.plus(IGNORED_LOG_EVERY))) {
                continue;
            }
            if (ignoredLogged.size() >= IGNORED_REMEMBERED) {
                ignoredLogged.clear();
            }
            ignoredLogged.put(key, now);
            String labels = i < payload.alerts().size() ? new TreeMap<>(payload.alerts().get(i).labels())
                    .toString() : "?";
            LOG.warn("alert {} ignored: {}; labels {} (alerts.routes pick a target from them; said once per {} for"
                    + " this alert and reason)", o.alert(), o.reason(), labels.length() <= 400 ? labels
                    : labels.substring(0, 397) + "...", Durations.human(IGNORED_LOG_EVERY));
        }
    }

    /**
     * Logs an alert the book takes for the first time, and its resolution, once each with its target: the decisions
     * say what it does (ALERT_SCALE_OUT, ALERT_BLOCKS_SCALE_IN), but when it came and went was said nowhere, and a
     * hold that lifted read as a step-down from nowhere (recheck 70). Alertmanager's re-sends (DUPLICATE) say nothing.
     */
    private static void sayNew(List<AlertBook.Outcome> outcomes) {
        for (AlertBook.Outcome o : outcomes) {
            if (o.result() == AlertBook.Result.ACCEPTED || o.result() == AlertBook.Result.RESOLVED) {
                // "alert MilvusWorkerOOMKilled firing for milvus/a/queryNode: block-scale-in (its autoscaler_action
                // label)"; "alert ... resolved for milvus/a/queryNode".
                LOG.atInfo().addKeyValue("target", o.target()).log("alert {} {} for {}{}", o.alert(),
                        o.result() == AlertBook.Result.ACCEPTED ? "firing" : "resolved", o.target(),
                        o.reason() == null || o.reason().isEmpty() ? "" : ": " + o.reason());
            }
        }
    }

    /** Why {@code auth} is refused, naming no part of a credential. */
    private static String refusal(String auth, String presented) {
        if (auth == null || auth.isBlank()) {
            return "missing bearer token";
        }
        if (presented != null && !presented.isBlank()) {
            return "wrong bearer token";
        }
        // "Bearer " arrives as "Bearer" once the server strips the value's trailing space (RFC 9110 5.5).
        if (presented != null || auth.strip().equalsIgnoreCase("Bearer")) {
            return "empty bearer token";
        }
        return "not a bearer token" + scheme(auth).map(x -> " (scheme " + x + ")").orElse("");
    }

    /**
     * The scheme of an Authorization header when it is one of the IANA HTTP authentication schemes registry's (and
     * Token); empty otherwise: a header without a scheme is the credential itself ("Authorization: alert-Ss8..."), and
     * naming its first word sent the token back in the response (recheck 84, F2).
     */
    private static java.util.Optional<String> scheme(String auth) {
        String[] words = auth.strip().split("\\s+", 2);
        return words.length == 2 && KNOWN_SCHEMES.contains(words[0].toLowerCase(java.util.Locale.ROOT))
                ? java.util.Optional.of(words[0]) : java.util.Optional.empty();
    }

    private static final java.util.Set<String> KNOWN_SCHEMES = java.util.Set.of("basic", "bearer", "concealed", "digest",
            "dpop", "gnap", "hoba", "mutual", "negotiate", "ntlm", "oauth", "privatetoken", "scram-sha-1",
            "scram-sha-256", "vapid", "token", "aws4-hmac-sha256");

    /**
     * Refuses a body over max-body, having read up to 4 x max-body of it first, so a client still sending reads the 413
     * rather than a reset. A body declared longer than that is not read at all: it would not be read whole either way,
     * and a client that declared a terabyte and sent nothing held the handler until server.request-timeout and got a
     * 503 (recheck 82, F3).
     *
     * @param declared the body's Content-Length; -1 when it came chunked
     */
    private void tooLarge(HttpExchange ex, long declared) throws IOException {
        InputStream in = ex.getRequestBody();
        byte[] sink = new byte[8192];
        long discarded = 0;
        int n;
        while (declared <= 4 * maxBody && discarded < 4 * maxBody && (n = in.read(sink)) != -1) {
            discarded += n;
        }
        ex.getResponseHeaders().set("Connection", "close");
        error(ex, 413, "body", "larger than alerts.max-body (" + maxBody + " bytes)");
    }

    /** Reads at most maxBody bytes; null if the body is longer (the rest is never read). */
    private byte[] readLimited(InputStream in) throws IOException {
        byte[] buf = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
        return buf.length > maxBody ? null : buf;
    }

    private static String render(List<AlertBook.Outcome> outcomes) {
        JsonObject o = new JsonObject();
        for (AlertBook.Result r : AlertBook.Result.values()) {
            o.addProperty(r.name().toLowerCase(java.util.Locale.ROOT),
                    outcomes.stream().filter(x -> x.result() == r).count());
        }
        JsonArray details = new JsonArray();
        for (AlertBook.Outcome x : outcomes) {
            JsonObject d = new JsonObject();
            d.addProperty("alert", x.alert());
            d.addProperty("result", x.result().name().toLowerCase(java.util.Locale.ROOT));
            if (x.target() != null) {
                d.addProperty("target", x.target());
            }
            if (!x.reason().isEmpty()) {
                d.addProperty("reason", x.reason());
            }
            details.add(d);
        }
        o.add("alerts", details);
        return o.toString();
    }

    /**
     * Answers a refusal, counts it, and logs it once a minute per status with what to fix. A refused webhook is
     * otherwise seen only in Alertmanager's own log: a token that differs between the two Secrets would switch
     * alert-driven scaling off with nothing on this side to show it. A follower's 503 is normal (the retry finds
     * the leader) and is counted, not logged; the book-full 503 logs where it is decided.
     */
    private void error(HttpExchange ex, int status, String field, String message) throws IOException {
        onRefused.accept(status);
        Instant now = clock.instant();
        if (status < 500 && !now.isBefore(lastLogged.getOrDefault(status, Instant.MIN).plus(LOG_EVERY))) {
            lastLogged.put(status, now);
            // A payload's own message already starts with its field ("version: is missing"): say it once.
            String said = message.startsWith(field + ": ") ? message.substring(field.length() + 2) : message;
            LOG.warn("alerts webhook refused ({} {}: {}) from {}; {}", status, field, said,
                    ex.getRemoteAddress() == null ? "?" : ex.getRemoteAddress().getAddress().getHostAddress(),
                    hint(status));
        }
        JsonObject o = new JsonObject();
        o.addProperty("error", message);
        o.addProperty("field", field);
        send(ex, status, o.toString());
    }

    /**
     * What to check for a refusal. Alertmanager does not retry a 4xx at once, but re-sends the group at its next flush
     * (every group_interval) until one is accepted (seen live with Alertmanager 0.25: audit-alerts L1), so the alerts
     * arrive once the cause is fixed.
     */
    private static String hint(int status) {
        return "these alerts scale nothing until it is fixed (Alertmanager sends them again at each flush of the"
                + " group, every group_interval): " + switch (status) {
            case 401 -> "the Alertmanager receiver's http_config.authorization.credentials_file must hold the token in"
                    + " alerts.bearer-token-file (deploy/alertmanager-receiver.yaml; both Secrets the same)";
            case 404 -> "set alerts.bearer-token-file to turn the endpoint on, or remove the receiver";
            case 405, 415 -> "the receiver's url must be a webhook_configs url, which POSTs application/json";
            case 413 -> "raise alerts.max-body or alerts.max-held (the message says which), or lower the receiver's"
                    + " max_alerts";
            default -> "the request is not an Alertmanager v4 webhook (the field named above)";
        };
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
