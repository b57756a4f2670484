package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.ActiveAlert.AlertAction;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * How a firing alert's labels pick a target: the alert must carry every {@code match} label with that
 * exact value and every {@code match-re} label matching its (anchored) expression; then its
 * namespace, name and component labels name the target. The first matching route wins.
 *
 * @param match          labels that must equal these values; empty matches every alert
 * @param matchRe        labels whose whole value must match these expressions
 * @param namespaceLabel label holding the target's namespace
 * @param nameLabel      label holding the Milvus resource or Helm release name
 * @param componentLabel label holding the component ({@code queryNode} or {@code querynode})
 * @param action         what the alert asks of the target
 */
public record AlertRoute(Map<String, String> match, Map<String, Pattern> matchRe, String namespaceLabel,
                         String nameLabel, String componentLabel, AlertAction action) {

    public AlertRoute {
        match = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(match, "match")));
        matchRe = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(matchRe, "matchRe")));
        requireNonNull(namespaceLabel, "namespaceLabel");
        requireNonNull(nameLabel, "nameLabel");
        requireNonNull(componentLabel, "componentLabel");
        requireNonNull(action, "action");
    }

    /**
     * True when an alert with these labels passes this route's matchers; e.g. {@code match-re
     * { severity = "critical|page" }} accepts {@code severity=page} but not {@code severity=paged}
     * (anchored), and a label the alert lacks never matches.
     */
    public boolean matches(Map<String, String> labels) {
        requireNonNull(labels, "labels");
        for (Map.Entry<String, String> m : match.entrySet()) {
            if (!m.getValue().equals(labels.get(m.getKey()))) {
                return false;
            }
        }
        for (Map.Entry<String, Pattern> m : matchRe.entrySet()) {
            String value = labels.get(m.getKey());
            if (value == null || !m.getValue().matcher(value).matches()) {
                return false;
            }
        }
        return true;
    }
}
