package io.github.milvusautoscaler.metrics;

import static java.util.Objects.requireNonNull;

/**
 * One signal to read for a target: its name and the PromQL template that measures it.
 *
 * @param name     signal name as configured ({@code cpu}, {@code qps}, or a user's own)
 * @param template PromQL with placeholders (see {@link PromqlTemplate}); validated here so a typo in a
 *                 placeholder fails at start-up, not at the first tick
 * @param perPod   true: one series per pod, averaged over the pods that report (and counted in
 *                 {@code podsReporting}); false: exactly one series, the value as is
 * @param mayBeNegative false (every built-in signal: loads, ratios, queues, latencies): a negative value is
 *                 impossible and reads UNKNOWN; true for a user's signal that can go below zero (a trend)
 */
public record SignalDef(String name, String template, boolean perPod, boolean mayBeNegative) {

    /** A signal that cannot be negative. */
    public SignalDef(String name, String template, boolean perPod) {
        this(name, template, perPod, false);
    }

    public SignalDef {
        requireNonNull(name, "name");
        requireNonNull(template, "template");
        if (name.isBlank()) {
            throw new IllegalArgumentException("signal name must not be blank");
        }
        if (template.isBlank()) {
            throw new IllegalArgumentException("signal " + name + ": query must not be empty");
        }
        try {
            PromqlTemplate.validate(template);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("signal " + name + ": " + e.getMessage(), e);
        }
    }
}
