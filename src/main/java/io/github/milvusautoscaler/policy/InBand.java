package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Format.num;

import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Stage;
import java.util.Optional;

/**
 * The last rule: nothing before it asked for a change, so the tick holds. It always settles, so
 * every tick yields a decision.
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
        return b.append(" within bands").toString();
    }
}
