package io.github.milvusautoscaler.cli;

import static io.github.milvusautoscaler.cli.ValidateConfigCommand.number;
import static io.github.milvusautoscaler.cli.ValidateConfigCommand.shorten;
import static io.github.milvusautoscaler.core.Durations.setting;

import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.DeploymentNames;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.PrometheusAuth;
import io.github.milvusautoscaler.core.SignalQuery;
import io.github.milvusautoscaler.policy.FallbackSettings;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.ScaleInSettings;
import io.github.milvusautoscaler.policy.ScaleOutSettings;
import io.github.milvusautoscaler.policy.ScheduledFloor;
import io.github.milvusautoscaler.policy.SignalPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The effective settings as one line per part ("  scale-in      sustain 15m, cooldown 5m, ..."), which
 * validate-config prints and a config reload compares: what a reload changed is said in the words
 * validate-config showed before it ("milvus/hr/queryNode: scale-in sustain 15m -> 10m"), so an SRE who tunes a
 * running daemon sees each change take effect, not only "config reloaded: 5 targets" (reload audit F8).
 */
final class SettingsText {

    private SettingsText() {
    }

    /** The lines about the whole daemon: Prometheus, the loop, alerts. */
    static List<String> global(AutoscalerSettings s) {
        List<String> lines = new ArrayList<>();
        lines.add("prometheus " + s.prometheus().url() + " (timeout " + setting(s.prometheus().timeout())
                + ", stale after " + setting(s.prometheus().staleAfter()) + ")");
        lines.add("loop every " + setting(s.loopInterval()) + " (jitter " + setting(s.loopJitter()) + "), dry-run "
                + s.dryRun() + ", at most " + s.maxActionsPerHour() + " actions/hour, decision log "
                + (s.decisionLogPath().isEmpty() ? "off" : s.decisionLogPath()
                + (s.decisionLogEveryHold() ? "" : " (holds: changes)")));
        int routes = s.alerts().routes().size();
        String alerts = !s.alerts().enabled() ? "disabled"
                : s.alerts().bearerTokenFile().isEmpty() ? "webhook off (no alerts.bearer-token-file)"
                : "webhook on (token file " + PrometheusAuth.shown(s.alerts().bearerTokenFile().get()) + ")";
        lines.add("alerts " + alerts + " (step " + s.alerts().step() + ", cooldown " + setting(s.alerts().cooldown())
                + ", " + routes + (routes == 1 ? " route" : " routes") + ")");
        return lines;
    }

    /** The lines of one target's block, after its "target ..." header; templates cut to 80 characters. */
    static List<String> target(TargetSettings t) {
        List<String> lines = new ArrayList<>();
        parts(t).forEach((label, value) -> lines.add(String.format("  %-13s %s", label, value)));
        lines.add("  signals");
        for (SignalPolicy sp : t.policy().signals()) {
            SignalQuery q = t.signal(sp.name());
            lines.add(String.format("    %-20s %s  %s", sp.name(), signal(sp, q), shorten(q.template())));
        }
        lines.add("  settle-query  " + (t.hasSettleQuery() ? "yes  " + shorten(t.settleQuery())
                : "none (settled once replicas are ready)"));
        lines.add("  health-query  " + (t.hasHealthQuery() ? "yes  " + shorten(t.healthQuery()) : "none"));
        lines.add("  replica-floor " + (t.hasReplicaFloorQuery() ? "yes  " + shorten(t.replicaFloorQuery())
                : "none (min-replicas only)"));
        return lines;
    }

    /**
     * What a reload changed, one entry per target or part of the daemon that changed, each part as "name old ->
     * new": {@code milvus/hr/queryNode: scale-in sustain 15m -> 10m, cooldown 5m -> 10m; cpu band [0.4, 0.75] ->
     * [0.4, 0.8]}. Targets added or removed are the reload line's own (Daemon.targetChanges); a changed query is
     * named, not shown whole ({@code qps query changed}), as EngineTarget's sustain restart then says.
     */
    static List<String> changes(AutoscalerSettings before, AutoscalerSettings next) {
        return changed(before, next).stream().map(c -> c.scope() + ": " + c.parts()).toList();
    }

    /**
     * One line of {@link #changes}: {@code scope} is a target's id or "daemon", {@code parts} what changed, so a JSON
     * log line can carry the target as a field.
     */
    record Change(String scope, String parts) {
    }

