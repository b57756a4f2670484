package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

/**
 * The fewest queryNodes the collections' loaded in-memory replicas need, as the {@code replica-floor-query} read it:
 * a step-down below it would leave a replica of some collection with no node. Milvus serves each replica of a
 * collection from queryNodes of its own ("make sure that query nodes num should be greater or equal to
 * replica_number", its resource group guide, adminGuide/resource_group.md), so a collection loaded with
 * {@code replica_number=2} needs 2 queryNodes, and a step-down from 2 to 1 would leave one replica nowhere to run.
 *
 * @param nodes the floor, 0 when nothing needs one (no query, or nothing loaded); -1 when it could not be read
 * @param note  what the query read, for a person: {@code "replica floor query reads 2"}, or why it is unknown
 *              ({@code "replica floor query: empty result"}); empty when there is no query
 */
public record ReplicaFloor(int nodes, String note) {

    /** No replica-floor query for this target: no floor beyond min-replicas. */
    public static final ReplicaFloor NONE = new ReplicaFloor(0, "");

    public ReplicaFloor {
        requireNonNull(note, "note");
        if (nodes < -1) {
            throw new IllegalArgumentException("nodes must be >= -1, was " + nodes);
        }
    }

    /** A floor the query read. */
    public static ReplicaFloor read(int nodes) {
        if (nodes < 0) {
            throw new IllegalArgumentException("a read floor is >= 0, was " + nodes);
        }
        return new ReplicaFloor(nodes, "replica floor query reads " + nodes);
    }

    /** A floor that could not be read, and why ({@code "empty result"}, {@code "prometheus timeout after 5s"}). */
    public static ReplicaFloor unknown(String why) {
        return new ReplicaFloor(-1, "replica floor query: " + requireNonNull(why, "why"));
    }

    /** False when the query failed or read nothing usable: then no step-down, as for any unknown input. */
    public boolean known() {
        return nodes >= 0;
    }
}
