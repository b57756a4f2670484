package io.github.milvusautoscaler.sim;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Target;
import java.time.Instant;
import java.util.Map;

/** Shared fixtures: a target, traces built from points, and hand-made decisions. */
final class SimTestSupport {

    static final Target TARGET = new Target("sim", "test", Component.QUERY_NODE, InstallKind.OPERATOR);
    static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

    private SimTestSupport() {
    }

    /** A trace from (seconds, value) pairs. */
    static LoadTrace trace(double... pairs) {
        double[] t = new double[pairs.length / 2];
        double[] v = new double[pairs.length / 2];
        for (int i = 0; i < t.length; i++) {
            t[i] = pairs[2 * i];
            v[i] = pairs[2 * i + 1];
        }
        return new LoadTrace("test", T0, t, v);
    }

    /** A flat trace of {@code qps} for {@code seconds}. */
    static LoadTrace flat(double qps, double seconds) {
        return trace(0, qps, seconds, qps);
    }

    static Instant at(double seconds) {
        return T0.plusMillis(Math.round(seconds * 1000));
    }

    /** A decision moving {@code from} to {@code to} at {@code seconds}. */
    static Decision scale(double seconds, int from, int to) {
        Action action = to > from ? Action.SCALE_OUT : Action.SCALE_IN;
        Reason reason = to > from ? Reason.SIGNAL_HIGH : Reason.SIGNALS_LOW;
        return new Decision(TARGET, at(seconds), action, from, to, reason, "test " + from + " -> " + to, Map.of(), false);
    }

    static Decision hold(double seconds, int replicas) {
        return new Decision(TARGET, at(seconds), Action.HOLD, replicas, replicas, Reason.IN_BAND, "test hold", Map.of(), false);
    }
}
