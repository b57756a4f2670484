package io.github.milvusautoscaler.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Target;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code decision-log.holds = changes}: every action is a line, a HOLD only when it differs from the target's
 * decision before. The shipped config's stdout log carried each target's HOLD at every tick, 150 MiB a day per
 * replica at 58 targets (soak recheck 20, F5).
 */
class HoldChangesTest {

    static final Target A = new Target("milvus", "a", Component.QUERY_NODE, InstallKind.HELM);
    static final Target B = new Target("milvus", "b", Component.QUERY_NODE, InstallKind.HELM);
    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

    static Decision d(Target t, int tick, Reason reason, int from, int to, String message) {
        return new Decision(t, T0.plusSeconds(15L * tick), reason.action(), from, to, reason, message, Map.of(), false);
    }

    @Test
    void aHoldThatStandsIsOneLineAndEveryActionIsOne() throws Exception {
        StringWriter out = new StringWriter();
        try (HoldChanges log = new HoldChanges(new DecisionLogWriter(out, true))) {
            log.record(d(A, 0, Reason.IN_BAND, 3, 3, "in band"));
            log.record(d(A, 1, Reason.IN_BAND, 3, 3, "in band"));
            log.record(d(B, 1, Reason.IN_BAND, 2, 2, "in band"));
            log.record(d(A, 2, Reason.SUSTAINING_LOW, 3, 3, "over 15s of 15m sustain"));
            // The same hold with its sustain counting up: the message changes, the hold does not.
            log.record(d(A, 3, Reason.SUSTAINING_LOW, 3, 3, "over 30s of 15m sustain"));
            log.record(d(A, 4, Reason.SIGNALS_LOW, 3, 2, "3 -> 2"));
            // A follower decides the same action again at the next tick: every action is a line.
            log.record(d(A, 5, Reason.SIGNALS_LOW, 3, 2, "3 -> 2"));
            log.record(d(A, 6, Reason.SCALE_IN_COOLDOWN, 2, 2, "cooldown"));
            log.record(d(A, 7, Reason.SCALE_IN_COOLDOWN, 2, 2, "cooldown"));
            // The same reason at another count is a new hold.
            log.record(d(A, 8, Reason.SCALE_IN_COOLDOWN, 3, 3, "cooldown"));
        }
        List<String> lines = out.toString().lines().toList();
        assertEquals(List.of("A IN_BAND 0", "B IN_BAND 15", "A SUSTAINING_LOW 30", "A SIGNALS_LOW 60",
                "A SIGNALS_LOW 75", "A SCALE_IN_COOLDOWN 90", "A SCALE_IN_COOLDOWN 120"), lines.stream()
                .map(l -> (l.contains("\"target\":\"milvus/a/") ? "A " : "B ")
                        + com.google.gson.JsonParser.parseString(l).getAsJsonObject().get("reason").getAsString() + " "
                        + (Instant.parse(com.google.gson.JsonParser.parseString(l).getAsJsonObject().get("time")
                        .getAsString()).getEpochSecond() - T0.getEpochSecond()))
                .toList(), out.toString());
    }
}
