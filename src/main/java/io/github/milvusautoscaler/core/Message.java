package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.util.function.Supplier;

/**
 * A decision's one-sentence message, built the first time it is read. Why: every target gets a
 * decision every tick, yet only some are ever read (the simulator keeps the actions and the HOLDs
 * whose reason changed: about 9,000 of a year's 1.24 million ticks), and formatting the numbers
 * and durations of each sentence cost more than the decision itself.
 *
 * <p>Equal when the texts are equal; {@link #toString()} is the text, so a message can be
 * concatenated or logged as it is. The builder must read only values that never change (the
 * policy's records, effectively final locals): a message read later says exactly what it would
 * have said at once.
 *
 * <p>Thread-safe: two threads reading an unbuilt message at once may both build it, and get equal
 * texts; a String is immutable, so publishing it without a lock is safe.
 */
public final class Message {

    private final Supplier<String> builder;
    private String text;

    private Message(Supplier<String> builder, String text) {
        this.builder = builder;
        this.text = text;
    }

    /** A message whose text is already known. */
    public static Message of(String text) {
        return new Message(null, requireNonNull(text, "message"));
    }

    /** A message built by {@code builder} when first read; the builder must not return null. */
    public static Message lazy(Supplier<String> builder) {
        return new Message(requireNonNull(builder, "builder"), null);
    }

    /** The sentence, built now if it was not yet. */
    public String text() {
        String t = text;
        if (t == null) {
            t = requireNonNull(builder.get(), "a message builder returned null");
            text = t;
        }
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && text().equals(m.text());
    }

    @Override
    public int hashCode() {
        return text().hashCode();
    }

    @Override
    public String toString() {
        return text();
    }
}
