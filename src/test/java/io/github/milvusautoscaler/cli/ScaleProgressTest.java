package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * What a person watching {@code scale} sees: on a terminal one status line rewritten in place while a step
 * waits, closed before the next event; in a log (no terminal) one line per event and one each time what it
 * waits for changes, not one per poll.
 */
class ScaleProgressTest {

    @Test
    void onATerminalTheWaitingLineIsRewrittenInPlaceAndClosedBeforeTheNextEvent() {
        StringWriter text = new StringWriter();
        var progress = new ScaleCommand.Progress(new PrintWriter(text), true);
        progress.event("step 1 of 3: wrote 3 replicas (4 -> 3)");
        progress.waiting("step 1 of 3: waiting for settle", "5s of 30m, settle BUSY");
        progress.waiting("step 1 of 3: waiting for settle", "10s of 30m, settle BUSY");
        progress.event("step 1 of 3 done");
        assertEquals("step 1 of 3: wrote 3 replicas (4 -> 3)\n"
                + "\rstep 1 of 3: waiting for settle [5s of 30m, settle BUSY]\033[K"
                + "\rstep 1 of 3: waiting for settle [10s of 30m, settle BUSY]\033[K\n"
                + "step 1 of 3 done\n", text.toString().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void inALogEachChangeOfWhatItWaitsForIsOneLineNotEveryPoll() {
        StringWriter text = new StringWriter();
        var progress = new ScaleCommand.Progress(new PrintWriter(text), false);
        progress.waiting("step 1 of 3: waiting for settle", "5s of 30m");
        progress.waiting("step 1 of 3: waiting for settle", "10s of 30m");
        progress.waiting("step 1 of 3: waiting for the verify window (2m)", "40s of 32m");
        progress.event("step 1 of 3 done");
        progress.waiting("step 2 of 3: waiting for settle", "5s of 30m");
        assertEquals("step 1 of 3: waiting for settle [5s of 30m]\n"
                + "step 1 of 3: waiting for the verify window (2m) [40s of 32m]\n"
                + "step 1 of 3 done\n"
                + "step 2 of 3: waiting for settle [5s of 30m]\n", text.toString().replace(System.lineSeparator(), "\n"));
    }
}
