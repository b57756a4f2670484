package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.sim.Backtest;
import io.github.milvusautoscaler.sim.RecordedHistory;
import io.github.milvusautoscaler.testsupport.CadvisorHistory;
import io.github.milvusautoscaler.testsupport.KubeStateHistory;
import io.github.milvusautoscaler.testsupport.PrometheusServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * {@code backtest} against a real Prometheus holding a week of history that the test generates from a
 * known load, backfilled with promtool in the shape a default kube-prometheus-stack records: a Helm release
 * {@code wk} that really ran 3 queryNodes (1 CPU core requested each) all week, whose CPU follows a daily
 * cycle (per pod 0.85 of the request from 09:00 to 17:00, 0.20 from 22:00 to 06:00, 0.55 otherwise), a
 * two-hour spike to 1.20 on the fifth day, and a two-hour gap in cAdvisor's series on the third day.
 */
class BacktestCommandTest {

    static final Duration SCRAPE = Duration.ofSeconds(30);
    static final Duration STEP = Duration.ofSeconds(60);
    static final int PODS = 3;
    /** The week ends at the last full hour before the test starts, on the scrape grid. */
    static final Instant END = Instant.ofEpochSecond(Instant.now().getEpochSecond() / 3600 * 3600 - 3600);
    static final Instant START = END.minus(Duration.ofDays(7));
    static final Instant GAP_FROM = START.plus(Duration.ofDays(2)).plus(Duration.ofHours(3));
    static final Instant GAP_TO = GAP_FROM.plus(Duration.ofHours(2));
    static final Instant SPIKE_FROM = START.plus(Duration.ofDays(4)).plus(Duration.ofHours(3));
    static final Instant SPIKE_TO = SPIKE_FROM.plus(Duration.ofHours(2));
    static final String RS = "wk-milvus-querynode-5d8c7f9b4d";

    private static PrometheusServer prometheus;
    private static Path config;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        prometheus = PrometheusServer.builder().retention(Duration.ofDays(30)).backfill(history()).start();
        config = dir.resolve("autoscaler.conf");
        Files.writeString(config, """
                milvus-autoscaler {
                  prometheus { url = "%s", timeout = 30s }
                  loop.interval = 60s
                  clusters = [{ namespace = milvus, name = wk, install = helm, milvus-version = "2.5.6",
                    components { queryNode {
                      max-replicas = 6
                      settle-query = ""
                      signals { memory.enabled = false, qps.enabled = false }
                    } } }]
                }
                """.formatted(prometheus.url()));
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    /** CPU used per pod, as a fraction of its 1-core request, at {@code t}. */
    static double load(Instant t) {
        if (!t.isBefore(SPIKE_FROM) && t.isBefore(SPIKE_TO)) {
            return 1.20;
        }
        int hour = (int) ((t.getEpochSecond() % 86_400) / 3600);
        return hour >= 9 && hour < 17 ? 0.85 : hour >= 22 || hour < 6 ? 0.20 : 0.55;
    }

    static boolean inGap(Instant t) {
        return !t.isBefore(GAP_FROM) && t.isBefore(GAP_TO);
    }

    /** A week of OpenMetrics history: cAdvisor counters every 30 s, kube-state-metrics series every 2 minutes. */
    static String history() {
        StringBuilder out = new StringBuilder(16 << 20);
        Instant from = START.minus(Duration.ofMinutes(10));
        CadvisorHistory.queryNodeCpu(out, BacktestCommandTest::pod, PODS, from, END, SCRAPE, BacktestCommandTest::load,
                t -> !inGap(t));
        // The proxy's Search counter (the chart ServiceMonitor's labels), 100 searches/s per unit of load.
        double searches = 1_000_000;
        StringBuilder proxy = new StringBuilder();
        for (Instant t = from; !t.isAfter(END); t = t.plus(SCRAPE)) {
            proxy.append("milvus_proxy_req_count{app_kubernetes_io_instance=\"wk\",app_kubernetes_io_name=\"milvus\","
                    + "component=\"proxy\",function_name=\"Search\",job=\"milvus\",namespace=\"milvus\",node_id=\"7\","
                    + "pod=\"wk-milvus-proxy-6b9d8c7f5b-p4v7w\",status=\"total\"} ")
                    .append(BigDecimal.valueOf(searches).toPlainString()).append(' ').append(t.getEpochSecond()).append('\n');
            searches += 100 * load(t) * SCRAPE.toSeconds();
        }
        out.append(proxy);
        // The proxy's pod is ready: kube-state-metrics exports kube_pod_status_ready for every pod
        // (docs/metrics/workload/pod-metrics.md), and qps counts ready proxies only.
        gauge(out, "kube_pod_status_ready", p -> "condition=\"true\",pod=\"wk-milvus-proxy-6b9d8c7f5b-p4v7w\"", 1,
                from, 1);
        gauge(out, "kube_pod_owner", p -> "owner_is_controller=\"true\",owner_kind=\"ReplicaSet\",owner_name=\"" + RS
                + "\",pod=\"" + pod(p) + "\"", PODS, from, 1);
        gauge(out, "kube_pod_container_resource_requests", p -> "container=\"querynode\",pod=\"" + pod(p)
                + "\",resource=\"cpu\",unit=\"core\"", PODS, from, 1);
        gauge(out, "kube_replicaset_owner", p -> "owner_is_controller=\"true\",owner_kind=\"Deployment\","
                + "owner_name=\"wk-milvus-querynode\",replicaset=\"" + RS + "\"", 1, from, 1);
        gauge(out, "kube_deployment_spec_replicas", p -> "deployment=\"wk-milvus-querynode\"", 1, from, PODS);
        gauge(out, "kube_deployment_status_replicas_ready", p -> "deployment=\"wk-milvus-querynode\"", 1, from, PODS);
        return out.append("# EOF\n").toString();
    }

    private static void gauge(StringBuilder out, String name, java.util.function.IntFunction<String> labels, int count,
                              Instant from, double value) {
        KubeStateHistory.gauge(out, name, labels, count, from, END, value);
    }

    static String pod(int p) {
        return RS + "-q" + p + "x7z";
    }

