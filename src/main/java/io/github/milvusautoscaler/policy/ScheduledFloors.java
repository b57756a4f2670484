package io.github.milvusautoscaler.policy;

import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.Stage;
import java.util.Optional;

/**
 * The {@code scheduled} floors: while a window is on ({@link ScheduledFloor}), the component runs at
 * least its {@code min-replicas}: below it, move up to it at once (SCHEDULED_FLOOR, like BELOW_MIN but
 * clamped to max-replicas); at it, a step-down that would go below it holds (AT_SCHEDULED_FLOOR). It needs
 * no signal, so it runs before the unknown-data rule: a floor for the morning peak holds even while
 * Prometheus is down. Example: Mon-Fri 08:00-20:00 Europe/Berlin at 4 and 2 replicas at 08:00 Berlin
 * time gives 2 -> 4; at 20:00 the floor is gone and the step-downs resume on the signals.
 *
 * <p>Reasons: SCHEDULED_FLOOR, AT_SCHEDULED_FLOOR. Memory: none.
 */
final class ScheduledFloors implements Rule<Memory.None> {

    @Override
    public Stage stage() {
        return Stage.SCHEDULED_FLOOR;
    }

    @Override
    public Memory.None initial() {
        return Memory.None.NONE;
    }

    @Override
    public Optional<Proposal> decide(Tick t) {
        if (t.settings().scheduled().isEmpty()) {
            return Optional.empty();
        }
        int scheduled = ScheduledFloor.floorAt(t.settings().scheduled(), t.now());
        if (scheduled == 0) {
            return Optional.empty();
        }
        int floor = Math.min(t.settings().maxReplicas(), scheduled);
        int current = t.current();
        // Said only when a message is asked for: the simulator decides a million ticks and reads none of them.
        java.util.function.Supplier<String> windows = () -> ScheduledFloor.inForce(t.settings().scheduled(), t.now())
                .orElseThrow().saidUnder(t.settings().maxReplicas());
        if (floor > current) {
            return Optional.of(new Proposal(Stage.SCHEDULED_FLOOR, Reason.SCHEDULED_FLOOR, floor, () -> t.component()
                    + " at " + current + (current == 1 ? " replica" : " replicas") + ", below the scheduled floor "
                    + floor + " (" + windows.get() + "); " + current + " -> " + floor));
        }
        // The step-down rule would remove a node or is sustaining toward it (its averages, or forecast-sized loads,
        // fit one fewer): not "signals low", which an in-band signal sized by a trusted forecast is not (message
        // audit L4).
        if (current - 1 < floor && StepDown.signalsFitOneFewer(t)) {
            return Proposal.hold(Stage.SCHEDULED_FLOOR, Reason.AT_SCHEDULED_FLOOR, t, () -> t.component()
                    + " signals fit one node fewer, but at the scheduled floor " + floor + " (" + windows.get() + ")");
        }
        return Optional.empty();
    }
}
