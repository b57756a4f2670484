package io.github.milvusautoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import io.github.milvusautoscaler.config.InvalidConfigException;
import io.github.milvusautoscaler.core.Component;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimSettingsTest {

    @Test
    void referenceDefaults() {
        SimSettings s = SimSettings.defaults();
        assertEquals(Duration.ofSeconds(15), s.tick());
        assertEquals(8, s.peakNodes());
        assertTrue(s.initialReplicas().isEmpty());
        assertEquals(200, s.model().capacityQps());
        assertEquals(Duration.ofSeconds(60), s.model().startup());
        assertEquals(Duration.ofMinutes(3), s.model().warmup());
        assertEquals(Duration.ofMinutes(10), s.model().drain());
        assertEquals(0.1, s.model().rebalancePenalty());
        assertEquals(16L << 30, s.model().datasetBytes());
        assertEquals(2L << 30, s.model().nodeOverheadBytes());
        assertEquals(32L << 30, s.model().memoryLimitBytes());
        assertEquals(Duration.ofSeconds(30), s.scrape().interval());
        assertEquals(Duration.ofMinutes(2), s.scrape().rateWindow());
        assertEquals(SimSettings.RateFunction.IRATE, s.scrape().function());
        // The policy's lane reads the newest two scrapes, as the default cpu and qps templates' irate() does; the
        // newest is 7.5 s old at the first tick (half the 15 s tick: 15 s on average at a 30 s scrape).
        assertEquals(Duration.ofMillis(7500), s.scrape().sampleAge());
        assertEquals(new MetricsView(MetricsView.Source.PROMETHEUS_IRATE, Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ofMillis(7500)), MetricsView.prometheus(s.scrape()));
        assertEquals(0.85, s.score().hotAbove());
        assertEquals(Duration.ofMinutes(10), s.score().reversalWindow());
        assertEquals(new SimSettings.Hpa(0.1, Duration.ofSeconds(15), Duration.ofMinutes(5), Duration.ofMinutes(5),
                Duration.ofSeconds(15)), s.hpa());
        // Bounds and CPU band come from milvus-autoscaler.defaults: target = (0.40 + 0.75) / 2 = 0.575.
        assertEquals(1, s.bounds().minReplicas());
        assertEquals(10, s.bounds().maxReplicas());
        assertEquals(0.575, s.bounds().cpuTarget(), 1e-12);
    }

    /**
     * A config named by its bare file name, as from its own folder (`simulate --config main.conf`), keeps its
     * includes: the include used to be looked for on the classpath and dropped silently (peak 8, not 2). The files
     * sit in the working directory for the test only, since a bare name is relative to it.
     */
    @Test
    void aBareFileNameKeepsItsIncludes() throws IOException {
        String stem = "sim-include-" + java.util.UUID.randomUUID();
        Path main = Path.of(stem + ".conf");
        Path tuning = Path.of(stem + "-tuning.conf");
        try {
            Files.writeString(tuning, "milvus-autoscaler.sim.peak-nodes = 2\n");
            Files.writeString(main, "include \"" + tuning + "\"\n");
            assertEquals(null, main.getParent(), "a bare name");
            assertEquals(2, SimSettings.from(SimSettings.loadConfig(Optional.of(main)), Component.QUERY_NODE)
                    .peakNodes());
        } finally {
            Files.deleteIfExists(main);
            Files.deleteIfExists(tuning);
        }
    }

    @Test
    void aUserFileOverridesSimAndPolicyDefaults(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a.conf");
        Files.writeString(f, """
                milvus-autoscaler {
                  sim { capacity-qps = 150, initial-replicas = 3, hpa.tolerance = 0.2 }
                  defaults { max-replicas = 6, signals.cpu.target = 0.6 }
                }
                """);
        SimSettings s = SimSettings.from(SimSettings.loadConfig(Optional.of(f)), Component.QUERY_NODE);
        assertEquals(150, s.model().capacityQps());
        assertEquals(3, s.initialReplicas().getAsInt());
        assertEquals(0.2, s.hpa().tolerance());
        assertEquals(6, s.bounds().maxReplicas());
        assertEquals(0.6, s.bounds().cpuTarget());
    }

    @Test
    void aTypoInTheSimBlockIsRefusedWithFileAndLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("typo.conf");
        Files.writeString(f, "milvus-autoscaler.sim {\n  capasity-qps = 150\n}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> SimSettings.loadConfig(Optional.of(f)));
        assertTrue(e.getMessage().contains("typo.conf: 2"), e.getMessage());
        assertTrue(e.getMessage().contains("milvus-autoscaler.sim.capasity-qps"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown key"), e.getMessage());
    }

    @Test
    void everyBadValueIsReportedAtOnce(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.conf");
        // chart-points is a rule of the whole block, checked beside the model's own rules: it was reported only once
        // they were fixed (audit-input F8).
        Files.writeString(f, "milvus-autoscaler.sim {\n  rebalance-penalty = 1.5\n  capacity-qps = -1\n  warmup = soon\n"
                + "  chart-points = 1\n}\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> SimSettings.from(SimSettings.loadConfig(Optional.of(f)), Component.QUERY_NODE));
        // The config package's collector and format, as validate-config prints them.
        assertEquals(4, e.errors().size(), e.getMessage());
        assertTrue(e.getMessage().contains("milvus-autoscaler.sim.chart-points = 1 (bad.conf:5): must be >= 10"),
                e.getMessage());
        String m = e.getMessage();
        assertTrue(m.contains("milvus-autoscaler.sim.rebalance-penalty = 1.5 (bad.conf:2): must be in [0, 1)"), m);
        assertTrue(m.contains("milvus-autoscaler.sim.capacity-qps = -1 (bad.conf:3): must be > 0"), m);
        assertTrue(m.contains("milvus-autoscaler.sim.warmup = \"soon\" (bad.conf:4): must be a duration with a unit"), m);
    }

    /**
     * A start outside [min-replicas, max-replicas] was accepted and scored: 50 replicas under max 10 showed the HPA
     * lanes with "max replicas 50" and a step-down of 40 in a report headed "replicas [1, 10]".
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "above max-replicas | initial-replicas = 50 | | milvus-autoscaler.sim.initial-replicas = 50 (i.conf:2): must be"
                + " <= max-replicas (10) of the simulated target",
        "below min-replicas | initial-replicas = 2  | milvus-autoscaler.defaults.min-replicas = 3"
                + " | milvus-autoscaler.sim.initial-replicas = 2 (i.conf:2): must be >= min-replicas (3) of the simulated"
                + " target",
    })
    void initialReplicasOutsideTheBoundsIsRefusedAtItsLine(String name, String sim, String policy, String message,
            @TempDir Path dir) throws IOException {
        Path f = dir.resolve("i.conf");
        Files.writeString(f, "milvus-autoscaler.sim {\n  " + sim + "\n}\n" + (policy == null ? "" : policy + "\n"));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> SimSettings.from(SimSettings.loadConfig(Optional.of(f)), Component.QUERY_NODE));
        assertEquals(message, e.getMessage());
    }

    /** simulate --config runs on the configured target's own bounds: initial-replicas is held to those. */
    @Test
    void initialReplicasIsCheckedAgainstTheBoundsTheRunUses(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.conf");
        Files.writeString(f, "milvus-autoscaler.sim.initial-replicas = 6\n");
        var cfg = SimSettings.loadConfig(Optional.of(f));
        // The layered defaults (max 10) allow 6; a target with max-replicas 4 does not.
        assertEquals(6, SimSettings.from(cfg, Component.QUERY_NODE).initialReplicas().getAsInt());
        var maxFour = io.github.milvusautoscaler.config.ConfigLoader.policyFor(com.typesafe.config.ConfigFactory
                .parseString("milvus-autoscaler.defaults.max-replicas = 4").withFallback(cfg).resolve(),
                Component.QUERY_NODE);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> SimSettings.from(cfg,
                Component.QUERY_NODE, Optional.of(maxFour)));
        assertEquals("milvus-autoscaler.sim.initial-replicas = 6 (t.conf:1): must be <= max-replicas (4) of the"
                + " simulated target", e.getMessage());
    }

    /**
     * A configured target's bounds are its own, whatever its layers say alone: component-defaults' min-replicas 15 over
     * defaults' max 10 was refused by validate-config's sim check for a target whose cluster sets max 20 (recheck 101,
     * F1, the same layering as its scheduled floor).
     */
    @Test
    void aTargetsBoundsAreReadWithoutItsLayersAlone(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.conf");
        Files.writeString(f, "milvus-autoscaler.component-defaults.queryNode.min-replicas = 15\n"
                + "milvus-autoscaler.clusters = [{ namespace = milvus, name = rel, install = helm, milvus-version = \"2.5.4\","
                + " components { queryNode { max-replicas = 20 } } }]\n");
        var cfg = SimSettings.loadConfig(Optional.of(f));
        var target = io.github.milvusautoscaler.config.ConfigLoader.load(f).targets().get(0).policy();
        SimSettings s = SimSettings.from(cfg, Component.QUERY_NODE, Optional.of(target));
        assertEquals(15, s.bounds().minReplicas());
        assertEquals(20, s.bounds().maxReplicas());
        assertEquals(0.75, s.bounds().cpuScaleOutAbove());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a rate window shorter than two scrapes | scrape-interval = 1m\\n  rate-window = 1m"
                + " | milvus-autoscaler.sim.rate-window = \"1m\" (w.conf:3): must be at least two scrape intervals (2m):"
                + " irate() needs two samples",
        "an unknown rate function | rate-function = avg"
                + " | milvus-autoscaler.sim.rate-function = \"avg\" (w.conf:2): must be irate or rate",
    })
    void aScrapeSettingThatCannotBeIsRefusedAtItsLine(String name, String keys, String message, @TempDir Path dir)
            throws IOException {
        Path f = dir.resolve("w.conf");
        Files.writeString(f, "milvus-autoscaler.sim {\n  " + keys.replace("\\n", "\n") + "\n}\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> SimSettings.from(SimSettings.loadConfig(Optional.of(f)), Component.QUERY_NODE));
        assertEquals(message, e.getMessage());
    }

    @Test
    void rateFunctionRateReadsTheWholeWindow(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("r.conf");
        Files.writeString(f, "milvus-autoscaler.sim.rate-function = rate\n");
        SimSettings s = SimSettings.from(SimSettings.loadConfig(Optional.of(f)), Component.QUERY_NODE);
        assertEquals(new MetricsView(MetricsView.Source.PROMETHEUS_RATE, Duration.ofSeconds(30), Duration.ofMinutes(2),
                Duration.ofMillis(7500)), MetricsView.prometheus(s.scrape()));
    }

    /**
     * sim.sample-age is a phase: taken modulo each interval, so it applies to every scrape interval and metrics-server
     * resolution a user can set (7.5 s at a 10 s scrape: 7.5 s and 2.5 s old at alternate ticks, 5 s on average),
     * and refused only outside [0s, 1d] or in fractions of a millisecond.
     */
    @Test
    void theSampleAgeIsAPhaseWithinEachInterval(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("r.conf");
        Files.writeString(f, "milvus-autoscaler.sim { scrape-interval = 10s, hpa.metrics-resolution = 5s }\n");
        SimSettings s = SimSettings.from(SimSettings.loadConfig(Optional.of(f)), Component.QUERY_NODE);
        assertEquals(Duration.ofMillis(7500), MetricsView.prometheus(s.scrape()).sampleAge());
        assertEquals(Duration.ofMillis(2500), MetricsView.metricsServer(s.hpa().metricsResolution(),
                s.scrape().sampleAge()).sampleAge());
        Files.writeString(f, "milvus-autoscaler.sim.sample-age = -1s\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> SimSettings.from(SimSettings.loadConfig(Optional.of(f)), Component.QUERY_NODE));
        assertTrue(e.getMessage().startsWith("milvus-autoscaler.sim.sample-age = \"-1s\" (r.conf:1): must be in [0s, 1d]"),
                e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "zero          | 0s   | milvus-autoscaler.sim.hpa.metrics-resolution = \"0s\" (r.conf:1): must be a positive duration, such as 30s or 5m",
        "negative      | -15s | milvus-autoscaler.sim.hpa.metrics-resolution = \"-15s\" (r.conf:1): must be a positive duration, such as 30s or 5m",
        "not a duration | fast | milvus-autoscaler.sim.hpa.metrics-resolution = \"fast\" (r.conf:1): must be a duration with a unit",
    })
    void aMetricsResolutionThatIsNotPositiveIsRefused(String name, String value, String message, @TempDir Path dir)
            throws IOException {
        Path f = dir.resolve("r.conf");
        Files.writeString(f, "milvus-autoscaler.sim.hpa.metrics-resolution = " + value + "\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> SimSettings.from(SimSettings.loadConfig(Optional.of(f)), Component.QUERY_NODE));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void aUserFileSetsTheMetricsResolution(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("r.conf");
        Files.writeString(f, "milvus-autoscaler.sim.hpa.metrics-resolution = 30s\n");
        SimSettings s = SimSettings.from(SimSettings.loadConfig(Optional.of(f)), Component.QUERY_NODE);
        assertEquals(Duration.ofSeconds(30), s.hpa().metricsResolution());
        assertEquals(new MetricsView(MetricsView.Source.METRICS_SERVER, Duration.ofSeconds(30), Duration.ofSeconds(30)),
                s.hpa().metricsView());
    }

    @Test
    void aMissingUserFileIsNamed(@TempDir Path dir) {
        Path f = dir.resolve("missing.conf");
        ConfigException e = assertThrows(ConfigException.class, () -> SimSettings.loadConfig(Optional.of(f)));
        assertTrue(e.getMessage().contains("cannot read config file " + f), e.getMessage());
    }

    @Test
    void everySimKeyInReferenceConfHasACommentAbove() throws IOException {
        List<String> lines;
        try (InputStream in = SimSettings.class.getClassLoader().getResourceAsStream("reference.conf")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        int start = lines.indexOf("  sim {");
        assertTrue(start > 0, "reference.conf has a sim block");
        assertTrue(lines.get(start - 1).strip().startsWith("#"), "the sim block itself is explained");
        int keys = 0;
        for (int i = start + 1; i < lines.size() && !lines.get(i).equals("  }"); i++) {
            String l = lines.get(i).strip();
            if (l.contains("=") && !l.startsWith("#")) {
                keys++;
                assertTrue(lines.get(i - 1).strip().startsWith("#"), "no comment above: " + l);
            }
        }
        assertEquals(24, keys);
    }
}