    /** {@link #changes} by scope. */
    static List<Change> changed(AutoscalerSettings before, AutoscalerSettings next) {
        List<Change> out = new ArrayList<>();
        List<String> daemon = new ArrayList<>();
        // The URL, dry-run and the restart-only keys have lines of their own (Daemon.reloadIfChanged).
        change(daemon, "prometheus.timeout", setting(before.prometheus().timeout()),
                setting(next.prometheus().timeout()));
        change(daemon, "prometheus.stale-after", setting(before.prometheus().staleAfter()),
                setting(next.prometheus().staleAfter()));
        change(daemon, "alerts.step", String.valueOf(before.alerts().step()), String.valueOf(next.alerts().step()));
        change(daemon, "alerts.cooldown", setting(before.alerts().cooldown()), setting(next.alerts().cooldown()));
        change(daemon, "alerts.carry-over", setting(before.alerts().carryOver()), setting(next.alerts().carryOver()));
        if (!before.alerts().routes().toString().equals(next.alerts().routes().toString())) {
            // AlertRoute holds Patterns, which compare by identity: their text is the route.
            daemon.add("alerts.routes changed (" + next.alerts().routes().size() + " routes)");
        }
        if (!daemon.isEmpty()) {
            out.add(new Change("daemon", String.join("; ", daemon)));
        }
        Map<String, TargetSettings> old = before.targets().stream()
                .collect(Collectors.toMap(t -> t.target().id(), t -> t, (a, b) -> a, LinkedHashMap::new));
        for (TargetSettings t : next.targets()) {
            TargetSettings o = old.get(t.target().id());
            if (o != null) {
                List<String> changed = targetChanges(o, t);
                if (!changed.isEmpty()) {
                    out.add(new Change(t.target().id(), String.join("; ", changed)));
                }
            }
        }
        return out;
    }

    private static List<String> targetChanges(TargetSettings before, TargetSettings next) {
        List<String> changed = new ArrayList<>();
        if (!before.milvusVersion().equals(next.milvusVersion())) {
            changed.add("milvus " + before.milvusVersion() + " -> " + next.milvusVersion());
        }
        Map<String, String> was = parts(before);
        parts(next).forEach((label, value) -> changed.addAll(lineChange(label, was.get(label), value)));
        Map<String, SignalPolicy> oldSignals = before.policy().signals().stream()
                .collect(Collectors.toMap(SignalPolicy::name, s -> s, (a, b) -> a, LinkedHashMap::new));
        List<String> added = new ArrayList<>();
        for (SignalPolicy sp : next.policy().signals()) {
            SignalPolicy o = oldSignals.remove(sp.name());
            if (o == null) {
                added.add(sp.name());
                continue;
            }
            SignalQuery oq = before.signal(sp.name());
            SignalQuery nq = next.signal(sp.name());
            changed.addAll(lineChange(sp.name(), signal(o, oq), signal(sp, nq)));
            if (!oq.template().equals(nq.template())) {
                changed.add(sp.name() + " query changed");
            }
        }
        if (!added.isEmpty()) {
            changed.add("signals added " + String.join(", ", added));
        }
        if (!oldSignals.isEmpty()) {
            changed.add("signals removed " + String.join(", ", oldSignals.keySet()));
        }
        if (!Objects.equals(before.hasSettleQuery() ? before.settleQuery() : null,
                next.hasSettleQuery() ? next.settleQuery() : null)) {
            changed.add("settle-query " + (next.hasSettleQuery() ? "changed" : "removed"));
        }
        if (!Objects.equals(before.hasHealthQuery() ? before.healthQuery() : null,
                next.hasHealthQuery() ? next.healthQuery() : null)) {
            changed.add("health-query " + (next.hasHealthQuery() ? "changed" : "removed"));
        }
        if (!Objects.equals(before.hasReplicaFloorQuery() ? before.replicaFloorQuery() : null,
                next.hasReplicaFloorQuery() ? next.replicaFloorQuery() : null)) {
            changed.add("replica-floor-query " + (next.hasReplicaFloorQuery() ? "changed" : "removed"));
        }
        return changed;
    }

    /** A target's parts by label, in validate-config's order: deployments, replicas, ..., fallback. */
    private static Map<String, String> parts(TargetSettings t) {
        PolicySettings p = t.policy();
        ScaleOutSettings up = p.scaleOut();
        ScaleInSettings down = p.scaleIn();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("deployments", String.join(", ", DeploymentNames.of(t.target()))
                + (t.target().install() == InstallKind.HELM ? "  (the chart's fullname rule; scaled through it)"
                : "  (pods read through them; scaled through the Milvus resource " + t.target().name() + ")"));
        m.put("replicas", "min " + p.minReplicas() + ", max " + p.maxReplicas());
        m.put("scale-out", "sustain " + setting(up.sustain()) + ", cooldown " + setting(up.cooldown())
                + ", max-step " + up.maxStep() + (up.maxStepShare() > 0 ? " (or " + number(up.maxStepShare())
                + " of the replicas when more)" : "") + ", panic-above " + number(up.panicAbove()) + "x"
                + (up.sizeAhead().isZero() ? "" : ", size-ahead " + setting(up.sizeAhead())));
        m.put("scale-in", "sustain " + setting(down.sustain()) + ", cooldown " + setting(down.cooldown())
                + ", delay-after-scale-out " + setting(down.delayAfterScaleOut()) + ", verify-window "
                + setting(down.verifyWindow()) + ", backoff " + setting(down.backoff()) + ", settle-timeout "
                + setting(down.settleTimeout()) + ", settle-read-after " + setting(down.settleReadAfter())
                + (down.peakWindow().isZero() ? ", no peak look-back"
                : ", peak-window " + setting(down.peakWindow()) + " (recurrence " + down.peakRecurrence()
                + (down.peakAfterReversal().isZero() ? "" : ", the highest for " + setting(down.peakAfterReversal())
                + " after a reversed step-down to one replica") + ")")
                + (down.newPodGrace().isZero() ? "" : ", new-pod-grace " + setting(down.newPodGrace())));
        var f = p.forecast();
        m.put("forecast", !f.enabled() ? "off" : "lead " + setting(f.lead()) + ", horizon "
                + setting(f.horizon()) + ", fill " + number(f.fill()) + ", line " + number(f.line())
                + ", max-step " + f.maxStep() + ", min-history " + setting(f.minHistory()) + ", max-error "
                + number(f.maxError()) + ", history " + setting(f.history()) + " every " + setting(f.historyStep())
                + ", refresh " + setting(f.refresh()) + ", days in " + f.timeZone().getId() + " (workdays "
                + ScheduledFloor.describe(f.workdays()) + ")");
        m.put("scheduled", p.scheduled().isEmpty() ? "none" : p.scheduled().stream()
                .map(ScheduledFloor::said).collect(Collectors.joining("; ")));
        m.put("fallback", p.fallback().mode().name().toLowerCase(Locale.ROOT).replace('_', '-') + " after "
                + setting(p.fallback().after())
                + (p.fallback().mode() == FallbackSettings.Mode.SCALE_OUT
                ? " to " + p.fallback().replicas() + " replicas" : ""));
        return m;
    }

