package io.github.milvusautoscaler.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigOriginFactory;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * typesafe-config's includer with the failure of a file include said as an SRE can act on it, and a plain
 * {@code include "x.conf"} or {@code include file("x.conf")} that finds no file refused like
 * {@code include required("x.conf")}: typesafe-config
 * skips it silently, and with it whatever it was meant to set. Its own message,
 * {@code nothere.conf: java.io.IOException: resource not found on classpath: nothere.conf}, names neither the
 * including file nor the folder searched, and talks of a classpath the user never meant (a relative include
 * not found next to its file is looked for on the classpath last). Here it reads
 * {@code autoscaler.conf:3: cannot read: include "nothere.conf": no such file in /etc/milvus-autoscaler}.
 *
 * <p>typesafe-config tells an includer neither the including file nor the line: files are included depth-first
 * while they are parsed, so the including file is the one whose include is being parsed (a stack), and the line
 * is the first in it that includes that name. {@code classpath(...)} and {@code url(...)} includes keep
 * typesafe-config's message for a file they cannot read, and are refused as a file include is when they find nothing.
 */
final class Includes implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderClasspath, ConfigIncluderURL {

    /** A failed include already described, passed up unchanged through the files that include it. */
    static final class Failed extends ConfigException.IO {
        private static final long serialVersionUID = 1L;

        Failed(ConfigOrigin origin, String message, Throwable cause) {
            super(origin, message, cause);
        }
    }

    /** The extensions typesafe-config reads an include by, in the order it tries them for a name without one. */
    private static final List<String> EXTENSIONS = List.of(".conf", ".json", ".properties");

    private final Path main;
    private final Path base;
    /** The files being parsed, innermost first; empty: the main file. An empty Optional: not a file. */
    private final Deque<Optional<Path>> parsing = new ArrayDeque<>();
    private ConfigIncluder fallback;

    /** For loading {@code main} (absolute); included files are shown relative to its folder when under it. */
    Includes(Path main) {
        this.main = main;
        this.base = main.getParent();
    }

    @Override
    public ConfigIncluder withFallback(ConfigIncluder next) {
        // Called again for every included file's options; the first fallback is typesafe-config's default.
        if (fallback == null) {
            fallback = next;
        }
        return this;
    }

    @Override
    public ConfigObject include(ConfigIncludeContext context, String what) {
        // As typesafe-config resolves it from a file: next to the including file (then on the classpath, which
        // is not said: the include is meant as a file).
        Optional<Path> including = including();
        Path file = null;
        if (including.isPresent()) {
            try {
                Path given = Path.of(what);
                file = read(including.get(), "\"" + what + "\"", what,
                        (given.isAbsolute() ? given : including.get().resolveSibling(given)).normalize());
            } catch (InvalidPathException e) {
                file = null;
            }
        }
        if (file != null && !Files.exists(file) && context.parseOptions().getAllowMissing()) {
            // A plain include (not required(...)) that finds nothing: typesafe-config skips it without a word, and
            // the settings it was meant to hold (dry-run = true, the clusters) are silently gone. Refused as a
            // required include is: a missing file never drops settings unseen.
            throw new Failed(originOf(including.get(), what), "include \"" + what + "\": no such file in "
                    + file.getParent() + " (a plain include that finds nothing is refused, not skipped)", null);
        }
        return parse(file, "\"" + what + "\"", what, () -> fallback.include(context, what));
    }

