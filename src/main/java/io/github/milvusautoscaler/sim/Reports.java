package io.github.milvusautoscaler.sim;


import static java.util.Objects.requireNonNull;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The scorecard as report.json, report.md and a plain-text table; all three take their columns
 * from {@link Column}.
 */
public final class Reports {

    private Reports() {
    }

    /**
     * report.json: exactly {@code {"trace", "simulatedSeconds", "results": [{"policy", <Column keys>}],
     * "clairvoyant": {"nodeSeconds", "clippedTicks", "nodeSecondsNoHot", "clippedTicksNoHot"}}}; the ratio
     * columns (4 decimals) and "clairvoyant" are there when the result carries the bound.
     */
    public static String json(SimulationResult result) {
        return json(result, List.of());
    }

    /**
     * As {@link #json(SimulationResult)}, with {@code notes}: what the run did that its inputs did not say (a hole in
     * the trace drawn as a line, a signal left out), as report.md's "Note:" lines, so a tool reading report.json sees
     * them too (alerts/input recheck NEW-5). No "notes" key when there are none.
     */
    public static String json(SimulationResult result, List<String> notes) {
        requireNonNull(result, "result");
        requireNonNull(notes, "notes");
        JsonObject root = new JsonObject();
        root.addProperty("trace", result.trace());
        root.addProperty("simulatedSeconds", result.simulatedSeconds());
        JsonArray results = new JsonArray();
        for (Scorecard card : result.results()) {
            JsonObject o = new JsonObject();
            o.addProperty("policy", card.policy());
            for (Column c : Column.values()) {
                if (c.type() == Column.Type.COUNT) {
                    o.addProperty(c.key(), c.valueOf(card));
                } else {
                    OptionalDouble r = c.ratio(result, card);
                    if (r.isPresent()) {
                        o.addProperty(c.key(), Math.round(r.getAsDouble() * 10_000) / 10_000.0);
                    }
                }
            }
            results.add(o);
        }
        root.add("results", results);
        result.clairvoyant().ifPresent(b -> {
            JsonObject c = new JsonObject();
            c.addProperty("nodeSeconds", Math.round(b.nodeSeconds()));
            c.addProperty("clippedTicks", b.clippedTicks());
            c.addProperty("nodeSecondsNoHot", Math.round(b.nodeSecondsNoHot()));
            c.addProperty("clippedTicksNoHot", b.clippedTicksNoHot());
            root.add("clairvoyant", c);
        });
        if (!notes.isEmpty()) {
            JsonArray n = new JsonArray();
            notes.forEach(n::add);
            root.add("notes", n);
        }
        return new GsonBuilder().setPrettyPrinting().create().toJson(root) + "\n";
    }

