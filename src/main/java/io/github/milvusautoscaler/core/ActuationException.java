package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

/**
 * A failed read or write of a replica count, classified so the engine can react: a CONFLICT is
 * re-read and re-decided, NOT_FOUND marks the target missing, the others wait for the next tick.
 * Messages never contain credentials.
 */
public final class ActuationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The kinds of failure the engine treats differently. */
    public enum Kind {
        /** 401: the API server rejected the credentials (an expired or revoked token), or there was none to present. */
        UNAUTHORIZED,
        /** 403: the message names the verb, resource, namespace and the RBAC rule to add. */
        FORBIDDEN,
        /** 404: the owning object does not exist. */
        NOT_FOUND,
        /** 409: the object changed between read and write. */
        CONFLICT,
        /** The object is owned by something else (e.g. {@code replicas: -1}, handed to an HPA). */
        REFUSED,
        /** 5xx, timeout or transport failure after retries. */
        UNAVAILABLE
    }

    private final Kind kind;

    public ActuationException(Kind kind, String message) {
        super(message);
        this.kind = requireNonNull(kind, "kind");
    }

    public ActuationException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }
}
