package io.github.milvusautoscaler.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of one settings record, checked all at once in its constructor: every value it refuses is
 * collected, then {@link #done()} throws one {@link SettingException} naming them all, so a file with
 * three bad keys in one block is fixed in one pass, not three.
 */
public final class Checks {

    /** The rule of a duration that must be above zero, in the words every block uses. */
    public static final String POSITIVE_DURATION = "must be a positive duration, such as 30s or 5m";

    private final List<SettingException.Problem> problems = new ArrayList<>();

    /** Records {@code rule} against {@code key} unless {@code ok}; returns {@code ok} for dependent checks. */
    public boolean that(boolean ok, String key, String rule) {
        if (!ok) {
            problems.add(new SettingException.Problem(key, rule));
        }
        return ok;
    }

    /** An integer of at least {@code min}: {@code must be >= 1}. */
    public boolean atLeast(int value, int min, String key) {
        return that(value >= min, key, "must be >= " + min);
    }

    /** The rule of a positive duration under a millisecond, which timers and sleeps read as 0 (a busy loop). */
    public static final String AT_LEAST_A_MILLISECOND = "must be at least 1ms (waits and timeouts count whole"
            + " milliseconds: less is 0), such as 30s or 5m";

    /** A duration of at least 1ms: above zero, and not below a millisecond, which every timer here reads as 0. */
    public boolean positive(Duration value, String key) {
        String rule = positiveRule(value);
        return that(rule == null, key, rule);
    }

    /** The rule {@code value} breaks as a positive duration ({@link #positive}), or null when it keeps it. */
    public static String positiveRule(Duration value) {
        return value.isZero() || value.isNegative() ? POSITIVE_DURATION
                : value.toMillis() < 1 ? AT_LEAST_A_MILLISECOND : null;
    }

    /** The rule of a timeout OkHttp refuses: it counts milliseconds in an int, at most 24 days. */
    public static final Duration LONGEST_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);

    /** A client timeout: at least 1ms and at most 24 days (OkHttp's limit; longer is "timeout too large"). */
    public boolean timeout(Duration value, String key) {
        return positive(value, key) && that(value.compareTo(LONGEST_TIMEOUT) <= 0, key,
                "must be at most 24d (an HTTP client timeout counts milliseconds in an int), such as 10s");
    }

    /** Throws the collected problems, if any. */
    public void done() {
        if (!problems.isEmpty()) {
            throw new SettingException(problems);
        }
    }
}
