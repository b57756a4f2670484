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
import java.util.stream.Collectors;

/**
 * A real VictoriaMetrics (Debian's {@code /usr/bin/victoria-metrics}) scraping like
 * {@link PrometheusServer}: {@code -promscrape.config} with {@code honor_labels: true} and file_sd
 * targets checked every second, a temp {@code -storageDataPath}, a free loopback port. History is
 * imported through {@code /api/v1/import/prometheus} right after start (VictoriaMetrics accepts old
 * samples at any time). It runs with VictoriaMetrics' own defaults, as an install does: its response cache
 * on and {@code -search.latencyOffset} 30 s, so a query without {@code nocache=1} near now is evaluated 30 s
 * back ({@link #query} sends it, as the autoscaler does).
 */
public final class VictoriaMetricsServer implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/bin/victoria-metrics");
    /** The scrape job's name, as in {@link PrometheusServer#JOB}. */
    public static final String JOB = PrometheusServer.JOB;

    private final Path dir;
    private final Path data;
    private final Path config;
    private final Path targetsFile;
    private final int port;
    private final Duration scrapeInterval;
    private final ServerProcess process;

    private VictoriaMetricsServer(Duration scrapeInterval, Collection<String> targets) throws IOException {
        ServerProcess.requireBinary(BINARY);
        this.scrapeInterval = scrapeInterval;
        this.dir = Files.createTempDirectory("victoria-test-");
        this.data = Files.createDirectories(dir.resolve("data"));
        Path sd = Files.createDirectories(dir.resolve("targets"));
        this.targetsFile = sd.resolve("targets.json");
        this.config = dir.resolve("scrape.yml");
        this.port = ServerProcess.freePort();
        this.process = new ServerProcess("victoria-metrics", BINARY, dir.resolve("victoria-metrics.log"));
        ServerProcess.writeAtomically(targetsFile, targetsJson(targets));
        String interval = scrapeInterval.toMillis() + "ms";
        Files.writeString(config, "global:\n"
                + "  scrape_interval: " + interval + "\n"
                + "  scrape_timeout: " + interval + "\n"
                + "scrape_configs:\n"
                + "  - job_name: " + JOB + "\n"
                + "    honor_labels: true\n"
                + "    file_sd_configs:\n"
                + "      - files: ['" + targetsFile.getParent() + "/*.json']\n", StandardCharsets.UTF_8);
    }

    /** Starts VictoriaMetrics scraping {@code targets} every {@code scrapeInterval} and waits for {@code /health}. */
    public static VictoriaMetricsServer start(Duration scrapeInterval, Collection<String> targets) {
        requireNonNull(scrapeInterval, "scrapeInterval");
        VictoriaMetricsServer server;
        try {
            server = new VictoriaMetricsServer(scrapeInterval, List.copyOf(targets));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            server.start();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** Replaces the scrape targets through file_sd. */
    public void setTargets(Collection<String> hostPorts) {
        ServerProcess.writeAtomically(targetsFile, targetsJson(hostPorts));
    }

    /**
     * Imports Prometheus text lines with millisecond timestamps ({@code name{labels} value ts_ms}) and
     * flushes them so queries see them at once.
     */
    public void importPrometheusText(String lines) {
        ServerProcess.post(URI.create(url() + "/api/v1/import/prometheus"), lines);
        ServerProcess.get(URI.create(url() + "/internal/force_flush"));
    }

    /** Starts (or restarts) on the same port and data folder. */
    public void start() {
        List<String> args = new ArrayList<>(List.of(
                "-httpListenAddr=127.0.0.1:" + port,
                "-storageDataPath=" + data,
                "-promscrape.config=" + config,
                "-promscrape.fileSDCheckInterval=1s",
                "-loggerLevel=WARN"));
        process.start(args, URI.create(url() + "/health"));
    }

    public void stop() {
        process.stop();
    }

    public boolean isRunning() {
        return process.isRunning();
    }

    public Duration scrapeInterval() {
        return scrapeInterval;
    }

    /** The raw JSON of an instant query at the server's current time ({@code nocache=1}: now, not 30 s back). */
    public String query(String promql) {
        return ServerProcess.get(URI.create(url() + "/api/v1/query?nocache=1&query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
    }

    public String logTail() {
        return process.tail();
    }

    @Override
    public void close() {
        process.stop();
        ServerProcess.deleteTree(dir);
    }

    private static String targetsJson(Collection<String> hostPorts) {
        if (hostPorts.isEmpty()) {
            return "[]\n";
        }
        return "[{\"targets\": [" + hostPorts.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", "))
                + "], \"labels\": {}}]\n";
    }
}
