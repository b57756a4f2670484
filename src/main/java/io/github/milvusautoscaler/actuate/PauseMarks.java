package io.github.milvusautoscaler.actuate;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.ActuationException.Kind;
import io.github.milvusautoscaler.core.DeploymentNames;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.KubernetesSettings;
import io.github.milvusautoscaler.core.Target;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Sets and removes a target's pause, the {@code milvus-autoscaler.io/paused} annotation the daemon already
 * obeys, together with who paused it and when, so that the {@code pause}/{@code resume} commands and the
 * {@code scale} command spare people the annotation keys and {@code resume} removes only a pause these
 * commands wrote (a pause someone set by hand with {@code kubectl annotate} stays theirs to lift).
 *
 * <p>Keys follow {@link ScaleAnnotations}: on a Helm Deployment {@code milvus-autoscaler.io/paused},
 * {@code paused-by}, {@code paused-at}; on a {@code Milvus} resource, which holds every component, per
 * component: {@code milvus-autoscaler.io/queryNode.paused}, {@code queryNode.paused-by}, {@code queryNode.paused-at}.
 * Every write is a merge patch carrying the resourceVersion read; a 409 (someone changed the object between
 * the read and the write) is re-read and decided again, never written blindly.
 */
public final class PauseMarks {

    /**
     * Who paused the target and how: {@code oidc:alice@example.com (alice@laptop): scale --to 1} (the Kubernetes user,
     * then where the command ran), with the {@code --reason} given appended.
     */
    public static final String PAUSED_BY = "paused-by";
    /** When, RFC 3339 UTC. */
    public static final String PAUSED_AT = "paused-at";
    private static final String PAUSED = "paused";
    /** Re-reads after a conflict before giving up: each one means someone else wrote the object meanwhile. */
    static final int CONFLICT_ATTEMPTS = 5;

    private final KubernetesRequests requests;
    private final HelmWorkloads workloads;

    public PauseMarks(ApiClient client, KubernetesSettings options) {
        this(new KubernetesRequests(client, options));
    }

    PauseMarks(KubernetesRequests requests) {
        this.requests = requireNonNull(requests, "requests");
        this.workloads = new HelmWorkloads(requests);
    }

    /**
     * A target's pause as read.
     *
     * @param object          the owning object, e.g. {@code deployment milvus/my-release-milvus-querynode}
     * @param paused          the daemon reads the component as paused (any of the forms README lists)
     * @param pausedKey       the key {@code pause} writes for this target
     * @param by              the {@code paused-by} value, present only when these commands paused it
     * @param at              the {@code paused-at} value, as written
     * @param resourceVersion the version read
     * @param lift            the {@code kubectl annotate} arguments that lift this pause and nothing else
     *                        ({@code milvus-autoscaler.io/paused-},
     *                        {@code --overwrite milvus-autoscaler.io/paused=proxy}); empty when not paused
     * @param leftover        not paused, yet {@code paused-by} or {@code paused-at} are there: a pause of these
     *                        commands lifted by hand ({@code kubectl annotate ... paused-} removes only its own key),
     *                        whose marks a pause set again by hand would be read as (recheck 41, F1)
     */
    public record Mark(String object, boolean paused, String pausedKey, Optional<String> by, Optional<String> at,
                       String resourceVersion, Optional<String> lift, boolean leftover) {

        /** A mark read before the lift arguments were known (tests that build one by hand). */
        public Mark(String object, boolean paused, String pausedKey, Optional<String> by, Optional<String> at,
                    String resourceVersion) {
            this(object, paused, pausedKey, by, at, resourceVersion, Optional.empty(), false);
        }

        /** True when the pause was written by {@code pause} or {@code scale} (a {@code paused-by} is present). */
        public boolean ours() {
            return paused && by.isPresent();
        }

        /** Who holds the pause, as a message says it: its {@code paused-by}, "set by hand", or "lifted". */
        public String holder() {
            return by.orElse(paused ? "set by hand" : "lifted");
        }

        /**
         * Who holds the pause and since when, as the daemon's PAUSED decision and status name it ({@code alice@bastion:
         * scale --to 2 since 2026-12-05T12:09:53Z}); "" when not paused or paused by hand. A run's pause, a killed
         * run's and a hand pause read alike there, and a responder was invited to resume under a running scale (scale
         * recheck 2, L2).
         */
        public String signed() {
            return ours() ? by.get() + at.map(a -> " since " + a).orElse("") : "";
        }

        /** True when this is the pause a call wrote with {@code by} at {@code at}. */
        public boolean writtenAs(String by, Instant at) {
            return paused && this.by.equals(Optional.of(by)) && this.at.equals(Optional.of(at.toString()));
        }

        /** True when this is the same pause as {@code other}: paused, by the same writer at the same instant. */
        public boolean samePause(Mark other) {
            return paused && other.paused && by.isPresent() && by.equals(other.by) && at.equals(other.at);
        }

        /**
         * True when a {@code scale} run wrote this pause ({@code user@host: scale --to 3}) and may still be working
         * under it; not a pause a finished run kept on purpose ({@code --keep-paused}, marked {@link #KEPT}).
         */
        public boolean byScale() {
            return ours() && SCALE_RUN.matcher(by.get()).find() && !by.get().endsWith(KEPT);
        }
    }

