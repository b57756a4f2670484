package io.github.milvusautoscaler.config;

import io.github.milvusautoscaler.core.Checks;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every refusal of a bad configuration, each with the exact line an SRE would read. Each case is written
 * so that it breaks exactly one rule, and asserts that exactly that one error comes out: a spurious
 * second error (or a missing one) fails the case.
 */
class ConfigValidationTest {

    private static final String FILE = "autoscaler.conf";
    private static final String P = "milvus-autoscaler.";

    /**
     * One operator cluster; line 4 is install, line 5 milvus-version, line 7 the components' contents.
     */
    static String cluster(String install, String version, String components) {
        return """
                milvus-autoscaler.clusters = [{
                  namespace = milvus
                  name = search
                  install = %s
                  milvus-version = "%s"
                  components {
                    %s
                  }
                }]
                """.formatted(install, version, components);
    }

    static String cluster(String components) {
        return cluster("operator", "2.5", components);
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                // --- hysteresis band ---
                Arguments.of("empty band: scale-in-below above scale-out-above",
                        "milvus-autoscaler.defaults.signals.cpu.scale-in-below = 0.80",
                        P + "defaults.signals.cpu.scale-in-below = 0.80 (autoscaler.conf:1): must be < scale-out-above"
                                + " (0.75): the hysteresis band is empty"),
                // qps band is [80, 150]; the cluster sets scale-out-above = 80 = scale-in-below: blamed on the
                // cluster's key, the more specific one.
                Arguments.of("empty band: equal thresholds, blamed on the more specific side",
                        cluster("queryNode { signals.qps.scale-out-above = 80 }"),
                        P + "clusters[0].components.queryNode.signals.qps.scale-out-above = 80 (autoscaler.conf:7):"
                                + " must be > scale-in-below (80): the hysteresis band is empty"),
                // cpu band [0.40, 0.75]: 0.9 is above scale-out-above.
                Arguments.of("signal target outside its band",
                        "milvus-autoscaler.defaults.signals.cpu.target = 0.9",
                        P + "defaults.signals.cpu.target = 0.9 (autoscaler.conf:1): must be inside the band:"
                                + " > scale-in-below (0.40) and <= scale-out-above (0.75)"),

                // --- replica bounds ---
                Arguments.of("min-replicas below 1",
                        "milvus-autoscaler.defaults.min-replicas = 0",
                        P + "defaults.min-replicas = 0 (autoscaler.conf:1): must be >= 1"),
                // min 2 comes from component-defaults (layer 1), max 0 from the cluster (layer 0): blame max.
                Arguments.of("max-replicas below min-replicas (the documented example)",
                        """
                        milvus-autoscaler {
                          component-defaults {
                            queryNode { min-replicas = 2 }
                          }
                          clusters = [
                            {
                              namespace = milvus
                              name = search
                              install = operator
                              milvus-version = "2.5"
                              components {
                                queryNode { max-replicas = 0 }
                              }
                            }
                          ]
                        }
                        """,
                        P + "clusters[0].components.queryNode.max-replicas = 0 (autoscaler.conf:12): must be >="
                                + " min-replicas (2, " + P + "component-defaults.queryNode.min-replicas at"
                                + " autoscaler.conf:3)"),
                // max 10 is reference.conf's; the user changed min in the same layer, so min is blamed.
                Arguments.of("min-replicas above the default max-replicas",
                        "milvus-autoscaler.defaults.min-replicas = 11",
                        P + "defaults.min-replicas = 11 (autoscaler.conf:1): must be <= max-replicas (10)"),

                // --- components ---
                Arguments.of("coordinator component in a cluster",
                        cluster("queryCoord {}"),
                        P + "clusters[0].components.queryCoord = {...} (autoscaler.conf:7): must be a worker component"
                                + " (queryNode, dataNode, indexNode, proxy, streamingNode): Milvus scales worker nodes"
                                + " only, never coordinators"),
                Arguments.of("coordinator component in component-defaults",
                        "milvus-autoscaler.component-defaults.mixCoord { max-replicas = 3 }",
                        P + "component-defaults.mixCoord = {...} (autoscaler.conf:1): must be a worker component"
                                + " (queryNode, dataNode, indexNode, proxy, streamingNode): Milvus scales worker nodes"
                                + " only, never coordinators"),
                Arguments.of("indexNode on Milvus 2.6",
                        cluster("operator", "2.6.0", "indexNode {}"),
                        P + "clusters[0].components.indexNode = {...} (autoscaler.conf:7): must not be set for"
                                + " milvus-version 2.6 or later: indexNode is merged into dataNode there, so scale"
                                + " dataNode (with signals.index-backlog.enabled = true on dataNode for the index"
                                + " builds)"),
                Arguments.of("streamingNode before Milvus 2.6",
                        cluster("helm", "2.5", "streamingNode {}"),
                        P + "clusters[0].components.streamingNode = {...} (autoscaler.conf:7): must not be set before"
                                + " milvus-version 2.6: streamingNode exists from Milvus 2.6"),
                Arguments.of("component name in the wrong case",
                        cluster("querynode {}"),
                        P + "clusters[0].components.querynode = {...} (autoscaler.conf:7): must be a worker component"
                                + " (did you mean queryNode?)"),
                Arguments.of("cluster with an empty components block",
                        cluster(""),
                        P + "clusters[0].components = {...} (autoscaler.conf:6): must name at least one worker"
                                + " component, e.g. components { queryNode {} }"),
                Arguments.of("cluster without components",
                        "milvus-autoscaler.clusters = [{ namespace = milvus, name = search, install = helm,"
                                + " milvus-version = \"2.5\" }]",
                        P + "clusters[0].components = <missing> (autoscaler.conf:1): must name at least one worker"
                                + " component, e.g. components { queryNode {} }"),

                // --- unknown keys ---
                Arguments.of("typo in a nested key",
                        "milvus-autoscaler.defaults.scale-in.sustian = 30m",
                        P + "defaults.scale-in.sustian = \"30m\" (autoscaler.conf:1): must be a known key (did you"
                                + " mean sustain?)"),
                Arguments.of("typo at the top of milvus-autoscaler",
                        "milvus-autoscaler.dryrun = true",
                        P + "dryrun = true (autoscaler.conf:1): must be a known key (did you mean dry-run?)"),
                Arguments.of("typo inside a built-in signal",
                        "milvus-autoscaler.defaults.signals.cpu.scale-out-abvoe = 0.9",
                        P + "defaults.signals.cpu.scale-out-abvoe = 0.9 (autoscaler.conf:1): must be a known key (did"
                                + " you mean scale-out-above?)"),
                Arguments.of("camelCase key in a cluster's component",
                        cluster("queryNode { maxReplicas = 3 }"),
                        P + "clusters[0].components.queryNode.maxReplicas = 3 (autoscaler.conf:7): must be a known key"
                                + " (did you mean max-replicas?)"),
                Arguments.of("unknown key in a cluster element",
                        "milvus-autoscaler.clusters = [{ namespace = milvus, name = search, install = helm,"
                                + " milvus-version = \"2.5\", replicas = 3, components { proxy {} } }]",
                        P + "clusters[0].replicas = 3 (autoscaler.conf:1): must be a known key: one of components,"
                                + " fullname-override, install, milvus-version, name, name-override, namespace"),
                Arguments.of("root that is not an object",
                        "milvus-autoscaler = 5",
                        "milvus-autoscaler = 5 (autoscaler.conf:1): must be an object { ... }"),
                Arguments.of("misspelled root",
                        "milvus-autoscalar { dry-run = true }",
                        "milvus-autoscalar = {...} (autoscaler.conf:1): must be a known key (did you mean"
                                + " milvus-autoscaler?)"),

                // --- signals of one's own ---
                Arguments.of("new signal without a query",
                        """
                        milvus-autoscaler.defaults.signals.gpu {
                          scale-out-above = 0.8
                          scale-in-below = 0.3
                        }
                        """,
                        P + "defaults.signals.gpu.query = <missing> (autoscaler.conf:1): must be set: gpu is not a"
                                + " built-in signal, so there is no template for it in milvus-autoscaler.queries"),
                Arguments.of("new signal without scale-in-below",
                        """
                        milvus-autoscaler.defaults.signals.gpu {
                          scale-out-above = 0.8
                          query = "avg(gpu_util)"
                        }
                        """,
                        P + "defaults.signals.gpu.scale-in-below = <missing> (autoscaler.conf:1): must be set: gpu is"
                                + " not a built-in signal, so it needs scale-out-above, scale-in-below and query"),
                Arguments.of("every signal of a component disabled",
                        "milvus-autoscaler.component-defaults.proxy.signals { cpu.enabled = false, qps.enabled = false }",
                        P + "component-defaults.proxy.signals = {...} (autoscaler.conf:1): must enable at least one"
                                + " signal"),
                Arguments.of("template emptied while its signal is enabled",
                        "milvus-autoscaler.queries.cpu = \"\"",
                        P + "queries.cpu = \"\" (autoscaler.conf:1): must not be empty while signal cpu is enabled"
                                + " without its own query"),

                // --- durations ---
                Arguments.of("zero duration",
                        "milvus-autoscaler.defaults.scale-out.cooldown = 0s",
                        P + "defaults.scale-out.cooldown = \"0s\" (autoscaler.conf:1): must be a positive duration, such"
                                + " as 30s or 5m"),
                Arguments.of("negative duration",
                        "milvus-autoscaler.defaults.scale-in.verify-window = -5m",
                        P + "defaults.scale-in.verify-window = \"-5m\" (autoscaler.conf:1): must be a positive duration,"
                                + " such as 30s or 5m"),
                // HOCON would read a bare 5 as 5 milliseconds.
                Arguments.of("duration without a unit",
                        "milvus-autoscaler.prometheus.timeout = 5",
                        P + "prometheus.timeout = 5 (autoscaler.conf:1): must be a duration with a unit, such as 30s"
                                + " or 5m"),
                Arguments.of("jitter not shorter than the loop interval",
                        "milvus-autoscaler.loop.jitter = 15s",
                        P + "loop.jitter = \"15s\" (autoscaler.conf:1): must be < loop.interval (15s)"),
                // Only the interval written: the error is on the user's line, not on reference.conf's jitter.
                Arguments.of("loop interval not longer than the default jitter",
                        "milvus-autoscaler.loop.interval = 2s",
                        P + "loop.interval = \"2s\" (autoscaler.conf:1): must be > loop.jitter (2s, its default): set"
                                + " loop.jitter below it as well, e.g. loop.jitter = 0s"),
                Arguments.of("renew deadline not shorter than the lease",
                        "milvus-autoscaler.kubernetes.leader-election.renew-deadline = 20s",
                        P + "kubernetes.leader-election.renew-deadline = \"20s\" (autoscaler.conf:1): must be <"
                                + " lease-duration (15s)"),
                Arguments.of("lease shorter than the second a Lease can hold",
                        "milvus-autoscaler.kubernetes.leader-election { lease-duration = 500ms, renew-deadline = 300ms,"
                                + " retry-period = 100ms }",
                        P + "kubernetes.leader-election.lease-duration = \"500ms\" (autoscaler.conf:1): must be >= 1s:"
                                + " the Lease holds whole seconds"),

                // The share window must end before a target's next tick, or it replays its own answer (config audit H1).
                Arguments.of("share window not shorter than the loop interval",
                        "milvus-autoscaler.prometheus.share-window = 15s",
                        P + "prometheus.share-window = \"15s\" (autoscaler.conf:1): must be < loop.interval (15s): a"
                                + " target's next tick would reuse its own previous answer as current"),
                Arguments.of("loop interval not longer than the default share window",
                        "milvus-autoscaler.loop { interval = 5s, jitter = 0s }",
                        P + "loop.interval = \"5s\" (autoscaler.conf:1): must be > prometheus.share-window (5s, its"
                                + " default): set prometheus.share-window below it as well, e.g."
                                + " prometheus.share-window = 0s"),
                // Timers count whole milliseconds: 500us was 0, a busy loop or a timeout at once (config audit M1).
                Arguments.of("duration under a millisecond",
                        "milvus-autoscaler.config-reload.interval = 500us",
                        P + "config-reload.interval = \"500us\" (autoscaler.conf:1): " + Checks.AT_LEAST_A_MILLISECOND),
                Arguments.of("a timeout OkHttp refuses",
                        "milvus-autoscaler.prometheus.timeout = 30d",
                        P + "prometheus.timeout = \"30d\" (autoscaler.conf:1): must be at most 24d (an HTTP client"
                                + " timeout counts milliseconds in an int), such as 10s"),
                // Every query to a Prometheus that was up timed out, and the commands said it "cannot be reached"
                // (recheck 113, F3).
                Arguments.of("a Prometheus timeout no answer meets",
                        "milvus-autoscaler.prometheus.timeout = 1ms",
                        P + "prometheus.timeout = \"1ms\" (autoscaler.conf:1): must be at least 100ms: every query to a"
                                + " Prometheus that is up would time out, and every signal read UNKNOWN"),
                Arguments.of("a Kubernetes timeout OkHttp refuses",
                        "milvus-autoscaler.kubernetes.request-timeout = 30d",
                        P + "kubernetes.request-timeout = \"30d\" (autoscaler.conf:1): must be at most 24d (an HTTP"
                                + " client timeout counts milliseconds in an int), such as 10s"),
                Arguments.of("a negative share of the replicas per scale-out",
                        "milvus-autoscaler.defaults.scale-out.max-step-share = -0.25",
                        P + "defaults.scale-out.max-step-share = -0.25 (autoscaler.conf:1): must be from 0 to 10 (a"
                                + " share of the current replicas, such as 0.25; 0 leaves max-step alone)"),
                // The API server answers 422 to such names: no replica would ever lead (config audit M6).
                Arguments.of("a Lease name Kubernetes refuses",
                        "milvus-autoscaler.kubernetes.leader-election.lease-name = \"Bad_Name!\"",
                        P + "kubernetes.leader-election.lease-name = \"Bad_Name!\" (autoscaler.conf:1): must be a Lease"
                                + " name such as milvus-autoscaler (lower-case letters, digits, '-' and '.', at most 253)"),
                Arguments.of("a Lease namespace Kubernetes refuses",
                        "milvus-autoscaler.kubernetes.leader-election.namespace = \"Bad NS\"",
                        P + "kubernetes.leader-election.namespace = \"Bad NS\" (autoscaler.conf:1): must be a namespace"
                                + " name such as milvus-autoscaler (lower-case letters, digits and '-', at most 63), or"
                                + " empty for the pod's own"),
                Arguments.of("a duration too long to hold",
                        "milvus-autoscaler.defaults.scale-in.sustain = 100000000d",
                        P + "defaults.scale-in.sustain = \"100000000d\" (autoscaler.conf:1): must be at most 106751d (292"
                                + " years): a longer duration cannot be held"),
                Arguments.of("a scheduled floor above max-replicas",
                        "milvus-autoscaler.defaults.scheduled = [{ days = Mon-Fri, from = \"08:00\", to = \"18:00\","
                                + " time-zone = UTC, min-replicas = 50 }]",
                        P + "defaults.scheduled[0].min-replicas = 50 (autoscaler.conf:1): must be <= max-replicas (10)"),
                Arguments.of("a negative size",
                        "milvus-autoscaler.server.max-buffered-body = -1",
                        P + "server.max-buffered-body = -1 (autoscaler.conf:1): must be 0 or more bytes, such as 1MiB"),
                Arguments.of("a whole number too large for its key",
                        "milvus-autoscaler.prometheus.max-series = 99999999999",
                        P + "prometheus.max-series = 99999999999 (autoscaler.conf:1): must be a whole number from"
                                + " -2147483648 to 2147483647"),
                Arguments.of("circuit-breaker window too large to hold",
                        "milvus-autoscaler.prometheus.circuit-breaker.window = 30d",
                        P + "prometheus.circuit-breaker.window = \"30d\" (autoscaler.conf:1): must be whole seconds from 1s"
                                + " to 10m (one bucket per second is held in memory), such as 1m"),
                Arguments.of("circuit-breaker window of a fraction of a second",
                        "milvus-autoscaler.prometheus.circuit-breaker.window = 1500ms",
                        P + "prometheus.circuit-breaker.window = \"1500ms\" (autoscaler.conf:1): must be whole seconds"
                                + " from 1s to 10m (one bucket per second is held in memory), such as 1m"),
                Arguments.of("circuit-breaker minimum over its bound",
                        "milvus-autoscaler.prometheus.circuit-breaker.minimum-queries = 1000000",
                        P + "prometheus.circuit-breaker.minimum-queries = 1000000 (autoscaler.conf:1): must be from 1"
                                + " to 1000 queries, such as 10"),
                Arguments.of("the count window's old key",
                        "milvus-autoscaler.prometheus.circuit-breaker.window-size = 20",
                        P + "prometheus.circuit-breaker.window-size = 20 (autoscaler.conf:1): must be a known key: the"
                                + " circuit breaker's window-size (a count of queries) is replaced by window (a time, such"
                                + " as 1m) and minimum-queries (such as 10), so that one namespace's failing queries cannot"
                                + " fill the window"),
                Arguments.of("forecast history step under a second",
                        "milvus-autoscaler.defaults.forecast.history-step = 500ms",
                        P + "defaults.forecast.history-step = \"500ms\" (autoscaler.conf:1): must be whole seconds,"
                                + " at least 1s, such as 5m"),
                Arguments.of("Prometheus URL port out of range",
                        "milvus-autoscaler.prometheus.url = \"http://127.0.0.1:99999\"",
                        P + "prometheus.url = \"http://127.0.0.1:99999\" (autoscaler.conf:1): must have a port from 1"
                                + " to 65535"),
                Arguments.of("Prometheus URL with an empty port",
                        "milvus-autoscaler.prometheus.url = \"http://127.0.0.1:/\"",
                        P + "prometheus.url = \"http://127.0.0.1:/\" (autoscaler.conf:1): " + GlobalReader.URL_RULE),
                Arguments.of("Prometheus URL with a percent in the host",
                        "milvus-autoscaler.prometheus.url = \"http://%zz:9090\"",
                        P + "prometheus.url = \"http://%zz:9090\" (autoscaler.conf:1): " + GlobalReader.URL_RULE),
                Arguments.of("header value the HTTP client refuses",
                        "milvus-autoscaler.prometheus.headers { X-Scope-OrgID = \"t\u00e9am\" }",
                        // A header value may be a secret: the line never shows it.
                        P + "prometheus.headers.X-Scope-OrgID = \"<redacted>\" (autoscaler.conf:1): must be printable"
                                + " ASCII (the HTTP client refuses other characters in a header value)"),

                // --- Prometheus ---
                Arguments.of("empty Prometheus URL",
                        "milvus-autoscaler.prometheus.url = \"\"",
                        P + "prometheus.url = \"\" (autoscaler.conf:1): " + GlobalReader.URL_RULE),
                Arguments.of("null Prometheus URL",
                        "milvus-autoscaler.prometheus.url = null",
                        P + "prometheus.url = null (autoscaler.conf:1): " + GlobalReader.URL_RULE),
                Arguments.of("Prometheus URL not http",
                        "milvus-autoscaler.prometheus.url = \"ftp://prometheus:9090\"",
                        P + "prometheus.url = \"ftp://prometheus:9090\" (autoscaler.conf:1): " + GlobalReader.URL_RULE),
                Arguments.of("Prometheus URL without a scheme",
                        "milvus-autoscaler.prometheus.url = \"prometheus:9090\"",
                        P + "prometheus.url = \"prometheus:9090\" (autoscaler.conf:1): " + GlobalReader.URL_RULE),
                Arguments.of("Prometheus URL with a space in the host",
                        "milvus-autoscaler.prometheus.url = \"http://prom etheus:9090\"",
                        P + "prometheus.url = \"http://prom etheus:9090\" (autoscaler.conf:1): " + GlobalReader.URL_RULE),
                Arguments.of("Prometheus URL without a host",
                        "milvus-autoscaler.prometheus.url = \"http:///api\"",
                        P + "prometheus.url = \"http:///api\" (autoscaler.conf:1): " + GlobalReader.URL_RULE),
                // The password never appears in the error line.
                Arguments.of("Prometheus URL with credentials",
                        "milvus-autoscaler.prometheus.url = \"http://admin:s3cret@prometheus:9090\"",
                        P + "prometheus.url = \"http://<redacted>@prometheus:9090\" (autoscaler.conf:1): must not"
                                + " contain credentials: use prometheus.auth (they would reach logs)"),
                // A typo (http:///) puts the user-info in the path; it is still masked there.
                Arguments.of("Prometheus URL with credentials after an empty authority",
                        "milvus-autoscaler.prometheus.url = \"http:///admin:S3CRETPW@127.0.0.1:9\"",
                        P + "prometheus.url = \"http:///<redacted>@127.0.0.1:9\" (autoscaler.conf:1): "
                                + GlobalReader.URL_RULE),
                // A token in the query string never appears either (the URL is refused for the query itself).
                Arguments.of("Prometheus URL with a token in its query",
                        "milvus-autoscaler.prometheus.url = \"http://prometheus:9090/?access_token=SECRET-TOKEN-123\"",
                        P + "prometheus.url = \"http://prometheus:9090/?<redacted>\" (autoscaler.conf:1): must be the"
                                + " API root without ?query or #fragment (send a tenant with prometheus.headers, e.g."
                                + " { \"X-Scope-OrgID\" = \"team-a\" })"),
                // HPA's averageUtilization is written in percent; a cpu band so written would never read HIGH.
                Arguments.of("cpu band in percent",
                        "milvus-autoscaler.defaults.signals.cpu { scale-out-above = 75, scale-in-below = 40 }",
                        P + "defaults.signals.cpu.scale-out-above = 75 (autoscaler.conf:1): must be <= 1: cpu is a"
                                + " fraction of the CPU request (0.75 is 75%)"),
                Arguments.of("basic-auth user without a password file",
                        "milvus-autoscaler.prometheus.auth.basic-username = reader",
                        P + "prometheus.auth.basic-username = \"reader\" (autoscaler.conf:1): needs basic-password-file"
                                + " to be set as well"),
                // A secret written inline under a key of its own making is never echoed (recheck 16, finding 2).
                Arguments.of("inline bearer token under prometheus.auth",
                        "milvus-autoscaler.prometheus.auth.bearer-token = \"PROMTOKEN-inline-1111\"",
                        P + "prometheus.auth.bearer-token = \"<redacted>\" (autoscaler.conf:1): must be a known key (did"
                                + " you mean bearer-token-file? it names a file holding the secret, which is never"
                                + " written in the config)"),
                Arguments.of("inline password under prometheus.auth",
                        "milvus-autoscaler.prometheus.auth.basic-password = \"BASICPW-inline-2222\"",
                        P + "prometheus.auth.basic-password = \"<redacted>\" (autoscaler.conf:1): must be a known key"
                                + " (did you mean basic-password-file? it names a file holding the secret, which is"
                                + " never written in the config)"),
                Arguments.of("inline token under alerts",
                        "milvus-autoscaler.alerts.bearer-token = \"ALERTTOKEN-inline-3333\"",
                        P + "alerts.bearer-token = \"<redacted>\" (autoscaler.conf:1): must be a known key (did you"
                                + " mean bearer-token-file? it names a file holding the secret, which is never written"
                                + " in the config)"),
                Arguments.of("header value is redacted",
                        "milvus-autoscaler.prometheus.headers { Authorization = [ \"Bearer abc\" ] }",
                        P + "prometheus.headers.Authorization = \"<redacted>\" (autoscaler.conf:1): must be a string"),
                // validate-config used to accept these; only the metrics adapter's own copy of the rules refused them at run.
                Arguments.of("Authorization header beside prometheus.auth",
                        "milvus-autoscaler.prometheus { auth.bearer-token-file = \"/t\", headers { Authorization = \"x\" } }",
                        P + "prometheus.headers.Authorization = \"<redacted>\" (autoscaler.conf:1): conflicts with"
                                + " prometheus.auth: configure one of them"),
                Arguments.of("retry back-off under the 1ms resilience4j can wait",
                        "milvus-autoscaler.prometheus.retry.initial-backoff = 500us",
                        P + "prometheus.retry.initial-backoff = \"500us\" (autoscaler.conf:1): must be at least 1ms,"
                                + " such as 200ms"),

                // --- clusters ---
                Arguments.of("two clusters with the same namespace, name and install",
                        """
                        milvus-autoscaler.clusters = [
                          { namespace = milvus, name = search, install = helm, milvus-version = "2.5", components { proxy {} } }
                          { namespace = milvus, name = search, install = helm, milvus-version = "2.5", components { dataNode {} } }
                        ]
                        """,
                        P + "clusters[1].name = \"search\" (autoscaler.conf:3): must be unique: clusters[0] has the same"
                                + " namespace (milvus), name and install (helm)"),
                // Two entries reaching one Deployment by the chart's names (milvus-helm _helpers.tpl milvus.fullname:
                // a fullnameOverride wins; the operator names its Deployments <name>-milvus-<component>) scaled it
                // against each other (recheck 43, F1). A Helm release and an operator Milvus both named "milvus" do not
                // (milvus-querynode and milvus-milvus-querynode: AlertRoutingTest); both named "h2" do.
                Arguments.of("a fullname-override that reaches another entry's Deployment",
                        """
                        milvus-autoscaler.clusters = [
                          { namespace = milvus, name = h2, install = helm, milvus-version = "2.5", components { queryNode {} } }
                          { namespace = milvus, name = h2b, install = helm, milvus-version = "2.5", fullname-override = h2-milvus, components { queryNode {}, proxy {} } }
                        ]
                        """,
                        P + "clusters[1].components.queryNode = {...} (autoscaler.conf:3): reaches Deployment"
                                + " milvus/h2-milvus-querynode as " + P + "clusters[0].components.queryNode"
                                + " (autoscaler.conf:2) does: two entries for one component scale it against each other,"
                                + " each reading the other's writes as changes by hand; keep one"),
                Arguments.of("a Helm fullname that is an operator Milvus' Deployment name",
                        """
                        milvus-autoscaler.clusters = [
                          { namespace = milvus, name = op, install = operator, milvus-version = "2.5", components { proxy {} } }
                          { namespace = milvus, name = op-milvus, install = helm, milvus-version = "2.5", components { proxy {} } }
                        ]
                        """,
                        P + "clusters[1].components.proxy = {...} (autoscaler.conf:3): reaches Deployment"
                                + " milvus/op-milvus-proxy as " + P + "clusters[0].components.proxy"
                                + " (autoscaler.conf:2) does: two entries for one component scale it against each other,"
                                + " each reading the other's writes as changes by hand; keep one"),
                Arguments.of("a Helm release and an operator Milvus named h2 in one namespace",
                        """
                        milvus-autoscaler.clusters = [
                          { namespace = milvus, name = h2, install = operator, milvus-version = "2.5", components { dataNode {} } }
                          { namespace = milvus, name = h2, install = helm, milvus-version = "2.5", components { dataNode {} } }
                        ]
                        """,
                        P + "clusters[1].components.dataNode = {...} (autoscaler.conf:3): reaches Deployment"
                                + " milvus/h2-milvus-datanode as " + P + "clusters[0].components.dataNode"
                                + " (autoscaler.conf:2) does: two entries for one component scale it against each other,"
                                + " each reading the other's writes as changes by hand; keep one"),
                Arguments.of("install neither operator nor helm",
                        cluster("kubectl", "2.5", "proxy {}"),
                        P + "clusters[0].install = \"kubectl\" (autoscaler.conf:4): must be operator or helm"),
                Arguments.of("cluster without install",
                        "milvus-autoscaler.clusters = [{ namespace = milvus, name = search, milvus-version = \"2.5\","
                                + " components { proxy {} } }]",
                        P + "clusters[0].install = <missing> (autoscaler.conf:1): must be set"),
                Arguments.of("milvus-version that is not a version",
                        cluster("operator", "latest", "proxy {}"),
                        P + "clusters[0].milvus-version = \"latest\" (autoscaler.conf:5): must be a Milvus version such"
                                + " as \"2.5\" or \"2.5.5\""),
                Arguments.of("namespace that Kubernetes would refuse",
                        "milvus-autoscaler.clusters = [{ namespace = Milvus_Prod, name = search, install = helm,"
                                + " milvus-version = \"2.5\", components { proxy {} } }]",
                        P + "clusters[0].namespace = \"Milvus_Prod\" (autoscaler.conf:1): must be a Kubernetes"
                                + " namespace: lower-case letters, digits and '-', at most 63"),
                Arguments.of("clusters written as an object",
                        "milvus-autoscaler.clusters { search { namespace = milvus } }",
                        P + "clusters = {...} (autoscaler.conf:1): must be a list [ ... ]"),

                // --- wrong types ---
                Arguments.of("string where a whole number is expected",
                        "milvus-autoscaler.defaults.max-replicas = ten",
                        P + "defaults.max-replicas = \"ten\" (autoscaler.conf:1): must be a whole number"),
                // Typesafe's getInt would silently truncate 2.5 to 2.
                Arguments.of("fraction where a whole number is expected",
                        "milvus-autoscaler.defaults.max-replicas = 2.5",
                        P + "defaults.max-replicas = 2.5 (autoscaler.conf:1): must be a whole number"),
                Arguments.of("object where a number is expected",
                        "milvus-autoscaler.defaults.signals.cpu.scale-out-above { value = 1 }",
                        P + "defaults.signals.cpu.scale-out-above = {...} (autoscaler.conf:1): must be a number"),
                Arguments.of("number where an object is expected",
                        "milvus-autoscaler.defaults.scale-out = 5",
                        P + "defaults.scale-out = 5 (autoscaler.conf:1): must be an object { ... }"),
                Arguments.of("word where a boolean is expected",
                        "milvus-autoscaler.dry-run = maybe",
                        P + "dry-run = \"maybe\" (autoscaler.conf:1): must be true or false"),

                // --- limits ---
                Arguments.of("max-step below 1",
                        "milvus-autoscaler.defaults.scale-out.max-step = 0",
                        P + "defaults.scale-out.max-step = 0 (autoscaler.conf:1): must be >= 1"),
                Arguments.of("panic-above not above 1",
                        "milvus-autoscaler.defaults.scale-out.panic-above = 1.0",
                        P + "defaults.scale-out.panic-above = 1.0 (autoscaler.conf:1): must be > 1 (a multiple of"
                                + " scale-out-above, e.g. 1.5)"),
                Arguments.of("fallback mode misspelled",
                        "milvus-autoscaler.defaults.fallback.mode = scaleout",
                        P + "defaults.fallback.mode = \"scaleout\" (autoscaler.conf:1): must be hold or scale-out"),
                // max-replicas is 10 by default, so a scale-out fallback to 20 could never be reached.
                Arguments.of("scale-out fallback above max-replicas",
                        "milvus-autoscaler.defaults.fallback { mode = scale-out, replicas = 20 }",
                        P + "defaults.fallback.replicas = 20 (autoscaler.conf:1): must be <= max-replicas (10) when"
                                + " mode = scale-out"),
                Arguments.of("decision-log holds misspelled",
                        "milvus-autoscaler.decision-log.holds = changed",
                        P + "decision-log.holds = \"changed\" (autoscaler.conf:1): must be all or changes"),
                Arguments.of("action budget of zero",
                        "milvus-autoscaler.max-actions-per-hour = 0",
                        P + "max-actions-per-hour = 0 (autoscaler.conf:1): must be >= 1"),
                Arguments.of("port out of range",
                        "milvus-autoscaler.server.port = 70000",
                        P + "server.port = 70000 (autoscaler.conf:1): must be a port number from 0 to 65535 (0: any"
                                + " free port)"),
                // Used to pass here and fail only at run's bind with exit 1.
                Arguments.of("bind address that is no address or host name",
                        "milvus-autoscaler.server.bind-address = \"not a host!\"",
                        P + "server.bind-address = \"not a host!\" (autoscaler.conf:1): must be an IP address or a"
                                + " host name, such as 0.0.0.0, 127.0.0.1, :: or localhost"),
                Arguments.of("bind address that is an IPv4 address out of range",
                        "milvus-autoscaler.server.bind-address = \"10.0.0.300\"",
                        P + "server.bind-address = \"10.0.0.300\" (autoscaler.conf:1): must be an IP address or a"
                                + " host name, such as 0.0.0.0, 127.0.0.1, :: or localhost"),
                Arguments.of("fullname-override on an operator install",
                        "milvus-autoscaler.clusters = [{ namespace = m, name = x, install = operator,"
                                + " milvus-version = \"2.5.5\", fullname-override = search, components { proxy {} } }]",
                        P + "clusters[0].fullname-override = \"search\" (autoscaler.conf:1): applies to install = helm only"
                                + " (the operator names Deployments <name>-milvus-<component>)"),
                Arguments.of("name-override on an operator install",
                        "milvus-autoscaler.clusters = [{ namespace = m, name = x, install = operator,"
                                + " milvus-version = \"2.5.5\", name-override = vdb, components { proxy {} } }]",
                        P + "clusters[0].name-override = \"vdb\" (autoscaler.conf:1): applies to install = helm only"
                                + " (the operator names Deployments <name>-milvus-<component>)"),
                Arguments.of("name-override that is no Kubernetes name",
                        "milvus-autoscaler.clusters = [{ namespace = m, name = x, install = helm,"
                                + " milvus-version = \"2.5.5\", name-override = \"Vector_DB\", components { proxy {} } }]",
                        P + "clusters[0].name-override = \"Vector_DB\" (autoscaler.conf:1): must be the chart's"
                                + " nameOverride: lower-case letters, digits, '-' and '.'"),
                Arguments.of("fullname-override that is no Kubernetes name",
                        "milvus-autoscaler.clusters = [{ namespace = m, name = x, install = helm,"
                                + " milvus-version = \"2.5.5\", fullname-override = \"Search_DB\", components { proxy {} } }]",
                        P + "clusters[0].fullname-override = \"Search_DB\" (autoscaler.conf:1): must be the chart's"
                                + " fullnameOverride: lower-case letters, digits, '-' and '.'"),

                // --- alerts ---
                Arguments.of("alert route action misspelled",
                        "milvus-autoscaler.alerts.routes = [{ action = scale }]",
                        P + "alerts.routes[0].action = \"scale\" (autoscaler.conf:1): must be scale-out or"
                                + " block-scale-in"),
                Arguments.of("alert route regular expression that does not compile",
                        "milvus-autoscaler.alerts.routes = [{ match-re { severity = \"crit(\" } }]",
                        P + "alerts.routes[0].match-re.severity = \"crit(\" (autoscaler.conf:1): must be a regular"
                                + " expression (Unclosed group at index 5)"),
                Arguments.of("alerts forgotten at once",
                        "milvus-autoscaler.alerts.forget-after = 0s",
                        P + "alerts.forget-after = \"0s\" (autoscaler.conf:1): must be a positive duration, such as 30s"
                                + " or 5m"),
                Arguments.of("alerts enabled without routes",
                        "milvus-autoscaler.alerts.routes = []",
                        P + "alerts.routes = [...] (autoscaler.conf:1): must have at least one route while"
                                + " alerts.enabled = true"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void refusesWithExactlyTheExpectedErrorLine(String name, String hocon, String expected) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.parse(hocon, FILE));
        assertEquals(List.of(expected), e.errors().stream().map(ConfigError::toString).toList());
        assertEquals(expected, e.getMessage());
    }

