package io.github.milvusautoscaler.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Milvus release as written in {@code milvus-version} ({@code "2.5"}, {@code "2.5.5"}, {@code "v2.6.0-rc1"}),
 * compared by major and minor only, because that is where Milvus moved components: indexNode merged
 * into dataNode and streamingNode appeared in 2.6, the index-job metric changed after 2.2.
 *
 * @param major e.g. 2
 * @param minor e.g. 5
 */
public record MilvusVersion(int major, int minor) implements Comparable<MilvusVersion> {

    private static final Pattern FORM = Pattern.compile("v?(\\d{1,4})\\.(\\d{1,4})(?:\\.\\d{1,6})?(?:[-+][0-9A-Za-z.-]+)?");

    /** Reads {@code "2.5"}, {@code "2.5.5"} or {@code "v2.6.0-rc1"}; empty for anything else. */
    public static Optional<MilvusVersion> parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new MilvusVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
    }

    /** True when this release is {@code major.minor} or later, e.g. 2.6 and 3.0 are at least 2.6, 2.5 is not. */
    public boolean isAtLeast(int major, int minor) {
        return compareTo(new MilvusVersion(major, minor)) >= 0;
    }

    @Override
    public int compareTo(MilvusVersion other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