    /** The scorecard as an aligned text table, policy first, one line per policy. */
    public static String table(SimulationResult result) {
        requireNonNull(result, "result");
        List<String[]> rows = new ArrayList<>();
        Column[] cols = Column.values();
        String[] header = new String[cols.length + 1];
        header[0] = "policy";
        for (int i = 0; i < cols.length; i++) {
            header[i + 1] = cols[i].header();
        }
        rows.add(header);
        for (Scorecard card : result.results()) {
            String[] row = new String[cols.length + 1];
            row[0] = card.policy();
            for (int i = 0; i < cols.length; i++) {
                row[i + 1] = cols[i].format(result, card);
            }
            rows.add(row);
        }
        int[] width = new int[header.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                if (i == 0) {
                    sb.append(String.format(Locale.ROOT, "%-" + width[i] + "s", row[i]));
                } else {
                    sb.append("  ").append(String.format(Locale.ROOT, "%" + width[i] + "s", row[i]));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** report.md's paragraph on the logs {@code simulate} writes: one per policy, through {@link ChangedDecisions}. */
    public static final String CHANGED_DECISION_LOGS = "`decisions-<policy>.jsonl` hold every scale action and every HOLD"
            + " whose reason differs from the previous decision's (repeated HOLDs are left out to keep a long run's log small).";

    /**
     * report.md: what was simulated, the scorecard as a Markdown table, what each column means,
     * and the chart.
     *
     * @param result       the run's result
     * @param settings     the settings it ran with, for the header
     * @param compress     the time compression used
     * @param decisionLogs one Markdown paragraph on the decision logs written beside the report: the command that
     *                     wrote them knows which and what they hold ({@link #CHANGED_DECISION_LOGS} for simulate's)
     */
    public static String markdown(SimulationResult result, SimSettings settings, double compress, String decisionLogs) {
        requireNonNull(result, "result");
        requireNonNull(settings, "settings");
        requireNonNull(decisionLogs, "decisionLogs");
        StringBuilder sb = new StringBuilder();
        sb.append("# Simulation: ").append(result.trace()).append("\n\n");
        sb.append(summary(result, settings, compress)).append("\n\n");
        Column[] cols = Column.values();
        sb.append("| policy |");
        for (Column c : cols) {
            sb.append(' ').append(c.header()).append(" |");
        }
        sb.append("\n|---|");
        sb.append("---:|".repeat(cols.length));
        sb.append('\n');
        for (Scorecard card : result.results()) {
            sb.append("| ").append(card.policy()).append(" |");
            for (Column c : cols) {
                sb.append(' ').append(c.format(result, card)).append(" |");
            }
            sb.append('\n');
        }
        result.clairvoyant().ifPresent(b -> sb.append('\n').append(clairvoyantLine(b)).append('\n'));
        sb.append("\nColumns:\n\n");
        for (Column c : cols) {
            sb.append("- **").append(c.header()).append("** (`").append(c.key()).append("`): ").append(c.meaning());
            if (c == Column.HOT_SECONDS) {
                sb.append(String.format(Locale.ROOT, " (%.2f)", settings.score().hotAbove()));
            } else if (c == Column.REVERSALS) {
                sb.append(" (").append(settings.score().reversalWindow().toMinutes()).append(" min)");
            }
            sb.append('\n');
        }
        sb.append("\n![load, capacity and replicas over time](chart.svg)\n\n");
        if (result.worstDay().isPresent()) {
            sb.append(SvgChart.wholeTrace(result, result.worstDay().get())
                    ? "![the whole trace at 5-minute points, every scale action marked](chart-worst-day.svg)\n\n"
                    : "![the worst day at 5-minute points](chart-worst-day.svg)\n\n");
        }
        sb.append(decisionLogs).append('\n');
        return sb.toString();
    }

    /**
     * One sentence stating the clairvoyant bound: "Clairvoyant bound (knows the future, same model):
     * 80,000,000 node-seconds with zero overload, 85,000,000 with zero hot seconds." plus the ticks
     * where a goal cannot be met by any schedule, if any.
     */
    public static String clairvoyantLine(ClairvoyantBound b) {
        requireNonNull(b, "bound");
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "Clairvoyant bound (knows the future, same model): %,d node-seconds with zero overload, %,d with zero"
                        + " hot seconds.", Math.round(b.nodeSeconds()), Math.round(b.nodeSecondsNoHot())));
        if (b.clippedTicks() > 0 || b.clippedTicksNoHot() > 0) {
            sb.append(String.format(Locale.ROOT, " No schedule avoids overload in %,d ticks and hot seconds in %,d"
                    + " (demand above max-replicas' capacity, or a rise faster than start + warm-up at the start):"
                    + " there the bound runs the most capacity it can.", b.clippedTicks(), b.clippedTicksNoHot()));
        }
        return sb.toString();
    }

    /** One line saying what was simulated: trace, span, peak sizing, model timing, bounds. */
    public static String summary(SimulationResult result, SimSettings settings, double compress) {
        double days = result.simulatedSeconds() / 86400.0;
        return String.format(Locale.ROOT,
                "Trace %s: %s simulated (%,d s)%s; peak = %d nodes x %.0f qps; nodes start in %ds + warm up %ds;"
                        + " step-down drains %ds at -%.0f%% capacity; replicas [%d, %d]; tick %ds; Prometheus scrape %ds,"
                        + " %s; HPA lanes: metrics-server cpu over the last %ds; samples %s before the ticks"
                        + " (sim.sample-age).",
                result.trace(), days >= 2 ? String.format(Locale.ROOT, "%.1f days", days)
                        : String.format(Locale.ROOT, "%.1f hours", result.simulatedSeconds() / 3600.0),
                result.simulatedSeconds(), compress == 1 ? "" : String.format(Locale.ROOT, ", compressed %sx", compress),
                settings.peakNodes(), settings.model().capacityQps(), settings.model().startup().toSeconds(),
                settings.model().warmup().toSeconds(), settings.model().drain().toSeconds(),
                settings.model().rebalancePenalty() * 100, settings.bounds().minReplicas(), settings.bounds().maxReplicas(),
                settings.tick().toSeconds(), settings.scrape().interval().toSeconds(),
                settings.scrape().function() == SimSettings.RateFunction.IRATE
                        ? "cpu and qps by irate(), the newest two scrapes"
                        : "cpu and qps by rate() over " + settings.scrape().rateWindow().toSeconds() + "s",
                settings.hpa().metricsResolution().toSeconds(), age(settings.scrape().sampleAge()));
    }

    /** A sample age as an SRE writes it: 7.5s, 0s, 1m; {@link Durations#setting} would write 7.5 s as 7500ms. */
    private static String age(java.time.Duration d) {
        long ms = d.toMillis();
        return ms % 1000 != 0 && ms < 60_000
                ? java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + "s" : Durations.setting(d);
    }
}
