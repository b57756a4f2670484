package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

/**
 * The PromQL behind one enabled signal of one target, still with its placeholders (see
 * {@link PromqlPlaceholders}) for the metrics adapter to fill; the config reader builds it, the metrics
 * adapter reads it.
 *
 * @param name          signal name as configured ({@code cpu}, {@code qps}, or a user's own)
 * @param template      the signal's own {@code query}, else {@code queries.<name>} (for index-backlog on
 *                      Milvus 2.2 or older, {@code queries.index-backlog-legacy}); an unknown placeholder
 *                      is refused here, so a typo fails at start-up, not at the first tick
 * @param perPod        true: one series per pod, averaged over the pods that report (and counted in
 *                      {@code podsReporting}); false: exactly one series, the value as is
 * @param mayBeNegative false (every built-in signal: loads, ratios, queues, latencies): a negative value is
 *                      impossible and reads UNKNOWN; true for a user's signal that can go below zero (a trend)
 * @param declared      the container resource the signal is a fraction of, asked about when the signal reads
 *                      empty (cpu and memory on their default templates); null when there is none to ask about
 * @param emptyWhy      PromQL asked when the signal reads empty, whose series name the pods that make it so, each
 *                      labelled {@code pod} and {@code why} ({@code queries.qps-empty-why}: a proxy with no search
 *                      rate yet); null when there is none
 * @param readyCount    PromQL of the ready count a value per ready replica is divided by ({@code
 *                      queries.component-ready}, which qps' template includes), read beside it so the policy can
 *                      tell a value divided by a count kube-state-metrics has not caught up on
 *                      ({@link Signal#readyDividedBy}); empty for a signal that includes none
 */
public record SignalQuery(String name, String template, boolean perPod, boolean mayBeNegative,
                          DeclaredResource declared, String emptyWhy, String readyCount) {

    /** A signal that cannot be negative. */
    public SignalQuery(String name, String template, boolean perPod) {
        this(name, template, perPod, false, null);
    }

    /** A signal with no resource to ask about when it reads empty. */
    public SignalQuery(String name, String template, boolean perPod, boolean mayBeNegative) {
        this(name, template, perPod, mayBeNegative, null, null);
    }

    /** A signal with nothing to ask about why it reads empty. */
    public SignalQuery(String name, String template, boolean perPod, boolean mayBeNegative, DeclaredResource declared) {
        this(name, template, perPod, mayBeNegative, declared, null);
    }

    /** A signal not divided by a ready count it can be checked by. */
    public SignalQuery(String name, String template, boolean perPod, boolean mayBeNegative, DeclaredResource declared,
                       String emptyWhy) {
        this(name, template, perPod, mayBeNegative, declared, emptyWhy, "");
    }

    public SignalQuery {
        requireNonNull(name, "name");
        requireNonNull(template, "template");
        requireNonNull(readyCount, "readyCount");
        Checks checks = new Checks();
        checks.that(!name.isBlank(), "name", "must not be blank");
        if (checks.that(!template.isBlank(), "query", "must not be empty: signal " + name + " needs a query")) {
            PromqlPlaceholders.problem(template).ifPresent(p -> checks.that(false, "query", p));
        }
        if (emptyWhy != null) {
            PromqlPlaceholders.problem(emptyWhy).ifPresent(p -> checks.that(false, "empty-why query", p));
        }
        PromqlPlaceholders.problem(readyCount).ifPresent(p -> checks.that(false, "ready-count query", p));
        checks.done();
    }
}
