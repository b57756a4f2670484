package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One signal as read for one target at one tick: a value, or the reason there is none.
 *
 * <p>A missing value is represented by an empty {@code value} plus a {@code problem} sentence
 * ("empty result", "prometheus timeout after 5s"), never by 0: KEDA's habit of turning an
 * empty result into 0 has scaled production workloads to their floor at peak.
 *
 * @param name            signal name as configured ({@code cpu}, {@code memory}, {@code qps}, ...)
 * @param value           the per-pod average (or cluster value) when known
 * @param podsReporting   how many pods contributed a series; 0 for cluster-level signals
 * @param newestSampleAge age of the newest sample behind the value, at observation time
 * @param problem         why the value is missing; empty string when the value is known
 * @param applicable      false when the signal cannot exist for this target rather than being unread: the
 *                        component's pods declare none of the resource it is a fraction of
 *                        ({@link DeclaredResource}); the policy leaves such a signal out instead of holding on it
 * @param hottest         the pod with the highest value behind a per-pod average, when the series name their pods;
 *                        empty for cluster values: a memory limit is per container, and the kernel kills the one
 *                        past it whatever the average (a step-down on 0.48 averaged put a pod at 0.93 past its
 *                        limit: recheck 65, F1)
 * @param readyDividedBy  for a value per ready replica (qps: the searches over the component's ready replicas), the
 *                        ready count it was divided by as kube-state-metrics reports it ({@code queries.component-ready});
 *                        0 for any other signal. It lags the scaled object's by up to a scrape, so the policy divides by
 *                        the object's instead ({@link #valueOver}): a queryNode back from a restart, ready in the
 *                        object, still divided qps by the 2 others, read 150 for 100, and scaled out (recheck 96, F1)
 */
public record Signal(String name, OptionalDouble value, int podsReporting, Duration newestSampleAge, String problem,
                     boolean applicable, Optional<PodValue> hottest, int readyDividedBy) {

    /**
     * One pod's value of a per-pod signal.
     *
     * @param pod   the pod's name, as its series label {@code pod} says it
     * @param value its value
     */
    public record PodValue(String pod, double value) {

        public PodValue {
            requireNonNull(pod, "pod");
        }
    }

    /** A signal with no pod named as its hottest. */
    public Signal(String name, OptionalDouble value, int podsReporting, Duration newestSampleAge, String problem,
                  boolean applicable) {
        this(name, value, podsReporting, newestSampleAge, problem, applicable, Optional.empty());
    }

    /** A signal not divided by a ready count. */
    public Signal(String name, OptionalDouble value, int podsReporting, Duration newestSampleAge, String problem,
                  boolean applicable, Optional<PodValue> hottest) {
        this(name, value, podsReporting, newestSampleAge, problem, applicable, hottest, 0);
    }

    public Signal {
        requireNonNull(name, "name");
        requireNonNull(value, "value");
        requireNonNull(newestSampleAge, "newestSampleAge");
        requireNonNull(problem, "problem");
        if (value.isPresent() && !Double.isFinite(value.getAsDouble())) {
            throw new IllegalArgumentException("signal " + name + " value must be finite, was " + value.getAsDouble());
        }
        if (value.isEmpty() && problem.isBlank()) {
            throw new IllegalArgumentException("signal " + name + " without a value must say why");
        }
        if (!applicable && value.isPresent()) {
            throw new IllegalArgumentException("signal " + name + " that does not apply cannot have a value");
        }
        if (podsReporting < 0) {
            throw new IllegalArgumentException("podsReporting must be >= 0");
        }
        if (readyDividedBy < 0) {
            throw new IllegalArgumentException("readyDividedBy must be >= 0");
        }
        requireNonNull(hottest, "hottest");
        if (hottest.isPresent() && value.isEmpty()) {
            throw new IllegalArgumentException("signal " + name + " without a value cannot name its hottest pod");
        }
    }

    /** A known value. */
    public static Signal known(String name, double value, int podsReporting, Duration newestSampleAge) {
        return new Signal(name, OptionalDouble.of(value), podsReporting, newestSampleAge, "", true);
    }

    /** A known per-pod average and the pod whose value is highest. */
    public static Signal knownPerPod(String name, double value, int podsReporting, Duration newestSampleAge,
                                     PodValue hottest) {
        return new Signal(name, OptionalDouble.of(value), podsReporting, newestSampleAge, "", true,
                Optional.of(hottest));
    }

    /** An unknown value with the reason a decision message can name. */
    public static Signal unknown(String name, String problem) {
        return new Signal(name, OptionalDouble.empty(), 0, Duration.ZERO, problem, true);
    }

    /**
     * A signal that does not apply to this target, with why ({@link DeclaredResource#problem}): no value, and
     * not UNKNOWN either, because there is nothing to wait for.
     */
    public static Signal notApplicable(String name, String why) {
        return new Signal(name, OptionalDouble.empty(), 0, Duration.ZERO, why, false);
    }

    public boolean isKnown() {
        return value.isPresent();
    }

    /** This known value as divided by {@code ready} replicas as kube-state-metrics reports them. */
    public Signal withReadyDividedBy(int ready) {
        return new Signal(name, value, podsReporting, newestSampleAge, problem, applicable, hottest, ready);
    }

    /**
     * This value per ready replica over the {@code ready} replicas the scaled object has: one divided by
     * kube-state-metrics' ready count ({@link #readyDividedBy}) is divided by the object's instead, value x that count /
     * {@code ready}, since kube-state-metrics lags the object by up to a scrape: qps 150 over the 2 it still counted
     * is 300 searches/s, 100 over the 3 ready since a restarted queryNode came back, where 150 scaled 3 -> 4 (recheck
     * 96, F1); 200 over 7 while one of them is unready is 233 over the 6 that serve, where reading it UNKNOWN held a
     * scale-out through the blip (recheck 98, F1). The searches do not depend on which replicas are ready, only their
     * share does. Any other value, or with no replica ready, as read.
     */
    public double valueOver(int ready) {
        double v = value.orElseThrow(() -> new IllegalStateException("signal " + name + " has no value"));
        return readyDividedBy > 0 && ready > 0 && readyDividedBy != ready ? v * readyDividedBy / ready : v;
    }

    /**
     * Why this known per-pod value is not of the {@code ready} replicas the scaled object has; empty otherwise
     * (unknown already, a value that is not per pod, or of exactly those). Kube-state-metrics, which the queries see
     * the pods through, lags the object by up to a scrape whichever way the count moves:
     * <ul>
     *   <li>"only 2 of 3 ready pods reporting": a per-pod value from fewer pods hides the others' load, UNKNOWN;</li>
     *   <li>"4 pods reporting for 3 ready (one left the ready count and is still counted)": a pod just removed or
     *       gone unready still averaged in beside the others that now take its load. Their average can only be
     *       below the load per ready pod then, so it is UNKNOWN unless it is HIGH already (recheck 96, F2: 6
     *       reporting for 5 ready read 0.25 for 0.30 and went into the step-down's average).</li>
     * </ul>
     */
    public java.util.Optional<String> notOfReady(int ready) {
        if (!isKnown()) {
            return java.util.Optional.empty();
        }
        if (podsReporting > 0 && podsReporting < ready) {
            return java.util.Optional.of("only " + podsReporting + " of " + ready + " ready pods reporting");
        }
        if (podsReporting > ready) {
            int extra = podsReporting - ready;
            return java.util.Optional.of(podsReporting + " pods reporting for " + ready + " ready (" + (extra == 1
                    ? "one" : String.valueOf(extra)) + " left the ready count and " + (extra == 1 ? "is" : "are")
                    + " still counted by kube-state-metrics)");
        }
        return java.util.Optional.empty();
    }
}
