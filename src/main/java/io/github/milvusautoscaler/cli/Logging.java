package io.github.milvusautoscaler.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.URL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Switches the log output between text (default, logback.xml) and JSON lines for log pipelines
 * (logback-json.xml, both shipped in the jar).
 */
final class Logging {

    /** The shipped JSON configuration, on the classpath. */
    static final String JSON_CONFIG = "/logback-json.xml";

    private Logging() {
    }

    /** Log formats accepted by {@code --log-format}. */
    enum Format {
        text,
        json
    }

    /**
     * A writer whose every line is one ERROR log line of {@code logger}: with {@code --log-format json} the errors
     * that stop {@code run} before it starts (a configuration error at its file:line, a port in use, no Kubernetes
     * credentials) reach a log pipeline as JSON like every other line, not as bare text it cannot parse.
     */
    static PrintWriter errorLines(String logger) {
        Logger log = LoggerFactory.getLogger(logger);
        return new PrintWriter(new Writer() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(char[] chars, int offset, int length) {
                for (int i = offset; i < offset + length; i++) {
                    if (chars[i] == '\n') {
                        emit();
                    } else if (chars[i] != '\r') {
                        line.append(chars[i]);
                    }
                }
            }

            @Override
            public void flush() {
                // A line is logged whole when it ends; a flush mid-line waits for the rest.
            }

            @Override
            public void close() {
                if (!line.isEmpty()) {
                    emit();
                }
            }

            private void emit() {
                log.error("{}", line);
                line.setLength(0);
            }
        }, true);
    }

    /**
     * Raises {@code packageName}'s loggers to WARN until the returned handle is closed: {@code scale} prints each of
     * its writes as a progress line, and the actuator's INFO line for the same write, in another format between
     * them, read as a second write (SRE audit L17). Warnings and errors still show.
     */
    static Restore warningsOnly(String packageName) {
        return atLeast(packageName, ch.qos.logback.classic.Level.WARN);
    }

    /**
     * Raises {@code name}'s loggers to ERROR until the returned handle is closed: a backtest drives the engine against
     * a pretend object on a replayed clock, where the engine's warnings (a recorded stop at 0 it follows read as "replicas
     * changed outside milvus-autoscaler") would be stamped with today's time and speak of a cluster write that never
     * happens; the report names what the replay followed.
     */
    static Restore errorsOnly(String name) {
        return atLeast(name, ch.qos.logback.classic.Level.ERROR);
    }

    static Restore atLeast(String name, ch.qos.logback.classic.Level level) {
        ch.qos.logback.classic.Logger logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(name);
        ch.qos.logback.classic.Level before = logger.getLevel();
        logger.setLevel(level);
        return () -> logger.setLevel(before);
    }

    /** Puts a logger's level back; closing cannot fail. */
    interface Restore extends AutoCloseable {
        @Override
        void close();
    }

    static void configure(Format format) {
        if (format != Format.json) {
            return;
        }
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        URL config = Logging.class.getResource(JSON_CONFIG);
        if (config == null) {
            throw new IllegalStateException(JSON_CONFIG + " is missing from the jar");
        }
        ctx.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(ctx);
        try {
            configurator.doConfigure(config);
        } catch (JoranException e) {
            throw new IllegalStateException("cannot load " + JSON_CONFIG + ": " + e.getMessage(), e);
        }
    }
}
