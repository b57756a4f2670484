package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Draws a run as a standalone SVG a person can read: small multiples, one panel per policy sharing the
 * time axis, so lines that coincide cannot hide each other. Each panel shows demand (mean and peak) against
 * that policy's ready capacity, with the buckets where it was overloaded shaded red and where it ran hot
 * shaded orange, and below it the policy's replicas with its scale-outs and step-downs marked. Time is in
 * days, hours, minutes or seconds since the series' start ({@link TimeAxis}). Hand-written because it is a few hundred lines and a charting
 * library would be the biggest dependency of the jar.
 */
public final class SvgChart {

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    private static final String OVERLOAD = "#e4002b";
    private static final String HOT = "#ff9f1c";
    private static final int WIDTH = 1200;
    private static final int LEFT = 80;
    private static final int RIGHT = 300;
    private static final int TOP = 60;
    private static final int LOAD_HEIGHT = 120;
    private static final int REPLICA_HEIGHT = 56;
    private static final int INNER_GAP = 16;
    private static final int PANEL_GAP = 34;
    private static final int BOTTOM = 56;

    private SvgChart() {
    }

    /** The SVG document for {@code series}, titled with {@code title}; time since the trace start. */
    public static String render(ChartSeries series, String title) {
        return render(series, title, "trace start");
    }

    /**
     * The SVG document for {@code series}, titled with {@code title}, its time axis counted from
     * {@code origin} (e.g. {@code trace start}, or the date of a zoomed day).
     */
    public static String render(ChartSeries series, String title, String origin) {
        requireNonNull(series, "series");
        requireNonNull(title, "title");
        requireNonNull(origin, "origin");
        int n = series.size();
        int lanes = series.policies().size();
        double span = n == 0 ? 1 : Math.max(1, series.seconds(n - 1));
        TimeAxis axis = TimeAxis.over(span);
        double unit = axis.seconds();
        double maxQps = 1;
        int maxReplicas = 1;
        for (int i = 0; i < n; i++) {
            maxQps = Math.max(maxQps, series.demandPeak(i));
            for (int l = 0; l < lanes; l++) {
                maxQps = Math.max(maxQps, series.capacity(l, i));
                maxReplicas = Math.max(maxReplicas, series.replicas(l, i));
            }
        }
        int plotWidth = WIDTH - LEFT - RIGHT;
        double bucketWidth = n <= 1 ? plotWidth : (double) plotWidth / (n - 1);
        boolean marks = marksActions(n);
        double qpsStep = niceStep(maxQps * 1.05 / 4);
        double qpsTop = Math.ceil(maxQps * 1.05 / qpsStep) * qpsStep;
        int replicaStep = (int) Math.max(1, niceStep(maxReplicas / 2.0));
        int replicaTop = (int) Math.ceil(maxReplicas * 1.1 / replicaStep) * replicaStep;
        double timeStep = niceStep(span / unit / 10);
        int panel = LOAD_HEIGHT + INNER_GAP + REPLICA_HEIGHT;
        int height = TOP + lanes * panel + Math.max(0, lanes - 1) * PANEL_GAP + BOTTOM;

        StringBuilder sb = open(WIDTH, height, LEFT, title);
        subtitle(sb, LEFT, WIDTH - LEFT - 10, "starting "
                + DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC)
                        .format(series.start())
                + " UTC; " + points(series) + "; one panel per policy"
                + (marks ? "" : "; scale actions are marked on the worst-day chart"));

