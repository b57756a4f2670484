package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Format.compare;
import static io.github.milvusautoscaler.policy.Format.dur;
import static io.github.milvusautoscaler.policy.Format.num;

import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.LastScale;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.SignalState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The named stages of the decision pipeline, each a small pure function of a {@link Tick}.
 *
 * <p>A stage returns a {@link Proposal} when it settles the decision, or empty to pass the tick on.
 * The order is the policy contract's: guards, verification of the last step-down, alerts, missing
 * data, scale-out, scale-in, then "in band". Limits (budget, clamp) are applied last by
 * {@link Policy}.
 */
final class Stages {

    /** Below this a ceil() result is treated as exact: ceil(3 x 0.575/0.575) must be 3, not 4. */
    private static final double EPSILON = 1e-9;

    private Stages() {
    }

    // ---- preparation (contract steps 2 and 3) ----

    /**
     * Classifies every configured signal (contract step 2): HIGH above {@code scale-out-above},
     * LOW below {@code scale-in-below}, IN_BAND between, UNKNOWN when there is no value or when
     * fewer pods report than are ready (2 of 3 pods reporting would hide the third's load).
     */
    static List<Classified> classify(PolicySettings settings, Observation observation, ReplicaStatus status) {
        List<Classified> out = new ArrayList<>(settings.signals().size());
        for (SignalPolicy band : settings.signals()) {
            Signal signal = observation.signals().get(band.name());
            if (signal == null) {
                out.add(unknown(band, "not observed"));
            } else if (!signal.isKnown()) {
                out.add(unknown(band, signal.problem()));
            } else if (signal.podsReporting() > 0 && signal.podsReporting() < status.ready()) {
                out.add(unknown(band, "only " + signal.podsReporting() + " of " + status.ready()
                        + " ready pods reporting"));
            } else {
                double v = signal.value().getAsDouble();
                SignalState state = v > band.scaleOutAbove() ? SignalState.HIGH
                        : v < band.scaleInBelow() ? SignalState.LOW : SignalState.IN_BAND;
                out.add(new Classified(band, signal.value(), state, ""));
            }
        }
        return out;
    }

    private static Classified unknown(SignalPolicy band, String problem) {
        return new Classified(band, OptionalDouble.empty(), SignalState.UNKNOWN, problem);
    }

    /**
     * Advances the sustain timers and load averages (contract step 3). Each HIGH signal keeps the
     * start of its unbroken HIGH stretch; "every signal UNKNOWN" keeps its start. While every
     * signal is known the {@link LoadAverages} move on; an UNKNOWN signal clears them and restarts
     * the stretch, so scale-in never rests on data with holes in it.
     *
     * @param longWindow  the long average's window: {@code scale-in.sustain}
     * @param shortWindow the short average's window: {@code scale-out.sustain}
     */
    static TargetState advanceTimers(TargetState state, List<Classified> signals, int ready, Duration longWindow,
                                     Duration shortWindow, Instant now) {
        Map<String, Instant> high = Map.of();
        boolean allKnown = !signals.isEmpty();
        boolean allUnknown = true;
        for (Classified c : signals) {
            if (c.state() == SignalState.HIGH) {
                if (high.isEmpty()) {
                    high = new HashMap<>();
                }
                high.put(c.name(), state.highSince().getOrDefault(c.name(), now));
            }
            allKnown &= c.known();
            allUnknown &= c.state() == SignalState.UNKNOWN;
        }
        Instant unknown = allUnknown ? orNow(state.unknownSince(), now) : null;
        if (!allKnown) {
            return state.withTimers(high, null, unknown, LoadAverages.NONE, now);
        }
        boolean continuing = state.knownSince() != null && state.lastTick() != null && !now.isBefore(state.lastTick());
        LoadAverages before = continuing ? state.averages() : LoadAverages.NONE;
        Duration elapsed = continuing ? Duration.between(state.lastTick(), now) : Duration.ZERO;
        return state.withTimers(high, continuing ? state.knownSince() : now, unknown,
                before.next(signals, ready, elapsed, longWindow, shortWindow), now);
    }

