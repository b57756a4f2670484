package io.github.milvusautoscaler.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.ScheduledFloor;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The peak look-back, forecast and scheduled-floor keys: read into the policy settings, bad values refused. */
class ForecastConfigTest {

    static final String P = "milvus-autoscaler.";

    static PolicySettings queryNode(String hocon) {
        String file = hocon + """

                milvus-autoscaler.clusters = [{ namespace = milvus, name = s, install = operator,
                  milvus-version = "2.5", components { queryNode {} } }]
                """;
        return ConfigLoader.parse(file, "autoscaler.conf").targets().get(0).policy();
    }

    @Test
    void referenceConfTurnsThePeakLookBackAndTheForecastOnWithoutFloors() {
        PolicySettings p = queryNode("");
        assertEquals(Duration.ofMinutes(120), p.scaleIn().peakWindow());
        assertEquals(5, p.scaleIn().peakRecurrence());
        assertEquals(true, p.forecast().enabled());
        assertEquals(Duration.ofMinutes(5), p.forecast().lead());
        assertEquals(Duration.ofMinutes(150), p.forecast().horizon());
        assertEquals(1.0, p.forecast().fill());
        assertEquals(1.13, p.forecast().line());
        assertEquals(4, p.forecast().maxStep());
        assertEquals(Duration.ofDays(2), p.forecast().minHistory());
        assertEquals(0.2, p.forecast().maxError());
        assertEquals(Duration.ofDays(14), p.forecast().history());
        assertEquals(Duration.ofMinutes(5), p.forecast().historyStep());
        assertEquals(Duration.ofHours(1), p.forecast().refresh());
        // UTC days, each reading the day before (workdays = daily: one kind of day).
        assertEquals(ZoneId.of("UTC"), p.forecast().timeZone());
        assertEquals(EnumSet.allOf(DayOfWeek.class), p.forecast().workdays());
        assertEquals(List.of(), p.scheduled());
    }

