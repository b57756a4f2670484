package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * The Prometheus label names one install kind puts on Milvus pods, filled into PromQL templates as
 * {@code {instance_label}} and {@code {component_label}}: the {@code label-schemes.<kind>} block.
 *
 * <p>Operator installs: {@code app_kubernetes_io_instance} / {@code app_kubernetes_io_component};
 * Helm installs: {@code app_kubernetes_io_instance} / {@code component}: the labels the Milvus monitors
 * copy onto every series (the chart ServiceMonitor's {@code targetLabels}, the operator PodMonitor's pod
 * labels). The templates also produce {@code {component_label}} from Deployment names with
 * {@code label_replace}, so kube-state-metrics and cAdvisor series split the same way.
 *
 * @param instanceLabel  label naming the Milvus resource or Helm release
 * @param componentLabel label naming the component ({@code querynode}, {@code proxy}, ...)
 */
public record LabelScheme(String instanceLabel, String componentLabel) {

    /** Prometheus label names, also what kube-state-metrics turns Kubernetes labels into. */
    public static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    /** The rule a label name breaks. */
    public static final String LABEL_RULE = "must be a Prometheus label name such as app_kubernetes_io_instance";

    public LabelScheme {
        requireNonNull(instanceLabel, "instanceLabel");
        requireNonNull(componentLabel, "componentLabel");
        Checks checks = new Checks();
        checks.that(LABEL_NAME.matcher(instanceLabel).matches(), "instance-label", LABEL_RULE);
        checks.that(LABEL_NAME.matcher(componentLabel).matches(), "component-label", LABEL_RULE);
        checks.done();
    }
}
