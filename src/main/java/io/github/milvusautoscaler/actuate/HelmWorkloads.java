package io.github.milvusautoscaler.actuate;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.ActuationException.Kind;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the object a Helm install runs a component as: the chart's Deployment, or the StatefulSet of the same
 * name it makes instead when the release sets {@code queryNode.statefulset} or {@code indexNode.statefulset}
 * (milvus-helm templates/querynode-statefulset.yaml and indexnode-statefulset.yaml: {@code kind: StatefulSet},
 * {@code name: milvus.querynode.fullname}, {@code replicas} omitted for {@code -1} as in the Deployment).
 *
 * <p>Both kinds carry the count, readiness and annotations under the same names ({@code spec.replicas},
 * {@code status.readyReplicas}, {@code metadata.annotations}) and take the same merge patch; only what makes a
 * rollout differs ({@link HelmDeploymentActuator#rollingOut}). The kind found last is tried first: a StatefulSet
 * costs one GET per read, not a 404 and a GET.
 */
final class HelmWorkloads {

    /** The chart's two kinds for a component, in the order tried when nothing was found before. */
    private static final ApiResource[] KINDS = {ApiResource.DEPLOYMENTS, ApiResource.STATEFUL_SETS};

    /**
     * One object found.
     *
     * @param resource its kind
     * @param object   the object as read
     */
    record Found(ApiResource resource, String namespace, String name, JsonObject object) {

        Found {
            requireNonNull(resource, "resource");
            requireNonNull(namespace, "namespace");
            requireNonNull(name, "name");
            requireNonNull(object, "object");
        }

        /** {@code statefulset milvus/my-release-milvus-querynode}, as messages and logs name it. */
        String describe() {
            return resource.describe(namespace, name);
        }
    }

    /**
     * How often a component found as one kind is checked for an object of the other kind of the same name: the
     * chart renders its Deployment whether or not {@code queryNode.statefulset} is set (milvus-helm
     * templates/querynode-deployment.yaml opens {@code if and .Values.queryNode.enabled .Values.cluster.enabled}, no
     * statefulset guard), so a release in StatefulSet mode can run both, whose pods all serve and are all counted
     * ready, while only the kind found first was written (recheck 40, R1). Once in 5 minutes per component, a 404
     * costs one GET then.
     */
    static final java.time.Duration OTHER_KIND_CHECK = java.time.Duration.ofMinutes(5);

    private final KubernetesRequests requests;
    private final java.util.function.LongSupplier nanoTime;
    private final Map<String, ApiResource> lastFound = new ConcurrentHashMap<>();
    /** When each component's other kind was last seen absent (or could not be looked at), as {@link #nanoTime} read. */
    private final Map<String, Long> otherKindAbsentAt = new ConcurrentHashMap<>();

    HelmWorkloads(KubernetesRequests requests) {
        this(requests, System::nanoTime);
    }

    HelmWorkloads(KubernetesRequests requests, java.util.function.LongSupplier nanoTime) {
        this.requests = requireNonNull(requests, "requests");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * GETs {@code namespace/name} as the kind found last (a Deployment the first time), then as the other kind
     * when that answers 404. Both 404: {@code NOT_FOUND} naming both and what to check; the second forbidden
     * (RBAC without it): {@code FORBIDDEN} saying the first is missing and which rule the second needs.
     */
    Found get(String namespace, String name, Component component) {
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
        requireNonNull(component, "component");
        String key = namespace + "/" + name;
        ApiResource first = lastFound.getOrDefault(key, KINDS[0]);
        ApiResource second = first == KINDS[0] ? KINDS[1] : KINDS[0];
        ActuationException firstMissing;
        try {
            Found found = found(first, namespace, name);
            checkNoneOfTheOtherKind(found, second);
            return found;
        } catch (ActuationException e) {
            if (e.kind() != Kind.NOT_FOUND) {
                throw e;
            }
            firstMissing = e;
        }
        try {
            Found found = found(second, namespace, name);
            otherKindAbsentAt.put(key, nanoTime.getAsLong()); // the first kind answered 404 just now
            return found;
        } catch (ActuationException e) {
            if (e.kind() == Kind.FORBIDDEN) {
                // Say both: the first kind is missing, and the second could not be looked at (RBAC).
                throw new ActuationException(Kind.FORBIDDEN, first.kind() + " " + key + " not found, and the "
                        + second.kind() + " of that name cannot be checked: " + e.getMessage(), e);
            }
            if (e.kind() != Kind.NOT_FOUND) {
                throw e;
            }
            throw new ActuationException(Kind.NOT_FOUND, "neither a Deployment nor a StatefulSet " + key
                    + " found (get deployments.apps and statefulsets.apps answered 404); are the namespace, the"
                    + " release name and fullname-override right (or name-override, for a release that sets the chart's"
                    + " nameOverride), and does the release run this component?" + versionHint(component), firstMissing);
        }
    }

    /**
     * For a component that exists in some Milvus releases only, which ones: a config whose milvus-version is older
     * than the release names an indexNode a 2.6 release does not have (recheck 15, F3), as the operator's message
     * says for its Milvus resource.
     */
    private static String versionHint(Component component) {
        return switch (component) {
            case INDEX_NODE -> " (Milvus 2.6 has no indexNode, its dataNodes build the indexes: if the release runs 2.6,"
                    + " set the cluster's milvus-version and scale dataNode instead, with signals.index-backlog on it)";
            case STREAMING_NODE -> " (streamingNode runs from Milvus 2.6 only: check the cluster's milvus-version)";
            default -> "";
        };
    }

    /**
     * Refuses a component that runs as both kinds under one name (REFUSED, nothing written): which one to scale is
     * not known, and the readiness and load the signals read come from the pods of both, so writing one would size
     * it for the other's pods too. Checked when {@link #OTHER_KIND_CHECK} has passed since the other kind was last
     * seen absent; a check that cannot be made (403 without the rule, the server failing) leaves the read as it was.
     */
    private void checkNoneOfTheOtherKind(Found found, ApiResource other) {
        String key = found.namespace() + "/" + found.name();
        Long absentAt = otherKindAbsentAt.get(key);
        long now = nanoTime.getAsLong();
        if (absentAt != null && now - absentAt < OTHER_KIND_CHECK.toNanos()) {
            return;
        }
        try {
            requests.get(other, found.namespace(), found.name());
        } catch (ActuationException e) {
            if (e.kind() == Kind.NOT_FOUND || e.kind() == Kind.FORBIDDEN || e.kind() == Kind.UNAUTHORIZED) {
                otherKindAbsentAt.put(key, now);
            }
            return;
        }
        otherKindAbsentAt.remove(key);
        throw new ActuationException(Kind.REFUSED, "both " + found.describe() + " and "
                + other.describe(found.namespace(), found.name()) + " exist, and the pods of both serve and are"
                + " counted: which one to scale is not known, so nothing is written. The Milvus chart renders the"
                + " Deployment whether or not queryNode.statefulset / indexNode.statefulset is set"
                + " (templates/querynode-deployment.yaml): delete the one not meant (kubectl -n " + found.namespace()
                + " delete " + other.kind().toLowerCase(java.util.Locale.ROOT) + " " + found.name() + ", or the "
                + found.resource().kind().toLowerCase(java.util.Locale.ROOT) + "), and keep it out of the release");
    }

    /** The kind to write {@code namespace/name} as: the kind last found, a Deployment before any read. */
    ApiResource kindOf(String namespace, String name) {
        return lastFound.getOrDefault(namespace + "/" + name, KINDS[0]);
    }

    private Found found(ApiResource resource, String namespace, String name) {
        JsonObject object = requests.get(resource, namespace, name);
        lastFound.put(namespace + "/" + name, resource);
        return new Found(resource, namespace, name, object);
    }
}
