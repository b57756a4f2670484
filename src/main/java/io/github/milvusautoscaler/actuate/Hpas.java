package io.github.milvusautoscaler.actuate;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Collection;
import java.util.Optional;

/**
 * The HorizontalPodAutoscalers of a namespace that scale a component's Deployments (or a Helm install's
 * StatefulSet), so an actuator can refuse
 * a component another autoscaler owns: the HPA controller writes its own count back within its 15 s sync, and
 * each of our writes would be undone (or undo its).
 */
final class Hpas {

    /** An HPA named {@code hpa} scaling the object {@code workload}. */
    record Scaling(String hpa, String workload) {
    }

    private Hpas() {
    }

    /**
     * One HPA of {@code namespace} whose {@code spec.scaleTargetRef} is an object of kind {@code resource} named
     * in {@code names}; empty when none. One list request.
     */
    static Optional<Scaling> scaling(KubernetesRequests requests, String namespace, ApiResource resource,
                                     Collection<String> names) {
        requireNonNull(resource, "resource");
        requireNonNull(names, "names");
        JsonObject list = requests.list(ApiResource.HORIZONTAL_POD_AUTOSCALERS, namespace, "");
        if (!list.has("items") || !list.get("items").isJsonArray()) {
            return Optional.empty();
        }
        for (JsonElement item : list.getAsJsonArray("items")) {
            if (!item.isJsonObject()) {
                continue;
            }
            JsonObject hpa = item.getAsJsonObject();
            boolean sameKind = JsonPaths.string(hpa, "spec", "scaleTargetRef", "kind").orElse("")
                    .equals(resource.kind());
            String target = JsonPaths.string(hpa, "spec", "scaleTargetRef", "name").orElse("");
            if (sameKind && names.contains(target)) {
                return Optional.of(new Scaling(JsonPaths.string(hpa, "metadata", "name").orElse("?"), target));
            }
        }
        return Optional.empty();
    }
}
