package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An {@code autoscaling/v2} HorizontalPodAutoscaler {@code spec.behavior}, with the API server's
 * defaulting already applied, so a baseline is exactly what {@code kubectl get hpa -o yaml} shows.
 *
 * @param scaleUp   rules for growing
 * @param scaleDown rules for shrinking
 */
public record HpaBehavior(Rules scaleUp, Rules scaleDown) {

    public HpaBehavior {
        requireNonNull(scaleUp, "scaleUp");
        requireNonNull(scaleDown, "scaleDown");
    }

    /** {@code HPAScalingPolicyType}. */
    public enum PolicyType {
        /** A number of pods per period. */
        PODS,
        /** A percentage of the replicas at the start of the period. */
        PERCENT
    }

    /** {@code selectPolicy}: which of several policies wins. */
    public enum Select {
        /** The policy allowing the largest change (the default). */
        MAX,
        /** The policy allowing the smallest change. */
        MIN,
        /** No scaling in this direction. */
        DISABLED
    }

    /**
     * One {@code HPAScalingPolicy}.
     *
     * @param type   PODS or PERCENT
     * @param value  pods, or percent
     * @param period the window over which past changes count against {@code value}
     */
    public record Policy(PolicyType type, int value, Duration period) {

        public Policy {
            requireNonNull(type, "type");
            requireNonNull(period, "period");
            if (value <= 0) {
                throw new IllegalArgumentException("HPA policy value must be > 0, was " + value);
            }
            if (period.isNegative() || period.isZero() || period.toSeconds() > 1800) {
                throw new IllegalArgumentException("HPA policy periodSeconds must be in (0, 1800], was " + period);
            }
        }
    }

    /**
     * One {@code HPAScalingRules}.
     *
     * @param stabilizationWindow empty: the controller's {@code --horizontal-pod-autoscaler-downscale-stabilization}
     * @param select              how policies combine
     * @param policies            the rate limits
     */
    public record Rules(Optional<Duration> stabilizationWindow, Select select, List<Policy> policies) {

        public Rules {
            requireNonNull(stabilizationWindow, "stabilizationWindow");
            requireNonNull(select, "select");
            policies = List.copyOf(requireNonNull(policies, "policies"));
        }

        /** The longest policy period: scale events older than this can never count again. */
        public Duration longestPeriod() {
            Duration longest = Duration.ZERO;
            for (Policy p : policies) {
                if (p.period().compareTo(longest) > 0) {
                    longest = p.period();
                }
            }
            return longest;
        }
    }

    /**
     * The Kubernetes docs' "Default Behavior": scale up without stabilization by the larger of 100%
     * and 4 pods per 15 s; scale down by up to 100% per 15 s after the controller's 300 s
     * stabilization window. It is what the API server fills in for the rules a {@code behavior} leaves
     * unset.
     *
     * <p>Left as DESIGN.md specifies it (section Simulator: "default behavior: up max(100%, 4 pods)/15 s,
     * down 300 s stabilization"): the {@code hpa} lane runs the controller's behavior path with these
     * rules. An HPA created with no {@code spec.behavior} at all keeps it nil
     * ({@code SetDefaults_HorizontalPodAutoscalerBehavior} fills in only a behavior that is set), and
     * the controller then takes its legacy path instead ({@code normalizeDesiredReplicas}: the highest
     * recommendation of the 300 s window, up to max(2 x current, 4) per sync).
     */
    public static HpaBehavior kubernetesDefault() {
        return new HpaBehavior(
                new Rules(Optional.of(Duration.ZERO), Select.MAX, List.of(
                        new Policy(PolicyType.PERCENT, 100, Duration.ofSeconds(15)),
                        new Policy(PolicyType.PODS, 4, Duration.ofSeconds(15)))),
                new Rules(Optional.empty(), Select.MAX, List.of(
                        new Policy(PolicyType.PERCENT, 100, Duration.ofSeconds(15)))));
    }

    /**
     * The behavior of the HPA sample in Milvus' "Configure HPA for Milvus" guide for operator
     * installs: scale up by 1 pod per 30 s (stabilization defaulted to 0), scale down after a 300 s
     * stabilization window by 1 pod per 60 s; selectPolicy defaulted to Max.
     *
     * <p>Left as DESIGN.md specifies it (section Simulator: "up 1 pod/30 s, down 300 s stabilization and
     * 1 pod/60 s"), which is also the dataNode HPA of the Milvus operator's {@code config/samples/hpa.yaml}.
     * That file now gives queryNode, the component simulated here, 2 pods per 30 s up (down the same:
     * 300 s, 1 pod per 60 s); the {@code hpa-milvus} lane keeps DESIGN's 1 pod per 30 s.
     */
    public static HpaBehavior milvusOperatorSample() {
        return new HpaBehavior(
                new Rules(Optional.of(Duration.ZERO), Select.MAX, List.of(
                        new Policy(PolicyType.PODS, 1, Duration.ofSeconds(30)))),
                new Rules(Optional.of(Duration.ofSeconds(300)), Select.MAX, List.of(
                        new Policy(PolicyType.PODS, 1, Duration.ofSeconds(60)))));
    }
}
