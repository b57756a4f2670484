package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.SignalMap;
import io.github.milvusautoscaler.core.SignalReading;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The decision pipeline for one target: {@code decide(observation, status, state, budget, now)}.
 *
 * <p>Pure: the same inputs always give the same decision and next state. Time is an argument,
 * never read. Stages run in the contract's order and the first that settles the tick wins; the
 * limits (global budget, [min, max]) are applied to whatever it settled on.
 */
public final class Policy {

    /** A named stage, so traces and tests can say which stage decided. */
    record Stage(String name, Function<Tick, Optional<Proposal>> apply) {
    }

    /** The pipeline, in the policy contract's order. */
    static final List<Stage> PIPELINE = List.of(
            new Stage("guards", Stages::guards),
            new Stage("verify-step-down", Stages::verifyStepDown),
            new Stage("alerts", Stages::alerts),
            new Stage("all-unknown", Stages::allUnknown),
            new Stage("scale-out", Stages::scaleOut),
            new Stage("scale-in", Stages::scaleIn),
            new Stage("in-band", Stages::inBand));

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

        List<Classified> signals = Stages.classify(settings, observation, status);
        TargetState prepared = Stages.advanceTimers(Stages.noteReady(
                Stages.rememberLastScale(state, status, settings.scaleIn()).withMemory(status.memory()), status, now),
                signals, status.ready(),
                settings.scaleIn().sustain(), settings.scaleOut().sustain(), now);
        Tick tick = new Tick(settings, observation, status, prepared, signals, budget, now);

        Proposal proposal = null;
        for (Stage stage : PIPELINE) {
            Optional<Proposal> p = stage.apply().apply(tick);
            if (p.isPresent()) {
                proposal = p.get();
                break;
            }
        }
        requireNonNull(proposal, "the in-band stage always settles a tick");
        proposal = limit(tick, proposal);

        SignalMap.Builder<SignalReading> readings = SignalMap.builder(signals.size());
        for (Classified c : signals) {
            readings.put(c.name(), c.reading());
        }
        Decision decision = new Decision(observation.target(), now, proposal.reason().action(), status.current(),
                proposal.to(), proposal.reason(), proposal.message(), readings.build(), false);

        TargetState unapplied = housekeeping(tick, prepared, proposal);
        return new Outcome(decision, remember(tick, unapplied, proposal), unapplied);
    }

    /**
     * Contract step 8: the global budget holds every action but a roll-back (which undoes our own
     * step-down and must not wait), and every result stays within [min, max] except the guards'
     * moves toward those bounds.
     */
    static Proposal limit(Tick t, Proposal p) {
        if (p.to() == t.current()) {
            return p;
        }
        if (t.budget().exhausted() && p.reason() != Reason.STEP_DOWN_ROLLBACK) {
            return new Proposal(Reason.BUDGET_EXHAUSTED, t.current(), () -> "max-actions-per-hour "
                    + t.budget().limitPerHour() + " reached (" + t.budget().usedLastHour()
                    + " in the last hour); not acting on: " + p.message().text() + "; holding at " + t.current());
        }
        if (p.reason() == Reason.BELOW_MIN || p.reason() == Reason.ABOVE_MAX) {
            return p;
        }
        int to = t.clamp(p.to());
        return to == p.to() ? p : new Proposal(p.reason(), to, () -> p.message().text() + " (clamped to " + to + ")",
                p.alertKeys());
    }

    /** State changes that hold whether or not a write happens: settle wait, expired windows, alert keys. */
    private static TargetState housekeeping(Tick t, TargetState s, Proposal p) {
        Instant settleWaitSince = Stages.settled(t) ? null
                : s.settleWaitSince() != null ? s.settleWaitSince() : t.now();
        TargetState out = settleWaitSince == s.settleWaitSince() ? s : s.withSettleWaitSince(settleWaitSince);
        if (out.verifyUntil() != null && !Stages.verifying(t)) {
            out = out.withVerifyUntil(null);
        }
        if (t.observation().alerts().isEmpty() && out.handledAlerts().isEmpty() && p.alertKeys().isEmpty()) {
            return out;
        }
        Set<String> firing = t.observation().alerts().stream().map(ActiveAlert::key).collect(Collectors.toSet());
        Set<String> handled = new HashSet<>(out.handledAlerts());
        handled.retainAll(firing);
        if (p.reason().action() == Action.HOLD) {
            handled.addAll(p.alertKeys());
        }
        return out.withAlerts(out.lastAlertScaleOut(), handled);
    }

    /** What a written action adds to the state: last scale times, verify window, back-off, alert keys. */
    private TargetState remember(Tick t, TargetState s, Proposal p) {
        Instant now = t.now();
        switch (p.reason().action()) {
            case SCALE_OUT -> {
                TargetState out = s.withLastScaleOut(now);
                if (p.reason() == Reason.STEP_DOWN_ROLLBACK) {
                    out = out.withVerifyUntil(null).withBackoffUntil(now.plus(settings.scaleIn().backoff()));
                }
                if (p.reason() == Reason.ALERT_SCALE_OUT) {
                    Set<String> handled = new HashSet<>(out.handledAlerts());
                    handled.addAll(p.alertKeys());
                    out = out.withAlerts(now, handled);
                }
                return out;
            }
            case SCALE_IN -> {
                return s.withLastScaleIn(now, now.plus(settings.scaleIn().verifyWindow())).withSettleWaitSince(null);
            }
            default -> {
                return s;
            }
        }
    }
}
