package io.github.milvusautoscaler.actuate;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.LastScale;
import io.github.milvusautoscaler.core.WriteContext;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The annotations the autoscaler reads and writes on the object that owns the replica count, so
 * a restarted or newly elected daemon keeps cooldowns and settle waits, and an SRE can pause a
 * target with {@code kubectl annotate milvus my-release milvus-autoscaler.io/paused=true}.
 */
public final class ScaleAnnotations {

    /** {@code "true"} stops every write for this object (all its components). */
    public static final String PAUSED = "milvus-autoscaler.io/paused";
    /** When the autoscaler last wrote a replica count, RFC 3339 UTC, e.g. {@code 2025-01-31T12:00:00Z}. */
    public static final String LAST_SCALE_TIME = "milvus-autoscaler.io/last-scale-time";
    /** {@code up} or {@code down}. */
    public static final String LAST_SCALE_DIRECTION = "milvus-autoscaler.io/last-scale-direction";
    /** The policy reason of that write, e.g. {@code SIGNAL_HIGH} or {@code STEP_DOWN_ROLLBACK}. */
    public static final String LAST_SCALE_REASON = "milvus-autoscaler.io/last-scale-reason";

    /**
     * A unique id of that write, so a daemon whose answer was lost (a 500 or timeout after the server
     * applied the PATCH) recognises its own write on a re-read instead of writing a second step.
     */
    public static final String LAST_SCALE_ID = "milvus-autoscaler.io/last-scale-id";

    private static final Logger LOG = LoggerFactory.getLogger(ScaleAnnotations.class);

    private ScaleAnnotations() {
    }

    /** True when the pause annotation says {@code true} (any case, surrounding spaces ignored). */
    static boolean paused(JsonObject annotations) {
        return JsonPaths.string(annotations, PAUSED).map(v -> v.strip().equalsIgnoreCase("true")).orElse(false);
    }

    /**
     * The last scale as written by {@link #forScale}; empty when the annotations are absent.
     *
     * <p>Incomplete or malformed annotations (a person edited them) are logged and read as absent:
     * the object stays manageable, and the policy's own memory still holds cooldowns it saw itself.
     */
    static Optional<LastScale> lastScale(JsonObject annotations, String object) {
        Optional<String> time = JsonPaths.string(annotations, LAST_SCALE_TIME);
        Optional<String> direction = JsonPaths.string(annotations, LAST_SCALE_DIRECTION);
        Optional<String> reason = JsonPaths.string(annotations, LAST_SCALE_REASON);
        if (time.isEmpty() && direction.isEmpty() && reason.isEmpty()) {
            return Optional.empty();
        }
        if (time.isEmpty() || direction.isEmpty()) {
            LOG.warn("{}: {} and {} must both be set; ignoring the last-scale annotations", object, LAST_SCALE_TIME,
                    LAST_SCALE_DIRECTION);
            return Optional.empty();
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(time.get().strip()).toInstant();
        } catch (DateTimeParseException e) {
            LOG.warn("{}: {}=\"{}\" is not an RFC 3339 time; ignoring the last-scale annotations", object,
                    LAST_SCALE_TIME, time.get());
            return Optional.empty();
        }
        Direction dir = switch (direction.get().strip().toLowerCase(Locale.ROOT)) {
            case "up" -> Direction.UP;
            case "down" -> Direction.DOWN;
            default -> null;
        };
        if (dir == null) {
            LOG.warn("{}: {}=\"{}\" is neither up nor down; ignoring the last-scale annotations", object,
                    LAST_SCALE_DIRECTION, direction.get());
            return Optional.empty();
        }
        return Optional.of(new LastScale(at, dir, reason.orElse(""),
                JsonPaths.string(annotations, LAST_SCALE_ID).orElse("")));
    }

    /**
     * The last-scale annotations for a scale decision, written in the same patch as the replicas:
     * the time is when the write was sent (cooldowns run from it), the id is the write's own.
     */
    static JsonObject forScale(Decision decision, WriteContext context) {
        requireNonNull(decision, "decision");
        requireNonNull(context, "context");
        if (!decision.isScale()) {
            throw new IllegalArgumentException("only a scale decision is written, not " + decision.action());
        }
        JsonObject annotations = new JsonObject();
        annotations.addProperty(LAST_SCALE_TIME, context.time().toString());
        annotations.addProperty(LAST_SCALE_DIRECTION, decision.action() == Action.SCALE_OUT ? "up" : "down");
        annotations.addProperty(LAST_SCALE_REASON, decision.reason().name());
        annotations.addProperty(LAST_SCALE_ID, context.id());
        return annotations;
    }
}
