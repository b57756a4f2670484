package io.github.milvusautoscaler.server;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.github.milvusautoscaler.engine.Engine;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The daemon's one HTTP server (the JDK's): {@code /metrics}, {@code /healthz}, {@code /readyz},
 * {@code /api/v1/status}, plus handlers added by other features ({@code /api/v1/alerts}).
 *
 * <p>{@code /readyz} does not depend on leadership, so followers stay in the Service and a
 * fail-over needs no endpoint change.
 */
public final class HttpApi implements AutoCloseable {

    /** Thrown when the port is taken: the CLI exits 1 naming it. */
    public static final class PortInUseException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PortInUseException(String address, int port, Throwable cause) {
            super("port " + port + " on " + address + " is already in use", cause);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicBoolean ready = new AtomicBoolean();

    /**
     * Binds and starts the server.
     *
     * @param bindAddress address to bind, e.g. 0.0.0.0 or 127.0.0.1
     * @param port        port; 0 picks a free one (tests)
     * @param registry    the Prometheus registry scraped on /metrics
     * @param beforeScrape refreshes per-target gauges before each scrape
     * @param status      renders /api/v1/status
     * @param extra       more handlers by path
     */
    public HttpApi(String bindAddress, int port, PrometheusMeterRegistry registry, Runnable beforeScrape,
                   Supplier<String> status, Map<String, HttpHandler> extra) {
        requireNonNull(registry, "registry");
        try {
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), 64);
        } catch (BindException e) {
            throw new PortInUseException(bindAddress, port, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start HTTP server on " + bindAddress + ":" + port + ": "
                    + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        Map<String, HttpHandler> routes = new LinkedHashMap<>();
        routes.put("/healthz", ex -> send(ex, 200, "text/plain; charset=utf-8", "ok\n"));
        routes.put("/readyz", ex -> {
            if (ready.get()) {
                send(ex, 200, "text/plain; charset=utf-8", "ready\n");
            } else {
                send(ex, 503, "text/plain; charset=utf-8", "not ready\n");
            }
        });
        routes.put("/metrics", ex -> {
            beforeScrape.run();
            send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        });
        routes.put("/api/v1/status", ex -> send(ex, 200, "application/json", status.get()));
        routes.putAll(extra);
        routes.forEach((path, h) -> server.createContext(path, exact(path, h)));
        server.start();
    }

    /** Marks the daemon ready (config loaded, server up). */
    public void markReady() {
        ready.set(true);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Convenience for the demo and tests: status from an engine. */
    public static Supplier<String> statusOf(Engine engine) {
        return () -> StatusJson.render(engine.views().values(), engine.isLeader(), engine.dryRun(),
                engine.clock().instant()).toString();
    }

    @Override
    public void close() {
        ready.set(false);
        server.stop(0);
        executor.shutdownNow();
    }

    /** The JDK server matches path prefixes; we serve only the exact path, 404 otherwise. */
    private static HttpHandler exact(String path, HttpHandler h) {
        return ex -> {
            try {
                if (!ex.getRequestURI().getPath().equals(path)) {
                    send(ex, 404, "text/plain; charset=utf-8", "not found\n");
                    return;
                }
                h.handle(ex);
            } catch (RuntimeException e) {
                send(ex, 500, "text/plain; charset=utf-8", "internal error\n");
            } finally {
                ex.close();
            }
        };
    }

    /** Writes a complete response. */
    public static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
