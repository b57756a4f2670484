package io.github.milvusautoscaler.core;

/**
 * Where a signal's value sits against its band.
 *
 * <p>UNKNOWN covers every way of not knowing (empty result, NaN, error, stale sample, fewer
 * pods reporting than are ready): it is never treated as a number.
 */
public enum SignalState {
    /** Above {@code scale-out-above}. */
    HIGH,
    /** Below {@code scale-in-below}. */
    LOW,
    /** Inside the hysteresis band. */
    IN_BAND,
    /** No trustworthy value. */
    UNKNOWN
}
