package io.github.milvusautoscaler.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Milvus release as written in {@code milvus-version} ({@code "2.5"}, {@code "2.5.5"}, {@code "v2.6.0-rc1"}),
 * because Milvus moved components and metrics between releases: indexNode merged into dataNode and
 * streamingNode appeared in 2.6; the index-job gauge {@code milvus_datacoord_task_count} replaced
 * {@code milvus_datacoord_index_task_count} in 2.5.5 (Milvus {@code pkg/metrics/datacoord_metrics.go}).
 * A version written without a patch ({@code "2.5"}) counts as patch 0.
 *
 * @param major e.g. 2
 * @param minor e.g. 5
 * @param patch e.g. 5 in 2.5.5; 0 when not written
 */
public record MilvusVersion(int major, int minor, int patch) implements Comparable<MilvusVersion> {

    private static final Pattern FORM = Pattern.compile("v?(\\d{1,4})\\.(\\d{1,4})(?:\\.(\\d{1,6}))?(?:[-+][0-9A-Za-z.-]+)?");

    /** A version with patch 0, e.g. 2.6. */
    public MilvusVersion(int major, int minor) {
        this(major, minor, 0);
    }

    /** Reads {@code "2.5"}, {@code "2.5.5"} or {@code "v2.6.0-rc1"}; empty for anything else. */
    public static Optional<MilvusVersion> parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new MilvusVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
    }

    /** True when this release is {@code major.minor} or later, e.g. 2.6 and 3.0 are at least 2.6, 2.5.9 is not. */
    public boolean isAtLeast(int major, int minor) {
        return compareTo(new MilvusVersion(major, minor, 0)) >= 0;
    }

    /** True when this release is {@code major.minor.patch} or later, e.g. 2.5.5 and 2.6 are at least 2.5.5. */
    public boolean isAtLeast(int major, int minor, int patch) {
        return compareTo(new MilvusVersion(major, minor, patch)) >= 0;
    }

    @Override
    public int compareTo(MilvusVersion other) {
        if (major != other.major) {
            return Integer.compare(major, other.major);
        }
        return minor != other.minor ? Integer.compare(minor, other.minor) : Integer.compare(patch, other.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
