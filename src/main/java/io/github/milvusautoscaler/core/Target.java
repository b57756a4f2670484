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
 */
public record Target(String namespace, String name, Component component, InstallKind install,
                     String fullnameOverride) {

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

    /** A target whose Deployments carry the install's default names (no {@code fullnameOverride}). */
    public Target(String namespace, String name, Component component, InstallKind install) {
        this(namespace, name, component, install, "");
    }

    /** The id used in logs, metrics and status: {@code namespace/name/component}, e.g. {@code milvus/my-release/queryNode}. */
    public String id() {
        return namespace + "/" + name + "/" + component.configName();
    }

    /** The cluster this target belongs to: {@code namespace/name}. */
    public String clusterId() {
        return namespace + "/" + name;
    }

    /**
     * From the names and the enums' ordinals rather than the record default, which mixes in the
     * enums' identity hashes: those differ from run to run, and every tick looks a target up twice.
     */
    @Override
    public int hashCode() {
        return (((namespace.hashCode() * 31 + name.hashCode()) * 31 + component.ordinal()) * 31 + install.ordinal()) * 31
                + fullnameOverride.hashCode();
    }

    @Override
    public String toString() {
        return id();
    }
}
