package io.github.milvusautoscaler.core;

/**
 * Port: reads and writes a target's replica count through the object that owns it.
 */
public interface ReplicaActuator {

    /**
     * Reads current and ready replicas, pause and rollout state, and the last-scale annotations.
     *
     * @throws ActuationException when the object cannot be read (missing, forbidden, API error)
     */
    ReplicaStatus read(Target target);

    /**
     * Writes {@code decision.to()} replicas and the last-scale annotations in one write that
     * carries {@code basis.resourceVersion()}, so a concurrent change fails with
     * {@link ActuationException.Kind#CONFLICT} instead of being overwritten.
     *
     * @throws ActuationException when the write fails
     */
    void apply(Decision decision, ReplicaStatus basis);

    /**
     * Writes as {@link #apply(Decision, ReplicaStatus)} does, running {@code context.guard()} before
     * every attempt (retries included) and storing {@code context.id()} and {@code context.time()}
     * with the last-scale annotations, so a re-read can tell whether a write whose answer was lost
     * landed. Adapters without retries or annotations check the guard once and write.
     *
     * @throws WriteAbandonedException when the guard stops an attempt
     * @throws ActuationException      when the write fails
     */
    default void apply(Decision decision, ReplicaStatus basis, WriteContext context) {
        context.guard().check();
        apply(decision, basis);
    }

    /**
     * Stores {@code memory} as annotations on the owning object without touching the replica count,
     * carrying {@code basis.resourceVersion()}; {@code guard} runs before every attempt. Adapters
     * without annotations remember nothing.
     *
     * @throws WriteAbandonedException when the guard stops an attempt
     * @throws ActuationException      when the write fails (a 409 included: the next tick retries)
     */
    default void remember(Target target, ScaleMemory memory, ReplicaStatus basis, WriteGuard guard) {
    }

    /**
     * Removes the {@code paused-by} and {@code paused-at} that a pause of the pause or scale command, lifted by hand,
     * left on the owning object, when the last read of {@code target} found them with no pause; nothing otherwise.
     * Left there, a pause set again by hand read as that command's to every replica that had not seen the lift and
     * to {@code resume}, which lifted it (recheck 42, F1). Carries {@code basis.resourceVersion()}.
     *
     * @throws WriteAbandonedException when the guard stops an attempt
     * @throws ActuationException      when the write fails (a 409 included: the next tick tries again)
     */
    default void clearLeftOverPauseMarks(Target target, ReplicaStatus basis, WriteGuard guard) {
    }
}
