package io.github.milvusautoscaler.sim;

/**
 * A trace that cannot be used: the message names the source and, for a bad row, its line number,
 * e.g. {@code nyc_taxi.csv line 17: value "abc" is not a number}.
 */
public final class TraceFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public TraceFormatException(String message) {
        super(message);
    }

    public TraceFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
