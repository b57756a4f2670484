package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A count someone else raises gets the delay a scale-out of milvus-autoscaler's gets (fault recheck F6: queryNode
 * raised 6 -> 9 by {@code kubectl scale} at low load was stepped down 69 s later, the sustain having run on through
 * the raise), and one someone else lowers gets the scale-in cooldown a step-down of its own gets (real-install recheck
 * 17, F1: indexNode lowered 4 -> 3 by hand was stepped down 3 -> 2 by the daemon 27 s later). Scripted 15 s ticks on the scene's scale-in settings (sustain 10m, cooldown 5m, delay after a scale-out
 * 15m) with a flat load of 1.2 nodes of cpu, LOW on any count from 4 up (1.2 / 4 = 0.30 < 0.40).
 */
class OutsideMovesStoryTest {

    /** Thirty minutes from 6 replicas; {@code at5m} changes the scene once, at minute 5; every decision. */
    private static List<Decision> run(Consumer<Scene> at5m) {
        return run(5, at5m);
    }

    /** Thirty minutes from 6 replicas; {@code change} changes the scene once, at {@code minute}; every decision. */
    private static List<Decision> run(int minute, Consumer<Scene> change) {
        Scene s = Scene.scene();
        s.max = 10;
        s.current = 6;
        List<Decision> out = new ArrayList<>();
        for (int tick = 0; tick < 4 * 30; tick++) {
            if (s.now.equals(at(minute))) {
                change.accept(s);
            }
            s.ready = s.current;
            s.allLow().cpu(1.2 / s.ready);
            out.add(s.step().decision());
            s.plus(Duration.ofSeconds(15));
        }
        return out;
    }

    private static Instant at(int minute) {
        return Scene.T0.plus(Duration.ofMinutes(minute));
    }

    private static Decision firstStepDown(List<Decision> d) {
        return d.stream().filter(x -> x.action() == Action.SCALE_IN).findFirst().orElseThrow();
    }

    @Test
    void aRaiseByHandHoldsStepDownsForTheDelayAfterAScaleOut() {
        List<Decision> d = run(s -> s.current = 9);
        Decision first = firstStepDown(d);
        assertEquals(at(20), first.time(), "15m after the raise was seen, not at the sustain's end (minute 10)");
        assertEquals(9, first.from());
        Decision held = d.stream().filter(x -> x.time().equals(at(10))).findFirst().orElseThrow();
        assertEquals(Reason.SCALE_IN_DELAY_AFTER_SCALE_OUT, held.reason());
        assertEquals("queryNode raised outside milvus-autoscaler 6 -> 9 5m ago (kubectl scale, a helm upgrade, an edit"
                + " of the Milvus resource), which delay-after-scale-out counts as a scale-out; no step-down for 10m"
                + " more (milvus-autoscaler pause holds a count for good); holding at 9", held.message().text());
    }

    @Test
    void withoutTheRaiseTheSameLoadStepsDownAtTheSustainsEnd() {
        // The story's control: nothing at minute 5, and the first step-down comes as soon as the sustain allows.
        Decision first = firstStepDown(run(s -> { }));
        assertEquals(at(10), first.time());
        assertEquals(6, first.from());
    }

    @Test
    void aRaiseTheLastScaleAnnotationDatesAsOursIsAScaleOutNotAnOutsideOne() {
        // Another leader's scale-out (or a write of this daemon's that landed late): the annotation says so.
        List<Decision> d = run(s -> s.replicas(9, 9).lastScale(s.now, Direction.UP));
        assertEquals(at(20), firstStepDown(d).time());
        Decision held = d.stream().filter(x -> x.time().equals(at(10))).findFirst().orElseThrow();
        assertTrue(held.message().text().startsWith("queryNode scaled out 5m ago; no step-down for 10m more"),
                held.message().text());
        assertFalse(d.stream().anyMatch(x -> x.message().text().contains("raised outside")));
    }

    /**
     * A lowering by hand 6 -> 5 at minute 8 is a step-down as the cooldown counts them: the sustain's end (minute 10)
     * waits for the cooldown to run out at minute 13, one node at a time, and the hold says whose step it was.
     */
    @Test
    void aLoweringByHandHoldsTheNextStepDownForTheCooldown() {
        List<Decision> d = run(8, s -> s.current = 5);
        Decision first = firstStepDown(d);
        assertEquals(at(13), first.time(), "5m after the lowering was seen, not at the sustain's end (minute 10)");
        assertEquals(5, first.from());
        Decision held = d.stream().filter(x -> x.time().equals(at(10))).findFirst().orElseThrow();
        assertEquals(Reason.SCALE_IN_COOLDOWN, held.reason());
        assertEquals("queryNode lowered outside milvus-autoscaler 6 -> 5 2m ago (kubectl scale, a helm upgrade, an edit"
                + " of the Milvus resource), which the scale-in cooldown counts as a step-down: one node at a time;"
                + " scale-in cooldown 3m left of 5m; holding at 5", held.message().text());
        assertFalse(d.stream().anyMatch(x -> x.message().text().contains("raised outside")));
    }

    @Test
    void aLoweringTheLastScaleAnnotationDatesAsOursIsAStepDownNotAnOutsideOne() {
        // Another leader's step-down (or a write of this daemon's that landed late): the annotation says so, and the
        // cooldown runs from its time as from any step-down of milvus-autoscaler's.
        List<Decision> d = run(8, s -> s.replicas(5, 5).lastScale(s.now, Direction.DOWN));
        assertEquals(at(13), firstStepDown(d).time());
        Decision held = d.stream().filter(x -> x.time().equals(at(10))).findFirst().orElseThrow();
        assertTrue(held.message().text().startsWith("queryNode stepped down 2m ago; scale-in cooldown 3m left of 5m"),
                held.message().text());
        assertFalse(d.stream().anyMatch(x -> x.message().text().contains("lowered outside")));
    }

    @Test
    void itsOwnStepDownsAreNeverTakenForAnOutsideLowering() {
        List<Decision> d = run(s -> { });
        assertTrue(d.stream().filter(x -> x.action() == Action.SCALE_IN).count() >= 2, "the story steps down twice");
        assertFalse(d.stream().anyMatch(x -> x.message().text().contains("lowered outside")), d.toString());
    }

    @Test
    void itsOwnScaleOutIsNeverTakenForAnOutsideRise() {
        Scene s = Scene.scene();
        s.max = 10;
        List<Decision> d = new ArrayList<>();
        for (int tick = 0; tick < 4 * 40; tick++) {
            s.ready = s.current;
            // 3 nodes of cpu for 5 minutes (1.0 on 3: HIGH), then 1.2 nodes.
            s.allLow().cpu((s.now.isBefore(at(5)) ? 3.0 : 1.2) / s.ready);
            d.add(s.step().decision());
            s.plus(Duration.ofSeconds(15));
        }
        assertTrue(d.stream().anyMatch(x -> x.action() == Action.SCALE_OUT), "the story scales out");
        assertTrue(d.stream().anyMatch(x -> x.action() == Action.SCALE_IN), "and steps down after");
        assertFalse(d.stream().anyMatch(x -> x.message().text().contains("raised outside")
                || x.message().text().contains("lowered outside")));
    }
}
