package io.github.milvusautoscaler.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.cli.ValidateConfigCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code validate-config FILE}: exit 0 with every target's effective settings, or exit 2 with every error. */
class ValidateConfigCommandTest {

    /** Exit code and both streams of one run. */
    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new ValidateConfigCommand())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void validFilePrintsEffectiveSettingsAndExitsZero() {
        Run r = run("config/autoscaler.conf");

        assertEquals(0, r.exit(), r.err());
        // The example's alerts token is a Secret mounted in the Pod, absent here: a warning, nothing else.
        assertEquals("config/autoscaler.conf: warning: alerts.bearer-token-file"
                + " /var/run/secrets/milvus-autoscaler/alerts-token cannot be read", r.err().strip().split(": no such")[0]);
        assertTrue(r.out().startsWith("config/autoscaler.conf: valid, 5 targets"), r.out());
        assertTrue(r.out().contains("target milvus/search-prod/queryNode (install operator, milvus 2.5.4)"), r.out());
        assertTrue(r.out().contains("target analytics/milvus-batch/dataNode (install helm, milvus 2.5.6)"), r.out());
        // Inherited and overridden values as the policy will see them: min 3 from the cluster, sustain 15m
        // from the user's defaults, the cpu band's target the middle (0.40 + 0.75) / 2 = 0.575.
        assertTrue(r.out().contains("replicas      min 3, max 12"), r.out());
        // release milvus-batch contains "milvus": the chart keeps it as the fullname.
        assertTrue(r.out().contains("deployments   milvus-batch-datanode  (the chart's fullname rule"), r.out());
        assertTrue(r.out().contains("scale-in      sustain 15m, cooldown 5m"), r.out());
        assertTrue(r.out().contains("max-step 2 (or 0.25 of the replicas when more), panic-above 1.5x"), r.out());
        assertTrue(r.out().contains("band [0.4, 0.75] target 0.575 per-pod  sum by (pod, {component_label}) ( (max by (namespace, pod, container) (irate(con..."), r.out());
        assertTrue(r.out().contains("search-latency-p99   band [60, 250] target 120 cluster"), r.out());
        assertTrue(r.out().contains("settle-query  yes  clamp_min( max(milvus_querycoord_querynode_num{namespace=\"{namespace}\""), r.out());
        assertTrue(r.out().contains("health-query  none"), r.out());
        assertTrue(r.out().contains("alerts webhook on (token file /var/run/secrets/milvus-autoscaler/alerts-token) (step 1,"
                + " cooldown 5m, 4 routes)"), r.out());
    }

    @Test
    void invalidFilePrintsEveryErrorToStderrAndExitsTwo() {
        Run r = run("src/test/resources/config/invalid.conf");

        assertEquals(2, r.exit());
        assertEquals("", r.out());
        assertEquals(List.of(
                "milvus-autoscaler.prometheus.url = \"\" (invalid.conf:3): " + GlobalReader.URL_RULE,
                "milvus-autoscaler.defaults.scale-out.max-stepp = 3 (invalid.conf:4): must be a known key (did you mean"
                        + " max-step?)",
                "milvus-autoscaler.clusters[0].components.queryCoord = {...} (invalid.conf:7): must be a worker component"
                        + " (queryNode, dataNode, indexNode, proxy, streamingNode): Milvus scales worker nodes only,"
                        + " never coordinators",
                "src/test/resources/config/invalid.conf: invalid, 3 errors"),
                r.err().lines().toList());
    }

    /**
     * The warnings validate-config prints for {@code conf}, written to {@code name} in {@code dir}, that mention
     * {@code about}; it exits 0, and each such line is {@code <file>: warning: ...}, given without that prefix.
     */
    private static List<String> warningsAbout(Path dir, String name, String conf, String about) throws Exception {
        Path file = java.nio.file.Files.writeString(dir.resolve(name), conf);
        Run r = run(file.toString());
        assertEquals(0, r.exit(), r.err());
        String prefix = file + ": warning: ";
        List<String> lines = r.err().lines().filter(l -> l.contains(about)).toList();
        lines.forEach(l -> assertTrue(l.startsWith(prefix), l));
        return lines.stream().map(l -> l.substring(prefix.length())).toList();
    }

    /**
     * index-backlog on dataNode before Milvus 2.6 is accepted but warned about: index nodes build the indexes there
     * (2.6 merged indexNode into dataNode), so a backlog would add data nodes that build none. From 2.6 it is right.
     */
    @Test
    void indexBacklogOnDataNodeBefore26IsWarnedAbout(@TempDir Path dir) throws Exception {
        String conf = """
                milvus-autoscaler {
                  alerts.enabled = false
                  clusters = [
                    { namespace = a, name = old, install = helm, milvus-version = "2.5.6",
                      components { dataNode { signals.index-backlog.enabled = true } } }
                    { namespace = a, name = new, install = helm, milvus-version = "2.6.0",
                      components { dataNode { signals.index-backlog.enabled = true } } }
                  ]
                }
                """;
        assertEquals(List.of("a/old/dataNode: index-backlog is enabled on dataNode for milvus-version"
                + " 2.5.6, but before 2.6 index nodes build the indexes: a backlog would add data nodes that build none;"
                + " enable it on indexNode instead"),
                warningsAbout(dir, "backlog.conf", conf, "index-backlog"));
    }

    /**
     * index-backlog's default query (datacoord's index tasks) on a component that builds no index is warned about in
     * every version: on a 2.6 streamingNode a backlog of 20 scaled it out 2 -> 4 with no warning (recheck 48, F1). The
     * component to use follows the version; a query of one's own is not said.
     */
    @Test
    void indexBacklogOnAComponentThatBuildsNoIndexIsWarnedAbout(@TempDir Path dir) throws Exception {
        String conf = """
                milvus-autoscaler {
                  alerts.enabled = false
                  clusters = [
                    { namespace = a, name = n, install = operator, milvus-version = "2.6.4",
                      components {
                        streamingNode { signals.index-backlog.enabled = true, settle-query = "sum(my_wal_moves)" }
                        proxy { signals.index-backlog { enabled = true, query = "sum(my_proxy_backlog)" } }
                        dataNode { signals.index-backlog.enabled = true }
                      } }
                    { namespace = a, name = o, install = helm, milvus-version = "2.3.21",
                      components { queryNode { signals.index-backlog.enabled = true } } }
                  ]
                }
                """;
        assertEquals(List.of("a/n/streamingNode: index-backlog is enabled on streamingNode, but its query reads"
                        + " datacoord's index tasks, which streamingNode does not run: a backlog would add streamingNode"
                        + " replicas that build none; enable it on dataNode instead",
                "a/o/queryNode: index-backlog is enabled on queryNode, but its query reads datacoord's index tasks, which"
                        + " queryNode does not run: a backlog would add queryNode replicas that build none; enable it on"
                        + " indexNode instead"),
                warningsAbout(dir, "backlog-elsewhere.conf", conf, "index-backlog"));
    }

    /**
     * A named streamingNode has no shipped settle query: its step-down moves WAL channels and its embedded queryNode's
     * segments, and the next step waited for ready replicas alone (recheck 48, F2). Said unless it has a settle query
     * of its own or cannot step down (min = max).
     */
    @Test
    void aStreamingNodeThatStepsDownWithNoSettleQueryIsWarnedAbout(@TempDir Path dir) throws Exception {
        String conf = """
                milvus-autoscaler {
                  alerts.enabled = false
                  clusters = [
                    { namespace = a, name = s, install = operator, milvus-version = "2.6.4",
                      components { streamingNode {} } }
                    { namespace = a, name = t, install = operator, milvus-version = "2.6.4",
                      components { streamingNode { settle-query = "sum(my_wal_moves)" } } }
                    { namespace = a, name = u, install = operator, milvus-version = "2.6.4",
                      components { streamingNode { min-replicas = 3, max-replicas = 3 } } }
                  ]
                }
                """;
        assertEquals(List.of("a/s/streamingNode: streamingNode steps down with no settle query: the next step waits"
                + " only for ready replicas, while the removed node's WAL channels and its embedded queryNode's segments"
                + " still move; set settle-query, or min-replicas = max-replicas to keep its count"),
                warningsAbout(dir, "streaming.conf", conf, "no settle query"));
    }

    /**
     * read-queue on a proxy is accepted but warned about: milvus_querynode_read_task_ready_len is a queryNode's series
     * (milvus-io/milvus pkg/metrics/querynode_metrics.go), so on a proxy it reads empty, UNKNOWN, and holds every
     * step-down; doctor said only "empty result" (recheck 38, R1). Not said on queryNode, nor for a query of one's own.
     */
    @Test
    void readQueueOnAComponentOtherThanQueryNodeIsWarnedAbout(@TempDir Path dir) throws Exception {
        String conf = """
                milvus-autoscaler {
                  alerts.enabled = false
                  clusters = [
                    { namespace = a, name = r, install = helm, milvus-version = "2.5.6",
                      components {
                        proxy { signals.read-queue.enabled = true }
                        queryNode { signals.read-queue.enabled = true }
                        dataNode { signals.read-queue { enabled = true, query = "sum(my_own_queue)" } }
                      } }
                  ]
                }
                """;
        assertEquals(List.of("a/r/proxy: read-queue is enabled on proxy, but its query reads"
                + " milvus_querynode_read_task_ready_len, which only queryNodes export (and from 2.6 a streamingNode's"
                + " embedded one): it reads empty (UNKNOWN) on proxy,"
                + " which holds every step-down; enable it on queryNode only"),
                warningsAbout(dir, "queue.conf", conf, "read-queue"));
    }

    /**
     * max-actions-per-hour is one budget for the fleet: below the number of targets, a ramp on every cluster at once
     * holds most scale-outs as BUDGET_EXHAUSTED (recheck 105 ran 100 targets on the default 30). Accepted, said; a
     * budget of one action an hour a target is not said.
     */
    @Test
    void aBudgetSmallerThanTheFleetIsWarnedAbout(@TempDir Path dir) throws Exception {
        String clusters = """
                  clusters = [
                    { namespace = a, name = one, install = helm, milvus-version = "2.5.6",
                      components { queryNode {}, proxy {} } }
                    { namespace = b, name = two, install = helm, milvus-version = "2.5.6",
                      components { queryNode {}, proxy {} } }
                  ]
                }
                """;
        assertEquals(List.of("max-actions-per-hour 3 is shared by all 4 targets, fewer than one scale action an hour"
                + " each: a rise of load across the fleet (a morning ramp on every cluster) holds most targets'"
                + " scale-outs as BUDGET_EXHAUSTED while their components overload; size it to what such a ramp writes"
                + " (a target going from 2 to 10 replicas at max-step 2 writes 4 scale-outs: 16 for 4 such targets)"),
                warningsAbout(dir, "small.conf", "milvus-autoscaler {\n  alerts.enabled = false\n"
                        + "  max-actions-per-hour = 3\n" + clusters, "max-actions-per-hour"));
        assertEquals(List.of(), warningsAbout(dir, "enough.conf", "milvus-autoscaler {\n  alerts.enabled = false\n"
                + "  max-actions-per-hour = 4\n" + clusters, "max-actions-per-hour"));
    }

    /**
     * A scheduled floor at or below the target's min-replicas is accepted (a floor is no error) but said: it can never
     * raise the count, and nothing said so (recheck 44, R6). One above it is not said.
     */
    @Test
    void aScheduledFloorThatCanNeverActIsWarnedAbout(@TempDir Path dir) throws Exception {
        String conf = """
                milvus-autoscaler {
                  alerts.enabled = false
                  defaults.min-replicas = 2
                  clusters = [
                    { namespace = a, name = r, install = helm, milvus-version = "2.5.6",
                      components {
                        proxy { scheduled = [ { days = daily, from = "08:00", to = "20:00", time-zone = UTC, min-replicas = 2 } ] }
                        queryNode { scheduled = [ { days = daily, from = "08:00", to = "20:00", time-zone = UTC, min-replicas = 3 } ] }
                      } }
                  ]
                }
                """;
        assertEquals(List.of("a/r/proxy: scheduled window daily 08:00-20:00 UTC has min-replicas 2,"
                + " not above the target's min-replicas 2: it never raises the count"),
                warningsAbout(dir, "floor.conf", conf, "scheduled"));
    }

    /**
     * A scale-out fallback to no more than min-replicas is accepted but can never add a replica while every signal is
     * UNKNOWN (recheck 113): said as the scheduled floor's like is. One above it, and a hold fallback, are not said.
     */
    @Test
    void aFallbackThatCanNeverActIsWarnedAbout(@TempDir Path dir) throws Exception {
        String conf = """
                milvus-autoscaler {
                  alerts.enabled = false
                  defaults.min-replicas = 3
                  clusters = [
                    { namespace = a, name = r, install = helm, milvus-version = "2.5.6",
                      components {
                        proxy.fallback { mode = scale-out, replicas = 2 }
                        queryNode.fallback { mode = scale-out, replicas = 4 }
                        dataNode.fallback { mode = hold, replicas = 1 }
                      } }
                  ]
                }
                """;
        assertEquals(List.of("a/r/proxy: fallback.mode = scale-out moves up to fallback.replicas 2, not above the"
                + " target's min-replicas 3: it never raises the count"), warningsAbout(dir, "fallback.conf", conf,
                "fallback"));
    }

    /**
     * A Prometheus timeout not below the loop's interval is accepted but said (recheck 113: 1h with a 15s loop): a
     * Prometheus that stops answering holds each tick that long. The defaults (5s of 15s) are not said.
     */
    @Test
    void aPrometheusTimeoutNotBelowTheLoopIntervalIsWarnedAbout(@TempDir Path dir) throws Exception {
        String conf = """
                milvus-autoscaler {
                  alerts.enabled = false
                  prometheus.timeout = 1h
                  clusters = []
                }
                """;
        assertEquals(List.of("prometheus.timeout 1h is not below loop.interval 15s: a Prometheus that stops answering"
                + " holds each target's tick that long, and the ticks due meanwhile are skipped (the default, 5s of 15s,"
                + " costs one tick at most)"), warningsAbout(dir, "timeout.conf", conf, "prometheus.timeout"));
        assertEquals(List.of(), warningsAbout(dir, "default.conf", conf.replace("prometheus.timeout = 1h\n", ""),
                "prometheus.timeout"));
    }

    /**
     * A peak-window under six history steps is accepted (a short look-back is a choice) but said: a restarted daemon
     * recalls little or none of the peaks before it (recheck 82's remark; README said it alone). 30m, the six steps,
     * and 0 (the rule off) are not said.
     */
    @Test
    void aPeakWindowARestartCannotRecallIsWarnedAbout(@TempDir Path dir) throws Exception {
        String conf = """
                milvus-autoscaler {
                  alerts.enabled = false
                  clusters = [
                    { namespace = a, name = r, install = helm, milvus-version = "2.5.6",
                      components {
                        queryNode.scale-in.peak-window = 2m
                        proxy.scale-in.peak-window = 30m
                        dataNode.scale-in.peak-window = 0s
                      } }
                  ]
                }
                """;
        assertEquals(List.of("a/r/queryNode: scale-in.peak-window 2m is under six forecast.history-step (30m at 5m): a"
                + " restarted or new leader recalls little or none of the peaks the one before saw, and judges its first"
                + " step-downs on the spans it has seen itself"), warningsAbout(dir, "peaks.conf", conf, "peak-window"));
    }

    /**
     * A fixed offset is accepted as a time zone but said for what it is: Etc/GMT+2 is UTC-02:00 (the POSIX sign,
     * positive west of Greenwich, as the IANA tz database's "etcetera" file explains), and
     * "+01:00" written for Berlin keeps winter time all summer (time audit L5). UTC and a named place are not.
     */
    @Test
    void aFixedOffsetTimeZoneIsSaidForWhatItIs(@TempDir Path dir) throws Exception {
        String conf = """
                milvus-autoscaler {
                  alerts.enabled = false
                  clusters = [
                    { namespace = a, name = west, install = helm, milvus-version = "2.5.6",
                      components { queryNode { forecast.time-zone = "Etc/GMT+2" } } }
                    { namespace = a, name = summer, install = helm, milvus-version = "2.5.6",
                      components { queryNode { scheduled = [{ days = daily, from = "08:00", to = "20:00",
                        time-zone = "+01:00", min-replicas = 2 }] } } }
                    { namespace = a, name = place, install = helm, milvus-version = "2.5.6",
                      components { queryNode { forecast.time-zone = "Europe/Berlin" } } }
                  ]
                }
                """;
        assertEquals(List.of(
                "a/west/queryNode: time zone Etc/GMT+2 is a fixed offset, UTC-02:00, with no daylight"
                        + " saving (Etc/GMT+N is N hours west of Greenwich); for a place's clock name the place, such as"
                        + " Europe/Berlin",
                "a/summer/queryNode: time zone +01:00 is a fixed offset, UTC+01:00, with no daylight"
                        + " saving; for a place's clock name the place, such as Europe/Berlin"),
                warningsAbout(dir, "zones.conf", conf, "time zone"));
    }

    /**
     * A key set twice is valid HOCON that keeps the last value, so the dry-run a file says first is lost (config audit
     * C10: validate-config said "valid" and the daemon wrote): a warning names both lines, and the file stays valid.
     */
    @Test
    void aKeySetTwiceIsWarnedAboutWithBothLines(@TempDir Path dir) throws Exception {
        Path file = java.nio.file.Files.writeString(dir.resolve("twice.conf"), """
                milvus-autoscaler {
                  dry-run = true
                  prometheus.url = "http://prometheus-operated.monitoring:9090"
                  clusters = []
                  dry-run = false
                }
                """);
        Run r = run(file.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains(file + ":5: warning: milvus-autoscaler.dry-run is set at line 2 and again at line 5,"
                + " which wins: line 2 has no effect"), r.err());
        Run shipped = run("config/autoscaler.conf");
        assertFalse(shipped.err().contains("is set at line"), shipped.err());
    }

    /**
     * Recheck 113's F2: {@code dry-run = true}, then an include whose file says {@code dry-run = false}, was valid with
     * no word and a daemon that writes; the warning points at the line that has no effect and names the include's.
     */
    @Test
    void aKeyAnIncludeFurtherDownSetsAgainIsWarnedAbout(@TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("inc_dry.conf"), "milvus-autoscaler.dry-run = false\n");
        Path file = java.nio.file.Files.writeString(dir.resolve("main.conf"), """
                milvus-autoscaler {
                  prometheus.url = "http://prometheus-operated.monitoring:9090"
                  clusters = []
                  dry-run = true
                }
                include "inc_dry.conf"
                """);
        Run r = run(file.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains(file + ":4: warning: milvus-autoscaler.dry-run is set at line 4 and again by"
                + " inc_dry.conf:1, included further down, which wins: line 4 has no effect"), r.err());
        assertTrue(r.out().contains("dry-run false"), r.out());
    }

    /**
     * The Prometheus credentials files are checked as the alerts token is (a warning, exit 0), and a value with no
     * '/' is not echoed: it is as likely the secret itself pasted in place of its file's path. A credential written
     * into prometheus.headers is warned about.
     */
    @Test
    void unreadableCredentialFilesAreWarnedAboutWithoutEchoingAPastedSecret(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("absent-password");
        String conf = """
                milvus-autoscaler {
                  prometheus.auth.bearer-token-file = "s3cr3t-hunter2-token"
                  clusters = []
                }
                """;
        Path file = java.nio.file.Files.writeString(dir.resolve("secret.conf"), conf);
        Run r = run(file.toString());
        assertEquals(0, r.exit(), r.err());
        assertFalse((r.out() + r.err()).contains("s3cr3t-hunter2-token"), (r.out() + r.err()));
        assertTrue(r.err().contains(file + ": warning: cannot read bearer token file (value not shown: it has no '/',"
                + " as a secret pasted in place of its file's path would not) (prometheus.auth.bearer-token-file): no"
                + " such file"), r.err());

        Path header = java.nio.file.Files.writeString(dir.resolve("header.conf"), """
                milvus-autoscaler {
                  prometheus.headers { Authorization = "Bearer HEADERSECRET-5511" }
                  clusters = []
                }
                """);
        Run h = run(header.toString());
        assertEquals(0, h.exit(), h.err());
        assertFalse((h.out() + h.err()).contains("HEADERSECRET-5511"), h.out() + h.err());
        assertTrue(h.err().contains(header + ": warning: prometheus.headers.Authorization holds a credential in the"
                + " config file itself"), h.err());

        Path basic = java.nio.file.Files.writeString(dir.resolve("basic.conf"), """
                milvus-autoscaler {
                  prometheus.auth { basic-username = u, basic-password-file = "%s" }
                  clusters = []
                }
                """.formatted(missing));
        Run b = run(basic.toString());
        assertEquals(0, b.exit(), b.err());
        assertTrue(b.err().contains(basic + ": warning: cannot read basic-auth password file " + missing
                + " (prometheus.auth.basic-password-file): no such file"), b.err());
    }

    /** A decision log path that is a folder here is warned about: run refuses to start on it (SRE audit M9). */
    @Test
    void aDecisionLogThatIsAFolderIsWarnedAbout(@TempDir Path dir) throws Exception {
        Path file = java.nio.file.Files.writeString(dir.resolve("log.conf"),
                "milvus-autoscaler { decision-log.path = \"" + dir + "\", clusters = [] }\n");
        Run r = run(file.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(file + ": warning: decision-log.path " + dir + " is a folder here; run would refuse to start (exit"
                + " 1): name a file in it, e.g. " + dir.resolve("decisions.jsonl"), r.err().strip());
    }

    @Test
    void missingFileExitsTwoNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("absent.conf");
        Run r = run(missing.toString());

        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith(missing + ": file not found"), r.err());
    }

    @Test
    void noFileIsAUsageErrorExitingTwo() {
        Run r = run();

        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Missing required parameter: 'FILE'"), r.err());
    }

    @Test
    void anEmptyOrClusterLessFileIsValidButWarnedAboutUnlessItSaysClustersIsEmpty(@TempDir Path dir) throws Exception {
        Path empty = java.nio.file.Files.writeString(dir.resolve("empty.conf"), "");
        Path noClusters = java.nio.file.Files.writeString(dir.resolve("no-clusters.conf"),
                "milvus-autoscaler.loop.interval = 30s\n");
        Path explicit = java.nio.file.Files.writeString(dir.resolve("explicit.conf"), "milvus-autoscaler.clusters = []\n");
        for (Path p : List.of(empty, noClusters)) {
            Run r = run(p.toString());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith(p + ": valid, 0 targets"), r.out());
            assertEquals(p + ": warning: no clusters (empty file or no clusters block): the daemon would run no loop"
                    + " and refuses to reload to this file; write clusters = [] if that is meant", r.err().strip());
        }
        Run r = run(explicit.toString());
        assertEquals(0, r.exit());
        assertEquals("", r.err());
    }

    /**
     * prometheus.auth.ca-file is read as the Prometheus client reads it: a file that is missing or holds no
     * certificate is a warning naming its line (exit 0: the Secret may be mounted only in the daemon's pod), where
     * it used to pass silently and signals, doctor and backtest then died with a stack trace.
     */
    @Test
    void aCaFileThatCannotBeTrustedIsAWarningNamingItsLine(@TempDir Path dir) throws Exception {
        Path ca = dir.resolve("ca.pem");
        Path conf = java.nio.file.Files.writeString(dir.resolve("ca.conf"), "milvus-autoscaler {\n  clusters = []\n"
                + "  prometheus.auth.ca-file = \"" + ca + "\"\n}\n");
        String line = "milvus-autoscaler.prometheus.auth.ca-file = \"" + ca + "\" (ca.conf:3): must be a readable PEM"
                + " file of CA certificates; it ";
        String after = " (not an error here: the file may be mounted only where the daemon runs; run, signals, doctor,"
                + " backtest and scale refuse the file, exit 2, where it cannot be read)";
        Run r = run(conf.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(conf + ": warning: " + line + "cannot be read: no such file (NoSuchFileException)" + after,
                r.err().strip());

        java.nio.file.Files.writeString(ca, "garbage\n");
        r = run(conf.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().startsWith(conf + ": warning: " + line + "is not a PEM certificate file: "), r.err());

        java.nio.file.Files.writeString(ca, "");
        r = run(conf.toString());
        assertEquals(conf + ": warning: " + line + "holds no certificate" + after, r.err().strip());

        try (var certificates = io.github.milvusautoscaler.testsupport.TestCertificates.create()) {
            java.nio.file.Files.copy(certificates.caPem(), ca, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            r = run(conf.toString());
            assertEquals(0, r.exit(), r.err());
            assertEquals("", r.err(), "a CA file the client can trust is not warned about");
        }
    }

    /** The daemon's start warning, said before deploying: a warning (exit 0), since the Secret may be mounted later. */
    @Test
    void anUnreadableAlertsTokenFileIsAWarningNotAnError(@TempDir Path dir) throws Exception {
        Path token = dir.resolve("token");
        Path conf = java.nio.file.Files.writeString(dir.resolve("a.conf"), "milvus-autoscaler {\n  clusters = []\n"
                + "  alerts.bearer-token-file = \"" + token + "\"\n}\n");
        Run r = run(conf.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(conf + ": warning: alerts.bearer-token-file " + token + " cannot be read: no such file"
                + " (NoSuchFileException); POST /api/v1/alerts would answer 500 until it can be read (not an error:"
                + " the file may be mounted only where the daemon runs)", r.err().strip());

        java.nio.file.Files.writeString(token, "s3cret\n");
        r = run(conf.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err(), "a readable file is not warned about");
        assertTrue(!r.out().contains("s3cret"), r.out());
    }

    /**
     * One problem, one line: the sim's bounds re-read the defaults' cpu band the loader checks, and its refusal of
     * the same key at the same line (in other words) was printed as a second error, inflating the count.
     */
    @Test
    void aBadCpuBandIsOneErrorNotTwo(@TempDir Path dir) throws Exception {
        Path band = java.nio.file.Files.writeString(dir.resolve("band.conf"), "milvus-autoscaler {\n"
                + "  clusters = []\n  defaults.signals.cpu {\n    scale-out-above = 0.5\n    scale-in-below = 0.6\n  }\n}\n");
        refusedWith(band, "milvus-autoscaler.defaults.signals.cpu.scale-in-below = 0.6 (band.conf:5): must be"
                + " < scale-out-above (0.5): the hysteresis band is empty", band + ": invalid, 1 error");

        Path target = java.nio.file.Files.writeString(dir.resolve("target.conf"), "milvus-autoscaler {\n"
                + "  clusters = []\n  defaults.signals.cpu.target = 5\n}\n");
        refusedWith(target, "milvus-autoscaler.defaults.signals.cpu.target = 5 (target.conf:3): must be inside the"
                + " band: > scale-in-below (0.40) and <= scale-out-above (0.75)", target + ": invalid, 1 error");

        // cpu written as a percentage: the sim's bounds blamed reference.conf's "target = null" as well (config
        // audit C7); they are checked only once the loader accepts the file.
        Path percent = java.nio.file.Files.writeString(dir.resolve("percent.conf"), "milvus-autoscaler {\n"
                + "  clusters = []\n  defaults.signals.cpu { scale-out-above = 75, scale-in-below = 40 }\n}\n");
        Run r = run(percent.toString());
        assertEquals(2, r.exit());
        assertFalse(r.err().contains("reference.conf"), r.err());
        assertTrue(r.err().contains("scale-out-above = 75 (percent.conf:3): must be <= 1"), r.err());
    }

    /**
     * A target left to its default (the band's middle) is derived from the band: when the band's own values are
     * refused, it is not checked, which blamed reference.conf's {@code target = null}, a line the user never wrote.
     */
    @Test
    void aDerivedTargetIsNotBlamedWhenItsBandIsRefused(@TempDir Path dir) throws Exception {
        Path conf = java.nio.file.Files.writeString(dir.resolve("negative.conf"), "milvus-autoscaler {\n"
                + "  clusters = []\n  defaults.signals.cpu { scale-out-above = -1, scale-in-below = -2 }\n}\n");
        refusedWith(conf,
                "milvus-autoscaler.defaults.signals.cpu.scale-in-below = -2 (negative.conf:3): must be >= 0",
                "milvus-autoscaler.defaults.signals.cpu.scale-out-above = -1 (negative.conf:3): must be > 0",
                conf + ": invalid, 2 errors");
    }

    /** The same in an included file: the loader and the sim's bounds name it alike (sub/band.conf), so it is one line. */
    @Test
    void aBadCpuBandInAnIncludedFileIsOneErrorNamingItsFolder(@TempDir Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("sub"));
        java.nio.file.Files.writeString(dir.resolve("sub/band.conf"),
                "# band\nscale-out-above = 0.5\nscale-in-below = 0.6\n");
        Path conf = java.nio.file.Files.writeString(dir.resolve("main.conf"), "milvus-autoscaler {\n  clusters = []\n"
                + "  defaults.signals.cpu { include required(\"sub/band.conf\") }\n}\n");
        refusedWith(conf, "milvus-autoscaler.defaults.signals.cpu.scale-in-below = 0.6 (sub/band.conf:3): must be"
                + " < scale-out-above (0.5): the hysteresis band is empty", conf + ": invalid, 1 error");
    }

    /**
     * A target deciding on read-queue alone is valid (exit 0) and said to be one simulate refuses, where
     * validate-config said nothing and simulate --config then refused the file (config audit C6).
     */
    @Test
    void aTargetWithoutASimulatedSignalIsValidAndWarnedAbout(@TempDir Path dir) throws Exception {
        Path conf = java.nio.file.Files.writeString(dir.resolve("rq.conf"), "milvus-autoscaler {\n"
                + "  defaults.signals { cpu.enabled = false, memory.enabled = false, qps.enabled = false,"
                + " read-queue.enabled = true }\n"
                + "  clusters = [{ namespace = m, name = x, install = helm, milvus-version = \"2.5.6\","
                + " components { queryNode {} } }]\n}\n");
        Run r = run(conf.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("warning: m/x/queryNode enables no signal the simulator models (cpu, memory or"
                + " qps): simulate --config --target m/x/queryNode refuses it (exit 2)"), r.err());
    }

    /** validate-config refuses {@code conf} with exit 2, printing exactly {@code lines} on standard error. */
    private static void refusedWith(Path conf, String... lines) {
        Run r = run(conf.toString());
        assertEquals(2, r.exit());
        assertEquals(List.of(lines), r.err().lines().toList());
    }
}
