package io.github.milvusautoscaler.actuate;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.LastScale;
import io.github.milvusautoscaler.core.ScaleMemory;
import io.github.milvusautoscaler.core.WriteContext;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The annotations the autoscaler reads and writes on the object that owns the replica count, so
 * a restarted or newly elected daemon keeps cooldowns and settle waits, and an SRE can pause a
 * target with {@code kubectl annotate milvus my-release milvus-autoscaler.io/paused=true}.
 *
 * <p>A Helm install has one Deployment per component, so the plain keys below are that
 * component's. An operator install keeps every component on one {@code Milvus} resource, so its
 * memory is kept per component under keys that name it, e.g.
 * {@code milvus-autoscaler.io/queryNode.last-scale-time}: a dataNode step-down must not put the
 * queryNode into a verify window it never earned. Plain keys found on a {@code Milvus} resource
 * (written by an older version, owner unknown) are read by every component that has no keys of
 * its own, as before, and the first write migrates them: they are copied to each component
 * without keys of its own and removed.
 *
 * <p>Pause: {@code milvus-autoscaler.io/paused: "true"} pauses the whole object; a list of
 * components ({@code "queryNode,proxy"}, config or label names, any case) pauses those; and
 * {@code milvus-autoscaler.io/<component>.paused: "true"} pauses one.
 */
public final class ScaleAnnotations {

    /** Prefix of every annotation of ours. */
    public static final String PREFIX = "milvus-autoscaler.io/";
    /** {@code "true"} stops every write for this object (all its components); a component list pauses those. */
    public static final String PAUSED = PREFIX + "paused";
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

    private static final String TIME = "last-scale-time";
    private static final String DIRECTION = "last-scale-direction";
    private static final String REASON = "last-scale-reason";
    private static final String ID = "last-scale-id";
    private static final java.util.List<String> LAST_SCALE_NAMES = java.util.List.of(TIME, DIRECTION, REASON, ID);

    private static final String BACKOFF_UNTIL = "backoff-until";
    private static final String SETTLE_WAIT_SINCE = "settle-wait-since";
    private static final String LAST_ALERT_SCALE_OUT = "last-alert-scale-out";
    private static final String HANDLED_ALERTS = "handled-alerts";
    private static final String STEPPED_TO_ONE_AT = "stepped-to-one-at";
    private static final String TO_ONE_REVERSED_AT = "to-one-reversed-at";
    private static final String BLOCKING_ALERTS = "blocking-alerts";
    private static final String LAST_ALERT_BLOCK = "last-alert-block";
    private static final String PENDING_ALERT_SCALE_OUTS = "pending-alert-scale-outs";

    private static final Logger LOG = LoggerFactory.getLogger(ScaleAnnotations.class);

    private ScaleAnnotations() {
    }

    /** The key of annotation {@code name} (e.g. {@code last-scale-time}) for {@code component}: {@code milvus-autoscaler.io/queryNode.last-scale-time}. */
    public static String componentKey(Component component, String name) {
        return PREFIX + component.configName() + "." + name;
    }

    /** The plain key of annotation {@code name}, as on a Helm Deployment: {@code milvus-autoscaler.io/last-scale-time}. */
    static String plainKey(String name) {
        return PREFIX + name;
    }

    /**
     * The command that lifts the pause of {@code component} as {@code annotations} of {@code object} (in
     * {@link ApiResource#describe} form, {@code milvus milvus/my-release}) carry it, or empty when it is not paused:
     * {@code kubectl -n milvus annotate milvus my-release milvus-autoscaler.io/querynode.paused-}. The PAUSED decision
     * gives it, so a person reads which of the three forms holds the component, in the spelling found.
     */
    static Optional<String> liftCommand(JsonObject annotations, Component component, String object,
                                        String namespace) {
        return pausedBy(annotations, component, object).map(lift -> liftCommand(namespace, object, lift));
    }

