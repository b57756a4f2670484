package io.github.milvusautoscaler.cli;

import static io.github.milvusautoscaler.core.Durations.human;

import io.github.milvusautoscaler.actuate.KubernetesEventSink;
import io.github.milvusautoscaler.actuate.PauseMarks;
import io.github.milvusautoscaler.actuate.RoutingActuator;
import io.github.milvusautoscaler.actuate.ScaledObjects;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.Action;
import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Direction;
import io.github.milvusautoscaler.core.Health;
import io.github.milvusautoscaler.core.KubernetesSettings;
import io.github.milvusautoscaler.core.LastScale;
import io.github.milvusautoscaler.core.LeaderGate;
import io.github.milvusautoscaler.core.Observation;
import io.github.milvusautoscaler.core.Reason;
import io.github.milvusautoscaler.core.ReplicaActuator;
import io.github.milvusautoscaler.core.ReplicaFloor;
import io.github.milvusautoscaler.core.ReplicaStatus;
import io.github.milvusautoscaler.core.ScaleMemory;
import io.github.milvusautoscaler.core.Settle;
import io.github.milvusautoscaler.core.Signal;
import io.github.milvusautoscaler.core.Target;
import io.github.milvusautoscaler.core.WriteContext;
import io.github.milvusautoscaler.core.WriteAbandonedException;
import io.github.milvusautoscaler.core.WriteGuard;
import io.github.milvusautoscaler.metrics.PrometheusMetricsSource;
import io.github.milvusautoscaler.policy.FullestPod;
import io.github.milvusautoscaler.policy.SignalPolicy;
import io.kubernetes.client.openapi.ApiClient;
import java.io.Console;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scale --config FILE --target NS/NAME/COMPONENT --to N}: Milvus' own manual scaling procedure (its docs
 * show {@code helm upgrade --set queryNode.replicas=N} and advise removing one worker at a time, continuing only
 * while the service stays available), done by the tool that already knows the owner of the replica count, when a
 * step has settled and whether the service is harmed.
 *
 * <p>Scale-out is one write to N, then a wait for N ready (and, for queryNode, settled). Scale-in first waits for
 * the component to be settled and the service unharmed (a step-down written just before may still be handing over
 * its segments; a harmed service is not stepped down at all), then writes one replica per step; after each the
 * command waits for the same settle rule the daemon's policy uses (every replica ready
 * and the settle query quiet, UNKNOWN counting as moving), then for a whole verify window in which every poll has the
 * health query answering OK (or not configured) and every signal known and not HIGH. A failing health query or a
 * HIGH signal is harm: the command stops and, with {@code --rollback-on-harm} (the default), puts the one removed
 * replica back. While it writes, the target carries the daemon's pause annotation plus who paused it, so a daemon
 * beside it writes nothing; the pause is lifted at the end unless {@code --keep-paused}, and stays after Ctrl-C. A
 * pause another scale run left is refused unless {@code --take-over}; a run lifts only its own pause.
 *
 * <p>Each wait is bounded: a step-down by {@code scale-in.settle-timeout} plus {@code scale-in.verify-window} of
 * the target (30m + 5m by default, e.g. 4 -> 1 waits at most 3 x 35m), a scale-out by the settle timeout;
 * {@code --settle-timeout} and {@code --verify-window} override them, {@code --poll-interval} sets how often
 * the cluster and Prometheus are read (5s).
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Scale one worker component to N the way Milvus documents it: scale-out in one write, scale-in"
                + " one replica at a time, each step waiting for settle and health, the daemon paused meanwhile.",
        footer = {"", "Exit codes: 0 done (or nothing to do, or a --dry-run the real run would start from), 1 harm"
                + " (rolled back unless --no-rollback-on-harm, which keeps the daemon paused), a wait timed out, the"
                + " replicas were changed by someone else, the replica floor rose above the next step, the fullest pod's"
                + " memory could pass scale-out-above after the next removal (a --dry-run too), Kubernetes/"
                + "Prometheus unreachable, or the pause could not be lifted at the end, 2 refused (coordinator, N out"
                + " of range or below min-replicas without --keep-paused, N below the replica floor or the floor"
                + " unread without --force-range, replicas: -1 or an HPA on the Deployment or StatefulSet, rollout,"
                + " not confirmed, a pause another scale run left: --take-over; --dry-run too) or bad usage/config,"
                + " 130 interrupted"
                + " (Ctrl-C; 143 on SIGTERM): the target stays paused at a completed step."})
public final class ScaleCommand implements Callable<Integer> {

    /** How a rollback's write message begins (and so how its progress line is told from a step's). */
    private static final String ROLLED_BACK = "rolled back";

