package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

/**
 * The one HTTP server ({@code /metrics}, {@code /healthz}, {@code /readyz}, {@code /api/v1/status},
 * {@code /api/v1/alerts}).
 *
 * @param port        TCP port, 0..65535; 0 picks a free port (tests)
 * @param bindAddress address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
 */
public record ServerSettings(int port, String bindAddress) {

    public ServerSettings {
        requireNonNull(bindAddress, "bindAddress");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535");
        }
    }
}
