package io.github.milvusautoscaler.actuate;

import static java.util.Objects.requireNonNull;

/**
 * A Kubernetes resource type the autoscaler touches, with what a 403 message and an RBAC rule need.
 *
 * @param group   API group, empty for the core group
 * @param version API version
 * @param plural  resource name in URLs and RBAC rules
 * @param kind    object kind
 */
record ApiResource(String group, String version, String plural, String kind) {

    static final ApiResource MILVUSES = new ApiResource("milvus.io", "v1beta1", "milvuses", "Milvus");
    static final ApiResource DEPLOYMENTS = new ApiResource("apps", "v1", "deployments", "Deployment");
    static final ApiResource STATEFUL_SETS = new ApiResource("apps", "v1", "statefulsets", "StatefulSet");
    static final ApiResource EVENTS = new ApiResource("", "v1", "events", "Event");
    static final ApiResource HORIZONTAL_POD_AUTOSCALERS = new ApiResource("autoscaling", "v2",
            "horizontalpodautoscalers", "HorizontalPodAutoscaler");

    ApiResource {
        requireNonNull(group, "group");
        requireNonNull(version, "version");
        requireNonNull(plural, "plural");
        requireNonNull(kind, "kind");
    }

    /**
     * One object as messages and logs name it, the kind in lower case: {@code statefulset milvus/hr-milvus-querynode},
     * {@code milvus milvus/my-release}.
     */
    String describe(String namespace, String name) {
        return kind.toLowerCase(java.util.Locale.ROOT) + " " + namespace + "/" + name;
    }

    /** {@code milvus.io/v1beta1}, or {@code v1} for the core group. */
    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code milvuses.milvus.io} as kubectl and RBAC errors spell it; {@code events} for the core group. */
    String qualifiedName() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /** URL path of the namespaced collection, or of one object when {@code name} is not null. */
    String path(String namespace, String name) {
        String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        return prefix + "/namespaces/" + namespace + "/" + plural + (name == null ? "" : "/" + name);
    }
}
