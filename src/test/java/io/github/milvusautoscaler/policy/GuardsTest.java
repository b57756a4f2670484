package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Stage;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The guards: no memory; paused, rollout and [min, max] settle the tick before any other rule. */
class GuardsTest {

    private final Guards rule = new Guards();

    @Test
    void keepsNoMemory() {
        assertEquals(Memory.None.NONE, rule.initial());
    }

    @Test
    void passesATickInsideTheBoundsOn() {
        assertEquals(Optional.empty(), rule.decide(Scene.scene().cpu(0.95).observed()));
    }

    @Test
    void pausedComesFirst() {
        Scene s = Scene.scene().replicas(12, 12);
        s.paused = true;
        s.rollout = true;
        Proposal p = rule.decide(s.observed()).orElseThrow();
        assertEquals(Reason.PAUSED, p.reason());
        assertEquals(Stage.GUARDS, p.by());
        assertEquals(12, p.to());
    }

    @Test
    void aboveMaxStepsDownByOneWhenTheStepDownGateIsOpen() {
        Proposal p = rule.decide(Scene.scene().replicas(14, 14).observed()).orElseThrow();
        assertEquals(Reason.ABOVE_MAX, p.reason());
        assertEquals(13, p.to());
    }
}
