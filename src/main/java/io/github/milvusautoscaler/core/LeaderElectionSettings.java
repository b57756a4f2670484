package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Which of the daemon's replicas may write: only the holder of a {@code coordination.k8s.io/v1}
 * Lease. Read from {@code milvus-autoscaler.kubernetes.leader-election} (the config loader reports
 * each bad value with its file and line) and checked again here, so no other path can build one that
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
        if (enabled && leaseName.isBlank()) {
            throw new IllegalArgumentException("kubernetes.leader-election.lease-name must not be empty");
        }
        if (retryPeriod.isZero() || retryPeriod.isNegative()) {
            throw new IllegalArgumentException("kubernetes.leader-election.retry-period must be > 0, was " + retryPeriod);
        }
        if (leaseDuration.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("kubernetes.leader-election.lease-duration must be >= 1s (the Lease holds whole seconds), was "
                    + leaseDuration);
        }
        if (renewDeadline.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException("kubernetes.leader-election.renew-deadline (" + renewDeadline
                    + ") must be < lease-duration (" + leaseDuration + "): a leader must stop before a follower may take over");
        }
        if (retryPeriod.compareTo(renewDeadline) >= 0) {
            throw new IllegalArgumentException("kubernetes.leader-election.retry-period (" + retryPeriod
                    + ") must be < renew-deadline (" + renewDeadline + "): a leader needs at least one retry before it gives up");
        }
    }

    /** A copy with namespace and identity filled in (the actuator resolves them from the pod's environment). */
    public LeaderElectionSettings withNamespaceAndIdentity(String resolvedNamespace, String resolvedIdentity) {
        return new LeaderElectionSettings(enabled, leaseName, resolvedNamespace, resolvedIdentity, leaseDuration,
                renewDeadline, retryPeriod);
    }
}
