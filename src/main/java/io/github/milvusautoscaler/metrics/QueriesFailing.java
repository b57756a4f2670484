package io.github.milvusautoscaler.metrics;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Queries to a Prometheus endpoint failing since {@code since} because it is unavailable, first for {@code cause}
 * (scrubbed of credentials, as every text the query client gives out): "prometheus unreachable: ConnectException".
 */
public record QueriesFailing(Instant since, String cause) {

    public QueriesFailing {
        requireNonNull(since, "since");
        requireNonNull(cause, "cause");
    }
}
