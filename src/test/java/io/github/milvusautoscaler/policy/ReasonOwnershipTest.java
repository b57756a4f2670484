package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.policy.Scene.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.ActiveAlert.AlertAction;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Stage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each {@link Reason} is given by exactly one rule. The policy runs over every named case of
 * {@link PolicyReasonTest} and over a long seeded random walk (signals, readiness, health, settle,
 * alerts, pauses, annotations, budget), and on every tick each rule is also asked alone: a rule
 * only ever gives reasons of its own stage, except where it consults another rule's check, which
 * then decides with that rule's reason (the guards' step toward max passes the step-down gate; a Helm
 * release's rollout lets the scale-out rule's scale past the panic line through; an alert at max-replicas is the
 * scale-out rule's AT_MAX).
 */
class ReasonOwnershipTest {

    /** (rule that settled, rule whose check gave the reason) where the two differ. */
    private static final Set<List<Stage>> CONSULTED = Set.of(
            List.of(Stage.GUARDS, Stage.STEP_DOWN),
            // a Helm release's rollout lets the scale-out rule's scale past the panic line through
            List.of(Stage.GUARDS, Stage.SCALE_OUT),
            List.of(Stage.ALERTS, Stage.SCALE_OUT));
    // The scheduled-floor, forecast and recent-peak rules ask StepDown.wouldStepDown but give only their own
    // reasons: no entry needed.

    /** Per reason, the stages whose proposals gave it, over every tick run. */
    private static final Map<Reason, Set<Stage>> GIVEN_BY = new EnumMap<>(Reason.class);
    /** Per rule, every reason it gave when asked alone. */
    private static final Map<Stage, Set<Reason>> ASKED_ALONE = new EnumMap<>(Stage.class);
    private static final List<String> PROBLEMS = new ArrayList<>();
    private static int ticks;

    @BeforeAll
    static void runEveryScenario() {
        PolicyReasonTest.cases().forEach(a -> {
            Scene s = Scene.scene();
            @SuppressWarnings("unchecked")
            Consumer<Scene> setup = (Consumer<Scene>) a.get()[3];
            setup.accept(s);
            tick(s, (String) a.get()[0]);
        });
        walk(new Random(13), 20_000);
    }

    /** Random ticks 15 s apart on one target, its state and replica count carried over like the engine's. */
    private static void walk(Random r, int n) {
        Scene s = Scene.scene();
        for (int i = 0; i < n; i++) {
            s.plus(Duration.ofSeconds(15));
            for (String name : List.of("cpu", "memory", "qps")) {
                int pick = r.nextInt(10);
                double line = name.equals("qps") ? 150 : name.equals("cpu") ? 0.75 : 0.80;
                if (pick == 0) {
                    s.unknown(name, "empty result");
                } else if (name.equals("qps")) {
                    s.qps(line * (0.2 + r.nextDouble() * 1.6));
                } else {
                    s.perPod(name, line * (0.2 + r.nextDouble() * 1.6));
                }
            }
            if (r.nextInt(50) == 0) {
                s.allUnknown();
            }
            s.ready = Math.max(0, s.current - (r.nextInt(6) == 0 ? 1 + r.nextInt(2) : 0));
            s.health = Health.values()[r.nextInt(Health.values().length)];
            s.settle = r.nextInt(4) == 0 ? Settle.values()[r.nextInt(Settle.values().length)] : Settle.QUIET;
            s.paused = r.nextInt(100) == 0;
            s.rollout = r.nextInt(100) == 0;
            if (r.nextInt(40) == 0) {
                s.alert("A" + r.nextInt(3), r.nextBoolean() ? AlertAction.SCALE_OUT : AlertAction.BLOCK_SCALE_IN);
            }
            if (r.nextInt(30) == 0) {
                s.alerts.clear();
            }
            s.lastScale = r.nextInt(200) == 0
                    ? java.util.Optional.of(new io.github.milvusautoscaler.core.LastScale(s.now.minusSeconds(30),
                    r.nextBoolean() ? Direction.UP : Direction.DOWN, "other daemon")) : java.util.Optional.empty();
            s.budget = r.nextInt(100) == 0 ? new Budget(30, 30) : Budget.unlimited();
            if (r.nextInt(300) == 0) {
                s.current = 1 + r.nextInt(14);
                s.ready = s.current;
            }
            Outcome o = tick(s, "walk tick " + i);
            s.state = r.nextInt(20) == 0 ? o.unapplied() : o.next();
            s.current = o.decision().to();
        }
    }

