package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.engine.DecisionLogger;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code --log-format json} with the shipped configuration (src/main/resources/logback-json.xml,
 * loaded by {@link Logging#configure}): every line is one JSON object whose message is formatted
 * (not a template) and whose target, reason and error are fields of their own.
 */
class JsonLogsTest {

    static final Target QN = new Target("milvus", "my-release", Component.QUERY_NODE, InstallKind.OPERATOR);
    static final Instant T = Instant.parse("2026-01-05T10:00:00Z");

    final PrintStream realErr = System.err;

    @AfterEach
    void restore() throws Exception {
        System.setErr(realErr);
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        JoranConfigurator c = new JoranConfigurator();
        c.setContext(ctx);
        c.doConfigure(JsonLogsTest.class.getResource("/logback-test.xml"));
    }

    List<JsonObject> logged(Runnable r) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            Logging.configure(Logging.Format.json);
            r.run();
        } finally {
            System.setErr(realErr);
        }
        return buf.toString(StandardCharsets.UTF_8).lines().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    }

    @Test
    void scaleBlockedAndApiErrorLinesCarryTargetReasonAndErrorAsFields() {
        DecisionLogger log = new DecisionLogger(() -> true);
        // A scale the leader wrote (an unwritten one logs "[not written]", see DecisionLogger).
        Decision scale = new Decision(QN, T, Action.SCALE_OUT, 3, 5, Reason.SIGNAL_HIGH,
                "queryNode cpu 0.82 > 0.75 for 2m; 3 -> 5", Map.of(), false).asWritten();
        Decision blocked = new Decision(QN, T, Action.HOLD, 3, 3, Reason.SCALE_IN_COOLDOWN,
                "scale-in cooldown: 2m left", Map.of(), false);
        List<JsonObject> lines = logged(() -> {
            log.record(scale);
            log.record(blocked);
            log.writeFailed(scale, new ActuationException(ActuationException.Kind.FORBIDDEN,
                    "403: patch milvuses.milvus.io in milvus is forbidden"));
        });
        assertEquals(3, lines.size(), lines.toString());

        JsonObject a = lines.get(0);
        assertEquals("INFO", a.get("level").getAsString());
        assertEquals("milvus/my-release/queryNode SCALE_OUT 3 -> 5 SIGNAL_HIGH: queryNode cpu 0.82 > 0.75 for 2m; 3 -> 5",
                a.get("message").getAsString());
        assertEquals("milvus/my-release/queryNode", a.get("target").getAsString());
        assertEquals("SIGNAL_HIGH", a.get("reason").getAsString());
        assertEquals("SCALE_OUT", a.get("action").getAsString());
        assertEquals(3, a.get("from").getAsInt());
        assertEquals(5, a.get("to").getAsInt());
        assertFalse(a.has("error"));

        JsonObject b = lines.get(1);
        assertEquals("milvus/my-release/queryNode", b.get("target").getAsString());
        assertEquals("SCALE_IN_COOLDOWN", b.get("reason").getAsString());
        assertTrue(b.get("message").getAsString().contains("blocked SCALE_IN_COOLDOWN: scale-in cooldown: 2m left"),
                b.toString());
        // A blocked HOLD carries its action and the count it holds at too (README: on decision lines).
        assertEquals("HOLD", b.get("action").getAsString());
        assertEquals(3, b.get("from").getAsInt());
        assertEquals(3, b.get("to").getAsInt());

        JsonObject c = lines.get(2);
        assertEquals("ERROR", c.get("level").getAsString());
        assertEquals("milvus/my-release/queryNode", c.get("target").getAsString());
        assertEquals("SIGNAL_HIGH", c.get("reason").getAsString());
        assertEquals("FORBIDDEN", c.get("error").getAsString());
        // The runbook's "check the logs for 403" finds it in the message.
        assertTrue(c.get("message").getAsString().contains("403: patch milvuses.milvus.io"), c.toString());
        for (JsonObject o : lines) {
            assertFalse(o.get("message").getAsString().contains("{}"), "a template, not a message: " + o);
            assertEquals("decisions", o.get("logger").getAsString());
            assertTrue(o.get("time").getAsString().endsWith("Z"), o.toString());
        }
    }

    /**
     * A line about a target that is not its decision's own carries the target alone: "signals known again" on a tick
     * that scaled carried that tick's action and counts, so a pipeline counting action="SCALE_OUT" counted 51 scale-outs
     * for 50 writes (recheck 115, F3). The decision's own line still has them.
     */
    @Test
    void theKnownAgainLineIsNoSecondDecisionLine() {
        DecisionLogger log = new DecisionLogger(() -> true);
        Decision blind = new Decision(QN, T, Action.HOLD, 2, 2, Reason.ALL_SIGNALS_UNKNOWN, "every signal unknown",
                Map.of(), false);
        Decision panic = new Decision(QN, T.plusSeconds(75), Action.SCALE_OUT, 2, 4, Reason.PANIC,
                "queryNode cpu 1.50 > 1.13; 2 -> 4", Map.of(), false).asWritten();
        List<JsonObject> lines = logged(() -> {
            log.record(blind);
            log.record(new Decision(QN, T.plusSeconds(60), Action.HOLD, 2, 2, Reason.ALL_SIGNALS_UNKNOWN,
                    "every signal unknown", Map.of(), false));
            log.record(panic);
        });
        List<JsonObject> known = lines.stream().filter(o -> o.get("message").getAsString().contains("signals known again after"))
                .toList();
        assertEquals(1, known.size(), lines.toString());
        assertEquals("milvus/my-release/queryNode", known.get(0).get("target").getAsString());
        assertFalse(known.get(0).has("action") || known.get(0).has("reason") || known.get(0).has("from"),
                known.get(0).toString());
        assertEquals(1, lines.stream().filter(o -> o.has("action") && o.get("action").getAsString().equals("SCALE_OUT"))
                .count(), lines.toString());
    }

    /**
     * Every line a tick logs carries its target as a field, the engine's own WARNs included (recheck 67, F3: "replicas
     * changed outside milvus-autoscaler" had none): a count moved between two ticks of a FakeCluster.
     */
    @Test
    void aTicksOwnLinesCarryItsTarget() {
        io.github.milvusautoscaler.testsupport.FakeCluster cluster = new io.github.milvusautoscaler.testsupport.FakeCluster();
        io.github.milvusautoscaler.testsupport.FakeMetrics metrics = new io.github.milvusautoscaler.testsupport.FakeMetrics();
        metrics.cpu.put(QN, 0.60);
        io.github.milvusautoscaler.engine.ManualClock clock = new io.github.milvusautoscaler.engine.ManualClock(T);
        io.github.milvusautoscaler.engine.Engine engine = new io.github.milvusautoscaler.engine.Engine(clock, metrics,
                cluster, d -> { }, () -> true, io.github.milvusautoscaler.engine.AlertSource.NONE,
                new io.github.milvusautoscaler.engine.ActionBudget(30), false,
                io.github.milvusautoscaler.engine.EngineListener.NONE);
        io.github.milvusautoscaler.engine.EngineTarget target = new io.github.milvusautoscaler.engine.EngineTarget(QN,
                io.github.milvusautoscaler.engine.EngineTest.policy());
        cluster.uid.put(QN, "uid-1");
        engine.tick(target);
        cluster.personScales(QN, 6);
        clock.advance(java.time.Duration.ofSeconds(15));
        List<JsonObject> lines = logged(() -> engine.tick(target));
        List<JsonObject> moved = lines.stream().filter(o -> o.get("message").getAsString()
                .contains("replicas changed outside milvus-autoscaler")).toList();
        assertEquals(1, moved.size(), lines.toString());
        assertEquals("milvus/my-release/queryNode", moved.get(0).get("target").getAsString());
        // A line logged with no field of its own: the object deleted and recreated between two ticks.
        cluster.uid.put(QN, "uid-2");
        clock.advance(java.time.Duration.ofSeconds(15));
        List<JsonObject> recreated = logged(() -> engine.tick(target)).stream().filter(o -> o.get("message")
                .getAsString().contains("deleted and recreated")).toList();
        assertEquals(1, recreated.size(), recreated.toString());
        assertEquals("milvus/my-release/queryNode", recreated.get(0).get("target").getAsString());
        assertFalse(org.slf4j.MDC.getCopyOfContextMap() != null && org.slf4j.MDC.get("target") != null,
                "the tick leaves no target on its thread");
    }

    /**
     * A target's start-up advice (its settings most likely scale by the wrong work) carries the target as a field, as
     * the ticks' lines do: a pipeline filtering on target missed it (recheck 104, F2, whose config shortened
     * scale-in.peak-window to 5m, under six forecast.history-step).
     */
    @Test
    void aTargetsStartUpAdviceCarriesItsTarget() {
        io.github.milvusautoscaler.config.AutoscalerSettings settings = io.github.milvusautoscaler.config.ConfigLoader
                .parse("""
                        milvus-autoscaler {
                          defaults.scale-in.peak-window = 5m
                          clusters = [{ namespace = milvus, name = my-release, install = operator, milvus-version = "2.5",
                            components { queryNode {} } }]
                        }
                        """, "advice.conf");
        List<JsonObject> lines = logged(() -> Daemon.warnAdvice(settings));
        assertEquals(1, lines.size(), lines.toString());
        assertEquals("WARN", lines.get(0).get("level").getAsString());
        assertTrue(lines.get(0).get("message").getAsString().contains("peak-window"), lines.toString());
        assertEquals(QN.id(), lines.get(0).get("target").getAsString(), lines.toString());
    }

    /**
     * A budget smaller than the fleet is said once at start, as the daemon's own line (no target: it is every
     * target's), beside each target's advice.
     */
    @Test
    void aBudgetSmallerThanTheFleetIsOneDaemonWideWarn() {
        io.github.milvusautoscaler.config.AutoscalerSettings settings = io.github.milvusautoscaler.config.ConfigLoader
                .parse("""
                        milvus-autoscaler {
                          max-actions-per-hour = 1
                          clusters = [{ namespace = milvus, name = my-release, install = operator, milvus-version = "2.5",
                            components { queryNode {}, proxy {} } }]
                        }
                        """, "budget.conf");
        List<JsonObject> lines = logged(() -> Daemon.warnAdvice(settings));
        assertEquals(1, lines.size(), lines.toString());
        assertEquals("WARN", lines.get(0).get("level").getAsString());
        assertTrue(lines.get(0).get("message").getAsString().startsWith("max-actions-per-hour 1 is shared by all 2"
                + " targets"), lines.toString());
        assertFalse(lines.get(0).has("target"), lines.toString());
    }

    /**
     * The errors that stop run before it starts are JSON lines too with --log-format json: a log pipeline that parses
     * every line used to get the configuration errors, the one thing to read in a crash-looping pod, as bare text.
     */
    @Test
    void runsConfigurationErrorsAreJsonLinesNamingFileAndLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path config = java.nio.file.Files.writeString(dir.resolve("bad.conf"), """
                milvus-autoscaler {
                  defaults { min-replicas = -3 }
                  loop { interval = soon }
                }
                """);
        int[] exit = {-1};
        List<JsonObject> lines = logged(() -> exit[0] = new picocli.CommandLine(new RunCommand())
                .execute("--config", config.toString(), "--log-format", "json"));
        assertEquals(2, exit[0]);
        assertEquals(2, lines.size(), lines.toString());
        for (JsonObject o : lines) {
            assertEquals("ERROR", o.get("level").getAsString());
            assertEquals("run", o.get("logger").getAsString());
            assertTrue(o.get("message").getAsString().contains("(bad.conf:"), o.toString());
        }
        assertTrue(lines.stream().anyMatch(o -> o.get("message").getAsString().contains("min-replicas = -3 (bad.conf:2)")),
                lines.toString());
    }

    @Test
    void anExceptionIsOneFieldOfTheSameLine() {
        List<JsonObject> lines = logged(() -> LoggerFactory.getLogger("x").error("tick of {} failed", "milvus/a/proxy",
                new IllegalStateException("boom")));
        assertEquals(1, lines.size());
        assertEquals("tick of milvus/a/proxy failed", lines.get(0).get("message").getAsString());
        assertTrue(lines.get(0).get("exception").getAsString().startsWith("java.lang.IllegalStateException: boom"),
                lines.get(0).toString());
    }

    /**
     * A line about a server every target shares (marked daemon-wide) has no {@code target} field though a tick's
     * thread logged it, where every other line that tick logs has its target (recheck 91, F2: "unreachable" came with
     * the target of whichever tick noticed, and without one from the Lease loop).
     */
    @Test
    void aDaemonWideLineHasNoTargetWhicheverTickSaidIt() {
        org.slf4j.Marker daemonWide = org.slf4j.MarkerFactory.getMarker(
                io.github.milvusautoscaler.core.LogFields.DAEMON_WIDE);
        List<JsonObject> lines = logged(() -> {
            try (org.slf4j.MDC.MDCCloseable ignored = org.slf4j.MDC.putCloseable("target", QN.id())) {
                org.slf4j.Logger log = LoggerFactory.getLogger("x");
                log.atWarn().addMarker(daemonWide).log("Kubernetes API server 10.96.0.1:443 unreachable for 20s");
                log.warn("Prometheus query failed (http 400): bad query");
            }
        });
        assertEquals(2, lines.size(), lines.toString());
        assertFalse(lines.get(0).has("target"), lines.get(0).toString());
        assertEquals(QN.id(), lines.get(1).get("target").getAsString(), lines.get(1).toString());
    }

    /** The time has milliseconds on every line, a whole second included, as the text format's {@code .SSS}. */
    @Test
    void theTimeKeepsItsMillisecondsOnAWholeSecond() {
        ch.qos.logback.classic.LoggerContext context = (ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
                "x", context.getLogger("x"), ch.qos.logback.classic.Level.INFO, "tick", null, null);
        event.setTimeStamp(java.time.Instant.parse("2026-12-04T16:27:02Z").toEpochMilli());
        JsonLineEncoder encoder = new JsonLineEncoder();
        JsonObject o = com.google.gson.JsonParser.parseString(new String(encoder.encode(event),
                java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject();
        assertEquals("2026-12-04T16:27:02.000Z", o.get("time").getAsString());
        event.setTimeStamp(java.time.Instant.parse("2026-12-04T16:27:02.100Z").toEpochMilli());
        o = com.google.gson.JsonParser.parseString(new String(encoder.encode(event),
                java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject();
        assertEquals("2026-12-04T16:27:02.100Z", o.get("time").getAsString());
    }
}
