package io.github.milvusautoscaler.core;

/**
 * Names the JSON log gives its fields and markers, in one place: the engine sets {@link #TARGET} on every line a
 * target's tick logs, and a line about the whole daemon carries the {@link #DAEMON_WIDE} marker so the encoder leaves
 * that field off it, whichever thread noticed (recheck 91, F2: "Kubernetes API server ... unreachable" carried
 * {@code target} when a tick's read found it and none when the Lease loop did, so {@code target="ns/a/queryNode"} found
 * some lines of a server-wide outage and not others).
 */
public final class LogFields {

    /** The target id ({@code namespace/object/component}) of the tick that logged the line. */
    public static final String TARGET = "target";
    /** The name of the SLF4J marker on lines about a server all targets share (Kubernetes, Prometheus). */
    public static final String DAEMON_WIDE = "daemon-wide";

    private LogFields() {
    }
}
