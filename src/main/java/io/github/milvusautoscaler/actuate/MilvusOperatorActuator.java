package io.github.milvusautoscaler.actuate;

import io.github.milvusautoscaler.core.KubernetesSettings;
import static java.util.Objects.requireNonNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.ActuationException.Kind;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.LastScale;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.ScaleMemory;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.TemplateResources;
import io.github.milvusautoscaler.core.WriteContext;
import io.github.milvusautoscaler.core.WriteGuard;
import io.kubernetes.client.openapi.ApiClient;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.OptionalLong;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes a component's replica count on the Milvus operator's {@code milvus.io/v1beta1}
 * {@code Milvus} resource, the only owner the operator respects: patching its Deployments would be
 * undone at the next reconcile.
 *
 * <p>Read: {@code spec.components.<component>.replicas} (absent means the operator's default of 1;
 * {@code -1} means "handed to an HPA" and is refused, because two autoscalers must not own one
 * component; so are the other ways the operator lets something else own the count, see
 * {@link #refuseIfNotOwnedByReplicas}). Ready replicas are the sum of {@code status.readyReplicas} over the component's
 * Deployments found by the labels {@code app.kubernetes.io/instance=<name>} and
 * {@code app.kubernetes.io/component=<querynode|datanode|...>}, which also finds queryNode's
 * {@code -0}/{@code -1} pair during a blue/green rollout without guessing names. A component with
 * {@code statefulSet.enabled} runs as one StatefulSet with the same labels instead, read the same way.
 *
 * <p>Rollout (write nothing) when any of:
 * <ul>
 *   <li>two of the component's Deployments both have replicas (queryNode blue/green in progress), or the Milvus
 *       resource carries the operator's {@code milvus.io/<component>-rolling-id} label
 *       ({@link #componentRolling});</li>
 *   <li>one of them is still rolling out a new template ({@code status.updatedReplicas < status.replicas}; for the
 *       StatefulSet, {@code status.updateRevision != status.currentRevision}) or its controller has not observed
 *       the latest spec ({@code status.observedGeneration < metadata.generation});</li>
 *   <li>the CR's condition {@code MilvusUpdated} is {@code False} with reason {@code MilvusUpgradingImage}
 *       or {@code MilvusDowngradingImage} (an image upgrade walks all components) and a component's recorded image
 *       is not the one it is asked to run ({@link #imageDiffers}), or {@code status.status}
 *       is {@code Pending} (the operator is still creating or restarting the cluster).</li>
 * </ul>
 * The operator also sets {@code MilvusUpdated=False} with reason {@code MilvusComponentsUpdating}
 * whenever any Deployment is progressing, which includes our own scale-out while new pods start;
 * reading that as a rollout would block the next (panic) scale-out, so the per-component evidence
 * above is used instead. The operator has no {@code Deploying} status.
 *
 * <p>Write: one merge patch with {@code metadata.resourceVersion} (a concurrent change gives 409),
 * the replicas and the component's last-scale annotations (keys that name the component, see
 * {@link ScaleAnnotations}).
 */
public final class MilvusOperatorActuator implements ReplicaActuator {

    /** Label the operator puts on a component's Deployments naming the Milvus resource. */
    public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
    /** Label the operator puts on a component's Deployments naming the component, lower case. */
    public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    /** What the operator assumes when {@code spec.components.<component>.replicas} is absent. */
    static final int OPERATOR_DEFAULT_REPLICAS = 1;
    /** {@code replicas: -1} hands the component to an external HPA. */
    static final int HANDED_TO_HPA = -1;
    /** {@code rollingMode: 3}: every component runs as two Deployments (apis/milvus.io/v1beta1 RollingModeV3). */
    static final long ROLLING_MODE_V3 = 3;
    /** {@code status.status} from creation (or a restart after Stopped) until the cluster is first healthy. */
    static final String PENDING = "Pending";

    private static final Logger LOG = LoggerFactory.getLogger(MilvusOperatorActuator.class);

    private final KubernetesRequests requests;
    private final ScaledObjects scaledObjects;
    /** Who holds each pause, remembering marks seen left over from a pause lifted by hand (recheck 41, F1). */
    private final PauseMarks.Sightings pauses = new PauseMarks.Sightings();
    /** The annotations last read per resource, for the one-time migration of plain keys on the next write. */
    private final Map<String, Read> lastRead = new ConcurrentHashMap<>();
    private final StalledRollouts stalledRollouts = new StalledRollouts();
    /**
     * Per target, the Milvus generation whose count its workloads did not request at the last read, and whether it
     * was said: a count the operator leaves unapplied for two reads in a row (a tick, 15 s, where it takes well under
     * a second) is logged once per generation.
     */
    private final Map<Target, long[]> unapplied = new ConcurrentHashMap<>();

    private record Read(String resourceVersion, JsonObject annotations) {
    }

    public MilvusOperatorActuator(ApiClient client, KubernetesSettings options, ScaledObjects scaledObjects) {
        this(new KubernetesRequests(client, options), scaledObjects);
    }

    MilvusOperatorActuator(KubernetesRequests requests, ScaledObjects scaledObjects) {
        this.requests = requireNonNull(requests, "requests");
        this.scaledObjects = requireNonNull(scaledObjects, "scaledObjects");
    }

    @Override
    public ReplicaStatus read(Target target) {
        requireOperator(target);
        String component = target.component().configName();
        JsonObject milvus = requests.get(ApiResource.MILVUSES, target.namespace(), target.name());
        String resourceVersion = JsonPaths.string(milvus, "metadata", "resourceVersion").orElse("");
        refuseIfNotOwnedByReplicas(target, milvus);
        int current = desiredReplicas(target, milvus);

        String selector = INSTANCE_LABEL + "=" + target.name() + "," + COMPONENT_LABEL + "="
                + target.component().labelValue();
        // statefulSet.enabled (queryNode, dataNode, indexNode): the operator runs the component as one StatefulSet
        // <name>-milvus-<component> with the same labels and applies spec.components.<c>.replicas to it
        // (milvus-operator pkg/controllers/statefulset.go, updateStatefulSet), so it is read like the Deployments.
        ApiResource workloadKind = isTrue(milvus, "spec", "components", component, "statefulSet", "enabled")
                ? ApiResource.STATEFUL_SETS : ApiResource.DEPLOYMENTS;
        JsonObject listed = requests.list(workloadKind, target.namespace(), selector);
        int ready = 0;
        int withReplicas = 0;
        int requested = 0;
        boolean allDeclare = true;
        Optional<String> templateRollout = Optional.empty();
        Optional<String> templateStalled = Optional.empty();
        JsonArray items = JsonPaths.at(listed, "items").filter(JsonElement::isJsonArray)
                .map(JsonElement::getAsJsonArray).orElseGet(JsonArray::new);
        List<String> names = new ArrayList<>();
        List<String> handOver = new ArrayList<>();
        TemplateResources serving = TemplateResources.UNKNOWN;
        for (JsonElement item : items) {
            if (!item.isJsonObject()) {
                continue;
            }
            JsonObject workload = item.getAsJsonObject();
            JsonPaths.string(workload, "metadata", "name").ifPresent(names::add);
            ready += (int) readInt(target, workload, "status", "readyReplicas").orElse(0);
            // spec.replicas defaults to 1 on the API server; absent here means a hand-made object.
            OptionalLong declared = readInt(target, workload, "spec", "replicas");
            allDeclare &= declared.isPresent();
            long replicas = declared.orElse(1);
            requested += (int) replicas;
            if (replicas > 0) {
                withReplicas++;
                serving = PodTemplateResources.of(workload, target.component().labelValue());
                String name = JsonPaths.string(workload, "metadata", "name").orElse("?");
                handOver.add(name + " " + readInt(target, workload, "status", "readyReplicas").orElse(0) + " of "
                        + replicas + " ready");
                try {
                    Optional<String> rolling = HelmDeploymentActuator.rollingOut(workloadKind, workload)
                            .map(why -> workloadKind.describe(target.namespace(), name) + " " + why);
                    // A rollout the operator started that will not end by itself (a new image that cannot be pulled):
                    // its conditions say "upgrading" for as long (upgrade recheck 22, F1). Judged for every workload,
                    // so one whose rollout ended is forgotten.
                    Optional<String> stalledHere = stalledRollouts.judge(target.namespace() + "/" + name, workloadKind,
                            workload, rolling);
                    if (templateRollout.isEmpty()) {
                        templateRollout = rolling;
                        templateStalled = stalledHere;
                    }
                } catch (IllegalArgumentException e) {
                    throw new ActuationException(Kind.REFUSED, target + ": " + e.getMessage());
                }
            }
        }
        refuseIfScaledByHpa(target, workloadKind, names);
        refuseIfNotRun(target, milvus, items.size());
        if (withReplicas < 2) {
            // In a blue/green hand-over the two Deployments request one more than the count by design (the operator
            // adds a new pod before it removes an old one: deploy_ctrl_util.go planScaleForRollout), which read as
            // "the operator has not applied" on every step of every routine upgrade (recheck 34, F1).
            sayIfUnapplied(target, milvus, current, items.size() > 0 && allDeclare ? requested : current, workloadKind);
        }
        Optional<String> stalled = withReplicas >= 2 ? Optional.empty() : templateStalled;
        // The operator moves a hand-over one pod at a time, each once both Deployments are stable (all pods ready,
        // deploy_ctrl_util.go checkCanScaleNow), and gives the new one a month's progress deadline, so Kubernetes never
        // says it stalled: the ready counts say where it stands, and the engine says when they stop moving (34, F2).
        Optional<String> rollout = withReplicas >= 2
                ? Optional.of(withReplicas + " of " + target.component() + "'s " + workloadKind.plural() + " have replicas"
                        + " (the operator's blue/green hand-over, one pod at a time once every pod is ready: "
                        + String.join(", ", handOver) + ")")
                : stalled.isPresent() ? Optional.empty()
                : templateRollout.or(() -> operatorUpdating(milvus)).or(() -> componentRolling(milvus, target));

        JsonObject annotations = JsonPaths.annotations(milvus);
        String object = ApiResource.MILVUSES.describe(target.namespace(), target.name());
        Optional<LastScale> lastScale = ScaleAnnotations.lastScale(annotations, object, target.component());
        lastRead.put(target.namespace() + "/" + target.name(), new Read(resourceVersion, annotations.deepCopy()));
        scaledObjects.remember(target, ApiResource.MILVUSES, target.name(),
                JsonPaths.string(milvus, "metadata", "uid").orElse(null), resourceVersion);
        LOG.debug("{}: {} replicas={} ready={} rollout={} ({} with replicas: {}) rv={}", target, object,
                current, ready, rollout, workloadKind.plural(), withReplicas, resourceVersion);
        Optional<String> lift = ScaleAnnotations.liftCommand(annotations, target.component(), object,
                target.namespace());
        return new ReplicaStatus(current, ready, lift.isPresent(), rollout, lastScale, resourceVersion,
                ScaleAnnotations.memory(annotations, object, ScaleAnnotations.keys(target)),
                pauses.signed(annotations, target, object, resourceVersion),
                JsonPaths.string(milvus, "metadata", "uid").orElse(""), stalled, lift,
                ManagedFields.owner(milvus, "spec", "components", target.component().configName(), "replicas"),
                // In a blue/green hand-over two templates serve, each pod's fraction of its own: no one template
                // says what the values read were fractions of until one is left.
                withReplicas == 1 ? serving : TemplateResources.UNKNOWN);
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
        requireOperator(target);
        if (!Writes.needed(decision, basis)) {
            return;
        }
        JsonObject replicas = new JsonObject();
        replicas.addProperty("replicas", decision.to());
        JsonObject components = new JsonObject();
        components.add(target.component().configName(), replicas);
        JsonObject spec = new JsonObject();
        spec.add("components", components);
        Read read = lastRead.get(target.namespace() + "/" + target.name());
        // Plain keys are migrated only from the very version this write is based on.
        JsonObject current = read != null && read.resourceVersion().equals(basis.resourceVersion())
                ? read.annotations() : null;
        JsonObject annotations = ScaleAnnotations.forComponentScale(decision, context, current);
        if (context.memory() != null) {
            ScaleAnnotations.forMemory(context.memory(), ScaleAnnotations.keys(target)).entrySet()
                    .forEach(e -> annotations.add(e.getKey(), e.getValue()));
        }
        JsonObject patch = Writes.metadataPatch(basis, annotations);
        patch.add("spec", spec);
        requests.mergePatch(ApiResource.MILVUSES, target.namespace(), target.name(), patch, context.guard());
        // Debug: the decision's own line says the action and that it was written (recheck 49, R1).
        LOG.debug("{}: wrote spec.components.{}.replicas {} -> {} on milvus {}/{} ({})", target,
                target.component().configName(), basis.current(), decision.to(), target.namespace(), target.name(),
                decision.reason());
    }

    private static int desiredReplicas(Target target, JsonObject milvus) {
        String field = "spec.components." + target.component().configName() + ".replicas";
        OptionalLong replicas = readInt(target, milvus, "spec", "components", target.component().configName(),
                "replicas");
        if (replicas.isEmpty()) {
            return OPERATOR_DEFAULT_REPLICAS;
        }
        long value = replicas.getAsLong();
        if (value == HANDED_TO_HPA) {
            throw new ActuationException(Kind.REFUSED, "milvus " + target.namespace() + "/" + target.name() + " has "
                    + field + ": -1, which hands " + target.component() + " to an external HPA; two autoscalers must"
                    + " not own one component, so milvus-autoscaler leaves it alone. Set a replica count (or remove "
                    + target.component() + " from milvus-autoscaler's config) to choose one owner.");
        }
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new ActuationException(Kind.REFUSED, "milvus " + target.namespace() + "/" + target.name() + " has "
                    + field + ": " + value + ", which is not a replica count");
        }
        return (int) value;
    }

    /**
     * Refuses a component whose count {@code spec.components.<component>.replicas} does not decide, from the
     * operator's own types (zilliztech/milvus-operator apis/milvus.io/v1beta1/milvus_types.go and
     * components_types.go): a Milvus not in cluster mode ({@code spec.mode}), {@code hpa} set (the operator
     * creates a HorizontalPodAutoscaler from it, controllers/hpa.go, which owns the count), {@code groups}
     * (queryNode, dataNode, proxy, streamingNode: independently deployed groups, each with its own replicas) and
     * {@code spec.components.enableManualMode} (the operator stops applying replicas to the Deployments), and a paused
     * component that runs as two Deployments (the operator scales neither while it is paused).
     * ({@code statefulSet.enabled} is not among them: the operator applies the count to its StatefulSet, which
     * {@link #read} then reads instead of the Deployments.)
     * Writing the one field in any of these would do nothing or fight another owner.
     */
    private static void refuseIfNotOwnedByReplicas(Target target, JsonObject milvus) {
        String component = target.component().configName();
        String object = ApiResource.MILVUSES.describe(target.namespace(), target.name());
        // spec.mode is +kubebuilder:default:="standalone" (apis/milvus.io/v1beta1/milvus_types.go), so a stored
        // object without it is standalone too: one pod runs every role, and the operator makes no component
        // Deployments, so a count written to spec.components would change nothing.
        String mode = JsonPaths.string(milvus, "spec", "mode").orElse("standalone");
        if (!mode.equals("cluster")) {
            throw new ActuationException(Kind.REFUSED, object + " has spec.mode: " + mode + ", one pod that runs every"
                    + " role, with no " + target.component() + " of its own to scale; milvus-autoscaler scales a"
                    + " Milvus in cluster mode only (remove " + target.component() + " from its config)");
        }
        String leave = "; milvus-autoscaler leaves " + target.component() + " alone (remove it from"
                + " milvus-autoscaler's config, or change the Milvus resource, to choose one owner)";
        if (JsonPaths.at(milvus, "spec", "components", component, "hpa").filter(JsonElement::isJsonObject)
                .isPresent()) {
            throw new ActuationException(Kind.REFUSED, object + " has spec.components." + component + ".hpa, from"
                    + " which the operator creates a HorizontalPodAutoscaler that owns the count" + leave);
        }
        int groups = JsonPaths.at(milvus, "spec", "components", component, "groups")
                .filter(JsonElement::isJsonArray).map(g -> g.getAsJsonArray().size()).orElse(0);
        if (groups > 0) {
            throw new ActuationException(Kind.REFUSED, object + " has spec.components." + component + ".groups: "
                    + groups + " deployment groups, each with its own replicas, where milvus-autoscaler scales one"
                    + " count" + leave);
        }
        // A paused component's two Deployments take no replica count: the operator's deploy controller returns
        // before HandleScaling while spec.components.paused or spec.components.<c>.paused is set
        // (pkg/controllers/deploy_ctrl.go, Reconcile and IsPaused). queryNode always runs as two Deployments (rolling
        // mode 2, the default), every component does under rolling mode 3 (CheckDeployMode); a single Deployment or
        // a StatefulSet still gets its count applied while paused (deployment_updater.go, statefulset.go). The mode
        // the cluster runs is the status' rollingModeVersion (MilvusStatus.RollingMode in milvus_types.go, e.g.
        // "rollingModeVersion: 2" on a healthy cluster), which trails spec.components.rollingMode while it migrates.
        boolean twoDeployments = target.component() == Component.QUERY_NODE
                || JsonPaths.integer(milvus, "spec", "components", "rollingMode").orElse(0) == ROLLING_MODE_V3
                || JsonPaths.integer(milvus, "status", "rollingModeVersion").orElse(0) == ROLLING_MODE_V3;
        String pausedAt = isTrue(milvus, "spec", "components", "paused") ? "spec.components.paused"
                : isTrue(milvus, "spec", "components", component, "paused") ? "spec.components." + component + ".paused"
                : null;
        if (pausedAt != null && twoDeployments && !isTrue(milvus, "spec", "components", component, "statefulSet",
                "enabled")) {
            throw new ActuationException(Kind.REFUSED, object + " has " + pausedAt + ": true, and the operator applies"
                    + " no replica count to a paused component's two Deployments; milvus-autoscaler writes nothing to "
                    + target.component() + " until it is unpaused");
        }
        if (isTrue(milvus, "spec", "components", "enableManualMode")) {
            throw new ActuationException(Kind.REFUSED, object + " has spec.components.enableManualMode: true, so the"
                    + " operator no longer applies spec.components." + component + ".replicas to the Deployments"
                    + leave);
        }
    }

    /**
     * Refuses a component this Milvus does not run: no {@code spec.components.<component>} and no workload with its
     * labels, once the operator is past creating the cluster (a Pending one is held as a rollout instead). The
     * operator's webhook fills in the replicas of every component the Milvus runs (defaultComponentsReplicas), and on
     * Milvus 2.6 it deletes indexNode's Deployments and drops its spec (deployments.go cleanupIndexNodeIfNeeded:
     * its work moved to dataNode), so this is a target the config gives the wrong Milvus version. Read as the
     * operator's default of 1 with 0 ready, a write would re-create the spec the operator drops again.
     */
    private static void refuseIfNotRun(Target target, JsonObject milvus, int workloads) {
        boolean specified = JsonPaths.at(milvus, "spec", "components", target.component().configName()).isPresent();
        // No status yet: the operator has not reconciled a new Milvus, as good as Pending.
        boolean pending = operatorStatus(milvus).map(PENDING::equals).orElse(true);
        if (!specified && workloads == 0 && !pending) {
            throw new ActuationException(Kind.REFUSED, ApiResource.MILVUSES.describe(target.namespace(), target.name())
                    + " runs no " + target.component() + ": spec.components." + target.component().configName()
                    + " is absent and no workload is labelled " + INSTANCE_LABEL + "=" + target.name() + ", "
                    + COMPONENT_LABEL + "=" + target.component().labelValue() + " (Milvus 2.6 has no indexNode, its"
                    + " dataNodes build the indexes: scale dataNode, with signals.index-backlog on it; and streamingNode"
                    + " runs from 2.6 only): check the cluster's milvus-version in the config");
        }
    }

    /**
     * Refuses a component one of whose Deployments a HorizontalPodAutoscaler made by hand scales ({@link Hpas}):
     * it fights the operator over the Deployment's replicas, and the operator applies ours.
     */
    private void refuseIfScaledByHpa(Target target, ApiResource workloadKind, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        Hpas.scaling(requests, target.namespace(), workloadKind, names).ifPresent(hpa -> {
            throw new ActuationException(Kind.REFUSED, workloadKind.describe(target.namespace(), hpa.workload())
                    + " of " + target.component() + " is scaled by HorizontalPodAutoscaler " + target.namespace()
                    + "/" + hpa.hpa() + "; two autoscalers must not own one component, so milvus-autoscaler leaves it"
                    + " alone (delete the HPA, or remove " + target.component() + " from milvus-autoscaler's config,"
                    + " to choose one owner)");
        });
    }

    /** True when the field at {@code path} is the JSON boolean {@code true}. */
    private static boolean isTrue(JsonObject root, String... path) {
        return JsonPaths.at(root, path).filter(e -> e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean())
                .map(JsonElement::getAsBoolean).orElse(false);
    }

    /**
     * The operator's mark that the component's two-Deployment rollout is under way: the label
     * {@code milvus.io/<component>-rolling-id} on the Milvus resource (apis/milvus.io/v1beta1/label_annotations.go,
     * GetRollingIdLabelByComponent), set when a rollout is prepared and removed when it ends. Its deploy controller
     * defers any step-down while it is set ("scale down is not allowed in rolling mode"), including the moment
     * the new template has been written to the idle Deployment but no replica has moved, which the Deployments do
     * not show yet.
     */
    private static Optional<String> componentRolling(JsonObject milvus, Target target) {
        String label = "milvus.io/" + target.component().labelValue() + "-rolling-id";
        return JsonPaths.string(milvus, "metadata", "labels", label).filter(id -> !id.isEmpty())
                .map(id -> "the operator is rolling " + target.component() + "'s Deployments (label " + label + ": " + id
                        + " on the Milvus)");
    }

    /** The operator's {@code status.status}: Pending, Healthy, Unhealthy, Deleting or Stopped (milvus_types.go). */
    private static Optional<String> operatorStatus(JsonObject milvus) {
        return JsonPaths.string(milvus, "status", "status");
    }

    /**
     * Says, once per Milvus generation, that the operator has not applied the component's count: its workloads
     * request another number two reads in a row. Nothing else tells "the operator is down" (its pod crash-looping,
     * its reconcile failing) from "the pods are starting": the daemon waits either way (AWAITING_READY, or a
     * step-down settling), and without this line the wait is never explained. The operator records the generation
     * it acted on in status.observedGeneration (apis/milvus.io/v1beta1/milvus_types.go).
     */
    private void sayIfUnapplied(Target target, JsonObject milvus, int current, int requested, ApiResource kind) {
        if (requested == current) {
            unapplied.remove(target);
            return;
        }
        long generation = JsonPaths.integer(milvus, "metadata", "generation").orElse(0);
        long[] seen = unapplied.get(target);
        if (seen == null || seen[0] != generation) {
            unapplied.put(target, new long[] {generation, 0});
            return;
        }
        if (seen[1] == 0) {
            seen[1] = 1;
            OptionalLong observed = JsonPaths.integer(milvus, "status", "observedGeneration");
            LOG.warn("{}: the operator has not applied spec.components.{}.replicas {}: the component's {} still request"
                    + " {} (milvus generation {}{}); until it does the daemon waits, and nothing it writes takes effect:"
                    + " check the milvus-operator pod and its log", target, target.component().configName(), current,
                    kind.plural(), requested, generation, observed.isPresent() ? ", status.observedGeneration "
                    + observed.getAsLong() : "");
        }
    }

    /**
     * The operator's own word that an image upgrade or the initial creation is under way, as it says it. Pending lasts
     * from creation (or a restart after Stopped) until the cluster is first healthy (status_cluster.go
     * GetMilvusHealthStatus), so a new cluster whose pods never all turn ready stays held; the words say so.
     */
    private static Optional<String> operatorUpdating(JsonObject milvus) {
        if (operatorStatus(milvus).map(PENDING::equals).orElse(false)) {
            return Optional.of("the operator reports status Pending (creating or restarting the cluster; it stays"
                    + " Pending until every component has been ready once)");
        }
        Optional<JsonElement> conditions = JsonPaths.at(milvus, "status", "conditions");
        if (conditions.isEmpty() || !conditions.get().isJsonArray()) {
            return Optional.empty();
        }
        for (JsonElement c : conditions.get().getAsJsonArray()) {
            if (!c.isJsonObject()) {
                continue;
            }
            JsonObject condition = c.getAsJsonObject();
            boolean updatedFalse = JsonPaths.string(condition, "type").map("MilvusUpdated"::equals).orElse(false)
                    && JsonPaths.string(condition, "status").map("False"::equals).orElse(false);
            String reason = JsonPaths.string(condition, "reason").orElse("");
            Optional<List<String>> behind = notOnTheirImage(milvus);
            if (updatedFalse && (reason.equals("MilvusUpgradingImage") || reason.equals("MilvusDowngradingImage"))
                    && behind.map(l -> !l.isEmpty()).orElse(true)) {
                // The components still on another image are named: the text then changes as each is done, so a long
                // upgrade of many components reads as moving (recheck 37, N1: the same text for 8 minutes while the
                // operator rolled proxy and then queryCoord).
                return Optional.of("the operator is " + (reason.equals("MilvusUpgradingImage") ? "upgrading" : "downgrading")
                        + " the image (MilvusUpdated False, " + reason + behind.map(l -> "; still on another image: "
                        + String.join(", ", l)).orElse("") + ")");
            }
        }
        return Optional.empty();
    }

    /**
     * The components whose Deployment runs another image than the spec asks of it (by their status keys, e.g.
     * {@code querycoord}), by the images the operator records in {@code status.componentsDeployStatus.<component>.image};
     * empty when it records none to compare.
     *
     * <p>Why not the condition alone: the operator reports {@code MilvusUpgradingImage} whenever a component's
     * Deployment image differs from the cluster's {@code spec.components.image} (status_cluster.go,
     * GetMilvusUpdatedCondition), also for a component given its own image ({@code spec.components.queryNode.image},
     * a hotfix build say), which it runs as asked: such a cluster reads "upgrading" for as long as the override
     * stays, and holding on it would never scale any of its components. So an upgrade is a recorded image that
     * differs from the component's own image, else the cluster's. Example: cluster image v2.5.4, queryNode's own
     * v2.5.4-hotfix, every Deployment running what it is asked: no upgrade; cluster image raised to v2.5.5 while
     * dataNode still runs v2.5.4: an upgrade. An operator that records no images (before the field existed) leaves
     * the condition to decide.
     */
    static Optional<List<String>> notOnTheirImage(JsonObject milvus) {
        Optional<JsonObject> recorded = JsonPaths.object(milvus, "status", "componentsDeployStatus");
        Optional<JsonObject> components = JsonPaths.object(milvus, "spec", "components");
        if (recorded.isEmpty() || components.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> clusterImage = JsonPaths.string(components.get(), "image");
        boolean compared = false;
        List<String> behind = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : recorded.get().entrySet()) {
            Optional<String> running = e.getValue().isJsonObject()
                    ? JsonPaths.string(e.getValue().getAsJsonObject(), "image").filter(i -> !i.isEmpty())
                    : Optional.empty();
            // The status keys are the components' lower-case names (querynode), the spec's camel case (queryNode).
            Optional<String> asked = components.get().entrySet().stream()
                    .filter(c -> c.getKey().equalsIgnoreCase(e.getKey()) && c.getValue().isJsonObject())
                    .findFirst()
                    .flatMap(c -> JsonPaths.string(c.getValue().getAsJsonObject(), "image"))
                    .filter(i -> !i.isEmpty())
                    .or(() -> clusterImage);
            if (running.isEmpty() || asked.isEmpty()) {
                continue;
            }
            compared = true;
            if (!running.get().equals(asked.get())) {
                behind.add(e.getKey());
            }
        }
        return compared ? Optional.of(List.copyOf(behind)) : Optional.empty();
    }

    @Override
    public void remember(Target target, ScaleMemory memory, ReplicaStatus basis, WriteGuard guard) {
        requireNonNull(memory, "memory");
        requireNonNull(basis, "basis");
        requireNonNull(guard, "guard");
        JsonObject patch = Writes.metadataPatch(basis, ScaleAnnotations.forMemory(memory, ScaleAnnotations.keys(target)));
        requests.mergePatch(ApiResource.MILVUSES, target.namespace(), target.name(), patch, guard);
        LOG.debug("{}: remembered {}", target, memory);
    }

    @Override
    public void clearLeftOverPauseMarks(Target target, ReplicaStatus basis, WriteGuard guard) {
        requireNonNull(guard, "guard");
        pauses.leftOverRemoval(target, basis).ifPresent(patch -> {
            requests.mergePatch(ApiResource.MILVUSES, target.namespace(), target.name(), patch, guard);
            LOG.info(PauseMarks.LEFT_OVER_REMOVED, target, ApiResource.MILVUSES.describe(target.namespace(),
                    target.name()));
        });
    }

    private static OptionalLong readInt(Target target, JsonObject object, String... path) {
        try {
            return JsonPaths.integer(object, path);
        } catch (IllegalArgumentException e) {
            throw new ActuationException(Kind.REFUSED, target + ": " + e.getMessage());
        }
    }

    private static void requireOperator(Target target) {
        requireNonNull(target, "target");
        if (target.install() != InstallKind.OPERATOR) {
            throw new IllegalArgumentException(target + " is a " + target.install() + " install, not OPERATOR");
        }
    }
}
