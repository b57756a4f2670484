package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether something said of a target is to be said again: the same thing (its key, e.g. "SCALE_OUT 2 -> 4
 * SIGNAL_HIGH") only once {@code every} has passed since it was last said, anything else at once. The decision log's
 * unwritten scale lines (a minute), its repeated failed writes (a minute) and the ScaleFailed Events (10 minutes) each
 * kept a map of their own for this.
 */
public final class Repeats {

    private final Duration every;
    private final Map<Target, Map.Entry<String, Instant>> said = new ConcurrentHashMap<>();

    /** @param every how long the same key of a target is not said again */
    public Repeats(Duration every) {
        this.every = requireNonNull(every, "every");
    }

    /**
     * True, and remembered as said at {@code at}, unless {@code key} is what was last said of {@code target} less than
     * {@code every} before {@code at}. Example with a minute: "a" at 10:00:00 is due, "a" at 10:00:45 is not, "a" at
     * 10:01:00 is, "b" at 10:01:05 is.
     */
    public boolean due(Target target, String key, Instant at) {
        Map.Entry<String, Instant> last = said.get(target);
        if (last != null && last.getKey().equals(key) && at.isBefore(last.getValue().plus(every))) {
            return false;
        }
        said.put(target, Map.entry(key, at));
        return true;
    }

    /** Forgets what was said of {@code target}: whatever comes next is said. */
    public void forget(Target target) {
        said.remove(target);
    }

    /** Goes on under {@code to} with what was said of {@code from} (a target a config reload renamed). */
    public void renamed(Target from, Target to) {
        Map.Entry<String, Instant> last = said.remove(from);
        if (last != null) {
            said.put(to, last);
        }
    }
}
