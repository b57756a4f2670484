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
}
