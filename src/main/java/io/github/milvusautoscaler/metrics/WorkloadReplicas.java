package io.github.milvusautoscaler.metrics;

/**
 * PromQL templates for a component's replicas as kube-state-metrics exports them, for the commands that read
 * them outside a signal ({@code backtest}'s recorded history, {@code doctor}'s checks). A component runs as
 * Deployments ({@code kube_deployment_*}, labelled {@code deployment}) or as a StatefulSet (the Helm chart's
 * {@code queryNode.statefulset}, the operator's {@code statefulSet.enabled}: {@code {statefulsets}};
 * {@code kube_statefulset_*}, labelled {@code statefulset}; kube-state-metrics
 * docs/metrics/workload/statefulset-metrics.md): each sums both. {@code max by} drops a second
 * kube-state-metrics replica's copy of each series.
 */
public final class WorkloadReplicas {

    /** {@code spec.replicas} summed over the component's Deployments or StatefulSet; empty when none is exported. */
    public static final String SPEC = "sum("
            + "max by (deployment) (kube_deployment_spec_replicas{namespace=\"{namespace}\", deployment=~\"{deployments}\"})"
            + " or max by (statefulset) (kube_statefulset_replicas{namespace=\"{namespace}\","
            + " statefulset=~\"{statefulsets}\"}))";

    /** Ready replicas summed the same way. */
    public static final String READY = "sum("
            + "max by (deployment) (kube_deployment_status_replicas_ready{namespace=\"{namespace}\","
            + " deployment=~\"{deployments}\"})"
            + " or max by (statefulset) (kube_statefulset_status_replicas_ready{namespace=\"{namespace}\","
            + " statefulset=~\"{statefulsets}\"}))";

    /**
     * How many of the component's Deployments have replicas: 2 while the Milvus operator moves a queryNode from its
     * -0 to its -1 Deployment one pod at a time (deploy_ctrl_util.go), when the daemon holds every decision as
     * ROLLOUT and the summed spec.replicas goes N, N+1, N as pods move; empty when none is exported.
     */
    public static final String DEPLOYMENTS_WITH_REPLICAS = "count(max by (deployment)"
            + " (kube_deployment_spec_replicas{namespace=\"{namespace}\", deployment=~\"{deployments}\"}) > 0)";

    private WorkloadReplicas() {
    }
}
