package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Checks;
import java.time.Duration;

/**
 * How the policy removes replicas: always one at a time, then waits and checks.
 *
 * @param sustain            every signal must be known this long, and its average over it LOW, before a
 *                           step-down
 * @param cooldown           minimum time between two step-downs
 * @param delayAfterScaleOut no step-down this soon after a scale-out
 * @param verifyWindow       after a step-down, a HIGH signal or failing health this soon rolls it back
 * @param backoff            after a roll-back, no step-down for this long
 * @param settleTimeout      the longest a step-down waits for the component to settle
 * @param peakWindow         a step-down must also fit the recent peak of each signal's load over this look-back;
 *                           zero: judged on the current value and the average alone
 * @param peakRecurrence     the recent peak is the load reached in at least this many of the look-back's
 *                           {@value RecentPeaks#BUCKETS} spans (1: the highest; 3: a level hit in half of them)
 * @param peakAfterReversal  for this long after a step-down to one replica was reversed, the step to one
 *                           replica must fit the highest load of the look-back ({@link RecentPeak}); zero: off
 * @param settleReadAfter    the settle query is read from this long after a step-down on: until Prometheus has
 *                           scraped kube-state-metrics and querycoord again it shows the cluster before the step, and
 *                           reads QUIET (a live recheck: 25 s at a 30 s scrape); zero: read at once
 * @param newPodGrace        the longest gap in the known signals that does not restart the sustain when the only
 *                           signals missing are per-pod ones that lack exactly the replicas that turned ready since
 *                           the sustain's last known tick (their first rate needs two scrapes); zero: every UNKNOWN
 *                           restarts it
 */
public record ScaleInSettings(Duration sustain, Duration cooldown, Duration delayAfterScaleOut,
                              Duration verifyWindow, Duration backoff, Duration settleTimeout, Duration peakWindow,
                              int peakRecurrence, Duration peakAfterReversal, Duration settleReadAfter,
                              Duration newPodGrace) {

    /** The longest {@code peak-window}. */
    public static final Duration MAX_PEAK_WINDOW = Duration.ofDays(1);

    public ScaleInSettings {
        requireNonNull(sustain, "sustain");
        requireNonNull(cooldown, "cooldown");
        requireNonNull(delayAfterScaleOut, "delayAfterScaleOut");
        requireNonNull(verifyWindow, "verifyWindow");
        requireNonNull(backoff, "backoff");
        requireNonNull(settleTimeout, "settleTimeout");
        requireNonNull(peakWindow, "peakWindow");
        requireNonNull(peakAfterReversal, "peakAfterReversal");
        requireNonNull(settleReadAfter, "settleReadAfter");
        requireNonNull(newPodGrace, "newPodGrace");
        Checks checks = new Checks();
        // At most a day: a daemon with forecast off reads this much history at forecast.history-step, and an
        // unbounded 100000d ran its heap out of memory at every refresh (config audit C1); a day is 86,401 points
        // even at the smallest step (1s), within the forecast's own 100,000-point cap. What happened a day or a week
        // ago is the forecast's to weigh, not the peak look-back's.
        checks.that(!peakWindow.isNegative() && peakWindow.compareTo(MAX_PEAK_WINDOW) <= 0, "peak-window",
                "must be a duration in [0s, 1d] (0s: no peak look-back), such as 60m");
        checks.that(peakRecurrence >= 1 && peakRecurrence <= RecentPeaks.BUCKETS, "peak-recurrence",
                "must be in [1, " + RecentPeaks.BUCKETS + "] (spans of peak-window)");
        checks.that(!peakAfterReversal.isNegative(), "peak-after-reversal",
                "must be a duration >= 0 (0s: off), such as 1h");
        checks.that(!settleReadAfter.isNegative() && settleReadAfter.compareTo(Duration.ofHours(1)) <= 0,
                "settle-read-after", "must be a duration in [0s, 1h] (0s: read at once), such as 1m");
        // 0s (off) whatever the sustain, which may be 0s too.
        checks.that(newPodGrace.isZero() || !newPodGrace.isNegative() && newPodGrace.compareTo(sustain) < 0,
                "new-pod-grace", "must be a duration from 0s (off) to less than sustain, such as 1m");
        checks.done();
    }

    /** Settings in which every UNKNOWN restarts the sustain ({@code new-pod-grace = 0s}). */
    public ScaleInSettings(Duration sustain, Duration cooldown, Duration delayAfterScaleOut, Duration verifyWindow,
                           Duration backoff, Duration settleTimeout, Duration peakWindow, int peakRecurrence,
                           Duration peakAfterReversal, Duration settleReadAfter) {
        this(sustain, cooldown, delayAfterScaleOut, verifyWindow, backoff, settleTimeout, peakWindow, peakRecurrence,
                peakAfterReversal, settleReadAfter, Duration.ZERO);
    }

    /** Settings whose settle query is read at once after a step-down ({@code settle-read-after = 0s}). */
    public ScaleInSettings(Duration sustain, Duration cooldown, Duration delayAfterScaleOut, Duration verifyWindow,
                           Duration backoff, Duration settleTimeout, Duration peakWindow, int peakRecurrence,
                           Duration peakAfterReversal) {
        this(sustain, cooldown, delayAfterScaleOut, verifyWindow, backoff, settleTimeout, peakWindow, peakRecurrence,
                peakAfterReversal, Duration.ZERO);
    }

    /** Settings without a peak look-back: step-downs judged on the current value and the average alone. */
    public ScaleInSettings(Duration sustain, Duration cooldown, Duration delayAfterScaleOut, Duration verifyWindow,
                           Duration backoff, Duration settleTimeout) {
        this(sustain, cooldown, delayAfterScaleOut, verifyWindow, backoff, settleTimeout, Duration.ZERO, 1,
                Duration.ZERO);
    }
}
