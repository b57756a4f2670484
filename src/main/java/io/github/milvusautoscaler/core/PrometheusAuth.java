package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How to authenticate to Prometheus and which CA to trust: only where the secrets live, never the
 * secrets themselves, so the settings can be printed by {@code validate-config} and logged. Shared by
 * the config loader (which checks the same rules first, with file and line) and the metrics adapter,
 * which re-reads the files when they change (projected service-account tokens rotate).
 *
 * @param bearerTokenFile   file holding a bearer token
 * @param basicUsername     user for basic auth; empty for none
 * @param basicPasswordFile file holding the basic-auth password; required with a user name
 * @param caFile            PEM file of the CA(s) to trust instead of the JVM's trust store
 */
public record PrometheusAuth(Optional<Path> bearerTokenFile, String basicUsername, Optional<Path> basicPasswordFile,
                             Optional<Path> caFile) {

    public PrometheusAuth {
        requireNonNull(bearerTokenFile, "bearerTokenFile");
        requireNonNull(basicUsername, "basicUsername");
        requireNonNull(basicPasswordFile, "basicPasswordFile");
        requireNonNull(caFile, "caFile");
        if (basicUsername.isEmpty() != basicPasswordFile.isEmpty()) {
            throw new IllegalArgumentException("prometheus.auth.basic-username and basic-password-file go together;"
                    + " set both or neither");
        }
        if (bearerTokenFile.isPresent() && !basicUsername.isEmpty()) {
            throw new IllegalArgumentException("prometheus.auth: bearer-token-file and basic auth exclude each other;"
                    + " set one of them");
        }
    }

    /** No credentials, the JVM's trust store. */
    public static PrometheusAuth none() {
        return new PrometheusAuth(Optional.empty(), "", Optional.empty(), Optional.empty());
    }

    /** From configuration strings, where an empty string means "not set" (as in reference.conf). */
    public static PrometheusAuth of(String bearerTokenFile, String basicUsername, String basicPasswordFile,
                                  String caFile) {
        return new PrometheusAuth(path(bearerTokenFile), requireNonNull(basicUsername, "basicUsername"),
                path(basicPasswordFile), path(caFile));
    }

    /** True when basic auth is configured. */
    public boolean hasBasicAuth() {
        return !basicUsername.isEmpty();
    }

    /** True when a bearer token or basic auth is configured. */
    public boolean hasCredentials() {
        return bearerTokenFile.isPresent() || !basicUsername.isEmpty();
    }

    private static Optional<Path> path(String value) {
        requireNonNull(value, "path");
        return value.isBlank() ? Optional.empty() : Optional.of(Path.of(value));
    }
}