    /** {@code kubectl -n NS annotate KIND NAME LIFT} for {@code object} in {@link ApiResource#describe} form. */
    public static String liftCommand(String namespace, String object, String lift) {
        return "kubectl -n " + namespace + " annotate " + object.replace(namespace + "/", "") + " " + lift;
    }

    /**
     * True when {@code component} is paused: {@code paused: "true"} (any case, spaces ignored), a
     * {@code paused} list naming it, or {@code <component>.paused: "true"}. A list entry that names
     * no component is logged and ignored (the others still count).
     */
    static boolean paused(JsonObject annotations, Component component, String object) {
        return pausedBy(annotations, component, object).isPresent();
    }

    /**
     * The pause of {@code component} as {@code kubectl annotate} lifts it, and nothing else, or empty when it is not
     * paused: {@code milvus-autoscaler.io/queryNode.paused-}; {@code milvus-autoscaler.io/paused-} for {@code "true"}
     * (every component of the object) or a list naming only it; {@code --overwrite milvus-autoscaler.io/paused=proxy}
     * for {@code "queryNode,proxy"}; every form that pauses it, in one command, when several do
     * ({@code milvus-autoscaler.io/queryNode.paused- milvus-autoscaler.io/paused-}): the one reading of the three
     * forms, so the hint {@code resume} and the PAUSED decision give is of the pause the daemon holds for. Naming one
     * key sent a person to remove a key that was not set (reload recheck F5), and naming one of two left the component
     * paused by the other (recheck 45, F1). A list entry that names no component is logged (once) and ignored.
     */
    static Optional<String> pausedBy(JsonObject annotations, Component component, String object) {
        List<String> lifts = new ArrayList<>(ownPauses(annotations, component, object));
        listPause(annotations, component, object).ifPresent(lifts::add);
        return lifts.isEmpty() ? Optional.empty() : Optional.of(String.join(" ", lifts));
    }

    /** The lift of {@code milvus-autoscaler.io/paused} when it pauses {@code component}, {@code "true"} or a list. */
    private static Optional<String> listPause(JsonObject annotations, Component component, String object) {
        Optional<String> value = JsonPaths.string(annotations, PAUSED).map(String::strip);
        if (value.isEmpty() || value.get().isEmpty() || value.get().equalsIgnoreCase("false")) {
            return Optional.empty();
        }
        if (value.get().equalsIgnoreCase("true")) {
            // A Helm Deployment or StatefulSet holds one component: "every component of the object" was said of it
            // too (recheck 42, R4). Said last, after every key of the command.
            return Optional.of(object.startsWith(ApiResource.MILVUSES.kind().toLowerCase(Locale.ROOT) + " ")
                    ? PAUSED + "-   (" + PAUSED + "=true pauses every component of the object: removing it lifts"
                            + " that pause from all of them)"
                    : PAUSED + "-");
        }
        List<String> rest = new ArrayList<>();
        boolean named = false;
        for (String entry : value.get().split(",")) {
            String name = entry.strip();
            Optional<Component> c = Component.fromName(name);
            if (c.isEmpty()) {
                BadAnnotationLog.warnOnce(LOG, object, PAUSED, value.get() + '\u0000' + name, "{}: {}=\"{}\": \"{}\" is no component"
                        + " (use \"true\" or a list such as \"queryNode,proxy\"); ignoring it", object, PAUSED, value.get(), name);
            }
            if (c.isPresent() && c.get() == component) {
                named = true;
            } else if (!name.isEmpty()) {
                rest.add(name);
            }
        }
        if (!named) {
            return Optional.empty();
        }
        return Optional.of(rest.isEmpty() ? PAUSED + "-" : "--overwrite " + PAUSED + "=" + String.join(",", rest));
    }

