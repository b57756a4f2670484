package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The Deployment names an install creates for a worker component, from the chart's and the operator's
 * own naming rules, so metrics select exactly the pods the actuator scales and nobody hand-sets a name.
 *
 * <p>Helm ({@code zilliztech/milvus-helm}, {@code templates/_helpers.tpl}): {@code milvus.fullname} is
 * {@code fullnameOverride} when set, else the release name when it already contains the name
 * ({@code nameOverride}, by default the chart name {@code milvus}), else {@code <release>-<name>}, each cut to
 * 63 characters with one trailing {@code -} trimmed (Sprig's {@code trimSuffix}); a component's Deployment is
 * {@code <fullname>-<component>} ({@code milvus.querynode.fullname}).
 * So release {@code hr} gives {@code hr-milvus-querynode}, release {@code my-milvus} gives
 * {@code my-milvus-querynode}.
 *
 * <p>Operator ({@code zilliztech/milvus-operator}): {@code MilvusComponent.GetDeploymentName} is
 * {@code <name>-milvus-<component>}; with two Deployments per component {@code formatComponentDeployName}
 * adds the group id, {@code <name>-milvus-<component>-0} and {@code -1}. queryNode always runs that way
 * (its blue/green rolling mode), every component in rolling mode 3. So queryNode's names are the
 * {@code -0}/{@code -1} pair only, which also keeps a Helm release of the same name in the same namespace
 * ({@code x-milvus-querynode}) out of the operator's queryNode; other components may have any of the three.
 */
public final class DeploymentNames {

    /** The chart's name ({@code .Chart.Name}), the default {@code nameOverride}. */
    static final String CHART_NAME = "milvus";
    private static final int DNS_LABEL_MAX = 63;

    private DeploymentNames() {
    }

    /**
     * The chart's {@code milvus.fullname}: e.g. release {@code prod} gives {@code prod-milvus}, release
     * {@code my-milvus} keeps {@code my-milvus}, {@code fullnameOverride = "search"} gives {@code search}.
     *
     * @param release          the Helm release name
     * @param fullnameOverride the chart value {@code fullnameOverride}; empty when not set
     */
    public static String helmFullname(String release, String fullnameOverride) {
        return helmFullname(release, fullnameOverride, "");
    }

    /**
     * The chart's {@code milvus.fullname} with its {@code nameOverride} too: release {@code prod} with
     * {@code nameOverride = "vdb"} gives {@code prod-vdb}, release {@code team-vdb} keeps {@code team-vdb};
     * a {@code fullnameOverride} wins over both.
     *
     * @param release          the Helm release name
     * @param fullnameOverride the chart value {@code fullnameOverride}; empty when not set
     * @param nameOverride     the chart value {@code nameOverride}; empty when not set (the chart name)
     */
    public static String helmFullname(String release, String fullnameOverride, String nameOverride) {
        requireNonNull(release, "release");
        requireNonNull(fullnameOverride, "fullnameOverride");
        requireNonNull(nameOverride, "nameOverride");
        if (!fullnameOverride.isEmpty()) {
            return truncTrim(fullnameOverride);
        }
        String name = nameOverride.isEmpty() ? CHART_NAME : nameOverride;
        if (release.contains(name)) {
            return truncTrim(release);
        }
        return truncTrim(release + "-" + name);
    }

    /**
     * Every Deployment that runs {@code target}'s pods: one for Helm ({@code hr-milvus-querynode}); for the
     * operator {@code x-milvus-querynode-0} and {@code -1}, or for another component the three candidates
     * {@code x-milvus-proxy}, {@code -0}, {@code -1}, of which a cluster has one or two at a time.
     */
    public static List<String> of(Target target) {
        requireNonNull(target, "target");
        String component = target.component().labelValue();
        if (target.install() == InstallKind.HELM) {
            return List.of(helmFullname(target.name(), target.fullnameOverride()) + "-" + component);
        }
        String base = target.name() + "-" + CHART_NAME + "-" + component;
        if (target.component() == Component.QUERY_NODE) {
            return List.of(base + "-0", base + "-1");
        }
        return List.of(base, base + "-0", base + "-1");
    }

    /**
     * The Deployments of the streamingNode of {@code target}'s cluster, named as any component's ({@link #of}):
     * Helm {@code hr-milvus-streamingnode} ({@code milvus.streamingnode.fullname}), operator
     * {@code x-milvus-streamingnode}, {@code -0}, {@code -1}. Only Milvus 2.6 and later has one; before, the
     * names match no Deployment. Why a queryNode needs them: each streamingNode runs an embedded queryNode
     * that registers with querycoord as a queryNode (milvus {@code sessionutil.LabelStreamingNodeEmbeddedQueryNode};
     * querycoordv2's {@code watchNodes} adds every queryNode session to its node manager), so querycoord's
     * node count is the queryNodes plus the streamingNodes.
     */
    public static List<String> streamingNodes(Target target) {
        requireNonNull(target, "target");
        return of(new Target(target.namespace(), target.name(), Component.STREAMING_NODE, target.install(),
                target.fullnameOverride()));
    }

    /**
     * The proxy Deployment names of {@code target}'s cluster, named as {@link #of} names any component's: a proxy whose
     * scrape fails is known as one by this owner chain, its own series being stale (the qps template's guard).
     */
    public static List<String> proxies(Target target) {
        requireNonNull(target, "target");
        return of(new Target(target.namespace(), target.name(), Component.PROXY, target.install(),
                target.fullnameOverride()));
    }

    /**
     * The StatefulSet a component runs as instead of Deployments, when its install is set so: Helm's
     * {@code queryNode.statefulset} / {@code indexNode.statefulset} name it as the Deployment
     * ({@code milvus.querynode.fullname}, templates/querynode-statefulset.yaml); the operator's
     * {@code spec.components.<component>.statefulSet.enabled} names it {@code GetDeploymentName},
     * {@code <name>-milvus-<component>} without a {@code -0}/{@code -1} (pkg/controllers/statefulset.go:
     * the StatefulSet mode has no blue/green pair).
     *
     * @param componentValue the component's label value, e.g. {@code querynode}
     */
    public static String statefulSet(Target cluster, String componentValue) {
        requireNonNull(cluster, "cluster");
        requireNonNull(componentValue, "componentValue");
        if (cluster.install() == InstallKind.HELM) {
            return helmFullname(cluster.name(), cluster.fullnameOverride()) + "-" + componentValue;
        }
        return cluster.name() + "-" + CHART_NAME + "-" + componentValue;
    }

    /** The one Deployment whose {@code spec.replicas} a Helm install scales, e.g. {@code hr-milvus-querynode}. */
    public static String helmDeployment(Target target) {
        if (target.install() != InstallKind.HELM) {
            throw new IllegalArgumentException(target + " is not a Helm install");
        }
        return of(target).get(0);
    }

    /**
     * An anchored RE2 regular expression (as PromQL's {@code label_replace} and {@code =~} use) whose
     * first group is the component's label value in any Deployment name of this install: for Helm release
     * {@code hr}, {@code hr-milvus-(.+)}; for the operator's {@code x}, {@code x-milvus-(.+?)(?:-[01])?},
     * so {@code x-milvus-querynode-1} yields {@code querynode}.
     */
    public static String componentPattern(Target target) {
        requireNonNull(target, "target");
        if (target.install() == InstallKind.HELM) {
            return quote(helmFullname(target.name(), target.fullnameOverride())) + "-(.+)";
        }
        return quote(target.name() + "-" + CHART_NAME) + "-(.+?)(?:-[01])?";
    }

    /** Escapes RE2 meta-characters in a Kubernetes name (only {@code .} can occur there). */
    public static String quote(String name) {
        return name.replace(".", "\\.");
    }

    /** {@code trunc 63 | trimSuffix "-"}: Sprig's trimSuffix removes one {@code -}, not all. */
    private static String truncTrim(String name) {
        String cut = name.length() > DNS_LABEL_MAX ? name.substring(0, DNS_LABEL_MAX) : name;
        return cut.endsWith("-") ? cut.substring(0, cut.length() - 1) : cut;
    }
}