    /**
     * A scale run's {@code paused-by}: where it ran ({@code alice@laptop}), after the Kubernetes user when the API server
     * named one ({@code oidc:alice@example.com (alice@laptop)}), then {@code : scale --to N}. Anchored on that shape so a
     * pause's {@code --reason} that reads "x: scale --to 3" is not taken for a run.
     */
    private static final java.util.regex.Pattern SCALE_RUN = java.util.regex.Pattern.compile(
            "^(?:[^()\\s]+ \\()?[^:\\s()]+\\)?: scale --to \\d+");
    /** Appended to a finished scale run's {@code paused-by} when it keeps the pause ({@code --keep-paused}). */
    public static final String KEPT = " [kept paused]";

    /** Reads the pause of {@code target} from its owning object. */
    public Mark read(Target target) {
        requireNonNull(target, "target");
        JsonObject object;
        String description;
        if (target.install() == InstallKind.OPERATOR) {
            object = requests.get(ApiResource.MILVUSES, target.namespace(), target.name());
            description = ApiResource.MILVUSES.describe(target.namespace(), target.name());
        } else {
            HelmWorkloads.Found found = workloads.get(target.namespace(), name(target), target.component());
            object = found.object();
            description = found.describe();
        }
        return mark(JsonPaths.annotations(object), target, description,
                JsonPaths.string(object, "metadata", "resourceVersion").orElse(""));
    }

    /** The pause of {@code target} as {@code annotations} of its owning object {@code description} carry it. */
    static Mark mark(JsonObject annotations, Target target, String description, String resourceVersion) {
        Function<String, String> key = ScaleAnnotations.keys(target);
        Optional<String> lift = ScaleAnnotations.pausedBy(annotations, target.component(), description);
        boolean paused = lift.isPresent();
        return new Mark(description, paused, key.apply(PAUSED),
                paused ? JsonPaths.string(annotations, key.apply(PAUSED_BY)) : Optional.empty(),
                paused ? JsonPaths.string(annotations, key.apply(PAUSED_AT)) : Optional.empty(),
                resourceVersion, lift, !paused && !signature(annotations, target).isEmpty());
    }

    /** {@code paused-by} and {@code paused-at} as found, paused or not; "" when neither is there. */
    private static String signature(JsonObject annotations, Target target) {
        Function<String, String> key = ScaleAnnotations.keys(target);
        Optional<String> by = JsonPaths.string(annotations, key.apply(PAUSED_BY));
        Optional<String> at = JsonPaths.string(annotations, key.apply(PAUSED_AT));
        return by.isEmpty() && at.isEmpty() ? "" : by.orElse("") + '\u0000' + at.orElse("");
    }

