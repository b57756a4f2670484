package io.github.milvusautoscaler.cli;

/** URLs as the commands print them: never with the credentials a user may have written into them. */
final class Urls {

    private Urls() {
    }

    /**
     * The URL with its user-info and query replaced by {@code ***}, done on the text so that a URL that does not
     * even parse is still shown without its password.
     */
    static String redact(String u) {
        int start = u.indexOf("://");
        start = start < 0 ? 0 : start + 3;
        int end = start;
        while (end < u.length() && "/?#".indexOf(u.charAt(end)) < 0) {
            end++;
        }
        String authority = u.substring(start, end);
        int at = authority.lastIndexOf('@');
        String shown = u.substring(0, start) + (at < 0 ? authority : "***" + authority.substring(at)) + u.substring(end);
        int query = shown.indexOf('?');
        if (query >= 0) {
            int fragment = shown.indexOf('#', query);
            shown = shown.substring(0, query + 1) + "***" + (fragment < 0 ? "" : shown.substring(fragment));
        }
        return shown;
    }
}
