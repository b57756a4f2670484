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
        int start = url.indexOf("://");
        start = start < 0 ? 0 : start + 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
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
}