    /**
     * The file typesafe-config reads for an include that resolves to {@code file}: the file itself when its name ends
     * in .conf, .json or .properties, else the first of {@code file.conf}, {@code .json} and {@code .properties} that
     * exists (it reads each that exists; HOCON.md, "Include semantics: file formats and extensions"), else
     * {@code file}, which then reads as missing. A file that exists under a name without those extensions
     * ({@code include "safety.inc"}) is never read: typesafe-config looks for {@code safety.inc.conf} and, finding
     * nothing, skipped the plain include and its {@code dry-run = true} without a word (recheck 31, F1), and said
     * a required one was "not found on classpath: safety.inc.conf" (F2). Refused here, plain or required, naming
     * the rule and the rename that fixes it.
     */
    private Path read(Path including, String written, String name, Path file) {
        String fileName = file.getFileName() == null ? "" : file.getFileName().toString();
        if (Files.isDirectory(file)) {
            throw new Failed(originOf(including, name), "include " + written + ": " + file + " is a folder; an"
                    + " include names a file (" + fileName + "/x.conf)", null);
        }
        if (EXTENSIONS.stream().anyMatch(fileName::endsWith)) {
            return file;
        }
        for (String extension : EXTENSIONS) {
            Path withExtension = file.resolveSibling(fileName + extension);
            if (Files.exists(withExtension)) {
                if (Files.isDirectory(withExtension)) {
                    // Not "reads safety.inc.conf": a folder is read by nobody (recheck 37, R1).
                    throw new Failed(originOf(including, name), "include " + written + ": would read "
                            + withExtension.getFileName() + " (HOCON's include rule: a name that does not end in .conf,"
                            + " .json or .properties is read as name.conf, .json or .properties), which is a folder"
                            + (Files.isRegularFile(file) ? ", and " + fileName + " beside it is never read" : "")
                            + "; an include names a file", null);
                }
                if (Files.isRegularFile(file)) {
                    // typesafe-config reads safety.inc.conf and never the safety.inc beside it (recheck 35, N2).
                    throw new Failed(originOf(including, name), "include " + written + ": reads "
                            + withExtension.getFileName() + ", and " + fileName + " beside it is never read (HOCON's"
                            + " include rule: a name that does not end in .conf, .json or .properties is read as"
                            + " name.conf, .json or .properties); remove or rename one so the include names the file"
                            + " meant", null);
                }
                return withExtension;
            }
        }
        if (Files.exists(file)) {
            throw new Failed(originOf(including, name), "include " + written + ": " + fileName + " exists but is"
                    + " never read: a name that does not end in .conf, .json or .properties is read as " + fileName
                    + ".conf, .json or .properties (HOCON's include rule), and none of those is in " + file.getParent()
                    + "; rename it to " + fileName + ".conf, or to end in .conf, and include that", null);
        }
        return file;
    }

    private Optional<Path> including() {
        return parsing.isEmpty() ? Optional.of(main) : parsing.peek();
    }

    @Override
    public ConfigObject includeFile(ConfigIncludeContext context, File what) {
        Optional<Path> including = including();
        Path file = what.toPath().toAbsolutePath().normalize();
        if (including.isPresent()) {
            file = read(including.get(), "file(\"" + what + "\")", what.toString(), file);
        }
        if (including.isPresent() && !Files.exists(file) && context.parseOptions().getAllowMissing()) {
            // file(...) resolves against the working directory, so it misses whenever a command runs from another
            // folder; typesafe-config then skips it as it skips a plain include, dry-run = true and all (README
            // walkthrough audit H1). Refused as the plain form is.
            throw new Failed(originOf(including.get(), what.toString()), "include file(\"" + what + "\"): no such"
                    + " file in " + file.getParent() + " (file(...) resolves against the working directory; an include"
                    + " that finds nothing is refused, not skipped)", null);
        }
        return parse(file, "file(\"" + what + "\")", what.toString(),
                () -> ((ConfigIncluderFile) fallback).includeFile(context, what));
    }

    @Override
    public ConfigObject includeResources(ConfigIncludeContext context, String what) {
        String written = "classpath(\"" + what + "\")";
        ConfigObject read = parse(null, written, what, () -> ((ConfigIncluderClasspath) fallback)
                .includeResources(context, what));
        return refusedWhenNothing(context, read, written, what,
                () -> ConfigFactory.parseResourcesAnySyntax(what, context.parseOptions().setAllowMissing(false)));
    }

    @Override
    public ConfigObject includeURL(ConfigIncludeContext context, URL what) {
        String written = "url(\"" + what + "\")";
        ConfigObject read = parse(null, written, what.toString(), () -> ((ConfigIncluderURL) fallback)
                .includeURL(context, what));
        return refusedWhenNothing(context, read, written, what.toString(),
                () -> ConfigFactory.parseURL(what, context.parseOptions().setAllowMissing(false)));
    }

    /**
     * {@code read}, unless it is empty because a plain {@code classpath(...)} or {@code url(...)} include found
     * nothing (asked again with {@code required}: {@code again} fails then): typesafe-config skips it without a word,
     * and a {@code dry-run = true} in it with it (recheck 35, N1), as it did a plain file include. Refused as those are.
     */
    private ConfigObject refusedWhenNothing(ConfigIncludeContext context, ConfigObject read, String written,
                                            String name, Supplier<Config> again) {
        if (!read.isEmpty() || !context.parseOptions().getAllowMissing()) {
            return read;
        }
        try {
            again.get();
            return read; // there, and empty
        } catch (ConfigException.IO e) {
            throw new Failed(originOf(including().orElse(main), name), "include " + written + ": nothing found there"
                    + " (an include that finds nothing is refused, not skipped)", e);
        }
    }

