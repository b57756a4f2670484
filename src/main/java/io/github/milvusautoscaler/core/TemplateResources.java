package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * What one pod of a component declares for its Milvus container, as its workload's pod template says: the CPU
 * request in cores and the memory limit in bytes; empty where it declares none or the template is not known (the
 * simulator, a replay, an operator hand-over with two templates).
 *
 * <p>Why it exists: cpu and memory are read as fractions of these (queries.cpu, queries.memory: usage over the request
 * or limit of the Milvus container), so a load remembered as a fraction is in the
 * units of the template it was read under. A peak of 2.10 nodes of memory load read under a 4Gi limit is 8.4 GiB:
 * 1.05 nodes once the limit is 8Gi, where read as 2.10 it held step-downs for two hours after the raise (recheck 65,
 * F3).
 *
 * @param cpuRequestCores  the Milvus container's {@code resources.requests.cpu}, cores
 * @param memoryLimitBytes the Milvus container's {@code resources.limits.memory}, bytes
 */
public record TemplateResources(OptionalDouble cpuRequestCores, OptionalDouble memoryLimitBytes) {

    /** Nothing known. */
    public static final TemplateResources UNKNOWN = new TemplateResources(OptionalDouble.empty(), OptionalDouble.empty());

    public TemplateResources {
        requireNonNull(cpuRequestCores, "cpuRequestCores");
        requireNonNull(memoryLimitBytes, "memoryLimitBytes");
        for (OptionalDouble v : new OptionalDouble[] {cpuRequestCores, memoryLimitBytes}) {
            if (v.isPresent() && !(v.getAsDouble() > 0 && Double.isFinite(v.getAsDouble()))) {
                throw new IllegalArgumentException("a declared resource must be positive and finite: " + v);
            }
        }
    }

    /** The amount of {@code resource} one pod declares; empty when not known. */
    public OptionalDouble of(ContainerResource resource) {
        return switch (requireNonNull(resource, "resource")) {
            case CPU_REQUEST -> cpuRequestCores;
            case MEMORY_LIMIT -> memoryLimitBytes;
        };
    }

    /** These, each amount not known here taken from {@code earlier}: what was last known of each. */
    public TemplateResources orElse(TemplateResources earlier) {
        requireNonNull(earlier, "earlier");
        return new TemplateResources(cpuRequestCores.isPresent() ? cpuRequestCores : earlier.cpuRequestCores,
                memoryLimitBytes.isPresent() ? memoryLimitBytes : earlier.memoryLimitBytes);
    }

    /** An amount of {@code resource} as an SRE writes it: "8Gi", "1.5Gi", "512Mi", "2 cores", "500m". */
    public static String show(ContainerResource resource, double amount) {
        if (resource == ContainerResource.CPU_REQUEST) {
            return amount >= 1 ? trim(amount) + (amount == 1 ? " core" : " cores")
                    : Math.round(amount * 1000) + "m";
        }
        double gi = amount / (1L << 30);
        return gi >= 1 ? trim(gi) + "Gi" : trim(amount / (1L << 20)) + "Mi";
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        return s.replaceAll("\\.?0+$", "");
    }
}
