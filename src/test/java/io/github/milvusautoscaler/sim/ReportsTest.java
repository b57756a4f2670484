package io.github.milvusautoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
    void tableAndMarkdownShowEveryColumnForEveryPolicy() {
        String table = Reports.table(result());
        String[] lines = table.split("\n");
        assertEquals(3, lines.length);
        for (Column c : Column.values()) {
            assertTrue(lines[0].contains(c.header()), c.header());
        }
        assertTrue(lines[1].startsWith("hpa ") && lines[1].contains("107,543,220") && lines[1].contains("3,494"), lines[1]);
        String md = Reports.markdown(result(), SimSettings.defaults(), 1);
        assertTrue(md.contains("| policy | overload s | hot s |"), md);
        assertTrue(md.contains("| hpa-milvus | 3 | 4 | 107,537,415 |"), md);
        assertTrue(md.contains("![load, capacity and replicas over time](chart.svg)"), md);
        assertTrue(md.contains("215.0 days simulated"), md);
    }

    @Test
    void chartIsWellFormedSvgWithAxesAndLegend() throws Exception {
        String svg = SvgChart.render(result().chart(), "nyc_taxi <test> & more");
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getNodeName());
        assertTrue(svg.contains("nyc_taxi &lt;test&gt; &amp; more"));
        assertTrue(svg.contains("load and ready capacity (requests/s)"));
        assertTrue(svg.contains(">replicas<"));
        assertTrue(svg.contains("time since trace start (hours)"));
        assertTrue(svg.contains("hpa ready capacity") && svg.contains("hpa-milvus replicas") && svg.contains("demand, mean (requests/s)") && svg.contains("demand, peak"));
        // demand mean and peak + 2 capacity + 2 replica series.
        assertEquals(6, doc.getElementsByTagName("polyline").getLength());
    }

    @Test
    void niceAxisSteps() {
        assertEquals(200, SvgChart.niceStep(170));
        assertEquals(5, SvgChart.niceStep(3));
        assertEquals(1, SvgChart.niceStep(0.9));
        assertEquals(10, SvgChart.niceStep(6));
    }
}