    /**
     * The lifts of the per-component pauses of {@code component}, each {@code milvus-autoscaler.io/<component>.paused:
     * "true"} in whatever spelling, the spelling pause writes first; empty when none. The component is named as in the list form, by its config name or label value in any case
     * ({@code queryNode.paused}, {@code querynode.paused}): only the config spelling was read, so a queryNode paused
     * as {@code querynode.paused=true} for maintenance was scaled 5 -> 7 with nothing said anywhere (recheck 39, F1).
     * A key that names no component, or a value that is neither true nor false, is logged once and ignored.
     */
    private static List<String> ownPauses(JsonObject annotations, Component component, String object) {
        String suffix = ".paused";
        String exact = componentKey(component, "paused");
        List<String> keys = new ArrayList<>();
        if (annotations.has(exact)) {
            keys.add(exact); // the spelling pause writes, first
        }
        for (String key : annotations.keySet()) {
            if (key.startsWith(PREFIX) && key.endsWith(suffix) && !key.equals(exact)) {
                keys.add(key);
            }
        }
        List<String> lifts = new ArrayList<>();
        for (String key : keys) {
            String name = key.substring(PREFIX.length(), key.length() - suffix.length());
            Optional<Component> named = Component.fromName(name);
            Optional<String> value = JsonPaths.string(annotations, key).map(String::strip);
            if (named.isEmpty()) {
                BadAnnotationLog.warnOnce(LOG, object, key, value.orElse(""), "{}: {}: \"{}\" is no component (use"
                        + " {}<component>.paused with a component such as queryNode or proxy); ignoring it", object, key,
                        name, PREFIX);
                continue;
            }
            if (named.get() != component || value.isEmpty()) {
                continue;
            }
            if (value.get().equalsIgnoreCase("true")) {
                lifts.add(key + "-");
                continue;
            }
            if (!value.get().isEmpty() && !value.get().equalsIgnoreCase("false")) {
                BadAnnotationLog.warnOnce(LOG, object, key, value.get(), "{}: {}=\"{}\" is neither \"true\" nor"
                        + " \"false\"; not paused by it (\"true\" pauses {})", object, key, value.get(), component);
            }
        }
        return lifts;
    }

    /**
     * The last scale as written by {@link #forScale}; empty when the annotations are absent.
     *
     * <p>Incomplete or malformed annotations (a person edited them) are logged and read as absent:
     * the object stays manageable, and the policy's own memory still holds cooldowns it saw itself.
     */
    static Optional<LastScale> lastScale(JsonObject annotations, String object) {
        return lastScale(annotations, object, ScaleAnnotations::plainKey);
    }

    /**
     * An operator install's last scale of {@code component}: its own keys, or, while it has none,
     * the plain keys an older version wrote for the whole resource.
     */
    static Optional<LastScale> lastScale(JsonObject annotations, String object, Component component) {
        if (hasOwnKeys(annotations, component)) {
            return lastScale(annotations, object + " (" + component + ")", name -> componentKey(component, name));
        }
        return lastScale(annotations, object);
    }

    /** True when {@code component} has last-scale keys of its own. */
    static boolean hasOwnKeys(JsonObject annotations, Component component) {
        return LAST_SCALE_NAMES.stream().anyMatch(n -> annotations.has(componentKey(component, n)));
    }

    /** True when plain last-scale keys are present (on a Milvus resource: written by an older version). */
    static boolean hasPlainKeys(JsonObject annotations) {
        return LAST_SCALE_NAMES.stream().anyMatch(n -> annotations.has(plainKey(n)));
    }

