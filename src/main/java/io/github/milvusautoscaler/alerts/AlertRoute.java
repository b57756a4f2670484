package io.github.milvusautoscaler.alerts;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.ActiveAlert;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How alert labels pick a target: labels that must equal values ({@code match}) or match anchored
 * regular expressions ({@code matchRe}), and which labels name the namespace, the Milvus resource
 * or Helm release, and the component. The first route that matches wins.
 */
public record AlertRoute(Map<String, String> match, Map<String, Pattern> matchRe, String namespaceLabel,
                         String nameLabel, String componentLabel, ActiveAlert.AlertAction action) {

    public AlertRoute {
        match = Map.copyOf(requireNonNull(match, "match"));
        matchRe = Map.copyOf(requireNonNull(matchRe, "matchRe"));
        requireNonNull(namespaceLabel, "namespaceLabel");
        requireNonNull(nameLabel, "nameLabel");
        requireNonNull(componentLabel, "componentLabel");
        requireNonNull(action, "action");
    }

    /** The default route: labels {@code namespace}, {@code app_kubernetes_io_instance}, {@code component}; scale out. */
    public static AlertRoute defaults() {
        return new AlertRoute(Map.of(), Map.of(), "namespace", "app_kubernetes_io_instance", "component",
                ActiveAlert.AlertAction.SCALE_OUT);
    }

    boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, String> m : match.entrySet()) {
            if (!m.getValue().equals(labels.get(m.getKey()))) {
                return false;
            }
        }
        for (Map.Entry<String, Pattern> m : matchRe.entrySet()) {
            String v = labels.get(m.getKey());
            if (v == null || !m.getValue().matcher(v).matches()) {
                return false;
            }
        }
        return true;
    }
}
