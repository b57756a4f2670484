package io.github.milvusautoscaler.testsupport;

import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.core.KubernetesSettings;
import io.github.milvusautoscaler.core.RetrySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Kubernetes settings for tests: the values a test cares about, reference.conf's leader election. */
public final class Kube {

    private Kube() {
    }

    /** {@code kubeconfig} empty: none (in-cluster, then $KUBECONFIG, then ~/.kube/config). */
    public static KubernetesSettings settings(String kubeconfig, Duration requestTimeout, int attempts, Duration backoff,
                                              boolean events) {
        return new KubernetesSettings(kubeconfig.isEmpty() ? Optional.empty() : Optional.of(Path.of(kubeconfig)),
                requestTimeout, new RetrySettings(attempts, backoff), events,
                ConfigLoader.defaults().kubernetes().leaderElection());
    }
}
