package io.github.milvusautoscaler.config;

import com.typesafe.config.ConfigOrigin;
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
        if (origin == null) {
            return "unknown";
        }
        String description = origin.description();
        if (description.startsWith(MERGE)) {
            return baseName(stripLine(firstMerged(description)));
        }
        if (origin.filename() != null) {
            return baseName(origin.filename());
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

    /** The last segment of a path, e.g. {@code autoscaler.conf} for {@code config/autoscaler.conf}. */
    static String baseName(String path) {
        String trimmed = path.trim();
        int slash = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
        return slash < 0 ? trimmed : trimmed.substring(slash + 1);
    }
}
