package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How the daemon talks to the Kubernetes API: the {@code milvus-autoscaler.kubernetes} block, read by the
 * config package and used as is by the actuators, the Event sink and leader election.
 *
 * <p>Retries: a request that fails with 5xx, 429 or a timeout is tried {@code retry.maxAttempts} times in
 * all, waiting {@code retry.initialBackoff} before the second attempt and doubling each time, so 3
 * attempts with 200ms back-off cost at most 3 x requestTimeout + 200ms + 400ms within one tick.
 *
 * @param kubeconfig     kubeconfig path; empty: in-cluster service account when running in a cluster,
 *                       else {@code $KUBECONFIG}, else {@code ~/.kube/config}
 * @param requestTimeout time limit for one request (connect, write, read and the whole call)
 * @param retry          retries for 5xx, 429 and timeouts within one tick
 * @param events         emit Kubernetes Events on the scaled object
 * @param leaderElection who may write
 */
public record KubernetesSettings(Optional<Path> kubeconfig, Duration requestTimeout, RetrySettings retry,
                                 boolean events, LeaderElectionSettings leaderElection) {

    public KubernetesSettings {
        requireNonNull(kubeconfig, "kubeconfig");
        requireNonNull(requestTimeout, "requestTimeout");
        requireNonNull(retry, "retry");
        requireNonNull(leaderElection, "leaderElection");
        Checks checks = new Checks();
        checks.timeout(requestTimeout, "request-timeout");
        checks.done();
    }
}
