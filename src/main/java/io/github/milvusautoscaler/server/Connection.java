package io.github.milvusautoscaler.server;

import io.github.milvusautoscaler.core.ServerSettings;
import com.sun.net.httpserver.Headers;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One client connection: reads one request under the header and request deadlines, runs its
 * handler on the route's executor, writes the answer and closes.
 *
 * <p>A deadline shuts the socket's input (a blocked read returns at once, so the client still
 * gets 408), and one second later closes the socket whatever this thread is doing (a client that
 * does not read its answer cannot hold the thread either).
 */
final class Connection {

    /** A malformed request: answered with {@code status}, then closed. */
    private static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private final Socket socket;
    private final ServerSettings limits;
    private final Map<String, HttpApi.Route> routes;
    private final ScheduledExecutorService deadlines;
    private final Consumer<String> rejected;
    private volatile boolean expired;
    private ScheduledFuture<?> deadline;

    Connection(Socket socket, ServerSettings limits, Map<String, HttpApi.Route> routes,
               ScheduledExecutorService deadlines, Consumer<String> rejected) {
        this.socket = socket;
        this.limits = limits;
        this.routes = routes;
        this.deadlines = deadlines;
        this.rejected = rejected;
    }

    void serve() {
        try {
            socket.setTcpNoDelay(true);
            arm(limits.headerTimeout().toMillis(), "header_timeout");
            InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
            Exchange ex;
            long requestDeadline;
            try {
                ex = readRequest(in);
                if (ex == null) {
                    return; // the client connected and left, or the header deadline passed with nothing sent
                }
                requestDeadline = System.nanoTime() + limits.requestTimeout().toNanos();
            } catch (BadRequest e) {
                if (e.status == 431) {
                    // A refusal README counts with the others (README walkthrough audit L7); a malformed request is
                    // a client's bug, not a limit, and stays uncounted.
                    rejected.accept("header_too_large");
                }
                write(e.status, "text/plain; charset=utf-8", (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8),
                        new Headers(), false);
                return;
            }
            if (expired) {
                timedOut();
                return;
            }
            HttpApi.Route route = routes.get(ex.getRequestURI().getPath());
            if (route == null) {
                write(404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8), new Headers(),
                        ex.getRequestMethod().equals("HEAD"));
                return;
            }
            Future<?> work = route.executor().submit(() -> {
                route.handler().handle(ex);
                return null;
            });
            try {
                work.get(Math.max(0, requestDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                work.cancel(true);
                rejected.accept("handler_timeout");
                write(503, "text/plain; charset=utf-8", "handler did not answer within server.request-timeout\n"
                        .getBytes(StandardCharsets.UTF_8), new Headers(), false);
                return;
            } catch (ExecutionException e) {
                if (expired) {
                    timedOut();
                    return;
                }
                write(500, "text/plain; charset=utf-8", "internal error\n".getBytes(StandardCharsets.UTF_8),
                        new Headers(), false);
                return;
            }
            if (expired) {
                timedOut();
                return;
            }
            if (!ex.answered()) {
                write(500, "text/plain; charset=utf-8", "internal error: no answer\n".getBytes(StandardCharsets.UTF_8),
                        new Headers(), false);
                return;
            }
            Headers h = ex.getResponseHeaders();
            String type = h.getFirst("Content-Type");
            write(ex.status(), type, ex.responseBytes(), h, ex.getRequestMethod().equals("HEAD"));
        } catch (IOException e) {
            // the client went away or a deadline closed the socket: nothing more to say
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The server is stopping (its executors are shut down): the socket closes unanswered. Uncaught, this
            // printed a plain-text stack trace into a JSON log at every other pod stop, a probe or scrape being
            // in flight then (observability recheck N3).
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
            HttpApi.closeQuietly(socket);
        }
    }

    /** (Re)arms the deadline: shut input at {@code millis}, close the socket a second later. */
    private void arm(long millis, String reason) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        deadline = deadlines.schedule(() -> {
            expired = true;
            rejected.accept(reason);
            try {
                socket.shutdownInput();
            } catch (IOException e) {
                // already shut or closed
            }
            deadlines.schedule(() -> HttpApi.closeQuietly(socket), 1, TimeUnit.SECONDS);
        }, millis, TimeUnit.MILLISECONDS);
    }

    private void timedOut() throws IOException {
        write(408, "text/plain; charset=utf-8", "request not complete within the server's deadline\n"
                .getBytes(StandardCharsets.UTF_8), new Headers(), false);
    }

