package io.github.milvusautoscaler.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MessageTest {

    @Test
    void aLazyMessageIsBuiltOnlyWhenReadAndThenOnce() {
        AtomicInteger builds = new AtomicInteger();
        Message m = Message.lazy(() -> {
            builds.incrementAndGet();
            return "queryNode cpu 0.82 > 0.75 for 2m; 3 -> 5";
        });
        assertEquals(0, builds.get(), "nothing is formatted until someone reads the message");
        assertEquals("queryNode cpu 0.82 > 0.75 for 2m; 3 -> 5", m.text());
        assertEquals("queryNode cpu 0.82 > 0.75 for 2m; 3 -> 5", m.toString());
        assertEquals(1, builds.get(), "built once, then remembered");
    }

    @Test
    void messagesAreEqualByTextWhetherBuiltLazilyOrNot() {
        assertEquals(Message.of("in band; holding at 3"), Message.lazy(() -> "in band; holding at " + 3));
        assertEquals(Message.of("a").hashCode(), Message.lazy(() -> "a").hashCode());
        assertNotEquals(Message.of("a"), Message.of("b"));
    }

    @Test
    void aBuilderThatReturnsNullFailsWhenRead() {
        Message m = Message.lazy(() -> null);
        assertThrows(NullPointerException.class, m::text);
        assertThrows(NullPointerException.class, () -> Message.of(null));
    }

    @Test
    void aDecisionKeepsItsLazyMessageAndItsDryRunCopyReadsTheSame() {
        AtomicInteger builds = new AtomicInteger();
        Target t = new Target("milvus", "prod", Component.QUERY_NODE, InstallKind.OPERATOR);
        Decision d = new Decision(t, java.time.Instant.EPOCH, Action.HOLD, 3, 3, Reason.IN_BAND,
                Message.lazy(() -> "cpu 0.5 within bands; holding at " + builds.incrementAndGet()),
                java.util.Map.of(), false);
        Decision dry = d.asDryRun();
        assertEquals(0, builds.get());
        assertEquals("cpu 0.5 within bands; holding at 1", dry.message().text());
        assertEquals("cpu 0.5 within bands; holding at 1", d.message().text(), "one message, shared by the copy");
    }
}
