package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keys one file sets twice, where the first setting has no effect: HOCON keeps the last value of a key (objects
 * merge, values and lists replace), so {@code dry-run = true} followed further down by {@code dry-run = false} is a
 * valid file whose daemon writes, and validate-config said "valid" (configuration audit C10). Read from the file's
 * text, because a parsed configuration keeps only the winner; a key set twice through an object block
 * ({@code prometheus.url = ...} and later {@code prometheus { url = ... }}) counts, two blocks of the same object
 * merge and do not, nor does an append ({@code +=}), a value that names its own key ({@code a = ${a} [x]}) or an
 * optional substitution alone ({@code url = ${?PROMETHEUS_URL}}, which overrides only when the variable is set).
 *
 * <p>An include further down that sets a key the file set above it drops that setting too ({@code dry-run = true},
 * then {@code include "install.conf"} holding {@code dry-run = false}: a daemon that writes, with no word; recheck
 * 113, F2). That is told from the parsed file, which knows where each winning value came from: a key the file sets
 * itself whose value, once its includes are read, comes from another file. An include above a key is the layering
 * the shipped autoscaler.conf does (example.conf, then its own keys) and is not told; nor is an included optional
 * substitution ({@code dry-run = ${?DRY_RUN}}), which overrides only when its variable is set.
 *
 * <p>The reader follows HOCON's syntax as far as keys need it (comments, quoted and triple-quoted strings,
 * substitutions, objects, lists, includes); a file it cannot follow yields no duplicate rather than a wrong one,
 * since the loader has already said whatever is wrong with its syntax.
 */
public final class DuplicateKeys {

    /**
     * A key set again.
     *
     * @param path   the key's path as written, with list elements as {@code clusters[0]}
     * @param first  the 1-based line of the setting that has no effect
     * @param again  the 1-based line of the one that wins (the last, when more than two); for a key an include sets
     *               again, the line of the setting it drops, where a warning points
     * @param winner the file and line of the setting that wins when an include further down set it again
     *               ({@code install.conf:3}, relative to the file's folder when under it); empty when it is a line of
     *               the file itself
     */
    public record Duplicate(String path, int first, int again, String winner) {
        public Duplicate {
            requireNonNull(path, "path");
            requireNonNull(winner, "winner");
        }

        /** A key set again by a line of the same file. */
        public Duplicate(String path, int first, int again) {
            this(path, first, again, "");
        }

        /**
         * {@code milvus-autoscaler.dry-run is set at line 2 and again at line 9, which wins: line 2 has no effect};
         * on one line, {@code ... is set twice on line 2: the first has no effect} (recheck 31, F4: "at line 2 and
         * again at line 2, which wins: line 2 has no effect"); by an include, {@code milvus-autoscaler.dry-run is set
         * at line 6 and again by install.conf:1, included further down, which wins: line 6 has no effect}.
         */
        public String describe() {
            if (!winner.isEmpty()) {
                return path + " is set at line " + first + " and again by " + winner + ", included further down, which"
                        + " wins: line " + first + " has no effect";
            }
            return first == again ? path + " is set twice on line " + first + ": the last wins, the first has no effect"
                    : path + " is set at line " + first + " and again at line " + again + ", which wins: line " + first
                    + " has no effect";
        }
    }

    /** Reads every include as empty, so a parse holds the file's own settings only. */
    private static final class NoIncludes
            implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderClasspath, ConfigIncluderURL {

        @Override
        public ConfigIncluder withFallback(ConfigIncluder fallback) {
            return this;
        }

        @Override
        public ConfigObject include(ConfigIncludeContext context, String what) {
            return ConfigFactory.empty().root();
        }

        @Override
        public ConfigObject includeFile(ConfigIncludeContext context, File what) {
            return ConfigFactory.empty().root();
        }

        @Override
        public ConfigObject includeResources(ConfigIncludeContext context, String what) {
            return ConfigFactory.empty().root();
        }

        @Override
        public ConfigObject includeURL(ConfigIncludeContext context, URL what) {
            return ConfigFactory.empty().root();
        }
    }

    private final String text;
    private int pos;
    private int line = 1;
    private int lists;
    /** Internal path (list literals numbered apart) to the line of its first setting. */
    private final Map<String, Integer> seen = new HashMap<>();
    private final Map<String, Duplicate> found = new HashMap<>();
    private final List<String> order = new ArrayList<>();

    private DuplicateKeys(String text) {
        this.text = text;
    }

