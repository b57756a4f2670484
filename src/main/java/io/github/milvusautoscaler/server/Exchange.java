package io.github.milvusautoscaler.server;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * One request as the JDK's {@link HttpExchange} shows it to a handler, answered into a buffer that
 * the connection writes under its own deadline, so a handler never blocks on a slow reader.
 */
final class Exchange extends HttpExchange {

    private final String method;
    private final URI uri;
    private final String protocol;
    private final Headers requestHeaders;
    private final Headers responseHeaders = new Headers();
    private final InputStream body;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Object> attributes = new HashMap<>();
    private volatile int status = -1;
    private volatile boolean noBody;

    Exchange(String method, URI uri, String protocol, Headers requestHeaders, InputStream body,
             InetSocketAddress remote, InetSocketAddress local) {
        this.method = method;
        this.uri = uri;
        this.protocol = protocol;
        this.requestHeaders = requestHeaders;
        this.body = body;
        this.remote = remote;
        this.local = local;
    }

    @Override
    public Headers getRequestHeaders() {
        return requestHeaders;
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return uri;
    }

    @Override
    public String getRequestMethod() {
        return method;
    }

    /** There are no contexts: routes are exact paths. */
    @Override
    public HttpContext getHttpContext() {
        return null;
    }

    @Override
    public void close() {
        // The connection writes the buffered answer and closes the socket.
    }

    @Override
    public InputStream getRequestBody() {
        return body;
    }

    @Override
    public OutputStream getResponseBody() {
        return out;
    }

    /** Like the JDK: {@code -1} means no body; any other length is taken from what the handler writes. */
    @Override
    public void sendResponseHeaders(int rCode, long responseLength) {
        if (status != -1) {
            throw new IllegalStateException("response headers already sent");
        }
        status = rCode;
        noBody = responseLength == -1;
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return remote;
    }

    @Override
    public int getResponseCode() {
        return status;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return local;
    }

    @Override
    public String getProtocol() {
        return protocol;
    }

    @Override
    public Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        throw new UnsupportedOperationException("streams are fixed");
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return null;
    }

    boolean answered() {
        return status != -1;
    }

    int status() {
        return status;
    }

    byte[] responseBytes() {
        return noBody ? new byte[0] : out.toByteArray();
    }
}
