package io.github.milvusautoscaler.policy;

import io.github.milvusautoscaler.core.Stage;
import java.util.Optional;

/**
 * One rule of the decision pipeline ({@link Policy#RULES}), with the memory it owns.
 *
 * <p>A tick runs in three passes over the rules, each rule changing only its own memory:
 * <ol>
 *   <li>{@link #observe}: this tick's facts enter the memory before any rule decides (sustain
 *       timers, load averages, what the scaled object's annotations remember);</li>
 *   <li>{@link #decide}, in pipeline order: the first rule that returns a proposal settles the tick;</li>
 *   <li>{@link #decided} for every rule whatever happens to the write (settle wait, handled alerts),
 *       then {@link #written} only when the scale reached the owning object (cooldowns, verify window,
 *       back-off).</li>
 * </ol>
 *
 * @param <M> the rule's memory, {@link Memory.None} for a rule that keeps none
 */
interface Rule<M extends Memory> {

    /** The stage this rule is; every reason it gives has {@code reason.stage() == stage()}. */
    Stage stage();

    /** The memory before the first tick of a target. */
    M initial();

    /**
     * The memory with this tick's facts in it.
     *
     * @param own    this rule's memory after the previous tick
     * @param before the tick as it arrived: settings, observation, status, classified signals and the
     *               previous tick's state (other rules' memories may be read from it)
     */
    default M observe(M own, Tick before) {
        return own;
    }

    /** A proposal that settles the tick, or empty to pass it on to the next rule. */
    Optional<Proposal> decide(Tick t);

    /** The memory after the tick settled on {@code settled}, whether or not its write happens. */
    default M decided(M own, Tick t, Proposal settled) {
        return own;
    }

    /** The memory after {@code settled}, a scale, reached the owning object. */
    default M written(M own, Tick t, Proposal settled) {
        return own;
    }
}
