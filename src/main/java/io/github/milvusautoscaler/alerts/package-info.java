/**
 * Alertmanager webhook parsing, authentication, routing of alerts to targets and de-duplication.
 */
package io.github.milvusautoscaler.alerts;
