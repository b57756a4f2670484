package io.github.milvusautoscaler.policy;


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
        double a = Math.abs(v);
        int decimals = decimals(v);
        // Decided on the rounded value, so 99.996 reads "100" like 100 does, not "100.0" (message audit L6).
        if (decimals == 2 && Math.round(a * 100 + 1e-9) >= 1000) {
            decimals = 1;
        }
        if (decimals == 1 && Math.round(a * 10 + 1e-9) >= 1000) {
            decimals = 0;
        }
        return num(v, decimals);
    }

    /**
     * A comparison the way a person checks it: {@code a op b} with as many more decimals (up to
     * six) as it takes for the two sides to differ. An average of 0.3996 against a line of 0.40
     * reads "0.3996 < 0.4000", not "0.40 < 0.40", and cpu 0.75004502251201 against 0.75 reads
     * "0.75005 > 0.75000"; closer still, both sides print exactly ("0.3999999 < 0.4"), so a message
     * never shows a tie that decided something.
     */
    static String compare(double a, String op, double b) {
        // An infinite side sets no precision: "Infinity > 0.58", not "Infinity > 1" (message audit M2).
        double larger = Math.max(Double.isFinite(a) ? Math.abs(a) : 0, Double.isFinite(b) ? Math.abs(b) : 0);
        int decimals = decimals(larger);
        String left = num(a, decimals);
        String right = num(b, decimals);
        while (left.equals(right) && a != b && decimals < 6) {
            decimals++;
            left = num(a, decimals);
            right = num(b, decimals);
        }
        if (left.equals(right) && a != b) {
            // Closer than six decimals tell (0.3999999 against 0.40): print both exactly rather than a tie.
            left = exact(a);
            right = exact(b);
        }
        return left + " " + op + " " + right;
    }

    /**
     * {@code value} printed so that a person redoing "ceil(factor x value / divisor) = result" from the printed
     * numbers gets {@code result}: {@link #num}'s decimals, more (up to six) while they do not, the exact value
     * past that. The divisor is printed with {@link #level}. With cpu 0.7699 on 6 replicas and the target 0.575,
     * "ceil(6 x 0.77/0.575) = 9" holds as printed (8.03); against "0.58" it read 7.97 (message audit M1).
     */
    /**
     * As {@link #ceilTerm(double, double, double, int)}, but {@code shown} (the value as the sentence before showed it,
     * "cpu 0.754 > 0.75") when that gives the result too: "ceil(7 x 0.754/0.575)", not "7 x 0.75" a few words after
     * "0.754", which read as another value.
     */
    static String ceilTerm(double value, double factor, double divisor, int result, String shown) {
        try {
            if (ceil(factor * Double.parseDouble(shown) / divisor) == result) {
                return shown;
            }
        } catch (NumberFormatException notANumber) {
            // NaN or infinity as text: the plain term below says what it can.
        }
        return ceilTerm(value, factor, divisor, result);
    }

    static String ceilTerm(double value, double factor, double divisor, int result) {
        int decimals = decimals(value);
        String shown = num(value, decimals);
        while (ceil(factor * Double.parseDouble(shown) / divisor) != result && decimals < 6) {
            decimals++;
            shown = num(value, decimals);
        }
        return ceil(factor * Double.parseDouble(shown) / divisor) == result ? shown : exact(value);
    }

    /** The ceil the rules take: a quotient within 1e-9 of a whole number is that number (6.0000000001 is 6). */
    private static long ceil(double quotient) {
        return (long) Math.ceil(quotient - 1e-9);
    }

    /**
     * A value against a level from the settings: the level in full (at least as many decimals as {@link #num} gives
     * it), the value as {@link #num} prints it unless that rounds it across the level or by as much as it is from
     * the level, then with more decimals (up to six), then exactly: "0.59 > target 0.575" and "0.88 > 0.8475",
     * where {@link #compare} gave "0.59 > 0.58" for a target the config says is 0.575 and "0.88 > 0.85" for a line
     * of 0.8475 (message audit L1); 0.5750004 against 0.575 reads "0.5750004 > 0.575", not "0.58 > 0.575".
     */
    static String against(double value, String op, double level) {
        String exactLevel = exact(level);
        int point = exactLevel.indexOf('.');
        int levelDecimals = point < 0 ? 0 : exactLevel.length() - point - 1;
        String right = levelDecimals > 6 ? exactLevel : num(level, Math.max(levelDecimals, decimals(level)));
        return shownAgainst(value, op, level) + " " + op + " " + right;
    }

    /** The value as {@link #against} shows it: "0.754" of "0.754 > 0.75". */
    static String shownAgainst(double value, String op, double level) {
        if (!Double.isFinite(value)) {
            return String.valueOf(value);
        }
        int decimals = decimals(value);
        String left = num(value, decimals);
        while (misleads(Double.parseDouble(left), value, op, level) && decimals < 6) {
            decimals++;
            left = num(value, decimals);
        }
        return misleads(Double.parseDouble(left), value, op, level) ? exact(value) : left;
    }

    /** {@link #num}'s decimals for {@code v}: two below 10, one below 100, none above. */
    private static int decimals(double v) {
        double a = Math.abs(v);
        return a >= 100 ? 0 : a >= 10 ? 1 : 2;
    }

    /** True when {@code shown} reads the relation to {@code level} otherwise than {@code value} has it, or is off by
     * as much as {@code value} is from the level. */
    private static boolean misleads(double shown, double value, String op, double level) {
        if (value == level) {
            return shown != level;
        }
        if (Math.abs(shown - value) >= Math.abs(value - level)) {
            return true;
        }
        String rel = op.split(" ")[0];
        return switch (rel) {
            case ">" -> !(shown > level);
            case ">=" -> !(shown >= level);
            case "<" -> !(shown < level);
            case "<=" -> !(shown <= level);
            default -> false;
        };
    }

    /**
     * A line or level derived from settings, in full: 1.13 x 0.75 reads "0.8475", not the "0.85" of
     * {@link #num}, so the arithmetic in a message can be checked by hand.
     */
    static String level(double v) {
        return exact(v);
    }

    /** The shortest decimal that reads back as {@code v}, never in E notation: 0.39999, 1.0E-5 -> 0.00001. */
    private static String exact(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String num(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        long scale = 1;
        for (int i = 0; i < decimals; i++) {
            scale *= 10;
        }
        // 0.575 is 0.57499999999999996 in binary; the person who wrote it means 0.575, which rounds to 0.58.
        long r = Math.round(Math.abs(v) * scale + 1e-9);
        StringBuilder b = new StringBuilder(8);
        if (v < 0 && r != 0) {
            b.append('-');
        }
        b.append(r / scale);
        if (decimals > 0) {
            String frac = Long.toString(r % scale);
            b.append('.');
            for (int i = frac.length(); i < decimals; i++) {
                b.append('0');
            }
            b.append(frac);
        }
        return b.toString();
    }
}
