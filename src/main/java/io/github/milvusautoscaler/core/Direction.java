package io.github.milvusautoscaler.core;

/** Direction of a replica change. */
public enum Direction {
    UP,
    DOWN
}
