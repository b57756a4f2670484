package io.github.milvusautoscaler.policy;

import java.time.Duration;
import java.util.Locale;

/** Number and duration formatting for decision messages: short, and the same everywhere. */
final class Format {

    private Format() {
    }

    /** 0.8234 -> "0.82", 12.345 -> "12.3", 153.7 -> "154". */
    static String num(double v) {
        double a = Math.abs(v);
        String s;
        if (a >= 100) {
            s = String.format(Locale.ROOT, "%.0f", v);
        } else if (a >= 10) {
            s = String.format(Locale.ROOT, "%.1f", v);
        } else {
            s = String.format(Locale.ROOT, "%.2f", v);
        }
        return s;
    }

    /** 90 s -> "1m30s", 3600 s -> "1h", 0 -> "0s". */
    static String dur(Duration d) {
        long s = Math.max(0, d.getSeconds());
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        StringBuilder b = new StringBuilder();
        if (h > 0) {
            b.append(h).append('h');
        }
        if (m > 0) {
            b.append(m).append('m');
        }
        if (sec > 0 || b.length() == 0) {
            b.append(sec).append('s');
        }
        return b.toString();
    }
}
