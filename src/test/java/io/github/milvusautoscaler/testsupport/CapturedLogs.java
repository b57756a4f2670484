package io.github.milvusautoscaler.testsupport;

import static java.util.Objects.requireNonNull;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What one class logs while a test runs, for asserting on log lines: attached on {@link #of}, detached on
 * {@link #close}, so a test's try-with-resources leaves the logger as it found it.
 */
public final class CapturedLogs implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private CapturedLogs(Logger logger) {
        this.logger = logger;
        appender.start();
        logger.addAppender(appender);
    }

    /** Starts capturing what {@code owner}'s logger logs. */
    public static CapturedLogs of(Class<?> owner) {
        return new CapturedLogs((Logger) LoggerFactory.getLogger(requireNonNull(owner, "owner")));
    }

    /** The events logged so far, oldest first. */
    public List<ILoggingEvent> events() {
        return List.copyOf(appender.list);
    }

    /** The formatted messages logged so far, oldest first. */
    public List<String> messages() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** The formatted messages logged at WARN so far, oldest first. */
    public List<String> warnings() {
        return events().stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** The formatted messages logged at ERROR so far, oldest first. */
    public List<String> errors() {
        return events().stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    /**
     * The formatted messages logged so far about a server every target shares, oldest first: marked
     * {@link io.github.milvusautoscaler.core.LogFields#DAEMON_WIDE}, so the JSON log gives them no target.
     */
    public List<String> daemonWide() {
        return events().stream().filter(CapturedLogs::isDaemonWide).map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** Whether {@code e} is marked as a line about a server every target shares. */
    public static boolean isDaemonWide(ILoggingEvent e) {
        return e.getMarkerList() != null && e.getMarkerList().stream()
                .anyMatch(m -> m.getName().equals(io.github.milvusautoscaler.core.LogFields.DAEMON_WIDE));
    }

    /** Forgets what was logged so far. */
    public void clear() {
        appender.list.clear();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
