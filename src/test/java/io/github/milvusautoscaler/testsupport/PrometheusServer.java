package io.github.milvusautoscaler.testsupport;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Prometheus (Debian's {@code /usr/bin/prometheus}) for one test class: a temp config and
 * {@code --storage.tsdb.path}, a free loopback port, {@code scrape_interval} 1 s (configurable) and
 * {@code honor_labels: true}, targets given through {@code file_sd_configs} (written via a temp file
 * and a rename), optional rule files and Alertmanager, and optional history backfilled with
 * {@code promtool tsdb create-blocks-from openmetrics} before the first start, so {@code rate()} over
 * a full window reads exact values from the first query.
 *
 * <p>{@link #stop()} and {@link #start()} again reuse the port and the data folder, as a restart of a
 * real Prometheus would. Measured here: ready ~0.1 s after start, first scrape ~5 s later, a target
 * added through file_sd needs 1-4.5 s; tests poll, never sleep.
 */
public final class PrometheusServer implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/bin/prometheus");
    public static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    /** The scrape job's name: backfilled series carry {@code job="milvus"} like the scraped ones. */
    public static final String JOB = "milvus";

    private final Path dir;
    private final Path data;
    private final Path config;
    private final Path targetsFile;
    /** Chosen at the first start, right before it binds, and kept for every restart. */
    private int port;
    private final ServerProcess process;
    private final Builder settings;

    private PrometheusServer(Builder settings) throws IOException {
        this.settings = settings;
        ServerProcess.requireBinary(BINARY);
        this.dir = Files.createTempDirectory("prometheus-test-");
        this.data = Files.createDirectories(dir.resolve("data"));
        Path sd = Files.createDirectories(dir.resolve("targets"));
        this.targetsFile = sd.resolve("targets.json");
        this.config = dir.resolve("prometheus.yml");
        this.process = new ServerProcess("prometheus", BINARY, dir.resolve("prometheus.log"));
        ServerProcess.writeAtomically(targetsFile, targetsJson(settings.targets, settings.targetLabels));
        List<String> ruleFiles = new ArrayList<>();
        for (int i = 0; i < settings.rules.size(); i++) {
            Path rules = dir.resolve("rules-" + i + ".yml");
            Files.writeString(rules, settings.rules.get(i), StandardCharsets.UTF_8);
            ruleFiles.add(rules.toString());
        }
        Files.writeString(config, config(ruleFiles), StandardCharsets.UTF_8);
        for (int i = 0; i < settings.backfills.size(); i++) {
            backfill(settings.backfills.get(i), i);
        }
    }

    /** Settings for a new server; {@link Builder#start()} starts it. */
    public static Builder builder() {
        return new Builder();
    }

    /** Base URL of the HTTP API, e.g. {@code http://127.0.0.1:41234}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** Folder holding config, data, rules and log; deleted by {@link #close()}. */
    public Path dir() {
        return dir;
    }

    /** Replaces the scrape targets ({@code host:port} of /metrics endpoints) through file_sd. */
    public void setTargets(Collection<String> hostPorts) {
        ServerProcess.writeAtomically(targetsFile, targetsJson(hostPorts, settings.targetLabels));
    }

    /** Starts (or restarts) the process on the same port and data folder, and waits for {@code /-/ready}. */
    public void start() {
        List<String> args = List.of(
                "--config.file=" + config,
                "--storage.tsdb.path=" + data,
                "--storage.tsdb.retention.time=" + settings.retention.toHours() + "h",
                "--web.listen-address=127.0.0.1:" + port,
                "--web.external-url=" + url() + "/",
                "--web.enable-lifecycle",
                "--log.level=" + settings.logLevel);
        process.start(args, URI.create(url() + "/-/ready"));
    }

    /**
     * The first start, on a port found free right before it (not when the data was written: a two-week backfill took
     * a minute, in which an outgoing connection of the other test JVM took the port once); another free port if the
     * one found is taken before Prometheus binds it, three tries.
     */
    private void firstStart() {
        for (int attempt = 1; ; attempt++) {
            port = ServerProcess.freePort();
            try {
                start();
                return;
            } catch (ServerProcess.PortTaken e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** Stops the process (SIGTERM through its handle); data and port stay for {@link #start()}. */
    public void stop() {
        process.stop();
    }

    public boolean isRunning() {
        return process.isRunning();
    }

    /** The raw JSON of an instant query at the server's current time, for polling in tests. */
    public String query(String promql) {
        return ServerProcess.get(URI.create(url() + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
    }

    /** The raw body of a GET of {@code pathAndQuery} (e.g. {@code /api/v1/status/tsdb}). */
    public String get(String pathAndQuery) {
        return ServerProcess.get(URI.create(url() + pathAndQuery));
    }

    /** The last lines of the server's log. */
    public String logTail() {
        return process.tail();
    }

    @Override
    public void close() {
        process.stop();
        ServerProcess.deleteTree(dir);
    }

    private void backfill(String openMetrics, int index) throws IOException {
        ServerProcess.requireBinary(PROMTOOL);
        Path file = dir.resolve("backfill-" + index + ".om");
        Files.writeString(file, openMetrics, StandardCharsets.UTF_8);
        Path log = dir.resolve("promtool.log");
        Process promtool = new ProcessBuilder(PROMTOOL.toString(), "tsdb", "create-blocks-from", "openmetrics",
                file.toString(), data.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            // Two weeks of history took promtool over 60 s on a 2-core machine shared with other builds (the whole
            // test class takes 57 s in CI): the bound only stops a hung promtool.
            if (!promtool.waitFor(180, TimeUnit.SECONDS)) {
                promtool.destroyForcibly();
                throw new IllegalStateException("promtool backfill did not finish within 180s");
            }
        } catch (InterruptedException e) {
            promtool.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (promtool.exitValue() != 0) {
            throw new IllegalStateException("promtool backfill failed (" + promtool.exitValue() + "):\n"
                    + Files.readString(log));
        }
    }

    private String config(List<String> ruleFiles) {
        String interval = settings.scrapeInterval.toMillis() + "ms";
        StringBuilder yaml = new StringBuilder();
        yaml.append("global:\n")
                .append("  scrape_interval: ").append(interval).append('\n')
                .append("  scrape_timeout: ").append(interval).append('\n')
                .append("  evaluation_interval: ").append(settings.evaluationInterval.toMillis()).append("ms\n")
                .append("scrape_configs:\n")
                .append("  - job_name: ").append(JOB).append('\n')
                .append("    honor_labels: true\n")
                .append("    file_sd_configs:\n")
                .append("      - files: ['").append(targetsFile.getParent()).append("/*.json']\n")
                .append("        refresh_interval: 1s\n");
        if (!ruleFiles.isEmpty()) {
            yaml.append("rule_files:\n");
            ruleFiles.forEach(f -> yaml.append("  - '").append(f).append("'\n"));
        }
        if (settings.alertmanager != null) {
            URI am = settings.alertmanager;
            yaml.append("alerting:\n")
                    .append("  alertmanagers:\n")
                    .append("    - scheme: ").append(am.getScheme()).append('\n')
                    .append("      path_prefix: '").append(am.getPath() == null ? "" : am.getPath()).append("'\n")
                    .append("      static_configs:\n")
                    .append("        - targets: ['").append(am.getHost()).append(':').append(am.getPort()).append("']\n");
        }
        return yaml.toString();
    }

    /**
     * The file_sd groups: each target with labels of its own (what a ServiceMonitor's or PodMonitor's relabelling gives
     * a Kubernetes target, and so its {@code up} series) in a group of its own, the rest in one group without labels.
     */
    private static String targetsJson(Collection<String> hostPorts, Map<String, Map<String, String>> labels) {
        List<String> groups = new ArrayList<>();
        List<String> plain = new ArrayList<>();
        for (String t : hostPorts) {
            Map<String, String> own = labels.get(t);
            if (own == null || own.isEmpty()) {
                plain.add("\"" + t + "\"");
            } else {
                groups.add("{\"targets\": [\"" + t + "\"], \"labels\": {" + own.entrySet().stream()
                        .map(e -> "\"" + e.getKey() + "\": \"" + e.getValue() + "\"").collect(Collectors.joining(", "))
                        + "}}");
            }
        }
        if (!plain.isEmpty()) {
            groups.add("{\"targets\": [" + String.join(", ", plain) + "], \"labels\": {}}");
        }
        return "[" + String.join(",\n", groups) + "]\n";
    }

    /** Settings of a {@link PrometheusServer}. */
    public static final class Builder {
        private Duration scrapeInterval = Duration.ofSeconds(1);
        private Duration evaluationInterval = Duration.ofSeconds(1);
        private final List<String> targets = new ArrayList<>();
        private final Map<String, Map<String, String>> targetLabels = new java.util.concurrent.ConcurrentHashMap<>();
        private java.time.Duration retention = java.time.Duration.ofDays(1);
        private final List<String> rules = new ArrayList<>();
        private URI alertmanager;
        /** OpenMetrics texts, each loaded by its own promtool run (a family may then appear in several). */
        private final List<String> backfills = new ArrayList<>();
        private String logLevel = "warn";

        private Builder() {
        }

        /** Scrape interval (and timeout); 1 s by default. */
        public Builder scrapeInterval(Duration interval) {
            this.scrapeInterval = requireNonNull(interval, "interval");
            return this;
        }

        /** Rule evaluation interval; 1 s by default. */
        public Builder evaluationInterval(Duration interval) {
            this.evaluationInterval = requireNonNull(interval, "interval");
            return this;
        }

        /** Initial scrape targets ({@code host:port}). */
        public Builder targets(Collection<String> hostPorts) {
            targets.clear();
            targets.addAll(hostPorts);
            return this;
        }

        /**
         * Target labels by {@code host:port}, as a monitor's relabelling attaches them to a target (and so to its
         * {@code up} series); kept for every later {@link PrometheusServer#setTargets}.
         */
        public Builder targetLabels(Map<String, Map<String, String>> labels) {
            targetLabels.clear();
            targetLabels.putAll(labels);
            return this;
        }

        /** A rule file's YAML content (groups: ...); may be called several times. */
        public Builder ruleFile(String yaml) {
            rules.add(requireNonNull(yaml, "yaml"));
            return this;
        }

        /** Alertmanager to send alerts to, e.g. {@code http://127.0.0.1:9093}. */
        public Builder alertmanager(URI url) {
            this.alertmanager = requireNonNull(url, "url");
            return this;
        }

        /**
         * OpenMetrics text (ending with {@code # EOF}) loaded with promtool before the first start, once per call; its
         * series must carry exactly the labels the live scrapes will have ({@code job} included).
         */
        public Builder backfill(String openMetrics) {
            this.backfills.add(requireNonNull(openMetrics, "openMetrics"));
            return this;
        }

        /** How long Prometheus keeps data (--storage.tsdb.retention.time); 1 day by default, a backfilled week needs more. */
        public Builder retention(java.time.Duration keep) {
            this.retention = requireNonNull(keep, "keep");
            return this;
        }

        /** Prometheus' --log.level; warn by default. */
        public Builder logLevel(String level) {
            this.logLevel = requireNonNull(level, "level");
            return this;
        }

        /** Writes config and data, starts Prometheus and waits until it is ready. */
        public PrometheusServer start() {
            PrometheusServer server;
            try {
                server = new PrometheusServer(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                server.firstStart();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            return server;
        }
    }
}
