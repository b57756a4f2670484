package io.github.milvusautoscaler.actuate;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Warns about a bad annotation value once, not on every tick that reads it: the scaled object is read every
 * 15 s, so a typo in {@code paused} would otherwise log 5,760 lines a day per target. The same value is
 * warned again only after it changed, or after it fell out of the last {@value #REMEMBERED} warned.
 */
final class BadAnnotationLog {

    /** How many (object, annotation, value) warnings are remembered; far more than objects with a typo at once. */
    static final int REMEMBERED = 256;

    private static final Map<String, Boolean> WARNED = Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED;
                }
            });

    private BadAnnotationLog() {
    }

    /**
     * Logs {@code format} with {@code args} at WARN on {@code log} the first time {@code object}'s
     * {@code annotation} holds {@code value}.
     */
    static void warnOnce(Logger log, String object, String annotation, String value, String format, Object... args) {
        requireNonNull(log, "log");
        if (WARNED.put(object + '\u0000' + annotation + '\u0000' + value, Boolean.TRUE) == null) {
            log.warn(format, args);
        }
    }
}
