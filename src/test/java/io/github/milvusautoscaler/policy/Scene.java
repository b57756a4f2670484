package io.github.milvusautoscaler.policy;

import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Forecast;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.LastScale;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.ScaleMemory;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A test builder for one tick: settings as reference.conf ships them, a queryNode target, and
 * fluent setters for signals, replicas and state. Defaults: cpu band [0.40, 0.75] (target 0.575),
 * memory [0.50, 0.80] (0.65), qps [80, 150] (115); min 1, max 10; scale-out sustain 1m, cooldown
 * 3m, max-step 2, panic 1.5x; scale-in sustain 10m, cooldown 5m, delay 15m, verify 5m, backoff
 * 30m, settle timeout 30m; alerts step 1, cooldown 5m; fallback after 10m, hold, 2.
 */
final class Scene {

    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    static final Target TARGET = new Target("milvus", "my-release", Component.QUERY_NODE, InstallKind.OPERATOR);

    int min = 1;
    int max = 10;
    ScaleOutSettings scaleOut = new ScaleOutSettings(Duration.ofMinutes(1), Duration.ofMinutes(3), 2, 1.5);
    ScaleInSettings scaleIn = new ScaleInSettings(Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofMinutes(30));
    AlertSettings alertSettings = new AlertSettings(1, Duration.ofMinutes(5));
    FallbackSettings fallback = new FallbackSettings(Duration.ofMinutes(10), FallbackSettings.Mode.HOLD, 2);
    List<SignalPolicy> bands = new ArrayList<>(List.of(
            SignalPolicy.band("cpu", 0.75, 0.40),
            SignalPolicy.band("memory", 0.80, 0.50),
            SignalPolicy.band("qps", 150, 80)));

    Instant now = T0;
    int current = 3;
    int ready = 3;
    boolean paused;
    /** Who holds the pause, as the object's paused-by and paused-at say it; "" for none or a hand pause. */
    String pausedBy = "";
    /** The command that lifts a pause set by hand, as an actuator reads it off the object; null for none. */
    String pauseLift;
    boolean rollout;
    /** A rollout that does not progress, in the owner's words; null when none. */
    String stalled;
    Optional<LastScale> lastScale = Optional.empty();
    /** What the pod template declares, as an actuator reads it off the workload; unknown by default (the simulator). */
    io.github.milvusautoscaler.core.TemplateResources resources = io.github.milvusautoscaler.core.TemplateResources.UNKNOWN;
    /** What the scaled object's annotations remember (back-off, settle wait, alerts). */
    ScaleMemory memory = ScaleMemory.NONE;
    final Map<String, Signal> signals = new LinkedHashMap<>();
    Settle settle = Settle.QUIET;
    /** The target observed: an operator queryNode unless a story sets another (a Helm release's, say). */
    Target target = TARGET;
    /** What the replica-floor query read; NONE: no such query. */
    io.github.milvusautoscaler.core.ReplicaFloor replicaFloor = io.github.milvusautoscaler.core.ReplicaFloor.NONE;
    /** What the settle query read, as the metrics side notes it ("settle query reads 2"); empty: none. */
    String settleNote = "";
    Health health = Health.OK;
    final List<ActiveAlert> alerts = new ArrayList<>();
    TargetState state = TargetState.initial();
    ForecastSettings forecastSettings = ForecastSettings.OFF;
    List<ScheduledFloor> scheduled = new ArrayList<>();
    Forecast forecast = Forecast.NONE;
    Budget budget = Budget.unlimited();

    Scene() {
        inBand();
    }

    static Scene scene() {
        return new Scene();
    }

    /** cpu 0.55, memory 0.65, qps 100: all inside their bands. */
    Scene inBand() {
        return cpu(0.55).memory(0.65).qps(100);
    }

    /** cpu 0.20, memory 0.30, qps 20: all LOW; removing one of 3 projects cpu to 0.30 < 0.575. */
    Scene allLow() {
        return cpu(0.20).memory(0.30).qps(20);
    }

    Scene cpu(double v) {
        return perPod("cpu", v);
    }

    Scene memory(double v) {
        return perPod("memory", v);
    }

    Scene qps(double v) {
        signals.put("qps", Signal.known("qps", v, 0, Duration.ofSeconds(10)));
        return this;
    }

