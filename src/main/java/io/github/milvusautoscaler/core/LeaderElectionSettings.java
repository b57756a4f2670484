package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Which of the daemon's replicas may write: only the holder of a {@code coordination.k8s.io/v1}
 * Lease. The {@code milvus-autoscaler.kubernetes.leader-election} block; its rules live here
 * only (the config reader adds file and line to what this refuses), so no path can build one that
 * would let two replicas write at once.
 *
 * <p>The three durations must satisfy lease-duration &gt; renew-deadline &gt; retry-period: a
 * leader that has not renewed for renew-deadline (10s by default) stops writing, and a follower
 * only takes an unrenewed lease after lease-duration (15s), so the 5s between them is the margin
 * in which no two replicas can both believe they lead.
 *
 * @param enabled       false: this replica always acts as leader (one replica, outside a cluster)
 * @param leaseName     name of the Lease
 * @param namespace     namespace of the Lease; empty: POD_NAMESPACE, else the service account's namespace
 * @param identity      holder identity written to the Lease; empty: POD_NAME, else HOSTNAME, else the host name
 * @param leaseDuration how long a Lease is valid without renewal (whole seconds are written, at least 1s)
 * @param renewDeadline a leader that cannot renew within this stops writing
 * @param retryPeriod   how often candidates try to acquire or renew
 */
public record LeaderElectionSettings(boolean enabled, String leaseName, String namespace, String identity,
                                     Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {

    public LeaderElectionSettings {
        requireNonNull(leaseName, "leaseName");
        requireNonNull(namespace, "namespace");
        requireNonNull(identity, "identity");
        requireNonNull(leaseDuration, "leaseDuration");
        requireNonNull(renewDeadline, "renewDeadline");
        requireNonNull(retryPeriod, "retryPeriod");
        Checks checks = new Checks();
        // Kubernetes' rules (a DNS-1123 subdomain for the Lease, a label for its namespace): the API server answers
        // 422 to any other name, and no replica would ever lead.
        checks.that(KubernetesNames.OBJECT_NAME.matcher(leaseName).matches(), "lease-name",
                "must be a Lease name such as milvus-autoscaler (lower-case letters, digits, '-' and '.', at most 253)");
        checks.that(namespace.isEmpty() || KubernetesNames.NAMESPACE.matcher(namespace).matches(), "namespace",
                "must be a namespace name such as milvus-autoscaler (lower-case letters, digits and '-', at most 63),"
                        + " or empty for the pod's own");
        boolean positive = checks.positive(leaseDuration, "lease-duration") & checks.positive(renewDeadline,
                "renew-deadline") & checks.positive(retryPeriod, "retry-period");
        // A leader must give up writing before its Lease can expire, and must try to renew more than once
        // before giving up, or two replicas could write at once.
        if (positive) {
            if (!checks.that(leaseDuration.compareTo(Duration.ofSeconds(1)) >= 0, "lease-duration",
                    "must be >= 1s: the Lease holds whole seconds")) {
                checks.done();
            }
            if (checks.that(renewDeadline.compareTo(leaseDuration) < 0, "renew-deadline",
                    "must be < lease-duration (" + Durations.setting(leaseDuration) + ")")) {
                checks.that(retryPeriod.compareTo(renewDeadline) < 0, "retry-period",
                        "must be < renew-deadline (" + Durations.setting(renewDeadline) + ")");
            }
        }
        checks.done();
    }

    /** A copy with namespace and identity filled in (the actuator resolves them from the pod's environment). */
    public LeaderElectionSettings withNamespaceAndIdentity(String resolvedNamespace, String resolvedIdentity) {
        return new LeaderElectionSettings(enabled, leaseName, resolvedNamespace, resolvedIdentity, leaseDuration,
                renewDeadline, retryPeriod);
    }
}
