package io.github.milvusautoscaler.config;

import static io.github.milvusautoscaler.config.Rules.atLeast;
import static io.github.milvusautoscaler.config.Rules.labelName;
import static io.github.milvusautoscaler.config.Rules.nonBlank;
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
import io.github.milvusautoscaler.core.PrometheusAuth;
import java.net.URI;
import java.net.URISyntaxException;
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
 * queries) into records. Each method returns null when its block has an error, after recording all of
 * the block's errors.
 */
final class GlobalReader {

    static final String URL_RULE = "must be an http or https URL such as http://prometheus-operated.monitoring:9090";
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final Errors errors;

    GlobalReader(Errors errors) {
        this.errors = errors;
    }

    PrometheusSettings prometheus(Node n) {
        if (n == null) {
            return null;
        }
        int mark = errors.mark();
        URI url = url(n);
        Field<Duration> timeout = n.positiveDuration("timeout");
        Field<Duration> staleAfter = n.positiveDuration("stale-after");
        Field<Integer> maxSeries = atLeast(n.integer("max-series"), 1, errors);
        Field<Duration> shareWindow = n.positiveDuration("share-window");
        RetrySettings retry = retry(n.child("retry"));
        CircuitBreakerSettings breaker = breaker(n.child("circuit-breaker"));
        PrometheusAuth auth = auth(n.child("auth"));
        Map<String, String> headers = headers(n.child("headers"));
        if (errors.mark() != mark) {
            return null;
        }
        return new PrometheusSettings(url, timeout.value(), staleAfter.value(), maxSeries.value(), shareWindow.value(),
                retry, breaker, auth, headers);
    }

    private URI url(Node n) {
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
        URI uri;
        try {
            uri = new URI(url.value().trim());
        } catch (URISyntaxException e) {
            errors.add(url, URL_RULE);
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            errors.add(url, URL_RULE);
            return null;
        }
        if (uri.getRawUserInfo() != null) {
            errors.add(url, "must not contain credentials: use prometheus.auth (they would reach logs)");
            return null;
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            // The API paths are appended to the URL: a query or fragment would end up before them.
            errors.add(url, "must be the API root without ?query or #fragment (send a tenant with prometheus.headers,"
                    + " e.g. { \"X-Scope-OrgID\" = \"team-a\" })");
            return null;
        }
        return uri;
    }

    RetrySettings retry(Node n) {
        if (n == null) {
            return null;
        }
        Field<Integer> attempts = atLeast(n.integer("max-attempts"), 1, errors);
        Field<Duration> backoff = n.positiveDuration("initial-backoff");
        if (attempts == null || backoff == null) {
            return null;
        }
        return new RetrySettings(attempts.value(), backoff.value());
    }

    private CircuitBreakerSettings breaker(Node n) {
        if (n == null) {
            return null;
        }
        Field<Double> rate = n.number("failure-rate-threshold");
        if (rate != null && !(rate.value() > 0 && rate.value() <= 100)) {
            errors.add(rate, "must be a percentage > 0 and <= 100");
            rate = null;
        }
        Field<Integer> window = atLeast(n.integer("window-size"), 1, errors);
        Field<Duration> openFor = n.positiveDuration("open-for");
        if (rate == null || window == null || openFor == null) {
            return null;
        }
        return new CircuitBreakerSettings(rate.value().floatValue(), window.value(), openFor.value());
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
        if (user != null && password != null) {
            if (!user.value().isBlank() && password.value().isBlank()) {
                errors.add(user, "needs basic-password-file to be set as well");
            } else if (user.value().isBlank() && !password.value().isBlank()) {
                errors.add(password, "needs basic-username to be set as well");
            }
            if (bearer != null && !bearer.value().isBlank() && !user.value().isBlank()) {
                errors.add(bearer, "must be empty when basic-username is set: use one kind of auth");
            }
        }
        if (errors.mark() != mark) {
            return null;
        }
        return new PrometheusAuth(bearerPath, user.value().trim(), passwordPath, caPath);
    }

    private Map<String, String> headers(Node n) {
        if (n == null) {
            return null;
        }
        int mark = errors.mark();
        Map<String, String> headers = new TreeMap<>();
        for (String name : new TreeSet<>(n.keys())) {
            Field<String> value = n.string(name);
            if (value == null) {
                continue;
            }
            if (!HEADER_NAME.matcher(name).matches()) {
                errors.add(value, "must be under a valid HTTP header name (letters, digits, '-')");
            } else if (value.value().contains("\n") || value.value().contains("\r")) {
                errors.add(value, "must be one line");
            } else {
                headers.put(name, value.value());
            }
        }
        return errors.mark() == mark ? headers : null;
    }

    KubernetesSettings kubernetes(Node n) {
        if (n == null) {
            return null;
        }
        int mark = errors.mark();
        Optional<Path> kubeconfig = optionalPath(n.string("kubeconfig"), errors);
        Field<Duration> timeout = n.positiveDuration("request-timeout");
        RetrySettings retry = retry(n.child("retry"));
        Field<Boolean> events = n.bool("events");
        LeaderElectionSettings leader = leaderElection(n.child("leader-election"));
        if (errors.mark() != mark) {
            return null;
        }
        return new KubernetesSettings(kubeconfig, timeout.value(), retry, events.value(), leader);
    }