    /**
     * Merges the last scale written on the object (annotations) into the state, so a restarted or
     * newly elected daemon keeps cooldowns and the verify window of a step-down it did not see.
     */
    static TargetState rememberLastScale(TargetState state, ReplicaStatus status, ScaleInSettings scaleIn) {
        if (status.lastScale().isEmpty()) {
            return state;
        }
        LastScale last = status.lastScale().get();
        if (last.direction() == Direction.UP
                && (state.lastScaleOut() == null || last.time().isAfter(state.lastScaleOut()))) {
            return state.withLastScaleOut(last.time());
        }
        if (last.direction() == Direction.DOWN
                && (state.lastScaleIn() == null || last.time().isAfter(state.lastScaleIn()))) {
            return state.withLastScaleIn(last.time(), last.time().plus(scaleIn.verifyWindow()));
        }
        return state;
    }

    /**
     * Remembers when the ready count last rose. Rate-based signals average over a window (2m in the
     * default queries), so for a while after new replicas start serving they still describe the
     * old, smaller set: cpu 0.83 on 3 ready reads 0.83 for up to 2m after 2 more are ready, though
     * the 5 now run at 0.5. The scale-out cooldown runs from that moment too (see {@link #scaleOut}).
     */
    static TargetState noteReady(TargetState state, ReplicaStatus status, Instant now) {
        int ready = status.ready();
        if (ready == state.lastReady()) {
            return state;
        }
        Instant rose = state.lastReady() >= 0 && ready > state.lastReady() ? now : state.readyRoseAt();
        return state.withReady(ready, rose);
    }

    private static Instant orNow(Instant since, Instant now) {
        return since != null ? since : now;
    }

    // ---- stages ----

    /** Contract step 1: paused, rollout, and replicas outside [min, max]. */
    static Optional<Proposal> guards(Tick t) {
        PolicySettings s = t.settings();
        int current = t.current();
        if (t.status().paused()) {
            return hold(Reason.PAUSED, t, () -> t.component() + " paused by annotation milvus-autoscaler.io/paused");
        }
        if (t.status().rollout()) {
            return hold(Reason.ROLLOUT, t, () -> t.component() + " rollout in progress; nothing is written until it ends");
        }
        if (current < s.minReplicas()) {
            return Optional.of(new Proposal(Reason.BELOW_MIN, s.minReplicas(), () -> t.component() + " " + current
                    + " replicas below min-replicas " + s.minReplicas() + "; " + current + " -> " + s.minReplicas()));
        }
        if (current > s.maxReplicas()) {
            Optional<Proposal> gate = stepDownGate(t);
            if (gate.isPresent()) {
                return gate;
            }
            return Optional.of(new Proposal(Reason.ABOVE_MAX, current - 1, () -> t.component() + " " + current
                    + " replicas above max-replicas " + s.maxReplicas() + "; stepping down one at a time: "
                    + current + " -> " + (current - 1)));
        }
        return Optional.empty();
    }

    /**
     * Contract step 7: within {@code scale-in.verify-window} of a step-down, a HIGH signal or a
     * failing health query rolls it back by one; scale-in is then blocked for {@code scale-in.backoff}.
     */
    static Optional<Proposal> verifyStepDown(Tick t) {
        TargetState st = t.state();
        if (!verifying(t)) {
            return Optional.empty();
        }
        Classified high = null;
        for (Classified c : t.signals()) {
            if (c.state() == SignalState.HIGH) {
                high = c;
                break;
            }
        }
        boolean failing = t.observation().health() == Health.FAILING;
        if ((high == null && !failing) || t.current() >= t.settings().maxReplicas()) {
            return Optional.empty();
        }
        Classified cause = high;
        int to = t.current() + 1;
        return Optional.of(new Proposal(Reason.STEP_DOWN_ROLLBACK, to, () -> t.component() + " "
                + (cause != null ? cause.name() + " " + compare(cause.v(), ">", cause.band().scaleOutAbove())
                : "health query failing")
                + " within the " + dur(t.settings().scaleIn().verifyWindow()) + " verify window of the last step-down; "
                + t.current() + " -> " + to + ", scale-in blocked for " + dur(t.settings().scaleIn().backoff())));
    }

