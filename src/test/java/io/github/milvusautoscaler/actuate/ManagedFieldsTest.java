package io.github.milvusautoscaler.actuate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.milvusautoscaler.core.CountWriter;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The owner of the replica count read from managedFields, on entries shaped as the Kubernetes docs give them
 * (Server-Side Apply, "Field management": manager, operation Apply or Update, apiVersion, time, fieldsType FieldsV1,
 * fieldsV1 keyed {@code f:<field>}; ObjectMeta's ManagedFieldsEntry adds {@code subresource}).
 */
class ManagedFieldsTest {

    static JsonObject object(String managedFields) {
        return JsonParser.parseString("{\"metadata\": {\"name\": \"x\", \"managedFields\": " + managedFields + "}}")
                .getAsJsonObject();
    }

    /** Helm 4's install (server-side apply, manager helm) beside the Deployment controller's status Update. */
    @Test
    void theApplierThatOwnsSpecReplicasIsTheWriter() {
        JsonObject deployment = object("""
                [{"manager": "helm", "operation": "Apply", "apiVersion": "apps/v1", "time": "2026-12-07T09:00:00Z",
                  "fieldsType": "FieldsV1",
                  "fieldsV1": {"f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {}}}},
                 {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
                  "time": "2026-12-07T09:00:05Z", "fieldsType": "FieldsV1", "subresource": "status",
                  "fieldsV1": {"f:status": {"f:replicas": {}}}}]""");
        assertEquals(Optional.of(new CountWriter("helm", "Apply", "", Optional.of(
                Instant.parse("2026-12-07T09:00:00Z")))), ManagedFields.owner(deployment, "spec", "replicas"));
        assertEquals("helm (Apply at 2026-12-07T09:00:00Z)",
                ManagedFields.owner(deployment, "spec", "replicas").orElseThrow().said());
    }

    /**
     * A write through the scale subresource (an HPA's, kube-controller-manager's, on /scale) is named with it; a
     * status field of the same name is not the count.
     */
    @Test
    void aScaleSubresourceWriteIsNamedWithItAndStatusReplicasIsNotTheCount() {
        JsonObject deployment = object("""
                [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
                  "time": "2026-12-07T09:10:00Z", "fieldsType": "FieldsV1", "subresource": "scale",
                  "fieldsV1": {"f:spec": {"f:replicas": {}}}},
                 {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
                  "time": "2026-12-07T09:11:00Z", "fieldsType": "FieldsV1", "subresource": "status",
                  "fieldsV1": {"f:status": {"f:replicas": {}}}}]""");
        assertEquals("kube-controller-manager (Update on /scale at 2026-12-07T09:10:00Z)",
                ManagedFields.owner(deployment, "spec", "replicas").orElseThrow().said());
    }

    /**
     * On a Milvus resource the count is its component's; two appliers that set the same value share it, and the newer
     * entry is named; another component's count is not this one's.
     */
    @Test
    void aMilvusComponentsCountIsReadAtItsOwnPathAndTheNewerSharerIsNamed() {
        JsonObject milvus = object("""
                [{"manager": "kubectl", "operation": "Apply", "apiVersion": "milvus.io/v1beta1",
                  "time": "2026-12-07T08:00:00Z", "fieldsType": "FieldsV1",
                  "fieldsV1": {"f:spec": {"f:components": {"f:queryNode": {"f:replicas": {}}, "f:proxy": {"f:replicas": {}}}}}},
                 {"manager": "argocd-controller", "operation": "Apply", "apiVersion": "milvus.io/v1beta1",
                  "time": "2026-12-07T09:00:00Z", "fieldsType": "FieldsV1",
                  "fieldsV1": {"f:spec": {"f:components": {"f:queryNode": {"f:replicas": {}}}}}}]""");
        assertEquals("argocd-controller", ManagedFields.owner(milvus, "spec", "components", "queryNode", "replicas")
                .orElseThrow().manager());
        assertEquals(java.util.List.of("kubectl"), ManagedFields.owner(milvus, "spec", "components", "queryNode",
                "replicas").orElseThrow().sharedWith(), "the older sharer is named too");
        assertEquals("kubectl", ManagedFields.owner(milvus, "spec", "components", "proxy", "replicas")
                .orElseThrow().manager());
        assertEquals(Optional.empty(), ManagedFields.owner(milvus, "spec", "components", "dataNode", "replicas"));
    }

    /** No entry holds the count (a chart at replicas: -1), none at all, or a malformed entry: nothing is named. */
    @Test
    void noRecordedOwnerIsEmptyAndABadTimeIsLeftOut() {
        assertEquals(Optional.empty(), ManagedFields.owner(object("""
                [{"manager": "helm", "operation": "Apply", "fieldsV1": {"f:spec": {"f:selector": {}}}}]"""),
                "spec", "replicas"));
        assertEquals(Optional.empty(), ManagedFields.owner(JsonParser.parseString("{\"metadata\": {}}")
                .getAsJsonObject(), "spec", "replicas"));
        assertEquals(Optional.empty(), ManagedFields.owner(object("[\"not an entry\", {\"operation\": \"Update\","
                + " \"fieldsV1\": {\"f:spec\": {\"f:replicas\": {}}}}]"), "spec", "replicas"));
        assertEquals(new CountWriter("milvus-autoscaler", "Update", "", Optional.empty()), ManagedFields.owner(object("""
                [{"manager": "milvus-autoscaler", "operation": "Update", "time": "yesterday",
                  "fieldsV1": {"f:spec": {"f:replicas": {}}}}]"""), "spec", "replicas").orElseThrow());
    }
}
