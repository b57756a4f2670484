package io.github.milvusautoscaler.core;

/**
 * Whether the component has finished moving data after the last step-down.
 *
 * <p>For queryNode this is "no stopping balance, no segment or channel moves": a scale-in
 * moves the removed node's segments, which can take minutes to an hour, and the next
 * step-down must wait for it.
 */
public enum Settle {
    /** Nothing is moving. */
    QUIET,
    /** Segments or channels are still moving. */
    BUSY,
    /** The settle query failed or returned nothing: treated as BUSY for step-downs. */
    UNKNOWN
}