    /**
     * README's own form, relative times up to now: now has nanoseconds, Prometheus answers in milliseconds, and every
     * step looked its answer up by its exact time and found none ("no recorded replicas ... nothing to replay",
     * exit 1). The range also runs past the history's end (the last sample is an hour or two ago): both sides count
     * node-seconds over the steps whose recorded replicas are known, so the costs cover the same time (the policy
     * was charged alone for the rest), and report.md says how much of the range that was.
     */
    @Test
    void relativeTimesReplayAndBothSidesCountTheSameSteps() throws Exception {
        Path out = dir.resolve("relative");
        // No --step: the config's loop.interval (60s) is the replay's tick, as it is the daemon's (config audit L1).
        Result r = backtest("--from", "-1d", "--to", "now", "--out", out.toString());
        assertEquals(0, r.code, r.err + r.out);
        JsonObject report = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        assertEquals(60, report.get("stepSeconds").getAsLong(), "loop.interval = 60s");
        JsonObject target = report.getAsJsonArray("targets").get(0).getAsJsonObject();
        JsonObject recorded = target.getAsJsonObject("recorded");
        JsonObject policy = target.getAsJsonObject("policy");
        int steps = 24 * 60 + 1;
        int known = recorded.get("knownSteps").getAsInt();
        assertTrue(known > 20 * 60 && known < steps, "the history ends an hour or two before now: " + known);
        assertEquals(known, policy.get("knownSteps").getAsInt(), "the policy is counted over the same steps");
        assertEquals(3L * 60 * known, recorded.get("nodeSeconds").getAsLong());
        assertTrue(Files.readString(out.resolve("report.md")).contains("Recorded replicas known at " + known + " of "
                + steps + " steps"), Files.readString(out.resolve("report.md")));
    }

    /**
     * A loop.interval of whole milliseconds, which validate-config accepts (tests tick at 500ms), is replayed at the
     * next whole second and said so on stderr: 59500ms gives --step 1m, where backtest refused the config with exit 2
     * while every other command ran it (recheck 113, F1).
     */
    @Test
    void aLoopIntervalOfMillisecondsIsReplayedAtTheNextWholeSecondAndSaidSo() throws Exception {
        Path millis = dir.resolve("millis.conf");
        Files.writeString(millis, Files.readString(config).replace("loop.interval = 60s", "loop.interval = 59500ms"));
        Path out = dir.resolve("millis");
        Result r = backtest(millis, "--from", "-1d", "--to", "now", "--out", out.toString());
        assertEquals(0, r.code, r.err + r.out);
        JsonObject report = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        assertEquals(60, report.get("stepSeconds").getAsLong(), "59500ms rounded up");
        assertTrue(r.err.contains("note: backtest replays at --step 1m: loop.interval (59500ms) rounded up to whole"
                + " seconds"), r.err);
    }

    /**
     * A target with no history beside one with it (a release name that is not the cluster's): the run still writes
     * the report, but says on stderr and in the target's section that nothing was replayed, where it read "The
     * policy would not have scaled." (backtest audit M3).
     */
    @Test
    void aTargetWithNoHistoryIsNamedNotReportedAsHolding() throws Exception {
        Path twoClusters = Files.writeString(dir.resolve("two.conf"), """
                milvus-autoscaler {
                  prometheus { url = "%s", timeout = 30s }
                  loop.interval = 60s
                  defaults { settle-query = "", signals { memory.enabled = false, qps.enabled = false } }
                  clusters = [
                    { namespace = milvus, name = wk, install = helm, milvus-version = "2.5.6", components { queryNode {} } },
                    { namespace = milvus, name = wq, install = helm, milvus-version = "2.5.6", components { queryNode {} } }]
                }
                """.formatted(prometheus.url()));
        Path out = dir.resolve("two-out");
        Result r = backtest(twoClusters, "--from", START.toString(), "--to", START.plus(Duration.ofHours(6)).toString(),
                "--out", out.toString());
        assertEquals(0, r.code, r.err + r.out);
        assertTrue(r.err.contains("backtest: warning: milvus/wq/queryNode has no recorded replicas"), r.err);
        assertFalse(r.err.contains("milvus/wk/queryNode"), r.err);
        String md = Files.readString(out.resolve("report.md"));
        String wq = md.substring(md.indexOf("## milvus/wq/queryNode"));
        assertTrue(wq.contains("Nothing was replayed: no recorded replicas of this target in the range"), wq);
        assertFalse(wq.contains("would not have scaled"), wq);
    }