    /**
     * True while the last step-down is being verified: within {@code scale-in.verify-window} of it, and
     * after that for as long as the health query cannot be read (UNKNOWN is never "healthy"; a window that
     * ended unread is extended rather than rolled back, because an unreadable query is not a harm).
     */
    static boolean verifying(Tick t) {
        Instant until = t.state().verifyUntil();
        return until != null && (!t.now().isAfter(until) || t.observation().health() == Health.UNKNOWN);
    }

    /**
     * Contract step 9: a firing scale-out alert not yet acted on adds {@code alerts.step} at once,
     * respecting max-replicas and the alert cooldown. (Blocking scale-in is in {@link #scaleIn}.)
     */
    static Optional<Proposal> alerts(Tick t) {
        if (t.observation().alerts().isEmpty()) {
            return Optional.empty();
        }
        List<ActiveAlert> fresh = t.observation().alerts().stream()
                .filter(a -> a.action() == ActiveAlert.AlertAction.SCALE_OUT)
                .filter(a -> !t.state().handledAlerts().contains(a.key()))
                .toList();
        if (fresh.isEmpty()) {
            return Optional.empty();
        }
        Set<String> keys = fresh.stream().map(ActiveAlert::key).collect(Collectors.toCollection(LinkedHashSet::new));
        Supplier<String> names = () -> fresh.stream().map(ActiveAlert::name).distinct()
                .collect(Collectors.joining(", "));
        AlertSettings a = t.settings().alerts();
        int current = t.current();
        if (current >= t.settings().maxReplicas()) {
            return Optional.of(new Proposal(Reason.AT_MAX, current, () -> "alert " + names.get() + " firing but "
                    + t.component() + " is at max-replicas " + t.settings().maxReplicas(), keys));
        }
        if (t.within(t.state().lastAlertScaleOut(), a.cooldown())) {
            return hold(Reason.ALERT_COOLDOWN, t, () -> "alert " + names.get() + " firing; alert cooldown "
                    + dur(t.left(t.state().lastAlertScaleOut(), a.cooldown())) + " left of " + dur(a.cooldown()));
        }
        int to = Math.min(t.settings().maxReplicas(), current + a.step());
        return Optional.of(new Proposal(Reason.ALERT_SCALE_OUT, to, () -> "alert " + names.get() + " firing; " + t.component()
                + " " + current + " -> " + to + " (alerts.step " + a.step() + ")", keys));
    }

    /**
     * Contract step 10: when every signal is UNKNOWN, hold; after {@code fallback.after}, the
     * scale-out fallback may move up to {@code fallback.replicas}. Never down.
     */
    static Optional<Proposal> allUnknown(Tick t) {
        if (!t.signals().isEmpty() && !t.all(SignalState.UNKNOWN)) {
            return Optional.empty();
        }
        FallbackSettings f = t.settings().fallback();
        Instant since = t.state().unknownSince() != null ? t.state().unknownSince() : t.now();
        Supplier<String> lasting = () -> {
            String problems = t.signals().stream().map(c -> c.name() + ": " + c.problem())
                    .collect(Collectors.joining("; "));
            return "every " + t.component() + " signal unknown for " + dur(Duration.between(since, t.now()))
                    + (problems.isEmpty() ? "" : " (" + problems + ")");
        };
        int fallbackTo = t.clamp(f.replicas());
        if (f.mode() == FallbackSettings.Mode.SCALE_OUT && !t.within(since, f.after()) && t.current() < fallbackTo) {
            return Optional.of(new Proposal(Reason.FALLBACK_SCALE_OUT, fallbackTo, () -> lasting.get() + "; fallback "
                    + t.current() + " -> " + fallbackTo));
        }
        return hold(Reason.ALL_SIGNALS_UNKNOWN, t, lasting);
    }