    Scene perPod(String name, double v) {
        signals.put(name, Signal.known(name, v, ready, Duration.ofSeconds(10)));
        return this;
    }

    /** A per-pod signal averaging {@code v} whose fullest pod, {@code pod}, reads {@code hottest}. */
    Scene perPod(String name, double v, String pod, double hottest) {
        signals.put(name, Signal.knownPerPod(name, v, ready, Duration.ofSeconds(10), new Signal.PodValue(pod, hottest)));
        return this;
    }

    Scene unknown(String name, String why) {
        signals.put(name, Signal.unknown(name, why));
        return this;
    }

    Scene allUnknown() {
        return unknown("cpu", "prometheus timeout after 5s").unknown("memory", "prometheus timeout after 5s")
                .unknown("qps", "prometheus timeout after 5s");
    }

    /**
     * A state in which every signal has been known since {@code ago} before now, with both load
     * averages equal to the current values (value x ready): a steady signal.
     */
    TargetState steadyFor(Duration ago) {
        return averaged(ago, 1, 1);
    }

    /**
     * A state in which every signal has been known since {@code ago}, with the long average at
     * {@code longFactor} and the short one at {@code shortFactor} times the current load, e.g.
     * cpu 0.66 with shortFactor 0.6/0.66 has a short average of 0.60 per pod.
     */
    TargetState averaged(Duration ago, double longFactor, double shortFactor) {
        String[] names = new String[bands.size()];
        double[] longTerm = new double[names.length];
        double[] shortTerm = new double[names.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = bands.get(i).name();
            double load = signals.get(names[i]).value().orElse(Double.NaN) * ready;
            longTerm[i] = load * longFactor;
            shortTerm[i] = load * shortFactor;
        }
        return averages(state, LoadAverages.of(now.minus(ago), now, names, longTerm, shortTerm))
                .with(new UnknownData.Since(null));
    }

    /** The same state with the named signal's averages set per pod: {@code average("cpu", 0.30, 0.60)}. */
    TargetState average(TargetState st, String signal, double longPerPod, double shortPerPod) {
        LoadAverages before = st.get(StepDown.Steps.class).averages();
        String[] names = new String[bands.size()];
        double[] longTerm = new double[names.length];
        double[] shortTerm = new double[names.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = bands.get(i).name();
            boolean it = names[i].equals(signal);
            longTerm[i] = it ? longPerPod * ready : before.longTerm(names[i]);
            shortTerm[i] = it ? shortPerPod * ready : before.shortTerm(names[i]);
        }
        return averages(st, LoadAverages.of(before.since(), before.at(), names, longTerm, shortTerm));
    }

    /** The same state with the stretch of known signals starting at {@code since}, averages unchanged. */
    TargetState knownSince(TargetState st, Instant since) {
        LoadAverages before = st.get(StepDown.Steps.class).averages();
        String[] names = bands.stream().map(SignalPolicy::name).toArray(String[]::new);
        double[] longTerm = new double[names.length];
        double[] shortTerm = new double[names.length];
        for (int i = 0; i < names.length; i++) {
            longTerm[i] = before.longTerm(names[i]);
            shortTerm[i] = before.shortTerm(names[i]);
        }
        return averages(st, LoadAverages.of(since, before.at(), names, longTerm, shortTerm));
    }

    // The memories a test sets, each through its record's constructor with the other fields kept.

    static TargetState averages(TargetState st, LoadAverages averages) {
        StepDown.Steps s = st.get(StepDown.Steps.class);
        return st.with(new StepDown.Steps(averages, s.lastStepDown(), s.settleWaitSince()));
    }

    /** Signals HIGH since the given times (the scale-out sustain timers). */
    static TargetState highSince(TargetState st, Map<String, Instant> since) {
        ScaleOut.Timers t = st.get(ScaleOut.Timers.class);
        return st.with(new ScaleOut.Timers(since, t.lastScaleOut(), t.lastReady(), t.readyRoseAt()));
    }

    static TargetState lastScaleOut(TargetState st, Instant at) {
        ScaleOut.Timers t = st.get(ScaleOut.Timers.class);
        return st.with(new ScaleOut.Timers(t.highSince(), at, t.lastReady(), t.readyRoseAt()));
    }

