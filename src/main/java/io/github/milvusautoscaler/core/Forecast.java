package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The seasonal forecast of a target's load-proportional signals at one tick: for each signal with
 * enough history, the highest load (value x replicas) expected within the pre-scale lead and within
 * the forecast horizon (what a pre-scale sizes for and a step-down must fit). A signal without an entry has no forecast (UNKNOWN): too little history,
 * or forecasting off, and the policy then decides exactly as it would without forecasts.
 *
 * @param lead    per signal, the highest forecast load from now to now + {@code forecast.lead}
 * @param horizon per signal, the highest forecast load from now to now + {@code forecast.horizon}
 * @param leadBasis    per signal of {@code lead}, how its number was found, for messages ("the lower of the
 *                     same time 1d and 7d ago"): the days actually read, which are older ones when a day is missing
 * @param horizonBasis per signal of {@code horizon}, the same for its number
 * @param history the load history the forecast was made from, whether or not any signal's forecast is trusted: a
 *                daemon that has just started reads the recent peaks it did not see from it
 *                ({@link LoadHistory#NONE} when there is none)
 */
public record Forecast(Map<String, Double> lead, Map<String, Double> horizon, Map<String, String> leadBasis,
                       Map<String, String> horizonBasis, LoadHistory history) {

    /** No forecast for any signal. */
    public static final Forecast NONE = new Forecast(Map.of(), Map.of(), "");

    public Forecast {
        lead = Map.copyOf(requireNonNull(lead, "lead"));
        horizon = Map.copyOf(requireNonNull(horizon, "horizon"));
        leadBasis = Map.copyOf(requireNonNull(leadBasis, "leadBasis"));
        horizonBasis = Map.copyOf(requireNonNull(horizonBasis, "horizonBasis"));
        requireNonNull(history, "history");
    }

    /** A forecast without its history whose every number was found the same way. */
    public Forecast(Map<String, Double> lead, Map<String, Double> horizon, String basis) {
        this(lead, horizon, every(lead, basis), every(horizon, basis), LoadHistory.NONE);
    }

    private static Map<String, String> every(Map<String, Double> peaks, String basis) {
        requireNonNull(basis, "basis");
        Map<String, String> out = new HashMap<>();
        peaks.keySet().forEach(signal -> out.put(signal, basis));
        return out;
    }

    /**
     * This forecast with the history it came from; where that history was read across a change of the request a signal
     * is a fraction of and put in its last point's ({@link LoadHistory#readAcross}), the signal's basis says so: "the
     * lower of the same time 1d and 7d ago, its history read in a CPU request of 2 cores per pod until
     * 2026-12-07T13:05:00Z and put in its last point's 1 core". The number was converted at the read and said nothing
     * of it (recheck 90, F5: only a change since the read was noted, by {@link #inUnitsOf}).
     */
    public Forecast withHistory(LoadHistory from) {
        requireNonNull(from, "from");
        Map<String, String> leadSaid = leadBasis;
        Map<String, String> horizonSaid = horizonBasis;
        for (ContainerResource r : ContainerResource.values()) {
            String signal = r.signal();
            if (!lead.containsKey(signal) && !horizon.containsKey(signal)) {
                continue;
            }
            java.util.Optional<LoadHistory.ReadAcross> across = from.readAcross(signal);
            OptionalDouble unit = from.unit(signal);
            if (across.isEmpty() || unit.isEmpty()) {
                continue;
            }
            String said = ", its history read in a " + r.what() + " of " + String.join(" then ", across.get().amounts()
                    .stream().map(a -> TemplateResources.show(r, a)).toList()) + " per pod until " + across.get().until()
                    + " and put in its last point's " + TemplateResources.show(r, unit.getAsDouble());
            leadSaid = leadSaid.getOrDefault(signal, "").contains(said) ? leadSaid : noted(leadSaid, signal, said);
            horizonSaid = horizonSaid.getOrDefault(signal, "").contains(said) ? horizonSaid
                    : noted(horizonSaid, signal, said);
        }
        return new Forecast(lead, horizon, leadSaid, horizonSaid, from);
    }

    /**
     * This forecast with {@code resource}'s signal in {@code amount} per pod, from the request its history was put
     * in ({@link LoadHistory#unit}): loads x unit then / amount now, the history too, and the basis says so, naming
     * {@code whose} amount it is ("the serving pods'"). The history is put in its last point's request when read
     * (hourly), so a request changed since reads in the old units until the next read: cut from 2 cores to 1, a
     * forecast of 1.7 nodes of 2 cores is 3.4 nodes of 1, and read as 1.7 it pre-scaled to half of what the morning
     * needed (recheck 79, F1). A point read during a rollout is in the mixed request of the pods then serving (1.5
     * cores) and converts the same way (recheck 81, F4). Unchanged where the history has no unit for it or it is the
     * same.
     */
    public Forecast inUnitsOf(ContainerResource resource, double amount, String whose) {
        requireNonNull(resource, "resource");
        requireNonNull(whose, "whose");
        String signal = resource.signal();
        OptionalDouble unit = history.unit(signal);
        if (unit.isEmpty() || unit.getAsDouble() == amount) {
            return this;
        }
        double factor = unit.getAsDouble() / amount;
        String said = ", read in a " + resource.what() + " of " + TemplateResources.show(resource, unit.getAsDouble())
                + " per pod: x " + String.format(java.util.Locale.ROOT, "%.2f", factor) + " for " + whose + " "
                + TemplateResources.show(resource, amount);
        return new Forecast(scaled(lead, signal, factor), scaled(horizon, signal, factor),
                noted(leadBasis, signal, said), noted(horizonBasis, signal, said), history.inUnitsOf(signal, amount));
    }

    /**
     * This forecast in the request its signals divide by now: for each resource its history holds in a unit, the
     * serving pods' amount ({@code serving}: read only for those), else {@code template}'s, else as read. One place for
     * the daemon's tick and {@code signals}, which must show the same number.
     */
    public Forecast inUnitsServed(java.util.function.Function<ContainerResource, OptionalDouble> serving,
                                  TemplateResources template) {
        requireNonNull(serving, "serving");
        requireNonNull(template, "template");
        Forecast f = this;
        for (ContainerResource r : ContainerResource.values()) {
            if (history.unit(r.signal()).isEmpty()) {
                continue; // nothing to convert: no per-pod query for it
            }
            OptionalDouble pods = serving.apply(r);
            OptionalDouble declared = template.of(r);
            if (pods.isPresent()) {
                f = f.inUnitsOf(r, pods.getAsDouble(), "the serving pods'");
            } else if (declared.isPresent()) {
                f = f.inUnitsOf(r, declared.getAsDouble(), "the pod template's");
            }
        }
        return f;
    }

    private static Map<String, Double> scaled(Map<String, Double> peaks, String signal, double factor) {
        if (!peaks.containsKey(signal)) {
            return peaks;
        }
        Map<String, Double> out = new HashMap<>(peaks);
        out.put(signal, peaks.get(signal) * factor);
        return out;
    }

    private static Map<String, String> noted(Map<String, String> basis, String signal, String said) {
        if (!basis.containsKey(signal)) {
            return basis;
        }
        Map<String, String> out = new HashMap<>(basis);
        out.put(signal, basis.get(signal) + said);
        return out;
    }

    /** How the lead peak of {@code signal} was found ("the lower of the same time 2d and 7d ago"); "" when UNKNOWN. */
    public String leadBasis(String signal) {
        return leadBasis.getOrDefault(signal, "");
    }

    /** How the horizon peak of {@code signal} was found; "" when UNKNOWN. */
    public String horizonBasis(String signal) {
        return horizonBasis.getOrDefault(signal, "");
    }

    /** The forecast peak load of {@code signal} within the lead, or empty when UNKNOWN. */
    public OptionalDouble leadPeak(String signal) {
        Double v = lead.get(signal);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** The forecast peak load of {@code signal} within the horizon, or empty when UNKNOWN. */
    public OptionalDouble horizonPeak(String signal) {
        Double v = horizon.get(signal);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    public boolean isEmpty() {
        return lead.isEmpty() && horizon.isEmpty();
    }
}
