package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Optional;

/**
 * A container resource a built-in signal is a fraction of, with the kube-state-metrics series that reports it and
 * where an SRE declares it: cpu of the CPU request, memory of the memory limit (reference.conf, queries.cpu and
 * queries.memory). kube-state-metrics writes {@code kube_pod_container_resource_requests} and {@code _limits} only
 * for what a container declares (kubernetes/kube-state-metrics internal/store/pod.go), and the Milvus chart declares
 * nothing by default ({@code resources: {}}, zilliztech/milvus-helm charts/milvus/values.yaml). One table, read by
 * the config reader ({@link DeclaredResource}) and by {@code doctor}.
 */
public enum ContainerResource {
    CPU_REQUEST("cpu", "CPU request", "requests.cpu", "cpu-request",
            "kube_pod_container_resource_requests{namespace=\"{namespace}\", container=~\"{component}\", resource=\"cpu\"}"),
    MEMORY_LIMIT("memory", "memory limit", "limits.memory", "memory-limit",
            "kube_pod_container_resource_limits{namespace=\"{namespace}\", container=~\"{component}\","
                    + " resource=\"memory\"}");

    private final String signal;
    private final String what;
    private final String key;
    private final String selector;
    private final String perPodQuery;

    ContainerResource(String signal, String what, String key, String perPodQuery, String selector) {
        this.signal = signal;
        this.perPodQuery = perPodQuery;
        this.what = what;
        this.key = key;
        this.selector = selector;
    }

    /** The resource built-in signal {@code signal} is a fraction of; empty for any other signal. */
    public static Optional<ContainerResource> of(String signal) {
        requireNonNull(signal, "signal");
        return Arrays.stream(values()).filter(r -> r.signal.equals(signal)).findFirst();
    }

    /** The built-in signal that is a fraction of it: "cpu", "memory". */
    public String signal() {
        return signal;
    }

    /** The resource in words: "CPU request". */
    public String what() {
        return what;
    }

    /**
     * The {@code queries} key of its amount per serving pod ("cpu-request"), which a load history read across a change
     * of it is put in one unit by; the memory limit has none (memory is no load the history holds).
     */
    public String perPodQuery() {
        return perPodQuery;
    }

    /** Where it is set under a component's {@code resources}: "requests.cpu". */
    public String key() {
        return key;
    }

    /**
     * The kube-state-metrics series that reports it for the component's Milvus container (named after the component
     * by the chart and the operator; a sidecar's does not count), with the {@code {namespace}} and {@code {component}}
     * placeholders.
     */
    public String selector() {
        return selector;
    }

    /** The component's resources block: "queryNode.resources" (Helm) or "spec.components.queryNode.resources". */
    public static String resourcesPath(Target target) {
        String component = target.component().configName();
        return target.install() == InstallKind.HELM ? component + ".resources"
                : "spec.components." + component + ".resources";
    }

    /** Where that block is written: "the chart values" (Helm) or "the Milvus resource" (operator). */
    public static String writtenIn(Target target) {
        return target.install() == InstallKind.HELM ? "the chart values" : "the Milvus resource";
    }
}
