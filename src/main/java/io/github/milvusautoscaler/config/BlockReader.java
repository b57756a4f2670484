package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The config package's error collector for blocks other packages own (the simulator's {@code sim}): typed
 * reads that record {@code path = value (file:line): rule} instead of throwing, and {@link #build} for the
 * record that holds the rules, so every block of the file is refused in one format, every problem at once.
 *
 * <p>Reads return null after recording a problem; the caller builds nothing from a null.
 */
public final class BlockReader {

    private final Node node;
    private final List<Field<?>> fields = new ArrayList<>();

    private BlockReader(Node node) {
        this.node = node;
    }

    /**
     * Reads the block at {@code path} of a resolved configuration (reference.conf under the user's file,
     * origins kept) with {@code body}.
     *
     * @return what {@code body} returned
     * @throws InvalidConfigException with every problem {@code body} met, each with its path and file:line
     */
    public static <T> T read(Config resolved, String path, Function<BlockReader, T> body) {
        requireNonNull(resolved, "resolved");
        requireNonNull(path, "path");
        requireNonNull(body, "body");
        // Included files shown as the config loader shows them (sub/parts.conf), so one key is one error line.
        // A resolved configuration keeps no substitution: a value from the environment stays "(env variables)".
        Errors errors = new Errors(Origins.mainFolder(resolved.root().origin()), Substitutions.NONE);
        ConfigValue value = resolved.hasPath(path) ? resolved.getValue(path) : null;
        if (value == null || value.valueType() != ConfigValueType.OBJECT) {
            if (value == null) {
                errors.missing(path, resolved.root().origin(), Node.MUST_BE_SET);
            } else {
                errors.add(path, value, Node.MUST_BE_OBJECT);
            }
            throw new InvalidConfigException(errors.sorted());
        }
        T result = body.apply(new BlockReader(Node.of((ConfigObject) value, path, errors)));
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(errors.sorted());
        }
        return result;
    }

    /** The object at {@code key}, or null after recording why there is none. */
    public BlockReader child(String key) {
        Node child = node.child(key);
        return child == null ? null : new BlockReader(child);
    }

    /** The object at {@code key} if set (null when not), recording a non-object. */
    public BlockReader childIfPresent(String key) {
        Node child = node.childIfPresent(key);
        return child == null ? null : new BlockReader(child);
    }

    /** This block with {@code lower}'s layers below it: a key this block does not set is read from there. */
    public BlockReader withFallback(BlockReader lower) {
        return new BlockReader(node.withFallback(lower.node));
    }

    /** A duration with a unit ({@code 30s}); a bare number is refused. */
    public Duration duration(String key) {
        return kept(node.duration(key));
    }

    /** A whole number. */
    public Integer integer(String key) {
        return kept(node.integer(key));
    }

    /** A whole number that may exceed an int (a seed). */
    public Long longInteger(String key) {
        return kept(node.longInteger(key));
    }

    /** A finite number. */
    public Double number(String key) {
        return kept(node.number(key));
    }

    /** A finite number, or null where the key is explicitly {@code null}; check {@link #isNull} to tell. */
    public Double numberOrNull(String key) {
        return kept(node.numberOrNull(key));
    }

    /** A string; numbers and booleans as written. */
    public String string(String key) {
        return kept(node.string(key));
    }

    /** A size in bytes ({@code 16GiB}). */
    public Long bytes(String key) {
        return kept(node.bytes(key));
    }

    /** True when the key is explicitly {@code null} (HOCON's "not set here"). */
    public boolean isNull(String key) {
        Field<ConfigValue> found = node.find(key);
        return found != null && found.raw().valueType() == ConfigValueType.NULL;
    }

    /**
     * Whether {@code key} holds reference.conf's default, not a value the user wrote: a rule over two keys then
     * blames the one the user set (sim.scrape-interval = 1d, not rate-window's shipped 2m; config audit C8).
     */
    public boolean isDefault(String key) {
        Field<ConfigValue> found = node.find(key);
        return found != null && "reference.conf".equals(Origins.file(found.raw().origin()));
    }

    /**
     * Builds the record that holds the rules from values read through this reader; what it refuses
     * ({@code SettingException}) is recorded at the key it names, relative to this block
     * ({@code signals.cpu.target} for a value read through {@code nested} readers of sub-blocks).
     *
     * @return the record, or null when it refused a value
     */
    public <T> T build(Supplier<T> constructor, BlockReader... nested) {
        List<Field<?>> all = new ArrayList<>(fields);
        for (BlockReader r : nested) {
            all.addAll(r.fields);
        }
        return node.build(constructor, all.toArray(Field<?>[]::new));
    }

    private <T> T kept(Field<T> field) {
        if (field == null) {
            return null;
        }
        fields.add(field);
        return field.value();
    }
}