    private static Optional<LastScale> lastScale(JsonObject annotations, String object,
                                                 java.util.function.Function<String, String> key) {
        String timeKey = key.apply(TIME);
        String directionKey = key.apply(DIRECTION);
        Optional<String> time = JsonPaths.string(annotations, timeKey);
        Optional<String> direction = JsonPaths.string(annotations, directionKey);
        Optional<String> reason = JsonPaths.string(annotations, key.apply(REASON));
        if (time.isEmpty() && direction.isEmpty() && reason.isEmpty()) {
            return Optional.empty();
        }
        if (time.isEmpty() || direction.isEmpty()) {
            BadAnnotationLog.warnOnce(LOG, object, timeKey, time.orElse("") + '\u0000' + direction.orElse(""),
                    "{}: {} and {} must both be set; ignoring the last-scale annotations", object, timeKey, directionKey);
            return Optional.empty();
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(time.get().strip()).toInstant();
        } catch (DateTimeParseException e) {
            BadAnnotationLog.warnOnce(LOG, object, timeKey, time.get(),
                    "{}: {}=\"{}\" is not an RFC 3339 time; ignoring the last-scale annotations", object, timeKey, time.get());
            return Optional.empty();
        }
        Direction dir = switch (direction.get().strip().toLowerCase(Locale.ROOT)) {
            case "up" -> Direction.UP;
            case "down" -> Direction.DOWN;
            default -> null;
        };
        if (dir == null) {
            BadAnnotationLog.warnOnce(LOG, object, directionKey, direction.get(),
                    "{}: {}=\"{}\" is neither up nor down; ignoring the last-scale annotations", object, directionKey,
                    direction.get());
            return Optional.empty();
        }
        return Optional.of(new LastScale(at, dir, reason.orElse(""),
                JsonPaths.string(annotations, key.apply(ID)).orElse("")));
    }

    /**
     * The last-scale annotations for a scale decision, written in the same patch as the replicas:
     * the time is when the write was sent (cooldowns run from it), the id is the write's own.
     */
    static JsonObject forScale(Decision decision, WriteContext context) {
        return forScale(decision, context, ScaleAnnotations::plainKey);
    }

    /**
     * The last-scale annotations of an operator install's component, under keys that name it, plus
     * the migration of plain keys found on the resource ({@code current}, as last read): copied to
     * every component without keys of its own, then removed (null in a merge patch).
     */
    static JsonObject forComponentScale(Decision decision, WriteContext context, JsonObject current) {
        Component component = decision.target().component();
        JsonObject annotations = forScale(decision, context, name -> componentKey(component, name));
        if (current != null && hasPlainKeys(current)) {
            for (Component other : Component.values()) {
                if (other == component || hasOwnKeys(current, other)) {
                    continue;
                }
                for (String name : LAST_SCALE_NAMES) {
                    JsonPaths.string(current, plainKey(name)).ifPresent(v -> annotations.addProperty(
                            componentKey(other, name), v));
                }
            }
            for (String name : LAST_SCALE_NAMES) {
                annotations.add(plainKey(name), com.google.gson.JsonNull.INSTANCE);
            }
        }
        return annotations;
    }

    private static JsonObject forScale(Decision decision, WriteContext context,
                                       java.util.function.Function<String, String> key) {
        requireNonNull(decision, "decision");
        requireNonNull(context, "context");
        if (!decision.isScale()) {
            throw new IllegalArgumentException("only a scale decision is written, not " + decision.action());
        }
        JsonObject annotations = new JsonObject();
        annotations.addProperty(key.apply(TIME), context.time().toString());
        annotations.addProperty(key.apply(DIRECTION), decision.action() == Action.SCALE_OUT ? "up" : "down");
        annotations.addProperty(key.apply(REASON), decision.reason().name());
        annotations.addProperty(key.apply(ID), context.id());
        return annotations;
    }

    /** The key function of a target: per component on an operator install, plain on a Helm Deployment. */
    static java.util.function.Function<String, String> keys(io.github.milvusautoscaler.core.Target target) {
        return target.install() == io.github.milvusautoscaler.core.InstallKind.OPERATOR
                ? name -> componentKey(target.component(), name) : ScaleAnnotations::plainKey;
    }

