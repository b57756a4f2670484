package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Target;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /**
     * Right after a step-down's write the controller has not removed the pod yet: 3 ready of 2 requested, which read
     * as a mistake (scale recheck 21, R2); the line says one is leaving.
     */
    @Test
    void aLookRightAfterAStepDownSaysWhichPodsAreLeaving() {
        Target target = new Target("milvus", "my-release", Component.PROXY, InstallKind.HELM);
        Observation observation = new Observation(target, Instant.parse("2026-12-06T09:00:00Z"), Map.of(),
                Settle.QUIET, Health.NONE, List.of());
        var look = new ScaleCommand.Look(new ReplicaStatus(2, 3, true, false, Optional.empty(), "7"), observation,
                List.of(), List.of(), new LinkedHashMap<>(Map.of("qps", "134")));
        assertEquals("ready 3 for 2 wanted (1 leaving), settle QUIET, health NONE, qps 134", look.describe());
        var settled = new ScaleCommand.Look(new ReplicaStatus(2, 2, true, false, Optional.empty(), "8"), observation,
                List.of(), List.of(), Map.of());
        assertEquals("ready 2 of 2, settle QUIET, health NONE", settled.describe());
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
