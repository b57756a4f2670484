package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.DecisionSink;
import io.github.milvusautoscaler.core.HistorySource;
import io.github.milvusautoscaler.core.LeaderGate;
import io.github.milvusautoscaler.core.MetricsSource;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.engine.ActionBudget;
import io.github.milvusautoscaler.engine.AlertSource;
import io.github.milvusautoscaler.engine.Engine;
import io.github.milvusautoscaler.engine.EngineListener;
import io.github.milvusautoscaler.engine.EngineTarget;
import io.github.milvusautoscaler.engine.ManualClock;
import io.github.milvusautoscaler.policy.SignalPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Replays the real engine and policy over a cluster's recorded history on a manual clock: at every step
 * the engine observes what Prometheus recorded then and decides as the daemon would have, with the
 * replica count the policy itself chose (not the one that really ran), and the record of both is kept.
 *
 * <p>Honesty: the recorded signals were measured at the replica counts that really ran. With
 * {@code rescaleLoad} a per-replica share ({@link #RESCALED}: cpu, qps, read-queue, index-backlog and memory) is
 * re-divided by the policy's replicas, e.g. cpu 0.6 measured over 4 ready replicas reads 0.6 x 4 / 3 = 0.8 when
 * the policy runs 3; a latency is not rescaled. Without it the signals are used as recorded. The policy's
 * new replicas count as ready at once (the history cannot say how long they would have taken), a per-pod
 * signal counts as reported by the policy's replicas (see {@link #reporting}), and the settle and health
 * queries are as recorded. Gaps stay UNKNOWN, never interpolated.
 */
public final class Backtest {

    /**
     * Signals whose value is a share per replica of something the replicas split, rescaled by {@code rescaleLoad}:
     * the loads, and memory, mostly each queryNode's share of the loaded segments. The policy projects a step-down
     * the same way (memory 0.40 on 2 reads 0.80 on 1), so a replay that left memory as recorded at 5 replicas
     * stepped 3 to 2 on 0.39 where the daemon, reading 0.59 at 3, would hold. The per-process overhead makes it
     * read a little high at fewer replicas than recorded: the safe side.
     */
    public static final Set<String> RESCALED = Set.of("cpu", "qps", "read-queue", "index-backlog", "memory");

    private Backtest() {
    }

    /** What the cluster's history says at one step. */
    public interface History extends MetricsSource {
        /** {@code kube_deployment_spec_replicas} summed over the target's Deployments at {@code at}, if recorded. */
        OptionalInt specReplicas(Target target, Instant at);

        /** {@code kube_deployment_status_replicas_ready} summed likewise, if recorded. */
        OptionalInt readyReplicas(Target target, Instant at);

        /**
         * True when two of the target's Deployments have replicas at {@code at}: an operator queryNode blue/green
         * rollout, during which the daemon holds as ROLLOUT and the summed replicas move by one as pods move.
         */
        default boolean rollingOut(Target target, Instant at) {
            return false;
        }
    }

    /**
     * How to replay.
     *
     * @param from          first step
     * @param to            last step (inclusive when on the grid)
     * @param step          time between two ticks, the daemon's loop.interval
     * @param rescaleLoad   re-divide load-proportional signals by the policy's replicas
     * @param actionsPerHour the global max-actions-per-hour, shared by the targets as in the daemon
     */
    public record Settings(Instant from, Instant to, Duration step, boolean rescaleLoad, int actionsPerHour) {
        public Settings {
            requireNonNull(from, "from");
            requireNonNull(to, "to");
            requireNonNull(step, "step");
            if (!to.isAfter(from)) {
                throw new IllegalArgumentException("--from " + from + " must be before --to " + to);
            }
            if (step.isZero() || step.isNegative()) {
                throw new IllegalArgumentException("--step must be > 0, was " + step);
            }
        }
    }

    /** One scale action, recorded or decided. */
    public record Change(Instant time, int from, int to, String reason, String message) {
    }

    /**
     * One side of the comparison for one target.
     *
     * @param scaleOuts   actions that added replicas
     * @param stepDowns   actions that removed replicas
     * @param reversals   actions opposite to the previous one within 10 minutes of it
     * @param nodeSeconds replicas x seconds over the known steps
     * @param hotSeconds  seconds with some enabled signal above its scale-out line
     * @param knownSteps  steps with a known replica count
     * @param changes     every action in time order
     */
    public record Side(int scaleOuts, int stepDowns, int reversals, long nodeSeconds, long hotSeconds, int knownSteps,
                       List<Change> changes) {
    }

    /**
     * One target's steps for a chart: the first enabled signal as the policy saw it (NaN while unknown) with
     * its band, the recorded and the policy's replicas (-1 while unknown), and per step whether a signal was
     * above its scale-out line and whether the policy scaled out or stepped down.
     */
    public record Steps(String signal, double scaleOutAbove, double scaleInBelow, Instant from, Duration step,
                        float[] value, short[] recorded, short[] policy, byte[] flags) {
        /** Flag: some signal above its scale-out line, as the policy saw it. */
        public static final byte HOT = 1;
        /** Flag: the policy scaled out. */
        public static final byte UP = 2;
        /** Flag: the policy stepped down. */
        public static final byte DOWN = 4;

        /** Number of steps. */
        public int size() {
            return value.length;
        }
    }

    /**
     * Recorded and replayed sides of one target, the policy's decisions, its steps for a chart, and per enabled
     * signal the steps at which the history knew it ({@code signalKnownSteps}, in the policy's signal order): a
     * signal missing for a day reads as a day of "not hot" otherwise, which the report must say (backtest audit B2).
     * {@code scheduled}: the target's scheduled floors, which the replay applies at each step's instant and the
     * report names, as two runs told apart only by their numbers did not (recheck 101, F3).
     */
    public record TargetResult(Target target, Side recorded, Side policy, List<Decision> decisions,
                               List<String> unknownFromHistory, Steps steps, Map<String, Integer> signalKnownSteps,
                               List<Change> followed, List<Change> unfollowed,
                               List<io.github.milvusautoscaler.policy.ScheduledFloor> scheduled) {
    }

    /**
     * Steps every target through [{@code from}, {@code to}] and returns, per target, what really happened
     * and what the policy would have done; {@code sink} receives every decision (HOLD included).
     */
    public static List<TargetResult> run(List<EngineTarget> targets, History history, Settings settings,
                                         DecisionSink sink) {
        return run(targets, history, settings, sink, HistorySource.NONE);
    }

    /**
     * As {@link #run(List, History, Settings, DecisionSink)}, with the seasonal forecast read from
     * {@code loadHistory} (a {@link RecordedHistory}: at each tick only what the daemon could have read
     * then), so a target that forecasts is replayed as the daemon would run it.
     */
    public static List<TargetResult> run(List<EngineTarget> targets, History history, Settings settings,
                                         DecisionSink sink, HistorySource loadHistory) {
        requireNonNull(loadHistory, "loadHistory");
        requireNonNull(targets, "targets");
        requireNonNull(history, "history");
        requireNonNull(settings, "settings");
        requireNonNull(sink, "sink");
        ManualClock clock = new ManualClock(settings.from());
        Map<Target, Replicas> replicas = new HashMap<>();
        Map<Target, Tally> recorded = new LinkedHashMap<>();
        Map<Target, Tally> policy = new LinkedHashMap<>();
        Map<Target, List<Decision>> decisions = new HashMap<>();
        Map<Target, List<String>> failures = new HashMap<>();
        Map<Target, Map<String, SignalPolicy>> bands = new HashMap<>();
        Map<Target, Steps> steps = new HashMap<>();
        Map<Target, Observation> lastView = new HashMap<>();
        Map<Target, Map<String, Integer>> signalKnown = new HashMap<>();
        Map<Target, List<Change>> followed = new HashMap<>();
        Map<Target, List<Change>> unfollowed = new HashMap<>();
        Map<Target, Integer> lastSpec = new HashMap<>();
        int count = (int) (Duration.between(settings.from(), settings.to()).dividedBy(settings.step()) + 1);
        for (EngineTarget t : targets) {
            recorded.put(t.target(), new Tally());
            policy.put(t.target(), new Tally());
            decisions.put(t.target(), new ArrayList<>());
            failures.put(t.target(), new ArrayList<>());
            followed.put(t.target(), new ArrayList<>());
            unfollowed.put(t.target(), new ArrayList<>());
            Map<String, SignalPolicy> byName = new HashMap<>();
            Map<String, Integer> known = new LinkedHashMap<>();
            t.policy().settings().signals().forEach(s -> {
                byName.put(s.name(), s);
                known.put(s.name(), 0);
            });
            signalKnown.put(t.target(), known);
            bands.put(t.target(), byName);
            SignalPolicy first = t.policy().settings().signals().get(0);
            short[] recordedSteps = new short[count];
            short[] policySteps = new short[count];
            float[] values = new float[count];
            java.util.Arrays.fill(recordedSteps, (short) -1);
            java.util.Arrays.fill(policySteps, (short) -1);
            java.util.Arrays.fill(values, Float.NaN);
            steps.put(t.target(), new Steps(first.name(), first.scaleOutAbove(), first.scaleInBelow(), settings.from(),
                    settings.step(), values, recordedSteps, policySteps, new byte[count]));
        }
        MetricsSource seen = new MetricsSource() {
            @Override
            public java.util.OptionalDouble servingAmount(Target target,
                                                          io.github.milvusautoscaler.core.ContainerResource resource,
                                                          Instant at) {
                // The request recorded at the tick, as the daemon reads it then: the history's 5m points lagged a step
                // at a change (recheck 83, F3).
                return history.servingAmount(target, resource, at);
            }

            @Override
            public Observation observe(Target target, Instant at) {
                Observation o = history.observe(target, at);
                Replicas r = replicas.get(target);
                OptionalInt recordedReady = history.readyReplicas(target, at);
                Observation view = settings.rescaleLoad() ? rescaled(o, recordedReady, r.current)
                        : reporting(o, recordedReady, r.current);
                for (Signal s : view.signals().values()) {
                    if (!s.isKnown() && s.problem().contains("(range ") && failures.get(target).size() < 5) {
                        failures.get(target).add(s.name() + ": " + s.problem());
                    }
                }
                signalKnown.get(target).replaceAll((name, n) -> {
                    Signal s = o.signals().get(name);
                    return s != null && s.isKnown() ? n + 1 : n;
                });
                policy.get(target).hot(hot(view, bands.get(target)), settings.step());
                recorded.get(target).hot(hot(o, bands.get(target)), settings.step());
                lastView.put(target, view);
                return view;
            }
        };
        Set<Target> rolling = new java.util.HashSet<>();
        ReplicaActuator actuator = new ReplicaActuator() {
            @Override
            public ReplicaStatus read(Target target) {
                Replicas r = replicas.get(target);
                ReplicaStatus status = new ReplicaStatus(r.current, r.current, false, rolling.contains(target),
                        Optional.empty(), "");
                return status.withResources(loadHistory.declared(target, clock.instant()));
            }

            @Override
            public void apply(Decision decision, ReplicaStatus basis) {
                replicas.get(decision.target()).current = decision.to();
            }
        };
        Engine engine = new Engine(clock, seen, actuator, d -> {
            sink.record(d);
            decisions.get(d.target()).add(d);
        }, LeaderGate.always(), AlertSource.NONE, new ActionBudget(settings.actionsPerHour()), false,
                EngineListener.NONE, loadHistory);

        int index = 0;
        for (Instant at = settings.from(); !at.isAfter(settings.to()); at = at.plus(settings.step()), index++) {
            clock.set(at);
            for (EngineTarget t : targets) {
                Target target = t.target();
                OptionalInt spec = history.specReplicas(target, at);
                boolean rollout = history.rollingOut(target, at);
                if (rollout) {
                    rolling.add(target);
                } else {
                    rolling.remove(target);
                }
                // A blue/green rollout moves the summed replicas by one as pods move: its cost counts, its moves are
                // not the cluster's scale actions.
                if (rollout) {
                    recorded.get(target).count(spec, settings.step());
                } else {
                    recorded.get(target).record(spec, at, settings.step());
                }
                Steps st = steps.get(target);
                if (spec.isPresent() && index < st.size()) {
                    st.recorded()[index] = (short) Math.min(Short.MAX_VALUE, spec.getAsInt());
                }
                Replicas r = replicas.get(target);
                if (r == null) {
                    if (spec.isEmpty()) {
                        continue; // nothing to start from yet
                    }
                    r = new Replicas(spec.getAsInt());
                    replicas.put(target, r);
                    if (r.current == 0) {
                        // Stopped before the range: said, or a range stopped throughout read "would not have scaled"
                        // with nothing to say why (backtest recheck 3, N1).
                        followed.get(target).add(new Change(at, 0, 0, "STOPPED", "recorded spec.replicas 0 when"
                                + " the range starts: the component was stopped, and the daemon holds it at 0"));
                    }
                }
                followStopOrStart(r, spec, at, followed.get(target));
                int before = r.current;
                Integer previous = spec.isPresent() ? lastSpec.put(target, spec.getAsInt()) : lastSpec.get(target);
                Decision d = engine.tick(t);
                if (!rollout && spec.isPresent() && previous != null && previous == before && spec.getAsInt() != previous
                        && spec.getAsInt() != 0 && previous != 0 && r.current != spec.getAsInt()) {
                    // The two counts agreed and the recorded one moved without the replay: a hand change, another
                    // autoscaler or an earlier config, which the daemon would have decided from (backtest recheck 3).
                    unfollowed.get(target).add(new Change(at, previous, spec.getAsInt(), "RECORDED",
                            "recorded spec.replicas " + previous + " -> " + spec.getAsInt() + " while the replay was at "
                                    + previous));
                }
                Tally p = policy.get(target);
                if (d.action() != Action.HOLD && r.current != before) {
                    p.change(new Change(at, before, r.current, d.reason().name(), d.message().text()));
                }
                // Counted over the recorded side's steps only, so the two costs cover the same time: a gap in
                // kube-state-metrics or a range past Prometheus' data would otherwise charge the policy alone.
                p.count(spec.isPresent() ? OptionalInt.of(r.current) : OptionalInt.empty(), settings.step());
                if (index < st.size()) {
                    st.policy()[index] = (short) Math.min(Short.MAX_VALUE, r.current);
                    Observation view = lastView.remove(target);
                    if (view != null) {
                        Signal v = view.signals().get(st.signal());
                        if (v != null && v.isKnown()) {
                            st.value()[index] = (float) v.value().getAsDouble();
                        }
                        if (hot(view, bands.get(target))) {
                            st.flags()[index] |= Steps.HOT;
                        }
                    }
                    if (r.current > before) {
                        st.flags()[index] |= Steps.UP;
                    } else if (r.current < before) {
                        st.flags()[index] |= Steps.DOWN;
                    }
                }
            }
        }
        List<TargetResult> out = new ArrayList<>();
        for (EngineTarget t : targets) {
            Target target = t.target();
            out.add(new TargetResult(target, recorded.get(target).side(), policy.get(target).side(),
                    List.copyOf(decisions.get(target)), List.copyOf(failures.get(target)), steps.get(target),
                    java.util.Collections.unmodifiableMap(new LinkedHashMap<>(signalKnown.get(target))),
                    List.copyOf(followed.get(target)), List.copyOf(unfollowed.get(target)),
                    t.policy().settings().scheduled()));
        }
        return out;
    }

    /**
     * Takes up a recorded stop at 0 or a start from it, as the daemon would: it reads the count every tick, holds a
     * component at 0 (SCALED_TO_ZERO) and decides again from the count a person sets when starting it. Neither this
     * daemon nor the HPA moves a component to or from 0 (min-replicas is at least 1), so in their histories such a move
     * is a person's (KEDA's minReplicaCount is 0 by default: its idle periods read as stops, followed too). The replay
     * kept its own count through it, charged the policy 48 node-hours for a day the component was stopped and,
     * started at 0, held it at 0 for a day after it was started again (backtest recheck 2, H1). Any other recorded
     * move stays the recorded side's: it may be another autoscaler's or an earlier config's, and following it would
     * copy that policy into the replay; one made while the two counts agreed is named (unfollowed).
     */
    private static void followStopOrStart(Replicas r, OptionalInt spec, Instant at, List<Change> followed) {
        if (spec.isEmpty()) {
            return;
        }
        int recorded = spec.getAsInt();
        if ((recorded == 0) == (r.current == 0)) {
            return;
        }
        followed.add(new Change(at, r.current, recorded, recorded == 0 ? "STOPPED" : "STARTED", recorded == 0
                ? "recorded spec.replicas 0: the component was stopped, and the daemon holds it at 0"
                : "recorded spec.replicas " + recorded + " after a stop at 0: the daemon decides again from it"));
        r.current = recorded;
    }

    /**
     * Per-pod signals as reported by the policy's replicas: the recorded pods reporting were counted against
     * the replicas that ran, so "all 3 of 3 report" becomes "all 5 of 5" when the policy runs 5 (else the
     * policy would read every per-pod signal as partial, UNKNOWN, once it differs from the recorded count),
     * and pods that did not report stay missing: 2 of 3 becomes 4 of 5.
     */
    static Observation reporting(Observation o, OptionalInt recordedReady, int current) {
        if (recordedReady.isEmpty()) {
            return o;
        }
        Map<String, Signal> signals = new LinkedHashMap<>();
        for (Map.Entry<String, Signal> e : o.signals().entrySet()) {
            Signal s = e.getValue();
            if (s.isKnown() && s.podsReporting() > 0) {
                int missing = Math.max(0, recordedReady.getAsInt() - s.podsReporting());
                s = Signal.known(s.name(), s.value().getAsDouble(), Math.max(0, current - missing), s.newestSampleAge());
            }
            signals.put(e.getKey(), s);
        }
        return new Observation(o.target(), o.at(), signals, o.settle(), o.health(), o.alerts());
    }

    /** Shares measured over {@code recordedReady} replicas, re-divided by the policy's {@code current}. */
    static Observation rescaled(Observation o, OptionalInt recordedReady, int current) {
        Map<String, Signal> signals = new LinkedHashMap<>();
        for (Map.Entry<String, Signal> e : o.signals().entrySet()) {
            Signal s = e.getValue();
            if (!RESCALED.contains(e.getKey()) || !s.isKnown()) {
                signals.put(e.getKey(), s);
            } else if (recordedReady.isEmpty() || recordedReady.getAsInt() <= 0) {
                signals.put(e.getKey(), Signal.unknown(s.name(), "recorded ready replicas unknown: cannot rescale "
                        + s.name() + " to the policy's replicas"));
            } else {
                double load = s.value().getAsDouble() * recordedReady.getAsInt();
                int missing = Math.max(0, recordedReady.getAsInt() - s.podsReporting());
                signals.put(e.getKey(), Signal.known(s.name(), load / current,
                        s.podsReporting() > 0 ? Math.max(0, current - missing) : 0, s.newestSampleAge()));
            }
        }
        return new Observation(o.target(), o.at(), signals, o.settle(), o.health(), o.alerts());
    }

    private static boolean hot(Observation o, Map<String, SignalPolicy> bands) {
        for (Map.Entry<String, SignalPolicy> e : bands.entrySet()) {
            Signal s = o.signals().get(e.getKey());
            if (s != null && s.isKnown() && s.value().getAsDouble() > e.getValue().scaleOutAbove()) {
                return true;
            }
        }
        return false;
    }

    private static final class Replicas {
        int current;

        Replicas(int current) {
            this.current = current;
        }
    }

    /** Counts one side as the steps go by. */
    private static final class Tally {
        private static final Duration REVERSAL_WINDOW = Duration.ofMinutes(10);
        private final List<Change> changes = new ArrayList<>();
        private Integer last;
        private long nodeSeconds;
        private long hotSeconds;
        private int known;
        private int ups;
        private int downs;
        private int reversals;

        /** Counts a step at {@code value}: its cost, no action (the policy's side, whose actions come as changes). */
        void count(OptionalInt value, Duration step) {
            if (value.isPresent()) {
                known++;
                nodeSeconds += value.getAsInt() * step.toSeconds();
            }
        }

        /** Counts a step and records a change from the last recorded value as a scale action of the cluster. */
        void record(OptionalInt value, Instant at, Duration step) {
            count(value, step);
            if (value.isEmpty()) {
                return;
            }
            int now = value.getAsInt();
            // A stop at 0 or a start from it is a person's, which the replay follows too: no scale action of the
            // cluster's (a start counted as a recorded scale-out, a one-scrape flap to 0 as a reversal).
            if (last != null && now != last && now != 0 && last != 0) {
                change(new Change(at, last, now, "recorded", "recorded spec.replicas " + last + " -> " + now));
            }
            last = now;
        }

        void change(Change c) {
            if (!changes.isEmpty()) {
                Change previous = changes.get(changes.size() - 1);
                boolean opposite = Integer.signum(c.to() - c.from()) != Integer.signum(previous.to() - previous.from());
                if (opposite && !c.time().isAfter(previous.time().plus(REVERSAL_WINDOW))) {
                    reversals++;
                }
            }
            if (c.to() > c.from()) {
                ups++;
            } else {
                downs++;
            }
            changes.add(c);
        }

        void hot(boolean hot, Duration step) {
            if (hot) {
                hotSeconds += step.toSeconds();
            }
        }

        Side side() {
            return new Side(ups, downs, reversals, nodeSeconds, hotSeconds, known, List.copyOf(changes));
        }
    }
}
