package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration that cannot be used, with every problem found in it, so an SRE fixes a bad file
 * in one pass instead of one error per restart. The message is one {@link ConfigError} per line.
 */
public final class InvalidConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<ConfigError> errors;

    public InvalidConfigException(List<ConfigError> errors) {
        super(message(errors));
        this.errors = List.copyOf(errors);
    }

    private static String message(List<ConfigError> errors) {
        requireNonNull(errors, "errors");
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an invalid configuration has at least one error");
        }
        return errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n"));
    }

    /** Every problem found, in file order (user files first, then line, then path). */
    public List<ConfigError> errors() {
        return errors;
    }
}
