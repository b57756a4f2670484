package io.github.milvusautoscaler.config;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
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
        // Defaults come from the resolved tree, comments and lines from the unresolved one: resolving a
        // concatenation such as queries.cpu ("""...""" ${...component-pods} """...""") merges the origins of
        // its pieces, which carries the substituted key's comment and line instead of the key's own.
        ConfigObject parsed = ConfigFactory.parseResources("reference.conf").root();
        ConfigObject resolved = (ConfigObject) ConfigFactory.parseResources("reference.conf").resolve().root().get("milvus-autoscaler");
        List<Row> rows = new ArrayList<>();
        walk(resolved, (ConfigObject) parsed.get("milvus-autoscaler"), "", List.of(), rows);
        List<String> text = referenceText();
        List<Row> placed = new ArrayList<>(rows.size());
        for (Row r : rows) {
            placed.add(new Row(r.key(), r.defaultValue(), r.comment(), writtenAt(text, r.key(), r.line())));
        }
        placed.sort(Comparator.comparingInt(Row::line));
        return placed;
    }

    /**
     * The line where {@code key} is written, nearest to the line typesafe-config reports: its origins are off for
     * some values near triple-quoted strings (it puts {@code clusters = []}, written at line 564, at 491, among the
     * query templates), so the row would sit in the wrong place in the table. The reported line when no line near
     * it writes the key's last name.
     */
    private static int writtenAt(List<String> text, String key, int reported) {
        String name = key.substring(key.lastIndexOf('.') + 1);
        // The name as a key: at the start of a line or after a '.', '{' or space ("dataNode { signals.qps.enabled =").
        Pattern writes = Pattern.compile("(^|[\\s.{])\"?"
                + Pattern.quote(name) + "\"?\\s*(=|:|\\{)");
        for (int d = 0; d < text.size(); d++) {
            for (int line : new int[] {reported - d, reported + d}) {
                if (line >= 1 && line <= text.size() && writes.matcher(text.get(line - 1)).find()) {
                    return line;
                }
            }
        }
        return reported;
    }

    private static List<String> referenceText() {
        try (var in = ConfigReference.class.getResourceAsStream("/reference.conf")) {
            return new String(Objects.requireNonNull(in, "reference.conf").readAllBytes(),
                    StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code enclosing} are the unresolved objects around {@code written}: a leaf without a comment of its own
     * that shares its line with a commented enclosing object ({@code dataNode { signals.qps.enabled = false }})
     * is described by that object's comment, the one written above the line.
     */
    private static void walk(ConfigObject o, ConfigObject written, String prefix, List<ConfigObject> enclosing, List<Row> rows) {
        List<ConfigObject> inner = new ArrayList<>(enclosing);
        inner.add(written);
        for (Map.Entry<String, ConfigValue> e : o.entrySet()) {
            String key = prefix + e.getKey();
            ConfigValue v = e.getValue();
            ConfigValue w = written.get(e.getKey());
            if (v.valueType() == ConfigValueType.OBJECT && !((ConfigObject) v).isEmpty()) {
                walk((ConfigObject) v, (ConfigObject) w, key + ".", inner, rows);
            } else if (v.valueType() == ConfigValueType.LIST && !((ConfigList) v).isEmpty()
                    && ((ConfigList) v).get(0).valueType() == ConfigValueType.OBJECT) {
                walk((ConfigObject) ((ConfigList) v).get(0), (ConfigObject) ((ConfigList) w).get(0), key + "[].", List.of(), rows);
            } else {
                rows.add(new Row(key, render(key, v, w), comment(w, inner), w.origin().lineNumber()));
            }
        }
    }

    private static String comment(ConfigValue written, List<ConfigObject> enclosing) {
        List<String> comments = written.origin().comments();
        for (int i = enclosing.size() - 1; comments.isEmpty() && i >= 0
                && enclosing.get(i).origin().lineNumber() == written.origin().lineNumber(); i--) {
            comments = enclosing.get(i).origin().comments();
        }
        return comments.stream().map(String::strip).collect(Collectors.joining(" "));
    }

    /**
     * A PromQL template is pages long, so its row points to the templates instead of printing it: the keys
     * under queries and the keys whose default is a reference to one (component-defaults.queryNode.settle-query).
     * Every other value is printed, however long.
     */
    private static String render(String key, ConfigValue v, ConfigValue written) {
        if (key.startsWith("queries.") || written.render(ConfigRenderOptions.concise()).startsWith("${milvus-autoscaler.queries.")) {
            return "(PromQL template in reference.conf; the signals command prints it rendered)";
        }
        if (v.valueType() == ConfigValueType.STRING) {
            String s = (String) v.unwrapped();
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
