package io.github.milvusautoscaler.core;

/**
 * Checked immediately before every attempt of a write, retries included, so a replica that lost
 * the Lease, that is stopping, or whose object read has grown too old between deciding and writing sends nothing.
 * Throws {@link WriteAbandonedException} to stop the write.
 */
@FunctionalInterface
public interface WriteGuard {

    /** Lets every attempt through: tests and tools without leader election. */
    WriteGuard NONE = () -> { };

    /** Returns normally when the next attempt may be sent; throws {@link WriteAbandonedException} otherwise. */
    void check();
}
