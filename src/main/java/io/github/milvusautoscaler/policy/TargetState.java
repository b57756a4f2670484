package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
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

    private static final TargetState INITIAL = initialOf();

    private final Map<Class<? extends Memory>, Memory> memories;

    private TargetState(Map<Class<? extends Memory>, Memory> memories) {
        this.memories = memories;
    }

    /** The state of a target never seen before: each rule's initial memory. */
    public static TargetState initial() {
        return INITIAL;
    }

    private static TargetState initialOf() {
        Map<Class<? extends Memory>, Memory> m = new LinkedHashMap<>();
        for (Rule<?> rule : Policy.RULES) {
            m.put(rule.initial().getClass(), rule.initial());
        }
        return new TargetState(Map.copyOf(m));
    }

    /** The memory of type {@code type}. */
    <M extends Memory> M get(Class<M> type) {
        M m = type.cast(memories.get(type));
        if (m == null) {
            throw new IllegalArgumentException("no rule in Policy.RULES keeps a " + type.getSimpleName());
        }
        return m;
    }

    /** This state with {@code memory} in place of its type's current one. */
    <M extends Memory> TargetState with(M memory) {
        requireNonNull(memory, "memory");
        Class<? extends Memory> type = memory.getClass();
        if (!memories.containsKey(type)) {
            throw new IllegalArgumentException("no rule in Policy.RULES keeps a " + type.getSimpleName());
        }
        if (memories.get(type).equals(memory)) {
            return this;
        }
        Map<Class<? extends Memory>, Memory> m = new LinkedHashMap<>(memories);
        m.put(type, memory);
        return new TargetState(Map.copyOf(m));
    }

    /** {@code with(after)} unless the rule returned its memory unchanged ({@code before}, the same object). */
    <M extends Memory> TargetState with(M before, M after) {
        return before == after ? this : with(after);
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
        Map<Class<? extends Memory>, Memory> m = new LinkedHashMap<>();
        memories.forEach((type, memory) -> m.put(type, memory.retimed(tick, written)));
        return new TargetState(Map.copyOf(m));
    }

    /** The last scale-out written (any reason), or null: for the status page and tests. */
    public Instant lastScaleOut() {
        return get(ScaleOut.Timers.class).lastScaleOut();
    }

    /** The last step-down written, or null: for the status page. */
    public Instant lastScaleIn() {
        return get(StepDown.Steps.class).lastStepDown();
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
        return o instanceof TargetState other && memories.equals(other.memories);
    }

    @Override
    public int hashCode() {
        return memories.hashCode();
    }

    @Override
    public String toString() {
        return "TargetState" + memories.values();
    }
}
