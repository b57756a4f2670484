package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

/**
 * The clairvoyant node-seconds a run's policies read against: the optimal schedule's cost with
 * zero overload and with zero hot seconds on the same trace and model (see
 * {@link ClairvoyantSchedule}). A policy's "x clairvoyant" is its node-seconds over these:
 * 100,820,445 against 80,000,000 reads 1.260.
 *
 * @param nodeSeconds       cheapest schedule with zero overload seconds
 * @param clippedTicks      ticks where no schedule avoids overload (then the bound runs the most
 *                          capacity reachable there instead); 0 when zero overload is reachable
 * @param nodeSecondsNoHot  cheapest schedule with zero hot seconds
 * @param clippedTicksNoHot the same for zero hot seconds
 */
public record ClairvoyantBound(double nodeSeconds, long clippedTicks, double nodeSecondsNoHot, long clippedTicksNoHot) {

    /** Solves both goals on {@code demand} (as the simulation runs it) from {@code initialReplicas}. */
    public static ClairvoyantBound of(LoadTrace demand, SimSettings settings, int initialReplicas) {
        requireNonNull(demand, "demand");
        requireNonNull(settings, "settings");
        ClairvoyantSchedule o = ClairvoyantSchedule.solve(demand, settings, initialReplicas,
                ClairvoyantSchedule.Goal.NO_OVERLOAD, false);
        ClairvoyantSchedule h = ClairvoyantSchedule.solve(demand, settings, initialReplicas,
                ClairvoyantSchedule.Goal.NO_HOT, false);
        return new ClairvoyantBound(o.nodeSeconds(), o.clippedTicks(), h.nodeSeconds(), h.clippedTicks());
    }

    /** {@code nodeSeconds / nodeSeconds()}, or NaN when the bound is zero (a trace of zeros with min-replicas 0). */
    public double ratio(long nodeSeconds) {
        return this.nodeSeconds > 0 ? nodeSeconds / this.nodeSeconds : Double.NaN;
    }

    /** {@code nodeSeconds / nodeSecondsNoHot()}, or NaN when that is zero. */
    public double ratioNoHot(long nodeSeconds) {
        return this.nodeSecondsNoHot > 0 ? nodeSeconds / this.nodeSecondsNoHot : Double.NaN;
    }
}
