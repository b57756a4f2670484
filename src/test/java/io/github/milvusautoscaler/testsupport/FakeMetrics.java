package io.github.milvusautoscaler.testsupport;

import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.MetricsSource;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** cpu per target, as set by the test; every pod reports. */
public final class FakeMetrics implements MetricsSource {
    public final Map<Target, Double> cpu = new ConcurrentHashMap<>();
    /**
     * Targets whose cpu does not apply, with why: their pods declare no CPU request, as on a default chart install
     * (zilliztech/milvus-helm charts/milvus/values.yaml, resources: {}; see core.DeclaredResource).
     */
    public final Map<Target, String> cpuNotApplicable = new ConcurrentHashMap<>();

    /** The CPU request per serving pod each target's pods declare (kube-state-metrics'); not read when absent. */
    public final Map<Target, Double> cpuRequest = new ConcurrentHashMap<>();

    @Override
    public java.util.OptionalDouble servingAmount(Target target, io.github.milvusautoscaler.core.ContainerResource resource,
                                                 Instant at) {
        Double amount = resource == io.github.milvusautoscaler.core.ContainerResource.CPU_REQUEST
                ? cpuRequest.get(target) : null;
        return amount == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(amount);
    }

    @Override
    public Observation observe(Target target, Instant at) {
        Double v = cpu.get(target);
        String notApplicable = cpuNotApplicable.get(target);
        Signal s = notApplicable != null ? Signal.notApplicable("cpu", notApplicable)
                : v == null ? Signal.unknown("cpu", "empty result") : Signal.known("cpu", v, 0, Duration.ZERO);
        return new Observation(target, at, Map.of("cpu", s), Settle.QUIET, Health.OK, List.of());
    }
}
