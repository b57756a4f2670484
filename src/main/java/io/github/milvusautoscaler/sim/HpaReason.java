package io.github.milvusautoscaler.sim;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.DecisionReason;
import io.github.milvusautoscaler.core.Stage;

/**
 * Why an HPA baseline ({@link HpaPolicy}) decided what it did, in the HPA controller's own terms
 * (its condition reasons {@code ScalingDisabled}, {@code FailedGetResourceMetric},
 * {@code ScaleUpLimit}, {@code ScaleDownStabilized}, {@code ScaleDownLimit}, {@code TooManyReplicas},
 * {@code TooFewReplicas}), not in the autoscaler's {@code core.Reason}: a baseline runs none of the
 * policy's rules, so its decisions carry {@link Stage#BASELINE}.
 */
public enum HpaReason implements DecisionReason {
    /** The target's replica count is 0: the controller does not scale it ({@code ScalingDisabled}). HOLD. */
    SCALING_DISABLED(Action.HOLD, false),
    /** Current replicas above maxReplicas: straight down to it. SCALE_IN. */
    ABOVE_MAX_REPLICAS(Action.SCALE_IN, false),
    /** Current replicas below minReplicas: straight up to it. SCALE_OUT. */
    BELOW_MIN_REPLICAS(Action.SCALE_OUT, false),
    /** No CPU value, or no ready pod to read it from ({@code FailedGetResourceMetric}). HOLD. */
    FAILED_GET_RESOURCE_METRIC(Action.HOLD, false),
    /** The recommendation, stabilized and rate-limited, is above current replicas. SCALE_OUT. */
    SCALE_UP(Action.SCALE_OUT, false),
    /** The recommendation, stabilized and rate-limited, is below current replicas. SCALE_IN. */
    SCALE_DOWN(Action.SCALE_IN, false),
    /** Utilization within tolerance of the target, or a recommendation equal to current replicas. HOLD. */
    NO_CHANGE(Action.HOLD, false),
    /** A scale-up recommended, but the scale-up policies allow no more pods this period ({@code ScaleUpLimit}). HOLD. */
    SCALE_UP_LIMIT(Action.HOLD, true),
    /** A scale-up recommended, but already at maxReplicas ({@code TooManyReplicas}). HOLD. */
    AT_MAX_REPLICAS(Action.HOLD, true),
    /** A scale-down recommended, but a higher recommendation within the stabilization window wins ({@code ScaleDownStabilized}). HOLD. */
    SCALE_DOWN_STABILIZED(Action.HOLD, false),
    /** A scale-down recommended, but the scale-down policies allow no fewer pods this period ({@code ScaleDownLimit}). HOLD. */
    SCALE_DOWN_LIMIT(Action.HOLD, true),
    /** A scale-down recommended, but already at minReplicas ({@code TooFewReplicas}). HOLD. */
    AT_MIN_REPLICAS(Action.HOLD, false);

    private final Action action;
    private final boolean blocks;

    HpaReason(Action action, boolean blocks) {
        this.action = action;
        this.blocks = blocks;
    }

    @Override
    public Action action() {
        return action;
    }

    @Override
    public Stage stage() {
        return Stage.BASELINE;
    }

    @Override
    public boolean blocksAction() {
        return blocks;
    }
}
