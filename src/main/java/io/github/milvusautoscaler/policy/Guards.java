package io.github.milvusautoscaler.policy;

import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Stage;
import java.util.Optional;

/**
 * The first rule: a paused object or a rollout holds; replicas outside [min, max] move toward the
 * bound, up to min-replicas at once, down from above max-replicas one at a time. The step toward
 * max passes the step-down rule's gate first ({@link StepDown#gate}): it is a step-down like any
 * other, so a cooling or unsettled component holds with the step-down's reason.
 *
 * <p>A component at 0 replicas is held (SCALED_TO_ZERO), not moved up to min-replicas: min-replicas is at least 1,
 * so 0 is a stop someone wrote on purpose (a maintenance stop, the operator's Stopped state), and starting its
 * workers while its coordinators stay stopped would only crash-loop them. Kubernetes' HPA controller disables
 * scaling for a target at zero in the same way (pkg/controller/podautoscaler/horizontal.go: "scaling is
 * disabled since the replica count of the target is zero"). Scaling it up by hand hands it back.
 *
 * <p>A rollout holds every count, except on a Helm release a scale-out past the panic line, which the scale-out
 * rule decides ({@link ScaleOut#pastPanicDuringRollout}): Kubernetes scales a Deployment mid-rollout.
 *
 * <p>Reasons: PAUSED, SCALED_TO_ZERO, ROLLOUT, BELOW_MIN, ABOVE_MAX. Memory: none.
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
        if (t.status().paused() && !t.status().pausedBy().isEmpty()) {
            String by = t.status().pausedBy();
            return Proposal.hold(Stage.GUARDS, Reason.PAUSED, t, () -> t.component() + " paused by " + by
                    + " (the pause or scale command); a scale run lifts its own pause when it ends, so resume --target"
                    + " only a pause kept on purpose or left by a run that is no longer going (a run still going stops"
                    + " at its next step)");
        }
        if (t.status().paused() && t.status().pauseLift().isPresent()) {
            // The key as found: the three forms in the config spelling sent a person paused as
            // querynode.paused=true looking for a queryNode.paused that was not there (recheck 42, left).
            String lift = t.status().pauseLift().get();
            return Proposal.hold(Stage.GUARDS, Reason.PAUSED, t, () -> t.component() + " paused by an annotation on"
                    + " the object, not by the pause or scale command; lift it with: " + lift);
        }
        if (t.status().paused()) {
            return Proposal.hold(Stage.GUARDS, Reason.PAUSED, t,
                    // An owner that does not say which key (a replay): naming one key sent a person to remove one
                    // that was not set (reload audit F5).
                    () -> t.component() + " paused by an annotation on the object (milvus-autoscaler.io/"
                            + t.component() + ".paused, or milvus-autoscaler.io/paused = true or a list naming it);"
                            + " resume --target lifts a pause that pause or scale wrote, and prints the kubectl command"
                            + " for one set by hand");
        }
        if (current == 0) {
            return Proposal.hold(Stage.GUARDS, Reason.SCALED_TO_ZERO, t, () -> t.component() + " at 0 replicas: stopped"
                    + " on purpose (min-replicas is at least 1), not started here, as Kubernetes' HPA does not scale a"
                    + " target at zero; scale it up by hand to hand it back");
        }
        if (t.status().rollout()) {
            boolean helm = t.observation().target().install() == InstallKind.HELM;
            Optional<Proposal> urgent = helm ? ScaleOut.pastPanicDuringRollout(t) : Optional.empty();
            if (urgent.isPresent()) {
                return urgent;
            }
            return Proposal.hold(Stage.GUARDS, Reason.ROLLOUT, t,
                    () -> t.component() + ": " + t.status().rollingOut().orElseThrow()
                            + "; no replica count is written until it ends" + (helm ? ", unless a signal passes the"
                            + " panic line" : "") + " (the daemon's own annotations still are)");
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
