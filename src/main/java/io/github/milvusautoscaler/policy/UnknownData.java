package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.core.Durations.human;

import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.SignalState;
import io.github.milvusautoscaler.core.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * When every signal is UNKNOWN, hold rather than guess; after {@code fallback.after} of it, the
 * scale-out fallback may move up to {@code fallback.replicas}. Never down: missing data is never
 * turned into a number (README, "What it does, and what it does not").
 *
 * <p>Reasons: ALL_SIGNALS_UNKNOWN, FALLBACK_SCALE_OUT. Memory: when the stretch of "every signal
 * UNKNOWN" began.
 */
final class UnknownData implements Rule<UnknownData.Since> {

    /** @param since when every signal turned UNKNOWN; null while any is known */
    record Since(Instant since) implements Memory {
    }

    @Override
    public Stage stage() {
        return Stage.UNKNOWN_DATA;
    }

    @Override
    public Since initial() {
        return new Since(null);
    }

    /** Starts the stretch on the first tick with every signal UNKNOWN (or none configured), ends it on any known one. */
    @Override
    public Since observe(Since own, Tick before) {
        boolean allUnknown = true;
        for (Classified c : before.signals()) {
            allUnknown &= c.state() == SignalState.UNKNOWN;
        }
        Instant since = allUnknown ? (own.since() != null ? own.since() : before.now()) : null;
        return since == own.since() ? own : new Since(since);
    }

    @Override
    public Optional<Proposal> decide(Tick t) {
        if (!t.signals().isEmpty() && !t.all(SignalState.UNKNOWN)) {
            return Optional.empty();
        }
        FallbackSettings f = t.settings().fallback();
        Instant since = t.memory(Since.class).since() != null ? t.memory(Since.class).since() : t.now();
        Supplier<String> lasting = () -> {
            // Signals with the same problem share it ("cpu, memory, qps: this node's clock is 10m behind ..."): one
            // cause said three times made a 1,000-character line (fault recheck 2).
            java.util.Map<String, java.util.List<String>> byProblem = new java.util.LinkedHashMap<>();
            t.signals().forEach(c -> byProblem.computeIfAbsent(c.problem(), p -> new java.util.ArrayList<>())
                    .add(c.name()));
            String problems = byProblem.entrySet().stream().map(e -> String.join(", ", e.getValue()) + ": "
                    + e.getKey()).collect(Collectors.joining("; "));
            String leftOut = t.leftOut();
            String lasted = human(Duration.between(since, t.now()));
            if (t.signals().isEmpty() && !leftOut.isEmpty()) {
                return "no " + t.component() + " signal to decide on for " + lasted + leftOut;
            }
            return "every " + t.component() + " signal unknown for " + lasted
                    + (problems.isEmpty() ? "" : " (" + problems + ")") + leftOut;
        };
        int fallbackTo = t.clamp(f.replicas());
        if (f.mode() == FallbackSettings.Mode.SCALE_OUT && !t.within(since, f.after()) && t.current() < fallbackTo) {
            return Optional.of(new Proposal(Stage.UNKNOWN_DATA, Reason.FALLBACK_SCALE_OUT, fallbackTo,
                    () -> lasting.get() + "; fallback " + t.current() + " -> " + fallbackTo));
        }
        return Proposal.hold(Stage.UNKNOWN_DATA, Reason.ALL_SIGNALS_UNKNOWN, t, lasting);
    }
}
