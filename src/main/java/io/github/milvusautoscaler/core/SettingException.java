package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Every value one settings record refuses, each named by its key relative to the record's block
 * ({@code timeout}, {@code headers.X Org}), so the config reader can print each with its full path and
 * {@code file:line} while the record stays the one place that holds the rule.
 */
public final class SettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * One refused value.
     *
     * @param key  key relative to the record's block, e.g. {@code max-attempts}
     * @param rule what the value must be, e.g. {@code must be >= 1}; never repeats a secret
     */
    public record Problem(String key, String rule) {

        public Problem {
            requireNonNull(key, "key");
            requireNonNull(rule, "rule");
        }

        @Override
        public String toString() {
            return key + " " + rule;
        }
    }

    private final transient List<Problem> problems;

    public SettingException(List<Problem> problems) {
        super(requireNonNull(problems, "problems").stream().map(Problem::toString).collect(Collectors.joining("; ")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a refused setting has at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** The refused values, in the order the record checks them. */
    public List<Problem> problems() {
        return problems;
    }
}
