package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

/**
 * How one install kind labels Milvus pods and series; PromQL templates use these names for their
 * {@code {instance_label}} and {@code {component_label}} placeholders.
 *
 * @param instanceLabel label naming the Milvus resource or Helm release, e.g. {@code app_kubernetes_io_instance}
 * @param componentLabel label naming the component, e.g. {@code app_kubernetes_io_component} (operator) or
 *                       {@code component} (Helm)
 */
public record LabelScheme(String instanceLabel, String componentLabel) {

    public LabelScheme {
        requireNonNull(instanceLabel, "instanceLabel");
        requireNonNull(componentLabel, "componentLabel");
    }
}
