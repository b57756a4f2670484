package io.github.milvusautoscaler.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
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