    /**
     * The bind address is checked for its form only: a well-formed name that does not resolve, or an address of
     * another machine, is left to run's bind (exit 1), where the machine's network is known.
     */
    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"0.0.0.0", "127.0.0.1", "192.0.2.1", "::", "::1",
        "[::1]", "fe80::1%eth0", "2001:db8:0:0:0:0:0:1", "::ffff:10.0.0.1", "localhost", "milvus-autoscaler",
        "no-such-host.invalid", "pod-0.svc.cluster.local."})
    void acceptsEveryWellFormedBindAddress(String address) {
        assertEquals(address, ConfigLoader.parse("milvus-autoscaler.server.bind-address = \"" + address + "\"", FILE)
                .server().bindAddress());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "host name", "-lead.example", "a..b", "under_score",
        "1.2.3", "256.0.0.1", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "[::1", "0.0.0.0:8080"})
    void refusesABindAddressOfNoForm(String address) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.parse(
                "milvus-autoscaler.server.bind-address = \"" + address + "\"", FILE));
        assertEquals(List.of(P + "server.bind-address"), e.errors().stream().map(ConfigError::path).toList());
    }

    @Test
    void reportsEveryErrorOfOneFileInLineOrder() {
        String hocon = """
                milvus-autoscaler {
                  prometheus.url = "ftp://prometheus"
                  defaults {
                    min-replicas = 0
                    scale-in { sustian = 5m }
                    signals.memory.scale-in-below = 0.9
                  }
                  clusters = [
                    { namespace = milvus, name = search, install = operator, milvus-version = "2.6",
                      components { indexNode {}, rootCoord {}, queryNode { max-replicas = ten } } }
                    { namespace = milvus, name = search, install = helmm, milvus-version = "2.5", components {} }
                  ]
                }
                """;
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.parse(hocon, FILE));
        assertEquals(List.of(
                P + "prometheus.url = \"ftp://prometheus\" (autoscaler.conf:2): " + GlobalReader.URL_RULE,
                P + "defaults.min-replicas = 0 (autoscaler.conf:4): must be >= 1",
                P + "defaults.scale-in.sustian = \"5m\" (autoscaler.conf:5): must be a known key (did you mean sustain?)",
                P + "defaults.signals.memory.scale-in-below = 0.9 (autoscaler.conf:6): must be < scale-out-above (0.80):"
                        + " the hysteresis band is empty",
                P + "clusters[0].components.indexNode = {...} (autoscaler.conf:10): must not be set for milvus-version"
                        + " 2.6 or later: indexNode is merged into dataNode there, so scale dataNode (with"
                        + " signals.index-backlog.enabled = true on dataNode for the index builds)",
                P + "clusters[0].components.queryNode.max-replicas = \"ten\" (autoscaler.conf:10): must be a whole number",
                P + "clusters[0].components.rootCoord = {...} (autoscaler.conf:10): must be a worker component (queryNode,"
                        + " dataNode, indexNode, proxy, streamingNode): Milvus scales worker nodes only, never coordinators",
                P + "clusters[1].components = {...} (autoscaler.conf:11): must name at least one worker component, e.g."
                        + " components { queryNode {} }",
                P + "clusters[1].install = \"helmm\" (autoscaler.conf:11): must be operator or helm"),
                e.errors().stream().map(ConfigError::toString).toList());
    }

    @Test
    void aBadDefaultIsReportedOnceHoweverManyTargetsInheritIt() {
        // Three targets inherit defaults.max-step = 0; one error, not four (defaults itself + three targets).
        String hocon = "milvus-autoscaler.defaults.scale-out.max-step = 0\n" + """
                milvus-autoscaler.clusters = [{ namespace = milvus, name = search, install = helm,
                  milvus-version = "2.5", components { queryNode {}, dataNode {}, proxy {} } }]
                """;
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.parse(hocon, FILE));
        assertEquals(List.of(P + "defaults.scale-out.max-step = 0 (autoscaler.conf:1): must be >= 1"),
                e.errors().stream().map(ConfigError::toString).toList());
    }

    @Test
    void missingFileNamesThePath(@TempDir Path dir) {
        Path missing = dir.resolve("nope.conf");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(missing));
        assertEquals(1, e.errors().size());
        assertTrue(e.getMessage().startsWith(missing + ": file not found"), e.getMessage());
    }

    @Test
    void syntaxErrorNamesThePathAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        Files.writeString(file, "milvus-autoscaler {\n  dry-run = true\n  loop { interval = 15s\n}\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(1, e.errors().size());
        ConfigError error = e.errors().get(0);
        assertTrue(error.isFileError());
        assertEquals(file.toString(), error.file());
        assertTrue(error.line() >= 3, "line of the unclosed brace or later, was " + error.line());
        assertTrue(error.toString().startsWith(file + ":" + error.line() + ": syntax error: "), error.toString());
        // The parser reached the end looking for the brace: the line it names is the last, the cause further up.
        // ... and the line that opened it is named: loop's { on line 3, whose } on line 4 is less indented (recheck
        // 16, finding 8: "expecting a close parentheses ')'" at the last line pointed nowhere).
        assertTrue(error.toString().endsWith("; the file ended first: a { or [ opened earlier is not closed (most likely"
                + " the { on line 3: the } that closes it is less indented than that line)"), error.toString());
        assertTrue(error.toString().contains("expecting a close brace or bracket"), error.toString());
    }

    /** Brackets in strings and comments do not count; without an indentation to go by, the outermost open one is named. */
    @Test
    void theUnclosedBracketSkipsStringsAndComments(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        Files.writeString(file, "milvus-autoscaler {\n  # a } in a comment\n  queries.x = \"\"\"sum(x{a=\"}\"})\"\"\"\n"
                + "  loop.interval = \"{\"\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertTrue(e.errors().get(0).toString().endsWith("(the { on line 1 is not closed)"), e.errors().toString());
    }

    /**
     * A missing include names the including file and line and the folder it was looked for in; typesafe-config's
     * own message named only the include and a classpath the user never meant
     * ({@code nothere.conf: cannot read: java.io.IOException: resource not found on classpath: nothere.conf}).
     */
    @Test
    void aMissingIncludeNamesTheIncludingFileItsLineAndTheFolderSearched(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        Files.writeString(file, "milvus-autoscaler {\n  dry-run = true\n  include required(\"nothere.conf\")\n}\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(file + ":3: cannot read: include \"nothere.conf\": no such file in " + dir),
                e.errors().stream().map(ConfigError::toString).toList());

        // Included from an included file: that one, as the user finds it from the main file's folder.
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/parts.conf"), "# parts\ninclude required(\"more.conf\")\n");
        Files.writeString(file, "include required(\"sub/parts.conf\")\n");
        e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of("sub/parts.conf:2: cannot read: include \"more.conf\": no such file in " + dir.resolve("sub")),
                e.errors().stream().map(ConfigError::toString).toList());
    }

    /**
     * An include cycle is named at the include that closes it, with the chain: typesafe-config read on 50 levels deep,
     * then said "you probably have a cycle" with 50 file names and no line (recheck 82's remark). The same file
     * included twice side by side is no cycle and still reads.
     */
    @Test
    void anIncludeCycleNamesTheIncludeThatClosesItAndTheChain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(file, "milvus-autoscaler.dry-run = true\ninclude \"sub/parts.conf\"\n");
        Files.writeString(dir.resolve("sub/parts.conf"), "# parts\n\ninclude \"more.conf\"\n");
        Files.writeString(dir.resolve("sub/more.conf"), "include \"../autoscaler.conf\"\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of("sub/more.conf:1: cannot read: include \"../autoscaler.conf\": an include cycle,"
                        + " autoscaler.conf -> sub/parts.conf -> sub/more.conf -> autoscaler.conf (autoscaler.conf is still"
                        + " being read); remove one of these includes"),
                e.errors().stream().map(ConfigError::toString).toList());
        // A cycle that does not pass through the main file starts where it does.
        Files.writeString(dir.resolve("sub/more.conf"), "include \"parts.conf\"\n");
        e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of("sub/more.conf:1: cannot read: include \"parts.conf\": an include cycle,"
                        + " sub/parts.conf -> sub/more.conf -> sub/parts.conf (sub/parts.conf is still being read);"
                        + " remove one of these includes"),
                e.errors().stream().map(ConfigError::toString).toList());
        // A symbolic link to the main file is the main file (recheck 90: found one level late, the chain without it).
        Files.createDirectories(dir.resolve("link"));
        Files.createSymbolicLink(dir.resolve("link/self.conf"), Path.of("../autoscaler.conf"));
        Files.writeString(file, "milvus-autoscaler.dry-run = true\ninclude \"link/self.conf\"\n");
        e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(file + ":2: cannot read: include \"link/self.conf\": an include cycle, autoscaler.conf ->"
                        + " link/self.conf (link/self.conf is autoscaler.conf, still being read); remove one of these"
                        + " includes"),
                e.errors().stream().map(ConfigError::toString).toList());
        Files.writeString(file, "milvus-autoscaler.dry-run = true\ninclude \"sub/parts.conf\"\n");
        // Twice in a row, not within itself: read.
        Files.writeString(dir.resolve("sub/more.conf"), "milvus-autoscaler.dry-run = true\n");
        Files.writeString(dir.resolve("sub/parts.conf"), "include \"more.conf\"\ninclude \"more.conf\"\n");
        assertDoesNotThrow(() -> ConfigLoader.load(file));
    }

    /** An unquoted URL (// starts a HOCON comment) gets a hint to quote it; another syntax error gets none (SRE audit L1). */
    @Test
    void anUnquotedUrlsSyntaxErrorSaysToQuoteIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        Files.writeString(file, "milvus-autoscaler {\n  prometheus.url = http://127.0.0.1:9090\n  clusters = []\n}\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        String error = e.errors().get(0).toString();
        assertTrue(error.startsWith(file + ":2: syntax error: "), error);
        assertTrue(error.endsWith("; quote URLs (url = \"http://...\"): unquoted, HOCON reads // as the start of a"
                + " comment"), error);
        Files.writeString(file, "milvus-autoscaler {\n  prometheus.url = \"http://127.0.0.1:9090\"\n  clusters = [\n}\n");
        e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertFalse(e.errors().get(0).toString().contains("quote URLs"), e.errors().toString());
    }

    /**
     * A plain include that finds no file is refused as a required one is: typesafe-config skips it silently, and a
     * dry-run = true (or the clusters) kept in that file would be gone with nothing said (SRE audit H1).
     */
    @Test
    void aMissingPlainIncludeIsRefusedNotSkipped(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        Files.writeString(file, "milvus-autoscaler { prometheus.url = \"http://127.0.0.1:1\" }\ninclude \"dry-run.conf\"\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(file + ":2: cannot read: include \"dry-run.conf\": no such file in " + dir
                        + " (a plain include that finds nothing is refused, not skipped)"),
                e.errors().stream().map(ConfigError::toString).toList());
        // Present, it is read as before.
        Files.writeString(dir.resolve("dry-run.conf"), "milvus-autoscaler.dry-run = true\n");
        assertTrue(ConfigLoader.load(file).dryRun());
    }

    /**
     * {@code include file("x.conf")} resolves against the working directory: run from another folder it finds
     * nothing, and typesafe-config skipped it as silently as a plain include (README walkthrough audit H1).
     */
    @Test
    void aMissingFileIncludeIsRefusedNotSkipped(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        Path absent = dir.resolve("dry-run.conf");
        Files.writeString(file, "milvus-autoscaler { prometheus.url = \"http://127.0.0.1:1\" }\ninclude file(\""
                + absent + "\")\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(file + ":2: cannot read: include file(\"" + absent + "\"): no such file in " + dir
                        + " (file(...) resolves against the working directory; an include that finds nothing is"
                        + " refused, not skipped)"),
                e.errors().stream().map(ConfigError::toString).toList());
        Files.writeString(absent, "milvus-autoscaler.dry-run = true\n");
        assertTrue(ConfigLoader.load(file).dryRun());
    }

    /**
     * A {@code defaults} floor above a cluster's own max-replicas is refused once per max it breaks, the second naming
     * the max-replicas it breaks and where that is set: both said "(autoscaler.conf:1): must be <= max-replicas" at one
     * line, "(10)" and "(8)", with nothing to tell where the 8 came from (recheck 31, F4).
     */
    @Test
    void aDefaultsFloorAboveAClustersMaxNamesThatMax() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.parse(
                "milvus-autoscaler.defaults.scheduled = [{ days = daily, from = \"08:00\", to = \"09:00\","
                        + " time-zone = UTC, min-replicas = 9 }]\n" + cluster("queryNode { max-replicas = 8 }"), FILE));
        assertEquals(List.of(P + "defaults.scheduled[0].min-replicas = 9 (autoscaler.conf:1): must be <= max-replicas"
                        + " (8, " + P + "clusters[0].components.queryNode.max-replicas at autoscaler.conf:8)"),
                e.errors().stream().map(ConfigError::toString).toList());
        // The same for a defaults min-replicas above it, blamed on the max set later (recheck 35, N6).
        e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.parse(
                "milvus-autoscaler.defaults.min-replicas = 6\n" + cluster("queryNode { max-replicas = 4 }"), FILE));
        assertEquals(List.of(P + "clusters[0].components.queryNode.max-replicas = 4 (autoscaler.conf:8): must be >="
                        + " min-replicas (6, " + P + "defaults.min-replicas at autoscaler.conf:1)"),
                e.errors().stream().map(ConfigError::toString).toList());
    }

    /**
     * A {@code component-defaults} entry is checked as the targets built through it see it, the cluster's own settings
     * over it: a floor of 15 there beside a cluster's max-replicas 20 was refused against defaults' 10, which no target
     * has (recheck 101, F1), and the same floor beside a cluster's max 10 was refused twice, once per max. A relation
     * with nothing over it still is refused at the entry (a component no cluster runs is checked on its own).
     */
    @Test
    void aComponentDefaultsEntryIsCheckedAsItsTargetsSeeIt() {
        String floor15 = "milvus-autoscaler.component-defaults.queryNode.scheduled = [{ days = daily, from = \"08:00\","
                + " to = \"20:00\", time-zone = Europe/Berlin, min-replicas = 15 }]\n";
        TargetSettings t = ConfigLoader.parse(floor15 + cluster("queryNode { max-replicas = 20 }"), FILE).targets().get(0);
        assertEquals(15, t.policy().scheduled().get(0).minReplicas());
        assertEquals(20, t.policy().maxReplicas());
        // Each side from another layer, both over reference.conf's: min-replicas 15 and the cluster's max 20.
        assertEquals(15, ConfigLoader.parse("milvus-autoscaler.component-defaults.queryNode.min-replicas = 15\n"
                + cluster("queryNode { max-replicas = 20 }"), FILE).targets().get(0).policy().minReplicas());

        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.parse(floor15
                + cluster("queryNode { max-replicas = 10 }"), FILE));
        assertEquals(List.of(P + "component-defaults.queryNode.scheduled[0].min-replicas = 15 (autoscaler.conf:1): must be"
                        + " <= max-replicas (10, " + P + "clusters[0].components.queryNode.max-replicas at autoscaler.conf:8)"),
                e.errors().stream().map(ConfigError::toString).toList());
        // A component no cluster runs: its entry is checked on its own, over defaults.
        e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.parse(floor15.replace("queryNode", "proxy")
                + cluster("queryNode { max-replicas = 20 }"), FILE));
        // reference.conf's own line of defaults.max-replicas, read from the file rather than written here.
        int line = com.typesafe.config.ConfigFactory.parseResources("reference.conf")
                .getValue(P + "defaults.max-replicas").origin().lineNumber();
        assertEquals(List.of(P + "component-defaults.proxy.scheduled[0].min-replicas = 15 (autoscaler.conf:1): must be"
                        + " <= max-replicas (10, " + P + "defaults.max-replicas at reference.conf:" + line + ")"),
                e.errors().stream().map(ConfigError::toString).toList());
    }

    /**
     * An include of a file whose name does not end in .conf, .json or .properties is refused, plain, required or
     * file(...): typesafe-config reads {@code safety.inc.conf} (or .json, .properties) for {@code "safety.inc"}, so the
     * plain include of an existing {@code safety.inc} was skipped with its {@code dry-run = true} and the daemon wrote
     * replicas (recheck 31, F1), and the required one said "resource not found on classpath: safety.inc.conf" (F2).
     * A bare name in a dotted folder still finds its .conf.
     */
    @Test
    void anIncludedFileNeverReadForItsExtensionIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        Files.writeString(dir.resolve("safety.inc"), "milvus-autoscaler.dry-run = true\n");
        String never = "safety.inc exists but is never read: a name that does not end in .conf, .json or .properties"
                + " is read as safety.inc.conf, .json or .properties (HOCON's include rule), and none of those is in "
                + dir + "; rename it to safety.inc.conf, or to end in .conf, and include that";
        for (String include : List.of("\"safety.inc\"", "required(\"safety.inc\")",
                "file(\"" + dir.resolve("safety.inc") + "\")")) {
            Files.writeString(file, "milvus-autoscaler { prometheus.url = \"http://127.0.0.1:1\" }\ninclude " + include
                    + "\n");
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file),
                    include);
            List<String> errors = e.errors().stream().map(ConfigError::toString).toList();
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0).startsWith(file + ":2: cannot read: include "), errors.toString());
            assertTrue(errors.get(0).endsWith(never), errors.toString());
        }
        // Renamed as said, it is read.
        Files.move(dir.resolve("safety.inc"), dir.resolve("safety.inc.conf"));
        Files.writeString(file, "milvus-autoscaler { prometheus.url = \"http://127.0.0.1:1\" }\ninclude \"safety.inc\"\n");
        assertTrue(ConfigLoader.load(file).dryRun());
        // A bare name whose folder has a dot in it is looked up with .conf, as typesafe-config does.
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/safety.conf"), "milvus-autoscaler.dry-run = true\n");
        Files.writeString(file, "milvus-autoscaler { prometheus.url = \"http://127.0.0.1:1\" }\ninclude \"conf.d/safety\"\n");
        assertTrue(ConfigLoader.load(file).dryRun());
    }

    /**
     * A plain {@code url(...)} or {@code classpath(...)} include that finds nothing is refused as a file include is:
     * typesafe-config skipped it, {@code dry-run = true} and all (recheck 35, N1). One that finds an empty file reads
     * nothing, as written.
     */
    @Test
    void aUrlOrClasspathIncludeThatFindsNothingIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        URI absent = dir.resolve("nothere.conf").toUri();
        for (String include : List.of("url(\"" + absent + "\")", "classpath(\"nothere-" + dir.getFileName() + ".conf\")")) {
            Files.writeString(file, "milvus-autoscaler { prometheus.url = \"http://127.0.0.1:1\" }\ninclude " + include
                    + "\n");
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file),
                    include);
            assertEquals(List.of(file + ":2: cannot read: include " + include.replace("file:///", "file:/")
                    + ": nothing found there (an include"
                    + " that finds nothing is refused, not skipped)"),
                    e.errors().stream().map(ConfigError::toString).toList());
        }
        // A server that does not answer: the include's line and the include as written, then why (recheck 37, R1).
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        String url = "url(\"http://127.0.0.1:" + closed + "/safety.conf\")";
        Files.writeString(file, "milvus-autoscaler { prometheus.url = \"http://127.0.0.1:1\" }\ninclude " + url + "\n");
        InvalidConfigException refused = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(file + ":2: cannot read: include " + url + ": java.net.ConnectException: Connection refused"),
                refused.errors().stream().map(ConfigError::toString).toList());

        Files.writeString(dir.resolve("empty.conf"), "# nothing set here\n");
        Files.writeString(file, "milvus-autoscaler { prometheus.url = \"http://127.0.0.1:1\" }\ninclude url(\""
                + dir.resolve("empty.conf").toUri() + "\")\n");
        assertFalse(ConfigLoader.load(file).dryRun());
    }

    /**
     * An include whose name reads another file than the one beside it ({@code safety.inc.conf} for
     * {@code "safety.inc"}, with both there) or names a folder is refused naming which (recheck 35, N2 and N5).
     */
    @Test
    void anIncludeThatWouldReadTheOtherFileOrNamesAFolderIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        Files.writeString(dir.resolve("safety.inc"), "milvus-autoscaler.dry-run = true\n");
        Files.writeString(dir.resolve("safety.inc.conf"), "milvus-autoscaler.max-actions-per-hour = 10\n");
        Files.writeString(file, "milvus-autoscaler { prometheus.url = \"http://127.0.0.1:1\" }\ninclude \"safety.inc\"\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(file + ":2: cannot read: include \"safety.inc\": reads safety.inc.conf, and safety.inc"
                        + " beside it is never read (HOCON's include rule: a name that does not end in .conf, .json or"
                        + " .properties is read as name.conf, .json or .properties); remove or rename one so the include"
                        + " names the file meant"),
                e.errors().stream().map(ConfigError::toString).toList());

        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(file, "milvus-autoscaler { prometheus.url = \"http://127.0.0.1:1\" }\ninclude \"conf.d\"\n");
        e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(file + ":2: cannot read: include \"conf.d\": " + dir.resolve("conf.d") + " is a folder;"
                        + " an include names a file (conf.d/x.conf)"),
                e.errors().stream().map(ConfigError::toString).toList());

        // A folder named safety.inc.conf beside the file: nothing reads either, and the refusal says so (recheck 37, R1).
        Files.delete(dir.resolve("safety.inc.conf"));
        Files.createDirectories(dir.resolve("safety.inc.conf"));
        Files.writeString(file, "milvus-autoscaler { prometheus.url = \"http://127.0.0.1:1\" }\ninclude \"safety.inc\"\n");
        e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(file + ":2: cannot read: include \"safety.inc\": would read safety.inc.conf (HOCON's include"
                        + " rule: a name that does not end in .conf, .json or .properties is read as name.conf, .json or"
                        + " .properties), which is a folder, and safety.inc beside it is never read; an include names a"
                        + " file"),
                e.errors().stream().map(ConfigError::toString).toList());
    }

    /** An error in an included file keeps the file's folder: {@code sub/parts.conf:3}, not {@code parts.conf:3}. */
    @Test
    void anErrorInAnIncludedFileNamesItRelativeToTheMainFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("autoscaler.conf");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/parts.conf"), "# parts\nloop {\n  interval = -5s\n}\n");
        Files.writeString(file, "milvus-autoscaler {\n  include required(\"sub/parts.conf\")\n}\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(P + "loop.interval = \"-5s\" (sub/parts.conf:3): must be a positive duration, such as"
                        + " 30s or 5m"), e.errors().stream().map(ConfigError::toString).toList());
    }

    @Test
    void unresolvedSubstitutionNamesTheLine() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.parse("milvus-autoscaler {\n  prometheus.url = ${PROM_URL_THAT_IS_NOT_SET_ANYWHERE}\n}",
                        FILE));
        assertEquals(List.of("autoscaler.conf:2: Could not resolve substitution to a value:"
                        + " ${PROM_URL_THAT_IS_NOT_SET_ANYWHERE}"),
                e.errors().stream().map(ConfigError::toString).toList());
    }

    @Test
    void secretsInHeadersNeverReachTheMessage() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.parse(
                "milvus-autoscaler.prometheus { url = \"http://u:hunter2@p:9090\", headers { X-Key = [\"hunter2\"] } }",
                FILE));
        assertEquals(2, e.errors().size(), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }
}
