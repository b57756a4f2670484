package io.github.milvusautoscaler.engine;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.DecisionSink;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes decisions as JSON Lines ({@link DecisionJson}) to a file or standard output.
 *
 * <p>Each line is flushed as it is written so a crash loses at most the line in flight, and
 * {@code tail -f} shows decisions as they happen.
 */
public final class DecisionLogWriter implements DecisionSink, AutoCloseable {

    private final Writer out;
    private final boolean flushEachLine;
    /** Whether {@link #close()} closes {@code out}: not for standard output, which the process still needs. */
    private final boolean owned;

    /** A writer to {@code out}; closing it closes {@code out} only when lines are not flushed each (a file). */
    public DecisionLogWriter(Writer out, boolean flushEachLine) {
        this(out, flushEachLine, !flushEachLine);
    }

    private DecisionLogWriter(Writer out, boolean flushEachLine, boolean owned) {
        this.out = requireNonNull(out, "out");
        this.flushEachLine = flushEachLine;
        this.owned = owned;
    }

    /** Opens {@code path} for appending ("-" means standard output), flushing each line. */
    public static DecisionLogWriter open(String path) {
        requireNonNull(path, "path");
        if (path.equals("-")) {
            return new DecisionLogWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true, false);
        }
        try {
            Path p = Path.of(path);
            if (p.getParent() != null) {
                Files.createDirectories(p.getParent());
            }
            // Owned: closing the daemon closes the file (it leaked its handle before).
            return new DecisionLogWriter(Files.newBufferedWriter(p, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND), true, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open decision log " + path + ": " + e.getMessage(), e);
        }
    }

    /** A buffered writer to a new file, flushed only on close: for simulator runs of millions of ticks. */
    public static DecisionLogWriter create(Path file) throws IOException {
        return new DecisionLogWriter(new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16),
                false);
    }

    @Override
    public synchronized void record(Decision decision) {
        try {
            out.write(DecisionJson.toJsonLine(decision));
            out.write('\n');
            if (flushEachLine) {
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write decision log: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.flush();
        if (owned) {
            out.close();
        }
    }
}
