package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

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

    /** A substitution as written: its expression ({@code ${MAXR}}) and where. */
    record Written(String expression, ConfigOrigin origin) {
        Written {
            requireNonNull(expression, "expression");
            requireNonNull(origin, "origin");
        }
    }

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
            // A key set twice whose later value is a substitution is a merge the files still hold unresolved, and
            // renders as a commented listing of both: such a value keeps the "(env variables)" it had.
            if (expression.indexOf('\n') < 0 && expression.startsWith("${")) {
                found.put(path, new Written(expression, value.origin()));
            }
        }
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
