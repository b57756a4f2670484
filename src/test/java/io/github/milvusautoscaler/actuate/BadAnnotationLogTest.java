package io.github.milvusautoscaler.actuate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.Component;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A bad annotation value is warned once, not on every read: the daemon reads the scaled object every tick
 * (15 s), and a typo in {@code paused} logged each time is 5,760 lines a day per target.
 */
class BadAnnotationLogTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(ScaleAnnotations.class);
    private final ListAppender<ILoggingEvent> seen = new ListAppender<>();

    @BeforeEach
    void listen() {
        seen.start();
        logger.addAppender(seen);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(seen);
    }

    private static JsonObject paused(String value) {
        JsonObject a = new JsonObject();
        a.addProperty(ScaleAnnotations.PAUSED, value);
        return a;
    }

    private List<String> warnings() {
        return seen.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aTypoInPausedIsWarnedOnceUntilItChanges() {
        String object = "deployment once/" + System.nanoTime();
        for (int tick = 0; tick < 5; tick++) {
            assertFalse(ScaleAnnotations.paused(paused("queryNod"), Component.QUERY_NODE, object));
        }
        assertEquals(1, warnings().size(), warnings().toString());
        assertTrue(warnings().get(0).contains("\"queryNod\" is no component"), warnings().get(0));
        // A changed value is a new mistake: warned once more; each bad entry of a list on its own.
        ScaleAnnotations.paused(paused("queryNod,prox"), Component.QUERY_NODE, object);
        ScaleAnnotations.paused(paused("queryNod,prox"), Component.QUERY_NODE, object);
        assertEquals(3, warnings().size(), warnings().toString());
    }

    @Test
    void aBadTimeIsWarnedOncePerObject() {
        JsonObject a = new JsonObject();
        a.addProperty(ScaleAnnotations.LAST_SCALE_TIME, "yesterday");
        a.addProperty(ScaleAnnotations.LAST_SCALE_DIRECTION, "down");
        String first = "deployment a/" + System.nanoTime();
        String second = "deployment b/" + System.nanoTime();
        for (int tick = 0; tick < 3; tick++) {
            ScaleAnnotations.lastScale(a, first);
            ScaleAnnotations.lastScale(a, second);
        }
        assertEquals(2, warnings().size(), warnings().toString());
    }
}
