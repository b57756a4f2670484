package io.github.milvusautoscaler.policy;

import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.SignalReading;
import io.github.milvusautoscaler.core.SignalState;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * One configured signal after classification against its band ({@link #classify}).
 *
 * @param band    the signal's band and target
 * @param value   the value seen; empty when UNKNOWN
 * @param state   HIGH, LOW, IN_BAND or UNKNOWN
 * @param problem why it is UNKNOWN; empty otherwise
 * @param line    the level above which the value reads HIGH this tick: scale-out-above, or
 *                {@code forecast.line} x scale-out-above while the signal has a trusted forecast
 */
record Classified(SignalPolicy band, OptionalDouble value, SignalState state, String problem, double line) {

    String name() {
        return band.name();
    }

    /** The signal named {@code name} among {@code signals} when it is known; null when it is absent or UNKNOWN. */
    static Classified known(List<Classified> signals, String name) {
        for (Classified c : signals) {
            if (c.name().equals(name) && c.known()) {
                return c;
            }
        }
        return null;
    }

    double v() {
        return value.getAsDouble();
    }

    SignalReading reading() {
        return new SignalReading(value, state, state == SignalState.UNKNOWN ? problem : "");
    }

    boolean known() {
        return state != SignalState.UNKNOWN;
    }

    /** True while a trusted forecast has moved this signal's line above scale-out-above. */
    boolean lineRaised() {
        return line != band.scaleOutAbove();
    }

    /**
     * " (forecast line 1.13 x 0.75 = 0.8475)" for a message, while a trusted forecast has moved this signal's
     * line above scale-out-above ({@code multiple} is {@code forecast.line}); empty otherwise.
     */
    String forecastLineNote(double multiple) {
        return !lineRaised() ? "" : " (forecast line " + Format.level(multiple) + " x "
                + Format.level(band.scaleOutAbove()) + " = " + Format.level(line) + ")";
    }

    /**
     * Classifies every configured signal: HIGH above its line ({@code scale-out-above}, or
     * {@code forecast.line} x that with a trusted forecast: {@link ForecastSettings#lineFor}), LOW below
     * {@code scale-in-below}, IN_BAND between, UNKNOWN when there is no value or when a per-pod value is not of the
     * ready replicas ({@link Signal#notOfReady}: 2 of 3 pods reporting would hide the third's load; 4 reporting for 3
     * ready average in one gone, UNKNOWN unless HIGH already). A value per ready replica is divided by the object's
     * ready count where kube-state-metrics' lags it ({@link Signal#valueOver}). A signal that does not apply
     * to the target ({@link Signal#applicable()}: its pods declare no CPU request) is left out.
     */
    static List<Classified> classify(PolicySettings settings, Observation observation, ReplicaStatus status) {
        List<Classified> out = new ArrayList<>(settings.signals().size());
        for (SignalPolicy band : settings.signals()) {
            Signal signal = observation.signals().get(band.name());
            if (signal != null && !signal.applicable()) {
                continue; // nothing to wait for: Tick#leftOut says why in the messages that need it
            }
            if (signal == null) {
                out.add(unknown(band, "not observed"));
            } else if (!signal.isKnown()) {
                out.add(unknown(band, signal.problem()));
            } else {
                double v = signal.valueOver(status.ready());
                double line = settings.forecast().lineFor(band, observation.forecast());
                SignalState state = band.state(v, line);
                java.util.Optional<String> notOf = signal.notOfReady(status.ready());
                // More pods reporting than ready average in one that left: a lower bound, so HIGH stands.
                if (notOf.isPresent() && !(state == SignalState.HIGH && signal.podsReporting() > status.ready())) {
                    out.add(unknown(band, notOf.get()));
                } else {
                    out.add(new Classified(band, OptionalDouble.of(v), state, "", line));
                }
            }
        }
        return out;
    }

    private static Classified unknown(SignalPolicy band, String problem) {
        return new Classified(band, OptionalDouble.empty(), SignalState.UNKNOWN, problem, band.scaleOutAbove());
    }
}
