package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Which metrics API a lane reads its {@link SimulatedComponent} through: how often the component is
 * sampled and what span a cpu or qps value covers. Each lane gets its own component, so lanes that
 * read different APIs see the same load through different lags.
 *
 * <ul>
 *   <li>{@link Source#PROMETHEUS_IRATE}: a sample every {@code sim.scrape-interval} (30 s); a value is
 *       irate(), the slope between the newest two samples, so it covers one interval ending at the
 *       newest sample ({@code window} = {@code interval}). What the milvus-autoscaler policy's default
 *       PromQL templates read ({@code sim.rate-function = irate}); the templates' {@code [2m]} only
 *       bounds how far back those samples may lie, and the simulated scrapes never miss.</li>
 *   <li>{@link Source#PROMETHEUS_RATE}: the same samples; a value is rate() over the samples inside
 *       (at - {@code sim.rate-window}, at], the slope from the first to the last of them (2 min: the
 *       scrapes at at-90, -60, -30 and 0 s). What a template written with rate() reads
 *       ({@code sim.rate-function = rate}).</li>
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
 * @param window   PROMETHEUS_RATE: the rate window; PROMETHEUS_IRATE and METRICS_SERVER: the span one
 *                 value covers, ending at the newest sample (a whole number of intervals)
 * @param sampleAge how long before the simulator's first tick the newest sample was taken
 *                 ({@code sim.sample-age}), in [0, interval): the sample grid's phase against the ticks. At 7.5 s
 *                 with 15 s ticks, a 30 s scrape is 7.5 s and 22.5 s old at alternate ticks (15 s on average, as
 *                 on independent clocks) and a 15 s metrics-server sample 7.5 s at every sync; at 0 every sample
 *                 lands on a tick
 */
public record MetricsView(Source source, Duration interval, Duration window, Duration sampleAge) {

    /** The metrics API a lane reads, and how it turns counters into rates. */
    public enum Source {
        /** irate() over Prometheus scrapes: the newest two. */
        PROMETHEUS_IRATE,
        /** rate() over Prometheus scrapes: every one inside the window. */
        PROMETHEUS_RATE,
        /** The resource metrics API (metrics.k8s.io) served by metrics-server. */
        METRICS_SERVER
    }

    public MetricsView {
        requireNonNull(source, "source");
        requireNonNull(interval, "interval");
        requireNonNull(window, "window");
        requireNonNull(sampleAge, "sampleAge");
        if (interval.isNegative() || interval.isZero() || interval.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException("a metrics interval must be > 0 and whole milliseconds, was " + interval);
        }
        if (sampleAge.isNegative() || sampleAge.compareTo(interval) >= 0 || sampleAge.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException("a sample age must be in [0, interval " + interval
                    + ") and whole milliseconds, was " + sampleAge);
        }
        if (window.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException("a metrics window must be whole milliseconds, was " + window);
        }
        if (source == Source.PROMETHEUS_RATE && window.compareTo(interval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("rate() needs two samples: window " + window + " < 2 x " + interval);
        }
        if (source != Source.PROMETHEUS_RATE
                && (window.compareTo(interval) < 0 || window.toMillis() % interval.toMillis() != 0)) {
            throw new IllegalArgumentException("a window ending at the newest sample must be a whole number (>= 1) of"
                    + " intervals " + interval + ", was " + window);
        }
    }

    /** A view whose samples land on the ticks (sample age 0). */
    public MetricsView(Source source, Duration interval, Duration window) {
        this(source, interval, window, Duration.ZERO);
    }

    /** Whether a value covers {@code window} ending at the newest sample, rather than the samples inside (at - window, at]. */
    public boolean endsAtNewestSample() {
        return source != Source.PROMETHEUS_RATE;
    }

    /** How Prometheus shows the component, as the sim block's scrape keys set it up. */
    public static MetricsView prometheus(SimSettings.Scrape scrape) {
        requireNonNull(scrape, "scrape");
        Duration age = phase(scrape.sampleAge(), scrape.interval());
        return scrape.function() == SimSettings.RateFunction.IRATE
                ? new MetricsView(Source.PROMETHEUS_IRATE, scrape.interval(), scrape.interval(), age)
                : new MetricsView(Source.PROMETHEUS_RATE, scrape.interval(), scrape.rateWindow(), age);
    }

    /** How metrics-server shows the component: a sample every {@code resolution}, CPU over the last {@code resolution}. */
    public static MetricsView metricsServer(Duration resolution) {
        return metricsServer(resolution, Duration.ZERO);
    }

    /** {@link #metricsServer(Duration)} with its samples {@code sampleAge} (modulo {@code resolution}) before the ticks. */
    public static MetricsView metricsServer(Duration resolution, Duration sampleAge) {
        requireNonNull(resolution, "resolution");
        requireNonNull(sampleAge, "sampleAge");
        return new MetricsView(Source.METRICS_SERVER, resolution, resolution, phase(sampleAge, resolution));
    }

    /** {@code sim.sample-age} within one {@code interval}: 7.5 s at a 30 s scrape stays 7.5 s, at a 5 s one is 2.5 s. */
    private static Duration phase(Duration sampleAge, Duration interval) {
        return Duration.ofMillis(sampleAge.toMillis() % interval.toMillis());
    }
}
