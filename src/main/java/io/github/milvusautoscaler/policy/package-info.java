/**
 * The pure decision pipeline: {@code decide(observation, status, state, budget, now)} returns a
 * decision and the next state. Imports {@code core} only: no clock reads, no logging, no I/O,
 * so every stage can be tested alone with plain values.
 */
package io.github.milvusautoscaler.policy;
