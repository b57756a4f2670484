package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The jar path the demo's banner puts after {@code java -jar}: one that works from where the user is,
 * which a bare {@code milvus-autoscaler.jar} does not from the repository root.
 */
class JarPathTest {

    @Test
    void aJarUnderTheWorkingDirectoryIsNamedRelativeToIt() {
        assertEquals(Path.of("target", "milvus-autoscaler.jar").toString(),
                Main.jarPath(Path.of("/src/repo/target/milvus-autoscaler.jar"), Path.of("/src/repo")));
    }

    @Test
    void aJarElsewhereIsNamedByItsAbsolutePath() {
        assertEquals("/opt/milvus-autoscaler/milvus-autoscaler.jar",
                Main.jarPath(Path.of("/opt/milvus-autoscaler/milvus-autoscaler.jar"), Path.of("/home/sre")));
    }

    @Test
    void classesOutsideAJarNameTheBuildsJar() {
        assertEquals("target/milvus-autoscaler.jar",
                Main.jarPath(Path.of("/src/repo/target/classes"), Path.of("/src/repo")));
    }

    @Test
    void thisProcessRunsFromClassesSoTheBuildsJar() {
        assertEquals("target/milvus-autoscaler.jar", Main.jarPath());
    }
}
