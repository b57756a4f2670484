package io.github.milvusautoscaler.metrics;

/**
 * Names of the meters the Prometheus adapter registers, in one place so dashboards, alerts and
 * tests agree on them. Micrometer names are dotted; the Prometheus registry exports them with
 * underscores and the usual suffixes (noted per constant).
 */
public final class MetricNames {

    /** Queries that failed, tagged {@link #TAG_KIND}; exported as {@code milvus_autoscaler_prometheus_query_errors_total}. */
    public static final String QUERY_ERRORS = "milvus.autoscaler.prometheus.query.errors";

    /** Wall time of one query including retries, tagged {@link #TAG_OUTCOME}; exported as {@code milvus_autoscaler_prometheus_query_seconds}. */
    public static final String QUERY_DURATION = "milvus.autoscaler.prometheus.query";

    /**
     * Signals read as UNKNOWN, tagged {@link #TAG_SIGNAL} and {@link #TAG_KIND}; exported as
     * {@code milvus_autoscaler_signal_unknown_total}. Counts per target and signal, where
     * {@link #QUERY_ERRORS} counts HTTP queries (one query can serve several targets).
     */
    public static final String SIGNAL_UNKNOWN = "milvus.autoscaler.signal.unknown";

    /**
     * Load history reads (forecast, recent peaks), tagged {@code target} and {@link #TAG_RESULT} ({@code ok} or
     * {@code failed}: the history before it is kept); exported as {@code milvus_autoscaler_history_reads_total}. A
     * failed read was a WARN line and nothing else (forecast audit F2); failed reads and no ok one for 3h
     * (MilvusAutoscalerHistoryUnread) mean the forecast ages towards UNKNOWN.
     */
    public static final String HISTORY_READS = "milvus.autoscaler.history.reads";
    /** Tag: {@code ok} or {@code failed}. */
    public static final String TAG_RESULT = "result";

    /** Tag: what went wrong, one of {@link FailureKind#tag()}. */
    public static final String TAG_KIND = "kind";
    /** Tag: {@code success} or {@code error}. */
    public static final String TAG_OUTCOME = "outcome";
    /** Tag: the signal name ({@code cpu}, {@code memory}, ...). */
    public static final String TAG_SIGNAL = "signal";

    /** Name prefix of the circuit breaker and retry of one endpoint; the endpoint's host:port follows. */
    public static final String RESILIENCE_NAME_PREFIX = "prometheus-";

    /** Registered by resilience4j-micrometer: breaker state gauge, tagged {@code name} and {@code state}. */
    public static final String BREAKER_STATE = "resilience4j.circuitbreaker.state";
    /** Registered by resilience4j-micrometer: breaker call outcomes, tagged {@code name} and {@code kind}. */
    public static final String BREAKER_CALLS = "resilience4j.circuitbreaker.calls";
    /** Registered by resilience4j-micrometer: retry outcomes, tagged {@code name} and {@code kind}. */
    public static final String RETRY_CALLS = "resilience4j.retry.calls";

    private MetricNames() {
    }
}