    /**
     * Who holds each target's pause as the daemon names it, remembering the marks it saw outlive a pause: a pause of
     * {@code pause} or {@code scale} lifted by hand leaves its {@code paused-by} and {@code paused-at}, and a pause
     * set again by hand was then named as that command's, in the PAUSED decision, status and the Event (recheck 41,
     * F1). Marks this daemon read while the target was not paused are a hand pause's when they come back with one.
     * One per actuator; bounded by the targets it reads.
     */
    static final class Sightings {
        private final Map<Target, String> leftOver = new java.util.concurrent.ConcurrentHashMap<>();
        /** Targets whose last read found marks and no pause: what {@link #leftOverNow} answers. */
        private final java.util.Set<Target> unpausedWithMarks = java.util.concurrent.ConcurrentHashMap.newKeySet();

        /**
         * The merge patch that removes {@code target}'s left-over paused-by and paused-at, carrying
         * {@code basis.resourceVersion()}, when the last read found them and no pause; empty otherwise.
         */
        Optional<JsonObject> leftOverRemoval(Target target, io.github.milvusautoscaler.core.ReplicaStatus basis) {
            requireNonNull(basis, "basis");
            return basis.paused() || !unpausedWithMarks.contains(requireNonNull(target, "target")) ? Optional.empty()
                    : Optional.of(Writes.metadataPatch(basis, PauseMarks.leftOverRemoval(target)));
        }

        /** {@link Mark#signed()} of {@code target}'s pause, "" when its marks were seen left over from an earlier one. */
        String signed(JsonObject annotations, Target target, String description, String resourceVersion) {
            Mark mark = mark(annotations, target, description, resourceVersion);
            String signature = signature(annotations, target);
            if (!mark.paused()) {
                if (signature.isEmpty()) {
                    leftOver.remove(target);
                    unpausedWithMarks.remove(target);
                } else {
                    leftOver.put(target, signature);
                    unpausedWithMarks.add(target);
                }
                return "";
            }
            unpausedWithMarks.remove(target);
            return signature.equals(leftOver.get(target)) ? "" : mark.signed();
        }
    }

    /**
     * Pauses {@code target} unless it already is (in any form): writes {@code paused: "true"},
     * {@code paused-by} and {@code paused-at}. Returns the mark before the call; {@code !before.paused()}
     * means this call wrote the pause.
     */
    public Mark pause(Target target, String by, Instant at) {
        return write(target, marks(target, by, at), mark -> !mark.paused(), written(by, at));
    }

    /**
     * Takes over {@code held}, a pause an earlier {@code scale} run wrote and left (Ctrl-C, a killed process), by
     * writing {@code by} and {@code at} over it, so that the earlier run, should it still be alive, no longer lifts
     * it. Returns the mark before the call; {@code before.samePause(held)} means this call took it over.
     */
    public Mark takeOver(Target target, Mark held, String by, Instant at) {
        requireNonNull(held, "held");
        return write(target, marks(target, by, at), mark -> mark.samePause(held), written(by, at));
    }

    private static JsonObject marks(Target target, String by, Instant at) {
        requireNonNull(by, "by");
        requireNonNull(at, "at");
        Function<String, String> key = ScaleAnnotations.keys(requireNonNull(target, "target"));
        JsonObject annotations = new JsonObject();
        annotations.addProperty(key.apply(PAUSED), "true");
        annotations.addProperty(key.apply(PAUSED_BY), by);
        annotations.addProperty(key.apply(PAUSED_AT), at.toString());
        return annotations;
    }

    /** The object holds exactly this call's pause: what a write whose answer was lost leaves. */
    private static java.util.function.Predicate<Mark> written(String by, Instant at) {
        return mark -> mark.writtenAs(by, at);
    }

