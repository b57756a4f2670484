package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.ScaleMemory;
import io.github.milvusautoscaler.core.SignalMap;
import io.github.milvusautoscaler.core.SignalReading;
import io.github.milvusautoscaler.core.Stage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The decision pipeline for one target: {@code decide(observation, status, state, budget, now)}.
 *
 * <p>Pure: the same inputs always give the same decision and next state. Time is an argument,
 * never read. The rules run in {@link #RULES} order and the first that settles the tick wins; the
 * limits (global budget, [min, max]) are applied to whatever it settled on. README, "The policy",
 * lists the rules with their reasons.
 */
public final class Policy {

    /**
     * The rules, in order: the first that returns a proposal settles the tick. Order matters: with
     * cpu HIGH and memory LOW, scale-out must be asked before step-down. Adding a rule is a class
     * implementing {@link Rule} (its memory a record next to it) and one line here.
     */
    static final List<Rule<?>> RULES = List.of(
            new Guards(),
            new VerifyStepDown(),
            new Alerts(),
            new ScheduledFloors(),
            new UnknownData(),
            new ScaleOut(),
            new Prescale(),
            new RecentPeak(),
            new StepDown(),
            new InBand());

    private final PolicySettings settings;

    public Policy(PolicySettings settings) {
        this.settings = requireNonNull(settings, "settings");
    }

    public PolicySettings settings() {
        return settings;
    }

    /**
     * Decides for one target at {@code now}.
     *
     * @param observation the signals, settle state, health and alerts seen this tick
     * @param status      current and ready replicas, pause and rollout state, last-scale annotations
     * @param state       the policy's memory from the previous tick ({@link TargetState#initial()} at first)
     * @param budget      the global action budget as of now
     * @param now         the tick time
     */
    public Outcome decide(Observation observation, ReplicaStatus status, TargetState state, Budget budget,
                          Instant now) {
        requireNonNull(observation, "observation");
        requireNonNull(status, "status");
        requireNonNull(state, "state");
        requireNonNull(budget, "budget");
        requireNonNull(now, "now");

        Tick tick = observe(observation, status, state, budget, now);
        TargetState prepared = tick.state();
        List<Classified> signals = tick.signals();

        Proposal proposal = null;
        for (Rule<?> rule : RULES) {
            Optional<Proposal> p = rule.decide(tick);
            if (p.isPresent()) {
                proposal = p.get();
                break;
            }
        }
        requireNonNull(proposal, "the in-band rule always settles a tick");
        proposal = limit(tick, proposal);

        SignalMap.Builder<SignalReading> readings = SignalMap.builder(signals.size());
        for (Classified c : signals) {
            readings.put(c.name(), c.reading());
        }
        Decision decision = new Decision(observation.target(), now, proposal.reason().action(), status.current(),
                proposal.to(), proposal.reason(), proposal.message(), readings.build(), false, false,
                proposal.alerts());

        TargetState.Pass decided = prepared.pass();
        for (int i = 0; i < RULES.size(); i++) {
            decided.put(i, decided(RULES.get(i), prepared.memory(i), tick, proposal));
        }
        TargetState unapplied = decided.done();
        TargetState next = unapplied;
        if (proposal.reason().action() != Action.HOLD) {
            TargetState.Pass written = unapplied.pass();
            for (int i = 0; i < RULES.size(); i++) {
                written.put(i, written(RULES.get(i), unapplied.memory(i), tick, proposal));
            }
            next = written.done();
        }
        return new Outcome(decision, next, unapplied);
    }

    /** The tick every rule decides on: the signals classified, and every rule's memory with this tick's facts in it. */
    Tick observe(Observation observation, ReplicaStatus status, TargetState state, Budget budget, Instant now) {
        List<Classified> signals = Classified.classify(settings, observation, status);
        Tick before = new Tick(settings, observation, status, state, signals, budget, now);
        TargetState.Pass observed = state.pass();
        for (int i = 0; i < RULES.size(); i++) {
            observed.put(i, observe(RULES.get(i), state.memory(i), before));
        }
        return new Tick(settings, observation, status, observed.done(), signals, budget, now);
    }

    /**
     * What the scaled object keeps of {@code state} for a daemon that restarts or takes over, with
     * {@code handled} as the alerts to remember: the back-off end, the settle-wait start, the last
     * alert scale-out, and the last step-down to one replica and its reversal.
     */
    public ScaleMemory kept(TargetState state, Set<String> handled) {
        RecentPeak.Peaks peaks = state.get(RecentPeak.Peaks.class);
        return new ScaleMemory(
                VerifyStepDown.backoffUntil(state.get(VerifyStepDown.Verification.class), settings.scaleIn()),
                state.get(StepDown.Steps.class).settleWaitSince(), state.get(Alerts.Book.class).lastScaleOut(),
                handled, peaks.toOneAt(), peaks.reversedAt());
    }

    /**
     * {@code state} with the scale-in sustain started again: the load averages and the stretch every signal has been
     * known for begin anew at the next tick, the last step-down and the settle wait kept. For a reload that changed
     * what a signal measures (its query): the averages of the old query are no evidence about the new one, and a
     * query fixed after reading 0 stepped down twice on in-band readings of the new one (reload audit F1).
     */
    public static TargetState restartSustain(TargetState state) {
        StepDown.Steps steps = state.get(StepDown.Steps.class);
        return state.with(new StepDown.Steps(LoadAverages.NONE, steps.lastStepDown(), steps.settleWaitSince()));
    }

    /**
     * The global budget holds every action but a roll-back (which undoes our own step-down and must
     * not wait), and every result stays within [min, max] except the guards' moves toward those
     * bounds.
     */
    static Proposal limit(Tick t, Proposal p) {
        if (p.to() == t.current()) {
            return p;
        }
        if (t.budget().exhausted() && p.reason() != Reason.STEP_DOWN_ROLLBACK) {
            return new Proposal(Stage.BUDGET, Reason.BUDGET_EXHAUSTED, t.current(), () -> "max-actions-per-hour "
                    + t.budget().limitPerHour() + " reached (" + t.budget().usedLastHour()
                    + " in the last hour); not acting on: " + p.message().text() + "; holding at " + t.current())
                    .withAlerts(p.alerts());
        }
        if (p.reason() == Reason.BELOW_MIN || p.reason() == Reason.ABOVE_MAX) {
            return p;
        }
        int to = t.clamp(p.to());
        return to == p.to() ? p : new Proposal(p.by(), p.reason(), to,
                () -> p.message().text() + " (clamped to " + to + ")", p.alertKeys()).withAlerts(p.alerts());
    }

    // Each rule's memory sits at the rule's position in the state (TargetState.initial() puts it there), so
    // the cast below holds; every rule reads the tick's state, never the one a pass is building.

    private static <M extends Memory> M observe(Rule<M> rule, Memory own, Tick before) {
        return rule.observe(own(own), before);
    }

    private static <M extends Memory> M decided(Rule<M> rule, Memory own, Tick t, Proposal p) {
        return rule.decided(own(own), t, p);
    }

    private static <M extends Memory> M written(Rule<M> rule, Memory own, Tick t, Proposal p) {
        return rule.written(own(own), t, p);
    }

    @SuppressWarnings("unchecked")
    private static <M extends Memory> M own(Memory own) {
        return (M) own;
    }
}
