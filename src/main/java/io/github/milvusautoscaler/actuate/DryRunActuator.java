package io.github.milvusautoscaler.actuate;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.ScaleMemory;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.WriteGuard;
import io.github.milvusautoscaler.core.WriteContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code dry-run = true}: reads the cluster as usual so decisions are computed on real numbers,
 * and never writes; {@link #apply} only logs what would have been written. The engine marks the
 * decisions {@link Decision#dryRun()} so logs, metrics and status say they were not applied.
 */
public final class DryRunActuator implements ReplicaActuator {

    private static final Logger LOG = LoggerFactory.getLogger(DryRunActuator.class);

    private final ReplicaActuator delegate;

    public DryRunActuator(ReplicaActuator delegate) {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    @Override
    public ReplicaStatus read(Target target) {
        return delegate.read(target);
    }

    /** Never writes, so the guard is not consulted. */
    @Override
    public void apply(Decision decision, ReplicaStatus basis, WriteContext context) {
        apply(decision, basis);
    }

    /** Writes nothing, memory included. */
    @Override
    public void remember(Target target, ScaleMemory memory, ReplicaStatus basis, WriteGuard guard) {
    }

    @Override
    public void apply(Decision decision, ReplicaStatus basis) {
        requireNonNull(decision, "decision");
        requireNonNull(basis, "basis");
        if (decision.isScale() && decision.to() != null && decision.to() != basis.current()) {
            LOG.info("{}: dry-run, not writing {} -> {} ({}: {})", decision.target(), basis.current(), decision.to(),
                    decision.reason(), decision.message().text());
        }
    }
}
