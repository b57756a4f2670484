/**
 * The simulator: a simulated Milvus component, trace readers, baseline policies (Kubernetes HPA),
 * the scorecard and charts. Never touches HTTP or Kubernetes clients.
 */
package io.github.milvusautoscaler.sim;
