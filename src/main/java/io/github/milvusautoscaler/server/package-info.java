/**
 * The one HTTP server: /metrics, /healthz, /readyz, /api/v1/status and /api/v1/alerts.
 */
package io.github.milvusautoscaler.server;
