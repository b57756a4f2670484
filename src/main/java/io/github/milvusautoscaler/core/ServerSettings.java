package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The one HTTP server ({@code /metrics}, {@code /healthz}, {@code /readyz}, {@code /api/v1/status},
 * {@code /api/v1/alerts}) and how much its clients may hold, so slow or hostile clients cannot starve
 * the health probes: the {@code milvus-autoscaler.server} block, read by the config package and used as
 * is by the server.
 *
 * @param port                    TCP port, 0..65535; 0 picks a free port (tests)
 * @param bindAddress             address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
 * @param headerTimeout           request line and headers must arrive within this of the connect
 * @param requestTimeout          body, handler and answer must be done within this after the headers
 * @param maxConnections          connections open at once, all clients together
 * @param maxConnectionsPerClient connections open at once from one client address
 * @param maxHeaderBytes          request line plus headers, at least 256; longer gets 431
 * @param maxBufferedBody         bodies up to this are read before the handler runs; longer are streamed
 */
public record ServerSettings(int port, String bindAddress, Duration headerTimeout, Duration requestTimeout,
                             int maxConnections, int maxConnectionsPerClient, int maxHeaderBytes, long maxBufferedBody) {

    public ServerSettings {
        requireNonNull(bindAddress, "bindAddress");
        requireNonNull(headerTimeout, "headerTimeout");
        requireNonNull(requestTimeout, "requestTimeout");
        Checks checks = new Checks();
        checks.that(port >= 0 && port <= 65535, "port", "must be a port number from 0 to 65535 (0: any free port)");
        checks.that(!bindAddress.isBlank(), "bind-address", "must be an address such as 0.0.0.0");
        checks.positive(headerTimeout, "header-timeout");
        checks.positive(requestTimeout, "request-timeout");
        checks.atLeast(maxConnections, 1, "max-connections");
        checks.atLeast(maxConnectionsPerClient, 1, "max-connections-per-client");
        checks.atLeast(maxHeaderBytes, 256, "max-header-bytes");
        checks.that(maxBufferedBody >= 0, "max-buffered-body", "must be 0 or more bytes, such as 64KiB");
        checks.done();
    }

    /** The same server on another port (the demo's {@code --port}, tests' port 0). */
    public ServerSettings withPort(int newPort) {
        return new ServerSettings(newPort, bindAddress, headerTimeout, requestTimeout, maxConnections,
                maxConnectionsPerClient, maxHeaderBytes, maxBufferedBody);
    }

    /** The same server on another address (tests bind to loopback). */
    public ServerSettings withBindAddress(String address) {
        return new ServerSettings(port, address, headerTimeout, requestTimeout, maxConnections,
                maxConnectionsPerClient, maxHeaderBytes, maxBufferedBody);
    }
}
