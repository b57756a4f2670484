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
     * last one.
     */
    public static String redact(String url, String marker) {
        requireNonNull(url, "url");
        requireNonNull(marker, "marker");
        int start = authorityStart(url);
        int end = authorityEnd(url, start);
        String authority = url.substring(start, end);
        int at = authority.lastIndexOf('@');
        String host = at < 0 ? authority : marker + authority.substring(at);
        String rest = url.substring(end);
        int secret = -1;
        for (int k = 0; k < rest.length() && secret < 0; k++) {
            if (rest.charAt(k) == '?' || rest.charAt(k) == '#') {
                secret = k;
            }
        }
        return url.substring(0, start) + host + (secret < 0 ? rest : rest.substring(0, secret) + "?" + marker);
    }

    /**
     * The user-info {@link #redact} hides, as written ({@code admin:pw} of {@code http://admin:pw@p:9090/}), or the
     * empty string when there is none; for taking it out of a message that quotes it without the rest of the URL.
     */
    public static String userInfo(String url) {
        requireNonNull(url, "url");
        int start = authorityStart(url);
        String authority = url.substring(start, authorityEnd(url, start));
        int at = authority.lastIndexOf('@');
        return at < 0 ? "" : authority.substring(0, at);
    }

    /**
     * The URL without its user-info, for a request that sends the credentials in a header instead:
     * {@code http://p:9090/x} of {@code http://admin:pw@p:9090/x}; as written when it has none.
     */
    public static String withoutUserInfo(String url) {
        requireNonNull(url, "url");
        int start = authorityStart(url);
        int at = url.substring(start, authorityEnd(url, start)).lastIndexOf('@');
        return at < 0 ? url : url.substring(0, start) + url.substring(start + at + 1);
    }

    /** The URL without its scheme: {@code p:9090/x} of {@code http://p:9090/x}; as written when it has none. */
    public static String withoutScheme(String url) {
        return requireNonNull(url, "url").substring(authorityStart(url));
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
