package io.github.milvusautoscaler.testsupport;

import static java.util.Objects.requireNonNull;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;

/**
 * A small stateful Kubernetes API server for tests, on OkHttp's mockwebserver3: no real API server
 * can run on these machines, and fabric8's mock gets {@code /scale} and merge patch wrong.
 *
 * <p>Serves, under {@code /apis/<group>/<version>/namespaces/<ns>/<plural>} (core group under
 * {@code /api/v1}):
 * <ul>
 *   <li>Deployments ({@code apps/v1}): GET, LIST with an equality label selector, PATCH (merge),
 *       PUT, POST, and {@code /scale} GET/PATCH/PUT answering {@code autoscaling/v1} Scale objects
 *       as a real server does (so {@code kubectl scale} can be played);</li>
 *   <li>Milvus resources ({@code milvus.io/v1beta1}, plural {@code milvuses}): GET, LIST, PATCH with
 *       RFC 7386 merge patch (null deletes, arrays replace), PUT, POST;</li>
 *   <li>Leases ({@code coordination.k8s.io/v1}): GET, POST, PUT; Events ({@code v1}): POST, GET.</li>
 * </ul>
 * Every change takes the next global resourceVersion; a write carrying a different
 * {@code metadata.resourceVersion} gets 409 Conflict with a Status object, as does a create of an
 * existing name (AlreadyExists). A spec change bumps {@code metadata.generation}; for Deployments
 * the fake then plays the Deployment controller's bookkeeping at once ({@code observedGeneration},
 * {@code status.replicas}, {@code updatedReplicas} follow the spec) but leaves {@code readyReplicas}
 * to the test or a {@link ChangeListener}. Strategic merge patch is treated as merge patch (same
 * result for the scalar fields used here); JSON patch answers 415.
 *
 * <p>Faults: {@link #fail} answers a status (403, 404, 500, ...) without applying the request,
 * {@link #applyThenFail} applies it and then answers a status (the answer of a committed write is
 * lost), and {@link #delay} holds the response, for requests whose method and path prefix match,
 * for N requests or until {@link #clearFaults()}. A delayed request is still applied (like a write
 * whose answer was lost). {@link #onRequest} hooks run before every answer, e.g. to flip a
 * leadership gate or pause one client mid-write.
 *
 * <p>Every request is recorded ({@link #requests()}); requests whose User-Agent starts with
 * {@code milvus-autoscaler} are also collected JVM-wide ({@link #allAutoscalerRequests()}) for the
 * RBAC test. Accepted sockets get TCP_NODELAY: without it each request costs ~45 ms here.
 */
public final class FakeKubernetesApi implements AutoCloseable {

    /** The resource types served. */
    public enum Kind {
        DEPLOYMENTS("apps", "v1", "deployments", "Deployment"),
        /** The chart's queryNode.statefulset / indexNode.statefulset mode (templates/querynode-statefulset.yaml). */
        STATEFULSETS("apps", "v1", "statefulsets", "StatefulSet"),
        MILVUSES("milvus.io", "v1beta1", "milvuses", "Milvus"),
        LEASES("coordination.k8s.io", "v1", "leases", "Lease"),
        EVENTS("", "v1", "events", "Event"),
        HORIZONTAL_POD_AUTOSCALERS("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler");

        private final String group;
        private final String version;
        private final String plural;
        private final String kind;

        Kind(String group, String version, String plural, String kind) {
            this.group = group;
            this.version = version;
            this.plural = plural;
            this.kind = kind;
        }

        public String group() {
            return group;
        }

        public String plural() {
            return plural;
        }

        public String apiVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }

        /** The URL path of a namespaced collection, or of one object when {@code name} is not null. */
        public String path(String namespace, String name) {
            String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
            return prefix + "/namespaces/" + namespace + "/" + plural + (name == null ? "" : "/" + name);
        }

