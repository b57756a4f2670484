package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Format.num;
import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.ContainerResource;
import io.github.milvusautoscaler.core.Signal;
import java.util.Optional;

/**
 * Whether removing one replica could push the fullest pod past its memory limit, which the kernel enforces per
 * container: it kills the one past it, whatever the average. A step-down moves the removed node's load (a queryNode's
 * segments) onto the others, so the fullest one's share grows by at most its own value / (n - 1), the removed node
 * holding no more than it: 0.93 on 4 nodes could reach 0.93 x 4/3 = 1.24 of its limit where the average, 0.48 x 4/3 = 0.64, fits. Judged
 * against scale-out-above, the line past which memory leaves a node little room for what a balance moves onto it
 * (recheck 65, F1: a step-down on the average was made and the node reached 1.02). Memory only: cpu past its request
 * is throttled or served slower, not killed, and an uneven cpu is what the average is for. One rule for the daemon's
 * step-down ({@link StepDown}) and for each removal of a manual {@code scale}.
 */
public final class FullestPod {

    private FullestPod() {
    }

    /**
     * What a step-down could do to the fullest pod.
     *
     * @param signal the memory signal's name
     * @param pod    the fullest pod and its value, a fraction of its limit
     * @param ready  the ready replicas before the step-down
     * @param after  the most that pod could reach after it: {@code pod.value() x ready / (ready - 1)}
     * @param line   scale-out-above, which {@code after} is above
     */
    public record Overflow(String signal, Signal.PodValue pod, int ready, double after, double line) {

        public Overflow {
            requireNonNull(signal, "signal");
            requireNonNull(pod, "pod");
        }

        /**
         * "pod qn-3, the fullest at memory 0.93 of its limit, at 0.93 x 4/3 = 1.24 > scale-out-above 0.80 as the
         * removed node's load moves onto it".
         */
        public String text() {
            return "pod " + pod.pod() + ", the fullest at " + signal + " " + num(pod.value()) + " of its limit, at "
                    + num(pod.value()) + " x " + ready + "/" + (ready - 1) + " = "
                    + Format.against(after, "> scale-out-above", line) + " as the removed node's load moves onto it";
        }
    }

    /**
     * The overflow a step-down from {@code ready} ready replicas could cause for signal {@code seen} under
     * {@code band}; empty when the signal is not memory, is unknown, names no fullest pod, or fits, and with fewer
     * than 2 ready (nothing to move onto, which other rules hold).
     */
    public static Optional<Overflow> afterStepDown(SignalPolicy band, Signal seen, int ready) {
        requireNonNull(band, "band");
        if (seen == null || !seen.isKnown() || ready < 2
                || ContainerResource.of(band.name()).filter(r -> r == ContainerResource.MEMORY_LIMIT).isEmpty()
                || seen.hottest().isEmpty()) {
            return Optional.empty();
        }
        Signal.PodValue pod = seen.hottest().get();
        double after = pod.value() * ready / (ready - 1.0);
        return after > band.scaleOutAbove()
                ? Optional.of(new Overflow(band.name(), pod, ready, after, band.scaleOutAbove())) : Optional.empty();
    }
}