    @Test
    void theForecastsDaysAreReadInItsTimeZoneWithItsWorkdays() {
        PolicySettings p = queryNode("""
                milvus-autoscaler.defaults.forecast { time-zone = "Europe/Berlin", workdays = "Mon-Fri" }
                """);
        assertEquals(ZoneId.of("Europe/Berlin"), p.forecast().timeZone());
        assertEquals(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), p.forecast().workdays());
    }

    @Test
    void scheduledWindowsAreReadWithTheirDaysTimesAndZone() {
        PolicySettings p = queryNode("""
                milvus-autoscaler.defaults.forecast.enabled = false
                milvus-autoscaler.defaults.scheduled = [
                  { days = "Mon-Fri", from = "08:00", to = "20:00", time-zone = "Europe/Berlin", min-replicas = 4 }
                  { days = "Fri-Mon", from = "22:00", to = "06:00", time-zone = UTC, min-replicas = 2 }
                  { days = daily, from = "12:00", to = "13:00", time-zone = UTC, min-replicas = 3 }
                ]
                """);
        assertEquals(false, p.forecast().enabled());
        assertEquals(List.of(
                new ScheduledFloor(ZoneId.of("Europe/Berlin"), EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
                        LocalTime.of(8, 0), LocalTime.of(20, 0), 4),
                new ScheduledFloor(ZoneId.of("UTC"), EnumSet.of(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY, DayOfWeek.SUNDAY,
                        DayOfWeek.MONDAY), LocalTime.of(22, 0), LocalTime.of(6, 0), 2),
                new ScheduledFloor(ZoneId.of("UTC"), ScheduledFloor.everyDay(), LocalTime.of(12, 0), LocalTime.of(13, 0),
                        3)), p.scheduled());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown day | milvus-autoscaler.defaults.scheduled = [{ days = \"Mon-Fry\", from = \"08:00\", to = \"20:00\","
                    + " time-zone = UTC, min-replicas = 4 }]"
                    + " | defaults.scheduled[0].days = \"Mon-Fry\" (autoscaler.conf:1): must be days such as Mon-Fri, Sat,Sun"
                    + " or daily",
            "bad time | milvus-autoscaler.defaults.scheduled = [{ days = daily, from = \"8am\", to = \"20:00\","
                    + " time-zone = UTC, min-replicas = 4 }]"
                    + " | defaults.scheduled[0].from = \"8am\" (autoscaler.conf:1): must be a local time HH:MM such as 08:00",
            "midnight as 24:00 | milvus-autoscaler.defaults.scheduled = [{ days = daily, from = \"20:00\", to = \"24:00\","
                    + " time-zone = UTC, min-replicas = 4 }]"
                    + " | defaults.scheduled[0].to = \"24:00\" (autoscaler.conf:1): must be a local time HH:MM such as 08:00"
                    + " (a window to midnight ends at 00:00)",
            "open day range (forecast audit F6: read as Monday) | milvus-autoscaler.defaults.scheduled = [{ days ="
                    + " \"Mon-\", from = \"08:00\", to = \"20:00\", time-zone = UTC, min-replicas = 4 }]"
                    + " | defaults.scheduled[0].days = \"Mon-\" (autoscaler.conf:1): must be days such as Mon-Fri, Sat,Sun"
                    + " or daily",
            "trailing comma | milvus-autoscaler.defaults.scheduled = [{ days = \"Sat,\", from = \"08:00\","
                    + " to = \"20:00\", time-zone = UTC, min-replicas = 4 }]"
                    + " | defaults.scheduled[0].days = \"Sat,\" (autoscaler.conf:1): must be days such as Mon-Fri, Sat,Sun"
                    + " or daily",
            "unknown zone | milvus-autoscaler.defaults.scheduled = [{ days = daily, from = \"08:00\", to = \"20:00\","
                    + " time-zone = \"Mars/Olympus\", min-replicas = 4 }]"
                    + " | defaults.scheduled[0].time-zone = \"Mars/Olympus\" (autoscaler.conf:1): must be a time zone such as"
                    + " UTC or Europe/Berlin",
            "floor below 1 | milvus-autoscaler.defaults.scheduled = [{ days = daily, from = \"08:00\", to = \"20:00\","
                    + " time-zone = UTC, min-replicas = 0 }]"
                    + " | defaults.scheduled[0].min-replicas = 0 (autoscaler.conf:1): must be >= 1",
            "recurrence above the spans | milvus-autoscaler.defaults.scale-in.peak-recurrence = 7"
                    + " | defaults.scale-in.peak-recurrence = 7 (autoscaler.conf:1): must be in [1, 6] (spans of"
                    + " peak-window)",
            "lead past half a day | milvus-autoscaler.defaults.forecast.lead = 13h"
                    + " | defaults.forecast.lead = \"13h\" (autoscaler.conf:1): must be <= 12h (the forecast reads the same"
                    + " time yesterday)",
            "window of no length | milvus-autoscaler.defaults.scheduled = [{ days = daily, from = \"08:00\","
                    + " to = \"08:00\", time-zone = UTC, min-replicas = 4 }]"
                    + " | defaults.scheduled[0].to = \"08:00\" (autoscaler.conf:1): must differ from from (08:00)",
            "negative peak look-back | milvus-autoscaler.defaults.scale-in.peak-window = -5m"
                    + " | defaults.scale-in.peak-window = \"-5m\" (autoscaler.conf:1): must be a duration in [0s, 1d]"
                    + " (0s: no peak look-back), such as 60m",
            // config audit C1: with forecast off the daemon reads the whole look-back, and 100000d ran it out of heap
            "peak look-back past a day | milvus-autoscaler.defaults.scale-in.peak-window = 100000d"
                    + " | defaults.scale-in.peak-window = \"100000d\" (autoscaler.conf:1): must be a duration in [0s, 1d]"
                    + " (0s: no peak look-back), such as 60m",
            "negative hold after a reversal | milvus-autoscaler.defaults.scale-in.peak-after-reversal = -1h"
                    + " | defaults.scale-in.peak-after-reversal = \"-1h\" (autoscaler.conf:1): must be a duration >= 0"
                    + " (0s: off), such as 1h",
            "negative forecast error | milvus-autoscaler.defaults.forecast.max-error = -0.1"
                    + " | defaults.forecast.max-error = -0.1 (autoscaler.conf:1): must be >= 0 (a fraction of the load,"
                    + " such as 0.2)",
            "history step of zero | milvus-autoscaler.defaults.forecast.history-step = 0s"
                    + " | defaults.forecast.history-step = \"0s\" (autoscaler.conf:1): must be a positive duration, such"
                    + " as 30s or 5m",
            // Time audit M5: each ran, and the forecast never came or went stale unsaid.
            "history shorter than min-history | milvus-autoscaler.defaults.forecast.history = 1d"
                    + " | defaults.forecast.history = \"1d\" (autoscaler.conf:1): must be at least min-history (2d): a"
                    + " shorter history never reaches back far enough, so no signal would ever have a forecast",
            "history too many points to hold | milvus-autoscaler.defaults.forecast { history = 400d, history-step = 1s }"
                    + " | defaults.forecast.history = \"400d\" (autoscaler.conf:1): must be at most 100000 points of"
                    + " history-step (1s), such as 14d at 5m (4,033 points)",
            "history read less than daily | milvus-autoscaler.defaults.forecast.refresh = 30d"
                    + " | defaults.forecast.refresh = \"30d\" (autoscaler.conf:1): must be below 23h (the shortest local"
                    + " day) less horizon (150m), so the history always holds the same time yesterday; the shipped 1h"
                    + " reads it again every hour",
            "fill above the line | milvus-autoscaler.defaults.forecast.fill = 1.2"
                    + " | defaults.forecast.fill = 1.2 (autoscaler.conf:1): must be > 0 and <= 1 (a fraction of"
                    + " scale-out-above, such as 0.9)",
            "fill of nothing | milvus-autoscaler.defaults.forecast.fill = 0"
                    + " | defaults.forecast.fill = 0 (autoscaler.conf:1): must be > 0 and <= 1 (a fraction of"
                    + " scale-out-above, such as 0.9)",
            "forecast line under the band's | milvus-autoscaler.defaults.forecast.line = 0.9"
                    + " | defaults.forecast.line = 0.9 (autoscaler.conf:1): must be >= 1 and <= 2 (a multiple of"
                    + " scale-out-above, such as 1.13; 1 keeps the band's line)",
            "forecast line past twice the band's | milvus-autoscaler.defaults.forecast.line = 2.5"
                    + " | defaults.forecast.line = 2.5 (autoscaler.conf:1): must be >= 1 and <= 2 (a multiple of"
                    + " scale-out-above, such as 1.13; 1 keeps the band's line)",
            "pre-scale of no replicas | milvus-autoscaler.defaults.forecast.max-step = 0"
                    + " | defaults.forecast.max-step = 0 (autoscaler.conf:1): must be >= 1",
            "horizon past half a day | milvus-autoscaler.defaults.forecast.horizon = 13h"
                    + " | defaults.forecast.horizon = \"13h\" (autoscaler.conf:1): must be <= 12h (the forecast reads"
                    + " the same time yesterday)",
            "forecast in an unknown zone | milvus-autoscaler.defaults.forecast.time-zone = \"Mars/Olympus\""
                    + " | defaults.forecast.time-zone = \"Mars/Olympus\" (autoscaler.conf:1): must be a time zone such as"
                    + " UTC or Europe/Berlin",
            "forecast workdays that are no days | milvus-autoscaler.defaults.forecast.workdays = weekdays"
                    + " | defaults.forecast.workdays = \"weekdays\" (autoscaler.conf:1): must be days such as Mon-Fri,"
                    + " Sat,Sun or daily",
            "fallback of no replicas | milvus-autoscaler.defaults.fallback.replicas = 0"
                    + " | defaults.fallback.replicas = 0 (autoscaler.conf:1): must be >= 1",
            // Each valid alone (line <= 2, panic-above > 1), together a trusted signal could pass the panic line
            // (1.2 x 0.75 = 0.9) without reading HIGH above 1.3 x 0.75 = 0.975, so it would never panic.
            "forecast line past the panic line | milvus-autoscaler.defaults { forecast.line = 1.3,"
                    + " scale-out.panic-above = 1.2 }"
                    + " | defaults.forecast.line = 1.3 (autoscaler.conf:1): must be < scale-out.panic-above (1.2): a"
                    + " signal past the panic line must read HIGH",
    })
    void refusesWithTheKeyAndTheRule(String name, String hocon, String expected) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> queryNode(hocon));
        assertEquals(List.of(P + expected), e.errors().stream().map(ConfigError::toString).toList(), name);
    }

    @Test
    void aTypoInAWindowIsNamedBesideTheKeyItMissed() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> queryNode("""
                milvus-autoscaler.defaults.scheduled = [{ days = daily, from = "08:00", to = "20:00", timezone = UTC,
                  min-replicas = 2 }]
                """));
        assertEquals(List.of(P + "defaults.scheduled[0].time-zone = <missing> (autoscaler.conf:1): must be set",
                P + "defaults.scheduled[0].timezone = \"UTC\" (autoscaler.conf:1): unknown key in a scheduled window;"
                        + " known: days, from, to, time-zone, min-replicas"),
                e.errors().stream().map(ConfigError::toString).toList());
    }

    @Test
    void validateConfigPrintsThePeakLookBackTheForecastAndTheFloors(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("autoscaler.conf");
        java.nio.file.Files.writeString(file, """
                milvus-autoscaler.component-defaults.queryNode.scheduled = [
                  { days = "Mon-Fri", from = "08:00", to = "20:00", time-zone = "Europe/Berlin", min-replicas = 4 }
                ]
                milvus-autoscaler.clusters = [{ namespace = milvus, name = s, install = operator,
                  milvus-version = "2.5", components { queryNode {} } }]
                """);
        java.io.StringWriter out = new java.io.StringWriter();
        int code = new picocli.CommandLine(new io.github.milvusautoscaler.cli.ValidateConfigCommand())
                .setOut(new java.io.PrintWriter(out, true)).execute(file.toString());
        assertEquals(0, code, out.toString());
        String text = out.toString();
        org.junit.jupiter.api.Assertions.assertTrue(text.contains("settle-timeout 30m, settle-read-after 1m, peak-window 2h (recurrence 5,"
                + " the highest for 1h after a reversed step-down to one replica)"), text);
        org.junit.jupiter.api.Assertions.assertTrue(text.contains("  forecast      lead 5m, horizon 150m, fill 1, line 1.13, max-step 4,"
                + " min-history 2d, max-error 0.2, history 14d every 5m, refresh 1h, days in UTC (workdays daily)"), text);
        org.junit.jupiter.api.Assertions.assertTrue(text.contains(
                "  scheduled     Mon,Tue,Wed,Thu,Fri 08:00-20:00 Europe/Berlin min-replicas 4"), text);
    }
}
