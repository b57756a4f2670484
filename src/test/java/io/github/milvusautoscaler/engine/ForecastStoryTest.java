package io.github.milvusautoscaler.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Forecast;
import io.github.milvusautoscaler.core.HistorySource;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.LeaderGate;
import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.TemplateResources;
import io.github.milvusautoscaler.policy.AlertSettings;
import io.github.milvusautoscaler.policy.FallbackSettings;
import io.github.milvusautoscaler.policy.ForecastSettings;
import io.github.milvusautoscaler.policy.Policy;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.ScaleInSettings;
import io.github.milvusautoscaler.policy.ScaleOutSettings;
import io.github.milvusautoscaler.policy.SignalPolicy;
import io.github.milvusautoscaler.testsupport.FakeCluster;
import io.github.milvusautoscaler.testsupport.FakeMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Scripted-time stories of the seasonal forecast through the real engine and policy: two weeks of a
 * daily cycle pre-scale before the morning ramp; a history with a missing day still does; a target with
 * too little history decides exactly as one with forecasting off; a forecast that stops being trusted says so
 * when its line falls back.
 */
public class ForecastStoryTest {

    /** Monday; the history starts here and the story runs on day 15 (a Monday again). */
    public static final Instant START = Instant.parse("2026-01-05T00:00:00Z");
    static final Instant DAY15 = START.plus(Duration.ofDays(14));
    static final Target T = new Target("milvus", "m", Component.QUERY_NODE, InstallKind.OPERATOR);
    /** As reference.conf ships it: lead 5m, horizon 150m, fill 1.0, line 1.13, forecast max-step 4, min-history 2d. */
    public static final ForecastSettings ON = ForecastSettings.on(Duration.ofMinutes(5), Duration.ofMinutes(150),
            Duration.ofDays(2), 0.2);

    /** queryNode on cpu alone, 1 to 10 replicas, with {@code forecast}. */
    public static Policy policy(ForecastSettings forecast) {
        return new Policy(new PolicySettings(1, 10,
                new ScaleOutSettings(Duration.ofMinutes(1), Duration.ofMinutes(3), 2, 1.5),
                new ScaleInSettings(Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofMinutes(15),
                        Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofMinutes(30)),
                List.of(SignalPolicy.band("cpu", 0.75, 0.40)), new AlertSettings(1, Duration.ofMinutes(5)),
                new FallbackSettings(Duration.ofMinutes(10), FallbackSettings.Mode.HOLD, 2), forecast, List.of()));
    }

    /** cpu load in nodes: 1.0 at night, 4.0 from 09:00 to 17:00 UTC, every day. */
    public static double cycle(Instant t) {
        long minute = (t.getEpochSecond() / 60) % 1440;
        return minute >= 9 * 60 && minute < 17 * 60 ? 4.0 : 1.0;
    }

    /** {@code days} of the cycle on a 5m grid ending at {@code end}, with the given days (0 = first) missing. */
    public static LoadHistory history(Instant end, int days, int... missing) {
        return history(end, days, day -> java.util.Arrays.stream(missing).anyMatch(m -> m == day) ? m -> Double.NaN
                : null);
    }