    /**
     * Contract steps 3, 4 and 6 for scale-out: a signal HIGH for {@code scale-out.sustain} (or
     * above the panic line) sizes the step as {@code ceil(ready x max(value / target))}, at least
     * +1, at most {@code max-step}. Example: 3 ready at cpu 0.82 with target 0.575 gives
     * ceil(3 x 1.426) = 5, so 3 -> 5 with max-step 2.
     *
     * <p>Sizing uses ready replicas because per-pod values are averaged over ready pods. Two rules
     * keep one burst from buying several scale-outs on signals that cannot yet show the last one:
     * <ul>
     *   <li>While requested replicas are still starting, it waits ({@code AWAITING_READY}) unless
     *       even all of them would leave a signal HIGH: 5 requested, 3 ready at cpu 0.82 projects
     *       to 0.82 x 3/5 = 0.49 <= 0.75, so it waits instead of piling more on.</li>
     *   <li>The cooldown runs from the last scale-out and again from the moment the ready count
     *       last rose: a rate over a 2m window still averages the load of the smaller set of
     *       replicas for up to 2m after new ones serve.</li>
     * </ul>
     * Panic skips the sustain and the cooldown after a write, never the wait for requested or
     * newly ready replicas.
     */
    static Optional<Proposal> scaleOut(Tick t) {
        ScaleOutSettings so = t.settings().scaleOut();
        Map<String, Instant> since = t.state().highSince();
        Classified panic = null;
        Classified sustained = null;
        Classified longest = null;
        Classified rising = null;
        // Right after a step-down every per-pod value rises by ready/(ready - 1) by design; the
        // verify window judges that rise, so it is not taken for load arriving.
        boolean verifying = t.state().verifyUntil() != null && !t.now().isAfter(t.state().verifyUntil());
        for (Classified c : t.signals()) {
            if (!c.known()) {
                continue;
            }
            boolean high = c.state() == SignalState.HIGH;
            if (high && c.v() > so.panicAbove() * c.band().scaleOutAbove()
                    && (panic == null || ratio(c) > ratio(panic))) {
                panic = c;
            }
            if (high && !t.within(since.get(c.name()), so.sustain())
                    && (sustained == null || ratio(c) > ratio(sustained))) {
                sustained = c;
            }
            if (high && (longest == null
                    || since.getOrDefault(c.name(), t.now()).isBefore(since.getOrDefault(longest.name(), t.now())))) {
                longest = c;
            }
            if (!verifying && rising(t, c) && (rising == null || ratio(c) > ratio(rising))) {
                rising = c;
            }
        }
        if (longest == null && rising == null) {
            return Optional.empty();
        }
        Classified lead = panic != null ? panic : sustained != null ? sustained : rising;
        if (lead == null) {
            Classified first = longest;
            return hold(Reason.SUSTAINING_HIGH, t, () -> t.component() + " " + high(first, t) + " of "
                    + dur(so.sustain()) + " sustain");
        }
        boolean byRise = lead == rising && panic == null && sustained == null;
        Supplier<String> leadText = () -> byRise ? rise(lead, t) : high(lead, t);
        int current = t.current();
        int max = t.settings().maxReplicas();
        if (current >= max) {
            return hold(Reason.AT_MAX, t, () -> t.component() + " " + leadText.get() + " but at max-replicas " + max);
        }
        boolean cooling = t.within(t.state().lastScaleOut(), so.cooldown());
        Instant roseAt = t.state().readyRoseAt();
        boolean fresh = t.within(roseAt, so.cooldown());
        if (fresh || (cooling && panic == null)) {
            return hold(Reason.SCALE_OUT_COOLDOWN, t, () -> t.component() + " " + leadText.get() + "; " + (fresh
                    ? t.ready() + " ready since " + dur(Duration.between(roseAt, t.now()))
                    + " ago, the signals still average the replicas before; scale-out cooldown "
                    + dur(t.left(roseAt, so.cooldown())) + " left of " + dur(so.cooldown())
                    : "scale-out cooldown " + dur(t.left(t.state().lastScaleOut(), so.cooldown())) + " left of "
                    + dur(so.cooldown())));
        }
        Classified top = null;
        for (Classified c : t.signals()) {
            if (c.known() && (top == null || ratio(c) > ratio(top))) {
                top = c;
            }
        }
        Classified sizedBy = top;
        int basis = t.ready() > 0 ? t.ready() : current;
        int wanted = (int) Math.ceil(basis * ratio(sizedBy) - EPSILON);
        if (t.ready() < current) {
            Classified stillHigh = null;
            for (Classified c : t.signals()) {
                if (c.known() && c.v() * basis / current > c.band().scaleOutAbove()) {
                    stillHigh = c;
                    break;
                }
            }
            if (stillHigh == null) {
                return hold(Reason.AWAITING_READY, t, () -> t.component() + " " + leadText.get() + "; " + current
                        + " requested, " + t.ready() + " ready: " + lead.name() + " " + num(lead.v()) + " x " + basis
                        + "/" + current + " = " + compare(lead.v() * basis / current, "<=", lead.band().scaleOutAbove())
                        + " once they serve; waiting for them");
            }
        }
        int to = Math.min(max, Math.min(current + so.maxStep(), Math.max(current + 1, wanted)));
        boolean usedPanic = panic != null && (cooling || sustained == null);
        Reason reason = usedPanic ? Reason.PANIC : byRise ? Reason.SIGNAL_RISING : Reason.SIGNAL_HIGH;
        return Optional.of(new Proposal(reason, to, () -> t.component() + " " + leadText.get()
                + (usedPanic ? " above panic line " + num(so.panicAbove() * lead.band().scaleOutAbove()) : "") + "; "
                + current + " -> " + to + " (ceil(" + basis + " x " + num(sizedBy.v()) + "/"
                + num(sizedBy.band().target()) + ") = " + wanted + ", max-step " + so.maxStep() + ")"));
    }

