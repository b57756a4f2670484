package io.github.milvusautoscaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fails the build when a package uses what DESIGN.md's package table forbids: core and policy
 * stay pure (no I/O, no frameworks, no clock), sim never talks HTTP or Kubernetes. Fully
 * qualified names count as much as imports.
 */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src/main/java/io/github/milvusautoscaler");

    private static final List<String> IMPURE = List.of("io.kubernetes", "okhttp3", "com.typesafe", "io.micrometer",
            "org.slf4j", "java.net", "java.io");

    /** Which packages may not use which prefixes, and why. */
    record Rule(String pkg, List<String> forbidden, String why) {
    }

    static final List<Rule> RULES = List.of(
            new Rule("core", IMPURE, "core holds value records and ports: JDK only"),
            new Rule("policy", IMPURE, "the policy is pure: no I/O, no frameworks"),
            new Rule("policy", List.of("io.github.milvusautoscaler.config", "io.github.milvusautoscaler.engine",
                    "io.github.milvusautoscaler.metrics", "io.github.milvusautoscaler.actuate",
                    "io.github.milvusautoscaler.sim", "io.github.milvusautoscaler.cli",
                    "io.github.milvusautoscaler.server", "io.github.milvusautoscaler.alerts"),
                    "the policy imports core only"),
            new Rule("core", List.of("io.github.milvusautoscaler.policy", "io.github.milvusautoscaler.config",
                    "io.github.milvusautoscaler.engine"), "core depends on nothing of ours"),
            new Rule("sim", List.of("io.kubernetes", "okhttp3"), "the simulator never touches HTTP or Kubernetes"));

    /** Reading the clock in these packages breaks "time is an argument". */
    private static final List<String> CLOCK_PACKAGES = List.of("core", "policy", "sim");
    private static final Pattern CLOCK_READ = Pattern.compile(
            "Instant\\.now\\(|System\\.currentTimeMillis\\(|System\\.nanoTime\\(|Clock\\.system|LocalDateTime\\.now\\(");

    static List<String> violations(Path root) {
        List<String> out = new ArrayList<>();
        for (Rule rule : RULES) {
            for (Path file : javaFiles(root.resolve(rule.pkg()))) {
                String code = stripComments(read(file));
                for (String prefix : rule.forbidden()) {
                    Matcher m = Pattern.compile("(?<![\\w.])" + Pattern.quote(prefix) + "\\.").matcher(code);
                    if (m.find()) {
                        out.add(root.relativize(file) + " uses " + prefix + ": " + rule.why());
                    }
                }
            }
        }
        for (String pkg : CLOCK_PACKAGES) {
            for (Path file : javaFiles(root.resolve(pkg))) {
                if (CLOCK_READ.matcher(stripComments(read(file))).find()) {
                    out.add(root.relativize(file) + " reads the clock: time must be passed in");
                }
            }
        }
        return out;
    }

    @Test
    void packagesRespectTheDesignTable() {
        assertTrue(Files.isDirectory(MAIN), "run from the project root");
        assertEquals(List.of(), violations(MAIN));
    }

    @Test
    void aForbiddenImportIsCaught(@TempDir Path tmp) throws IOException {
        Files.createDirectories(tmp.resolve("policy"));
        Files.createDirectories(tmp.resolve("sim"));
        Files.writeString(tmp.resolve("policy/Bad.java"), "package x;\nimport java.io.File;\nclass Bad {}\n");
        Files.writeString(tmp.resolve("sim/Worse.java"),
                "package x;\n// okhttp3.OkHttpClient in a comment is fine\nclass Worse { Object c = new okhttp3.OkHttpClient();"
                        + " long t = System.currentTimeMillis(); }\n");
        List<String> v = violations(tmp);
        assertEquals(3, v.size(), v.toString());
        assertTrue(v.get(0).contains("policy/Bad.java uses java.io"), v.toString());
        assertTrue(v.get(1).contains("sim/Worse.java uses okhttp3"), v.toString());
        assertTrue(v.get(2).contains("sim/Worse.java reads the clock"), v.toString());
    }

    @Test
    void everyPackageHasAPackageInfo() throws IOException {
        try (Stream<Path> dirs = Files.list(MAIN)) {
            List<String> missing = dirs.filter(Files::isDirectory)
                    .filter(d -> !Files.exists(d.resolve("package-info.java")))
                    .map(d -> d.getFileName().toString()).toList();
            assertEquals(List.of(), missing);
        }
    }

    private static List<Path> javaFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Drops comments so a Javadoc that mentions java.io does not count as using it. */
    static String stripComments(String code) {
        return code.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
    }
}
