package io.github.milvusautoscaler.policy;

import java.time.Duration;

/** Number and duration formatting for decision messages: short, and the same everywhere. */
final class Format {

    private Format() {
    }

    /**
     * 0.8234 -> "0.82", 12.345 -> "12.3", 153.7 -> "154": two decimals below 10, one below 100,
     * none above. Hand-rolled because String.format costs microseconds and the simulator writes
     * a message for each of a million ticks.
     */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        double a = Math.abs(v);
        int decimals = a >= 100 ? 0 : a >= 10 ? 1 : 2;
        long scale = decimals == 0 ? 1 : decimals == 1 ? 10 : 100;
        long r = Math.round(a * scale);
        StringBuilder b = new StringBuilder(8);
        if (v < 0 && r != 0) {
            b.append('-');
        }
        b.append(r / scale);
        if (decimals > 0) {
            b.append('.');
            long frac = r % scale;
            if (decimals == 2 && frac < 10) {
                b.append('0');
            }
            b.append(frac);
        }
        return b.toString();
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
