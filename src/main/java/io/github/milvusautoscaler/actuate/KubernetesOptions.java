package io.github.milvusautoscaler.actuate;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Component;
import java.time.Duration;

/**
 * How the actuator talks to the Kubernetes API, validated once; the values come from
 * {@code milvus-autoscaler.kubernetes} in reference.conf, so this record carries no defaults.
 *
 * <p>Retries: a request that fails with 5xx, 429 or a timeout is tried {@code retryAttempts}
 * times in all, waiting {@code retryBackoff} before the second attempt and doubling each time,
 * so 3 attempts with 200ms back-off cost at most 3 x requestTimeout + 200ms + 400ms within one tick.
 *
 * @param kubeconfig                 path of a kubeconfig; empty: in-cluster service account when
 *                                   running in a cluster, else {@code $KUBECONFIG}, else {@code ~/.kube/config}
 * @param requestTimeout             time limit for one request (connect, write, read and the whole call)
 * @param retryAttempts              attempts per request for 5xx, 429 and timeouts, at least 1
 * @param retryBackoff               wait before the first retry; doubles each attempt
 * @param events                     emit Kubernetes Events on the scaled object
 */
public record KubernetesOptions(String kubeconfig, Duration requestTimeout, int retryAttempts, Duration retryBackoff,
                                boolean events) {

    public KubernetesOptions {
        requireNonNull(kubeconfig, "kubeconfig");
        requireNonNull(requestTimeout, "requestTimeout");
        requireNonNull(retryBackoff, "retryBackoff");
        if (requestTimeout.isZero() || requestTimeout.isNegative()) {
            throw new IllegalArgumentException("kubernetes.request-timeout must be > 0, was " + requestTimeout);
        }
        if (retryAttempts < 1) {
            throw new IllegalArgumentException("kubernetes.retry.max-attempts must be >= 1, was " + retryAttempts);
        }
        if (retryBackoff.isNegative()) {
            throw new IllegalArgumentException("kubernetes.retry.initial-backoff must be >= 0, was " + retryBackoff);
        }
    }
}
