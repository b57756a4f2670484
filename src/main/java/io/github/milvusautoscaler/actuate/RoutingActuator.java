package io.github.milvusautoscaler.actuate;

import io.github.milvusautoscaler.core.KubernetesSettings;
import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.ScaleMemory;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.WriteGuard;
import io.github.milvusautoscaler.core.WriteContext;
import io.kubernetes.client.openapi.ApiClient;

/**
 * One {@link ReplicaActuator} for every target: operator installs go to the Milvus resource,
 * Helm installs to their Deployment, chosen by {@link Target#install()}.
 */
public final class RoutingActuator implements ReplicaActuator {

    private final ReplicaActuator operator;
    private final ReplicaActuator helm;

    public RoutingActuator(ReplicaActuator operator, ReplicaActuator helm) {
        this.operator = requireNonNull(operator, "operator");
        this.helm = requireNonNull(helm, "helm");
    }

    /**
     * The actuator the daemon uses: both install kinds on one client, remembering each owning
     * object in {@code scaledObjects} for the Event sink.
     */
    public static RoutingActuator forCluster(ApiClient client, KubernetesSettings options, ScaledObjects scaledObjects) {
        return new RoutingActuator(new MilvusOperatorActuator(client, options, scaledObjects),
                new HelmDeploymentActuator(client, options, scaledObjects));
    }

    @Override
    public ReplicaStatus read(Target target) {
        return route(target).read(target);
    }

    @Override
    public void apply(Decision decision, ReplicaStatus basis) {
        requireNonNull(decision, "decision");
        route(decision.target()).apply(decision, basis);
    }

    @Override
    public void apply(Decision decision, ReplicaStatus basis, WriteContext context) {
        requireNonNull(decision, "decision");
        route(decision.target()).apply(decision, basis, context);
    }

    @Override
    public void remember(Target target, ScaleMemory memory, ReplicaStatus basis, WriteGuard guard) {
        route(target).remember(target, memory, basis, guard);
    }

    @Override
    public void clearLeftOverPauseMarks(Target target, ReplicaStatus basis, WriteGuard guard) {
        route(target).clearLeftOverPauseMarks(target, basis, guard);
    }

    private ReplicaActuator route(Target target) {
        requireNonNull(target, "target");
        return switch (target.install()) {
            case OPERATOR -> operator;
            case HELM -> helm;
        };
    }
}
