package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.milvusautoscaler.core.Reason;
import org.junit.jupiter.api.Test;

/** The last rule: no memory, always settles, and says what it saw. */
class InBandTest {

    @Test
    void holdsNamingEverySignal() {
        Scene s = Scene.scene().unknown("qps", "empty result");
        Proposal p = new InBand().decide(s.observed()).orElseThrow();
        assertEquals(Reason.IN_BAND, p.reason());
        assertEquals(3, p.to());
        assertEquals("queryNode cpu 0.55, memory 0.65, qps unknown (empty result) within bands; holding at 3",
                p.message().text());
    }
}
