package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

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

    /**
     * Solves both goals on {@code demand} (as the simulation runs it) from {@code initialReplicas},
     * the zero-hot one on a second thread: they share nothing, and at the end of a run the core the
     * JIT compiler used is idle (about 0.3 s each for nyc_taxi's 1.24M ticks).
     */
    public static ClairvoyantBound of(LoadTrace demand, SimSettings settings, int initialReplicas) {
        return of(demand, settings, initialReplicas, List.of());
    }

    /**
     * As {@link #of(LoadTrace, SimSettings, int)}, taking a goal's cost from {@code solved} (schedules the run's
     * clairvoyant lanes already solved on the same demand, settings and initial replicas) instead of solving it
     * again: at a peak of 80 nodes one goal takes up to 3.6 s.
     */
    public static ClairvoyantBound of(LoadTrace demand, SimSettings settings, int initialReplicas,
                                      List<ClairvoyantSchedule> solved) {
        requireNonNull(demand, "demand");
        requireNonNull(settings, "settings");
        requireNonNull(solved, "solved");
        ClairvoyantSchedule knownNoHot = find(solved, ClairvoyantSchedule.Goal.NO_HOT, initialReplicas);
        FutureTask<ClairvoyantSchedule> noHot = new FutureTask<>(() -> knownNoHot != null ? knownNoHot
                : ClairvoyantSchedule.solve(demand, settings, initialReplicas, ClairvoyantSchedule.Goal.NO_HOT, false));
        Thread worker = new Thread(noHot, "clairvoyant-no-hot");
        worker.setDaemon(true);
        worker.start();
        ClairvoyantSchedule knownNoOverload = find(solved, ClairvoyantSchedule.Goal.NO_OVERLOAD, initialReplicas);
        ClairvoyantSchedule o = knownNoOverload != null ? knownNoOverload : ClairvoyantSchedule.solve(demand, settings,
                initialReplicas, ClairvoyantSchedule.Goal.NO_OVERLOAD, false);
        ClairvoyantSchedule h;
        try {
            h = noHot.get();
        } catch (InterruptedException e) {
            worker.interrupt();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while solving the clairvoyant bound", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                // An OutOfMemoryError reaches simulate as itself, which says so in one line (not wrapped in a trace).
                throw err;
            }
            throw new IllegalStateException("clairvoyant bound failed", e.getCause());
        }
        return new ClairvoyantBound(o.nodeSeconds(), o.clippedTicks(), h.nodeSeconds(), h.clippedTicks());
    }

    private static ClairvoyantSchedule find(List<ClairvoyantSchedule> solved, ClairvoyantSchedule.Goal goal,
                                            int initialReplicas) {
        return solved.stream().filter(s -> s.goal() == goal && s.initialReplicas() == initialReplicas)
                .findFirst().orElse(null);
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
