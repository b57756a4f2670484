package io.github.milvusautoscaler.config;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The README's configuration reference, generated from reference.conf: one row per key with its
 * default and the comment above it. README tests compare against this, so the two cannot drift.
 */
public final class ConfigReference {

    /** Marks the generated section in README.md. */
    public static final String START = "<!-- config-reference:start (generated from reference.conf; ReadmeTest) -->";
    public static final String END = "<!-- config-reference:end -->";

    private ConfigReference() {
    }

    /** A key with its default and its comment. */
    public record Row(String key, String defaultValue, String comment, int line) {
    }

    public static List<Row> rows() {
        ConfigObject root = (ConfigObject) ConfigFactory.parseResources("reference.conf").resolve().root().get("milvus-autoscaler");
        List<Row> rows = new ArrayList<>();
        walk(root, "", rows);
        rows.sort(Comparator.comparingInt(Row::line));
        return rows;
    }

    private static void walk(ConfigObject o, String prefix, List<Row> rows) {
        for (Map.Entry<String, ConfigValue> e : o.entrySet()) {
            String key = prefix + e.getKey();
            ConfigValue v = e.getValue();
            if (v.valueType() == ConfigValueType.OBJECT && !((ConfigObject) v).isEmpty()) {
                walk((ConfigObject) v, key + ".", rows);
            } else if (v.valueType() == ConfigValueType.LIST && !((ConfigList) v).isEmpty()
                    && ((ConfigList) v).get(0).valueType() == ConfigValueType.OBJECT) {
                walk((ConfigObject) ((ConfigList) v).get(0), key + "[].", rows);
            } else {
                rows.add(new Row(key, render(v), v.origin().comments().stream().map(String::strip).collect(Collectors.joining(" ")), v.origin().lineNumber()));
            }
        }
    }

    private static String render(ConfigValue v) {
        if (v.valueType() == ConfigValueType.STRING) {
            String s = (String) v.unwrapped();
            if (s.length() > 40) {
                return "(PromQL template, see below)";
            }
            return s.isEmpty() ? "\"\"" : s;
        }
        return v.render(ConfigRenderOptions.concise());
    }

    /** The Markdown table between {@link #START} and {@link #END}. */
    public static String markdown() {
        return START + "\n| key (under `milvus-autoscaler`) | default | what it is |\n|---|---|---|\n"
                + rows().stream().map(r -> "| `" + r.key() + "` | `" + r.defaultValue().replace("|", "\\|") + "` | "
                        + r.comment().replace("|", "\\|") + " |").collect(Collectors.joining("\n")) + "\n" + END;
    }
}
