package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

/**
 * The PromQL behind one enabled signal of one target, still with its placeholders ({@code {namespace}},
 * {@code {release}}, {@code {component}}, {@code {instance_label}}, {@code {component_label}}) for the
 * metrics adapter to fill.
 *
 * @param name     signal name, as in {@code PolicySettings.signals()}
 * @param template the signal's own {@code query}, else {@code queries.<name>} (for index-backlog on Milvus
 *                 2.2 or older, {@code queries.index-backlog-legacy})
 * @param perPod   true: one series per pod, averaged over the pods that report; false: one cluster value
 * @param mayBeNegative the signal's {@code may-be-negative}: false makes a negative reading UNKNOWN
 */
public record SignalQuery(String name, String template, boolean perPod, boolean mayBeNegative) {

    /** A signal that cannot be negative. */
    public SignalQuery(String name, String template, boolean perPod) {
        this(name, template, perPod, false);
    }

    public SignalQuery {
        requireNonNull(name, "name");
        requireNonNull(template, "template");
        if (template.isBlank()) {
            throw new IllegalArgumentException("signal " + name + " needs a query");
        }
    }
}
