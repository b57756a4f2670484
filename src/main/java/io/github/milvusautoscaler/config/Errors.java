package io.github.milvusautoscaler.config;

import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import io.github.milvusautoscaler.core.Urls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Collects every problem of one load instead of stopping at the first, so an SRE fixes a file in one
 * pass. The same problem found twice (a bad {@code defaults} key is seen again through every target
 * that inherits it) is reported once.
 */
final class Errors {

    /** What a missing key shows as its value. */
    static final String MISSING = "<missing>";
    private static final String REDACTED = "\"<redacted>\"";
    private static final int MAX_VALUE_CHARS = 60;

    private final Set<ConfigError> errors = new LinkedHashSet<>();
    /** The main file's folder, which included files are shown relative to; null: base names. */
    private final Path base;
    /** Where the user's files write their substitutions, to locate a value taken from the environment. */
    private final Substitutions substitutions;
    private int reported;

    Errors() {
        this(null, Substitutions.NONE);
    }

    Errors(Path base, Substitutions substitutions) {
        this.base = base;
        this.substitutions = Objects.requireNonNull(substitutions, "substitutions");
    }

    /**
     * A value that breaks a rule, located by its own origin; one the environment gave, at the substitution that
     * asked for it: {@code max-replicas = "0" from ${MAXR} (env.conf:5)}, not {@code "0" (env variables)}.
     */
    void add(String path, ConfigValue value, String rule) {
        reported++;
        var written = substitutions.fromEnvironment(path, value);
        if (written.isPresent()) {
            ConfigOrigin at = written.get().origin();
            errors.add(new ConfigError(path, render(path, value) + " from " + written.get().expression(),
                    Origins.file(at, base), written.get().line(), rule));
            return;
        }
        errors.add(new ConfigError(path, render(path, value), Origins.file(value.origin(), base),
                Origins.line(value.origin()), rule));
    }

    /** Where {@code field} was set, as errors name it: {@code autoscaler.conf:12} (an included file by its path). */
    String at(Field<?> field) {
        return Origins.file(field.raw().origin(), base) + ":" + Origins.line(field.raw().origin());
    }

    /** A read field that breaks a rule. */
    void add(Field<?> field, String rule) {
        add(field.path(), field.raw(), rule);
    }

    /** A key that is not set, located at its enclosing object. */
    void missing(String path, ConfigOrigin enclosing, String rule) {
        reported++;
        errors.add(new ConfigError(path, MISSING, Origins.file(enclosing, base), Origins.line(enclosing), rule));
    }

    /** A problem with the file as a whole. */
    void file(String file, int line, String rule) {
        reported++;
        errors.add(ConfigError.ofFile(file, line, rule));
    }

    /**
     * How many problems have been reported so far, duplicates included; a section is built only when
     * this did not move while reading it (a duplicate still means the section is broken).
     */
    int mark() {
        return reported;
    }

    /**
     * Runs {@code check} and forgets what it reported when every new problem lies in reference.conf: a check of a
     * layer the user may never use, where such a problem is only the user's other setting seen through a default.
     */
    void keepOnlyUserErrors(Runnable check) {
        Set<ConfigError> before = new LinkedHashSet<>(errors);
        int reportedBefore = reported;
        check.run();
        if (errors.stream().filter(e -> !before.contains(e)).allMatch(e -> e.file().equals("reference.conf"))) {
            errors.retainAll(before);
            reported = reportedBefore;
        }
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    /** Every problem, whole-file ones first, then user files before reference.conf, then by line and path. */
    List<ConfigError> sorted() {
        List<ConfigError> list = new ArrayList<>(errors);
        list.sort(Comparator.comparing((ConfigError e) -> !e.isFileError())
                .thenComparing(e -> e.file().equals("reference.conf"))
                .thenComparing(ConfigError::file)
                .thenComparingInt(ConfigError::line)
                .thenComparing(ConfigError::path));
        return list;
    }

    /**
     * A value as the SRE wrote it: numbers and booleans as typed ({@code 0.80}, not {@code 0.8}), strings
     * quoted and cut at 60 characters, objects and lists abbreviated; header values and URLs with
     * credentials redacted, because error lines end up in logs.
     */
    static String render(String path, ConfigValue value) {
        if (value == null) {
            return MISSING;
        }
        if (secretLike(path)) {
            return REDACTED;
        }
        return switch (value.valueType()) {
            case OBJECT -> "{...}";
            case LIST -> "[...]";
            case NULL -> "null";
            case STRING -> quote(redactUserInfo((String) value.unwrapped()));
            case NUMBER, BOOLEAN -> value.atKey("v").getString("v");
        };
    }

    /**
     * Whether {@code path} names a key a secret may have been written under: any header (an Authorization or a
     * tenant token), one named like a secret
     * ({@code bearer-token}, {@code basic-password}, {@code api-key}, {@code client-secret}), or any key of an
     * {@code auth} block but a file path and the user name. The known keys take secrets only from files, but an error
     * shows the value of a key the SRE invented, as {@code prometheus.auth.bearer-token = "..."}, and error lines reach
     * the daemon's log (recheck 16, finding 2).
     */
    static boolean secretLike(String path) {
        if (path.contains(".headers.")) {
            return true;
        }
        String key = path.substring(path.lastIndexOf('.') + 1).toLowerCase(java.util.Locale.ROOT);
        if (key.endsWith("-file") || key.endsWith("_file")) {
            return false;
        }
        return key.matches(".*(token|passw|secret|credential|api-?key|apikey|private-?key).*")
                || (path.contains(".auth.") && !key.equals("basic-username"));
    }

    /**
     * A URL's credentials never reach a message: its userinfo, and its query and fragment, where tokens travel too
     * ({@code ?token=...}, {@code ?access_token=...}); the message still shows that there was one. Only a value
     * that is a URL: other strings (PromQL, label regexes) keep their {@code ?} and {@code #}.
     */
    private static String redactUserInfo(String text) {
        return text.matches("(?is)^[a-z][a-z0-9+.-]*://.*") ? Urls.redact(text, "<redacted>") : text;
    }

    private static String quote(String text) {
        String shown = text.length() > MAX_VALUE_CHARS ? text.substring(0, MAX_VALUE_CHARS - 3) + "..." : text;
        return com.typesafe.config.ConfigValueFactory.fromAnyRef(shown).render(ConfigRenderOptions.concise());
    }
}