    private static void change(List<String> out, String key, String was, String now) {
        if (!was.equals(now)) {
            out.add(key + " " + was + " -> " + now);
        }
    }

    private static String signal(SignalPolicy sp, SignalQuery q) {
        return "band [" + number(sp.scaleInBelow()) + ", " + number(sp.scaleOutAbove()) + "] target "
                + number(sp.target()) + " " + (q.perPod() ? "per-pod" : "cluster")
                + (q.mayBeNegative() ? " may-be-negative" : "");
    }

    /**
     * The parts of one line that differ, each as "label part old -> new": {@code scale-in sustain 15m -> 10m} for
     * "sustain 15m, cooldown 5m" against "sustain 10m, cooldown 5m". Parts are split at ", " outside brackets (a
     * band's "[0.4, 0.75]" is one). A part only one side has is shown as added ({@code scale-in new-pod-grace 1m}) or
     * as gone ({@code scale-out size-ahead 4m -> off}); a side of one part ("off") is shown whole against the other.
     */
    static List<String> lineChange(String label, String was, String now) {
        if (was.equals(now)) {
            return List.of();
        }
        List<String> a = split(was);
        List<String> b = split(now);
        if (a.size() == 1 || b.size() == 1) {
            return List.of(label + " " + was + " -> " + now.substring(common(was, now)));
        }
        List<String> out = new ArrayList<>();
        if (a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                if (!a.get(i).equals(b.get(i))) {
                    out.add(label + " " + a.get(i) + " -> " + b.get(i).substring(common(a.get(i), b.get(i))));
                }
            }
            return out;
        }
        Map<String, String> wasByWord = byFirstWord(a);
        Map<String, String> nowByWord = byFirstWord(b);
        for (String y : b) {
            if (!a.contains(y)) {
                String x = wasByWord.get(firstWord(y));
                out.add(label + " " + (x == null ? y : x + " -> " + y.substring(common(x, y))));
            }
        }
        for (String x : a) {
            if (!b.contains(x) && !nowByWord.containsKey(firstWord(x))) {
                out.add(label + " " + x + " -> off");
            }
        }
        return out;
    }

    private static Map<String, String> byFirstWord(List<String> parts) {
        Map<String, String> m = new LinkedHashMap<>();
        parts.forEach(p -> m.putIfAbsent(firstWord(p), p));
        return m;
    }

    private static String firstWord(String part) {
        int space = part.indexOf(' ');
        return space < 0 ? part : part.substring(0, space);
    }

    /**
     * How many leading characters, up to the last space outside brackets they share, two parts have in common:
     * "sustain " of "sustain 15m" and "sustain 10m"; "cpu band " of two bands, whose "[0.4, " is not cut from one.
     */
    private static int common(String a, String b) {
        int n = 0;
        int space = 0;
        int depth = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            char c = a.charAt(n);
            if (c == '[' || c == '(') {
                depth++;
            } else if ((c == ']' || c == ')') && depth > 0) {
                depth--;
            } else if (c == ' ' && depth == 0) {
                space = n + 1;
            }
            n++;
        }
        return space;
    }

    private static List<String> split(String line) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '[' || c == '(') {
                depth++;
            } else if ((c == ']' || c == ')') && depth > 0) {
                depth--;
            } else if (depth == 0 && c == ',' && i + 1 < line.length() && line.charAt(i + 1) == ' ') {
                parts.add(line.substring(from, i));
                from = i + 2;
            }
        }
        parts.add(line.substring(from));
        return parts;
    }
}
