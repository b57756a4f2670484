package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.core.Durations.human;
import static io.github.milvusautoscaler.policy.Format.num;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.ContainerResource;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ScaleMemory;
import io.github.milvusautoscaler.core.Stage;
import io.github.milvusautoscaler.core.TemplateResources;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

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
 * <p>After a step-down to one replica was reversed (a scale-out written within {@value #REVERSAL_MINUTES}
 * minutes of it, by any rule), the step to one replica must fit the highest load of the look-back instead, for
 * {@code scale-in.peak-after-reversal} (1h): one replica has no peer to absorb a burst, and a reversal says the
 * bursts are back. Example: at 10:00 2 -> 1, at 10:08 1 -> 2 (a burst); at 10:40 the load reached 1.3 nodes
 * once in the last 120m and 0.5 in five spans: 2 -> 1 holds until 11:08 (1.3 / 1 > 0.75), then the recurring
 * 0.5 decides again. Measured on elb_request_count (README, "Peaks, seasons and scheduled floors"), where
 * half of the overload fell on one replica: overload 33,694 s -> 29,096 s, actions 1,061 -> 997, reversals
 * 158 -> 138, for 1.0% more node-seconds (1.440x -> 1.454x the zero-hot bound); 30m and 2h gave 33,197 s and
 * 26,325 s for 1.446x and 1.467x. Holding every step-down after any reversal instead cost 1.46x to 1.53x in
 * experiments. The peaks are not kept on the scaled object; a daemon that restarts or takes over fills the spans
 * before its start from the load history the forecast reads (Prometheus, at 5m points), so it judges its first
 * step-downs on the peaks the one before it saw ({@link #recalled}); without a history it has seen fewer spans than
 * the recurrence for its first 80 minutes and judges every step-down on the highest load it has seen. What the
 * history cannot tell is that a step-down was reversed, so the step-down to one replica and its reversal are kept
 * (annotations
 * {@code stepped-to-one-at}, {@code to-one-reversed-at}), and a daemon that learns of a reversal from them
 * holds the step to one replica for the rest of the hold: at 10:08 1 -> 2 reverses, at 10:20 a new leader
 * takes over; it holds 2 -> 1 until 11:08, where judged on its own peaks it could have stepped down at 10:35.
 *
 * <p>cpu and memory are fractions of the pod template's CPU request and memory limit, so the peaks kept are in the
 * units of the template they were read under: when the status says the template changed (a {@code helm upgrade} with
 * new resources), that signal's peaks are multiplied by old/new ({@link Resize}). 2.10 nodes of memory under 4Gi is
 * 8.4 GiB, 1.05 nodes of 8Gi: read in the old units it held 3 -> 2 after a raise (recheck 65, F3).
 *
 * <p>Reasons: PEAK_WOULD_OVERLOAD. Memory: {@link Peaks}.
 */
final class RecentPeak implements Rule<RecentPeak.Peaks> {

    /**
     * A scale-out this soon after a step-down to one replica reverses it: as long as the defaults took to judge
     * the step-down safe (the scale-in sustain, 10m, and the verify window, 5m).
     */
    static final int REVERSAL_MINUTES = 15;
    private static final Duration REVERSAL = Duration.ofMinutes(REVERSAL_MINUTES);

    /**
     * @param peaks          per signal, the highest load in each span of the look-back
     * @param toOneAt        the last step-down to one replica written; null when none
     * @param reversedAt     when the last step-down to one replica was reversed; null when none was
     * @param reversalUnseen the reversal was read from the scaled object's annotations, not seen by this daemon:
     *                       its peaks lack the load that reversed it
     * @param watchingSince  this daemon's first tick of the target; null before it
     * @param ready          the ready replicas of the last tick; 0 before the first
     * @param readyChangedAt when the ready count last changed; null when it has not since this daemon watched
     * @param resources      what the pod template declared at the last tick that said, per resource
     * @param resized        the last change of a declared resource, whose signal's peaks were put in the new units;
     *                       null when none was seen
     */
    record Peaks(RecentPeaks peaks, Instant toOneAt, Instant reversedAt, boolean reversalUnseen,
                 Instant watchingSince, int ready, Instant readyChangedAt, TemplateResources resources,
                 Resize resized) implements Memory {

        Peaks {
            Objects.requireNonNull(peaks, "peaks");
            Objects.requireNonNull(resources, "resources");
        }

        /** Peaks whose template has not been read. */
        Peaks(RecentPeaks peaks, Instant toOneAt, Instant reversedAt, boolean reversalUnseen,
              Instant watchingSince, int ready, Instant readyChangedAt) {
            this(peaks, toOneAt, reversedAt, reversalUnseen, watchingSince, ready, readyChangedAt,
                    TemplateResources.UNKNOWN, null);
        }

        /** Peaks that have not seen the ready count yet. */
        Peaks(RecentPeaks peaks, Instant toOneAt, Instant reversedAt, boolean reversalUnseen, Instant watchingSince) {
            this(peaks, toOneAt, reversedAt, reversalUnseen, watchingSince, 0, null);
        }

        /** Peaks with a step-down to one replica and its reversal seen by this daemon, watched since the start. */
        Peaks(RecentPeaks peaks, Instant toOneAt, Instant reversedAt) {
            this(peaks, toOneAt, reversedAt, false, null);
        }

        /** Peaks without a step-down to one replica remembered. */
        Peaks(RecentPeaks peaks) {
            this(peaks, null, null);
        }

        @Override
        public Peaks retimed(Instant tick, Instant written) {
            return new Peaks(peaks, Memory.retime(toOneAt, tick, written), Memory.retime(reversedAt, tick, written),
                    reversalUnseen, watchingSince, ready, readyChangedAt, resources,
                    resized == null ? null : resized.retimed(tick, written));
        }
    }

    /**
     * A change of what one pod declares of a resource, from the pod template: {@code from} and {@code to} per pod
     * (cores or bytes), seen at {@code at}; the signal's peaks before it were multiplied by {@code from / to}.
     */
    record Resize(ContainerResource resource, double from, double to, Instant at) {

        Resize {
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(at, "at");
        }

        Resize retimed(Instant tick, Instant written) {
            return new Resize(resource, from, to, Memory.retime(at, tick, written));
        }

        /** "memory peaks before the memory limit went 4Gi -> 8Gi per pod at 2026-12-07T10:02:00Z counted x 0.50". */
        String text() {
            return resource.signal() + " peaks before the " + resource.what() + " went "
                    + TemplateResources.show(resource, from) + " -> " + TemplateResources.show(resource, to)
                    + " per pod at " + at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " counted x " + num(from / to);
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

    /**
     * Adds this tick's known loads to their span (an UNKNOWN value neither adds nor lowers a peak), and takes a
     * later step-down to one replica, or its reversal, from the object's annotations: a daemon that restarts or
     * takes over keeps the reversal hold the one before it began (the peaks themselves start again empty).
     */
    @Override
    public Peaks observe(Peaks own, Tick before) {
        Duration window = before.settings().scaleIn().peakWindow();
        Instant watching = own.watchingSince() != null ? own.watchingSince() : before.now();
        // A cluster signal divided per replica in its query (qps over kube-state-metrics' ready count) is converted
        // back to load with the API's ready count, which moves a scrape of kube-state-metrics sooner: for that long
        // after a change its load reads as the two counts' ratio (recheck 10: qps of 400/s on 2 ready read as a
        // "peak load 800" on 4). Its loads skip the peaks until settle-read-after, kube-state-metrics' lag, has passed.
        Instant readyChangedAt = own.ready() != 0 && own.ready() != before.ready() ? before.now() : own.readyChangedAt();
        boolean countsSettling = readyChangedAt != null
                && before.now().isBefore(readyChangedAt.plus(before.settings().scaleIn().settleReadAfter()));
        java.util.Set<String> skipped = countsSettling ? clusterSignals(before) : java.util.Set.of();
        // A changed request or limit changes what the loads kept were fractions of: put them in the new units before
        // this tick's load, read under the new template, joins them.
        TemplateResources declared = before.status().resources().orElse(own.resources());
        RecentPeaks kept = own.peaks();
        Resize resized = own.resized();
        for (ContainerResource r : ContainerResource.values()) {
            OptionalDouble was = own.resources().of(r);
            OptionalDouble now = declared.of(r);
            if (was.isPresent() && now.isPresent() && was.getAsDouble() != now.getAsDouble()) {
                kept = kept.rescaled(r.signal(), was.getAsDouble() / now.getAsDouble());
                resized = new Resize(r, was.getAsDouble(), now.getAsDouble(), before.now());
            }
        }
        RecentPeaks next = recalled(kept.next(before.signals(), before.ready(), before.now(), window, skipped),
                before.observation().forecast().history(), watching, before.now(), window);
        ScaleMemory onObject = before.status().memory();
        Instant reversedAt = Memory.later(own.reversedAt(), onObject.toOneReversedAt());
        Instant toOneAt = Memory.later(own.toOneAt(), onObject.steppedToOneAt());
        if (toOneAt != null && reversedAt != null && !toOneAt.isAfter(reversedAt)) {
            toOneAt = null; // that step-down is the one reversed
        }
        // A reversal this daemon did not write is one it has not seen; its own reversals are written, so they are
        // on the object too, at the time this memory has.
        boolean unseen = reversedAt != null && (!reversedAt.equals(own.reversedAt()) || own.reversalUnseen());
        if (next.equals(own.peaks()) && Objects.equals(toOneAt, own.toOneAt())
                && Objects.equals(reversedAt, own.reversedAt()) && unseen == own.reversalUnseen()
                && watching.equals(own.watchingSince()) && own.ready() == before.ready()
                && Objects.equals(readyChangedAt, own.readyChangedAt()) && declared.equals(own.resources())
                && Objects.equals(resized, own.resized())) {
            return own;
        }
        return new Peaks(next, toOneAt, reversedAt, unseen, watching, before.ready(), readyChangedAt, declared, resized);
    }

    /** The known signals of {@code t} read cluster-wide (no pod count), whose load the ready count converts. */
    private static java.util.Set<String> clusterSignals(Tick t) {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Classified c : t.signals()) {
            var s = t.observation().signals().get(c.name());
            if (s != null && s.podsReporting() == 0) {
                names.add(c.name());
            }
        }
        return names;
    }

    /**
     * {@code peaks} with the spans of the window before this daemon began watching filled from the load history,
     * as far as it has them: a daemon that restarts or takes over judges its first step-downs on the peaks the one
     * before it saw, as Prometheus recorded them, rather than on the minutes it has watched itself. Example, window
     * 120m (20m spans), started at 10:00, at 10:15: the spans 08:20-08:40 to 09:40-10:00 take the history's highest
     * load in each (5m points, so a lower bound of what the old daemon saw every 15 s); 10:00 on is its own. Once
     * the window has moved past its start (10:00 + 120m) there is nothing to recall, and in the simulator, whose
     * history starts with the run, never anything.
     */
    private static RecentPeaks recalled(RecentPeaks peaks, LoadHistory history, Instant watching, Instant now,
                                        Duration window) {
        if (history.signals().isEmpty() || window.isZero() || !watching.isAfter(now.minus(window))) {
            return peaks;
        }
        long span = peaks.span().toMillis();
        long first = Math.floorDiv(now.minus(window).toEpochMilli(), span) + 1;
        long last = Math.floorDiv(watching.toEpochMilli() - 1, span);
        RecentPeaks out = peaks;
        for (String signal : history.signals()) {
            for (long b = first; b <= last; b++) {
                Instant from = Instant.ofEpochMilli(b * span);
                Instant to = Instant.ofEpochMilli(Math.min((b + 1) * span, watching.toEpochMilli()) - 1);
                OptionalDouble max = history.max(signal, from, to);
                if (max.isPresent()) {
                    out = out.recalled(signal, from, max.getAsDouble());
                }
            }
        }
        return out;
    }

    @Override
    public Optional<Proposal> decide(Tick t) {
        ScaleInSettings si = t.settings().scaleIn();
        if (si.peakWindow().isZero() || !StepDown.wouldStepDown(t)) {
            return Optional.empty();
        }
        int ready = t.ready();
        Peaks memory = t.memory(Peaks.class);
        boolean afterReversal = afterReversal(t, memory);
        if (afterReversal && memory.reversalUnseen()) {
            return Proposal.hold(Stage.RECENT_PEAK, Reason.PEAK_WOULD_OVERLOAD, t, () -> t.component()
                    + " the last step-down to one replica was reversed " + human(Duration.between(memory.reversedAt(),
                    t.now())) + " ago, before this daemon took over (scaled object's annotation): the load that"
                    + " reversed it is not in its peaks; no step-down 2 -> 1 for " + human(t.left(memory.reversedAt(),
                    si.peakAfterReversal())) + " more (peak-after-reversal " + human(si.peakAfterReversal()) + ")");
        }
        int recurrence = afterReversal ? 1 : si.peakRecurrence();
        for (Classified c : t.signals()) {
            double peak = memory.peaks().peak(c.name(), recurrence);
            if (Double.isNaN(peak)) {
                continue;
            }
            double projected = peak / (ready - 1.0);
            if (projected > c.line()) {
                return Proposal.hold(Stage.RECENT_PEAK, Reason.PEAK_WOULD_OVERLOAD, t, () -> t.component() + " "
                        + c.name() + " peak load " + num(peak) + " (value x ready, "
                        + which(t, afterReversal ? memory.reversedAt() : null, recurrence,
                        memory.peaks().spansSeen(c.name())) + ") would put "
                        + (ready - 1) + t.readyNote() + " at " + num(peak) + "/" + (ready - 1) + " = "
                        + Format.against(projected, ">", c.line()) + t.lineNote(c) + resizeNote(t, memory, c.name())
                        + "; no step-down " + t.stepDown());
            }
        }
        return Optional.empty();
    }

    /**
     * For a step-down's message, how each signal's recent peak fits one node fewer: "; recent peaks fit: cpu 1.40/2 =
     * 0.70 <= 0.75, qps 296/2 = 148 <= 150 (reached in 5 of the last 6 20m spans)". A peak that held the step a tick
     * before can fit the next (a span rotated out of the window), and the step then read as the very step-down refused
     * 15 s earlier, with nothing to say why (recheck 60, F4). Empty with no peak window, or no peak seen.
     */
    static String fitNote(Tick t) {
        ScaleInSettings si = t.settings().scaleIn();
        int ready = t.ready();
        if (si.peakWindow().isZero() || ready < 2) {
            return "";
        }
        Peaks memory = t.memory(Peaks.class);
        boolean afterReversal = afterReversal(t, memory);
        int recurrence = afterReversal ? 1 : si.peakRecurrence();
        java.util.List<String> fits = new java.util.ArrayList<>();
        int seen = Integer.MAX_VALUE;
        for (Classified c : t.signals()) {
            double peak = memory.peaks().peak(c.name(), recurrence);
            if (!Double.isNaN(peak)) {
                fits.add(c.name() + " " + num(peak) + "/" + (ready - 1) + " = "
                        + Format.against(peak / (ready - 1.0), "<=", c.line()));
                seen = Math.min(seen, memory.peaks().spansSeen(c.name()));
            }
        }
        if (fits.isEmpty()) {
            return "";
        }
        String resized = memory.resized() == null ? "" : resizeNote(t, memory, memory.resized().resource().signal());
        return "; recent peak" + (fits.size() == 1 ? " fits: " : "s fit: ") + String.join(", ", fits) + " ("
                + which(t, afterReversal ? memory.reversedAt() : null, recurrence, seen) + ")" + resized;
    }

    /**
     * " (memory peaks before the memory limit went 4Gi -> 8Gi per pod at 2026-12-07T10:02:00Z counted x 0.50)" while the peaks
     * judged may hold loads read before that change of {@code signal}'s resource (within the peak window); else "".
     */
    private static String resizeNote(Tick t, Peaks memory, String signal) {
        Resize r = memory.resized();
        return r == null || !r.resource().signal().equals(signal)
                || !t.within(r.at(), t.settings().scaleIn().peakWindow()) ? "" : " (" + r.text() + ")";
    }

    /** The step to one replica within {@code scale-in.peak-after-reversal} of a reversed one: judged on the highest. */
    private static boolean afterReversal(Tick t, Peaks memory) {
        return t.current() == 2 && t.within(memory.reversedAt(), t.settings().scaleIn().peakAfterReversal());
    }

    /**
     * Which peak was judged, for the message: "the highest of the last 2h: the last step-down to one replica was
     * reversed 22m ago", "reached in the last 2h", "reached in 5 of the last 6 20m spans", or, with fewer spans
     * seen than that (a start, a restart, a gap), "the highest of the 2 20m spans seen, fewer than peak-recurrence
     * 5": a one-off then holds as the highest seen, which the message must not call a recurrence (message audit H2).
     */
    private static String which(Tick t, Instant reversedAt, int recurrence, int seen) {
        Duration window = t.settings().scaleIn().peakWindow();
        if (reversedAt != null) {
            return "the highest of the last " + human(window) + ": the last step-down to one replica was reversed "
                    + human(Duration.between(reversedAt, t.now())) + " ago";
        }
        String span = human(window.dividedBy(RecentPeaks.BUCKETS));
        if (recurrence > 1 && seen < recurrence) {
            return "the highest of the " + seen + " " + span + " span" + (seen == 1 ? "" : "s") + " seen, fewer than"
                    + " peak-recurrence " + recurrence;
        }
        return recurrence == 1 ? "reached in the last " + human(window) : "reached in " + recurrence + " of the last "
                + RecentPeaks.BUCKETS + " " + span + " spans";
    }

    /**
     * A written step-down to one replica is remembered; a scale-out written within {@value #REVERSAL_MINUTES}
     * minutes of it (a roll-back, a burst, an alert) reverses it.
     */
    @Override
    public Peaks written(Peaks own, Tick t, Proposal settled) {
        Action action = settled.reason().action();
        if (action == Action.SCALE_IN && settled.to() == 1) {
            return new Peaks(own.peaks(), t.now(), own.reversedAt(), own.reversalUnseen(), own.watchingSince(),
                    own.ready(), own.readyChangedAt(), own.resources(), own.resized());
        }
        if (action == Action.SCALE_OUT && t.within(own.toOneAt(), REVERSAL)) {
            return new Peaks(own.peaks(), null, t.now(), false, own.watchingSince(), own.ready(),
                    own.readyChangedAt(), own.resources(), own.resized());
        }
        return own;
    }
}
