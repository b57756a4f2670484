package io.github.milvusautoscaler.testsupport;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for a condition by polling, never by a fixed sleep: real servers (Prometheus' first scrape,
 * file_sd updates) take a variable 1-5 s, so a test waits exactly as long as needed and fails with
 * the last value it saw.
 */
public final class Poll {

    private Poll() {
    }

    /**
     * Evaluates {@code probe} until {@code done} accepts its value, and returns that value.
     *
     * @throws AssertionError naming {@code what} and the last value when {@code timeout} passes
     */
    public static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<? super T> done) {
        requireNonNull(probe, "probe");
        requireNonNull(done, "done");
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 50;
        T last = null;
        RuntimeException lastError = null;
        while (true) {
            try {
                last = probe.get();
                lastError = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) {
                lastError = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError failure = new AssertionError(what + " not reached within " + timeout.toSeconds()
                        + "s; last seen: " + (lastError != null ? lastError : last));
                if (lastError != null) {
                    failure.initCause(lastError);
                }
                throw failure;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
            pause = Math.min(250, pause * 2);
        }
    }
}