    /**
     * A signal counts as rising, and scales out without waiting for {@code scale-out.sustain}, when
     * it is above its target, at its recent rate would pass {@code scale-out-above} within one
     * sustain, and that rate is at least half the gap between target and line per sustain, so a
     * slow drift across the line still has to sustain. Example, cpu band [0.40, 0.75], target
     * 0.575, sustain 1m: 0.66 rising 0.12/min heads for 0.78 > 0.75 with 0.12 >= 0.0875: rising;
     * 0.74 rising 0.02/min heads for 0.76 but 0.02 < 0.0875: not rising, it must sustain.
     */
    static boolean rising(Tick t, Classified c) {
        if (!(c.v() > c.band().target())) {
            return false;
        }
        double ahead = ahead(t, c);
        return ahead > c.band().scaleOutAbove() && ahead - c.v() >= (c.band().scaleOutAbove() - c.band().target()) / 2;
    }

    /**
     * Where a signal is heading one {@code scale-out.sustain} ahead at its recent rate of rise. The
     * recent average lags a steady rise by half a sustain, so the rise per sustain is twice the gap:
     * cpu 0.66 now over a recent average of 0.62 gives 0.66 + 2 x 0.04 = 0.74. Averages are kept
     * per ready replica set (value x ready), so a step-down does not read as a rise.
     */
    static double ahead(Tick t, Classified c) {
        double recent = t.state().averages().shortTerm(c.name());
        if (Double.isNaN(recent)) {
            return c.v();
        }
        double now = c.v() * Math.max(1, t.ready());
        return (now + 2 * (now - recent)) / Math.max(1, t.ready());
    }

    /** How far a signal is from its target: 0.82 / 0.575 = 1.43. */
    private static double ratio(Classified c) {
        return c.v() / c.band().target();
    }

