package io.github.milvusautoscaler.cli;

import io.github.milvusautoscaler.actuate.PauseMarks;
import io.github.milvusautoscaler.actuate.ScaleAnnotations;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Target;
import io.kubernetes.client.openapi.ApiClient;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pause} and {@code resume}: set or lift a target's {@code milvus-autoscaler.io/paused} annotation
 * (per component on operator installs) with who and when, so nobody needs to remember the key, and so
 * {@code resume} lifts only a pause these commands wrote.
 */
final class PauseCommand {

    private PauseCommand() {
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Pause the daemon for one target: it computes decisions but writes nothing until resume.",
            footer = {"", "Exit codes: 0 paused (or already paused), 1 Kubernetes API failure, 2 bad usage or config,"
                    + " or a pause a scale run holds (it lifts that pause when it ends) without --take-over."})
    static final class Pause implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        TargetSelection selection;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, stored in the paused-by annotation.")
        String reason;

        @Option(names = "--take-over", description = "Make a pause a scale run holds this pause: the run stops before"
                + " its next write and leaves it, and resume lifts it.")
        boolean takeOver;

        @Override
        public Integer call() {
            return onTarget("pause", selection, spec, (target, marks, client, out, err) -> {
                String by = TargetSelection.pausedBy(client) + ": pause" + (reason == null ? "" : " (" + reason + ")");
                Instant now = Instant.now();
                PauseMarks.Mark before = marks.pause(target, by, now);
                if (before.byScale()) {
                    // That run lifts its pause when it ends, so "already paused, nothing written" with exit 0 lost
                    // this pause without a word (scale recheck 2, M3).
                    if (!takeOver) {
                        err.println("pause: " + target + " is paused by a scale run (" + before.by().orElseThrow()
                                + before.at().map(a -> " at " + a).orElse("") + " on " + before.object() + "), which"
                                + " lifts that pause when it ends; nothing written. To keep the daemon off after it,"
                                + " pause again once it has ended; --take-over makes the pause yours now (the run"
                                + " stops before its next write and leaves it)");
                        err.flush();
                        return Main.EXIT_USAGE;
                    }
                    PauseMarks.Mark held = marks.takeOver(target, before, by, now);
                    if (!held.samePause(before)) {
                        err.println("pause: the pause on " + target + " changed while this took it over (now "
                                + held.holder() + "); nothing written");
                        err.flush();
                        return Main.EXIT_FAILURE;
                    }
                    out.println(target + " paused: took over the pause of " + before.by().orElseThrow() + " on "
                            + before.object() + " (" + by + "); that run stops before its next write and leaves this"
                            + " pause; resume with: milvus-autoscaler resume --config " + selection.config
                            + " --target " + target.id());
                } else if (before.paused()) {
                    out.println(target + " was already paused on " + before.object()
                            + before.by().map(b -> " by " + b + before.at().map(a -> " at " + a).orElse(""))
                            .orElse(" (set by hand)") + "; nothing written");
                } else {
                    out.println(target + " paused: " + before.pausedKey() + "=true on " + before.object() + " (" + by
                            + "); resume with: milvus-autoscaler resume --config " + selection.config + " --target "
                            + target.id());
                }
                out.flush();
                return Main.EXIT_OK;
            });
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Lift a pause written by pause or scale (a pause set by hand is left alone, with how to lift it).",
            footer = {"", "Exit codes: 0 resumed (or was not paused), 1 still paused by a hand-set annotation or"
                    + " Kubernetes API failure, 2 bad usage or config."})
    static final class Resume implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        TargetSelection selection;

        @Override
        public Integer call() {
            return onTarget("resume", selection, spec, (target, marks, client, out, err) -> {
                PauseMarks.Mark before = marks.resume(target);
                if (before.ours()) {
                    out.println(target + " resumed: removed " + before.pausedKey() + " (paused by " + before.by().get()
                            + before.at().map(a -> " at " + a).orElse("") + ") from " + before.object());
                    if (before.byScale()) {
                        // Said, not refused: resume is the way out of an interrupted run's pause too. A run still at
                        // work stops before its next write once its pause is gone (scale recheck 19).
                        out.println("that was a scale run's pause: if the run is still going, it stops before its"
                                + " next write (exit 1), and the daemon decides for " + target + " again from its next"
                                + " tick");
                    }
                    PauseMarks.Mark after = marks.read(target);
                    if (after.paused()) {
                        err.println("resume: " + target + " is still paused by an annotation set by hand on "
                                + after.object() + "; lift it with: " + liftCommand(target, after));
                        err.flush();
                        out.flush();
                        return Main.EXIT_FAILURE;
                    }
                } else if (before.paused()) {
                    err.println("resume: " + target + " is paused by an annotation set by hand on " + before.object()
                            + ", not by pause or scale; left alone. Lift it with: " + liftCommand(target, before));
                    err.flush();
                    return Main.EXIT_FAILURE;
                } else if (before.leftover()) {
                    out.println(target + " was not paused; removed the paused-by and paused-at a pause lifted by hand"
                            + " left on " + before.object() + ", so that a pause set again by hand is not taken for"
                            + " that one");
                } else {
                    out.println(target + " was not paused; nothing written");
                }
                out.flush();
                return Main.EXIT_OK;
            });
        }
    }

    /**
     * The kubectl command that lifts {@code mark}'s pause and nothing else: {@code kubectl -n milvus annotate milvus op
     * --overwrite milvus-autoscaler.io/paused=proxy}.
     */
    static String liftCommand(Target target, PauseMarks.Mark mark) {
        return ScaleAnnotations.liftCommand(target.namespace(), mark.object(),
                mark.lift().orElse(mark.pausedKey() + "-"));
    }

    /** What {@code pause} or {@code resume} does to the chosen target's marks; returns the exit code. */
    @FunctionalInterface
    interface MarksAction {
        /** {@code client} is the one {@code marks} writes with, to ask the API server who this is ({@code pause}). */
        int apply(Target target, PauseMarks marks, ApiClient client, PrintWriter out, PrintWriter err);
    }

    /**
     * Loads the configuration, chooses the target and runs {@code action} on its pause marks: exit 2 when the
     * file or the target is refused (the file's and the selection's already printed; the object's, such as a Helm
     * component running as both a Deployment and a StatefulSet of one name, printed here), 1 when the Kubernetes
     * API fails (printed as {@code pause: <target>: <why>}).
     */
    private static int onTarget(String command, TargetSelection selection, CommandSpec spec, MarksAction action) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // pause and resume write annotations only: a Prometheus CA file they cannot read is not theirs to refuse.
        Optional<TargetSelection.Chosen> chosen = selection.load(command, err, false);
        if (chosen.isEmpty()) {
            return Main.EXIT_USAGE;
        }
        Target target = chosen.get().settings().target();
        try {
            var kube = chosen.get().selected().settings().kubernetes();
            ApiClient client = TargetSelection.client(kube);
            return action.apply(target, new PauseMarks(client, kube), client, out, err);
        } catch (ActuationException | IllegalStateException e) {
            err.println(command + ": " + target + ": " + e.getMessage());
            err.flush();
            // A refusal is the object's shape, not an API failure to retry: it exited 1 as one (recheck 42, R2).
            return e instanceof ActuationException a && a.kind() == ActuationException.Kind.REFUSED
                    ? Main.EXIT_USAGE : Main.EXIT_FAILURE;
        }
    }
}
