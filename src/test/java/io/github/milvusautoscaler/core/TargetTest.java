package io.github.milvusautoscaler.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TargetTest {

    @Test
    void equalTargetsHashAlikeAndTheHashDependsOnlyOnNamesAndKinds() {
        Target a = new Target("milvus", "prod", Component.QUERY_NODE, InstallKind.OPERATOR);
        Target b = new Target(new String("milvus"), new String("prod"), Component.QUERY_NODE, InstallKind.OPERATOR);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        // The same in every JVM: nothing identity-based goes in ("milvus" and "prod" hash alike everywhere).
        assertEquals(((((("milvus".hashCode() * 31 + "prod".hashCode()) * 31 + Component.QUERY_NODE.ordinal()) * 31)
                + InstallKind.OPERATOR.ordinal()) * 31 + "".hashCode()) * 31, a.hashCode());
        assertNotEquals(a, a.withNameShared(), "a shared name is another id");
        assertEquals("milvus/prod@operator/queryNode", a.withNameShared().id());
        assertEquals("milvus/prod@operator", a.withNameShared().clusterId());
    }

    @Test
    void everyComponentAndInstallKindOfOneClusterHashesApart() {
        Set<Integer> hashes = new HashSet<>();
        for (Component c : Component.values()) {
            for (InstallKind k : InstallKind.values()) {
                hashes.add(new Target("milvus", "prod", c, k).hashCode());
            }
        }
        assertEquals(Component.values().length * InstallKind.values().length, hashes.size());
        assertNotEquals(new Target("a", "bc", Component.PROXY, InstallKind.HELM),
                new Target("ab", "c", Component.PROXY, InstallKind.HELM));
    }

    @Test
    void namesMustNotBeBlank() {
        assertThrows(IllegalArgumentException.class, () -> new Target(" ", "prod", Component.PROXY, InstallKind.HELM));
        assertEquals("milvus/prod/queryNode", new Target("milvus", "prod", Component.QUERY_NODE, InstallKind.HELM).id());
    }
}
