package io.github.milvusautoscaler.actuate;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.util.Optional;
import java.util.OptionalLong;

/** Null-safe reads from the client's Gson trees: a missing or null field is "absent", never 0. */
final class JsonPaths {

    private JsonPaths() {
    }

    /** The element at {@code path}, absent when any step is missing, null or not an object. */
    static Optional<JsonElement> at(JsonObject root, String... path) {
        JsonElement current = root;
        for (String key : path) {
            if (current == null || !current.isJsonObject()) {
                return Optional.empty();
            }
            current = current.getAsJsonObject().get(key);
        }
        return current == null || current.isJsonNull() ? Optional.empty() : Optional.of(current);
    }

    static Optional<JsonObject> object(JsonObject root, String... path) {
        return at(root, path).filter(JsonElement::isJsonObject).map(JsonElement::getAsJsonObject);
    }

    static Optional<String> string(JsonObject root, String... path) {
        return at(root, path).filter(JsonElement::isJsonPrimitive).map(JsonElement::getAsString);
    }

    /**
     * A whole number at {@code path}; absent when missing.
     *
     * @throws IllegalArgumentException when present but not a whole number (e.g. {@code 2.5} or {@code "3"})
     */
    static OptionalLong integer(JsonObject root, String... path) {
        Optional<JsonElement> element = at(root, path);
        if (element.isEmpty()) {
            return OptionalLong.empty();
        }
        JsonElement e = element.get();
        if (e.isJsonPrimitive() && ((JsonPrimitive) e).isNumber()) {
            BigDecimal value = e.getAsBigDecimal();
            try {
                return OptionalLong.of(value.longValueExact());
            } catch (ArithmeticException notWhole) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException(String.join(".", path) + " is not a whole number: " + e);
    }

    /** The object's annotations, empty when it has none. */
    static JsonObject annotations(JsonObject object) {
        return object(object, "metadata", "annotations").orElseGet(JsonObject::new);
    }
}
