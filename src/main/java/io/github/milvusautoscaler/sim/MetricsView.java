package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Which metrics API a lane reads its {@link SimulatedComponent} through: how often the component is
 * sampled and what span a cpu or qps value covers. Each lane gets its own component, so lanes that
 * read different APIs see the same load through different lags.
 *
 * <ul>
 *   <li>{@link Source#PROMETHEUS}: a sample every {@code sim.scrape-interval} (30 s); a value is
 *       rate() over the samples inside (at - {@code sim.rate-window}, at], the slope from the first to
 *       the last of them (2 min: the scrapes at at-90, -60, -30 and 0 s). What the milvus-autoscaler
 *       policy's PromQL templates read.</li>
 *   <li>{@link Source#METRICS_SERVER}: the resource metrics API that the Kubernetes HPA controller
 *       reads for a Resource metric. metrics-server scrapes the kubelets every
 *       {@code --metric-resolution} (15 s in kubernetes-sigs/metrics-server
 *       {@code manifests/base/deployment.yaml}) and serves the CPU between its two newest scrapes:
 *       "Metrics server CPU metric is used for horizontal autoscaling, that's why it represents latest
 *       values (last 15s)" (its FAQ). A value is the CPU over the {@code window} ending at the newest
 *       sample, which is at most one {@code interval} old; {@code window} = {@code interval} =
 *       {@code sim.hpa.metrics-resolution}.</li>
 * </ul>
 *
 * @param source   which API
 * @param interval time between two samples
 * @param window   PROMETHEUS: the rate window; METRICS_SERVER: the span one value covers, ending at the
 *                 newest sample (a whole number of intervals)
 */
public record MetricsView(Source source, Duration interval, Duration window) {

    /** The metrics API a lane reads. */
    public enum Source {
        /** rate() over Prometheus scrapes. */
        PROMETHEUS,
        /** The resource metrics API (metrics.k8s.io) served by metrics-server. */
        METRICS_SERVER
    }

    public MetricsView {
        requireNonNull(source, "source");
        requireNonNull(interval, "interval");
        requireNonNull(window, "window");
        if (interval.isNegative() || interval.isZero() || interval.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException("a metrics interval must be > 0 and whole milliseconds, was " + interval);
        }
        if (window.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException("a metrics window must be whole milliseconds, was " + window);
        }
        if (source == Source.PROMETHEUS && window.compareTo(interval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("rate() needs two samples: window " + window + " < 2 x " + interval);
        }
        if (source == Source.METRICS_SERVER
                && (window.compareTo(interval) < 0 || window.toMillis() % interval.toMillis() != 0)) {
            throw new IllegalArgumentException("a metrics-server window must be a whole number (>= 1) of intervals "
                    + interval + ", was " + window);
        }
    }

    /** How Prometheus shows the component, as the sim block's scrape keys set it up. */
    public static MetricsView prometheus(SimSettings.Scrape scrape) {
        requireNonNull(scrape, "scrape");
        return new MetricsView(Source.PROMETHEUS, scrape.interval(), scrape.rateWindow());
    }

    /** How metrics-server shows the component: a sample every {@code resolution}, CPU over the last {@code resolution}. */
    public static MetricsView metricsServer(Duration resolution) {
        requireNonNull(resolution, "resolution");
        return new MetricsView(Source.METRICS_SERVER, resolution, resolution);
    }
}
