package io.github.milvusautoscaler.metrics;

import static java.util.Objects.requireNonNull;

/**
 * Why a probe query ({@code vector(1)}) gave no value: the kind and the reason a command prints.
 *
 * @param kind   what went wrong
 * @param reason one line, safe to print (secrets scrubbed)
 */
public record ProbeFailure(FailureKind kind, String reason) {

    public ProbeFailure {
        requireNonNull(kind, "kind");
        requireNonNull(reason, "reason");
    }

    /**
     * True when no answer came back at all (connection refused or reset, DNS, TLS, timeout): only then is
     * Prometheus "unreachable". A 401, a 5xx or a login page is an answer, and saying "cannot be reached" for it
     * sends the reader to check the network instead of the credentials or the URL's path.
     */
    public boolean unreachable() {
        return kind == FailureKind.TRANSPORT || kind == FailureKind.TIMEOUT;
    }
}
