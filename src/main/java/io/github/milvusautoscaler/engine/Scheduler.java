package io.github.milvusautoscaler.engine;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
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

    private final Engine engine;
    private final Duration interval;
    private final Duration jitter;
    private final Random random;
    private final ScheduledExecutorService timer;
    private final ExecutorService workers;
    private final Map<Target, Loop> loops = new HashMap<>();
    private final AtomicLong overruns = new AtomicLong();

    /** One target's loop: its current settings, and whether a tick is in flight. */
    private final class Loop {
        final AtomicReference<EngineTarget> target;
        final AtomicBoolean running = new AtomicBoolean();
        ScheduledFuture<?> schedule;

        Loop(EngineTarget target) {
            this.target = new AtomicReference<>(target);
        }

        void fire() {
            if (!running.compareAndSet(false, true)) {
                overruns.incrementAndGet();
                return;
            }
            try {
                workers.execute(this::run);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                running.set(false);
            }
        }

        private void run() {
            try {
                engine.tick(target.get());
            } catch (RuntimeException e) {
                LOG.error("tick of {} failed: {}", target.get().target().id(), e.toString(), e);
            } finally {
                running.set(false);
            }
        }
    }

    public Scheduler(Engine engine, Duration interval, Duration jitter, long seed) {
        this.engine = requireNonNull(engine, "engine");
        this.interval = requireNonNull(interval, "interval");
        this.jitter = requireNonNull(jitter, "jitter");
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("loop interval must be > 0");
        }
        this.random = new Random(seed);
        this.timer = Executors.newSingleThreadScheduledExecutor(named("tick-timer"));
        this.workers = Executors.newCachedThreadPool(named("tick"));
    }

    /**
     * Starts loops for new targets, stops loops of removed ones, and swaps the settings of the
     * others in place (their policy state is kept). Used at start and on every config reload.
     */
    public synchronized void update(List<EngineTarget> targets) {
        Map<Target, EngineTarget> wanted = new HashMap<>();
        for (EngineTarget t : targets) {
            wanted.put(t.target(), t);
        }
        loops.entrySet().removeIf(e -> {
            if (!wanted.containsKey(e.getKey())) {
                e.getValue().schedule.cancel(false);
                engine.forget(e.getKey());
                LOG.info("stopped loop for {}", e.getKey().id());
                return true;
            }
            return false;
        });
        for (EngineTarget t : targets) {
            Loop existing = loops.get(t.target());
            if (existing != null) {
                existing.target.set(t);
                continue;
            }
            Loop loop = new Loop(t);
            long delay = jitter.isZero() ? 0 : (long) (random.nextDouble() * jitter.toMillis());
            loop.schedule = timer.scheduleAtFixedRate(loop::fire, delay, interval.toMillis(), TimeUnit.MILLISECONDS);
            loops.put(t.target(), loop);
            LOG.info("started loop for {} every {} (first tick in {} ms)", t.target().id(), interval, delay);
        }
    }

    /** Ticks a target now, out of schedule (an alert arrived); skipped if one is already running. */
    public synchronized void tickNow(Target target) {
        Loop loop = loops.get(target);
        if (loop != null) {
            loop.fire();
        }
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
        timer.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("ticks still running after {}; stopping them", grace);
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

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
