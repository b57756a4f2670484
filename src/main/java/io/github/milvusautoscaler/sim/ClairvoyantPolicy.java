package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Message;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.DecisionReason;
import io.github.milvusautoscaler.core.Stage;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Target;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The clairvoyant lanes: {@code clairvoyant} (no overload) and {@code clairvoyant-no-hot} (never
 * above {@code sim.hot-above}) replay the optimal {@link ClairvoyantSchedule} through the same
 * simulated component as every other policy, so their scorecard rows show the bound measured the
 * same way (and a test can check the DP's model against the simulator's). They ignore the
 * observations: the schedule is computed once, at the first tick, from the whole demand curve.
 */
public final class ClairvoyantPolicy implements SimPolicy {

    /** Name of the lane with zero overload seconds. */
    public static final String CLAIRVOYANT = "clairvoyant";
    /** Name of the lane with zero hot seconds. */
    public static final String CLAIRVOYANT_NO_HOT = "clairvoyant-no-hot";

    private final String name;
    private final Target target;
    private final LoadTrace demand;
    private final SimSettings settings;
    private final ClairvoyantSchedule.Goal goal;
    private final long originMillis;
    private final long tickMillis;
    private ClairvoyantSchedule schedule;

    /**
     * @param name     the name in reports
     * @param target   the target decisions name
     * @param demand   the demand curve the simulation runs (rescaled and compressed)
     * @param settings the simulation's settings
     * @param goal     what the schedule must never allow
     */
    public ClairvoyantPolicy(String name, Target target, LoadTrace demand, SimSettings settings,
                             ClairvoyantSchedule.Goal goal) {
        this.name = requireNonNull(name, "name");
        this.target = requireNonNull(target, "target");
        this.demand = requireNonNull(demand, "demand");
        this.settings = requireNonNull(settings, "settings");
        this.goal = requireNonNull(goal, "goal");
        this.originMillis = demand.start().toEpochMilli();
        this.tickMillis = settings.tick().toMillis();
    }

    /** A factory for the registry: the lane needs the simulation's demand curve. */
    static ClairvoyantPolicy create(String name, ClairvoyantSchedule.Goal goal, SimContext ctx) {
        LoadTrace d = ctx.demand().orElseThrow(() -> new IllegalArgumentException(
                "policy '" + name + "' needs the demand curve: run it inside a simulation"));
        return new ClairvoyantPolicy(name, ctx.target(), d, ctx.settings(), goal);
    }

    @Override
    public String name() {
        return name;
    }

    /** The schedule this lane replays (solved at the first tick). */
    public ClairvoyantSchedule schedule(int initialReplicas) {
        if (schedule == null) {
            schedule = ClairvoyantSchedule.solve(demand, settings, initialReplicas, goal, true);
        }
        return schedule;
    }

    /**
     * The schedule this lane has solved, when it was solved on {@code demand} and {@code settings} (the same
     * objects): what the run's bound may take instead of solving the same goal again.
     */
    Optional<ClairvoyantSchedule> solvedOn(LoadTrace demand, SimSettings settings) {
        return schedule != null && this.demand == demand && this.settings == settings ? Optional.of(schedule)
                : Optional.empty();
    }

    /** Why the replayed schedule does what it does: it knows the future, so no rule of the policy is involved. */
    enum ScheduleReason implements DecisionReason {
        /** The schedule keeps the count. HOLD. */
        SCHEDULE_HOLDS(Action.HOLD),
        /** The schedule adds nodes ahead of demand. SCALE_OUT. */
        SCHEDULE_ADDS(Action.SCALE_OUT),
        /** The schedule removes a node the demand no longer needs. SCALE_IN. */
        SCHEDULE_REMOVES(Action.SCALE_IN);

        private final Action action;

        ScheduleReason(Action action) {
            this.action = action;
        }

        @Override
        public Action action() {
            return action;
        }

        @Override
        public Stage stage() {
            return Stage.BASELINE;
        }

        @Override
        public boolean blocksAction() {
            return false;
        }
    }

    @Override
    public Decision tick(Observation observation, ReplicaStatus status, Instant now) {
        requireNonNull(observation, "observation");
        requireNonNull(status, "status");
        requireNonNull(now, "now");
        long k = Math.floorDiv(now.toEpochMilli() - originMillis, tickMillis);
        int from = status.current();
        // The first tick sees the initial replicas: nothing has been written yet.
        ClairvoyantSchedule s = schedule(from);
        int to = k >= 0 && k < s.ticks() ? s.replicasAt((int) k) : from;
        if (to == from) {
            return new Decision(target, now, Action.HOLD, from, from, ScheduleReason.SCHEDULE_HOLDS,
                    Message.lazy(() -> name + ": the optimal schedule holds " + from), Map.of(), false);
        }
        Action action = to > from ? Action.SCALE_OUT : Action.SCALE_IN;
        ScheduleReason reason = to > from ? ScheduleReason.SCHEDULE_ADDS : ScheduleReason.SCHEDULE_REMOVES;
        long leadSeconds = settings.model().startup().plus(settings.model().warmup()).toSeconds();
        Message message = Message.lazy(() -> to > from
                ? String.format(Locale.ROOT, "%s: the demand %ds ahead needs more nodes; %d -> %d", name,
                        leadSeconds, from, to)
                : String.format(Locale.ROOT, "%s: one node fewer fits the demand for the whole drain; %d -> %d",
                        name, from, to));
        return new Decision(target, now, action, from, to, reason, message, Map.of(), false);
    }
}
