package io.github.milvusautoscaler.deploy;

import static java.util.Objects.requireNonNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The command-line tools the deploy tests run (kubectl, promtool, amtool): found on the PATH or
 * in /usr/bin, run as a child process with a time limit, output captured. A missing tool fails the
 * test with the command that installs it, because a deploy file nobody checked is worse than a
 * red build.
 */
public final class Tools {

    /** Installs promtool and amtool (with Prometheus and Alertmanager, as the other integration tests need). */
    static final String PROMETHEUS_HINT =
            "apt-get update && apt-get install -y prometheus prometheus-alertmanager victoria-metrics";
    /** Installs kubectl (Debian's kubernetes-client; or https://kubernetes.io/docs/tasks/tools/). */
    static final String KUBECTL_HINT = "apt-get update && apt-get install -y kubernetes-client";

    /** Longest a tool may run; each finishes in well under a second here. */
    private static final long TIMEOUT_SECONDS = 60;

    /** What a finished command printed (standard output and error, interleaved) and its exit code. */
    public record Result(List<String> command, int exitCode, String output) {

        /** The output, failing the test with the command and its output when the exit code is not 0. */
        public String ok() {
            if (exitCode != 0) {
                fail(String.join(" ", command) + " exited with " + exitCode + ":\n" + output);
            }
            return output;
        }
    }

    private Tools() {
    }

    /** kubectl, or a failed test naming the install command. */
    static Path kubectl() {
        return locate("kubectl", KUBECTL_HINT);
    }

    /** promtool, or a failed test naming the install command. */
    public static Path promtool() {
        return locate("promtool", PROMETHEUS_HINT);
    }

    /** amtool, or a failed test naming the install command. */
    static Path amtool() {
        return locate("amtool", PROMETHEUS_HINT);
    }

    /** The executable {@code name} from the PATH, else /usr/bin; fails the test with {@code installHint}. */
    static Path locate(String name, String installHint) {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, name));
                }
            }
        }
        candidates.add(Path.of("/usr/bin", name));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail(name + " is not installed (looked on the PATH and in /usr/bin); install it with: " + installHint);
    }

    /** Runs {@code command} in {@code workDir} and waits for it (at most a minute). */
    static Result run(Path workDir, List<String> command) {
        return run(workDir, command, "");
    }

    /** Runs {@code command} in {@code workDir} with {@code input} on its standard input, as {@code promtool check metrics} reads a scrape. */
    public static Result run(Path workDir, List<String> command, String input) {
        requireNonNull(workDir, "workDir");
        requireNonNull(input, "input");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
        CompletableFuture.runAsync(() -> {
            try (var in = process.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The command exited without reading all of it; its exit code and output say why.
            }
        });
        // Read while it runs: a child blocked on a full pipe never exits.
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return fail(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + "s");
            }
            return new Result(List.copyOf(command), process.exitValue(), output.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
