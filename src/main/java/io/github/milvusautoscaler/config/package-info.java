/**
 * HOCON configuration to immutable settings records. Loading collects every error at once, each
 * with its path and file:line, so an SRE fixes a bad file in one pass.
 */
package io.github.milvusautoscaler.config;