    /** Interrupted by Ctrl-C: 128 + SIGINT, what a shell reports for it anyway. */
    public static final int EXIT_INTERRUPTED = 130;
    /** How long Ctrl-C waits for a write in flight to be answered before the JVM exits regardless. */
    static final Duration STOP_GRACE = Duration.ofSeconds(60);
    /** Re-reads after 409 conflicts on one step before giving up. */
    static final int CONFLICT_ATTEMPTS = 5;
    private static final String[] NUMBERS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
        "nine", "ten", "eleven", "twelve"};

    @Spec
    CommandSpec spec;

    @Mixin
    TargetSelection selection;

    @Option(names = "--to", required = true, paramLabel = "N", description = "The replica count wanted.")
    int to;

    @Option(names = "--dry-run", description = "Print the plan and the checks against live data; write nothing.")
    boolean dryRun;

    @Option(names = "--yes", description = "Do not ask for confirmation (required when stdin or stdout is not a terminal).")
    boolean yes;

    @Option(names = "--force-range", description = "Allow N outside [1, max-replicas of the target] (0 included),"
            + " below its min-replicas without --keep-paused, or below its replica floor (queryNode: the nodes its"
            + " loaded in-memory replicas need).")
    boolean forceRange;

    @Option(names = "--rollback-on-harm", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "On harm after a step-down, put the removed replica back (default on).")
    boolean rollbackOnHarm;

    @Option(names = "--keep-paused", description = "Leave the daemon paused for this target at the end.")
    boolean keepPaused;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, stored in the paused-by annotation.")
    String reason;

    @Option(names = "--take-over", description = "Go on under the pause an earlier scale run of this target left"
            + " (interrupted or killed): take it over and lift it at the end. Without it such a pause is refused, as"
            + " another run may still be working under it.")
    boolean takeOver;

    @Option(names = "--settle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Longest wait for a step to settle (ready, settle query quiet); default the target's"
                    + " scale-in.settle-timeout.")
    Duration settleTimeout;

    @Option(names = "--verify-window", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long, once a step-down has settled, health and signals must read fine on every poll"
                    + " (an unknown poll starts it again); default the target's"
                    + " scale-in.verify-window.")
    Duration verifyWindow;

    @Option(names = "--poll-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "5s", description = "How often the cluster and Prometheus are read while waiting (5s).")
    Duration pollInterval;

    /** Set by Ctrl-C (the shutdown hook); the run stops at its next check. */
    private final CountDownLatch stop = new CountDownLatch(1);
    /** Counted down when the run has left the cluster consistent, so the shutdown hook can let the JVM exit. */
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Logging.Restore quiet = Logging.warningsOnly("io.github.milvusautoscaler.actuate")) {
            return run(out, err);
        } finally {
            out.flush();
            err.flush();
            finished.countDown();
        }
    }

    private int run(PrintWriter out, PrintWriter err) {
        Optional<TargetSelection.Chosen> chosen = selection.load("scale", err);
        if (chosen.isEmpty()) {
            return Main.EXIT_USAGE;
        }
        TargetSettings ts = chosen.get().settings();
        Target target = ts.target();
        int max = ts.policy().maxReplicas();
        if (to < 0) {
            return refuse(err, "scale: --to " + to + " is not a replica count");
        }
        if ((to < 1 || to > max) && !forceRange) {
            return refuse(err, "scale: --to " + to + " is outside [1, " + max + "] (max-replicas of " + target
                    + "); pass --force-range to go outside it");
        }
        int min = ts.policy().minReplicas();
        if (to < min && !forceRange && !keepPaused) {
            // The daemon puts it back within a tick of the pause being lifted (BELOW_MIN): a stopping balance, then
            // a node added back and a second balance, for a run that said "done" (scale recheck 2, M4).
            return refuse(err, "scale: --to " + to + " is below min-replicas " + min + " of " + target + ": once the"
                    + " pause is lifted the daemon scales it back up to " + min + ", a second disruption; pass"
                    + " --keep-paused to keep the daemon off for it, or --force-range to go below min-replicas anyway");
        }
        // The config refuses a non-positive scale-in.settle-timeout or verify-window (Checks.positive); the flags
        // that override them keep the same rule: a 0s verify window drops the per-step harm check, a 0s settle
        // timeout writes a step and times out at once, leaving the target paused half-way.
        Map<String, Duration> waits = new LinkedHashMap<>();
        waits.put("--poll-interval", pollInterval);
        waits.put("--settle-timeout", settleTimeout);
        waits.put("--verify-window", verifyWindow);
        for (Map.Entry<String, Duration> w : waits.entrySet()) {
            if (w.getValue() != null && (w.getValue().isZero() || w.getValue().isNegative())) {
                // human(), not Duration.toString(): "--poll-interval PT0S" echoed a value the user never typed.
                return refuse(err, "scale: " + w.getKey() + " " + human(w.getValue()) + " must be > 0");
            }
        }
        Duration settle = settleTimeout != null ? settleTimeout : ts.policy().scaleIn().settleTimeout();
        Duration verify = verifyWindow != null ? verifyWindow : ts.policy().scaleIn().verifyWindow();

        KubernetesSettings kube = chosen.get().selected().settings().kubernetes();
        ApiClient client;
        try {
            client = TargetSelection.client(kube);
        } catch (IllegalStateException e) {
            err.println("scale: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        ScaledObjects objects = new ScaledObjects(kube);
        LastRead actuator = new LastRead(RoutingActuator.forCluster(client, kube, objects));
        ReplicaStatus status;
        try {
            status = actuator.read(target);
        } catch (ActuationException e) {
            err.println("scale: " + (e.kind() == ActuationException.Kind.REFUSED ? "refused: " : "")
                    + e.getMessage());
            return e.kind() == ActuationException.Kind.REFUSED ? Main.EXIT_USAGE : Main.EXIT_FAILURE;
        }
        if (status.rollout()) {
            return refuse(err, "scale: " + target + " is in a rollout (" + status.rollingOut().orElseThrow()
                    + "); run scale when it has finished");
        }
        // At N with every replica ready and no run's pause left: nothing to do. Otherwise a re-run at N is the way on
        // that an interrupted or timed-out run printed: its last step's checks still stand between the cluster and
        // the daemon's pause being lifted (scale audit M2), so they run, and nothing is written.
        PauseMarks marks = new PauseMarks(client, kube);
        boolean leftByScale;
        PauseMarks.Mark mark;
        try {
            mark = status.paused() ? marks.read(target) : null;
            leftByScale = mark != null && mark.byScale();
        } catch (ActuationException e) {
            err.println("scale: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        if (status.current() == to && status.ready() == to && !leftByScale) {
            out.println(target + " is already at " + to + " replicas (" + status.ready() + " ready); nothing to do");
            return Main.EXIT_OK;
        }
        Plan plan = new Plan(target, status.current(), to, settle, verify, ts.hasSettleQuery(), ts.hasHealthQuery(),
                ts.policy().scaleIn().settleReadAfter());
        out.println(plan.text());
        if (to < min && !keepPaused) {
            out.println("note: " + to + " is below min-replicas " + min + " (--force-range); once resumed the daemon"
                    + " scales back up to " + min + " (--keep-paused keeps it off)");
        }
        out.flush();

        try (PrometheusMetricsSource source = chosen.get().selected().freshMetrics(List.of(ts))) {
            if (chosen.get().selected().prometheusFails("scale", source, clock.instant(), err)) {
                return Main.EXIT_FAILURE;
            }
            Checks checks = new Checks(ts, actuator, source, clock);
            // As the daemon's step-down gate (REPLICA_FLOOR): Milvus serves each replica of a collection from
            // queryNodes of its own, so a run down to 1 with a collection loaded at replica_number=2 would leave one
            // replica with no node. Refused before anything is written, a dry run too; forced below it, said, as going
            // below min-replicas is (recheck 62, F5: nothing said it).
            ReplicaFloor floor = plan.down() ? checks.floor() : ReplicaFloor.NONE;
            if (forceRange && floor.known() && to < floor.nodes()) {
                out.println("note: " + to + " is below the replica floor " + floor.nodes() + " (" + floor.note()
                        + "; --force-range): a loaded in-memory replica may be left with no node, and the daemon"
                        + " holds step-downs below the floor but does not scale back up to it");
            }
            if (!forceRange && !floor.known()) {
                return refuse(err, "scale: " + target + "'s replica floor cannot be read (" + floor.note() + "), so"
                        + " a step-down could leave a loaded in-memory replica with no node; pass --force-range to"
                        + " go down anyway");
            }
            if (!forceRange && to < floor.nodes()) {
                return refuse(err, "scale: --to " + to + " is below " + target + "'s replica floor " + floor.nodes()
                        + " (" + floor.note() + (target.component() == Component.QUERY_NODE ? ": its loaded"
                        + " in-memory replicas need a queryNode each, and Milvus serves each replica of a collection"
                        + " from nodes of its own" : "") + "); load the collections with fewer replicas first, or"
                        + " pass --force-range to go below it anyway");
            }
            boolean configDryRun = chosen.get().selected().settings().dryRun();
            if (!dryRun && configDryRun) {
                // The config's dry-run promises that nothing is written with it (reference.conf); a manual scale
                // run with the daemon's dry-run config plans only, and says how to write.
                out.println("dry-run = true in " + selection.config + ": planning only, as --dry-run; to"
                        + " scale, use a config that sets dry-run = false");
            }
            if (dryRun || configDryRun) {
                out.println("checks each step would run, against live data now:");
                Look now = checks.look(status.current());
                out.println("  replicas   " + now.status.current() + " requested, " + now.status.ready() + " ready"
                        + (now.status.paused() ? ", paused" : ""));
                source.renderedQueries(target).forEach((name, q) -> out.println("  " + name + ": "
                        + q.replaceAll("\\s+", " ")));
                out.println("  now: " + now.describe());
                LastStepDown last = LastStepDown.of(now.status.lastScale(), plan.verify(), plan.settle(),
                        clock.instant());
                if (plan.down() && last.verifyLeft().compareTo(plan.settleReadAfter()) > 0) {
                    // The real run waits this before its first removal; the plan's settle-read-after alone misled
                    // (recheck 27, R3).
                    out.println("  before step 1: settle and health hold " + last.what());
                }
                Optional<String> overflow = plan.down() ? checks.fullestPodWouldOverflow(now) : Optional.empty();
                if (overflow.isPresent()) {
                    // The real run stops before step 1 on it, exit 1; a pre-flight that read 0 would mislead a script
                    // as a refused run's did (scale recheck 21, R4).
                    out.println("  stops now before step 1: " + overflow.get());
                }
                if (leftByScale && !takeOver) {
                    // The live check a real run meets first: its refusal, not "paused" among the replicas (scale
                    // recheck 19, F5).
                    out.println("  refused now: paused by a scale run (" + mark.by().orElseThrow() + "), which may still"
                            + " be running; the real run writes nothing unless that run is gone and --take-over is"
                            + " given");
                }
                out.println("dry run: nothing written");
                // As a rollout's refusal, which ends a dry run with 2 before its plan: a script's pre-flight read 0
                // where the real run would be refused (scale recheck 21, R4).
                return leftByScale && !takeOver ? Main.EXIT_USAGE
                        : overflow.isPresent() ? Main.EXIT_FAILURE : Main.EXIT_OK;
            }
            if (!confirmed(out, err)) {
                return Main.EXIT_USAGE;
            }
            KubernetesEventSink events = new KubernetesEventSink(client, kube, objects, LeaderGate.always(), clock,
                    TargetSelection.who());
            Run run = new Run(target, actuator, marks, events, checks, plan, out, err,
                    ts.policy().scaleIn().backoff(), TargetSelection.pausedBy(client));
            Thread hook = new Thread(this::interrupted, "scale-interrupt");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                return run.execute();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running: it waits for `finished`, counted down by call().
                }
            }
        }
    }

    /** The shutdown hook (Ctrl-C, SIGTERM): ask the run to stop, then wait until it has left things consistent. */
    private void interrupted() {
        stop.countDown();
        try {
            if (!finished.await(1, TimeUnit.SECONDS)) {
                // A write in flight is waited out (its outcome must be known); say so at once rather than sit silent
                // for up to its retries (last recheck, item 2).
                PrintWriter err = spec.commandLine().getErr();
                err.println("scale: interrupt seen; stopping once the Kubernetes call in flight has ended (a write is"
                        + " never cut off halfway); the pause stays");
                err.flush();
            }
            finished.await(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean confirmed(PrintWriter out, PrintWriter err) {
        if (yes) {
            return true;
        }
        Console console = System.console();
        if (console == null) {
            // System.console() is null when either end is not a terminal: `scale ... | tee log` asks no question either.
            err.println("scale: standard input or output is not a terminal; pass --yes to run without confirmation");
            return false;
        }
        out.print("Proceed? [y/N] ");
        out.flush();
        String answer = console.readLine();
        if (answer != null && answer.strip().toLowerCase(Locale.ROOT).startsWith("y")) {
            return true;
        }
        err.println("scale: not confirmed; nothing written");
        return false;
    }

    private static int refuse(PrintWriter err, String line) {
        err.println(line);
        return Main.EXIT_USAGE;
    }

    /**
     * What the command will do, in one sentence: {@code queryNode 4 -> 1: three step-downs of one node, each
     * waiting for settle (up to 30m) and health}.
     */
    record Plan(Target target, int from, int to, Duration settle, Duration verify, boolean settleQuery,
                boolean healthQuery, Duration settleReadAfter) {

        boolean down() {
            return to < from;
        }

        int steps() {
            return down() ? from - to : 1;
        }

        /** Nothing to write: the count is there, and what is left is the last step's checks and the pause. */
        boolean checksOnly() {
            return from == to;
        }

        String text() {
            Component c = target.component();
            if (checksOnly()) {
                return target + ": " + c + " is at " + to + ": nothing to write; waiting for " + to + " ready, settle"
                        + " (up to " + human(settle) + ") and health (verify window " + human(verify) + "), as after"
                        + " a last step-down, before the daemon's pause is lifted";
            }
            if (!down()) {
                return target + ": " + c + " " + from + " -> " + to + ": one write to " + to + ", then waiting for "
                        + to + " ready" + (c == Component.QUERY_NODE ? " and settle" : "") + " (up to "
                        + human(settle) + ")";
            }
            int n = steps();
            // One step is "once ..., waiting for", not "the first once ..., each waiting for" (recheck 111, F2).
            return target + ": " + c + " " + from + " -> " + to + ": " + number(n) + " step-down" + (n == 1 ? "" : "s")
                    + " of one node, " + (settleReadAfter.isZero() ? "" : (n == 1 ? "" : "the first ") + "once settle"
                    + " and health have held for " + human(settleReadAfter) + " (scale-in.settle-read-after), ")
                    + (n == 1 ? "" : "each ") + "waiting for settle (up to " + human(settle) + ") and health"
                    + " (verify window " + human(verify) + (healthQuery ? "" : ", no health-query configured: signals"
                    + " only") + (settleQuery ? "" : ", no settle-query configured: ready replicas only") + ")";
        }

        private static String number(int n) {
            return n < NUMBERS.length ? NUMBERS[n] : Integer.toString(n);
        }
    }

    /**
     * How long a recent step-down's verify window holds a run's first removal once settle and health hold, and how
     * that wait is named in its progress line; {@link #NONE}: none.
     */
    record LastStepDown(Duration verifyLeft, String what) {

        static final LastStepDown NONE = new LastStepDown(Duration.ZERO, "");

        /**
         * The verify window the step-down {@code last} records still needs, at {@code now}: the whole {@code verify}
         * window, once settle and health hold, for a step-down written within {@code settle} plus {@code verify}
         * before (it may still be settling, or have settled a moment ago: when is not known, and the run that wrote it
         * would have waited a whole window after that); NONE for an older one or a scale-out. Counted from the write,
         * a take-over 33 s after a killed run's step whose node handed off for 30 s checked health for 10 s of a 20 s
         * window (recheck 94, F1); before that, settle-read-after alone let a take-over remove a second node 68 s after
         * the first, inside a 3m window (recheck 26, F1).
         */
        static LastStepDown of(Optional<LastScale> last, Duration verify, Duration settle, Instant now) {
            if (last.isEmpty() || last.get().direction() != Direction.DOWN) {
                return NONE;
            }
            Duration ago = Duration.between(last.get().time(), now);
            if (ago.compareTo(settle.plus(verify)) >= 0) {
                return NONE;
            }
            return new LastStepDown(verify, "for the verify window (" + human(verify) + ") of the step-down written "
                    + human(Duration.ofSeconds(Math.max(0, ago.toSeconds()))) + " ago (" + last.get().reason()
                    + "), whole: when it settled is not known");
        }
    }

    /** One look at the cluster and Prometheus during a wait. */
    record Look(ReplicaStatus status, Observation observation, List<String> high,
                List<String> unknown, Map<String, String> values) {

        /** Failing health or a HIGH signal: the service is harmed. Empty when it is not. */
        Optional<String> harm() {
            if (observation.health() == Health.FAILING) {
                return Optional.of("health query failing");
            }
            return high.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", high));
        }

        /** The daemon's settle rule (policy Stages.settled): every replica ready and the settle query QUIET. */
        boolean settled(int requested) {
            return status.current() == requested && status.ready() == requested
                    && observation.settle() == Settle.QUIET;
        }

        /** The service is known to be available: health OK (or none configured), every signal known, none HIGH. */
        boolean healthy() {
            Health h = observation.health();
            return (h == Health.OK || h == Health.NONE) && high.isEmpty() && unknown.isEmpty();
        }

        String describe() {
            return describe(true);
        }

        /**
         * As {@link #describe()}; with {@code settleUsed} false (within settle-read-after of the write) the settle
         * read is marked as not used: it still reads the cluster before the step, and "settle QUIET (settle query
         * reads 0)" beside "waiting for settle" read as if the wait were for nothing (forecast recheck nit).
         */
        String describe(boolean settleUsed) {
            StringBuilder b = new StringBuilder();
            if (status.ready() > status.current()) {
                // Right after a step-down's write, before the controller has removed the pod (scale recheck 21, R2);
                // "ready 5 of 4" read as a count gone wrong (recheck 94's remark).
                b.append("ready ").append(status.ready()).append(" for ").append(status.current()).append(" wanted (")
                        .append(status.ready() - status.current()).append(" leaving)");
            } else {
                b.append("ready ").append(status.ready()).append(" of ").append(status.current());
            }
            b.append(", settle ").append(observation.settle());
            String note = observation.settleNote();
            if (!settleUsed) {
                note = (note.isEmpty() ? "" : note + ", ") + "not used until settle-read-after";
            }
            if (!note.isEmpty()) {
                b.append(" (").append(note).append(')');
            }
            b.append(", health ").append(observation.health());
            values.forEach((k, v) -> b.append(", ").append(k).append(' ').append(v));
            return b.toString();
        }
    }

    /**
     * The actuator, remembering its last successful read: an interrupted run says where the target was at that read
     * rather than read again, which with the API server hanging took three request timeouts after Ctrl-C (9.8 s at
     * request-timeout 3s, about 30 s at the default; scale recheck 2, L3).
     */
    static final class LastRead implements ReplicaActuator {
        private final ReplicaActuator delegate;
        private volatile ReplicaStatus status;
        private volatile Instant at;

        LastRead(ReplicaActuator delegate) {
            this.delegate = delegate;
        }

        @Override
        public ReplicaStatus read(Target target) {
            ReplicaStatus read = delegate.read(target);
            at = Instant.now();
            status = read;
            return read;
        }

        @Override
        public void apply(Decision decision, ReplicaStatus basis) {
            delegate.apply(decision, basis);
        }

        @Override
        public void apply(Decision decision, ReplicaStatus basis, WriteContext context) {
            delegate.apply(decision, basis, context);
        }

        @Override
        public void remember(Target target, ScaleMemory memory, ReplicaStatus basis, WriteGuard guard) {
            delegate.remember(target, memory, basis, guard);
        }

        /** {@code queryNode was at 3 replicas (3 ready) at the last read, 2s ago.}; empty before any read. */
        Optional<String> said(Target target) {
            ReplicaStatus s = status;
            Instant when = at;
            return s == null ? Optional.empty() : Optional.of(target.component() + " was at " + s.current()
                    + " replicas (" + s.ready() + " ready) at the last read, "
                    + human(Duration.ofSeconds(Duration.between(when, Instant.now()).toSeconds())) + " ago.");
        }
    }

    /** Reads the target's status and its observation; the signal bands are the target's own. */
    static final class Checks {
        private final TargetSettings settings;
        private final ReplicaActuator actuator;
        private final PrometheusMetricsSource source;
        private final Clock clock;

        Checks(TargetSettings settings, ReplicaActuator actuator, PrometheusMetricsSource source, Clock clock) {
            this.settings = settings;
            this.actuator = actuator;
            this.source = source;
            this.clock = clock;
        }

        /** The target's replica floor, read now ({@link ReplicaFloor#NONE} without a replica-floor query). */
        ReplicaFloor floor() {
            return source.observe(settings.target(), clock.instant()).replicaFloor();
        }

        /**
         * Why a step down to {@code to} would go below the target's replica floor, read now, or empty when it keeps
         * it: the floor cannot be read, or it is above {@code to}.
         */
        Optional<String> belowFloor(int to) {
            ReplicaFloor floor = floor();
            if (!floor.known()) {
                return Optional.of(settings.target() + "'s replica floor cannot be read (" + floor.note() + ")");
            }
            return to >= floor.nodes() ? Optional.empty() : Optional.of(settings.target() + "'s replica floor is now "
                    + floor.nodes() + " (" + floor.note() + "), above " + to);
        }

        /**
         * Why removing one replica from what {@code look} saw could push the fullest pod past its memory limit, as
         * the daemon's step-down holds it ({@link FullestPod}), or empty when it fits. Milvus' procedure checks the
         * service after each removal, but a queryNode past its limit is killed by the kernel before any check runs, and
         * its segments reload elsewhere: the harm comes with the step (recheck 65, F1; the daemon held it, scale did
         * not).
         */
        Optional<String> fullestPodWouldOverflow(Look look) {
            for (SignalPolicy band : settings.policy().signals()) {
                Optional<FullestPod.Overflow> overflow = FullestPod.afterStepDown(band,
                        look.observation().signals().get(band.name()), look.status().ready());
                if (overflow.isPresent()) {
                    return Optional.of("removing one of " + look.status().ready() + " ready "
                            + settings.target().component() + " could put " + overflow.get().text() + " (the kernel"
                            + " kills a container past its memory limit, whatever the average: " + band.name() + " "
                            + look.values().get(band.name()) + "); the daemon holds the same step-down"
                            + " (SCALE_IN_WOULD_OVERLOAD)");
                }
            }
            return Optional.empty();
        }

        Look look(int requested) {
            ReplicaStatus status = actuator.read(settings.target());
            Instant now = clock.instant();
            Observation o = source.observe(settings.target(), now);
            List<String> high = new ArrayList<>();
            List<String> unknown = new ArrayList<>();
            Map<String, String> values = new java.util.LinkedHashMap<>();
            for (SignalPolicy band : settings.policy().signals()) {
                Signal s = o.signals().get(band.name());
                if (s != null && !s.applicable()) {
                    values.put(band.name(), "n/a"); // as the daemon: left out, nothing to wait for
                    continue;
                }
                if (requested == 0 && settings.signal(band.name()) != null && settings.signal(band.name()).perPod()) {
                    // No pod, no series: a per-pod signal of a component scaled to 0 (--force-range) is empty by
                    // construction, and waiting for it timed out a scale that had happened (scale audit M8).
                    values.put(band.name(), "n/a (no pods)");
                    continue;
                }
                if (s == null || !s.isKnown()) {
                    unknown.add(band.name() + " UNKNOWN (" + (s == null ? "not read" : s.problem()) + ")");
                    values.put(band.name(), "UNKNOWN");
                    continue;
                }
                double v = s.value().getAsDouble();
                values.put(band.name(), fmt(v));
                if (v > band.scaleOutAbove()) {
                    high.add(band.name() + " " + fmt(v) + " > " + fmt(band.scaleOutAbove()) + " (HIGH)");
                }
            }
            return new Look(status, o, high, unknown, values);
        }
    }

    /** What a wait ended with. */
    private enum Ended { PASSED, HARM, TIMEOUT, CHANGED, INTERRUPTED }

    /**
     * How a wait ended; {@code settling} when it ran out waiting for the replicas to be ready or settled (the wait a
     * long stopping balance makes), as opposed to the verify window or health.
     */
    private record WaitResult(Ended ended, String why, Look last, Stage stage, boolean settling) {

        WaitResult(Ended ended, String why, Look last, Stage stage) {
            this(ended, why, last, stage, false);
        }
    }

    /**
     * Where a wait stands, in its progress line ({@code step 2 of 3 (queryNode -> 2)}) and in a message that says
     * when something happened ({@code at step 2 of 3}, {@code before step 1}).
     *
     * @param hold what the wait's last part, the known-good polls held for {@code verify}, is called in progress
     *             lines: "the verify window", or before step 1 what that hold is for
     */
    private record Stage(String label, String when, String hold) {
        Stage(String label, String when) {
            this(label, when, "the verify window");
        }
    }

    /** One run of the steps, with the state it needs to report where it stopped. */
    /** {@code text} as one POSIX shell word: in single quotes, a quote in it written {@code '\''}. */
    static String shellQuoted(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    private final class Run {
        private final Target target;
        private final ReplicaActuator actuator;
        private final PauseMarks marks;
        private final KubernetesEventSink events;
        private final Checks checks;
        private final Plan plan;
        private final PrintWriter out;
        private final PrintWriter err;
        private final Progress progress;
        /** The run's {@code paused-by}: the Kubernetes user and where it runs ({@link TargetSelection#pausedBy}). */
        private final String who;
        private boolean pausedHere;
        private PauseMarks.Mark pause;
        /**
         * The count before a harmful step that --no-rollback-on-harm left in place; 0 when there was none. The pause
         * is kept then: lifted, the daemon rolled the step back 3 s later (its own verify window saw the harm), which
         * is what the flag was given to prevent (scale recheck 2, M1).
         */
        private int harmLeftAt;
        /** The step being written or waited for, 0 before the first: what a failure mid-run names (recheck 2, L4). */
        private int atStep;
        /**
         * The command that goes on after a failure, null when none; refused as it stands if the pause stays, so a
         * write failure's is printed once the pause lift has been tried (with --take-over if it failed).
         */
        private String goOnWith;
        /** Whether the failure's own message printed {@link #goOnWith} already (the settle timeout's does). */
        private boolean goOnSaid;
        /** The target's scale-in.backoff, kept on the object with a roll-back as the daemon's own roll-back keeps it. */
        private final Duration backoff;

        Run(Target target, ReplicaActuator actuator, PauseMarks marks, KubernetesEventSink events, Checks checks,
            Plan plan, PrintWriter out, PrintWriter err, Duration backoff, String who) {
            this.backoff = backoff;
            this.who = who;
            this.target = target;
            this.actuator = actuator;
            this.marks = marks;
            this.events = events;
            this.checks = checks;
            this.plan = plan;
            this.out = out;
            this.err = err;
            this.progress = new Progress(out, System.console() != null);
        }

        int execute() {
            String by = who + ": scale --to " + plan.to() + (reason == null ? "" : " (" + reason + ")");
            try {
                Instant at = clock.instant();
                PauseMarks.Mark before = marks.pause(target, by, at);
                pausedHere = !before.paused();
                if (before.byScale()) {
                    // Another run may be working under it: two runs on one target each wrote steps the other did
                    // not expect, and the first to end lifted the pause the other relied on (scale audit H5).
                    if (!takeOver) {
                        err.println("scale: " + target + " is paused by a scale run (" + before.by().orElseThrow()
                                + ", at " + before.at().orElse("?") + " on " + before.object() + "), which may still be"
                                + " running; nothing written. If it is not (it was interrupted or killed), go on with"
                                + " --take-over: this run takes that pause over and lifts it at the end");
                        return Main.EXIT_USAGE;
                    }
                    PauseMarks.Mark held = marks.takeOver(target, before, by, at);
                    if (!held.samePause(before)) {
                        err.println("scale: the pause on " + target + " changed while this run took it over (now "
                                + held.holder() + "); nothing written");
                        return Main.EXIT_FAILURE;
                    }
                    pausedHere = true;
                }
                pause = pausedHere ? marks.read(target) : before;
                if (pausedHere && !pause.writtenAs(by, at)) {
                    // Another run took the pause over between this run's write and its read: it is that run's now,
                    // and this one must neither scale under it nor lift it (scale recheck N1).
                    err.println("scale: the pause on " + target + " changed while this run wrote it (now "
                            + pause.holder() + "); another run is at"
                            + " work on it; nothing written");
                    return Main.EXIT_FAILURE;
                }
                progress.event(!pausedHere ? target + " was already paused on " + before.object() + before.by()
                        .map(b -> " by " + b).orElse(" by hand") + "; that pause stays after this command"
                        : before.paused() ? "took over the pause of " + before.by().orElseThrow() + " on "
                        + pause.object() + " (--take-over); lifted at the end"
                        : "paused the daemon for " + target + ": " + pause.pausedKey() + "=true on " + pause.object()
                        + " (" + by + ")");
            } catch (ActuationException e) {
                if (pausedHere) {
                    // The pause was written; a failed read of it afterwards does not take it back, and "nothing
                    // written" left the daemon off with no way named to turn it on (scale recheck 2, M2).
                    err.println("scale: paused " + target + " for the daemon, but could not read the pause back: "
                            + e.getMessage() + "; no replica written. The pause stays, so the daemon keeps off; lift it"
                            + " with: milvus-autoscaler resume --config " + selection.config + " --target "
                            + target.id());
                    return Main.EXIT_FAILURE;
                }
                err.println("scale: could not pause " + target + " for the daemon: " + e.getMessage() + "; nothing"
                        + " written");
                return Main.EXIT_FAILURE;
            }
            int result;
            try {
                result = plan.checksOnly() ? checksOnly() : plan.down() ? scaleIn() : scaleOut();
            } catch (WriteAbandonedException e) {
                // The interrupt came while a write got no answer: its retries were not sent, and the attempt in flight
                // may have landed, which a re-run reads (scale recheck 19, F1).
                return interruptedAt("during step " + atStep + " of " + plan.steps() + "'s write (" + (atStep == 1
                        ? "no step completed" : "step " + (atStep - 1) + " completed") + ")", " The write in flight"
                        + " ended without an answer and was not retried; it may have landed (a re-run reads where it"
                        + " is).");
            } catch (ActuationException e) {
                if (stopped()) {
                    // Failed after the interrupt: one ending, the interrupt's, whose pause stays and whose command
                    // goes on with --take-over; "To go on" without it was refused (scale recheck 19, F3).
                    return interruptedAt(Math.max(0, atStep - 1), atStep == 0 ? "before step 1" : "during step " + atStep,
                            " The Kubernetes call in flight failed: " + e.getMessage() + ".");
                }
                progress.end();
                // Named as the timeout and interrupt messages name it: which step, and the command that goes on once
                // the API answers again (the pause is lifted below, as after any failure).
                goOnWith = command(plan.to());
                err.println("scale: " + e.getMessage() + "; " + (atStep == 0 ? "before step 1, no replica written"
                        : "at step " + atStep + " of " + plan.steps()) + ". " + where());
                result = Main.EXIT_FAILURE;
            }
            if (result == EXIT_INTERRUPTED) {
                return result;
            }
            if (stopped()) {
                // Ctrl-C after the last check passed: the pause stays, as after any interrupt, rather than a write
                // after the signal; the JVM exits 130 either way (scale audit M7).
                progress.end();
                err.println("scale: interrupted after the run ended (" + (result == 0 ? "done" : "exit " + result)
                        + "); " + where() + " The pause stays so the daemon keeps off. Resume with:"
                        + " milvus-autoscaler resume --config " + selection.config + " --target " + target.id());
                err.flush();
                return EXIT_INTERRUPTED;
            }
            // A scale that ended well but left the daemon paused has not handed the target back: a script
            // running scale must see it, not only a person reading stderr.
            boolean lifted = liftPause();
            if (!lifted && goOnWith != null) {
                // The pause this run set stays, and a run finding it refuses without --take-over: the command given
                // as the way on was refused as printed (scale recheck 56, F1; 57 F1 for printing both).
                err.println("scale: with the pause still set, go on with: " + goOnWith + " --take-over");
            } else if (goOnWith != null && !goOnSaid) {
                err.println("scale: to go on: " + goOnWith);
            }
            if (stopped()) {
                // Ctrl-C while the lift was on its way: it finished first, and the JVM exits 130 whatever this returns.
                err.println("scale: the run had ended (" + (result == 0 ? "done" : "exit " + result) + ") and the pause"
                        + " was " + (lifted ? "lifted" : "not lifted") + " before the interrupt; exit 130 is the"
                        + " signal's");
                err.flush();
            }
            return lifted || result != 0 ? result : Main.EXIT_FAILURE;
        }

        /** A re-run where the count is already there: the last step's checks, then the pause is lifted. */
        private int checksOnly() {
            WaitResult w = await(new Stage("at " + plan.to() + " (" + target.component() + ")", "at " + plan.to()),
                    plan.to(), plan.verify(), plan.settle().plus(plan.verify()), true, true);
            if (w.ended() == Ended.HARM) {
                progress.end();
                err.println("scale: " + w.why() + " at " + plan.to() + "; no replica written. " + where());
                return Main.EXIT_FAILURE;
            }
            return finish(w, 0);
        }

        private int scaleOut() {
            if (stopped()) {
                // Ctrl-C while the pause was written: no replica write after it (scale audit H2).
                return interruptedAt(0, "before step 1", "");
            }
            atStep = 1;
            if (!write(1, plan.from(), plan.to(), Action.SCALE_OUT, "manual scale-out " + plan.from() + " -> "
                    + plan.to())) {
                return Main.EXIT_FAILURE;
            }
            // A queryNode's settle counts from settle-read-after on, as after a step-down: read at once it was the
            // cluster before the new nodes, and the run said "settled" 3.4 s after the write (scale recheck 2, L1).
            // Counted from when the new nodes are ready, not from the write: querycoord balances onto a node once it
            // has registered (its balance checker runs every 3 s, queryCoord.checkBalanceInterval since 2.3), and the
            // moves show in milvus_querycoord_task_num at its next write (at most every 30 s) and the next scrape. Read
            // at readiness, a run whose pods took longer than settle-read-after to start said "settled" before the
            // moves showed (scale recheck 19, F2).
            boolean settle = target.component() == Component.QUERY_NODE;
            WaitResult w = await(stage(1, plan.to()), plan.to(), Duration.ZERO, plan.settle(), false, settle,
                    settle ? plan.settleReadAfter() : Duration.ZERO, true);
            return finish(w, 1);
        }

        private int scaleIn() {
            int at = plan.from();
            // Milvus' procedure checks the service before each removal, the first included: a step-down the daemon
            // (or a scale that timed out) wrote a minute ago may still be handing its segments over, and a second
            // removal now would stack two stopping balances on the same nodes. So the first write waits for the
            // same settle and health the later ones do, and a harmed service stops the command with nothing written.
            // And they must hold for settle-read-after: a step-down written seconds before this run (the daemon's, or
            // the step an interrupted run wrote before its --take-over) is not in Prometheus yet, so the settle query
            // still reads the cluster before it, QUIET, and the first removal went 3 s after the last (scale recheck
            // 2, H1). Within settle-read-after Prometheus has scraped any such change, by anyone, and a hand-off it
            // started reads BUSY and starts the hold again.
            // And a step-down written within settle-timeout plus the verify window before this run (the daemon's,
            // another run's, or the step a killed run wrote before this --take-over) may still be settling or being
            // checked: a whole verify window holds too, as it would have in the run that wrote it (LastStepDown).
            Duration hold = plan.settleReadAfter();
            String holding = "settle and health to hold, so a step-down just before this run has reached Prometheus"
                    + " (scale-in.settle-read-after)";
            LastStepDown last = lastStepDown();
            if (last.verifyLeft().compareTo(hold) > 0) {
                hold = last.verifyLeft();
                holding = "settle and health to hold " + last.what();
            }
            WaitResult before = await(new Stage("before step 1 (" + target.component() + " at " + at + ")",
                    "before step 1", holding), at, hold, plan.settle().plus(hold), true, true);
            if (before.ended() == Ended.HARM) {
                progress.end();
                err.println("scale: not starting: " + before.why() + "; no replica written. " + where());
                return Main.EXIT_FAILURE;
            }
            if (before.ended() != Ended.PASSED) {
                return finish(before, 0);
            }
            Look seen = before.last();
            for (int step = 1; at > plan.to(); step++) {
                atStep = step;
                int next = at - 1;
                if (stopped()) {
                    return interruptedAt(step - 1, "before step " + step, "");
                }
                Optional<String> floorStop = forceRange ? Optional.empty() : checks.belowFloor(next);
                if (floorStop.isPresent()) {
                    // Read again before each removal, as the daemon's gate reads it every tick: a collection loaded
                    // with 3 replicas while step 1 settled raised the floor to 3, and step 2 went to 2 (recheck 62, F4).
                    progress.end();
                    err.println("scale: stopped before step " + step + " of " + plan.steps() + " (" + at + " -> " + next
                            + "): " + floorStop.get() + "; no replica written for it. " + where()
                            + " --force-range goes below the floor anyway.");
                    return Main.EXIT_FAILURE;
                }
                Optional<String> overflow = checks.fullestPodWouldOverflow(seen);
                if (overflow.isPresent()) {
                    progress.end();
                    err.println("scale: stopped before step " + step + " of " + plan.steps() + " (" + at + " -> " + next
                            + "): " + overflow.get() + "; no replica written for it. " + where() + " Raise "
                            + target.component() + "'s memory limit, or release or rebalance what it holds, first.");
                    return Main.EXIT_FAILURE;
                }
                if (!write(step, at, next, Action.SCALE_IN, "manual step-down " + step + " of " + plan.steps() + ": "
                        + at + " -> " + next + " (scale " + plan.from() + " -> " + plan.to() + ")")) {
                    return Main.EXIT_FAILURE;
                }
                WaitResult w = await(stage(step, next), next, verifyOf(), plan.settle().plus(verifyOf()), true, true,
                        plan.settleReadAfter());
                if (w.ended() == Ended.INTERRUPTED && w.last() != null && w.last().harm().isPresent()) {
                    // Ctrl-C wins: no write after it, not even the rollback; the person who stopped the run is told
                    // what was seen and the one command that puts the replica back (scale audit H3).
                    return interruptedWithHarm(step, at, w.last().harm().get());
                }
                if (w.ended() == Ended.HARM) {
                    progress.end();
                    String what = "harm after step " + step + " of " + plan.steps() + " (" + at + " -> " + next + "): "
                            + w.why();
                    if (!rollbackOnHarm) {
                        err.println("scale: " + what + "; stopped, not rolled back (--no-rollback-on-harm); " + where());
                        harmLeftAt = at;
                        return Main.EXIT_FAILURE;
                    }
                    if (stopped()) {
                        return interruptedWithHarm(step, at, w.why());
                    }
                    progress.event(what + "; putting one replica back (" + next + " -> " + at + ")");
                    if (!write(step, next, at, Action.SCALE_OUT, ROLLED_BACK + " step-down " + step + " (" + at + " -> "
                            + next + "): " + w.why())) {
                        return Main.EXIT_FAILURE;
                    }
                    WaitResult back = await(stage(step, at), at, Duration.ZERO, plan.settle(), false, false);
                    if (back.ended() == Ended.INTERRUPTED) {
                        return interruptedAt(step, "while waiting for the rolled-back replica to be ready", "");
                    }
                    progress.end();
                    err.println("scale: " + what + "; rolled back: put one replica back. " + where());
                    return Main.EXIT_FAILURE;
                }
                if (w.ended() != Ended.PASSED) {
                    return finish(w, step);
                }
                progress.event("step " + step + " of " + plan.steps() + " done: " + target.component() + " at " + next
                        + " (" + w.last().describe() + ")");
                at = next;
                seen = w.last();
            }
            progress.end();
            out.println("done: " + target + " at " + plan.to() + " replicas; " + where());
            return Main.EXIT_OK;
        }

        private Duration verifyOf() {
            return plan.verify();
        }

        private int finish(WaitResult w, int step) {
            progress.end();
            return switch (w.ended()) {
                case PASSED -> {
                    out.println("done: " + target + " at " + plan.to() + " replicas (" + w.last().describe() + ")");
                    yield Main.EXIT_OK;
                }
                case TIMEOUT -> {
                    err.println("scale: timed out " + w.stage().when() + " waiting for " + w.why() + "; stopped. "
                            + where() + goOn(w));
                    yield Main.EXIT_FAILURE;
                }
                case CHANGED -> {
                    err.println("scale: " + w.why() + "; stopped without overwriting. " + where());
                    yield Main.EXIT_FAILURE;
                }
                case INTERRUPTED -> interruptedAt(step, "while waiting", "");
                case HARM -> throw new IllegalStateException("harm is handled by the caller");
            };
        }

        /**
         * For a step-down stopped while its replicas settled: how to wait longer and go on, since the wait is
         * usually the queryNode's stopping balance, which Milvus documents as taking up to an hour, e.g. {@code
         * --settle-timeout 1h} after the default 30m (twice the timeout that ran out, at least 1h). Empty otherwise.
         */
        private String goOn(WaitResult w) {
            if (w.last() != null && w.last().status().ready() < w.last().status().current()) {
                // Pods that never turned ready (an image that cannot be pulled, no node with room, a ResourceQuota)
                // are not helped by waiting longer either; where to look and the way back were left to guess (scale
                // recheck 19).
                int notReady = w.last().status().current() - w.last().status().ready();
                String ns = target.namespace();
                return " The " + notReady + " not ready: `kubectl -n " + ns + " get pods` and `kubectl -n " + ns
                        + " describe pod NAME` say why (an image that cannot be pulled, no node"
                        + " with room, a ResourceQuota); the count stays at " + w.last().status().current()
                        + (plan.from() != w.last().status().current() ? ", and " + command(plan.from())
                        + " puts it back to " + plan.from() : "") + ".";
            }
            if (!plan.down() || !w.settling() || w.last() == null || w.last().observation().settle() != Settle.BUSY) {
                // Only a settle query seen busy is a stopping balance: one that could not be read, or replicas not
                // ready, is not helped by waiting an hour (scale audit M9).
                return "";
            }
            if (w.last().status().current() == plan.to()) {
                // The last step: nothing is left to go on with, and the pause is lifted; a command to "wait longer"
                // found the count there and said nothing to do (scale recheck N3). The daemon's own settle rule holds
                // its step-downs meanwhile.
                return " A stopping balance can take up to an hour; the pause is lifted, and the daemon takes no"
                        + " step-down of its own until this one has settled (status lists its settle timeout under"
                        + " WAITS meanwhile).";
            }
            Duration longer = plan.settle().multipliedBy(2);
            Duration wait = longer.compareTo(Duration.ofHours(1)) < 0 ? Duration.ofHours(1) : longer;
            goOnWith = command(plan.to()) + " --settle-timeout " + human(wait);
            goOnSaid = true;
            return " A stopping balance can take up to an hour; to wait longer and go on: " + goOnWith;
        }

        /**
         * Writes {@code from -> to} with the reason MANUAL_SCALE, re-reading on 409: the write goes ahead only while
         * the object still holds {@code from} (an annotation-only change by someone else is fine); a different
         * count means someone else scaled, and the command stops rather than overwrite it. A write whose answer
         * was lost is recognised by its id on the re-read.
         */
        private boolean write(int step, int from, int to, Action action, String message) {
            String id = UUID.randomUUID().toString();
            ReplicaStatus basis = actuator.read(target);
            for (int attempt = 1; ; attempt++) {
                Optional<LastScale> last = basis.lastScale();
                if (basis.current() == to && last.isPresent() && last.get().writeId().equals(id)) {
                    // Landed though its answer was lost: recorded as any write is (scale audit L1), and said so, after
                    // the 409 its retry met (scale recheck 19: it read as someone else's change).
                    progress.event("step " + step + ": this run's write had landed, its answer lost (read back by its"
                            + " id)");
                    events.record(new Decision(target, last.get().time(), action, from, to, Reason.MANUAL_SCALE,
                            target.component() + " " + message + " by " + who, Map.of(), false).asWritten());
                    break;
                }
                if (basis.current() != from) {
                    progress.end();
                    err.println("scale: " + target + " replicas changed by someone else during step " + step
                            + basis.otherWriter().map(w -> " (" + w.said() + ")").orElse("") + ": expected " + from
                            + ", read " + basis.current() + "; stopped without overwriting. " + where());
                    return false;
                }
                Instant now = clock.instant();
                // Named by its component: an operator Milvus object holds them all, and its Events said "manual
                // step-down 1 of 1: 2 -> 1" for the indexNode and the proxy alike (scale recheck 19, F4).
                Decision decision = new Decision(target, now, action, from, to, Reason.MANUAL_SCALE,
                        target.component() + " " + message + " by " + who, Map.of(), false);
                // The pause keeps the daemon off; this command is the person the pause is for, so its write goes
                // through (the actuators refuse a paused basis to protect against callers that skipped the guard).
                ReplicaStatus ours = new ReplicaStatus(basis.current(), basis.ready(), false, basis.rollingOut(),
                        basis.lastScale(), basis.resourceVersion(), basis.memory());
                // A roll-back keeps the daemon's back-off on the object (scale-in.backoff, 30m): once the pause is
                // lifted the daemon holds its step-downs as after its own roll-back, not only for the
                // delay-after-scale-out a MANUAL_SCALE up gives (scale audit L2).
                ScaleMemory memory = message.startsWith(ROLLED_BACK)
                        ? basis.memory().withBackoffUntil(now.plus(backoff)) : null;
                try {
                    // Checked before every attempt, retries included: the actuator retried a write that got no answer
                    // twice after Ctrl-C, 9 s and 20 s on (scale recheck 19, F1); the attempt in flight still ends.
                    actuator.apply(decision, ours, new WriteContext(id, now, () -> {
                        if (stopped()) {
                            throw new WriteAbandonedException("interrupted: no write attempt starts after the signal");
                        }
                    }, memory));
                    events.record(decision.asWritten());
                    break;
                } catch (ActuationException e) {
                    if (e.kind() != ActuationException.Kind.CONFLICT || attempt >= CONFLICT_ATTEMPTS) {
                        events.recordWriteFailure(decision, e);
                        throw e;
                    }
                    progress.event("step " + step + ": 409 conflict (the object changed since it was read, or this"
                            + " write landed and its answer was lost); re-reading");
                    basis = actuator.read(target);
                }
            }
            // A rollback is its own line, not read as the plan's next step.
            progress.event((message.startsWith(ROLLED_BACK) ? "rollback of step " + step : "step " + step + " of "
                    + plan.steps()) + ": wrote " + to + " replicas (" + from + " -> " + to + ")");
            return true;
        }

        /**
         * Polls until {@code requested} replicas are settled (when {@code settle}) and then, when {@code checkHarm},
         * the service has been known healthy on every poll for {@code verify}; harm at any poll ends it at once.
         *
         * <p>The verify window starts once the step has settled, as Milvus' procedure checks the service after the
         * hand-off, and an unknown or unready poll starts it again: it used to run from the write, so a window spent
         * settling or reading UNKNOWN passed on the one known poll after it (scale audit H1). A Kubernetes read that
         * fails with a 5xx or a timeout is waited out like an UNKNOWN signal, up to the wait's timeout, where it used
         * to end the whole procedure between steps (M6). A rollout started meanwhile (a {@code helm upgrade}) is
         * waited out (M5), and a pause lifted by someone else ends the run before its next write (M4).
         */
        private WaitResult await(Stage stage, int requested, Duration verify, Duration timeout, boolean checkHarm,
                                 boolean settle) {
            return await(stage, requested, verify, timeout, checkHarm, settle, Duration.ZERO, false);
        }

        private WaitResult await(Stage stage, int requested, Duration verify, Duration timeout, boolean checkHarm,
                                 boolean settle, Duration settleReadAfter) {
            return await(stage, requested, verify, timeout, checkHarm, settle, settleReadAfter, false);
        }

        /**
         * {@link #await(Stage, int, Duration, Duration, boolean, boolean)} right after this run's own step-down: its
         * settle query counts from {@code settleReadAfter} after the write on ({@code scale-in.settle-read-after}), or
         * with {@code fromReady} after every requested replica was first seen ready (a scale-out's new nodes).
         */
        private WaitResult await(Stage stage, int requested, Duration verify, Duration timeout, boolean checkHarm,
                                 boolean settle, Duration settleReadAfter, boolean fromReady) {
            Instant start = clock.instant();
            Instant deadline = start.plus(timeout);
            Instant verifiedSince = null;
            Instant readySince = null;
            Look look = null;
            while (true) {
                if (stopped()) {
                    return new WaitResult(Ended.INTERRUPTED, "interrupted", look, stage);
                }
                String waitingFor;
                boolean settling = false;
                Instant now;
                PauseMarks.Mark holder = null;
                try {
                    look = lookOrStop(requested);
                    if (look == null) {
                        return new WaitResult(Ended.INTERRUPTED, "interrupted", null, stage);
                    }
                    // Read here, inside the API's wait: three 503s on this read ended the procedure between steps
                    // where the same on the look's own read were waited out (scale recheck 2, M2).
                    // Given up on Ctrl-C as the look is: with the API server hanging, this read on the run's own thread
                    // held the exit for three request timeouts (28 s at the default; last recheck, item 2).
                    if (pausedHere) {
                        holder = orStop(() -> marks.read(target));
                        if (holder == null) {
                            return new WaitResult(Ended.INTERRUPTED, "interrupted", look, stage);
                        }
                    }
                    now = clock.instant();
                } catch (ActuationException e) {
                    if (e.kind() != ActuationException.Kind.UNAVAILABLE) {
                        throw e;
                    }
                    look = null;
                    now = clock.instant();
                    verifiedSince = null;
                    waitingFor = "the Kubernetes API (" + e.getMessage() + ")";
                    if (now.isAfter(deadline)) {
                        return new WaitResult(Ended.TIMEOUT, waitingFor + " after " + human(timeout), null, stage);
                    }
                    progress.waiting(stage.label() + ": waiting for " + waitingFor, human(Duration.between(start, now))
                            + " of " + human(timeout));
                    if (sleepOrStop()) {
                        return new WaitResult(Ended.INTERRUPTED, "interrupted", null, stage);
                    }
                    continue;
                }
                if (stopped()) {
                    // A look can take a round of queries; Ctrl-C during it ends the wait before anything it found
                    // leads to a write.
                    return new WaitResult(Ended.INTERRUPTED, "interrupted", look, stage);
                }
                if (look.status().current() != requested) {
                    return new WaitResult(Ended.CHANGED, target + " replicas changed by someone else"
                            + look.status().otherWriter().map(w -> " (" + w.said() + ")").orElse("") + " " + stage.when()
                            + ": expected " + requested + ", read " + look.status().current(), look, stage);
                }
                if (!look.status().paused()) {
                    return new WaitResult(Ended.CHANGED, "the daemon's pause on " + target + " was lifted by someone"
                            + " else " + stage.when() + ", so the daemon may scale it too", look, stage);
                }
                if (holder != null) {
                    if (!holder.samePause(pause)) {
                        // Another run took this run's pause over (--take-over by someone who thought it gone): two
                        // runs must not both write steps (scale recheck N2).
                        return new WaitResult(Ended.CHANGED, "the pause on " + target + " was taken over "
                                + holder.by().map(b -> "by " + b).orElse("by hand") + " " + stage.when() + ", and that"
                                + " pause is left to its run", look, stage);
                    }
                }
                if (checkHarm && look.harm().isPresent()) {
                    return new WaitResult(Ended.HARM, look.harm().get(), look, stage);
                }
                Duration elapsed = Duration.between(start, now);
                boolean allReady = !look.status().rollout() && look.status().ready() == requested;
                readySince = !allReady ? null : readySince != null ? readySince : now;
                Duration settleElapsed = fromReady ? (readySince == null ? Duration.ZERO
                        : Duration.between(readySince, now)) : elapsed;
                boolean settleUsed = true;
                if (look.status().rollout()) {
                    waitingFor = "the rollout to finish (" + look.status().rollingOut().orElse("rolling out") + ")";
                    verifiedSince = null;
                } else if (look.status().ready() != requested) {
                    // Equal, not at least: after a step-down a removed replica still counted ready has not gone.
                    waitingFor = "ready";
                    settling = true;
                    verifiedSince = null;
                } else if (settle && requested > 0 && !look.settled(requested)) {
                    waitingFor = "settle";
                    settling = true;
                    verifiedSince = null;
                } else if (settle && requested > 0 && settleElapsed.compareTo(settleReadAfter) < 0) {
                    settleUsed = false;
                    // QUIET this soon after the write is the cluster before it (settle recheck M1: a 15s verify
                    // window passed on it and the next step removed a second node while the first handed off).
                    waitingFor = "settle (read from " + human(settleReadAfter) + (fromReady
                            ? " after the new replicas are ready, once querycoord's moves onto them can show"
                            : " after the write, once Prometheus has scraped the step") + ": scale-in.settle-read-after)";
                    settling = true;
                    verifiedSince = null;
                } else if (checkHarm && requested > 0 && !look.healthy()) {
                    // At 0 (--force-range) no pod of the component is left to hand segments to, serve or report: a
                    // settle query, a per-pod signal and a health query over its own pods read empty by construction,
                    // and waiting for them timed out a scale that had happened (scale audit M8). The pods must be
                    // gone, and harm is still checked at every poll.
                    waitingFor = "health and signals" + (look.unknown().isEmpty() ? "" : ": " + String.join(", ",
                            look.unknown()));
                    verifiedSince = null;
                } else {
                    if (verifiedSince == null) {
                        verifiedSince = now;
                        if (checkHarm && requested == 0 && !look.healthy()) {
                            // Said, not hidden: at 0 the checks read what is known, and here that is not everything.
                            List<String> missing = new ArrayList<>();
                            if (look.observation().health() == Health.UNKNOWN) {
                                missing.add("health");
                            }
                            missing.addAll(look.unknown());
                            progress.event(stage.label() + ": no pod is left to report; judged on the pods being gone"
                                    + " and no harm read, without data on " + String.join(", ", missing));
                        }
                    }
                    if (Duration.between(verifiedSince, now).compareTo(verify) >= 0) {
                        return new WaitResult(Ended.PASSED, "", look, stage);
                    }
                    waitingFor = stage.hold() + " (" + human(verify) + ")";
                }
                if (now.isAfter(deadline)) {
                    return new WaitResult(Ended.TIMEOUT, waitingFor + " after " + human(timeout) + " ("
                            + look.describe(settleUsed) + ")", look, stage, settling);
                }
                progress.waiting(stage.label() + ": waiting for " + waitingFor, human(elapsed) + " of " + human(timeout)
                        + ", " + look.describe(settleUsed));
                if (sleepOrStop()) {
                    return new WaitResult(Ended.INTERRUPTED, "interrupted", look, stage);
                }
            }
        }

        /**
         * The verify window still owed to the step-down the object's {@code last-scale-*} annotations record
         * ({@link LastStepDown#of}); the whole window when the object cannot be read: no removal on a guess.
         */
        private LastStepDown lastStepDown() {
            try {
                ReplicaStatus status = orStop(() -> actuator.read(target));
                return status == null ? LastStepDown.NONE : LastStepDown.of(status.lastScale(), verifyOf(),
                        plan.settle(), clock.instant());
            } catch (ActuationException e) {
                return new LastStepDown(verifyOf(), "for the verify window (" + human(verifyOf()) + "): when the last"
                        + " step-down was could not be read (" + e.getMessage() + ")");
            }
        }

        /**
         * One look, given up when Ctrl-C comes while it runs (null then): a look is a round of Prometheus queries of up
         * to prometheus.timeout each, which Ctrl-C waited out (6 s at 1 s a query; scale recheck N6). A look only
         * reads, so the one given up is left to end on its own.
         */
        private Look lookOrStop(int requested) {
            return orStop(() -> checks.look(requested));
        }

        /** {@code read} on another thread, given up (null) when Ctrl-C comes while it runs; it only reads. */
        private <T> T orStop(java.util.function.Supplier<T> read) {
            java.util.concurrent.CompletableFuture<T> f = java.util.concurrent.CompletableFuture.supplyAsync(read);
            while (true) {
                try {
                    return f.get(100, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    if (stopped()) {
                        return null;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }

        /** Waits one poll interval; true when Ctrl-C came meanwhile. */
        private boolean sleepOrStop() {
            try {
                return stop.await(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }

        /**
         * {@code milvus-autoscaler scale --config F --target T --to n}, with the options this run was given that the
         * next one needs to run the same way: --yes (a script's run without a terminal was refused as printed, recheck
         * 59 F3), --reason (so the pause still says why), --force-range, --keep-paused, --no-rollback-on-harm.
         */
        private String command(int n) {
            return "milvus-autoscaler scale --config " + selection.config + " --target " + target.id() + " --to " + n
                    + (forceRange ? " --force-range" : "") + (keepPaused ? " --keep-paused" : "")
                    + (rollbackOnHarm ? "" : " --no-rollback-on-harm")
                    + (reason == null || reason.isBlank() ? "" : " --reason " + shellQuoted(reason))
                    + (yes ? " --yes" : "");
        }

        private boolean stopped() {
            return stop.getCount() == 0 || Thread.currentThread().isInterrupted();
        }

        /** Step {@code step} of the plan, waiting for {@code requested} replicas. */
        private Stage stage(int step, int requested) {
            return new Stage("step " + step + " of " + plan.steps() + " (" + target.component() + " -> " + requested
                    + ")", "at step " + step + " of " + plan.steps());
        }

        /**
         * Ends an interrupted run: where the cluster is, that the pause stays, and the two ways on; {@code note} adds
         * what the person must know beyond that (harm seen as it stopped), or is empty.
         */
        /** Ctrl-C while harm showed after step {@code step}: nothing is rolled back; the command that puts it back. */
        private int interruptedWithHarm(int step, int at, String harm) {
            return interruptedAt(step, "while waiting", " Harm was seen as it stopped: " + harm + "; nothing was"
                    + " rolled back after the interrupt. To put the replica back: " + command(at) + " --take-over");
        }

        private int interruptedAt(int completedSteps, String when, String note) {
            return interruptedAt(when + (completedSteps == 0 ? " (no step written)" : " (step " + completedSteps
                    + " of " + plan.steps() + ")"), note);
        }

        /** As above, with {@code when} saying which steps are done itself (a write in flight may have landed). */
        private int interruptedAt(String when, String note) {
            progress.end();
            String cmd = "milvus-autoscaler resume --config " + selection.config + " --target " + target.id();
            // Said from the last read, not read again: the API server may be what hangs (scale recheck 2, L3).
            String where = actuator instanceof LastRead l ? l.said(target).orElseGet(this::where) : where();
            err.println("scale: interrupted " + when + "; " + where + note + " The pause stays ("
                    + (pause == null ? "milvus-autoscaler.io/paused" : pause.pausedKey() + " on " + pause.object())
                    + ") so the daemon keeps off. Resume with: " + cmd + "   or continue with: " + command(plan.to())
                    + " --take-over");
            err.flush();
            return EXIT_INTERRUPTED;
        }

        /** {@code queryNode is at 3 replicas (3 ready).}, read now. */
        private String where() {
            try {
                ReplicaStatus s = actuator.read(target);
                return target.component() + " is at " + s.current() + " replicas (" + s.ready() + " ready) now.";
            } catch (ActuationException e) {
                return "could not read " + target + " now: " + e.getMessage();
            }
        }

        /**
         * Lifts the pause this command set or took over (unless --keep-paused), and only that one; false when the
         * target is still paused afterwards, which a script must see (scale audit M3: "resumed" was printed while a
         * pause set by hand meanwhile kept the daemon off).
         */
        private boolean liftPause() {
            if (!pausedHere) {
                return true;
            }
            if (keepPaused || harmLeftAt > 0) {
                try {
                    // Marked as kept, so a later scale reads it as a pause left on purpose, not as a run that may still
                    // be at work (which it would refuse and steer to --take-over; scale recheck N5).
                    marks.takeOver(target, pause, pause.by().orElse(who) + PauseMarks.KEPT, clock.instant());
                } catch (ActuationException e) {
                    err.println("scale: could not mark the kept pause on " + target + " as kept: " + e.getMessage());
                }
                String resume = "milvus-autoscaler resume --config " + selection.config + " --target " + target.id();
                if (keepPaused) {
                    out.println("the daemon stays paused for " + target + " (--keep-paused); resume with: " + resume);
                } else {
                    err.println("scale: the daemon stays paused for " + target + ", so it does not roll the step back"
                            + " either (--no-rollback-on-harm). Put the replica back with: milvus-autoscaler scale"
                            + " --config " + selection.config + " --target " + target.id() + " --to " + harmLeftAt
                            + "; or hand the target back to the daemon, which rolls the step back within its"
                            + " verify window if the harm is still there, with: " + resume);
                }
                return true;
            }
            try {
                PauseMarks.Mark was = marks.resumeOwn(target, pause);
                boolean lifted = was.samePause(pause);
                PauseMarks.Mark now = lifted ? marks.read(target) : was;
                if (now.paused()) {
                    err.println("scale: " + (lifted ? "lifted this run's pause, but " : "this run's pause was replaced; ")
                            + target + " is still paused on " + now.object() + now.by().map(b -> " by " + b)
                            .orElse(" by an annotation set by hand") + "; the daemon stays off until that pause is"
                            + " lifted" + (now.ours() ? " (milvus-autoscaler resume --config " + selection.config
                            + " --target " + target.id() + ")" : ": " + PauseCommand.liftCommand(target, now)));
                    return false;
                }
                out.println(lifted ? "resumed the daemon for " + target
                        : "the pause on " + target + " had already been lifted by someone else; the daemon is on");
                return true;
            } catch (ActuationException e) {
                err.println("scale: could not lift the pause on " + target + ": " + e.getMessage()
                        + "; the daemon stays paused until you lift it with: milvus-autoscaler resume --config "
                        + selection.config + " --target " + target.id());
                return false;
            }
        }
    }

    /**
     * Progress: on a terminal one line rewritten in place (current step, what it waits for, elapsed, the settle
     * value); otherwise one line per event and one when what it waits for changes, so logs stay short.
     */
    static final class Progress {
        private final PrintWriter out;
        private final boolean tty;
        private String lastWaiting = "";
        private boolean lineOpen;

        Progress(PrintWriter out, boolean tty) {
            this.out = out;
            this.tty = tty;
        }

        void event(String line) {
            end();
            out.println(line);
            out.flush();
        }

        void waiting(String what, String detail) {
            if (tty) {
                String line = what + " [" + detail + "]";
                out.print("\r" + line + "\033[K");
                lineOpen = true;
            } else if (!what.equals(lastWaiting)) {
                out.println(what + " [" + detail + "]");
            }
            lastWaiting = what;
            out.flush();
        }

        void end() {
            if (lineOpen) {
                out.println();
                lineOpen = false;
            }
            lastWaiting = "";
            out.flush();
        }
    }

    /** {@code 200ms}, {@code 5s}, {@code 30m}, {@code 1h}, or ISO-8601 ({@code PT5S}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)");

        @Override
        public Duration convert(String value) {
            Matcher m = SIMPLE.matcher(value.strip());
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            try {
                return Duration.parse(value.strip());
            } catch (java.time.format.DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 200ms, 5s, 30m,"
                        + " 1h)");
            }
        }
    }

    private static String fmt(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
