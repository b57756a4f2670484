package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

/**
 * One problem in a configuration file, located so an SRE can fix it without searching: the full
 * key path, the value found, the file and line, and the rule it breaks.
 *
 * <p>{@link #toString()} is the line the tool prints, e.g.
 * {@code milvus-autoscaler.clusters[0].components.queryNode.max-replicas = 0 (autoscaler.conf:12): must be >= min-replicas (2)}.
 * A problem with the file as a whole (missing, unreadable, syntax error) has an empty path and prints
 * as {@code config/autoscaler.conf:3: syntax error: ...}.
 *
 * @param path  full key path under the file's root, with list indexes ({@code clusters[0]}); empty for
 *              a problem with the whole file
 * @param value the value as written (strings quoted, objects as {@code {...}}, secrets redacted),
 *              {@code <missing>} for a key that is not set; empty for a whole-file problem
 * @param file  base name of the file the value came from; the path as given for a whole-file problem
 * @param line  1-based line of the value (of the enclosing object for a missing key), or -1 when unknown
 * @param rule  what the value must be, e.g. {@code must be >= min-replicas (2)}
 */
public record ConfigError(String path, String value, String file, int line, String rule) {

    public ConfigError {
        requireNonNull(path, "path");
        requireNonNull(value, "value");
        requireNonNull(file, "file");
        requireNonNull(rule, "rule");
    }

    /** A problem with the file as a whole: missing, unreadable, a syntax error or an unresolvable substitution. */
    public static ConfigError ofFile(String file, int line, String rule) {
        return new ConfigError("", "", file, line, rule);
    }

    /** True for a problem with the file as a whole rather than with one key. */
    public boolean isFileError() {
        return path.isEmpty();
    }

    @Override
    public String toString() {
        String where = line > 0 ? file + ":" + line : file;
        if (isFileError()) {
            return where + ": " + rule;
        }
        return path + " = " + value + " (" + where + "): " + rule;
    }
}
