package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The policies {@code simulate --policies} can name, each a factory called once per run. Built in:
 * {@code hpa} (Kubernetes HPA with the default behavior) and {@code hpa-milvus} (HPA with the
 * Milvus operator sample's behavior). Immutable: {@link #register} returns a new registry, so the
 * cli can add {@code milvus-autoscaler} (which lives outside this package) without a global.
 */
public final class SimPolicies {

    /** Policy names become file names ({@code decisions-<name>.jsonl}), so they stay simple. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    private final Map<String, Function<SimContext, SimPolicy>> factories;

    private SimPolicies(Map<String, Function<SimContext, SimPolicy>> factories) {
        this.factories = Collections.unmodifiableMap(new LinkedHashMap<>(factories));
    }

    /**
     * {@code milvus-autoscaler} (the real engine and policy), {@code hpa}, {@code hpa-milvus}, and the
     * bounds {@code clairvoyant} and {@code clairvoyant-no-hot} (see {@link ClairvoyantSchedule}).
     */
    public static SimPolicies builtIn() {
        Map<String, Function<SimContext, SimPolicy>> m = new LinkedHashMap<>();
        m.put(MilvusAutoscalerSimPolicy.NAME, MilvusAutoscalerSimPolicy::new);
        m.put(HpaPolicy.HPA, ctx -> HpaPolicy.kubernetesDefault(HpaPolicy.HPA, ctx));
        m.put(HpaPolicy.HPA_MILVUS, ctx -> HpaPolicy.milvusOperatorSample(HpaPolicy.HPA_MILVUS, ctx));
        m.put(ClairvoyantPolicy.CLAIRVOYANT, ctx -> ClairvoyantPolicy.create(ClairvoyantPolicy.CLAIRVOYANT,
                ClairvoyantSchedule.Goal.NO_OVERLOAD, ctx));
        m.put(ClairvoyantPolicy.CLAIRVOYANT_NO_HOT, ctx -> ClairvoyantPolicy.create(ClairvoyantPolicy.CLAIRVOYANT_NO_HOT,
                ClairvoyantSchedule.Goal.NO_HOT, ctx));
        return new SimPolicies(m);
    }

    /**
     * A registry with one more policy.
     *
     * @throws IllegalArgumentException when the name is taken or not lower-case letters, digits, '-', '.', '_'
     */
    public SimPolicies register(String name, Function<SimContext, SimPolicy> factory) {
        requireNonNull(name, "name");
        requireNonNull(factory, "factory");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("policy name '" + name + "' must be lower-case letters, digits, '-', '.' or '_'");
        }
        if (factories.containsKey(name)) {
            throw new IllegalArgumentException("policy '" + name + "' is already registered");
        }
        Map<String, Function<SimContext, SimPolicy>> m = new LinkedHashMap<>(factories);
        m.put(name, factory);
        return new SimPolicies(m);
    }

    /** The registered names, in registration order. */
    public Set<String> names() {
        return factories.keySet();
    }

    public boolean contains(String name) {
        return factories.containsKey(name);
    }

    /**
     * Fails on the first unknown name with the list of known ones, before anything runs.
     *
     * @throws IllegalArgumentException "unknown policy 'x'; known policies: hpa, hpa-milvus"
     */
    public void requireKnown(Collection<String> names) {
        for (String n : names) {
            if (!factories.containsKey(n)) {
                throw unknown(n);
            }
        }
    }

    /**
     * A new policy instance for one run.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public SimPolicy create(String name, SimContext context) {
        Function<SimContext, SimPolicy> f = factories.get(requireNonNull(name, "name"));
        if (f == null) {
            throw unknown(name);
        }
        SimPolicy p = requireNonNull(f.apply(requireNonNull(context, "context")), "factory of " + name + " returned null");
        if (!p.name().equals(name)) {
            throw new IllegalStateException("factory for '" + name + "' built a policy named '" + p.name() + "'");
        }
        return p;
    }

    /** The factory registered under {@code name}, for building a simulation by hand. */
    public Function<SimContext, SimPolicy> factory(String name) {
        Function<SimContext, SimPolicy> f = factories.get(requireNonNull(name, "name"));
        if (f == null) {
            throw unknown(name);
        }
        return f;
    }

    private IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("unknown policy '" + name + "'; known policies: "
                + String.join(", ", factories.keySet()));
    }
}
