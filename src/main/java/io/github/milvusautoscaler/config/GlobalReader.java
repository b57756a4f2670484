package io.github.milvusautoscaler.config;

import static io.github.milvusautoscaler.config.Rules.atLeast;
import static io.github.milvusautoscaler.config.Rules.labelName;
import static io.github.milvusautoscaler.config.Rules.optionalPath;
import static io.github.milvusautoscaler.config.Rules.text;
import static io.github.milvusautoscaler.config.Rules.value;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.github.milvusautoscaler.core.PromqlPlaceholders;
import io.github.milvusautoscaler.core.ActiveAlert.AlertAction;
import io.github.milvusautoscaler.core.AlertRoute;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.LeaderElectionSettings;
import io.github.milvusautoscaler.core.CircuitBreakerSettings;
import io.github.milvusautoscaler.core.KubernetesSettings;
import io.github.milvusautoscaler.core.LabelScheme;
import io.github.milvusautoscaler.core.PrometheusAuth;
import io.github.milvusautoscaler.core.PrometheusEndpoint;
import io.github.milvusautoscaler.core.RetrySettings;
import io.github.milvusautoscaler.core.ServerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the blocks that are not per target (prometheus, kubernetes, loop, server, alerts, label-schemes,
 * queries) into records. The readers read types (a duration, a whole number, a URL's syntax); every rule
 * on the values lives in the record that holds them, and what a record refuses is recorded here with its
 * path and file:line ({@link Node#build}). Each method returns null when its block has an error, after
 * recording the block's errors.
 */
final class GlobalReader {

    static final String URL_RULE = PrometheusEndpoint.URL_RULE;

    private final Errors errors;

    GlobalReader(Errors errors) {
        this.errors = errors;
    }

    PrometheusEndpoint prometheus(Node n) {
        if (n == null) {
            return null;
        }
        int mark = errors.mark();
        Field<String> url = url(n);
        Field<Duration> timeout = n.duration("timeout");
        Field<Duration> staleAfter = n.duration("stale-after");
        Field<Integer> maxSeries = n.integer("max-series");
        Field<Duration> shareWindow = n.duration("share-window");
        RetrySettings retry = retry(n.child("retry"));
        CircuitBreakerSettings breaker = breaker(n.child("circuit-breaker"));
        PrometheusAuth auth = auth(n.child("auth"));
        Node headersNode = n.child("headers");
        List<Field<String>> headers = headers(headersNode);
        if (errors.mark() != mark) {
            return null;
        }
        Map<String, String> headerValues = new TreeMap<>();
        headers.forEach(h -> headerValues.put(h.path().substring(headersNode.path().length() + 1), h.value()));
        List<Field<?>> fields = new ArrayList<>(List.of(url, timeout, staleAfter, maxSeries, shareWindow));
        fields.addAll(headers);
        return n.build(() -> new PrometheusEndpoint(url.value(), timeout.value(), staleAfter.value(), maxSeries.value(),
                shareWindow.value(), retry, breaker, auth, headerValues), fields.toArray(Field<?>[]::new));
    }

    /** The URL, trimmed; what a URL must be, {@link PrometheusEndpoint} checks. */
    private Field<String> url(Node n) {
        Field<ConfigValue> raw = n.find("url");
        if (raw == null) {
            errors.missing(n.path() + ".url", n.origin(), URL_RULE);
            return null;
        }
        if (raw.raw().valueType() == ConfigValueType.NULL) {
            errors.add(raw, URL_RULE);
            return null;
        }
        Field<String> url = n.string("url");
        if (url == null) {
            return null;
        }
        String trimmed = url.value().trim();
        return n.build(() -> {
            PrometheusEndpoint.checkUrl(trimmed);
            return new Field<>(trimmed, url.path(), url.raw(), url.layer());
        }, url);
    }

    RetrySettings retry(Node n) {
        if (n == null) {
            return null;
        }
        Field<Integer> attempts = n.integer("max-attempts");
        Field<Duration> backoff = n.duration("initial-backoff");
        if (attempts == null || backoff == null) {
            return null;
        }
        return n.build(() -> new RetrySettings(attempts.value(), backoff.value()), attempts, backoff);
    }

    private CircuitBreakerSettings breaker(Node n) {
        if (n == null) {
            return null;
        }
        Field<Double> rate = n.number("failure-rate-threshold");
        Field<Duration> window = n.duration("window");
        Field<Integer> minimum = n.integer("minimum-queries");
        Field<Duration> openFor = n.duration("open-for");
        if (rate == null || window == null || minimum == null || openFor == null) {
            return null;
        }
        return n.build(() -> new CircuitBreakerSettings(rate.value().floatValue(), window.value(), minimum.value(),
                openFor.value()), rate, window, minimum, openFor);
    }

    private PrometheusAuth auth(Node n) {
        if (n == null) {
            return null;
        }
        int mark = errors.mark();
        Field<String> bearer = n.string("bearer-token-file");
        Field<String> user = n.string("basic-username");
        Field<String> password = n.string("basic-password-file");
        Optional<Path> bearerPath = optionalPath(bearer, errors);
        Optional<Path> passwordPath = optionalPath(password, errors);
        Optional<Path> caPath = optionalPath(n.string("ca-file"), errors);
        if (errors.mark() != mark) {
            return null;
        }
        return n.build(() -> new PrometheusAuth(bearerPath, user.value().trim(), passwordPath, caPath),
                bearer, user, password);
    }

    /** Every header as a string field; the header rules are {@link PrometheusEndpoint}'s. */
    private List<Field<String>> headers(Node n) {
        if (n == null) {
            return null;
        }
        List<Field<String>> headers = new ArrayList<>();
        for (String name : new TreeSet<>(n.keys())) {
            Field<String> value = n.string(name);
            if (value != null) {
                headers.add(value);
            }
        }
        return headers;
    }

    KubernetesSettings kubernetes(Node n) {
        if (n == null) {
            return null;
        }
        int mark = errors.mark();
        Optional<Path> kubeconfig = optionalPath(n.string("kubeconfig"), errors);
        Field<Duration> timeout = n.duration("request-timeout");
        RetrySettings retry = retry(n.child("retry"));
        Field<Boolean> events = n.bool("events");
        LeaderElectionSettings leader = leaderElection(n.child("leader-election"));
        if (errors.mark() != mark) {
            return null;
        }
        return n.build(() -> new KubernetesSettings(kubeconfig, timeout.value(), retry, events.value(), leader), timeout);
    }

    private LeaderElectionSettings leaderElection(Node n) {
        if (n == null) {
            return null;
        }
        int mark = errors.mark();
        Field<Boolean> enabled = n.bool("enabled");
        Field<String> lease = n.string("lease-name");
        Field<String> namespace = n.string("namespace");
        Field<String> identity = n.string("identity");
        Field<Duration> duration = n.duration("lease-duration");
        Field<Duration> renew = n.duration("renew-deadline");
        Field<Duration> retry = n.duration("retry-period");
        if (errors.mark() != mark) {
            return null;
        }
        return n.build(() -> new LeaderElectionSettings(enabled.value(), lease.value().trim(), namespace.value().trim(),
                identity.value().trim(), duration.value(), renew.value(), retry.value()), lease, duration, renew, retry);
    }

    /** The loop block. */
    record Loop(Duration interval, Duration jitter) {
    }

    /** The small top-level keys. */
    record TopLevel(boolean dryRun, int maxActionsPerHour, String decisionLogPath, boolean decisionLogEveryHold,
                    Duration reloadInterval) {
    }

    /** loop.interval and loop.jitter, checked together: jitter must be shorter than the interval. */
    Loop loop(Node n) {
        if (n == null) {
            return null;
        }
        Field<Duration> interval = n.positiveDuration("interval");
        Field<Duration> jitter = n.duration("jitter");
        if (jitter != null && jitter.value().isNegative()) {
            errors.add(jitter, "must be 0s or more");
            return null;
        }
        if (interval == null || jitter == null) {
            return null;
        }
        if (jitter.value().compareTo(interval.value()) >= 0) {
            if (jitter.specificity() > interval.specificity()) {
                // The jitter is reference.conf's and the user only shortened the interval: blaming jitter would point
                // at a file the user never edited, so the error is on the line they wrote, with the default named.
                errors.add(interval, "must be > loop.jitter (" + text(jitter) + ", its default): set loop.jitter"
                        + " below it as well, e.g. loop.jitter = 0s");
            } else {
                errors.add(jitter, "must be < loop.interval (" + text(interval) + ")");
            }
            return null;
        }
        return new Loop(interval.value(), jitter.value());
    }

    /**
     * prometheus.share-window below loop.interval: a target's next tick falls outside the window, so it never
     * reuses its own previous answer. A window of 1h with a 2s loop replayed one answer as current for an hour (no
     * staleness check can see it: the answer is the cached one).
     */
    void shareWindowBelowInterval(Node prometheus, Node loop) {
        if (prometheus == null || loop == null) {
            return;
        }
        Field<Duration> window = prometheus.duration("share-window");
        Field<Duration> interval = loop.duration("interval");
        if (window == null || interval == null || window.value().compareTo(interval.value()) < 0) {
            return;
        }
        if (window.specificity() > interval.specificity()) {
            errors.add(interval, "must be > prometheus.share-window (" + text(window) + ", its default): set"
                    + " prometheus.share-window below it as well, e.g. prometheus.share-window = 0s");
        } else {
            errors.add(window, "must be < loop.interval (" + text(interval) + "): a target's next tick would reuse"
                    + " its own previous answer as current");
        }
    }

    ServerSettings server(Node n) {
        if (n == null) {
            return null;
        }
        int mark = errors.mark();
        Field<Integer> port = n.integer("port");
        Field<String> bind = n.string("bind-address");
        Field<Duration> headerTimeout = n.duration("header-timeout");
        Field<Duration> requestTimeout = n.duration("request-timeout");
        Field<Integer> maxConnections = n.integer("max-connections");
        Field<Integer> perClient = n.integer("max-connections-per-client");
        Field<Integer> maxHeader = n.integer("max-header-bytes");
        Field<Long> maxBuffered = n.bytes("max-buffered-body");
        if (errors.mark() != mark) {
            return null;
        }
        return n.build(() -> new ServerSettings(port.value(), bind.value().trim(), headerTimeout.value(),
                requestTimeout.value(), maxConnections.value(), perClient.value(), maxHeader.value(),
                maxBuffered.value()), port, bind, headerTimeout, requestTimeout, maxConnections, perClient, maxHeader,
                maxBuffered);
    }

    /**
     * The alerts block. A user's {@code routes} list replaces reference.conf's (HOCON lists do not merge),
     * so each of the user's routes falls back key by key on reference.conf's single route.
     */
    AlertsSettings alerts(Node n, ConfigObject referenceRoute) {
        if (n == null) {
            return null;
        }
        int mark = errors.mark();
        Field<Boolean> enabled = n.bool("enabled");
        Optional<Path> token = optionalPath(n.string("bearer-token-file"), errors);
        Field<Integer> step = n.integer("step");
        Field<Duration> cooldown = n.duration("cooldown");
        Field<Duration> carryOver = n.duration("carry-over");
        Field<Duration> forgetAfter = n.duration("forget-after");
        Field<Long> maxBody = n.bytes("max-body");
        Field<Integer> maxHeld = n.integer("max-held");
        Field<Long> maxHeldBytes = n.bytes("max-held-bytes");
        List<AlertRoute> routes = new ArrayList<>();
        List<Field<ConfigValue>> elements = n.list("routes");
        if (elements != null) {
            for (Field<ConfigValue> element : elements) {
                if (element.raw().valueType() != ConfigValueType.OBJECT) {
                    errors.add(element, Node.MUST_BE_OBJECT);
                    continue;
                }
                Node route = Node.of((ConfigObject) element.raw(), element.path(), errors)
                        .withFallback(referenceRoute, "milvus-autoscaler.alerts.routes[0]");
                AlertRoute r = route(route);
                if (r != null) {
                    routes.add(r);
                }
            }
            if (elements.isEmpty() && enabled != null && enabled.value()) {
                errors.add(n.find("routes"), "must have at least one route while alerts.enabled = true");
            }
        }
        if (errors.mark() != mark) {
            return null;
        }
        return n.build(() -> new AlertsSettings(enabled.value(), token, step.value(), cooldown.value(), maxBody.value(),
                routes, maxHeld.value(), maxHeldBytes.value(), carryOver.value(), forgetAfter.value()), step, cooldown,
                carryOver, forgetAfter, maxBody, maxHeld, maxHeldBytes);
    }

    private AlertRoute route(Node n) {
        int mark = errors.mark();
        Map<String, String> match = new TreeMap<>();
        Node matchNode = n.child("match");
        if (matchNode != null) {
            for (String label : new TreeSet<>(matchNode.keys())) {
                Field<String> value = matchNode.string(label);
                if (value != null) {
                    match.put(label, value.value());
                }
            }
        }
        Map<String, Pattern> matchRe = new TreeMap<>();
        Node reNode = n.child("match-re");
        if (reNode != null) {
            for (String label : new TreeSet<>(reNode.keys())) {
                Field<String> value = reNode.string(label);
                if (value == null) {
                    continue;
                }
                try {
                    matchRe.put(label, Pattern.compile(value.value()));
                } catch (PatternSyntaxException e) {
                    errors.add(value, "must be a regular expression (" + e.getDescription() + " at index "
                            + e.getIndex() + ")");
                }
            }
        }
        Field<String> namespace = labelName(n.string("namespace-label"), errors);
        Field<String> name = labelName(n.string("name-label"), errors);
        Field<String> component = labelName(n.string("component-label"), errors);
        Field<String> action = n.string("action");
        AlertAction alertAction = null;
        if (action != null) {
            switch (action.value()) {
                case "scale-out" -> alertAction = AlertAction.SCALE_OUT;
                case "block-scale-in" -> alertAction = AlertAction.BLOCK_SCALE_IN;
                default -> errors.add(action, "must be scale-out or block-scale-in");
            }
        }
        if (errors.mark() != mark) {
            return null;
        }
        return new AlertRoute(match, matchRe, namespace.value(), name.value(), component.value(), alertAction);
    }

    Map<InstallKind, LabelScheme> labelSchemes(Node n) {
        if (n == null) {
            return null;
        }
        int mark = errors.mark();
        Map<InstallKind, LabelScheme> schemes = new EnumMap<>(InstallKind.class);
        for (InstallKind kind : InstallKind.values()) {
            Node scheme = n.child(kind.name().toLowerCase(Locale.ROOT));
            if (scheme == null) {
                continue;
            }
            Field<String> instance = scheme.string("instance-label");
            Field<String> component = scheme.string("component-label");
            if (instance != null && component != null) {
                LabelScheme built = scheme.build(() -> new LabelScheme(instance.value(), component.value()),
                        instance, component);
                if (built != null) {
                    schemes.put(kind, built);
                }
            }
        }
        return errors.mark() == mark ? schemes : null;
    }

    /** The PromQL templates, in reference.conf's order (by line), so output and tests are stable. */
    /** The templates reference.conf splices into the signals' ones, which therefore have no "off" when empty. */
    private static final java.util.Set<String> SPLICED = java.util.Set.of("component-pods", "serving-pods",
            "component-ready", "proxy-pods");

    Map<String, String> queries(Node n, ConfigObject referenceQueries) {
        if (n == null) {
            return null;
        }
        int mark = errors.mark();
        List<String> names = new ArrayList<>(referenceQueries.keySet());
        names.sort(Comparator.comparingInt((String k) -> referenceQueries.get(k).origin().lineNumber())
                .thenComparing(k -> k));
        Map<String, String> queries = new LinkedHashMap<>();
        for (String name : names) {
            Field<String> query = n.string(name);
            if (query != null && query.value().isBlank() && SPLICED.contains(name)) {
                // Empty, the templates built on it read as balanced "max by (...) ()" and Prometheus refused each at
                // run time (config audit L5); a signal's template may be empty while the signal is off, an
                // -undeclared one to turn its check off (TargetReader).
                errors.add(query, "must not be empty: the other templates are built on it (reference.conf splices"
                        + " it into the signals' templates) and doctor queries it");
            } else if (query != null) {
                Optional<String> problem = PromqlPlaceholders.problem(query.value());
                if (problem.isPresent()) {
                    errors.add(query, problem.get());
                } else {
                    queries.put(name, query.value());
                }
            }
        }
        return errors.mark() == mark ? queries : null;
    }

    /** dry-run, max-actions-per-hour and decision-log, the small top-level keys. */
    TopLevel topLevel(Node root) {
        Field<Boolean> dryRun = root.bool("dry-run");
        Field<Integer> budget = atLeast(root.integer("max-actions-per-hour"), 1, errors);
        Node log = root.child("decision-log");
        Field<String> logPath = log == null ? null : log.string("path");
        Field<String> holds = log == null ? null : log.string("holds");
        Boolean everyHold = null;
        if (holds != null) {
            switch (holds.value()) {
                case "all" -> everyHold = true;
                case "changes" -> everyHold = false;
                default -> errors.add(holds, "must be all or changes");
            }
        }
        Node reload = root.child("config-reload");
        Field<Duration> reloadInterval = reload == null ? null : reload.positiveDuration("interval");
        if (dryRun == null || budget == null || logPath == null || everyHold == null || reloadInterval == null) {
            return null;
        }
        return new TopLevel(dryRun.value(), budget.value(), value(logPath).trim(), everyHold, reloadInterval.value());
    }
}
