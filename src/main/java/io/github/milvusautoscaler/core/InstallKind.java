package io.github.milvusautoscaler.core;

/**
 * How a Milvus cluster was installed, which decides who owns the replica count.
 *
 * <p>OPERATOR: the {@code milvus.io/v1beta1} Milvus resource holds
 * {@code spec.components.<component>.replicas}. HELM: the chart's Deployment
 * {@code <release>-milvus-<component>} holds {@code spec.replicas}.
 */
public enum InstallKind {
    OPERATOR,
    HELM
}
