package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

/**
 * One component of one Milvus cluster: the unit the autoscaler decides for.
 *
 * @param namespace Kubernetes namespace of the Milvus cluster
 * @param name      the Milvus resource name (operator) or Helm release name
 * @param component the worker component scaled
 * @param install   who owns the replica count
 * @param fullnameOverride the Helm chart's {@code fullnameOverride} for this release, empty when not set
 *                  (and always for operator installs); it names the Deployments, see {@link DeploymentNames}
 * @param nameShared whether a Helm release and an operator {@code Milvus} of this name are both configured in this
 *                  namespace (DESIGN: they can share one; their objects and series never mix): the ids then carry
 *                  the install kind, {@code milvus/milvus@helm/queryNode}, so status, metrics, the decision log and
 *                  {@code --target} tell the two apart
 */
public record Target(String namespace, String name, Component component, InstallKind install,
                     String fullnameOverride, boolean nameShared) {

    public Target {
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
        requireNonNull(component, "component");
        requireNonNull(install, "install");
        requireNonNull(fullnameOverride, "fullnameOverride");
        if (namespace.isBlank() || name.isBlank()) {
            throw new IllegalArgumentException("target namespace and name must not be blank");
        }
        if (!fullnameOverride.isEmpty() && install != InstallKind.HELM) {
            throw new IllegalArgumentException("fullname-override applies to Helm installs only");
        }
    }

    /** A target whose name no other install in its namespace shares. */
    public Target(String namespace, String name, Component component, InstallKind install, String fullnameOverride) {
        this(namespace, name, component, install, fullnameOverride, false);
    }

    /** A target whose Deployments carry the install's default names (no {@code fullnameOverride}). */
    public Target(String namespace, String name, Component component, InstallKind install) {
        this(namespace, name, component, install, "");
    }

    /** This target, its name marked as shared with an install of the other kind ({@link #nameShared}). */
    public Target withNameShared() {
        return new Target(namespace, name, component, install, fullnameOverride, true);
    }

    /**
     * Whether {@code other} is this target's object under another id, or under the same: they differ at most in
     * {@link #nameShared}, as when a reload adds or removes the other install of the name.
     */
    public boolean sameObject(Target other) {
        return withNameShared().equals(other.withNameShared());
    }

    /**
     * The id used in logs, metrics and status: {@code namespace/name/component}, e.g. {@code milvus/my-release/queryNode};
     * {@code milvus/milvus@operator/queryNode} when the name is shared ({@link #nameShared}: '@' is in no object name).
     */
    public String id() {
        return clusterId() + "/" + component.configName();
    }

    /** The cluster this target belongs to: {@code namespace/name}, or {@code namespace/name@helm} when the name is shared. */
    public String clusterId() {
        return namespace + "/" + name + (nameShared ? "@" + install.name().toLowerCase(java.util.Locale.ROOT) : "");
    }

    /**
     * From the names and the enums' ordinals rather than the record default, which mixes in the
     * enums' identity hashes: those differ from run to run, and every tick looks a target up twice.
     */
    @Override
    public int hashCode() {
        return ((((namespace.hashCode() * 31 + name.hashCode()) * 31 + component.ordinal()) * 31 + install.ordinal()) * 31
                + fullnameOverride.hashCode()) * 31 + (nameShared ? 1 : 0);
    }

    @Override
    public String toString() {
        return id();
    }
}
