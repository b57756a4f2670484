package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import java.net.URL;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The shipped logback.xml (tests run with logback-test.xml, so nothing else loads it) configures
 * without errors: a broken file silently falls back to logback's defaults and floods the log.
 */
class LoggingConfigTest {

    @Test
    void shippedLogbackXmlConfiguresCleanly() throws Exception {
        URL file = Path.of("src/main/resources/logback.xml").toUri().toURL();
        LoggerContext ctx = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(ctx);
        configurator.doConfigure(file);
        int worst = ctx.getStatusManager().getCopyOfStatusList().stream().mapToInt(Status::getLevel).max().orElse(0);
        assertTrue(worst < Status.WARN, ctx.getStatusManager().getCopyOfStatusList().toString());
        assertEquals("STDERR", ctx.getLogger("ROOT").iteratorForAppenders().next().getName());
    }

    /**
     * A value from the cluster (an annotation, an API server's error text) cannot forge a record: a CR or LF
     * in the message is written as {@code \r} / {@code \n}, other control characters as {@code ?}.
     */
    @Test
    void aNewlineInAMessageCannotForgeALogLine() throws Exception {
        LoggerContext ctx = new LoggerContext();
        var appender = shippedText(ctx);
        ch.qos.logback.classic.Logger logger = ctx.getLogger("ScaleAnnotations");
        var event = new ch.qos.logback.classic.spi.LoggingEvent("test", logger, ch.qos.logback.classic.Level.WARN,
                "{}: paused=\"{}\" is no component", null, new Object[] {"deployment milvus/x",
                "bogus\r\n2026-01-01T00:00:00.000Z ERROR Daemon - FORGED\u001b[31m\ttab"});
        String line = new String(appender.getEncoder().encode(event), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.endsWith("WARN  ScaleAnnotations - deployment milvus/x: paused=\"bogus\\r\\n2026-01-01T00:00:00.000Z"
                + " ERROR Daemon - FORGED?[31m\ttab\" is no component" + System.lineSeparator()), line);
    }

    /**
     * An exception's stack trace stays in its record, its message escaped like any other: logback appends a throwable
     * the pattern does not name as lines of their own, so a tick's failure spanned 40 lines and a newline in the
     * exception's message (an API server's text) began a line of its own (recheck 91's remark).
     */
    @Test
    void aStackTraceIsPartOfItsOneLine() throws Exception {
        LoggerContext ctx = new LoggerContext();
        var appender = shippedText(ctx);
        var event = new ch.qos.logback.classic.spi.LoggingEvent("test", ctx.getLogger("Scheduler"),
                ch.qos.logback.classic.Level.ERROR, "tick of {} failed", new IllegalStateException(
                        "boom\n2026-01-01T00:00:00.000Z ERROR Daemon - FORGED"), new Object[] {"milvus/a/proxy"});
        String line = new String(appender.getEncoder().encode(event), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.contains("ERROR Scheduler - tick of milvus/a/proxy failed"
                + " java.lang.IllegalStateException: boom\\n2026-01-01T00:00:00.000Z ERROR Daemon - FORGED\\n\tat "),
                line);
        assertTrue(line.endsWith(")" + System.lineSeparator()), "the trace's last line break is the record's: " + line);
    }

    /** The shipped logback.xml loaded into {@code ctx}, and its one appender, whose encoder writes each record. */
    private static ch.qos.logback.core.OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> shippedText(
            LoggerContext ctx) throws Exception {
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(ctx);
        configurator.doConfigure(Path.of("src/main/resources/logback.xml").toUri().toURL());
        return (ch.qos.logback.core.OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent>)
                ctx.getLogger("ROOT").getAppender("STDERR");
    }

    @Test
    void shippedJsonConfigurationConfiguresCleanlyWithTheSameLoggerLevels() throws Exception {
        LoggerContext text = new LoggerContext();
        LoggerContext json = new LoggerContext();
        for (var pair : java.util.List.of(java.util.Map.entry(text, "logback.xml"), java.util.Map.entry(json,
                "logback-json.xml"))) {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(pair.getKey());
            configurator.doConfigure(Path.of("src/main/resources", pair.getValue()).toUri().toURL());
            int worst = pair.getKey().getStatusManager().getCopyOfStatusList().stream().mapToInt(Status::getLevel).max()
                    .orElse(0);
            assertTrue(worst < Status.WARN, pair.getKey().getStatusManager().getCopyOfStatusList().toString());
        }
        assertEquals("JSON", json.getLogger("ROOT").iteratorForAppenders().next().getName());
        for (String name : java.util.List.of("ROOT", "io.kubernetes", "io.kubernetes.client.extended.leaderelection",
                "okhttp3")) {
            assertEquals(text.getLogger(name).getLevel(), json.getLogger(name).getLevel(), name);
        }
    }
}