    private LeaderElectionSettings leaderElection(Node n) {
        if (n == null) {
            return null;
        }
        int mark = errors.mark();
        Field<Boolean> enabled = n.bool("enabled");
        Field<String> lease = nonBlank(n.string("lease-name"), "must be a Lease name such as milvus-autoscaler", errors);
        Field<String> namespace = n.string("namespace");
        Field<String> identity = n.string("identity");
        Field<Duration> duration = n.positiveDuration("lease-duration");
        Field<Duration> renew = n.positiveDuration("renew-deadline");
        Field<Duration> retry = n.positiveDuration("retry-period");
        // A leader must give up writing before its Lease can expire, and must try to renew more than once
        // before giving up, or two replicas could write at once.
        if (duration != null && duration.value().compareTo(Duration.ofSeconds(1)) < 0) {
            errors.add(duration, "must be >= 1s: the Lease holds whole seconds");
        } else if (duration != null && renew != null && renew.value().compareTo(duration.value()) >= 0) {
            errors.add(renew, "must be < lease-duration (" + text(duration) + ")");
        } else if (renew != null && retry != null && retry.value().compareTo(renew.value()) >= 0) {
            errors.add(retry, "must be < renew-deadline (" + text(renew) + ")");
        }
        if (errors.mark() != mark) {
            return null;
        }
        return new LeaderElectionSettings(enabled.value(), lease.value(), namespace.value().trim(),
                identity.value().trim(), duration.value(), renew.value(), retry.value());
    }

    /** The loop block. */
    record Loop(Duration interval, Duration jitter) {
    }

    /** The small top-level keys. */
    record TopLevel(boolean dryRun, int maxActionsPerHour, String decisionLogPath, Duration reloadInterval) {
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
            errors.add(jitter, "must be < loop.interval (" + text(interval) + ")");
            return null;
        }
        return new Loop(interval.value(), jitter.value());
    }

    ServerSettings server(Node n) {
        if (n == null) {
            return null;
        }
        Field<Integer> port = n.integer("port");
        if (port != null && (port.value() < 0 || port.value() > 65535)) {
            errors.add(port, "must be a port number from 0 to 65535 (0: any free port)");
            port = null;
        }
        Field<String> bind = nonBlank(n.string("bind-address"), "must be an address such as 0.0.0.0", errors);
        Field<Duration> headerTimeout = n.positiveDuration("header-timeout");
        Field<Duration> requestTimeout = n.positiveDuration("request-timeout");
        Field<Integer> maxConnections = atLeast(n.integer("max-connections"), 1, errors);
        Field<Integer> perClient = atLeast(n.integer("max-connections-per-client"), 1, errors);
        Field<Integer> maxHeader = atLeast(n.integer("max-header-bytes"), 256, errors);
        Field<Long> maxBuffered = n.bytes("max-buffered-body");
        if (maxBuffered != null && maxBuffered.value() < 0) {
            errors.add(maxBuffered, "must be 0 or more bytes, such as 64KiB");
            maxBuffered = null;
        }
        if (port == null || bind == null || headerTimeout == null || requestTimeout == null || maxConnections == null
                || perClient == null || maxHeader == null || maxBuffered == null) {
            return null;
        }
        return new ServerSettings(port.value(), bind.value().trim(), headerTimeout.value(), requestTimeout.value(),
                maxConnections.value(), perClient.value(), maxHeader.value(), maxBuffered.value());
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
        Field<Integer> step = atLeast(n.integer("step"), 1, errors);
        Field<Duration> cooldown = n.positiveDuration("cooldown");
        Field<Duration> carryOver = n.positiveDuration("carry-over");
        Field<Long> maxBody = n.bytes("max-body");
        if (maxBody != null && maxBody.value() < 1) {
            errors.add(maxBody, "must be at least 1 byte, such as 1MiB");
        }
        Field<Integer> maxHeld = atLeast(n.integer("max-held"), 1, errors);
        Field<Long> maxHeldBytes = n.bytes("max-held-bytes");
        if (maxHeldBytes != null && maxHeldBytes.value() < 1) {
            errors.add(maxHeldBytes, "must be at least 1 byte, such as 4MiB");
        }
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
        return new AlertsSettings(enabled.value(), token, step.value(), cooldown.value(), maxBody.value(), routes,
                maxHeld.value(), maxHeldBytes.value(), carryOver.value());
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
            Field<String> instance = labelName(scheme.string("instance-label"), errors);
            Field<String> component = labelName(scheme.string("component-label"), errors);
            if (instance != null && component != null) {
                schemes.put(kind, new LabelScheme(instance.value(), component.value()));
            }
        }
        return errors.mark() == mark ? schemes : null;
    }

    /** The PromQL templates, in reference.conf's order (by line), so output and tests are stable. */
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
            if (query != null) {
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

    /** dry-run, max-actions-per-hour and decision-log.path, the small top-level keys. */
    TopLevel topLevel(Node root) {
        Field<Boolean> dryRun = root.bool("dry-run");
        Field<Integer> budget = atLeast(root.integer("max-actions-per-hour"), 1, errors);
        Node log = root.child("decision-log");
        Field<String> logPath = log == null ? null : log.string("path");
        Node reload = root.child("config-reload");
        Field<Duration> reloadInterval = reload == null ? null : reload.positiveDuration("interval");
        if (dryRun == null || budget == null || logPath == null || reloadInterval == null) {
            return null;
        }
        return new TopLevel(dryRun.value(), budget.value(), value(logPath).trim(), reloadInterval.value());
    }
}