    @Test
    void replaysAWeekWritesTheReportAndTheGapHoldsScaleIn() throws Exception {
        Path out = dir.resolve("week");
        Result r = backtest("--from", START.toString(), "--to", END.toString(), "--step", "60s", "--out", out.toString());
        assertEquals(0, r.code, r.err + r.out);
        for (String file : List.of("report.md", "report.json", "decisions-milvus_wk_queryNode.jsonl", "chart.svg",
                "chart-worst-day.svg")) {
            assertTrue(Files.exists(out.resolve(file)), file);
        }
        // The manifest makes the folder the backtest's: simulate and demo refuse it rather than replace its files.
        assertEquals(new OutputDirectory.Manifest("backtest", List.of("chart-worst-day.svg", "chart.svg",
                "decisions-milvus_wk_queryNode.jsonl", "report.json", "report.md")), OutputDirectory.Manifest.read(out)
                .orElseThrow());
        JsonObject target = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject()
                .getAsJsonArray("targets").get(0).getAsJsonObject();
        JsonObject recorded = target.getAsJsonObject("recorded");
        // The cluster really ran 3 replicas every minute of the week: 3 x 7 x 86,400 node-seconds, no action.
        assertEquals(7 * 24 * 60 + 1, recorded.get("knownSteps").getAsInt());
        assertEquals(3L * (7 * 86_400 + 60), recorded.get("nodeSeconds").getAsLong());
        assertEquals(0, recorded.get("scaleOuts").getAsInt() + recorded.get("stepDowns").getAsInt());
        JsonObject policy = target.getAsJsonObject("policy");
        assertTrue(policy.get("scaleOuts").getAsInt() > 0, "the days' 0.85 is above cpu's 0.75: " + policy);
        assertTrue(policy.get("stepDowns").getAsInt() > 0, "the nights' 0.20 is below cpu's 0.40: " + policy);

        List<JsonObject> decisions = Files.readAllLines(out.resolve("decisions-milvus_wk_queryNode.jsonl")).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
        assertEquals(7 * 24 * 60 + 1, decisions.size(), "one decision per step");
        for (JsonObject d : decisions) {
            Instant t = Instant.parse(d.get("time").getAsString());
            if (!t.isBefore(GAP_FROM.plus(Duration.ofMinutes(2))) && t.isBefore(GAP_TO)) {
                assertFalse(d.get("action").getAsString().equals("SCALE_IN"), "a step-down inside the gap: " + d);
            }
        }
        assertTrue(decisions.stream().anyMatch(d -> {
            Instant t = Instant.parse(d.get("time").getAsString());
            return inGap(t) && d.toString().contains("unknown");
        }), "the gap is UNKNOWN in the decisions");
        // The gap in cAdvisor is counted and said: cpu known at as many steps as the decision log shows it known,
        // fewer than the steps, and report.md warns that hot minutes cannot see it (backtest audit B2).
        long cpuKnown = decisions.stream()
                .filter(d -> !d.getAsJsonObject("signals").getAsJsonObject("cpu").get("state").getAsString().equals("UNKNOWN"))
                .count();
        assertTrue(cpuKnown < decisions.size(), "the gap leaves cpu unknown somewhere");
        assertEquals(cpuKnown, target.getAsJsonObject("signalKnownSteps").get("cpu").getAsLong());
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("Signals known in the history: cpu at " + cpuKnown + " of " + decisions.size()
                + " steps"), report);
        assertTrue(report.contains("Where a signal was unknown, neither side counts it as hot"), report);
        String chart = Files.readString(out.resolve("chart.svg"));
        assertTrue(chart.contains(">milvus/wk/queryNode<") && chart.contains("replicas that really ran"), "a panel per target");
        // the days' 0.85 is above cpu's 0.75: shaded
        assertTrue(chart.contains("class=\"hot\""), "hot periods shaded");
        String worstDay = Files.readString(out.resolve("chart-worst-day.svg"));
        assertTrue(worstDay.contains("class=\"scale-out\""), "the worst day marks the policy's scale-outs");
        assertTrue(worstDay.contains(">policy's scale-out</text>"), "and its legend says what the marks are");
        // The whole span's points are too narrow for marks: its subtitle says where they are instead.
        assertFalse(chart.contains("class=\"scale-out\""), chart);
        assertTrue(chart.contains("; scale actions are marked on the worst-day chart</text>"), chart);
        assertTrue(Files.readString(out.resolve("report.md"))
                .contains("| node-hours, over the steps whose recorded replicas are known | 504.1 |"),
                Files.readString(out.resolve("report.md")));
    }

    /**
     * With the forecast off the replay still reads the scale-in.peak-window before --from, as the daemon does
     * (Assembly.historySource): at 22:00 the night's 0.20 on 3 replicas is LOW, but the evening's 0.55 x 3 = 1.65
     * nodes of load, reached in the 20m spans of the two hours before, would put 2 replicas at 0.83 > 0.75, so no
     * step-down when the 15m sustain ends at 22:15. Without that history the replay stepped down there on the spans
     * it had seen itself (recheck 18, F2: 348 of 5,377 steps differed from the forecast-on replay of a target with too
     * little history to forecast).
     */
    @Test
    void withTheForecastOffTheReplayStillRecallsThePeaksBeforeFrom() throws Exception {
        Path off = dir.resolve("forecast-off.conf");
        Files.writeString(off, Files.readString(config).replace("loop.interval = 60s",
                "loop.interval = 60s\n  defaults.forecast.enabled = false"));
        Path out = dir.resolve("forecast-off");
        Instant from = START.plus(Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                .plus(Duration.ofHours(22));
        Result r = backtest(off, "--from", from.toString(), "--to", from.plus(Duration.ofMinutes(19)).toString(),
                "--out", out.toString());
        assertEquals(0, r.code, r.err + r.out);
        assertTrue(r.out.contains("backtest: recent-peak (forecast off) history of milvus/wk/queryNode: cpu from "),
                r.out);
        List<JsonObject> decisions = Files.readAllLines(out.resolve("decisions-milvus_wk_queryNode.jsonl")).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
        assertFalse(decisions.stream().anyMatch(d -> d.get("action").getAsString().equals("SCALE_IN")),
                "the evening's peak holds the step-down: " + decisions.stream().filter(d -> !d.get("reason")
                        .getAsString().equals("SUSTAINING_LOW")).map(d -> d.get("time").getAsString() + " "
                        + d.get("message").getAsString()).toList());
        JsonObject atSustainsEnd = decisions.stream().filter(d -> Instant.parse(d.get("time").getAsString())
                .equals(from.plus(Duration.ofMinutes(15)))).findFirst().orElseThrow();
        assertEquals("PEAK_WOULD_OVERLOAD", atSustainsEnd.get("reason").getAsString(), atSustainsEnd.toString());
        assertTrue(atSustainsEnd.get("message").getAsString().startsWith("queryNode cpu peak load 1.65 (value x ready,"
                + " reached in 5 of the last 6 20m spans) would put 2 at 1.65/2 = 0.83 > 0.75"), atSustainsEnd.toString());
    }

    /**
     * A range of a day or less gets no worst-day chart, so its chart marks the scale actions itself: 12 hours of
     * 1-minute steps were drawn as 721 points too narrow for marks, under a subtitle that sent the reader to a
     * worst-day chart backtest had not written (recheck 16, finding 9).
     */
    @Test
    void aRangeOfADayOrLessMarksItsScaleActionsOnItsOneChart() throws Exception {
        Path out = dir.resolve("half-day");
        // 12:00 to 24:00 UTC of a day between the gap and the spike: 0.85 scales out, 22:00's 0.20 steps down.
        Instant from = START.plus(Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                .plus(Duration.ofHours(12));
        Result r = backtest("--from", from.toString(), "--to", from.plus(Duration.ofHours(12)).toString(), "--step",
                "60s", "--out", out.toString());
        assertEquals(0, r.code, r.err + r.out);
        assertFalse(Files.exists(out.resolve("chart-worst-day.svg")));
        String chart = Files.readString(out.resolve("chart.svg"));
        assertTrue(chart.contains("class=\"scale-out\"") && chart.contains("class=\"step-down\""),
                "12:00's 0.85 scales out, 22:00's 0.20 steps down: " + chart);
        assertFalse(chart.contains("worst-day"), chart);
    }

    @Test
    void chunkingUnderThePointsLimitGivesTheSameDecisionsAsOneQueryAndTheSameAsAnInProcessReplay() throws Exception {
        Instant from = START.plus(Duration.ofDays(4));
        Instant to = START.plus(Duration.ofDays(5)).plus(Duration.ofHours(6));
        Path whole = dir.resolve("whole");
        Path chunked = dir.resolve("chunked");
        String[] common = {"--from", from.toString(), "--to", to.toString(), "--step", "60s"};
        Result one = backtest(concat(common, "--out", whole.toString()));
        Result many = backtest(concat(common, "--max-points", "97", "--out", chunked.toString()));
        assertEquals(0, one.code, one.err);
        assertEquals(0, many.code, many.err);
        List<String> a = Files.readAllLines(whole.resolve("decisions-milvus_wk_queryNode.jsonl"));
        List<String> b = Files.readAllLines(chunked.resolve("decisions-milvus_wk_queryNode.jsonl"));
        assertEquals(a, b);
        // 30h of 1-minute steps = 1,801 points: 1 range query per query text vs ceil(1801 / 97) = 19.
        assertTrue(many.out.contains("range queries"), many.out);

        // The same series computed here, with Prometheus' irate() arithmetic, through the same engine and policy.
        AutoscalerSettings s = ConfigLoader.load(config);
        Target target = s.targets().get(0).target();
        List<Decision> inProcess = new ArrayList<>();
        Instant last = from.plus(STEP.multipliedBy(Duration.between(from, to).dividedBy(STEP)));
        // The forecast's load history too: the days repeat, so the replay forecasts, and the command's must
        // have read from Prometheus what is computed here.
        Duration range = s.targets().get(0).policy().forecast().history().plus(Duration.between(from, last));
        RecordedHistory load = new RecordedHistory(Map.of(target, inProcessLoad(target, last, range)),
                Map.of(target, s.targets().get(0).policy().forecast().history()));
        Backtest.run(Assembly.engineTargets(s.labelSchemes(), s.targets()), new InProcess(), new Backtest.Settings(from, last, STEP,
                false, s.maxActionsPerHour()), inProcess::add, load);
        List<String> replayed = a.stream().map(l -> {
            JsonObject d = JsonParser.parseString(l).getAsJsonObject();
            return d.get("time").getAsString() + " " + d.get("reason").getAsString() + " " + d.get("to");
        }).toList();
        List<String> expected = inProcess.stream().map(d -> d.time() + " " + d.reason() + " " + d.to()).toList();
        assertEquals(expected, replayed);
        assertTrue(inProcess.stream().anyMatch(d -> d.action() == Action.SCALE_OUT), "the spike scales out");
        assertTrue(inProcess.stream().anyMatch(d -> d.reason() == Reason.PRESCALE_FORECAST), "the days' rise is forecast");
        assertTrue(one.out.contains("backtest: forecast history of milvus/wk/queryNode: cpu from "), one.out);
        assertEquals(target, inProcess.get(0).target());
    }

    /**
     * The history line says when a target's history is too young to forecast (forecast.min-history, 2d): 36h of
     * history before --from replays the first 12h without a forecast, and a replay that ends before two days have
     * passed replays none, where the line read like that of a target that forecasts (recheck 76's remark).
     */
    @Test
    void aHistoryTooYoungToForecastIsSaidOnItsLine() {
        Instant from = Instant.parse("2026-12-06T07:00:00Z");
        Instant oldest = from.minus(Duration.ofHours(36));
        assertEquals(" (less than forecast.min-history 2d at --from: no forecast before 2026-12-06T19:00:00Z)",
                BacktestCommand.tooYoung(oldest, Duration.ofDays(2), from, from.plus(Duration.ofDays(1))));
        assertEquals(" (less than forecast.min-history 2d behind any step: replayed without a forecast)",
                BacktestCommand.tooYoung(oldest, Duration.ofDays(2), from, from.plus(Duration.ofHours(6))));
        assertEquals("", BacktestCommand.tooYoung(from.minus(Duration.ofDays(2)), Duration.ofDays(2), from,
                from.plus(Duration.ofHours(6))));
    }

    /**
     * An operator queryNode blue/green rollout inside the range (milvus-operator deploy_ctrl_util.go moves one pod at
     * a time from -0 to -1, so the summed spec.replicas goes 3, 4, 3, 4, ... while both Deployments have replicas):
     * the recorded side counts its cost but no scale actions (it showed 3 scale-outs, 3 step-downs and 5 reversals
     * for one rollout), and the replayed policy holds as ROLLOUT there, as the daemon does.
     */
    @Test
    void anOperatorBlueGreenRolloutIsNoRecordedScalingAndTheReplayHoldsAsRollout() throws Exception {
        AutoscalerSettings s = ConfigLoader.load(config);
        Instant from = START.plus(Duration.ofDays(1));
        Instant to = from.plus(Duration.ofHours(3));
        Instant rollFrom = from.plus(Duration.ofHours(1));
        Instant rollTo = rollFrom.plus(Duration.ofMinutes(12));
        InProcess rolling = new InProcess() {
            @Override
            public OptionalInt specReplicas(Target target, Instant at) {
                boolean during = !at.isBefore(rollFrom) && at.isBefore(rollTo);
                // one pod moved every 2 minutes: 3 + 1 while a new pod starts, back to 3 once an old one went
                return OptionalInt.of(during && Duration.between(rollFrom, at).toMinutes() / 2 % 2 == 0 ? PODS + 1
                        : PODS);
            }

            @Override
            public boolean rollingOut(Target target, Instant at) {
                return !at.isBefore(rollFrom) && at.isBefore(rollTo);
            }
        };
        List<Decision> decisions = new ArrayList<>();
        List<Backtest.TargetResult> results = Backtest.run(Assembly.engineTargets(s.labelSchemes(), s.targets()), rolling,
                new Backtest.Settings(from, to, STEP, false, s.maxActionsPerHour()), decisions::add);
        Backtest.Side recorded = results.get(0).recorded();
        assertEquals(0, recorded.scaleOuts() + recorded.stepDowns(), "a rollout is not scaling");
        assertEquals(0, recorded.reversals());
        assertTrue(decisions.stream().filter(d -> !d.time().isBefore(rollFrom) && d.time().isBefore(rollTo))
                .allMatch(d -> d.reason() == Reason.ROLLOUT), "the replay holds as ROLLOUT during the rollout");
    }

    /**
     * A component stopped at 0 by a person and started again (kube-state-metrics' kube_deployment_spec_replicas reads 0,
     * and cAdvisor has no series of it while no pod runs): the replay follows both moves as the daemon, which reads the
     * count every tick, would. Before, a range starting in a stop held the policy at 0 all the way (5,761 decisions of
     * SCALED_TO_ZERO, "would not have scaled", 0 node-hours), and a stop in mid-range charged the policy its own
     * count for the whole stop (backtest recheck 2, H1).
     */
    @Test
    void aRecordedStopAndStartAreFollowedAsTheDaemonWouldFollowThem() throws Exception {
        AutoscalerSettings s = ConfigLoader.load(config);
        Instant from = START.plus(Duration.ofDays(1));
        Instant to = from.plus(Duration.ofHours(4));
        Instant stopAt = from.plus(Duration.ofHours(2));
        Instant startAt = stopAt.plus(Duration.ofHours(1));
        // Stopped when the range starts, started at from + 1h, stopped again at stopAt, started at startAt.
        java.util.function.Predicate<Instant> stopped = at -> at.isBefore(from.plus(Duration.ofHours(1)))
                || !at.isBefore(stopAt) && at.isBefore(startAt);
        InProcess history = new InProcess() {
            @Override
            public Observation observe(Target target, Instant at) {
                return stopped.test(at) ? new Observation(target, at, Map.of("cpu", Signal.unknown("cpu", "empty result")),
                        Settle.QUIET, Health.NONE, List.of()) : super.observe(target, at);
            }

            @Override
            public OptionalInt specReplicas(Target target, Instant at) {
                return OptionalInt.of(stopped.test(at) ? 0 : PODS);
            }

            @Override
            public OptionalInt readyReplicas(Target target, Instant at) {
                return specReplicas(target, at);
            }
        };
        List<Decision> decisions = new ArrayList<>();
        Backtest.TargetResult result = Backtest.run(Assembly.engineTargets(s.labelSchemes(), s.targets()), history,
                new Backtest.Settings(from, to, STEP, false, s.maxActionsPerHour()), decisions::add).get(0);

        assertEquals(List.of("STOPPED " + from + " ", "STARTED " + from.plus(Duration.ofHours(1)) + " 0 -> 3",
                "STOPPED " + stopAt + " ",
                "STARTED " + startAt + " 0 -> 3"), result.followed().stream().map(f -> f.reason() + " " + f.time()
                + " " + (f.reason().equals("STOPPED") ? "" : f.from() + " -> " + f.to())).toList());
        for (Decision d : decisions) {
            assertEquals(stopped.test(d.time()), d.reason() == Reason.SCALED_TO_ZERO, d.toString());
        }
        Backtest.Steps steps = result.steps();
        for (int i = 0; i < steps.size(); i++) {
            Instant at = from.plus(STEP.multipliedBy(i));
            assertEquals(stopped.test(at), steps.policy()[i] == 0, "the policy's count at " + at);
        }
        String report = BacktestCommand.markdown(List.of(result), from, to, STEP);
        assertTrue(report.contains("The component was stopped (recorded spec.replicas 0) when the range starts at "
                + from + "; the policy holds it at 0 (SCALED_TO_ZERO) until it is started, as the daemon would."),
                report);
        assertTrue(report.contains("The policy followed the recorded stop at " + stopAt + " (its count "), report);
        assertTrue(report.contains(" -> 0), as the daemon would: it holds a component at 0 (SCALED_TO_ZERO); not one"
                + " of its actions."), report);
        assertTrue(report.contains("The policy followed the recorded start at " + startAt + " (its count 0 -> 3), as"
                + " the daemon would: it decides again from the count set; not one of its actions."), report);
        // A person's stop and start are no scale action of the cluster's either (backtest recheck 3, F4).
        assertEquals(0, result.recorded().scaleOuts() + result.recorded().stepDowns(), result.recorded().toString());
        assertEquals(List.of(), result.unfollowed());
    }

    /**
     * A hand change while the recorded count and the replay's agreed (kubectl scale 3 -> 6 beside a daemon at 3): the
     * replay keeps its own count, as README says, and the report names the move, since the policy's next actions
     * answer signals measured at 6 where the daemon would have decided from 6 (backtest recheck 3, F1).
     */
    @Test
    void aRecordedMoveWhileBothCountsAgreedIsNamed() throws Exception {
        AutoscalerSettings s = ConfigLoader.load(config);
        // 18:00 to 20:00, where the history's cpu reads 0.55 of the request, in band: the replay holds at 3.
        Instant from = START.plus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                .plus(Duration.ofHours(18));
        Instant to = from.plus(Duration.ofHours(2));
        Instant raised = from.plus(Duration.ofMinutes(30));
        InProcess history = new InProcess() {
            @Override
            public OptionalInt specReplicas(Target target, Instant at) {
                return OptionalInt.of(at.isBefore(raised) ? PODS : 6);
            }

            @Override
            public OptionalInt readyReplicas(Target target, Instant at) {
                return specReplicas(target, at);
            }
        };
        Backtest.TargetResult result = Backtest.run(Assembly.engineTargets(s.labelSchemes(), s.targets()), history,
                new Backtest.Settings(from, to, STEP, false, s.maxActionsPerHour()), d -> { }).get(0);
        assertEquals(List.of("3 -> 6 at " + raised), result.unfollowed().stream().map(c -> c.from() + " -> " + c.to()
                + " at " + c.time()).toList());
        assertEquals(List.of(), result.followed());
        assertEquals(1, result.recorded().scaleOuts(), "the recorded side's own move");
        String report = BacktestCommand.markdown(List.of(result), from, to, STEP);
        assertTrue(report.contains("**The recorded count moved while it equalled the policy's, and the replay kept its"
                + " own:** 3 -> 6 at " + raised + ". A person (kubectl scale), another autoscaler, an earlier config,"
                + " or this daemon at another step (its live ticks and forecast reads do not fall on the replay's) made"
                + " such a move;"), report);
    }

    /**
     * A target's scheduled floor is replayed at each step's instant, and the report and report.json name it: two
     * backtests told apart by a floor only in their numbers did not say why (recheck 101, F3). cpu in band (0.55 of
     * the request) on 3 ready pods, a daily 19:00-20:00 UTC floor of 5: 3 -> 5 at 19:00, nothing before.
     */
    @Test
    void aScheduledFloorIsReplayedAndNamed() throws IOException {
        AutoscalerSettings s = ConfigLoader.parse("""
                milvus-autoscaler.clusters = [{ namespace = milvus, name = wk, install = helm, milvus-version = "2.5.6",
                  components { queryNode { max-replicas = 6, settle-query = "", signals { memory.enabled = false,
                    qps.enabled = false }, scheduled = [{ days = daily, from = "19:00", to = "20:00", time-zone = UTC,
                    min-replicas = 5 }] } } }]
                """, "floor.conf");
        Instant from = Instant.parse("2026-12-01T18:00:00Z");
        Instant to = Instant.parse("2026-12-01T20:30:00Z");
        Backtest.History inBand = new InProcess() {
            @Override
            public Observation observe(Target target, Instant at) {
                return new Observation(target, at, Map.of("cpu", Signal.known("cpu", 0.55, PODS, Duration.ZERO)),
                        Settle.QUIET, Health.NONE, List.of());
            }
        };
        Backtest.TargetResult result = Backtest.run(Assembly.engineTargets(s.labelSchemes(), s.targets()), inBand,
                new Backtest.Settings(from, to, STEP, false, s.maxActionsPerHour()), d -> { }).get(0);
        Backtest.Change first = result.policy().changes().get(0);
        assertEquals("SCHEDULED_FLOOR 3 -> 5 at 2026-12-01T19:00:00Z", first.reason() + " " + first.from() + " -> "
                + first.to() + " at " + first.time());
        String report = BacktestCommand.markdown(List.of(result), from, to, STEP);
        assertTrue(report.contains("Scheduled floors, applied at each step's instant as the daemon applies them: daily"
                + " 19:00-20:00 UTC min-replicas 5."), report);
        String none = BacktestCommand.markdown(List.of(Backtest.run(Assembly.engineTargets(s.labelSchemes(),
                ConfigLoader.parse(Files.readString(config), "autoscaler.conf").targets()), inBand,
                new Backtest.Settings(from, to, STEP, false, s.maxActionsPerHour()), d -> { }).get(0)), from, to, STEP);
        assertFalse(none.contains("Scheduled floors"), none);
    }

    /**
     * The forecast's load history as {@code PrometheusHistorySource} reads it from the backfilled series,
     * computed here: cpu per pod x ready pods on the 5m grid ending at {@code last}, NaN where Prometheus has
     * too few samples for irate() (before the series' second scrape, and in the gap).
     */
    private static LoadHistory inProcessLoad(Target target, Instant last, Duration range) {
        Duration grid = Duration.ofMinutes(5);
        Instant end = Instant.ofEpochSecond(Math.floorDiv(last.getEpochSecond(), grid.toSeconds()) * grid.toSeconds());
        Instant from = end.minus(range);
        double[] cpu = new double[(int) (range.toSeconds() / grid.toSeconds()) + 1];
        InProcess replay = new InProcess();
        Instant firstRate = START.minus(Duration.ofMinutes(10)).plus(SCRAPE);
        for (int i = 0; i < cpu.length; i++) {
            Instant at = from.plus(grid.multipliedBy(i));
            Signal v = at.isBefore(firstRate) ? Signal.unknown("cpu", "no series yet")
                    : replay.observe(target, at).signals().get("cpu");
            cpu[i] = v.isKnown() ? v.value().getAsDouble() * PODS : Double.NaN;
        }
        // Each value read at a grid point is the load over the step it ends, as PrometheusHistorySource keeps it.
        return new LoadHistory(from.minus(grid), grid, end.minus(grid), Map.of("cpu", cpu));
    }

    /** The generated history read directly: per-pod irate() over [t - 2m, t] as Prometheus 2.42 computes it. */
    private static class InProcess implements Backtest.History {
        @Override
        public Observation observe(Target target, Instant at) {
            List<Instant> ts = new ArrayList<>();
            for (Instant t = at.minus(Duration.ofMinutes(2)); !t.isAfter(at); t = t.plus(SCRAPE)) {
                if (!inGap(t)) {
                    ts.add(t);
                }
            }
            Signal cpu;
            if (ts.size() < 2) {
                cpu = Signal.unknown("cpu", "empty result");
            } else {
                cpu = Signal.known("cpu", irate(ts), PODS, Duration.ZERO);
            }
            return new Observation(target, at, Map.of("cpu", cpu), Settle.QUIET, Health.NONE, List.of());
        }

        /**
         * Prometheus' instantValue for irate() of a counter without resets (promql/functions.go): the slope
         * between the last two samples of the range, per second.
         */
        private static double irate(List<Instant> ts) {
            Instant previous = ts.get(ts.size() - 2);
            Instant last = ts.get(ts.size() - 1);
            return (sampleValue(last) - sampleValue(previous)) / (Duration.between(previous, last).toMillis() / 1000.0);
        }

        /** The value the history holds at a scrape instant, as written by {@link #history()}. */
        private static double sampleValue(Instant t) {
            double value = 1_000_000;
            for (Instant s = START.minus(Duration.ofMinutes(10)); s.isBefore(t); s = s.plus(SCRAPE)) {
                value += load(s) * SCRAPE.toSeconds();
            }
            return value;
        }

        @Override
        public OptionalInt specReplicas(Target target, Instant at) {
            return OptionalInt.of(PODS);
        }

        @Override
        public OptionalInt readyReplicas(Target target, Instant at) {
            return OptionalInt.of(PODS);
        }
    }

    @Test
    void exportsTheRecordedReadLoadAsATraceThatSimulateReads() throws Exception {
        Path conf = dir.resolve("qps.conf");
        Files.writeString(conf, Files.readString(config).replace("qps.enabled = false", "qps.enabled = true"));
        Path out = dir.resolve("export");
        Instant from = START.plus(Duration.ofDays(1));
        Result r = backtest(conf, "--from", from.toString(), "--to", from.plus(Duration.ofDays(1)).toString(),
                "--step", "60s", "--export-trace", "--out", out.toString());
        assertEquals(0, r.code, r.err + r.out);
        assertFalse(r.err.contains("has no row for"), "a complete day leaves no step out: " + r.err);
        List<String> rows = Files.readAllLines(out.resolve("trace-milvus_wk_queryNode.csv"));
        assertEquals("timestamp,value", rows.get(0));
        assertEquals(24 * 60 + 1 + 1, rows.size(), "a row per step of the day");
        // 12:00 is in the 09:00-17:00 plateau: 100 x 0.85 searches/s, the qps signal 85/3 x 3 ready replicas.
        Instant noonUtc = from.truncatedTo(java.time.temporal.ChronoUnit.DAYS).plus(Duration.ofHours(12));
        if (noonUtc.isBefore(from)) {
            noonUtc = noonUtc.plus(Duration.ofDays(1));
        }
        String noon = noonUtc.toString().replace("T", " ").replace("Z", "");
        String row = rows.stream().filter(l -> l.startsWith(noon)).findFirst().orElseThrow();
        assertEquals(85.0, Double.parseDouble(row.split(",")[1]), 0.01, row);
        // simulate scales a trace's peak to --peak-nodes (8): the export says how to replay the 85 searches/s it
        // recorded at their size, 0.43 nodes at the default 200 per node, not 8 nodes' worth (recheck 18, F4).
        assertTrue(r.err.contains("trace-milvus_wk_queryNode.csv: its recorded peak is 85.0 searches/s; simulate"
                + " --trace scales a trace's peak to --peak-nodes (sim.peak-nodes, 8 by default), so pass --peak-nodes"
                + " ceil(85.0 / sim.capacity-qps) to replay it near its recorded size: 1 at the default"
                + " sim.capacity-qps 200 (0.43 nodes)"), r.err);

        StringWriter simOut = new StringWriter();
        CommandLine sim = new CommandLine(new SimulateCommand());
        sim.setOut(new PrintWriter(simOut));
        sim.setErr(new PrintWriter(simOut));
        int code = sim.execute("--trace", out.resolve("trace-milvus_wk_queryNode.csv").toString(), "--policies", "hpa",
                "--out", dir.resolve("sim").toString());
        assertEquals(0, code, simOut.toString());
    }

    /**
     * A --rescale-load replay says so in its report, its JSON and its charts: the first lines of its report were byte for
     * byte a plain replay's, though the load it read differed by far (recheck 36, F4).
     */
    @Test
    void aRescaledReplaySaysSoInEveryOutput() throws Exception {
        Instant from = START.plus(Duration.ofDays(1));
        for (boolean rescaled : new boolean[] {false, true}) {
            Path out = dir.resolve(rescaled ? "rescaled" : "plain");
            List<String> args = new java.util.ArrayList<>(List.of("--from", from.toString(), "--to",
                    from.plus(Duration.ofHours(2)).toString(), "--step", "60s", "--out", out.toString()));
            if (rescaled) {
                args.add("--rescale-load");
            }
            Result r = backtest(args.toArray(String[]::new));
            assertEquals(0, r.code, r.err + r.out);
            String report = Files.readString(out.resolve("report.md"));
            assertEquals(rescaled, report.lines().findFirst().orElseThrow().endsWith(", --rescale-load"), report);
            assertEquals(rescaled, report.contains("were re-divided by the replicas the policy would have run"), report);
            assertEquals(rescaled, com.google.gson.JsonParser.parseString(Files.readString(out.resolve("report.json")))
                    .getAsJsonObject().get("rescaleLoad").getAsBoolean());
            assertTrue(Files.readString(out.resolve("chart.svg")).contains(rescaled
                    ? "load re-divided by the policy's replicas (--rescale-load)" : "signals as recorded"));
        }
    }

    /** A target without the qps signal has no trace to export, and says so: it wrote nothing and said nothing (recheck 36, F3). */
    @Test
    void aTargetWithoutQpsSaysItHasNoTraceToExport() throws Exception {
        Path out = dir.resolve("no-qps");
        Instant from = START.plus(Duration.ofDays(1));
        Result r = backtest("--from", from.toString(), "--to", from.plus(Duration.ofHours(2)).toString(), "--step",
                "60s", "--export-trace", "--out", out.toString());
        assertEquals(0, r.code, r.err + r.out);
        assertTrue(r.err.contains("backtest: no trace-milvus_wk_queryNode.csv: milvus/wk/queryNode reads no qps signal,"
                + " which the trace is made of (signals.qps.enabled = true on it exports one)"), r.err);
        assertFalse(Files.exists(out.resolve("trace-milvus_wk_queryNode.csv")));
    }

    @Test
    void badInputGetsOneClearLineAndWritesNothing() throws Exception {
        Path out = dir.resolve("bad");
        Result reversed = backtest("--from", END.toString(), "--to", START.toString(), "--out", out.toString());
        assertEquals(2, reversed.code);
        assertTrue(reversed.err.contains("must be before --to"), reversed.err);
        // A --to after now has no history yet to replay (recheck 18, F1: a decision at a time with no data).
        Result future = backtest("--from", "-1h", "--to", Instant.now().plus(Duration.ofMinutes(5)).toString(), "--out",
                out.toString());
        assertEquals(2, future.code, future.err);
        assertTrue(future.err.contains("is after now") && future.err.contains("leave --to out"), future.err);
        assertFalse(Files.exists(out), "refused before anything is written");

        Result noData = backtest("--from", START.minus(Duration.ofDays(60)).toString(), "--to",
                START.minus(Duration.ofDays(59)).toString(), "--step", "5m", "--out", out.toString());
        assertEquals(1, noData.code, noData.err + noData.out);
        assertTrue(noData.err.contains("no recorded replicas"), noData.err);

        Result unknownCluster = backtest("--from", "-1h", "--cluster", "milvus/nope", "--out", out.toString());
        assertEquals(2, unknownCluster.code);
        assertTrue(unknownCluster.err.contains("no target in cluster milvus/nope"), unknownCluster.err);

        // A step longer than the range (config audit C4: a stack trace and exit 1).
        Result longStep = backtest("--from", "-2h", "--to", "-10m", "--step", "3h", "--out", out.toString());
        assertEquals(2, longStep.code, longStep.err);
        assertTrue(longStep.err.startsWith("backtest: the step 3h (--step) is longer than the range "), longStep.err);
        assertTrue(longStep.err.contains("(1h50m): pass a shorter --step or a longer range"), longStep.err);
        assertFalse(longStep.err.contains("Exception"), longStep.err);

        // A range past any retention: --from -999999w ended in an OutOfMemoryError stack trace (backtest recheck 2, M1).
        Result huge = backtest("--from", "-999999w", "--to", "-1h", "--step", "15s", "--out", out.toString());
        assertEquals(2, huge.code, huge.err);
        assertTrue(huge.err.matches("(?s)backtest: the range \\S+ \\.\\. \\S+ is \\d+ steps of 15s; at most 200000"
                + " \\(34 days at this step\\): pass a shorter range or a longer --step\\s*"), huge.err);
        assertFalse(Files.exists(out), "nothing written, no folder left");

        Result badTime = backtest("--from", "yesterday", "--out", out.toString());
        assertEquals(2, badTime.code);
        assertTrue(badTime.err.contains("--from yesterday is neither RFC 3339"), badTime.err);

        Path down = dir.resolve("down.conf");
        Files.writeString(down, Files.readString(config).replace(prometheus.url().toString(), "http://127.0.0.1:1"));
        Result unreachable = backtest(down, "--from", "-1h", "--out", out.toString());
        assertEquals(1, unreachable.code);
        assertTrue(unreachable.err.contains("cannot be reached"), unreachable.err);

        assertFalse(Files.exists(out), "nothing in --out");
    }

    /**
     * An --out that cannot be created or written is refused before any query, as simulate and demo refuse it: exit 2
     * with its path and the OS's reason. The Prometheus here is unreachable, so a check after the probe would exit 1
     * "cannot be reached" instead; the check used to come only after the whole replay, as exit 1 with the bare path.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "parent is a file   | FILE:taken/out    | not a directory",
        "mkdir refused      | /proc/bt-out      | no such file or directory",
    })
    void anUnusableOutIsRefusedBeforeAnyQuery(String name, String path, String reason, @TempDir Path here)
            throws Exception {
        Files.writeString(here.resolve("taken"), "keep");
        Path target = path.startsWith("FILE:") ? here.resolve(path.substring(5)) : Path.of(path);
        assertTrue(path.startsWith("FILE:") || Files.isDirectory(target.getParent()),
                "this case needs Linux's /proc: " + target.getParent());
        Path down = here.resolve("down.conf");
        Files.writeString(down, Files.readString(config).replace(prometheus.url().toString(), "http://127.0.0.1:1"));
        Result r = backtest(down, "--from", "-1h", "--out", target.toString());
        assertEquals(2, r.code, r.err + r.out);
        assertEquals("backtest: cannot write to --out " + target + ": " + reason, r.err.strip());
        assertEquals(Set.of("taken", "down.conf"), Set.copyOf(list(here)), "nothing written");
    }

    /**
     * A folder that turns into something else during the replay fails when the report is moved in: exit 1, one line
     * with the OS's reason (it used to be the bare path), no report, and the file put there left alone.
     */
    @Test
    void aWriteFailureAfterTheReplayNamesTheOsReason(@TempDir Path here) throws Exception {
        Path out = here.resolve("out");
        StringWriter err = new StringWriter();
        // The forecast-history line is printed after the --out check and before the replay: the moment to swap
        // the checked, empty folder for a file of the same name.
        StringWriter printed = new StringWriter() {
            @Override
            public void write(String s, int off, int len) {
                super.write(s, off, len);
                if (s.substring(off, off + len).contains("forecast history of") && Files.isDirectory(out)) {
                    try {
                        Files.delete(out);
                        Files.writeString(out, "not a folder");
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        };
        CommandLine cli = new CommandLine(new BacktestCommand());
        cli.setOut(new PrintWriter(printed));
        cli.setErr(new PrintWriter(err));
        Instant from = START.plus(Duration.ofDays(1));
        int code = cli.execute("--config", config.toString(), "--from", from.toString(), "--to",
                from.plus(Duration.ofHours(2)).toString(), "--step", "60s", "--out", out.toString());
        assertEquals(1, code, err + printed.toString());
        assertEquals("backtest: cannot write the report to " + out + ": " + out + ": file exists", err.toString().strip());
        assertEquals("not a folder", Files.readString(out), "what took the folder's place is left alone");
    }

    private static List<String> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).toList();
        }
    }

    @Test
    void relativeTimesCountBackFromNow() {
        Instant now = Instant.parse("2026-12-01T12:00:00Z");
        assertEquals(Instant.parse("2026-11-24T12:00:00Z"), BacktestCommand.time("--from", "-7d", now));
        assertEquals(Instant.parse("2026-12-01T10:30:00Z"), BacktestCommand.time("--from", "-90m", now));
        assertEquals(now, BacktestCommand.time("--to", "now", now));
        assertEquals(Instant.parse("2026-11-30T00:00:00Z"), BacktestCommand.time("--from", "2026-11-30T01:00:00+01:00", now));
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    private static Result backtest(String... args) {
        return backtest(config, args);
    }

    private static Result backtest(Path file, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new BacktestCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(concat(new String[] {"--config", file.toString()}, args));
        return new Result(code, out.toString(), err.toString());
    }

    private record Result(int code, String out, String err) {
    }
}
