package io.github.milvusautoscaler.core;

/** Result of the component's health query, used to verify a step-down. */
public enum Health {
    OK,
    FAILING,
    /** No health query configured or it returned nothing; never counts as OK for verification. */
    UNKNOWN
}
