package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Draws a run as a standalone SVG a person can read: top panel, demand and each policy's ready
 * capacity in requests/s; bottom panel, each policy's replicas; a shared time axis in hours or
 * days since the trace start; a legend. Hand-written because it is ~200 lines and a charting
 * library would be the biggest dependency of the jar.
 */
public final class SvgChart {

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"};
    private static final int WIDTH = 1200;
    private static final int HEIGHT = 720;
    private static final int LEFT = 80;
    private static final int RIGHT = 250;
    private static final int TOP = 56;
    private static final int LOAD_HEIGHT = 340;
    private static final int GAP = 56;
    private static final int REPLICA_HEIGHT = 200;

    private SvgChart() {
    }

    /** The SVG document for {@code series}, titled with {@code title}. */
    public static String render(ChartSeries series, String title) {
        requireNonNull(series, "series");
        requireNonNull(title, "title");
        int n = series.size();
        int lanes = series.policies().size();
        double span = n == 0 ? 1 : Math.max(1, series.seconds(n - 1));
        boolean days = span >= 3 * 86400;
        double unit = days ? 86400 : 3600;
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
        double qpsStep = niceStep(maxQps * 1.05 / 6);
        double qpsTop = Math.ceil(maxQps * 1.05 / qpsStep) * qpsStep;
        int replicaStep = (int) Math.max(1, niceStep((maxReplicas + 1) / 6.0));
        int replicaTop = ((maxReplicas + replicaStep) / replicaStep) * replicaStep;
        double timeStep = niceStep(span / unit / 10);
        int loadTop = TOP;
        int loadBottom = TOP + LOAD_HEIGHT;
        int replicaTopY = loadBottom + GAP;
        int replicaBottom = replicaTopY + REPLICA_HEIGHT;

        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append("<text x=\"").append(LEFT).append("\" y=\"24\" font-size=\"16\" font-weight=\"bold\">")
                .append(escape(title)).append("</text>\n");
        sb.append("<text x=\"").append(LEFT).append("\" y=\"42\" fill=\"#555\">starting ")
                .append(DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC)
                        .format(series.start()))
                .append(" UTC; ").append(n).append(" points, each the mean (or peak) over ")
                .append(formatDuration(n == 0 ? 0 : span / Math.max(1, n - 1))).append("</text>\n");

        // Grids and axes.
        for (double v = 0; v <= qpsTop + 1e-9; v += qpsStep) {
            double y = y(v, qpsTop, loadTop, loadBottom);
            line(sb, LEFT, y, LEFT + plotWidth, y, "#e5e5e5");
            label(sb, LEFT - 6, y + 4, "end", formatNumber(v));
        }
        for (int v = 0; v <= replicaTop; v += replicaStep) {
            double y = y(v, replicaTop, replicaTopY, replicaBottom);
            line(sb, LEFT, y, LEFT + plotWidth, y, "#e5e5e5");
            label(sb, LEFT - 6, y + 4, "end", Integer.toString(v));
        }
        for (double t = 0; t <= span / unit + 1e-9; t += timeStep) {
            double x = x(t * unit, span, plotWidth);
            line(sb, x, loadTop, x, loadBottom, "#f0f0f0");
            line(sb, x, replicaTopY, x, replicaBottom, "#f0f0f0");
            label(sb, x, replicaBottom + 16, "middle", formatNumber(t));
        }
        rect(sb, LEFT, loadTop, plotWidth, LOAD_HEIGHT);
        rect(sb, LEFT, replicaTopY, plotWidth, REPLICA_HEIGHT);
        verticalLabel(sb, 22, (loadTop + loadBottom) / 2.0, "load and ready capacity (requests/s)");
        verticalLabel(sb, 22, (replicaTopY + replicaBottom) / 2.0, "replicas");
        label(sb, LEFT + plotWidth / 2.0, replicaBottom + 36, "middle",
                "time since trace start (" + (days ? "days" : "hours") + ")");

