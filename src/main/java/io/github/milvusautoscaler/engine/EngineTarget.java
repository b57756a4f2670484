package io.github.milvusautoscaler.engine;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.SignalQuery;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.policy.Policy;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A target the engine runs a loop for, with the policy built from its settings.
 *
 * @param measures what each signal measures, by name: its query template and how it is read; a reload that changes
 *                 one restarts the scale-in sustain ({@link Policy#restartSustain}), whose averages were of the old
 *                 query. Empty when unknown (tests, and targets built without their queries).
 */
public record EngineTarget(Target target, Policy policy, Map<String, String> measures) {

    public EngineTarget {
        requireNonNull(target, "target");
        requireNonNull(policy, "policy");
        measures = Map.copyOf(requireNonNull(measures, "measures"));
    }

    public EngineTarget(Target target, Policy policy) {
        this(target, policy, Map.of());
    }

    /** What each of {@code signals} measures: "template | per-pod | may-be-negative", by signal name. */
    public static Map<String, String> measures(List<SignalQuery> signals) {
        return measures(signals, java.util.function.UnaryOperator.identity());
    }

    /**
     * As {@link #measures(List)} with each template as {@code render} sends it: a label scheme or Deployment name
     * fixed in the config changes the query sent, not its template (reload recheck F1: a component-label fixed
     * from a wrong one that read 0 kept the sustain, and the target stepped down on in-band readings).
     */
    public static Map<String, String> measures(List<SignalQuery> signals,
                                               java.util.function.UnaryOperator<String> render) {
        Map<String, String> m = new TreeMap<>();
        for (SignalQuery s : signals) {
            m.put(s.name(), render.apply(s.template()) + " | per-pod " + s.perPod() + " | may-be-negative "
                    + s.mayBeNegative());
        }
        return m;
    }
}
