package io.github.milvusautoscaler.metrics;

import java.time.Instant;

/** Evaluates PromQL at an instant: the live endpoint, or a range fetched once for a replay. */
@FunctionalInterface
interface QueryFunction {

    /** The answer to {@code promql} at {@code at}; never throws. */
    QueryResult query(String promql, Instant at);
}
