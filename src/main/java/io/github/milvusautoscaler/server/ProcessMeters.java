package io.github.milvusautoscaler.server;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The JVM and process meters on the daemon's /metrics, named as Prometheus' own rules ask, so that
 * {@code promtool check metrics} passes on a scrape, as it does on the demo's.
 *
 * <p>Micrometer's {@link ProcessorMetrics} names two of them against those rules: the CPU time in
 * nanoseconds ({@code process_cpu_time_ns_total}: "metric names should not contain abbreviated units") and the
 * processor count {@code system_cpu_count} ("non-histogram and non-summary metrics should not have "_count"
 * suffix"). The first is exported as {@code process_cpu_seconds_total}, the name and unit every Prometheus client
 * library's process collector gives it (a dashboard's {@code rate(process_cpu_seconds_total[5m])} is CPU cores in
 * use); the second as {@code system_cpus}.
 */
public final class ProcessMeters implements AutoCloseable {

    /** Micrometer's name for the CPU time in nanoseconds, replaced by {@link #CPU_SECONDS}. */
    static final String MICROMETER_CPU_TIME = "process.cpu.time";
    /** Micrometer's name for the processor count, renamed to {@link #CPUS}. */
    static final String MICROMETER_CPU_COUNT = "system.cpu.count";
    /** Exported as {@code process_cpu_seconds_total}. */
    static final String CPU_SECONDS = "process.cpu";
    /** Exported as {@code system_cpus}. */
    static final String CPUS = "system.cpus";

    private final JvmGcMetrics gc = new JvmGcMetrics();

    private ProcessMeters() {
    }

    /**
     * Binds the JVM, process and system meters to {@code registry}, whose filters must not have been used yet
     * (Micrometer applies a filter only to meters registered after it). Closing the result stops the GC
     * meters' notification listener.
     */
    public static ProcessMeters bindTo(MeterRegistry registry) {
        requireNonNull(registry, "registry");
        registry.config()
                .meterFilter(MeterFilter.denyNameStartsWith(MICROMETER_CPU_TIME))
                .meterFilter(new MeterFilter() {
                    @Override
                    public io.micrometer.core.instrument.Meter.Id map(io.micrometer.core.instrument.Meter.Id id) {
                        return id.getName().equals(MICROMETER_CPU_COUNT) ? id.withName(CPUS) : id;
                    }
                });
        ProcessMeters meters = new ProcessMeters();
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        meters.gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean process) {
            FunctionCounter.builder(CPU_SECONDS, process, p -> cpuSeconds(p.getProcessCpuTime()))
                    .baseUnit("seconds")
                    .description("The CPU time used by the Java virtual machine process")
                    .register(registry);
        }
        return meters;
    }

    /** The JVM's CPU time in seconds; NaN where the platform does not report it (it returns -1 there). */
    static double cpuSeconds(long nanos) {
        return nanos < 0 ? Double.NaN : nanos / 1e9;
    }

    @Override
    public void close() {
        gc.close();
    }
}
