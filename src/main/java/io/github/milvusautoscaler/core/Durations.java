package io.github.milvusautoscaler.core;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Durations as text, in the two forms a person meets them: a setting's value as the config file writes it,
 * and a span of time in a message. One place, so "5m" reads the same in a decision, a log line, a doctor check
 * and validate-config's summary.
 */
public final class Durations {

    private Durations() {
    }

    /**
     * A setting's value in one unit, so it can be copied back into the HOCON file (which takes {@code 90m}, not
     * {@code 1h30m}): 15 seconds is {@code 15s}, 90 seconds {@code 90s}, 5 minutes {@code 5m}, 1500 ms
     * {@code 1500ms}, two days {@code 2d}.
     */
    public static String setting(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s != 0 && s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    /**
     * A span of time as an SRE reads it in a message: {@code 250ms}, {@code 7.5s}, {@code 45s}, {@code 1m30s},
     * {@code 2h}, {@code 1h0m30s} is written {@code 1h30s}; a negative one with a minus. Under 10 s the fraction
     * is kept to the millisecond (a 7.5 s sample age is not 7 s); from 10 s on, whole seconds (a sustain of
     * 44.813 s on a jittered loop reads {@code 44s}), as a person counts them against a 1m rule.
     */
    public static String human(Duration d) {
        if (d.isNegative()) {
            return "-" + human(d.negated());
        }
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 10_000 && ms % 1000 != 0) {
            return BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + "s";
        }
        long s = ms / 1000;
        StringBuilder b = new StringBuilder();
        if (s >= 3600) {
            b.append(s / 3600).append('h');
        }
        if (s % 3600 >= 60) {
            b.append(s % 3600 / 60).append('m');
        }
        if (s % 60 > 0 || b.length() == 0) {
            b.append(s % 60).append('s');
        }
        return b.toString();
    }
}