    /**
     * qps read {@code perPod} per ready replica {@code ago} before now, the only load of its look-back
     * ({@link QpsRise}): a qps above it now is a new high, one at it a return to a level seen.
     */
    static TargetState qpsSeen(TargetState st, double perPod, int ready, Duration ago, Instant now) {
        ScaleOut.Timers t = st.get(ScaleOut.Timers.class);
        QpsRise seen = new QpsRise(new Instant[] {now.minus(ago)}, new double[] {perPod * ready}, Double.NaN, null,
                null);
        return st.with(new ScaleOut.Timers(t.highSince(), t.lastScaleOut(), t.lastReady(), t.readyRoseAt(), t.lines(),
                seen));
    }

    /** {@code lastReady} ready replicas at the previous tick, the count last rising at {@code roseAt}. */
    static TargetState ready(TargetState st, int lastReady, Instant roseAt) {
        ScaleOut.Timers t = st.get(ScaleOut.Timers.class);
        return st.with(new ScaleOut.Timers(t.highSince(), t.lastScaleOut(), lastReady, roseAt));
    }

    static TargetState unknownSince(TargetState st, Instant since) {
        return st.with(new UnknownData.Since(since));
    }

    /** A step-down written at {@code at}; {@code verifying}: its verification has not ended yet. */
    static TargetState steppedDown(TargetState st, Instant at, boolean verifying) {
        StepDown.Steps s = st.get(StepDown.Steps.class);
        VerifyStepDown.Verification v = st.get(VerifyStepDown.Verification.class);
        return st.with(new StepDown.Steps(s.averages(), at, s.settleWaitSince()))
                .with(new VerifyStepDown.Verification(verifying ? at : null, v.rolledBackAt()));
    }

    static TargetState settleWaitSince(TargetState st, Instant since) {
        StepDown.Steps s = st.get(StepDown.Steps.class);
        return st.with(new StepDown.Steps(s.averages(), s.lastStepDown(), since));
    }

    static TargetState rolledBack(TargetState st, Instant at) {
        VerifyStepDown.Verification v = st.get(VerifyStepDown.Verification.class);
        return st.with(new VerifyStepDown.Verification(v.stepDownAt(), at));
    }

    static TargetState alertScaleOut(TargetState st, Instant at, Set<String> handled) {
        return st.with(new Alerts.Book(at, handled));
    }

    Scene replicas(int current, int ready) {
        this.current = current;
        this.ready = ready;
        return this;
    }

    Scene at(Instant t) {
        this.now = t;
        return this;
    }

    Scene plus(Duration d) {
        this.now = now.plus(d);
        return this;
    }

    Scene state(TargetState s) {
        this.state = s;
        return this;
    }

    Scene alert(String name, ActiveAlert.AlertAction action) {
        alerts.add(new ActiveAlert("group|" + name + "|" + T0, name, action, T0));
        return this;
    }

    Scene lastScale(Instant at, Direction d) {
        lastScale = Optional.of(new LastScale(at, d, "test"));
        return this;
    }

    PolicySettings settings() {
        return new PolicySettings(min, max, scaleOut, scaleIn, bands, alertSettings, fallback, forecastSettings,
                scheduled);
    }

    Observation observation() {
        return new Observation(target, now, signals, settle, health, alerts, forecast, settleNote, replicaFloor);
    }

    /** Peak look-back on: {@code window} with {@code recurrence} (reference.conf: 60m, 3). */
    Scene peakWindow(Duration window, int recurrence) {
        scaleIn = new ScaleInSettings(scaleIn.sustain(), scaleIn.cooldown(), scaleIn.delayAfterScaleOut(),
                scaleIn.verifyWindow(), scaleIn.backoff(), scaleIn.settleTimeout(), window, recurrence,
                scaleIn.peakAfterReversal());
        return this;
    }

    /** After a reversed step-down to one replica, the highest peak for {@code hold} (reference.conf: 1h). */
    Scene peakAfterReversal(Duration hold) {
        scaleIn = new ScaleInSettings(scaleIn.sustain(), scaleIn.cooldown(), scaleIn.delayAfterScaleOut(),
                scaleIn.verifyWindow(), scaleIn.backoff(), scaleIn.settleTimeout(), scaleIn.peakWindow(),
                scaleIn.peakRecurrence(), hold);
        return this;
    }

