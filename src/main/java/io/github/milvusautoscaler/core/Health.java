package io.github.milvusautoscaler.core;

/** Result of the component's health query, used to verify a step-down. */
public enum Health {
    OK,
    FAILING,
    /**
     * The health query could not be read (empty, stale, failed, partial); never counts as OK: a step-down's
     * verify window lasts until the query answers again, and no further step-down happens meanwhile.
     */
    UNKNOWN,
    /** No health query is configured: verification rests on the signals alone. */
    NONE
}
