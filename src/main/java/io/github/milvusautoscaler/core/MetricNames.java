package io.github.milvusautoscaler.core;

/**
 * Every metric the autoscaler exports about itself, in one place. Names are Micrometer names;
 * the Prometheus registry adds {@code _total} to counters and {@code _seconds} to timers.
 */
public final class MetricNames {

    private MetricNames() {
    }

    /** Prefix of every self-metric. */
    public static final String PREFIX = "milvus_autoscaler_";

    /** Counter: decisions by {@code target}, {@code action}, {@code reason}. */
    public static final String DECISIONS = PREFIX + "decisions";
    /**
     * Gauge: replicas by {@code target} and {@code kind} (current, desired, ready, min, max; scheduled_floor for a
     * target with {@code scheduled} windows: the floor in force, clamped to max, 0 while no window is on).
     */
    public static final String REPLICAS = PREFIX + "replicas";
    /** Gauge: a signal's value by {@code target}, {@code signal}; NaN while the signal is UNKNOWN. */
    public static final String SIGNAL_VALUE = PREFIX + "signal_value";
    /** Gauge: a signal's thresholds by {@code target}, {@code signal}, {@code bound} (scale_out_above, scale_in_below). */
    public static final String SIGNAL_THRESHOLD = PREFIX + "signal_threshold";
    /** Timer: duration of one target's tick, by {@code target}. */
    public static final String TICK = PREFIX + "tick";
    /** Counter: Kubernetes API errors by {@code kind} and {@code operation} (read, write). */
    public static final String KUBERNETES_ERRORS = PREFIX + "kubernetes_errors";
    /**
     * Counter: scale writes by {@code target} and {@code result}: ok (landed, counted once even when
     * recognised on a re-read after a lost answer), failed, abandoned (leadership lost or tick older
     * than the renew deadline before an attempt).
     */
    public static final String WRITES = PREFIX + "scale_writes";
    /**
     * Counter: scale writes answered 409 Conflict by {@code target} and {@code result}: resolved (re-read
     * and re-decided; the second write landed or was no longer needed), failed.
     */
    public static final String WRITE_CONFLICTS = PREFIX + "write_conflicts";
    /**
     * Counter: writes whose answer was lost or inconclusive (5xx or timeout after the request was
     * sent, a retry answered 409, or abandoned after an attempt), by {@code target} and {@code result}
     * after re-reading the object: landed (our write id found), not_landed, unknown (the re-read failed).
     */
    public static final String AMBIGUOUS_WRITES = PREFIX + "ambiguous_writes";
    /**
     * Gauge: 1 while the Kubernetes API server answers (any HTTP status below 500), 0 while requests
     * fail with no answer (refused, timeout, DNS, TLS) or a 5xx.
     */
    public static final String KUBERNETES_REACHABLE = PREFIX + "kubernetes_reachable";
    /** Gauge: 1 while this daemon holds the lease, else 0. */
    public static final String LEADER = PREFIX + "leader";
    /** Gauge: 1 while dry-run is on. */
    public static final String DRY_RUN = PREFIX + "dry_run";
    /** Counter: config reloads by {@code result} (ok, failed). */
    public static final String CONFIG_RELOADS = PREFIX + "config_reloads";
    /**
     * Gauge: 1 while the config file holds content the daemon refused (it runs the config before), 0 once a reload
     * succeeds or the file is back to what runs.
     */
    public static final String CONFIG_REFUSED = PREFIX + "config_refused";
    /** Counter: Alertmanager alerts received by {@code result} (accepted, duplicate, ignored, resolved). */
    public static final String ALERTS = PREFIX + "alerts";
    /**
     * Counter: Alertmanager webhook requests refused, by HTTP {@code status} (401 wrong token, 404 endpoint off,
     * 400 malformed, 413, 415, 503 follower or book full). Alertmanager retries 5xx only, so a 4xx is lost.
     */
    public static final String ALERT_WEBHOOKS_REFUSED = PREFIX + "alert_webhooks_refused";
    /** Gauge: alerts firing by {@code target}. */
    public static final String ALERTS_FIRING = PREFIX + "alerts_firing";
    /**
     * Counter: HTTP connections or requests the server refused or cut off, by {@code reason}
     * (max_connections, max_connections_per_client, header_timeout, header_too_large, request_timeout, handler_timeout).
     */
    public static final String HTTP_REJECTED = PREFIX + "http_rejected";
    /**
     * Counter: alerts dropped from or refused by the alert book, by {@code reason} (resolved_evicted,
     * expired, refused_full, refused_too_many, truncated: left out by Alertmanager's max_alerts).
     */
    public static final String ALERTS_DROPPED = PREFIX + "alerts_dropped";
    /** Counter: ticks skipped because the same target's previous tick was still running (the loop fell behind). */
    public static final String TICKS_SKIPPED = PREFIX + "ticks_skipped";

    /**
     * The one-line description of a metric above, exported as its {@code # HELP} line: a scrape read with curl or
     * in a metric explorer is the first place an SRE looks, and Micrometer registers none unless given one.
     *
     * @throws IllegalArgumentException for a name that is not one of these constants
     */
    public static String help(String name) {
        return switch (name) {
            case DECISIONS -> "Decisions by target, action and reason, HOLDs included";
            case REPLICAS -> "Replicas of each target by kind: current, desired, ready, min, max, and scheduled_floor"
                    + " (the scheduled floor in force, 0 while no window is on) for a target with scheduled windows;"
                    + " NaN while unknown";
            case SIGNAL_VALUE -> "Each target's signal value as the policy read it; NaN while the signal is UNKNOWN";
            case SIGNAL_THRESHOLD -> "Each signal's band: bound scale_out_above and scale_in_below, and line, the"
                    + " level it reads HIGH above (forecast.line x scale_out_above with a trusted forecast)";
            case TICK -> "Time one tick of a target took: read the cluster and Prometheus, decide, write";
            case KUBERNETES_ERRORS -> "Kubernetes API errors by kind and operation: read, write (a replica write),"
                    + " memory (the annotation-only patch that keeps back-off, settle wait and handled alerts)";
            case WRITES -> "Scale writes by target and result: ok, failed, abandoned";
            case WRITE_CONFLICTS -> "Scale writes answered 409 Conflict, by target and result: resolved, failed";
            case AMBIGUOUS_WRITES -> "Scale writes whose answer was lost, by what the re-read found: landed, not_landed,"
                    + " unknown";
            case KUBERNETES_REACHABLE -> "1 while the Kubernetes API server answers";
            case LEADER -> "1 while this daemon holds the lease and may write";
            case DRY_RUN -> "1 while dry-run is on";
            case CONFIG_RELOADS -> "Config file reloads by result: ok, failed (the running config kept)";
            case CONFIG_REFUSED -> "1 while the config file holds content a reload refused; the config before runs";
            case ALERTS -> "Alertmanager alerts received by result: accepted, duplicate, resolved, ignored";
            case ALERTS_FIRING -> "Alerts firing per target";
            case ALERT_WEBHOOKS_REFUSED -> "Alertmanager webhook requests refused, by HTTP status; a 4xx is not retried";
            case HTTP_REJECTED -> "HTTP connections or requests refused or cut off, by reason";
            case ALERTS_DROPPED -> "Alerts dropped from or refused by the alert book, by reason";
            case TICKS_SKIPPED -> "Ticks skipped because the same target's previous tick was still running";
            default -> throw new IllegalArgumentException("no metric " + name);
        };
    }
}
