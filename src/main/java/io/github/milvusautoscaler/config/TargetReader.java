package io.github.milvusautoscaler.config;

import static io.github.milvusautoscaler.config.Rules.text;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.ContainerResource;
import io.github.milvusautoscaler.core.DeclaredResource;
import io.github.milvusautoscaler.core.DeploymentNames;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.KubernetesNames;
import io.github.milvusautoscaler.core.PromqlPlaceholders;
import io.github.milvusautoscaler.core.SignalQuery;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.policy.AlertSettings;
import io.github.milvusautoscaler.policy.FallbackSettings;
import io.github.milvusautoscaler.policy.ForecastSettings;
import io.github.milvusautoscaler.policy.PolicySettings;
import io.github.milvusautoscaler.policy.ScaleInSettings;
import io.github.milvusautoscaler.policy.ScaleOutSettings;
import io.github.milvusautoscaler.policy.ScheduledFloor;
import io.github.milvusautoscaler.policy.SignalPolicy;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds every target's settings by inheritance ({@code defaults} -> {@code component-defaults.<component>}
 * -> the cluster's {@code components.<component>}) and validates them.
 *
 * <p>{@code defaults} is also validated on its own, as the policy of a component the file configures no target of
 * ({@code simulate --component}), so a bad default is reported even in a file with no clusters yet, and reported
 * once however many targets inherit it. A {@code component-defaults} entry is checked as each target built through
 * it sees it, the cluster's own settings over it, and on its own over {@code defaults} only where no target is.
 */
final class TargetReader {

    private static final String PREFIX = ConfigLoader.ROOT;
    private static final String COMPONENTS_RULE = "must name at least one worker component, e.g. components { queryNode {} }";

    private final Errors errors;
    private final ConfigObject referenceSignals;
    private final ConfigObject newSignalDefaults;
    private final Node queriesNode;
    private final Map<String, String> queries;
    private final AlertSettings alerts;

    /** What one layered component block yields. */
    private record Built(PolicySettings policy, List<SignalQuery> signals, String settleQuery, String healthQuery,
                         String replicaFloorQuery) {
    }

    /**
     * @param referenceSignals  reference.conf's {@code defaults.signals}, which says which signals are built in
     *                          and in which order they come
     * @param newSignalDefaults the {@code new-signal-defaults} block a user's own signal starts from
     * @param queriesNode       the {@code queries} block, to blame an empty template
     * @param queries           the templates by name; null when that block has errors (then no template is checked)
     * @param alerts            alert behaviour every policy gets; null when the alerts block has errors
     */
    TargetReader(Errors errors, ConfigObject referenceSignals, ConfigObject newSignalDefaults, Node queriesNode,
                 Map<String, String> queries, AlertSettings alerts) {
        this.errors = errors;
        this.referenceSignals = referenceSignals;
        this.newSignalDefaults = newSignalDefaults;
        this.queriesNode = queriesNode;
        this.queries = queries;
        this.alerts = alerts;
    }

    /** Every target of every cluster, in file order; empty when there are errors (they are recorded). */
    List<TargetSettings> read(Node root) {
        Node defaults = root.child("defaults");
        Node componentDefaults = root.child("component-defaults");
        List<Field<ConfigValue>> clusters = root.list("clusters");
        if (defaults != null) {
            build(defaults, null);
        }
        List<TargetSettings> targets = new ArrayList<>();
        Set<String> checkedThroughTargets = new HashSet<>();
        if (clusters != null) {
            Map<String, Integer> seen = new HashMap<>();
            Map<String, Field<ConfigValue>> workloads = new HashMap<>();
            for (int i = 0; i < clusters.size(); i++) {
                Field<ConfigValue> element = clusters.get(i);
                if (element.raw().valueType() != ConfigValueType.OBJECT) {
                    errors.add(element, Node.MUST_BE_OBJECT);
                    continue;
                }
                cluster(i, Node.of((ConfigObject) element.raw(), element.path(), errors), defaults, componentDefaults,
                        seen, workloads, targets, checkedThroughTargets);
            }
        }
        if (defaults != null && componentDefaults != null) {
            for (Component component : Component.values()) {
                Node layer = componentDefaults.childIfPresent(component.configName());
                if (layer == null || checkedThroughTargets.contains(component.configName())) {
                    // Checked as each target of the component sees it: a floor of 15 there with a cluster's
                    // max-replicas 20 was refused against defaults' 10, which no target has (recheck 101, F1).
                    continue;
                }
                Node merged = layer.withFallback(defaults);
                if (used(clusters, component)) {
                    build(merged, null);
                } else {
                    // A component no cluster runs: only what the user wrote can be wrong there. On its own, the
                    // proxy entry blamed reference.conf's line for a user's "defaults.signals.cpu.enabled =
                    // false" in a file without a proxy (config audit M5).
                    errors.keepOnlyUserErrors(() -> build(merged, null));
                }
            }
        }
        return withSharedNames(targets);
    }

