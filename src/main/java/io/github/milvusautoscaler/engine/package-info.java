/**
 * The tick loop per target: observe, decide, act, record. The only package (besides cli) that
 * holds a clock; it passes time to the policy as an argument.
 */
package io.github.milvusautoscaler.engine;
