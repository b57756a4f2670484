package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.engine.ActionBudget;
import io.github.milvusautoscaler.engine.AlertSource;
import io.github.milvusautoscaler.engine.Engine;
import io.github.milvusautoscaler.engine.EngineListener;
import io.github.milvusautoscaler.engine.EngineTarget;
import io.github.milvusautoscaler.core.LeaderGate;
import io.github.milvusautoscaler.engine.ManualClock;
import io.github.milvusautoscaler.policy.AlertSettings;
import io.github.milvusautoscaler.policy.FallbackSettings;
import io.github.milvusautoscaler.policy.Policy;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.ScaleInSettings;
import io.github.milvusautoscaler.policy.ScaleOutSettings;
import io.github.milvusautoscaler.policy.SignalPolicy;
import io.github.milvusautoscaler.server.HttpApi;
import io.github.milvusautoscaler.testsupport.FakeCluster;
import io.github.milvusautoscaler.testsupport.FakeMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StatusCommandTest {

    static final Target A = new Target("milvus", "my-release", Component.QUERY_NODE, InstallKind.OPERATOR);

    /** EngineTest's: cpu band [0.40, 0.75], scale-out sustain 0, so cpu 0.82 scales out at once. */
    static Policy cpuPolicy() {
        return io.github.milvusautoscaler.engine.EngineTest.policy();
    }

    /**
     * A memory average in band with one pod past the line prints the pod's value beside the average in the table, and
     * status JSON names the pod (recheck 66, F4: only the hold's message named it, and only while it held).
     */
    @Test
    void aFullPodBesideAnAverageInBandIsShown() {
        io.github.milvusautoscaler.core.MetricsSource memory = (target, at) -> new io.github.milvusautoscaler.core
                .Observation(target, at, Map.of("memory", io.github.milvusautoscaler.core.Signal.knownPerPod("memory",
                0.64, 3, java.time.Duration.ZERO, new io.github.milvusautoscaler.core.Signal.PodValue(
                "my-release-milvus-querynode-0", 0.93))), io.github.milvusautoscaler.core.Settle.QUIET,
                io.github.milvusautoscaler.core.Health.OK, List.of());
        Engine engine = new Engine(new ManualClock(Instant.parse("2026-01-05T10:00:00Z")), memory, new FakeCluster(),
                d -> { }, () -> true, AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE);
        PolicySettings base = cpuPolicy().settings();
        engine.tick(new EngineTarget(A, new Policy(new PolicySettings(base.minReplicas(), base.maxReplicas(),
                base.scaleOut(), base.scaleIn(), List.of(io.github.milvusautoscaler.policy.SignalPolicy.band("memory",
                0.80, 0.50)), base.alerts(), base.fallback()))));
        com.google.gson.JsonObject status = com.google.gson.JsonParser.parseString(HttpApi.statusOf(engine).get())
                .getAsJsonObject();
        com.google.gson.JsonObject signal = status.getAsJsonArray("targets").get(0).getAsJsonObject()
                .getAsJsonArray("signals").get(0).getAsJsonObject();
        assertEquals("{\"pod\":\"my-release-milvus-querynode-0\",\"value\":0.93}", signal.get("fullestPod").toString());
        assertTrue(StatusCommand.render(status).contains("memory 0.64 (fullest pod 0.93)"), StatusCommand.render(status));
    }

    @Test
    void printsATableWithSignalsDecisionAndWaits() {
        FakeMetrics metrics = new FakeMetrics();
        metrics.cpu.put(A, 0.82);
        Engine engine = new Engine(new ManualClock(Instant.parse("2026-01-05T10:00:00Z")), metrics, new FakeCluster(),
                d -> { }, () -> false, AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE);
        Policy policy = cpuPolicy();
        engine.tick(new EngineTarget(A, policy));
        try (HttpApi api = new HttpApi(io.github.milvusautoscaler.testsupport.HttpLimits.reference(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> { },
                HttpApi.statusOf(engine), Map.of())) {
            StringWriter out = new StringWriter();
            int code = new CommandLine(new StatusCommand()).setOut(new PrintWriter(out))
                    .execute("--url", "http://127.0.0.1:" + api.port());
            assertEquals(0, code);
            String table = out.toString();
            assertTrue(table.startsWith("role: follower"), table);
            // Follower: decided 3 -> 5 but wrote nothing, so current stays 3 and no cooldown runs.
            assertTrue(table.contains("milvus/my-release/queryNode"), table);
            assertTrue(table.contains("3/5/3 [1-10]"), table);
            assertTrue(table.contains("cpu 0.82 high"), table);
            assertTrue(table.contains("SCALE_OUT SIGNAL_HIGH"), table);
            assertTrue(table.contains("3 -> 5"), table);
        }
    }

    /**
     * The leader's write starts the cooldowns; the table names each wait in full and the time to the second. After a
     * scale-out the step-down waits for delay-after-scale-out (15m), named so, not as the scale-in cooldown (5m) it
     * was labelled before (recheck 10).
     */
    @Test
    void waitsAreNamedInFullAndTheTimeIsToTheSecond() {
        FakeMetrics metrics = new FakeMetrics();
        metrics.cpu.put(A, 0.82);
        Engine engine = new Engine(new ManualClock(Instant.parse("2026-01-05T10:00:00.931282931Z")), metrics,
                new FakeCluster(), d -> { }, () -> true, AlertSource.NONE, new ActionBudget(30), false,
                EngineListener.NONE);
        engine.tick(new EngineTarget(A, cpuPolicy()));
        String table = StatusCommand.render(com.google.gson.JsonParser.parseString(HttpApi.statusOf(engine).get())
                .getAsJsonObject());
        assertTrue(table.startsWith("role: leader  at 2026-01-05T10:00:00Z\n"), table);
        assertTrue(table.contains("WAITS (time left)"), table);
        assertTrue(table.contains("scale-out cooldown 3m0s, delay-after-scale-out 15m0s"), table);
    }

    /** A hold that sustains a LOW shows the sustain it waits out among the waits (recheck 60, F5). */
    @Test
    void aSustainingHoldShowsItsSustainAmongTheWaits() {
        FakeMetrics metrics = new FakeMetrics();
        metrics.cpu.put(A, 0.2);
        ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
        Engine engine = new Engine(clock, metrics, new FakeCluster(), d -> { }, () -> true, AlertSource.NONE,
                new ActionBudget(30), false, EngineListener.NONE);
        engine.tick(new EngineTarget(A, cpuPolicy()));
        clock.advance(java.time.Duration.ofSeconds(30));
        engine.tick(new EngineTarget(A, cpuPolicy()));
        String table = StatusCommand.render(com.google.gson.JsonParser.parseString(HttpApi.statusOf(engine).get())
                .getAsJsonObject());
        assertTrue(table.contains("HOLD SUSTAINING_LOW"), table);
        assertTrue(table.contains("scale-in sustain "), table);
    }

    /** The status document after one tick of A at cpu 0.5, in band on 3 replicas, as leader or follower. */
    private static com.google.gson.JsonObject inBandDocument(boolean leader) {
        FakeMetrics metrics = new FakeMetrics();
        metrics.cpu.put(A, 0.5);
        Engine engine = new Engine(new ManualClock(Instant.parse("2026-01-05T10:00:00Z")), metrics, new FakeCluster(),
                d -> { }, () -> leader, AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE);
        engine.tick(new EngineTarget(A, cpuPolicy()));
        return com.google.gson.JsonParser.parseString(HttpApi.statusOf(engine).get()).getAsJsonObject();
    }

    /**
     * A rollout that has read the same for 10 minutes is said in the table beside ROLLOUT, with since when, as the log's
     * WARN says it (recheck 37, R2: only the log did); a document from a daemon that sends no such field reads as before.
     */
    @Test
    void anUnmovedRolloutIsSaidBesideRolloutInTheTable() {
        com.google.gson.JsonObject doc = inBandDocument(true);
        com.google.gson.JsonObject t = doc.getAsJsonArray("targets").get(0).getAsJsonObject();
        assertEquals(false, t.get("rolloutUnmoved").getAsBoolean(), t.toString());
        assertTrue(t.get("rolloutReadsSameSince").isJsonNull(), t.toString());
        t.addProperty("rollout", true);
        t.addProperty("rolloutReadsSameSince", "2026-01-05T09:48:00Z");
        t.addProperty("rolloutUnmoved", true);
        assertTrue(StatusCommand.render(doc).contains("3/3/3 [1-10] ROLLOUT (unmoved since 2026-01-05T09:48:00Z)"),
                StatusCommand.render(doc));
        t.remove("rolloutReadsSameSince");
        t.remove("rolloutUnmoved");
        String older = StatusCommand.render(doc);
        assertTrue(older.contains("3/3/3 [1-10] ROLLOUT ") && !older.contains("unmoved"), older);
    }

    /**
     * A follower says who leads, from the holder it last read on the Lease (recheck 39's remark: "role: follower"
     * alone); the leader and a daemon that sends no such field read as before.
     */
    @Test
    void aFollowerNamesTheLeaseHolder() {
        com.google.gson.JsonObject doc = inBandDocument(false);
        assertTrue(StatusCommand.render(doc).startsWith("role: follower  at "), "no field: as before");
        Daemon.withLease(doc, "milvus-autoscaler-7f9c-b", java.util.Optional.of("milvus-autoscaler-7f9c-a"));
        assertEquals("milvus-autoscaler-7f9c-a", doc.get("leaseHolder").getAsString());
        assertTrue(StatusCommand.render(doc).startsWith("role: follower (the Lease names milvus-autoscaler-7f9c-a)  at "),
                StatusCommand.render(doc));
        Daemon.withLease(doc, "milvus-autoscaler-7f9c-b", java.util.Optional.empty());
        assertTrue(doc.get("leaseHolder").isJsonNull(), doc.toString());
        assertTrue(StatusCommand.render(doc).startsWith("role: follower (no holder read on the Lease yet)  at "),
                StatusCommand.render(doc));
        Daemon.withLease(doc, "milvus-autoscaler-7f9c-b", java.util.Optional.of("milvus-autoscaler-7f9c-b"));
        assertTrue(StatusCommand.render(doc).startsWith("role: follower (the Lease still names this replica,"
                + " milvus-autoscaler-7f9c-b: stopping, or its renewals fail)  at "), StatusCommand.render(doc));
        doc.addProperty("role", "leader");
        assertTrue(StatusCommand.render(doc).startsWith("role: leader  at "), StatusCommand.render(doc));
    }

    /**
     * Two of three ready pods report cpu just after a scale-out: the policy reads it UNKNOWN (the third's load would be
     * hidden), and the status says so, where its problem was empty (recheck 24, F3).
     */
    @Test
    void aSignalFewerPodsReportThanAreReadySaysSo() {
        io.github.milvusautoscaler.core.MetricsSource partial = (t, at) -> new io.github.milvusautoscaler.core.Observation(
                t, at, Map.of("cpu", io.github.milvusautoscaler.core.Signal.known("cpu", 0.5, 2, Duration.ZERO)),
                io.github.milvusautoscaler.core.Settle.QUIET, io.github.milvusautoscaler.core.Health.OK, List.of());
        Engine engine = new Engine(new ManualClock(Instant.parse("2026-01-05T10:00:00Z")), partial, new FakeCluster(),
                d -> { }, () -> false, AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE);
        engine.tick(new EngineTarget(A, cpuPolicy()));
        com.google.gson.JsonObject cpu = com.google.gson.JsonParser.parseString(HttpApi.statusOf(engine).get())
                .getAsJsonObject().getAsJsonArray("targets").get(0).getAsJsonObject().getAsJsonArray("signals").get(0)
                .getAsJsonObject();
        assertEquals("UNKNOWN", cpu.get("state").getAsString(), cpu.toString());
        assertEquals("only 2 of 3 ready pods reporting", cpu.get("problem").getAsString(), cpu.toString());
    }

    @Test
    void aSignalThatDoesNotApplyIsNotApplicableInTheDocumentAndNAInTheTable() throws Exception {
        FakeMetrics metrics = new FakeMetrics();
        String why = "queryNode's 2 pods declare no CPU request on their querynode container (set spec.components.queryNode.resources.requests.cpu"
                + " in the Milvus resource)";
        metrics.cpuNotApplicable.put(A, why);
        Engine engine = new Engine(new ManualClock(Instant.parse("2026-01-05T10:00:00Z")), metrics, new FakeCluster(),
                d -> { }, () -> false, AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE);
        engine.tick(new EngineTarget(A, cpuPolicy()));
        String document = HttpApi.statusOf(engine).get();
        com.google.gson.JsonObject cpu = com.google.gson.JsonParser.parseString(document).getAsJsonObject()
                .getAsJsonArray("targets").get(0).getAsJsonObject().getAsJsonArray("signals").get(0).getAsJsonObject();
        assertEquals("NOT_APPLICABLE", cpu.get("state").getAsString());
        assertEquals(why, cpu.get("problem").getAsString());
        String out = statusTableOf(engine);
        assertTrue(out.contains("cpu n/a"), out);
        // the only signal left out: nothing to decide on, a hold that says why
        assertTrue(out.contains("HOLD ALL_SIGNALS_UNKNOWN"), out);
    }

    @Test
    void showsTheSeasonalForecastNextToTheValueAndWhyWithoutOne() throws Exception {
        Instant now = Instant.parse("2026-01-19T08:00:00Z");
        // Two weeks of 2.4 nodes of cpu load on a 5m grid, 3.0 from 08:30 to 09:00 every day: it repeats exactly,
        // so it is forecast: 2.4 within the 5m lead at 08:00, 3.0 within the 150m horizon.
        double[] flat = dailyHalfHourAt0830();
        io.github.milvusautoscaler.core.LoadHistory history = new io.github.milvusautoscaler.core.LoadHistory(
                now.minus(Duration.ofDays(14)), Duration.ofMinutes(5), now, Map.of("cpu", flat));
        Target b = new Target("milvus", "no-history", Component.QUERY_NODE, InstallKind.OPERATOR);
        FakeMetrics metrics = new FakeMetrics();
        metrics.cpu.put(A, 0.60);
        metrics.cpu.put(b, 0.60);
        Engine engine = new Engine(new ManualClock(now), metrics, new FakeCluster(), d -> { }, () -> false,
                AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE,
                (t, at) -> t.equals(A) ? history : io.github.milvusautoscaler.core.LoadHistory.NONE);
        PolicySettings settings = forecasting();
        engine.tick(new EngineTarget(A, new Policy(settings)));
        engine.tick(new EngineTarget(b, new Policy(settings)));
        try (HttpApi api = new HttpApi(io.github.milvusautoscaler.testsupport.HttpLimits.reference(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> { }, HttpApi.statusOf(engine), Map.of())) {
            StringWriter out = new StringWriter();
            int code = new CommandLine(new StatusCommand()).setOut(new PrintWriter(out))
                    .execute("--url", "http://127.0.0.1:" + api.port());
            assertEquals(0, code);
            String table = out.toString();
            // 2.4 nodes of load on 3 replicas: 0.80 per replica, beside the value 0.60.
            String a = table.lines().filter(l -> l.contains("my-release")).findFirst().orElseThrow();
            String nb = table.lines().filter(l -> l.contains("no-history")).findFirst().orElseThrow();
            assertTrue(a.contains("cpu 0.60 (forecast 0.80)"), table);
            assertTrue(nb.contains("cpu 0.60 (forecast unknown)"), table);
            // The API gives both as load too: the lead's 2.4 and the horizon's 3.0; null without a forecast.
            java.net.http.HttpResponse<String> status = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + api.port()
                            + "/api/v1/status")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            com.google.gson.JsonArray targets = com.google.gson.JsonParser.parseString(status.body()).getAsJsonObject()
                    .getAsJsonArray("targets");
            Map<String, com.google.gson.JsonObject> cpu = new java.util.HashMap<>();
            for (com.google.gson.JsonElement t : targets) {
                com.google.gson.JsonObject o = t.getAsJsonObject();
                cpu.put(o.get("name").getAsString(), o.getAsJsonArray("signals").get(0).getAsJsonObject());
            }
            assertEquals(2.4, cpu.get("my-release").get("forecastLoad").getAsDouble(), 1e-9, status.body());
            assertEquals(3.0, cpu.get("my-release").get("forecastHorizonLoad").getAsDouble(), 1e-9, status.body());
            assertTrue(cpu.get("no-history").get("forecastHorizonLoad").isJsonNull(), status.body());
            // and says why, in the words `signals` prints (backtest recheck F6); null beside a forecast.
            assertEquals("no history of it read yet", cpu.get("no-history").get("forecastUnknown").getAsString(),
                    status.body());
            assertTrue(cpu.get("my-release").get("forecastUnknown").isJsonNull(), status.body());
            // memory is no load per replica, never forecast: no reason beside cpu's forecast (recheck 21).
            com.google.gson.JsonObject memory = com.google.gson.JsonParser.parseString(status.body()).getAsJsonObject()
                    .getAsJsonArray("targets").get(0).getAsJsonObject().getAsJsonArray("signals").get(1)
                    .getAsJsonObject();
            assertEquals("memory", memory.get("name").getAsString(), status.body());
            assertTrue(memory.get("forecastUnknown").isJsonNull(), status.body());
            // With the trusted forecast the policy reads cpu HIGH above 1.13 x 0.75 = 0.8475; without, 0.75.
            assertEquals(0.8475, cpu.get("my-release").get("line").getAsDouble(), 1e-12, status.body());
            assertEquals(0.75, cpu.get("no-history").get("line").getAsDouble(), 1e-12, status.body());
        }
    }

    /** Two weeks on a 5m grid from 08:00: 2.4 nodes of cpu load, 3.0 from 08:30 to 09:00 every day. */
    private static double[] dailyHalfHourAt0830() {
        double[] load = new double[14 * 288];
        for (int i = 0; i < load.length; i++) {
            int minuteOfDay = (480 + i * 5) % 1440; // the history starts at 08:00, 14 days back
            load[i] = minuteOfDay >= 510 && minuteOfDay < 540 ? 3.0 : 2.4;
        }
        return load;
    }

    /** cpu and memory bands, forecasting on with a 5m lead and a 150m horizon. */
    private static PolicySettings forecasting() {
        return new PolicySettings(1, 10,
                new ScaleOutSettings(Duration.ZERO, Duration.ofMinutes(3), 2, 1.5),
                new ScaleInSettings(Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofMinutes(15),
                        Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofMinutes(30)),
                List.of(SignalPolicy.band("cpu", 0.75, 0.40), SignalPolicy.band("memory", 0.85, 0.50)),
                new AlertSettings(1, Duration.ofMinutes(5)),
                new FallbackSettings(Duration.ofMinutes(10), FallbackSettings.Mode.HOLD, 2),
                io.github.milvusautoscaler.policy.ForecastSettings.on(Duration.ofMinutes(5), Duration.ofMinutes(150),
                        Duration.ofDays(2), 0.2), List.of());
    }

    @Test
    void theForecastSaysTheRequestItWasPutIn() throws Exception {
        // Rechecks 83 and 85 (R3): status showed a converted forecast with no word of the conversion. The history was
        // read while the pods requested 2 cores each (kube-state-metrics' kube_pod_container_resource_requests,
        // queries.cpu-request); they serve with 1 core now (a cut, or an in-place resize, KEP-1287). The lead's 2.4
        // nodes of 2 cores are 2.4 x 2 / 1 = 4.8 nodes of 1 core. Target b's pods' request cannot be read, and its
        // FakeCluster template declares none: its forecast stays as read, 2.4 nodes of 2 cores.
        Instant now = Instant.parse("2026-01-19T08:00:00Z");
        double[] load = dailyHalfHourAt0830();
        double[] twoCores = new double[load.length];
        java.util.Arrays.fill(twoCores, 2.0);
        io.github.milvusautoscaler.core.LoadHistory history = new io.github.milvusautoscaler.core.LoadHistory(
                now.minus(Duration.ofDays(14)), Duration.ofMinutes(5), now, Map.of("cpu", load),
                Map.of("cpu", twoCores));
        Target b = new Target("milvus", "unread-request", Component.QUERY_NODE, InstallKind.OPERATOR);
        FakeMetrics metrics = new FakeMetrics();
        metrics.cpu.put(A, 0.60);
        metrics.cpu.put(b, 0.60);
        metrics.cpuRequest.put(A, 1.0);
        Engine engine = new Engine(new ManualClock(now), metrics, new FakeCluster(), d -> { }, () -> false,
                AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE, (t, at) -> history);
        engine.tick(new EngineTarget(A, new Policy(forecasting())));
        engine.tick(new EngineTarget(b, new Policy(forecasting())));
        String status = statusOf(engine);
        Map<String, com.google.gson.JsonObject> cpu = new java.util.HashMap<>();
        for (com.google.gson.JsonElement t : com.google.gson.JsonParser.parseString(status)
                .getAsJsonObject().getAsJsonArray("targets")) {
            com.google.gson.JsonObject o = t.getAsJsonObject();
            cpu.put(o.get("name").getAsString(), o.getAsJsonArray("signals").get(0).getAsJsonObject());
        }
        com.google.gson.JsonObject served = cpu.get("my-release");
        assertEquals(4.8, served.get("forecastLoad").getAsDouble(), 1e-9, status);
        assertEquals(1.0, served.get("forecastUnitPerPod").getAsDouble(), 1e-12, status);
        assertTrue(served.get("forecastBasis").getAsString().endsWith(
                "read in a CPU request of 2 cores per pod: x 2.00 for the serving pods' 1 core"), status);
        com.google.gson.JsonObject asRead = cpu.get("unread-request");
        assertEquals(2.4, asRead.get("forecastLoad").getAsDouble(), 1e-9, status);
        assertEquals(2.0, asRead.get("forecastUnitPerPod").getAsDouble(), 1e-12, status);
        assertFalse(asRead.get("forecastBasis").getAsString().contains(" x "), status);
        // memory has no forecast: neither field says anything.
        com.google.gson.JsonObject memory = com.google.gson.JsonParser.parseString(status).getAsJsonObject()
                .getAsJsonArray("targets").get(0).getAsJsonObject().getAsJsonArray("signals").get(1)
                .getAsJsonObject();
        assertTrue(memory.get("forecastBasis").isJsonNull(), status);
        assertTrue(memory.get("forecastUnitPerPod").isJsonNull(), status);
    }

    /**
     * A history read across a request change is put in its last point's request at the read, and the forecast's basis
     * says so (recheck 90, F5: the number was right, 2 x the 2-core reading, and the basis had no word of it). The
     * pods requested 2 cores until 40 minutes ago and 1 core since (kube-state-metrics'
     * kube_pod_container_resource_requests, queries.cpu-request), so the last 2-core point is 07:15 and every point
     * the forecast reads (1d and 7d ago) is 2.4 nodes of 2 cores, 4.8 of 1; the pods serve with 1 core, as the last
     * point: nothing converts at the tick.
     */
    @Test
    void aForecastReadAcrossARequestChangeSaysItWasPutInTheLastPointsRequest() throws Exception {
        Instant now = Instant.parse("2026-01-19T08:00:00Z");
        double[] load = dailyHalfHourAt0830();
        double[] requests = new double[load.length];
        Instant start = now.minus(Duration.ofDays(14));
        for (int i = 0; i < requests.length; i++) {
            requests[i] = start.plus(Duration.ofMinutes(5L * i)).isBefore(now.minus(Duration.ofMinutes(40))) ? 2.0 : 1.0;
        }
        io.github.milvusautoscaler.core.LoadHistory history = new io.github.milvusautoscaler.core.LoadHistory(start,
                Duration.ofMinutes(5), now, Map.of("cpu", load), Map.of("cpu", requests)).inUnitsOfItsLast();
        FakeMetrics metrics = new FakeMetrics();
        metrics.cpu.put(A, 0.60);
        metrics.cpuRequest.put(A, 1.0);
        Engine engine = new Engine(new ManualClock(now), metrics, new FakeCluster(), d -> { }, () -> false,
                AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE, (t, at) -> history);
        engine.tick(new EngineTarget(A, new Policy(forecasting())));
        String status = statusOf(engine);
        com.google.gson.JsonObject cpu = com.google.gson.JsonParser.parseString(status).getAsJsonObject()
                .getAsJsonArray("targets").get(0).getAsJsonObject().getAsJsonArray("signals").get(0)
                .getAsJsonObject();
        assertEquals(4.8, cpu.get("forecastLoad").getAsDouble(), 1e-9, status);
        assertEquals(1.0, cpu.get("forecastUnitPerPod").getAsDouble(), 1e-12, status);
        assertEquals("the lower of the same time 1d and 7d ago, its history read in a CPU request of 2 cores per pod"
                + " until 2026-01-19T07:15:00Z and put in its last point's 1 core",
                cpu.get("forecastBasis").getAsString(), status);
    }

    /**
     * qps, whose default template divides the searches by the component's ready replicas as kube-state-metrics
     * reports them (queries.component-ready: kube_deployment_status_replicas_ready), divided by 2 where the object has
     * 3 ready (kube-state-metrics a scrape behind): the policy reads it over the 3 (150 x 2/3 = 100), and status says
     * so, the count in the JSON and "(query's x 2/3 ready)" in the table, where the value shown matched no query and
     * nothing said why (recheck 100, F1). qps band [80, 150].
     */
    @Test
    void aValueDividedByTheObjectsReadyCountSaysSo() throws Exception {
        Instant now = Instant.parse("2026-01-19T08:00:00Z");
        io.github.milvusautoscaler.core.MetricsSource lagging = (t, at) -> new io.github.milvusautoscaler.core.Observation(
                t, at, Map.of("qps", io.github.milvusautoscaler.core.Signal.known("qps", 150, 0, Duration.ZERO)
                .withReadyDividedBy(2)), io.github.milvusautoscaler.core.Settle.QUIET,
                io.github.milvusautoscaler.core.Health.OK, java.util.List.of());
        Engine engine = new Engine(new ManualClock(now), lagging, new FakeCluster(), d -> { }, () -> false,
                AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE);
        PolicySettings f = forecasting();
        engine.tick(new EngineTarget(A, new Policy(new PolicySettings(f.minReplicas(), f.maxReplicas(), f.scaleOut(),
                f.scaleIn(), List.of(SignalPolicy.band("qps", 150, 80)), f.alerts(), f.fallback(),
                io.github.milvusautoscaler.policy.ForecastSettings.OFF, List.of()))));
        com.google.gson.JsonObject qps = com.google.gson.JsonParser.parseString(statusOf(engine)).getAsJsonObject()
                .getAsJsonArray("targets").get(0).getAsJsonObject().getAsJsonArray("signals").get(0).getAsJsonObject();
        assertEquals(100, qps.get("value").getAsDouble(), 1e-9, qps.toString());
        assertEquals(2, qps.get("queryReadyCount").getAsInt(), qps.toString());
        String out = statusTableOf(engine);
        assertTrue(out.contains("qps 100 (query's x 2/3 ready)"), out);
    }

    /**
     * A scheduled floor in force is shown whatever the last decision was: with Prometheus away, a Sun 02:45-03:10
     * Europe/Berlin floor of 5 wrote 2 -> 5 at its start and every tick after read ALL_SIGNALS_UNKNOWN at 5 of
     * [2-10], with no word of the floor in status, the table or the metrics (recheck 101, F2). 2026-10-25 is the
     * night Berlin's clocks go back at 01:00 UTC (tzdata Rule EU), so 03:10 is CET, 02:10 UTC, 85 minutes on.
     */
    @Test
    void aScheduledFloorInForceIsShownWhateverTheLastDecision() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-10-25T00:45:09Z"));
        io.github.milvusautoscaler.core.MetricsSource away = (t, at) -> new io.github.milvusautoscaler.core.Observation(
                t, at, Map.of("cpu", io.github.milvusautoscaler.core.Signal.unknown("cpu", "prometheus unreachable")),
                io.github.milvusautoscaler.core.Settle.QUIET, io.github.milvusautoscaler.core.Health.OK, List.of());
        FakeCluster cluster = new FakeCluster();
        cluster.replicas.put(A, 2);
        Engine engine = new Engine(clock, away, cluster, d -> { }, () -> true, AlertSource.NONE, new ActionBudget(30),
                false, EngineListener.NONE);
        PolicySettings f = cpuPolicy().settings();
        Policy floored = new Policy(new PolicySettings(2, 10, f.scaleOut(), f.scaleIn(), f.signals(), f.alerts(),
                f.fallback(), io.github.milvusautoscaler.policy.ForecastSettings.OFF, List.of(
                        new io.github.milvusautoscaler.policy.ScheduledFloor(java.time.ZoneId.of("Europe/Berlin"),
                                java.util.EnumSet.of(java.time.DayOfWeek.SUNDAY), java.time.LocalTime.of(2, 45),
                                java.time.LocalTime.of(3, 10), 5))));
        var up = engine.tick(new EngineTarget(A, floored));
        assertEquals(io.github.milvusautoscaler.core.Reason.SCHEDULED_FLOOR, up.reason(), up.message().text());
        assertTrue(up.message().text().endsWith("(Sun 02:45-03:10 Europe/Berlin min-replicas 5, until Sun 03:10 CET);"
                + " 2 -> 5"), up.message().text());
        clock.advance(Duration.ofSeconds(15));
        var held = engine.tick(new EngineTarget(A, floored));
        assertEquals(io.github.milvusautoscaler.core.Reason.ALL_SIGNALS_UNKNOWN, held.reason(), held.message().text());

        com.google.gson.JsonObject t = com.google.gson.JsonParser.parseString(statusOf(engine)).getAsJsonObject()
                .getAsJsonArray("targets").get(0).getAsJsonObject();
        assertEquals(com.google.gson.JsonParser.parseString("{\"replicas\": 5, \"windows\": \"Sun 02:45-03:10"
                + " Europe/Berlin min-replicas 5\", \"until\": \"2026-10-25T02:10:00Z\", \"untilLocal\":"
                + " \"Sun 03:10 CET\"}"), t.get("scheduledFloor"));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        io.github.milvusautoscaler.server.SelfMetrics self = new io.github.milvusautoscaler.server.SelfMetrics(registry,
                () -> true, false);
        self.refresh(engine);
        assertEquals(5, registry.get(io.github.milvusautoscaler.core.MetricNames.REPLICAS).tag("kind", "scheduled_floor")
                .gauge().value());
        String out = statusTableOf(engine);
        assertTrue(out.contains("5/5/5 [2-10] scheduled floor 5 until Sun 03:10 CET"), out);

        clock.advance(Duration.between(clock.instant(), Instant.parse("2026-10-25T02:10:00Z")));
        t = com.google.gson.JsonParser.parseString(statusOf(engine)).getAsJsonObject().getAsJsonArray("targets").get(0)
                .getAsJsonObject();
        assertTrue(t.get("scheduledFloor").isJsonNull(), t.toString());
        self.refresh(engine);
        assertEquals(0, registry.get(io.github.milvusautoscaler.core.MetricNames.REPLICAS).tag("kind", "scheduled_floor")
                .gauge().value());
    }

    /**
     * A tick whose object read failed reads no signal: each says why, where "not observed yet" read as a new target's
     * while Prometheus was up and the signal had been read for minutes (recheck 102, R3).
     */
    @Test
    void aSignalNotReadBecauseTheObjectWasNotSaysSo() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-19T08:00:00Z"));
        FakeMetrics metrics = new FakeMetrics();
        metrics.cpu.put(A, 0.5);
        FakeCluster cluster = new FakeCluster();
        Engine engine = new Engine(clock, metrics, cluster, d -> { }, () -> true, AlertSource.NONE, new ActionBudget(30),
                false, EngineListener.NONE);
        engine.tick(new EngineTarget(A, cpuPolicy()));
        com.google.gson.JsonObject cpu = com.google.gson.JsonParser.parseString(statusOf(engine)).getAsJsonObject()
                .getAsJsonArray("targets").get(0).getAsJsonObject().getAsJsonArray("signals").get(0).getAsJsonObject();
        assertEquals(0.5, cpu.get("value").getAsDouble(), 1e-9, cpu.toString());

        cluster.failRead.put(A, new io.github.milvusautoscaler.core.ActuationException(
                io.github.milvusautoscaler.core.ActuationException.Kind.UNAVAILABLE, "get deployments.apps failed: HTTP 503"));
        clock.advance(Duration.ofSeconds(15));
        engine.tick(new EngineTarget(A, cpuPolicy()));
        com.google.gson.JsonObject t = com.google.gson.JsonParser.parseString(statusOf(engine)).getAsJsonObject()
                .getAsJsonArray("targets").get(0).getAsJsonObject();
        assertEquals("not read this tick: the target's object could not be read (its problem says why)",
                t.getAsJsonArray("signals").get(0).getAsJsonObject().get("problem").getAsString(), t.toString());
        assertTrue(t.get("problem").getAsString().contains("HTTP 503"), t.toString());
    }

    /** What {@code status --url} prints of {@code engine}'s status, served from a server started and stopped here. */
    static String statusTableOf(Engine engine) throws Exception {
        try (HttpApi api = new HttpApi(io.github.milvusautoscaler.testsupport.HttpLimits.reference(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> { }, HttpApi.statusOf(engine), Map.of())) {
            StringWriter out = new StringWriter();
            assertEquals(0, new CommandLine(new StatusCommand()).setOut(new PrintWriter(out))
                    .execute("--url", "http://127.0.0.1:" + api.port()));
            return out.toString();
        }
    }

    /** {@code engine}'s {@code /api/v1/status} as a daemon serves it, from a server started and stopped here. */
    static String statusOf(Engine engine) throws Exception {
        try (HttpApi api = new HttpApi(io.github.milvusautoscaler.testsupport.HttpLimits.reference(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> { }, HttpApi.statusOf(engine), Map.of())) {
            return java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + api.port()
                            + "/api/v1/status")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    /** An exit code and what the command wrote to standard error. */
    record Run(int code, String err) {
    }

    /** {@code status --url url}, standard error kept. */
    static Run status(String url) {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new StatusCommand()).setErr(new PrintWriter(err)).execute("--url", url);
        return new Run(code, err.toString());
    }

    @Test
    void unreachableDaemonExitsOneNamingTheUrl() {
        Run r = status("http://127.0.0.1:1");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("cannot reach http://127.0.0.1:1"), r.err());
    }

    @Test
    void anUnreachableDaemonIsExplainedNotJustNamed() throws Exception {
        // A port that was free a moment ago: nothing listens, the connection is refused. The JDK client's
        // ConnectException has no message, nor have its causes.
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Run refused = status("http://127.0.0.1:" + port);
        assertEquals(1, refused.code());
        assertTrue(refused.err().strip().equals("status: cannot reach http://127.0.0.1:" + port
                + ": the connection was refused (is the daemon listening on that port?)"), refused.err());
        // A name that does not resolve (.invalid never does, RFC 2606) says so.
        assertEquals("status: cannot reach http://daemon.invalid:8080: the host name does not resolve",
                status("http://daemon.invalid:8080").err().strip());
    }

    @Test
    void aUrlWithAPasswordOrQueryIsPrintedWithoutThem() {
        Run r = status("http://admin:SECRET@127.0.0.1:1/?token=TOKEN");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("cannot reach http://***@127.0.0.1:1/?***"), r.err());
        assertTrue(!r.err().contains("SECRET") && !r.err().contains("TOKEN"), r.err());
        assertTrue(!r.err().contains("admin"), r.err());
    }

    /**
     * user:password@ in --url reaches a proxy in front of the daemon as basic auth (percent-decoded, as curl sends
     * it), the request line carries no user-info, and neither half appears in what the command prints.
     */
    @Test
    void aUrlWithUserInfoIsSentAsBasicAuthAndNeverPrinted() throws Exception {
        try (mockwebserver3.MockWebServer proxy = new mockwebserver3.MockWebServer()) {
            proxy.enqueue(new mockwebserver3.MockResponse.Builder().code(401).build());
            proxy.start(java.net.InetAddress.getLoopbackAddress(), 0);
            Run r = status("http://ops:p%40ss-SECRET@127.0.0.1:" + proxy.getPort() + "/autoscaler/");
            mockwebserver3.RecordedRequest sent = proxy.takeRequest();
            // base64("ops:p@ss-SECRET")
            assertEquals("Basic " + java.util.Base64.getEncoder().encodeToString("ops:p@ss-SECRET".getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)), sent.getHeaders().get("Authorization"));
            assertEquals("/autoscaler/api/v1/status", sent.getUrl().encodedPath());
            assertEquals(1, r.code());
            assertEquals("status: http://***@127.0.0.1:" + proxy.getPort() + "/autoscaler/api/v1/status answered HTTP 401",
                    r.err().strip());
        }
        // Without user-info no Authorization header is sent.
        try (mockwebserver3.MockWebServer daemon = new mockwebserver3.MockWebServer()) {
            daemon.enqueue(new mockwebserver3.MockResponse.Builder().code(503).build());
            daemon.start(java.net.InetAddress.getLoopbackAddress(), 0);
            assertEquals(1, status("http://127.0.0.1:" + daemon.getPort()).code());
            assertEquals(null, daemon.takeRequest().getHeaders().get("Authorization"));
        }
    }

    /**
     * A query in --url (a proxy that takes its token there) stays the query of the status request: the path went after
     * it, inside the query, and the request asked for / (recheck 16, finding 3).
     */
    @Test
    void aUrlWithAQueryAsksForTheStatusPathWithThatQuery() throws Exception {
        try (mockwebserver3.MockWebServer proxy = new mockwebserver3.MockWebServer()) {
            proxy.enqueue(new mockwebserver3.MockResponse.Builder().code(401).build());
            proxy.start(java.net.InetAddress.getLoopbackAddress(), 0);
            Run r = status("http://127.0.0.1:" + proxy.getPort() + "/autoscaler/?token=QTOK");
            mockwebserver3.RecordedRequest sent = proxy.takeRequest();
            assertEquals("/autoscaler/api/v1/status", sent.getUrl().encodedPath());
            assertEquals("token=QTOK", sent.getUrl().encodedQuery());
            assertEquals(1, r.code());
            assertFalse(r.err().contains("QTOK"), r.err());
        }
        assertEquals("http://d:8080/api/v1/status#top", StatusCommand.statusEndpoint("http://d:8080#top"));
        assertEquals("http://d:8080/api/v1/status", StatusCommand.statusEndpoint("http://d:8080/"));
    }

    @Test
    void aUrlThatDoesNotParseIsPrintedWithoutItsPassword() {
        Run r = status("http://admin:SECRET@127.0.0.1:1/a b");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bad --url http://***@127.0.0.1:1/a b"), r.err());
        assertTrue(!r.err().contains("SECRET"), r.err());
    }

    /** A typo that empties the authority (http:///) leaves the user-info in the path: it is masked there too. */
    @Test
    void aPasswordAfterAnEmptyAuthorityIsNotPrinted() {
        Run r = status("http:///alice:PWX1@127.0.0.1");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("status: bad --url http:///***@127.0.0.1: "), r.err());
        assertTrue(!r.err().contains("PWX1") && !r.err().contains("alice"), r.err());
    }

    @Test
    void aUrlWithoutSchemeIsBadUsageSayingWhatIsMissing() {
        Run r = status("127.0.0.1:1");
        assertEquals(2, r.code());
        assertEquals("status: --url 127.0.0.1:1 needs http:// or https:// in front (e.g. --url http://127.0.0.1:1)",
                r.err().strip());
    }

    /** What one status command printed and returned. */
    private record Ran(int code, String out, String err) {
    }

    /** Runs status with {@code args} against a daemon stand-in on loopback that answers {@code body}, then stops it. */
    private static Ran statusAnswered(String body, String... args) throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/status", ex -> {
            byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
        try {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of(
                    "--url", "http://127.0.0.1:" + server.getAddress().getPort())).toArray(String[]::new);
            int code = new CommandLine(new StatusCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                    .execute(all);
            return new Ran(code, out.toString(), err.toString());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anAnswerWithoutAFieldIsOneLineNamingTheField() throws Exception {
        for (Map.Entry<String, String> c : Map.of(
                "{}", "without the field role",
                "{\"role\":\"leader\",\"dryRun\":false,\"time\":\"t\",\"targets\":[{\"target\":\"a\"}]}",
                "without the field targets[0].replicas",
                "{\"role\":\"leader\",\"dryRun\":\"no\",\"time\":\"t\",\"targets\":[]}",
                "with dryRun = \"no\", not the expected kind of value").entrySet()) {
            String body = c.getKey();
            Ran r = statusAnswered(body);
            assertEquals(1, r.code(), body + " -> " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(c.getValue()), body + " -> " + r.err());
            assertTrue(!r.err().contains("Exception"), r.err());
        }
    }

    /**
     * --json prints the body as it came only after the table's check: an ingress error page or a {} exits 1 with
     * the table's one line and prints nothing on standard output, so {@code status --json | jq} fails.
     */
    @Test
    void jsonModeChecksTheDocumentAsTheTableDoes() throws Exception {
        String valid = "{\"role\":\"leader\",\"dryRun\":false,\"time\":\"2026-01-05T10:00:00Z\",\"targets\":[]}";
        for (Map.Entry<String, String> c : Map.of(
                "not json at all <html>", "answered something that is not JSON",
                "{}", "without the field role",
                "[1, 2]", "answered JSON that is not a status object",
                valid, "").entrySet()) {
            String body = c.getKey();
            Ran r = statusAnswered(body, "--json");
            if (body.equals(valid)) {
                assertEquals(0, r.code(), r.err());
                assertEquals(valid, r.out().strip(), "the body as it came");
                assertEquals("", r.err());
            } else {
                assertEquals(1, r.code(), body + " -> " + r.out() + r.err());
                assertEquals("", r.out(), "nothing for jq to read");
                assertEquals(1, r.err().strip().lines().count(), r.err());
                assertTrue(r.err().contains(c.getValue()), body + " -> " + r.err());
            }
        }
    }

    /**
     * An unavailable target's reason is in its decision's message and in its problem; the footer prints it once
     * ("... (not_found): X", not "... (not_found): X  [problem: X]"). A problem the message does not carry (a
     * failed write after a decision) is still added.
     */
    @Test
    void anUnavailableTargetsReasonIsPrintedOnce() {
        String why = "Milvus milvus/my-release not found (404): is the release name right?";
        FakeCluster cluster = new FakeCluster();
        cluster.failRead.put(A, new io.github.milvusautoscaler.core.ActuationException(
                io.github.milvusautoscaler.core.ActuationException.Kind.NOT_FOUND, why));
        Engine engine = new Engine(new ManualClock(Instant.parse("2026-01-05T10:00:00Z")), new FakeMetrics(), cluster,
                d -> { }, () -> true, AlertSource.NONE, new ActionBudget(30), false, EngineListener.NONE);
        engine.tick(new EngineTarget(A, cpuPolicy()));
        com.google.gson.JsonObject status = com.google.gson.JsonParser.parseString(HttpApi.statusOf(engine).get())
                .getAsJsonObject();
        String table = StatusCommand.render(status);
        assertEquals(1, table.split(java.util.regex.Pattern.quote(why), -1).length - 1, table);
        assertTrue(table.contains("milvus/my-release/queryNode: queryNode target unavailable (not_found): " + why + "\n"),
                table);

        com.google.gson.JsonObject target = status.getAsJsonArray("targets").get(0).getAsJsonObject();
        target.addProperty("problem", "write refused: 403");
        assertTrue(StatusCommand.render(status).contains(why + "  [problem: write refused: 403]"),
                StatusCommand.render(status));

        // The count's writer when it is not milvus-autoscaler (its own writes are no news), from countSetBy.
        target.addProperty("countSetBy", "helm (Apply at 2026-01-05T09:58:00Z)");
        assertTrue(StatusCommand.render(status).contains("  [problem: write refused: 403]  [count last set by helm"
                + " (Apply at 2026-01-05T09:58:00Z)]\n"), StatusCommand.render(status));
        target.addProperty("countSetBy", "milvus-autoscaler (Update at 2026-01-05T09:59:00Z)");
        assertFalse(StatusCommand.render(status).contains("count last set by"), StatusCommand.render(status));
    }

    @Test
    void aFollowerThatCannotReachTheApiServerSaysSoUnderTheRole() {
        com.google.gson.JsonObject status = com.google.gson.JsonParser.parseString(
                "{\"role\":\"follower\",\"dryRun\":false,\"time\":\"2026-01-05T10:00:00Z\",\"targets\":[],"
                        + "\"kubernetes\":{\"server\":\"10.96.0.1:443\",\"reachable\":false,"
                        + "\"unreachableSince\":\"2026-01-05T09:58:00Z\",\"cause\":\"ConnectException: Connection refused\"}}")
                .getAsJsonObject();
        String table = StatusCommand.render(status);
        assertEquals("kubernetes: API server 10.96.0.1:443 unreachable since 2026-01-05T09:58:00Z: "
                + "ConnectException: Connection refused", table.lines().skip(1).findFirst().orElseThrow(), table);
        status.getAsJsonObject("kubernetes").addProperty("reachable", true);
        assertTrue(!StatusCommand.render(status).contains("kubernetes"), StatusCommand.render(status));

        // Reachable, but the Lease's update answers 500: why this replica does not lead (recheck 39's remark).
        status.getAsJsonObject("kubernetes").add("failingCalls", com.google.gson.JsonParser.parseString(
                "[{\"call\":\"PUT /apis/coordination.k8s.io/v1/namespaces/ops/leases/milvus-autoscaler\","
                        + "\"failingSince\":\"2026-01-05T09:59:10Z\",\"lastFailure\":\"2026-01-05T09:59:58Z\","
                        + "\"cause\":\"HTTP 500\"}]"));
        table = StatusCommand.render(status);
        assertEquals("kubernetes: PUT /apis/coordination.k8s.io/v1/namespaces/ops/leases/milvus-autoscaler failing"
                + " since 2026-01-05T09:59:10Z: HTTP 500", table.lines().skip(1).findFirst().orElseThrow(), table);

        // Credentials that gave no token: nothing is sent, "reachable" is no evidence, and this says why nothing
        // works (recheck 81, F3: status said reachable with server "" alone).
        status.getAsJsonObject("kubernetes").remove("failingCalls");
        status.getAsJsonObject("kubernetes").addProperty("credentials", "no Kubernetes token: the exec plugin"
                + " /usr/local/bin/aws of the kubeconfig's user has not answered for 44s; waiting for it");
        table = StatusCommand.render(status);
        assertEquals("kubernetes: no request sent: no Kubernetes token: the exec plugin /usr/local/bin/aws of the"
                + " kubeconfig's user has not answered for 44s; waiting for it", table.lines().skip(1).findFirst()
                .orElseThrow(), table);
    }

    /**
     * The daemon's status names the API server and why nothing is sent while a kubeconfig's credentials plugin has
     * given no token, before any request (none runs the plugin here): it said "reachable" with server "" (recheck 81,
     * F3). A kubeconfig as `aws eks update-kubeconfig` writes it, an exec user (kubectl's kubeconfig reference).
     */
    @Test
    void theDaemonsStatusSaysCredentialsThatGaveNoTokenYet(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path kubeconfig = dir.resolve("kubeconfig");
        java.nio.file.Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: eks, cluster: {server: "https://10.96.0.1:443"}}]
                contexts: [{name: eks, context: {cluster: eks, user: eks}}]
                current-context: eks
                users: [{name: eks, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws,
                  args: [eks, get-token, --cluster-name, prod], interactiveMode: Never}}}]
                """);
        var options = io.github.milvusautoscaler.testsupport.Kube.settings(kubeconfig.toString(), Duration.ofSeconds(7),
                1, Duration.ofMillis(1), true);
        var client = io.github.milvusautoscaler.actuate.ApiClients.create(
                io.github.milvusautoscaler.actuate.ApiClients.access(options), options);
        var watching = io.github.milvusautoscaler.actuate.ApiReachability.watch(client, java.time.Clock.systemUTC());
        com.google.gson.JsonObject k = Daemon.withKubernetes(new com.google.gson.JsonObject(), watching)
                .getAsJsonObject("kubernetes");
        assertEquals("10.96.0.1:443", k.get("server").getAsString(), k.toString());
        assertEquals("no Kubernetes token: the exec plugin aws of the kubeconfig's user has given none yet; asked again"
                + " every 15s", k.get("credentials").getAsString(), k.toString());
    }

    /** Prometheus queries failing say since when and why under the role (fault recheck 17, F5); nothing while fine. */
    @Test
    void failingPrometheusQueriesAreALineUnderTheRole() {
        com.google.gson.JsonObject status = com.google.gson.JsonParser.parseString(
                "{\"role\":\"leader\",\"dryRun\":false,\"time\":\"2026-01-05T10:00:00Z\",\"targets\":[],"
                        + "\"prometheus\":{\"server\":\"http://prometheus:9090\",\"failing\":true,"
                        + "\"failingSince\":\"2026-01-05T09:59:15Z\",\"cause\":\"prometheus unreachable:"
                        + " ConnectException: Failed to connect\"}}").getAsJsonObject();
        String table = StatusCommand.render(status);
        assertEquals("prometheus: queries to http://prometheus:9090 failing since 2026-01-05T09:59:15Z: prometheus"
                + " unreachable: ConnectException: Failed to connect", table.lines().skip(1).findFirst().orElseThrow(),
                table);
        status.getAsJsonObject("prometheus").addProperty("failing", false);
        assertTrue(!StatusCommand.render(status).contains("prometheus"), StatusCommand.render(status));
    }

    /** A leader's status with no targets and {@code fields} (JSON members) beside its role. */
    static com.google.gson.JsonObject leaderWith(String fields) {
        return com.google.gson.JsonParser.parseString("{\"role\":\"leader\",\"dryRun\":false,\"time\":"
                + "\"2026-01-05T10:00:00Z\",\"targets\":[]," + fields + "}").getAsJsonObject();
    }

    /** The table's line under the role line. */
    static String lineUnderRole(String table) {
        return table.lines().skip(1).findFirst().orElseThrow();
    }

    /** Restart-only keys pending (Daemon.withRestartPending) show in the table too, not only in --json (recheck F4). */
    @Test
    void restartPendingKeysAreALineUnderTheRole() {
        com.google.gson.JsonObject status = leaderWith("\"restartPending\":[\"loop.interval\",\"alerts.max-held\"]");
        String table = StatusCommand.render(status);
        assertEquals("restart pending: loop.interval, alerts.max-held (the config file sets them otherwise than what"
                + " runs; a restart applies them)", lineUnderRole(table), table);
        status.add("restartPending", new com.google.gson.JsonArray());
        assertTrue(!StatusCommand.render(status).contains("restart pending"), StatusCommand.render(status));
    }

    /** A refused reload (Daemon.withRestartPending's configRefused) is a line under the role, not only a metric. */
    @Test
    void aRefusedConfigIsALineUnderTheRole() {
        com.google.gson.JsonObject status = leaderWith("\"restartPending\":[],\"configRefused\":true");
        String table = StatusCommand.render(status);
        assertEquals("config: the file's last content was refused (the daemon's log names each error with its file and"
                + " line); the config before it runs", lineUnderRole(table), table);
        status.addProperty("configRefused", false);
        assertTrue(!StatusCommand.render(status).contains("config:"), StatusCommand.render(status));
    }
}
