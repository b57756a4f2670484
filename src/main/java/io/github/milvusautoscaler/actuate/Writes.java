package io.github.milvusautoscaler.actuate;

import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.ActuationException.Kind;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.ReplicaStatus;

/** The rules both actuators share for whether and how to write. */
final class Writes {

    private Writes() {
    }

    /**
     * False for a HOLD or a decision that does not change the count read (write only on change);
     * refuses a scale on an object read as paused, in case a caller skipped the policy's guard.
     */
    static boolean needed(Decision decision, ReplicaStatus basis) {
        if (!decision.isScale() || decision.to() == null || decision.to() == basis.current()) {
            return false;
        }
        if (basis.paused()) {
            throw new ActuationException(Kind.REFUSED, decision.target() + " is paused (annotation "
                    + ScaleAnnotations.PAUSED + "); not writing " + basis.current() + " -> " + decision.to());
        }
        requireVersion(decision.target(), basis);
        if (decision.to() < 0) {
            throw new IllegalArgumentException(decision.target() + ": cannot write " + decision.to() + " replicas");
        }
        return true;
    }

    static void requireVersion(io.github.milvusautoscaler.core.Target target, ReplicaStatus basis) {
        if (basis.resourceVersion().isBlank()) {
            throw new IllegalArgumentException(target + ": the basis has no resourceVersion; a write must"
                    + " carry the version it was decided on (read it with this actuator)");
        }
    }

    /** {@code {"metadata": {"resourceVersion": ..., "annotations": {...last-scale...}}}}. */
    static JsonObject metadataPatch(ReplicaStatus basis, JsonObject annotations) {
        JsonObject metadata = new JsonObject();
        // A resourceVersion in a merge patch is a precondition: the API server answers 409 if it moved.
        metadata.addProperty("resourceVersion", basis.resourceVersion());
        metadata.add("annotations", annotations);
        JsonObject patch = new JsonObject();
        patch.add("metadata", metadata);
        return patch;
    }
}
