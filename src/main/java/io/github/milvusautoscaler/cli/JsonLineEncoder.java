package io.github.milvusautoscaler.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.google.gson.JsonObject;
import io.github.milvusautoscaler.core.LogFields;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per log line for log pipelines ({@code --log-format json}, logback-json.xml):
 * {@code time}, {@code level}, {@code logger}, {@code thread}, the formatted {@code message}, then
 * every key-value pair of the event (SLF4J's {@code addKeyValue}: {@code target}, {@code reason},
 * {@code error}, ...) and every MDC entry as top-level fields, and an {@code exception} with its
 * stack trace. logback's own JsonEncoder writes the message template ({@code "{} {}: {}"}) and
 * nests key-values in a list, which a query such as {@code target="milvus/a/queryNode"} cannot find. A line marked
 * {@link LogFields#DAEMON_WIDE} (a server every target shares is unreachable) has no {@code target}, whichever tick's
 * thread said it.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {

    /** Fields the encoder writes itself; a key-value of the same name is dropped rather than overwrite them. */
    private static final Set<String> RESERVED = Set.of("time", "level", "logger", "thread", "message", "exception");
    private static final java.time.format.DateTimeFormatter TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(java.time.ZoneOffset.UTC);

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        JsonObject o = new JsonObject();
        // Always with milliseconds, as the text format: Instant.toString() drops ".000", and one line in a thousand
        // had a shape a fixed-format parser refused.
        o.addProperty("time", TIME.format(Instant.ofEpochMilli(event.getTimeStamp())));
        o.addProperty("level", event.getLevel().toString());
        o.addProperty("logger", event.getLoggerName());
        o.addProperty("thread", event.getThreadName());
        o.addProperty("message", event.getFormattedMessage());
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair kv : event.getKeyValuePairs()) {
                add(o, kv.key, kv.value);
            }
        }
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc != null) {
            boolean daemonWide = event.getMarkerList() != null
                    && event.getMarkerList().stream().anyMatch(m -> m.contains(LogFields.DAEMON_WIDE));
            mdc.forEach((k, v) -> {
                if (!(daemonWide && LogFields.TARGET.equals(k))) {
                    add(o, k, v);
                }
            });
        }
        IThrowableProxy t = event.getThrowableProxy();
        if (t != null) {
            o.addProperty("exception", ThrowableProxyUtil.asString(t));
        }
        return (o + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void add(JsonObject o, String key, Object value) {
        if (key == null || RESERVED.contains(key) || o.has(key)) {
            return;
        }
        if (value instanceof Number n) {
            o.addProperty(key, n);
        } else if (value instanceof Boolean b) {
            o.addProperty(key, b);
        } else if (value != null) {
            o.addProperty(key, value.toString());
        }
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
