package io.github.milvusautoscaler.policy;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.SignalState;

/**
 * One signal's band and sizing target.
 *
 * <p>The gap between {@code scaleInBelow} and {@code scaleOutAbove} is the hysteresis band: a
 * value inside it changes nothing. {@code target} is what a scale-out sizes for; it defaults to
 * the middle of the band, e.g. cpu band [0.40, 0.75] gives target 0.575.
 *
 * @param name          signal name ({@code cpu}, {@code memory}, {@code qps}, or a user's own)
 * @param scaleOutAbove HIGH above this
 * @param scaleInBelow  LOW below this; must be below {@code scaleOutAbove}
 * @param target        the value a scale-out aims each pod at
 */
public record SignalPolicy(String name, double scaleOutAbove, double scaleInBelow, double target) {

    public SignalPolicy {
        requireNonNull(name, "name");
        if (!(scaleInBelow < scaleOutAbove)) {
            throw new IllegalArgumentException("signal " + name + ": scale-in-below (" + scaleInBelow
                    + ") must be < scale-out-above (" + scaleOutAbove + ")");
        }
        if (!(target > 0) || !Double.isFinite(target)) {
            throw new IllegalArgumentException("signal " + name + ": target must be > 0, was " + target);
        }
    }

    /**
     * A known value's state against this band with HIGH above {@code line} (scale-out-above, or the forecast
     * line from {@link ForecastSettings#lineFor}): the one rule the policy and {@code signals} both classify by.
     */
    public SignalState state(double value, double line) {
        return value > line ? SignalState.HIGH : value < scaleInBelow ? SignalState.LOW : SignalState.IN_BAND;
    }

    /** A band whose target is its middle. */
    public static SignalPolicy band(String name, double scaleOutAbove, double scaleInBelow) {
        return new SignalPolicy(name, scaleOutAbove, scaleInBelow, (scaleOutAbove + scaleInBelow) / 2);
    }
}