    /**
     * Contract steps 3, 5, 6 and 9 for scale-in, judged on averages so that a noisy signal can
     * still come down: every signal known for {@code scale-in.sustain}, each one's average over that
     * time LOW (average load / ready < {@code scale-in-below}), no alert firing, the step-down gate
     * open, and removing one node must push neither the current value nor the average past the
     * signal's target: projected = max(value, average) x ready / (ready - 1). Example: cpu
     * averaging 0.30 on 3 ready and now 0.36 projects to 0.36 x 3/2 = 0.54 <= 0.575, so 3 -> 2;
     * now 0.39 would project to 0.585 and hold, and so would a 0.39 average under a 0.30 value.
     */
    static Optional<Proposal> scaleIn(Tick t) {
        if (!allKnown(t)) {
            if (t.any(SignalState.LOW) && t.any(SignalState.UNKNOWN) && !t.any(SignalState.IN_BAND)) {
                return hold(Reason.PARTIAL_DATA, t, () -> t.component() + " " + lows(t) + " but "
                        + t.signals().stream().filter(c -> !c.known())
                        .map(c -> c.name() + " unknown (" + c.problem() + ")").collect(Collectors.joining(", "))
                        + "; never scaling in on partial data");
            }
            return Optional.empty();
        }
        int ready = t.ready();
        for (Classified c : t.signals()) {
            if (!(average(t, c) < c.band().scaleInBelow())) {
                return Optional.empty();
            }
        }
        int current = t.current();
        if (!t.observation().alerts().isEmpty()) {
            return hold(Reason.ALERT_BLOCKS_SCALE_IN, t, () -> "alert " + t.observation().alerts().stream()
                    .map(ActiveAlert::name).distinct().collect(Collectors.joining(", ")) + " firing blocks scale-in of "
                    + t.component());
        }
        if (current <= t.settings().minReplicas()) {
            return hold(Reason.AT_MIN, t, () -> t.component() + " " + averages(t) + " but at min-replicas "
                    + t.settings().minReplicas());
        }
        ScaleInSettings si = t.settings().scaleIn();
        Instant since = t.state().knownSince() != null ? t.state().knownSince() : t.now();
        if (t.within(since, si.sustain())) {
            return hold(Reason.SUSTAINING_LOW, t, () -> t.component() + " " + averages(t) + " over "
                    + dur(Duration.between(since, t.now())) + " of " + dur(si.sustain()) + " sustain");
        }
        Optional<Proposal> gate = stepDownGate(t);
        if (gate.isPresent()) {
            return gate;
        }
        for (Classified c : t.signals()) {
            double value = Math.max(c.v(), average(t, c));
            double projected = value * ready / (ready - 1.0);
            if (projected > c.band().target()) {
                return hold(Reason.SCALE_IN_WOULD_OVERLOAD, t, () -> "removing one of " + ready + " " + t.component()
                        + " would put " + c.name() + " at " + num(value) + (value == c.v() ? "" : " (average)") + " x "
                        + ready + "/" + (ready - 1) + " = " + compare(projected, "> target", c.band().target()));
            }
        }
        return Optional.of(new Proposal(Reason.SIGNALS_LOW, current - 1, () -> t.component() + " " + averages(t)
                + " over the last " + dur(si.sustain()) + "; " + current + " -> " + (current - 1)
                + ", one node at a time"));
    }

    private static boolean allKnown(Tick t) {
        for (Classified c : t.signals()) {
            if (!c.known()) {
                return false;
            }
        }
        return !t.signals().isEmpty();
    }

    /** A signal's average over about the last scale-in sustain, per ready replica; NaN when not averaged. */
    static double average(Tick t, Classified c) {
        return t.state().averages().longTerm(c.name()) / Math.max(1, t.ready());
    }

