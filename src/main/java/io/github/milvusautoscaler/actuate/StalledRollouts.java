package io.github.milvusautoscaler.actuate;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which rollouts are stalled ({@link #stalled}: the rules), remembering a Deployment's that ran past its progress
 * deadline until that rollout ends or its template changes. A scale-out of a stalled Deployment is progress to Kubernetes: the controller spreads the
 * new replicas over the old and new ReplicaSets, updatedReplicas rises, and syncRolloutStatus sets Progressing back to
 * True (ReplicaSetUpdated) with a fresh deadline (kubernetes pkg/controller/deployment/progress.go,
 * util.DeploymentProgressing). Read afresh, the rollout looked in progress again and held every decision for another
 * progressDeadlineSeconds, 600 s by default, at cpu 1.15 (recheck 23, F1). Keyed by object; the template is
 * {@code spec.template} as read, which a scale does not change and a new rollout does.
 */
final class StalledRollouts {

    private final Map<String, String> templatesPastDeadline = new ConcurrentHashMap<>();

    /**
     * Why the rollout {@code rolling} of {@code workload} (a {@link HelmDeploymentActuator#rollingOut}) is stalled, or
     * empty while it progresses; {@code rolling} empty forgets the object's.
     */
    Optional<String> judge(String object, ApiResource kind, JsonObject workload, Optional<String> rolling) {
        requireNonNull(object, "object");
        if (rolling.isEmpty()) {
            templatesPastDeadline.remove(object);
            return Optional.empty();
        }
        String template = JsonPaths.at(workload, "spec", "template").map(Object::toString).orElse("");
        Optional<String> why = stalled(kind, workload);
        if (why.isPresent()) {
            if (pastDeadline(workload)) {
                templatesPastDeadline.put(object, template);
            }
            return Optional.of(rolling.get() + ", " + why.get());
        }
        if (template.equals(templatesPastDeadline.get(object))) {
            return Optional.of(rolling.get() + ", past its progress deadline before on this template (a scale-out's"
                    + " new pods count as progress and restart the deadline; it has not reached its end since)");
        }
        templatesPastDeadline.remove(object);
        return Optional.empty();
    }

    /** True when a Deployment's Progressing condition is False with reason ProgressDeadlineExceeded. */
    private static boolean pastDeadline(JsonObject workload) {
        return progressDeadlineExceeded(workload).isPresent();
    }

    /** The ProgressDeadlineExceeded condition's lastTransitionTime ("" without one), or empty when not past it. */
    private static Optional<String> progressDeadlineExceeded(JsonObject workload) {
        Optional<com.google.gson.JsonElement> conditions = JsonPaths.at(workload, "status", "conditions");
        if (conditions.isPresent() && conditions.get().isJsonArray()) {
            for (com.google.gson.JsonElement c : conditions.get().getAsJsonArray()) {
                if (c.isJsonObject() && JsonPaths.string(c.getAsJsonObject(), "type").orElse("").equals("Progressing")
                        && JsonPaths.string(c.getAsJsonObject(), "status").orElse("").equals("False")
                        && JsonPaths.string(c.getAsJsonObject(), "reason").orElse("").equals("ProgressDeadlineExceeded")) {
                    return Optional.of(JsonPaths.string(c.getAsJsonObject(), "lastTransitionTime").orElse(""));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Why a rollout {@link HelmDeploymentActuator#rollingOut} saw will not end by itself, or empty while it progresses. A Deployment past its
     * {@code progressDeadlineSeconds} (600 s by default) has condition Progressing False, reason
     * ProgressDeadlineExceeded (kubernetes.io, Deployments, "Failed Deployment"; a new image that cannot be pulled);
     * one with {@code spec.paused} (kubectl rollout pause) waits for a person. A StatefulSet with an OnDelete update
     * strategy moves a pod only when it is deleted, and one whose RollingUpdate partition is above 0 keeps the pods
     * below it on the old revision once those above are updated (kubernetes.io, StatefulSets, "Partitioned rolling
     * updates"). Held as a rollout, such a component was never scaled again, overloaded for 11 minutes and counting
     * (upgrade recheck 22, F1).
     */
    private static Optional<String> stalled(ApiResource kind, JsonObject workload) {
        if (kind == ApiResource.STATEFUL_SETS) {
            String strategy = JsonPaths.string(workload, "spec", "updateStrategy", "type").orElse("RollingUpdate");
            if (strategy.equals("OnDelete")) {
                return Optional.of("which its OnDelete update strategy leaves to pods being deleted");
            }
            long partition = JsonPaths.integer(workload, "spec", "updateStrategy", "rollingUpdate", "partition")
                    .orElse(0);
            long replicas = JsonPaths.integer(workload, "spec", "replicas").orElse(1);
            long updated = JsonPaths.integer(workload, "status", "updatedReplicas").orElse(0);
            return partition > 0 && updated >= replicas - partition
                    ? Optional.of("held at its partition " + partition + " (pods below it stay on the old revision)")
                    : Optional.empty();
        }
        if (JsonPaths.at(workload, "spec", "paused").filter(p -> p.isJsonPrimitive() && p.getAsJsonPrimitive()
                .isBoolean() && p.getAsBoolean()).isPresent()) {
            return Optional.of("paused (spec.paused: kubectl rollout resume goes on)");
        }
        return progressDeadlineExceeded(workload).map(at -> "past its progress deadline (Progressing:"
                + " ProgressDeadlineExceeded" + (at.isEmpty() ? "" : " since " + at) + ")");
    }
}
