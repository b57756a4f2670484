package io.github.milvusautoscaler.core;

/** Port: receives every decision (decision log, metrics, status, Kubernetes Events). */
public interface DecisionSink {

    /** Records one decision; must not throw for ordinary I/O trouble (log and carry on). */
    void record(Decision decision);
}