    /**
     * {@code targets}, those of a namespace and name that both a Helm and an operator cluster use marked as shared
     * ({@link Target#nameShared}), so their ids tell the two installs apart.
     */
    private static List<TargetSettings> withSharedNames(List<TargetSettings> targets) {
        Map<String, java.util.Set<InstallKind>> installs = new HashMap<>();
        targets.forEach(t -> installs.computeIfAbsent(t.target().clusterId(), k -> java.util.EnumSet.noneOf(
                InstallKind.class)).add(t.target().install()));
        return targets.stream().map(t -> installs.get(t.target().clusterId()).size() < 2 ? t
                : t.withTarget(t.target().withNameShared())).collect(java.util.stream.Collectors.toCollection(
                ArrayList::new));
    }

    /** True when some cluster names {@code component} under its components (whatever else is wrong with it). */
    private static boolean used(List<Field<ConfigValue>> clusters, Component component) {
        if (clusters == null) {
            return false;
        }
        for (Field<ConfigValue> c : clusters) {
            if (c.raw() instanceof ConfigObject cluster && cluster.get("components") instanceof ConfigObject components
                    && components.containsKey(component.configName())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads one cluster's targets into {@code targets}; the name of each {@code component-defaults} entry a target was
     * built through goes into {@code checkedThroughTargets}.
     */
    private void cluster(int index, Node cluster, Node defaults, Node componentDefaults, Map<String, Integer> seen,
                         Map<String, Field<ConfigValue>> workloads, List<TargetSettings> targets,
                         Set<String> checkedThroughTargets) {
        Field<String> namespace = cluster.string("namespace");
        if (namespace != null && !KubernetesNames.NAMESPACE.matcher(namespace.value()).matches()) {
            errors.add(namespace, "must be a Kubernetes namespace: lower-case letters, digits and '-', at most 63");
            namespace = null;
        }
        Field<String> name = cluster.string("name");
        if (name != null && !KubernetesNames.OBJECT_NAME.matcher(name.value()).matches()) {
            errors.add(name, "must be a Kubernetes object name: lower-case letters, digits, '-' and '.'");
            name = null;
        }
        InstallKind install = null;
        boolean sameCluster = false;
        Field<String> installField = cluster.string("install");
        if (installField != null) {
            switch (installField.value()) {
                case "operator" -> install = InstallKind.OPERATOR;
                case "helm" -> install = InstallKind.HELM;
                default -> errors.add(installField, "must be operator or helm");
            }
        }
        if (namespace != null && name != null && install != null) {
            // A Helm release and an operator Milvus of one name can share a namespace where their Deployments differ
            // (<fullname>-<component>: "milvus" keeps milvus-querynode, the operator's milvus-milvus-querynode; their
            // series told apart by the monitors' component labels): the same install twice is one cluster configured
            // twice, and two entries reaching one Deployment are refused per component (oneEntryPerWorkload).
            Integer first = seen.putIfAbsent(namespace.value() + "/" + name.value() + "/" + install, index);
            sameCluster = first != null;
            if (first != null) {
                errors.add(name, "must be unique: clusters[" + first + "] has the same namespace ("
                        + namespace.value() + "), name and install (" + installField.value() + ")");
            }
        }
        String fullnameOverride = chartValue(cluster, "fullname-override", "fullnameOverride", install);
        String nameOverride = chartValue(cluster, "name-override", "nameOverride", install);
        if (fullnameOverride.isEmpty() && !nameOverride.isEmpty() && name != null) {
            // The chart's milvus.fullname: a fullnameOverride wins, else the release and the name.
            fullnameOverride = DeploymentNames.helmFullname(name.value(), "", nameOverride);
        }
        MilvusVersion version = null;
        Field<String> versionField = cluster.string("milvus-version");
        if (versionField != null) {
            Optional<MilvusVersion> parsed = MilvusVersion.parse(versionField.value());
            if (parsed.isEmpty()) {
                errors.add(versionField, "must be a Milvus version such as \"2.5\" or \"2.5.5\"");
            } else {
                version = parsed.get();
            }
        }
        if (!cluster.has("components")) {
            errors.missing(cluster.path() + ".components", cluster.origin(), COMPONENTS_RULE);
            return;
        }
        Node components = cluster.child("components");
        if (components == null) {
            return;
        }
        if (components.keys().isEmpty()) {
            errors.add(components.path(), components.object(), COMPONENTS_RULE);
            return;
        }
        for (String key : byLine(components.object())) {
            Optional<Component> component = exactComponent(key);
            if (component.isEmpty()) {
                continue; // refused by the key check (coordinator or unknown name)
            }
            Node layers = components.child(key);
            if (layers == null) {
                continue;
            }
            if (namespace != null && name != null && install != null && !sameCluster) {
                oneEntryPerWorkload(namespace.value(), DeploymentNames.statefulSet(new Target(namespace.value(),
                        name.value(), component.get(), install, fullnameOverride), component.get().labelValue()),
                        components.find(key), workloads);
            }
            if (version != null && !versionAllows(component.get(), version, components.find(key))) {
                continue;
            }
            if (componentDefaults != null) {
                Node middle = componentDefaults.childIfPresent(key);
                if (middle != null) {
                    layers = layers.withFallback(middle);
                }
            }
            if (defaults == null) {
                continue;
            }
            if (componentDefaults != null && componentDefaults.childIfPresent(key) != null) {
                checkedThroughTargets.add(key);
            }
            Built built = build(layers.withFallback(defaults), version);
            if (built != null && namespace != null && name != null && install != null && version != null) {
                targets.add(new TargetSettings(new Target(namespace.value(), name.value(), component.get(), install,
                        fullnameOverride),
                        versionField.value().trim(), built.policy(), built.signals(), built.settleQuery(),
                        built.healthQuery(), built.replicaFloorQuery()));
            }
        }
    }

    /**
     * Refuses a component whose workload another entry already reaches, by the name both kinds start from
     * ({@link DeploymentNames#statefulSet}: a Helm release's {@code <fullname>-<component>}, an operator Milvus'
     * {@code <name>-milvus-<component>}, the base of its {@code -0}/{@code -1} pair). Two entries for one Helm
     * release, one by its name and one by a {@code fullname-override} that gives the same fullname (a cluster renamed
     * by adding the new entry before removing the old), scaled it against each other, a queryNode drained and added
     * again every 100 s, each target taking the other's writes for its own lost ones (recheck 43, F1). A Helm entry
     * whose fullname is an operator Milvus' {@code <name>-milvus} would write the operator's Deployment under it.
     */
    private void oneEntryPerWorkload(String namespace, String deployment, Field<ConfigValue> at,
                                     Map<String, Field<ConfigValue>> workloads) {
        Field<ConfigValue> first = workloads.putIfAbsent(namespace + "/" + deployment, at);
        if (first != null) {
            errors.add(at, "reaches Deployment " + namespace + "/" + deployment + " as " + first.path() + " ("
                    + errors.at(first) + ") does: two entries for one component scale it against each other, each"
                    + " reading the other's writes as changes by hand; keep one");
        }
    }

    /**
     * A Helm chart value the cluster repeats so names follow the chart ({@code fullname-override} for
     * {@code fullnameOverride}, {@code name-override} for {@code nameOverride}); empty when not set or refused
     * (not a Kubernetes name, or on an operator install) with file and line.
     */
    private String chartValue(Node cluster, String key, String chartKey, InstallKind install) {
        Field<String> value = cluster.has(key) ? cluster.string(key) : null;
        if (value == null || value.value().isEmpty()) {
            return "";
        }
        if (!KubernetesNames.OBJECT_NAME.matcher(value.value()).matches()) {
            errors.add(value, "must be the chart's " + chartKey + ": lower-case letters, digits, '-' and '.'");
        } else if (install != InstallKind.HELM) {
            errors.add(value, "applies to install = helm only (the operator names Deployments"
                    + " <name>-milvus-<component>)");
        } else {
            return value.value();
        }
        return "";
    }

    /** {@code field}, or null after an error naming its unknown placeholder ({@code {relase}}) with file and line. */
    private Field<String> placeholdersKnown(Field<String> field) {
        if (field == null) {
            return null;
        }
        var problem = PromqlPlaceholders.problem(field.value());
        if (problem.isPresent()) {
            errors.add(field, problem.get());
            return null;
        }
        return field;
    }

    /** indexNode is gone from 2.6 (merged into dataNode); streamingNode only exists from 2.6. */
    private boolean versionAllows(Component component, MilvusVersion version, Field<ConfigValue> block) {
        if (component == Component.INDEX_NODE && version.isAtLeast(2, 6)) {
            errors.add(block, "must not be set for milvus-version 2.6 or later: indexNode is merged into dataNode"
                    + " there, so scale dataNode (with signals.index-backlog.enabled = true on dataNode for the index"
                    + " builds)");
            return false;
        }
        if (component == Component.STREAMING_NODE && !version.isAtLeast(2, 6)) {
            errors.add(block, "must not be set before milvus-version 2.6: streamingNode exists from Milvus 2.6");
            return false;
        }
        return true;
    }

    private static Optional<Component> exactComponent(String key) {
        for (Component c : Component.values()) {
            if (c.configName().equals(key)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Keys of an object in the order they are written (by line, then name): HOCON objects keep no order. */
    private static List<String> byLine(ConfigObject object) {
        List<String> keys = new ArrayList<>(object.keySet());
        keys.sort(Comparator.comparingInt((String k) -> Origins.line(object.get(k).origin())).thenComparing(k -> k));
        return keys;
    }

    /**
     * {@code max-replicas (8)} for {@code bound} = max-replicas, and where it was set when that is outside the block
     * {@code limited} sits in: a {@code defaults} floor of 50 was refused twice at one line, "(10)" and "(8)", the
     * second for a cluster's max-replicas the message did not name (recheck 31, F4; recheck 35, N6 for a defaults
     * min-replicas above a cluster's max-replicas).
     */
    private String named(Field<Integer> bound, Field<?> limited) {
        String block = bound.path().substring(0, Math.max(0, bound.path().lastIndexOf('.') + 1));
        String key = bound.path().substring(block.length());
        return key + " (" + bound.value() + (limited.path().startsWith(block) ? "" : ", " + bound.path() + " at "
                + errors.at(bound)) + ")";
    }

    /** Reads and checks one layered component block; null when it has errors. {@code version} null: not a target. */
    private Built build(Node n, MilvusVersion version) {
        int mark = errors.mark();
        Field<Integer> min = n.integer("min-replicas");
        Field<Integer> max = n.integer("max-replicas");
        if (min != null && min.value() < 1) {
            errors.add(min, "must be >= 1");
        } else if (min != null && max != null && max.value() < min.value()) {
            // Blame the side set in the more specific place: that is the one the SRE just changed.
            if (max.specificity() <= min.specificity()) {
                errors.add(max, "must be >= " + named(min, max));
            } else {
                errors.add(min, "must be <= " + named(max, min));
            }
        }
        ScaleOutSettings scaleOut = scaleOut(n.child("scale-out"));
        ScaleInSettings scaleIn = scaleIn(n.child("scale-in"));
        FallbackSettings fallback = fallback(n.child("fallback"), max);
        ForecastSettings forecast = forecast(n.child("forecast"));
        if (scaleOut != null && forecast != null && forecast.line() >= scaleOut.panicAbove()) {
            // Both valid alone: the panic line counts from scale-out-above and only a HIGH signal panics, so a
            // forecast line at or past it would let a trusted signal pass the panic line without reading HIGH.
            errors.add(n.child("forecast").number("line"), "must be < scale-out.panic-above ("
                    + text(n.child("scale-out").number("panic-above")) + "): a signal past the panic line must read HIGH");
        }
        List<ScheduledFloor> scheduled = scheduled(n, max);
        List<SignalPolicy> policies = new ArrayList<>();
        List<SignalQuery> signalQueries = new ArrayList<>();
        Node signals = n.child("signals");
        if (signals != null) {
            signals(signals, version, policies, signalQueries);
        }
        Field<String> settle = placeholdersKnown(n.string("settle-query"));
        Field<String> health = placeholdersKnown(n.string("health-query"));
        Field<String> replicaFloor = placeholdersKnown(n.string("replica-floor-query"));
        if (errors.mark() != mark || alerts == null || forecast == null || scheduled == null) {
            return null;
        }
        PolicySettings policy = new PolicySettings(min.value(), max.value(), scaleOut, scaleIn, policies, alerts,
                fallback, forecast, scheduled);
        return new Built(policy, signalQueries, settle.value().trim(), health.value().trim(),
                replicaFloor.value().trim());
    }

    private ScaleOutSettings scaleOut(Node n) {
        if (n == null) {
            return null;
        }
        Field<Duration> sustain = n.positiveDuration("sustain");
        Field<Duration> cooldown = n.positiveDuration("cooldown");
        Field<Integer> maxStep = n.integer("max-step");
        Field<Double> panic = n.number("panic-above");
        Field<Double> share = n.number("max-step-share");
        Field<Duration> sizeAhead = n.duration("size-ahead");
        if (sustain == null || cooldown == null || maxStep == null || panic == null || share == null
                || sizeAhead == null) {
            return null;
        }
        return n.build(() -> new ScaleOutSettings(sustain.value(), cooldown.value(), maxStep.value(), panic.value(),
                share.value(), sizeAhead.value()), maxStep, panic, share, sizeAhead);
    }

    private ScaleInSettings scaleIn(Node n) {
        if (n == null) {
            return null;
        }
        Field<Duration> sustain = n.positiveDuration("sustain");
        Field<Duration> cooldown = n.positiveDuration("cooldown");
        Field<Duration> delay = n.positiveDuration("delay-after-scale-out");
        Field<Duration> verify = n.positiveDuration("verify-window");
        Field<Duration> backoff = n.positiveDuration("backoff");
        Field<Duration> settle = n.positiveDuration("settle-timeout");
        Field<Duration> peakWindow = n.duration("peak-window");
        Field<Integer> recurrence = n.integer("peak-recurrence");
        Field<Duration> afterReversal = n.duration("peak-after-reversal");
        Field<Duration> readAfter = n.duration("settle-read-after");
        Field<Duration> newPodGrace = n.duration("new-pod-grace");
        if (sustain == null || cooldown == null || delay == null || verify == null || backoff == null || settle == null
                || peakWindow == null || recurrence == null || afterReversal == null || readAfter == null
                || newPodGrace == null) {
            return null;
        }
        return n.build(() -> new ScaleInSettings(sustain.value(), cooldown.value(), delay.value(), verify.value(),
                backoff.value(), settle.value(), peakWindow.value(), recurrence.value(), afterReversal.value(),
                readAfter.value(), newPodGrace.value()), peakWindow, recurrence, afterReversal, readAfter, newPodGrace);
    }

    private ForecastSettings forecast(Node n) {
        if (n == null) {
            return null;
        }
        Field<Boolean> enabled = n.bool("enabled");
        Field<Duration> lead = n.duration("lead");
        Field<Duration> horizon = n.duration("horizon");
        Field<Double> fill = n.number("fill");
        Field<Double> line = n.number("line");
        Field<Integer> maxStep = n.integer("max-step");
        Field<Duration> minHistory = n.duration("min-history");
        Field<Duration> history = n.duration("history");
        Field<Duration> historyStep = n.duration("history-step");
        Field<Duration> refresh = n.duration("refresh");
        Field<Double> maxError = n.number("max-error");
        Field<String> zoneField = n.string("time-zone");
        Field<String> workdaysField = n.string("workdays");
        ZoneId zone = zoneField == null ? null : zone(zoneField);
        Set<DayOfWeek> workdays = workdaysField == null ? null : days(workdaysField);
        if (enabled == null || lead == null || horizon == null || fill == null || line == null || maxStep == null
                || minHistory == null || maxError == null || history == null || historyStep == null || refresh == null
                || zone == null || workdays == null) {
            return null;
        }
        return n.build(() -> new ForecastSettings(enabled.value(), lead.value(), horizon.value(), fill.value(),
                line.value(), maxStep.value(), minHistory.value(), maxError.value(), history.value(),
                historyStep.value(), refresh.value(), zone, workdays), lead, horizon, fill, line, maxStep, minHistory,
                history, historyStep, refresh, maxError, workdaysField);
    }

    /** A time zone such as UTC or Europe/Berlin; null after an error. */
    private ZoneId zone(Field<String> field) {
        try {
            return ZoneId.of(field.value().trim());
        } catch (DateTimeException e) {
            errors.add(field, "must be a time zone such as UTC or Europe/Berlin");
            return null;
        }
    }

    /** The {@code scheduled} windows; each {@code { days, from, to, min-replicas, time-zone }}. Null on error. */
    private List<ScheduledFloor> scheduled(Node n, Field<Integer> max) {
        List<Field<ConfigValue>> elements = n.list("scheduled");
        if (elements == null) {
            return null;
        }
        int mark = errors.mark();
        List<ScheduledFloor> out = new ArrayList<>();
        for (Field<ConfigValue> element : elements) {
            if (element.raw().valueType() != ConfigValueType.OBJECT) {
                errors.add(element, Node.MUST_BE_OBJECT);
                continue;
            }
            Node w = Node.of((ConfigObject) element.raw(), element.path(), errors);
            for (String key : w.keys()) {
                if (!SCHEDULED_KEYS.contains(key)) {
                    errors.add(w.find(key), "unknown key in a scheduled window; known: " + String.join(", ", SCHEDULED_KEYS));
                }
            }
            Field<String> days = w.string("days");
            Field<String> from = w.string("from");
            Field<String> to = w.string("to");
            Field<String> zone = w.string("time-zone");
            Field<Integer> floor = w.integer("min-replicas");
            if (floor != null && max != null && floor.value() > max.value()) {
                // The policy caps a floor at max-replicas: 50 with max 10 would run 10, not what was written.
                errors.add(floor, "must be <= " + named(max, floor));
                continue;
            }
            Set<DayOfWeek> dayset = days == null ? null : days(days);
            LocalTime f = from == null ? null : time(from, "");
            LocalTime u = to == null ? null : time(to, " (a window to midnight ends at 00:00)");
            ZoneId z = zone == null ? null : zone(zone);
            if (dayset != null && f != null && u != null && z != null && floor != null) {
                ZoneId inZone = z;
                ScheduledFloor window = w.build(() -> new ScheduledFloor(inZone, dayset, f, u, floor.value()),
                        days, to, floor);
                if (window != null) {
                    out.add(window);
                }
            }
        }
        return errors.mark() != mark ? null : out;
    }

    private static final List<String> SCHEDULED_KEYS = List.of("days", "from", "to", "time-zone", "min-replicas");
    private static final List<DayOfWeek> WEEK = List.of(DayOfWeek.values());

    /** "Mon-Fri", "Sat,Sun", "daily": the days a window starts on; null after an error. */
    private Set<DayOfWeek> days(Field<String> field) {
        String v = field.value().trim().toLowerCase(Locale.ROOT);
        Set<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
        if (v.equals("daily")) {
            return ScheduledFloor.everyDay();
        }
        // -1 keeps empty parts, so "Mon-" and "Mon," are refused rather than read as Monday (forecast audit F6).
        for (String part : v.split(",", -1)) {
            String[] range = part.trim().split("-", -1);
            int a = range.length >= 1 ? day(range[0]) : -1;
            int b = range.length == 2 ? day(range[1]) : range.length == 1 ? a : -1;
            if (a < 0 || b < 0) {
                errors.add(field, "must be days such as Mon-Fri, Sat,Sun or daily");
                return null;
            }
            for (int d = a; ; d = (d + 1) % 7) {
                out.add(WEEK.get(d));
                if (d == b) {
                    break;
                }
            }
        }
        return out;
    }

    private static int day(String s) {
        String t = s.trim();
        for (int i = 0; i < 7; i++) {
            if (t.length() >= 3 && WEEK.get(i).name().toLowerCase(Locale.ROOT).startsWith(t)) {
                return i;
            }
        }
        return -1;
    }

    /** "08:00" (24-hour local time); null after an error, which ends with {@code hint}. */
    private LocalTime time(Field<String> field, String hint) {
        try {
            return LocalTime.parse(field.value().trim());
        } catch (DateTimeParseException e) {
            errors.add(field, "must be a local time HH:MM such as 08:00" + hint);
            return null;
        }
    }

    private FallbackSettings fallback(Node n, Field<Integer> max) {
        if (n == null) {
            return null;
        }
        Field<Duration> after = n.positiveDuration("after");
        Field<String> modeField = n.string("mode");
        FallbackSettings.Mode mode = null;
        if (modeField != null) {
            switch (modeField.value()) {
                case "hold" -> mode = FallbackSettings.Mode.HOLD;
                case "scale-out" -> mode = FallbackSettings.Mode.SCALE_OUT;
                default -> errors.add(modeField, "must be hold or scale-out");
            }
        }
        Field<Integer> replicas = n.integer("replicas");
        if (mode == FallbackSettings.Mode.SCALE_OUT && replicas != null && max != null
                && replicas.value() > max.value()) {
            errors.add(replicas, "must be <= " + named(max, replicas) + " when mode = scale-out");
            return null;
        }
        if (after == null || mode == null || replicas == null) {
            return null;
        }
        FallbackSettings.Mode chosen = mode;
        return n.build(() -> new FallbackSettings(after.value(), chosen, replicas.value()), replicas);
    }

    /**
     * Reads every signal of one block, adding the enabled ones to {@code policies} and {@code signalQueries}
     * in configuration order: built-in signals in reference.conf's order, then the user's own in the order
     * first written (by line), ties by name. Never HashMap order, so decisions and logs are stable.
     */
    private void signals(Node signals, MilvusVersion version, List<SignalPolicy> policies,
                         List<SignalQuery> signalQueries) {
        int mark = errors.mark();
        List<String> names = new ArrayList<>(signals.keys());
        Map<String, Integer> lines = new HashMap<>();
        for (String name : names) {
            lines.put(name, firstLine(signals, name));
        }
        names.sort(Comparator.comparingInt((String s) -> referenceSignals.containsKey(s) ? 0 : 1)
                .thenComparingInt(lines::get)
                .thenComparing(s -> s));
        int enabledCount = 0;
        for (String name : names) {
            Node s = signals.child(name);
            if (s == null) {
                continue;
            }
            boolean builtIn = referenceSignals.containsKey(name);
            if (!builtIn) {
                s = s.withFallback(newSignalDefaults, PREFIX + ".new-signal-defaults");
            }
            Field<Boolean> enabled = s.bool("enabled");
            Field<Double> out = threshold(s, "scale-out-above", builtIn, name);
            Field<Double> in = threshold(s, "scale-in-below", builtIn, name);
            Field<Double> target = s.numberOrNull("target");
            Field<Boolean> perPod = s.bool("per-pod");
            Field<Boolean> mayBeNegative = s.bool("may-be-negative");
            Field<String> query = s.has("query") ? s.string("query") : null;
            boolean bandOk = band(out, in, target) & fraction(name, out);
            if (enabled == null || !enabled.value()) {
                continue;
            }
            enabledCount++;
            String template = template(s, name, query, version);
            if (bandOk && target != null && perPod != null && mayBeNegative != null && template != null) {
                DeclaredResource declared = declared(name, query);
                SignalQuery signalQuery = s.build(() -> new SignalQuery(name, template, perPod.value(),
                        mayBeNegative.value(), declared, emptyWhy(templateKey(name, version), query),
                        readyCount(template)), query);
                if (signalQuery != null) {
                    double t = target.value() != null ? target.value() : (out.value() + in.value()) / 2;
                    policies.add(new SignalPolicy(name, out.value(), in.value(), t));
                    signalQueries.add(signalQuery);
                }
            }
        }
        if (enabledCount == 0 && errors.mark() == mark) {
            errors.add(signals.path(), signals.object(), "must enable at least one signal");
        }
    }

    /**
     * Where a signal first appears: its line in reference.conf for a built-in one, else the line of the
     * least specific block that defines it (defaults before component-defaults before the cluster).
     */
    private int firstLine(Node signals, String signal) {
        if (referenceSignals.containsKey(signal)) {
            return referenceSignals.get(signal).origin().lineNumber();
        }
        List<Node.Layer> layers = signals.layersOf(signal);
        return layers.isEmpty() ? Integer.MAX_VALUE : Origins.line(layers.get(layers.size() - 1).object().origin());
    }

    private Field<Double> threshold(Node s, String key, boolean builtIn, String name) {
        if (!builtIn && !s.has(key)) {
            errors.missing(s.path() + "." + key, s.origin(), "must be set: " + name
                    + " is not a built-in signal, so it needs scale-out-above, scale-in-below and query");
            return null;
        }
        return s.number(key);
    }

    /** The signals whose band is a fraction: of the CPU request (cpu), of the memory limit (memory). */
    private static final Map<String, String> FRACTIONS = Map.of("cpu", "the CPU request", "memory", "the memory limit");

    /**
     * A cpu or memory band is a fraction, so scale-out-above must be at most 1: a band written in percent, as HPA's
     * averageUtilization is ({@code scale-out-above = 75}), would never read HIGH (cpu 0.9 of the request is 0.9,
     * not 90), and simulate, which models utilization up to 1, refused it; true when valid.
     */
    private boolean fraction(String name, Field<Double> out) {
        String of = FRACTIONS.get(name);
        if (of == null || out == null || !(out.value() > 1)) {
            return true;
        }
        errors.add(out, "must be <= 1: " + name + " is a fraction of " + of + " (0.75 is 75%)");
        return false;
    }

    /** The hysteresis band: 0 <= scale-in-below < scale-out-above, and a target inside it; true when valid. */
    private boolean band(Field<Double> out, Field<Double> in, Field<Double> target) {
        if (out == null || in == null) {
            return false;
        }
        boolean ok = true;
        if (!(out.value() > 0)) {
            errors.add(out, "must be > 0");
            ok = false;
        }
        if (in.value() < 0) {
            errors.add(in, "must be >= 0");
            ok = false;
        }
        if (ok && in.value() >= out.value()) {
            // An empty band would scale out and in on the same value; blame the side set more specifically.
            if (in.specificity() <= out.specificity()) {
                errors.add(in, "must be < scale-out-above (" + text(out) + "): the hysteresis band is empty");
            } else {
                errors.add(out, "must be > scale-in-below (" + text(in) + "): the hysteresis band is empty");
            }
            return false;
        }
        if (ok && target != null && target.value() != null
                && !(target.value() > in.value() && target.value() <= out.value())) {
            errors.add(target, "must be inside the band: > scale-in-below (" + text(in) + ") and <= scale-out-above ("
                    + text(out) + ")");
            return false;
        }
        return ok && target != null;
    }

    /**
     * The resource cpu or memory is a fraction of, with {@code queries.<name>-undeclared} to ask about it, while
     * the signal reads its default template; null for any other signal, a signal with its own query (it may divide
     * by anything), or an empty {@code -undeclared} template (the check switched off).
     */
    private DeclaredResource declared(String name, Field<String> own) {
        Optional<ContainerResource> resource = ContainerResource.of(name);
        String template = resource.isEmpty() ? null : companion(name + "-undeclared", own);
        return template == null ? null : new DeclaredResource(template, resource.get(),
                companion(resource.get().perPodQuery(), own));
    }

    /**
     * {@code queries.<template>-empty-why} ({@link #templateKey}), asked when the signal reads empty to name the pods
     * that make it so, while the signal reads its default template (its own query has other reasons to be empty); null
     * when there is none or it is "" (switched off).
     */
    private String emptyWhy(String templateKey, Field<String> own) {
        return companion(templateKey + "-empty-why", own);
    }

    /**
     * {@code queries.<key>}, a query that goes with a signal's default template, or null when the signal has its own
     * query {@code own}, there is no such key, or it is "" (switched off).
     */
    private String companion(String key, Field<String> own) {
        if ((own != null && !own.value().isBlank()) || queries == null) {
            return null;
        }
        String template = queries.get(key);
        return template == null || template.isBlank() ? null : template;
    }

    /**
     * The signal's own query, else {@code queries.<name>}; index-backlog before Milvus 2.5.5 uses
     * {@code queries.index-backlog-legacy}: {@code milvus_datacoord_task_count{task_type="JobTypeIndexJob"}}
     * exists from 2.5.5, earlier releases report index work only in {@code milvus_datacoord_index_task_count}.
     */
    private String template(Node s, String name, Field<String> own, MilvusVersion version) {
        if (own != null && !own.value().isBlank()) {
            return own.value(); // its placeholders are checked by SignalQuery
        }
        if (s.has("query") && own == null) {
            return null; // wrong type, already reported
        }
        if (queries == null) {
            return null; // the queries block has errors, already reported
        }
        String key = templateKey(name, version);
        String template = queries.get(key);
        if (template == null) {
            errors.missing(s.path() + ".query", s.origin(), "must be set: " + name
                    + " is not a built-in signal, so there is no template for it in milvus-autoscaler.queries");
            return null;
        }
        if (template.isBlank()) {
            errors.add(queriesNode.find(key), "must not be empty while signal " + name
                    + " is enabled without its own query");
            return null;
        }
        return template;
    }

    /**
     * The ready count {@code template} divides by, where it includes {@code queries.component-ready} (qps does, by
     * substitution): read beside the signal, it tells a value divided by a count kube-state-metrics has not caught up
     * on. "" for a template that does not include it, or when the template for it is empty.
     */
    private String readyCount(String template) {
        String ready = queries == null ? null : queries.get("component-ready");
        return ready != null && !ready.isBlank() && template.contains(ready) ? ready : "";
    }

    /** The key of signal {@code name}'s default template in {@code milvus-autoscaler.queries} for {@code version}. */
    private static String templateKey(String name, MilvusVersion version) {
        return name.equals("index-backlog") && version != null && !version.isAtLeast(2, 5, 5)
                ? "index-backlog-legacy" : name;
    }
}
