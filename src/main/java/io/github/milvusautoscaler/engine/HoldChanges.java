package io.github.milvusautoscaler.engine;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.DecisionSink;
import io.github.milvusautoscaler.core.Target;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The decision log of {@code decision-log.holds = changes}: every action, and a HOLD only when it differs from the
 * target's decision before in action, reason, from or to, so a hold that stands is one line, however many ticks it
 * lasts. Four ticks a minute of 58 targets wrote 230 lines (105 KiB) a minute per replica to standard output, about
 * 150 MiB a day, nearly all of them the same HOLD again (soak recheck 20, F5). What the hold says as it goes on (a
 * sustain counting up) is in {@code /api/v1/status}.
 */
public final class HoldChanges implements DecisionSink, AutoCloseable {

    private final DecisionLogWriter log;
    /** Per target, its last decision's action, reason, from and to; one entry per target ever decided on. */
    private final Map<Target, String> last = new HashMap<>();

    public HoldChanges(DecisionLogWriter log) {
        this.log = requireNonNull(log, "log");
    }

    @Override
    public void record(Decision decision) {
        String key = decision.action() + " " + decision.reason() + " " + decision.from() + " " + decision.to();
        String before;
        synchronized (last) {
            before = last.put(decision.target(), key);
        }
        if (decision.action() != Action.HOLD || !Objects.equals(before, key)) {
            log.record(decision);
        }
    }

    @Override
    public void close() throws java.io.IOException {
        log.close();
    }
}