        boolean hasSpecGeneration() {
            return this == DEPLOYMENTS || this == STATEFULSETS || this == MILVUSES;
        }
    }

    /**
     * One recorded request.
     *
     * @param query the raw (encoded) query string, empty when none
     * @param body  the request body as text, empty when none
     * @param authorization the Authorization header, empty when none (tests check that a token is sent and refreshed)
     */
    public record Request(String method, String path, String query, String body, String contentType,
                          String userAgent, String authorization) {

        /** A decoded query parameter. */
        public Optional<String> queryParameter(String name) {
            HttpUrl url = HttpUrl.get("http://fake" + path + (query.isEmpty() ? "" : "?" + query));
            return Optional.ofNullable(url.queryParameter(name));
        }

        /** True for requests made by the autoscaler's own clients. */
        public boolean fromAutoscaler() {
            return userAgent.startsWith("milvus-autoscaler");
        }

        /** The body parsed as JSON. */
        public JsonObject json() {
            return JsonParser.parseString(body).getAsJsonObject();
        }

        @Override
        public String toString() {
            return method + " " + path + (query.isEmpty() ? "" : "?" + query);
        }
    }

    /** A change made through the API: {@code before} is null for a create, {@code after} null for a delete. */
    public record Change(Kind kind, String namespace, String name, JsonObject before, JsonObject after) {
    }

    /** Reacts to changes made through the API, e.g. to play a Deployment becoming ready after a scale. */
    @FunctionalInterface
    public interface ChangeListener {
        /** Called with the fake's lock held; may call the fake's helpers (the lock is re-entrant). */
        void changed(Change change);
    }

    /** Runs for every request before it is answered (on the server's thread), e.g. to flip a gate or pause. */
    @FunctionalInterface
    public interface RequestHook {
        void received(Request request);
    }

    private record Fault(String method, String pathPrefix, int status, Duration latency, int[] remaining,
                         boolean applyFirst, boolean echo) {

        Fault(String method, String pathPrefix, int status, Duration latency, int[] remaining, boolean applyFirst) {
            this(method, pathPrefix, status, latency, remaining, applyFirst, false);
        }

        boolean matches(Request request) {
            return (method == null || method.equalsIgnoreCase(request.method()))
                    && request.path().startsWith(pathPrefix) && remaining[0] != 0;
        }
    }

    private static final Queue ALL = new Queue();
    private static final String CREATED = "2025-01-01T00:00:00Z";
    private static final Gson GSON = new Gson();

    private final MockWebServer server = new MockWebServer();
    private final Map<String, JsonObject> objects = new LinkedHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final List<RequestHook> hooks = new CopyOnWriteArrayList<>();
    private long resourceVersion = 1000;
    private boolean reconcileDeployments = true;
    private final java.util.Set<Kind> unserved = java.util.EnumSet.noneOf(Kind.class);
    /** The user a SelfSubjectReview answers with ({@link #authenticateAs}); null: not served, as before Kubernetes 1.28. */
    private String authenticatedAs;

    /** The field manager of the write being handled; null for reads and test-side edits. */
    private Writer writer;
    /** What the API server dates managedFields entries by: a test on a manual clock sets its own. */
    private volatile java.time.Clock clock = java.time.Clock.systemUTC();

    /** Dates managedFields entries by {@code clock} (a test driving the engine on a manual clock). */
    public void useClock(java.time.Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    private FakeKubernetesApi() {
    }

    /**
     * Answers {@code POST /apis/authentication.k8s.io/v1/selfsubjectreviews} (what {@code kubectl auth whoami} sends)
     * as kube-apiserver does from 1.28, where the API is GA: 201 with the request's user in
     * {@code status.userInfo.username} and its groups (k8s.io/api authentication/v1 SelfSubjectReview;
     * kubernetes/website reference "SelfSubjectReview"). Without it, or after {@code null}, the path is a 404 page, as
     * on an older server.
     */
    public synchronized void authenticateAs(String username) {
        authenticatedAs = username;
    }

    /**
     * An HPA as milvus-helm's templates/querynode-hpa.yaml renders it with {@code queryNode.hpa.enabled}: named
     * {@code <fullname>-querynode-hpa} ({@code milvus.querynode.fullname}-hpa), labelled {@code component: querynode}
     * only (no release label), targeting the chart's Deployment {@code deployment}, cpu and memory at 40% (the
     * template's own defaults: {@code cpuUtilization | default 40}, {@code memoryUtilization | default 40}).
     * Production reads only {@code scaleTargetRef}.
     */
    public static String helmChartHpa(String namespace, String deployment) {
        return """
                {"metadata": {"name": "%s-hpa", "namespace": "%s", "labels": {"component": "querynode"}},
                 "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "%s"},
                          "minReplicas": 1, "maxReplicas": 10,
                          "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                                       "target": {"type": "Utilization", "averageUtilization": 40}}},
                                      {"type": "Resource", "resource": {"name": "memory",
                                       "target": {"type": "Utilization", "averageUtilization": 40}}}]}}
                """.formatted(deployment, namespace, deployment);
    }

    /** Starts a fake on a free loopback port. */
    public static FakeKubernetesApi start() {
        FakeKubernetesApi fake = new FakeKubernetesApi();
        fake.server.setServerSocketFactory(new NoDelayServerSocketFactory());
        fake.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return fake.dispatch(request);
            }
        });
        try {
            fake.server.start(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake Kubernetes API server", e);
        }
        return fake;
    }

    /** Base URL, e.g. {@code http://127.0.0.1:40123}. */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }

    // ---------------------------------------------------------------- state helpers for tests

    /** Creates or replaces an object from JSON (metadata.name and namespace required); returns its resourceVersion. */
    public synchronized String put(Kind kind, String json) {
        JsonObject object = JsonParser.parseString(json).getAsJsonObject();
        JsonObject meta = metadata(object);
        String namespace = requireNonNull(string(meta, "namespace"), "metadata.namespace");
        String name = requireNonNull(string(meta, "name"), "metadata.name");
        JsonObject previous = objects.get(key(kind, namespace, name));
        object.addProperty("apiVersion", kind.apiVersion());
        object.addProperty("kind", kind.kind);
        meta.addProperty("uid", previous != null ? string(metadata(previous), "uid") : UUID.randomUUID().toString());
        meta.addProperty("creationTimestamp", CREATED);
        if (kind.hasSpecGeneration() && !meta.has("generation")) {
            meta.addProperty("generation", 1);
        }
        defaultMode(kind, object);
        meta.addProperty("resourceVersion", nextVersion());
        objects.put(key(kind, namespace, name), object);
        return string(meta, "resourceVersion");
    }

    /**
     * An operator install {@code namespace/name} with queryNode at {@code specReplicas} on the Milvus resource
     * and one queryNode Deployment with {@code deploymentReplicas}, all ready and updated. The Deployment's
     * name follows zilliztech/milvus-operator's {@code formatComponentDeployName}, {@code <name>-milvus-querynode-0}
     * (queryNode always runs as the {@code -0}/{@code -1} pair; see core.DeploymentNames), and its labels the
     * operator's {@code app.kubernetes.io/instance} and {@code app.kubernetes.io/component} (what
     * MilvusOperatorActuator selects by).
     */
    public void putOperatorQueryNode(String namespace, String name, int specReplicas, int deploymentReplicas) {
        put(Kind.MILVUSES, """
                {"metadata": {"name": "%s", "namespace": "%s"},
                 "spec": {"mode": "cluster", "components": {"queryNode": {"replicas": %d}}},
                 "status": {"status": "Healthy"}}
                """.formatted(name, namespace, specReplicas));
        put(Kind.DEPLOYMENTS, """
                {"metadata": {"name": "%s-milvus-querynode-0", "namespace": "%s", "generation": 1,
                  "labels": {"app.kubernetes.io/instance": "%s", "app.kubernetes.io/component": "querynode"}},
                 "spec": {"replicas": %d},
                 "status": {"replicas": %d, "readyReplicas": %d, "updatedReplicas": %d, "observedGeneration": 1}}
                """.formatted(name, namespace, name, deploymentReplicas, deploymentReplicas, deploymentReplicas,
                deploymentReplicas));
    }

    /** Calls {@code written} with queryNode's replicas each time a Milvus resource's spec changes. */
    public void onQueryNodeReplicasWritten(java.util.function.IntConsumer written) {
        onChange(c -> {
            if (c.kind() == Kind.MILVUSES && c.before() != null && c.after() != null
                    && !c.before().get("spec").equals(c.after().get("spec"))) {
                written.accept(c.after().getAsJsonObject("spec").getAsJsonObject("components")
                        .getAsJsonObject("queryNode").get("replicas").getAsInt());
            }
        });
    }

    /**
     * Serves {@code kind} no more, as a cluster without its CRD (no milvus-operator) or API version: every path
     * under it, and every path of a group or version the fake does not know, is answered as the API server's
     * not-found handler answers it, {@code 404} with the plain text {@code 404 page not found} and no Status
     * object (k8s.io/apiserver pkg/util/notfoundhandler, which writes Go's http.NotFound body).
     */
    public synchronized void unserve(Kind kind) {
        unserved.add(requireNonNull(kind, "kind"));
    }

    /** A copy of the stored object. */
    public synchronized Optional<JsonObject> get(Kind kind, String namespace, String name) {
        return Optional.ofNullable(objects.get(key(kind, namespace, name))).map(JsonObject::deepCopy);
    }

    /** Copies of a namespace's objects of one kind, in creation order. */
    public synchronized List<JsonObject> list(Kind kind, String namespace) {
        List<JsonObject> result = new ArrayList<>();
        String prefix = kind.name() + "/" + namespace + "/";
        objects.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                result.add(v.deepCopy());
            }
        });
        return result;
    }

    /**
     * Applies a merge patch as a test-side edit (status, annotations, someone else's change):
     * bumps the resourceVersion, does not notify listeners. Returns the new resourceVersion.
     */
    public synchronized String merge(Kind kind, String namespace, String name, String mergePatch) {
        String key = key(kind, namespace, name);
        JsonObject current = objects.get(key);
        if (current == null) {
            throw new IllegalArgumentException("no " + key);
        }
        JsonObject patched = mergePatch(current.deepCopy(), JsonParser.parseString(mergePatch)).getAsJsonObject();
        String rv = nextVersion();
        metadata(patched).addProperty("resourceVersion", rv);
        objects.put(key, patched);
        return rv;
    }

    /** Removes an object (a test-side delete). */
    public synchronized void delete(Kind kind, String namespace, String name) {
        objects.remove(key(kind, namespace, name));
    }

    /** Whether Deployment and StatefulSet spec changes made through the API update observedGeneration/replicas/updatedReplicas at once. */
    public synchronized void reconcileDeployments(boolean on) {
        reconcileDeployments = on;
    }

    /** Registers a listener for changes made through the API. */
    public void onChange(ChangeListener listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    // ---------------------------------------------------------------- faults

    /**
     * Answers {@code status} (a Status object) to the next {@code times} requests matching
     * {@code method} (null: any) and {@code pathPrefix}; {@code times < 0}: until {@link #clearFaults()}.
     */
    public synchronized void fail(String method, String pathPrefix, int status, int times) {
        faults.add(new Fault(method, requireNonNull(pathPrefix, "pathPrefix"), status, Duration.ZERO,
                new int[] {times}, false));
    }

    /**
     * As {@link #fail}, with the request's {@code Authorization} header in the Status message, as an auth proxy or
     * gateway in front of the API server may answer ("Unauthorized: got Authorization Bearer ..."): what comes back
     * may hold the credentials sent.
     */
    public synchronized void failEchoingCredentials(String method, String pathPrefix, int status, int times) {
        faults.add(new Fault(method, requireNonNull(pathPrefix, "pathPrefix"), status, Duration.ZERO,
                new int[] {times}, false, true));
    }

    /**
     * Applies the next {@code times} matching requests as usual, then answers {@code status} instead of
     * the result: a write whose answer was lost after the server committed it (a 500 from an
     * overloaded API server, a proxy timing out). {@code times < 0}: until {@link #clearFaults()}.
     */
    public synchronized void applyThenFail(String method, String pathPrefix, int status, int times) {
        faults.add(new Fault(method, requireNonNull(pathPrefix, "pathPrefix"), status, Duration.ZERO,
                new int[] {times}, true));
    }

    /** Registers a hook run for every request before it is answered; hooks may block (a pause) or throw nothing. */
    public void onRequest(RequestHook hook) {
        hooks.add(requireNonNull(hook, "hook"));
    }

    /** Holds the response of the next {@code times} matching requests for {@code latency} (the request is applied). */
    public synchronized void delay(String method, String pathPrefix, Duration latency, int times) {
        faults.add(new Fault(method, requireNonNull(pathPrefix, "pathPrefix"), 0, latency, new int[] {times}, false));
    }

    public synchronized void clearFaults() {
        faults.clear();
    }

    // ---------------------------------------------------------------- recorded requests

    /** Every request this fake answered, in order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Requests with the given method whose path starts with {@code pathPrefix}. */
    public List<Request> requests(String method, String pathPrefix) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix)).toList();
    }

    public void clearRequests() {
        requests.clear();
    }

    /** Every autoscaler request answered by any fake in this JVM (for the RBAC test). */
    public static List<Request> allAutoscalerRequests() {
        return ALL.snapshot();
    }

    // ---------------------------------------------------------------- dispatch

    private MockResponse dispatch(RecordedRequest recorded) {
        HttpUrl url = recorded.getUrl();
        String body = recorded.getBody() == null ? "" : recorded.getBody().utf8();
        String contentType = Optional.ofNullable(recorded.getHeaders().get("Content-Type")).orElse("");
        String userAgent = Optional.ofNullable(recorded.getHeaders().get("User-Agent")).orElse("");
        String authorization = Optional.ofNullable(recorded.getHeaders().get("Authorization")).orElse("");
        Request request = new Request(recorded.getMethod(), url.encodedPath(),
                Optional.ofNullable(url.encodedQuery()).orElse(""), body, contentType, userAgent, authorization);
        requests.add(request);
        if (request.fromAutoscaler()) {
            ALL.add(request);
        }
        for (RequestHook hook : hooks) {
            hook.received(request);
        }
        Fault fault = takeFault(request);
        MockResponse response;
        if (fault != null && fault.status() > 0 && fault.applyFirst()) {
            try {
                handle(request);
            } catch (BadRequest e) {
                // the request failed on its own; the injected answer stands in for it either way
            }
            response = status(fault.status(), "injected by the test after applying " + request);
        } else if (fault != null && fault.status() > 0 && fault.echo()) {
            response = status(fault.status(), "Unauthorized: got Authorization " + request.authorization());
        } else if (fault != null && fault.status() > 0) {
            response = status(fault.status(), "injected by the test for " + request);
        } else {
            try {
                response = handle(request);
            } catch (BadRequest e) {
                response = status(e.code, e.getMessage(), e.reason);
            }
        }
        if (fault != null && !fault.latency().isZero()) {
            response = response.newBuilder().headersDelay(fault.latency().toMillis(), TimeUnit.MILLISECONDS).build();
        }
        return response;
    }

    private synchronized Fault takeFault(Request request) {
        for (Iterator<Fault> it = faults.iterator(); it.hasNext(); ) {
            Fault fault = it.next();
            if (fault.matches(request)) {
                if (fault.remaining()[0] > 0 && --fault.remaining()[0] == 0) {
                    it.remove();
                }
                return fault;
            }
        }
        return null;
    }

    private synchronized MockResponse handle(Request request) {
        writer = request.method().equals("GET") ? null : new Writer(managerOf(request), "Update",
                request.path().endsWith("/scale") ? "scale" : "");
        try {
            return route(request);
        } finally {
            writer = null;
        }
    }

    /**
     * The field manager the API server records for a plain write: the {@code fieldManager} parameter, else the
     * User-Agent's product, up to its first "/" (Kubernetes docs, Server-Side Apply, "Field managers": "For other
     * updates, the API server infers a field manager identity from the User-Agent"; "kubectl/v1.31.0 (linux/amd64)"
     * is {@code kubectl}).
     */
    private static String managerOf(Request request) {
        String agent = request.userAgent();
        return request.queryParameter("fieldManager").orElse(agent.contains("/") ? agent.substring(0,
                agent.indexOf('/')) : agent);
    }

    private MockResponse route(Request request) {
        List<String> parts = Arrays.stream(request.path().split("/")).filter(s -> !s.isEmpty()).toList();
        if (parts.equals(List.of("apis", "authentication.k8s.io", "v1", "selfsubjectreviews"))
                && request.method().equals("POST") && authenticatedAs != null) {
            JsonObject review = parse(request.body());
            JsonObject userInfo = new JsonObject();
            userInfo.addProperty("username", authenticatedAs);
            JsonArray groups = new JsonArray();
            groups.add("system:authenticated");
            userInfo.add("groups", groups);
            JsonObject status = new JsonObject();
            status.add("userInfo", userInfo);
            review.add("status", status);
            return ok(201, review);
        }
        // /api/v1/namespaces/{ns}/{plural}[/{name}]  or  /apis/{group}/{version}/namespaces/{ns}/{plural}[/{name}[/scale]]
        int at;
        String group;
        String version;
        if (parts.size() >= 4 && parts.get(0).equals("api")) {
            group = "";
            version = parts.get(1);
            at = 2;
        } else if (parts.size() >= 5 && parts.get(0).equals("apis")) {
            group = parts.get(1);
            version = parts.get(2);
            at = 3;
        } else {
            return pageNotFound();
        }
        if (!parts.get(at).equals("namespaces") || parts.size() < at + 3) {
            throw new BadRequest(404, "the fake serves namespaced resources only: " + request.path());
        }
        String namespace = parts.get(at + 1);
        String plural = parts.get(at + 2);
        Optional<Kind> served = Arrays.stream(Kind.values())
                .filter(k -> k.group.equals(group) && k.version.equals(version) && k.plural.equals(plural))
                .filter(k -> !unserved.contains(k))
                .findFirst();
        if (served.isEmpty()) {
            return pageNotFound();
        }
        Kind kind = served.get();
        List<String> rest = parts.subList(at + 3, parts.size());
        String method = request.method();
        if (rest.isEmpty()) {
            return switch (method) {
                case "GET" -> ok(200, listObject(kind, namespace, request.queryParameter("labelSelector").orElse("")));
                case "POST" -> create(kind, namespace, parse(request.body()));
                default -> throw new BadRequest(405, method + " is not allowed on " + request.path());
            };
        }
        String name = rest.get(0);
        if (rest.size() == 2 && rest.get(1).equals("scale") && kind == Kind.DEPLOYMENTS) {
            return scale(namespace, name, request);
        }
        if (rest.size() != 1) {
            throw new BadRequest(404, "the server could not find the requested resource " + request.path());
        }
        return switch (method) {
            case "GET" -> ok(200, existing(kind, namespace, name).deepCopy());
            case "PATCH" -> ok(200, patch(kind, namespace, name, request));
            case "PUT" -> ok(200, replace(kind, namespace, name, parse(request.body())));
            case "DELETE" -> {
                JsonObject before = existing(kind, namespace, name);
                objects.remove(key(kind, namespace, name));
                notifyListeners(new Change(kind, namespace, name, before.deepCopy(), null));
                yield ok(200, before);
            }
            default -> throw new BadRequest(405, method + " is not allowed on " + request.path());
        };
    }

    private JsonObject listObject(Kind kind, String namespace, String labelSelector) {
        Map<String, String> equal = new LinkedHashMap<>();
        Map<String, String> notEqual = new LinkedHashMap<>();
        if (!labelSelector.isBlank()) {
            for (String term : labelSelector.split(",")) {
                String[] kv;
                if (term.contains("!=")) {
                    kv = term.split("!=", 2);
                    notEqual.put(kv[0].strip(), kv[1].strip());
                } else if (term.contains("=")) {
                    kv = term.split("==?", 2);
                    equal.put(kv[0].strip(), kv[1].strip());
                } else {
                    throw new BadRequest(400, "the fake supports only k=v and k!=v label selectors, not \"" + term + "\"");
                }
            }
        }
        JsonArray items = new JsonArray();
        for (JsonObject object : list(kind, namespace)) {
            JsonObject labels = Optional.ofNullable(metadata(object).getAsJsonObject("labels")).orElseGet(JsonObject::new);
            boolean match = equal.entrySet().stream().allMatch(e -> e.getValue().equals(string(labels, e.getKey())))
                    && notEqual.entrySet().stream().noneMatch(e -> e.getValue().equals(string(labels, e.getKey())));
            if (match) {
                items.add(object);
            }
        }
        JsonObject list = new JsonObject();
        list.addProperty("apiVersion", kind.apiVersion());
        list.addProperty("kind", kind.kind + "List");
        JsonObject meta = new JsonObject();
        meta.addProperty("resourceVersion", String.valueOf(resourceVersion));
        list.add("metadata", meta);
        list.add("items", items);
        return list;
    }

    private MockResponse create(Kind kind, String namespace, JsonObject body) {
        JsonObject meta = metadata(body);
        String name = string(meta, "name");
        if (name == null && string(meta, "generateName") != null) {
            name = string(meta, "generateName") + UUID.randomUUID().toString().substring(0, 5);
            meta.addProperty("name", name);
        }
        if (name == null || name.isBlank()) {
            throw new BadRequest(422, kind.kind + " \"\" is invalid: metadata.name: Required value");
        }
        if (objects.containsKey(key(kind, namespace, name))) {
            throw new BadRequest(409, kind.plural + qualifiedGroup(kind) + " \"" + name + "\" already exists",
                    "AlreadyExists");
        }
        if (kind == Kind.EVENTS) {
            // core/v1 Event validation (kubernetes pkg/apis/core/validation/events.go, legacyValidateEvent): the
            // involved object's namespace must be the Event's; with eventTime set, reporting fields are required.
            JsonObject involved = body.has("involvedObject") && body.get("involvedObject").isJsonObject()
                    ? body.getAsJsonObject("involvedObject") : new JsonObject();
            if (!namespace.equals(string(involved, "namespace"))) {
                throw new BadRequest(422, "Event \"" + name + "\" is invalid: involvedObject.namespace: Invalid value:"
                        + " does not match event.namespace");
            }
            if (body.has("eventTime") && !body.get("eventTime").isJsonNull()
                    && (string(body, "reportingComponent") == null || string(body, "reportingInstance") == null
                    || string(body, "action") == null)) {
                throw new BadRequest(422, "Event \"" + name + "\" is invalid: reportingController, reportingInstance"
                        + " and action are required with eventTime");
            }
        }
        meta.addProperty("namespace", namespace);
        meta.addProperty("uid", UUID.randomUUID().toString());
        meta.addProperty("creationTimestamp", CREATED);
        meta.remove("resourceVersion");
        if (kind.hasSpecGeneration()) {
            meta.addProperty("generation", 1);
            // a created object starts with no status (PrepareForCreate; a CRD's status subresource ignores it)
            body.remove("status");
        }
        body.addProperty("apiVersion", kind.apiVersion());
        body.addProperty("kind", kind.kind);
        defaultMode(kind, body);
        meta.addProperty("resourceVersion", nextVersion());
        objects.put(key(kind, namespace, name), body);
        notifyListeners(new Change(kind, namespace, name, null, body.deepCopy()));
        return ok(201, body.deepCopy());
    }

    private JsonObject patch(Kind kind, String namespace, String name, Request request) {
        requireMergePatch(kind, request);
        JsonObject current = existing(kind, namespace, name);
        JsonElement patch = parse(request.body());
        checkPrecondition(kind, name, current, string(metadata(patch.getAsJsonObject()), "resourceVersion"));
        JsonObject patched = mergePatch(current.deepCopy(), patch).getAsJsonObject();
        return store(kind, namespace, name, current, patched);
    }

    private JsonObject replace(Kind kind, String namespace, String name, JsonObject body) {
        JsonObject current = existing(kind, namespace, name);
        String resourceVersion = string(metadata(body), "resourceVersion");
        // A Lease and a custom resource refuse an update without resourceVersion (kubernetes
        // pkg/registry/coordination/lease/strategy.go AllowUnconditionalUpdate: false; the same for custom
        // resources in apiextensions-apiserver); Deployments, StatefulSets, Events and HPAs allow it.
        if ((kind == Kind.LEASES || kind == Kind.MILVUSES) && (resourceVersion == null || resourceVersion.isEmpty())) {
            throw new BadRequest(422, kind.kind + ".\"" + name + "\" is invalid: metadata.resourceVersion: Invalid value:"
                    + " 0x0: must be specified for an update", "Invalid");
        }
        checkPrecondition(kind, name, current, resourceVersion);
        return store(kind, namespace, name, current, body);
    }

    /**
     * The Milvus CRD's one default that decides what the operator runs: {@code spec.mode} is
     * {@code +kubebuilder:default:="standalone"} (zilliztech/milvus-operator apis/milvus.io/v1beta1/milvus_types.go),
     * which the API server writes into an object created without it; a cluster install says {@code mode: cluster}.
     */
    private static void defaultMode(Kind kind, JsonObject object) {
        if (kind != Kind.MILVUSES) {
            return;
        }
        if (!object.has("spec") || !object.get("spec").isJsonObject()) {
            object.add("spec", new JsonObject());
        }
        JsonObject spec = object.getAsJsonObject("spec");
        if (!spec.has("mode")) {
            spec.addProperty("mode", "standalone");
        }
    }

    /**
     * Keeps identity fields, bumps generation as the API server does, plays the Deployment and StatefulSet
     * controllers, notifies.
     */
    private JsonObject store(Kind kind, String namespace, String name, JsonObject before, JsonObject after) {
        JsonObject meta = metadata(after);
        JsonObject oldMeta = metadata(before);
        if (kind.hasSpecGeneration()) {
            // status is a subresource: a write to the object keeps the stored status (kubernetes
            // pkg/registry/apps/deployment strategy.go PrepareForUpdate, newDeployment.Status = oldDeployment.Status;
            // the Milvus CRD declares +kubebuilder:subresource:status); only the controllers change it.
            after.remove("status");
            if (before.has("status")) {
                after.add("status", before.get("status").deepCopy());
            }
        }
        meta.addProperty("name", name);
        meta.addProperty("namespace", namespace);
        meta.addProperty("uid", string(oldMeta, "uid"));
        meta.addProperty("creationTimestamp", string(oldMeta, "creationTimestamp"));
        after.addProperty("apiVersion", kind.apiVersion());
        after.addProperty("kind", kind.kind);
        if (kind.hasSpecGeneration()) {
            long generation = oldMeta.has("generation") ? oldMeta.get("generation").getAsLong() : 1;
            boolean specChanged = !java.util.Objects.equals(before.get("spec"), after.get("spec"));
            // A Deployment's generation also moves on an annotation change (kubernetes pkg/registry/apps/deployment
            // strategy.go PrepareForUpdate: annotations are copied to its ReplicaSets); the controller then observes it.
            boolean annotationsChanged = kind == Kind.DEPLOYMENTS
                    && !java.util.Objects.equals(oldMeta.get("annotations"), meta.get("annotations"));
            meta.addProperty("generation", specChanged || annotationsChanged ? generation + 1 : generation);
            boolean controlled = kind == Kind.DEPLOYMENTS || kind == Kind.STATEFULSETS;
            if (controlled && (specChanged || annotationsChanged) && reconcileDeployments) {
                // Both controllers observe the new generation at once. A Deployment's creates a scale's pods at
                // once, so they all count as updated. The StatefulSet's creates them one at a time (OrderedReady,
                // kubernetes stateful_set_control.go) and counts only created pods in updatedReplicas, so a scale
                // leaves updatedReplicas to the test; a template change makes a new updateRevision.
                JsonObject status = statusOf(after);
                status.addProperty("observedGeneration", meta.get("generation").getAsLong());
                if (kind == Kind.DEPLOYMENTS && specChanged) {
                    long replicas = replicasOf(after);
                    status.addProperty("replicas", replicas);
                    status.addProperty("updatedReplicas", replicas);
                }
                if (kind == Kind.STATEFULSETS && !java.util.Objects.equals(templateOf(before), templateOf(after))) {
                    status.addProperty("updateRevision", name + "-rev" + meta.get("generation").getAsLong());
                }
            }
        }
        // A write whose body leaves managedFields out keeps the stored ones: the API server never lets a client
        // unaware of the field strip it (Server-Side Apply docs, "Clearing managedFields").
        if (!meta.has("managedFields") && oldMeta.has("managedFields")) {
            meta.add("managedFields", oldMeta.get("managedFields").deepCopy());
        }
        if (writer != null && !writer.manager().isEmpty()) {
            for (List<String> path : countPaths(kind, before, after)) {
                if (!java.util.Objects.equals(valueAt(before, path), valueAt(after, path))) {
                    own(kind, after, path, writer);
                }
            }
        }
        meta.addProperty("resourceVersion", nextVersion());
        objects.put(key(kind, namespace, name), after);
        notifyListeners(new Change(kind, namespace, name, before.deepCopy(), after.deepCopy()));
        return after.deepCopy();
    }

    /** A field manager's identity in managedFields. */
    private record Writer(String manager, String operation, String subresource) {

        /** True for this writer's own managedFields entry. */
        boolean is(JsonObject entry) {
            return manager.equals(string(entry, "manager")) && operation.equals(string(entry, "operation"))
                    && Optional.ofNullable(string(entry, "subresource")).orElse("").equals(subresource);
        }
    }

    /**
     * Applies {@code mergePatch} as a server-side apply of {@code manager} would change the replica count (a Helm 4
     * upgrade, a GitOps sync): refused with the API server's conflict message when it would change a count another
     * manager owns, unless {@code force} ({@code --force-conflicts}), which takes the field (Kubernetes docs,
     * Server-Side Apply, "Conflicts"; the message as apimachinery's managedfields/internal/conflict.go writes it:
     * {@code Apply failed with 1 conflict: conflict with "milvus-autoscaler" using apps/v1 at <time>: .spec.replicas}).
     * Only the count is tracked: the rest merges as a test-side edit. Returns the new resourceVersion.
     *
     * @throws IllegalStateException with the conflict message, nothing changed
     */
    public synchronized String apply(String manager, Kind kind, String namespace, String name, String mergePatch,
                                     boolean force) {
        JsonObject current = existing(kind, namespace, name);
        JsonObject patched = mergePatch(current.deepCopy(), JsonParser.parseString(mergePatch)).getAsJsonObject();
        Writer applier = new Writer(manager, "Apply", "");
        for (List<String> path : countPaths(kind, current, patched)) {
            if (valueAt(patched, path) == null && valueAt(current, path) != null) {
                dropped(kind, patched, path, manager, valueAt(current, path));
                continue;
            }
            if (java.util.Objects.equals(valueAt(current, path), valueAt(patched, path))) {
                // The same value shares the field: both managers own it ("When two or more appliers set a field to the
                // same value, they share ownership of that field").
                share(kind, patched, path, applier);
                continue;
            }
            for (JsonElement e : managedFields(current)) {
                JsonObject entry = e.getAsJsonObject();
                if (!force && !manager.equals(string(entry, "manager")) && owns(entry, path)) {
                    String by = "\"" + string(entry, "manager") + "\"" + ("Update".equals(string(entry, "operation"))
                            ? " using " + string(entry, "apiVersion") + (entry.has("time") ? " at "
                            + string(entry, "time") : "") : "");
                    throw new IllegalStateException("Apply failed with 1 conflict: conflict with " + by + ": ."
                            + String.join(".", path));
                }
            }
            own(kind, patched, path, applier);
        }
        String rv = nextVersion();
        metadata(patched).addProperty("resourceVersion", rv);
        objects.put(key(kind, namespace, name), patched);
        return rv;
    }

    /**
     * An applier that leaves a count out of its config gives it up: the value stays while another manager owns it,
     * else the field is removed, a Deployment's or StatefulSet's then defaulted to 1 (Server-Side Apply docs: "If the
     * field is not owned by any other field managers, it is either deleted from the live object or reset to its
     * default value, if it has one").
     */
    private static void dropped(Kind kind, JsonObject patched, List<String> path, String manager, JsonElement was) {
        boolean ownedByOthers = false;
        for (Iterator<JsonElement> it = managedFields(patched).iterator(); it.hasNext(); ) {
            JsonObject entry = it.next().getAsJsonObject();
            if (manager.equals(string(entry, "manager")) && "Apply".equals(string(entry, "operation"))) {
                disown(entry.getAsJsonObject("fieldsV1"), path, 0);
                if (entry.getAsJsonObject("fieldsV1") == null || entry.getAsJsonObject("fieldsV1").size() == 0) {
                    it.remove();
                }
            } else if (owns(entry, path)) {
                ownedByOthers = true;
            }
        }
        JsonObject parent = patched;
        for (String key : path.subList(0, path.size() - 1)) {
            if (!parent.has(key) || !parent.get(key).isJsonObject()) {
                parent.add(key, new JsonObject());
            }
            parent = parent.getAsJsonObject(key);
        }
        String field = path.get(path.size() - 1);
        if (ownedByOthers) {
            parent.add(field, was.deepCopy());
        } else if (kind == Kind.DEPLOYMENTS || kind == Kind.STATEFULSETS) {
            parent.addProperty(field, 1);
        } else {
            parent.remove(field);
        }
    }

    /** The fields that hold a replica count: spec.replicas, or each component's on a Milvus resource. */
    private static List<List<String>> countPaths(Kind kind, JsonObject before, JsonObject after) {
        if (kind == Kind.DEPLOYMENTS || kind == Kind.STATEFULSETS) {
            return List.of(List.of("spec", "replicas"));
        }
        if (kind != Kind.MILVUSES) {
            return List.of();
        }
        java.util.Set<String> components = new java.util.TreeSet<>();
        for (JsonObject o : List.of(before, after)) {
            JsonElement c = valueAt(o, List.of("spec", "components"));
            if (c != null && c.isJsonObject()) {
                components.addAll(c.getAsJsonObject().keySet());
            }
        }
        return components.stream().map(c -> List.of("spec", "components", c, "replicas")).toList();
    }

    private static JsonElement valueAt(JsonObject object, List<String> path) {
        JsonElement at = object;
        for (String key : path) {
            at = at != null && at.isJsonObject() ? at.getAsJsonObject().get(key) : null;
        }
        return at;
    }

    private static JsonArray managedFields(JsonObject object) {
        JsonObject meta = metadata(object);
        if (!meta.has("managedFields") || !meta.get("managedFields").isJsonArray()) {
            meta.add("managedFields", new JsonArray());
        }
        return meta.getAsJsonArray("managedFields");
    }

    private static boolean owns(JsonObject entry, List<String> path) {
        JsonElement at = entry.get("fieldsV1");
        for (String key : path) {
            at = at != null && at.isJsonObject() ? at.getAsJsonObject().get("f:" + key) : null;
        }
        return at != null;
    }

    /**
     * Moves the field at {@code path} to {@code to}, as the API server does when a write changes its value ("Whenever
     * a field's value does change, ownership moves from its current manager to the manager making the change"): out
     * of every other entry (one left owning nothing is deleted), into {@code to}'s, dated now.
     */
    private void own(Kind kind, JsonObject object, List<String> path, Writer to) {
        for (Iterator<JsonElement> it = managedFields(object).iterator(); it.hasNext(); ) {
            JsonObject entry = it.next().getAsJsonObject();
            if (to.is(entry)) {
                continue;
            }
            disown(entry.getAsJsonObject("fieldsV1"), path, 0);
            if (entry.getAsJsonObject("fieldsV1") == null || entry.getAsJsonObject("fieldsV1").size() == 0) {
                it.remove();
            }
        }
        share(kind, object, path, to);
    }

    /** Adds {@code path} to {@code to}'s entry (made when it has none), dated now, leaving every other owner be. */
    private void share(Kind kind, JsonObject object, List<String> path, Writer to) {
        JsonObject mine = null;
        for (JsonElement e : managedFields(object)) {
            if (to.is(e.getAsJsonObject())) {
                mine = e.getAsJsonObject();
            }
        }
        if (mine == null) {
            mine = new JsonObject();
            mine.addProperty("manager", to.manager());
            mine.addProperty("operation", to.operation());
            mine.addProperty("apiVersion", kind.apiVersion());
            mine.addProperty("fieldsType", "FieldsV1");
            mine.add("fieldsV1", new JsonObject());
            if (!to.subresource().isEmpty()) {
                mine.addProperty("subresource", to.subresource());
            }
            managedFields(object).add(mine);
        }
        mine.addProperty("time", clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        JsonObject at = mine.getAsJsonObject("fieldsV1");
        for (String key : path) {
            if (!at.has("f:" + key) || !at.get("f:" + key).isJsonObject()) {
                at.add("f:" + key, new JsonObject());
            }
            at = at.getAsJsonObject("f:" + key);
        }
    }

    private static void disown(JsonObject fields, List<String> path, int depth) {
        if (fields == null) {
            return;
        }
        String key = "f:" + path.get(depth);
        if (depth == path.size() - 1) {
            fields.remove(key);
            return;
        }
        if (fields.has(key) && fields.get(key).isJsonObject()) {
            disown(fields.getAsJsonObject(key), path, depth + 1);
            if (fields.getAsJsonObject(key).size() == 0) {
                fields.remove(key);
            }
        }
    }

    /** The object's status, added to it when it has none. */
    private static JsonObject statusOf(JsonObject object) {
        if (!object.has("status") || !object.get("status").isJsonObject()) {
            object.add("status", new JsonObject());
        }
        return object.getAsJsonObject("status");
    }

    /** {@code spec.template}, or null. */
    private static JsonElement templateOf(JsonObject object) {
        return object.has("spec") && object.get("spec").isJsonObject() ? object.getAsJsonObject("spec").get("template")
                : null;
    }

    private MockResponse scale(String namespace, String name, Request request) {
        JsonObject deployment = existing(Kind.DEPLOYMENTS, namespace, name);
        switch (request.method()) {
            case "GET" -> {
                return ok(200, scaleOf(deployment));
            }
            case "PATCH" -> {
                requireMergePatch(Kind.DEPLOYMENTS, request);
                JsonElement patch = parse(request.body());
                checkPrecondition(Kind.DEPLOYMENTS, name, deployment,
                        string(metadata(patch.getAsJsonObject()), "resourceVersion"));
                JsonObject scale = mergePatch(scaleOf(deployment), patch).getAsJsonObject();
                return ok(200, scaleOf(setReplicas(namespace, name, deployment, scale)));
            }
            case "PUT" -> {
                JsonObject scale = parse(request.body());
                checkPrecondition(Kind.DEPLOYMENTS, name, deployment, string(metadata(scale), "resourceVersion"));
                return ok(200, scaleOf(setReplicas(namespace, name, deployment, scale)));
            }
            default -> throw new BadRequest(405, request.method() + " is not allowed on " + request.path());
        }
    }

    private JsonObject setReplicas(String namespace, String name, JsonObject deployment, JsonObject scale) {
        JsonElement replicas = scale.has("spec") ? scale.getAsJsonObject("spec").get("replicas") : null;
        if (replicas == null || !replicas.isJsonPrimitive() || replicas.getAsLong() < 0) {
            throw new BadRequest(422, "Scale.autoscaling \"" + name + "\" is invalid: spec.replicas: Invalid value");
        }
        JsonObject after = deployment.deepCopy();
        JsonObject spec = after.has("spec") ? after.getAsJsonObject("spec") : new JsonObject();
        spec.addProperty("replicas", replicas.getAsLong());
        after.add("spec", spec);
        return store(Kind.DEPLOYMENTS, namespace, name, deployment, after);
    }

    /** The autoscaling/v1 Scale a real API server answers for a Deployment's /scale. */
    private static JsonObject scaleOf(JsonObject deployment) {
        JsonObject meta = metadata(deployment);
        JsonObject scaleMeta = new JsonObject();
        for (String field : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (meta.has(field)) {
                scaleMeta.add(field, meta.get(field));
            }
        }
        JsonObject spec = new JsonObject();
        spec.addProperty("replicas", replicasOf(deployment));
        JsonObject status = new JsonObject();
        JsonElement statusReplicas = deployment.has("status") && deployment.get("status").isJsonObject()
                ? deployment.getAsJsonObject("status").get("replicas") : null;
        status.addProperty("replicas", statusReplicas == null ? 0 : statusReplicas.getAsLong());
        JsonElement matchLabels = deployment.has("spec") && deployment.getAsJsonObject("spec").has("selector")
                ? deployment.getAsJsonObject("spec").getAsJsonObject("selector").get("matchLabels") : null;
        List<String> terms = new ArrayList<>();
        if (matchLabels != null && matchLabels.isJsonObject()) {
            matchLabels.getAsJsonObject().entrySet().forEach(e -> terms.add(e.getKey() + "=" + e.getValue().getAsString()));
        }
        status.addProperty("selector", String.join(",", terms));
        JsonObject scale = new JsonObject();
        scale.addProperty("kind", "Scale");
        scale.addProperty("apiVersion", "autoscaling/v1");
        scale.add("metadata", scaleMeta);
        scale.add("spec", spec);
        scale.add("status", status);
        return scale;
    }

    private static long replicasOf(JsonObject deployment) {
        JsonElement replicas = deployment.has("spec") ? deployment.getAsJsonObject("spec").get("replicas") : null;
        return replicas == null || replicas.isJsonNull() ? 1 : replicas.getAsLong();
    }

    private void checkPrecondition(Kind kind, String name, JsonObject current, String expected) {
        if (expected != null && !expected.equals(string(metadata(current), "resourceVersion"))) {
            throw new BadRequest(409, "Operation cannot be fulfilled on " + kind.plural + qualifiedGroup(kind) + " \""
                    + name + "\": the object has been modified; please apply your changes to the latest version and"
                    + " try again", "Conflict");
        }
    }

    /**
     * Merge patch for every kind; strategic merge patch only for built-in kinds, as the API server: a custom
     * resource has no patch strategy to merge by and answers 415 (k8s.io/apiextensions-apiserver's
     * customresource_handler.go lists json-patch, merge-patch and apply-patch). The fake does not play JSON patch.
     */
    private static void requireMergePatch(Kind kind, Request request) {
        String type = request.contentType().split(";")[0].strip();
        if (type.equals("application/strategic-merge-patch+json") && kind == Kind.MILVUSES) {
            throw new BadRequest(415, "the body of the request was in an unknown format - accepted media types include:"
                    + " application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        }
        if (!type.equals("application/merge-patch+json") && !type.equals("application/strategic-merge-patch+json")) {
            throw new BadRequest(415, "the fake supports merge patch only, not \"" + request.contentType() + "\"");
        }
    }

    /** RFC 7386: objects merge key by key, null deletes, anything else (arrays too) replaces. */
    static JsonElement mergePatch(JsonElement target, JsonElement patch) {
        if (!patch.isJsonObject()) {
            return patch.deepCopy();
        }
        JsonObject result = target != null && target.isJsonObject() ? target.getAsJsonObject() : new JsonObject();
        for (Map.Entry<String, JsonElement> entry : patch.getAsJsonObject().entrySet()) {
            if (entry.getValue().isJsonNull()) {
                result.remove(entry.getKey());
            } else {
                result.add(entry.getKey(), mergePatch(result.get(entry.getKey()), entry.getValue()));
            }
        }
        return result;
    }

    private void notifyListeners(Change change) {
        for (ChangeListener listener : listeners) {
            listener.changed(change);
        }
    }

    private JsonObject existing(Kind kind, String namespace, String name) {
        JsonObject object = objects.get(key(kind, namespace, name));
        if (object == null) {
            throw new BadRequest(404, kind.plural + qualifiedGroup(kind) + " \"" + name + "\" not found", "NotFound");
        }
        return object;
    }

    private String nextVersion() {
        return String.valueOf(++resourceVersion);
    }

    private static String qualifiedGroup(Kind kind) {
        return kind.group.isEmpty() ? "" : "." + kind.group;
    }

    private static String key(Kind kind, String namespace, String name) {
        return kind.name() + "/" + namespace + "/" + name;
    }

    private static JsonObject metadata(JsonObject object) {
        JsonElement meta = object.get("metadata");
        if (meta == null || !meta.isJsonObject()) {
            JsonObject created = new JsonObject();
            object.add("metadata", created);
            return created;
        }
        return meta.getAsJsonObject();
    }

    private static String string(JsonObject object, String field) {
        JsonElement e = object == null ? null : object.get(field);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private static JsonObject parse(String body) {
        try {
            JsonElement parsed = JsonParser.parseString(body);
            if (!parsed.isJsonObject()) {
                throw new BadRequest(400, "the body is not a JSON object");
            }
            return parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new BadRequest(400, "the body is not JSON: " + e.getMessage());
        }
    }

    /** The API server's answer for a path no installed API serves: Go's http.NotFound, no Status object. */
    private static MockResponse pageNotFound() {
        return new MockResponse.Builder().code(404).setHeader("Content-Type", "text/plain; charset=utf-8")
                .setHeader("X-Content-Type-Options", "nosniff").body("404 page not found\n").build();
    }

    private static MockResponse ok(int code, JsonObject body) {
        return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json")
                .body(GSON.toJson(body)).build();
    }

    private static MockResponse status(int code, String message) {
        if (code == 429) {
            // kube-apiserver throttles before any handler runs, in plain text with Retry-After: 1, not a Status
            // (k8s.io/apiserver pkg/server/filters/maxinflight.go tooManyRequests, which calls http.Error).
            return new MockResponse.Builder().code(429).setHeader("Retry-After", "1")
                    .setHeader("Content-Type", "text/plain; charset=utf-8")
                    .body("Too many requests, please try again later.\n").build();
        }
        return status(code, message, reason(code));
    }

    private static MockResponse status(int code, String message, String reason) {
        JsonObject status = new JsonObject();
        status.addProperty("kind", "Status");
        status.addProperty("apiVersion", "v1");
        status.add("metadata", new JsonObject());
        status.addProperty("status", "Failure");
        status.addProperty("message", message);
        status.addProperty("reason", reason);
        status.addProperty("code", code);
        return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json")
                .body(GSON.toJson(status)).build();
    }

    private static String reason(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 409 -> "Conflict";
            case 415 -> "UnsupportedMediaType";
            case 422 -> "Invalid";
            case 429 -> "TooManyRequests";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> code >= 500 ? "InternalError" : "Unknown";
        };
    }

    /** A failed request, answered as a Status object. */
    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;
        final String reason;

        BadRequest(int code, String message) {
            this(code, message, reason(code));
        }

        BadRequest(int code, String message, String reason) {
            super(message);
            this.code = code;
            this.reason = reason;
        }
    }

    /** JVM-wide log of the autoscaler's requests. */
    private static final class Queue {
        private final ConcurrentLinkedQueue<Request> all = new ConcurrentLinkedQueue<>();

        void add(Request request) {
            all.add(request);
        }

        List<Request> snapshot() {
            return Collections.unmodifiableList(new ArrayList<>(all));
        }
    }

    /** A kubeconfig for this fake at {@code file} (token auth), as the daemon and tests load one. */
    public Path writeKubeconfig(Path file) {
        try {
            Files.writeString(file, """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: fake, cluster: {server: %s}}]
                    contexts: [{name: fake, context: {cluster: fake, user: tester}}]
                    current-context: fake
                    users: [{name: tester, user: {token: fake-api-token}}]
                    """.formatted(url()));
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