        // Series: capacity under demand so the demand line stays on top.
        for (int l = 0; l < lanes; l++) {
            StringBuilder points = new StringBuilder(n * 14);
            for (int i = 0; i < n; i++) {
                point(points, x(series.seconds(i), span, plotWidth), y(series.capacity(l, i), qpsTop, loadTop, loadBottom));
            }
            polyline(sb, points, color(l), 1.2, "5,3", 0.85);
        }
        StringBuilder peak = new StringBuilder(n * 14);
        for (int i = 0; i < n; i++) {
            point(peak, x(series.seconds(i), span, plotWidth), y(series.demandPeak(i), qpsTop, loadTop, loadBottom));
        }
        polyline(sb, peak, "#9a9a9a", 0.8, null, 0.8);
        StringBuilder demand = new StringBuilder(n * 14);
        for (int i = 0; i < n; i++) {
            point(demand, x(series.seconds(i), span, plotWidth), y(series.demand(i), qpsTop, loadTop, loadBottom));
        }
        polyline(sb, demand, "#222222", 1.6, null, 1);
        for (int l = 0; l < lanes; l++) {
            StringBuilder steps = new StringBuilder(n * 20);
            for (int i = 0; i < n; i++) {
                double yy = y(series.replicas(l, i) + l * 0.06, replicaTop, replicaTopY, replicaBottom);
                double xx = x(series.seconds(i), span, plotWidth);
                double xNext = i + 1 < n ? x(series.seconds(i + 1), span, plotWidth) : LEFT + plotWidth;
                point(steps, xx, yy);
                point(steps, xNext, yy);
            }
            polyline(sb, steps, color(l), 1.4, null, 0.9);
        }

        // Legend.
        int lx = LEFT + plotWidth + 20;
        int ly = TOP + 10;
        sb.append("<text x=\"").append(lx).append("\" y=\"").append(ly).append("\" font-weight=\"bold\">legend</text>\n");
        ly += 20;
        legendEntry(sb, lx, ly, "#222222", null, "demand, mean (requests/s)");
        ly += 20;
        legendEntry(sb, lx, ly, "#9a9a9a", null, "demand, peak (requests/s)");
        for (int l = 0; l < lanes; l++) {
            ly += 20;
            legendEntry(sb, lx, ly, color(l), "5,3", series.policies().get(l) + " ready capacity");
        }
        ly = replicaTopY + 10;
        for (int l = 0; l < lanes; l++) {
            legendEntry(sb, lx, ly, color(l), null, series.policies().get(l) + " replicas");
            ly += 20;
        }
        sb.append("</svg>\n");
        return sb.toString();
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
    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / power;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * power;
    }

    private static String formatNumber(double v) {
        if (v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String formatDuration(double seconds) {
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
        }
        if (seconds >= 60) {
            return String.format(Locale.ROOT, "%.0f min", seconds / 60);
        }
        return String.format(Locale.ROOT, "%.0f s", seconds);
    }

    private static void point(StringBuilder sb, double x, double y) {
        sb.append(Math.round(x * 10) / 10.0).append(',').append(Math.round(y * 10) / 10.0).append(' ');
    }

    private static void polyline(StringBuilder sb, CharSequence points, String color, double width, String dash,
                                 double opacity) {
        sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"").append(width)
                .append("\" stroke-opacity=\"").append(opacity).append('"');
        if (dash != null) {
            sb.append(" stroke-dasharray=\"").append(dash).append('"');
        }
        sb.append(" points=\"").append(points).append("\"/>\n");
    }

    private static void line(StringBuilder sb, double x1, double y1, double x2, double y2, String color) {
        sb.append("<line x1=\"").append(x1).append("\" y1=\"").append(y1).append("\" x2=\"").append(x2).append("\" y2=\"")
                .append(y2).append("\" stroke=\"").append(color).append("\"/>\n");
    }

    private static void rect(StringBuilder sb, int x, int y, int w, int h) {
        sb.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(w).append("\" height=\"")
                .append(h).append("\" fill=\"none\" stroke=\"#888\"/>\n");
    }

    private static void label(StringBuilder sb, double x, double y, String anchor, String text) {
        sb.append("<text x=\"").append(x).append("\" y=\"").append(y).append("\" text-anchor=\"").append(anchor)
                .append("\">").append(escape(text)).append("</text>\n");
    }

    private static void verticalLabel(StringBuilder sb, double x, double y, String text) {
        sb.append("<text x=\"").append(x).append("\" y=\"").append(y).append("\" text-anchor=\"middle\" transform=\"rotate(-90 ")
                .append(x).append(' ').append(y).append(")\">").append(escape(text)).append("</text>\n");
    }

    private static void legendEntry(StringBuilder sb, int x, int y, String color, String dash, String text) {
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
