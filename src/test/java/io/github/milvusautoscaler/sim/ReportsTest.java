package io.github.milvusautoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class ReportsTest {

    private static final List<String> RESULT_KEYS = List.of("policy", "overloadSeconds", "hotSeconds", "nodeSeconds",
            "scaleOuts", "scaleIns", "reversals", "largestStepDown", "minReplicas", "maxReplicas");

    private static SimulationResult result() {
        ChartSeries chart = new ChartSeries(SimTestSupport.T0, List.of("hpa", "hpa-milvus"), 3);
        for (int b = 0; b < 3; b++) {
            chart.addDemand(b, b * 3600, 100 + 50 * b);
            chart.addLane(0, b, 400, 2 + b);
            chart.addLane(1, b, 200, 1 + b);
        }
        return new SimulationResult("nyc_taxi", 18_574_200, List.of(
                new Scorecard("hpa", 0, 12, 107_543_220, 3494, 3498, 1872, 1, 1, 10),
                new Scorecard("hpa-milvus", 3, 4, 107_537_415, 3495, 3490, 1865, 1, 1, 10)), chart);
    }

    @Test
    void reportJsonHasExactlyTheAgreedShape() {
        JsonObject root = JsonParser.parseString(Reports.json(result())).getAsJsonObject();
        assertEquals(List.of("trace", "simulatedSeconds", "results"), new ArrayList<>(root.keySet()));
        assertEquals("nyc_taxi", root.get("trace").getAsString());
        assertEquals(18_574_200, root.get("simulatedSeconds").getAsLong());
        assertEquals(2, root.getAsJsonArray("results").size());
        JsonObject hpa = root.getAsJsonArray("results").get(0).getAsJsonObject();
        assertEquals(RESULT_KEYS, new ArrayList<>(hpa.keySet()));
        assertEquals("hpa", hpa.get("policy").getAsString());
        assertEquals(107_543_220, hpa.get("nodeSeconds").getAsLong());
        assertEquals(1872, hpa.get("reversals").getAsInt());
    }

    @Test
    void withTheClairvoyantBoundEveryPolicyGetsItsRatioAndTheRestIsUnchanged() {
        SimulationResult plain = result();
        // 107,543,220 / 80,000,000 = 1.34429025 -> 1.3443 in JSON, 1.344 in tables;
        // 107,543,220 / 86,034,576 = 1.25000... -> 1.25.
        SimulationResult r = new SimulationResult(plain.trace(), plain.simulatedSeconds(), plain.results(), plain.chart(),
                Optional.of(new ClairvoyantBound(80_000_000, 0, 86_034_576, 2)));
        JsonObject root = JsonParser.parseString(Reports.json(r)).getAsJsonObject();
        assertEquals(List.of("trace", "simulatedSeconds", "results", "clairvoyant"), new ArrayList<>(root.keySet()));
        JsonObject hpa = root.getAsJsonArray("results").get(0).getAsJsonObject();
        assertEquals(List.of("policy", "overloadSeconds", "hotSeconds", "nodeSeconds", "nodeSecondsXClairvoyant",
                "nodeSecondsXClairvoyantNoHot", "scaleOuts", "scaleIns", "reversals", "largestStepDown", "minReplicas",
                "maxReplicas"), new ArrayList<>(hpa.keySet()));
        assertEquals(1.3443, hpa.get("nodeSecondsXClairvoyant").getAsDouble(), 0);
        assertEquals(1.25, hpa.get("nodeSecondsXClairvoyantNoHot").getAsDouble(), 0);
        assertEquals(80_000_000, root.getAsJsonObject("clairvoyant").get("nodeSeconds").getAsLong());
        assertEquals(2, root.getAsJsonObject("clairvoyant").get("clippedTicksNoHot").getAsLong());
        // Every number that was there before is written exactly as before.
        JsonObject before = JsonParser.parseString(Reports.json(plain)).getAsJsonObject()
                .getAsJsonArray("results").get(0).getAsJsonObject();
        for (String k : before.keySet()) {
            assertEquals(before.get(k), hpa.get(k), k);
        }
        String table = Reports.table(r);
        assertTrue(table.contains("x clairvoyant") && table.contains("1.344") && table.contains("1.250"), table);
        String md = Reports.markdown(r, SimSettings.defaults(), 1, Reports.CHANGED_DECISION_LOGS);
        assertTrue(md.contains("| hpa | 0 | 12 | 107,543,220 | 1.344 | 1.250 | 3,494 |"), md);
        assertTrue(md.contains("80,000,000 node-seconds with zero overload, 86,034,576 with zero hot seconds"), md);
        assertTrue(md.contains("hot seconds in 2"), md);
        // Without the bound the ratio columns read "-" and report.json leaves them out.
        assertTrue(Reports.markdown(plain, SimSettings.defaults(), 1, Reports.CHANGED_DECISION_LOGS).contains("| hpa | 0 | 12 | 107,543,220 | - | - |"));
    }

    @Test
    void aRatioColumnHasNoCountValue() {
        Scorecard card = result().results().get(0);
        assertEquals(Column.Type.RATIO, Column.NODE_SECONDS_X_CLAIRVOYANT.type());
        assertThrows(IllegalStateException.class, () -> Column.NODE_SECONDS_X_CLAIRVOYANT.valueOf(card));
        assertTrue(Column.NODE_SECONDS_X_CLAIRVOYANT.ratio(result(), card).isEmpty());
    }

    @Test
    void tableAndMarkdownShowEveryColumnForEveryPolicy() {
        String table = Reports.table(result());
        String[] lines = table.split("\n");
        assertEquals(3, lines.length);
        for (Column c : Column.values()) {
            assertTrue(lines[0].contains(c.header()), c.header());
        }
        assertTrue(lines[1].startsWith("hpa ") && lines[1].contains("107,543,220") && lines[1].contains("3,494"), lines[1]);
        String md = Reports.markdown(result(), SimSettings.defaults(), 1, Reports.CHANGED_DECISION_LOGS);
        assertTrue(md.contains("| policy | overload s | hot s |"), md);
        assertTrue(md.contains("| hpa-milvus | 3 | 4 | 107,537,415 |"), md);
        assertTrue(md.contains("![load, capacity and replicas over time](chart.svg)"), md);
        assertTrue(md.contains("215.0 days simulated"), md);
    }

    /**
     * Shading stays inside the plot (x 80 to 1,200 - 300 = 900): on a short trace the last point's bucket, centred on
     * it, ran 21 px into the legend (recheck 92, F2). Three points overloaded at 0, 300 and 600 s: buckets 410 px wide
     * drawn from 80 to 285, 285 to 695 and 695 to 900.
     */
    @Test
    void shadingStaysInsideThePlot() {
        ChartSeries chart = new ChartSeries(SimTestSupport.T0, List.of("hpa"), 3);
        for (int b = 0; b < 3; b++) {
            chart.addDemand(b, b * 300, 500);
            chart.addLane(0, b, 200, 1, true, false, 0);
        }
        String svg = SvgChart.render(chart, "short");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "<rect x=\"([0-9.]+)\" y=\"[0-9.]+\" width=\"([0-9.]+)\"[^>]*class=\"overload\"").matcher(svg);
        int shaded = 0;
        while (m.find()) {
            shaded++;
            double x = Double.parseDouble(m.group(1));
            double right = x + Double.parseDouble(m.group(2));
            assertTrue(x >= 80 && right <= 900 + 1e-6, m.group());
        }
        assertEquals(3, shaded, svg);
    }

    @Test
    void chartIsWellFormedSvgWithOnePanelPerPolicyAndALegend() throws Exception {
        String svg = SvgChart.render(result().chart(), "nyc_taxi <test> & more");
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getNodeName());
        assertTrue(svg.contains("nyc_taxi &lt;test&gt; &amp; more"));
        assertTrue(svg.contains(">requests/s<") && svg.contains(">replicas<"));
        assertTrue(svg.contains("time since trace start (minutes)"), "two hours count in minutes: 0 to 120");
        assertTrue(svg.contains("hpa: capacity, replicas") && svg.contains("hpa-milvus: capacity, replicas")
                && svg.contains("demand, mean (requests/s)") && svg.contains("demand, peak"));
        // Small multiples: per policy demand mean and peak, its capacity and its replicas.
        assertEquals(8, doc.getElementsByTagName("polyline").getLength());
        assertTrue(svg.contains(">hpa  (overloaded ") && svg.contains(">hpa-milvus  (overloaded "), "a title per panel");
        assertFalse(svg.contains("class=\"overload\""), "no overload in this run, nothing shaded");
        // Three buckets are wide enough to mark scale actions in, and the legend says what the marks are.
        assertTrue(svg.contains(">scale-out</text>") && svg.contains(">step-down</text>"), svg);
    }

    /**
     * A bucket under 2 px wide (215 days in about 1,000 points) marks no scale action; the legend named the markers
     * anyway (recheck 36) and now names only what the chart draws, the subtitle saying where the marks are.
     */
    @Test
    void aChartTooDenseToMarkScaleActionsHasNoMarkersInItsLegend() {
        int buckets = 1000;
        ChartSeries chart = new ChartSeries(SimTestSupport.T0, List.of("a"), buckets);
        for (int b = 0; b < buckets; b++) {
            chart.addDemand(b, b * 18_576L, 300);
            chart.addLane(0, b, 400, 2, false, false, b % 50 == 0 ? 1 : 0);
        }
        String svg = SvgChart.render(chart, "t");
        assertTrue(svg.contains("; scale actions are marked on the worst-day chart</text>"), svg);
        assertFalse(svg.contains("class=\"scale-out\""), "no marker drawn");
        assertFalse(svg.contains(">scale-out</text>") || svg.contains(">step-down</text>"), "legend without markers");
    }

    @Test
    void overloadAndHotAreShadedAndScaleActionsMarkedInTheirPolicysPanel() throws Exception {
        ChartSeries chart = new ChartSeries(SimTestSupport.T0, List.of("a", "b"), 3);
        for (int b = 0; b < 3; b++) {
            chart.addDemand(b, b * 3600, 300);
            // a is overloaded in bucket 1 and scales out there; b runs hot in bucket 2 and steps down.
            chart.addLane(0, b, b == 1 ? 200 : 400, 2, b == 1, false, b == 1 ? 1 : 0);
            chart.addLane(1, b, 320, 2, false, b == 2, b == 2 ? -1 : 0);
        }
        String svg = SvgChart.render(chart, "t");
        DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, count(svg, "class=\"overload\""));
        assertEquals(1, count(svg, "class=\"hot\""));
        // one each in the panels, plus one each in the legend
        assertEquals(2, count(svg, "class=\"scale-out\"") + count(svg, "class=\"legend\"") / 2);
        assertEquals(1, count(svg, "class=\"step-down\""));
        assertEquals(1.0, chart.overloadShare(0, 1), 1e-9);
        assertEquals(0.0, chart.overloadShare(1, 1), 1e-9);
        // Each panel's title says how much of the time it shades: one bucket of three each.
        assertTrue(svg.contains(">a  (overloaded 33.3%, hot 0% of the time)</text>"), svg);
        assertTrue(svg.contains(">b  (overloaded 0%, hot 33.3% of the time)</text>"), svg);
    }

    /**
     * A lane overloaded less than 0.1% of the time is titled "<0.1%", escaped: twitter_volume_amzn's 4,425 s of
     * 4,749,000 wrote a raw '<' into chart.svg, which no viewer opened (recheck 16, finding 1).
     */
    @Test
    void aShareBelowATenthOfAPercentKeepsTheChartWellFormed() throws Exception {
        ChartSeries chart = new ChartSeries(SimTestSupport.T0, List.of("a"), 2);
        for (int tick = 0; tick < 2000; tick++) {
            int b = tick / 1000;
            chart.addDemand(b, tick * 15, 300);
            chart.addLane(0, b, 400, 2, tick == 10, false, 0);
        }
        String svg = SvgChart.render(chart, "t");
        DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertTrue(svg.contains(">a  (overloaded &lt;0.1%, hot 0% of the time)</text>"), svg);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** The subtitle's point span: a 6-hour trace's 288 points are 75 s each, which "1 min" misstated (SRE audit L7). */
    @Test
    void pointSpanReadsAsItIs() {
        assertEquals("75 s", SvgChart.formatDuration(21_600.0 / 288));
        assertEquals("5 min", SvgChart.formatDuration(300));
        assertEquals("30 s", SvgChart.formatDuration(30));
        assertEquals("15 min", SvgChart.formatDuration(15 * 60 + 20));
        assertEquals("2.0 h", SvgChart.formatDuration(7200));
    }

    /**
     * The subtitle says what a point holds by the ticks in it, as the simulator buckets them (tick k in bucket
     * k x buckets / ticks): 3 days of 15 s ticks, 17,280, in 2,000 points hold 8 or 9 each, 130 s on average, where the subtitle read
     * "each the mean (or peak) over 129 s" (recheck 92's remark); a day in 288 points holds 20 ticks of 15 s in each 5
     * minutes; 100 ticks for 2,000 points are one a point.
     */
    @Test
    void theSubtitleSaysTheTicksEachPointHolds() {
        assertEquals("2,000 points, each the mean (or peak) of 8-9 ticks of 15 s (about 130 s)",
                SvgChart.points(bucketed(17_280, 2_000)));
        assertEquals("288 points, each the mean (or peak) of 20 ticks of 15 s (5 min)",
                SvgChart.points(bucketed(5_760, 288)));
        assertEquals("100 points, one per tick of 15 s", SvgChart.points(bucketed(100, 2_000)));
        assertTrue(SvgChart.render(bucketed(17_280, 2_000), "3 days").contains(
                "2,000 points, each the mean (or peak) of 8-9 ticks of 15 s (about 130 s); one panel per policy"));
    }

    /**
     * A subtitle too long for the chart is set smaller, as a title is: nyc_taxi's (215 days in 2,000 points, 190
     * characters) ran off the 1,200 px chart at 12 px, and at 163 needs 11; a short one keeps the document's 12 px.
     */
    @Test
    void aLongSubtitleIsSetSmallerToFit() {
        String svg = SvgChart.render(bucketed(1_238_280, 2_000), "nyc_taxi");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<text x=\"80\" y=\"42\" font-size=\"(\\d+)\""
                + " fill=\"#555\">(starting [^<]*)</text>").matcher(svg);
        assertTrue(m.find(), svg.substring(0, 800));
        int size = Integer.parseInt(m.group(1));
        assertTrue(size < 12 && m.group(2).length() * 7.0 * size / 12 <= 1_110, m.group());
        assertTrue(SvgChart.render(bucketed(100, 2_000), "short").contains("<text x=\"80\" y=\"42\" fill=\"#555\">"
                + "starting "), "a short subtitle keeps 12 px");
    }

    private static ChartSeries bucketed(int ticks, int points) {
        int buckets = Math.min(points, ticks); // as SimulationRun: never more points than ticks
        ChartSeries chart = new ChartSeries(SimTestSupport.T0, List.of("hpa"), buckets);
        for (long k = 0; k < ticks; k++) {
            int b = (int) (k * buckets / ticks);
            chart.addDemand(b, k * 15.0, 100);
            chart.addLane(0, b, 200, 1);
        }
        return chart;
    }

    @Test
    void niceAxisSteps() {
        assertEquals(200, SvgChart.niceStep(170));
        assertEquals(5, SvgChart.niceStep(3));
        assertEquals(1, SvgChart.niceStep(0.9));
        assertEquals(10, SvgChart.niceStep(6));
    }
}
