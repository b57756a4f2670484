package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How to authenticate to Prometheus and which CA to trust: only where the secrets live, never the
 * secrets themselves, so the settings can be printed by {@code validate-config} and logged. The
 * {@code prometheus.auth} block: its rules live here (the config reader adds file and line to what this
 * refuses); the metrics adapter re-reads the files when they change (projected service-account tokens rotate).
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
        Checks checks = new Checks();
        checks.that(basicUsername.isEmpty() || basicPasswordFile.isPresent(), "basic-username",
                "needs basic-password-file to be set as well");
        checks.that(!basicUsername.isEmpty() || basicPasswordFile.isEmpty(), "basic-password-file",
                "needs basic-username to be set as well");
        checks.that(bearerTokenFile.isEmpty() || basicUsername.isEmpty(), "bearer-token-file",
                "must be empty when basic-username is set: use one kind of auth");
        checks.done();
    }

    /**
     * A secret file's path as messages show it: the path when it has a {@code /} in it, else a note, since a value
     * without one is as likely the secret itself pasted where its file belongs ({@code bearer-token-file =
     * "eyJhbGci..."}) and must not reach a log. A file in the working directory is still named by its key.
     */
    public static String shown(Path file) {
        String path = file.toString();
        return path.indexOf('/') >= 0 ? path
                : "(value not shown: it has no '/', as a secret pasted in place of its file's path would not)";
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
