package io.github.milvusautoscaler.metrics;

import io.github.milvusautoscaler.core.LabelScheme;
import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.DeploymentNames;
import io.github.milvusautoscaler.core.PromqlPlaceholders;
import io.github.milvusautoscaler.core.Target;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills the placeholders of a PromQL template, so one template serves every cluster, component and
 * install kind.
 *
 * <p>Placeholders: {@code {namespace}}, {@code {release}} (Milvus resource or Helm release name),
 * {@code {component}} (label value such as {@code querynode}), {@code {instance_label}} and
 * {@code {component_label}} (label names from the install kind's {@link LabelScheme}),
 * {@code {deployments}} (an alternation of the exact Deployment names running the component, for
 * {@code deployment=~"{deployments}"} or kube-state-metrics' {@code owner_name=~"{deployments}"}),
 * {@code {deployment_component}} (an anchored regular expression whose first group is the component's
 * label value in such a Deployment name, for {@code label_replace}; see {@link DeploymentNames}),
 * {@code {streamingnode_deployments}} (the same cluster's streamingNode Deployment names, whose embedded
 * queryNodes querycoord counts from Milvus 2.6; {@link DeploymentNames#streamingNodes}) and
 * {@code {statefulsets}} (the StatefulSet a component runs as in its install's StatefulSet mode;
 * {@link DeploymentNames#statefulSet}).
 * Values are escaped for a double-quoted PromQL string. A template that uses {@code {component}},
 * {@code {deployments}} and {@code {statefulsets}} only inside regex matchers ({@code =~"{component}"}) can
 * be rendered for several components at once ({@code =~"datanode|proxy|querynode"}), which is how one query
 * serves a whole cluster.
 */
public final class PromqlTemplate {

    /** Every placeholder a template may use. */
    public static final Set<String> PLACEHOLDERS = PromqlPlaceholders.NAMES;

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    /**
     * The placeholders that select components: a template serves several components at once when each of them
     * sits only inside regex matchers ({@link #servesSeveralComponents}).
     */
    private static final List<Selector> SELECTORS = List.of(new Selector("component"), new Selector("deployments"),
            new Selector("statefulsets"));

    /** One selecting placeholder, with patterns for it anywhere and inside a regex matcher ({@code =~"...{x}..."}). */
    private record Selector(String text, Pattern anywhere, Pattern asRegex) {

        Selector(String name) {
            this("{" + name + "}", Pattern.compile(Pattern.quote("{" + name + "}")),
                    Pattern.compile("=~\"[^\"]*" + Pattern.quote("{" + name + "}") + "[^\"]*\""));
        }

        /** True when every occurrence in {@code template} is inside a regex matcher (also when there is none). */
        boolean onlyInRegexMatchers(String template) {
            return count(template, anywhere) == count(template, asRegex);
        }
    }

    private PromqlTemplate() {
    }

    /**
     * Fails with a message naming the first placeholder that is not one of {@link #PLACEHOLDERS}, e.g.
     * {@code unknown placeholder {relase} in PromQL template; known: ...}.
     */
    public static void validate(String template) {
        PromqlPlaceholders.problem(template).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
    }

    /** Renders {@code template} for one target, e.g. {@code {component}} becomes {@code querynode}. */
    public static String render(String template, Target target, LabelScheme scheme) {
        requireNonNull(target, "target");
        return render(template, target, List.of(target.component().labelValue()), DeploymentNames.of(target), scheme);
    }

    /**
     * Renders {@code template} for several components of one cluster: {@code {component}} becomes the
     * alternation of their label values in sorted order ({@code datanode|querynode}), {@code {deployments}}
     * the alternation of their Deployment names and {@code {statefulsets}} of their StatefulSet names, so the
     * same set always renders the same text. Only meaningful for several components when
     * {@link #servesSeveralComponents} is true.
     *
     * @param cluster      any target of the cluster: its namespace, name and install give {@code {namespace}},
     *                     {@code {release}}, {@code {deployment_component}}, {@code {streamingnode_deployments}}
     *                     and {@code {proxy_deployments}}
     * @param deployments  exact Deployment names of the components (escaped here for the regex)
     */
    public static String render(String template, Target cluster, Collection<String> componentValues,
                                Collection<String> deployments, LabelScheme scheme) {
        requireNonNull(template, "template");
        requireNonNull(cluster, "cluster");
        requireNonNull(componentValues, "componentValues");
        requireNonNull(deployments, "deployments");
        requireNonNull(scheme, "scheme");
        if (componentValues.isEmpty()) {
            throw new IllegalArgumentException("at least one component is needed to render a template");
        }
        validate(template);
        String components = String.join("|", new TreeSet<>(componentValues));
        Map<String, String> values = Map.of(
                "namespace", quoted(cluster.namespace()),
                "release", quoted(cluster.name()),
                "component", quoted(components),
                "instance_label", scheme.instanceLabel(),
                "component_label", scheme.componentLabel(),
                "deployments", quoted(alternation(deployments)),
                "statefulsets", quoted(alternation(componentValues.stream()
                        .map(c -> DeploymentNames.statefulSet(cluster, c)).toList())),
                "deployment_component", quoted(DeploymentNames.componentPattern(cluster)),
                "streamingnode_deployments", quoted(alternation(DeploymentNames.streamingNodes(cluster))),
                "proxy_deployments", quoted(alternation(DeploymentNames.proxies(cluster))));
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 64);
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * True when the template selects components through {@code {component}}, {@code {deployments}} or
     * {@code {statefulsets}}, and only inside regex matchers ({@code =~"{component}"}, {@code =~"{deployments}"},
     * also in an alternation such as {@code =~"{deployments}|{streamingnode_deployments}"}): then rendering it with
     * {@code a|b} selects both components. With an equality matcher ({@code ="{component}"}) that would select
     * nothing, so such a template is rendered once per component instead.
     */
    public static boolean servesSeveralComponents(String template) {
        requireNonNull(template, "template");
        return usesComponent(template) && SELECTORS.stream().allMatch(s -> s.onlyInRegexMatchers(template));
    }

    /** How often {@code pattern} occurs in {@code text}, e.g. regex matchers holding {@code {deployments}}. */
    private static int count(String text, Pattern pattern) {
        return (int) pattern.matcher(text).results().count();
    }

    /** True when the template selects a component at all: {@code {component}}, {@code {deployments}} or {@code {statefulsets}}. */
    public static boolean usesComponent(String template) {
        return SELECTORS.stream().anyMatch(s -> template.contains(s.text()));
    }

    /** Deployment names as one regular expression in sorted order, e.g. {@code x-milvus-proxy|x-milvus-proxy-0}. */
    private static String alternation(Collection<String> deployments) {
        TreeSet<String> names = new TreeSet<>();
        deployments.forEach(d -> names.add(DeploymentNames.quote(d)));
        return String.join("|", names);
    }

    /** Escapes a value for a double-quoted PromQL string literal. */
    static String quoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
