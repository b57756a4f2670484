package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/**
 * Named synthetic load shapes, each testing one thing an autoscaler must get right, generated
 * deterministically from a seed (same name and seed, same points). Values are relative (peak about
 * 1) and are rescaled like any trace.
 *
 * <ul>
 *   <li>{@code step} (6 h): 0.3, jump to 1.0 for two hours, back: reaction time and step-down pace.</li>
 *   <li>{@code ramp} (8 h): 0.1 up to 1.0 over three hours and down again: tracking a slow change.</li>
 *   <li>{@code spike} (6 h): 0.3 with three 5-15 minute bursts to 0.8-1.0: panic vs churn.</li>
 *   <li>{@code diurnal} (2 days): a daily cosine between 0.15 and 1.0 peaking at 16:00: the common case.</li>
 *   <li>{@code noisy-plateau} (12 h): 0.6 with 15% gaussian noise per minute: flapping on noise.</li>
 *   <li>{@code sawtooth} (8 h): 40-minute ramps from 0.2 to 1.0 with sudden drops: reversals.</li>
 * </ul>
 * Every shape also carries 2% uniform noise so the seed matters.
 */
public final class Scenarios {

    /** The scenario names, in the order help texts list them. */
    public static final List<String> NAMES = List.of("step", "ramp", "spike", "diurnal", "noisy-plateau", "sawtooth");

    /** All scenarios start here; only differences matter, a fixed date keeps reports reproducible. */
    public static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

    private static final double HOUR = 3600;
    private static final double MINUTE = 60;

    private Scenarios() {
    }

    /** True when {@code name} is a scenario. */
    public static boolean isScenario(String name) {
        return NAMES.contains(name);
    }

    /**
     * Generates scenario {@code name} from {@code seed}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static LoadTrace generate(String name, long seed) {
        requireNonNull(name, "name");
        // Mixing the name into the seed keeps two scenarios with one seed from sharing their noise.
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        return switch (name) {
            case "step" -> sample(name, 6 * HOUR, MINUTE, random, t -> {
                if (t < 2 * HOUR) {
                    return 0.3;
                }
                if (t < 2 * HOUR + MINUTE) {
                    return 0.3 + 0.7 * (t - 2 * HOUR) / MINUTE;
                }
                if (t < 4 * HOUR) {
                    return 1.0;
                }
                if (t < 4 * HOUR + MINUTE) {
                    return 1.0 - 0.7 * (t - 4 * HOUR) / MINUTE;
                }
                return 0.3;
            });
            case "ramp" -> sample(name, 8 * HOUR, MINUTE, random, t -> {
                if (t < HOUR) {
                    return 0.1;
                }
                if (t < 4 * HOUR) {
                    return 0.1 + 0.9 * (t - HOUR) / (3 * HOUR);
                }
                if (t < 5 * HOUR) {
                    return 1.0;
                }
                return Math.max(0.1, 1.0 - 0.9 * (t - 5 * HOUR) / (3 * HOUR));
            });
            case "spike" -> spike(random);
            case "diurnal" -> sample(name, 48 * HOUR, 5 * MINUTE, random,
                    t -> 0.15 + 0.85 * (0.5 - 0.5 * Math.cos(2 * Math.PI * (t - 4 * HOUR) / (24 * HOUR))));
            case "noisy-plateau" -> {
                SplittableRandom gauss = random.split();
                yield sample(name, 12 * HOUR, MINUTE, random, t -> Math.max(0, 0.6 * (1 + 0.15 * gaussian(gauss))));
            }
            case "sawtooth" -> sample(name, 8 * HOUR, MINUTE, random, t -> {
                double period = 40 * MINUTE;
                double phase = t % period;
                if (phase < MINUTE && t >= period) {
                    return 1.0 - 0.8 * phase / MINUTE;
                }
                return 0.2 + 0.8 * phase / period;
            });
            default -> throw new IllegalArgumentException("unknown scenario '" + name + "'; scenarios: "
                    + String.join(", ", NAMES));
        };
    }

    private static LoadTrace spike(SplittableRandom random) {
        // Three of the hours 1..5 get one burst each, so bursts never overlap.
        int[] hours = {1, 2, 3, 4, 5};
        for (int i = hours.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = hours[i];
            hours[i] = hours[j];
            hours[j] = tmp;
        }
        double[][] bursts = new double[3][];
        for (int b = 0; b < 3; b++) {
            double startAt = hours[b] * HOUR + random.nextInt(0, 40) * MINUTE;
            double length = random.nextInt(5, 16) * MINUTE;
            double height = 0.8 + 0.2 * random.nextDouble();
            bursts[b] = new double[] {startAt, length, height};
        }
        return sample("spike", 6 * HOUR, MINUTE, random, t -> {
            double v = 0.3;
            for (double[] burst : bursts) {
                if (t >= burst[0] && t < burst[0] + burst[1]) {
                    v = Math.max(v, burst[2]);
                }
            }
            return v;
        });
    }

    private static LoadTrace sample(String name, double duration, double step, SplittableRandom random,
                                    DoubleUnaryOperator shape) {
        int n = (int) Math.round(duration / step) + 1;
        double[] offsets = new double[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            double t = i * step;
            offsets[i] = t;
            values[i] = Math.max(0, shape.applyAsDouble(t) * (1 + 0.02 * (2 * random.nextDouble() - 1)));
        }
        return new LoadTrace(name.toLowerCase(Locale.ROOT), START, offsets, values);
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
