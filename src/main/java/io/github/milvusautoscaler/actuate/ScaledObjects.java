package io.github.milvusautoscaler.actuate;

import io.github.milvusautoscaler.core.KubernetesSettings;
import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.DeploymentNames;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The object that owns each target's replica count, as last read by an actuator, so Events can
 * name it with its uid: {@code kubectl describe} only lists Events whose involvedObject.uid matches.
 * Thread-safe; shared by the actuators that fill it and the {@link KubernetesEventSink} that reads it.
 */
public final class ScaledObjects {

    private final Map<Target, V1ObjectReference> seen = new ConcurrentHashMap<>();
    private final KubernetesSettings options;

    public ScaledObjects(KubernetesSettings options) {
        this.options = requireNonNull(options, "options");
    }

    void remember(Target target, ApiResource resource, String name, String uid, String resourceVersion) {
        seen.put(target, new V1ObjectReference().apiVersion(resource.apiVersion()).kind(resource.kind())
                .namespace(target.namespace()).name(name).uid(uid).resourceVersion(resourceVersion));
    }

    /**
     * The object last read for the target, or, before the first read, the object the target names
     * (without uid: the Event is still listed by {@code kubectl get events}).
     */
    public V1ObjectReference reference(Target target) {
        requireNonNull(target, "target");
        V1ObjectReference known = seen.get(target);
        if (known != null) {
            return known;
        }
        ApiResource resource = resource(target);
        return new V1ObjectReference().apiVersion(resource.apiVersion()).kind(resource.kind())
                .namespace(target.namespace()).name(objectName(target));
    }

    /** The resource type owning the target's replicas. */
    static ApiResource resource(Target target) {
        return target.install() == InstallKind.OPERATOR ? ApiResource.MILVUSES : ApiResource.DEPLOYMENTS;
    }

    /** The owning object's name: the Milvus resource, or the Helm Deployment named by the chart's rule. */
    String objectName(Target target) {
        return target.install() == InstallKind.OPERATOR ? target.name() : DeploymentNames.helmDeployment(target);
    }
}
