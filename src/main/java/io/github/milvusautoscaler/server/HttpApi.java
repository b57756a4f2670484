package io.github.milvusautoscaler.server;

import io.github.milvusautoscaler.core.ServerSettings;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.github.milvusautoscaler.core.MetricNames;
import io.github.milvusautoscaler.engine.Engine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The daemon's one HTTP server: {@code /metrics}, {@code /healthz}, {@code /readyz},
 * {@code /api/v1/status}, plus handlers added by other features ({@code /api/v1/alerts}).
 *
 * <p>It is a small bounded HTTP/1.1 server of its own, not the JDK's {@code HttpServer}, because
 * the JDK server reads request headers on its handler threads with no read timeout: four clients
 * that send headers and then nothing held all four threads and every endpoint, the liveness probe
 * included, timed out for as long as they stayed connected. Here:
 * <ul>
 *   <li>each connection is read on its own thread, capped overall ({@code server.max-connections})
 *       and per client address ({@code server.max-connections-per-client}); past a cap the
 *       connection gets 503 at once and is closed, and the rejection is counted;</li>
 *   <li>headers must arrive within {@code server.header-timeout} of the connect, and the body,
 *       the handler and the answer within {@code server.request-timeout} after the headers; past a
 *       deadline the socket is closed (408 if nothing was answered yet), whatever the client does;</li>
 *   <li>handlers run on executors per endpoint class (health, metrics and status, webhooks) only
 *       once a request is complete, so a busy {@code /metrics} or webhook cannot delay
 *       {@code /healthz} and {@code /readyz};</li>
 *   <li>bodies up to {@code server.max-buffered-body} are read before the handler runs; a longer
 *       one is streamed to the handler, which decides (the webhook refuses it with 413 from its
 *       Content-Length), so no unauthenticated client can make the server buffer more;</li>
 *   <li>one request per connection ({@code Connection: close}): probes, scrapes and Alertmanager
 *       all reconnect, and no idle keep-alive connection holds a slot.</li>
 * </ul>
 * Handlers keep the JDK's {@link HttpHandler} interface, so the webhook needs no server import.
 *
 * <p>{@code /readyz} does not depend on leadership, so followers stay in the Service and a
 * fail-over needs no endpoint change.
 */
public final class HttpApi implements AutoCloseable {

    /**
     * Thrown when the server socket cannot be bound: an address that is not the machine's, a port below 1024
     * without the privilege, a name that does not resolve. The CLI exits 1 with the message, which names the
     * settings to change.
     */
    public static class CannotBindException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CannotBindException(String message, Throwable cause) {
            super(message, cause);
        }

        CannotBindException(String address, int port, Throwable cause) {
            this("cannot bind " + address + ":" + port + " (server.bind-address, server.port): " + reason(address, cause),
                    cause);
        }

