package io.github.milvusautoscaler.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A stateless Milvus worker component that may be autoscaled.
 *
 * <p>Coordinators (rootCoord, dataCoord, queryCoord, indexCoord, mixCoord) are deliberately
 * absent: Milvus scales worker nodes only. {@code streamingNode} (Milvus 2.6+) exists but is
 * not autoscaled unless a cluster names it explicitly.
 */
public enum Component {
    QUERY_NODE("queryNode"),
    DATA_NODE("dataNode"),
    INDEX_NODE("indexNode"),
    PROXY("proxy"),
    STREAMING_NODE("streamingNode");

    private final String configName;

    Component(String configName) {
        this.configName = configName;
    }

    /** The key used in the Milvus CR ({@code spec.components.queryNode}) and in our config. */
    public String configName() {
        return configName;
    }

    /** The lower-case label value both install kinds put on pods and Deployments ({@code querynode}). */
    public String labelValue() {
        return configName.toLowerCase(Locale.ROOT);
    }

    /** Looks a component up by its config name or label value, ignoring case. */
    public static Optional<Component> fromName(String name) {
        return Arrays.stream(values())
                .filter(c -> c.configName.equalsIgnoreCase(name))
                .findFirst();
    }

    @Override
    public String toString() {
        return configName;
    }
}
