package io.github.milvusautoscaler.actuate;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.TemplateResources;
import io.kubernetes.client.custom.Quantity;
import java.util.OptionalDouble;

/**
 * Reads {@link TemplateResources} from a Deployment's or StatefulSet's pod template: {@code
 * spec.template.spec.containers[*].resources.requests.cpu} and {@code .limits.memory}, summed over the containers
 * that declare them, as kube-state-metrics reports one {@code kube_pod_container_resource_*} series per declaring
 * container (internal/store/pod.go) and the cpu and memory templates divide by their sum. The Milvus chart renders a
 * component's {@code resources} values into its one container (charts/milvus/templates/querynode-deployment.yaml:
 * {@code resources: {{- toYaml .Values.queryNode.resources | nindent 10 }}}); the operator does the same from
 * {@code spec.components.<component>.resources} or {@code spec.components.resources}.
 */
final class PodTemplateResources {

    private PodTemplateResources() {
    }

    /** What the workload's pod template declares; empty amounts where no container declares one. */
    static TemplateResources of(JsonObject workload) {
        JsonArray containers = JsonPaths.object(workload, "spec", "template", "spec")
                .filter(s -> s.has("containers") && s.get("containers").isJsonArray())
                .map(s -> s.getAsJsonArray("containers")).orElse(new JsonArray());
        return new TemplateResources(sum(containers, "requests", "cpu"), sum(containers, "limits", "memory"));
    }

    private static OptionalDouble sum(JsonArray containers, String kind, String resource) {
        double total = 0;
        boolean any = false;
        for (JsonElement c : containers) {
            if (!c.isJsonObject()) {
                continue;
            }
            var amount = JsonPaths.string(c.getAsJsonObject(), "resources", kind, resource);
            if (amount.isEmpty()) {
                continue;
            }
            try {
                double v = Quantity.fromString(amount.get()).getNumber().doubleValue();
                if (v > 0) {
                    total += v;
                    any = true;
                }
            } catch (RuntimeException e) {
                // The API server validates quantities; one it passed that this cannot read is not known, not 0.
                return OptionalDouble.empty();
            }
        }
        return any ? OptionalDouble.of(total) : OptionalDouble.empty();
    }
}
