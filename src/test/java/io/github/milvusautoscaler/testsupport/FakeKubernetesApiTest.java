package io.github.milvusautoscaler.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Change;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi.Kind;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The fake behaves like an API server where the actuator tests depend on it. */
class FakeKubernetesApiTest {

    private static final MediaType MERGE = MediaType.get("application/merge-patch+json");
    private static final String DEPLOYMENT = """
            {"metadata": {"name": "web", "namespace": "ns", "labels": {"app": "web", "tier": "front"}},
             "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}},
             "status": {"replicas": 2, "readyReplicas": 2, "updatedReplicas": 2, "observedGeneration": 1}}
            """;

    private FakeKubernetesApi fake;
    private final OkHttpClient http = new OkHttpClient();

    @BeforeEach
    void start() {
        fake = FakeKubernetesApi.start();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    static Stream<Arguments> mergePatches() {
        return Stream.of(
                Arguments.of("nested objects merge key by key",
                        "{\"a\": {\"b\": 1, \"c\": 2}}", "{\"a\": {\"c\": 3}}", "{\"a\": {\"b\": 1, \"c\": 3}}"),
                Arguments.of("null deletes the key",
                        "{\"a\": {\"b\": 1, \"c\": 2}}", "{\"a\": {\"b\": null}}", "{\"a\": {\"c\": 2}}"),
                Arguments.of("arrays are replaced, not appended",
                        "{\"a\": [1, 2, 3]}", "{\"a\": [4]}", "{\"a\": [4]}"),
                Arguments.of("a scalar replaces an object",
                        "{\"a\": {\"b\": 1}}", "{\"a\": 5}", "{\"a\": 5}"),
                Arguments.of("an object replaces a scalar",
                        "{\"a\": 5}", "{\"a\": {\"b\": null, \"c\": 1}}", "{\"a\": {\"c\": 1}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mergePatches")
    void mergePatchFollowsRfc7386(String name, String target, String patch, String expected) {
        assertEquals(JsonParser.parseString(expected),
                FakeKubernetesApi.mergePatch(JsonParser.parseString(target), JsonParser.parseString(patch)));
    }

    @Test
    void everyChangeTakesANewResourceVersionAndAStaleOneGets409() throws IOException {
        String rv = fake.put(Kind.DEPLOYMENTS, DEPLOYMENT);
        String path = Kind.DEPLOYMENTS.path("ns", "web");
        try (Response ok = patch(path, "{\"metadata\": {\"resourceVersion\": \"" + rv + "\"}, \"spec\": {\"replicas\": 3}}")) {
            assertEquals(200, ok.code());
        }
        JsonObject after = fake.get(Kind.DEPLOYMENTS, "ns", "web").orElseThrow();
        String newRv = after.getAsJsonObject("metadata").get("resourceVersion").getAsString();
        // put took 1001, the patch 1002: one increment per change.
        assertEquals(Long.parseLong(rv) + 1, Long.parseLong(newRv));
        assertEquals(2, after.getAsJsonObject("metadata").get("generation").getAsInt(), "spec change bumps generation");
        assertEquals(3, after.getAsJsonObject("status").get("updatedReplicas").getAsInt(), "controller bookkeeping");
        try (Response stale = patch(path, "{\"metadata\": {\"resourceVersion\": \"" + rv + "\"}, \"spec\": {\"replicas\": 9}}")) {
            assertEquals(409, stale.code());
            JsonObject status = JsonParser.parseString(stale.body().string()).getAsJsonObject();
            assertEquals("Status", status.get("kind").getAsString());
            assertEquals("Conflict", status.get("reason").getAsString());
        }
        assertEquals(3, fake.get(Kind.DEPLOYMENTS, "ns", "web").orElseThrow().getAsJsonObject("spec").get("replicas").getAsInt());
    }

    @Test
    void scaleSubresourceAnswersAutoscalingV1ScaleAndChangesTheDeployment() throws IOException {
        fake.put(Kind.DEPLOYMENTS, DEPLOYMENT);
        String path = Kind.DEPLOYMENTS.path("ns", "web") + "/scale";
        try (Response response = patch(path, "{\"spec\": {\"replicas\": 5}}")) {
            JsonObject scale = JsonParser.parseString(response.body().string()).getAsJsonObject();
            assertEquals("Scale", scale.get("kind").getAsString());
            assertEquals("autoscaling/v1", scale.get("apiVersion").getAsString());
            assertEquals(5, scale.getAsJsonObject("spec").get("replicas").getAsInt());
            assertEquals("app=web", scale.getAsJsonObject("status").get("selector").getAsString());
        }
        assertEquals(5, fake.get(Kind.DEPLOYMENTS, "ns", "web").orElseThrow().getAsJsonObject("spec").get("replicas").getAsInt());
    }

    @Test
    void listFiltersByEqualityLabelSelector() throws IOException {
        fake.put(Kind.DEPLOYMENTS, DEPLOYMENT);
        fake.put(Kind.DEPLOYMENTS, DEPLOYMENT.replace("\"web\", \"namespace\"", "\"db\", \"namespace\"")
                .replace("\"app\": \"web\", \"tier\"", "\"app\": \"db\", \"tier\""));
        String path = Kind.DEPLOYMENTS.path("ns", null) + "?labelSelector=app%3Dweb,tier%3Dfront";
        try (Response response = http.newCall(new Request.Builder().url(fake.url() + path).build()).execute()) {
            JsonObject list = JsonParser.parseString(response.body().string()).getAsJsonObject();
            assertEquals("DeploymentList", list.get("kind").getAsString());
            assertEquals(1, list.getAsJsonArray("items").size());
            assertEquals("web", list.getAsJsonArray("items").get(0).getAsJsonObject().getAsJsonObject("metadata")
                    .get("name").getAsString());
        }
    }

    @Test
    void injectedFaultsHitOnlyMatchingRequestsAndOnlyNTimes() throws IOException {
        fake.put(Kind.DEPLOYMENTS, DEPLOYMENT);
        String path = Kind.DEPLOYMENTS.path("ns", "web");
        fake.fail("GET", path, 503, 2);
        List<Integer> codes = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (Response r = http.newCall(new Request.Builder().url(fake.url() + path).build()).execute()) {
                codes.add(r.code());
            }
        }
        assertEquals(List.of(503, 503, 200), codes);
        assertEquals(3, fake.requests("GET", path).size(), "every request is recorded, faulted or not");
    }

    @Test
    void listenersSeeChangesMadeThroughTheApi() throws IOException {
        fake.put(Kind.DEPLOYMENTS, DEPLOYMENT);
        List<Change> changes = new CopyOnWriteArrayList<>();
        fake.onChange(changes::add);
        try (Response r = patch(Kind.DEPLOYMENTS.path("ns", "web") + "/scale", "{\"spec\": {\"replicas\": 4}}")) {
            assertEquals(200, r.code());
        }
        assertEquals(1, changes.size());
        assertEquals(2, changes.get(0).before().getAsJsonObject("spec").get("replicas").getAsInt());
        assertEquals(4, changes.get(0).after().getAsJsonObject("spec").get("replicas").getAsInt());
        fake.merge(Kind.DEPLOYMENTS, "ns", "web", "{\"status\": {\"readyReplicas\": 4}}");
        assertEquals(1, changes.size(), "test-side edits do not notify");
    }

    @Test
    void jsonPatchIsRefusedRatherThanMisapplied() throws IOException {
        fake.put(Kind.DEPLOYMENTS, DEPLOYMENT);
        RequestBody body = RequestBody.create("[{\"op\": \"replace\", \"path\": \"/spec/replicas\", \"value\": 1}]",
                MediaType.get("application/json-patch+json"));
        try (Response r = http.newCall(new Request.Builder().url(fake.url() + Kind.DEPLOYMENTS.path("ns", "web"))
                .patch(body).build()).execute()) {
            assertEquals(415, r.code());
        }
        assertFalse(fake.requests().isEmpty());
        assertTrue(fake.requests().stream().noneMatch(FakeKubernetesApi.Request::fromAutoscaler));
    }

    /**
     * Strategic merge patch works on a built-in kind and is refused on the Milvus custom resource, which has no
     * patch strategy (the API server answers 415 for custom resources), as is its update without resourceVersion
     * (422); an unserved type or unknown path gets the not-found handler's plain text, no Status object.
     */
    @Test
    void strategicMergeIsForBuiltInKindsAndAnUnservedTypeIsPlainNotFound() throws IOException {
        fake.put(Kind.DEPLOYMENTS, DEPLOYMENT);
        fake.put(Kind.MILVUSES, "{\"metadata\": {\"name\": \"m\", \"namespace\": \"ns\"}, \"spec\": {\"mode\": \"cluster\"}}");
        MediaType strategic = MediaType.get("application/strategic-merge-patch+json");
        try (Response r = http.newCall(new Request.Builder().url(fake.url() + Kind.DEPLOYMENTS.path("ns", "web"))
                .patch(RequestBody.create("{\"spec\": {\"replicas\": 3}}", strategic)).build()).execute()) {
            assertEquals(200, r.code());
        }
        try (Response r = http.newCall(new Request.Builder().url(fake.url() + Kind.MILVUSES.path("ns", "m"))
                .patch(RequestBody.create("{\"spec\": {\"mode\": \"cluster\"}}", strategic)).build()).execute()) {
            assertEquals(415, r.code());
            assertTrue(r.body().string().contains("application/merge-patch+json"));
        }
        // a custom resource (and a Lease) refuses an update that names no resourceVersion
        try (Response r = http.newCall(new Request.Builder().url(fake.url() + Kind.MILVUSES.path("ns", "m"))
                .put(RequestBody.create("{\"metadata\": {\"name\": \"m\"}, \"spec\": {\"mode\": \"cluster\"}}",
                        MediaType.get("application/json"))).build()).execute()) {
            assertEquals(422, r.code());
            assertTrue(r.body().string().contains("metadata.resourceVersion: Invalid value: 0x0: must be specified"));
        }
        fake.unserve(Kind.MILVUSES);
        for (String path : List.of(Kind.MILVUSES.path("ns", "m"), "/apis/nope.example.com/v1/namespaces/ns/things/x")) {
            try (Response r = http.newCall(new Request.Builder().url(fake.url() + path).build()).execute()) {
                assertEquals(404, r.code());
                assertEquals("404 page not found\n", r.body().string());
                assertTrue(r.header("Content-Type").startsWith("text/plain"));
            }
        }
    }

    /** "Apply then fail": the write is stored, its answer is the injected status; hooks see every request first. */
    @Test
    void applyThenFailStoresTheWriteAndLosesItsAnswer() throws IOException {
        fake.put(Kind.DEPLOYMENTS, DEPLOYMENT);
        List<String> seen = new CopyOnWriteArrayList<>();
        fake.onRequest(r -> seen.add(r.method() + " " + r.path()));
        fake.applyThenFail("PATCH", Kind.DEPLOYMENTS.path("ns", "web"), 500, 1);
        try (Response r = patch(Kind.DEPLOYMENTS.path("ns", "web"), "{\"spec\": {\"replicas\": 5}}")) {
            assertEquals(500, r.code());
        }
        assertEquals(5, fake.get(Kind.DEPLOYMENTS, "ns", "web").orElseThrow().getAsJsonObject("spec").get("replicas")
                .getAsInt(), "applied although the answer was a 500");
        try (Response r = patch(Kind.DEPLOYMENTS.path("ns", "web"), "{\"spec\": {\"replicas\": 6}}")) {
            assertEquals(200, r.code(), "one time only");
        }
        assertEquals(List.of("PATCH " + Kind.DEPLOYMENTS.path("ns", "web"), "PATCH " + Kind.DEPLOYMENTS.path("ns", "web")),
                seen);
    }

    /**
     * Generation, as the API server keeps it: a Deployment's moves on a spec or an annotation change (kubernetes
     * pkg/registry/apps/deployment/strategy.go PrepareForUpdate), a StatefulSet's on a spec change only; the
     * StatefulSet controller observes a scale at once but leaves updatedReplicas to the pods it has created
     * (OrderedReady), and a template change makes a new updateRevision.
     */
    @Test
    void generationsAndTheStatefulSetControllerFollowTheApiServer() throws IOException {
        fake.put(Kind.DEPLOYMENTS, DEPLOYMENT);
        try (Response r = patch(Kind.DEPLOYMENTS.path("ns", "web"), "{\"metadata\": {\"annotations\": {\"a\": \"1\"}}}")) {
            assertEquals(200, r.code());
        }
        JsonObject deployment = fake.get(Kind.DEPLOYMENTS, "ns", "web").orElseThrow();
        assertEquals(2, deployment.getAsJsonObject("metadata").get("generation").getAsInt(), "annotations bump it");
        assertEquals(2, deployment.getAsJsonObject("status").get("observedGeneration").getAsInt());

        fake.put(Kind.STATEFULSETS, DEPLOYMENT.replace("\"updatedReplicas\": 2,", "\"updatedReplicas\": 2,"
                + " \"currentRevision\": \"web-1\", \"updateRevision\": \"web-1\","));
        String path = Kind.STATEFULSETS.path("ns", "web");
        try (Response r = patch(path, "{\"metadata\": {\"annotations\": {\"a\": \"1\"}}}")) {
            assertEquals(200, r.code());
        }
        assertEquals(1, fake.get(Kind.STATEFULSETS, "ns", "web").orElseThrow().getAsJsonObject("metadata")
                .get("generation").getAsInt(), "a StatefulSet's annotations do not");
        try (Response r = patch(path, "{\"spec\": {\"replicas\": 5}}")) {
            assertEquals(200, r.code());
        }
        JsonObject scaled = fake.get(Kind.STATEFULSETS, "ns", "web").orElseThrow().getAsJsonObject("status");
        assertEquals(2, scaled.get("observedGeneration").getAsInt());
        assertEquals(2, scaled.get("updatedReplicas").getAsInt(), "pods are created one at a time");
        assertEquals("web-1", scaled.get("updateRevision").getAsString(), "a scale is no new revision");
        try (Response r = patch(path, "{\"spec\": {\"template\": {\"metadata\": {\"labels\": {\"v\": \"2\"}}}}}")) {
            assertEquals(200, r.code());
        }
        assertEquals("web-rev3", fake.get(Kind.STATEFULSETS, "ns", "web").orElseThrow().getAsJsonObject("status")
                .get("updateRevision").getAsString(), "a template change is");
    }

    private Response patch(String path, String json) throws IOException {
        return http.newCall(new Request.Builder().url(fake.url() + path).patch(RequestBody.create(json, MERGE)).build())
                .execute();
    }
}
