package io.github.milvusautoscaler.config;

import com.typesafe.config.ConfigValue;

/**
 * A value read from the configuration together with where it came from, so a rule that involves two
 * keys can blame the one set in the most specific place.
 *
 * @param value converted value (null only for an explicit {@code null} where that is allowed)
 * @param path  full key path of the layer that set it, e.g. {@code milvus-autoscaler.defaults.max-replicas}
 * @param raw   the HOCON value as written, for the error line
 * @param layer 0 for the most specific layer (a cluster's component), higher for inherited ones
 */
record Field<T>(T value, String path, ConfigValue raw, int layer) {

    /**
     * Lower is more specific: by layer, then a value from the user's file before one from reference.conf
     * (merged {@code defaults} is one layer holding both). A two-key rule blames the more specific side,
     * the one the SRE most likely just changed.
     */
    int specificity() {
        return layer * 2 + ("reference.conf".equals(Origins.file(raw.origin())) ? 1 : 0);
    }
}
