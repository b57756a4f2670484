package io.github.milvusautoscaler.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The Javadoc's example of {@link Repeats#due}, a minute apart, and what forget and renamed do to it. */
class RepeatsTest {

    static final Target A = new Target("milvus", "a", Component.QUERY_NODE, InstallKind.HELM);
    static final Target B = new Target("milvus", "b", Component.QUERY_NODE, InstallKind.HELM);
    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

    @Test
    void theSameKeyIsDueOnceAMinuteAnotherAtOnce() {
        Repeats r = new Repeats(Duration.ofMinutes(1));
        assertTrue(r.due(A, "a", T0));
        assertFalse(r.due(A, "a", T0.plusSeconds(45)));
        assertTrue(r.due(B, "a", T0.plusSeconds(45)), "each target on its own");
        assertTrue(r.due(A, "a", T0.plusSeconds(60)));
        assertTrue(r.due(A, "b", T0.plusSeconds(65)));
        r.forget(A);
        assertTrue(r.due(A, "b", T0.plusSeconds(70)), "forgotten: due at once");
        r.renamed(A, B);
        assertFalse(r.due(B, "b", T0.plusSeconds(80)), "what was said of A goes on under B");
        assertTrue(r.due(A, "b", T0.plusSeconds(80)), "and A has nothing said");
    }
}
