package io.github.milvusautoscaler.config;

import com.typesafe.config.ConfigOrigin;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * File base name and line of a HOCON origin, for error lines like {@code (autoscaler.conf:12)}.
 *
 * <p>Typesafe's merged objects (a user block over reference.conf's) carry no line of their own but a
 * description {@code merge of /etc/autoscaler.conf: 2,reference.conf: 134}; the first part is the
 * user's side, which is what an SRE must edit, so that is the one reported.
 */
final class Origins {

    private static final String MERGE = "merge of ";
    private static final Pattern LINE_SUFFIX = Pattern.compile("^(.*?): (\\d+)(?:-\\d+)?$");

    private Origins() {
    }

    /** Base name of the file the origin points at, e.g. {@code autoscaler.conf}. */
    static String file(ConfigOrigin origin) {
        return file(origin, null);
    }

    /**
     * The file the origin points at as the user finds it: relative to {@code base} (the main file's folder) when
     * under it, e.g. {@code sub/parts.conf} for an included file; the base name when {@code base} is null.
     */
    static String file(ConfigOrigin origin, Path base) {
        if (origin == null) {
            return "unknown";
        }
        String description = origin.description();
        if (description.startsWith(MERGE)) {
            String merged = stripLine(firstMerged(description));
            return base != null && Path.of(merged).isAbsolute() ? shown(merged, base) : baseName(merged);
        }
        if (origin.filename() != null) {
            return base != null ? shown(origin.filename(), base) : baseName(origin.filename());
        }
        if (origin.resource() != null) {
            return baseName(origin.resource());
        }
        if (origin.url() != null) {
            return baseName(origin.url().getPath());
        }
        return baseName(stripLine(description));
    }

    /** 1-based line of the origin, or -1 when it has none. */
    static int line(ConfigOrigin origin) {
        if (origin == null) {
            return -1;
        }
        if (origin.description().startsWith(MERGE)) {
            Matcher m = LINE_SUFFIX.matcher(firstMerged(origin.description()));
            return m.matches() ? Integer.parseInt(m.group(2)) : -1;
        }
        return origin.lineNumber();
    }

    private static String firstMerged(String description) {
        String rest = description.substring(MERGE.length());
        int comma = rest.indexOf(',');
        return comma < 0 ? rest : rest.substring(0, comma);
    }

    private static String stripLine(String description) {
        Matcher m = LINE_SUFFIX.matcher(description);
        String text = m.matches() ? m.group(1) : description;
        int at = text.indexOf(" @ ");
        return at < 0 ? text : text.substring(0, at);
    }

    /**
     * A file path as the user finds it: relative to {@code base} when under it ({@code sub/parts.conf}), else as
     * given (an absolute path outside the main file's folder stays absolute).
     */
    static String shown(String path, Path base) {
        try {
            Path file = Path.of(path.trim());
            if (base != null) {
                Path normal = file.toAbsolutePath().normalize();
                Path folder = base.toAbsolutePath().normalize();
                if (normal.startsWith(folder)) {
                    return folder.relativize(normal).toString();
                }
                return file.isAbsolute() ? normal.toString() : file.toString();
            }
            return file.toString();
        } catch (InvalidPathException e) {
            return path;
        }
    }

    /**
     * The folder of the user's main file of a configuration loaded from a file (its root's origin is a merge of
     * that file and reference.conf), which included files are shown relative to; null when it is no file.
     */
    static Path mainFolder(ConfigOrigin root) {
        if (root == null) {
            return null;
        }
        String description = root.description();
        String first = stripLine(description.startsWith(MERGE) ? firstMerged(description) : description);
        try {
            Path file = Path.of(first).toAbsolutePath().normalize();
            return Files.isRegularFile(file) ? file.getParent() : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** The last segment of a path, e.g. {@code autoscaler.conf} for {@code config/autoscaler.conf}. */
    static String baseName(String path) {
        String trimmed = path.trim();
        int slash = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
        return slash < 0 ? trimmed : trimmed.substring(slash + 1);
    }
}
