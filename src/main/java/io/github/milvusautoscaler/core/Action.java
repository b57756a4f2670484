package io.github.milvusautoscaler.core;

/** What a decision does to the replica count. */
public enum Action {
    SCALE_OUT,
    SCALE_IN,
    HOLD
}
