package io.github.milvusautoscaler.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.core.Urls;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code status}: prints a running daemon's {@code /api/v1/status} as a table an SRE reads at a glance. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show every target's replicas, signals and last decision from a running daemon.",
        footer = {"", "Exit codes: 0 shown, 1 the daemon unreachable or its answer not the status document (the"
                + " missing field named), 2 bad --url."})
public final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    // One line each, as picocli wraps a URL at its dots.
    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
            description = {"Base URL of the daemon's HTTP server.", "Default: ${DEFAULT-VALUE}",
                "A user:password@ in it is sent as basic auth, for a proxy in front of the daemon; it is never"
                        + " printed."})
    String url;

    @Option(names = "--json", description = "Print the raw JSON instead of the table (checked as the table is: exit 1"
            + " on an answer that is not the status document).")
    boolean json;

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // Every URL printed goes through redact(): a --url with user:password@ (or a token in its query) would
        // otherwise put the secret into terminals, CI logs and bug reports.
        String shown = redact(url);
        if (!url.regionMatches(true, 0, "http://", 0, 7) && !url.regionMatches(true, 0, "https://", 0, 8)) {
            err.println("status: --url " + shown + " needs http:// or https:// in front (e.g. --url http://"
                    + redact(Urls.withoutScheme(url)) + ")");
            return Main.EXIT_USAGE;
        }
        String endpoint = statusEndpoint(url);
        String body;
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
            URI uri = new URI(endpoint);
            HttpRequest.Builder request = HttpRequest.newBuilder(new URI(Urls.withoutUserInfo(endpoint)))
                    .timeout(REQUEST_TIMEOUT);
            // The daemon asks for no credentials, but a proxy in front of it may (an ingress with basic auth):
            // user:password@ in --url is sent as basic auth, as curl does; Java's client would drop it silently.
            if (uri.getRawUserInfo() != null) {
                request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        uri.getUserInfo().getBytes(StandardCharsets.UTF_8)));
            }
            HttpResponse<String> resp = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
                err.println("status: " + redact(endpoint) + " answered HTTP " + resp.statusCode());
                return Main.EXIT_FAILURE;
            }
            body = resp.body();
        } catch (URISyntaxException e) {
            // getReason() and getIndex(), not getMessage(): the message repeats the whole input, secret included.
            err.println("status: bad --url " + shown + ": " + e.getReason() + " at index " + e.getIndex());
            return Main.EXIT_USAGE;
        } catch (IllegalArgumentException e) {
            err.println("status: bad --url " + shown + ": " + scrub(e.getMessage(), url));
            return Main.EXIT_USAGE;
        } catch (IOException e) {
            err.println("status: cannot reach " + shown + ": " + scrub(transportReason(e), url));
            return Main.EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.EXIT_FAILURE;
        }
        try {
            // --json prints the body as it came, but only after the table's own check of it: a script piping
            // --json into jq must get exit 1 from an ingress error page or a {} as the table reader does, not 0.
            String table = render(JsonParser.parseString(body).getAsJsonObject());
            if (json) {
                out.println(body);
            } else {
                out.print(table);
            }
            out.flush();
            return Main.EXIT_OK;
        } catch (BadField e) {
            err.println("status: " + redact(endpoint) + " answered status JSON " + e.getMessage()
                    + ": is --url a milvus-autoscaler daemon of this version?");
            return Main.EXIT_FAILURE;
        } catch (JsonParseException e) {
            // Not Gson's message: it advises JsonReader.setStrictness, which is for the programmer, not the reader.
            err.println("status: " + redact(endpoint) + " answered something that is not JSON: is --url the daemon's"
                    + " HTTP server (server.port)?");
            return Main.EXIT_FAILURE;
        } catch (IllegalStateException e) {
            err.println("status: " + redact(endpoint) + " answered JSON that is not a status object: is --url the"
                    + " daemon's HTTP server (server.port)?");
            return Main.EXIT_FAILURE;
        }
    }

    /** {@code u} as this command prints it: user-info, query and fragment as {@code ***}. */
    private static String redact(String u) {
        return Urls.redact(u, "***");
    }

    /**
     * {@code /api/v1/status} under {@code base}'s path, its query and fragment kept after it: a proxy that wants a
     * token in the query ({@code http://ingress/autoscaler/?token=t}) gets {@code /autoscaler/api/v1/status?token=t},
     * where appending the path to the whole URL put it inside the query and asked for {@code /}.
     */
    static String statusEndpoint(String base) {
        return Urls.withPath(base, "/api/v1/status");
    }

    /** An exception message with the raw URL and its user-info taken out, in case the JDK quotes them. */
    private static String scrub(String message, String u) {
        if (message == null) {
            return "";
        }
        String m = message.replace(u, redact(u));
        String userInfo = Urls.userInfo(u);
        return userInfo.isEmpty() ? m : m.replace(userInfo, "***");
    }

    /**
     * A field the table needs that the answer lacks or has in the wrong shape: an older or newer daemon, or not
     * this daemon at all. Named by its path, e.g. {@code targets[0].replicas.min}.
     */
    static final class BadField extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadField(String path, JsonElement found) {
            super(found == null ? "without the field " + path
                    : "with " + path + " = " + abbreviate(found.toString()) + ", not the expected kind of value");
        }

        private static String abbreviate(String s) {
            return s.length() > 40 ? s.substring(0, 40) + "..." : s;
        }
    }

    private static JsonElement field(JsonObject o, String path, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw new BadField(path.isEmpty() ? name : path + "." + name, null);
        }
        return e;
    }

    private static String text(JsonObject o, String path, String name) {
        return typed(o, path, name, JsonElement::isJsonPrimitive).getAsString();
    }

    /**
     * Who leads, beside a follower's role: " (the Lease names pod-b)", or " (no holder read on the Lease yet)"; empty
     * for the leader and from a daemon that does not send the fields.
     */
    private static String leaseHolder(JsonObject status) {
        if (!status.has("leaseHolder") || !text(status, "", "role").equals("follower")) {
            return "";
        }
        String holder = optionalText(status, "", "leaseHolder");
        if (holder == null) {
            return " (no holder read on the Lease yet)";
        }
        return holder.equals(optionalText(status, "", "identity"))
                ? " (the Lease still names this replica, " + holder + ": stopping, or its renewals fail)"
                : " (the Lease names " + holder + ")";
    }

    /**
     * Whether a target's rollout has read the same for 10m or more; false from a daemon before the field was sent, so
     * the table reads a document either way.
     */
    private static boolean unmoved(JsonObject target, String path) {
        return Boolean.TRUE.equals(optional(target, path, "rolloutUnmoved",
                e -> e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean(), JsonElement::getAsBoolean));
    }

    private static boolean flag(JsonObject o, String path, String name) {
        return typed(o, path, name, e -> e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()).getAsBoolean();
    }

    private static long number(JsonObject o, String path, String name) {
        return typed(o, path, name, e -> e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()).getAsLong();
    }

    private static JsonObject object(JsonObject o, String path, String name) {
        return typed(o, path, name, JsonElement::isJsonObject).getAsJsonObject();
    }

    private static JsonArray array(JsonObject o, String path, String name) {
        return typed(o, path, name, JsonElement::isJsonArray).getAsJsonArray();
    }

    /** The field, when {@code shape} accepts it; else a {@link BadField} naming its path. */
    private static JsonElement typed(JsonObject o, String path, String name,
                                     java.util.function.Predicate<JsonElement> shape) {
        JsonElement e = field(o, path, name);
        if (!shape.test(e)) {
            throw new BadField(path.isEmpty() ? name : path + "." + name, e);
        }
        return e;
    }

    private static JsonObject element(JsonArray a, String path, int i) {
        JsonElement e = a.get(i);
        if (!e.isJsonObject()) {
            throw new BadField(path + "[" + i + "]", e);
        }
        return e.getAsJsonObject();
    }

    /** A number that may be null (unknown): shown as {@code ?}. */
    private static Double optionalNumber(JsonObject o, String path, String name) {
        return optional(o, path, name, e -> e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber(),
                JsonElement::getAsDouble);
    }

    /** A text that may be null or absent (a daemon before the field was sent): null then. */
    private static String optionalText(JsonObject o, String path, String name) {
        return optional(o, path, name, JsonElement::isJsonPrimitive, JsonElement::getAsString);
    }

    /** A field that may be null or absent, read when {@code shape} accepts it; else a {@link BadField} naming it. */
    private static <T> T optional(JsonObject o, String path, String name, java.util.function.Predicate<JsonElement> shape,
                                  java.util.function.Function<JsonElement, T> read) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!shape.test(e)) {
            throw new BadField(path.isEmpty() ? name : path + "." + name, e);
        }
        return read.apply(e);
    }

    /**
     * Why no answer came, in words: the JDK client's exceptions often carry no message of their own; the
     * reason is their type or their causes' (an UnresolvedAddressException for a name that does not resolve).
     */
    static String transportReason(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException) {
                return "the host name does not resolve";
            }
            if (t instanceof HttpConnectTimeoutException) {
                return "no connection within " + CONNECT_TIMEOUT.toSeconds() + "s";
            }
            if (t instanceof HttpTimeoutException) {
                return "no answer within " + REQUEST_TIMEOUT.toSeconds() + "s";
            }
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        // JDK 17 reports a refused connection as a ConnectException over a ClosedChannelException, none with a
        // message.
        return e instanceof ConnectException ? "the connection was refused (is the daemon listening on that port?)"
                : e.getClass().getSimpleName();
    }

    /**
     * The table: one row per target, then each target's last decision message. Throws {@link BadField} naming the
     * first field the answer lacks, so a wrong or foreign answer is one line, not a stack trace.
     */
    static String render(JsonObject status) {
        StringBuilder b = new StringBuilder();
        b.append("role: ").append(text(status, "", "role")).append(leaseHolder(status))
                .append(flag(status, "", "dryRun") ? "  (dry-run: nothing is written)" : "")
                .append("  at ").append(seconds(text(status, "", "time"))).append('\n');
        // A follower that cannot reach the API server cannot take the Lease: say so under the role, since that is
        // what the reader of "role: follower" asks next. Optional: daemons before it did not send the block.
        JsonElement kube = status.get("kubernetes");
        if (kube != null && kube.isJsonObject() && !flag(kube.getAsJsonObject(), "kubernetes", "reachable")) {
            JsonObject k = kube.getAsJsonObject();
            JsonElement server = k.get("server");
            b.append("kubernetes: API server ")
                    .append(server == null || server.isJsonNull() || server.getAsString().isEmpty() ? ""
                            : server.getAsString() + " ")
                    .append("unreachable since ").append(text(k, "kubernetes", "unreachableSince"))
                    .append(": ").append(text(k, "kubernetes", "cause")).append('\n');
        }
        // Credentials that gave no token: nothing is sent, so nothing else says why nothing works (recheck 81, F3).
        if (kube != null && kube.isJsonObject() && kube.getAsJsonObject().has("credentials")) {
            b.append("kubernetes: no request sent: ").append(text(kube.getAsJsonObject(), "kubernetes", "credentials"))
                    .append('\n');
        }
        // Calls failing while the server answers others (a Lease update answering 500): why a follower does not
        // lead, which only a WARN a minute said (recheck 39's remark). Optional: daemons before it did not send it.
        if (kube != null && kube.isJsonObject() && kube.getAsJsonObject().has("failingCalls")) {
            JsonArray calls = array(kube.getAsJsonObject(), "kubernetes", "failingCalls");
            for (int i = 0; i < calls.size(); i++) {
                String cp = "kubernetes.failingCalls[" + i + "]";
                JsonObject c = element(calls, "kubernetes.failingCalls", i);
                b.append("kubernetes: ").append(text(c, cp, "call")).append(" failing since ")
                        .append(text(c, cp, "failingSince")).append(": ").append(text(c, cp, "cause")).append('\n');
            }
        }
        // Queries failing for the endpoint's sake: every signal then says "circuit breaker open", this says why and
        // since when (fault recheck 17, F5). Optional: daemons before it did not send the block.
        JsonElement prom = status.get("prometheus");
        if (prom != null && prom.isJsonObject() && flag(prom.getAsJsonObject(), "prometheus", "failing")) {
            JsonObject p = prom.getAsJsonObject();
            b.append("prometheus: queries to ").append(text(p, "prometheus", "server")).append(" failing since ")
                    .append(text(p, "prometheus", "failingSince")).append(": ").append(text(p, "prometheus", "cause"))
                    .append('\n');
        }
        // Restart-only keys the file sets otherwise than what runs: two replicas may run different settings until a
        // restart, which only --json showed (reload recheck F4). Optional: daemons before it did not send it.
        JsonElement pending = status.get("restartPending");
        if (pending != null && pending.isJsonArray() && !pending.getAsJsonArray().isEmpty()) {
            List<String> keys = new ArrayList<>();
            pending.getAsJsonArray().forEach(k -> keys.add(k.isJsonPrimitive() ? k.getAsString() : k.toString()));
            b.append("restart pending: ").append(String.join(", ", keys))
                    .append(" (the config file sets them otherwise than what runs; a restart applies them)\n");
        }
        // Optional too; said only in the log and milvus_autoscaler_config_refused before (recheck 61's remark).
        JsonElement refused = status.get("configRefused");
        if (refused != null && refused.isJsonPrimitive() && refused.getAsJsonPrimitive().isBoolean()
                && refused.getAsBoolean()) {
            b.append("config: the file's last content was refused (the daemon's log names each error with its file and"
                    + " line); the config before it runs\n");
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TARGET", "INSTALL", "REPLICAS cur/want/ready [min-max]", "SIGNALS", "LAST DECISION",
                "WAITS (time left)"});
        JsonArray targets = array(status, "", "targets");
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            String tp = "targets[" + i + "]";
            JsonObject t = element(targets, "targets", i);
            JsonObject r = object(t, tp, "replicas");
            String rp = tp + ".replicas";
            String replicas = num(optionalNumber(r, rp, "current")) + "/" + num(optionalNumber(r, rp, "desired")) + "/"
                    + num(optionalNumber(r, rp, "ready"))
                    + " [" + number(r, rp, "min") + "-" + number(r, rp, "max") + "]"
                    + scheduledFloor(t, tp)
                    + (flag(t, tp, "paused") ? " PAUSED" : "") + (flag(t, tp, "rollout") ? " ROLLOUT" : "")
                    + (unmoved(t, tp) ? " (unmoved since " + text(t, tp, "rolloutReadsSameSince") + ")" : "");
            StringBuilder sig = new StringBuilder();
            JsonArray signals = array(t, tp, "signals");
            for (int j = 0; j < signals.size(); j++) {
                String sp = tp + ".signals[" + j + "]";
                JsonObject s = element(signals, tp + ".signals", j);
                if (sig.length() > 0) {
                    sig.append(", ");
                }
                String state = text(s, sp, "state");
                Double value = optionalNumber(s, sp, "value");
                sig.append(text(s, sp, "name")).append(' ');
                if (state.equals("NOT_APPLICABLE")) {
                    sig.append("n/a"); // left out: its pods declare no CPU request or memory limit
                } else {
                    sig.append(value == null ? "?" : fmt(value))
                            .append(state.equals("IN_BAND") ? "" : " " + state.toLowerCase(Locale.ROOT));
                }
                // A value per ready replica the query divided by another ready count (kube-state-metrics', a scrape
                // behind): the daemon divides by the object's, and says by how much (recheck 100, F1).
                Double counted = s.has("queryReadyCount") ? optionalNumber(s, sp, "queryReadyCount") : null;
                Double ready = optionalNumber(r, rp, "ready");
                if (value != null && counted != null && ready != null && !counted.equals(ready)) {
                    sig.append(" (query's x ").append(num(counted)).append('/').append(num(ready)).append(" ready)");
                }
                // A pod past the line while the average is not: its memory limit is its own (recheck 66, F4). Sent
                // from this release on.
                JsonElement fullest = s.get("fullestPod");
                if (fullest != null && fullest.isJsonObject() && value != null) {
                    Double pod = optionalNumber(fullest.getAsJsonObject(), sp + ".fullestPod", "value");
                    Double line = optionalNumber(s, sp, "scaleOutAbove");
                    if (pod != null && line != null && pod > line && value <= line) {
                        sig.append(" (fullest pod ").append(fmt(pod)).append(')');
                    }
                }
                Double forecast = optionalNumber(s, sp, "forecast");
                if (forecast != null) {
                    sig.append(" (forecast ").append(fmt(forecast)).append(')');
                } else if (s.has("forecastUnknown") && s.get("forecastUnknown").isJsonPrimitive()) {
                    sig.append(" (forecast unknown)"); // why: the JSON's forecastUnknown, and `signals`
                }
            }
            JsonElement lastField = t.get("lastDecision");
            JsonObject last = lastField == null || lastField.isJsonNull() ? null : object(t, tp, "lastDecision");
            String lp = tp + ".lastDecision";
            String decision = last == null ? "-" : text(last, lp, "action") + " " + text(last, lp, "reason");
            JsonObject w = object(t, tp, "waits");
            String wp = tp + ".waits";
            String waits = Stream.of(wait("scale-out cooldown", number(w, wp, "scaleOutCooldownSeconds")),
                    // Named by which of the two it is (daemons before it did not send the name).
                    wait(w.has("scaleInWait") && w.get("scaleInWait").isJsonPrimitive()
                            ? w.get("scaleInWait").getAsString() : "scale-in cooldown",
                            number(w, wp, "scaleInCooldownSeconds")),
                    wait("settle timeout", number(w, wp, "settleTimeoutSeconds")),
                    // Sent from this release on: a daemon before it has no sustain wait to show.
                    w.has("sustainWait") && w.get("sustainWait").isJsonPrimitive() && w.has("sustainSeconds")
                            && w.get("sustainSeconds").isJsonPrimitive()
                            ? wait(w.get("sustainWait").getAsString(), w.get("sustainSeconds").getAsLong()) : "")
                    .filter(x -> !x.isEmpty()).collect(Collectors.joining(", "));
            String target = text(t, tp, "target");
            rows.add(new String[] {target, text(t, tp, "install"), replicas, sig.toString(),
                    decision, waits.isEmpty() ? "-" : waits});
            String problem = text(t, tp, "problem");
            String message = last == null ? "no decision yet" : text(last, lp, "message");
            // A TARGET_UNAVAILABLE decision's message already ends with the read's error, which is also the
            // target's problem: printed once, not "... (unavailable): X  [problem: X]".
            // Another writer of the count (a helm upgrade, a GitOps sync, kubectl) is said beside the message; a
            // daemon before this release sends no countSetBy.
            JsonElement setBy = t.get("countSetBy");
            String writer = setBy == null || !setBy.isJsonPrimitive() || setBy.getAsString().startsWith("milvus-autoscaler")
                    ? "" : "  [count last set by " + setBy.getAsString() + "]";
            messages.add(target + ": " + message
                    + (problem.isEmpty() || message.contains(problem) ? "" : "  [problem: " + problem + "]") + writer);
        }
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                b.append(i == row.length - 1 ? row[i] : String.format(Locale.ROOT, "%-" + (width[i] + 2) + "s", row[i]));
            }
            b.append('\n');
        }
        if (targets.isEmpty()) {
            b.append("(no targets have ticked yet)\n");
        }
        b.append('\n');
        messages.forEach(m -> b.append(m).append('\n'));
        return b.toString();
    }

    private static String num(Double v) {
        return v == null ? "?" : v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString(v.longValue()) : v.toString();
    }

    private static String fmt(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /** The daemon's time to the second: its nanoseconds are noise on a table read by a person. */
    private static String seconds(String time) {
        try {
            return Instant.parse(time).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException notAnInstant) {
            return time;
        }
    }

    private static String wait(String what, long seconds) {
        return seconds <= 0 ? "" : what + " " + (seconds >= 60 ? seconds / 60 + "m" + (seconds % 60) + "s" : seconds + "s");
    }

    /**
     * " scheduled floor 5 until Sun 03:10 CET" while a scheduled window holds the target, else "": the floor is why a
     * target runs above its min while every signal reads UNKNOWN (recheck 101, F2). Optional: daemons before it did
     * not send it.
     */
    private static String scheduledFloor(JsonObject t, String tp) {
        JsonElement f = t.get("scheduledFloor");
        if (f == null || !f.isJsonObject()) {
            return "";
        }
        JsonObject floor = f.getAsJsonObject();
        return " scheduled floor " + number(floor, tp + ".scheduledFloor", "replicas") + " until "
                + text(floor, tp + ".scheduledFloor", "untilLocal");
    }

}
