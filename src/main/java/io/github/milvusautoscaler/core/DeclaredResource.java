package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

/**
 * The container resource a signal is a fraction of (cpu of the CPU request, memory of the memory limit), and
 * the PromQL that finds the components whose pods declare none, so such a signal can be told apart from one
 * whose data is missing.
 *
 * <p>Why it exists: the Milvus chart ships {@code resources: {}} for every component (zilliztech/milvus-helm,
 * charts/milvus/values.yaml) and the operator's defaulting webhook sets none (zilliztech/milvus-operator,
 * apis/milvus.io/v1beta1/milvus_webhook.go), while kube-state-metrics writes
 * {@code kube_pod_container_resource_requests} and {@code _limits} only for what a container declares
 * (kubernetes/kube-state-metrics, internal/store/pod.go: {@code for resourceName, val := range c.Resources.Requests}).
 * On a default install cpu and memory therefore have no denominator at all. Read as UNKNOWN, they would hold
 * every step-down forever while qps still scales out: a ratchet to max-replicas. A fraction of nothing is not
 * missing data but a signal that does not apply, so the policy leaves it out and says so.
 *
 * @param template the PromQL (placeholders as in {@link PromqlPlaceholders}) returning one series per
 *                 component, labelled {@code {component_label}}, whose pods exist but of which no container
 *                 declares the resource; its value is the number of such pods
 * @param resource the resource the signal is a fraction of
 * @param perPod   the PromQL returning the resource's amount per serving pod of the component (cores, bytes), one
 *                 series labelled {@code {component_label}}, so a load history read across a change of it can be put
 *                 in one unit ({@code queries.cpu-request}); null when there is none
 */
public record DeclaredResource(String template, ContainerResource resource, String perPod) {

    public DeclaredResource {
        requireNonNull(template, "template");
        requireNonNull(resource, "resource");
        PromqlPlaceholders.problem(template).ifPresent(p -> {
            throw new IllegalArgumentException("undeclared-resource query: " + p);
        });
        if (perPod != null) {
            PromqlPlaceholders.problem(perPod).ifPresent(p -> {
                throw new IllegalArgumentException("per-pod resource query: " + p);
            });
        }
    }

    /** A resource with no per-pod query: a history is taken in the units it was read in. */
    public DeclaredResource(String template, ContainerResource resource) {
        this(template, resource, null);
    }

    /**
     * Why a signal of {@code target} does not apply, with where to set the resource: "queryNode's 3 pods declare
     * no CPU request on their querynode container (set queryNode.resources.requests.cpu in the chart values)". The
     * container is named: only the Milvus one counts, and pods whose sidecar declares one read "declare no memory
     * limit" though their manifest shows a limit (recheck 72's remark).
     *
     * @param pods how many pods of the component declare none (all of them)
     */
    public String problem(Target target, long pods) {
        return target.component().configName() + "'s " + pods + " pod" + (pods == 1 ? " declares" : "s declare")
                + " no " + resource.what() + " on " + (pods == 1 ? "its " : "their ") + target.component().labelValue()
                + " container (set " + ContainerResource.resourcesPath(target) + "." + resource.key() + " in "
                + ContainerResource.writtenIn(target) + ")";
    }
}
