package io.github.milvusautoscaler.engine;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one control loop per target on the configured interval.
 *
 * <p>Each target's first tick is delayed by a random part of {@code jitter}, so 100 targets do not
 * query Prometheus in the same millisecond. Ticks run on a worker pool, so a target whose
 * Prometheus query or API call hangs delays only itself; a tick still running when the next is
 * due is skipped and counted, never stacked.
 */
public final class Scheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /** How often a target's skipped ticks are logged at most. */
    static final Duration SKIP_SAID_EVERY = Duration.ofMinutes(1);
    /** How long a reload waits for a removed target's tick in flight (longer than a tick's API retries). */
    static final Duration REMOVAL_WAIT = Duration.ofSeconds(30);

    private final Engine engine;
    private final Duration removalWait;
    private final Duration interval;
    private final Duration jitter;
    private final Random random;
    private final LoopTimer timer;
    private final ExecutorService workers;
    private final Map<Target, Loop> loops = new HashMap<>();
    /**
     * Loops a reload removed while their tick ran past {@link #REMOVAL_WAIT}: until that tick ends, a loop of the same
     * target added again by a later reload starts no tick of its own (concurrency audit F5: the two ran at once, and
     * the old one's end erased the new one's state).
     */
    private final Map<Target, Loop> retiring = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong overruns = new AtomicLong();
    /** When a late timer was last said (for all loops at once: a frozen process is late for every one). */
    private final AtomicReference<Long> lateSaid = new AtomicReference<>();

    /** One target's loop: its current settings, whether a tick is in flight, and whether it was stopped. */
    private final class Loop {
        final AtomicReference<EngineTarget> target;
        final AtomicBoolean running = new AtomicBoolean();
        Runnable cancelSchedule;
        /** Guarded by this loop: once set, no tick starts. */
        private boolean stopped;
        /** Guarded by this loop: the tick in flight, if any. */
        private Future<?> inFlight;
        /** Guarded by this loop: when the tick in flight started, and when a skip was last said. */
        private java.time.Instant startedAt;
        private java.time.Instant skipSaid;
        /** Guarded by this loop: whether the tick in flight was asked for out of schedule ({@link #fireNow}). */
        private boolean inFlightAsked;
        /**
         * Guarded by this loop: when the timer last fired this loop's schedule, on the timer's own clock (monotonic on
         * the system clock), so a wall clock stepped by NTP is neither a catch-up nor a late timer.
         */
        private long lastDueNanos;
        private boolean fired;

        Loop(EngineTarget target) {
            this.target = new AtomicReference<>(target);
        }

        /**
         * The timer's firing: after a stretch in which this process did not run (SIGSTOP, a suspended node, a long GC
         * pause) a fixed-rate timer fires every period it missed at once. One tick is due then, not several: the others
         * are dropped here, neither counted as skipped nor said, where a thawed daemon said 16 times that "a tick due
         * now is skipped: the previous one has run 0s" (recheck 47, R4). The late firing itself is said once a minute
         * for all loops.
         */
        synchronized void due() {
            if (stopped) {
                return;
            }
            long now = timer.nanos();
            Duration since = Duration.ofNanos(now - lastDueNanos);
            if (fired && since.compareTo(interval.dividedBy(2)) < 0) {
                LOG.debug("{}: a tick the timer fires {} after the last is a missed period's catch-up; not run",
                        target.get().target().id(), Durations.human(since));
                return;
            }
            boolean late = fired && since.minus(interval).compareTo(interval) >= 0;
            fired = true;
            lastDueNanos = now;
            if (late) {
                lateSaid(since.minus(interval));
                if (running.get()) {
                    // The tick in flight was stopped with the process, not stalled on a call: skipping the tick due
                    // now is no overrun, and "the previous one has run 72s" sent a person to the API server
                    // (recheck 50, F1).
                    LOG.debug("{}: a tick due after the timer fired late is skipped: the one in flight was stopped"
                            + " with the process", target.get().target().id());
                    return;
                }
            }
            fire(false);
        }

        /**
         * A tick asked for out of schedule (an alert arrived): while this loop's own tick started less than an interval
         * ago is still running, it is no overrun, and the next tick reads the alert; it was counted as a skipped tick
         * and said as "the previous one has run 0s and still waits on the API server or Prometheus" (recheck 77's
         * remark). A tick running longer is one, said as the timer's are.
         */
        synchronized void fireNow() {
            java.time.Instant started = startedAt;
            if (!stopped && running.get() && started != null
                    && Duration.between(started, engine.clock().instant()).compareTo(interval) < 0) {
                LOG.debug("{}: a tick asked for now comes while the one started {} ago runs; the next reads what it"
                        + " was asked for", target.get().target().id(),
                        Durations.human(Duration.between(started, engine.clock().instant())));
                return;
            }
            fire(true);
        }

        /**
         * Starts a tick unless one runs. The timer's tick due while a tick an alert asked for, started less than an
         * interval ago, still runs is no overrun either: that tick is this period's (recheck 109, F3: an alert 0.1 s
         * before the timer, "a tick due now is skipped: the previous one has run 0s and still waits on the API
         * server", and a ticks-skipped count with nothing hung).
         */
        private synchronized void fire(boolean asked) {
            if (stopped) {
                return;
            }
            java.time.Instant now = engine.clock().instant();
            Loop old = retiring.get(target.get().target());
            boolean oldRunning = old != null && old != this && old.running.get();
            java.time.Instant started = startedAt;
            if (!asked && !oldRunning && inFlightAsked && running.get() && started != null
                    && Duration.between(started, now).compareTo(interval) < 0) {
                LOG.debug("{}: the tick due now is the one an alert asked for {} ago, still running",
                        target.get().target().id(), Durations.human(Duration.between(started, now)));
                return;
            }
            if (oldRunning || !running.compareAndSet(false, true)) {
                overruns.incrementAndGet();
                // Counted in milvus_autoscaler_ticks_skipped_total, and said here once a minute per target: the
                // decision log shows nothing while a tick hangs, so a slow API server or Prometheus was otherwise
                // visible only as a metric.
                if (skipSaid == null || !now.isBefore(skipSaid.plus(SKIP_SAID_EVERY))) {
                    skipSaid = now;
                    LOG.warn("{}: a tick due now is skipped: {}", target.get().target().id(), oldRunning
                            ? "the tick of this target's loop a reload removed is still running, and one target's"
                            + " ticks never overlap"
                            : "the previous one has run " + (startedAt == null ? "a while"
                            : Durations.setting(Duration.ofSeconds(Duration.between(startedAt, now).toSeconds())))
                            + " and still waits on the API"
                            + " server, a kubeconfig credentials plugin's first token or Prometheus (each call is bounded by kubernetes.request-timeout and"
                            + " prometheus.timeout, with their retries)");
                }
                return;
            }
            startedAt = now;
            inFlightAsked = asked;
            try {
                inFlight = workers.submit(this::run);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                running.set(false);
            }
        }

        /** Starts no further tick; returns the one in flight (to wait for), or null. */
        synchronized Future<?> stop() {
            stopped = true;
            cancelSchedule.run();
            return running.get() ? inFlight : null;
        }

        private void run() {
            try {
                engine.tick(target.get());
            } catch (RuntimeException e) {
                LOG.error("tick of {} failed: {}", target.get().target().id(), e.toString(), e);
            } finally {
                running.set(false);
                boolean late;
                synchronized (this) {
                    late = stopped;
                }
                if (late) {
                    Target t = target.get().target();
                    retiring.remove(t, this);
                    // Removed while this tick ran past the removal's wait: drop what it put back.
                    forgetUnlessAddedAgain(t);
                }
            }
        }
    }

    public Scheduler(Engine engine, Duration interval, Duration jitter, long seed) {
        this(engine, interval, jitter, seed, REMOVAL_WAIT);
    }

    /** As above, waiting {@code removalWait} for a removed target's tick in flight (tests shorten it). */
    Scheduler(Engine engine, Duration interval, Duration jitter, long seed, Duration removalWait) {
        this.removalWait = requireNonNull(removalWait, "removalWait");
        this.engine = requireNonNull(engine, "engine");
        this.interval = requireNonNull(interval, "interval");
        this.jitter = requireNonNull(jitter, "jitter");
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("loop interval must be > 0");
        }
        this.random = new Random(seed);
        this.timer = engine.clock() instanceof ManualClock manual ? new ManualTimer(manual) : new SystemTimer();
        this.workers = Executors.newCachedThreadPool(named("tick"));
    }

    /**
     * Starts loops for new targets, stops loops of removed ones, and swaps the settings of the
     * others in place (their policy state is kept). Used at start and on every config reload.
     *
     * <p>A removed target's tick in flight is waited for (up to {@link #REMOVAL_WAIT}) before the
     * target is forgotten: forgotten first, the tick would put it back into status and /metrics
     * for good, and could still write after the reload removed it.
     */
    public void update(List<EngineTarget> targets) {
        update(targets, targets.stream().map(EngineTarget::target).collect(java.util.stream.Collectors.toSet()));
    }

    /**
     * As {@link #update(List)}; a stopped target that is the same object as one in {@code next} under another id
     * (a Helm and an operator install of one name joined or parted, {@link Target#nameShared}) hands its state to that
     * id ({@link Engine#renamed}) rather than being forgotten. {@code next} is the config being loaded: {@link #retain}
     * stops the old ids before the new loops start.
     */
    private void update(List<EngineTarget> targets, java.util.Set<Target> next) {
        Map<Target, Future<?>> stopping = new HashMap<>();
        synchronized (this) {
            Map<Target, EngineTarget> wanted = new HashMap<>();
            for (EngineTarget t : targets) {
                wanted.put(t.target(), t);
            }
            loops.entrySet().removeIf(e -> {
                if (!wanted.containsKey(e.getKey())) {
                    Future<?> tick = e.getValue().stop();
                    stopping.put(e.getKey(), tick);
                    if (tick != null) {
                        retiring.put(e.getKey(), e.getValue());
                    }
                    return true;
                }
                return false;
            });
            start(targets);
        }
        for (Map.Entry<Target, Future<?>> e : stopping.entrySet()) {
            Target old = e.getKey();
            boolean ended = awaitTick(old, e.getValue());
            if (ended) {
                retiring.remove(old);
            }
            Target renamed = ended ? newIdOf(old, next) : null;
            if (renamed != null) {
                handOver(old, renamed);
            } else {
                forgetUnlessAddedAgain(old);
            }
            LOG.info("stopped loop for {}", old.id());
        }
    }

    /** The target of {@code next} that is {@code old}'s object under another id, or null. */
    private static Target newIdOf(Target old, java.util.Set<Target> next) {
        return next.stream().filter(t -> !t.equals(old) && t.sameObject(old)).findFirst().orElse(null);
    }

    /** Hands a renamed target's state to its new id, unless its old id was added again meanwhile (that loop owns it). */
    private synchronized void handOver(Target old, Target renamed) {
        if (!loops.containsKey(old)) {
            engine.renamed(old, renamed);
        }
    }

    /**
     * Forgets a removed target's view and state, unless a later reload added it again: its new loop owns them then.
     */
    private synchronized void forgetUnlessAddedAgain(Target target) {
        if (!loops.containsKey(target)) {
            engine.forget(target);
        }
    }

    /** Waits for a removed target's tick in flight; false when it is still running after {@link #REMOVAL_WAIT}. */
    private boolean awaitTick(Target target, Future<?> tick) {
        if (tick == null) {
            return true;
        }
        try {
            tick.get(removalWait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            LOG.warn("removed target {}: its tick is still running after {}; it is forgotten when it ends",
                    target.id(), Durations.setting(removalWait));
            return false;
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            // the tick's own failure was logged by the loop
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Stops the loops of the targets not in {@code keep}, waiting for their ticks in flight as {@link #update} does;
     * the others run on as they are. A reload calls it before it swaps the Prometheus source: a removed target's
     * tick still running then observed through a source without its queries and failed, with no decision recorded
     * (concurrency audit N4). A stopped target whose object {@code keep} names under another id hands its state over
     * ({@link #update(List, java.util.Set)}).
     */
    public void retain(java.util.Set<Target> keep) {
        List<EngineTarget> current;
        synchronized (this) {
            current = loops.values().stream().map(l -> l.target.get()).filter(t -> keep.contains(t.target())).toList();
        }
        update(current, keep);
    }

    private void start(List<EngineTarget> targets) {
        for (EngineTarget t : targets) {
            Loop existing = loops.get(t.target());
            if (existing != null) {
                existing.target.set(t);
                engine.settingsChanged(t);
                continue;
            }
            Loop loop = new Loop(t);
            long delay = jitter.isZero() ? 0 : (long) (random.nextDouble() * jitter.toMillis());
            loop.cancelSchedule = timer.every(Duration.ofMillis(delay), interval, loop::due);
            loops.put(t.target(), loop);
            // With the target as a field, as every line a tick logs (recheck 68: a JSON filter on target missed it).
            LOG.atInfo().addKeyValue("target", t.target().id()).log("started loop for {} every {} (first tick in {} ms)",
                    t.target().id(), Durations.setting(interval), delay);
        }
    }

    /** Says a timer that fired {@code late} past its period, at most once a minute for every loop together. */
    private void lateSaid(Duration late) {
        long now = timer.nanos();
        Long said = lateSaid.get();
        if ((said == null || now - said >= SKIP_SAID_EVERY.toNanos()) && lateSaid.compareAndSet(said, now)) {
            LOG.warn("the tick timer fired {} late: this process did not run meanwhile (stopped, its node suspended, or"
                    + " a long GC pause); each target ticks once now, the ticks it missed are not run",
                    Durations.human(late));
        }
    }

    /** Ticks a target now, out of schedule (an alert arrived); skipped if one is already running. */
    public synchronized void tickNow(Target target) {
        Loop loop = loops.get(target);
        if (loop != null) {
            loop.fireNow();
        }
    }

    /** Whether a tick of {@code target} is running now (tests wait for it before moving a manual clock on). */
    synchronized boolean inFlight(Target target) {
        Loop loop = loops.get(target);
        return loop != null && loop.running.get();
    }

    public synchronized List<Target> targets() {
        return List.copyOf(loops.keySet());
    }

    /** Ticks skipped because the previous tick of the same target was still running. */
    public long overruns() {
        return overruns.get();
    }

    /** Stops scheduling and waits up to {@code grace} for ticks in flight (and their writes) to finish. */
    public void close(Duration grace) {
        timer.shutdown();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("ticks still running after {}; stopping them", Durations.setting(grace));
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /**
     * What fires the loops: the engine's clock decides. On the system clock a scheduled executor waits
     * for the wall clock; on a {@link ManualClock} the loops fire as the clock is moved, so a loop test
     * advances 15 s instead of waiting 15 s.
     */
    private interface LoopTimer {
        /** Runs {@code task} after {@code first}, then every {@code period}; returns its cancel. */
        Runnable every(Duration first, Duration period, Runnable task);

        /** The time the timer keeps, in nanoseconds from any origin: monotonic for the system's. */
        long nanos();

        void shutdown();
    }

    private static final class SystemTimer implements LoopTimer {
        private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(named("tick-timer"));

        @Override
        public Runnable every(Duration first, Duration period, Runnable task) {
            ScheduledFuture<?> f = executor.scheduleAtFixedRate(task, first.toMillis(), period.toMillis(),
                    TimeUnit.MILLISECONDS);
            return () -> f.cancel(false);
        }

        @Override
        public long nanos() {
            return System.nanoTime();
        }

        @Override
        public void shutdown() {
            executor.shutdownNow();
        }
    }

    private static final class ManualTimer implements LoopTimer {
        private final ManualClock clock;
        private final List<Runnable> cancels = new java.util.concurrent.CopyOnWriteArrayList<>();

        ManualTimer(ManualClock clock) {
            this.clock = clock;
        }

        @Override
        public Runnable every(Duration first, Duration period, Runnable task) {
            Runnable cancel = clock.every(first, period, task);
            cancels.add(cancel);
            return cancel;
        }

        @Override
        public long nanos() {
            java.time.Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }

        @Override
        public void shutdown() {
            cancels.forEach(Runnable::run);
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
