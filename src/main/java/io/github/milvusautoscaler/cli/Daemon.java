package io.github.milvusautoscaler.cli;

import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.KubernetesSettings;
import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.actuate.ApiClients;
import io.github.milvusautoscaler.actuate.KubernetesEventSink;
import io.github.milvusautoscaler.actuate.ApiReachability;
import io.github.milvusautoscaler.actuate.LeaderElection;
import io.github.milvusautoscaler.actuate.RoutingActuator;
import io.github.milvusautoscaler.actuate.ScaledObjects;
import io.github.milvusautoscaler.alerts.AlertBook;
import io.github.milvusautoscaler.alerts.TokenFile;
import io.github.milvusautoscaler.config.AlertsSettings;
import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigError;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.config.DuplicateKeys;
import io.github.milvusautoscaler.config.InvalidConfigException;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.HistorySource;
import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.core.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.github.milvusautoscaler.core.MetricsSource;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.Urls;
import io.github.milvusautoscaler.engine.DecisionLogWriter;
import io.github.milvusautoscaler.engine.DecisionLogger;
import io.github.milvusautoscaler.engine.Engine;
import io.github.milvusautoscaler.engine.EngineAssembly;
import io.github.milvusautoscaler.engine.Scheduler;
import io.github.milvusautoscaler.metrics.SecretFile;
import io.github.milvusautoscaler.metrics.PrometheusHistorySource;
import io.github.milvusautoscaler.metrics.PrometheusMetricsSource;
import io.github.milvusautoscaler.server.HttpApi;
import io.github.milvusautoscaler.server.ProcessMeters;
import io.github.milvusautoscaler.server.SelfMetrics;
import io.github.milvusautoscaler.server.StatusJson;
import io.kubernetes.client.openapi.ApiClient;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.github.milvusautoscaler.core.InstallKind;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: every adapter wired to the engine, one loop per target, one HTTP server,
 * leader election and hot reload of the config file. {@code run} starts one and waits; tests
 * start one the same way against fake servers.
 */
