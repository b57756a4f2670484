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