    /**
     * The remembered back-off, settle-wait start, handled alerts and step-down to one replica; a malformed
     * value (a person edited it) is logged and read as absent, the other values still count.
     */
    static ScaleMemory memory(JsonObject annotations, String object, java.util.function.Function<String, String> key) {
        java.util.Set<String> blocking = keys(annotations, object, key.apply(BLOCKING_ALERTS));
        Instant lastBlock = time(annotations, object, key.apply(LAST_ALERT_BLOCK));
        return new ScaleMemory(time(annotations, object, key.apply(BACKOFF_UNTIL)),
                time(annotations, object, key.apply(SETTLE_WAIT_SINCE)),
                time(annotations, object, key.apply(LAST_ALERT_SCALE_OUT)),
                keys(annotations, object, key.apply(HANDLED_ALERTS)),
                time(annotations, object, key.apply(STEPPED_TO_ONE_AT)),
                time(annotations, object, key.apply(TO_ONE_REVERSED_AT)),
                // Keys without their time cannot be bounded by alerts.carry-over: read as none.
                lastBlock == null ? java.util.Set.of() : blocking, lastBlock,
                keys(annotations, object, key.apply(PENDING_ALERT_SCALE_OUTS)));
    }

    /** A JSON array of alert keys; a malformed one (a person edited it) is logged once and read as empty. */
    private static java.util.Set<String> keys(JsonObject annotations, String object, String name) {
        java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        JsonPaths.string(annotations, name).ifPresent(v -> {
            try {
                for (com.google.gson.JsonElement e : com.google.gson.JsonParser.parseString(v).getAsJsonArray()) {
                    keys.add(e.getAsString());
                }
            } catch (RuntimeException e) {
                keys.clear();
                BadAnnotationLog.warnOnce(LOG, object, name, v, "{}: {} is not a JSON array of strings; ignoring it",
                        object, name);
            }
        });
        return keys;
    }

    private static Instant time(JsonObject annotations, String object, String key) {
        Optional<String> value = JsonPaths.string(annotations, key);
        if (value.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.get().strip()).toInstant();
        } catch (DateTimeParseException e) {
            BadAnnotationLog.warnOnce(LOG, object, key, value.get(), "{}: {}=\"{}\" is not an RFC 3339 time; ignoring it",
                    object, key, value.get());
            return null;
        }
    }

    /** The memory as merge-patch annotations: absent values are null, which deletes them. */
    static JsonObject forMemory(ScaleMemory memory, java.util.function.Function<String, String> key) {
        JsonObject out = new JsonObject();
        put(out, key.apply(BACKOFF_UNTIL), memory.backoffUntil());
        put(out, key.apply(SETTLE_WAIT_SINCE), memory.settleWaitSince());
        put(out, key.apply(LAST_ALERT_SCALE_OUT), memory.lastAlertScaleOut());
        put(out, key.apply(STEPPED_TO_ONE_AT), memory.steppedToOneAt());
        put(out, key.apply(TO_ONE_REVERSED_AT), memory.toOneReversedAt());
        put(out, key.apply(LAST_ALERT_BLOCK), memory.lastAlertBlock());
        putKeys(out, key.apply(HANDLED_ALERTS), memory.handledAlerts());
        putKeys(out, key.apply(BLOCKING_ALERTS), memory.blockingAlerts());
        putKeys(out, key.apply(PENDING_ALERT_SCALE_OUTS), memory.pendingScaleOuts());
        return out;
    }

    private static void putKeys(JsonObject out, String name, java.util.Set<String> keys) {
        if (keys.isEmpty()) {
            out.add(name, com.google.gson.JsonNull.INSTANCE);
        } else {
            com.google.gson.JsonArray array = new com.google.gson.JsonArray();
            keys.stream().sorted().limit(ScaleMemory.MAX_ALERT_KEYS).forEach(array::add);
            out.addProperty(name, array.toString());
        }
    }

    private static void put(JsonObject out, String key, Instant value) {
        if (value == null) {
            out.add(key, com.google.gson.JsonNull.INSTANCE);
        } else {
            out.addProperty(key, value.toString());
        }
    }
}
