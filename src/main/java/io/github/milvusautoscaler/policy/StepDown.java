package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.core.Durations.human;
import static io.github.milvusautoscaler.policy.Format.compare;
import static io.github.milvusautoscaler.policy.Format.num;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.LastScale;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaFloor;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.SignalState;
import io.github.milvusautoscaler.core.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Scale in slowly, by exactly one, judged on averages so that a noisy signal can still come down:
 * every signal known for {@code scale-in.sustain}, each one's average over that time LOW (average
 * load / ready < {@code scale-in-below}), no alert firing, the step-down gate open ({@link #gate}),
 * and removing one node must push neither the current value nor the average past the signal's
 * target: projected = max(value, average) x ready / (ready - 1). Example: cpu averaging 0.30 on 3
 * ready and now 0.36 projects to 0.36 x 3/2 = 0.54 <= 0.575, so 3 -> 2; now 0.39 would project to
 * 0.585 and hold, and so would a 0.39 average under a 0.30 value. A signal with a trusted seasonal
 * forecast is sized instead ({@link #forecastSized}): its projection on one node fewer must fit
 * {@code forecast.fill} x scale-out-above (0.36 x 3/2 = 0.54 <= 0.675 steps down; so would 0.44 x 3/2 =
 * 0.66, which the band would hold), and {@link Prescale} holds it when the forecast would not fit.
 * Some signals LOW with others UNKNOWN hold as PARTIAL_DATA: never scale in on partial data.
 *
 * <p>Reasons: SIGNALS_LOW, SUSTAINING_LOW, PARTIAL_DATA, ALERT_BLOCKS_SCALE_IN, AT_MIN,
 * SCALE_IN_WOULD_OVERLOAD, and the gate's SCALE_IN_BACKOFF, SCALE_IN_DELAY_AFTER_SCALE_OUT,
 * SCALE_IN_COOLDOWN, STEP_DOWN_UNVERIFIED, SETTLING, SETTLE_TIMEOUT (the guards' step toward
 * max-replicas passes the same gate). Memory: {@link Steps}.
 */
final class StepDown implements Rule<StepDown.Steps> {

    /**
     * @param averages        the load averages over the current stretch of known signals (its start is
     *                        what {@code scale-in.sustain} is measured from)
     * @param lastStepDown    the last step-down written (the step-down cooldown runs from it); null when none
     * @param settleWaitSince when the current wait for the component to settle began; null when settled
     */
    record Steps(LoadAverages averages, Instant lastStepDown, Instant settleWaitSince) implements Memory {

        Steps {
            java.util.Objects.requireNonNull(averages, "averages");
        }

        @Override
        public Steps retimed(Instant tick, Instant written) {
            return new Steps(averages, Memory.retime(lastStepDown, tick, written), settleWaitSince);
        }
    }

    @Override
    public Stage stage() {
        return Stage.STEP_DOWN;
    }

    @Override
    public Steps initial() {
        return new Steps(LoadAverages.NONE, null, null);
    }

    /**
     * Moves the load averages on (an UNKNOWN signal clears them and restarts the stretch, and so does a rollout in
     * progress), takes a newer step-down from the last-scale annotations, and the earlier settle-wait start from the
     * object's memory, so a daemon that restarts or takes over holds as the one before it would.
     *
     * <p>A rollout replaces every pod: what the signals read meanwhile is a mix of old pods draining, surge pods
     * warming up and, for a queryNode, segments reloading onto the new ones, not the load of the fleet a step-down
     * would shrink. So the stretch restarts at the first tick after the rollout and a step-down waits a whole
     * {@code scale-in.sustain} of the new fleet: on averages carried through it, a queryNode stepped down 5 -> 4 on
     * the first tick after its rollout, while querycoord could still be moving the last old pod's segments (recheck
     * 23). A stalled rollout keeps its averages: its step-downs hold anyway (ROLLOUT_STALLED) and its scale-out
     * reads how fast the load rises from them.
     *
     * <p>A pause restarts the stretch too, so the first step-down after it is lifted waits a whole sustain: a pause
     * is a person's hands on the component (maintenance, a bulk load, a count set by hand), and the minutes it
     * covered are nobody's evidence that one node fewer will do. On averages run through the pause, the first tick
     * after a resume stepped down 3 -> 2, 11 s after it (recheck 47, R5).
     */
    @Override
    public Steps observe(Steps own, Tick before) {
        ScaleInSettings si = before.settings().scaleIn();
        LoadAverages averages = before.status().rollout() || before.status().paused() ? LoadAverages.NONE
                : newPodsOnly(before, own.averages()) != null ? own.averages()
                : own.averages().advance(allKnown(before), before.signals(), before.ready(), before.now(), si.sustain(),
                before.settings().scaleOut().sustain());
        Instant last = own.lastStepDown();
        if (before.status().lastScale().isPresent()) {
            LastScale annotated = before.status().lastScale().get();
            if (annotated.direction() == Direction.DOWN && (last == null || annotated.time().isAfter(last))) {
                last = annotated.time();
            }
        }
        Instant settle = Memory.earlier(own.settleWaitSince(), before.status().memory().settleWaitSince());
        return new Steps(averages, last, settle);
    }

    /**
     * The signals' stretch goes on through this tick, neither averaged nor ended ({@code scale-in.new-pod-grace}),
     * when every UNKNOWN signal is a per-pod one whose value still comes from every replica that was ready at the
     * stretch's last tick, and lacks only replicas that turned ready since: a new pod's first rate needs two scrapes
     * of it, so just after a scale-out's replicas turn ready the cpu reads 1 of 2 pods reporting for a scrape, though
     * no pod that reported has stopped. Ending the stretch there restarted the 15m sustain 4m after every scale-out
     * (19.5m on two nodes where delay-after-scale-out says 15m). Nothing steps down on such a tick (never on partial
     * data), and a gap longer than the grace ends the stretch as any UNKNOWN does. Off by default: DESIGN's rule is
     * that fewer pods reporting than ready starts again what a step-down waits for. Returns the note for the messages
     * of such a tick ("the scale-in sustain goes on: cpu misses only the 1 replica that turned ready within the last
     * 15s ..."), null when the stretch ends.
     */
    static String newPodsOnly(Tick before, LoadAverages averages) {
        Duration grace = before.settings().scaleIn().newPodGrace();
        if (grace.isZero() || averages.since() == null || averages.at() == null || allKnown(before)
                || before.ready() <= averages.ready()
                || Duration.between(averages.at(), before.now()).compareTo(grace) > 0) {
            return null;
        }
        for (Classified c : before.signals()) {
            if (c.known()) {
                continue;
            }
            var s = before.observation().signals().get(c.name());
            if (s == null || !s.isKnown() || s.podsReporting() < averages.ready()
                    || s.podsReporting() >= before.ready()) {
                return null;
            }
        }
        int added = before.ready() - averages.ready();
        long missing = before.signals().stream().filter(c -> !c.known()).count();
        return "the scale-in sustain goes on: " + unknownNames(before) + (missing == 1 ? " misses" : " miss")
                + " only the " + added + " replica"
                + (added == 1 ? "" : "s") + " that turned ready within the last "
                + human(Duration.between(averages.at(), before.now())) + " (a new pod's first rate needs two scrapes;"
                + " new-pod-grace " + human(grace) + ")";
    }

    private static String unknownNames(Tick before) {
        return before.signals().stream().filter(c -> !c.known()).map(Classified::name)
                .collect(Collectors.joining(" and "));
    }

    /** The note of {@link #newPodsOnly} for a tick whose averages the gap kept; empty otherwise. */
    static String bridged(Tick t) {
        LoadAverages a = t.memory(Steps.class).averages();
        if (allKnown(t) || a.at() == null || !a.at().isBefore(t.now())) {
            return "";
        }
        String note = newPodsOnly(t, a);
        return note == null ? "" : "; " + note;
    }

    @Override
    public Optional<Proposal> decide(Tick t) {
        if (!allKnown(t)) {
            if (t.any(SignalState.LOW) && t.any(SignalState.UNKNOWN) && !t.any(SignalState.IN_BAND)) {
                return Proposal.hold(Stage.STEP_DOWN, Reason.PARTIAL_DATA, t, () -> t.component() + " " + lows(t)
                        + " but " + t.signals().stream().filter(c -> !c.known())
                        .map(c -> c.name() + " unknown (" + c.problem() + ")").collect(Collectors.joining(", "))
                        + "; never scaling in on partial data" + bridged(t));
            }
            return Optional.empty();
        }
        int ready = t.ready();
        if (firstNotFitting(t) != null) {
            return Optional.empty();
        }
        int current = t.current();
        if (!t.observation().alerts().isEmpty()) {
            List<String> named = t.observation().alerts().stream().map(ActiveAlert::name).distinct().toList();
            return Proposal.hold(Stage.STEP_DOWN, Reason.ALERT_BLOCKS_SCALE_IN, t, () -> "alert "
                    + t.observation().alerts().stream().map(ActiveAlert::described).distinct()
                    .collect(java.util.stream.Collectors.joining(", ")) + " firing blocks scale-in of " + t.component())
                    .map(p -> p.withAlerts(named));
        }
        if (current <= t.settings().minReplicas()) {
            return Proposal.hold(Stage.STEP_DOWN, Reason.AT_MIN, t, () -> t.component() + " " + averages(t)
                    + " but at min-replicas " + t.settings().minReplicas());
        }
        ScaleInSettings si = t.settings().scaleIn();
        Instant stretch = t.memory(Steps.class).averages().since();
        Instant since = stretch != null ? stretch : t.now();
        if (t.within(since, si.sustain())) {
            java.util.function.Supplier<String> sustaining = () -> t.component() + " " + averages(t) + " over "
                    + human(Duration.between(since, t.now())) + " of " + human(si.sustain()) + " sustain"
                    + Prescale.willHold(t).map(held -> "; " + held).orElse("");
            // The gate a filled sustain would meet is named too, its hold ending the message: after a restart, a
            // target in its cooldown read only "over 0s of 30s sustain", as if it would step down 30 s later (crash
            // recheck 30, R2).
            Optional<Proposal> then = gate(t);
            return then.isEmpty() ? Proposal.hold(Stage.STEP_DOWN, Reason.SUSTAINING_LOW, t, sustaining)
                    : Optional.of(new Proposal(Stage.STEP_DOWN, Reason.SUSTAINING_LOW, t.current(),
                            () -> sustaining.get() + "; then held: " + then.get().message().text()));
        }
        Optional<Proposal> gate = gate(t);
        if (gate.isPresent()) {
            return gate;
        }
        for (Classified c : t.signals()) {
            if (forecastSized(t, c)) {
                continue;
            }
            double value = Math.max(c.v(), average(t, c));
            double projected = value * ready / (ready - 1.0);
            if (projected > c.band().target()) {
                // Sized as if a ready replica went while one is not ready (see gate): say both counts, and with one
                // ready say what the hold guards against rather than "x 1/0 = Infinity" (message audit M2).
                String of = "removing one of " + current + " " + t.component()
                        + (ready < current ? " (" + ready + " ready)" : "");
                return Proposal.hold(Stage.STEP_DOWN, Reason.SCALE_IN_WOULD_OVERLOAD, t, () -> ready <= 1
                        ? of + " could take the only ready one (a StatefulSet removes its highest ordinal whatever its"
                        + " state)"
                        : of + " would put " + c.name() + " at " + num(value) + (value == c.v() ? "" : " (average)")
                        + " x " + ready + "/" + (ready - 1) + " = " + Format.against(projected, "> target", c.band().target()));
            }
        }
        Optional<Proposal> fullest = fullestPodWouldOverflow(t, current, ready);
        if (fullest.isPresent()) {
            return fullest;
        }
        return Optional.of(new Proposal(Stage.STEP_DOWN, Reason.SIGNALS_LOW, current - 1, () -> t.component() + " "
                + averages(t) + " over the last " + human(si.sustain()) + "; " + current + " -> " + (current - 1)
                + ", one node at a time" + (ready < current ? " (" + (current - ready) + " of " + current + " not ready"
                + " for over settle-timeout " + human(si.settleTimeout()) + ", which the ReplicaSet removes first)" : "")
                + RecentPeak.fitNote(t) + t.leftOut()));
    }

    /**
     * Holds a step-down that could push the fullest pod past its memory limit ({@link FullestPod}), with the average
     * beside it: the kernel kills a container past its limit whatever the average.
     */
    private static Optional<Proposal> fullestPodWouldOverflow(Tick t, int current, int ready) {
        for (Classified c : t.signals()) {
            if (!c.known()) {
                continue;
            }
            Optional<FullestPod.Overflow> overflow = FullestPod.afterStepDown(c.band(),
                    t.observation().signals().get(c.name()), ready);
            if (overflow.isPresent()) {
                return Proposal.hold(Stage.STEP_DOWN, Reason.SCALE_IN_WOULD_OVERLOAD, t, () -> "removing one of "
                        + current + " " + t.component() + " could put " + overflow.get().text() + " (the kernel kills"
                        + " a container past its memory limit, whatever the average: " + c.name() + " "
                        + num(c.v()) + " now)");
            }
        }
        return Optional.empty();
    }

    /**
     * Why no step-down is even considered at this tick, for {@link InBand}'s message: the first signal that is
     * UNKNOWN, or whose average (or, forecast-sized, whose load on one node fewer) does not fit. "cpu averages
     * 0.45 >= 0.40 (scale-in-below)"; empty when every signal fits (another rule then says why it holds).
     */
    static Optional<String> whyNotLow(Tick t) {
        for (Classified c : t.signals()) {
            if (!c.known()) {
                return Optional.of(c.name() + " is unknown (never on partial data)" + bridged(t));
            }
        }
        Classified c = firstNotFitting(t);
        if (c == null) {
            return Optional.empty();
        }
        if (forecastSized(t, c)) {
            double projected = projected(t, c);
            double value = Math.max(c.v(), average(t, c));
            return Optional.of(c.name() + " on one node fewer would run at " + num(value)
                    + (value == c.v() ? "" : " (average)") + " x " + t.ready() + "/" + (t.ready() - 1)
                    + " = " + Format.against(projected, ">", t.fillLine(c)) + " (fill "
                    + num(t.settings().forecast().fill()) + " x " + Format.level(c.band().scaleOutAbove())
                    + ", forecast trusted)");
        }
        double average = average(t, c);
        // With replicas not ready the average is the load over the sustain on those that are: "cpu averages 1.48"
        // on 1 ready of 3 read as an average of values that were all 0.50-0.58 (recheck 59, F2).
        return Optional.of(Double.isNaN(average) ? c.name() + " has no average yet"
                : c.name() + " averages " + Format.against(average, ">=", c.band().scaleInBelow())
                + " (scale-in-below" + (t.ready() < t.current() ? "; its load over the sustain on the " + t.ready()
                + " ready of " + t.current() : "") + ")");
    }

    /**
     * The first signal (all known) that does not fit a step-down: forecast-sized, its load on one node fewer above
     * the fill line; otherwise its average not below scale-in-below (NaN, not averaged yet, never fits). Null when
     * every signal fits. The one check both {@link #decide} and {@link #whyNotLow} read.
     */
    private static Classified firstNotFitting(Tick t) {
        for (Classified c : t.signals()) {
            boolean fits = forecastSized(t, c) ? projected(t, c) <= t.fillLine(c)
                    : average(t, c) < c.band().scaleInBelow();
            if (!fits) {
                return c;
            }
        }
        return null;
    }

    /**
     * True when this rule would remove a node at this tick (SIGNALS_LOW): the rules before it that only
     * hold a step-down ({@link RecentPeak}, {@link Prescale}) ask this first, so
     * they never stand in for another hold or for "in band".
     */
    static boolean wouldStepDown(Tick t) {
        Optional<Proposal> p = new StepDown().decide(t);
        return p.isPresent() && p.get().reason() == Reason.SIGNALS_LOW;
    }

    /**
     * True when the signals fit one node fewer: this rule would remove a node at this tick or is sustaining toward
     * it (SUSTAINING_LOW). A scheduled floor asks this, so its hold shows from the first low tick: a sustain counted
     * down inside a floor window promised a step-down the floor never allows (backtest recheck F3).
     */
    static boolean signalsFitOneFewer(Tick t) {
        Optional<Proposal> p = new StepDown().decide(t);
        return p.isPresent() && (p.get().reason() == Reason.SIGNALS_LOW || p.get().reason() == Reason.SUSTAINING_LOW);
    }

    /**
     * The settle wait starts on the first tick a step-down waits for the component to settle (SETTLING: after a
     * step-down, once its cooldown is over) and ends when it has settled, or at the next step-down's write
     * ({@link #written}). Not on any unsettled tick: a settle query
     * unreadable while Prometheus was away started a wait on every queryNode that had no step-down to hold, its start
     * and end written to each Deployment, 50 writes for one 20 s outage of a 25-cluster fleet (recheck 105, F2). A
     * rollout in progress holds every decision and has none: its draining and surging pods are unsettled by design,
     * and a wait started there showed a settle timeout counting down during an operator hand-over the daemon had not
     * caused, its start and end written to the Milvus object the operator was updating, up to 11 times (recheck 34,
     * R1).
     */
    @Override
    public Steps decided(Steps own, Tick t, Proposal settled) {
        boolean waiting = own.settleWaitSince() != null || settled.reason() == Reason.SETTLING;
        Instant since = settled(t) || t.status().rollout() || !waiting ? null
                : own.settleWaitSince() != null ? own.settleWaitSince() : t.now();
        return since == own.settleWaitSince() ? own : new Steps(own.averages(), own.lastStepDown(), since);
    }

    /**
     * A written step-down (this rule's or the guards' toward max) starts the cooldown and ends the settle wait before
     * it; the next starts when the next step-down waits on the moves this one causes.
     */
    @Override
    public Steps written(Steps own, Tick t, Proposal settled) {
        if (settled.reason().action() != Action.SCALE_IN) {
            return own;
        }
        return new Steps(own.averages(), t.now(), null);
    }

    /**
     * A step-down that would go below the replica floor ({@link ReplicaFloor}), or one while that floor cannot be
     * read: for queryNode, 2 replicas of a collection loaded on 2 nodes hold the step to 1, which would leave one
     * replica with no node to serve it. Empty when the target has no floor query or the step keeps the floor.
     */
    static Optional<Proposal> replicaFloor(Tick t) {
        ReplicaFloor floor = t.observation().replicaFloor();
        int to = t.current() - 1;
        if (floor.known() && to >= floor.nodes()) {
            return Optional.empty();
        }
        return Proposal.hold(Stage.STEP_DOWN, Reason.REPLICA_FLOOR, t, () -> !floor.known()
                ? t.component() + " replica floor unknown (" + floor.note() + "); no step-down past a floor that"
                + " cannot be read"
                : t.observation().target().component() == Component.QUERY_NODE && floor.nodes() > t.current()
                // Above the count running, the floor is no need a serving Milvus has: querycoord counts a loading
                // collection's replicas before the collection, or is recounting after a restart; or a replica has
                // lost its node (recheck 62, F3: "need 5" on 4 serving sent the reader to add nodes).
                ? floor.note() + ", above the " + t.current() + " queryNodes running: querycoord is still counting a"
                + " collection it loads (or, after a restart, each it recovers), or a replica has no node; no"
                + " step-down " + t.stepDown()
                : t.observation().target().component() == Component.QUERY_NODE
                ? "the loaded in-memory replicas need " + floor.nodes() + " queryNodes or more ("
                + floor.note() + "; Milvus serves each replica of a collection from nodes of its own); no step-down "
                + t.stepDown()
                : t.component() + " replica floor " + floor.nodes() + " (" + floor.note() + "); no step-down "
                + t.stepDown());
    }

    /**
     * The gate every step-down passes: a stalled rollout, back-off after a roll-back, the delay after a scale-out, the
     * cooldown between step-downs, a verify window that ended unread, and settling (every replica
     * ready and the settle query quiet); a wait longer than {@code scale-in.settle-timeout} still
     * holds, as SETTLE_TIMEOUT. Empty when the gate is open.
     */
    static Optional<Proposal> gate(Tick t) {
        ScaleInSettings si = t.settings().scaleIn();
        Steps steps = t.memory(Steps.class);
        // First: a floor outlasts every wait below, and a cooldown's "2m left" read as a step-down 2 minutes on.
        Optional<Proposal> floor = replicaFloor(t);
        if (floor.isPresent()) {
            return floor;
        }
        Instant backoffUntil = VerifyStepDown.backoffUntil(t.memory(VerifyStepDown.Verification.class), si);
        Instant lastOut = t.memory(ScaleOut.Timers.class).lastScaleOut();
        if (t.status().rolloutStalled().isPresent()) {
            return Proposal.hold(Stage.STEP_DOWN, Reason.ROLLOUT_STALLED, t, () -> t.component() + ": "
                    + t.status().rolloutStalled().get() + "; no step-down until it progresses, is resumed or is rolled"
                    + " back (kubectl rollout undo); scale-out still acts");
        }
        if (backoffUntil != null && t.before(backoffUntil)) {
            return Proposal.hold(Stage.STEP_DOWN, Reason.SCALE_IN_BACKOFF, t, () -> t.component()
                    + " scale-in backed off for " + human(Duration.between(t.now(), backoffUntil))
                    + " more after a rolled-back step-down");
        }
        if (t.within(lastOut, si.delayAfterScaleOut())) {
            return Proposal.hold(Stage.STEP_DOWN, Reason.SCALE_IN_DELAY_AFTER_SCALE_OUT, t, () -> t.component()
                    + " scaled out " + human(Duration.between(lastOut, t.now())) + " ago; no step-down for "
                    + human(t.left(lastOut, si.delayAfterScaleOut())) + " more");
        }
        OutsideMoves outside = t.memory(ScaleOut.Timers.class).outside();
        OutsideMoves.Move rise = outside.rise();
        if (t.within(rise.at(), si.delayAfterScaleOut())) {
            return Proposal.hold(Stage.STEP_DOWN, Reason.SCALE_IN_DELAY_AFTER_SCALE_OUT, t, () -> t.component()
                    + " " + rise.said("raised", t.now()) + ", which delay-after-scale-out counts as a scale-out; no"
                    + " step-down for "
                    + human(t.left(rise.at(), si.delayAfterScaleOut())) + " more (milvus-autoscaler pause holds a"
                    + " count for good)");
        }
        if (t.within(steps.lastStepDown(), si.cooldown())) {
            return Proposal.hold(Stage.STEP_DOWN, Reason.SCALE_IN_COOLDOWN, t, () -> t.component() + " stepped down "
                    + human(Duration.between(steps.lastStepDown(), t.now())) + " ago; scale-in cooldown "
                    + human(t.left(steps.lastStepDown(), si.cooldown())) + " left of " + human(si.cooldown()));
        }
        OutsideMoves.Move fall = outside.fall();
        if (t.within(fall.at(), si.cooldown())) {
            return Proposal.hold(Stage.STEP_DOWN, Reason.SCALE_IN_COOLDOWN, t, () -> t.component()
                    + " " + fall.said("lowered", t.now()) + ", which the scale-in cooldown counts as a step-down: one"
                    + " node at a time;"
                    + " scale-in cooldown " + human(t.left(fall.at(), si.cooldown())) + " left of "
                    + human(si.cooldown()));
        }
        if (VerifyStepDown.endedUnread(t)) {
            return Proposal.hold(Stage.STEP_DOWN, Reason.STEP_DOWN_UNVERIFIED, t, () -> t.component()
                    + " last step-down not verified: its " + human(si.verifyWindow())
                    + " verify window ended and the health query cannot be read since");
        }
        if (t.within(steps.lastStepDown(), si.settleReadAfter())) {
            return Proposal.hold(Stage.STEP_DOWN, Reason.SETTLING, t, () -> t.component() + " stepped down "
                    + human(Duration.between(steps.lastStepDown(), t.now())) + " ago; Prometheus shows the step only"
                    + " once it has scraped the cluster again, so settle is read from " + human(si.settleReadAfter())
                    + " after the step on (settle-read-after)");
        }
        if (!settled(t)) {
            Instant since = steps.settleWaitSince() != null ? steps.settleWaitSince() : t.now();
            // Where to look only when nothing was read: a stale input or a failed query names its own cause, and the
            // querycoord hint sent an SRE to a component that was scraped fine (real-install recheck 10, F2).
            String note = t.observation().settleNote();
            boolean unread = t.observation().settle() == Settle.UNKNOWN
                    && (note.isEmpty() || note.endsWith("empty result"));
            String what = t.component() + " not settled (" + t.ready() + " of " + t.current() + " ready, data movement "
                    + t.observation().settle().name().toLowerCase(Locale.ROOT)
                    + (t.observation().settleNote().isEmpty() ? "" : ", " + t.observation().settleNote()) + ")";
            if (t.within(since, si.settleTimeout())) {
                // The wait counts from the first tick that read the step unsettled, which comes settle-read-after
                // and a scrape after the write: say how long ago the step was too (settle recheck L2).
                Instant step = steps.lastStepDown();
                String ago = step != null && step.isBefore(since) && t.within(step, si.settleTimeout())
                        ? " (stepped down " + human(Duration.between(step, t.now())) + " ago)" : "";
                return Proposal.hold(Stage.STEP_DOWN, Reason.SETTLING, t, () -> what + " for "
                        + human(Duration.between(since, t.now())) + " of " + human(si.settleTimeout()) + ago
                        + (unread ? "; " + SETTLE_UNREAD : ""));
            }
            // A replica not ready for the whole settle timeout while no data moves (a pod no node or ResourceQuota
            // lets start, one in a crash loop) is not about to serve, and holding every step-down for it would keep
            // the component at its peak size for good. A Deployment's ReplicaSet deletes unscheduled, pending and
            // not-ready pods first (kubernetes pkg/controller/replicaset, getPodsToDelete), so the step usually
            // removes that one and no serving capacity; the load check still sizes it as if a ready one went
            // (x ready / (ready - 1)), which also covers a StatefulSet, whose highest ordinal goes whatever its state.
            if (t.ready() < t.current() && t.observation().settle() == Settle.QUIET) {
                return Optional.empty();
            }
            // Past the timeout the hold stays: the settle facts are read live (a querycoord node count, a
            // stopping node's gauge, move counts that still change), so BUSY means data really moves and
            // UNKNOWN means it cannot be seen; neither is a reason to remove another node.
            return Proposal.hold(Stage.STEP_DOWN, Reason.SETTLE_TIMEOUT, t, () -> what + " for "
                    + human(Duration.between(since, t.now())) + ", settle-timeout " + human(si.settleTimeout()) + " reached"
                    + "; " + (unread ? SETTLE_UNREAD : "check stopping balance and querycoord tasks"));
        }
        return Optional.empty();
    }

    /**
     * True when {@code c} has a trusted seasonal forecast (forecasting on, the signal repeats by the day and
     * week, see {@link SeasonalForecast}) and more than one replica serves: its step-down is then sized to
     * {@code forecast.fill} of the line ({@link Tick#fillLine}) rather than gated by {@code scale-in-below}, and
     * {@link Prescale} holds one that the forecast within {@code forecast.horizon} would not fit. Why: the
     * band's gap (0.40 to 0.75) is headroom for a rise nobody saw coming; a rise the last day and week both
     * saw is met by pre-scaling instead, so holding 0.40 would keep a node idle all through a plateau.
     */
    static boolean forecastSized(Tick t, Classified c) {
        return t.ready() > 1 && t.horizonLoad(c).isPresent();
    }

    /** The value on one node fewer: max(value, average) x ready / (ready - 1); 0.50 on 4 ready gives 0.667. */
    private static double projected(Tick t, Classified c) {
        return Math.max(c.v(), average(t, c)) * t.ready() / (t.ready() - 1.0);
    }

    /**
     * Why a settle query reads nothing, for the hold it causes: the usual cause is a series the default query needs
     * that Prometheus does not have (querycoord's node count from mixcoord or querycoord, or kube-state-metrics'
     * spec.replicas), which only {@code doctor} can name, where "check stopping balance" sent the SRE to Milvus.
     */
    static final String SETTLE_UNREAD = "the settle query reads nothing (is querycoord, in mixcoord, scraped, and"
            + " kube-state-metrics' spec.replicas?); doctor --config FILE names the missing link";

    /** Every replica ready and no data moving; an UNKNOWN settle query counts as moving. */
    static boolean settled(Tick t) {
        return t.ready() >= t.current() && t.observation().settle() == Settle.QUIET;
    }

    /** A signal's average over about the last scale-in sustain, per ready replica; NaN when not averaged. */
    static double average(Tick t, Classified c) {
        return t.memory(Steps.class).averages().longTerm(c.name()) / Math.max(1, t.ready());
    }

    private static boolean allKnown(Tick t) {
        for (Classified c : t.signals()) {
            if (!c.known()) {
                return false;
            }
        }
        return !t.signals().isEmpty();
    }

    private static String averages(Tick t) {
        StringBuilder b = new StringBuilder(80);
        for (Classified c : t.signals()) {
            b.append(b.length() == 0 ? "" : ", ").append(c.name());
            if (forecastSized(t, c)) {
                double value = Math.max(c.v(), average(t, c));
                b.append(' ').append(num(value)).append(value == c.v() ? "" : " (average)").append(" x ")
                        .append(t.ready()).append('/').append(t.ready() - 1).append(" = ")
                        .append(Format.against(projected(t, c), "<=", t.fillLine(c))).append(" (fill ")
                        .append(num(t.settings().forecast().fill())).append(" x ").append(num(c.band().scaleOutAbove()))
                        .append(", forecast trusted)");
            } else {
                b.append(" averaging ").append(Format.against(average(t, c), "<", c.band().scaleInBelow())).append(" (now ")
                        .append(num(c.v())).append(')');
            }
        }
        return b.toString();
    }

    private static String lows(Tick t) {
        return t.signals().stream().filter(c -> c.state() == SignalState.LOW)
                .map(c -> c.name() + " " + compare(c.v(), "<", c.band().scaleInBelow()))
                .collect(Collectors.joining(", "));
    }
}