    /**
     * Contract steps 6 and 7 for any step-down: back-off after a roll-back, the delay after a
     * scale-out, the cooldown between step-downs, and settling (every replica ready and the settle
     * query quiet); a wait longer than {@code scale-in.settle-timeout} still holds, as SETTLE_TIMEOUT.
     */
    static Optional<Proposal> stepDownGate(Tick t) {
        ScaleInSettings si = t.settings().scaleIn();
        TargetState st = t.state();
        if (st.backoffUntil() != null && t.now().isBefore(st.backoffUntil())) {
            return hold(Reason.SCALE_IN_BACKOFF, t, () -> t.component() + " scale-in backed off for "
                    + dur(Duration.between(t.now(), st.backoffUntil())) + " more after a rolled-back step-down");
        }
        if (t.within(st.lastScaleOut(), si.delayAfterScaleOut())) {
            return hold(Reason.SCALE_IN_DELAY_AFTER_SCALE_OUT, t, () -> t.component() + " scaled out "
                    + dur(Duration.between(st.lastScaleOut(), t.now())) + " ago; no step-down for "
                    + dur(t.left(st.lastScaleOut(), si.delayAfterScaleOut())) + " more");
        }
        if (t.within(st.lastScaleIn(), si.cooldown())) {
            return hold(Reason.SCALE_IN_COOLDOWN, t, () -> t.component() + " stepped down "
                    + dur(Duration.between(st.lastScaleIn(), t.now())) + " ago; scale-in cooldown "
                    + dur(t.left(st.lastScaleIn(), si.cooldown())) + " left of " + dur(si.cooldown()));
        }
        if (st.verifyUntil() != null && t.now().isAfter(st.verifyUntil())
                && t.observation().health() == Health.UNKNOWN) {
            return hold(Reason.STEP_DOWN_UNVERIFIED, t, () -> t.component() + " last step-down not verified: its "
                    + dur(si.verifyWindow()) + " verify window ended and the health query cannot be read since");
        }
        if (!settled(t)) {
            Instant since = st.settleWaitSince() != null ? st.settleWaitSince() : t.now();
            String what = t.component() + " not settled (" + t.ready() + " of " + t.current() + " ready, data movement "
                    + t.observation().settle().name().toLowerCase(java.util.Locale.ROOT) + ")";
            if (t.within(since, si.settleTimeout())) {
                return hold(Reason.SETTLING, t, () -> what + " for " + dur(Duration.between(since, t.now())) + " of "
                        + dur(si.settleTimeout()));
            }
            // Past the timeout the hold stays: the settle facts are read live (a querycoord node count, a
            // stopping node's gauge, move counts that still change), so BUSY means data really moves and
            // UNKNOWN means it cannot be seen; neither is a reason to remove another node.
            return hold(Reason.SETTLE_TIMEOUT, t, () -> what + " for " + dur(Duration.between(since, t.now()))
                    + ", past settle-timeout " + dur(si.settleTimeout()) + "; check stopping balance and querycoord tasks");
        }
        return Optional.empty();
    }

    /** Every replica ready and no data moving; an UNKNOWN settle query counts as moving. */
    static boolean settled(Tick t) {
        return t.ready() >= t.current() && t.observation().settle() == Settle.QUIET;
    }

    /** The last stage: nothing asked for a change. */
    static Optional<Proposal> inBand(Tick t) {
        return hold(Reason.IN_BAND, t, () -> inBandMessage(t));
    }

    private static String inBandMessage(Tick t) {
        StringBuilder b = new StringBuilder(96).append(t.component()).append(' ');
        if (t.signals().isEmpty()) {
            b.append("has no signals");
        }
        for (int i = 0; i < t.signals().size(); i++) {
            Classified c = t.signals().get(i);
            b.append(i == 0 ? "" : ", ").append(c.name());
            if (c.known()) {
                b.append(' ').append(num(c.v()));
            } else {
                b.append(" unknown (").append(c.problem()).append(')');
            }
        }
        return b.append(" within bands").toString();
    }

    // ---- message helpers ----

    private static Optional<Proposal> hold(Reason reason, Tick t, Supplier<String> message) {
        int current = t.current();
        return Optional.of(new Proposal(reason, current, () -> message.get() + "; holding at " + current));
    }

    private static String rise(Classified c, Tick t) {
        double ahead = ahead(t, c);
        return c.name() + " " + compare(c.v(), "> target", c.band().target()) + " and rising: "
                + compare(ahead, ">", c.band().scaleOutAbove()) + " within the "
                + dur(t.settings().scaleOut().sustain()) + " sustain at its recent rate";
    }

    private static String high(Classified c, Tick t) {
        Instant since = t.state().highSince().getOrDefault(c.name(), t.now());
        return c.name() + " " + compare(c.v(), ">", c.band().scaleOutAbove()) + " for "
                + dur(Duration.between(since, t.now()));
    }

    private static String averages(Tick t) {
        StringBuilder b = new StringBuilder(80);
        for (Classified c : t.signals()) {
            b.append(b.length() == 0 ? "" : ", ").append(c.name()).append(" averaging ")
                    .append(compare(average(t, c), "<", c.band().scaleInBelow())).append(" (now ").append(num(c.v()))
                    .append(')');
        }
        return b.toString();
    }

    private static String lows(Tick t) {
        return t.signals().stream().filter(c -> c.state() == SignalState.LOW)
                .map(c -> c.name() + " " + compare(c.v(), "<", c.band().scaleInBelow()))
                .collect(Collectors.joining(", "));
    }
}
