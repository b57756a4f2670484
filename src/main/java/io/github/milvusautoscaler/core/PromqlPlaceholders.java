package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The placeholders a PromQL template may use, in one place: the config reader refuses an unknown one with
 * its file and line ({@code {relase}}), and the metrics adapter fills the known ones. {@link #problem} is also
 * where every template's brackets and quotes are checked to pair up, since every template passes through it.
 */
public final class PromqlPlaceholders {

    /** Every placeholder a template may use. */
    public static final Set<String> NAMES = Set.of("namespace", "release", "component", "instance_label",
            "component_label", "deployments", "statefulsets", "deployment_component", "streamingnode_deployments",
            "proxy_deployments");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private PromqlPlaceholders() {
    }

    /**
     * Why {@code template} cannot be rendered, e.g. {@code unknown placeholder {relase} in PromQL template;
     * known: [{component}, ...]}, or empty. PromQL's own braces ({@code up{job="x"}}, {@code a{2}}) are not
     * placeholders: those hold a matcher or a number, never a bare name.
     */
    public static Optional<String> problem(String template) {
        requireNonNull(template, "template");
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!NAMES.contains(m.group(1))) {
                return Optional.of("unknown placeholder {" + m.group(1) + "} in PromQL template; known: "
                        + new TreeSet<>(NAMES).stream().map(p -> "{" + p + "}").toList());
            }
        }
        return unbalanced(template);
    }

    /**
     * Why {@code template}'s brackets or quotes do not pair up, e.g. {@code unclosed ( at line 1, column 4 of the
     * PromQL}, or empty: the one syntax slip that can be found without a PromQL parser, found here with the
     * setting's file and line instead of as an HTTP 400 on every tick, a signal UNKNOWN for good. Quoted strings
     * ({@code "..."}, {@code '...'} with backslash escapes, raw {@code `...`}) and {@code #} comments are skipped,
     * as PromQL reads them (prometheus.io docs, querying/basics: "String literals", "Comments"), so a regex such as
     * {@code "(.+)"} counts for nothing; placeholders are braces like any other.
     */
    static Optional<String> unbalanced(String template) {
        Deque<int[]> open = new ArrayDeque<>(); // {bracket, line, column}
        int line = 1;
        int column = 0;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            column++;
            if (c == '\n') {
                line++;
                column = 0;
                continue;
            }
            if (c == '#') {
                while (i + 1 < template.length() && template.charAt(i + 1) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '"' || c == '\'' || c == '`') {
                int startLine = line;
                int startColumn = column;
                boolean closed = false;
                while (++i < template.length()) {
                    char d = template.charAt(i);
                    column++;
                    if (d == '\n') {
                        line++;
                        column = 0;
                    } else if (d == '\\' && c != '`') {
                        i++;
                        column++;
                    } else if (d == c) {
                        closed = true;
                        break;
                    }
                }
                if (!closed) {
                    return Optional.of("unterminated string " + c + " at " + where(startLine, startColumn));
                }
                continue;
            }
            int kind = OPENING.indexOf(c);
            if (kind >= 0) {
                open.push(new int[] {c, line, column});
            } else if (CLOSING.indexOf(c) >= 0) {
                if (open.isEmpty() || OPENING.indexOf(open.peek()[0]) != CLOSING.indexOf(c)) {
                    return Optional.of("unmatched " + c + " at " + where(line, column)
                            + (open.isEmpty() ? "" : " (" + (char) open.peek()[0] + " opened at "
                            + where(open.peek()[1], open.peek()[2]) + " is still open)"));
                }
                open.pop();
            }
        }
        if (!open.isEmpty()) {
            int[] innermost = open.peek();
            return Optional.of("unclosed " + (char) innermost[0] + " at " + where(innermost[1], innermost[2]));
        }
        return Optional.empty();
    }

    private static final String OPENING = "([{";
    private static final String CLOSING = ")]}";

    private static String where(int line, int column) {
        return "line " + line + ", column " + column + " of the PromQL";
    }
}
