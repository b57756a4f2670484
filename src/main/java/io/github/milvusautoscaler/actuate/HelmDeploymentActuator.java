package io.github.milvusautoscaler.actuate;

import io.github.milvusautoscaler.core.KubernetesSettings;
import static java.util.Objects.requireNonNull;

import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.ActuationException.Kind;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.DeploymentNames;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.ScaleMemory;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.WriteContext;
import io.github.milvusautoscaler.core.WriteGuard;
import io.kubernetes.client.openapi.ApiClient;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes a component's replica count on the {@code apps/v1} Deployment a Helm install
 * creates, named by the chart's rule ({@code my-release-milvus-querynode}, see {@link DeploymentNames}),
 * or on the StatefulSet of the same name the chart makes instead with {@code queryNode.statefulset} or
 * {@code indexNode.statefulset} ({@link HelmWorkloads}; both read and patched alike).
 *
 * <p>The write is one merge patch on the object itself carrying {@code metadata.resourceVersion},
 * {@code spec.replicas} and the last-scale annotations: the {@code /scale} subresource cannot carry
 * annotations, and two writes could be half done. Helm users set {@code <component>.replicas: -1}
 * in their values so the chart omits the field and a later {@code helm upgrade} keeps our count.
 *
 * <p>A HorizontalPodAutoscaler whose {@code scaleTargetRef} is the object owns its count (the Milvus
 * chart creates {@code <fullname>-querynode-hpa} when {@code queryNode.hpa.enabled}, templates/querynode-hpa.yaml):
 * two autoscalers must not own one component, so the read is refused ({@code REFUSED}) and nothing is
 * written, as for an operator install's {@code replicas: -1}. One list of the namespace's HPAs per read.
 *
 * <p>Ready replicas are {@code status.readyReplicas}. Rollout while pods of an older template remain, or
 * the controller has not seen the latest spec yet ({@code status.observedGeneration < metadata.generation});
 * see {@link #rollingOut} for how each kind says the first.
 */
public final class HelmDeploymentActuator implements ReplicaActuator {

    /** The API server's default when {@code spec.replicas} is absent. */
    static final int KUBERNETES_DEFAULT_REPLICAS = 1;

    private static final Logger LOG = LoggerFactory.getLogger(HelmDeploymentActuator.class);

    private final KubernetesRequests requests;
    private final HelmWorkloads workloads;
    private final KubernetesSettings options;
    private final ScaledObjects scaledObjects;
    /** Who holds each pause, remembering marks seen left over from a pause lifted by hand (recheck 41, F1). */
    private final PauseMarks.Sightings pauses = new PauseMarks.Sightings();

    public HelmDeploymentActuator(ApiClient client, KubernetesSettings options, ScaledObjects scaledObjects) {
        this(new KubernetesRequests(client, options), options, scaledObjects);
    }

    private final StalledRollouts stalledRollouts = new StalledRollouts();

    HelmDeploymentActuator(KubernetesRequests requests, KubernetesSettings options, ScaledObjects scaledObjects) {
        this.requests = requireNonNull(requests, "requests");
        this.workloads = new HelmWorkloads(requests);
        this.options = requireNonNull(options, "options");
        this.scaledObjects = requireNonNull(scaledObjects, "scaledObjects");
    }

    @Override
    public ReplicaStatus read(Target target) {
        requireHelm(target);
        String name = deploymentName(target);
        HelmWorkloads.Found found = workloads.get(target.namespace(), name, target.component());
        JsonObject workload = found.object();
        refuseIfScaledByHpa(target, found);
        String resourceVersion = JsonPaths.string(workload, "metadata", "resourceVersion").orElse("");
        long replicas = readInt(target, workload, "spec", "replicas").orElse(KUBERNETES_DEFAULT_REPLICAS);
        long ready = readInt(target, workload, "status", "readyReplicas").orElse(0);
        Optional<String> rolling = rollingOut(found.resource(), workload).map(why -> found.describe() + " " + why);
        Optional<String> stalled = stalledRollouts.judge(target.namespace() + "/" + name, found.resource(), workload,
                rolling);
        Optional<String> rollout = stalled.isPresent() ? Optional.empty() : rolling;
        JsonObject annotations = JsonPaths.annotations(workload);
        String object = found.describe();
        scaledObjects.remember(target, found.resource(), name,
                JsonPaths.string(workload, "metadata", "uid").orElse(null), resourceVersion);
        LOG.debug("{}: {} replicas={} ready={} rollout={} rv={}", target, object, replicas, ready, rollout,
                resourceVersion);
        Optional<String> lift = ScaleAnnotations.liftCommand(annotations, target.component(), object,
                target.namespace());
        return new ReplicaStatus((int) replicas, (int) ready, lift.isPresent(), rollout,
                ScaleAnnotations.lastScale(annotations, object), resourceVersion,
                ScaleAnnotations.memory(annotations, object, ScaleAnnotations.keys(target)),
                pauses.signed(annotations, target, object, resourceVersion),
                JsonPaths.string(workload, "metadata", "uid").orElse(""), stalled, lift,
                ManagedFields.owner(workload, "spec", "replicas"),
                PodTemplateResources.of(workload, target.component().labelValue()));
    }

    @Override
    public void apply(Decision decision, ReplicaStatus basis) {
        apply(decision, basis, new WriteContext(UUID.randomUUID().toString(), decision.time(), WriteGuard.NONE));
    }

    @Override
    public void apply(Decision decision, ReplicaStatus basis, WriteContext context) {
        requireNonNull(decision, "decision");
        requireNonNull(basis, "basis");
        requireNonNull(context, "context");
        Target target = decision.target();
        requireHelm(target);
        if (!Writes.needed(decision, basis)) {
            return;
        }
        JsonObject spec = new JsonObject();
        spec.addProperty("replicas", decision.to());
        JsonObject annotations = ScaleAnnotations.forScale(decision, context);
        if (context.memory() != null) {
            ScaleAnnotations.forMemory(context.memory(), ScaleAnnotations.keys(target)).entrySet()
                    .forEach(e -> annotations.add(e.getKey(), e.getValue()));
        }
        JsonObject patch = Writes.metadataPatch(basis, annotations);
        patch.add("spec", spec);
        String name = deploymentName(target);
        ApiResource kind = workloads.kindOf(target.namespace(), name);
        requests.mergePatch(kind, target.namespace(), name, patch, context.guard());
        // Debug: the decision's own line says the action and that it was written, one line per scale action as
        // README has it; this one doubled every write's log (recheck 49, R1).
        LOG.debug("{}: wrote spec.replicas {} -> {} on {} ({})", target, basis.current(), decision.to(),
                kind.describe(target.namespace(), name), decision.reason());
    }

    /**
     * Refuses a Deployment or StatefulSet that a HorizontalPodAutoscaler scales ({@link Hpas}). The chart's own
     * HPA targets the Deployment only, so one on a StatefulSet was made by hand.
     */
    private void refuseIfScaledByHpa(Target target, HelmWorkloads.Found found) {
        Hpas.scaling(requests, target.namespace(), found.resource(), List.of(found.name())).ifPresent(hpa -> {
            String choose = found.resource() == ApiResource.DEPLOYMENTS
                    ? "Set " + target.component() + ".hpa.enabled=false in the release's values"
                    : "Delete the HPA";
            throw new ActuationException(Kind.REFUSED, found.describe() + " is scaled by HorizontalPodAutoscaler "
                    + target.namespace() + "/" + hpa.hpa() + "; two autoscalers must not own one component, so"
                    + " milvus-autoscaler leaves it alone. " + choose + " (or remove " + target.component()
                    + " from milvus-autoscaler's config) to choose one owner.");
        });
    }

    /**
     * The Deployment (or StatefulSet) owning the target's replicas, named by the chart's rule (see
     * {@link DeploymentNames}).
     */
    public String deploymentName(Target target) {
        return DeploymentNames.helmDeployment(target);
    }

    /**
     * What a Deployment or StatefulSet is rolling out, in words that follow its kind and name ("is rolling out a new
     * template (2 of 4 pods updated)"), or that its controller has not yet observed the latest spec
     * ({@code observedGeneration < generation}); empty when neither.
     *
     * <p>Deployment: pods of an older template remain, {@code status.updatedReplicas < status.replicas} (both count
     * existing, non-terminated pods; kubernetes deployment sync.go calculateStatus). Not against
     * {@code spec.replicas}: pods a ResourceQuota or an admission webhook refuses are never created (the
     * ReplicaSet's status counts the pods that exist and reports FailedCreate), so after our scale-out 4 -> 6 that
     * got 4 pods, {@code updatedReplicas} 4 < 6 would read as a rollout on every tick and hold every decision,
     * the step back down included, until someone fixed the quota.
     *
     * <p>StatefulSet: {@code status.updateRevision} differs from {@code status.currentRevision}. Not
     * updatedReplicas: the controller creates pods one at a time under the default OrderedReady policy (neither
     * the chart's querynode-statefulset.yaml nor the operator's statefulset.go sets podManagementPolicy) and
     * counts only created pods (kubernetes stateful_set_control.go computeReplicaStatus), so during our own
     * scale-out from 3 to 6 updatedReplicas reads 3, 4, 5 while every pod is on the one revision; reading that as
     * a rollout would hold a second, urgent scale-out until the first had finished.
     */
    static Optional<String> rollingOut(ApiResource kind, JsonObject workload) {
        long generation = JsonPaths.integer(workload, "metadata", "generation").orElse(0);
        long observed = JsonPaths.integer(workload, "status", "observedGeneration").orElse(0);
        if (observed < generation) {
            return Optional.of("has generation " + generation + " its controller has not observed yet (observed "
                    + observed + ")");
        }
        if (kind == ApiResource.STATEFUL_SETS) {
            String update = JsonPaths.string(workload, "status", "updateRevision").orElse("");
            String current = JsonPaths.string(workload, "status", "currentRevision").orElse("");
            if (JsonPaths.string(workload, "spec", "updateStrategy", "type").orElse("").equals("OnDelete")
                    && JsonPaths.integer(workload, "status", "updatedReplicas").orElse(0)
                    >= JsonPaths.integer(workload, "spec", "replicas").orElse(1)) {
                // Every pod runs the update revision: done, though the controller never moves currentRevision for
                // OnDelete (kubernetes#73492, #106055), which held step-downs as stalled for good (recheck 23, F2).
                return Optional.empty();
            }
            return !update.isEmpty() && !update.equals(current)
                    ? Optional.of("is rolling from revision " + current + " to " + update) : Optional.empty();
        }
        long existing = JsonPaths.integer(workload, "status", "replicas").orElse(0);
        long updated = JsonPaths.integer(workload, "status", "updatedReplicas").orElse(0);
        return updated < existing ? Optional.of("is rolling out a new template (" + updated + " of " + existing
                + " pods updated)") : Optional.empty();
    }

    @Override
    public void remember(Target target, ScaleMemory memory, ReplicaStatus basis, WriteGuard guard) {
        requireNonNull(memory, "memory");
        requireNonNull(basis, "basis");
        requireNonNull(guard, "guard");
        JsonObject patch = Writes.metadataPatch(basis, ScaleAnnotations.forMemory(memory, ScaleAnnotations.keys(target)));
        String name = deploymentName(target);
        requests.mergePatch(workloads.kindOf(target.namespace(), name), target.namespace(), name, patch, guard);
        LOG.debug("{}: remembered {}", target, memory);
    }

    @Override
    public void clearLeftOverPauseMarks(Target target, ReplicaStatus basis, WriteGuard guard) {
        requireNonNull(guard, "guard");
        String name = deploymentName(target);
        ApiResource kind = workloads.kindOf(target.namespace(), name);
        pauses.leftOverRemoval(target, basis).ifPresent(patch -> {
            requests.mergePatch(kind, target.namespace(), name, patch, guard);
            LOG.info(PauseMarks.LEFT_OVER_REMOVED, target, kind.describe(target.namespace(), name));
        });
    }

    private static OptionalLong readInt(Target target, JsonObject object, String... path) {
        try {
            OptionalLong value = JsonPaths.integer(object, path);
            if (value.isPresent() && (value.getAsLong() < 0 || value.getAsLong() > Integer.MAX_VALUE)) {
                throw new IllegalArgumentException(String.join(".", path) + " = " + value.getAsLong()
                        + " is not a replica count");
            }
            return value;
        } catch (IllegalArgumentException e) {
            throw new ActuationException(Kind.REFUSED, target + ": " + e.getMessage());
        }
    }

    private static void requireHelm(Target target) {
        requireNonNull(target, "target");
        if (target.install() != InstallKind.HELM) {
            throw new IllegalArgumentException(target + " is a " + target.install() + " install, not HELM");
        }
    }
}
