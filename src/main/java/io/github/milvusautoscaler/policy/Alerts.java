package io.github.milvusautoscaler.policy;

import static io.github.milvusautoscaler.core.Durations.human;

import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.ActiveAlert;
import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ScaleMemory;
import io.github.milvusautoscaler.core.Stage;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A firing scale-out alert not yet acted on adds {@code alerts.step} replicas at once, within the
 * alert cooldown; each alert acts once (its key is remembered while it fires). At max-replicas the
 * alert is consumed with the scale-out rule's AT_MAX ({@link ScaleOut#atMax}: more is wanted than
 * max allows, whoever asks). A firing alert also blocks scale-in; the step-down rule says so.
 *
 * <p>Reasons: ALERT_SCALE_OUT, ALERT_COOLDOWN. Memory: {@link Book}.
 */
final class Alerts implements Rule<Alerts.Book> {

    /**
     * @param lastScaleOut the last alert-driven scale-out (the alert cooldown runs from it); null when none
     * @param handled      de-duplication keys of firing alerts already acted on
     */
    record Book(Instant lastScaleOut, Set<String> handled) implements Memory {

        Book {
            handled = Set.copyOf(handled);
        }

        @Override
        public Book retimed(Instant tick, Instant written) {
            return new Book(Memory.retime(lastScaleOut, tick, written), handled);
        }
    }

    @Override
    public Stage stage() {
        return Stage.ALERTS;
    }

    @Override
    public Book initial() {
        return new Book(null, Set.of());
    }

    /**
     * Merges what the object remembers ({@link ScaleMemory}, written by this or another daemon): the
     * later alert scale-out and the union of handled alerts, so an alert Alertmanager re-sends after a
     * fail-over does not scale out a second time.
     */
    @Override
    public Book observe(Book own, Tick before) {
        ScaleMemory m = before.status().memory();
        Instant last = Memory.later(own.lastScaleOut(), m.lastAlertScaleOut());
        if (own.handled().containsAll(m.handledAlerts()) && last == own.lastScaleOut()) {
            return own;
        }
        Set<String> handled = new HashSet<>(own.handled());
        handled.addAll(m.handledAlerts());
        return new Book(last, handled);
    }

    @Override
    public Optional<Proposal> decide(Tick t) {
        if (t.observation().alerts().isEmpty()) {
            return Optional.empty();
        }
        Book book = t.memory(Book.class);
        List<ActiveAlert> fresh = t.observation().alerts().stream()
                .filter(a -> a.action() == ActiveAlert.AlertAction.SCALE_OUT)
                .filter(a -> !book.handled().contains(a.key()))
                .toList();
        if (fresh.isEmpty()) {
            return Optional.empty();
        }
        Set<String> keys = fresh.stream().map(ActiveAlert::key).collect(Collectors.toCollection(LinkedHashSet::new));
        List<String> named = fresh.stream().map(ActiveAlert::name).distinct().toList();
        Supplier<String> names = () -> fresh.stream().map(ActiveAlert::described).distinct()
                .collect(Collectors.joining(", "));
        AlertSettings a = t.settings().alerts();
        int current = t.current();
        if (current >= t.settings().maxReplicas()) {
            return ScaleOut.atMax(t, () -> "alert " + names.get() + " firing but " + t.component()
                    + " is at max-replicas " + t.settings().maxReplicas(), keys).map(p -> p.withAlerts(named));
        }
        if (t.within(book.lastScaleOut(), a.cooldown())) {
            return Proposal.hold(Stage.ALERTS, Reason.ALERT_COOLDOWN, t, () -> "alert " + names.get()
                    + " firing; alert cooldown " + human(t.left(book.lastScaleOut(), a.cooldown())) + " left of "
                    + human(a.cooldown())).map(p -> p.withAlerts(named));
        }
        int to = (int) Math.min(t.settings().maxReplicas(), (long) current + a.step());
        return Optional.of(new Proposal(Stage.ALERTS, Reason.ALERT_SCALE_OUT, to, () -> "alert " + names.get()
                + " firing; " + t.component() + " " + current + " -> " + to + " (alerts.step " + a.step() + ")", keys)
                .withAlerts(named));
    }

    /**
     * Keys of alerts no longer firing are forgotten (a key carries the alert's start time, so it
     * never matches a later firing); a HOLD that consumed alerts (at max-replicas) remembers them.
     */
    @Override
    public Book decided(Book own, Tick t, Proposal settled) {
        if (t.observation().alerts().isEmpty() && own.handled().isEmpty() && settled.alertKeys().isEmpty()) {
            return own;
        }
        Set<String> firing = t.observation().alerts().stream().map(ActiveAlert::key).collect(Collectors.toSet());
        Set<String> handled = new HashSet<>(own.handled());
        handled.retainAll(firing);
        if (settled.reason().action() == Action.HOLD) {
            handled.addAll(settled.alertKeys());
        }
        return new Book(own.lastScaleOut(), handled);
    }

    /** A written alert scale-out starts the alert cooldown and remembers the alerts it acted on. */
    @Override
    public Book written(Book own, Tick t, Proposal settled) {
        if (settled.reason() != Reason.ALERT_SCALE_OUT) {
            return own;
        }
        Set<String> handled = new HashSet<>(own.handled());
        handled.addAll(settled.alertKeys());
        return new Book(t.now(), handled);
    }
}