final class Daemon implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    /**
     * How long the config-reload thread gets to finish a reload when the daemon stops. Ticks get longer: {@link
     * #drain}.
     */
    private static final Duration DRAIN = Duration.ofSeconds(6);
    /**
     * Beyond {@code kubernetes.request-timeout}, what a drain allows a tick for recording its decision once its write's
     * answer is in (the decision log, an Event of one attempt).
     */
    private static final Duration RECORD_MARGIN = Duration.ofSeconds(2);


    private final Path configFile;
    private final Clock clock;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** What {@link #open()} opened, released by {@link #close()} or by a start that fails half-way. */
    private final Assembly parts = new Assembly();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private LeaderElection leader;
    private ApiReachability reachability;
    private SwappableMetrics metrics;
    private SwappableHistory history;
    private Engine engine;
    private Scheduler scheduler;
    private AlertBook alertBook;
    private HttpApi http;
    private Thread reloader;
    private volatile AutoscalerSettings settings;
    /** The settings the daemon started with: what runs of the keys a reload cannot change. */
    private AutoscalerSettings started;
    /** The restart-only keys whose value in the file differs from what runs ({@link #restartOnly}), for status. */
    private volatile List<String> restartPending = List.of();
    private volatile byte[] configHash;
    /** New content seen by one poll, loaded when the next poll reads the same ({@link #reloadIfChanged}). */
    private volatile byte[] seenOnce;
    /** A config whose content was refused only for a file it names that cannot be read yet, tried again each poll. */
    private volatile byte[] waitingForFiles;
    /** True while the file holds content a reload refused: {@code milvus_autoscaler_config_refused}. */
    private volatile boolean refused;
    private volatile byte[] refusedHash;
    /** Set when a stop begins: the alerts webhook answers 503 from then on, so Alertmanager's retry finds the leader. */
    private volatile boolean stopping;

    /** Delegates to the current Prometheus source, so a reload can swap queries without stopping loops. */
    private static final class SwappableMetrics implements MetricsSource, AutoCloseable {
        final AtomicReference<PrometheusMetricsSource> current = new AtomicReference<>();

        @Override
        public Observation observe(Target target, Instant at) {
            return current.get().observe(target, at);
        }

        // Without it the interface's default (not read) answered, and the daemon put its forecast in the pod
        // template's request alone while signals and backtest read the pods' (recheck 85, F1).
        @Override
        public java.util.OptionalDouble servingAmount(Target target,
                                                      io.github.milvusautoscaler.core.ContainerResource resource,
                                                      Instant at) {
            return current.get().servingAmount(target, resource, at);
        }

        void swap(PrometheusMetricsSource next) {
            PrometheusMetricsSource old = current.getAndSet(next);
            if (old != null) {
                old.close();
            }
        }

        @Override
        public void close() {
            swap(null);
        }
    }

    /** Delegates to the current load-history source, swapped with the metrics source on a reload. */
    private static final class SwappableHistory implements HistorySource, AutoCloseable {
        final AtomicReference<PrometheusHistorySource> current = new AtomicReference<>();

        @Override
        public LoadHistory history(Target target, Instant now) {
            PrometheusHistorySource source = current.get();
            return source == null ? LoadHistory.NONE : source.history(target, now);
        }

        @Override
        public io.github.milvusautoscaler.core.TemplateResources declared(Target target, Instant at) {
            PrometheusHistorySource source = current.get();
            return source == null ? io.github.milvusautoscaler.core.TemplateResources.UNKNOWN
                    : source.declared(target, at);
        }

        void swap(PrometheusHistorySource next) {
            PrometheusHistorySource before = current.get();
            if (before != null && next != null) {
                next.keepFrom(before);
            }
            PrometheusHistorySource old = current.getAndSet(next);
            if (old != null) {
                old.close();
            }
        }

        @Override
        public void close() {
            swap(null);
        }
    }

    /** Holds the settings only: opening files, starting threads and binding the port is {@link #open()}'s job. */
    private Daemon(Path configFile, AutoscalerSettings s, Clock clock) {
        this.configFile = configFile;
        this.settings = s;
        this.started = s;
        this.clock = clock;
    }

    /**
     * Opens every part in dependency order, registering each with {@link #parts} as soon as it is open,
     * so that a failure at any step (the port taken, the decision log unwritable) releases all opened
     * before it.
     */
    private void open() {
        AutoscalerSettings s = settings;
        this.configHash = hash(configFile);
        parts.opened("JVM and process meters", ProcessMeters.bindTo(registry));

        KubernetesSettings kube = s.kubernetes();
        ApiClients.Access access = ApiClients.access(kube);
        ApiClient client = parts.opened("Kubernetes client", ApiClients.create(access, kube), () -> {
            // OkHttp's dispatcher threads and pooled connections would otherwise idle on for a minute.
            // The reachability watcher below replaces the client's OkHttpClient, so close whichever it holds.
            closeHttpClient(reachabilityClient);
        });
        this.reachability = ApiReachability.watch(client, clock, s.loopInterval().plus(ApiReachability.REPEAT));
        this.reachabilityClient = client.getHttpClient();
        Gauge.builder(MetricNames.KUBERNETES_REACHABLE, reachability, r -> r.state().reachable() ? 1 : 0)
                .strongReference(true).description(MetricNames.help(MetricNames.KUBERNETES_REACHABLE)).register(registry);
        // A refused reload keeps the config before running, and a bad ConfigMap edit was otherwise seen only in the
        // logs: this gauge stays 1 for as long as it is so, which MilvusAutoscalerConfigRefused alerts on.
        Gauge.builder(MetricNames.CONFIG_REFUSED, this, d -> d.refused ? 1 : 0).strongReference(true)
                .description(MetricNames.help(MetricNames.CONFIG_REFUSED)).register(registry);
        ScaledObjects objects = new ScaledObjects(kube);
        // dry-run is the engine's, not a wrapper's: a reload switches it, and the engine lets no write attempt start
        // while it is on (Engine.setDryRun).
        ReplicaActuator actuator = RoutingActuator.forCluster(client, kube, objects);
        this.leader = parts.opened("leader election",
                LeaderElection.create(client, s.kubernetes().leaderElection(), System::nanoTime, access.kubeconfig()));

        this.metrics = parts.opened("Prometheus source", new SwappableMetrics());
        metrics.swap(new PrometheusMetricsSource(s.prometheus(), s.labelSchemes(), Assembly.queries(s.targets()),
                registry, clock));

        this.history = parts.opened("load history", new SwappableHistory());
        history.swap(Assembly.historySource(s, s.targets(), Duration.ZERO, registry));

        SelfMetrics self = new SelfMetrics(registry, leader::isLeader, () -> engine != null ? engine.dryRun() : s.dryRun());
        DecisionLogger logger = new DecisionLogger(leader::isLeader, reachability::failingWithNoAnswer);
        this.alertBook = Assembly.alertBook(s.alerts(), registry);
        alertBook.setTargets(s.targets().stream().map(TargetSettings::target).toList(), componentLabels(s));
        EngineAssembly assembly = EngineAssembly.of(clock, metrics, actuator, s.maxActionsPerHour())
                .leader(leader).alerts(Assembly.alertSource(alertBook)).dryRun(s.dryRun()).history(history)
                .sink(logger).listener(logger).sink(self).listener(self);
        if (s.kubernetes().events()) {
            KubernetesEventSink events = new KubernetesEventSink(client, kube, objects, leader, clock, leader.identity());
            assembly.sink(events).listener(Assembly.eventsListener(events));
        }
        if (!s.decisionLogPath().isEmpty()) {
            DecisionLogWriter log;
            try {
                log = DecisionLogWriter.open(s.decisionLogPath());
            } catch (java.io.UncheckedIOException e) {
                // The OS's reason, not only the path it concerns ("/proc/nope" alone said nothing).
                throw new java.io.UncheckedIOException("cannot open decision log " + s.decisionLogPath() + ": "
                        + OutputDirectory.describe(e.getCause()), e.getCause());
            }
            assembly.sink(s.decisionLogEveryHold() ? parts.opened("decision log", log)
                    : parts.opened("decision log", new io.github.milvusautoscaler.engine.HoldChanges(log)));
        }
        this.engine = assembly.build();
        this.scheduler = parts.opened("scheduler", new Scheduler(engine, s.loopInterval(), s.loopJitter(),
                ProcessHandle.current().pid()), () -> scheduler.close(drain(s)));
        io.micrometer.core.instrument.FunctionCounter.builder(MetricNames.TICKS_SKIPPED, scheduler, Scheduler::overruns)
                .description(MetricNames.help(MetricNames.TICKS_SKIPPED))
                .register(registry);

        TokenFile token = s.alerts().bearerTokenFile().map(TokenFile::new).orElse(null);
        this.alertsToken = s.alerts().enabled() ? token : null;
        // A stopping leader still holds the Lease for its drain; an alert it accepted then would never be acted on
        // (no tick starts), and Alertmanager would not send it again before repeat_interval (concurrency audit F2).
        Map<String, com.sun.net.httpserver.HttpHandler> extra = Assembly.alertsEndpoint(s.alerts(), token, alertBook,
                () -> !stopping && leader.isLeader(), clock, scheduler::tickNow, registry);
        this.http = parts.server(s.server(), registry, () -> self.refresh(engine),
                () -> withRestartPending(withPrometheus(withKubernetes(withLease(StatusJson.render(
                        engine.views().values(), !stopping && leader.isLeader(), engine.dryRun(), clock.instant()),
                        leader.identity(), leader.observedLeader()), reachability), metrics.current.get()),
                        restartPending, refused).toString(), extra);
        this.reloader = parts.opened("config reload", new Thread(this::watchConfig, "config-reload"), () -> {
            reloader.interrupt();
            reloader.join(DRAIN.toMillis());
        });
        reloader.setDaemon(true);
    }

    private volatile okhttp3.OkHttpClient reachabilityClient;
    /** The token file the alerts endpoint checks, when the endpoint is on; null otherwise. */
    private TokenFile alertsToken;

    /**
     * A WARN for each key the file sets twice, whose first setting HOCON drops: a {@code dry-run = true} added above
     * an existing {@code dry-run = false} in an emergency would otherwise be lost without a word (config audit C10).
     */
    private static void warnDuplicates(Path file, String when) {
        for (DuplicateKeys.Duplicate d : DuplicateKeys.in(file)) {
            LOG.warn("{}: {}:{}: {}", when, file, d.again(), d.describe());
        }
    }

    /**
     * A WARN for each target whose settings most likely scale by the wrong work ({@link TargetSettings#advice()}),
     * and one for each daemon-wide setting most likely not meant ({@link AutoscalerSettings#advice()}: a budget
     * smaller than the fleet, a Prometheus timeout not below the loop's interval).
     */
    static void warnAdvice(AutoscalerSettings settings) {
        settings.advice().forEach(advice -> LOG.warn("{}", advice));
        for (TargetSettings t : settings.targets()) {
            // Keyed by target as the ticks' lines are: a JSON pipeline filtering on target missed it (recheck 104, F2).
            t.advice().ifPresent(advice -> LOG.atWarn().addKeyValue("target", t.target().id()).log("{}: {}",
                    t.target().id(), advice));
        }
    }

    /**
     * A WARN when the alerts token file cannot be read, naming the key and the path (never the content): the
     * endpoint answers 500 until it can, and without this the first sign was Alertmanager's failed deliveries.
     * Not an error: the file is read again at every request, so a Secret mounted later works without a restart.
     */
    private void warnIfAlertsTokenUnreadable(String when) {
        if (alertsToken != null) {
            alertsToken.unreadable().ifPresent(problem -> LOG.warn("{}: {}; POST /api/v1/alerts answers 500 until it"
                    + " can be read (it is read again at every request, so a file mounted later needs no restart)",
                    when, problem));
        }
    }

    private static void closeHttpClient(okhttp3.OkHttpClient http) {
        if (http != null) {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }

    /**
     * Adds {@code "identity"} (this replica's, as written to the Lease) and {@code "leaseHolder"} (the holder it last
     * read on the Lease, null before its first read) to the status, so a follower says who leads: "role: follower"
     * alone sent a person to read both replicas' logs (recheck 39's remark). Election off: both are this replica.
     */
    static com.google.gson.JsonObject withLease(com.google.gson.JsonObject status, String identity,
                                                java.util.Optional<String> holder) {
        status.addProperty("identity", identity);
        status.addProperty("leaseHolder", holder.filter(h -> !h.isEmpty()).orElse(null));
        return status;
    }

    /**
     * Adds {@code "kubernetes": {"reachable": false, "since": ..., "cause": ..., "credentials": ...,
     * "failingCalls": [...]}} to the
     * status, so a follower that cannot reach the API server, or whose Lease calls fail, says why it is not leading.
     */
    static com.google.gson.JsonObject withKubernetes(com.google.gson.JsonObject status, ApiReachability reachability) {
        ApiReachability.State state = reachability.state();
        com.google.gson.JsonObject k = new com.google.gson.JsonObject();
        k.addProperty("server", reachability.server());
        k.addProperty("reachable", state.reachable());
        // No token, nothing sent: "reachable" is then only no evidence against it, and this is why nothing works.
        reachability.credentials().ifPresent(c -> k.addProperty("credentials", c));
        if (!state.reachable()) {
            k.addProperty("unreachableSince", state.unreachableSince().toString());
            k.addProperty("cause", state.cause());
        }
        // Calls failing while the server answers others: a Lease that cannot be renewed (5xx on its update) is why a
        // follower does not lead, which only a WARN a minute said (recheck 39's remark).
        com.google.gson.JsonArray calls = new com.google.gson.JsonArray();
        for (ApiReachability.FailingCall f : reachability.failingCalls()) {
            com.google.gson.JsonObject c = new com.google.gson.JsonObject();
            c.addProperty("call", f.call());
            c.addProperty("failingSince", f.since().toString());
            c.addProperty("lastFailure", f.last().toString());
            c.addProperty("cause", f.cause());
            calls.add(c);
        }
        k.add("failingCalls", calls);
        status.add("kubernetes", k);
        return status;
    }

    /**
     * Adds {@code "prometheus": {"server": ..., "failing": true, "failingSince": ..., "cause": ...}} to the status:
     * with the breaker open every signal's problem says "circuit breaker open", and the cause (a refused
     * connection, a timeout, a 503) was in one WARN only (fault recheck 17, F5). Nothing while the source is
     * being swapped by a reload or closed.
     */
    static com.google.gson.JsonObject withPrometheus(com.google.gson.JsonObject status, PrometheusMetricsSource source) {
        if (source == null) {
            return status;
        }
        com.google.gson.JsonObject p = new com.google.gson.JsonObject();
        p.addProperty("server", source.server());
        java.util.Optional<io.github.milvusautoscaler.metrics.QueriesFailing> failing = source.failing();
        p.addProperty("failing", failing.isPresent());
        failing.ifPresent(f -> {
            p.addProperty("failingSince", f.since().toString());
            p.addProperty("cause", f.cause());
        });
        status.add("prometheus", p);
        return status;
    }

    /**
     * Starts everything: HTTP server and readiness first (so a slow API server does not fail the
     * readiness probe), then leader election and the loops.
     *
     * @throws HttpApi.PortInUseException when the port is taken
     * @throws HttpApi.CannotBindException when the address and port cannot be bound for another reason
     */
    static Daemon start(Path configFile, AutoscalerSettings settings, Clock clock) {
        requireNonNull(settings, "settings");
        Daemon d = new Daemon(configFile, settings, requireNonNull(clock, "clock"));
        try {
            d.open();
            d.http.markReady();
            d.leader.start();
            d.scheduler.update(Assembly.engineTargets(settings.labelSchemes(), settings.targets()));
            d.reloader.start();
            d.warnIfAlertsTokenUnreadable("start");
        } catch (RuntimeException | Error e) {
            d.parts.close();
            throw e;
        }
        warnAdvice(settings);
        warnDuplicates(configFile, "start");
        if (settings.targets().isEmpty() && !ConfigLoader.declaresClusters(configFile)) {
            LOG.warn("{} defines no clusters (empty file or no clusters block): no target runs; write clusters = [] "
                    + "if that is meant", configFile);
        }
        LOG.info("ready on {}:{} with {} ({}, {})", settings.server().bindAddress(), d.http.port(),
                targets(settings.targets().size()), settings.dryRun() ? "dry-run" : "writing",
                settings.kubernetes().leaderElection().enabled() ? "leader election on" : "leader election off");
        return d;
    }

    /** Parts still open: every part while running, none after {@link #close()} or a failed start. */
    int openParts() {
        return parts.openCount();
    }

    int port() {
        return http.port();
    }

    Engine engine() {
        return engine;
    }

    boolean isLeader() {
        return leader.isLeader();
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Blocks until {@link #close()} has finished. */
    void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /**
     * Polls the config file and the files it includes ({@link #hash}); a ConfigMap update swaps a symlink, which
     * changes what the paths read.
     */
    private void watchConfig() {
        Duration every = settings.configReloadInterval();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            try {
                reloadIfChanged();
            } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                // Whatever a file does, the loop must live on to load the next good one: an Error that ended the
                // thread left /readyz at 200 and every later change unread.
                SelfMetrics.counter(registry, MetricNames.CONFIG_RELOADS, "result", "failed").increment();
                LOG.error("config reload failed, keeping the running config: {}", e.toString());
            }
        }
    }

    /**
     * Reads the config file now, as asked by {@code why} (SIGHUP): Prometheus and Alertmanager beside the daemon reload
     * on it, and the JVM's default for it is to stop, which restarted the leader for an SRE who sent it out of habit
     * (recheck 61, F2). New content loads at once, without the second poll the watch waits for: whoever sends the
     * signal has finished writing. Unchanged content is said so.
     */
    synchronized void reloadNow(String why) {
        byte[] h = hash(configFile);
        if (h != null && Arrays.equals(h, configHash)) {
            // A refused content is kept as seen (configHash), so a signal for it loads nothing: said, not a bare
            // "reading ... now" with nothing after it.
            LOG.info("{}: config file {} {}; nothing to reload (it is also read every {})", why, configFile, refused
                    ? "still holds the content refused at the last reload, and the config before it runs"
                    : "is what runs", Durations.setting(started.configReloadInterval()));
            return;
        }
        LOG.info("{}: reading config file {} now", why, configFile);
        if (h != null && !Arrays.equals(h, configHash)) {
            seenOnce = h;
        }
        reloadIfChanged();
    }

    /** Reloads when the file's content changed; a bad file keeps the running config. */
    synchronized boolean reloadIfChanged() {
        byte[] h = hash(configFile);
        if (h != null && Arrays.equals(h, configHash) && refused && !Arrays.equals(h, refusedHash)) {
            // Back to the content that runs while a refusal for an unreadable file waited (the edit reverted): nothing
            // to load, nothing refused any more. Other refusals take their content as seen, so a revert reloads.
            refused = false;
            waitingForFiles = null;
            LOG.info("config file {} is back to the running content; the refused edit is gone", configFile);
        }
        if (h == null || Arrays.equals(h, configHash)) {
            seenOnce = null;
            return false;
        }
        if (!Arrays.equals(h, seenOnce) && !Arrays.equals(h, waitingForFiles) && !Arrays.equals(h, refusedHash)) {
            // New content is loaded once a second poll reads the same: a file written in place in two parts (cat >,
            // kubectl cp, an editor saving in place) was applied at its first part, stopping targets and writing before
            // its dry-run line arrived (reload audit F6). kubelet's ConfigMap update never shows a part: it writes a new
            // directory and renames the ..data link over the old (kubernetes pkg/volume/util/atomic_writer.go).
            seenOnce = h;
            return false;
        }
        seenOnce = null;
        boolean waited = Arrays.equals(h, waitingForFiles);
        AutoscalerSettings next;
        try {
            next = ValidateConfigCommand.load(configFile);
        } catch (InvalidConfigException e) {
            configHash = h;
            refusedNow(h);
            SelfMetrics.counter(registry, MetricNames.CONFIG_RELOADS, "result", "failed").increment();
            LOG.error("config reload refused, keeping the running config; {} error(s):", e.errors().size());
            e.errors().forEach(Daemon::logRefusal);
            return false;
        }
        List<ConfigError> unreadable = new ArrayList<>(Main.unreadableFiles(next));
        unreadable.addAll(newCredentialsUnreadable(settings, next));
        if (!unreadable.isEmpty()) {
            // What run refuses at start (Main.loadConfigForPrometheus): the new Prometheus client could not be built.
            // The content is not committed: a ConfigMap and the Secret it names are separate volumes, each updated in
            // its own time, and the file that lands second must still load this config (concurrency audit F3). Said
            // and counted once per content, not at every poll.
            waitingForFiles = h;
            refusedNow(h);
            if (!waited) {
                SelfMetrics.counter(registry, MetricNames.CONFIG_RELOADS, "result", "failed").increment();
                LOG.error("config reload refused, keeping the running config until the file can be read (tried again"
                        + " every {}); {} error(s):", Durations.setting(started.configReloadInterval()),
                        unreadable.size());
                unreadable.forEach(Daemon::logRefusal);
            }
            return false;
        }
        configHash = h;
        waitingForFiles = null;
        if (next.targets().isEmpty() && !ConfigLoader.declaresClusters(configFile)) {
            refusedNow(h);
            SelfMetrics.counter(registry, MetricNames.CONFIG_RELOADS, "result", "failed").increment();
            LOG.warn("config reload refused, keeping the running config ({}): {} defines no clusters "
                    + "(empty file or no clusters block) and would stop every loop; write clusters = [] to stop "
                    + "all targets on purpose", targets(settings.targets().size()), configFile);
            return false;
        }
        AutoscalerSettings before = settings;
        List<String> pending = restartOnly(started, next);
        if (!pending.isEmpty()) {
            LOG.warn("config reload: {} {} from what runs and {} effect only after a restart; the rest of the file"
                    + " applies now", pending, pending.size() == 1 ? "differs" : "differ",
                    pending.size() == 1 ? "takes" : "take");
        } else if (!restartPending.isEmpty()) {
            LOG.info("config reload: the file's restart-only settings are what runs again ({} no longer pending)",
                    restartPending);
        }
        // Everything the new config needs is built before anything running is touched, so a refusal here
        // leaves the running config whole.
        var endpoint = next.prometheus();
        var schemes = next.labelSchemes();
        var queries = Assembly.queries(next.targets());
        // resilience4j binds its breaker and retry meters to the objects; Micrometer hands back an existing
        // meter of the same name and tags, so without this the gauges kept showing the discarded breaker.
        unbindResilienceMeters();
        PrometheusMetricsSource nextSource = new PrometheusMetricsSource(endpoint, schemes, queries, registry, clock);
        // Removed targets' loops stop (their ticks in flight end) before the source without their queries is in.
        scheduler.retain(next.targets().stream().map(TargetSettings::target).collect(java.util.stream.Collectors.toSet()));
        PrometheusMetricsSource replaced = metrics.current.get();
        java.util.Optional<String> breakerWas = replaced == null ? java.util.Optional.empty() : replaced.breakerNotClosed();
        metrics.swap(nextSource);
        // Every reload builds a new client, whose breaker starts closed: the log's last breaker line was the old
        // one's OPEN, and nothing said it was gone (recheck 50, F2).
        breakerWas.ifPresent(was -> LOG.info("config reload: Prometheus circuit breaker {} until now; the reloaded"
                + " client's starts closed, so its next queries try Prometheus again", was));
        history.swap(Assembly.historySource(next, next.targets(), Duration.ZERO, registry));
        alertBook.setTargets(next.targets().stream().map(TargetSettings::target).toList(), componentLabels(next));
        alertBook.setRoutes(next.alerts().routes());
        scheduler.update(Assembly.engineTargets(next.labelSchemes(), next.targets()));
        if (next.dryRun() != before.dryRun()) {
            engine.setDryRun(next.dryRun());
            LOG.warn("config reload: dry-run is now {}", next.dryRun()
                    ? "on: decisions go on, and no write attempt starts from now" : "off: decisions are written from now");
        }
        settings = next;
        restartPending = pending;
        refused = false;
        SelfMetrics.counter(registry, MetricNames.CONFIG_RELOADS, "result", "ok").increment();
        LOG.info("config reloaded: {}{}", targets(next.targets().size()), targetChanges(before, next));
        for (SettingsText.Change change : SettingsText.changed(before, next)) {
            var line = LOG.atInfo();
            if (!change.scope().equals("daemon")) {
                line = line.addKeyValue("target", change.scope());
            }
            line.log("config reload changed {}: {}", change.scope(), change.parts());
        }
        if (!before.prometheus().url().equals(next.prometheus().url())) {
            // The replaced client's last word (a breaker it opened) would otherwise read as the new one's (reload F8).
            LOG.info("config reload: Prometheus is now {} (was {}); what the replaced client logged is of the old one",
                    Urls.redact(next.prometheus().url(), "***"), Urls.redact(before.prometheus().url(), "***"));
        }
        warnAdvice(next);
        warnDuplicates(configFile, "config reload");
        warnIfAlertsTokenUnreadable("config reload");
        return true;
    }

    /**
     * One error of a refused reload, as validate-config prints it, with its {@code file}, {@code line} and
     * {@code path} also as fields of a JSON log line, so a log query finds a refused ConfigMap's errors by file
     * without parsing the message (reload audit F8).
     */
    private static void logRefusal(ConfigError err) {
        var line = LOG.atError().addKeyValue("file", err.file());
        if (err.line() > 0) {
            line = line.addKeyValue("line", err.line());
        }
        if (!err.isFileError()) {
            line = line.addKeyValue("path", err.path());
        }
        line.log("  {}", err);
    }

    /** The content {@code h} was refused: the gauge says so until a reload succeeds or the running content is back. */
    private void refusedNow(byte[] h) {
        refused = true;
        refusedHash = h;
    }

    private void unbindResilienceMeters() {
        registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("resilience4j."))
                .forEach(registry::remove);
    }

    /** Each install kind's component label, which tells the alert book's routes apart two installs of one name. */
    private static Map<InstallKind, String> componentLabels(AutoscalerSettings s) {
        Map<InstallKind, String> labels = new java.util.EnumMap<>(InstallKind.class);
        s.labelSchemes().forEach((kind, scheme) -> labels.put(kind, scheme.componentLabel()));
        return labels;
    }

    /**
     * The keys a reload cannot apply whose value in {@code next} differs from what runs ({@code running}, the settings
     * the daemon started with), each by its path. Compared with what runs, not with the file before: a revert is no
     * change, and a key still pending is named again at the next edit (reload audit F4). {@code alerts.routes},
     * {@code step}, {@code cooldown} and {@code carry-over} apply at once; the endpoint, its token file and the book's
     * limits are built once (F2: the warning named the whole alerts block while step applied at once).
     */
    static List<String> restartOnly(AutoscalerSettings running, AutoscalerSettings next) {
        List<String> changed = new ArrayList<>();
        differing(changed, "server", running.server(), next.server());
        differing(changed, "kubernetes", running.kubernetes(), next.kubernetes());
        if (!running.loopInterval().equals(next.loopInterval())) {
            changed.add("loop.interval");
        }
        if (!running.loopJitter().equals(next.loopJitter())) {
            changed.add("loop.jitter");
        }
        if (!running.configReloadInterval().equals(next.configReloadInterval())) {
            changed.add("config-reload.interval");
        }
        if (running.maxActionsPerHour() != next.maxActionsPerHour()) {
            changed.add("max-actions-per-hour");
        }
        if (!running.decisionLogPath().equals(next.decisionLogPath())) {
            changed.add("decision-log.path");
        }
        if (running.decisionLogEveryHold() != next.decisionLogEveryHold()) {
            changed.add("decision-log.holds");
        }
        AlertsSettings a = running.alerts();
        AlertsSettings b = next.alerts();
        if (a.enabled() != b.enabled()) {
            changed.add("alerts.enabled");
        }
        if (!a.bearerTokenFile().equals(b.bearerTokenFile())) {
            changed.add("alerts.bearer-token-file");
        }
        if (a.maxBodyBytes() != b.maxBodyBytes()) {
            changed.add("alerts.max-body");
        }
        if (a.maxHeld() != b.maxHeld()) {
            changed.add("alerts.max-held");
        }
        if (a.maxHeldBytes() != b.maxHeldBytes()) {
            changed.add("alerts.max-held-bytes");
        }
        if (!a.forgetAfter().equals(b.forgetAfter())) {
            changed.add("alerts.forget-after");
        }
        return changed;
    }

    /**
     * Adds the keys under {@code prefix} whose values differ between two settings records, each by its config name
     * (the component's name in kebab case, nested records as nested blocks: {@code server.port},
     * {@code kubernetes.leader-election.lease-duration}), so the WARN names the key an SRE edited, not its block
     * (reload recheck F4). The settings records name their components after the keys reference.conf documents.
     */
    static void differing(List<String> out, String prefix, Record running, Record next) {
        for (java.lang.reflect.RecordComponent c : running.getClass().getRecordComponents()) {
            Object was;
            Object now;
            try {
                was = c.getAccessor().invoke(running);
                now = c.getAccessor().invoke(next);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("settings record " + running.getClass().getSimpleName()
                        + " cannot be read: " + e, e);
            }
            String key = configKey(prefix, c);
            if (was instanceof Record a && now instanceof Record b) {
                differing(out, key, a, b);
            } else if (!java.util.Objects.equals(was, now)) {
                out.add(key);
            }
        }
    }

    /** The config key of a settings record's component under {@code prefix}: leaseDuration is lease-duration. */
    static String configKey(String prefix, java.lang.reflect.RecordComponent c) {
        return prefix + "." + c.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * A Prometheus credentials file the reload names anew (another path than the running config's) that cannot be read:
     * refused and tried again at each poll, as the ca-file is, since the Secret may land after its ConfigMap. Applied,
     * every query of every target failed and even scale-out under load stopped (reload audit F3). The running config's
     * own file is not judged here: a projected token is re-read at each query, and refusing an edit for it would not
     * make the running config see.
     */
    static List<ConfigError> newCredentialsUnreadable(AutoscalerSettings running, AutoscalerSettings next) {
        List<ConfigError> problems = new ArrayList<>();
        var was = running.prometheus().auth();
        var now = next.prometheus().auth();
        now.bearerTokenFile().filter(p -> !was.bearerTokenFile().equals(now.bearerTokenFile()))
                .flatMap(SecretFile::bearerTokenProblem)
                .ifPresent(p -> problems.add(next.refusal("prometheus.auth.bearer-token-file", p)));
        now.basicPasswordFile().filter(p -> !was.basicPasswordFile().equals(now.basicPasswordFile()))
                .flatMap(SecretFile::basicPasswordProblem)
                .ifPresent(p -> problems.add(next.refusal("prometheus.auth.basic-password-file", p)));
        return problems;
    }

    /**
     * The targets a reload added and removed, for its log line: " (added milvus/b/queryNode; removed
     * milvus/a/queryNode)", empty when the same targets run (reload audit F8: "config reloaded: 3 targets" alone).
     */
    static String targetChanges(AutoscalerSettings before, AutoscalerSettings next) {
        java.util.Set<Target> was = before.targets().stream().map(TargetSettings::target)
                .collect(java.util.stream.Collectors.toSet());
        java.util.Set<Target> now = next.targets().stream().map(TargetSettings::target)
                .collect(java.util.stream.Collectors.toSet());
        // A target whose object stays under another id (the other install of its name added or removed) is renamed,
        // not removed and added: the engine hands its memory over (Engine#renamed).
        java.util.Map<Target, Target> renamed = new java.util.TreeMap<>(java.util.Comparator.comparing(Target::id));
        for (Target old : was) {
            if (!now.contains(old)) {
                now.stream().filter(t -> !was.contains(t) && t.sameObject(old))
                        .findFirst().ifPresent(t -> renamed.put(old, t));
            }
        }
        List<String> parts = new ArrayList<>();
        List<String> added = now.stream().filter(t -> !was.contains(t) && !renamed.containsValue(t)).map(Target::id)
                .sorted().toList();
        List<String> removed = was.stream().filter(t -> !now.contains(t) && !renamed.containsKey(t)).map(Target::id)
                .sorted().toList();
        if (!added.isEmpty()) {
            parts.add("added " + String.join(", ", added));
        }
        if (!removed.isEmpty()) {
            parts.add("removed " + String.join(", ", removed));
        }
        if (!renamed.isEmpty()) {
            parts.add("renamed " + renamed.entrySet().stream().map(e -> e.getKey().id() + " -> " + e.getValue().id())
                    .collect(java.util.stream.Collectors.joining(", ")));
        }
        return parts.isEmpty() ? "" : " (" + String.join("; ", parts) + ")";
    }

    /**
     * The status with what a reload left waiting: the restart-only keys the file sets otherwise than what runs, and
     * whether the file's content was refused (the running config is the one before it): said only by the log and
     * milvus_autoscaler_config_refused before (recheck 61's remark).
     */
    static com.google.gson.JsonObject withRestartPending(com.google.gson.JsonObject status, List<String> pending,
                                                         boolean refused) {
        com.google.gson.JsonArray keys = new com.google.gson.JsonArray();
        pending.forEach(keys::add);
        status.add("restartPending", keys);
        status.addProperty("configRefused", refused);
        return status;
    }

    /**
     * A digest of the config file and of every file it includes, nested includes too (names and bytes), or null when
     * one cannot be read now. The includes, not the file alone: the shipped config includes install.conf and
     * example.conf from the same ConfigMap mount (deploy/base/config/autoscaler.conf), and an edit of an included
     * file changes only that file; hashed alone, the main file never changed and the edit was silently ignored.
     */
    static byte[] hash(Path file) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            java.util.Set<Path> seen = new java.util.LinkedHashSet<>();
            java.util.ArrayDeque<Path> todo = new java.util.ArrayDeque<>(List.of(file.toAbsolutePath().normalize()));
            while (!todo.isEmpty()) {
                Path f = todo.poll();
                if (!seen.add(f)) {
                    continue;
                }
                digest.update(f.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                if (!Files.exists(f)) {
                    // An include that is not required may be missing; its appearing later is a change too.
                    digest.update((byte) 1);
                    continue;
                }
                byte[] bytes = Files.readAllBytes(f);
                digest.update((byte) 0);
                digest.update(bytes);
                Matcher m = INCLUDE.matcher(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
                while (m.find()) {
                    todo.add(f.resolveSibling(m.group(1)).normalize());
                }
            }
            return digest.digest();
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A HOCON include of a file, as typesafe-config reads it: {@code include "x.conf"}, {@code include
     * required("x.conf")}, {@code include file("x.conf")}, {@code include required(file("x.conf"))}; url() and
     * classpath() includes are not files beside the config and are left out.
     */
    private static final Pattern INCLUDE = Pattern.compile(
            "(?m)^\\s*include\\s+(?:required\\s*\\(\\s*)?(?:file\\s*\\(\\s*)?\"([^\"]+)\"");

    /**
     * How long a stop waits for ticks in flight: {@code kubernetes.request-timeout} (the longest one write attempt
     * may take; none starts once the stop begins) plus {@link #RECORD_MARGIN}, 10 + 2 = 12 s by default. Waiting less
     * released the Lease with a write still on its way, which landed after the release and was never recorded
     * (concurrency audit F1). deploy/base/deployment.yaml's terminationGracePeriodSeconds (60 s) covers this, the
     * leader election's own stop and the Lease's release after it: 50 s at worst, with the API server hung throughout.
     */
    static Duration drain(AutoscalerSettings settings) {
        return settings.kubernetes().requestTimeout().plus(RECORD_MARGIN);
    }

    /**
     * Stops in the order that keeps the cluster safe: not ready and no alert accepted, no new write attempt and no
     * new tick, ticks in flight finish (an attempt already sent gets its answer and the decision is recorded), the
     * lease is released so the follower takes over at once, then the server stops.
     */
    @Override
    public void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        stopping = true;
        AutoscalerSettings s = settings;
        if (engine != null && s != null) {
            // Between SIGTERM and a write's answer nothing was said (fault recheck N3).
            LOG.info("stopping: not ready, no new tick or write; a tick in flight gets up to {} to record its"
                    + " decision, then the Lease is released", Durations.human(drain(s)));
        }
        if (http != null) {
            http.markNotReady();
        }
        if (engine != null) {
            engine.stopWriting();
        }
        parts.closeNow(reloader);
        parts.closeNow(scheduler);
        if (engine != null && engine.inconclusiveWriteDuringStop() && leader != null) {
            leader.closeKeepingLease();
        }
        parts.closeNow(leader);
        parts.close();
        LOG.info("stopped");
        stopped.countDown();
    }

    /** "1 target", "3 targets", as the start and reload lines count them. */
    static String targets(int n) {
        return n + (n == 1 ? " target" : " targets");
    }
}
