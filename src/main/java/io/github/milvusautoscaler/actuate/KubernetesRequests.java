package io.github.milvusautoscaler.actuate;

import io.github.milvusautoscaler.core.KubernetesSettings;
import static java.util.Objects.requireNonNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.ActuationException.Kind;
import io.github.milvusautoscaler.core.WriteGuard;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.ApiResponse;
import io.kubernetes.client.openapi.Pair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.Call;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few API calls the actuator makes (get, list by labels, merge patch, create), each retried
 * on 5xx, 429 and timeouts with doubling back-off and every failure classified into an
 * {@link ActuationException} whose message names the verb, resource and namespace.
 *
 * <p>Built on the official client's {@link ApiClient#buildCall} so authentication, TLS and the
 * base path are the client's own; bodies and responses are the client's Gson JSON trees, which
 * keeps unknown CR fields intact and lets a merge patch be exactly the fields it changes.
 * Messages never contain headers, and the server's text comes with the credentials sent masked
 * ({@link SentCredentials}), so never a token.
 */
final class KubernetesRequests {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesRequests.class);
    private static final String JSON = "application/json";
    /** RFC 7386 JSON merge patch: only the named fields change, {@code null} deletes. */
    static final String MERGE_PATCH = "application/merge-patch+json";
    private static final String[] AUTH = {"BearerToken"};
    private static final int MAX_SERVER_MESSAGE = 300;

    /**
     * The longest {@code Retry-After} honoured. kube-apiserver's max-in-flight and priority-and-fairness filters
     * answer 429 with {@code Retry-After: 1} (k8s.io/apiserver pkg/server/filters/maxinflight.go tooManyRequests);
     * a longer ask is cut here so one throttled read cannot stall a tick, and a write still passes its guard
     * (leadership, tick age) before the retry.
     */
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(5);

    /** Waits between attempts; tests record the waits instead. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    private final ApiClient client;
    private final SentCredentials sent;
    private final int attempts;
    private final Duration backoff;
    private final Sleeper sleeper;

    KubernetesRequests(ApiClient client, int attempts, Duration backoff) {
        this(client, attempts, backoff, Thread::sleep);
    }

    KubernetesRequests(ApiClient client, int attempts, Duration backoff, Sleeper sleeper) {
        this.client = requireNonNull(client, "client");
        this.sent = SentCredentials.of(client);
        this.backoff = requireNonNull(backoff, "backoff");
        this.sleeper = requireNonNull(sleeper, "sleeper");
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1");
        }
        this.attempts = attempts;
    }

    KubernetesRequests(ApiClient client, KubernetesSettings options) {
        this(client, options.retry().maxAttempts(), options.retry().initialBackoff());
    }

    /** GET one object. */
    JsonObject get(ApiResource resource, String namespace, String name) {
        return execute("get", resource, namespace, name, "GET", List.of(), null, null, WriteGuard.NONE);
    }

    /** LIST a namespace's objects matching an equality label selector such as {@code a=b,c=d}. */
    JsonObject list(ApiResource resource, String namespace, String labelSelector) {
        return execute("list", resource, namespace, null, "GET", List.of(new Pair("labelSelector", labelSelector)),
                null, null, WriteGuard.NONE);
    }

    /** PATCH one object with an RFC 7386 merge patch. */
    JsonObject mergePatch(ApiResource resource, String namespace, String name, JsonObject patch) {
        return mergePatch(resource, namespace, name, patch, WriteGuard.NONE);
    }

    /**
     * PATCH one object with an RFC 7386 merge patch, running {@code guard} immediately before every
     * attempt, retries included: a replica that lost the Lease during a back-off sends no retry.
     */
    JsonObject mergePatch(ApiResource resource, String namespace, String name, JsonObject patch, WriteGuard guard) {
        return execute("patch", resource, namespace, name, "PATCH", List.of(), patch, MERGE_PATCH, guard);
    }

    /** POST a new object into a namespace. */
    JsonObject create(ApiResource resource, String namespace, JsonObject body) {
        return execute("create", resource, namespace, null, "POST", List.of(), body, JSON, WriteGuard.NONE);
    }

    private JsonObject execute(String verb, ApiResource resource, String namespace, String name, String method,
                               List<Pair> query, JsonObject body, String contentType, WriteGuard guard) {
        String what = verb + " " + resource.qualifiedName() + " " + namespace + (name == null ? "" : "/" + name);
        long waitMillis = backoff.toMillis();
        for (int attempt = 1; ; attempt++) {
            ApiException failure;
            guard.check();
            try {
                return send(method, resource.path(namespace, name), query, body, contentType);
            } catch (ApiException e) {
                failure = e;
            } catch (JsonParseException | IllegalStateException e) {
                throw new ActuationException(Kind.UNAVAILABLE, what + ": the API server's answer is not a JSON object ("
                        + e.getClass().getSimpleName() + ")", e);
            }
            if (failure.getCause() instanceof KubeconfigToken.NoToken noToken) {
                // Nothing was sent, and no token comes within a retry's back-off: said once, not as "failed after 3
                // attempts" of a server that was never asked (recheck 78's remark).
                throw new ActuationException(Kind.UNAUTHORIZED, what + ": " + noToken.getMessage(), noToken);
            }
            int code = failure.getCode();
            if (!isTransient(code)) {
                throw classify(failure, verb, resource, namespace, name, what, sent);
            }
            if (attempt >= attempts) {
                throw new ActuationException(Kind.UNAVAILABLE, what + " failed after " + attempts + " attempt"
                        + (attempts == 1 ? "" : "s") + ": " + describe(failure), masked(failure, sent));
            }
            // Throttled: wait as long as the API server asks (within MAX_RETRY_AFTER), not the back-off of 200ms,
            // which would spend every attempt inside the one second it asked for.
            long wait = code == 429 ? Math.max(waitMillis, retryAfterMillis(failure)) : waitMillis;
            LOG.debug("{} attempt {}/{} failed ({}); retrying in {}ms", what, attempt, attempts, describe(failure),
                    wait);
            sleep(wait, what, failure);
            waitMillis = Math.max(1, waitMillis * 2);
        }
    }

    private JsonObject send(String method, String path, List<Pair> query, JsonObject body, String contentType)
            throws ApiException {
        Map<String, String> headers = new HashMap<>();
        headers.put("Accept", JSON);
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        // Sent as bytes so a merge patch's nulls (RFC 7386: delete this key) survive: the client's own
        // serializer drops them.
        Object raw = body == null ? null : body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Call call = client.buildCall(null, path, method, new ArrayList<>(query), new ArrayList<>(), raw, headers,
                new HashMap<>(), new HashMap<>(), AUTH, null);
        ApiResponse<JsonElement> response = client.execute(call, JsonElement.class);
        JsonElement data = response.getData();
        if (data == null || !data.isJsonObject()) {
            throw new IllegalStateException("empty or non-object body");
        }
        return data.getAsJsonObject();
    }

    /** 0 is the client's code for a transport failure (timeout, refused connection). */
    private static boolean isTransient(int code) {
        return code == 0 || code == 429 || code >= 500;
    }

    private static ActuationException classify(ApiException e, String verb, ApiResource resource, String namespace,
                                               String name, String what, SentCredentials sent) {
        int code = e.getCode();
        String server = serverMessage(e, sent);
        ApiException cause = masked(e, sent);
        return switch (code) {
            case 401 -> new ActuationException(Kind.UNAUTHORIZED, what + ": unauthorized (401), the API server rejected"
                    + " the credentials (an expired or revoked token: the service account's in a pod, the kubeconfig's user"
                    + " outside); API server: " + server, cause);
            case 403 -> new ActuationException(Kind.FORBIDDEN, forbiddenMessage(verb, resource, namespace, name, server),
                    cause);
            case 404 -> isStatus(e)
                    ? new ActuationException(Kind.NOT_FOUND, resource.kind() + " " + namespace
                            + (name == null ? "" : "/" + name) + " not found (" + verb + " " + resource.qualifiedName()
                            + " answered 404)" + notFoundHint(resource, name) + "; API server: " + server, cause)
                    : new ActuationException(Kind.NOT_FOUND, "the API server does not serve "
                            + resource.qualifiedName() + " " + resource.version() + " (" + verb + " answered 404 with no"
                            + " Status: " + server + ")" + unservedHint(resource), cause);
            case 409 -> new ActuationException(Kind.CONFLICT, what + ": conflict (409), the object changed since it was"
                    + " read; re-read and decide again; API server: " + server, cause);
            default -> new ActuationException(Kind.REFUSED, what + ": the API server refused the request (HTTP " + code
                    + "); API server: " + server, cause);
        };
    }

    /**
     * Whether a 404 came with a Status object ({@code "kind": "Status"}): the object is missing. Without one the
     * path matched no installed API, and the API server's not-found handler answered with Go's plain
     * {@code 404 page not found} (k8s.io/apiserver pkg/util/notfoundhandler): the type itself is not served.
     */
    private static boolean isStatus(ApiException e) {
        String body = e.getResponseBody();
        if (body == null || body.isBlank()) {
            return true;
        }
        try {
            JsonElement parsed = JsonParser.parseString(body);
            return parsed.isJsonObject() && parsed.getAsJsonObject().has("kind")
                    && "Status".equals(parsed.getAsJsonObject().get("kind").getAsString());
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException notJson) {
            return false;
        }
    }

    /** Why a type may not be served: the CRD that brings it, or the Kubernetes release that added it. */
    private static String unservedHint(ApiResource resource) {
        if (resource == ApiResource.MILVUSES) {
            return ": milvus-operator's CRD is not installed in this cluster; a Milvus installed with the Helm"
                    + " chart is configured with install = helm";
        }
        if (resource.group().equals("autoscaling")) {
            return ": HorizontalPodAutoscaler autoscaling/v2 is served from Kubernetes 1.23";
        }
        return "";
    }

    /** What to check when an object is missing: the names, and what the install would have made instead. */
    private static String notFoundHint(ApiResource resource, String name) {
        if (resource == ApiResource.MILVUSES) {
            // The API server answers a missing namespace's object with the same 404 (recheck 43, F5).
            return "; are the namespace and the name right and the Milvus operator's CRD installed?";
        }
        return "";
    }

    /**
     * Names what was denied, the exact rule that allows it, and the shipped RBAC object that should hold it, e.g.
     * "may not patch milvuses.milvus.io in namespace milvus ... add to the Role milvus-autoscaler-operator in namespace
     * "milvus" (deploy/overlays/operator/rbac.yaml, ...): {apiGroups: ["milvus.io"], resources: ["milvuses"], verbs:
     * ["patch"]}". The object matters: a cluster-wide Deployment patch would let the autoscaler rewrite any workload's
     * pod template, and a cluster-wide read or list would show every one (env values are often credentials), so each
     * install kind's reads and writes belong in a Role in the namespace of the Milvus they scale.
     */
    static String forbiddenMessage(String verb, ApiResource resource, String namespace, String name, String server) {
        return "forbidden (403): the autoscaler's service account may not " + verb + " " + resource.qualifiedName()
                + (name == null ? "" : " \"" + name + "\"") + " in namespace \"" + namespace + "\". Add this rule to "
                + grantedBy(verb, resource, namespace) + ": {apiGroups: [\"" + resource.group()
                + "\"], resources: [\"" + resource.plural() + "\"], verbs: [\"" + verb + "\"]}; API server: " + server;
    }

    /** The shipped RBAC object that grants {@code verb} on {@code resource}, as deploy/ lays them out. */
    private static String grantedBy(String verb, ApiResource resource, String namespace) {
        String helmRole = "the Role milvus-autoscaler-helm in namespace \"" + namespace
                + "\" (deploy/overlays/helm/rbac.yaml, one per namespace with a Helm release)";
        String operatorRole = "the Role milvus-autoscaler-operator in namespace \"" + namespace
                + "\" (deploy/overlays/operator/rbac.yaml, one per namespace with an operator Milvus)";
        if (resource.group().equals("autoscaling")) {
            return "the ClusterRole milvus-autoscaler (deploy/base/rbac.yaml, which only reads)";
        }
        if (resource.equals(ApiResource.MILVUSES) || verb.equals("list")) {
            return operatorRole;
        }
        if (resource.equals(ApiResource.EVENTS)) {
            return helmRole + " for a Helm release, or " + operatorRole + " for an operator Milvus";
        }
        return helmRole;
    }

    private String describe(ApiException e) {
        if (e.getCode() == 0) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof java.net.SocketTimeoutException
                    || cause instanceof java.io.InterruptedIOException && "timeout".equals(cause.getMessage())) {
                // OkHttp's call timeout, which the client sets from kubernetes.request-timeout: say so in the
                // config's words, as ApiReachability does for the same cut (observability recheck, L6's residual);
                // the socket's read or connect timeout, set to the same, when it fires first.
                return ApiReachability.noAnswerWithin(cause instanceof java.net.SocketTimeoutException
                        ? client.getHttpClient().readTimeoutMillis() : client.getHttpClient().callTimeoutMillis());
            }
            return "transport failure " + cause(cause);
        }
        // 429 is the API server's priority-and-fairness or max-in-flight filter throttling this client, not a fault
        // of the request: said so, where "HTTP 429: Too many requests" read as one more outage (upgrade recheck 22).
        return "HTTP " + e.getCode() + (e.getCode() == 429 ? " (throttled by the API server's priority and fairness;"
                + " each try waited its Retry-After, up to " + MAX_RETRY_AFTER.toSeconds() + "s)" : "") + ": "
                + serverMessage(e, sent);
    }

    /**
     * The {@code message} of the Status object the API server sends, or the start of the raw body, with the
     * credentials {@code sent} masked: a proxy in front of the API server may echo them ({@link SentCredentials}).
     */
    static String serverMessage(ApiException e, SentCredentials sent) {
        String body = e.getResponseBody();
        if (body == null || body.isBlank()) {
            return "(no body)";
        }
        try {
            JsonElement parsed = JsonParser.parseString(body);
            if (parsed.isJsonObject() && parsed.getAsJsonObject().has("message")) {
                return truncate(sent.mask(parsed.getAsJsonObject().get("message").getAsString()));
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException ignored) {
            // not a Status object: fall through to the raw text
        }
        return truncate(sent.mask(body.strip()));
    }

    /**
     * {@code e} as the cause an {@link ActuationException} keeps, its body masked and its response headers left out:
     * the client's ApiException prints both in its message, which a logged stack trace would carry.
     */
    static ApiException masked(ApiException e, SentCredentials sent) {
        if (e.getCode() == 0) {
            return e; // a transport failure: no answer, nothing echoed
        }
        ApiException copy = new ApiException(e.getCode(), java.util.Map.of(), sent.mask(e.getResponseBody()));
        copy.setStackTrace(e.getStackTrace());
        return copy;
    }

    /** A call's failure with no answer, by its cause: "IOException (network cut)", the message cut to a length. */
    static String cause(Throwable cause) {
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " (" + truncate(cause.getMessage())
                + ")");
    }

    private static String truncate(String s) {
        return s.length() <= MAX_SERVER_MESSAGE ? s : s.substring(0, MAX_SERVER_MESSAGE) + "...";
    }

    /** The {@code Retry-After} of a 429 in milliseconds (delta-seconds form), at most MAX_RETRY_AFTER; 0 if none. */
    static long retryAfterMillis(ApiException e) {
        Map<String, List<String>> headers = e.getResponseHeaders();
        if (headers == null) {
            return 0;
        }
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            if ("Retry-After".equalsIgnoreCase(h.getKey()) && h.getValue() != null && !h.getValue().isEmpty()) {
                try {
                    long seconds = Long.parseLong(h.getValue().get(0).trim());
                    return seconds <= 0 ? 0 : Math.min(seconds, MAX_RETRY_AFTER.toSeconds()) * 1000;
                } catch (NumberFormatException httpDate) {
                    return 0; // the HTTP-date form: the API server never sends it
                }
            }
        }
        return 0;
    }

    private void sleep(long millis, String what, ApiException failure) {
        try {
            sleeper.sleep(millis);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new ActuationException(Kind.UNAVAILABLE, what + ": interrupted while waiting to retry after "
                    + describe(failure), masked(failure, sent));
        }
    }
}
