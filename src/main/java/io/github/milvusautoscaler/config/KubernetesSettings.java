package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.LeaderElectionSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How the daemon talks to the Kubernetes API: the {@code milvus-autoscaler.kubernetes} block.
 *
 * @param kubeconfig         kubeconfig path; empty: in-cluster service account, else $KUBECONFIG, else ~/.kube/config
 * @param requestTimeout     time limit for one API request
 * @param retry              retries for 5xx and timeouts within one tick
 * @param events             emit Kubernetes Events on the scaled object
 * @param leaderElection     who may write
 */
public record KubernetesSettings(Optional<Path> kubeconfig, Duration requestTimeout, RetrySettings retry,
                                 boolean events, LeaderElectionSettings leaderElection) {

    public KubernetesSettings {
        requireNonNull(kubeconfig, "kubeconfig");
        requireNonNull(requestTimeout, "requestTimeout");
        requireNonNull(retry, "retry");
        requireNonNull(leaderElection, "leaderElection");
    }
}
