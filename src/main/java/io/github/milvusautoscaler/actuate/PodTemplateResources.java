package io.github.milvusautoscaler.actuate;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.TemplateResources;
import io.kubernetes.client.custom.Quantity;
import java.util.OptionalDouble;

/**
 * Reads {@link TemplateResources} from a Deployment's or StatefulSet's pod template: {@code resources.requests.cpu}
 * and {@code resources.limits.memory} of its Milvus container, the one the cpu and memory templates divide by
 * (kube-state-metrics reports one {@code kube_pod_container_resource_*} series per declaring container,
 * internal/store/pod.go). The Milvus chart names that container after the component and renders the component's
 * {@code resources} values into it (charts/milvus/templates/querynode-deployment.yaml: {@code - name: querynode},
 * {@code resources: {{- toYaml .Values.queryNode.resources | nindent 10 }}}); the operator does the same from
 * {@code spec.components.<component>.resources} or {@code spec.components.resources} (pkg/controllers/
 * deployment_updater.go, updateMilvusContainer). A sidecar's resources are not Milvus' and are not read.
 */
final class PodTemplateResources {

    private PodTemplateResources() {
    }

    /**
     * What the workload's pod template declares for its container named {@code container} (the component's label
     * value, e.g. "querynode"); empty amounts where it declares none or no container has that name.
     */
    static TemplateResources of(JsonObject workload, String container) {
        JsonArray containers = JsonPaths.object(workload, "spec", "template", "spec")
                .filter(s -> s.has("containers") && s.get("containers").isJsonArray())
                .map(s -> s.getAsJsonArray("containers")).orElse(new JsonArray());
        return new TemplateResources(amount(containers, container, "requests", "cpu"),
                amount(containers, container, "limits", "memory"));
    }

    private static OptionalDouble amount(JsonArray containers, String container, String kind, String resource) {
        for (JsonElement c : containers) {
            if (!c.isJsonObject()
                    || JsonPaths.string(c.getAsJsonObject(), "name").filter(container::equals).isEmpty()) {
                continue; // names are unique within a pod (the API server validates them)
            }
            var amount = JsonPaths.string(c.getAsJsonObject(), "resources", kind, resource);
            try {
                double v = amount.isEmpty() ? 0 : Quantity.fromString(amount.get()).getNumber().doubleValue();
                return v > 0 ? OptionalDouble.of(v) : OptionalDouble.empty();
            } catch (RuntimeException e) {
                // The API server validates quantities; one it passed that this cannot read is not known, not 0.
                return OptionalDouble.empty();
            }
        }
        return OptionalDouble.empty();
    }
}