        for (int l = 0; l < lanes; l++) {
            int loadTop = TOP + l * (panel + PANEL_GAP);
            int loadBottom = loadTop + LOAD_HEIGHT;
            int replicaTopY = loadBottom + INNER_GAP;
            int replicaBottom = replicaTopY + REPLICA_HEIGHT;
            sb.append("<text x=\"").append(LEFT).append("\" y=\"").append(loadTop - 6)
                    .append("\" font-weight=\"bold\" fill=\"").append(color(l)).append("\">")
                    .append(escape(series.policies().get(l) + shares(series, l))).append("</text>\n");
            // Shading first, so lines stay on top: red where overloaded, orange where only hot.
            for (int i = 0; i < n; i++) {
                double over = series.overloadShare(l, i);
                double hot = series.hotShare(l, i);
                if (over > 0 || hot > 0) {
                    // Clipped to the plot: on a short trace the last point's bucket ran 21 px into the legend
                    // (recheck 92, F2).
                    double xx = x(series.seconds(i), span, plotWidth) - bucketWidth / 2;
                    double x0 = Math.max(LEFT, xx);
                    double x1 = Math.min(LEFT + plotWidth, xx + bucketWidth);
                    sb.append("<rect x=\"").append(round(x0)).append("\" y=\"").append(loadTop)
                            .append("\" width=\"").append(round(Math.max(1, x1 - x0))).append("\" height=\"")
                            .append(LOAD_HEIGHT).append("\" fill=\"").append(over > 0 ? OVERLOAD : HOT)
                            .append("\" fill-opacity=\"").append(round(over > 0 ? 0.25 + 0.5 * over : 0.15 + 0.35 * hot))
                            .append("\" class=\"").append(over > 0 ? "overload" : "hot").append("\"/>\n");
                }
            }
            yGrid(sb, qpsTop, qpsStep, loadTop, loadBottom, LEFT, plotWidth, "#e5e5e5");
            yGrid(sb, replicaTop, replicaStep, replicaTopY, replicaBottom, LEFT, plotWidth, "#eeeeee");
            for (double t = 0; t <= span / unit + 1e-9; t += timeStep) {
                double xx = x(t * unit, span, plotWidth);
                line(sb, xx, loadTop, xx, replicaBottom, "#f2f2f2");
            }
            rect(sb, LEFT, loadTop, plotWidth, LOAD_HEIGHT);
            rect(sb, LEFT, replicaTopY, plotWidth, REPLICA_HEIGHT);
            verticalLabel(sb, 18, (loadTop + loadBottom) / 2.0, "requests/s");
            verticalLabel(sb, 34, (replicaTopY + replicaBottom) / 2.0, "replicas");

            StringBuilder cap = new StringBuilder(n * 14);
            StringBuilder peak = new StringBuilder(n * 14);
            StringBuilder demand = new StringBuilder(n * 14);
            StringBuilder steps = new StringBuilder(n * 28);
            for (int i = 0; i < n; i++) {
                double xx = x(series.seconds(i), span, plotWidth);
                point(cap, xx, y(series.capacity(l, i), qpsTop, loadTop, loadBottom));
                point(peak, xx, y(series.demandPeak(i), qpsTop, loadTop, loadBottom));
                point(demand, xx, y(series.demand(i), qpsTop, loadTop, loadBottom));
                double yy = y(series.replicas(l, i), replicaTop, replicaTopY, replicaBottom);
                double xNext = i + 1 < n ? x(series.seconds(i + 1), span, plotWidth) : LEFT + plotWidth;
                point(steps, xx, yy);
                point(steps, xNext, yy);
            }
            // Dotted, and a grey apart from the mean's near-black: at chart scale a thin solid grey read as the mean (a
            // person's look, recheck 16).
            polyline(sb, peak, "#8c8c8c", 1.0, "2,2", 0.9);
            polyline(sb, demand, "#222222", 1.4, null, 1);
            polyline(sb, cap, color(l), 1.4, null, 0.95);
            polyline(sb, steps, color(l), 1.3, null, 0.95);
            // Scale actions: a triangle up above the replicas for a scale-out, down below for a step-down.
            for (int i = 0; marks && i < n; i++) {
                double xx = x(series.seconds(i), span, plotWidth);
                if (series.scaleOuts(l, i) > 0) {
                    triangle(sb, xx, replicaTopY + 1, true, color(l), "scale-out");
                }
                if (series.stepDowns(l, i) > 0) {
                    triangle(sb, xx, replicaBottom - 1, false, color(l), "step-down");
                }
            }
        }
        int axisY = TOP + lanes * panel + Math.max(0, lanes - 1) * PANEL_GAP;
        for (double t = 0; t <= span / unit + 1e-9; t += timeStep) {
            label(sb, x(t * unit, span, plotWidth), axisY + 16, "middle", formatNumber(t));
        }
        label(sb, LEFT + plotWidth / 2.0, axisY + 36, "middle",
                "time since " + origin + " (" + axis.name() + ")");

