package io.github.milvusautoscaler.core;

import java.util.regex.Pattern;

/**
 * The names the Kubernetes API server accepts, checked where a setting names an object so a typo is refused with
 * its line rather than answered 422 at run time (kubernetes.io/docs/concepts/overview/working-with-objects/names).
 */
public final class KubernetesNames {

    /** A namespace: an RFC 1123 label, lower-case letters, digits and '-', at most 63 characters. */
    public static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** Most object names (a Deployment, a Lease, a Milvus): an RFC 1123 subdomain, '.' allowed, at most 253. */
    public static final Pattern OBJECT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    private KubernetesNames() {
    }
}