    /** Reads the request line, headers and (if small) body; null when the client sent nothing at all. */
    private Exchange readRequest(InputStream in) throws IOException, BadRequest {
        byte[] head = readHead(in);
        if (head == null) {
            return null;
        }
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r?\n");
        String[] first = lines[0].split(" ");
        if (first.length != 3 || !first[2].startsWith("HTTP/1.")) {
            throw new BadRequest(400, "malformed request line");
        }
        URI uri;
        try {
            uri = new URI(first[1]);
        } catch (URISyntaxException e) {
            throw new BadRequest(400, "malformed request target");
        }
        if (uri.getPath() == null) {
            throw new BadRequest(400, "request target has no path");
        }
        Headers headers = new Headers();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            int colon = lines[i].indexOf(':');
            if (colon <= 0 || lines[i].charAt(0) == ' ' || lines[i].charAt(0) == '\t') {
                throw new BadRequest(400, "malformed header line " + i);
            }
            headers.add(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
        }
        // The request deadline now runs: body, handler and answer together.
        arm(limits.requestTimeout().toMillis(), "request_timeout");
        InputStream body = body(in, headers);
        return new Exchange(first[0], uri, first[2], headers, body,
                (InetSocketAddress) socket.getRemoteSocketAddress(), (InetSocketAddress) socket.getLocalSocketAddress());
    }

    /** Bytes up to the blank line after the headers (without it); null if the client sent nothing. */
    private byte[] readHead(InputStream in) throws IOException, BadRequest {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
        int newlines = 0;
        while (true) {
            int b = in.read();
            if (b == -1) {
                if (buf.size() == 0 && !expired) {
                    return null;
                }
                if (expired) {
                    timedOut();
                    return null;
                }
                throw new BadRequest(400, "connection closed inside the request headers");
            }
            if (buf.size() >= limits.maxHeaderBytes()) {
                throw new BadRequest(431, "request headers larger than server.max-header-bytes ("
                        + limits.maxHeaderBytes() + ")");
            }
            if (b == '\n') {
                newlines++;
                if (newlines == 2) {
                    return buf.toByteArray();
                }
            } else if (b != '\r') {
                newlines = 0;
            }
            buf.write(b);
        }
    }

    private InputStream body(InputStream in, Headers headers) throws IOException, BadRequest {
        String te = headers.getFirst("Transfer-Encoding");
        String cl = headers.getFirst("Content-Length");
        if (te != null && cl != null) {
            throw new BadRequest(400, "both Transfer-Encoding and Content-Length");
        }
        boolean chunked = te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
        if (te != null && !chunked) {
            throw new BadRequest(501, "Transfer-Encoding " + te + " is not supported");
        }
        long length = 0;
        if (cl != null) {
            try {
                length = Long.parseLong(cl.trim());
            } catch (NumberFormatException e) {
                throw new BadRequest(400, "Content-Length is not a number");
            }
            if (length < 0) {
                throw new BadRequest(400, "Content-Length is negative");
            }
        }
        if (!chunked && length == 0) {
            return InputStream.nullInputStream();
        }
        if ("100-continue".equalsIgnoreCase(headers.getFirst("Expect"))) {
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        if (!chunked) {
            InputStream bounded = new BoundedInputStream(in, length);
            if (length > limits.maxBufferedBody()) {
                return bounded; // the handler decides (413 from Content-Length); read on its thread under the deadline
            }
            byte[] b = bounded.readNBytes((int) length);
            if (b.length < length) {
                if (expired) {
                    timedOut();
                }
                throw new IOException("body shorter than Content-Length");
            }
            return new ByteArrayInputStream(b);
        }
        InputStream decoded = new ChunkedInputStream(in);
        byte[] prefix = decoded.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxBufferedBody() + 1));
        if (expired) {
            timedOut();
            throw new IOException("body deadline passed");
        }
        if (prefix.length <= limits.maxBufferedBody()) {
            return new ByteArrayInputStream(prefix);
        }
        return new SequenceInputStream(new ByteArrayInputStream(prefix), decoded);
    }

    private void write(int status, String type, byte[] body, Headers extra, boolean head) throws IOException {
        StringBuilder sb = new StringBuilder(256);
        sb.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        for (Map.Entry<String, java.util.List<String>> e : extra.entrySet()) {
            String k = e.getKey();
            if (k.equalsIgnoreCase("Content-Length") || k.equalsIgnoreCase("Connection")
                    || k.equalsIgnoreCase("Content-Type") || k.equalsIgnoreCase("Transfer-Encoding")) {
                continue;
            }
            for (String v : e.getValue()) {
                sb.append(k).append(": ").append(v).append("\r\n");
            }
        }
        if (type != null) {
            sb.append("Content-Type: ").append(type).append("\r\n");
        }
        sb.append("Content-Length: ").append(body.length).append("\r\n");
        sb.append("Connection: close\r\n\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!head) {
            out.write(body);
        }
        out.flush();
        socket.shutdownOutput();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    /** At most {@code remaining} bytes of the underlying stream. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }

    /** Decodes {@code Transfer-Encoding: chunked} (RFC 9112 section 7.1); trailers are read and dropped. */
    private static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = line();
                int semi = size.indexOf(';');
                try {
                    left = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("malformed chunk size");
                }
                if (left == 0) {
                    while (!line().isEmpty()) {
                        // trailer fields: dropped
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n == -1) {
                throw new IOException("connection closed inside a chunk");
            }
            left -= n;
            if (left == 0) {
                line();
            }
            return n;
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c == -1) {
                    throw new IOException("connection closed inside the chunked body");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
                if (sb.length() > 1024) {
                    throw new IOException("chunk line too long");
                }
            }
            return sb.toString();
        }
    }
}
