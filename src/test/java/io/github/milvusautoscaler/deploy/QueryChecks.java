package io.github.milvusautoscaler.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks of PromQL text that promtool cannot make: that every autoscaler metric a query names is
 * one the daemon exports, and that label values it filters on exist. A misspelt name or value
 * parses fine and selects nothing, which on a dashboard looks like "all quiet".
 */
final class QueryChecks {

    /** Metric names of the daemon and its circuit breaker, e.g. {@code milvus_autoscaler_leader}. */
    private static final Pattern OUR_METRIC = Pattern.compile("\\b((?:milvus_autoscaler|resilience4j)_[a-zA-Z0-9_]*)");
    /** A selector with matchers: {@code name{...}}. */
    private static final Pattern SELECTOR = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
    /** One matcher inside braces: {@code label op "value"}. */
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private QueryChecks() {
    }

    /** Autoscaler metric names in {@code expr} that the daemon does not export. */
    static Set<String> unknownMetrics(String expr, Set<String> exported) {
        Set<String> unknown = new TreeSet<>();
        Matcher m = OUR_METRIC.matcher(expr);
        while (m.find()) {
            if (!exported.contains(m.group(1))) {
                unknown.add(m.group(1));
            }
        }
        return unknown;
    }

    /**
     * Matchers in {@code expr} on labels with known values that can select nothing, each as a
     * sentence: an {@code =} value that does not exist, or a regex alternative that matches no value
     * (alternatives are split on top-level {@code |}, e.g. {@code "AT_MAX|SETTLNG"} reports SETTLNG).
     */
    static List<String> impossibleMatchers(String expr, Map<String, Set<String>> labelValues) {
        List<String> problems = new ArrayList<>();
        Matcher s = SELECTOR.matcher(expr);
        while (s.find()) {
            String metric = s.group(1);
            Matcher m = MATCHER.matcher(s.group(2));
            while (m.find()) {
                Set<String> known = labelValues.get(metric + "/" + m.group(1));
                if (known == null) {
                    continue;
                }
                String op = m.group(2);
                String value = m.group(3);
                if (op.equals("=") || op.equals("!=")) {
                    if (!known.contains(value)) {
                        problems.add(metric + "{" + m.group(1) + op + "\"" + value + "\"}: no such value; known: " + known);
                    }
                    continue;
                }
                for (String alternative : alternatives(value)) {
                    Pattern p = Pattern.compile(alternative);
                    if (known.stream().noneMatch(v -> p.matcher(v).matches())) {
                        problems.add(metric + "{" + m.group(1) + op + "\"" + value + "\"}: \"" + alternative
                                + "\" matches no value; known: " + known);
                    }
                }
            }
        }
        return problems;
    }

    /** The values of every {@code label=~"..."} (or {@code =}) matcher on {@code metric} in {@code expr}. */
    static List<String> matcherValues(String expr, String metric, String label) {
        List<String> values = new ArrayList<>();
        Matcher s = SELECTOR.matcher(expr);
        while (s.find()) {
            if (!s.group(1).equals(metric)) {
                continue;
            }
            Matcher m = MATCHER.matcher(s.group(2));
            while (m.find()) {
                if (m.group(1).equals(label) && (m.group(2).equals("=~") || m.group(2).equals("="))) {
                    values.add(m.group(3));
                }
            }
        }
        return values;
    }

    /** Splits a regex on the {@code |} that are outside parentheses and brackets. */
    static List<String> alternatives(String regex) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
            } else if (c == '|' && depth == 0) {
                parts.add(regex.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(regex.substring(start));
        return parts;
    }
}
