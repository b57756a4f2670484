package io.github.milvusautoscaler.metrics;


/** Small helpers that keep reasons short and on one line, as decision messages quote them. */
final class Reasons {

    private Reasons() {
    }

    /** Collapses whitespace and cuts to {@code max} characters, marking the cut with an ellipsis. */
    static String oneLine(String text, int max) {
        if (text == null) {
            return "";
        }
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= max ? flat : flat.substring(0, max) + "...";
    }
}
