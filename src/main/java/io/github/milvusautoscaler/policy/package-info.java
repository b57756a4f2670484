/**
 * The pure decision pipeline: {@code decide(observation, status, state, budget, now)} returns a
 * decision and the next state. A list of rules ({@code Policy.RULES}), one file each with the
 * memory it owns. Imports {@code core} only: no clock reads, no logging, no I/O, so every rule can
 * be tested alone with plain values.
 */
package io.github.milvusautoscaler.policy;
