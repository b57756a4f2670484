package io.github.milvusautoscaler.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.config.DuplicateKeys.Duplicate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keys a file sets twice, where HOCON keeps the last (the HOCON spec, "Duplicate keys and object merging": a later
 * value replaces an earlier one unless both are objects, which merge); each case's loaded value is checked against
 * typesafe-config itself in {@link #theWinnerIsTheLineTypesafeConfigKeeps()}.
 */
class DuplicateKeysTest {

    static Stream<org.junit.jupiter.params.provider.Arguments> cases() {
        return Stream.of(
                // configuration audit C10: the daemon wrote though the file's first line said dry-run
                args("""
                        milvus-autoscaler {
                          dry-run = true
                          loop.interval = 15s
                          dry-run = false
                        }
                        """, new Duplicate("milvus-autoscaler.dry-run", 2, 4)),
                // a path and a block name the same key
                args("""
                        milvus-autoscaler.prometheus.url = "http://a:9090"
                        milvus-autoscaler {
                          prometheus {
                            url = "http://b:9090" # the one used
                          }
                        }
                        """, new Duplicate("milvus-autoscaler.prometheus.url", 1, 4)),
                // a list replaces a list: the first clusters are lost, reported once (not their keys too)
                args("""
                        milvus-autoscaler.clusters = [
                          { namespace = a, name = one, install = helm, milvus-version = "2.5.6", components { queryNode {} } }
                        ]
                        milvus-autoscaler.clusters = [
                          { namespace = b, name = two, install = helm, milvus-version = "2.5.6", components { queryNode {} } }
                        ]
                        """, new Duplicate("milvus-autoscaler.clusters", 1, 4)),
                // inside one list element
                args("""
                        milvus-autoscaler.clusters = [
                          { namespace = a, name = one, install = helm, milvus-version = "2.5.6",
                            components { queryNode { max-replicas = 4 } }, components.queryNode.max-replicas = 6 }
                          { namespace = b, name = two, install = helm, milvus-version = "2.5.6", components { queryNode {} } }
                        ]
                        """, new Duplicate("milvus-autoscaler.clusters[0].components.queryNode.max-replicas", 3, 3)),
                // three times: the first line and the last, which wins
                args("""
                        a.b = 1
                        a.b = 2
                        a.b = 3
                        """, new Duplicate("a.b", 1, 3)),
                // two blocks of one object merge; an append and a self-reference keep the first value; element keys of
                // two list literals are apart; strings, triple-quoted PromQL and comments that look like keys are not
                // keys; an include is no key
                args("""
                        include "other.conf"
                        milvus-autoscaler { prometheus { url = "http://a:9090" } }
                        milvus-autoscaler { prometheus { timeout = 5s } }
                        list = [1, 2]
                        list += 3
                        list = ${list} [4]
                        milvus-autoscaler.queries.qps = \"\"\"sum(x{a="b", c = "d"}) # not a comment
                          / on () group_right {dry-run = 1}\"\"\"
                        # dry-run = true
                        // dry-run = false
                        milvus-autoscaler.dry-run = false // dry-run = true
                        s = "dry-run = true, dry-run = false"
                        xs = [ { k = 1 }, { k = 2 } ]
                        url = "http://prometheus-operated.monitoring:9090"
                        url = ${?PROMETHEUS_URL}
                        """));
    }

    private static org.junit.jupiter.params.provider.Arguments args(String text, Duplicate... expected) {
        return org.junit.jupiter.params.provider.Arguments.of(text, List.of(expected));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void findsEachKeySetAgain(String text, List<Duplicate> expected) {
        assertEquals(expected, DuplicateKeys.of(text));
    }

    /** The line a duplicate calls the winner is the value typesafe-config loads. */
    @Test
    void theWinnerIsTheLineTypesafeConfigKeeps() {
        String text = """
                milvus-autoscaler {
                  dry-run = true
                  dry-run = false
                }
                """;
        assertEquals(List.of(new Duplicate("milvus-autoscaler.dry-run", 2, 3)), DuplicateKeys.of(text));
        com.typesafe.config.Config parsed = com.typesafe.config.ConfigFactory.parseString(text);
        assertEquals(false, parsed.getBoolean("milvus-autoscaler.dry-run"));
        assertEquals(3, parsed.getValue("milvus-autoscaler.dry-run").origin().lineNumber());
    }

    /** A key set twice on one line says so, not "at line 2 and again at line 2, which wins: line 2 has no effect". */
    @Test
    void aKeySetTwiceOnOneLineIsSaidSo() {
        List<Duplicate> found = DuplicateKeys.of("milvus-autoscaler {\n  queryNode { max-replicas = 3 }, queryNode {"
                + " max-replicas = 9 }\n}\n");
        assertEquals(List.of(new Duplicate("milvus-autoscaler.queryNode.max-replicas", 2, 2)), found);
        assertEquals("milvus-autoscaler.queryNode.max-replicas is set twice on line 2: the last wins, the first has no"
                + " effect", found.get(0).describe());
        assertEquals("milvus-autoscaler.dry-run is set at line 2 and again at line 3, which wins: line 2 has no effect",
                new Duplicate("milvus-autoscaler.dry-run", 2, 3).describe());
    }

    /**
     * An include further down that sets a key the file set above it drops that setting (the HOCON spec, "Include
     * semantics: merging": an include is as if its object were written there, so what follows wins): recheck 113's
     * {@code dry-run = true} on line 6, then an include holding {@code dry-run = false}, was a writing daemon with no
     * word. Layering (an include above the key), keys of one object set apart, and an included optional override
     * ({@code ${?DRY_RUN}}) are not told.
     */
    @Test
    void aKeyAnIncludeFurtherDownSetsAgainIsTold(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("inc_dry.conf"), "milvus-autoscaler.dry-run = false\n"
                + "milvus-autoscaler.prometheus.timeout = 3s\n");
        Files.writeString(dir.resolve("optional.conf"), "milvus-autoscaler.max-actions-per-hour = ${?ACTIONS}\n");
        Path main = dir.resolve("autoscaler.conf");
        Files.writeString(main, """
                include required("optional.conf")
                milvus-autoscaler {
                  max-actions-per-hour = 40
                  prometheus { url = "http://prometheus:9090" }
                }
                milvus-autoscaler.dry-run = true
                include "inc_dry.conf"
                """);
        List<Duplicate> found = DuplicateKeys.in(main);
        assertEquals(List.of(new Duplicate("milvus-autoscaler.dry-run", 6, 6, "inc_dry.conf:1")), found);
        assertEquals("milvus-autoscaler.dry-run is set at line 6 and again by inc_dry.conf:1, included further down,"
                + " which wins: line 6 has no effect", found.get(0).describe());
        com.typesafe.config.Config loaded = com.typesafe.config.ConfigFactory.parseFile(main.toFile());
        assertEquals(false, loaded.getBoolean("milvus-autoscaler.dry-run"), "what the warning says wins, wins");

        // Above the key, the include is the layering it is meant for: the file's own setting wins.
        Files.writeString(main, "include \"inc_dry.conf\"\nmilvus-autoscaler.dry-run = true\n");
        assertEquals(List.of(), DuplicateKeys.in(main));
        // An included optional override overrides only when its variable is set.
        Files.writeString(main, "milvus-autoscaler.max-actions-per-hour = 40\ninclude \"optional.conf\"\n");
        assertEquals(List.of(), DuplicateKeys.in(main));
    }

    /** The shipped layering (example.conf, the pod's keys, install.conf) drops none of the pod's keys. */
    @Test
    void theShippedLayersDropNoSettingOfTheirOwn() {
        assertEquals(List.of(), DuplicateKeys.in(Path.of("deploy/base/config/autoscaler.conf")));
    }

    /**
     * The reader follows every HOCON file of the project to its end (reference.conf's triple-quoted PromQL, the examples'
     * lists and comments, the test configurations), so its silence on them means no duplicate, and the shipped ones
     * set no key twice.
     */
    @Test
    void theReaderFollowsEveryProjectFileAndTheShippedOnesSetNoKeyTwice() throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Stream.of("config", "deploy", "src/main/resources", "src/test/resources")
                .map(Path::of).flatMap(DuplicateKeysTest::walk)) {
            files = walk.filter(p -> p.toString().endsWith(".conf")).toList();
        }
        assertTrue(files.size() >= 8, files.toString());
        for (Path file : files) {
            String text = Files.readString(file);
            if (file.toString().contains("invalid")) {
                continue; // written not to parse
            }
            assertTrue(DuplicateKeys.follows(text), file.toString());
            if (!file.startsWith("src/test")) {
                assertEquals(List.of(), DuplicateKeys.of(text), file.toString());
            }
        }
        assertTrue(DuplicateKeys.follows("xs = [\n  [1, 2], # a comment\n  [3]\n  { a = \"}\" }\n]\n"));
    }

    private static Stream<Path> walk(Path dir) {
        try {
            return Files.walk(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Text the reader cannot follow yields no claim, rather than a wrong one; the loader reports its syntax. */
    @Test
    void unfollowableTextClaimsNothing() {
        assertEquals(List.of(), DuplicateKeys.of("a = 1\na = \"unclosed\n"));
        assertEquals(List.of(), DuplicateKeys.of("a { b = 1\nb = 2\n"));
    }
}
