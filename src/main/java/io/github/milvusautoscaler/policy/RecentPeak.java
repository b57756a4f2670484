package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Format.compare;
import static io.github.milvusautoscaler.policy.Format.dur;
import static io.github.milvusautoscaler.policy.Format.num;

import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Stage;
import java.util.Optional;

/**
 * A step-down must also fit the recent peak, not only the sustained average: the step-down that
 * {@link StepDown} would take is held when a signal's recent peak load, on one node fewer, would
 * pass its {@code scale-out-above}. The peak is the load (value x ready) reached in at least
 * {@code scale-in.peak-recurrence} of the {@value RecentPeaks#BUCKETS} spans of {@code scale-in.peak-window}
 * ({@link RecentPeaks}). Example, cpu, window 120m, recurrence 5: on 2 ready the load reached 1.9 nodes in
 * five of the last six 20-minute spans; one node would run at 1.9 / 1 = 1.90 > 0.75, so it holds, though
 * the 10m average of 0.45 x 2 = 0.9 nodes would fit (0.9 / 1 = 0.90 is above the target too, but a
 * quieter stretch with an average of 0.25 would not be). A burst reached in fewer than five spans does not hold.
 *
 * <p>Measured on the shared traces (README, "Benchmark"): on elb_request_count the step-downs that a
 * spike within minutes undid caused over half of the overload; with a 120m look-back and recurrence 5
 * the overload falls from 59,251 s to 33,934 s for 5.0% more node-seconds (60m and 3, the first default:
 * 28,486 s for 9.7% more).
 *
 * <p>Reasons: PEAK_WOULD_OVERLOAD. Memory: {@link Peaks}.
 */
final class RecentPeak implements Rule<RecentPeak.Peaks> {

    /** @param peaks per signal, the highest load in each span of the look-back */
    record Peaks(RecentPeaks peaks) implements Memory {

        Peaks {
            java.util.Objects.requireNonNull(peaks, "peaks");
        }
    }

    @Override
    public Stage stage() {
        return Stage.RECENT_PEAK;
    }

    @Override
    public Peaks initial() {
        return new Peaks(RecentPeaks.NONE);
    }

    /** Adds this tick's known loads to their span; an UNKNOWN value neither adds nor lowers a peak. */
    @Override
    public Peaks observe(Peaks own, Tick before) {
        RecentPeaks next = own.peaks().next(before.signals(), before.ready(), before.now(),
                before.settings().scaleIn().peakWindow());
        return next.equals(own.peaks()) ? own : new Peaks(next);
    }

    @Override
    public Optional<Proposal> decide(Tick t) {
        ScaleInSettings si = t.settings().scaleIn();
        if (si.peakWindow().isZero() || !StepDown.wouldStepDown(t)) {
            return Optional.empty();
        }
        int ready = t.ready();
        RecentPeaks peaks = t.memory(Peaks.class).peaks();
        for (Classified c : t.signals()) {
            double peak = peaks.peak(c.name(), si.peakRecurrence());
            if (Double.isNaN(peak)) {
                continue;
            }
            double projected = peak / (ready - 1.0);
            if (projected > c.band().scaleOutAbove()) {
                return Proposal.hold(Stage.RECENT_PEAK, Reason.PEAK_WOULD_OVERLOAD, t, () -> t.component() + " "
                        + c.name() + " peak load " + num(peak) + " (value x ready, reached in "
                        + (si.peakRecurrence() == 1 ? "the last " + dur(si.peakWindow())
                        : si.peakRecurrence() + " of the last " + RecentPeaks.BUCKETS + " "
                        + dur(si.peakWindow().dividedBy(RecentPeaks.BUCKETS)) + " spans")
                        + ") would put " + (ready - 1) + " at " + num(peak) + "/" + (ready - 1) + " = "
                        + compare(projected, ">", c.band().scaleOutAbove()) + "; no step-down " + ready + " -> "
                        + (ready - 1));
            }
        }
        return Optional.empty();
    }
}