    private static Outcome tick(Scene s, String name) {
        ticks++;
        Tick t = s.observed();
        Stage settler = null;
        Proposal settled = null;
        for (Rule<?> rule : Policy.RULES) {
            java.util.Optional<Proposal> p = rule.decide(t);
            if (p.isPresent()) {
                ASKED_ALONE.computeIfAbsent(rule.stage(), k -> EnumSet.noneOf(Reason.class)).add(p.get().reason());
                if (settled == null) {
                    settler = rule.stage();
                    settled = p.get();
                }
            }
        }
        Outcome o = s.decide();
        Decision d = o.decision();
        // The policy decides in core.Reason only (other vocabularies are the simulator baselines').
        Reason reason = (Reason) d.reason();
        Stage by = d.reason() == Reason.BUDGET_EXHAUSTED && settled.reason() != Reason.BUDGET_EXHAUSTED
                ? Stage.BUDGET : settled.by();
        GIVEN_BY.computeIfAbsent(reason, k -> EnumSet.noneOf(Stage.class)).add(by);
        if (by != Stage.BUDGET && d.reason() != settled.reason()) {
            PROBLEMS.add(name + ": decided " + d.reason() + " but " + settler + " settled " + settled.reason());
        }
        if (d.stage() != d.reason().stage() || settled.by() != settled.reason().stage()) {
            PROBLEMS.add(name + ": " + d.reason() + " decided as " + d.stage() + " by " + settled.by());
        }
        if (settled.by() != settler && !CONSULTED.contains(List.of(settler, settled.by()))) {
            PROBLEMS.add(name + ": rule " + settler + " gave " + settled.reason() + " of " + settled.by());
        }
        return o;
    }

    @Test
    void everyDecisionsReasonBelongsToTheRuleThatGaveIt() {
        assertTrue(ticks > 20_000);
        assertEquals(List.of(), PROBLEMS.stream().limit(10).toList());
    }

    @Test
    void askedAloneEachRuleGivesOnlyItsOwnReasonsOrThoseItConsults() {
        for (Map.Entry<Stage, Set<Reason>> e : ASKED_ALONE.entrySet()) {
            Set<Stage> allowed = EnumSet.of(e.getKey());
            CONSULTED.stream().filter(c -> c.get(0) == e.getKey()).forEach(c -> allowed.add(c.get(1)));
            Set<Reason> foreign = e.getValue().stream().filter(r -> !allowed.contains(r.stage()))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(Set.of(), foreign, e.getKey() + " gave reasons of other rules");
        }
    }

    @Test
    void everyPolicyReasonIsReachedAndGivenByExactlyOneStage() {
        Set<Reason> policyReasons = Arrays.stream(Reason.values()).filter(r -> r.stage().isRule()
                || r.stage() == Stage.BUDGET).collect(Collectors.toCollection(() -> EnumSet.noneOf(Reason.class)));
        assertEquals(policyReasons, GIVEN_BY.keySet(), "every reason the policy can give was reached");
        for (Map.Entry<Reason, Set<Stage>> e : GIVEN_BY.entrySet()) {
            assertEquals(Set.of(e.getKey().stage()), e.getValue(), e.getKey() + " given by");
        }
    }

    @Test
    void eachRuleStageIsOneRuleOfThePipeline() {
        List<Stage> inPipeline = Policy.RULES.stream().map(Rule::stage).toList();
        List<Stage> ruleStages = Arrays.stream(Stage.values()).filter(Stage::isRule).toList();
        assertEquals(ruleStages, inPipeline, "one rule per rule stage, in the stage enum's order");
    }

    @Test
    void reasonsFromOutsideTheRulesAreMarkedAsSuch() {
        // The engine's unreadable target, the global budget (kept by the engine, applied after the rules) and
        // the scale command's manual step.
        Set<Reason> outside = Arrays.stream(Reason.values()).filter(r -> !r.stage().isRule())
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Reason.class)));
        assertEquals(EnumSet.of(Reason.BUDGET_EXHAUSTED, Reason.TARGET_UNAVAILABLE, Reason.MANUAL_SCALE), outside);
        assertEquals(Stage.ENGINE, Reason.TARGET_UNAVAILABLE.stage());
        assertEquals(Stage.BUDGET, Reason.BUDGET_EXHAUSTED.stage());
        assertEquals(Stage.MANUAL, Reason.MANUAL_SCALE.stage());
    }
}
