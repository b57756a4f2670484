package io.github.milvusautoscaler.actuate;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which rollouts are stalled, remembering a Deployment's that ran past its progress deadline until that rollout ends
 * or its template changes. A scale-out of a stalled Deployment is progress to Kubernetes: the controller spreads the
 * new replicas over the old and new ReplicaSets, updatedReplicas rises, and syncRolloutStatus sets Progressing back to
 * True (ReplicaSetUpdated) with a fresh deadline (kubernetes pkg/controller/deployment/progress.go,
 * util.DeploymentProgressing). Read afresh, the rollout looked in progress again and held every decision for another
 * progressDeadlineSeconds, 600 s by default, at cpu 1.15 (recheck 23, F1). Keyed by object; the template is
 * {@code spec.template} as read, which a scale does not change and a new rollout does.
 */
final class StalledRollouts {

    private final Map<String, String> pastDeadline = new ConcurrentHashMap<>();

    /**
     * Why the rollout {@code rolling} of {@code workload} (a {@link HelmDeploymentActuator#rollingOut}) is stalled, or
     * empty while it progresses; {@code rolling} empty forgets the object's.
     */
    Optional<String> judge(String object, ApiResource kind, JsonObject workload, Optional<String> rolling) {
        requireNonNull(object, "object");
        if (rolling.isEmpty()) {
            pastDeadline.remove(object);
            return Optional.empty();
        }
        String template = JsonPaths.at(workload, "spec", "template").map(Object::toString).orElse("");
        Optional<String> why = HelmDeploymentActuator.stalled(kind, workload);
        if (why.isPresent()) {
            if (HelmDeploymentActuator.pastDeadline(workload)) {
                pastDeadline.put(object, template);
            }
            return Optional.of(rolling.get() + ", " + why.get());
        }
        if (template.equals(pastDeadline.get(object))) {
            return Optional.of(rolling.get() + ", past its progress deadline before on this template (a scale-out's"
                    + " new pods count as progress and restart the deadline; it has not reached its end since)");
        }
        pastDeadline.remove(object);
        return Optional.empty();
    }
}
