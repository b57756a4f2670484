package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one HTTP server ({@code /metrics}, {@code /healthz}, {@code /readyz}, {@code /api/v1/status},
 * {@code /api/v1/alerts}) and how much its clients may hold, so slow or hostile clients cannot starve
 * the health probes: the {@code milvus-autoscaler.server} block, read by the config package and used as
 * is by the server.
 *
 * @param port                    TCP port, 0..65535; 0 picks a free port (tests)
 * @param bindAddress             address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}: an IPv4 or IPv6 literal
 *                                or a host name (RFC 1123 labels); whether it is this machine's shows only at bind
 * @param headerTimeout           request line and headers must arrive within this of the connect
 * @param requestTimeout          body, handler and answer must be done within this after the headers
 * @param maxConnections          connections open at once, all clients together
 * @param maxConnectionsPerClient connections open at once from one client address
 * @param maxHeaderBytes          request line plus headers, at least 256; longer gets 431
 * @param maxBufferedBody         bodies up to this are read before the handler runs; longer are streamed
 */
public record ServerSettings(int port, String bindAddress, Duration headerTimeout, Duration requestTimeout,
                             int maxConnections, int maxConnectionsPerClient, int maxHeaderBytes, long maxBufferedBody) {

    /** What a bind address that is neither an IP literal nor a host name breaks. */
    public static final String BIND_ADDRESS_RULE = "must be an IP address or a host name, such as 0.0.0.0, 127.0.0.1,"
            + " :: or localhost";
    /** One RFC 1123 label: letters, digits and inner hyphens, 1 to 63 characters. */
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");
    private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9._-]+");

    public ServerSettings {
        requireNonNull(bindAddress, "bindAddress");
        requireNonNull(headerTimeout, "headerTimeout");
        requireNonNull(requestTimeout, "requestTimeout");
        Checks checks = new Checks();
        checks.that(port >= 0 && port <= 65535, "port", "must be a port number from 0 to 65535 (0: any free port)");
        checks.that(isAddressOrHostName(bindAddress), "bind-address", BIND_ADDRESS_RULE);
        checks.timeout(headerTimeout, "header-timeout");
        checks.timeout(requestTimeout, "request-timeout");
        checks.atLeast(maxConnections, 1, "max-connections");
        checks.atLeast(maxConnectionsPerClient, 1, "max-connections-per-client");
        checks.atLeast(maxHeaderBytes, 256, "max-header-bytes");
        checks.that(maxBufferedBody >= 0, "max-buffered-body", "must be 0 or more bytes, such as 64KiB");
        checks.done();
    }

    /**
     * True for a value that can name an address at all: checked on the text, without a DNS lookup, so
     * {@code not a host!} is a config error with its line, while a well-formed name that does not resolve
     * ({@code no-such-host.invalid}) or an address of another machine fails only at bind, where the network is
     * known. A name whose last label is all digits must be a whole IPv4 address ({@code 10.0.0.300} is a typo, not
     * a host: no top-level domain is numeric).
     */
    static boolean isAddressOrHostName(String address) {
        if (IPV4.matcher(address).matches() || isIpv6(address)) {
            return true;
        }
        String name = address.endsWith(".") ? address.substring(0, address.length() - 1) : address;
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return !labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** An IPv6 literal, bracketed or not, with an optional zone ({@code fe80::1%eth0}) and IPv4 tail ({@code ::ffff:1.2.3.4}). */
    private static boolean isIpv6(String address) {
        String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
                : address;
        int percent = a.indexOf('%');
        if (percent >= 0) {
            if (!ZONE.matcher(a.substring(percent + 1)).matches()) {
                return false;
            }
            a = a.substring(0, percent);
        }
        int gap = a.indexOf("::");
        if (gap != a.lastIndexOf("::")) {
            return false;
        }
        // Around the one "::" the groups on each side; without it, exactly eight (an IPv4 tail counts two).
        List<String> groups = new ArrayList<>();
        for (String side : gap < 0 ? List.of(a) : List.of(a.substring(0, gap), a.substring(gap + 2))) {
            if (gap < 0 || !side.isEmpty()) {
                groups.addAll(Arrays.asList(side.split(":", -1)));
            }
        }
        int count = 0;
        for (int i = 0; i < groups.size(); i++) {
            if (i == groups.size() - 1 && IPV4.matcher(groups.get(i)).matches()) {
                count += 2;
            } else if (HEX_GROUP.matcher(groups.get(i)).matches()) {
                count++;
            } else {
                return false;
            }
        }
        return gap >= 0 ? count <= 7 : count == 8;
    }

    /** The same server on another port (the demo's {@code --port}, tests' port 0). */
    public ServerSettings withPort(int newPort) {
        return new ServerSettings(newPort, bindAddress, headerTimeout, requestTimeout, maxConnections,
                maxConnectionsPerClient, maxHeaderBytes, maxBufferedBody);
    }

    /** The same server on another address (tests bind to loopback). */
    public ServerSettings withBindAddress(String address) {
        return new ServerSettings(port, address, headerTimeout, requestTimeout, maxConnections,
                maxConnectionsPerClient, maxHeaderBytes, maxBufferedBody);
    }
}
