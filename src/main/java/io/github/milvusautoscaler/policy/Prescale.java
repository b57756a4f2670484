package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.core.Durations.human;
import static io.github.milvusautoscaler.policy.Format.num;

import io.github.milvusautoscaler.core.Forecast;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Stage;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Pre-scaling on the seasonal forecast ({@link SeasonalForecast}), two ways. Scale out ahead of a
 * forecast rise: when the highest load forecast within {@code forecast.lead} would put the requested
 * replicas above a signal's line (with a trusted forecast {@code forecast.line} x scale-out-above, 1.13 x
 * 0.75 = 0.8475 for cpu), add the replicas that keep the highest load forecast within
 * {@code forecast.horizon} at or below it, {@code ceil(load / line)}, at most {@code forecast.max-step} more
 * (PRESCALE_FORECAST); e.g. at 06:55 with 3 replicas, 2.7 nodes of cpu load forecast by 07:00
 * (ceil(2.7/0.8475) = 4 > 3) and 4.9 by 09:25 give ceil(4.9/0.8475) = 6, so 3 -> 6 in one write, ready
 * before the morning ramp instead of 240 s behind each part of it. And hold a step-down the
 * forecast would not fit: the load forecast within the horizon would put one node fewer above
 * {@code forecast.fill} x scale-out-above (FORECAST_HOLDS_SCALE_IN), so a node stays through a dip the day comes
 * back from. The line, not the target, for the pre-scale: sized for the target, the forecast cost 26% more
 * node-seconds on nyc_taxi; sized for the line, 0.6% for a third of the hot time.
 *
 * <p>It never scales in on a forecast, never pre-scales onto replicas still starting or within the
 * scale-out cooldown, and a signal without a forecast (UNKNOWN: too little history, forecasting off)
 * changes nothing: the target decides exactly as without this rule.
 *
 * <p>Reasons: PRESCALE_FORECAST, FORECAST_HOLDS_SCALE_IN. Memory: none (the cooldown is the scale-out's).
 */
final class Prescale implements Rule<Memory.None> {


    /** Below this a ceil() result is treated as exact. */
    private static final double EPSILON = 1e-9;

    @Override
    public Stage stage() {
        return Stage.FORECAST;
    }

    @Override
    public Memory.None initial() {
        return Memory.None.NONE;
    }

    @Override
    public Optional<Proposal> decide(Tick t) {
        Forecast f = t.observation().forecast();
        if (!t.settings().forecast().enabled() || f.isEmpty()) {
            return Optional.empty();
        }
        Optional<Proposal> ahead = scaleOutAhead(t, f);
        if (ahead.isPresent()) {
            return ahead;
        }
        return holdStepDown(t, f);
    }

    /** The replicas that keep a signal's forecast load at or below its line, and the signal that needs most. */
    private record Need(Classified by, double load, int replicas) {

        /** The most replicas any signal's forecast in {@code window} needs; null when no signal has one. */
        static Need most(Tick t, java.util.function.Function<String, OptionalDouble> window) {
            Need most = null;
            for (Classified c : t.signals()) {
                OptionalDouble load = window.apply(c.name());
                if (load.isPresent()) {
                    int n = (int) Math.ceil(load.getAsDouble() / c.line() - EPSILON);
                    if (most == null || n > most.replicas()) {
                        most = new Need(c, load.getAsDouble(), n);
                    }
                }
            }
            return most;
        }
    }

    private static Optional<Proposal> scaleOutAhead(Tick t, Forecast f) {
        int current = t.current();
        int max = t.settings().maxReplicas();
        if (current >= max || t.ready() < current) {
            return Optional.empty();
        }
        Need soon = Need.most(t, f::leadPeak);
        if (soon == null || soon.replicas() <= current) {
            return Optional.empty();
        }
        ScaleOutSettings so = t.settings().scaleOut();
        ScaleOut.Timers timers = t.memory(ScaleOut.Timers.class);
        if (t.within(timers.lastScaleOut(), so.cooldown()) || t.within(timers.readyRoseAt(), so.cooldown())) {
            return Optional.empty();
        }
        // The horizon holds the lead, so its peak needs at least as many; a signal known only within the lead
        // (a gap later on) still sizes by the lead.
        Need horizon = Need.most(t, f::horizonPeak);
        Need sized = horizon == null || horizon.replicas() < soon.replicas() ? soon : horizon;
        ForecastSettings fs = t.settings().forecast();
        long stepped = Math.min((long) current + fs.maxStep(), sized.replicas());
        int to = (int) Math.min(max, stepped);
        // A forecast comes from the history (range queries), so the signal it sizes by may be UNKNOWN this tick (an
        // empty or partly reporting instant query): "now unknown (...)", where reading its value threw and the
        // decision reached no log, Event or status (message audit H3).
        Classified by = soon.by();
        String now = by.known() ? num(by.v() * Math.max(1, t.ready())) : "unknown (" + by.problem() + ")";
        // Each history point is the load over a whole step (LoadHistory), read at the step's end: "within 5m" alone
        // was checked against a dashboard and the load reached it 10 minutes on (recheck 76, F1).
        return Optional.of(new Proposal(Stage.FORECAST, Reason.PRESCALE_FORECAST, to, () -> t.component() + " "
                + by.name() + " load forecast to reach " + num(soon.load()) + " over a " + human(fs.historyStep())
                + " step starting within " + human(fs.lead()) + " ("
                + f.leadBasis(by.name()) + "), now " + now + ": ceil("
                + Format.ceilTerm(soon.load(), 1, by.line(), soon.replicas())
                + "/" + Format.level(by.line()) + ") = " + soon.replicas() + " > " + current
                + t.lineNote(by) + "; "
                + current + " -> " + to + " for " + sized.by().name() + "'s " + num(sized.load()) + " within "
                + human(sized == soon ? fs.lead() : fs.horizon()) + " (ceil("
                + Format.ceilTerm(sized.load(), 1, sized.by().line(), sized.replicas()) + "/"
                + Format.level(sized.by().line()) + ") = " + sized.replicas() + ", forecast max-step "
                + fs.maxStep() + (to < stepped ? ", max-replicas " + max : "") + ")"));
    }

    private static Optional<Proposal> holdStepDown(Tick t, Forecast f) {
        if (!StepDown.wouldStepDown(t)) {
            return Optional.empty();
        }
        return overload(t, f).flatMap(o -> Proposal.hold(Stage.FORECAST, Reason.FORECAST_HOLDS_SCALE_IN, t,
                () -> t.component() + " " + o.text(t, f) + "; no step-down " + t.stepDown() + " the day comes back from"));
    }

    /**
     * What the forecast will say when the sustain of a step-down ends, for {@link StepDown}'s SUSTAINING_LOW: a
     * reader counting down toward a step-down right after a pre-scale is told that the forecast will hold it
     * (forecast audit F5). Empty when forecasting is off, has no forecast, or the forecast fits one node fewer.
     */
    static Optional<String> willHold(Tick t) {
        Forecast f = t.observation().forecast();
        if (!t.settings().forecast().enabled() || f.isEmpty() || t.ready() <= 1) {
            return Optional.empty();
        }
        return overload(t, f).map(o -> "then held by the forecast: " + o.text(t, f));
    }

    /** A signal whose load forecast within the horizon would put one node fewer above its fill line. */
    private record Overload(Classified by, double load) {

        /** "cpu load forecast to reach 4.98 within 2h30m (...): 4 would run at 1.25 > 0.75 (fill 1 x 0.75)". */
        String text(Tick t, Forecast f) {
            int fewer = t.ready() - 1;
            return by.name() + " load forecast to reach " + num(load) + " within "
                    + human(t.settings().forecast().horizon()) + " (" + f.horizonBasis(by.name()) + "): " + fewer
                    + t.readyNote() + " would run at " + Format.against(load / fewer, ">", t.fillLine(by))
                    + " (fill " + num(t.settings().forecast().fill()) + " x " + num(by.band().scaleOutAbove()) + ")";
        }
    }

    private static Optional<Overload> overload(Tick t, Forecast f) {
        int ready = t.ready();
        for (Classified c : t.signals()) {
            OptionalDouble load = f.horizonPeak(c.name());
            if (load.isPresent() && load.getAsDouble() / (ready - 1.0) > t.fillLine(c)) {
                return Optional.of(new Overload(c, load.getAsDouble()));
            }
        }
        return Optional.empty();
    }
}
