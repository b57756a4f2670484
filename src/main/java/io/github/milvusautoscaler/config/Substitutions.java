package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the user's files write each substitution ({@code max-replicas = ${MAXR}}), by key path, so a bad value
 * that came from the environment is located at the line that asked for it. After resolution typesafe-config gives
 * such a value the origin "env variables", with neither the variable nor the line: an SRE read
 * {@code max-replicas = "0" (env variables)} and had to search the files for which {@code ${...}} it was
 * (configuration audit C9). Read from the parsed, unresolved files, where a substitution is still its expression.
 */
final class Substitutions {

    /** The origin typesafe-config gives a value it took from the process environment. */
    static final String ENVIRONMENT = "env variables";

    /** A substitution as written: its expression ({@code ${MAXR}}), the origin of its file, and its line. */
    record Written(String expression, ConfigOrigin origin, int line) {
        Written {
            requireNonNull(expression, "expression");
            requireNonNull(origin, "origin");
        }
    }

    /** The end of an origin's line range, as a merge gives it: {@code autoscaler.conf: 17-18}. */
    private static final Pattern RANGE = Pattern.compile(": (\\d+)-(\\d+)$");

    static final Substitutions NONE = new Substitutions(Map.of());

    private final Map<String, Written> byPath;

    private Substitutions(Map<String, Written> byPath) {
        this.byPath = Map.copyOf(byPath);
    }

    /** Every substitution in {@code user} (parsed, not resolved), keyed by the path the error lines use. */
    static Substitutions in(Config user) {
        Map<String, Written> found = new HashMap<>();
        walk(user.root(), "", found);
        return new Substitutions(found);
    }

    /**
     * Where the substitution that gave {@code value} at {@code path} is written, when the value came from the
     * environment; empty for any other value.
     */
    Optional<Written> fromEnvironment(String path, ConfigValue value) {
        if (value == null || value.origin() == null || !ENVIRONMENT.equals(value.origin().description())) {
            return Optional.empty();
        }
        return Optional.ofNullable(byPath.get(path));
    }

    private static void walk(ConfigValue value, String path, Map<String, Written> found) {
        if (value instanceof ConfigObject object) {
            for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
                walk(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), found);
            }
        } else if (value instanceof ConfigList list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", found);
            }
        } else if (unresolved(value)) {
            String expression = value.render(ConfigRenderOptions.concise());
            List<String> values = topLevel(expression);
            if (values.size() > 1) {
                merged(path, value.origin(), values, found);
            } else if (expression.startsWith("${") && expression.endsWith("}")) {
                found.put(path, new Written(expression, value.origin(), Origins.line(value.origin())));
            }
        }
    }

    /**
     * A key set more than once whose later values are substitutions, which stays a merge until resolved and renders
     * as the list of its values: the override idiom {@code url = "http://..."} then {@code url = ${?PROMETHEUS_URL}}
     * (config/autoscaler.conf), rendered {@code "http://...",${?PROMETHEUS_URL}} over lines 17-18. The value that wins
     * is the last, or the one before an optional substitution whose variable is unset; its line is the range's first
     * or last, and a winner between them is not located.
     */
    private static void merged(String path, ConfigOrigin origin, List<String> values,
                               Map<String, Written> found) {
        int winner = values.size() - 1;
        while (winner > 0 && values.get(winner).startsWith("${?")
                && System.getenv(values.get(winner).substring(3, values.get(winner).length() - 1)) == null) {
            winner--;
        }
        Matcher range = RANGE.matcher(origin.description());
        int line = winner == 0 ? origin.lineNumber()
                : winner == values.size() - 1 && range.find() ? Integer.parseInt(range.group(2)) : -1;
        if (line > 0 && values.get(winner).startsWith("${") && values.get(winner).endsWith("}")) {
            found.put(path, new Written(values.get(winner), origin, line));
        }
    }

    /** The comma-separated values of a rendered merge, split outside quotes, brackets and braces. */
    private static List<String> topLevel(String body) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(body.substring(start, i));
                start = i + 1;
            }
        }
        out.add(body.substring(start));
        return out;
    }

    /** Whether a parsed value is a substitution, alone or inside a concatenation ({@code "http://${HOST}:9090"}). */
    private static boolean unresolved(ConfigValue value) {
        try {
            value.valueType();
            return false;
        } catch (ConfigException.NotResolved e) {
            return true;
        }
    }
}