        // Legend.
        int lx = LEFT + plotWidth + 20;
        int ly = TOP + 10;
        sb.append("<text x=\"").append(lx).append("\" y=\"").append(ly).append("\" font-weight=\"bold\">legend</text>\n");
        ly += 20;
        legendEntry(sb, lx, ly, "#222222", null, "demand, mean (requests/s)");
        ly += 20;
        legendEntry(sb, lx, ly, "#8c8c8c", "2,2", "demand, peak (requests/s)");
        for (int l = 0; l < lanes; l++) {
            ly += 20;
            legendEntry(sb, lx, ly, color(l), null, series.policies().get(l) + ": capacity, replicas");
        }
        ly += 24;
        legendBox(sb, lx, ly, OVERLOAD, 0.5, "overloaded (demand > capacity)");
        ly += 20;
        legendBox(sb, lx, ly, HOT, 0.35, "hot (utilization > hot-above)");
        if (marks) {
            // Only a chart that draws the scale actions lists them: the whole-run chart's legend named markers it
            // never drew (recheck 36).
            ly += 20;
            triangle(sb, lx + 12, ly - 10, true, "#444", "legend");
            sb.append("<text x=\"").append(lx + 30).append("\" y=\"").append(ly).append("\">scale-out</text>\n");
            ly += 20;
            triangle(sb, lx + 12, ly - 2, false, "#444", "legend");
            sb.append("<text x=\"").append(lx + 30).append("\" y=\"").append(ly).append("\">step-down</text>\n");
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    /**
     * The worst-day chart of a run, or empty: the same panels over the one day with the most overload (else
     * the most hot ticks, else the highest demand), at full tick resolution.
     */
    public static java.util.Optional<String> renderWorstDay(SimulationResult result, String trace) {
        return result.worstDay().map(day -> render(day, trace + (wholeTrace(result, day) ? ": the whole trace at"
                + " 5-minute points, from " : ": the worst day (" + why(day) + "), from ")
                + DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC).format(day.start())
                + " UTC",
                DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC).format(day.start())));
    }

    /** A new SVG document {@code width} x {@code height} on white, with {@code title} in bold at {@code left}. */
    static StringBuilder open(int width, int height, int left, String title) {
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append("<text x=\"").append(left).append("\" y=\"24\" font-size=\"").append(titleSize(title, width - left - 10))
                .append("\" font-weight=\"bold\">").append(escape(title)).append("</text>\n");
        return sb;
    }

    /**
     * The font size, in px, at which a bold title fits {@code room} px: 16, or smaller for a long one (9 at least), where
     * a long backtest title ran off the chart and lost the day it named (recheck 90, F2). A bold 16 px sans-serif
     * averages about 9.3 px a glyph (measured on a rendered title); 9.5 leaves a margin: 127 characters in 1,110 px are
     * 16 x 1,110 / (127 x 9.5) = 14.7, so 14. Sized, not {@code textLength}: librsvg (rsvg-convert 2.54) ignores that.
     */
    static int titleSize(String title, int room) {
        double wanted = title.length() * 9.5;
        return wanted <= room ? 16 : Math.max(9, (int) Math.floor(16 * room / wanted));
    }

    /**
     * The grey line under the title, at a size that fits {@code room} px: 12, or smaller for a long one (8 at least),
     * where nyc_taxi's subtitle ran off the chart once it named the ticks its points hold. A regular 12 px sans-serif
     * averages about 6.6 px a glyph; 7 leaves a margin: 190 characters in 1,110 px are 12 x 1,110 / (190 x 7) = 10.
     */
    static void subtitle(StringBuilder sb, int left, int room, String text) {
        double wanted = text.length() * 7.0;
        int size = wanted <= room ? 12 : Math.max(8, (int) Math.floor(12 * room / wanted));
        sb.append("<text x=\"").append(left).append("\" y=\"42\"").append(size == 12 ? "" : " font-size=\"" + size + "\"")
                .append(" fill=\"#555\">").append(escape(text)).append("</text>\n");
    }

    /** Horizontal grid lines with labels from 0 to {@code top} every {@code step}, between {@code yTop} and {@code yBottom}. */
    static void yGrid(StringBuilder sb, double top, double step, int yTop, int yBottom, int left, int plotWidth,
                      String color) {
        for (double v = 0; v <= top + 1e-9; v += step) {
            double y = yBottom - v / top * (yBottom - yTop);
            line(sb, left, y, left + plotWidth, y, color);
            label(sb, left - 6, y + 4, "end", formatNumber(v));
        }
    }

    /**
     * Whether a chart of {@code points} points marks each scale action: below about 2 px a point's marks merge into a
     * band that says nothing, and the worst-day chart has them (820 px of plot: up to 411 points).
     */
    static boolean marksActions(int points) {
        return points <= 1 || (double) (WIDTH - LEFT - RIGHT) / (points - 1) >= 2;
    }

    /** Whether {@code day} holds every tick of the run: a trace of a day or less, drawn at 5-minute points. */
    static boolean wholeTrace(SimulationResult result, ChartSeries day) {
        return day.ticks() == result.chart().ticks();
    }

    /** Why a day was chosen as the worst: what it had most of. */
    private static String why(ChartSeries day) {
        boolean hot = false;
        for (int l = 0; l < day.policies().size(); l++) {
            for (int i = 0; i < day.size(); i++) {
                if (day.overloadShare(l, i) > 0) {
                    return "most overload";
                }
                hot |= day.hotShare(l, i) > 0;
            }
        }
        return hot ? "most time hot, no overload" : "highest demand";
    }

    static void triangle(StringBuilder sb, double x, double y, boolean up, String color, String kind) {
        double h = up ? 6 : -6;
        sb.append("<polygon class=\"").append(kind).append("\" points=\"").append(round(x - 3.5)).append(',').append(round(y + h))
                .append(' ').append(round(x + 3.5)).append(',').append(round(y + h)).append(' ').append(round(x)).append(',')
                .append(round(y)).append("\" fill=\"").append(color).append("\"/>\n");
    }

    static void legendBox(StringBuilder sb, int x, int y, String color, double opacity, String text) {
        sb.append("<rect x=\"").append(x).append("\" y=\"").append(y - 10).append("\" width=\"24\" height=\"10\" fill=\"")
                .append(color).append("\" fill-opacity=\"").append(opacity).append("\"/>\n");
        sb.append("<text x=\"").append(x + 30).append("\" y=\"").append(y).append("\">").append(escape(text)).append("</text>\n");
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static String color(int lane) {
        return COLORS[lane % COLORS.length];
    }

    private static double x(double seconds, double span, int plotWidth) {
        return LEFT + seconds / span * plotWidth;
    }

    private static double y(double value, double top, int yTop, int yBottom) {
        return yBottom - value / top * (yBottom - yTop);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}: axis steps people read easily. */
    /**
     * The unit a time axis counts in: the largest of days, hours, minutes and seconds of which the span holds three,
     * so its ten-or-so labels are distinct with one decimal. A 3-minute backtest counted in hours read 0, 0.0, 0.0,
     * 0.0, 0.0, 0.1 (recheck 88, F1).
     */
    record TimeAxis(double seconds, String name) {
        static TimeAxis over(double span) {
            return span >= 3 * 86400 ? new TimeAxis(86400, "days") : span >= 3 * 3600 ? new TimeAxis(3600, "hours")
                    : span >= 3 * 60 ? new TimeAxis(60, "minutes") : new TimeAxis(1, "seconds");
        }
    }

    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / power;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * power;
    }

    static String formatNumber(double v) {
        if (v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /**
     * A panel's share of time overloaded and hot, beside its name: on a 215-day chart a bucket with one hot tick is
     * drawn at least a pixel wide, so 0.6% hot time covers a visible part of the panel and the number says how much.
     */
    private static String shares(ChartSeries series, int lane) {
        return series.size() == 0 ? "" : String.format(Locale.ROOT, "  (overloaded %s, hot %s of the time)",
                percent(series.overloadShare(lane)), percent(series.hotShare(lane)));
    }

    private static String percent(double share) {
        return share == 0 ? "0%" : share < 0.001 ? "<0.1%" : String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    /**
     * A point's span as a person reads it: whole minutes or hours when it is one, else seconds up to 10 minutes, so a
     * 6-hour trace's 288 points read "75 s", not "1 min".
     */
    /**
     * What each point is, by the ticks it holds: "288 points, each the mean (or peak) of 20 ticks of 15 s (5 min)";
     * "2,000 points, each the mean (or peak) of 8-9 ticks of 15 s (about 130 s)" for 17,280 ticks (17,280 x 15 s /
     * 2,000 = 129.6 s), where "each the mean over 129 s" read as if the run had another tick (recheck 92's remark). A
     * tick's length is the time to the last point's first tick over the ticks before it: the points' ticks are
     * consecutive.
     */
    static String points(ChartSeries series) {
        int n = series.size();
        if (n == 0) {
            return "0 points";
        }
        long ticks = series.ticks();
        int fewest = Integer.MAX_VALUE;
        int most = 0;
        // The last point holds what remained of the run, fewer ticks than the others as often as not.
        for (int i = 0; i < n - 1; i++) {
            fewest = Math.min(fewest, series.ticks(i));
            most = Math.max(most, series.ticks(i));
        }
        long before = ticks - series.ticks(n - 1);
        String tick = before == 0 ? "" : " of " + formatDuration(series.seconds(n - 1) / before);
        if (n == 1 || most == 1) {
            return String.format(Locale.ROOT, "%,d points, one per tick%s", n, tick);
        }
        if (fewest == most) {
            return String.format(Locale.ROOT, "%,d points, each the mean (or peak) of %d ticks%s (%s)", n, most, tick,
                    formatDuration(series.seconds(n - 1) / (n - 1)));
        }
        return String.format(Locale.ROOT, "%,d points, each the mean (or peak) of %d-%d ticks%s (about %s)", n, fewest,
                most, tick, formatDuration(ticks * series.seconds(n - 1) / before / n));
    }

    static String formatDuration(double seconds) {
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
        }
        double minutes = seconds / 60;
        if (seconds >= 60 && (Math.abs(minutes - Math.rint(minutes)) < 0.01 || seconds >= 600)) {
            return String.format(Locale.ROOT, "%.0f min", minutes);
        }
        return String.format(Locale.ROOT, "%.0f s", seconds);
    }

    static void point(StringBuilder sb, double x, double y) {
        sb.append(Math.round(x * 10) / 10.0).append(',').append(Math.round(y * 10) / 10.0).append(' ');
    }

    static void polyline(StringBuilder sb, CharSequence points, String color, double width, String dash,
                                 double opacity) {
        sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"").append(width)
                .append("\" stroke-opacity=\"").append(opacity).append('"');
        if (dash != null) {
            sb.append(" stroke-dasharray=\"").append(dash).append('"');
        }
        sb.append(" points=\"").append(points).append("\"/>\n");
    }

    static void line(StringBuilder sb, double x1, double y1, double x2, double y2, String color) {
        sb.append("<line x1=\"").append(x1).append("\" y1=\"").append(y1).append("\" x2=\"").append(x2).append("\" y2=\"")
                .append(y2).append("\" stroke=\"").append(color).append("\"/>\n");
    }

    static void rect(StringBuilder sb, int x, int y, int w, int h) {
        sb.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(w).append("\" height=\"")
                .append(h).append("\" fill=\"none\" stroke=\"#888\"/>\n");
    }

    static void label(StringBuilder sb, double x, double y, String anchor, String text) {
        sb.append("<text x=\"").append(x).append("\" y=\"").append(y).append("\" text-anchor=\"").append(anchor)
                .append("\">").append(escape(text)).append("</text>\n");
    }

    static void verticalLabel(StringBuilder sb, double x, double y, String text) {
        sb.append("<text x=\"").append(x).append("\" y=\"").append(y).append("\" text-anchor=\"middle\" transform=\"rotate(-90 ")
                .append(x).append(' ').append(y).append(")\">").append(escape(text)).append("</text>\n");
    }

    static void legendEntry(StringBuilder sb, int x, int y, String color, String dash, String text) {
        sb.append("<line x1=\"").append(x).append("\" y1=\"").append(y - 4).append("\" x2=\"").append(x + 24)
                .append("\" y2=\"").append(y - 4).append("\" stroke=\"").append(color).append("\" stroke-width=\"2\"");
        if (dash != null) {
            sb.append(" stroke-dasharray=\"").append(dash).append('"');
        }
        sb.append("/>\n");
        sb.append("<text x=\"").append(x + 30).append("\" y=\"").append(y).append("\">").append(escape(text)).append("</text>\n");
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
