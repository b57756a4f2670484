package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.testsupport.Poll;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The demo: real engine and server against the simulated queryNode, then the scorecard. */
class DemoCommandTest {

    @TempDir
    Path dir;

    @Test
    void playsADayPrintsEachScaleAndTheScorecardAgainstBothBaselines() {
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(out)).execute("--days", "1", "--speed",
                "1000000000", "--port", "0", "--out", dir.toString());
        String text = out.toString();
        assertEquals(0, exit, text);
        assertTrue(text.contains("SCALE_OUT"), text);
        assertTrue(text.contains("SCALE_IN"), text);
        assertTrue(text.matches("(?s).*\\nmilvus-autoscaler +\\d.*\\nhpa +\\d.*\\nhpa-milvus +\\d.*"), text);
        // The banner's status command names a jar path that works from the repository root (the tests run from
        // target/classes, so the build's jar), not a bare milvus-autoscaler.jar, which is not there.
        assertTrue(text.contains("(java -jar target/milvus-autoscaler.jar status --url http://127.0.0.1:"), text);
        assertTrue(Files.exists(dir.resolve("chart.svg")));
        assertTrue(Files.exists(dir.resolve("decisions.jsonl")));
    }

    /**
     * report.md captions the worst-day chart as what it draws, 5-minute points (288 over the day), not "full
     * resolution", which would be the 15-second ticks the run scored.
     */
    @Test
    void theWorstDayChartIsCaptionedWithThePointsItDraws() throws Exception {
        int exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(new StringWriter())).execute("--days", "2",
                "--speed", "1000000000", "--port", "0", "--out", dir.toString());
        assertEquals(0, exit);
        String report = Files.readString(dir.resolve("report.md"));
        assertTrue(report.contains("![the worst day at 5-minute points](chart-worst-day.svg)"), report);
        assertFalse(report.contains("full resolution"), report);
        String chart = Files.readString(dir.resolve("chart-worst-day.svg"));
        assertTrue(chart.contains("288 points, each the mean (or peak) of 20 ticks of 15 s (5 min);"),
                "the chart the caption names");
    }

    /**
     * What the demo prints is what its scorecard scores: the live engine reads the same trace history as the
     * simulated milvus-autoscaler policy, so once the forecast pre-scales and holds step-downs (from day 3,
     * forecast.min-history 2d) the printed scale-outs and scale-ins are the scorecard's counts (without the history
     * the live engine never pre-scales and they differ).
     */
    @Test
    void theLiveDecisionsAreTheScoredOnesOnceTheForecastActs() throws Exception {
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(out)).execute("--days", "4", "--speed",
                "1000000000", "--port", "0", "--out", dir.toString());
        String text = out.toString();
        assertEquals(0, exit, text);
        assertTrue(text.contains("PRESCALE_FORECAST"), "the forecast acted from day 3:\n" + text);
        long outs = text.lines().filter(l -> l.matches("\\[.*] SCALE_OUT .*")).count();
        long ins = text.lines().filter(l -> l.matches("\\[.*] SCALE_IN .*")).count();
        java.util.regex.Matcher row = java.util.regex.Pattern.compile(
                "\\nmilvus-autoscaler +([\\d,]+ +){3}[\\d.]+ +[\\d.]+ +(\\d+) +(\\d+) ").matcher(text);
        assertTrue(row.find(), text);
        assertEquals(Long.parseLong(row.group(2)), outs, "scale-outs printed vs scored");
        assertEquals(Long.parseLong(row.group(3)), ins, "scale-ins printed vs scored");
    }

    /** report.md describes the log the demo writes, not simulate's per-policy logs of changes only. */
    @Test
    void theReportDescribesTheDecisionLogTheDemoWrites() throws Exception {
        int exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(new StringWriter())).execute("--days", "1",
                "--speed", "1000000000", "--port", "0", "--out", dir.toString());
        assertEquals(0, exit);
        String report = Files.readString(dir.resolve("report.md"));
        assertTrue(report.contains("`decisions.jsonl` holds every decision of the live milvus-autoscaler engine, one line"
                + " per 15 s tick, HOLDs included"), report);
        assertFalse(report.contains("decisions-<policy>.jsonl") || report.contains("repeated HOLDs are left out"), report);
        // And that is what the file holds: a line per tick of the day, the same HOLD back to back.
        java.util.List<String> lines = Files.readAllLines(dir.resolve("decisions.jsonl"));
        assertEquals(86400 / 15, lines.size());
        java.util.List<String> holds = lines.stream().filter(l -> l.contains("\"action\":\"HOLD\""))
                .map(l -> l.replaceAll(".*\"reason\":\"([A-Z_]+)\".*", "$1")).toList();
        assertTrue(holds.size() > 1000 && java.util.stream.IntStream.range(1, holds.size())
                .anyMatch(i -> holds.get(i).equals(holds.get(i - 1))), "repeated HOLDs are in the log");
    }

    /** A regular file as --out: one line naming it, exit 2, the file untouched (it was a stack trace and exit 1). */
    @Test
    void anOutThatIsAFileIsRefusedInOneLine() throws Exception {
        Path file = Files.writeString(dir.resolve("taken"), "keep");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--days", "1", "--speed", "1000000000", "--port", "0", "--out", file.toString());
        assertEquals(2, exit, err.toString());
        assertEquals("demo: cannot write to --out " + file + ": exists and is not a directory", err.toString().strip());
        assertEquals("", out.toString());
        assertEquals("keep", Files.readString(file));
    }

    /**
     * The demo's files reach --out together with a manifest naming them, and a folder holding a simulate report is
     * refused before playing: the demo's report.md and chart.svg would have replaced simulate's beside its
     * report.json and decision logs, one folder reading as two runs.
     */
    @Test
    void theFilesArriveTogetherAndASimulateFolderIsRefused() throws Exception {
        int exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(new StringWriter())).execute("--days", "1",
                "--speed", "1000000000", "--port", "0", "--out", dir.toString());
        assertEquals(0, exit);
        assertEquals(new OutputDirectory.Manifest("demo", java.util.List.of("chart-worst-day.svg", "chart.svg",
                "decisions.jsonl", "report.md")), OutputDirectory.Manifest.read(dir).orElseThrow());

        Path simulated = Files.createDirectories(dir.resolve("simulated"));
        assertEquals(0, new CommandLine(new SimulateCommand()).setOut(new PrintWriter(new StringWriter()))
                .execute("--trace", "step", "--policies", "hpa", "--out", simulated.toString()));
        String before = Files.readString(simulated.resolve("report.md"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--days", "1", "--speed", "1000000000", "--port", "0", "--out", simulated.toString());
        assertEquals(2, exit, err.toString());
        assertTrue(err.toString().strip().matches("demo: --out " + java.util.regex.Pattern.quote(simulated.toString())
                + " holds a simulate report \\(chart-worst-day.svg, chart.svg, decisions-hpa.jsonl, report.json,"
                + " report.md\\): give another folder or remove them"), err.toString());
        assertEquals("", out.toString());
        assertEquals(before, Files.readString(simulated.resolve("report.md")));
    }

    /**
     * Each bad flag gets its own line naming it (it was one "--days must be >= 1 and --speed > 0" for all), and a
     * --days beyond the trace says how many days the trace has instead of playing it all under a banner claiming the
     * days asked for. Exit 2, before playing: nothing printed, --out not made.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--days 0                | demo: --days 0 must be >= 1",
        "--days -3               | demo: --days -3 must be >= 1",
        "--speed 0               | demo: --speed 0 must be > 0 (simulated seconds per wall second)",
        "--speed -2.5            | demo: --speed -2.5 must be > 0 (simulated seconds per wall second)",
        "--speed NaN             | demo: --speed NaN must be > 0 (simulated seconds per wall second)",
        "--days 100000           | demo: --days 100000 is more than trace nyc_taxi has: 215 days (--days 215 plays all of it)",
        "--trace step --days 2   | demo: --days 2 is more than trace step has: 1 day (--days 1 plays all of it)",
        // The demo runs here and now: a token file it cannot read would answer every curl with an error (recheck 16).
        "--alerts-token-file /nonexistent/token | demo: --alerts-token-file /nonexistent/token cannot be read (no such file)",
    })
    void aBadFlagIsNamedAlone(String args, String message) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args.split(" ")));
        all.addAll(java.util.List.of("--port", "0", "--out", dir.resolve("out").toString()));
        int exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(all.toArray(String[]::new));
        assertEquals(2, exit, err.toString());
        assertEquals(message, err.toString().strip());
        assertEquals("", out.toString());
        assertFalse(Files.exists(dir.resolve("out")), "refused before --out is made");
    }

    /** An empty token file is refused as an unreadable one is: every alert would get a 500 (secrets recheck 28, F5). */
    @Test
    void anEmptyAlertsTokenFileIsRefused() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty-token"), "\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--alerts-token-file", empty.toString(), "--port", "0", "--out", dir.resolve("out").toString());
        assertEquals(2, exit, err.toString());
        assertEquals("demo: --alerts-token-file " + empty + ": is empty", err.toString().strip());
        assertFalse(Files.exists(dir.resolve("out")), "refused before --out is made");
    }

    /**
     * A token file named without a '/' is not shown, as the daemon does not show it: the value may be the token pasted
     * in place of its path (recheck 82, F2: the demo printed it).
     */
    @Test
    void anAlertsTokenFileWithoutASlashIsNotShown() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--alerts-token-file", "eyJhbGciOiJSUzI1NiJ9.pasted", "--port", "0", "--out",
                        dir.resolve("out").toString());
        assertEquals(2, exit, err.toString());
        assertEquals("demo: --alerts-token-file (value not shown: it has no '/', as a secret pasted in place of its"
                + " file's path would not) cannot be read (no such file)", err.toString().strip());
    }

    /** A port in use ends the demo with exit 1 before it plays, and leaves no empty --out behind (recheck 16, 10). */
    @Test
    void aPortInUseEndsTheDemoAndLeavesNoEmptyOut() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            Path folder = dir.resolve("never-played");
            int exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                    .execute("--trace", "step", "--port", String.valueOf(taken.getLocalPort()), "--out",
                            folder.toString());
            assertEquals(1, exit, err.toString());
            assertTrue(err.toString().contains("(try --port 0)"), err.toString());
            assertFalse(Files.exists(folder), "the --out the check made is gone again");
        }
    }

    /** The default 7 days of a 6-hour scenario plays all of it, and the banner and scorecard say 6h, not 7 days. */
    @Test
    void aTraceShorterThanTheDefaultDaysIsPlayedWholeAndNamedByItsLength() {
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(out)).execute("--trace", "step", "--speed",
                "1000000000", "--port", "0", "--out", dir.toString());
        String text = out.toString();
        assertEquals(0, exit, text);
        assertTrue(text.startsWith("demo: 6h of step against a simulated queryNode"), text);
        assertTrue(text.contains("scorecard (same 6h, same model):"), text);
        // the bound its "x clairvoyant" column reads against, as report.md gives it
        assertTrue(text.contains("Clairvoyant bound (knows the future, same model): "), text);
    }

    /** A 25-hour trace file is "25h" in the banner, not "2 days", its started second day counted as whole. */
    @Test
    void aTraceOfADayAndAnHourIsNamedByItsLength() throws Exception {
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        for (int i = 0; i <= 300; i++) {
            csv.append(java.time.LocalDateTime.of(2024, 1, 1, 0, 0).plusMinutes(5L * i).toString().replace('T', ' '))
                    .append(":00,").append(100 + i % 12).append('\n');
        }
        Path trace = Files.writeString(dir.resolve("day-and-hour.csv"), csv.toString());
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(out)).execute("--trace", trace.toString(),
                "--speed", "1000000000", "--port", "0", "--out", dir.resolve("o").toString());
        assertEquals(0, exit, out.toString());
        assertTrue(out.toString().startsWith("demo: 25h of day-and-hour against a simulated queryNode"), out.toString());
    }

    @Test
    void aPortOutOfRangeIsAUsageError() {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new DemoCommand()).setErr(new PrintWriter(err)).execute("--days", "1", "--port",
                "70000", "--out", dir.toString());
        assertEquals(2, exit, err.toString());
        assertTrue(err.toString().contains("--port must be a port number from 0 to 65535"), err.toString());
    }

    @Test
    void alertsTokenFileTurnsOnTheWebhookForCurl() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "demo-token\n");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        StringWriter out = new StringWriter();
        // One day at 20,000x: about 4 s of wall time, long enough to post an alert while it runs.
        CompletableFuture<Integer> demo = CompletableFuture.supplyAsync(() -> new CommandLine(new DemoCommand())
                .setOut(new PrintWriter(out)).execute("--days", "1", "--speed", "20000", "--port", String.valueOf(port),
                        "--out", dir.toString(), "--alerts-token-file", token.toString()));
        String payload = """
                {"version":"4","groupKey":"g","status":"firing","alerts":[{"status":"firing",
                 "labels":{"alertname":"MilvusSearchLatencyHigh","namespace":"sim","app_kubernetes_io_instance":"nyc-taxi",
                 "component":"querynode"},"annotations":{},"startsAt":"2014-07-01T00:00:00Z",
                 "endsAt":"0001-01-01T00:00:00Z","fingerprint":"f1"}]}""";
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> r = Poll.until("the demo accepts an alert", Duration.ofSeconds(20), () -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/alerts"))
                        .header("Authorization", "Bearer demo-token").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(payload)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                return null;
            }
        }, resp -> resp != null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(0, (int) demo.get());
        // The simulated target is sim/nyc-taxi/queryNode: the alert routes to it and scales it out once.
        assertTrue(r.body().contains("\"accepted\":1"), r.body());
        assertTrue(out.toString().contains("ALERT_SCALE_OUT"), out.toString());
    }
}
