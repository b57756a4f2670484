/**
 * Prometheus HTTP API adapter: PromQL templates, result parsing and resilience. Every failure
 * becomes an UNKNOWN signal with a reason, never a number.
 */
package io.github.milvusautoscaler.metrics;
