/**
 * Value records shared by every package (targets, signals, observations, decisions) and the
 * ports the engine drives: {@link io.github.milvusautoscaler.core.MetricsSource},
 * {@link io.github.milvusautoscaler.core.ReplicaActuator} and {@link io.github.milvusautoscaler.core.DecisionSink}.
 * JDK only: no I/O, no frameworks, no clock reads.
 */
package io.github.milvusautoscaler.core;
