package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

/** URLs as messages show them: never with the credentials a user may have written into them. */
public final class Urls {

    private Urls() {
    }

    /**
     * The URL with its user-info and its query and fragment (where tokens travel too: {@code ?access_token=...},
     * an OAuth {@code #access_token=...}) each replaced by {@code marker}, so a message still shows there was one:
     * {@code http://admin:pw@p:9090/?token=t} -> {@code http://***@p:9090/?***}. Done on the text, so a URL that
     * does not even parse is still shown without its password; a password holding {@code @} is hidden up to the
     * last one, and a {@code user:password@} misplaced into the path by a typo ({@code http:///admin:pw@p}) is
     * hidden there too. An {@code @} anywhere before the query is taken for the end of a user-info, even in a path
     * after a {@code host:port}: {@code http://a:1234/5@h} may be the password {@code 1234/5} of user {@code a}, and
     * nothing in the text tells it from host {@code a}, port 1234 and the path {@code /5@h}; a message then shows
     * {@code http://***@h}, less of a real path with an {@code @} than it could, never a password.
     */
    public static String redact(String url, String marker) {
        requireNonNull(url, "url");
        requireNonNull(marker, "marker");
        int start = authorityStart(url);
        int secret = secretsStart(url, start);
        int[] span = userInfoSpan(url);
        int lastAt = url.substring(start, secret).lastIndexOf('@');
        if (span == null && lastAt >= 0) {
            span = new int[] {start, start + lastAt};
        }
        String kept = span == null ? url.substring(0, secret)
                : url.substring(0, span[0]) + marker + url.substring(span[1], secret);
        return secret == url.length() ? kept : kept + "?" + marker;
    }

    /**
     * The user-info {@link #redact} hides, as written ({@code admin:pw} of {@code http://admin:pw@p:9090/}), or the
     * empty string when there is none; for taking it out of a message that quotes it without the rest of the URL.
     */
    public static String userInfo(String url) {
        requireNonNull(url, "url");
        int[] span = userInfoSpan(url);
        return span == null ? "" : url.substring(span[0], span[1]);
    }

    /**
     * The URL without its user-info, for a request that sends the credentials in a header instead:
     * {@code http://p:9090/x} of {@code http://admin:pw@p:9090/x}; as written when it has none.
     */
    public static String withoutUserInfo(String url) {
        requireNonNull(url, "url");
        int[] span = userInfoSpan(url);
        return span == null ? url : url.substring(0, span[0]) + url.substring(span[1] + 1);
    }

    /** The URL without its scheme: {@code p:9090/x} of {@code http://p:9090/x}; as written when it has none. */
    public static String withoutScheme(String url) {
        return requireNonNull(url, "url").substring(authorityStart(url));
    }

    /**
     * Where the user-info sits, {@code [from, to)} with {@code '@'} at {@code to}, or null when there is none:
     * <ul>
     *   <li>an {@code @} in the authority: everything before its last {@code @} ({@code http://a:p@ss@h});</li>
     *   <li>else a {@code name:secret@} before the first {@code ?} or {@code #}, wherever it sits: in the path after
     *   an empty authority ({@code http:///admin:pw@h}), or starting in an authority that is no {@code host:port}
     *   because the password holds a {@code /} ({@code http://a:p/ss@h}); it runs to the last {@code @}.</li>
     * </ul>
     * The port's colon does not count, so {@code http://p:9090/users/@me} has none; outside the authority only a
     * colon makes an {@code @} user-info, so a bare {@code /user@} in a path is left alone.
     */
    private static int[] userInfoSpan(String url) {
        int start = authorityStart(url);
        int authorityEnd = authorityEnd(url, start);
        int at = url.substring(start, authorityEnd).lastIndexOf('@');
        if (at >= 0) {
            return new int[] {start, start + at};
        }
        int end = secretsStart(url, start);
        int lastAt = url.substring(start, end).lastIndexOf('@');
        if (lastAt < 0) {
            return null;
        }
        lastAt += start;
        String authority = url.substring(start, authorityEnd);
        if (authority.indexOf(':') >= 0 && !isHostAndPort(authority)) {
            return new int[] {start, lastAt};
        }
        int colon = url.indexOf(':', authorityEnd);
        if (colon < 0 || colon > lastAt) {
            return null;
        }
        return new int[] {url.lastIndexOf('/', colon) + 1, lastAt};
    }

    /** {@code host}, {@code host:port} or {@code [v6]:port}, where the port is digits: a colon that is no password's. */
    private static boolean isHostAndPort(String authority) {
        String port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                return false;
            }
            port = authority.substring(close + 1);
            if (port.isEmpty()) {
                return true;
            }
            if (port.charAt(0) != ':') {
                return false;
            }
            port = port.substring(1);
        } else {
            int colon = authority.indexOf(':');
            port = authority.substring(colon + 1);
        }
        return port.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /**
     * {@code url} with {@code path} ("/api/v1/status") appended to its path, before its query and fragment:
     * {@code http://ingress/autoscaler/?token=t} gives {@code http://ingress/autoscaler/api/v1/status?token=t}.
     */
    public static String withPath(String url, String path) {
        int query = secretsStart(url, 0);
        String base = url.substring(0, query);
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path + url.substring(query);
    }

    /** The index of the first {@code ?} or {@code #} at or after {@code from}, or the length when there is none. */
    private static int secretsStart(String url, int from) {
        int k = from;
        while (k < url.length() && url.charAt(k) != '?' && url.charAt(k) != '#') {
            k++;
        }
        return k;
    }

    private static int authorityStart(String url) {
        int start = url.indexOf("://");
        return start < 0 ? 0 : start + 3;
    }

    private static int authorityEnd(String url, int start) {
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        return end;
    }
}
