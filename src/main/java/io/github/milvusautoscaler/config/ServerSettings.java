package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The one HTTP server ({@code /metrics}, {@code /healthz}, {@code /readyz}, {@code /api/v1/status},
 * {@code /api/v1/alerts}) and how much its clients may hold, so slow or hostile clients cannot starve
 * the health probes.
 *
 * @param port                    TCP port, 0..65535; 0 picks a free port (tests)
 * @param bindAddress             address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
 * @param headerTimeout           request line and headers must arrive within this of the connect
 * @param requestTimeout          body, handler and answer must be done within this after the headers
 * @param maxConnections          connections open at once, all clients together
 * @param maxConnectionsPerClient connections open at once from one client address
 * @param maxHeaderBytes          request line plus headers; longer gets 431
 * @param maxBufferedBody         bodies up to this are read before the handler runs; longer are streamed
 */
public record ServerSettings(int port, String bindAddress, Duration headerTimeout, Duration requestTimeout,
                             int maxConnections, int maxConnectionsPerClient, int maxHeaderBytes, long maxBufferedBody) {

    public ServerSettings {
        requireNonNull(bindAddress, "bindAddress");
        requireNonNull(headerTimeout, "headerTimeout");
        requireNonNull(requestTimeout, "requestTimeout");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535");
        }
    }
}
