package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What the owner of the replica count says at one tick.
 *
 * @param current         desired replicas as written on the owning object
 * @param ready           replicas that are ready to serve
 * @param paused          the component is paused on the object ({@code milvus-autoscaler.io/paused: "true"}, a list
 *                        naming it, or its own {@code <component>.paused: "true"})
 * @param rollingOut      what rolls out, in the owner's words, while a rollout is in progress (e.g. both queryNode
 *                        Deployments have replicas); empty when none is
 * @param lastScale       the last scale read back from annotations, if any
 * @param resourceVersion the version read, carried by the write so a concurrent change gives 409
 * @param memory          back-off, settle wait and handled alerts read back from annotations
 * @param pausedBy        who holds the pause and since when, when the pause or scale command wrote it
 *                        ({@code alice@bastion: scale --to 2 since 2026-12-05T12:09:53Z}); empty when not paused or
 *                        paused by hand
 * @param uid             the owning object's metadata.uid, "" when not known (the simulator, a replay): a new uid is a
 *                        new object, deleted and recreated between two reads
 * @param rolloutStalled  a rollout that does not progress, in the owner's words (past its progress deadline, paused,
 *                        held by a partition); then {@code rollingOut} is empty: scale-out acts, step-downs hold
 * @param pauseLift       the command that lifts the pause as the object carries it, naming the key found
 *                        ({@code kubectl -n milvus annotate milvus my-release milvus-autoscaler.io/querynode.paused-});
 *                        empty when not paused or when the owner gives none (the simulator, a replay)
 * @param countWriter     the field manager the object records as owning the count (its managedFields); empty when
 *                        none is recorded or the owner gives none (the simulator, a replay)
 * @param resources       the CPU request and memory limit one pod of the component declares, as its pod template
 *                        says; {@link TemplateResources#UNKNOWN} when the owner gives none
 */
public record ReplicaStatus(int current, int ready, boolean paused, Optional<String> rollingOut,
                            Optional<LastScale> lastScale, String resourceVersion, ScaleMemory memory,
                            String pausedBy, String uid, Optional<String> rolloutStalled, Optional<String> pauseLift,
                            Optional<CountWriter> countWriter, TemplateResources resources) {

    /** Said of a rollout whose owner gives no detail (the simulator's, a replay's). */
    public static final String A_ROLLOUT = "a rollout is in progress";

    public ReplicaStatus {
        requireNonNull(rollingOut, "rollingOut");
        requireNonNull(lastScale, "lastScale");
        requireNonNull(resourceVersion, "resourceVersion");
        requireNonNull(memory, "memory");
        requireNonNull(pausedBy, "pausedBy");
        requireNonNull(uid, "uid");
        requireNonNull(rolloutStalled, "rolloutStalled");
        requireNonNull(pauseLift, "pauseLift");
        requireNonNull(countWriter, "countWriter");
        requireNonNull(resources, "resources");
        if (pauseLift.isPresent() && !paused) {
            throw new IllegalArgumentException("a pause to lift on a status that is not paused: " + pauseLift.get());
        }
        if (rolloutStalled.isPresent() && rollingOut.isPresent()) {
            throw new IllegalArgumentException("a rollout is either in progress or stalled, not both");
        }
        if (current < 0 || ready < 0) {
            throw new IllegalArgumentException("replica counts must be >= 0: current=" + current + " ready=" + ready);
        }
    }

    /** A status whose pod template's resources are not known. */
    public ReplicaStatus(int current, int ready, boolean paused, Optional<String> rollingOut,
                         Optional<LastScale> lastScale, String resourceVersion, ScaleMemory memory, String pausedBy,
                         String uid, Optional<String> rolloutStalled, Optional<String> pauseLift,
                         Optional<CountWriter> countWriter) {
        this(current, ready, paused, rollingOut, lastScale, resourceVersion, memory, pausedBy, uid, rolloutStalled,
                pauseLift, countWriter, TemplateResources.UNKNOWN);
    }

    /** A status whose owner records no writer of the count. */
    public ReplicaStatus(int current, int ready, boolean paused, Optional<String> rollingOut,
                         Optional<LastScale> lastScale, String resourceVersion, ScaleMemory memory, String pausedBy,
                         String uid, Optional<String> rolloutStalled, Optional<String> pauseLift) {
        this(current, ready, paused, rollingOut, lastScale, resourceVersion, memory, pausedBy, uid, rolloutStalled,
                pauseLift, Optional.empty());
    }

    /** A status whose pause, if any, comes without the command that lifts it. */
    public ReplicaStatus(int current, int ready, boolean paused, Optional<String> rollingOut,
                         Optional<LastScale> lastScale, String resourceVersion, ScaleMemory memory, String pausedBy,
                         String uid, Optional<String> rolloutStalled) {
        this(current, ready, paused, rollingOut, lastScale, resourceVersion, memory, pausedBy, uid, rolloutStalled,
                Optional.empty());
    }

    /** A status with no stalled rollout. */
    public ReplicaStatus(int current, int ready, boolean paused, Optional<String> rollingOut,
                         Optional<LastScale> lastScale, String resourceVersion, ScaleMemory memory, String pausedBy,
                         String uid) {
        this(current, ready, paused, rollingOut, lastScale, resourceVersion, memory, pausedBy, uid, Optional.empty());
    }

    /** A status whose object's uid is not known. */
    public ReplicaStatus(int current, int ready, boolean paused, Optional<String> rollingOut,
                         Optional<LastScale> lastScale, String resourceVersion, ScaleMemory memory, String pausedBy) {
        this(current, ready, paused, rollingOut, lastScale, resourceVersion, memory, pausedBy, "");
    }

    /** A status with no holder named for its pause. */
    public ReplicaStatus(int current, int ready, boolean paused, Optional<String> rollingOut,
                         Optional<LastScale> lastScale, String resourceVersion, ScaleMemory memory) {
        this(current, ready, paused, rollingOut, lastScale, resourceVersion, memory, "");
    }

    /** A status whose rollout, if any, comes without detail ({@link #A_ROLLOUT}). */
    public ReplicaStatus(int current, int ready, boolean paused, boolean rollout, Optional<LastScale> lastScale,
                         String resourceVersion, ScaleMemory memory) {
        this(current, ready, paused, rollout ? Optional.of(A_ROLLOUT) : Optional.empty(), lastScale, resourceVersion,
                memory);
    }

    /** A status with nothing remembered beyond the last scale. */
    public ReplicaStatus(int current, int ready, boolean paused, boolean rollout, Optional<LastScale> lastScale,
                         String resourceVersion) {
        this(current, ready, paused, rollout, lastScale, resourceVersion, ScaleMemory.NONE);
    }

    /** This status with what its pod template declares (a replay's, from what the history recorded). */
    public ReplicaStatus withResources(TemplateResources declared) {
        return new ReplicaStatus(current, ready, paused, rollingOut, lastScale, resourceVersion, memory, pausedBy, uid,
                rolloutStalled, pauseLift, countWriter, declared);
    }

    /** The count's writer when it is not milvus-autoscaler (a helm upgrade, a GitOps sync, kubectl); else empty. */
    public Optional<CountWriter> otherWriter() {
        return countWriter.filter(w -> !w.ours());
    }

    /** True while a rollout is in progress: no replica count is written until it ends. */
    public boolean rollout() {
        return rollingOut.isPresent();
    }

    /** A plain status with nothing paused or rolling and no annotations, for tests and the simulator. */
    public static ReplicaStatus of(int current, int ready) {
        return new ReplicaStatus(current, ready, false, false, Optional.empty(), "");
    }
}
