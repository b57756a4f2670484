/**
 * Picocli commands; the only place that wires adapters together.
 */
package io.github.milvusautoscaler.cli;
