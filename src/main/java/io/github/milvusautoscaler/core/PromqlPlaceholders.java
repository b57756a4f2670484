package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The placeholders a PromQL template may use, in one place: the config reader refuses an unknown one with
 * its file and line ({@code {relase}}), and the metrics adapter fills the known ones.
 */
public final class PromqlPlaceholders {

    /** Every placeholder a template may use. */
    public static final Set<String> NAMES = Set.of("namespace", "release", "component", "instance_label",
            "component_label", "deployments", "statefulsets", "deployment_component", "streamingnode_deployments");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private PromqlPlaceholders() {
    }

    /**
     * Why {@code template} cannot be rendered, e.g. {@code unknown placeholder {relase} in PromQL template;
     * known: [{component}, ...]}, or empty. PromQL's own braces ({@code up{job="x"}}, {@code a{2}}) are not
     * placeholders: those hold a matcher or a number, never a bare name.
     */
    public static Optional<String> problem(String template) {
        requireNonNull(template, "template");
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!NAMES.contains(m.group(1))) {
                return Optional.of("unknown placeholder {" + m.group(1) + "} in PromQL template; known: "
                        + new TreeSet<>(NAMES).stream().map(p -> "{" + p + "}").toList());
            }
        }
        return Optional.empty();
    }
}
