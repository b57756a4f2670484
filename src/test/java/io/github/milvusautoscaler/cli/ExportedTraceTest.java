package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.sim.NabCsvReader;
import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code backtest --export-trace} leaves out a step whose qps or ready count is unknown (a NAB row cannot say
 * "unknown") and says so; its warning and {@code simulate}'s hole check must agree on what a hole is, or the export
 * would promise a replay that simulate then refuses (audit-input F1).
 */
class ExportedTraceTest {

    private static final Instant T0 = Instant.parse("2026-12-04T13:00:00Z");
    private static final Duration STEP = Duration.ofSeconds(15);

    /** Sixty 15 s steps, {@code unknown} of them in a row from the fourth, the rest with a load of 100 + i. */
    private static BacktestCommand.ExportedTrace export(int unknown) {
        BacktestCommand.ExportedTrace.Builder b = new BacktestCommand.ExportedTrace.Builder();
        for (int i = 0; i < 60; i++) {
            Instant at = T0.plus(STEP.multipliedBy(i));
            if (i >= 3 && i < 3 + unknown) {
                b.unknown(at);
            } else {
                b.row(at, 100 + i);
            }
        }
        return b.build();
    }

    /**
     * 39 unknown steps leave rows 40 steps (10m) apart, no hole; 40 leave them 10m15s apart, more than 3 steps and
     * 10 minutes: a hole for simulate, and the warning says simulate refuses it.
     */
    @ParameterizedTest(name = "{0} unknown steps in a row: a hole for simulate {1}")
    @CsvSource({"0, false, -", "2, false, 45s", "39, false, 10m", "40, true, 10m15s"})
    void theWarningAndSimulatesHoleCheckAgree(int unknown, boolean hole, String apart) throws IOException {
        BacktestCommand.ExportedTrace e = export(unknown);
        assertEquals(60 - unknown + 1, e.csv().split("\n").length, e.csv());
        Optional<String> warning = e.warning("trace-milvus_a_queryNode.csv", STEP);
        if (unknown == 0) {
            assertEquals(Optional.empty(), warning);
        } else {
            assertEquals("trace-milvus_a_queryNode.csv has no row for " + unknown + " of 60 steps, where qps or the"
                    + " ready replicas were unknown (the longest run " + unknown + " steps from 2026-12-04 13:00:45,"
                    + " its rows " + apart + " apart)" + (hole ? "; simulate --trace refuses such a hole unless"
                    + " --interpolate-gaps draws it as a straight line" : ""), warning.orElseThrow());
        }
        assertEquals(hole ? 1 : 0, NabCsvReader.read("t", new StringReader(e.csv()), "t.csv").holes().size(), e.csv());
    }

    /**
     * No step known: the file is its header alone, and the warning says so (recheck 92: "its rows 45s apart" of a file
     * with no rows), and what simulate then does with it.
     */
    @org.junit.jupiter.api.Test
    void aTraceWithNoRowSaysItHoldsOnlyItsHeader() throws IOException {
        BacktestCommand.ExportedTrace e = new BacktestCommand.ExportedTrace.Builder().unknown(T0)
                .unknown(T0.plusSeconds(15)).build();
        assertEquals("timestamp,value\n", e.csv());
        assertEquals("x.csv holds only its header: qps or the ready replicas were unknown at every one of its 2 steps,"
                + " and simulate --trace refuses a trace with no rows", e.warning("x.csv", STEP).orElseThrow());
        Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> NabCsvReader.read("t", new StringReader(e.csv()), "x.csv"));
        assertTrue(refused.getMessage().contains("no data rows"), refused.getMessage());
    }

    @org.junit.jupiter.api.Test
    void theLongestRunIsNamedNotTheFirst() {
        BacktestCommand.ExportedTrace.Builder b = new BacktestCommand.ExportedTrace.Builder();
        b.row(T0, 1).unknown(T0.plusSeconds(15)).row(T0.plusSeconds(30), 1).unknown(T0.plusSeconds(45))
                .unknown(T0.plusSeconds(60)).row(T0.plusSeconds(75), 1);
        String warning = b.build().warning("x.csv", STEP).orElseThrow();
        assertTrue(warning.contains("no row for 3 of 6 steps") && warning.contains("the longest run 2 steps from"
                + " 2026-12-04 13:00:45, its rows 45s apart)"), warning);
    }
}
