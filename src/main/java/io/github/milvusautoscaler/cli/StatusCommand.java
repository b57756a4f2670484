package io.github.milvusautoscaler.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code status}: prints a running daemon's {@code /api/v1/status} as a table an SRE reads at a glance. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show every target's replicas, signals and last decision from a running daemon.")
public final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080",
            description = "Base URL of the daemon's HTTP server (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--json", description = "Print the raw JSON instead of the table.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String body;
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(stripSlash(url) + "/api/v1/status"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
                err.println("status: " + url + "/api/v1/status answered HTTP " + resp.statusCode());
                return Main.EXIT_FAILURE;
            }
            body = resp.body();
        } catch (IllegalArgumentException e) {
            err.println("status: bad --url " + url + ": " + e.getMessage());
            return Main.EXIT_USAGE;
        } catch (IOException e) {
            err.println("status: cannot reach " + url + ": " + e);
            return Main.EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.EXIT_FAILURE;
        }
        if (json) {
            out.println(body);
            out.flush();
            return Main.EXIT_OK;
        }
        try {
            out.print(render(JsonParser.parseString(body).getAsJsonObject()));
            out.flush();
            return Main.EXIT_OK;
        } catch (JsonParseException | IllegalStateException e) {
            err.println("status: " + url + " did not return status JSON: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
    }

    private static String stripSlash(String u) {
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }

    /** The table: one row per target, then each target's last decision message. */
    static String render(JsonObject status) {
        StringBuilder b = new StringBuilder();
        b.append("role: ").append(status.get("role").getAsString())
                .append(status.get("dryRun").getAsBoolean() ? "  (dry-run: nothing is written)" : "")
                .append("  at ").append(status.get("time").getAsString()).append('\n');
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TARGET", "INSTALL", "REPLICAS cur/want/ready [min-max]", "SIGNALS", "LAST DECISION",
                "WAITS"});
        JsonArray targets = status.getAsJsonArray("targets");
        List<String> messages = new ArrayList<>();
        for (JsonElement e : targets) {
            JsonObject t = e.getAsJsonObject();
            JsonObject r = t.getAsJsonObject("replicas");
            String replicas = num(r.get("current")) + "/" + num(r.get("desired")) + "/" + num(r.get("ready"))
                    + " [" + r.get("min").getAsInt() + "-" + r.get("max").getAsInt() + "]"
                    + (t.get("paused").getAsBoolean() ? " PAUSED" : "") + (t.get("rollout").getAsBoolean() ? " ROLLOUT" : "");
            StringBuilder sig = new StringBuilder();
            for (JsonElement se : t.getAsJsonArray("signals")) {
                JsonObject s = se.getAsJsonObject();
                if (sig.length() > 0) {
                    sig.append(", ");
                }
                String state = s.get("state").getAsString();
                sig.append(s.get("name").getAsString()).append(' ')
                        .append(s.get("value").isJsonNull() ? "?" : fmt(s.get("value").getAsDouble()))
                        .append(state.equals("IN_BAND") ? "" : " " + state.toLowerCase(Locale.ROOT));
                JsonElement forecast = s.get("forecast");
                if (forecast != null && !forecast.isJsonNull()) {
                    sig.append(" (forecast ").append(fmt(forecast.getAsDouble())).append(')');
                }
            }
            JsonElement last = t.get("lastDecision");
            String decision = last == null || last.isJsonNull() ? "-" : last.getAsJsonObject().get("action").getAsString()
                    + " " + last.getAsJsonObject().get("reason").getAsString();
            JsonObject w = t.getAsJsonObject("waits");
            String waits = wait("out", w.get("scaleOutCooldownSeconds").getAsLong())
                    + wait("in", w.get("scaleInCooldownSeconds").getAsLong())
                    + wait("settle", w.get("settleTimeoutSeconds").getAsLong());
            rows.add(new String[] {t.get("target").getAsString(), t.get("install").getAsString(), replicas, sig.toString(),
                    decision, waits.isBlank() ? "-" : waits.trim()});
            String problem = t.get("problem").getAsString();
            messages.add(t.get("target").getAsString() + ": "
                    + (last == null || last.isJsonNull() ? "no decision yet" : last.getAsJsonObject().get("message").getAsString())
                    + (problem.isEmpty() ? "" : "  [problem: " + problem + "]"));
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

    private static String num(JsonElement e) {
        return e == null || e.isJsonNull() ? "?" : e.getAsString();
    }

    private static String fmt(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String wait(String what, long seconds) {
        return seconds <= 0 ? "" : what + " " + (seconds >= 60 ? seconds / 60 + "m" + (seconds % 60) + "s" : seconds + "s") + " ";
    }
}
