package io.github.milvusautoscaler.metrics;

import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.core.PrometheusEndpoint;
import io.github.milvusautoscaler.core.LabelScheme;
import io.github.milvusautoscaler.core.SignalQuery;
import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.DeclaredResource;
import io.github.milvusautoscaler.core.DeploymentNames;
import io.github.milvusautoscaler.core.Forecast;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.MetricsSource;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaFloor;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every target's signals, settle state and health from a Prometheus-compatible HTTP API, and
 * turns every failure into an UNKNOWN signal with a short reason, never into a number.
 *
 * <p>Cost grows with clusters, not pods or components: a template that selects components with
 * {@code =~"{component}"} and keeps the component label in its result is rendered once for all the
 * cluster's components that use it ({@code =~"datanode|proxy|querynode"}), and the answer is split by
 * that label. Targets asking for the same PromQL within {@code share-window} of the first share its
 * answer (one in-flight request, the others wait for it). A cluster of 4 components with cpu,
 * memory and qps thus costs 3 queries per tick plus its settle query, not 10.
 *
 * <p>Semantics: a per-pod signal is the mean over the series that report (one per pod) and records
 * how many did, also from a partial answer (the pods that did not answer count as not reporting); a
 * cluster signal must be exactly one series from a whole answer. A negative value is UNKNOWN unless the
 * signal declares {@code may-be-negative}; so is a per-pod mean that overflows. Empty, NaN, +-Inf, too many series,
 * samples older than {@code stale-after}, HTTP errors, timeouts and bad JSON are UNKNOWN with the
 * reason, except a cpu or memory whose component's pods declare no CPU request or memory limit at all: that
 * signal does not apply ({@link Signal#notApplicable}, see {@link DeclaredResource}). Settle: &gt; 0 BUSY, 0 QUIET, else UNKNOWN (no settle query: QUIET). Health: &gt; 0 FAILING,
 * 0 OK, else UNKNOWN (no health query: NONE). Alerts are left empty for the engine to merge.
 */
public final class PrometheusMetricsSource implements MetricsSource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusMetricsSource.class);

    private final PrometheusEndpoint endpoint;
    private final Map<InstallKind, LabelScheme> schemes;
    private final Map<Target, TargetQueries> targets;
    private final Map<Group, SortedSet<String>> componentsByGroup;
    private final Map<Group, SortedSet<String>> deploymentsByGroup;
    private final Map<Target, List<String>> deployments;
    private final Set<Group> unsplittable = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Shared> inFlight = new ConcurrentHashMap<>();
    // target id/signal -> why it does not apply, for logging each change once
    private final ConcurrentHashMap<String, String> notApplicable = new ConcurrentHashMap<>();
    /** True where a report says each signal left out and why ({@link #leftOutSaidByTheReport}): the WARN is debug. */
    private volatile boolean leftOutInReport;
    // Templates, targets and groups are fixed at construction, so each text is rendered once: a default
    // template is ~1.5 KB of regex replacement, which would dominate a replay of 160,000 observations.
    private final ConcurrentHashMap<Group, String> renderedForGroup = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Alone, String> renderedAlone = new ConcurrentHashMap<>();
    /** Each namespace's {@link StaleInputs} probe over every metric its targets' templates read. */
    private final Map<String, String> inputProbes;
    /** Each namespace's metrics that {@link #inputProbes} asks about, for the narrower probe after an outage. */
    private final Map<String, Set<String>> probedMetrics;
    /**
     * Each namespace's {@link StaleInputs#absentProbe} over every metric its targets' queries read, asked when a
     * signal, settle or health query reads empty (and a signal's own empty-why query names nothing).
     */
    private final Map<String, String> absentProbes;
    /** The metrics each rendered query reads, derived once per text. */
    private final ConcurrentHashMap<String, Set<String>> inputsOf = new ConcurrentHashMap<>();
    private final QueryClient client;
    private final QueryFunction queries;
    private final RangeCache replay;
    private final MeterRegistry meters;

    /**
     * Builds the source; fails when a target's install kind has no label scheme or a target is
     * listed twice.
     *
     * @param endpoint the Prometheus API and its resilience and auth settings
     * @param schemes  label names per install kind (both OPERATOR and HELM normally)
     * @param targets  every target to observe, with its resolved signal and settle/health templates
     * @param meters   where query, retry and breaker meters are registered
     */
    public PrometheusMetricsSource(PrometheusEndpoint endpoint, Map<InstallKind, LabelScheme> schemes,
                                   List<TargetQueries> targets, MeterRegistry meters) {
        this(endpoint, schemes, targets, meters, Clock.systemUTC());
    }

    /**
     * A source whose circuit breaker times its {@code open-for} on {@code clock}: the daemon passes its
     * engine's clock, tests a manual one.
     */
    public PrometheusMetricsSource(PrometheusEndpoint endpoint, Map<InstallKind, LabelScheme> schemes,
                                   List<TargetQueries> targets, MeterRegistry meters, Clock clock) {
        this(endpoint, schemes, targets, meters, null, clock);
    }

    /**
     * A source that answers every observation from the history of [{@code from}, {@code to}] at {@code step}
     * (observe it only at {@code from + k x step}), read once per query text through
     * {@code /api/v1/query_range} in chunks of at most {@code maxPoints} steps: the daemon's own templates,
     * sharing and UNKNOWN rules, replayed over the past.
     *
     * @param progress told each query text as its history is fetched
     */
    public static PrometheusMetricsSource replaying(PrometheusEndpoint endpoint, Map<InstallKind, LabelScheme> schemes,
                                                    List<TargetQueries> targets, MeterRegistry meters, Instant from,
                                                    Instant to, Duration step, int maxPoints,
                                                    java.util.function.Consumer<String> progress) {
        return new PrometheusMetricsSource(endpoint, schemes, targets, meters,
                new ReplayRange(from, to, step, maxPoints, progress), Clock.systemUTC());
    }

    /** Most steps one range query asks for: under Prometheus' 11,000 points per series. */
    public static final int MAX_POINTS_PER_RANGE_QUERY = RangeCache.PROMETHEUS_MAX_POINTS - 1;

    private record ReplayRange(Instant from, Instant to, Duration step, int maxPoints,
                               java.util.function.Consumer<String> progress) {
    }

    private PrometheusMetricsSource(PrometheusEndpoint endpoint, Map<InstallKind, LabelScheme> schemes,
                                    List<TargetQueries> targets, MeterRegistry meters, ReplayRange range,
                                    Clock clock) {
        this.endpoint = requireNonNull(endpoint, "endpoint");
        this.schemes = Collections.unmodifiableMap(new EnumMap<>(requireNonNull(schemes, "schemes")));
        this.meters = requireNonNull(meters, "meters");
        Map<Target, TargetQueries> byTarget = new LinkedHashMap<>();
        Map<Group, SortedSet<String>> groups = new LinkedHashMap<>();
        Map<Group, SortedSet<String>> groupDeployments = new LinkedHashMap<>();
        this.deployments = deploymentsOf(requireNonNull(targets, "targets"));
        for (TargetQueries q : targets) {
            Target target = q.target();
            if (!this.schemes.containsKey(target.install())) {
                throw new IllegalArgumentException(target + ": no label scheme for install kind " + target.install());
            }
            if (byTarget.put(target, q) != null) {
                throw new IllegalArgumentException(target + " is listed twice");
            }
            for (String template : templates(q, true)) {
                Group group = new Group(target.clusterId(), target.install(), template);
                groups.computeIfAbsent(group, g -> new TreeSet<>()).add(target.component().labelValue());
                groupDeployments.computeIfAbsent(group, g -> new TreeSet<>()).addAll(deployments.get(target));
            }
        }
        this.targets = Collections.unmodifiableMap(byTarget);
        // Per namespace, the metrics its templates read as instant selectors (the stale probe's) and at all (the
        // absent probe's).
        Map<String, Set<String>> instantByNamespace = new java.util.TreeMap<>();
        Map<String, Set<String>> namedByNamespace = new java.util.TreeMap<>();
        for (TargetQueries q : byTarget.values()) {
            Set<String> instant = instantByNamespace.computeIfAbsent(q.target().namespace(), ns -> new TreeSet<>());
            Set<String> named = namedByNamespace.computeIfAbsent(q.target().namespace(), ns -> new TreeSet<>());
            for (String template : templates(q, false)) {
                instant.addAll(StaleInputs.metrics(template));
                named.addAll(StaleInputs.named(template));
            }
        }
        Map<String, String> probes = new java.util.HashMap<>();
        instantByNamespace.forEach((ns, metrics) -> StaleInputs.probe(ns, metrics, endpoint.staleAfter())
                .ifPresent(p -> probes.put(ns, p)));
        this.inputProbes = Collections.unmodifiableMap(probes);
        this.probedMetrics = Collections.unmodifiableMap(instantByNamespace);
        Map<String, String> absent = new java.util.HashMap<>();
        namedByNamespace.forEach((ns, metrics) -> {
            // Every Milvus process exports milvus_num_node from its start, so with it present a Milvus metric with no
            // series is one Milvus has not created yet, not a Milvus that is not scraped.
            Set<String> probed = new TreeSet<>(metrics);
            if (metrics.stream().anyMatch(StaleInputs::isMilvus)) {
                probed.add(StaleInputs.MILVUS_ALWAYS);
            }
            StaleInputs.absentProbe(ns, probed).ifPresent(p -> absent.put(ns, p));
        });
        this.absentProbes = Collections.unmodifiableMap(absent);
        // Each (signal, kind) counter exists at 0 from the start, like the query-error counters:
        // rate() then reads 0 rather than nothing until a first failure, which shows as a rise.
        for (TargetQueries q : byTarget.values()) {
            for (SignalQuery def : q.signals()) {
                for (FailureKind kind : FailureKind.values()) {
                    unknownCounter(def.name(), kind);
                }
            }
        }
        this.componentsByGroup = Collections.unmodifiableMap(groups);
        this.deploymentsByGroup = Collections.unmodifiableMap(groupDeployments);
        this.client = new QueryClient(endpoint, meters, clock);
        if (range == null) {
            this.replay = null;
            this.queries = client::query;
        } else {
            this.replay = new RangeCache(client, range.from(), range.to(), range.step(), range.maxPoints(),
                    range.progress());
            this.queries = replay;
        }
    }

    @Override
    public Observation observe(Target target, Instant at) {
        requireNonNull(target, "target");
        requireNonNull(at, "at");
        TargetQueries queries = targets.get(target);
        if (queries == null) {
            throw new IllegalArgumentException("no queries are configured for target " + target);
        }
        Map<String, Signal> signals = new LinkedHashMap<>();
        for (SignalQuery def : queries.signals()) {
            signals.put(def.name(), signal(target, def, at));
        }
        Level settle = queries.settleQuery().isBlank() ? null : level(target, "settle", queries.settleQuery(), at);
        Health health = queries.healthQuery().isBlank() ? Health.NONE
                : level(target, "health", queries.healthQuery(), at).health();
        ReplicaFloor floor = queries.replicaFloorQuery().isBlank() ? ReplicaFloor.NONE
                : level(target, "replica-floor", queries.replicaFloorQuery(), at).replicaFloor();
        return new Observation(target, at, signals, settle == null ? Settle.QUIET : settle.settle(), health, List.of(),
                Forecast.NONE, settle == null ? "" : settle.settleNote(), floor);
    }

    @Override
    public java.util.OptionalDouble servingAmount(Target target, io.github.milvusautoscaler.core.ContainerResource resource,
                                                 Instant at) {
        requireNonNull(resource, "resource");
        TargetQueries queries = targets.get(requireNonNull(target, "target"));
        if (queries == null) {
            return java.util.OptionalDouble.empty();
        }
        for (SignalQuery def : queries.signals()) {
            DeclaredResource declared = def.declared();
            if (declared == null || declared.perPod() == null || declared.resource() != resource) {
                continue;
            }
            Read read = read(target, declared.perPod(), requireNonNull(at, "at"));
            if (read.failure != null) {
                return java.util.OptionalDouble.empty();
            }
            Fresh fresh = fresh(read, at);
            double amount = fresh.series.size() == 1 ? fresh.series.get(0).value() : Double.NaN;
            return amount > 0 && Double.isFinite(amount) ? java.util.OptionalDouble.of(amount)
                    : java.util.OptionalDouble.empty();
        }
        return java.util.OptionalDouble.empty();
    }

    /**
     * Why the endpoint cannot be used, or empty when it evaluates {@code vector(1)} at {@code at}; for
     * the {@code signals} command and readiness checks.
     */
    public Optional<ProbeFailure> probe(Instant at) {
        return client.probe(requireNonNull(at, "at"));
    }

    /** True when the endpoint answers its build info without a version, as VictoriaMetrics does. */
    public boolean buildInfoWithoutVersion() {
        return client.buildInfoWithoutVersion();
    }

    /** Since when, and first why, queries to the endpoint fail because it is unavailable; empty while they succeed. */
    public Optional<QueriesFailing> failing() {
        return client.failing();
    }

    /** The circuit breaker's name and state when it is open or half-open; empty while closed. */
    public Optional<String> breakerNotClosed() {
        return client.breakerNotClosed();
    }

    /** The endpoint's scheme, host and port, for the status: no path, no credentials. */
    public String server() {
        return client.server();
    }

    /** The rule groups the server evaluates (its rules API), or why they cannot be read; for {@code doctor}. */
    public RuleGroups ruleGroups() {
        return client.ruleGroups();
    }

    /**
     * Each query of {@code target} rendered for it alone, as an SRE would paste it into Prometheus:
     * signal name to PromQL, then {@code settle-query}, {@code health-query} and {@code replica-floor-query} when
     * configured.
     * (Observation may send the cluster-wide form of the same template.)
     */
    public Map<String, String> renderedQueries(Target target) {
        TargetQueries queries = targets.get(requireNonNull(target, "target"));
        if (queries == null) {
            throw new IllegalArgumentException("no queries are configured for target " + target);
        }
        Map<String, String> rendered = new LinkedHashMap<>();
        for (SignalQuery def : queries.signals()) {
            rendered.put(def.name(), renderAlone(def.template(), target));
        }
        if (!queries.settleQuery().isBlank()) {
            rendered.put("settle-query", renderAlone(queries.settleQuery(), target));
        }
        if (!queries.healthQuery().isBlank()) {
            rendered.put("health-query", renderAlone(queries.healthQuery(), target));
        }
        if (!queries.replicaFloorQuery().isBlank()) {
            rendered.put("replica-floor-query", renderAlone(queries.replicaFloorQuery(), target));
        }
        return rendered;
    }

    /** The Deployments whose pods are {@code target}'s, as the templates' {@code {deployments}} selects them. */
    public List<String> deployments(Target target) {
        List<String> names = deployments.get(requireNonNull(target, "target"));
        if (names == null) {
            throw new IllegalArgumentException("no queries are configured for target " + target);
        }
        return names;
    }

    /** {@code template} rendered for {@code target} alone, e.g. a diagnostic query of the {@code doctor} command. */
    public String render(Target target, String template) {
        if (!deployments.containsKey(requireNonNull(target, "target"))) {
            throw new IllegalArgumentException("no queries are configured for target " + target);
        }
        return renderAlone(requireNonNull(template, "template"), target);
    }

    /**
     * How many series {@code promql} returns at {@code at} and the sum of their values, or why it could not
     * be read; for the {@code doctor} command, which asks Prometheus what exists.
     */
    public Count count(String promql, Instant at) {
        QueryResult result = queries.query(requireNonNull(promql, "promql"), requireNonNull(at, "at"));
        if (result instanceof QueryResult.Failed failed) {
            return new Count(0, 0, Optional.of(failed.reason()));
        }
        List<QueryResult.Series> series = ((QueryResult.Samples) result).series();
        double sum = 0;
        for (QueryResult.Series s : series) {
            sum += s.value();
        }
        return new Count(series.size(), sum, Optional.empty());
    }

    /**
     * The values of {@code label} on the series {@code promql} returns at {@code at}, sorted and distinct; empty when
     * it returns none or cannot be read. For {@code doctor}, to name the pods a finding is about.
     */
    public List<String> labelValues(String promql, String label, Instant at) {
        requireNonNull(label, "label");
        QueryResult result = queries.query(requireNonNull(promql, "promql"), requireNonNull(at, "at"));
        if (!(result instanceof QueryResult.Samples samples)) {
            return List.of();
        }
        return samples.series().stream().map(s -> s.labels().get(label)).filter(java.util.Objects::nonNull).distinct()
                .sorted().toList();
    }

    /**
     * What a diagnostic query returned.
     *
     * @param series  how many series
     * @param sum     the sum of their values
     * @param failure why the query failed; empty when it was answered
     */
    public record Count(int series, double sum, Optional<String> failure) {
        public Count {
            requireNonNull(failure, "failure");
        }
    }

    /**
     * What the rules API answered ({@link #ruleGroups()}).
     *
     * @param groups  rule group name to its rule count; empty when the answer failed
     * @param failure why the rules could not be read; empty when they were
     */
    public record RuleGroups(Map<String, Integer> groups, Optional<String> failure) {
        public RuleGroups {
            groups = Map.copyOf(requireNonNull(groups, "groups"));
            requireNonNull(failure, "failure");
        }

        static RuleGroups failed(String reason) {
            return new RuleGroups(Map.of(), Optional.of(reason));
        }
    }

    private String renderAlone(String template, Target target) {
        return renderedAlone.computeIfAbsent(new Alone(template, target), k -> PromqlTemplate.render(template,
                target, List.of(target.component().labelValue()), deployments.get(target), schemes.get(target.install())));
    }

    /**
     * Each target's Deployment names (see {@link DeploymentNames}). An operator install's candidates
     * {@code x-milvus-querynode}, {@code -0} and {@code -1} leave out any name that a configured Helm release
     * in the same namespace owns: a Helm release {@code x} and a {@code Milvus} {@code x} may share a
     * namespace, the chart's {@code x-milvus-querynode} beside the operator's {@code x-milvus-querynode-0}.
     */
    private static Map<Target, List<String>> deploymentsOf(List<TargetQueries> targets) {
        Map<String, Set<String>> helmNames = new java.util.HashMap<>();
        for (TargetQueries q : targets) {
            if (q.target().install() == InstallKind.HELM) {
                helmNames.computeIfAbsent(q.target().namespace(), ns -> new HashSet<>())
                        .addAll(DeploymentNames.of(q.target()));
            }
        }
        Map<Target, List<String>> out = new java.util.HashMap<>();
        for (TargetQueries q : targets) {
            Target t = q.target();
            Set<String> taken = t.install() == InstallKind.OPERATOR
                    ? helmNames.getOrDefault(t.namespace(), Set.of()) : Set.of();
            out.put(t, DeploymentNames.of(t).stream().filter(d -> !taken.contains(d)).toList());
        }
        return out;
    }

    /** For a replaying source: every query whose history could not be read, with reason and range. */
    public List<String> replayFailures() {
        return replay == null ? List.of() : replay.failures();
    }

    /** For a replaying source: range queries sent so far (one per chunk per distinct query text). */
    public long rangeQueries() {
        return replay == null ? 0 : replay.rangeQueries();
    }

    /** HTTP requests sent so far, retries included; for measurements. */
    long requestsSent() {
        return client.requestsSent();
    }

    @Override
    public void close() {
        client.close();
    }

    // ---- reading one template for one target ----

    private Signal signal(Target target, SignalQuery def, Instant at) {
        Read read = read(target, def.template(), at);
        if (read.failure != null) {
            return unknown(target, def.name(), read.failure.kind(), read.failure.reason());
        }
        if (read.series.isEmpty()) {
            Optional<Signal> undeclared = undeclared(target, def, at);
            if (undeclared.isPresent()) {
                return undeclared.get();
            }
            return unknown(target, def.name(), FailureKind.EMPTY, "empty result" + emptyWhy(target, def, at));
        }
        applies(target, def.name(), null);
        Fresh fresh = fresh(read, at);
        if (fresh.series.isEmpty()) {
            return unknown(target, def.name(), FailureKind.STALE, staleReason(fresh));
        }
        for (QueryResult.Series s : fresh.series) {
            if (!Double.isFinite(s.value())) {
                String pod = s.labels().get("pod");
                return unknown(target, def.name(), FailureKind.NOT_FINITE,
                        "value " + format(s.value()) + (def.perPod() && pod != null ? " for pod " + pod : "")
                                + notFiniteWhy(def, s.value()));
            }
        }
        if (!def.mayBeNegative()) {
            for (QueryResult.Series s : fresh.series) {
                if (s.value() < 0) {
                    String pod = s.labels().get("pod");
                    return unknown(target, def.name(), FailureKind.IMPOSSIBLE, "value " + format(s.value())
                            + (def.perPod() && pod != null ? " for pod " + pod : "") + " is negative, which "
                            + def.name() + " cannot be (set may-be-negative = true for a signal that can)");
                }
            }
        }
        if (def.perPod()) {
            if (read.scalar) {
                return unknown(target, def.name(), FailureKind.AMBIGUOUS,
                        "scalar result for a per-pod signal (return one series per pod, or set per-pod = false)");
            }
            Set<String> pods = new HashSet<>();
            double sum = 0;
            Signal.PodValue hottest = null;
            for (QueryResult.Series s : fresh.series) {
                String pod = s.labels().get("pod");
                if (pod != null && !pods.add(pod)) {
                    return unknown(target, def.name(), FailureKind.AMBIGUOUS, "several series for pod " + pod
                            + " (a per-pod query must return one series per pod)");
                }
                if (pod != null && (hottest == null || s.value() > hottest.value())) {
                    hottest = new Signal.PodValue(pod, s.value());
                }
                sum += s.value();
            }
            int reporting = fresh.series.size();
            double mean = sum / reporting;
            if (!Double.isFinite(mean)) {
                // Each value is finite, but their sum overflowed (1e308 + 1e308): no trustworthy mean.
                return unknown(target, def.name(), FailureKind.IMPOSSIBLE, "the " + reporting
                        + " per-pod values overflow when averaged (largest " + format(largest(fresh.series)) + ")");
            }
            // Named only when every series names its pod: a hottest of some would not be the hottest.
            return hottest != null && pods.size() == reporting
                    ? Signal.knownPerPod(def.name(), mean, reporting, fresh.newestAge, hottest)
                    : Signal.known(def.name(), mean, reporting, fresh.newestAge);
        }
        if (read.partial != null) {
            // A cluster value summed over what answered under-reads: qps without one store's proxies.
            return unknown(target, def.name(), FailureKind.PARTIAL, "partial response (" + read.partial
                    + "): a cluster value cannot be trusted");
        }
        if (fresh.series.size() > 1) {
            return unknown(target, def.name(), FailureKind.AMBIGUOUS, fresh.series.size()
                    + " series where one value was expected (aggregate with sum/max, or set per-pod = true)");
        }
        Signal known = Signal.known(def.name(), fresh.series.get(0).value(), 0, fresh.newestAge);
        return def.readyCount().isEmpty() ? known : readyDividedBy(target, def, at).map(known::withReadyDividedBy)
                .orElse(known);
    }

    /**
     * The ready count a value per ready replica was divided by ({@link SignalQuery#readyCount}, kube-state-metrics'),
     * read at the same time and, where it is shared, in the same query for every component; empty when it cannot be
     * read as one whole count, and the value is then taken as before, unchecked.
     */
    private Optional<Integer> readyDividedBy(Target target, SignalQuery def, Instant at) {
        Read ready = read(target, def.readyCount(), at);
        if (ready.failure != null || ready.partial != null || ready.series.size() != 1) {
            return Optional.empty();
        }
        double n = ready.series.get(0).value();
        return Double.isFinite(n) && n >= 1 && n == Math.rint(n) ? Optional.of((int) n) : Optional.empty();
    }

    /**
     * The signal as not applicable when its {@link DeclaredResource} query finds the component's pods and none
     * of them declares the resource; empty when there is no such query, it fails, or the pods declare it (some
     * of them, during a rollout) or cannot be seen: then the signal is UNKNOWN as any empty one.
     */
    private Optional<Signal> undeclared(Target target, SignalQuery def, Instant at) {
        DeclaredResource declared = def.declared();
        if (declared == null) {
            return Optional.empty();
        }
        Read read = read(target, declared.template(), at);
        if (read.failure != null || read.partial != null) {
            return Optional.empty();
        }
        Fresh fresh = fresh(read, at);
        if (fresh.series.size() != 1 || !(fresh.series.get(0).value() >= 1)) {
            applies(target, def.name(), null);
            return Optional.empty();
        }
        String why = declared.problem(target, Math.round(fresh.series.get(0).value()));
        applies(target, def.name(), why);
        return Optional.of(Signal.notApplicable(def.name(), why));
    }

    /**
     * Why a signal reads empty, from its {@link SignalQuery#emptyWhy} query: ": proxy reported ready with no search
     * rate yet (...): my-release-milvus-proxy-6c9f-x2x7q" for a proxy that restarted within a scrape interval, so an SRE
     * reading "qps UNKNOWN" in a decision sees a proxy event and not a broken query. Up to {@value #WHY_PODS} pods per
     * reason, reasons and pods in the order of their text. An exporter whose every series the signal reads is gone
     * from the namespace ({@link #absentInputs}) is said instead: "no series of container_cpu_usage_seconds_total"
     * says where to look, one line per pod without it does not. "" when there is no such query, it fails, or it
     * names no pod.
     */
    private String emptyWhy(Target target, SignalQuery def, Instant at) {
        // A whole exporter gone from the namespace says more than naming each pod it leaves without a series.
        String absent = absentInputs(target, def.template(), at);
        if (!absent.isEmpty() || def.emptyWhy() == null) {
            return absent;
        }
        Read read = read(target, def.emptyWhy(), at);
        if (read.failure != null || read.series.isEmpty()) {
            return "";
        }
        Map<String, SortedSet<String>> podsByWhy = new TreeMap<>();
        for (QueryResult.Series s : read.series) {
            String pod = s.labels().get("pod");
            podsByWhy.computeIfAbsent(s.labels().getOrDefault("why", "named by " + def.name() + "-empty-why"),
                    w -> new TreeSet<>()).add(pod == null ? "(a series without a pod label)" : pod);
        }
        StringBuilder out = new StringBuilder();
        podsByWhy.forEach((why, pods) -> {
            out.append(out.length() == 0 ? ": " : "; ").append(why).append(": ");
            out.append(String.join(", ", pods.stream().limit(WHY_PODS).toList()));
            if (pods.size() > WHY_PODS) {
                out.append(" and ").append(pods.size() - WHY_PODS).append(" more");
            }
        });
        return out.toString();
    }

    /**
     * Why a signal's, the settle or the health query ({@code template}) reads empty when metrics it reads have no
     * series at all in the target's namespace ({@link StaleInputs#absentProbe}), grouped by who exports them: ": no
     * series of kube_pod_owner, kube_pod_status_ready, kube_replicaset_owner in namespace milvus now
     * (kube-state-metrics down or not scraped; doctor names the missing link)", for each exporter all of whose metrics
     * the query reads are gone. A
     * kube-state-metrics outage ends every such series at once (its failed scrape marks them stale), and
     * "empty result" alone read as a broken query (fault recheck F4). "" when every metric has series, the probe
     * fails, or in a replay, whose gaps are history and whose every query text is one more range read.
     */
    private String absentInputs(Target target, String template, Instant at) {
        String probe = absentProbes.get(target.namespace());
        if (probe == null || replay != null) {
            return "";
        }
        QueryResult answer = shared(probe, at);
        if (!(answer instanceof QueryResult.Samples samples)) {
            return "";
        }
        Set<String> absent = new HashSet<>();
        for (QueryResult.Series s : samples.series()) {
            String metric = s.labels().get(StaleInputs.LABEL);
            if (metric != null) {
                absent.add(metric);
            }
        }
        Map<String, SortedSet<String>> byExporter = new TreeMap<>();
        for (String metric : StaleInputs.named(template)) {
            byExporter.computeIfAbsent(StaleInputs.exporterOf(metric), e -> new TreeSet<>()).add(metric);
        }
        StringBuilder out = new StringBuilder();
        byExporter.forEach((exporter, metrics) -> {
            // Only an exporter all of whose metrics are gone: Milvus creates some counters at their first use
            // (ProxyFunctionCall at a proxy's first search), so one of them alone missing is an idle cluster.
            if (!absent.containsAll(metrics)) {
                return;
            }
            out.append(out.length() == 0 ? ": " : "; ").append("no series of ").append(String.join(", ", metrics))
                    .append(" in namespace ").append(target.namespace()).append(" now");
            if (metrics.stream().allMatch(StaleInputs::isMilvus) && !absent.contains(StaleInputs.MILVUS_ALWAYS)) {
                // Milvus is scraped there: the latency histogram (ProxySQLatency, a HistogramVec in
                // pkg/metrics/proxy_metrics.go) and the querycoord task gauge have no series until their first use,
                // and "Milvus down or not scraped" sent a person to a monitor that worked (recheck 75's remark).
                out.append(", though Milvus is scraped there (").append(StaleInputs.MILVUS_ALWAYS).append("): Milvus")
                        .append(" creates such a series at its first use (a proxy's search latency at its first search,")
                        .append(" querycoord's task count at its first task), so none yet, or a relabeling drops it");
                return;
            }
            out.append(" (").append(exporter.isEmpty() ? "not scraped, or gone" : exporter + " down or not scraped")
                    .append("; doctor names the missing link)");
        });
        return out.toString();
    }

    /**
     * What a value that is not a number most likely is, said beside it: PromQL turns x/0 into +Inf and 0/0 into NaN
     * rather than failing, and the default templates divide by what may be 0 (qps by the component's ready replicas,
     * which reads 0 while none is ready: its first start, a rollout of every pod; cpu by a request of 0).
     */
    private static String notFiniteWhy(SignalQuery def, double value) {
        String by = def.perPod() ? "a request or limit of 0?" : "0 ready replicas of the component?";
        return (Double.isNaN(value) ? " (0/0 in the query: " : " (a division by zero in the query: ") + by + ")";
    }

    /** Pods an empty signal's reason names per reason: enough to find one, short enough for a decision line. */
    private static final int WHY_PODS = 3;

    /**
     * For a command whose report says of each signal that it is left out and why ({@code doctor}'s FIX lines,
     * {@code signals}' N/A): the daemon's WARN for it goes to debug, where it repeated five of doctor's lines on stderr
     * between them (recheck 87's remark).
     */
    public void leftOutSaidByTheReport() {
        leftOutInReport = true;
    }

    /**
     * Logs when a signal of {@code target} stops or starts applying ({@code why} null: it applies, or is not
     * known not to): once per change, not every tick, since a default install would repeat it forever.
     */
    private void applies(Target target, String signal, String why) {
        if (why == null && notApplicable.isEmpty()) {
            return; // the common case, every tick of every signal: nothing to forget
        }
        String key = target.id() + "/" + signal;
        String before = why == null ? notApplicable.remove(key) : notApplicable.put(key, why);
        if (replay != null) {
            // A replay walks the past, whose pods came and went: an hourly history read announced "memory is left
            // out" and "read again" each time, of pods long gone, beside the live source's own line (forecast
            // audit F3). What applied then is in each replayed signal's reason.
            LOG.debug("{}: {} in the replayed history: {}", target.id(), signal, why == null ? "read" : why);
            return;
        }
        if (why != null && before == null && leftOutInReport) {
            LOG.debug("{}: {} is left out of decisions: {}", target.id(), signal, why);
        } else if (why != null && before == null) {
            LOG.warn("{}: {} is left out of decisions: {}", target.id(), signal, why);
        } else if (why == null && before != null) {
            // The undeclared-pods query is empty both when every pod declares it and when no pod is seen at all (a
            // scrape gap): "its pods declare it" alone was wrong in a gap (backtest audit L3).
            LOG.info("{}: {} is read again: no pod seen now lacks what it is a fraction of (they declare it, or"
                    + " none is seen)", target.id(), signal);
        }
    }

    /**
     * What a settle or health query read: its largest value, or why it is not a trustworthy number &gt;= 0.
     *
     * @param value   the largest value; NaN when {@code problem} is set
     * @param problem why the read is UNKNOWN (the failure, "empty result", a stale or bad value); null when known
     */
    private record Level(double value, String problem) {

        Settle settle() {
            return problem != null ? Settle.UNKNOWN : value > 0 ? Settle.BUSY : Settle.QUIET;
        }

        Health health() {
            return problem != null ? Health.UNKNOWN : value > 0 ? Health.FAILING : Health.OK;
        }

        /**
         * The floor, rounded up (a PromQL floor is a whole count already: {@code ceil} in the template), or UNKNOWN
         * with why; a value past any replica count Kubernetes takes is no count, and reads UNKNOWN too.
         */
        ReplicaFloor replicaFloor() {
            if (problem != null) {
                return ReplicaFloor.unknown(problem);
            }
            if (value > Integer.MAX_VALUE) {
                return ReplicaFloor.unknown("value " + format(value));
            }
            return ReplicaFloor.read((int) Math.ceil(value));
        }

        /** {@code "settle query reads 2"}, or {@code "settle query: empty result"}. */
        String settleNote() {
            return problem != null ? "settle query: " + problem : "settle query reads "
                    + new java.math.BigDecimal(value).round(new java.math.MathContext(4)).stripTrailingZeros()
                    .toPlainString();
        }
    }

    /** The largest value of a settle or health query, or why it is not a trustworthy number >= 0. */
    private Level level(Target target, String what, String template, Instant at) {
        Read read = read(target, template, at);
        String problem;
        FailureKind kind;
        if (read.failure != null) {
            problem = read.failure.reason();
            kind = read.failure.kind();
        } else if (read.partial != null) {
            problem = "partial response (" + read.partial + ")";
            kind = FailureKind.PARTIAL;
        } else if (read.series.isEmpty()) {
            problem = "empty result" + absentInputs(target, template, at);
            kind = FailureKind.EMPTY;
        } else {
            Fresh fresh = fresh(read, at);
            if (fresh.series.isEmpty()) {
                problem = staleReason(fresh);
                kind = FailureKind.STALE;
            } else {
                double max = Double.NEGATIVE_INFINITY;
                problem = null;
                kind = null;
                for (QueryResult.Series s : fresh.series) {
                    if (!Double.isFinite(s.value()) || s.value() < 0) {
                        problem = "value " + format(s.value());
                        kind = FailureKind.NOT_FINITE;
                        break;
                    }
                    max = Math.max(max, s.value());
                }
                if (problem == null) {
                    return new Level(max, null);
                }
            }
        }
        countUnknown(what, kind);
        LOG.debug("{} {} unknown: {}", target, what, problem);
        return new Level(Double.NaN, problem);
    }

    /**
     * The series of {@code template} that belong to {@code target}: from the cluster-wide query when the
     * template allows it, else from a query rendered for the target alone.
     */
    private Read read(Target target, String template, Instant at) {
        LabelScheme scheme = schemes.get(target.install());
        Group group = new Group(target.clusterId(), target.install(), template);
        SortedSet<String> components = componentsByGroup.get(group);
        if (components.size() > 1 && PromqlTemplate.servesSeveralComponents(template) && !unsplittable.contains(group)) {
            String promql = renderedForGroup.computeIfAbsent(group, g -> PromqlTemplate.render(template,
                    target, components, deploymentsByGroup.get(group), scheme));
            QueryResult result = shared(promql, at);
            if (result instanceof QueryResult.Failed failed) {
                return new Read(failed, List.of(), false);
            }
            QueryResult.Samples samples = (QueryResult.Samples) result;
            String own = target.component().labelValue();
            List<QueryResult.Series> mine = new ArrayList<>();
            for (QueryResult.Series series : samples.series()) {
                String component = componentOf(series, scheme);
                if (component == null) {
                    if (unsplittable.add(group)) {
                        LOG.warn("{}: a series of this query has no {} label, so it cannot serve several components at"
                                + " once; querying per component instead (keep the label in by (...)): {}",
                                target.clusterId(), scheme.componentLabel(), Reasons.oneLine(template, 500));
                    }
                    return read(target, template, at);
                }
                if (component.equalsIgnoreCase(own)) {
                    mine.add(series);
                }
            }
            return withStaleInput(target, promql, mine, samples, at);
        }
        String promql = renderAlone(template, target);
        QueryResult result = shared(promql, at);
        if (result instanceof QueryResult.Failed failed) {
            return new Read(failed, List.of(), false);
        }
        QueryResult.Samples samples = (QueryResult.Samples) result;
        return withStaleInput(target, promql, samples.series(), samples, at);
    }

    /**
     * The read of {@code series}, answered by {@code promql}, with the first metric it reads that Prometheus has
     * stopped receiving ({@link StaleInputs}) when there is something to judge: an empty answer needs none. A probe
     * that fails fails the read, since whether the value is current cannot be told.
     */
    private Read withStaleInput(Target target, String promql, List<QueryResult.Series> series, QueryResult.Samples samples,
                         Instant at) {
        String partial = samples.isPartial() ? samples.partial() : null;
        String probe = inputProbes.get(target.namespace());
        if (series.isEmpty() || probe == null) {
            return new Read(null, series, samples.scalar(), partial, null);
        }
        Duration since = replay == null ? client.outageLastUnanswered().map(u -> Duration.between(u, at)).orElse(null)
                : null;
        Duration window = null;
        if (since != null && since.compareTo(endpoint.staleAfter()) < 0) {
            // Prometheus answers again after an outage: what it scraped before is up to the outage's length old and
            // still within stale-after, and read as now a rate 68 s old made a PANIC scale-out on load that had gone
            // (recheck 115, F1). An input counts as current only with a sample since the last query it did not
            // answer: it was down or out of reach then, so anything stamped later was scraped since. Not since it
            // answered again: a Prometheus that scraped all through a network cut then read UNKNOWN for another
            // scrape interval (recheck 116, F3).
            window = since.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : since;
            probe = StaleInputs.probe(target.namespace(), probedMetrics.get(target.namespace()), window).orElse(probe);
        }
        QueryResult answer = shared(probe, at);
        if (answer instanceof QueryResult.Failed failed) {
            return new Read(new QueryResult.Failed(failed.kind(), "whether its inputs are current cannot be read: "
                    + failed.reason()), List.of(), false);
        }
        Set<String> reads = inputsOf.computeIfAbsent(promql, StaleInputs::metrics);
        String stale = null;
        for (QueryResult.Series s : ((QueryResult.Samples) answer).series()) {
            String metric = s.labels().get(StaleInputs.LABEL);
            if (metric != null && reads.contains(metric) && (stale == null || metric.compareTo(stale) < 0)) {
                stale = metric;
            }
        }
        if (stale == null) {
            return new Read(null, series, samples.scalar(), partial, null);
        }
        String within = window == null ? "within stale-after " + Durations.human(endpoint.staleAfter())
                + " (Prometheus still serves the last one, up to its 5m lookback)"
                : "since the last query Prometheus did not answer, " + Durations.human(window) + " ago, in an outage of "
                + Durations.human(QueryClient.OUTAGE) + " or more (its samples from before are not now)";
        return new Read(null, series, samples.scalar(), partial, "no sample of " + stale + " " + within);
    }

    /** The component a series belongs to: the scheme's label on Milvus series, or its kube-state-metrics form. */
    private static String componentOf(QueryResult.Series series, LabelScheme scheme) {
        String value = series.labels().get(scheme.componentLabel());
        return value != null ? value : series.labels().get("label_" + scheme.componentLabel());
    }

    /**
     * One answer per PromQL text and evaluation time: the first caller queries, callers within
     * {@code share-window} after it (and concurrent ones) wait for and reuse its answer; in a replay, callers at
     * the same instant only.
     */
    private QueryResult shared(String promql, Instant at) {
        CompletableFuture<QueryResult> mine = new CompletableFuture<>();
        Shared entry = inFlight.compute(promql,
                (key, old) -> old != null && reusable(old.at, at) ? old : new Shared(at, mine));
        if (entry.result == mine) {
            try {
                mine.complete(queries.query(promql, at));
            } catch (RuntimeException e) {
                mine.complete(new QueryResult.Failed(FailureKind.TRANSPORT, "query failed: " + e.getClass().getSimpleName()));
                LOG.warn("Unexpected failure querying Prometheus", e);
            }
        }
        return entry.result.join();
    }

    private boolean reusable(Instant first, Instant at) {
        if (replay != null) {
            // A replay evaluates every target of a step at the step's one instant, so nothing is lost; a window
            // would hand a step shorter than share-window the previous step's answer (backtest audit B1).
            return at.equals(first);
        }
        return !at.isBefore(first) && !at.isAfter(first.plus(endpoint.shareWindow()));
    }

    // ---- helpers ----

    /**
     * Series whose sample is within stale-after of the evaluation time, and the newest sample's age; none when a
     * metric the query reads has no sample within stale-after ({@link StaleInputs}): Prometheus stamps an instant
     * result with the evaluation time, so a series' own timestamp only tells on a backend that stamps it with the
     * sample's time.
     */
    private Fresh fresh(Read read, Instant at) {
        List<QueryResult.Series> fresh = new ArrayList<>(read.series.size());
        Duration newest = null;
        for (QueryResult.Series s : read.series) {
            Duration age = Duration.between(s.timestamp(), at);
            if (age.isNegative()) {
                age = Duration.ZERO;
            }
            if (newest == null || age.compareTo(newest) < 0) {
                newest = age;
            }
            if (age.compareTo(endpoint.staleAfter()) <= 0 && read.staleInput == null) {
                fresh.add(s);
            }
        }
        return new Fresh(fresh, newest == null ? Duration.ZERO : newest, read.staleInput);
    }

    private String staleReason(Fresh fresh) {
        if (fresh.input != null) {
            return fresh.input;
        }
        return "newest sample " + Durations.human(fresh.newestAge) + " old > stale-after "
                + Durations.human(endpoint.staleAfter());
    }

    private Signal unknown(Target target, String name, FailureKind kind, String reason) {
        countUnknown(name, kind);
        LOG.debug("{} signal {} unknown: {}", target, name, reason);
        return Signal.unknown(name, reason);
    }

    private void countUnknown(String name, FailureKind kind) {
        unknownCounter(name, kind).increment();
    }

    private Counter unknownCounter(String name, FailureKind kind) {
        return Counter.builder(MetricNames.SIGNAL_UNKNOWN).description("Signals read as UNKNOWN, by signal and kind of"
                + " failure").tags(MetricNames.TAG_SIGNAL, name, MetricNames.TAG_KIND, kind.tag()).register(meters);
    }

    private static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return String.format(Locale.ROOT, "%.4g", value);
    }

    /**
     * The templates a target's reads send; with {@code emptyWhy} false, without the queries that only say why a signal
     * reads empty or what its pods request (cpu-request), whose metrics need no stale or absent probe term of their
     * own: cpu-empty-why's instant
     * container_cpu_usage_seconds_total would have added a count over every container of the namespace to each
     * tick's probe, for a question asked only when cpu reads empty.
     */
    private static List<String> templates(TargetQueries q, boolean emptyWhy) {
        List<String> templates = new ArrayList<>();
        q.signals().forEach(s -> templates.add(s.template()));
        q.signals().stream().filter(s -> s.declared() != null).forEach(s -> templates.add(s.declared().template()));
        // Read beside a value per ready replica (readyDividedBy); one query for the cluster.
        q.signals().stream().map(SignalQuery::readyCount).filter(r -> !r.isEmpty()).distinct().forEach(templates::add);
        if (emptyWhy) {
            q.signals().stream().filter(s -> s.emptyWhy() != null).forEach(s -> templates.add(s.emptyWhy()));
            // Read when a forecast is put in the serving pods' request (servingAmount); one query for the cluster.
            q.signals().stream().filter(s -> s.declared() != null && s.declared().perPod() != null)
                    .forEach(s -> templates.add(s.declared().perPod()));
        }
        if (!q.settleQuery().isBlank()) {
            templates.add(q.settleQuery());
        }
        if (!q.healthQuery().isBlank()) {
            templates.add(q.healthQuery());
        }
        if (!q.replicaFloorQuery().isBlank()) {
            templates.add(q.replicaFloorQuery());
        }
        return templates;
    }

    /** Targets of one cluster and install kind sharing one template. */
    private record Group(String clusterId, InstallKind install, String template) {
    }

    private record Shared(Instant at, CompletableFuture<QueryResult> result) {
    }

    private record Alone(String template, Target target) {
    }

    /**
     * {@code partial}: why the answer may miss data, or null when it is whole; {@code staleInput}: why the answer is not
     * current ("no sample of kube_pod_owner within stale-after 2m ...": a metric the query reads of which Prometheus has
     * no sample within stale-after, or since it answered again after an outage; {@link StaleInputs}), or null.
     */
    private record Read(QueryResult.Failed failure, List<QueryResult.Series> series, boolean scalar, String partial,
                        String staleInput) {
        Read(QueryResult.Failed failure, List<QueryResult.Series> series, boolean scalar) {
            this(failure, series, scalar, null, null);
        }
    }

    private static double largest(List<QueryResult.Series> series) {
        double max = Double.NEGATIVE_INFINITY;
        for (QueryResult.Series s : series) {
            max = Math.max(max, Math.abs(s.value()));
        }
        return max;
    }

    /** {@code input}: why a metric the query reads is not current ({@link Read}'s staleInput), or null. */
    private record Fresh(List<QueryResult.Series> series, Duration newestAge, String input) {
    }
}
