package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.core.Durations.human;
import static io.github.milvusautoscaler.policy.Format.compare;
import static io.github.milvusautoscaler.policy.Format.num;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.LastScale;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.SignalState;
import io.github.milvusautoscaler.core.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Scale out fast and proportionally: a signal HIGH for {@code scale-out.sustain} (or above the
 * panic line, or above its target and rising fast, a qps rise only with the cpu's: {@link #corroborated}) sizes the
 * step as
 * {@code ceil(ready x max(value / target))}, at least +1, at most {@code max-step}, or {@code max-step-share} of the
 * replicas when that is more ({@link ScaleOutSettings#stepCap}: a fixed +2 is a quarter of the 8-node peak the
 * defaults were measured at but 3% of 68, where nyc_taxi's steepest ramp outran it for 881 s at peak 80). Example: 3 ready
 * at cpu 0.82 with target 0.575 gives ceil(3 x 1.426) = 5, so 3 -> 5 with max-step 2. A signal with a
 * trusted seasonal forecast sizes for the higher of its load now and its forecast within
 * {@code forecast.horizon} at {@code forecast.fill} x scale-out-above instead: 2.46 nodes of load now and 3.1
 * forecast give ceil(3.1 / 0.75) = 5. With a trusted forecast the signal is HIGH only above
 * {@code forecast.line} x scale-out-above (cpu 0.8475), see {@link ForecastSettings#lineFor}.
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
 *
 * <p>Reasons: SIGNAL_HIGH, SIGNAL_RISING, PANIC, SUSTAINING_HIGH, SCALE_OUT_COOLDOWN, AT_MAX (also
 * for an alert at max-replicas, see {@link #atMax}), AWAITING_READY. Memory: {@link Timers}.
 */
final class ScaleOut implements Rule<ScaleOut.Timers> {

    /**
     * A hold while requested replicas start, when waiting for them is right: every one starting (the signals are of
     * pods no longer ready), or none of the signals HIGH once they all serve (5 requested, 3 ready at cpu 0.82:
     * 0.82 x 3/5 = 0.49 <= 0.75). Empty otherwise, and behind a stalled rollout, whose pods are not starting.
     */
    private static Optional<Proposal> awaitingReady(Tick t, Classified lead, Supplier<String> leadText) {
        int current = t.current();
        if (t.ready() == 0 && current > 0) {
            // Every requested replica is starting (a scale-out's new pods beside restarted ones): the per-pod values
            // are the pods Prometheus last saw ready, and sizing them on every requested replica counted one ready
            // pod's load four times (ceil(4 x 346/115) = 13) and added 4 -> 6 fifteen seconds after 2 -> 4 (soak
            // recheck 20, F1). The HPA, too, sets not-ready pods aside and has nothing to size on then.
            return Proposal.hold(Stage.SCALE_OUT, Reason.AWAITING_READY, t, () -> t.component() + " "
                    + leadText.get() + "; " + current + " requested, none ready: the signals are of pods no longer"
                    + " ready; waiting for them");
        }
        // Not ready behind a stalled rollout is not starting: those pods run a template that does not come up (an
        // unpullable image), and waiting for them held cpu 0.93 at 7 requested, 5 ready for as long as the rollout
        // stayed stuck (recheck 25, N1). Sized on the ready ones instead.
        if (!starting(t) || stillHigh(t) != null) {
            return Optional.empty();
        }
        int basis = t.ready();
        return Proposal.hold(Stage.SCALE_OUT, Reason.AWAITING_READY, t, () -> t.component() + " "
                + leadText.get() + "; " + current + " requested, " + basis + " ready: " + lead.name() + " "
                + num(lead.v()) + " x " + basis + "/" + current + " = "
                + Format.against(lead.v() * basis / current, "<=", lead.line())
                + " once they serve; waiting for them");
    }

    /** Some requested replicas are starting beside ready ones, and not behind a stalled rollout. */
    private static boolean starting(Tick t) {
        return t.ready() > 0 && t.ready() < t.current() && t.status().rolloutStalled().isEmpty();
    }

    /** The first known signal still past its line once every requested replica serves (value x ready/current). */
    private static Classified stillHigh(Tick t) {
        for (Classified c : t.signals()) {
            if (c.known() && c.v() * t.ready() / t.current() > c.line()) {
                return c;
            }
        }
        return null;
    }

    /** Below this a ceil() result is treated as exact: ceil(3 x 0.575/0.575) must be 3, not 4. */
    private static final double EPSILON = 1e-9;

    /**
     * @param highSince    per signal, when its current unbroken HIGH stretch began
     * @param lastScaleOut the last scale-out written, for any reason (the cooldown runs from it); null when none
     * @param ready        the ready count as the scale-out cooldown after new replicas reads it ({@link ReadyRise})
     * @param lines        the forecast lines seen, so a HIGH that began when one fell back can say so
     * @param qpsRise      how long qps has stood clearly above its look-back, which a qps rise needs
     *                     ({@link #corroborated})
     * @param outside      the last rise and fall of the count someone else made, which hold a step-down as a scale-out
     *                     and a step-down of its own do
     */
    record Timers(Map<String, Instant> highSince, Instant lastScaleOut, ReadyRise ready, ForecastLines lines,
                  QpsRise qpsRise, OutsideMoves outside) implements Memory {

        Timers {
            highSince = Map.copyOf(highSince);
            Objects.requireNonNull(ready, "ready");
            Objects.requireNonNull(lines, "lines");
            Objects.requireNonNull(qpsRise, "qpsRise");
            Objects.requireNonNull(outside, "outside");
        }

        /** Timers with no outside move seen, {@code lastReady} ready at the last tick and the last rise at {@code readyRoseAt}. */
        Timers(Map<String, Instant> highSince, Instant lastScaleOut, int lastReady, Instant readyRoseAt,
               ForecastLines lines, QpsRise qpsRise) {
            this(highSince, lastScaleOut, ReadyRise.seen(lastReady, readyRoseAt), lines, qpsRise, OutsideMoves.NONE);
        }

        /** Timers before any forecast line or qps run was seen. */
        Timers(Map<String, Instant> highSince, Instant lastScaleOut, int lastReady, Instant readyRoseAt) {
            this(highSince, lastScaleOut, lastReady, readyRoseAt, ForecastLines.NONE, QpsRise.NONE);
        }

        /** Ready replicas seen at the previous tick; -1 before the first. */
        int lastReady() {
            return ready.lastReady();
        }

        /** When the ready count last rose to replicas that were not serving before; null when none. */
        Instant readyRoseAt() {
            return ready.at();
        }

        @Override
        public Timers retimed(Instant tick, Instant written) {
            return new Timers(highSince, Memory.retime(lastScaleOut, tick, written), ready, lines, qpsRise, outside);
        }

        /** These timers with {@code moves} as the outside moves and the count the next tick expects. */
        Timers withOutside(OutsideMoves moves) {
            return moves == outside ? this : new Timers(highSince, lastScaleOut, ready, lines, qpsRise, moves);
        }
    }

    /**
     * When the ready count last rose to replicas that were not serving before, which holds a second scale-out for
     * {@code scale-out.cooldown}: until the signals' windows have moved past the rise they still describe the
     * smaller set of serving replicas (cpu 0.83 on 3 ready reads 0.83 for a while after 2 more are ready, though the
     * 5 now run at 0.5), and a queryNode's new replicas take segments only as querycoord balances onto them. A rise
     * that only brings replicas back or replaces them adds none, and holds nothing:
     * <ul>
     *   <li>to no more than were ready since the requested count last changed: a drained node's replacement, a pod
     *       restarted after an OOM kill (3 -> 2 -> 3 at 3 requested); such a return held a load-driven scale-out 45 s
     *       past its sustain (recheck 58, F2);</li>
     *   <li>one the count falls back from to where it began: a rollout's surge pod whose old pod went, the operator's
     *       queryNode blue/green hand-over (3 -> 4 -> 3, pod by pod), which held a scale-out at cpu 1.27, above the
     *       panic line, 3m after it ended (recheck 55, F2).</li>
     * </ul>
     *
     * @param lastReady ready replicas at the previous tick; -1 before the first
     * @param lastCount the requested count at the previous tick; -1 before the first
     * @param peak      the most replicas ready since the requested count last changed (from the ready count before
     *                  the change); -1 before the first tick
     * @param at        when the latest rise to new replicas came; null when none, or after a fall back to its start
     * @param from      the ready count before that rise began (steps within one cooldown are one rise); -1 with none
     */
    record ReadyRise(int lastReady, int lastCount, int peak, Instant at, int from) {

        static final ReadyRise NONE = new ReadyRise(-1, -1, -1, null, -1);

        /** {@code lastReady} ready at the last tick, the last rise at {@code at} (null: none), the count unknown. */
        static ReadyRise seen(int lastReady, Instant at) {
            return new ReadyRise(lastReady, -1, lastReady, at, -1);
        }

        /** The rise after a tick that reads {@code ready} of {@code count} requested at {@code now}. */
        ReadyRise next(int ready, int count, Instant now, Tick t) {
            // A new requested count: replicas ready above the count before it are new ones.
            int seenMost = count != lastCount ? lastReady : peak;
            Instant rose = at;
            int began = from;
            if (lastReady >= 0 && ready > lastReady && ready > seenMost) {
                if (rose == null || !t.within(rose, t.settings().scaleOut().cooldown())) {
                    began = seenMost;
                }
                rose = now;
            } else if (rose != null && began >= 0 && ready <= began) {
                rose = null;
                began = -1;
            }
            int most = Math.max(seenMost, ready);
            if (ready == lastReady && count == lastCount && most == peak && rose == at && began == from) {
                return this;
            }
            return new ReadyRise(ready, count, most, rose, began);
        }
    }

    /**
     * Where each signal's line stood with a trusted forecast, and where a raised line last fell back to
     * scale-out-above. A forecast stops being trusted when its last two days missed it (a holiday, a storm) or its
     * history cannot be read, and a value that sat in the band under the raised line (qps 158 under 169.5) then
     * reads HIGH on a flat load: the scale-out's message says why rather than leave "qps 158 > 150" to puzzle
     * over.
     *
     * @param raised  per signal, its line at the last tick it was known while above scale-out-above
     * @param dropped per signal, the raised line it last lost and when
     */
    record ForecastLines(Map<String, Double> raised, Map<String, Drop> dropped) {

        static final ForecastLines NONE = new ForecastLines(Map.of(), Map.of());

        ForecastLines {
            raised = Map.copyOf(raised);
            dropped = Map.copyOf(dropped);
        }

        /** A raised {@code line} that fell back at {@code at}. */
        record Drop(double line, Instant at) {
        }

        /** These lines after a tick's classification; the same object when nothing moved (most ticks). */
        ForecastLines next(List<Classified> signals, Instant now) {
            Map<String, Double> r = null;
            Map<String, Drop> d = null;
            for (Classified c : signals) {
                if (!c.known()) {
                    continue; // an UNKNOWN signal has no line this tick; the last known one stands
                }
                Double was = raised.get(c.name());
                boolean up = c.lineRaised();
                if (up && (was == null || was != c.line())) {
                    r = r == null ? new HashMap<>(raised) : r;
                    r.put(c.name(), c.line());
                } else if (!up && was != null) {
                    r = r == null ? new HashMap<>(raised) : r;
                    r.remove(c.name());
                    d = d == null ? new HashMap<>(dropped) : d;
                    d.put(c.name(), new Drop(was, now));
                }
            }
            return r == null ? this : new ForecastLines(r, d == null ? dropped : d);
        }

        /**
         * " (the line was the forecast's 0.8475 until cpu's forecast stopped being trusted as this stretch
         * began)" when {@code c}'s HIGH stretch began the tick its raised line fell back; empty otherwise.
         */
        String dropNote(Classified c, Instant highSince) {
            Drop drop = dropped.get(c.name());
            return drop == null || !drop.at().equals(highSince) || c.lineRaised() ? ""
                    : " (the line was the forecast's " + Format.level(drop.line()) + " until " + c.name()
                            + "'s forecast stopped being trusted as this stretch began)";
        }
    }

    @Override
    public Stage stage() {
        return Stage.SCALE_OUT;
    }

    @Override
    public Timers initial() {
        return new Timers(Map.of(), null, ReadyRise.NONE, ForecastLines.NONE, QpsRise.NONE, OutsideMoves.NONE);
    }

    /**
     * Advances the sustain timers (each HIGH signal keeps the start of its unbroken HIGH stretch),
     * takes a newer scale-out from the last-scale annotations (so a restarted or newly elected
     * daemon keeps the cooldown), and notes when the ready count rose to new replicas ({@link ReadyRise}).
     */
    @Override
    public Timers observe(Timers own, Tick before) {
        Instant now = before.now();
        Map<String, Instant> high = Map.of();
        for (Classified c : before.signals()) {
            if (c.state() == SignalState.HIGH) {
                if (high.isEmpty()) {
                    high = new HashMap<>();
                }
                high.put(c.name(), own.highSince().getOrDefault(c.name(), now));
            }
        }
        Instant lastOut = own.lastScaleOut();
        if (before.status().lastScale().isPresent()) {
            LastScale last = before.status().lastScale().get();
            if (last.direction() == Direction.UP && (lastOut == null || last.time().isAfter(lastOut))) {
                lastOut = last.time();
            }
        }
        int ready = before.ready();
        ReadyRise rise = own.ready().next(ready, before.current(), now, before);
        ForecastLines lines = own.lines().next(before.signals(), now);
        QpsRise qpsRise = own.qpsRise().next(before.signals(), ready, now, qpsLookBack(before.settings().scaleOut()));
        // A rise the annotations date as milvus-autoscaler's own is a scale-out already in lastOut.
        OutsideMoves outside = own.outside().next(before.current(), lastOut != own.lastScaleOut(),
                before.status().lastScale(), now);
        if (lastOut == own.lastScaleOut() && rise == own.ready() && high.equals(own.highSince()) && lines == own.lines()
                && qpsRise == own.qpsRise() && outside == own.outside()) {
            // Most ticks change nothing here: the same object keeps the state unchanged, with no copy of the map.
            return own;
        }
        return new Timers(high, lastOut, rise, lines, qpsRise, outside);
    }

    /**
     * The scale-out a Helm install's rollout still lets through: a signal past the panic line scales out as this rule
     * decides it, the rest of the rollout holds (Guards). Kubernetes scales a Deployment mid-rollout, splitting the
     * change over the old and new ReplicaSets ("Proportional scaling", Deployments docs), and the HPA goes on scaling,
     * while a rolling restart of 6 queryNodes (25% at a time, each new pod not ready before the chart's 90 s
     * readinessProbe delay) left cpu 1.44 over a 1.13 panic line unanswered to its end (recheck 61, F1). The operator's
     * queryNode hand-over applies no count before every pod of both Deployments is ready, so an operator install
     * still holds. Empty when no known signal is past the panic line or this rule would not scale out now.
     */
    static Optional<Proposal> pastPanicDuringRollout(Tick t) {
        if (t.signals().stream().noneMatch(c -> pastPanic(c, t.settings().scaleOut()))) {
            return Optional.empty();
        }
        return new ScaleOut().decide(t).filter(p -> p.reason().action() == Action.SCALE_OUT)
                .map(p -> new Proposal(p.by(), p.reason(), p.to(), () -> p.message().text() + " (while "
                        + t.status().rollingOut().orElse("a rollout runs") + ": past the panic line a scale-out goes"
                        + " ahead, as Kubernetes scales a Deployment mid-rollout; the rest waits for its end)",
                        p.alertKeys()));
    }

    /** A known signal HIGH past its panic line, panic-above x scale-out-above (cpu 1.2 > 1.5 x 0.75). */
    private static boolean pastPanic(Classified c, ScaleOutSettings so) {
        return c.known() && c.state() == SignalState.HIGH && c.v() > so.panicAbove() * c.band().scaleOutAbove();
    }

    @Override
    public Optional<Proposal> decide(Tick t) {
        ScaleOutSettings so = t.settings().scaleOut();
        Timers timers = t.memory(Timers.class);
        Map<String, Instant> since = timers.highSince();
        Classified panic = null;
        Classified sustained = null;
        Classified longest = null;
        Classified rising = null;
        // Right after a step-down every per-pod value rises by ready/(ready - 1) by design; the
        // verify window judges that rise, so it is not taken for load arriving.
        boolean verifying = VerifyStepDown.inWindow(t);
        for (Classified c : t.signals()) {
            if (!c.known()) {
                continue;
            }
            boolean high = c.state() == SignalState.HIGH;
            if (pastPanic(c, so) && (panic == null || ratio(c) > ratio(panic))) {
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
            if (!verifying && rising(t, c) && corroborated(t, c) && (rising == null || ratio(c) > ratio(rising))) {
                rising = c;
            }
        }
        if (longest == null && rising == null) {
            return Optional.empty();
        }
        boolean cooling = t.within(timers.lastScaleOut(), so.cooldown());
        // The reason names the signal that earned it: a panic value acts at once only in the cooldown or with no
        // signal sustained; otherwise the sustained one leads, or SIGNAL_HIGH told of the panic signal's "for 0s"
        // and never of the signal that had been HIGH for the sustain (message audit M3).
        boolean usedPanic = panic != null && (cooling || sustained == null);
        Classified lead = usedPanic ? panic : sustained != null ? sustained : rising;
        if (lead == null) {
            Classified first = longest;
            Supplier<String> sustaining = () -> high(first, t) + " of " + human(so.sustain()) + " sustain";
            // A HIGH of the replicas before a scale-out whose new ones are starting is no sustain toward another:
            // the tick after 3 -> 4 read "SUSTAINING_HIGH cpu 0.76 for 15s of 1m sustain; holding at 4 (3 ready)"
            // where 0.76 x 3/4 fits once the fourth serves (recheck 104, F1).
            Optional<Proposal> waiting = awaitingReady(t, first, sustaining);
            if (waiting.isPresent()) {
                return waiting;
            }
            return Proposal.hold(Stage.SCALE_OUT, Reason.SUSTAINING_HIGH, t, () -> t.component() + " "
                    + sustaining.get());
        }
        boolean byRise = lead == rising && panic == null && sustained == null;
        Supplier<String> leadText = () -> byRise ? rise(lead, t) : high(lead, t);
        int current = t.current();
        int max = t.settings().maxReplicas();
        if (current >= max) {
            return atMax(t, () -> t.component() + " " + leadText.get() + " but at max-replicas " + max
                    + "; holding at " + current, Set.of());
        }
        Instant roseAt = timers.readyRoseAt();
        boolean fresh = t.within(roseAt, so.cooldown());
        if (fresh || (cooling && panic == null)) {
            return Proposal.hold(Stage.SCALE_OUT, Reason.SCALE_OUT_COOLDOWN, t, () -> t.component() + " "
                    + leadText.get() + "; " + (fresh
                    ? (timers.ready().from() >= 0 ? "ready rose from " + timers.ready().from() + " "
                    + human(Duration.between(roseAt, t.now())) + " ago (" + t.ready() + " now)"
                    : t.ready() + " ready since " + human(Duration.between(roseAt, t.now())) + " ago")
                    + ", and the load may not have spread onto the new ones yet; scale-out cooldown "
                    + human(t.left(roseAt, so.cooldown())) + " left of " + human(so.cooldown())
                    : "scale-out cooldown " + human(t.left(timers.lastScaleOut(), so.cooldown())) + " left of "
                    + human(so.cooldown())));
        }
        Classified top = null;
        for (Classified c : t.signals()) {
            if (c.known() && (top == null || ratio(c) > ratio(top))) {
                top = c;
            }
        }
        Classified sizedBy = top;
        int basis = t.ready() > 0 ? t.ready() : current;
        OptionalDouble forecast = t.horizonLoad(sizedBy);
        // A trusted forecast sizes for the higher of the load now and the load it expects within the horizon, at
        // the level a step-down keeps (fill x line): sized for the target, the step-down rule would take the
        // surplus back within the hour, two actions for nothing.
        double fillLoad = forecast.isPresent() ? Math.max(forecast.getAsDouble(), basis * sizedBy.v()) : Double.NaN;
        double fillLine = t.fillLine(sizedBy);
        int sized = forecast.isPresent() ? (int) Math.ceil(fillLoad / fillLine - EPSILON)
                : (int) Math.ceil(basis * ratio(sizedBy) - EPSILON);
        // Sized for the load when the new replicas serve (scale-out.size-ahead): a rise that goes on while they start
        // would otherwise buy a second scale-out, and the overload until it serves too.
        Classified aheadBy = null;
        double aheadLoad = Double.NaN;
        int aheadWanted = 0;
        for (Classified c : t.signals()) {
            double load = c.known() ? loadAhead(t, c) : Double.NaN;
            if (!Double.isNaN(load)) {
                int w = (int) Math.ceil(load / aheadLine(t, c) - EPSILON);
                if (w > aheadWanted) {
                    aheadBy = c;
                    aheadLoad = load;
                    aheadWanted = w;
                }
            }
        }
        int wanted = Math.max(sized, aheadWanted);
        Classified projectedBy = aheadWanted > sized ? aheadBy : null;
        double projectedLoad = aheadLoad;
        if (byRise && forecast.isPresent() && (int) Math.ceil(fillLoad / sizedBy.line() - EPSILON) <= current) {
            // Still under the line and the replicas already hold the rise the forecast expects under it (a
            // pre-scale put them there, sized to the same line): the forecast has already acted on this rise.
            return Optional.empty();
        }
        Optional<Proposal> waiting = awaitingReady(t, lead, leadText);
        if (waiting.isPresent()) {
            return waiting;
        }
        // long: a max-step of 2147483647 ("no limit") overflowed an int sum to a negative count.
        int cap = so.stepCap(current);
        long stepped = Math.min((long) current + cap, Math.max(current + 1, wanted));
        int to = (int) Math.min(max, stepped);
        Reason reason = usedPanic ? Reason.PANIC : byRise ? Reason.SIGNAL_RISING : Reason.SIGNAL_HIGH;
        // The formula prints its divisor in full and its value with the decimals that give its result by hand
        // (0.575, not the "0.58" that made ceil(6 x 0.77/0.58) = 9 read wrong), and names the signal it sizes by
        // when that is not the one the sentence leads with.
        String sizedName = sizedBy == lead ? "" : sizedBy.name() + " ";
        // Replicas still starting are waited for unless the load is past the line even once they serve: said, or a
        // PANIC 6 -> 8 with 2 starting read as skipping the wait the config reference says it keeps (recheck 60, R4).
        Classified over = starting(t) ? stillHigh(t) : null;
        String starting = over == null ? "" : "; " + (current - t.ready()) + " of " + current + " still starting, and "
                + over.name() + " " + num(over.v()) + " x " + basis + "/" + current + " = "
                + Format.against(over.v() * basis / current, ">", over.line()) + " even once they serve";
        return Optional.of(new Proposal(Stage.SCALE_OUT, reason, to, () -> t.component() + " " + leadText.get()
                + (usedPanic ? ", above the panic line: " + compare(lead.v(), ">", so.panicAbove()
                * lead.band().scaleOutAbove()) : "") + starting + "; "
                + current + " -> " + to + (forecast.isPresent()
                ? " (ceil(" + sizedName + Format.ceilTerm(fillLoad, 1, fillLine, sized)
                + " load now or forecast within "
                + human(t.settings().forecast().horizon()) + " / " + Format.level(fillLine) + " fill) = " + sized
                : " (ceil(" + basis + (basis != current ? " ready" : "") + " x " + sizedName
                + (sizedBy == lead && !byRise ? Format.ceilTerm(sizedBy.v(), basis, sizedBy.band().target(), sized,
                        Format.shownAgainst(lead.v(), ">", lead.line()))
                        : Format.ceilTerm(sizedBy.v(), basis, sizedBy.band().target(), sized)) + "/"
                + Format.level(sizedBy.band().target()) + ") = " + sized)
                + (projectedBy == null ? "" : ", but " + projectedBy.name() + "'s load (value x ready) heads for "
                + num(projectedLoad) + " in " + human(so.sizeAhead()) + " (size-ahead) at its recent rate: ceil("
                + Format.ceilTerm(projectedLoad, 1, aheadLine(t, projectedBy), wanted) + "/"
                + Format.level(aheadLine(t, projectedBy)) + aheadLineNote(t, projectedBy) + ") = " + wanted)
                + ", max-step " + (cap == so.maxStep() ? String.valueOf(cap)
                : cap + " (max-step-share " + num(so.maxStepShare()) + " of " + current + ")")
                + (to < stepped ? ", max-replicas " + max : "") + ")"));
    }

    /** Notes whether qps read as rising within its run on this tick, the streak a rise with no cpu must hold. */
    @Override
    public Timers decided(Timers own, Tick t, Proposal settled) {
        Classified qps = Classified.known(t.signals(), QPS);
        QpsRise next = own.qpsRise().rose(qps != null && own.qpsRise().since() != null && rising(t, qps), t.now());
        return next == own.qpsRise() ? own
                : new Timers(own.highSince(), own.lastScaleOut(), own.ready(), own.lines(), next, own.outside());
    }

    /**
     * Any written scale-out (a roll-back, an alert, the floor, the fallback included) starts the cooldown; any written
     * scale sets the count the next tick expects, so only a count someone else set is an outside rise.
     */
    @Override
    public Timers written(Timers own, Tick t, Proposal settled) {
        OutsideMoves outside = own.outside().written(settled.to());
        if (settled.reason().action() != Action.SCALE_OUT) {
            return outside == own.outside() ? own : own.withOutside(outside);
        }
        return new Timers(own.highSince(), t.now(), own.ready(), own.lines(), own.qpsRise(), outside);
    }

    /**
     * AT_MAX: more replicas are wanted than max-replicas allows, by a signal or by an alert (the
     * alerts rule passes the alert keys it consumes). Held at the current count.
     */
    static Optional<Proposal> atMax(Tick t, Supplier<String> message, Set<String> alertKeys) {
        return Optional.of(new Proposal(Stage.SCALE_OUT, Reason.AT_MAX, t.current(), message, alertKeys));
    }

    /**
     * How many sustains ahead a rise is projected ({@link #ahead}): 1.1, a little past one sustain,
     * because the signal itself lags the load (irate() by up to a scrape interval and a tick), so a rise
     * seen now began earlier. Measured with {@code simulate} (one run per trace, defaults) when the
     * templates read rate(): on twitter_volume_amzn 1.1 cut the overload from 5,148 to 5,065 s at the
     * same 116 actions. Measured again when they moved to irate() (scale-in.sustain 10m): 1.0 / 1.1 / 1.2 /
     * 1.4 gave 4,381 / 4,261 / 4,231 / 4,114 s of overload for 116 / 120 / 128 / 140 actions (hpa: 202,
     * so past 1.1 the actions leave issue 18's 0.6x), elb_request_count 25,775 / 25,471 / 24,696 / 23,811 s
     * for 3.09 / 3.11 / 3.13 / 3.15 million node-seconds; nyc_taxi is unchanged.
     */
    static final double LOOK_AHEAD_SUSTAINS = 1.1;

    /**
     * A signal counts as rising, and scales out without waiting for {@code scale-out.sustain}, when
     * it is above its target, at its recent rate would pass {@code scale-out-above} within
     * {@value #LOOK_AHEAD_SUSTAINS} sustains, and that rise is at least half the gap between target
     * and line, so a slow drift across the line still has to sustain. Example, cpu band [0.40, 0.75],
     * target 0.575, sustain 1m: 0.66 rising 0.12/min heads for 0.66 + 1.1 x 0.12 = 0.79 > 0.75 with
     * 0.13 >= 0.0875: rising; 0.74 rising 0.02/min heads for 0.76 but 0.022 < 0.0875: not rising, it
     * must sustain.
     */
    static boolean rising(Tick t, Classified c) {
        if (!(c.v() > c.band().target())) {
            return false;
        }
        double ahead = ahead(t, c);
        return ahead > c.line() && ahead - c.v() >= (c.line() - c.band().target()) / 2;
    }

    /**
     * Whether a rise of {@code c} is load arriving as far as the component's own cpu can tell: a qps rise counts only
     * while cpu, when known, is HIGH or rises by at least {@value #CPU_SHARE_OF_QPS_RISE} of qps' relative rise over
     * their short averages, and by more than a flat cpu moves from tick to tick ({@value #CPU_NOISE}). qps is one
     * cluster value summed from every proxy's counters, whose scrapes do not line up: for a tick or two around a
     * proxy's restart, replacement or removal, or as sticky connections move back, it reads a share of the load
     * missing or twice (130 -> 65 -> 130, or 130 -> 195), and each read as a rise that scaled queryNodes out
     * (real-install rechecks 3-5: 2 -> 3, 2 -> 4) while their cpu did not move; "above its average" alone let a flat
     * cpu through on half the ticks (recheck 5: +0.00018), and a 2% floor on 1 artifact in 16, cAdvisor's cpu swinging
     * about 4% around a flat 0.55 (recheck 6). A quarter, not all of it: cpu has a base a search rate
     * does not move (segment loads, compaction), so 50% more searches on a node at 0.30 + 0.25 of them is 23% more
     * cpu. A cpu rise stands alone: heavier searches at the same rate (a larger topK, a filter) are load the proxies'
     * count does not show. In the simulator cpu and qps follow the same demand, so no decision there changes.
     * Example: qps 130 -> 195 (+50%) with cpu 0.55 over a short average of 0.55 is no rise (0% < 12.5%); with cpu
     * 0.66 over 0.55 (+20%), it is.
     *
     * <p>Whatever the cpu, qps must stand more than {@value #QPS_NOISE} above every load of the last
     * {@link #qpsLookBack} ({@link QpsRise}): after a dip qps reads as rising for two or three ticks, and cAdvisor's
     * cpu swings past 5% on one of them often enough (recheck 6: 1 artifact in 16 at a 2% floor, on the second tick
     * after a dip). In the simulator this changes no decision either: its qps-led rises are new highs.
     *
     * <p>Where cpu is not a signal (no CPU request, the Milvus chart's and the operator's default) the rise must
     * confirm itself ({@link QpsRise}): read as rising, and that far above every load of the last
     * {@link #qpsLookBack}, on every tick for {@link #qpsHold}. That costs a genuine rise two ticks (30 s) against the
     * cpu's confirmation; the simulator always has a cpu, so none of its decisions changes.
     */
    static boolean corroborated(Tick t, Classified c) {
        if (!c.name().equals(QPS)) {
            return true;
        }
        LoadAverages averages = t.memory(StepDown.Steps.class).averages();
        double load = Math.max(1, t.ready());
        double qpsRecent = averages.shortTerm(QPS);
        if (Double.isNaN(qpsRecent) || qpsRecent <= 0) {
            return true;
        }
        QpsRise run = t.memory(Timers.class).qpsRise();
        if (run.since() == null) {
            return false; // not clearly above what the look-back saw: the return from a dip, whatever the cpu does
        }
        Classified cpu = Classified.known(t.signals(), CPU);
        if (cpu == null) {
            return run.held(t.now(), qpsHold(t.settings().scaleOut()));
        }
        double cpuRecent = averages.shortTerm(CPU);
        if (cpu.state() == SignalState.HIGH || Double.isNaN(cpuRecent) || cpuRecent <= 0) {
            return true;
        }
        double qpsRise = c.v() * load / qpsRecent - 1;
        double cpuRise = cpu.v() * load / cpuRecent - 1;
        return cpuRise >= Math.max(CPU_NOISE, CPU_SHARE_OF_QPS_RISE * qpsRise);
    }

    /**
     * How long qps must read as rising, clearly above the look-back's highest load, before the rise counts with no
     * cpu to confirm it ({@link QpsRise}): half of {@code scale-out.sustain}, 30 s with the defaults. A removed
     * proxy's last rate counts beside the share the others took over until its own scrape or kube-state-metrics shows
     * it gone, up to one scrape interval: 195 for 130 on two 15 s ticks at Prometheus' 30s default (recheck 6, 4 of 4
     * removals), so it must hold for longer, a third tick. At a 60s scrape it can last four.
     */
    static Duration qpsHold(ScaleOutSettings so) {
        return so.sustain().dividedBy(2);
    }

    /**
     * How far back a qps level counts as seen, so that a return to it is no rise ({@link QpsRise}): twice
     * {@code scale-out.sustain}, 2m with the defaults. A misread of the proxies' sum lasts up to one scrape interval
     * after a proxy event, and the tick that reads the return must still see the level before it: recheck 4 measured
     * 75 s at a 60s scrape. 2m is also the qps template's rate range.
     */
    static Duration qpsLookBack(ScaleOutSettings so) {
        return so.sustain().multipliedBy(2);
    }

    /**
     * How far above the look-back's highest load qps must stand on every tick of its run ({@link QpsRise}): the count
     * of a 30s irate at the qps band's target, 115/s on one queryNode, is 3,450 searches, whose Poisson noise is 1.7%,
     * so 5% is about three of it. A return that overshoots a seen level by noise (130 -> 65 -> 131 -> 132) is no
     * rise, and a slow drift (+0.4%/min) opens no run that a one-tick over-read could then complete (recheck 7).
     */
    static final double QPS_NOISE = 0.05;

    /** The least share of qps' relative rise the cpu must show for the qps rise to count ({@link #corroborated}). */
    static final double CPU_SHARE_OF_QPS_RISE = 0.25;
    /**
     * The least relative cpu rise that is more than a flat cpu's tick-to-tick movement ({@link #corroborated}): above
     * the 4% swing recheck 6 measured, and the largest floor that changes no decision in the simulator (6% moved one
     * on elb_request_count by 30 node-seconds), whose qps-led rises come with the same rise in cpu.
     */
    static final double CPU_NOISE = 0.05;

    static final String QPS = "qps";
    static final String CPU = "cpu";

    /**
     * Where a signal is heading {@value #LOOK_AHEAD_SUSTAINS} x {@code scale-out.sustain} ahead at its
     * recent rate of rise. The recent average lags a steady rise by half a sustain, so the rise per
     * sustain is twice the gap: cpu 0.66 now over a recent average of 0.62 gives 0.66 + 1.1 x 2 x 0.04
     * = 0.748. Averages are kept
     * per ready replica set (value x ready, the step-down rule's {@link LoadAverages}), so a
     * step-down does not read as a rise.
     */
    static double ahead(Tick t, Classified c) {
        double recent = t.memory(StepDown.Steps.class).averages().shortTerm(c.name());
        if (Double.isNaN(recent)) {
            return c.v();
        }
        double now = c.v() * Math.max(1, t.ready());
        return (now + LOOK_AHEAD_SUSTAINS * 2 * (now - recent)) / Math.max(1, t.ready());
    }

    /**
     * {@code c}'s load (value x ready replicas) {@code scale-out.size-ahead} from now at its recent rate of rise, the
     * rate {@link #ahead} reads: the short average lags a steady rise by half a sustain, so the rise per sustain is
     * twice the gap. NaN when size-ahead is off, the signal is not rising, or it has no average yet. Example: qps 128
     * on 1 ready over a short average of 100, sustain 1m, size-ahead 4m: 128 + 4 x 2 x 28 = 352, so
     * ceil(352 / 169.5) = 3 replicas keep it under the level {@link #aheadLine} sizes at when the new ones serve,
     * where ceil(128 / 115) = 2 would need a second scale-out within minutes.
     */
    static double loadAhead(Tick t, Classified c) {
        ScaleOutSettings so = t.settings().scaleOut();
        if (so.sizeAhead().isZero()) {
            return Double.NaN;
        }
        // Only a signal that passes the rising test (and, for qps, is corroborated as it must be to scale out): a
        // signal in band a tick above its average, from noise or a qps misread, sized a scale-out another signal
        // earned (recheck 11: the proxy's cpu at 0.425, below its target, "heads for 2.55": 2 -> 4).
        if (!rising(t, c) || !corroborated(t, c)) {
            return Double.NaN;
        }
        double recent = t.memory(StepDown.Steps.class).averages().shortTerm(c.name());
        double now = c.v() * Math.max(1, t.ready());
        if (Double.isNaN(recent) || !(now > recent)) {
            return Double.NaN;
        }
        double sustains = (double) so.sizeAhead().toMillis() / Math.max(1, so.sustain().toMillis());
        return now + sustains * 2 * (now - recent);
    }

    /**
     * The level a projected load is sized at ({@code scale-out.size-ahead}): {@code forecast.line} x scale-out-above
     * (qps 1.13 x 150 = 169.5, cpu 0.8475), where a pre-scale keeps a forecast load, or the signal's line when a
     * trusted forecast already raised it there. A projection is a forecast too, four minutes ahead at the rate of the
     * last minute: sized at scale-out-above, a rise that stopped short of the projection left the new replicas in the
     * band's lower half, for the step-down rule to take back (elb_request_count: 173 of 205 such replicas were not
     * needed when they served), while the steep rises it is for (twitter_volume_amzn's) project far past either level.
     */
    static double aheadLine(Tick t, Classified c) {
        // Rounded to nine decimals as ForecastSettings#lineFor rounds the raised line: 1.13 x 0.75 is
        // 0.8474999999999999.
        return Math.max(c.line(), Math.round(t.settings().forecast().line() * c.band().scaleOutAbove() * 1e9) / 1e9);
    }

    private static String aheadLineNote(Tick t, Classified c) {
        double line = aheadLine(t, c);
        return line == c.band().scaleOutAbove() ? "" : " (forecast.line " + num(t.settings().forecast().line()) + " x "
                + Format.level(c.band().scaleOutAbove()) + ")";
    }

    /** How far a signal is from its target: 0.82 / 0.575 = 1.43. */
    private static double ratio(Classified c) {
        return c.v() / c.band().target();
    }

    private static String rise(Classified c, Tick t) {
        double ahead = ahead(t, c);
        QpsRise run = t.memory(Timers.class).qpsRise();
        return c.name() + " " + Format.against(c.v(), "> target", c.band().target()) + " and rising: "
                + Format.against(ahead, ">", c.line()) + t.lineNote(c) + " within " + LOOK_AHEAD_SUSTAINS + " x the "
                + human(t.settings().scaleOut().sustain()) + " sustain at its recent rate"
                + (c.name().equals(QPS) && run.risingSince() != null
                && Classified.known(t.signals(), CPU) == null ? ", rising and "
                + Math.round(100 * QPS_NOISE) + "% or more above its last " + human(qpsLookBack(t.settings().scaleOut()))
                + " for " + human(Duration.ofSeconds(Math.round(
                        Duration.between(run.risingSince(), t.now()).toMillis() / 1000.0)))
                + " (no cpu to confirm it)" : "");
    }

    private static String high(Classified c, Tick t) {
        Timers timers = t.memory(Timers.class);
        Instant since = timers.highSince().getOrDefault(c.name(), t.now());
        return c.name() + " " + Format.against(c.v(), ">", c.line()) + t.lineNote(c) + " for "
                + human(Duration.between(since, t.now())) + timers.lines().dropNote(c, since);
    }
}
