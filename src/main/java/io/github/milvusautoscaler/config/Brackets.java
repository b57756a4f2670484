package io.github.milvusautoscaler.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Which {@code {} or {@code [} of a HOCON file is most likely the one left open, for a syntax error at the end of the
 * file: Typesafe Config reports it at the last line as "expecting a close parentheses ')'", while the fault is where
 * the bracket was opened (recheck 16, finding 8).
 */
final class Brackets {

    private Brackets() {
    }

    /**
     * " (most likely the { on line 5: the } that closes it is less indented than that line)" when a closing bracket
     * that starts its line sits left of the line that opened its partner, as a file indented by its nesting shows the
     * bracket left open above it; else " (the { on line 1 is not closed)" for the outermost one left open; "" when the
     * file cannot be read or its brackets balance. Strings ("...", """...""") and comments (#, //) are skipped.
     */
    static String unclosedHint(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return "";
        }
        record Open(char bracket, int line, int indent) {
        }
        Deque<Open> open = new ArrayDeque<>();
        Open suspect = null;
        boolean inTriple = false;
        for (int n = 0; n < lines.size(); n++) {
            String text = lines.get(n);
            int indent = indentOf(text);
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (inTriple) {
                    if (text.startsWith("\"\"\"", i)) {
                        inTriple = false;
                        i += 2;
                    }
                    continue;
                }
                if (text.startsWith("\"\"\"", i)) {
                    inTriple = true;
                    i += 2;
                } else if (c == '"') {
                    for (i++; i < text.length() && text.charAt(i) != '"'; i++) {
                        if (text.charAt(i) == '\\') {
                            i++;
                        }
                    }
                } else if (c == '#' || text.startsWith("//", i)) {
                    break;
                } else if (c == '{' || c == '[') {
                    open.push(new Open(c, n + 1, indent));
                } else if ((c == '}' || c == ']') && !open.isEmpty()) {
                    Open closed = open.pop();
                    boolean startsLine = text.substring(0, i).isBlank();
                    if (suspect == null && startsLine && closed.line() != n + 1 && indent < closed.indent()) {
                        suspect = closed;
                    }
                }
            }
        }
        if (open.isEmpty()) {
            return "";
        }
        if (suspect != null) {
            return " (most likely the " + suspect.bracket() + " on line " + suspect.line() + ": the "
                    + (suspect.bracket() == '{' ? '}' : ']') + " that closes it is less indented than that line)";
        }
        Open outermost = open.getLast();
        return " (the " + outermost.bracket() + " on line " + outermost.line() + " is not closed)";
    }

    private static int indentOf(String line) {
        int i = 0;
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }
}