        private static String reason(String address, Throwable cause) {
            String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            if (message.contains("Cannot assign requested address")) {
                return message + ": " + address + " is not an address of this machine (0.0.0.0 listens on all of them)";
            }
            return message;
        }
    }

    /** Thrown when the port is taken by another socket: the CLI exits 1 naming it. */
    public static final class PortInUseException extends CannotBindException {
        private static final long serialVersionUID = 1L;

        PortInUseException(String address, int port, Throwable cause) {
            super("port " + port + " on " + address + " is already in use (server.port)", cause);
        }
    }

    private final ServerSocket socket;
    private final ServerSettings limits;
    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final ThreadPoolExecutor connections;
    private final ExecutorService health;
    private final ExecutorService reads;
    private final ExecutorService hooks;
    private final ScheduledExecutorService deadlines;
    private final Thread acceptor;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<InetAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final AtomicBoolean ready = new AtomicBoolean();
    private final MeterRegistry registry;
    private volatile boolean closed;

    /** A handler and the executor it runs on. */
    record Route(HttpHandler handler, ExecutorService executor) {
    }

    /**
     * Binds and starts the server.
     *
     * @param server       address, port (0 picks a free one) and the limits clients are held to
     * @param registry     the Prometheus registry scraped on /metrics
     * @param beforeScrape refreshes per-target gauges before each scrape
     * @param status       renders /api/v1/status
     * @param extra        more handlers by path (run on the webhook executor)
     */
    public HttpApi(ServerSettings server, PrometheusMeterRegistry registry, Runnable beforeScrape,
                   Supplier<String> status, Map<String, HttpHandler> extra) {
        this.registry = requireNonNull(registry, "registry");
        this.limits = requireNonNull(server, "server");
        String bindAddress = server.bindAddress();
        int port = server.port();
        requireNonNull(beforeScrape, "beforeScrape");
        requireNonNull(status, "status");
        ServerSocket bound;
        try {
            bound = new ServerSocket();
        } catch (IOException e) {
            throw new CannotBindException(bindAddress, port, e);
        }
        try {
            bound.setReuseAddress(true);
            bound.bind(new InetSocketAddress(bindAddress, port), 128);
        } catch (IOException e) {
            try {
                bound.close();
            } catch (IOException ignored) {
                // nothing was bound; the failure below is the one to report
            }
            // A BindException is also an address that is not the machine's or a privileged port: only EADDRINUSE
            // ("Address already in use") means another socket holds the port, and only then is that the message.
            if (e instanceof BindException && e.getMessage() != null && e.getMessage().contains("already in use")) {
                throw new PortInUseException(bindAddress, port, e);
            }
            throw new CannotBindException(bindAddress, port, e);
        }
        socket = bound;
        // One thread per open connection, never more than the cap (the acceptor refuses first).
        connections = new ThreadPoolExecutor(0, limits.maxConnections(), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), daemons("http-conn"));
        health = Executors.newFixedThreadPool(2, daemons("http-health"));
        reads = Executors.newFixedThreadPool(2, daemons("http-metrics"));
        hooks = Executors.newFixedThreadPool(2, daemons("http-hooks"));
        ScheduledThreadPoolExecutor d = new ScheduledThreadPoolExecutor(1, daemons("http-deadlines"));
        d.setRemoveOnCancelPolicy(true);
        deadlines = d;
        routes.put("/healthz", new Route(readOnly(ex -> send(ex, 200, "text/plain; charset=utf-8", "ok\n")), health));
        routes.put("/readyz", new Route(readOnly(ex -> {
            if (ready.get()) {
                send(ex, 200, "text/plain; charset=utf-8", "ready\n");
            } else {
                send(ex, 503, "text/plain; charset=utf-8", "not ready\n");
            }
        }), health));
        routes.put("/metrics", new Route(readOnly(ex -> {
            beforeScrape.run();
            send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        }), reads));
        routes.put("/api/v1/status", new Route(readOnly(ex -> send(ex, 200, "application/json", status.get())), reads));
        extra.forEach((path, h) -> routes.put(path, new Route(h, hooks)));
        // Zero from the start, so dashboards and alerts see every reason before the first refusal.
        for (String reason : List.of("max_connections", "max_connections_per_client", "header_timeout",
                "header_too_large", "request_timeout", "handler_timeout")) {
            SelfMetrics.counter(registry, MetricNames.HTTP_REJECTED, "reason", reason);
        }
        acceptor = new Thread(this::acceptLoop, "http-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * {@code handler} for GET and HEAD only; any other method gets 405 with {@code Allow: GET, HEAD}, so a webhook or
     * probe pointed at the wrong path shows as refused instead of reading as answered (observability audit L11).
     */
    private static HttpHandler readOnly(HttpHandler handler) {
        return ex -> {
            String method = ex.getRequestMethod();
            if (method.equals("GET") || method.equals("HEAD")) {
                handler.handle(ex);
                return;
            }
            ex.getResponseHeaders().set("Allow", "GET, HEAD");
            send(ex, 405, "text/plain; charset=utf-8", method + " is not allowed here; GET or HEAD\n");
        };
    }

    /** Marks the daemon ready (config loaded, server up). */
    public void markReady() {
        ready.set(true);
    }

    /**
     * Marks the daemon not ready while the server still answers: the first step of a stop, so the Service stops
     * sending it Alertmanager's webhooks (and their retries) while it drains.
     */
    public void markNotReady() {
        ready.set(false);
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Convenience for the demo and tests: status from an engine. */
    public static Supplier<String> statusOf(Engine engine) {
        return () -> StatusJson.render(engine.views().values(), engine.isLeader(), engine.dryRun(),
                engine.clock().instant()).toString();
    }

    @Override
    public void close() {
        ready.set(false);
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
        acceptor.interrupt();
        connections.shutdownNow();
        health.shutdownNow();
        reads.shutdownNow();
        hooks.shutdownNow();
        deadlines.shutdownNow();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            InetAddress client = s.getInetAddress();
            if (open.incrementAndGet() > limits.maxConnections()) {
                open.decrementAndGet();
                refuse(s, "max_connections", "too many connections (server.max-connections = "
                        + limits.maxConnections() + ")\n");
                continue;
            }
            AtomicInteger mine = perClient.compute(client, (k, v) -> {
                AtomicInteger n = v == null ? new AtomicInteger() : v;
                n.incrementAndGet();
                return n;
            });
            if (mine.get() > limits.maxConnectionsPerClient()) {
                release(client);
                refuse(s, "max_connections_per_client", "too many connections from " + client.getHostAddress()
                        + " (server.max-connections-per-client = " + limits.maxConnectionsPerClient() + ")\n");
                continue;
            }
            try {
                connections.execute(() -> {
                    try {
                        new Connection(s, limits, routes, deadlines, this::rejected).serve();
                    } finally {
                        release(client);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                release(client);
                refuse(s, "max_connections", "server busy\n");
            }
        }
    }

    /** One connection of {@code client} ended; an address with none left is forgotten. */
    private void release(InetAddress client) {
        open.decrementAndGet();
        perClient.computeIfPresent(client, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
    }

    /** Answers 503 without reading and closes; the write is small enough never to block. */
    private void refuse(Socket s, String reason, String body) {
        rejected(reason);
        try (s) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write(("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n"
                    + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + b.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(b);
            s.getOutputStream().flush();
            s.shutdownOutput();
        } catch (IOException e) {
            // the client is gone: nothing to tell it
        }
    }

    private void rejected(String reason) {
        SelfMetrics.counter(registry, MetricNames.HTTP_REJECTED, "reason", reason).increment();
    }

    private static java.util.concurrent.ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
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

    /** Closes quietly: used when a deadline passes or a client misbehaves. */
    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException | RuntimeException e) {
            // already closed
        }
    }
}