    /**
     * Parses an included {@code file} (null: not a file) as its includer's {@code parse}; a failure to read it is
     * rethrown naming the including file, its line, the include as written and the folder searched.
     */
    private ConfigObject parse(Path file, String written, String name, Supplier<ConfigObject> parse) {
        Optional<Path> including = including();
        List<Path> reading = file == null || including.isEmpty() ? List.of() : beingRead();
        int again = 0;
        while (again < reading.size() && !same(reading.get(again), file)) {
            again++;
        }
        if (again < reading.size()) {
            // typesafe-config reads on 50 levels deep and then says "you probably have a cycle", with a trace of 50
            // file names and neither a line nor the include that closes it (recheck 82's remark).
            Path first = reading.get(again);
            StringBuilder chain = new StringBuilder();
            reading.subList(again, reading.size()).forEach(p -> chain.append(shown(p)).append(" -> "));
            throw new Failed(originOf(including.get(), name), "include " + written + ": an include cycle, "
                    + chain.append(shown(file)) + " (" + shown(file) + (first.equals(file) ? " is still being read"
                    : " is " + shown(first) + ", still being read") + "); remove one of these includes", null);
        }
        parsing.push(Optional.ofNullable(file));
        try {
            return parse.get();
        } catch (Failed e) {
            throw e;
        } catch (ConfigException.IO | ConfigException.BugOrBroken e) {
            if (including.isEmpty() || written == null) {
                throw e;
            }
            if (file == null) {
                // A url(...) or classpath(...) include: its line and the include as written, then the reason
                // (recheck 37, R1: "cannot read: Cannot load config from URL" with neither; typesafe-config throws
                // BugOrBroken for a URL whose server does not answer).
                throw new Failed(originOf(including.get(), name), "include " + written + ": " + (e.getCause() != null
                        ? e.getCause().toString() : e.getMessage()), e);
            }
            if (e instanceof ConfigException.BugOrBroken) {
                throw e;
            }
            String reason = Files.exists(file)
                    ? "cannot read " + file + ": " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                    : "no such file in " + file.getParent();
            throw new Failed(originOf(including.get(), name), "include " + written + ": " + reason, e);
        } finally {
            parsing.pop();
        }
    }

    /** The files being read, the main file first, each including the next. */
    private List<Path> beingRead() {
        // The stack is innermost first: its last element is the file the main file included.
        List<Optional<Path>> outermostFirst = new java.util.ArrayList<>(parsing);
        java.util.Collections.reverse(outermostFirst);
        List<Path> reading = new java.util.ArrayList<>();
        reading.add(main);
        outermostFirst.forEach(p -> p.ifPresent(reading::add));
        return reading;
    }

    /**
     * Whether two paths name one file, through symbolic links too: an include of a link to the file including it was
     * found one level late, its chain leaving that file out (recheck 90's remark).
     */
    private static boolean same(Path a, Path b) {
        try {
            return a.equals(b) || Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** Where {@code including} includes {@code name}: the file as the user finds it, and its line when found. */
    private ConfigOrigin originOf(Path including, String name) {
        // The absolute path: the error line shows it relative to the main file's folder (Origins.shown), which a path already
        // shown that way would be resolved against the working directory first ("more.conf" for sub/more.conf, recheck 90).
        ConfigOrigin origin = ConfigOriginFactory.newFile(including.toAbsolutePath().toString());
        int line = lineOf(including, name);
        if (line < 0 && name.startsWith("file:/") && !name.startsWith("file://")) {
            line = lineOf(including, "file://" + name.substring("file:".length())); // java.net.URL drops the "//"
        }
        return line > 0 ? origin.withLineNumber(line) : origin;
    }

    /** An included file as the user finds it: relative to the main file's folder when under it, else absolute. */
    String shown(Path file) {
        return Origins.shown(file.toString(), base);
    }

    /** The first line of {@code file} that includes {@code name}, or -1. */
    private static int lineOf(Path file, String name) {
        Pattern include = Pattern.compile("\\binclude\\b.*\"" + Pattern.quote(name) + "\"");
        try {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (include.matcher(lines.get(i)).find()) {
                    return i + 1;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no line then
        }
        return -1;
    }
}
