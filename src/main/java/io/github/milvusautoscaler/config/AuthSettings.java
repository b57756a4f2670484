package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How to authenticate to Prometheus: only where the secrets live, never the secrets themselves, so
 * settings can be logged and printed by {@code validate-config} without leaking anything. Files are
 * re-read by the metrics adapter when they change (projected tokens rotate).
 *
 * @param bearerTokenFile   file holding a bearer token; empty: no bearer auth
 * @param basicUsername     basic-auth user name; empty string: no basic auth
 * @param basicPasswordFile file holding the basic-auth password; present exactly when a user name is
 * @param caFile            PEM file of the CA that signed Prometheus' certificate; empty: the JVM trust store
 */
public record AuthSettings(Optional<Path> bearerTokenFile, String basicUsername, Optional<Path> basicPasswordFile,
                           Optional<Path> caFile) {

    public AuthSettings {
        requireNonNull(bearerTokenFile, "bearerTokenFile");
        requireNonNull(basicUsername, "basicUsername");
        requireNonNull(basicPasswordFile, "basicPasswordFile");
        requireNonNull(caFile, "caFile");
        if (basicUsername.isEmpty() != basicPasswordFile.isEmpty()) {
            throw new IllegalArgumentException("basic auth needs both a user name and a password file");
        }
    }

    /** True when basic auth is configured. */
    public boolean hasBasicAuth() {
        return !basicUsername.isEmpty();
    }
}
