package io.github.milvusautoscaler.metrics;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What one instant query gave: its series, or why there are none. */
sealed interface QueryResult permits QueryResult.Samples, QueryResult.Failed {

    /** One series of an instant vector (a scalar is one series without labels); the value may be NaN or infinite. */
    record Series(Map<String, String> labels, double value, Instant timestamp) {

        public Series {
            labels = Map.copyOf(requireNonNull(labels, "labels"));
            requireNonNull(timestamp, "timestamp");
        }
    }

    /**
     * A successful answer; {@code scalar} tells a scalar result from a one-series vector, and
     * {@code partial} says why the answer may be missing data (a Thanos or Mimir store that did not answer,
     * VictoriaMetrics' {@code isPartial}), empty when it is whole.
     */
    record Samples(List<Series> series, boolean scalar, String partial) implements QueryResult {

        public Samples {
            series = List.copyOf(requireNonNull(series, "series"));
            requireNonNull(partial, "partial");
        }

        /** A whole answer. */
        public Samples(List<Series> series, boolean scalar) {
            this(series, scalar, "");
        }

        /** True when part of the data may be missing. */
        boolean isPartial() {
            return !partial.isEmpty();
        }
    }

    /** No usable answer; {@code reason} is short, free of secrets and names the numbers. */
    record Failed(FailureKind kind, String reason) implements QueryResult {

        public Failed {
            requireNonNull(kind, "kind");
            requireNonNull(reason, "reason");
        }
    }
}