    /**
     * Forecasting on as reference.conf ships it (lead 5m, horizon 150m, fill 1.0, line 1.13, max-step 4), with these
     * forecast loads per signal within the lead and within the horizon.
     */
    Scene forecast(Map<String, Double> lead, Map<String, Double> horizon) {
        forecastSettings = ForecastSettings.on(Duration.ofMinutes(5), Duration.ofMinutes(150), Duration.ofDays(2),
                0.2);
        forecast = new Forecast(lead, horizon, "the lower of the same time 1d and 7d ago");
        return this;
    }

    /** With {@link #forecast}: forecasting turned off ({@code forecast.enabled = false}), the forecast still observed. */
    Scene forecastOff() {
        ForecastSettings f = forecastSettings;
        forecastSettings = new ForecastSettings(false, f.lead(), f.horizon(), f.fill(), f.line(), f.maxStep(),
                f.minHistory(), f.maxError(), f.history(), f.historyStep(), f.refresh(), f.timeZone(), f.workdays());
        return this;
    }

    /** With {@link #forecast}: {@code forecast.line} set to {@code multiple} (reference.conf: 1.13). */
    Scene forecastLine(double multiple) {
        ForecastSettings f = forecastSettings;
        forecastSettings = new ForecastSettings(f.enabled(), f.lead(), f.horizon(), f.fill(), multiple, f.maxStep(),
                f.minHistory(), f.maxError(), f.history(), f.historyStep(), f.refresh(), f.timeZone(), f.workdays());
        return this;
    }

    /**
     * The recent-peak memory as if {@code signal} had read {@code perPod} on {@link #ready} replicas in each of
     * the last {@code spans} spans of the peak window, the current one included (other signals as now).
     */
    Scene peakedIn(String signal, double perPod, int spans) {
        double[] each = new double[spans];
        java.util.Arrays.fill(each, perPod);
        return peakedIn(signal, each);
    }

    /** As {@link #peakedIn(String, double, int)}, one value per span, oldest first, the last in the current span. */
    Scene peakedIn(String signal, double... perSpanOldestFirst) {
        Duration span = scaleIn.peakWindow().dividedBy(RecentPeaks.BUCKETS);
        RecentPeaks p = state.get(RecentPeak.Peaks.class).peaks();
        int spans = perSpanOldestFirst.length;
        for (int k = spans - 1; k >= 0; k--) {
            List<Classified> peaked = new ArrayList<>();
            for (Classified c : Classified.classify(settings(), observation(), status())) {
                peaked.add(c.name().equals(signal) ? new Classified(c.band(),
                        java.util.OptionalDouble.of(perSpanOldestFirst[spans - 1 - k]), c.state(), "", c.line()) : c);
            }
            p = p.next(peaked, ready, now.minus(span.multipliedBy(k)), scaleIn.peakWindow());
        }
        state = state.with(new RecentPeak.Peaks(p));
        return this;
    }

    /** The last step-down to one replica was reversed {@code ago} before now (see {@link RecentPeak}). */
    Scene reversedToOne(Duration ago) {
        state = state.with(new RecentPeak.Peaks(state.get(RecentPeak.Peaks.class).peaks(), null, now.minus(ago)));
        return this;
    }

    ReplicaStatus status() {
        return new ReplicaStatus(current, ready, paused, rollout ? Optional.of(ReplicaStatus.A_ROLLOUT) : Optional.empty(),
                lastScale, "1", memory, pausedBy, "", Optional.ofNullable(stalled), Optional.ofNullable(pauseLift),
                Optional.empty(), resources);
    }

    /** The tick the rules see, with {@link #state} as it stands (no rule has observed this tick yet). */
    Tick tick() {
        PolicySettings settings = settings();
        return new Tick(settings, observation(), status(), state, Classified.classify(settings, observation(), status()),
                budget, now);
    }

    /** The tick the rules decide on: {@link #state} with this tick's facts observed by every rule. */
    Tick observed() {
        return new Policy(settings()).observe(observation(), status(), state, budget, now);
    }

    Outcome decide() {
        return new Policy(settings()).decide(observation(), status(), state, budget, now);
    }

    /** Decides, then carries the applied state and the written replica count into the scene. */
    Outcome step() {
        Outcome o = decide();
        state = o.next();
        current = o.decision().to();
        return o;
    }
}
