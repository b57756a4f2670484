package io.github.milvusautoscaler.core;

/**
 * A write given up before an attempt was sent, because this replica is no longer leader or its
 * tick is older than the renew deadline: the decision it carried may be stale, and another
 * replica may be writing by now. Not an API failure; an earlier attempt of the same write may
 * still have landed, so the engine re-reads before deciding again.
 */
public final class WriteAbandonedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public WriteAbandonedException(String message) {
        super(message);
    }
}
