package io.github.milvusautoscaler.deploy;

import static java.util.Objects.requireNonNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The command-line tools the deploy tests run (kubectl, promtool, amtool): found on the PATH or
 * in /usr/bin, run as a child process with a time limit, output captured. A missing tool fails the
 * test with the command that installs it, because a deploy file nobody checked is worse than a
 * red build. A kubectl older than {@value #KUBECTL_MIN_MAJOR}.{@value #KUBECTL_MIN_MINOR} fails
 * it too, naming the version found: an older one's kustomize cannot render the overlays or
 * grafana/ and says only "'../../base' must be a file" or "unknown field \"options\"".
 */
public final class Tools {

    /** Installs promtool and amtool (with Prometheus and Alertmanager, as the other integration tests need). */
    static final String PROMETHEUS_HINT =
            "apt-get update && apt-get install -y prometheus prometheus-alertmanager victoria-metrics";
    /** The oldest kubectl whose built-in kustomize (v5) renders deploy/overlays and grafana/. */
    static final int KUBECTL_MIN_MAJOR = 1;
    static final int KUBECTL_MIN_MINOR = 27;
    /**
     * Where a new enough kubectl comes from. Not Debian 12's kubernetes-client: that is kubectl
     * 1.20.2, whose kustomize v2 refuses the overlays' directory bases and the dashboard's options.
     */
    static final String KUBECTL_HINT = "kubectl " + KUBECTL_MIN_MAJOR + "." + KUBECTL_MIN_MINOR
            + " or later (kustomize v5) from https://kubernetes.io/docs/tasks/tools/ or the pkgs.k8s.io apt"
            + " repository (not Debian's kubernetes-client, which is kubectl 1.20)";

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

    /** kubectl once its version passed {@link #kubectl()}; every render asks, one check is enough. */
    private static Path checkedKubectl;

    /**
     * kubectl, version {@value #KUBECTL_MIN_MAJOR}.{@value #KUBECTL_MIN_MINOR} or later; else a failed
     * test naming what was found, the minimum and where to get it.
     */
    static synchronized Path kubectl() {
        if (checkedKubectl == null) {
            Path kubectl = locate("kubectl", KUBECTL_HINT);
            Result version = run(Repo.ROOT, List.of(kubectl.toString(), "version", "--client", "-o", "json"));
            Optional<String> problem = kubectlVersionProblem(version.output());
            if (version.exitCode() != 0 || problem.isPresent()) {
                fail(kubectl + " cannot render the kustomizations: "
                        + problem.orElse("'kubectl version --client -o json' exited with " + version.exitCode())
                        + "; the deploy tests need " + KUBECTL_HINT);
            }
            checkedKubectl = kubectl;
        }
        return checkedKubectl;
    }

    /**
     * Why the output of {@code kubectl version --client -o json} shows a kubectl too old for the
     * kustomizations (naming the version found), or empty when it is new enough. The minor may
     * carry a "+" (vendor builds: "32+").
     */
    static Optional<String> kubectlVersionProblem(String versionJson) {
        int start = versionJson.indexOf('{');
        int end = versionJson.lastIndexOf('}');
        if (start < 0 || end < start) {
            return Optional.of("its version output has no JSON: " + versionJson.strip());
        }
        String major;
        String minor;
        String git;
        try {
            JsonObject client = JsonParser.parseString(versionJson.substring(start, end + 1))
                    .getAsJsonObject().getAsJsonObject("clientVersion");
            if (client == null) {
                return Optional.of("its version output has no clientVersion: " + versionJson.strip());
            }
            major = text(client.get("major"));
            minor = text(client.get("minor"));
            git = text(client.get("gitVersion"));
        } catch (JsonParseException | IllegalStateException e) {
            return Optional.of("its version output is not JSON (" + e.getMessage() + "): " + versionJson.strip());
        }
        String found = git.isEmpty() ? major + "." + minor : git;
        int majorNumber;
        int minorNumber;
        try {
            majorNumber = Integer.parseInt(major);
            minorNumber = Integer.parseInt(minor.endsWith("+") ? minor.substring(0, minor.length() - 1) : minor);
        } catch (NumberFormatException e) {
            return Optional.of("cannot read its version (major \"" + major + "\", minor \"" + minor + "\")");
        }
        if (majorNumber < KUBECTL_MIN_MAJOR
                || (majorNumber == KUBECTL_MIN_MAJOR && minorNumber < KUBECTL_MIN_MINOR)) {
            return Optional.of("found kubectl " + found + ", older than " + KUBECTL_MIN_MAJOR + "." + KUBECTL_MIN_MINOR);
        }
        return Optional.empty();
    }

    private static String text(JsonElement element) {
        return element == null || element.isJsonNull() ? "" : element.getAsString();
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
        return fail(name + " is not installed (looked on the PATH and in /usr/bin); install it: " + installHint);
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
