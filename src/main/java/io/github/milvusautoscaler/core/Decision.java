package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the autoscaler decided for one target at one tick: every tick yields exactly one,
 * HOLD included.
 *
 * @param target  the target decided for
 * @param time    the tick time
 * @param action  SCALE_OUT, SCALE_IN or HOLD; always {@code reason.action()}
 * @param from    replicas before, or null when the owning object could not be read
 * @param to      replicas after (equal to {@code from} on HOLD), or null as above
 * @param reason  why: a {@link Reason} of the autoscaler (or a simulator baseline's own); its
 *                {@link DecisionReason#stage()} is the rule (or the part outside the rules) that decided
 * @param message one sentence with the numbers, e.g. "queryNode cpu 0.82 > 0.75 for 2m; 3 -> 5",
 *                built when first read (see {@link Message})
 * @param signals every signal the policy saw, by name, in configuration order
 * @param dryRun  true for every decision of a daemon in dry-run, HOLD included: nothing it decides is written
 * @param written true when the scale reached the owning object (confirmed by the answer, or by
 *                recognising our write id on a re-read after a lost answer); false for every HOLD,
 *                a follower's, dry-run, failed or abandoned write
 * @param alerts  the names of the Alertmanager alerts that drove or held this decision (an alert scale-out, its
 *                cooldown, its hold at max-replicas, a scale-in an alert blocks), each once, in the order they
 *                arrived; empty for every other decision. A log pipeline finds what an alert did by this field
 *                rather than by parsing the message
 */
public record Decision(Target target, Instant time, Action action, Integer from, Integer to, DecisionReason reason,
                       Message message, Map<String, SignalReading> signals, boolean dryRun, boolean written,
                       List<String> alerts) {

    public Decision {
        requireNonNull(target, "target");
        requireNonNull(time, "time");
        requireNonNull(action, "action");
        requireNonNull(reason, "reason");
        requireNonNull(message, "message");
        signals = SignalMap.copyOf(requireNonNull(signals, "signals"));
        alerts = requireNonNull(alerts, "alerts").isEmpty() ? List.of() : List.copyOf(alerts);
        if (!reason.allows(action)) {
            throw new IllegalArgumentException("reason " + reason + " requires " + reason.action() + ", not " + action);
        }
        if ((from == null) != (to == null)) {
            throw new IllegalArgumentException("from and to are both known or both unknown");
        }
        if (from != null) {
            int delta = to - from;
            boolean consistent = switch (action) {
                case HOLD -> delta == 0;
                case SCALE_OUT -> delta > 0;
                case SCALE_IN -> delta < 0;
            };
            if (!consistent) {
                throw new IllegalArgumentException(action + " from " + from + " to " + to + " is inconsistent");
            }
        } else if (action != Action.HOLD) {
            throw new IllegalArgumentException("an action needs known replica counts");
        }
        if (written && (action == Action.HOLD || dryRun)) {
            throw new IllegalArgumentException("only a scale outside dry-run can be written");
        }
    }

    /** A decision no alert drove or held. */
    public Decision(Target target, Instant time, Action action, Integer from, Integer to, DecisionReason reason,
                    Message message, Map<String, SignalReading> signals, boolean dryRun, boolean written) {
        this(target, time, action, from, to, reason, message, signals, dryRun, written, List.of());
    }

    /** A decision not (yet) written. */
    public Decision(Target target, Instant time, Action action, Integer from, Integer to, DecisionReason reason,
                    Message message, Map<String, SignalReading> signals, boolean dryRun) {
        this(target, time, action, from, to, reason, message, signals, dryRun, false);
    }

    /** A decision whose message is already written out. */
    public Decision(Target target, Instant time, Action action, Integer from, Integer to, DecisionReason reason,
                    String message, Map<String, SignalReading> signals, boolean dryRun) {
        this(target, time, action, from, to, reason, Message.of(message), signals, dryRun, false);
    }

    /** The rule of the policy (or the part outside it) that decided: the stage of the reason. */
    public Stage stage() {
        return reason.stage();
    }

    /** True when this decision changes the replica count. */
    public boolean isScale() {
        return action != Action.HOLD;
    }

    /** A copy marked as decided in dry-run, so not written (a HOLD writes nothing anyway, but says so too). */
    public Decision asDryRun() {
        return new Decision(target, time, action, from, to, reason, message, signals, true, false, alerts);
    }

    /**
     * A copy whose message ends with why the scale was not written ({@code "; not written: write abandoned: ..."}), so the
     * decision line and record say it, not only the metrics and the status page (fault recheck N4).
     */
    public Decision notWritten(String why) {
        Message said = Message.lazy(() -> message.text() + "; not written: " + why);
        return new Decision(target, time, action, from, to, reason, said, signals, dryRun, false, alerts);
    }

    /** A copy marked as written: the scale reached the owning object. */
    public Decision asWritten() {
        return new Decision(target, time, action, from, to, reason, message, signals, dryRun, true, alerts);
    }
}
