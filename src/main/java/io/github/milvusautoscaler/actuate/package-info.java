/**
 * Kubernetes adapters that read and write replica counts through the object that owns them (Milvus
 * resource or Helm Deployment), the dry-run decorator, Events and leader election.
 */
package io.github.milvusautoscaler.actuate;