    /**
     * {@code days} on a 5m grid ending at {@code end}: the cycle, except on the days (0 = first) for which
     * {@code unusual} gives the load by minute of the day (NaN: missing).
     */
    static LoadHistory history(Instant end, int days, IntFunction<DoubleUnaryOperator> unusual) {
        Duration step = Duration.ofMinutes(5);
        Instant from = end.minus(Duration.ofDays(days));
        int n = days * 288;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            DoubleUnaryOperator day = unusual.apply(i / 288);
            Instant t = from.plus(step.multipliedBy(i));
            v[i] = day == null ? cycle(t) : day.applyAsDouble((t.getEpochSecond() / 60) % 1440);
        }
        return new LoadHistory(from, step, end, Map.of("cpu", v));
    }

    /** Ticks every 15 s from {@code from} to {@code to}, cpu per pod = load(t) / replicas; returns every decision. */
    static List<Decision> run(HistorySource history, ForecastSettings forecast, Instant from, Instant to,
                              DoubleUnaryOperator loadAtMinute, int replicas) {
        return run(history, forecast, from, to, loadAtMinute, replicas, TemplateResources.UNKNOWN);
    }

    /** As {@link #run(HistorySource, ForecastSettings, Instant, Instant, DoubleUnaryOperator, int)}, the pod template declaring {@code declared}. */
    static List<Decision> run(HistorySource history, ForecastSettings forecast, Instant from, Instant to,
                              DoubleUnaryOperator loadAtMinute, int replicas, TemplateResources declared) {
        return run(history, forecast, from, to, loadAtMinute, replicas, declared, null);
    }

    /** As above, the serving pods declaring {@code servingCores} each (kube-state-metrics'; null: not read). */
    static List<Decision> run(HistorySource history, ForecastSettings forecast, Instant from, Instant to,
                              DoubleUnaryOperator loadAtMinute, int replicas, TemplateResources declared,
                              Double servingCores) {
        ManualClock clock = new ManualClock(from);
        FakeCluster cluster = new FakeCluster();
        cluster.replicas.put(T, replicas);
        cluster.resources.put(T, declared);
        FakeMetrics metrics = new FakeMetrics();
        if (servingCores != null) {
            metrics.cpuRequest.put(T, servingCores);
        }
        List<Decision> out = new ArrayList<>();
        Engine engine = new Engine(clock, metrics, cluster, out::add, LeaderGate.always(), AlertSource.NONE,
                new ActionBudget(30), false, EngineListener.NONE, history);
        EngineTarget target = new EngineTarget(T, policy(forecast));
        for (Instant t = from; !t.isAfter(to); t = t.plusSeconds(15)) {
            clock.set(t);
            double minute = (t.getEpochSecond() / 60.0) % 1440;
            metrics.cpu.put(T, loadAtMinute.applyAsDouble(minute) / cluster.replicas.get(T));
            engine.tick(target);
        }
        return out;
    }

    @Test
    void twoWeeksOfADailyCyclePreScaleBeforeTheMorningRamp() {
        LoadHistory twoWeeks = history(DAY15, 14);
        // Today still at night load (1.0 node on 2 = cpu 0.50, in band) until 09:00.
        List<Decision> d = run((t, now) -> twoWeeks, ON, DAY15.plus(Duration.ofMinutes(8 * 60 + 30)),
                DAY15.plus(Duration.ofMinutes(8 * 60 + 59)), m -> 1.0, 2);
        Decision first = d.stream().filter(Decision::isScale).findFirst().orElseThrow();
        assertEquals(Reason.PRESCALE_FORECAST, first.reason(), first.message().text());
        // At 08:55 the lead window [08:55, 09:00] reaches yesterday's and last week's 09:00: 4.0 nodes;
        // ceil(4.0 / 0.8475) = 5 (the forecast line, 1.13 x 0.75), within forecast max-step 4: 2 -> 5 in one
        // write, 5 minutes (more than start + warm-up) ahead, where the reactive rule would take two scale-outs of
        // max-step 2 after the rise.
        assertEquals(DAY15.plus(Duration.ofMinutes(8 * 60 + 55)), first.time());
        assertEquals(5, first.to());
        assertEquals(1, d.stream().filter(Decision::isScale).count());
        assertTrue(first.message().text().contains("4.0"), first.message().text());
    }

    /**
     * The history as the daemon reads it across a CPU request change: the cycle's loads are fractions of a 2-core
     * request (amounts 2.0 at every point, put in one unit as PrometheusHistorySource does), and the pod template
     * declares {@code templateCores} now.
     */
    static LoadHistory readInTwoCores(Instant end) {
        LoadHistory cycle = history(end, 14);
        double[] twoCores = new double[cycle.size("cpu")];
        java.util.Arrays.fill(twoCores, 2.0);
        double[] loads = new double[twoCores.length];
        for (int i = 0; i < loads.length; i++) {
            loads[i] = cycle.at("cpu", i);
        }
        return new LoadHistory(cycle.start(), cycle.step(), cycle.end(), Map.of("cpu", loads),
                Map.of("cpu", twoCores)).inUnitsOfItsLast();
    }

    @Test
    void aRequestCutSinceTheLastHistoryReadPreScalesInThePodTemplatesRequest() {
        // Two weeks read in a 2-core request: 4.0 nodes of 2 cores by day (8 cores). The request was cut to 1 core
        // since the last hourly read, so the same 8 cores are 8.0 nodes of 1 core: at 08:55 ceil(8.0 / 0.8475) = 10,
        // 4 -> 8 within forecast max-step 4. Read in the old units it was 4.0: ceil(4.0 / 0.8475) = 5, 4 -> 5, half
        // of what the morning needed (recheck 79, F1). Tonight's 2 cores on 4 pods of 1 core read cpu 0.50, in band.
        LoadHistory history = readInTwoCores(DAY15);
        TemplateResources oneCore = new TemplateResources(java.util.OptionalDouble.of(1.0),
                java.util.OptionalDouble.empty());
        List<Decision> d = run((t, now) -> history, ON, DAY15.plus(Duration.ofMinutes(8 * 60 + 50)),
                DAY15.plus(Duration.ofMinutes(8 * 60 + 56)), m -> 2.0, 4, oneCore);
        Decision first = d.stream().filter(Decision::isScale).findFirst().orElseThrow();
        assertEquals(Reason.PRESCALE_FORECAST, first.reason(), first.message().text());
        assertEquals(8, first.to(), first.message().text());
        assertTrue(first.message().text().contains("forecast to reach 8.0")
                && first.message().text().contains("read in a CPU request of 2 cores per pod: x 2.00 for the pod"
                + " template's 1 core"), first.message().text());

        // The template unread (an operator hand-over), or declaring the request the history was read in: as read.
        for (TemplateResources declared : List.of(TemplateResources.UNKNOWN, new TemplateResources(
                java.util.OptionalDouble.of(2.0), java.util.OptionalDouble.empty()))) {
            Decision asRead = run((t, now) -> history, ON, DAY15.plus(Duration.ofMinutes(8 * 60 + 50)),
                    DAY15.plus(Duration.ofMinutes(8 * 60 + 56)), m -> 1.0, 2, declared).stream()
                    .filter(Decision::isScale).findFirst().orElseThrow();
            assertEquals(5, asRead.to(), asRead.message().text());
            assertTrue(!asRead.message().text().contains("read in a"), asRead.message().text());
        }
    }

    /**
     * An in-place resize (KEP-1287: the pods' request changes, the pod template's does not) from 2 cores to 1 since
     * the last history read: the forecast is put in the 1 core the serving pods declare, which the cpu signal divides
     * by, and pre-scales 4 -> 8 as after a Helm cut. Put in the template's stale 2 cores it read 4.0 for good, never
     * pre-scaled, and ran into the ramp (recheck 83, F1). The serving pods' request wins over the template's.
     */
    @Test
    void anInPlaceResizePutsTheForecastInTheServingPodsRequest() {
        LoadHistory history = readInTwoCores(DAY15);
        TemplateResources twoCores = new TemplateResources(java.util.OptionalDouble.of(2.0),
                java.util.OptionalDouble.empty());
        Decision first = run((t, now) -> history, ON, DAY15.plus(Duration.ofMinutes(8 * 60 + 50)),
                DAY15.plus(Duration.ofMinutes(8 * 60 + 56)), m -> 2.0, 4, twoCores, 1.0).stream()
                .filter(Decision::isScale).findFirst().orElseThrow();
        assertEquals(8, first.to(), first.message().text());
        assertTrue(first.message().text().contains("read in a CPU request of 2 cores per pod: x 2.00 for the serving"
                + " pods' 1 core"), first.message().text());
        // The pods' 2 cores and an unread template: as read.
        Decision asRead = run((t, now) -> history, ON, DAY15.plus(Duration.ofMinutes(8 * 60 + 50)),
                DAY15.plus(Duration.ofMinutes(8 * 60 + 56)), m -> 1.0, 2, TemplateResources.UNKNOWN, 2.0).stream()
                .filter(Decision::isScale).findFirst().orElseThrow();
        assertEquals(5, asRead.to(), asRead.message().text());
    }

    @Test
    void aMissingDayStillPreScalesFromTheDayBeforeAndTheWeekBefore() {
        // Yesterday (day 13) and last week (day 7) missing: days 12 and 0 answer.
        LoadHistory gappy = history(DAY15, 14, 13, 7);
        List<Decision> d = run((t, now) -> gappy, ON, DAY15.plus(Duration.ofMinutes(8 * 60 + 50)),
                DAY15.plus(Duration.ofMinutes(8 * 60 + 59)), m -> 1.0, 2);
        Decision first = d.stream().filter(Decision::isScale).findFirst().orElseThrow();
        assertEquals(Reason.PRESCALE_FORECAST, first.reason());
        assertEquals(DAY15.plus(Duration.ofMinutes(8 * 60 + 55)), first.time());
    }

    @Test
    void aTargetWithTooLittleHistoryDecidesExactlyAsWithoutForecasting() {
        // A full scripted day: night, a ramp at 09:00, day load with a dip, evening fall. Only 1.5 days of history
        // (min-history 2d): every decision, message included, equals the one with forecasting off and the one
        // with no history source at all.
        LoadHistory short1 = history(DAY15, 1);
        assertEquals(Forecast.NONE, io.github.milvusautoscaler.policy.SeasonalForecast.forecast(short1,
                DAY15.plus(Duration.ofHours(9)), ON));
        DoubleUnaryOperator day = m -> m < 540 ? 1.0 : m < 720 ? 4.0 : m < 780 ? 2.0 : m < 1020 ? 4.0 : 1.0;
        Instant from = DAY15;
        Instant to = DAY15.plus(Duration.ofHours(23));
        List<String> withShort = texts(run((t, now) -> short1, ON, from, to, day, 2));
        List<String> off = texts(run((t, now) -> short1, ForecastSettings.OFF, from, to, day, 2));
        List<String> none = texts(run(HistorySource.NONE, ON, from, to, day, 2));
        assertEquals(off, withShort);
        assertEquals(off, none);
        // The story does scale both ways, so the comparison covers actions, not only holds.
        assertTrue(withShort.stream().anyMatch(s -> s.startsWith("SIGNAL")));
        assertTrue(withShort.stream().anyMatch(s -> s.startsWith("SIGNALS_LOW")));
        // And with two weeks of history the same day differs (the forecast acts).
        LoadHistory twoWeeks = history(DAY15, 14);
        assertTrue(texts(run((t, now) -> twoWeeks, ON, from, to, day, 2)).stream()
                .anyMatch(s -> s.startsWith("PRESCALE_FORECAST")));
    }

    @Test
    void aTrustedForecastKeepsTheDayAtTheFillLevelAndANodeThroughTheDip() {
        // The day of the cycle (4.0 nodes from 09:00 to 17:00) with a dip to 2.0 from 12:00 to 13:00 that the
        // history does not have; from 2 replicas at 08:00 to 18:00, with two weeks of history and without.
        LoadHistory twoWeeks = history(DAY15, 14);
        DoubleUnaryOperator day = m -> m < 540 ? 1.0 : m < 720 ? 4.0 : m < 780 ? 2.0 : m < 1020 ? 4.0 : 1.0;
        Instant from = DAY15.plus(Duration.ofHours(8));
        Instant to = DAY15.plus(Duration.ofHours(18));
        List<Decision> on = run((t, now) -> twoWeeks, ON, from, to, day, 2);
        List<Decision> off = run((t, now) -> twoWeeks, ForecastSettings.OFF, from, to, day, 2);
        Instant noon = DAY15.plus(Duration.ofHours(12));
        Instant one = DAY15.plus(Duration.ofHours(13));
        // Off: the dip reads LOW (2.0 on 7 = 0.29) and steps down, and 13:00 scales out again.
        assertTrue(off.stream().anyMatch(d -> d.isScale() && d.reason() == Reason.SIGNALS_LOW
                && !d.time().isBefore(noon) && d.time().isBefore(one)), scales(off));
        // On: the forecast within the horizon (4.0) holds every step-down in the dip ...
        assertTrue(on.stream().noneMatch(d -> d.isScale() && !d.time().isBefore(noon) && d.time().isBefore(one)),
                scales(on));
        assertTrue(on.stream().anyMatch(d -> d.reason() == Reason.FORECAST_HOLDS_SCALE_IN), scales(on));
        // ... so the day takes fewer actions: one pre-scale 2 -> 5 at 08:55 for the 4.0 nodes of 09:00 (ceil(4.0 /
        // 0.8475) = 5, the forecast line), where the reactive policy climbs after the rise and steps down into the
        // dip and back out of it. The plateau runs at 4.0 / 5 = 0.80: above scale-out-above 0.75 but under the
        // forecast line, and the jump at 09:00 is the rise the pre-scale was for, so no second scale-out; no
        // step-down either (4.0 / 4 = 1.0 > fill 1.0 x 0.75).
        assertEquals(5, replicasAt(on, from, DAY15.plus(Duration.ofHours(11))));
        assertEquals(1, on.stream().filter(d -> d.isScale() && d.time().isBefore(noon)).count(), scales(on));
        assertTrue(on.stream().filter(Decision::isScale).count() < off.stream().filter(Decision::isScale).count(),
                scales(on) + "\n" + scales(off));
    }

    @Test
    void aDayThatOutgrowsItsForecastStillScalesOutAtOnce() {
        // The forecast says 4.0 nodes from 09:00 (two weeks of the cycle); today the load goes on to 5.0 at 10:00.
        LoadHistory twoWeeks = history(DAY15, 14);
        DoubleUnaryOperator day = m -> m < 540 ? 1.0 : m < 600 ? 4.0 : 5.0;
        Instant ten = DAY15.plus(Duration.ofHours(10));
        List<Decision> d = run((t, now) -> twoWeeks, ON, DAY15.plus(Duration.ofHours(8)),
                DAY15.plus(Duration.ofMinutes(10 * 60 + 5)), day, 2);
        // 08:55 pre-scales 2 -> 5 (ceil(4.0 / 0.8475)); 4.0 / 5 = 0.80 runs under the forecast line until 10:00.
        assertEquals(List.of(5), d.stream().filter(x -> x.isScale() && x.time().isBefore(ten)).map(Decision::to)
                .toList(), scales(d));
        // At 10:00, 5.0 / 5 = 1.0 is past the forecast line (0.8475) and jumped there: the surprise scales out in
        // the same tick, sized for the fill level, ceil(5.0 / 0.75) = 7, within max-step 2: 5 -> 7.
        Decision surprise = d.stream().filter(x -> x.isScale() && !x.time().isBefore(ten)).findFirst().orElseThrow();
        assertEquals(ten, surprise.time(), scales(d));
        assertEquals(7, surprise.to(), surprise.message().text());
        assertTrue(surprise.message().text().contains("(forecast line 1.13 x 0.75 = 0.8475)"), surprise.message().text());
    }

    @Test
    void aForecastThatStopsBeingTrustedSaysSoWhenItsLineFallsBack() {
        // 4.0 nodes on 5 replicas from 10:00: cpu 0.80, in the band under the forecast line (1.13 x 0.75 = 0.8475)
        // while two weeks of the cycle back the forecast. At 10:30 the history read shows yesterday as a holiday
        // (1.0 all day where the forecast said 4.0 from 09:00: a 75% miss, past max-error 0.2), so cpu's forecast
        // is no longer trusted, its line falls back to 0.75, and the same 0.80 reads HIGH.
        LoadHistory twoWeeks = history(DAY15, 14);
        LoadHistory holiday = history(DAY15, 14, d -> d == 13 ? m -> 1.0 : null);
        Instant lost = DAY15.plus(Duration.ofMinutes(10 * 60 + 30));
        Instant from = DAY15.plus(Duration.ofHours(10));
        Instant to = DAY15.plus(Duration.ofMinutes(10 * 60 + 35));
        List<Decision> d = run((t, now) -> now.isBefore(lost) ? twoWeeks : holiday, ON, from, to, m -> 4.0, 5);
        Decision out = d.stream().filter(Decision::isScale).findFirst().orElseThrow();
        // After the 1m sustain: ceil(5 x 0.80 / 0.575) = 7, within max-step 2.
        assertEquals(lost.plusSeconds(60), out.time(), scales(d));
        assertEquals(7, out.to(), out.message().text());
        assertTrue(out.message().text().contains("cpu 0.80 > 0.75 for 1m (the line was the forecast's 0.8475 until"
                + " cpu's forecast stopped being trusted as this stretch began)"), out.message().text());
        // Without forecasting the same load is HIGH from the start, and its message has no such note.
        List<Decision> off = run((t, now) -> twoWeeks, ForecastSettings.OFF, from, to, m -> 4.0, 5);
        Decision plain = off.stream().filter(Decision::isScale).findFirst().orElseThrow();
        assertEquals(from.plusSeconds(60), plain.time(), scales(off));
        assertTrue(plain.message().text().contains("cpu 0.80 > 0.75 for 1m;"), plain.message().text());
        assertTrue(!plain.message().text().contains("forecast"), plain.message().text());
    }

    /** Replicas after the last scale decision at or before {@code at}; 2 before any. */
    private static int replicasAt(List<Decision> decisions, Instant from, Instant at) {
        int r = 2;
        for (Decision d : decisions) {
            if (d.isScale() && !d.time().isAfter(at) && !d.time().isBefore(from)) {
                r = d.to();
            }
        }
        return r;
    }

    /** The scale decisions only, for a failure message a person can read. */
    private static String scales(List<Decision> decisions) {
        return texts(decisions.stream().filter(Decision::isScale).toList()).toString();
    }

    private static List<String> texts(List<Decision> decisions) {
        return decisions.stream().map(d -> d.reason() + " " + d.to() + " " + d.time() + " " + d.message().text()).toList();
    }
}
