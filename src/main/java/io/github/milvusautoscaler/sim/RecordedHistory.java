package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.ContainerResource;
import io.github.milvusautoscaler.core.HistorySource;
import io.github.milvusautoscaler.core.LoadHistory;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.TemplateResources;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The forecast's load history in a replay: each target's history recorded once over the whole replay and
 * the look-back before it, handed to each tick as the daemon would have read it then, the last
 * {@code range} up to the last whole hour (the daemon reads its history hourly), never the tick's future.
 * E.g. a backtest of 7 days reads 21 days once, and its tick at day 3 10:40 sees days -11 to 3 10:00.
 */
public final class RecordedHistory implements HistorySource {

    private record Window(Instant end, LoadHistory history) {
    }

    private final Map<Target, LoadHistory> recorded;
    private final Map<Target, Duration> ranges;
    private final Map<Target, Window> last = new HashMap<>();

    /**
     * @param recorded per target, its load history over the replay and the look-back before it
     * @param ranges   per target, how far back the daemon would read ({@code forecast.history})
     */
    public RecordedHistory(Map<Target, LoadHistory> recorded, Map<Target, Duration> ranges) {
        this.recorded = Map.copyOf(requireNonNull(recorded, "recorded"));
        this.ranges = Map.copyOf(requireNonNull(ranges, "ranges"));
    }

    @Override
    public LoadHistory history(Target target, Instant now) {
        LoadHistory all = recorded.get(target);
        Duration range = ranges.get(target);
        if (all == null || range == null) {
            return LoadHistory.NONE;
        }
        Instant end = Instant.ofEpochSecond(Math.floorDiv(now.getEpochSecond(), 3600) * 3600);
        Window w = last.get(target);
        if (w == null || !w.end().equals(end)) {
            // Read at the hour, the daemon's last point is the step that ends there (PrometheusHistorySource).
            // In the CPU request of the window's own last point, as the daemon read it then: the recording's last
            // request put the days before a request change in another unit than the signals replayed beside them
            // (recheck 79, F2).
            w = new Window(end, all.until(end.minus(all.step()), range).inUnitsOfItsLast());
            last.put(target, w);
        }
        return w.history();
    }

    /**
     * The CPU request per serving pod recorded at the last point read by {@code at}: what the replayed engine puts its
     * forecast and recent peaks in, as the daemon does with the pod template it reads. Read hourly, the window of the
     * hour a request changed in is in its last point's request, a mix while old and new pods both served (1.5 cores
     * in a cut from 2 to 1): replayed as is, it pre-scaled short and ran 9 minutes hot (recheck 81, F4).
     */
    @Override
    public TemplateResources declared(Target target, Instant at) {
        LoadHistory all = recorded.get(target);
        if (all == null) {
            return TemplateResources.UNKNOWN;
        }
        OptionalDouble cpu = all.amountAt(ContainerResource.CPU_REQUEST.signal(), at);
        return cpu.isPresent() && cpu.getAsDouble() > 0 && Double.isFinite(cpu.getAsDouble())
                ? new TemplateResources(cpu, OptionalDouble.empty()) : TemplateResources.UNKNOWN;
    }
}
