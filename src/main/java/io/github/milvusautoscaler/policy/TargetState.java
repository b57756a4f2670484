package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Arrays;
import java.util.Set;

/**
 * The policy's memory of one target between ticks: one small record per rule that keeps any
 * ({@link Memory}), each changed only by its own rule. The engine keeps it and passes it back;
 * nothing is hidden in the policy.
 *
 * <p>What must survive a restart (last scale time and direction; back-off, settle-wait start and
 * handled alerts as {@code core.ScaleMemory}) is also written as annotations on the scaled object
 * and merged back in by the rules that own it ({@link Rule#observe}) from
 * {@code ReplicaStatus.lastScale()} and {@code ReplicaStatus.memory()} each tick.
 */
public final class TargetState {

    /** Each rule's memory type, at the rule's position in {@link Policy#RULES}. */
    private static final Class<?>[] TYPES = typesOf();

    private static final TargetState INITIAL = initialOf();

    /**
     * Each rule's memory at the rule's position in {@link Policy#RULES}. An array rather than a map by
     * type because a tick reads memories dozens of times and changes one or two (the load averages move
     * every tick): a pass copies 10 references once, where a map was copied and rehashed for every
     * changed memory, about 30% of the simulator's milvus-autoscaler lane on nyc_taxi (JFR samples).
     * Never modified after construction.
     */
    private final Memory[] memories;

    private TargetState(Memory[] memories) {
        this.memories = memories;
    }

    /** The state of a target never seen before: each rule's initial memory. */
    public static TargetState initial() {
        return INITIAL;
    }

    private static Class<?>[] typesOf() {
        Class<?>[] types = new Class<?>[Policy.RULES.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = Policy.RULES.get(i).initial().getClass();
        }
        return types;
    }

    private static TargetState initialOf() {
        Memory[] m = new Memory[Policy.RULES.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = Policy.RULES.get(i).initial();
        }
        return new TargetState(m);
    }

    /** The position of the rule keeping a memory of type {@code type}; the first for {@link Memory.None}. */
    private static int slot(Class<?> type) {
        for (int i = 0; i < TYPES.length; i++) {
            if (TYPES[i] == type) {
                return i;
            }
        }
        throw new IllegalArgumentException("no rule in Policy.RULES keeps a " + type.getSimpleName());
    }

    /** The memory of type {@code type}. */
    <M extends Memory> M get(Class<M> type) {
        return type.cast(memories[slot(type)]);
    }

    /** The memory of the rule at position {@code rule} of {@link Policy#RULES}. */
    Memory memory(int rule) {
        return memories[rule];
    }

    /** This state with {@code memory} in place of its type's current one. */
    <M extends Memory> TargetState with(M memory) {
        requireNonNull(memory, "memory");
        int i = slot(memory.getClass());
        if (memories[i].equals(memory)) {
            return this;
        }
        Memory[] m = memories.clone();
        m[i] = memory;
        return new TargetState(m);
    }

    /** {@code with(after)} unless the rule returned its memory unchanged ({@code before}, the same object). */
    <M extends Memory> TargetState with(M before, M after) {
        return before == after ? this : with(after);
    }

    /**
     * One pass of the rules over this state ({@link Rule#observe}, {@link Rule#decided} or
     * {@link Rule#written}): each rule puts back its memory, and the array is copied once, at the first
     * memory that is not the same object as before, so a pass in which no rule changed anything
     * allocates nothing and returns this state.
     */
    Pass pass() {
        return new Pass(this);
    }

    /** See {@link #pass()}. */
    static final class Pass {

        private final TargetState from;
        private Memory[] next;

        private Pass(TargetState from) {
            this.from = from;
        }

        /** The memory of the rule at position {@code rule} is {@code memory} after this pass. */
        void put(int rule, Memory memory) {
            requireNonNull(memory, "memory");
            if (memory == from.memories[rule]) {
                return;
            }
            if (next == null) {
                next = from.memories.clone();
            }
            next[rule] = memory;
        }

        /** The state after the pass. */
        TargetState done() {
            return next == null ? from : new TargetState(next);
        }
    }

    /**
     * The state with the actions remembered at the tick time {@code tick} moved to the time the
     * write was sent, {@code written}: cooldowns, the verify window and back-off run from the write.
     * A tick that spent 2.1 s on queries and wrote at 10:00:02.1 under a 6 s step-down cooldown may
     * step down again from 10:00:08.1, not from 10:00:06.
     */
    public TargetState retimed(Instant tick, Instant written) {
        requireNonNull(tick, "tick");
        requireNonNull(written, "written");
        if (tick.equals(written)) {
            return this;
        }
        Memory[] m = new Memory[memories.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = memories[i].retimed(tick, written);
        }
        return new TargetState(m);
    }

    /** The last scale-out written (any reason), or null: for the status page and tests. */
    public Instant lastScaleOut() {
        return get(ScaleOut.Timers.class).lastScaleOut();
    }

    /**
     * When the ready count last rose to new replicas, or null: the scale-out cooldown counts from it too, since the
     * load may not have spread onto the new replicas yet (ScaleOut's hold "ready rose from 3 14s ago"), for the
     * status page, whose scale-out cooldown read 0 while that hold said 45s were left (recheck 60, F1).
     */
    public Instant readyRoseAt() {
        return get(ScaleOut.Timers.class).readyRoseAt();
    }

    /**
     * Since when every signal has been known and its averages taken, the stretch the scale-in sustain counts; null
     * when none runs: for the status page's sustain wait.
     */
    public Instant lowStretchSince() {
        return get(StepDown.Steps.class).averages().since();
    }

    /** Since when the signal HIGH the longest has been HIGH, or null when none is: for the status page. */
    public Instant highSince() {
        return get(ScaleOut.Timers.class).highSince().values().stream().min(Instant::compareTo).orElse(null);
    }

    /** The last step-down written, or null: for the status page. */
    public Instant lastScaleIn() {
        return get(StepDown.Steps.class).lastStepDown();
    }

    /**
     * When the count was last moved by someone else, up ({@code rise}) or down, or null when it was not seen: for the
     * status page, whose waits count such moves as the policy does (a rise as a scale-out, a fall as a step-down).
     */
    public Instant lastOutsideMove(boolean rise) {
        OutsideMoves outside = get(ScaleOut.Timers.class).outside();
        return (rise ? outside.rise() : outside.fall()).at();
    }

    /** When the current wait for the component to settle began, or null: for the status page. */
    public Instant settleWaitSince() {
        return get(StepDown.Steps.class).settleWaitSince();
    }

    /** De-duplication keys of the firing alerts already acted on. */
    public Set<String> handledAlerts() {
        return get(Alerts.Book.class).handled();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TargetState other && Arrays.equals(memories, other.memories);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(memories);
    }

    @Override
    public String toString() {
        return "TargetState" + Arrays.toString(memories);
    }
}
