package io.github.milvusautoscaler.engine;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.CountWriter;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the daemon says about the other writers of a target's replica count, read from the object's managedFields
 * ({@link ReplicaStatus#countWriter}): who set a count that moved outside milvus-autoscaler, what a server-side
 * applier's next apply will do once milvus-autoscaler has changed the count, and a writer that keeps resetting it.
 *
 * <p>Why it matters: Helm 4 installs and upgrades by server-side apply as field manager {@code helm} (Helm's
 * HIP-0023: {@code --server-side} true for installs, {@code auto}, the prior release's method, for upgrades;
 * {@code --force-conflicts} false by default; helm pkg/kube/client.go {@code Create}), and so do GitOps controllers
 * set to (Argo CD as {@code argocd-controller}, forced: argo-cd docs/proposals/server-side-apply-field-managers.md).
 * Kubernetes moves a field's ownership to whoever changes its value, and fails an apply that would change a field
 * another manager owns (its Server-Side Apply docs, "Conflicts"). So once milvus-autoscaler has scaled a Deployment
 * whose chart renders {@code replicas}, the next {@code helm upgrade} stops with a conflict over {@code .spec.replicas}
 * naming milvus-autoscaler, or, with {@code --force-conflicts}, resets the count to the chart's, as a Helm 3 upgrade
 * did without asking. A controller that syncs the count (a GitOps tool with self-heal) resets it at every sync, each
 * reset undoing a scale-out: one WARN per reset said what happened, never that it was the same writer every time.
 *
 * <p>Per target, in memory: a restart says the heads-up again once, which is what a person who restarted it wants,
 * and forgets a stand-back, which three more resets bring back.
 */
final class CountOwnership {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    /** Outside moves by one writer within this long make a tug-of-war worth one WARN. */
    static final Duration FIGHT_WINDOW = Duration.ofHours(1);
    /** How many outside moves by one writer within {@link #FIGHT_WINDOW} are a tug-of-war, not a person's hands. */
    static final int FIGHT_MOVES = 3;
    /** What a contested hold's message says ("queryNode target unavailable (contested): ..."). */
    static final String CONTESTED = "target unavailable (contested)";

    /** Per target, the outside moves seen per writer ("" for one the object does not name), oldest first. */
    private final Map<Target, Map<String, Deque<Instant>>> moves = new ConcurrentHashMap<>();
    /** Per target, when the tug-of-war was last said. */
    private final Map<Target, Instant> fightSaid = new ConcurrentHashMap<>();
    /** Per target, the writer of the tug-of-war last said ("" for one the object does not name). */
    private final Map<Target, String> fightWith = new ConcurrentHashMap<>();
    /** Per target, until when milvus-autoscaler stands back: an hour after that writer's last move. */
    private final Map<Target, Instant> standBackUntil = new ConcurrentHashMap<>();
    /** Per target, the appliers whose coming conflict has been said. */
    private final Map<Target, Set<String>> foreseen = new ConcurrentHashMap<>();

    /** The field that holds the count, as Kubernetes' conflict messages name it. */
    static String field(Target target) {
        return target.install() == InstallKind.OPERATOR
                ? ".spec.components." + target.component().configName() + ".replicas" : ".spec.replicas";
    }

    /**
     * "by helm (Apply at ...)" for a count someone else set, when the object names who; when no one owns it now and an
     * applier did at the last read, that applier dropped the field (a chart upgraded to {@code replicas: -1} before
     * milvus-autoscaler first scaled) and the API server defaulted it; empty otherwise.
     */
    static Optional<String> by(Target target, ReplicaStatus before, ReplicaStatus now) {
        if (now.countWriter().isEmpty() && before != null) {
            Optional<CountWriter> dropped = before.otherWriter().filter(CountWriter::applies);
            if (dropped.isPresent()) {
                return Optional.of("(" + dropped.get().manager() + " no longer applies " + field(target)
                        + ", which no one else owned, so it was removed and " + (target.install() == InstallKind.OPERATOR
                        ? "the operator runs the component at its default, 1)" : "Kubernetes defaulted it to 1)"));
            }
        }
        return now.otherWriter().map(w -> "by " + w.said());
    }

    /**
     * What to do about the writer of a count that moved outside milvus-autoscaler, when the object names an applier
     * (whose next apply will act again); empty for a plain write, which the caller's own advice covers.
     */
    static Optional<String> advice(Target target, ReplicaStatus now) {
        return now.otherWriter().filter(CountWriter::applies).map(w -> helm(w)
                ? "; helm applies server-side (Helm 4) and its upgrades set " + field(target) + " from "
                + target.component().configName() + ".replicas: with " + target.component().configName()
                + ".replicas: -1 in the release's values the count stays milvus-autoscaler's (the field is its own"
                + " once it has scaled, so Kubernetes does not reset it); until then each upgrade after a scale stops"
                + " on a conflict over " + field(target) + ", or resets the count when run with --force-conflicts"
                : "; " + w.manager() + " applies " + field(target) + " server-side, so each of its applies that forces"
                + " it resets the count: leave the field out of what " + w.manager() + " applies and the count stays"
                + " milvus-autoscaler's");
    }

    /**
     * The heads-up for an applier that owns the count now: said once per target and applier, empty otherwise. What it
     * foresees happens only after milvus-autoscaler's first change of the count, which takes the field from it.
     */
    Optional<String> foresee(Target target, ReplicaStatus now) {
        requireNonNull(target, "target");
        Optional<CountWriter> applier = now.otherWriter().filter(CountWriter::applies);
        if (applier.isEmpty() || !foreseen.computeIfAbsent(target, t -> ConcurrentHashMap.newKeySet())
                .add(applier.get().manager())) {
            return Optional.empty();
        }
        CountWriter w = applier.get();
        String c = target.component().configName();
        return Optional.of(target + ": " + field(target) + " (" + now.current() + ") is applied server-side by "
                + w.said() + ". Once milvus-autoscaler changes the count the field is its own, and " + w.manager()
                + "'s next apply of another count stops on a conflict over " + field(target) + " naming"
                + " milvus-autoscaler, or, forced, sets it back" + (helm(w) ? " (helm upgrade --force-conflicts)" : "")
                + ". " + (helm(w) ? "Set " + c + ".replicas: -1 in the release's values so upgrades leave the count"
                + " alone (made after milvus-autoscaler's first scale, that upgrade keeps the count; before it,"
                + " Kubernetes resets a field no one owns any more to 1)"
                : "Leave " + field(target) + " out of what " + w.manager() + " applies (after milvus-autoscaler's"
                + " first scale; before it a field no one owns any more is removed, and "
                + (target.install() == InstallKind.OPERATOR ? "the operator runs a component without a count at 1)"
                : "Kubernetes defaults the count to 1)"))
                + "; said once per applier.");
    }

    /**
     * Records an outside move by {@code now}'s writer at {@code at} and returns the tug-of-war's WARN when that writer
     * has moved the count {@link #FIGHT_MOVES} times within {@link #FIGHT_WINDOW}, at most once per window and target.
     */
    Optional<String> moved(Target target, ReplicaStatus now, int from, Instant seenAt) {
        requireNonNull(seenAt, "seenAt");
        String who = now.otherWriter().map(CountWriter::manager).orElse("");
        // When the writer changed it, as the object records it, not when a tick saw it: the span said and the hour of
        // a stand-back count from the writer's own changes (recheck 67, F4: "1m44s" for applies 1m40s apart).
        Instant at = now.otherWriter().flatMap(CountWriter::time).filter(t -> !t.isAfter(seenAt)).orElse(seenAt);
        // The reset's own WARN says what this applier's next apply does: the heads-up would say it again, as if
        // milvus-autoscaler had never scaled (recheck 64, F1).
        now.otherWriter().filter(CountWriter::applies).ifPresent(w -> foreseen
                .computeIfAbsent(target, t -> ConcurrentHashMap.newKeySet()).add(w.manager()));
        Deque<Instant> seen = moves.computeIfAbsent(target, t -> new ConcurrentHashMap<>())
                .computeIfAbsent(who, w -> new ArrayDeque<>());
        Instant until = standBackUntil.get(target);
        if (until != null && at.isBefore(until) && who.equals(fightWith.get(target))) {
            standBackUntil.put(target, at.plus(FIGHT_WINDOW)); // it moved again: an hour from this move
        }
        synchronized (seen) {
            seen.addLast(at);
            while (!seen.isEmpty() && seen.peekFirst().isBefore(at.minus(FIGHT_WINDOW))) {
                seen.removeFirst();
            }
            if (seen.size() < FIGHT_MOVES) {
                return Optional.empty();
            }
            // Three within the hour stand it back, said or not: a stand-back ended early (the writer let go of the
            // field) and taken up again within the hour is not said twice.
            fightWith.put(target, who);
            standBackUntil.put(target, at.plus(FIGHT_WINDOW));
            Instant said = fightSaid.get(target);
            if (said != null && at.isBefore(said.plus(FIGHT_WINDOW))) {
                return Optional.empty();
            }
            fightSaid.put(target, at);
            Duration span = Duration.between(seen.peekFirst(), at);
            String writer = who.isEmpty() ? "a writer the object does not name (it records no field manager for the"
                    + " count)" : who;
            return Optional.of(target + ": " + writer + " has set the count " + seen.size() + " times in the last "
                    + Durations.human(span.isZero() ? Duration.ofSeconds(1) : span) + " (now " + from + " -> "
                    + now.current() + ") while milvus-autoscaler scales it: two writers set " + field(target) + ", and"
                    + " each of its writes undoes a scale. milvus-autoscaler stands back: it writes no count to "
                    + target.component() + " until " + (who.isEmpty() ? "that writer" : who) + " has left it alone for "
                    + Durations.human(FIGHT_WINDOW) + ", so the fight spends no actions of max-actions-per-hour and"
                    + " starts no pods only to have them removed. Give the count to one: leave " + field(target)
                    + " out of what " + (who.isEmpty() ? "that writer" : who) + " writes or syncs"
                    + (target.install() == InstallKind.HELM ? " (a Helm release: " + target.component().configName()
                    + ".replicas: -1)" : "") + ", or remove " + target.component() + " from milvus-autoscaler's config"
                    + " (said once an hour per target)");
        }
    }

    /**
     * Why milvus-autoscaler writes no count to {@code target} at {@code now}: from the tug-of-war's WARN until
     * {@link #FIGHT_WINDOW} after its writer's last change of the count; empty otherwise. Like an HPA on the same Deployment, a second
     * writer that keeps winning is left the count: each scale it undoes starts pods only to remove them, and the
     * fight spent 8 of 8 actions in 5 minutes, for every target of the daemon (recheck 64, remark).
     */
    Optional<String> contested(Target target, Instant now, ReplicaStatus status) {
        Instant until = standBackUntil.get(target);
        if (until == null) {
            return Optional.empty();
        }
        String who = fightWith.getOrDefault(target, "");
        Optional<String> writer = status.otherWriter().map(CountWriter::manager);
        if (!who.isEmpty() && !status.countWriter().map(w -> w.owned(who)).orElse(false)) {
            // It let go of the count (dropped the field from what it applies, as the WARN advised) or someone else
            // set it: the fight is over, and waiting out the hour left a component at the default count under load
            // (recheck 67, F1: one queryNode at 3.4 times its line, nothing written).
            standBackUntil.remove(target);
            LOG.atInfo().addKeyValue("target", target.id()).log("{}: {} no longer owns {} ({}): milvus-autoscaler"
                    + " stands back no more and scales {} again", target, who, field(target),
                    writer.map(w -> "now " + status.otherWriter().get().said()).orElse("no one else owns it"),
                    target.component());
            return Optional.empty();
        }
        if (!now.isBefore(until)) {
            // Over: the next stand-back needs another FIGHT_MOVES within the window, not one move after the quiet
            // hour (recheck 66, F1: one reset held the target another hour, "3 times within 1h" said of one).
            standBackUntil.remove(target);
            LOG.atInfo().addKeyValue("target", target.id()).log("{}: {} has left the count alone for {}:"
                    + " milvus-autoscaler stands back no more and scales {} again", target,
                    who.isEmpty() ? "the other writer" : who, Durations.human(FIGHT_WINDOW), target.component());
            return Optional.empty();
        }
        Duration since = Duration.between(until.minus(FIGHT_WINDOW), now).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Map<String, Deque<Instant>> byWriter = moves.get(target);
        Deque<Instant> seen = byWriter == null ? null : byWriter.get(who);
        long times;
        if (seen == null) {
            times = FIGHT_MOVES;
        } else {
            Instant last = until.minus(FIGHT_WINDOW);
            synchronized (seen) {
                times = seen.stream().filter(t -> !t.isAfter(last) && t.isAfter(last.minus(FIGHT_WINDOW))).count();
            }
        }
        return Optional.of("two writers set " + field(target) + ": " + (who.isEmpty() ? "a writer the object does not"
                + " name" : who) + " undid milvus-autoscaler's scales " + Math.max(times, FIGHT_MOVES) + " times within "
                + Durations.human(FIGHT_WINDOW) + " and last set the count " + (since.isNegative() || since.isZero()
                ? "just now" : Durations.human(since) + " ago") + "; milvus-autoscaler writes no count until "
                + until + " (an hour after its last change, later if it changes it again) or until it no longer owns"
                + " the count (leave " + field(target) + " out of what " + (who.isEmpty() ? "that writer" : who)
                + " writes; it then drops to " + (target.install() == InstallKind.OPERATOR ? "the operator's"
                : "Kubernetes'") + " default, 1, and milvus-autoscaler scales it from there)");
    }

    /** Drops what is kept for a target removed by a reload. */
    void forget(Target target) {
        moves.remove(target);
        fightSaid.remove(target);
        fightWith.remove(target);
        standBackUntil.remove(target);
        foreseen.remove(target);
    }

    private static boolean helm(CountWriter w) {
        return w.manager().equals("helm");
    }
}
