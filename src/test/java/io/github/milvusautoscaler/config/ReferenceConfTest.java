package io.github.milvusautoscaler.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** reference.conf is the documentation of every key, so every key must keep its comment. */
class ReferenceConfTest {

    @Test
    void everyKeyHasACommentAboveIt() {
        ConfigObject root = ConfigFactory.parseResources("reference.conf").resolve().root();
        List<String> uncommented = new ArrayList<>();
        walk(root.get("milvus-autoscaler"), "milvus-autoscaler", List.of(), uncommented);
        assertEquals(List.of(), uncommented, "keys in reference.conf without a comment above them");
    }

    /**
     * Leaves need their own comment, unless they sit on the same line as a commented enclosing object:
     * {@code dataNode { signals.qps.enabled = false }} is documented by the comment above {@code dataNode}.
     */
    private static void walk(ConfigValue value, String path, List<ConfigValue> enclosing, List<String> uncommented) {
        if (value.valueType() == ConfigValueType.OBJECT) {
            List<ConfigValue> inner = new ArrayList<>(enclosing);
            inner.add(value);
            ((ConfigObject) value).forEach((k, v) -> walk(v, path + "." + k, inner, uncommented));
            return;
        }
        if (value.valueType() == ConfigValueType.LIST) {
            ConfigList list = (ConfigList) value;
            if (!list.isEmpty() && list.get(0).valueType() == ConfigValueType.OBJECT && hasComment(value)) {
                for (int i = 0; i < list.size(); i++) {
                    walk(list.get(i), path + "[" + i + "]", List.of(), uncommented);
                }
                return;
            }
        }
        if (hasComment(value)) {
            return;
        }
        for (int i = enclosing.size() - 1; i >= 0; i--) {
            ConfigValue outer = enclosing.get(i);
            if (outer.origin().lineNumber() != value.origin().lineNumber()) {
                break;
            }
            if (hasComment(outer)) {
                return;
            }
        }
        uncommented.add(path + " (reference.conf:" + value.origin().lineNumber() + ")");
    }

    private static boolean hasComment(ConfigValue value) {
        return value.origin().comments().stream().anyMatch(c -> !c.isBlank());
    }
}
