package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Who last set the replica count, as the API server records it in the object's {@code metadata.managedFields}: the
 * entry whose fields hold the count ({@code f:spec} / {@code f:replicas} on a Deployment or StatefulSet,
 * {@code f:spec} / {@code f:components} / {@code f:queryNode} / {@code f:replicas} on a Milvus resource). Kubernetes
 * moves a field's ownership to whichever manager changes its value (its Server-Side Apply docs: "Whenever a field's
 * value does change, ownership moves from its current manager to the manager making the change"), names a manager by
 * the request's {@code fieldManager} or, for a plain write, the User-Agent's product ({@code milvus-autoscaler}), and
 * records {@code Apply} for a server-side apply and {@code Update} for every other write. So the entry says whose
 * count the object holds, and an {@code Apply} entry says that applier will meet a conflict once someone else changes
 * the count (Helm 4 applies server-side by default, its manager the binary's name, {@code helm}:
 * helm pkg/kube/client.go {@code getManagedFieldsManager}).
 *
 * @param manager     the field manager, e.g. {@code helm}, {@code milvus-autoscaler}, {@code kubectl}
 * @param operation   {@code Apply} or {@code Update}, as recorded
 * @param subresource the subresource written through ({@code scale} for {@code kubectl scale}), "" for the object
 * @param time        when the entry last changed; empty when the server gave none
 * @param sharedWith  the other managers that own the count too (appliers that set the same value share it), whose
 *                    next forced apply acts as much as this one's
 */
public record CountWriter(String manager, String operation, String subresource, Optional<Instant> time,
                          List<String> sharedWith) {

    /**
     * The field manager of milvus-autoscaler's own writes: the API server infers a plain write's manager from the
     * User-Agent, which is this for the daemon and this plus {@code -cli} for the scale, pause and resume commands.
     */
    public static final String OURS = "milvus-autoscaler";

    /** The operation a server-side apply records. */
    public static final String APPLY = "Apply";

    public CountWriter {
        requireNonNull(manager, "manager");
        requireNonNull(operation, "operation");
        requireNonNull(subresource, "subresource");
        requireNonNull(time, "time");
        sharedWith = List.copyOf(sharedWith);
    }

    /** A writer that owns the count alone. */
    public CountWriter(String manager, String operation, String subresource, Optional<Instant> time) {
        this(manager, operation, subresource, time, List.of());
    }

    /** True when {@code name} owns the count, alone or shared. */
    public boolean owned(String name) {
        return manager.equals(name) || sharedWith.contains(name);
    }

    /** True for a server-side apply's entry: its next apply of another count fails on a conflict, or takes it back. */
    public boolean applies() {
        return APPLY.equals(operation);
    }

    /** True for milvus-autoscaler's own writes, the daemon's or a command's. */
    public boolean ours() {
        return manager.equals(OURS) || manager.startsWith(OURS + "-");
    }

    /** "helm (Apply at 2026-12-07T10:00:00Z)", "kubectl (Update on /scale at ...)", as the logs say it. */
    public String said() {
        return manager + " (" + operation + (subresource.isEmpty() ? "" : " on /" + subresource)
                + time.map(t -> " at " + t).orElse("") + ")";
    }
}
