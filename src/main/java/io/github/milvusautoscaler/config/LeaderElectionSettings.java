package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Which of the daemon's replicas may write: only the holder of a coordination.k8s.io/v1 Lease.
 * Durations must nest ({@code retryPeriod < renewDeadline < leaseDuration}, e.g. 2s < 10s < 15s), or a
 * leader could lose its Lease while still believing it may write.
 *
 * @param enabled       turn off only for a single replica outside a cluster
 * @param leaseName     name of the Lease
 * @param namespace     namespace of the Lease; empty: the pod's own namespace
 * @param identity      identity written to the Lease; empty: the host name (the pod name in a cluster)
 * @param leaseDuration how long a Lease is valid without renewal
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
    }
}
