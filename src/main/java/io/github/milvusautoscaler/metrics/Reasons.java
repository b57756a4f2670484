package io.github.milvusautoscaler.metrics;

import java.time.Duration;

/** Small helpers that keep reasons short and on one line, as decision messages quote them. */
final class Reasons {

    private Reasons() {
    }

    /** Collapses whitespace and cuts to {@code max} characters, marking the cut with an ellipsis. */
    static String oneLine(String text, int max) {
        if (text == null) {
            return "";
        }
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= max ? flat : flat.substring(0, max) + "...";
    }

    /** A duration as an SRE writes it: 5s, 2m, 1m30s, 250ms. */
    static String human(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = d.toSeconds();
        if (ms % 1000 != 0 && s < 10) {
            return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        if (s < 60) {
            return s + "s";
        }
        long m = s / 60;
        long rest = s % 60;
        if (m < 60) {
            return rest == 0 ? m + "m" : m + "m" + rest + "s";
        }
        long h = m / 60;
        return m % 60 == 0 ? h + "h" : h + "h" + m % 60 + "m";
    }
}
