package io.github.milvusautoscaler.policy;

import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Stage;
import java.util.Optional;

/**
 * The first rule: a paused object or a rollout holds; replicas outside [min, max] move toward the
 * bound, up to min-replicas at once, down from above max-replicas one at a time. The step toward
 * max passes the step-down rule's gate first ({@link StepDown#gate}): it is a step-down like any
 * other, so a cooling or unsettled component holds with the step-down's reason.
 *
 * <p>Reasons: PAUSED, ROLLOUT, BELOW_MIN, ABOVE_MAX. Memory: none.
 */
final class Guards implements Rule<Memory.None> {

    @Override
    public Stage stage() {
        return Stage.GUARDS;
    }

    @Override
    public Memory.None initial() {
        return Memory.None.NONE;
    }

    @Override
    public Optional<Proposal> decide(Tick t) {
        PolicySettings s = t.settings();
        int current = t.current();
        if (t.status().paused()) {
            return Proposal.hold(Stage.GUARDS, Reason.PAUSED, t,
                    () -> t.component() + " paused by annotation milvus-autoscaler.io/paused");
        }
        if (t.status().rollout()) {
            return Proposal.hold(Stage.GUARDS, Reason.ROLLOUT, t,
                    () -> t.component() + " rollout in progress; nothing is written until it ends");
        }
        if (current < s.minReplicas()) {
            return Optional.of(new Proposal(Stage.GUARDS, Reason.BELOW_MIN, s.minReplicas(), () -> t.component() + " "
                    + current + " replicas below min-replicas " + s.minReplicas() + "; " + current + " -> "
                    + s.minReplicas()));
        }
        if (current > s.maxReplicas()) {
            Optional<Proposal> gate = StepDown.gate(t);
            if (gate.isPresent()) {
                return gate;
            }
            return Optional.of(new Proposal(Stage.GUARDS, Reason.ABOVE_MAX, current - 1, () -> t.component() + " "
                    + current + " replicas above max-replicas " + s.maxReplicas() + "; stepping down one at a time: "
                    + current + " -> " + (current - 1)));
        }
        return Optional.empty();
    }
}
