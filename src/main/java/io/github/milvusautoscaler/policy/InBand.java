package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Format.num;

import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.SignalState;
import io.github.milvusautoscaler.core.Stage;
import java.util.Optional;

/**
 * The last rule: nothing before it asked for a change, so the tick holds. It always settles, so
 * every tick yields a decision. "within bands" only when every signal is; otherwise the message says what keeps
 * the step-down rule from even considering one ({@link StepDown#whyNotLow}).
 *
 * <p>Reasons: IN_BAND. Memory: none.
 */
final class InBand implements Rule<Memory.None> {

    @Override
    public Stage stage() {
        return Stage.IN_BAND;
    }

    @Override
    public Memory.None initial() {
        return Memory.None.NONE;
    }

    @Override
    public Optional<Proposal> decide(Tick t) {
        return Proposal.hold(Stage.IN_BAND, Reason.IN_BAND, t, () -> message(t));
    }

    private static String message(Tick t) {
        StringBuilder b = new StringBuilder(96).append(t.component()).append(' ');
        if (t.signals().isEmpty()) {
            b.append("has no signals");
        }
        for (int i = 0; i < t.signals().size(); i++) {
            Classified c = t.signals().get(i);
            b.append(i == 0 ? "" : ", ").append(c.name());
            if (c.known()) {
                b.append(' ').append(num(c.v()));
            } else {
                b.append(" unknown (").append(c.problem()).append(')');
            }
        }
        boolean inBands = !t.signals().isEmpty()
                && t.signals().stream().allMatch(c -> c.state() == SignalState.IN_BAND);
        if (inBands) {
            return b.append(" within bands").toString();
        }
        // A LOW or UNKNOWN signal reaches here too (the step-down rule found nothing to do): "within bands" would
        // then be false, and the SRE asking why it does not scale in would be told nothing (message audit H1). At
        // min-replicas that is the reason: "no step-down while memory averages 0.51" there implied a step-down once
        // it fell (recheck 89's remark).
        b.append(": none above its line");
        if (t.current() <= t.settings().minReplicas()) {
            return b.append(", at min-replicas ").append(t.settings().minReplicas()).toString();
        }
        return b.append(StepDown.whyNotLow(t).map(why -> ", and no step-down while " + why).orElse("")).toString();
    }
}
