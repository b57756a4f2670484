package io.github.milvusautoscaler.alerts;

import io.github.milvusautoscaler.core.PrometheusAuth;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.metrics.SecretFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * A bearer token kept in a file (a mounted Secret), re-read when the file changes so a rotated
 * token works without a restart. Comparison is constant-time; the token never leaves this class.
 */
public final class TokenFile {

    /** The token file is missing, unreadable or empty: a server fault, not the caller's. */
    public static final class UnreadableTokenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnreadableTokenException(String message) {
            super(message);
        }
    }

    /** How the shipped Secret template's placeholder token begins (deploy/base/alerts-token-secret.template.yaml). */
    static final String PLACEHOLDER_START = "REPLACE-WITH-";

    private final Path path;
    private SecretFile.Stamp loaded;
    private byte[] token;

    public TokenFile(Path path) {
        this.path = requireNonNull(path, "path");
    }

    /**
     * Why the token cannot be read now ({@code alerts.bearer-token-file PATH cannot be read: no such file}), or
     * empty when it can; never the token. For the checks at start, after a reload and in {@code validate-config}:
     * without them a missing Secret showed only when the first alert got a 500.
     */
    public synchronized java.util.Optional<String> unreadable() {
        try {
            current();
            return java.util.Optional.empty();
        } catch (UnreadableTokenException e) {
            return java.util.Optional.of(e.getMessage());
        }
    }

    /** True when {@code presented} equals the file's token (trailing whitespace of the file ignored). */
    public synchronized boolean matches(String presented) {
        byte[] expected = current();
        return presented != null && MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] current() {
        try {
            // Time, size and file identity: by its time alone, a file put back with its old time (cp -p, rsync -t,
            // tar) kept the old token valid (reload audit F10).
            SecretFile.Stamp now = SecretFile.Stamp.of(path);
            if (token == null || !now.equals(loaded)) {
                byte[] read = Files.readString(path, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
                if (read.length == 0) {
                    throw new UnreadableTokenException("alerts.bearer-token-file " + PrometheusAuth.shown(path) + " is empty");
                }
                if (new String(read, StandardCharsets.UTF_8).startsWith(PLACEHOLDER_START)) {
                    // Published in the repository: anyone could scale the cluster with it.
                    throw new UnreadableTokenException("alerts.bearer-token-file " + PrometheusAuth.shown(path)
                            + " holds the placeholder of deploy/base/alerts-token-secret.template.yaml, which anyone can"
                            + " read in the repository: write a random token, e.g. openssl rand -hex 32");
                }
                token = read;
                loaded = now;
            }
            return token;
        } catch (IOException e) {
            throw new UnreadableTokenException("alerts.bearer-token-file " + PrometheusAuth.shown(path) + " cannot be read: "
                    + SecretFile.why(e));
        }
    }
}
