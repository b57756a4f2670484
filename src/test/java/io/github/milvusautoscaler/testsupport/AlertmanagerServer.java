package io.github.milvusautoscaler.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real Alertmanager (Debian's {@code prometheus-alertmanager} 0.25) on a free loopback port, alone
 * ({@code --cluster.listen-address=} empty), with a webhook receiver that sends a bearer token read
 * from a file, and group timings short enough for tests (group_wait 0s, group_interval 1s).
 */
public final class AlertmanagerServer implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");

    private final Path dir;
    private final int port;
    private final ServerProcess process;

    private AlertmanagerServer(URI webhook, Path tokenFile, java.time.Duration groupInterval) throws IOException {
        ServerProcess.requireBinary(BINARY);
        this.dir = Files.createTempDirectory("alertmanager-test");
        this.port = ServerProcess.freePort();
        Path config = dir.resolve("alertmanager.yml");
        Files.writeString(config, """
                route:
                  receiver: milvus-autoscaler
                  group_by: ['alertname', 'namespace', 'app_kubernetes_io_instance', 'component']
                  group_wait: 0s
                  group_interval: %dms
                  repeat_interval: 1h
                receivers:
                  - name: milvus-autoscaler
                    webhook_configs:
                      - url: '%s'
                        send_resolved: true
                        http_config:
                          authorization:
                            type: Bearer
                            credentials_file: '%s'
                """.formatted(groupInterval.toMillis(), webhook, tokenFile));
        this.process = new ServerProcess("alertmanager", BINARY, dir.resolve("alertmanager.log"));
        process.start(List.of("--config.file=" + config, "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--web.external-url=" + url() + "/",
                "--cluster.listen-address="), URI.create(url() + "/-/ready"));
    }

    /** Starts one that posts every notification to {@code webhook} with the token in {@code tokenFile}. */
    public static AlertmanagerServer start(URI webhook, Path tokenFile) {
        return start(webhook, tokenFile, java.time.Duration.ofSeconds(1));
    }

    /**
     * As above with another group_interval: a failed notification is sent again at the group's next flush, so
     * only a long interval shows what the notifier itself retries within one notification.
     */
    public static AlertmanagerServer start(URI webhook, Path tokenFile, java.time.Duration groupInterval) {
        try {
            return new AlertmanagerServer(webhook, tokenFile, groupInterval);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        process.stop();
        ServerProcess.deleteTree(dir);
    }
}
