package io.github.milvusautoscaler.metrics;

import io.github.milvusautoscaler.core.PrometheusAuth;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A secret kept in a file and re-read when the file changes, because Kubernetes rotates projected
 * service-account tokens by swapping a symlink: the modification time, size or file identity changes.
 * A stat per query is cheap next to an HTTP request. Messages name the file, never its content.
 */
public final class SecretFile {

    private final Path path;
    private final String what;
    private final String key;
    private Stamp stamp;
    private String value;

    /**
     * What tells a file changed: its modification time, size, identity (inode) and, where the file system keeps one,
     * its status-change time (ctime). The time alone missed a file put back with its old time (cp -p, rsync -t); a
     * symlink swap changes the identity; a token of the same length written over the same inode by {@code cp -p}
     * keeps all three, but not its ctime, which no user call can set back (reload recheck F10).
     *
     * @param changed the ctime, or null where the file system view has none (not a Unix one)
     */
    public record Stamp(FileTime modified, long size, Object fileKey, FileTime changed) {

        /** The stamp of the file {@code path} names (links followed). */
        public static Stamp of(Path path) throws IOException {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            FileTime changed;
            try {
                changed = (FileTime) Files.getAttribute(path, "unix:ctime");
            } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
                changed = null;
            }
            return new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey(), changed);
        }
    }

    /**
     * @param what what the file holds, e.g. {@code bearer token file}
     * @param key  the config key that names the file, e.g. {@code prometheus.auth.bearer-token-file}: messages
     *             quote it so the reader knows which setting to fix
     */
    SecretFile(Path path, String what, String key) {
        this.path = requireNonNull(path, "path");
        this.what = requireNonNull(what, "what");
        this.key = requireNonNull(key, "key");
    }

    /** {@code prometheus.auth.bearer-token-file}'s secret. */
    static SecretFile bearerToken(Path path) {
        return new SecretFile(path, "bearer token file", "prometheus.auth.bearer-token-file");
    }

    /** {@code prometheus.auth.basic-password-file}'s secret. */
    static SecretFile basicPassword(Path path) {
        return new SecretFile(path, "basic-auth password file", "prometheus.auth.basic-password-file");
    }

    /**
     * Why the Prometheus credentials files configured in {@code auth} cannot be read now, one line each (naming the
     * key, never the content); empty when each can. For {@code validate-config}, which warns where the commands
     * that query Prometheus would fail.
     */
    public static List<String> unreadable(PrometheusAuth auth) {
        List<String> problems = new ArrayList<>();
        auth.bearerTokenFile().ifPresent(p -> problem(bearerToken(p)).ifPresent(problems::add));
        auth.basicPasswordFile().ifPresent(p -> problem(basicPassword(p)).ifPresent(problems::add));
        return problems;
    }

    /** Why {@code prometheus.auth.bearer-token-file} at {@code path} cannot be read now; empty when it can. */
    public static Optional<String> bearerTokenProblem(Path path) {
        return problem(bearerToken(path));
    }

    /** Why {@code prometheus.auth.basic-password-file} at {@code path} cannot be read now; empty when it can. */
    public static Optional<String> basicPasswordProblem(Path path) {
        return problem(basicPassword(path));
    }

    private static Optional<String> problem(SecretFile file) {
        try {
            file.read();
            return Optional.empty();
        } catch (Unreadable e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The current secret, stripped of surrounding whitespace and the trailing newline. */
    synchronized String read() throws Unreadable {
        try {
            Stamp now = Stamp.of(path);
            if (value == null || !now.equals(stamp)) {
                String text = Files.readString(path, StandardCharsets.UTF_8).strip();
                if (text.isEmpty()) {
                    throw new Unreadable(what + " " + PrometheusAuth.shown(path) + " (" + key + ") is empty");
                }
                value = text;
                stamp = now;
            }
            return value;
        } catch (IOException e) {
            throw new Unreadable("cannot read " + what + " " + PrometheusAuth.shown(path) + " (" + key + "): " + why(e));
        }
    }

    /**
     * The IOException in words: NoSuchFileException and AccessDeniedException carry only the path as their message.
     * Never the file's content: an exception from reading names the file, not what is in it.
     */
    public static String why(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file (NoSuchFileException)";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied (AccessDeniedException)";
        }
        if (e instanceof java.nio.file.FileSystemException f) {
            // getMessage() would repeat the path, already in the message; getReason() is the rest ("Is a directory").
            return e.getClass().getSimpleName() + (f.getReason() == null ? "" : ": " + f.getReason());
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** The last value read, or null; used only to scrub it from text that leaves this package. */
    synchronized String lastValue() {
        return value;
    }

    /** The secret file is missing, unreadable or empty; the message is safe to log. */
    static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message, null, false, false);
        }
    }
}
