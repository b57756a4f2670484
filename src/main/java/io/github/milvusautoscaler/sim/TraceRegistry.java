package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * Resolves {@code simulate --trace}: a bundled real trace by name, a synthetic scenario by name,
 * or a NAB CSV file by path, in that order (so a file called {@code step} in the working directory
 * needs {@code ./step}).
 */
public final class TraceRegistry {

    /** Real traces bundled in the jar under {@code /traces/} (NAB, MIT licence, see ATTRIBUTION.md). */
    public static final List<String> BUNDLED = List.of("nyc_taxi", "elb_request_count", "twitter_volume_amzn");

    private TraceRegistry() {
    }

    /**
     * The raw trace {@code spec} names, before rescaling.
     *
     * @param spec a bundled name, a scenario name or a file path
     * @param seed seed for scenarios
     * @throws TraceFormatException when the name is unknown, the file unreadable or a row bad
     */
    public static LoadTrace resolve(String spec, long seed) {
        requireNonNull(spec, "spec");
        if (BUNDLED.contains(spec)) {
            return bundled(spec);
        }
        if (Scenarios.isScenario(spec)) {
            return Scenarios.generate(spec, seed);
        }
        Path file;
        try {
            file = Path.of(spec);
        } catch (InvalidPathException e) {
            throw unknown(spec);
        }
        if (!Files.exists(file)) {
            if (spec.contains("/") || spec.contains("\\") || spec.endsWith(".csv")) {
                throw new TraceFormatException("cannot read trace file " + spec + ": no such file");
            }
            throw unknown(spec);
        }
        return NabCsvReader.read(file);
    }

    /** A bundled trace by name. */
    public static LoadTrace bundled(String name) {
        String resource = "/traces/" + name + ".csv";
        InputStream stream = TraceRegistry.class.getResourceAsStream(resource);
        if (stream == null) {
            throw new TraceFormatException("bundled trace " + name + " is missing from the jar (" + resource + ")");
        }
        try (Reader in = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
            return NabCsvReader.read(name, in, "bundled " + name + ".csv");
        } catch (IOException e) {
            throw new TraceFormatException("cannot read bundled trace " + name + ": " + e.getMessage(), e);
        }
    }

    private static TraceFormatException unknown(String spec) {
        return new TraceFormatException("unknown trace '" + spec + "': not a bundled trace (" + String.join(", ", BUNDLED)
                + "), a scenario (" + String.join(", ", Scenarios.NAMES) + ") or an existing file");
    }
}