    /**
     * The keys {@code file} sets twice, in the order of their second setting, then those an include further down sets
     * again, in the file's order; empty when it cannot be read.
     */
    public static List<Duplicate> in(Path file) {
        List<Duplicate> found;
        try {
            found = new ArrayList<>(of(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            return List.of(); // the loader reports an unreadable file
        }
        found.addAll(overriddenByIncludes(file));
        return List.copyOf(found);
    }

    /**
     * The keys {@code file} sets whose value, once its includes are read, comes from an included file: an include
     * further down set them again. Empty when the file or an include cannot be parsed (the loader says why).
     */
    static List<Duplicate> overriddenByIncludes(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        ConfigParseOptions options = ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF);
        ConfigObject own;
        ConfigObject whole;
        try {
            own = ConfigFactory.parseFile(absolute.toFile(), options.setIncluder(new NoIncludes())).root();
            whole = ConfigFactory.parseFile(absolute.toFile(), options.setIncluder(new Includes(absolute))).root();
        } catch (RuntimeException e) { // a ConfigException: the loader says what is wrong
            return List.of();
        }
        List<Duplicate> found = new ArrayList<>();
        overridden(own, whole, new ArrayList<>(), absolute, found);
        found.sort(Comparator.comparingInt(Duplicate::first));
        return found;
    }

    /** Adds each setting of {@code own} under {@code path} whose winner in {@code whole} is another file's. */
    private static void overridden(ConfigObject own, ConfigObject whole, List<String> path, Path file,
                                   List<Duplicate> found) {
        for (String key : own.keySet()) {
            ConfigValue mine = own.get(key);
            ConfigValue theirs = whole.get(key);
            if (theirs == null) {
                continue;
            }
            path.add(key);
            try {
                if (mine instanceof ConfigObject mineObject && theirs instanceof ConfigObject theirObject) {
                    overridden(mineObject, theirObject, path, file, found);
                } else {
                    // Resolved values only: an unresolved one is a substitution, e.g. an optional override.
                    mine.valueType();
                    theirs.valueType();
                    ConfigOrigin winner = theirs.origin();
                    if (winner.filename() != null && !Path.of(winner.filename()).equals(file)) {
                        int line = mine.origin().lineNumber();
                        found.add(new Duplicate(ConfigUtil.joinPath(path), line, line,
                                shown(file, Path.of(winner.filename())) + ":" + winner.lineNumber()));
                    }
                }
            } catch (ConfigException.NotResolved e) {
                // a substitution or a merge with one: no claim
            }
            path.remove(path.size() - 1);
        }
    }

    /** {@code included} relative to {@code file}'s folder when under it, else as it is. */
    private static String shown(Path file, Path included) {
        Path folder = file.getParent();
        return folder != null && included.startsWith(folder) ? folder.relativize(included).toString()
                : included.toString();
    }

    /** The keys HOCON {@code text} sets twice. */
    public static List<Duplicate> of(String text) {
        DuplicateKeys reader = new DuplicateKeys(requireNonNull(text, "text"));
        try {
            reader.members("", "", true);
        } catch (IllegalStateException e) {
            return List.of(); // not followed: no claim
        }
        return reader.order.stream().map(reader.found::get).toList();
    }

    /** Whether the reader follows {@code text} to its end; a file it does not yields no duplicate. */
    static boolean follows(String text) {
        try {
            new DuplicateKeys(requireNonNull(text, "text")).members("", "", true);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** Members of an object until its closing brace (or the end, at the root). */
    private void members(String path, String shown, boolean root) {
        while (true) {
            skipSpace(true);
            if (pos >= text.length()) {
                if (!root) {
                    throw new IllegalStateException("end inside an object");
                }
                return;
            }
            char c = text.charAt(pos);
            if (c == '}') {
                if (root) {
                    throw new IllegalStateException("unbalanced }");
                }
                pos++;
                return;
            }
            if (c == ',') {
                pos++;
                continue;
            }
            if (c == '{' && root && path.isEmpty()) {
                pos++; // a root object in braces
                members(path, shown, false);
                continue;
            }
            member(path, shown);
        }
    }

    private void member(String path, String shown) {
        int keyLine = line;
        List<String> key = new ArrayList<>();
        StringBuilder element = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                element.append(quoted());
            } else if (c == '.') {
                key.add(element.toString().trim());
                element.setLength(0);
                pos++;
            } else if (c == '=' || c == ':' || c == '{' || (c == '+' && next(1) == '=')) {
                break;
            } else if (c == '\n' || c == '}' || c == ',' || c == '[' || c == ']' || startsComment()) {
                break;
            } else {
                element.append(c);
                pos++;
            }
        }
        key.add(element.toString().trim());
        if (key.size() == 1 && (key.get(0).equals("include") || key.get(0).startsWith("include "))) {
            skipToLineEnd();
            return;
        }
        if (pos >= text.length()) {
            throw new IllegalStateException("a key without a value");
        }
        char sep = text.charAt(pos);
        boolean append = sep == '+';
        if (sep == '=' || sep == ':') {
            pos++;
        } else if (append) {
            pos += 2;
        } else if (sep != '{') {
            throw new IllegalStateException("a key without a separator");
        }
        String inner = path;
        String innerShown = shown;
        for (String k : key) {
            inner = inner.isEmpty() ? k : inner + "." + k;
            innerShown = innerShown.isEmpty() ? k : innerShown + "." + k;
        }
        skipSpace(true);
        if (pos < text.length() && text.charAt(pos) == '{') {
            pos++;
            members(inner, innerShown, false);
            value(inner, innerShown); // what concatenates to the object on its line
            return; // objects merge: no setting of their own
        }
        int start = pos;
        value(inner, innerShown);
        String written = text.substring(start, Math.min(pos, text.length()));
        // An optional substitution alone overrides only when its variable is set: url = "http://..." then
        // url = ${?PROMETHEUS_URL}, as config/autoscaler.conf does, is the idiom for an override, not a mistake.
        boolean override = written.trim().matches("\\$\\{\\?[^}]+}");
        if (!append && !override && !written.contains("${" + innerShown + "}") && !written.contains("${?" + innerShown + "}")) {
            set(inner, innerShown, keyLine);
        }
    }

    private void set(String inner, String shown, int at) {
        Integer first = seen.putIfAbsent(inner, at);
        if (first != null && found.put(inner, new Duplicate(shown, first, at)) == null) {
            order.add(inner);
        }
    }

    /** A value up to the end of its member: a concatenation of strings, substitutions, lists and objects. */
    private void value(String path, String shown) {
        while (true) {
            skipSpace(false);
            if (pos >= text.length()) {
                return;
            }
            char c = text.charAt(pos);
            if (c == '\n' || c == ',' || c == '}' || c == ']' || startsComment()) {
                return;
            }
            if (c == '[') {
                pos++;
                list(path, shown);
            } else if (c == '{') {
                pos++;
                members(path, shown, false);
            } else if (c == '"') {
                quoted();
            } else if (c == '$' && next(1) == '{') {
                int close = text.indexOf('}', pos);
                if (close < 0) {
                    throw new IllegalStateException("unclosed substitution");
                }
                pos = close + 1;
            } else {
                pos++;
            }
        }
    }

    /** List elements until the closing bracket; each object element is a scope of its own. */
    private void list(String path, String shown) {
        int id = ++lists;
        int index = 0;
        while (true) {
            skipSpace(true);
            if (pos >= text.length()) {
                throw new IllegalStateException("end inside a list");
            }
            char c = text.charAt(pos);
            if (c == ']') {
                pos++;
                return;
            }
            if (c == ',') {
                pos++;
                continue;
            }
            if (c == '}') {
                throw new IllegalStateException("unbalanced } in a list");
            }
            // Numbered apart, so two lists of one key (itself a duplicate) do not report each element's keys too.
            value(path + "[#" + id + ":" + index + "]", shown + "[" + index + "]");
            index++;
        }
    }

    /** A quoted or triple-quoted string, returning its text. */
    private String quoted() {
        if (text.startsWith("\"\"\"", pos)) {
            int close = text.indexOf("\"\"\"", pos + 3);
            if (close < 0) {
                throw new IllegalStateException("unclosed triple quote");
            }
            // HOCON lets extra quotes end a triple-quoted string: """a""""" is a"".
            int end = close + 3;
            while (end < text.length() && text.charAt(end) == '"') {
                end++;
            }
            String body = text.substring(pos + 3, end - 3);
            countLines(pos, end);
            pos = end;
            return body;
        }
        StringBuilder out = new StringBuilder();
        pos++;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\\' && pos + 1 < text.length()) {
                out.append(text.charAt(pos + 1));
                pos += 2;
            } else if (c == '"') {
                pos++;
                return out.toString();
            } else if (c == '\n') {
                throw new IllegalStateException("newline in a string");
            } else {
                out.append(c);
                pos++;
            }
        }
        throw new IllegalStateException("unclosed string");
    }

    /** Skips spaces and comments, and newlines too when {@code newlines}. */
    private void skipSpace(boolean newlines) {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                if (!newlines) {
                    return;
                }
                line++;
                pos++;
            } else if (Character.isWhitespace(c) || c == '\uFEFF') {
                pos++;
            } else if (startsComment()) {
                if (!newlines) {
                    return;
                }
                skipToLineEnd();
            } else {
                return;
            }
        }
    }

    private boolean startsComment() {
        return text.charAt(pos) == '#' || (text.charAt(pos) == '/' && next(1) == '/');
    }

    private void skipToLineEnd() {
        int end = text.indexOf('\n', pos);
        pos = end < 0 ? text.length() : end;
    }

    private char next(int ahead) {
        return pos + ahead < text.length() ? text.charAt(pos + ahead) : '\0';
    }

    private void countLines(int from, int to) {
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
    }
}
