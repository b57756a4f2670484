package io.github.milvusautoscaler.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/** Small checks shared by the section readers; each records a located error and returns null on failure. */
final class Rules {

    /** Prometheus label names, also what kube-state-metrics turns Kubernetes labels into. */
    static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private Rules() {
    }

    /** An integer field that must be at least {@code min}. */
    static Field<Integer> atLeast(Field<Integer> field, int min, Errors errors) {
        if (field != null && field.value() < min) {
            errors.add(field, "must be >= " + min);
            return null;
        }
        return field;
    }

    /** A string field that must not be blank. */
    static Field<String> nonBlank(Field<String> field, String rule, Errors errors) {
        if (field != null && field.value().isBlank()) {
            errors.add(field, rule);
            return null;
        }
        return field;
    }

    /** A Prometheus label name such as {@code app_kubernetes_io_instance}. */
    static Field<String> labelName(Field<String> field, Errors errors) {
        if (field != null && !LABEL_NAME.matcher(field.value()).matches()) {
            errors.add(field, "must be a Prometheus label name such as app_kubernetes_io_instance");
            return null;
        }
        return field;
    }

    /** A file path where empty means "none"; wrapped so an unset path cannot be mistaken for a real one. */
    static Optional<Path> optionalPath(Field<String> field, Errors errors) {
        if (field == null) {
            return null;
        }
        if (field.value().isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(field.value()));
        } catch (InvalidPathException e) {
            errors.add(field, "must be a file path");
            return null;
        }
    }

    /** The value as the SRE wrote it, unquoted, for naming the other side of a two-key rule: {@code 15s}, {@code 0.75}. */
    static String text(Field<?> field) {
        return field.raw().atKey("v").getString("v");
    }

    /** The value of a field, or null when the read failed (an error has been recorded then). */
    static <T> T value(Field<T> field) {
        return field == null ? null : field.value();
    }
}