    /**
     * Removes a pause these commands wrote ({@code paused}, {@code paused-by}, {@code paused-at} of this
     * target's keys) and nothing else, or the marks of one lifted by hand. Returns the mark before the call;
     * {@code before.ours()} means this call removed a pause, {@code before.leftover()} left-over marks. A pause set
     * by hand is left alone: the caller tells the person how to lift it.
     */
    public Mark resume(Target target) {
        // Marks a hand lift left are removed too, so a pause set again by hand is not read as theirs (recheck 41, F1).
        return write(target, unmarks(target), mark -> mark.ours() || mark.leftover(),
                mark -> !mark.paused() && !mark.leftover());
    }

    /**
     * Removes {@code mine}, the pause this {@code scale} run wrote, and only it: a pause another run took over, or
     * one set since by hand, stays. Returns the mark before the call; {@code before.samePause(mine)} means this call
     * removed it.
     */
    public Mark resumeOwn(Target target, Mark mine) {
        requireNonNull(mine, "mine");
        return write(target, unmarks(target), mark -> mark.samePause(mine), mark -> !mark.paused());
    }

    /** The INFO line of a removal of left-over marks: the target, then the object. */
    static final String LEFT_OVER_REMOVED = "{}: removed the paused-by and paused-at a pause lifted by hand left on {},"
            + " so a pause set again by hand is not taken for that one";

    /** The merge-patch annotations that remove {@code target}'s paused-by and paused-at and nothing else. */
    static JsonObject leftOverRemoval(Target target) {
        Function<String, String> key = ScaleAnnotations.keys(requireNonNull(target, "target"));
        JsonObject annotations = new JsonObject();
        annotations.add(key.apply(PAUSED_BY), JsonNull.INSTANCE);
        annotations.add(key.apply(PAUSED_AT), JsonNull.INSTANCE);
        return annotations;
    }

    private static JsonObject unmarks(Target target) {
        Function<String, String> key = ScaleAnnotations.keys(requireNonNull(target, "target"));
        JsonObject annotations = new JsonObject();
        annotations.add(key.apply(PAUSED), JsonNull.INSTANCE);
        annotations.add(key.apply(PAUSED_BY), JsonNull.INSTANCE);
        annotations.add(key.apply(PAUSED_AT), JsonNull.INSTANCE);
        return annotations;
    }

    /**
     * Writes {@code annotations} while {@code needed} holds for the object as read, re-reading on 409. After a failed
     * attempt, a re-read for which {@code landed} holds means that attempt was applied though its answer was lost (the
     * client's retry of a 5xx or timeout then meets its own change as a 409): the mark read first is returned, as if
     * the first answer had come back. Without this, a pause whose answer was lost read as somebody else's, was never
     * lifted, and the run said another person held it (scale audit H4).
     */
    private Mark write(Target target, JsonObject annotations, java.util.function.Predicate<Mark> needed,
                       java.util.function.Predicate<Mark> landed) {
        Mark first = null;
        for (int attempt = 1; ; attempt++) {
            Mark before = read(target);
            if (first == null) {
                first = before;
            } else if (landed.test(before)) {
                return first;
            }
            if (!needed.test(before)) {
                return before;
            }
            JsonObject metadata = new JsonObject();
            // A resourceVersion in a merge patch is a precondition: 409 if the object moved since the read.
            metadata.addProperty("resourceVersion", before.resourceVersion());
            metadata.add("annotations", annotations);
            JsonObject patch = new JsonObject();
            patch.add("metadata", metadata);
            try {
                requests.mergePatch(resource(target), target.namespace(), name(target), patch);
                return before;
            } catch (ActuationException e) {
                if (e.kind() != Kind.CONFLICT || attempt >= CONFLICT_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** The kind the last read found: the Milvus resource, or a Helm install's Deployment or StatefulSet. */
    private ApiResource resource(Target target) {
        return target.install() == InstallKind.OPERATOR ? ApiResource.MILVUSES
                : workloads.kindOf(target.namespace(), name(target));
    }

    private static String name(Target target) {
        return target.install() == InstallKind.OPERATOR ? target.name() : DeploymentNames.helmDeployment(target);
    }
}
